"""Two-stage plans: solve the recourse problem (RP), and the measures that say what planning
under uncertainty is worth (S-VSS in ``models/formulation.md``; Birge & Louveaux, *Introduction to
Stochastic Programming*, 2nd ed., §4.1-4.2):

- RP: the expected outcome of the plan that is optimal in expectation, with recourse;
- WS (wait and see): the expected outcome if each scenario were known before deciding;
- EEV: the expected outcome of the mean-value plan (its first stage, then the best recourse in
  each scenario); the mean-value problem averages every coefficient, bound and cost over the
  scenarios, so it needs scenarios whose LPs have the same shape;
- VSS = EEV - RP and EVPI = RP - WS for a minimised objective (RP - EEV and WS - RP when it is
  maximised): both are >= 0.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from time import perf_counter

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lup_opt.api import BuiltModel, build, explain
from lup_opt.diagnose.diagnosis import Diagnosis
from lup_opt.enums import Backend, Culling, ObjectiveSense, SolveStatus
from lup_opt.errors import LupOptError
from lup_opt.model.lp import LinearProgram
from lup_opt.results.postprocess import make_result
from lup_opt.scenario.config import BASE_BRANCH
from lup_opt.scenario.loader import load_scenario
from lup_opt.scenario.scenario import Scenario
from lup_opt.solve.highs import WarmStart, solve_with_highspy
from lup_opt.solve.options import Solution, SolverOptions
from lup_opt.stochastic.equivalent import Equivalent, equivalent, first_stage_columns
from lup_opt.stochastic.result import StochasticResult, first_stage_table

FORMULATION_IDS = ("S-VSS",)
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Branch:
    """One scenario of the tree, loaded and built."""

    name: str
    variant: str
    probability: float
    scenario: Scenario
    built: BuiltModel


def branches(scenario: Scenario) -> tuple[Branch, ...]:
    """Each stochastic scenario: this scenario with its variant applied (after the variants and
    overrides already applied), built with every change of use (no culling), so that the
    scenarios' first-stage columns are the same columns."""
    out = []
    for name, loaded in branch_scenarios(scenario).items():
        branch = scenario.config.stochastic.scenarios[name]
        out.append(Branch(name, branch.variant, branch.probability, loaded, build(loaded, Culling.OFF)))
    _check_same_first_stage(out)
    return tuple(out)


def branch_scenarios(scenario: Scenario) -> dict[str, Scenario]:
    """Each stochastic scenario loaded on its own, by name."""
    out = {}
    for name, branch in scenario.config.stochastic.scenarios.items():
        variants = [*scenario.variants, *([] if branch.variant == BASE_BRANCH else [branch.variant])]
        out[name] = load_scenario(scenario.folder, variants=variants, overrides=list(scenario.overrides))
    return out


def explain_stochastic(scenario: Scenario, **options) -> dict[str, Diagnosis]:
    """Each stochastic scenario explained on its own (``lup_opt.explain``'s options): the ones
    whose diagnosis is not feasible are the scenarios no plan can serve."""
    return {name: explain(loaded, **options) for name, loaded in branch_scenarios(scenario).items()}


def _check_same_first_stage(tree: list[Branch]) -> None:
    """The land the first stage decides on must be the same land in every scenario."""
    reference = tree[0].built.data
    for branch in tree[1:]:
        data = branch.built.data
        same = (data.columns.size == reference.columns.size and data.parts.size == reference.parts.size
                and all(np.array_equal(getattr(data.columns, k), getattr(reference.columns, k))
                        for k in ("part", "from_use", "to_use", "conversion"))
                and np.allclose(data.parts.area, reference.parts.area))
        if not same:
            raise LupOptError(
                f"stochastic scenario '{branch.name}' (variant '{branch.variant}') changes the land the first stage "
                f"decides on (land units, baseline or allowed changes differ from scenario '{tree[0].name}'); a "
                "variant may change what the first stage cannot see (yields, prices, targets, population, funds), "
                "not the land itself")
        if branch.built.lp.sense is not tree[0].built.lp.sense:
            raise LupOptError(f"stochastic scenario '{branch.name}' changes the objective's sense")


def solve_stochastic(scenario: Scenario, options: SolverOptions | None = None,
                     backend: Backend | str = Backend.HIGHSPY) -> StochasticResult:
    """The two-stage plan of ``scenario`` (its ``stochastic`` key), with RP, EEV, WS, VSS and
    EVPI and every scenario's own results (allocation, indicators, LDN balance, duals).
    ``backend="pyomo"`` solves the deterministic equivalent through its Pyomo model."""
    options = (options or SolverOptions()).started(already=scenario.load_seconds)
    start = perf_counter()
    config = scenario.config.stochastic
    tree = branches(scenario)
    n_first_years = len(config.here_and_now or scenario.planning_years[:1])
    lps = [b.built.lp for b in tree]
    first = first_stage_columns(lps[0], tree[0].built.data.columns.conversion, n_first_years)
    p = [b.probability for b in tree]
    names = [b.name for b in tree]
    de = equivalent(lps, p, first, names, config.risk.cvar_alpha, config.risk.weight)
    built_seconds = perf_counter() - start
    solved = (solve_with_highspy if Backend(backend) is Backend.HIGHSPY else _solve_with_pyomo)(de.lp, options)
    logger.info("%s (stochastic, %d scenarios): %s", scenario.name, len(tree), solved.status.value)
    if not solved.is_optimal:
        return StochasticResult.failed(scenario, solved, [b.name for b in tree])
    results, outcomes = {}, []
    for s, branch in enumerate(tree):
        own = _branch_solution(de, solved, s, branch.built.lp, branch.probability)
        outcomes.append(own.objective)
        seconds = {"load": branch.scenario.load_seconds, "model_data": branch.built.data_seconds,
                   "build": branch.built.build_seconds, "solve": solved.solver_seconds}
        results[branch.name] = make_result(branch.scenario, branch.built.data, branch.built.lp, own, options, seconds,
                                           notes=[(f"Scenario '{branch.name}' (probability {branch.probability:g}) of "
                                                   f"the two-stage plan of {scenario.name}; prices are per unit of "
                                                   "this scenario's outcome (the plan's duals over its probability).")])
    starts = [WarmStart(col_values=de.scenario_columns(solved.col_values, s, lp.num_cols),
                        row_duals=np.asarray(solved.row_duals)[de.rows_at[s]: de.rows_at[s] + lp.num_rows]
                        / branch.probability) for s, (lp, branch) in enumerate(zip(lps, tree, strict=True))]
    measures = _measures(tree, lps, first, outcomes, options, de.lp.sense, config.risk.cvar_alpha, starts)
    table = first_stage_table(tree[0].built.data, results[names[0]], n_first_years)
    return StochasticResult.solved(scenario, solved, results, measures, table, outcomes, p,
                                   seconds={"build": built_seconds, "solve": solved.solver_seconds,
                                            "total": perf_counter() - start})


def _solve_with_pyomo(lp: LinearProgram, options: SolverOptions) -> Solution:
    from lup_opt.solve.pyomo_backend import solve_with_pyomo  # Pyomo is loaded only on the Pyomo path

    return solve_with_pyomo(lp, options)


def _branch_solution(de: Equivalent, solved: Solution, s: int, lp: LinearProgram, probability: float) -> Solution:
    """Scenario ``s``'s columns, rows and prices: its duals are the equivalent's over its
    probability (the price per unit of this scenario's outcome), reduced costs c - A'y with them."""
    x = de.scenario_columns(solved.col_values, s, lp.num_cols)
    rows = slice(de.rows_at[s], de.rows_at[s] + lp.num_rows)
    duals = np.asarray(solved.row_duals)[rows] / probability
    return replace(solved, objective=float(lp.cost @ x + lp.objective_offset), col_values=x,
                   row_values=np.asarray(lp.matrix @ x), row_duals=duals, col_duals=lp.cost - lp.matrix.T @ duals,
                   ranging=None, basis=None)


def _measures(tree: tuple[Branch, ...], lps: list[LinearProgram], first: np.ndarray, outcomes: list[float],
              options: SolverOptions, sense: ObjectiveSense, alpha: float, starts: list[WarmStart]) -> pd.DataFrame:
    """RP, WS, EEV, VSS, EVPI and CVaR. Each scenario's own plan (WS) starts from its part of the
    two-stage plan: feasible for it, and optimal but for the first stage's reduced costs (on the
    default scenario, crossover then primal simplex took 0.07-0.13 s per scenario against
    1.8-2.0 s solved afresh). Each EEV completion starts from that scenario's WS basis: only the
    first stage's bounds differ. The mean-value problem, whose coefficients differ too, starts
    from the most probable scenario's WS basis: a basis of an LP of the same shape."""
    p = np.array([b.probability for b in tree])
    minimise = sense is ObjectiveSense.MINIMIZE
    rp = float(p @ np.array(outcomes))
    keep = replace(options, keep_basis=True)
    alone = [solve_with_highspy(lp, keep, start) for lp, start in zip(lps, starts, strict=True)]
    ws = float(p @ np.array([s.objective if s.is_optimal else np.nan for s in alone]))
    eev, eev_note = _expected_value_of_the_mean_plan(lps, [b.name for b in tree], first, p, options, minimise,
                                                     [WarmStart(basis=s.basis) if s.basis is not None else None
                                                      for s in alone])
    vss = (eev - rp if minimise else rp - eev) if eev is not None else np.nan
    evpi = rp - ws if minimise else ws - rp
    cvar = _cvar(np.array(outcomes), p, alpha, minimise)
    unit = tree[0].built.data.objective.unit
    rows = [
        ("RP", rp, "expected outcome of the two-stage plan (recourse problem)"),
        ("WS", ws, "expected outcome if each scenario were known before deciding (wait and see)"),
        ("EEV", np.nan if eev is None else eev, "expected outcome of the mean-value plan's first stage" + eev_note),
        ("VSS", vss, "value of the stochastic solution: what the two-stage plan saves over the mean-value plan"),
        ("EVPI", evpi, "expected value of perfect information: what knowing the scenario in advance would save"),
        (f"CVaR_{alpha:g}", cvar, f"expected outcome of the worst {1 - alpha:.0%} of probability, two-stage plan"),
    ]
    return pd.DataFrame(rows, columns=["measure", "value", "description"]).assign(unit=unit)


def _expected_value_of_the_mean_plan(lps: list[LinearProgram], names: list[str], first: np.ndarray, p: np.ndarray,
                                     options: SolverOptions, minimise: bool, starts: list[WarmStart | None]
                                     ) -> tuple[float | None, str]:
    mean = _mean_value_problem(lps, p)
    if isinstance(mean, str):
        return None, f" (not computed: {mean})"
    # The mean-value LP has the scenarios' shape, so the most probable scenario's WS basis is a
    # basis of it, and near its optimum (default: 0.11 s by dual simplex against 1.7 s afresh).
    ev = solve_with_highspy(mean, options, starts[int(np.argmax(p))])
    if not ev.is_optimal:
        return None, f" (not computed: the mean-value problem is {ev.status.value})"
    fixed = ev.col_values[first]
    outcomes, infeasible = [], []
    for name, lp, start in zip(names, lps, starts, strict=True):
        lower, upper = lp.col_lower.copy(), lp.col_upper.copy()
        lower[first] = upper[first] = fixed
        solved = solve_with_highspy(lp.with_bounds(lower, upper, lp.row_lower, lp.row_upper), options, start)
        if solved.status is SolveStatus.INFEASIBLE:
            infeasible.append(name)
        outcomes.append(solved.objective if solved.is_optimal else np.nan)
    if infeasible:  # Birge & Louveaux: EEV is infinite when the mean-value plan cannot be completed
        return (np.inf if minimise else -np.inf), (f" (infinite: the mean-value plan's first stage leaves scenario "
                                                   f"{', '.join(repr(n) for n in infeasible)} without a feasible plan)")
    return float(p @ np.array(outcomes)), ""


def _mean_value_problem(lps: list[LinearProgram], p: np.ndarray) -> LinearProgram | str:
    """Every coefficient, bound and cost averaged over the scenarios (or why that is undefined)."""
    shapes = {(lp.num_rows, lp.num_cols, tuple(b.size for b in lp.constraints)) for lp in lps}
    if len(shapes) > 1:
        return "the scenarios' LPs differ in shape (rows or columns)"
    row_lower, row_upper = [], []
    for bounds, out in (([lp.row_lower for lp in lps], row_lower), ([lp.row_upper for lp in lps], row_upper)):
        stacked = np.vstack(bounds)
        infinite = np.isinf(stacked)
        if (infinite.any(axis=0) & ~infinite.all(axis=0)).any():
            return "a row is bounded in some scenarios and free in others"
        out.append(np.where(infinite[0], stacked[0], p @ np.where(infinite, 0.0, stacked)))
    matrix = sum((p_s * lp.matrix for p_s, lp in zip(p, lps, strict=True)), sp.csc_matrix(lps[0].matrix.shape))
    base = lps[0]
    mean = replace(base, matrix=sp.csc_matrix(matrix), cost=sum(p_s * lp.cost for p_s, lp in zip(p, lps, strict=True)),
                   objective_offset=float(sum(p_s * lp.objective_offset for p_s, lp in zip(p, lps, strict=True))))
    return mean.with_bounds(base.col_lower, base.col_upper, row_lower[0], row_upper[0])


def _cvar(outcomes: np.ndarray, p: np.ndarray, alpha: float, minimise: bool) -> float:
    """Expected outcome over the worst (1 - alpha) of probability (the highest costs when the
    objective is minimised, the lowest values when it is maximised)."""
    loss = outcomes if minimise else -outcomes
    order = np.argsort(-loss)
    tail, total, left = 1.0 - alpha, 0.0, 1.0 - alpha
    for i in order:
        take = min(p[i], left)
        total += take * loss[i]
        left -= take
        if left <= 1e-15:
            break
    value = total / tail
    return float(value if minimise else -value)
