"""Benchmark lup_opt against the solver floor on synthetic scenarios and print one table.

    python benchmarks/run.py --family parcels --sizes 1000,10000,100000
    python benchmarks/run.py --family raster --sizes 10000,100000,1000000

For every size, in a fresh Python process each (so peak memory is that run's own):

- ``floor``: ``benchmarks/floor.py``, the identical LP (no aggregation, no culling) built straight
  from the tables with numpy/scipy and handed to HiGHS with ``passModel``;
- ``lup_opt``: ``lup_opt.solve`` with its defaults (exact aggregation, culling), results written;
- ``lup_opt-full``: the same with aggregation and culling off, i.e. the floor's LP (``--full-max``);
- ``lup_opt-structured``: ``lup_opt`` with ``method="structured"`` (column generation over the area
  columns, certified on the full LP; ``lup_opt.solve.structured``), with its rounds and the area
  columns it generated ("warm": rounds of the aggregated master that estimates the duals first;
  where its plan is certified optimal, no restricted master is solved and rounds is 0);
- ``pyomo``: lup_opt's Pyomo path (``--pyomo-max``).

Columns: LP rows / columns / non-zeros as solved; seconds to load the files, build (model data,
aggregation, culling, checks and LP), hand the LP to HiGHS, HiGHS's own run, extract the solution
and make the result tables, write the results; end-to-end total; overhead = total - HiGHS run;
peak resident memory. Then, per size, each path against the floor: overhead, peak memory and
end-to-end ratios, and the relative difference of the objectives.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from time import perf_counter

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

PATHS = ("floor", "lup_opt", "lup_opt-structured", "lup_opt-full", "pyomo")


def run_lup_opt(folder: Path, path: str, time_limit: float | None) -> dict:
    """Solve one scenario through lup_opt; the stage timings (called in a subprocess)."""
    import lup_opt
    from lup_opt.results.postprocess import peak_memory_mb

    start = perf_counter()
    # One solve, like the floor: the price of neutrality (one re-solve per land type) is extra work
    # a planner asks for, timed in the manifest as seconds.ldn_price.
    scenario = lup_opt.load_scenario(folder, overrides=["ldn.price_of_neutrality=off"])
    loaded = perf_counter()
    full = path == "lup_opt-full"
    result = lup_opt.solve(
        scenario, backend="pyomo" if path == "pyomo" else "highspy", time_limit=time_limit,
        merge_alike=not full, culling="off" if full else "auto",
        method="structured" if path == "lup_opt-structured" else "ipm",
    )
    solved = perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        result.write(Path(tmp) / "results", report=False)  # tables only, like the floor
    end = perf_counter()
    manifest = result.manifest
    seconds = manifest["seconds"]
    size = manifest["size"]
    extract = seconds["extract"] + seconds.get("postprocess", 0.0)
    build = (solved - loaded) - seconds["handoff"] - seconds["solve"] - extract
    structured = manifest["solver"].get("structured") or {}
    return {
        "rounds": structured.get("rounds"), "generated": structured.get("columns_generated"),
        "master_columns": (structured["initial_columns"] + structured["columns_generated"]) if structured else None,
        "fallback": structured.get("fallback"),
        "warm_rounds": structured.get("lagrangian_rounds"), "structured_path": structured.get("path"),
        "status": manifest["status"], "objective": manifest["objective"],
        "rows": size["rows"], "columns": size["columns"], "nonzeros": size["nonzeros"],
        "units_solved": size["land_units_solved"],
        "load": loaded - start, "build": build, "handoff": seconds["handoff"], "highs": seconds["solve"],
        "extract": extract, "write": end - solved, "total": end - start, "peak_mb": peak_memory_mb(),
    }


def run_floor(folder: Path, time_limit: float | None) -> dict:
    import floor

    out = floor.main(folder, time_limit)
    # The floor reads its tables inside its build step: both are reported as build.
    return {**out, "load": 0.0, "build": out.pop("load_build"), "units_solved": out.pop("land_units")}


def measure(folder: Path, path: str, time_limit: float | None) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--one", str(folder), "--path", path]
    if time_limit:
        command += ["--time-limit", str(time_limit)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), str(HERE.parent)])}
    completed = subprocess.run(command, check=False, capture_output=True, text=True, env=env)
    if completed.returncode != 0:
        return {"status": f"failed: {completed.stderr.strip().splitlines()[-1] if completed.stderr else completed.returncode}"}
    return json.loads(completed.stdout.strip().splitlines()[-1])


def table(rows: list[dict]) -> str:
    header = (f"{'family':8} {'units':>9} {'path':18} {'solved':>7} {'rows':>8} {'columns':>10} {'nonzeros':>11} "
              f"{'load':>6} {'build':>6} {'handoff':>7} {'HiGHS':>8} {'extract':>7} {'write':>6} "
              f"{'total':>8} {'overhead':>8} {'peak MB':>8} {'warm':>5} {'rounds':>6} {'master':>9} {'generated':>9}  status")
    lines = [header, "-" * len(header)]
    for r in rows:
        if "total" not in r:
            lines.append(f"{r['family']:8} {r['units']:>9,} {r['path']:18} {r['status']}")
            continue
        overhead = r["total"] - r["highs"]
        lines.append(
            f"{r['family']:8} {r['units']:>9,} {r['path']:18} {r['units_solved']:>7,} {r['rows']:>8,} "
            f"{r['columns']:>10,} {r['nonzeros']:>11,} {r['load']:>6.2f} {r['build']:>6.2f} {r['handoff']:>7.2f} "
            f"{r['highs']:>8.2f} {r['extract']:>7.2f} {r['write']:>6.2f} {r['total']:>8.2f} {overhead:>8.2f} "
            f"{r['peak_mb']:>8.0f} {_count(r.get('warm_rounds')):>5} {_count(r.get('rounds')):>6} {_count(r.get('master_columns')):>9} "
            f"{_count(r.get('generated')):>9}  {r['status']}" + (f" (fell back: {r['fallback']})" if r.get("fallback") else "")
        )
    return "\n".join(lines)


def _count(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def ratios(rows: list[dict]) -> str:
    lines = []
    done = {(r["units"], r["path"]): r for r in rows if "total" in r}
    for (units, path), r in done.items():
        floor = done.get((units, "floor"))
        if path == "floor" or floor is None:
            continue
        overhead = (r["total"] - r["highs"]) / max(floor["total"] - floor["highs"], 1e-9)
        objective = abs(r["objective"] - floor["objective"]) / max(1.0, abs(floor["objective"]))
        lines.append(
            f"{units:>9,} units, {path:18}: overhead {overhead:5.2f}x the floor's, peak memory "
            f"{r['peak_mb'] / floor['peak_mb']:4.2f}x, end-to-end {r['total'] / floor['total']:5.2f}x; "
            f"objectives differ by {objective:.1e} (relative)"
        )
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                          if line.startswith("MemTotal"))) / 1024 ** 2
    except (OSError, StopIteration):
        memory = float("nan")

    return (f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB; Python {platform.python_version()}, "
            f"highspy {importlib.metadata.version('highspy')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--family", choices=["parcels", "raster"], default="parcels")
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--floor-max", type=int, default=100_000, help="largest size also run as the floor")
    parser.add_argument("--full-max", type=int, default=10_000, help="largest size also run without aggregation/culling")
    parser.add_argument("--pyomo-max", type=int, default=10_000, help="largest size also run through Pyomo")
    parser.add_argument("--time-limit", type=float, default=None, help="seconds HiGHS may run per solve")
    parser.add_argument("--paths", default=",".join(PATHS), help=f"which paths to run (of {', '.join(PATHS)})")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "lup_opt_bench")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--path", default="lup_opt", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        runner = run_floor(args.one, args.time_limit) if args.path == "floor" else \
            run_lup_opt(args.one, args.path, args.time_limit)
        print(json.dumps(runner))
        return

    from benchmarks.generate import generate

    limits = {"floor": args.floor_max, "lup_opt": None, "lup_opt-structured": None, "lup_opt-full": args.full_max,
              "pyomo": args.pyomo_max}
    chosen = [p.strip() for p in args.paths.split(",") if p.strip()]
    unknown = sorted(set(chosen) - set(PATHS))
    if unknown:
        parser.error(f"unknown path(s): {', '.join(unknown)}")
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        folder = args.workdir / f"{args.family}_{size}"
        if not (folder / "scenario.yaml").exists():
            generate(args.family, size, folder)
        for path in PATHS:
            if path not in chosen or limits[path] is not None and size > limits[path]:
                continue
            rows.append({"family": args.family, "units": size, "path": path,
                         **measure(folder, path, args.time_limit)})
            print(f"  done: {size:,} units, {path}: {rows[-1]['status']}", file=sys.stderr, flush=True)
    print(f"machine: {machine()}")
    print(table(rows))
    print(ratios(rows))


if __name__ == "__main__":
    main()
