"""Compare HiGHS methods and options on a scenario's LP (as lup_opt builds it) and print a table.

    python benchmarks/methods.py /tmp/lup_opt_bench/parcels_10000 [--time-limit 300]

Each configuration runs in a fresh process on the same LP, written once to an MPS file, so
timings are HiGHS's own. Objectives are compared with the first configuration's.

HiPO (HiGHS's newer interior-point solver) ships in ``highspy-extras``, which must be the same
version as highspy. ``--python`` runs the solves in another interpreter, e.g. a virtual
environment with ``highspy[extras]`` of a version that has them both, so that IPX and HiPO
are compared by one HiGHS:

    python -m venv /tmp/hipo && /tmp/hipo/bin/pip install "highspy[extras]==1.15.1"
    python benchmarks/methods.py /tmp/bench/parcels_10000 --python /tmp/hipo/bin/python --only 10,11
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

CONFIGS = {
    "ipm + crossover (default)": {"solver": "ipm", "run_crossover": "on"},
    "ipm + crossover, threads 1": {"solver": "ipm", "run_crossover": "on", "threads": 1},
    "ipm + crossover, threads 2": {"solver": "ipm", "run_crossover": "on", "threads": 2},
    "ipm + crossover, ipm tolerance 1e-7": {"solver": "ipm", "run_crossover": "on", "ipm_optimality_tolerance": 1e-7},
    "ipm + crossover, ipm tolerance 1e-6": {"solver": "ipm", "run_crossover": "on", "ipm_optimality_tolerance": 1e-6},
    "ipm, no crossover": {"solver": "ipm", "run_crossover": "off"},
    "dual simplex": {"solver": "simplex", "simplex_strategy": 1},
    "primal simplex": {"solver": "simplex", "simplex_strategy": 4},
    "pdlp": {"solver": "pdlp"},
    # HiGHS 1.15+ names its two interior-point solvers: "ipm" is HiPO where highspy-extras is
    # installed, IPX otherwise
    "ipx + crossover": {"solver": "ipx", "run_crossover": "on"},
    "hipo + crossover (highspy-extras)": {"solver": "hipo", "run_crossover": "on"},
}


def run_one(mps: str, options: dict, time_limit: float) -> dict:
    import highspy

    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.readModel(mps)
    for key, value in options.items():
        highs.setOptionValue(key, value)
    highs.setOptionValue("time_limit", time_limit)
    highs.run()
    info = highs.getInfo()
    return {"version": highs.version(), "status": highs.modelStatusToString(highs.getModelStatus()),
            "seconds": highs.getRunTime(),
            "objective": info.objective_function_value, "ipm_iterations": info.ipm_iteration_count,
            "crossover_iterations": info.crossover_iteration_count, "simplex_iterations": info.simplex_iteration_count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", type=Path, nargs="?")
    parser.add_argument("--time-limit", type=float, default=300.0)
    parser.add_argument("--only", default="", help="comma-separated configuration numbers (1-based)")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--options", help=argparse.SUPPRESS)
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter whose highspy runs the solves (default: this one)")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, json.loads(args.options), args.time_limit)))
        return
    import lup_opt
    from lup_opt.solve.export import write_model

    with tempfile.TemporaryDirectory() as tmp:
        mps = Path(tmp) / "model.mps"
        lp = lup_opt.build(lup_opt.load_scenario(args.scenario)).lp
        write_model(lp, mps)
        chosen = [int(i) for i in args.only.split(",") if i] or range(1, len(CONFIGS) + 1)
        rows = []
        for index, (name, options) in enumerate(CONFIGS.items(), start=1):
            if index not in chosen:
                continue
            command = [args.python, __file__, "--one", str(mps), "--options", json.dumps(options),
                       "--time-limit", str(args.time_limit)]
            result = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout.splitlines()[-1])
            rows.append((name, result))
            print(f"  {name}: {result['status']} in {result['seconds']:.1f} s", file=sys.stderr)
    reference = rows[0][1]["objective"]
    print(f"scenario: {args.scenario} ({lp.num_rows:,} rows, {lp.num_cols:,} columns, {lp.num_nonzeros:,} non-zeros); "
          f"HiGHS {rows[0][1]['version']}")
    print(f"{'configuration':40} {'status':22} {'seconds':>8} {'IPM it.':>8} {'crossover it.':>14} "
          f"{'simplex it.':>12} {'rel. objective diff':>20}")
    for name, r in rows:
        diff = abs(r["objective"] - reference) / max(1.0, abs(reference)) if r["status"] == "Optimal" else float("nan")
        print(f"{name:40} {r['status']:22} {r['seconds']:8.1f} {r['ipm_iterations']:8d} {r['crossover_iterations']:14d} "
              f"{r['simplex_iterations']:12d} {diff:20.1e}")


if __name__ == "__main__":
    main()
