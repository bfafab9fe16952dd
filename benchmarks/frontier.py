"""Time per frontier point, warm-started on the model already in HiGHS against cold solves.

    python benchmarks/frontier.py                       # default scenario, objective vs ldn_net
    python benchmarks/frontier.py scenarios/default --objectives cost_kusd:min,cereal_t:max --points 21

Three rows per scenario: the frontier solved warm (lup_opt's default: one HiGHS instance, each
point after the first re-optimised by dual simplex from the last basis), the same frontier with
every point solved from scratch (``warm=False``), and one cold solve of the scenario itself
(``lup_opt.solve``, HiGHS's own seconds). Seconds are HiGHS's run per frontier point; the first
warm point follows an objective change and is solved cold, so it is shown apart. Ratios: cold
per point / warm per point (mean of the warm-started points).

On a large LP of the area shape (``--method auto``'s rule, e.g. 100,000 generated parcels) every
point is a structured solve, and its seconds are that solve's; warm-started there means that
the aggregated master starts from the previous point's duals; "pivots" are then rounds
(aggregated master and column generation together):

    python benchmarks/generate.py --family parcels --units 100000 --out /tmp/bench/parcels_100000
    python benchmarks/frontier.py /tmp/bench/parcels_100000
"""

from __future__ import annotations

import argparse
import platform
from pathlib import Path
from time import perf_counter

import highspy
import numpy as np

import lup_opt
from lup_opt import tradeoffs

REPO = Path(__file__).resolve().parents[1]


def measure(scenario: lup_opt.Scenario, objectives: list[str], points: int) -> dict:
    rows = {}
    for label, warm in (("warm", True), ("cold", False)):
        start = perf_counter()
        result = tradeoffs.frontier_of(scenario, objectives, points=points, warm=warm)
        timing = result.frontier.seconds
        rows[label] = {"total": perf_counter() - start, "seconds": timing["seconds"].to_numpy(),
                       "warm": timing["warm"].to_numpy(), "iterations": timing["iterations"].to_numpy(),
                       "kept": len(result.points), "values": result.points.iloc[:, 1:3].to_numpy()}
    solved = lup_opt.solve(scenario)
    rows["solve"] = {"seconds": np.array([solved.manifest["seconds"]["solve"]]), "objective": solved.objective}
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", nargs="?", type=Path, default=REPO / "scenarios" / "default")
    parser.add_argument("--objectives", default="objective,ldn_net")
    parser.add_argument("--points", type=int, default=11)
    args = parser.parse_args()
    scenario = lup_opt.load_scenario(args.scenario)
    objectives = [o.strip() for o in args.objectives.split(",")]
    rows = measure(scenario, objectives, args.points)
    lp = lup_opt.build(scenario, "off").lp

    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"HiGHS {highspy.Highs().version()}")
    print(f"scenario {scenario.name}: {lp.num_rows:,} rows, {lp.num_cols:,} columns, {lp.num_nonzeros:,} non-zeros; "
          f"frontier {', '.join(objectives)}, {args.points} points")
    header = f"{'path':<28}{'points':>7}{'first s':>9}{'mean s':>9}{'median s':>10}{'max s':>8}{'pivots':>9}{'total s':>9}"
    print(header)
    print("-" * len(header))
    warm, cold = rows["warm"], rows["cold"]
    later = warm["seconds"][warm["warm"]]
    print(f"{'frontier, warm-started':<28}{len(warm['seconds']):>7}{warm['seconds'][0]:>9.3f}{later.mean():>9.3f}"
          f"{np.median(later):>10.3f}{later.max():>8.3f}{int(warm['iterations'][warm['warm']].mean()):>9}"
          f"{warm['total']:>9.2f}")
    print(f"{'frontier, cold every point':<28}{len(cold['seconds']):>7}{cold['seconds'][0]:>9.3f}"
          f"{cold['seconds'].mean():>9.3f}{np.median(cold['seconds']):>10.3f}{cold['seconds'].max():>8.3f}"
          f"{int(cold['iterations'].mean()):>9}{cold['total']:>9.2f}")
    print(f"{'lup_opt.solve (cold)':<28}{1:>7}{rows['solve']['seconds'][0]:>9.3f}")
    same = np.allclose(warm["values"], cold["values"], rtol=1e-6) if warm["values"].shape == cold["values"].shape \
        else False
    print(f"cold frontier point / warm-started point: {cold['seconds'].mean() / later.mean():.1f}x (mean), "
          f"{np.median(cold['seconds']) / np.median(later):.1f}x (median); "
          f"one cold solve / warm-started point: {rows['solve']['seconds'][0] / later.mean():.1f}x; "
          f"warm and cold frontiers {'agree' if same else 'DIFFER'} ({warm['kept']} points kept)")


if __name__ == "__main__":
    main()
