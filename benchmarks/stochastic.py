"""The deterministic equivalent of a two-stage plan (issue 17): its size and seconds against the
number of scenarios, on the default scenario (population growth uncertain) and on generated
parcels (housing targets of 2030 and 2035 uncertain).

For each size, a copy of the scenario gets N variants and a ``stochastic`` key with equal
probabilities (2025 here and now); then the scenarios are loaded and built, the equivalent is
assembled and solved once (the RP). With ``--measures`` the N wait-and-see solves are timed
too, each once from scratch and once from its part of the RP as lup_opt starts it
(``WarmStart``: crossover, then primal simplex), with the largest difference in objective. Run::

    python benchmarks/stochastic.py --family default --scenarios 3,10,30,100 --time-limit 600
    python benchmarks/stochastic.py --family parcels --units 10000 --scenarios 10
    python benchmarks/stochastic.py --family default --scenarios 3,10 --measures
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from time import perf_counter

import numpy as np
import pandas as pd
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import lup_opt  # noqa: E402
from lup_opt.solve.highs import WarmStart, solve_with_highspy  # noqa: E402
from lup_opt.solve.options import SolverOptions  # noqa: E402
from lup_opt.stochastic.equivalent import equivalent, first_stage_columns  # noqa: E402
from lup_opt.stochastic.plan import branches  # noqa: E402


def default_tree(folder: Path, n: int, seed: int = 5) -> Path:
    """The default with N population paths between its low and high growth files."""
    shutil.copytree(HERE.parent / "scenarios" / "default", folder)
    low = pd.read_csv(folder / "population_low_growth.csv")
    high = pd.read_csv(folder / "population_high_growth.csv")
    config = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8"))
    weights = np.random.default_rng(seed).uniform(0, 1, n)
    for k, w in enumerate(weights):
        path = low.copy()
        path["population"] = (low["population"] * (1 - w) + high["population"] * w).round()
        path.to_csv(folder / f"population_{k}.csv", index=False)
        config["variants"][f"path_{k}"] = {"population.file": f"population_{k}.csv"}
    config["stochastic"] = {"here_and_now": [2025],
                            "scenarios": {f"s{k}": {"variant": f"path_{k}", "probability": 1 / n} for k in range(n)}}
    (folder / "scenario.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return folder


def parcels_tree(folder: Path, units: int, n: int, seed: int = 5) -> Path:
    from benchmarks.generate import generate

    generate("parcels", units, folder)
    config = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8"))
    growth = np.random.default_rng(seed).uniform(0.9, 1.1, n)
    config["variants"] = {f"path_{k}": {f"targets.{name}.value": round(config["targets"][name]["value"] * g)
                                        for name in ("housing_2030", "housing_2035")}
                          for k, g in enumerate(growth)}
    config["stochastic"] = {"here_and_now": [2025],
                            "scenarios": {f"s{k}": {"variant": f"path_{k}", "probability": 1 / n} for k in range(n)}}
    (folder / "scenario.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return folder


def measure(folder: Path, time_limit: float | None, measures: bool = False) -> dict:
    start = perf_counter()
    tree = branches(lup_opt.load_scenario(folder))
    loaded = perf_counter()
    lps = [b.built.lp for b in tree]
    first = first_stage_columns(lps[0], tree[0].built.data.columns.conversion, 1)
    de = equivalent(lps, [b.probability for b in tree], first, [b.name for b in tree])
    assembled = perf_counter()
    solved = solve_with_highspy(de.lp, SolverOptions(time_limit=time_limit))
    out = {"scenarios": len(tree), "one_lp_cols": lps[0].num_cols, "first_stage_cols": len(first),
           "rows": de.lp.num_rows, "cols": de.lp.num_cols, "nonzeros": de.lp.num_nonzeros,
           "load_build_s": loaded - start, "assemble_s": assembled - loaded, "solve_s": solved.solver_seconds,
           "status": solved.status.value, "objective": solved.objective}
    if measures and solved.is_optimal:
        out.update(wait_and_see(de, solved, lps, [b.probability for b in tree]))
    return out


def wait_and_see(de, solved, lps, probabilities) -> dict:
    """Seconds of the N wait-and-see solves cold and warm (wall, hand-off included)."""
    cold_s = warm_s = gap = 0.0
    for s, (lp, p) in enumerate(zip(lps, probabilities, strict=True)):
        tick = perf_counter()
        cold = solve_with_highspy(lp)
        cold_s += perf_counter() - tick
        start = WarmStart(col_values=de.scenario_columns(solved.col_values, s, lp.num_cols),
                          row_duals=np.asarray(solved.row_duals)[de.rows_at[s]: de.rows_at[s] + lp.num_rows] / p)
        tick = perf_counter()
        warm = solve_with_highspy(lp, warm_start=start)
        warm_s += perf_counter() - tick
        gap = max(gap, abs(warm.objective - cold.objective) / max(1.0, abs(cold.objective)))
    return {"ws_cold_s": cold_s, "ws_warm_s": warm_s, "ws_gap": gap}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--family", choices=["default", "parcels"], default="default")
    parser.add_argument("--units", type=int, default=10_000, help="parcels: generated land units")
    parser.add_argument("--scenarios", default="3,10")
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--measures", action="store_true", help="also time the wait-and-see solves, cold and warm")
    args = parser.parse_args()
    print(f"{'family':8} {'N':>4} {'cols/LP':>9} {'first':>7} {'rows':>9} {'cols':>10} {'non-zeros':>11} "
          f"{'load+build s':>12} {'assemble s':>10} {'solve s':>8}  status"
          + (f" {'WS cold s':>9} {'WS warm s':>9} {'ratio':>6} {'rel. gap':>9}" if args.measures else ""))
    for n in (int(s) for s in args.scenarios.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            folder = default_tree(Path(tmp) / "tree", n) if args.family == "default" else \
                parcels_tree(Path(tmp) / "tree", args.units, n)
            r = measure(folder, args.time_limit, args.measures)
        print(f"{args.family:8} {r['scenarios']:>4} {r['one_lp_cols']:>9,} {r['first_stage_cols']:>7,} "
              f"{r['rows']:>9,} {r['cols']:>10,} {r['nonzeros']:>11,} {r['load_build_s']:>12.1f} "
              f"{r['assemble_s']:>10.2f} {r['solve_s']:>8.1f}  {r['status']}"
              + (f" {r['ws_cold_s']:>9.2f} {r['ws_warm_s']:>9.2f} {r['ws_cold_s'] / r['ws_warm_s']:>6.1f} "
                 f"{r['ws_gap']:>9.1e}" if "ws_cold_s" in r else ""), flush=True)


if __name__ == "__main__":
    main()
