"""Benchmark lup_opt's stages on synthetic scenarios and print one table.

    python benchmarks/run.py --family parcels --sizes 1000,10000 [--pyomo-max 10000]

Every (size, backend) runs in a fresh Python process, so peak memory is that run's own. Columns:
LP rows / columns / non-zeros; seconds to load the files, prepare model data and build the LP,
hand it to the solver, HiGHS's own run, extract the solution and make the result tables, write
the results folder; the end-to-end total; overhead = total - HiGHS run; peak resident memory.
Ratios compare the Pyomo path with the highspy path on the same scenario.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from time import perf_counter

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def run_one(folder: Path, backend: str) -> dict:
    """Solve one scenario with one backend; return the stage timings (called in a subprocess)."""
    import lup_opt

    start = perf_counter()
    scenario = lup_opt.load_scenario(folder)
    result = lup_opt.solve(scenario, backend=backend)
    with tempfile.TemporaryDirectory() as tmp:
        write_start = perf_counter()
        result.write(Path(tmp) / "results")
        write = perf_counter() - write_start
    total = perf_counter() - start
    manifest = result.manifest
    seconds = manifest["seconds"]
    return {
        "status": manifest["status"],
        "objective": manifest["objective"],
        **{k: manifest["size"][k] for k in ("land_units", "rows", "columns", "nonzeros")},
        "load": seconds["load"],
        "build": seconds["model_data"] + seconds["build"],
        "handoff": seconds["handoff"],
        "highs": seconds["solve"],
        "extract": seconds["extract"] + seconds.get("postprocess", 0.0),
        "write": write,
        "total": total,
        "peak_mb": lup_opt.results.postprocess.peak_memory_mb(),
    }


def measure(folder: Path, backend: str) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--one", str(folder), "--backend", backend]
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def table(rows: list[dict]) -> str:
    header = (f"{'family':8} {'units':>8} {'backend':8} {'rows':>9} {'columns':>10} {'nonzeros':>11} "
              f"{'load':>6} {'build':>6} {'handoff':>7} {'HiGHS':>7} {'extract':>7} {'write':>6} "
              f"{'total':>7} {'overhead':>8} {'peak MB':>8}")
    lines = [header, "-" * len(header)]
    for r in rows:
        overhead = r["total"] - r["highs"]
        lines.append(
            f"{r['family']:8} {r['land_units']:>8,} {r['backend']:8} {r['rows']:>9,} {r['columns']:>10,} "
            f"{r['nonzeros']:>11,} {r['load']:>6.2f} {r['build']:>6.2f} {r['handoff']:>7.2f} "
            f"{r['highs']:>7.2f} {r['extract']:>7.2f} {r['write']:>6.2f} {r['total']:>7.2f} "
            f"{overhead:>8.2f} {r['peak_mb']:>8.0f}"
        )
    return "\n".join(lines)


def ratios(rows: list[dict]) -> str:
    lines = []
    by_key = {(r["family"], r["land_units"], r["backend"]): r for r in rows}
    for (family, units, backend), r in by_key.items():
        if backend != "pyomo" or (family, units, "highspy") not in by_key:
            continue
        fast = by_key[(family, units, "highspy")]
        lines.append(
            f"{family} {units:,} units: pyomo/highspy overhead {(r['total'] - r['highs']) / (fast['total'] - fast['highs']):.1f}x, "
            f"peak memory {r['peak_mb'] / fast['peak_mb']:.2f}x, end-to-end {r['total'] / fast['total']:.2f}x, "
            f"objectives differ by {abs(r['objective'] - fast['objective']) / max(1.0, abs(fast['objective'])):.1e} (relative)"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--family", choices=["parcels"], default="parcels")
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--pyomo-max", type=int, default=10000, help="largest size also run through Pyomo")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "lup_opt_bench")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--backend", default="highspy", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.backend)))
        return

    from benchmarks.generate import generate_parcels

    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        folder = args.workdir / f"{args.family}_{size}"
        if not (folder / "scenario.yaml").exists():
            generate_parcels(size, folder)
        for backend in ("highspy", "pyomo") if size <= args.pyomo_max else ("highspy",):
            rows.append({"family": args.family, "backend": backend, **measure(folder, backend)})
            print(f"  done: {size:,} units via {backend}", file=sys.stderr)
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}")
    print(table(rows))
    print(ratios(rows))


if __name__ == "__main__":
    main()
