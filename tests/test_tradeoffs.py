"""Trade-offs: pay-off tables, frontiers, compromises, hierarchies, robust compromise and
near-optimal alternatives, checked against hand-worked numbers (scenarios/tiny/README.md) and
independent LPs."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from lup_opt import tradeoffs
from lup_opt.api import build
from lup_opt.enums import ObjectiveSense
from lup_opt.errors import LupOptError
from lup_opt.tradeoffs.objectives import ObjectiveSpec

TINY_OBJECTIVES = ["cost_kusd:min", "cereal_t:max"]
# Between its two extremes, one more tonne of cereal costs 10/3 kUSD (the hill's price: 2/3 ha of
# crop and 2/3 ha of restoration to offset it, scenarios/tiny/README.md): cereal 390 t at 620 kUSD
# (the scenario's optimum) up to 405 t at 670 kUSD (the hill's 30 spare ha: 15 ha crop + 15 ha
# restoration more).
CHEAPEST, MOST_CEREAL = (620.0, 390.0), (670.0, 405.0)


def _tiny_cost_of(cereal):
    return CHEAPEST[0] + 10.0 / 3.0 * (np.asarray(cereal) - CHEAPEST[1])


def test_payoff_table_of_tiny_holds_the_hand_worked_extremes(tiny_scenario):
    result = tradeoffs.payoff(tiny_scenario, TINY_OBJECTIVES)
    table = result.table.set_index("optimised")
    assert table.loc["cost_kusd"].tolist() == pytest.approx(list(CHEAPEST), rel=1e-6)
    assert table.loc["cereal_t"].tolist() == pytest.approx(list(MOST_CEREAL), rel=1e-6)
    assert result.payoff.ideal == pytest.approx([620.0, 405.0], rel=1e-6)
    assert result.payoff.nadir == pytest.approx([670.0, 390.0], rel=1e-6)


@pytest.mark.parametrize("crossover", [True, False], ids=["from the held plan", "no basis: afresh"])
def test_the_lexicographic_second_stage_gives_the_cold_answer(tiny_scenario, crossover):
    """Holding the first optimum, the tie-break objective re-optimises the held plan by primal
    simplex (a warm solve) when there is a basis, else solves afresh; either way it reaches the
    hand-worked extremes that a session solving everything cold reaches."""
    from lup_opt.enums import SolverMethod
    from lup_opt.solve.options import SolverOptions
    from lup_opt.tradeoffs.api import _problem

    options = SolverOptions(method=SolverMethod.IPM, crossover=crossover)
    warm, cold = (_problem(tiny_scenario, TINY_OBJECTIVES, options, warm=w) for w in (True, False))
    for objective, expected in zip(warm.objectives, (CHEAPEST, MOST_CEREAL), strict=True):
        others = [o for o in warm.objectives if o is not objective]
        solved, _ = warm.lexicographic(objective, others)
        twin = cold.objectives[warm.objectives.index(objective)]
        reference, _ = cold.lexicographic(twin, [o for o in cold.objectives if o is not twin])
        assert solved.warm is crossover and not reference.warm
        assert warm.values(solved.values) == pytest.approx(list(expected), rel=1e-7)
        assert warm.values(solved.values) == pytest.approx(cold.values(reference.values), rel=1e-9)
        assert warm.session.total_rows == warm.lp.num_rows  # the held row is gone again


def test_a_second_stage_that_fails_from_the_held_plan_is_solved_afresh(tiny_scenario, monkeypatch):
    """A solver error from the held plan's basis is not the answer: the stage is solved again
    from scratch and still reaches the hand-worked extreme (670 kUSD for 405 t of cereal)."""
    from lup_opt.enums import SolveStatus
    from lup_opt.solve.session import SessionSolve
    from lup_opt.tradeoffs.api import _problem

    problem = _problem(tiny_scenario, TINY_OBJECTIVES, None)
    cost, cereal = problem.objectives
    session, real_run, calls = problem.session, problem.session._run, []

    def failing_once_from_the_held_plan(warm):
        calls.append(warm)
        if len(calls) == 2:  # the second stage, from the held plan
            return SessionSolve(SolveStatus.ERROR, "stand-in solver error", None, None, 0.0, warm, 0)
        return real_run(warm)

    monkeypatch.setattr(session, "_run", failing_once_from_the_held_plan)
    solved, _ = problem.lexicographic(cereal, [cost])
    assert calls == [False, True, False]  # first stage, warm second stage, its fresh retry
    assert solved.is_optimal
    assert problem.values(solved.values) == pytest.approx(list(MOST_CEREAL), rel=1e-7)


def test_full_range_payoff_finds_the_anti_ideal(tiny_scenario):
    result = tradeoffs.payoff(tiny_scenario, TINY_OBJECTIVES, full_range=True)
    cost_worst, cereal_worst = result.payoff.anti_ideal
    # The worst plans are at least as bad as the pay-off table's nadir.
    assert cost_worst >= 670.0 - 1e-6
    assert cereal_worst <= 390.0 + 1e-6


def test_frontier_of_tiny_lies_on_the_hill_price_line_without_a_knee(tiny_scenario):
    result = tradeoffs.frontier_of(tiny_scenario, TINY_OBJECTIVES, points=6)
    points = result.points
    assert len(points) == 6
    assert sorted(points["cereal_t"]) == pytest.approx(np.linspace(390, 405, 6), rel=1e-7)
    assert points["cost_kusd"].to_numpy() == pytest.approx(_tiny_cost_of(points["cereal_t"]), rel=1e-7)
    assert not points["knee"].any()  # a straight frontier has no knee


def test_warm_and_cold_frontiers_give_the_same_points(tiny_scenario):
    warm = tradeoffs.frontier_of(tiny_scenario, TINY_OBJECTIVES, points=4).points
    cold = tradeoffs.frontier_of(tiny_scenario, TINY_OBJECTIVES, points=4, warm=False).points
    labels = ["cost_kusd", "cereal_t"]
    assert warm[labels].to_numpy() == pytest.approx(cold[labels].to_numpy(), rel=1e-7)


def _assert_frontier_points_are_feasible_plans(scenario, result):
    lp = build(scenario, "off").lp
    assert result.frontier.plans, "no frontier point"
    for x in result.frontier.plans.values():
        activity = lp.matrix @ x
        scale = 1e-6 * np.maximum(1.0, np.abs(activity))
        assert (activity >= lp.row_lower - scale).all() and (activity <= lp.row_upper + scale).all()
        assert (x >= lp.col_lower - 1e-7).all() and (x <= lp.col_upper + 1e-7).all()


def test_tiny_frontier_points_are_feasible_plans(tiny_scenario):
    _assert_frontier_points_are_feasible_plans(tiny_scenario, tradeoffs.frontier_of(tiny_scenario, TINY_OBJECTIVES,
                                                                                    points=4))


# The default's frontier: 5 points of 320 land units, about 20 s (slow).
@pytest.fixture(scope="module")
def default_frontier(default_scenario):
    return tradeoffs.frontier_of(default_scenario, ["objective", "ldn_net"], points=5)


@pytest.mark.slow
def test_default_frontier_points_are_feasible_plans(default_scenario, default_frontier):
    _assert_frontier_points_are_feasible_plans(default_scenario, default_frontier)


@pytest.mark.slow
def test_default_frontier_is_non_dominated_and_monotone(default_frontier):
    points = default_frontier.points
    cost, net = points.iloc[:, 1].to_numpy(), points.iloc[:, 2].to_numpy()  # point, objective, ldn_net
    assert len(points) >= 3
    # Sorted from the cheapest plan: every extra hectare of net LDN gain costs more.
    order = np.argsort(cost)
    assert (np.diff(cost[order]) > 0).all()
    assert (np.diff(net[order]) > 0).all()
    for i, j in itertools.permutations(range(len(points)), 2):
        assert not (cost[j] <= cost[i] and net[j] >= net[i]), f"point {i} is dominated by point {j}"


@pytest.mark.slow
def test_default_frontier_reports_its_objectives_in_their_units(default_frontier):
    assert [o.unit for o in default_frontier.frontier.objectives][1] == "ha"
    assert default_frontier.frontier.seconds["seconds"].gt(0).all()


def test_compromise_balances_two_linear_objectives_at_half_way(tiny_scenario):
    # On the tiny frontier, achievement(cost) = 1 - achievement(cereal): max-min is 0.5 each,
    # i.e. 397.5 t of cereal at 645 kUSD.
    result = tradeoffs.compromise_of(tiny_scenario, TINY_OBJECTIVES)
    table = result.table.set_index("objective")
    assert table["achievement"].tolist() == pytest.approx([0.5, 0.5], abs=1e-6)
    assert table.loc["cereal_t", "value"] == pytest.approx(397.5, rel=1e-7)
    assert table.loc["cost_kusd", "value"] == pytest.approx(645.0, rel=1e-7)


def test_weighted_sum_with_all_weight_on_one_objective_reaches_its_ideal(tiny_scenario):
    result = tradeoffs.weighted(tiny_scenario, TINY_OBJECTIVES, [0, 1])
    assert result.table.set_index("objective").loc["cereal_t", "value"] == pytest.approx(405.0, rel=1e-7)


def test_weighted_sum_refuses_weights_that_do_not_fit(tiny_scenario):
    with pytest.raises(LupOptError, match="one non-negative weight per objective"):
        tradeoffs.weighted(tiny_scenario, TINY_OBJECTIVES, [1])
    with pytest.raises(LupOptError, match="non-negative"):
        tradeoffs.weighted(tiny_scenario, TINY_OBJECTIVES, [1, -1])


def test_hierarchy_keeps_an_earlier_objective_within_its_tolerance(tiny_scenario):
    # Cereal first (405 t), allowed 2 % worse (396.9 t); then cost, the cheapest plan there.
    result = tradeoffs.hierarchy(tiny_scenario, ["cereal_t:max", "cost_kusd:min"], [0.02])
    stages = result.extra["stages"].set_index("objective")
    assert stages.loc["cereal_t", "optimum"] == pytest.approx(405.0, rel=1e-7)
    assert stages.loc["cereal_t", "final_value"] == pytest.approx(405.0 * 0.98, rel=1e-6)
    assert stages.loc["cost_kusd", "final_value"] == pytest.approx(_tiny_cost_of(405.0 * 0.98), rel=1e-6)


def test_objectives_narrowed_to_a_scope(tiny_scenario):
    result = tradeoffs.payoff(tiny_scenario, ["cost_kusd:min", "cereal_t:max@jurisdiction=village"])
    village = result.payoff.ideal[1]
    # The village's most cereal: 60 ha of plain crop (180 t) and 30 ha of hill crop (45 t) with
    # the housing and LDN still met; the town's 60 ha of crop are outside the scope.
    assert village == pytest.approx(225.0, rel=1e-6)


@pytest.mark.parametrize("text, message", [
    ("cost_kusd:avg", "':min' or ':max'"),
    ("cost_kusd@jurisdiction", "not KEY=VALUE"),
    ("cost_kusd@period=soon", "period must be a planning year"),
])
def test_bad_objective_specs_say_what_to_write(text, message):
    with pytest.raises(LupOptError, match=message):
        ObjectiveSpec.parse(text)


def test_unknown_indicator_in_an_objective_is_named(tiny_scenario):
    with pytest.raises(LupOptError, match="rice_t"):
        tradeoffs.payoff(tiny_scenario, ["cost_kusd:min", "rice_t:max"])


def test_objectives_may_not_repeat(tiny_scenario):
    with pytest.raises(LupOptError, match="repeat"):
        tradeoffs.payoff(tiny_scenario, ["cost_kusd:min", "cost_kusd:min"])


# --- robust compromise -------------------------------------------------------------------------

def _free_choice(small, uses: list[str]):
    """One 100 ha unit under the first use that may change to any other at no cost: the plan is
    just a land composition."""
    return small({
        "units": [{"id": "A", "area_ha": 100, "jurisdiction": "j1", "zone": "rural", "land_type": "plain",
                   "climate": "tropical_dry"}],
        "baseline": [{"land_unit": "A", "use": uses[0], "area_ha": 100}],
        "uses": [{"id": u, "sector": "agriculture", "cover_class": "cropland", "sealed": False} for u in uses],
        "coefficients": [{"indicator": "area_ha", "use": "*", "value": 1}],
        "transitions": [{"from_use": uses[0], "to_use": u, "cost_kusd": 0} for u in uses[1:]],
    })


def test_robust_compromise_of_two_uses_matches_the_closed_form(small):
    import lup_opt

    scenario = lup_opt.load_scenario(_free_choice(small, ["a", "b"]))
    # Use a yields 10 +/- 2, use b 8 +/- 1 (u = 1). With share s on a, the four scenarios give
    # achievements s, 1 - s (a low 8 < b high 9), s and s: the best worst case is s = 0.5, beta 0.5.
    table = pd.DataFrame({"indicator": "yield_t", "use": ["a", "b"], "mean": [10.0, 8.0], "se": [2.0, 1.0]})
    result = tradeoffs.robust(scenario, table, level=1.0)
    composition = result.extra["composition"].set_index("use")
    assert composition.loc["a", "share"] == pytest.approx(0.5, abs=1e-7)
    assert result.table["beta"].iloc[0] == pytest.approx(0.5, abs=1e-7)
    # At u = 0 there is no uncertainty: all land goes to the better use.
    certain = tradeoffs.robust(scenario, table, level=0.0).extra["composition"].set_index("use")
    assert certain.loc["a", "share"] == pytest.approx(1.0, abs=1e-7)


def _reference_robust(table: pd.DataFrame, uses: list[str], level: float) -> tuple[float, np.ndarray]:
    """The robust compromise as a small LP over land shares, written independently with scipy."""
    rows, rhs = [], []
    for _, group in table.groupby("indicator"):
        group = group.set_index("use").loc[uses]
        more = group["direction"].iloc[0] == "more"
        for outcome in itertools.product((-1.0, 1.0), repeat=len(uses)):
            good = np.array(outcome) * level * group["se"].to_numpy()
            values = group["mean"].to_numpy() + (good if more else -good)
            best, worst = (values.max(), values.min()) if more else (values.min(), values.max())
            # beta <= (values . s - worst) / (best - worst)  <=>  beta - (values / spread) . s <= -worst / spread
            spread = best - worst
            rows.append(np.append(-values / spread, 1.0))
            rhs.append(-worst / spread)
    n = len(uses)
    solved = linprog(np.append(np.zeros(n), -1.0), A_ub=np.array(rows), b_ub=np.array(rhs),
                     A_eq=np.append(np.ones(n), 0.0)[None, :], b_eq=[1.0],
                     bounds=[(0, None)] * n + [(None, None)], method="highs")
    assert solved.status == 0
    return -solved.fun, solved.x[:n]


def test_robust_compromise_matches_an_independent_lp_with_three_uses_and_two_indicators(small):
    import lup_opt

    uses = ["a", "b", "c"]
    scenario = lup_opt.load_scenario(_free_choice(small, uses))
    table = pd.DataFrame({
        "indicator": ["income"] * 3 + ["erosion"] * 3,
        "use": uses * 2,
        "mean": [12.0, 9.0, 4.0, 8.0, 3.0, 1.0],
        "se": [4.0, 2.0, 1.0, 2.0, 1.0, 0.5],
        "direction": ["more"] * 3 + ["less"] * 3,
    })
    result = tradeoffs.robust(scenario, table, level=1.5)
    beta, shares = _reference_robust(table, uses, 1.5)
    assert result.table["beta"].iloc[0] == pytest.approx(beta, abs=1e-7)
    composition = result.extra["composition"].set_index("use").loc[uses, "share"].to_numpy()
    # The best worst case is unique here in value; the shares must reach it.
    assert composition.sum() == pytest.approx(1.0)
    assert (composition >= -1e-9).all()
    assert result.table["worst_achievement"].min() == pytest.approx(beta, abs=1e-7)
    assert shares.sum() == pytest.approx(1.0)


def test_robust_compromise_refuses_more_scenarios_than_allowed(small):
    import lup_opt

    scenario = lup_opt.load_scenario(_free_choice(small, ["a", "b", "c"]))
    table = pd.DataFrame({"indicator": "y", "use": ["a", "b", "c"], "mean": [1.0, 2.0, 3.0], "se": 0.1})
    with pytest.raises(LupOptError, match=r"2\^3 .* = 8 scenarios, above the limit of 4"):
        tradeoffs.robust(scenario, table, max_scenarios=4)


def test_uncertainty_table_errors_name_row_and_column(small):
    import lup_opt

    scenario = lup_opt.load_scenario(_free_choice(small, ["a", "b"]))
    table = pd.DataFrame({"indicator": "y", "use": ["a", "b"], "mean": [1.0, "high"], "se": 0.1})
    with pytest.raises(LupOptError, match="row 3, column 'mean'"):
        tradeoffs.robust(scenario, table)
    missing = pd.DataFrame({"indicator": "y", "use": ["a"], "mean": [1.0], "se": 0.1})
    with pytest.raises(LupOptError, match="no mean and se for use"):
        tradeoffs.robust(scenario, missing)


# --- near-optimal alternatives -----------------------------------------------------------------

def _assert_alternatives_stay_within_the_slack_and_differ(scenario, optimum: float):
    result = tradeoffs.alternatives(scenario, slack=0.05, count=2)
    summary = result.summary
    alternatives = summary[summary["plan"] != "optimum"]
    assert len(alternatives) >= 1
    assert (alternatives["objective"] <= optimum * 1.05 + 1e-6 * abs(optimum)).all()
    assert (alternatives["reallocated_vs_optimum_ha"] > 1.0).all()
    assert (summary["closest_other_ha"] > 1.0).all()
    allocation = result.allocation  # jurisdiction, use, then hectares under each plan
    plans = list(summary["plan"])
    for a, b in itertools.combinations(plans, 2):
        assert (allocation[a] - allocation[b]).abs().sum() > 1.0, f"{a} and {b} allocate the same land"


def test_alternatives_of_tiny_stay_within_the_slack_and_differ_from_the_optimum(tiny_scenario):
    # Within 5 % of 620 kUSD: 15.5 ha of the village's restoration become forest (651 kUSD).
    _assert_alternatives_stay_within_the_slack_and_differ(tiny_scenario, CHEAPEST[0])


@pytest.mark.slow
def test_alternatives_stay_within_the_slack_and_differ_from_the_optimum(default_scenario, default_result):
    _assert_alternatives_stay_within_the_slack_and_differ(default_scenario, default_result.objective)


def test_each_alternative_is_as_close_to_the_earlier_plans_as_a_cold_solve_gets(tmp_path):
    """Each alternative re-optimises the last plan (primal simplex from its basis): its weighted
    overlap with the earlier plans must be the optimum scipy's linprog finds for the same LP,
    slack row included, cold. (Plans may differ between alternate optima; the value may not.)"""
    import lup_opt
    from benchmarks.generate import generate
    from lup_opt.tradeoffs.alternatives import _groups, near_optimal_alternatives

    scenario = lup_opt.load_scenario(generate("parcels", 120, tmp_path / "parcels"))
    built = build(scenario, "off")
    lp, data = built.lp, built.data
    found = near_optimal_alternatives(data, lp, slack=0.05, count=3)
    assert len(found.plans) >= 3
    assert found.seconds["warm"].iloc[1:].all()
    groups, labels = _groups(data, lp)
    optimum = found.plans[0]
    held = pd.Series(groups @ optimum).groupby(labels["jurisdiction"].to_numpy()).transform("sum").to_numpy()
    share_of = np.where(held > 0, 1.0 / held, 0.0)
    equal = lp.row_lower == lp.row_upper
    upper, lower = ~equal & np.isfinite(lp.row_upper), ~equal & np.isfinite(lp.row_lower)
    # The slack row: no more than 5 % worse than the optimum.
    sign = 1.0 if lp.sense is ObjectiveSense.MINIMIZE else -1.0
    limit = found.optimum + sign * 0.05 * abs(found.optimum)
    from scipy.sparse import vstack

    a_ub = vstack([lp.matrix[upper], -lp.matrix[lower], sign * lp.cost[None, :]])
    b_ub = np.concatenate([lp.row_upper[upper], -lp.row_lower[lower], [sign * (limit - lp.objective_offset)]])
    bounds = list(zip(lp.col_lower, np.where(np.isinf(lp.col_upper), None, lp.col_upper), strict=True))
    weights = np.zeros(len(labels))
    for k in range(1, len(found.plans)):
        weights += (groups @ found.plans[k - 1]) * share_of
        objective = groups.T @ weights
        cold = linprog(objective, A_ub=a_ub, b_ub=b_ub, A_eq=lp.matrix[equal], b_eq=lp.row_lower[equal],
                       bounds=bounds, method="highs")
        assert cold.status == 0, cold.message
        assert objective @ found.plans[k] == pytest.approx(cold.fun, rel=1e-7, abs=1e-6), f"alternative {k}"


def _cold_optimum(lp, vector, sense, rows=()):
    """scipy's linprog on ``lp`` with objective ``vector`` (plus extra ``rows``: (vector, lower,
    upper)), solved cold: the optimal value of ``vector @ x``."""
    from scipy.sparse import csr_matrix, vstack

    equal = lp.row_lower == lp.row_upper
    upper, lower = ~equal & np.isfinite(lp.row_upper), ~equal & np.isfinite(lp.row_lower)
    a_ub = [lp.matrix[upper], -lp.matrix[lower]]
    b_ub = [lp.row_upper[upper], -lp.row_lower[lower]]
    for row, low, high in rows:
        if np.isfinite(high):
            a_ub.append(csr_matrix(row[None, :])), b_ub.append([high])
        if np.isfinite(low):
            a_ub.append(csr_matrix(-row[None, :])), b_ub.append([-low])
    sign = 1.0 if sense is ObjectiveSense.MINIMIZE else -1.0
    bounds = list(zip(lp.col_lower, np.where(np.isinf(lp.col_upper), None, lp.col_upper), strict=True))
    cold = linprog(sign * vector, A_ub=vstack(a_ub), b_ub=np.concatenate(b_ub), A_eq=lp.matrix[equal],
                   b_eq=lp.row_lower[equal], bounds=bounds, method="highs")
    assert cold.status == 0, cold.message
    return sign * cold.fun


def test_later_payoff_stages_the_weighted_sum_and_the_first_frontier_point_start_from_earlier_optima(tmp_path):
    """Each objective after the first starts from the last one's optimum (primal simplex), the
    weighted sum from the last objective's optimum, the frontier's first point from the first
    objective's (dual simplex): every one of them warm, and each reaches the optimum scipy's
    linprog finds for the same LP solved cold."""
    import lup_opt
    from benchmarks.generate import generate
    from lup_opt.tradeoffs.analysis import AUGMENT, _at_least, frontier, payoff_table, weighted_sum
    from lup_opt.tradeoffs.api import _problem

    scenario = lup_opt.load_scenario(generate("parcels", 120, tmp_path / "parcels"))
    problem = _problem(scenario, ["objective", "ldn_net", "food_t:max"], None)
    lp = problem.lp
    session, real_run, warm = problem.session, problem.session._run, []
    session._run = lambda was_warm: warm.append(was_warm) or real_run(was_warm)

    payoff = payoff_table(problem)
    assert warm == [False, True, True, True, True, True]  # only the first objective's first stage is cold
    for objective, ideal in zip(problem.objectives, payoff.ideal, strict=True):
        assert ideal == pytest.approx(objective.offset + _cold_optimum(lp, objective.vector, objective.sense),
                                      rel=1e-7), objective.label

    warm.clear()
    plan = weighted_sum(problem, payoff, [0.5, 0.3, 0.2])
    assert warm == [True]
    spread = payoff.ideal - payoff.nadir
    weighted = sum(w * o.vector / s for w, o, s in zip([0.5, 0.3, 0.2], problem.objectives, spread, strict=True))
    assert weighted @ plan.plan == pytest.approx(_cold_optimum(lp, weighted, ObjectiveSense.MAXIMIZE), rel=1e-7)

    problem = _problem(scenario, ["objective", "ldn_net"], None)
    payoff = payoff_table(problem)
    session, real_run, warm = problem.session, problem.session._run, []
    session._run = lambda was_warm: warm.append(was_warm) or real_run(was_warm)
    found = frontier(problem, payoff, points=4)
    assert all(warm) and len(warm) == 4
    bounded = problem.objectives[1]
    ranges = np.abs(payoff.ideal - payoff.nadir)
    augmented = problem.objectives[0].sign * problem.objectives[0].vector + (
        AUGMENT * ranges[0] / ranges[1] * bounded.sign * bounded.vector)
    levels = np.linspace(payoff.nadir[1], payoff.ideal[1], 4)
    for n, x in found.plans.items():
        cold = _cold_optimum(lp, augmented, ObjectiveSense.MAXIMIZE, [(bounded.vector, *_at_least(bounded, levels[n]))])
        assert augmented @ x == pytest.approx(cold, rel=1e-7), f"point {n}"


# --- command line ------------------------------------------------------------------------------

def test_frontier_command_writes_tables_figure_and_manifest(cli, tmp_path):
    from tests.conftest import SCENARIOS

    out = tmp_path / "frontier"
    run = cli(["frontier", SCENARIOS / "tiny", "--objectives", "cost_kusd:min,cereal_t:max", "--points", "3",
               "--out", out])
    assert run.exit_code == 0, run.output
    assert {"frontier.csv", "frontier.png", "payoff.csv", "manifest.json"} <= {p.name for p in out.iterdir()}
    points = pd.read_csv(out / "frontier.csv")
    assert len(points) == 3
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["method"] == "frontier" and manifest["points"] == 3


def test_trade_off_command_with_a_bad_objective_exits_2_with_the_reason(cli, tmp_path):
    from tests.conftest import SCENARIOS

    run = cli(["payoff", SCENARIOS / "tiny", "--objectives", "cost_kusd:min,rice_t:max", "--out", tmp_path / "p"])
    assert run.exit_code == 2
    assert "rice_t" in run.output
    assert not (tmp_path / "p").exists()


def _assert_robust_holds_every_scenario(cli, folder, uncertainty, out):
    from lup_opt.tradeoffs.robust import _scenario_rows, read_uncertainty

    run = cli(["robust", folder, "--uncertainty", uncertainty, "--out", out])
    assert run.exit_code == 0, run.output
    composition = pd.read_csv(out / "composition.csv").set_index("use")
    summary = pd.read_csv(out / "robust_compromise.csv")
    beta = summary["beta"].iloc[0]
    assert composition["share"].sum() == pytest.approx(1.0, abs=1e-7)
    table = read_uncertainty(str(uncertainty))
    for name, rows in table.groupby("indicator"):
        rows = rows.set_index("use").loc[composition.index]
        coefficients, constants = _scenario_rows(rows["mean"].to_numpy(), rows["se"].to_numpy(), 1.0,
                                                 rows["direction"].iloc[0] == "more")
        achieved = coefficients @ composition["share"].to_numpy() - constants
        assert len(achieved) == 2 ** len(composition)  # every scenario, not only the generated rows
        assert achieved.min() >= beta - 1e-6, name
    assert summary["worst_achievement"].min() == pytest.approx(beta, abs=1e-7)


def test_robust_compromise_by_row_generation_holds_every_scenario_of_tiny(cli, tiny_uncertainty, tmp_path):
    from tests.conftest import SCENARIOS

    _assert_robust_holds_every_scenario(cli, SCENARIOS / "tiny", tiny_uncertainty, tmp_path / "robust")


@pytest.mark.slow
def test_robust_compromise_by_row_generation_holds_every_scenario_of_the_default(cli, tmp_path):
    # 14 uses: 3 x 2^14 scenarios, of which row generation adds only those it needs.
    from tests.conftest import SCENARIOS

    _assert_robust_holds_every_scenario(cli, SCENARIOS / "default", SCENARIOS / "default" / "uncertainty.csv",
                                        tmp_path / "robust")


def test_hierarchy_stages_match_an_independent_lp_solved_from_scratch(tmp_path):
    """Each later stage re-optimises the last stage's plan (primal simplex from its basis); its
    optima must be those of scipy's linprog given each stage's LP, held rows included, cold."""
    import lup_opt
    from benchmarks.generate import generate
    from lup_opt.tradeoffs.objectives import resolve

    scenario = lup_opt.load_scenario(generate("parcels", 120, tmp_path / "parcels"))
    specs, tolerances = ["ldn_losses", "ldn_gains", "objective"], [0.0, 0.05]
    stages = tradeoffs.hierarchy(scenario, specs, tolerances).extra["stages"]
    built = build(scenario, "off")
    lp = built.lp
    objectives = [resolve(scenario, built.data, lp, spec) for spec in specs]
    equal = lp.row_lower == lp.row_upper
    a_ub = [lp.matrix[~equal & np.isfinite(lp.row_upper)], -lp.matrix[~equal & np.isfinite(lp.row_lower)]]
    b_ub = [lp.row_upper[~equal & np.isfinite(lp.row_upper)], -lp.row_lower[~equal & np.isfinite(lp.row_lower)]]
    bounds = list(zip(lp.col_lower, np.where(np.isinf(lp.col_upper), None, lp.col_upper), strict=True))
    for k, objective in enumerate(objectives):
        from scipy.sparse import vstack

        solved = linprog(-objective.sign * objective.vector, A_ub=vstack(a_ub), b_ub=np.concatenate(b_ub),
                         A_eq=lp.matrix[equal], b_eq=lp.row_lower[equal], bounds=bounds, method="highs")
        assert solved.status == 0, solved.message
        best = float(objective.vector @ solved.x + objective.offset)
        assert stages["optimum"].iloc[k] == pytest.approx(best, rel=1e-7, abs=1e-6), specs[k]
        slack = tolerances[k] * max(1.0, abs(best)) if k < len(tolerances) else 0.0
        # hold it: sign * (vector @ x) >= sign * (best - offset) - slack
        a_ub.append(-objective.sign * objective.vector[None, :])
        b_ub.append(np.array([-objective.sign * (best - objective.offset) + slack]))
