"""Model building only (load, model data, LP build), without solving: the stages a change to the
family registry or the LP layer touches.

For every size and every checkout given (``--repo``, default: this one), a fresh Python process
loads the generated scenario, builds the model data and the LP, and reports seconds per stage,
the LP's size and the process's peak resident memory. Checkouts alternate per repeat, so that a
before/after comparison sees the same load on the machine. Run::

    python benchmarks/build.py --sizes 10000,100000 --repeats 2 --repo . --repo /tmp/before
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
import lup_opt
start = time.perf_counter()
scenario = lup_opt.load_scenario(sys.argv[2])
loaded = time.perf_counter()
built = lup_opt.build(scenario)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"load": loaded - start, "model_data": built.data_seconds, "build": built.build_seconds,
                  "columns": built.lp.num_cols, "rows": built.lp.num_rows, "nonzeros": built.lp.num_nonzeros,
                  "peak_mb": peak}))
"""


def measure(repo: Path, scenario: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(repo)}
    out = subprocess.run([sys.executable, "-c", CHILD, str(repo), str(scenario)], capture_output=True, text=True,
                         env=env, check=True, cwd=repo)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--family", choices=["parcels", "raster"], default="parcels")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--repo", type=Path, action="append", help="checkout to measure (repeatable)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "lup_opt_bench")
    args = parser.parse_args()
    repos = [r.resolve() for r in (args.repo or [HERE.parent])]
    sys.path.insert(0, str(HERE.parent))
    from benchmarks.generate import generate

    print(f"{'units':>9} {'checkout':24} {'load s':>7} {'data s':>7} {'LP s':>7} {'peak MB':>8} "
          f"{'columns':>10} {'rows':>8} {'non-zeros':>11}")
    for size in (int(s) for s in args.sizes.split(",")):
        folder = args.workdir / f"{args.family}_{size}"
        if not (folder / "scenario.yaml").exists():
            generate(args.family, size, folder)
        runs: dict[Path, list[dict]] = {repo: [] for repo in repos}
        for _ in range(args.repeats):
            for repo in repos:
                runs[repo].append(measure(repo, folder))
        for repo, results in runs.items():
            for r in results:
                print(f"{size:>9,} {str(repo)[-24:]:24} {r['load']:>7.2f} {r['model_data']:>7.2f} {r['build']:>7.2f} "
                      f"{r['peak_mb']:>8.0f} {r['columns']:>10,} {r['rows']:>8,} {r['nonzeros']:>11,}")
        if len(repos) > 1:
            first, *others = repos
            for other in others:
                best = {k: min(r[k] for r in runs[other]) / min(r[k] for r in runs[first])
                        for k in ("model_data", "build", "peak_mb")}
                print(f"{size:>9,} {str(other)[-24:]} / {str(first)[-24:]} (best of {args.repeats}): model data "
                      f"{best['model_data']:.2f}x, LP build {best['build']:.2f}x, peak memory {best['peak_mb']:.2f}x")


if __name__ == "__main__":
    main()
