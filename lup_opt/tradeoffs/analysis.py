"""Pay-off tables, weighted objectives and their hierarchy, epsilon-constraint frontiers and max-min
compromise, all solved on one warm HiGHS session (``models/formulation.md``, "Trade-offs").

Every single-objective optimum here is lexicographic: after optimising one objective, it is held
within a relative tolerance of its optimum while the others are improved, so no reported point
is weakly dominated by another plan with the same value of the first.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lup_opt.data.model_data import ModelData
from lup_opt.enums import Normalization, ObjectiveSense, SolveStatus
from lup_opt.errors import LupOptError
from lup_opt.model.lp import LinearProgram
from lup_opt.scenario.scenario import Scenario
from lup_opt.solve.options import SolverOptions
from lup_opt.solve.session import Basis, SessionSolve, WarmSession
from lup_opt.tradeoffs.objectives import Objective, ObjectiveSpec, resolve

# models/formulation.md sections this module implements
FORMULATION_IDS = ("T-PAYOFF", "T-WEIGHTED", "T-HIER", "T-EPS", "T-MAXMIN")

HOLD_TOLERANCE = 1e-9  # relative slack when an optimum is held while others improve
AUGMENT = 1e-5  # weight of the bounded objectives in a frontier point's objective (AUGMECON)
KNEE_MIN_DISTANCE = 1e-4  # normalised distance from the straight line below which there is no knee


def _hold(objective: Objective, value: float, tolerance: float) -> tuple[float, float]:
    """Bounds on ``vector @ x`` that keep the objective within ``tolerance`` (relative) of
    ``value``: no worse than value minus a share of its size."""
    slack = tolerance * max(1.0, abs(value))
    bound = value - objective.offset
    return (bound - slack, np.inf) if objective.sign > 0 else (-np.inf, bound + slack)


@dataclass
class TradeoffProblem:
    """A scenario's plan LP with a set of objectives, on one warm HiGHS session."""

    scenario: Scenario
    data: ModelData
    lp: LinearProgram
    objectives: tuple[Objective, ...]
    session: WarmSession

    @classmethod
    def create(cls, scenario: Scenario, data: ModelData, lp: LinearProgram,
               specs: Sequence[ObjectiveSpec | str], options: SolverOptions | None = None,
               warm: bool = True) -> TradeoffProblem:
        objectives = tuple(resolve(scenario, data, lp, spec) for spec in specs)
        labels = [o.label for o in objectives]
        if len(set(labels)) != len(labels):
            raise LupOptError(f"objectives repeat: {', '.join(labels)}")
        return cls(scenario, data, lp, objectives, WarmSession(lp, options, warm=warm))

    def values(self, x: np.ndarray) -> np.ndarray:
        return np.array([o.value(x) for o in self.objectives])

    def solve(self, objective: Objective, sense: ObjectiveSense | None = None,
              from_last_plan: bool = False) -> SessionSolve:
        """Optimise ``objective``; ``from_last_plan``: the last plan still meets every row (see
        ``WarmSession.set_objective``)."""
        self.session.set_objective(objective.vector, sense or objective.sense, from_last_plan=from_last_plan)
        return self.session.solve()

    def solve_from(self, objective: Objective, start: Basis | None, sense: ObjectiveSense | None = None) -> SessionSolve:
        """Optimise ``objective`` from ``start``, a basis of the plan LP whose plan meets every
        row the session has now (an earlier objective's optimum): primal simplex re-optimises
        that plan for the new objective. Without a start, or where it is refused, as ``solve``."""
        self.session.set_objective(objective.vector, sense or objective.sense)
        if start is not None:
            self.session.start_from(start, widened=True)
        return self.session.solve()

    def lexicographic(self, first: Objective, then: Sequence[Objective], sense: ObjectiveSense | None = None,
                      tolerance: float = HOLD_TOLERANCE, start: Basis | None = None
                      ) -> tuple[SessionSolve, Basis | None]:
        """Optimise ``first`` (in ``sense``, by default its own; from ``start`` as ``solve_from``
        does), then hold it and improve the others together (each scaled by its size at the
        first optimum). Also returns the first optimum's basis, a start for the next objective
        (None where the session keeps none)."""
        solved = self.solve_from(first, start, sense)
        optimum = self.session.basis() if solved.is_optimal else None
        if not solved.is_optimal or not then:
            return solved, optimum
        held = first if sense in (None, first.sense) else _reversed(first)
        row = self.session.add_row(held.vector, *_hold(held, held.value(solved.values), tolerance))
        combined = np.zeros(self.lp.num_cols)
        for other in then:
            combined += other.sign * other.vector / max(1.0, abs(other.value(solved.values)))
        self.session.set_objective(_unit_scaled(combined), ObjectiveSense.MAXIMIZE, from_last_plan=True)
        second = self.session.solve()
        self.session.remove_rows_from(row)
        return (second if second.is_optimal else solved), optimum


def _reversed(objective: Objective) -> Objective:
    sense = ObjectiveSense.MINIMIZE if objective.sense is ObjectiveSense.MAXIMIZE else ObjectiveSense.MAXIMIZE
    return Objective(objective.spec, sense, objective.unit, objective.vector, objective.offset)


def _infeasible(solved: SessionSolve, what: str) -> LupOptError:
    return LupOptError(f"{what}: the scenario has no plan ({solved.status.value}: {solved.message}); "
                       "run 'lup-opt explain' to see why")


@dataclass(frozen=True)
class PayoffTable:
    """Each objective optimised alone (rows) and the value of every objective there (columns).

    ``ideal`` is the best value of each objective, ``nadir`` the worst value it takes at the other
    objectives' optima (an estimate of the worst over the efficient plans), ``anti_ideal`` (full
    range only) its worst value over every plan."""

    objectives: tuple[Objective, ...]
    table: pd.DataFrame
    ideal: np.ndarray
    nadir: np.ndarray
    anti_ideal: np.ndarray | None
    plans: tuple[np.ndarray, ...]
    # Each objective's own optimum (before the tie-break) as a basis of the plan LP, a start for
    # later solves of the same session; None in a structured session.
    bases: tuple[Basis | None, ...] = ()

    def start(self, objective: int = -1) -> Basis | None:
        """The basis of objective ``objective``'s optimum, or None where there is none."""
        return self.bases[objective] if self.bases else None

    def worst(self, normalization: Normalization) -> np.ndarray:
        if normalization is Normalization.RANGE:
            if self.anti_ideal is None:
                raise LupOptError("normalisation by full range needs the pay-off table with full_range=True")
            return self.anti_ideal
        return self.nadir

    def normalise(self, values: np.ndarray, normalization: Normalization) -> np.ndarray:
        """Achievement of each objective: 1 at its ideal, 0 at its worst (nadir or anti-ideal)."""
        worst = self.worst(normalization)
        spread = self.ideal - worst
        return np.where(np.abs(spread) > 1e-12, (values - worst) / np.where(spread == 0, 1, spread), 1.0)

    def summary(self) -> pd.DataFrame:
        rows = {"ideal": self.ideal, "nadir": self.nadir}
        if self.anti_ideal is not None:
            rows["anti_ideal"] = self.anti_ideal
        frame = pd.DataFrame(rows, index=[o.label for o in self.objectives]).rename_axis("objective").reset_index()
        frame["sense"] = [o.sense.value for o in self.objectives]
        frame["unit"] = [o.unit for o in self.objectives]
        return frame


def payoff_table(problem: TradeoffProblem, full_range: bool = False) -> PayoffTable:
    objectives = problem.objectives
    rows, plans, bases = [], [], []
    start = None
    for objective in objectives:
        # Each objective after the first starts from the last one's optimum: that plan meets
        # every row, and primal simplex from it is cheaper than a fresh interior-point solve.
        others = [o for o in objectives if o is not objective]
        solved, optimum = problem.lexicographic(objective, others, start=start)
        if not solved.is_optimal:
            raise _infeasible(solved, f"optimising {objective.label}")
        rows.append(problem.values(solved.values))
        plans.append(solved.values)
        bases.append(optimum)
        start = optimum if optimum is not None else start
    matrix = np.array(rows)
    signs = np.array([o.sign for o in objectives])
    ideal = np.diag(matrix).copy()
    nadir = np.array([matrix[:, j][np.argmin(signs[j] * matrix[:, j])] for j in range(len(objectives))])
    anti = None
    if full_range:
        anti = np.empty(len(objectives))
        for j, objective in enumerate(objectives):
            solved = problem.solve_from(_reversed(objective), start)
            if not solved.is_optimal:
                raise _infeasible(solved, f"the worst value of {objective.label}")
            anti[j] = objective.value(solved.values)
    labels = [o.label for o in objectives]
    table = pd.DataFrame(matrix, columns=labels)
    table.insert(0, "optimised", labels)
    return PayoffTable(objectives, table, ideal, nadir, anti, tuple(plans), tuple(bases))


@dataclass(frozen=True)
class TradeoffPlan:
    """One plan chosen by a trade-off method, with every objective's value and achievement."""

    method: str
    plan: np.ndarray
    table: pd.DataFrame  # objective, sense, unit, value, ideal, worst, achievement, share_of_ideal


def _plan_table(problem: TradeoffProblem, payoff: PayoffTable, x: np.ndarray,
                normalization: Normalization) -> pd.DataFrame:
    values = problem.values(x)
    worst = payoff.worst(normalization)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(payoff.ideal != 0, values / payoff.ideal, np.nan)
    return pd.DataFrame({
        "objective": [o.label for o in problem.objectives], "sense": [o.sense.value for o in problem.objectives],
        "unit": [o.unit for o in problem.objectives], "value": values, "ideal": payoff.ideal, "worst": worst,
        "achievement": payoff.normalise(values, normalization), "share_of_ideal": share,
    })


def _normalised_vector(problem: TradeoffProblem, payoff: PayoffTable, weights: np.ndarray,
                       normalization: Normalization) -> np.ndarray:
    """sum_j w_j * achievement_j(x), without its constant: a vector over the LP's columns."""
    spread = payoff.ideal - payoff.worst(normalization)
    vector = np.zeros(problem.lp.num_cols)
    for w, objective, s in zip(weights, problem.objectives, spread, strict=True):
        if abs(s) > 1e-12:
            vector += w * objective.vector / s
    return vector


def _unit_scaled(vector: np.ndarray) -> np.ndarray:
    """``vector`` over its largest coefficient: the same optimum, and HiGHS's absolute dual
    tolerance (1e-7, costs are not scaled) then means the same for every objective. A sum of
    achievements has coefficients near 1e-5 (one over a range of 50,000 kUSD): from another
    plan's basis primal simplex stopped 5e-5 short of its optimum until it was scaled."""
    largest = float(np.abs(vector).max()) if vector.size else 0.0
    return vector / largest if largest > 0 else vector


def weighted_sum(problem: TradeoffProblem, payoff: PayoffTable, weights: Sequence[float],
                 normalization: Normalization = Normalization.PAYOFF) -> TradeoffPlan:
    """Maximise sum_j w_j * achievement_j: each objective normalised by the pay-off table (ideal
    to nadir) or its full range (ideal to anti-ideal)."""
    weights = np.asarray(weights, dtype=float)
    if len(weights) != len(problem.objectives) or (weights < 0).any() or weights.sum() <= 0:
        raise LupOptError(f"give one non-negative weight per objective ({len(problem.objectives)}), not all zero")
    problem.session.set_objective(_unit_scaled(_normalised_vector(problem, payoff, weights, normalization)),
                                  ObjectiveSense.MAXIMIZE)
    # The last objective's optimum meets every row: primal simplex re-optimises it (0.8 s against
    # 1.6 s for a fresh interior-point solve on the default scenario, the same plan).
    problem.session.start_from(payoff.start(), widened=True)
    solved = problem.session.solve()
    if not solved.is_optimal:
        raise _infeasible(solved, "the weighted sum")
    return TradeoffPlan("weighted_sum", solved.values, _plan_table(problem, payoff, solved.values, normalization))


def hierarchy_plan(problem: TradeoffProblem, tolerances: Sequence[float]) -> tuple[TradeoffPlan, pd.DataFrame]:
    """Optimise the objectives in order; each later stage keeps every earlier objective within
    its relative tolerance of the optimum it reached (0.05: at most 5 % worse)."""
    if len(tolerances) not in (len(problem.objectives) - 1, len(problem.objectives)):
        raise LupOptError("give one tolerance per objective but the last (or per objective)")
    first_row = problem.session.total_rows
    stages, solved = [], None
    for k, objective in enumerate(problem.objectives):
        solved = problem.solve(objective, from_last_plan=k > 0)
        if not solved.is_optimal:
            problem.session.remove_rows_from(first_row)
            raise _infeasible(solved, f"stage {k + 1} ({objective.label})")
        best = objective.value(solved.values)
        tolerance = float(tolerances[k]) if k < len(tolerances) else 0.0
        stages.append({"stage": k + 1, "objective": objective.label, "sense": objective.sense.value,
                       "optimum": best, "tolerance": tolerance})
        if k < len(problem.objectives) - 1:
            problem.session.add_row(objective.vector, *_hold(objective, best, tolerance))
    problem.session.remove_rows_from(first_row)
    x = solved.values
    table = pd.DataFrame(stages)
    table["final_value"] = problem.values(x)
    table["worse_by"] = [abs(v - o) / max(1e-12, abs(o)) for v, o in zip(table["final_value"], table["optimum"],
                                                                         strict=True)]
    plan = pd.DataFrame({"objective": table["objective"], "sense": table["sense"],
                         "unit": [o.unit for o in problem.objectives], "value": table["final_value"]})
    return TradeoffPlan("hierarchy", x, plan), table


@dataclass(frozen=True)
class Frontier:
    """Epsilon-constraint points: the first objective optimised with the others bounded."""

    objectives: tuple[Objective, ...]
    points: pd.DataFrame  # point, one column per objective, achievement_*, dominated, knee
    plans: dict[int, np.ndarray]
    seconds: pd.DataFrame  # point, seconds, warm, iterations


def frontier(problem: TradeoffProblem, payoff: PayoffTable, points: int = 11,
             normalization: Normalization = Normalization.PAYOFF) -> Frontier:
    """Optimise the first objective with each other objective bounded by a grid of values
    between its worst and its ideal (``points`` values each: a line for two objectives, a grid
    for three). Infeasible bounds are skipped; dominated and duplicate points are removed and
    the knee (the point farthest from the line between the two extremes in normalised terms, if
    the frontier bends at all; for three objectives the point nearest the ideal) is marked.

    Each point maximises ``f1 + AUGMENT * sum_k (r1 / r_k) f_k`` (r: the objectives' ranges, f
    signed so that more is better), the augmented epsilon-constraint method (AUGMECON, Mavrotas
    2009): the small reward for the bounded objectives keeps weakly dominated plans out, and with
    one objective for every point, consecutive points differ only in a row bound, which the dual
    simplex method re-optimises from the previous basis."""
    objectives = problem.objectives
    if not 2 <= len(objectives) <= 3:
        raise LupOptError("a frontier takes two or three objectives")
    if points < 2:
        raise LupOptError("a frontier needs at least 2 points")
    first, bounded = objectives[0], objectives[1:]
    worst = payoff.worst(normalization)
    ranges = np.abs(payoff.ideal - worst)
    augmented = first.sign * first.vector
    for j, objective in enumerate(bounded, start=1):
        if ranges[j] > 1e-12:
            augmented = augmented + AUGMENT * max(ranges[0], 1e-12) / ranges[j] * objective.sign * objective.vector
    grids = [np.linspace(worst[j], payoff.ideal[j], points) for j in range(1, len(objectives))]
    rows = [problem.session.add_row(o.vector, -np.inf, np.inf) for o in bounded]
    problem.session.set_objective(augmented, ObjectiveSense.MAXIMIZE)
    # The first point bounds the others at their worst and adds only a small reward for them to
    # the first objective: its optimum is all but optimal there, and dual simplex from its basis
    # took 1 pivot on the default scenario (against 2 s for a fresh interior-point solve). Every
    # later point only moves a bound.
    problem.session.start_from(payoff.start(0))
    records, plans, timing = [], {}, []
    for n, levels in enumerate(itertools.product(*grids)):
        for row, objective, level in zip(rows, bounded, levels, strict=True):
            problem.session.set_row_bounds(row, *_at_least(objective, level))
        solved = problem.session.solve()
        timing.append({"point": n, "seconds": solved.seconds, "warm": solved.warm, "iterations": solved.iterations})
        if solved.status is SolveStatus.INFEASIBLE or not solved.is_optimal:
            continue
        records.append({"point": n, **dict(zip([o.label for o in objectives], problem.values(solved.values),
                                                strict=True))})
        plans[n] = solved.values
    problem.session.remove_rows_from(rows[0])
    table = _mark_frontier(pd.DataFrame(records), objectives, payoff, normalization)
    kept = set(table["point"]) if len(table) else set()
    return Frontier(objectives, table, {k: v for k, v in plans.items() if k in kept}, pd.DataFrame(timing))


def _at_least(objective: Objective, level: float) -> tuple[float, float]:
    """Bounds on ``vector @ x`` for 'objective at least as good as level'."""
    bound = level - objective.offset
    tolerance = 1e-9 * max(1.0, abs(level))
    return (bound - tolerance, np.inf) if objective.sign > 0 else (-np.inf, bound + tolerance)


def _mark_frontier(table: pd.DataFrame, objectives: tuple[Objective, ...], payoff: PayoffTable,
                   normalization: Normalization) -> pd.DataFrame:
    if table.empty:
        return table
    labels = [o.label for o in objectives]
    values = table[labels].to_numpy()
    achieved = np.column_stack([payoff.normalise(row, normalization) for row in values]).T
    # Duplicates (within 1e-6 of the ideal-to-worst range) and dominated points go.
    rounded = np.round(achieved, 6)
    _, first = np.unique(rounded, axis=0, return_index=True)
    keep = np.zeros(len(table), dtype=bool)
    keep[first] = True
    for i in range(len(table)):
        if not keep[i]:
            continue
        others = keep.copy()
        others[i] = False
        dominated = (rounded[others] >= rounded[i]).all(axis=1) & (rounded[others] > rounded[i]).any(axis=1)
        keep[i] = not dominated.any()
    table = table.loc[keep].copy()
    achieved = achieved[keep]
    for j, label in enumerate(labels):
        table[f"achievement {label}"] = achieved[:, j]
    order = np.argsort(-achieved[:, 0], kind="stable")
    table, achieved = table.iloc[order].reset_index(drop=True), achieved[order]
    table["knee"] = False
    if len(table) >= 3 and len(labels) == 2:
        a, b = achieved[0], achieved[-1]
        direction = (b - a) / max(np.linalg.norm(b - a), 1e-12)
        offsets = achieved - a
        distance = np.abs(offsets[:, 0] * direction[1] - offsets[:, 1] * direction[0])
        if distance.max() > KNEE_MIN_DISTANCE:  # a straight frontier has no knee
            table.loc[int(np.argmax(distance)), "knee"] = True
    elif len(table) >= 1:
        table.loc[int(np.argmin(np.linalg.norm(1.0 - achieved, axis=1))), "knee"] = True
    return table


def compromise(problem: TradeoffProblem, payoff: PayoffTable,
               normalization: Normalization = Normalization.PAYOFF) -> TradeoffPlan:
    """Maximise the smallest achievement over the objectives (max-min, Chebyshev-type), then,
    holding it, the sum of achievements (so no objective is left below what costs nothing)."""
    session = problem.session
    first_row, first_col = session.total_rows, session.total_cols
    z = session.add_column(-np.inf, np.inf)
    worst = payoff.worst(normalization)
    for objective, ideal, low in zip(problem.objectives, payoff.ideal, worst, strict=True):
        spread = ideal - low
        if abs(spread) <= 1e-12:
            continue
        # (f - worst) / spread >= z  <=>  f / spread - z >= worst / spread (f includes its offset)
        session.add_row(objective.vector / spread, (low - objective.offset) / spread, np.inf, extra={z: -1.0})
    session.set_objective(np.zeros(problem.lp.num_cols), ObjectiveSense.MAXIMIZE, extra=np.array([1.0]))
    solved = session.solve()
    if not solved.is_optimal:
        session.remove_rows_from(first_row)
        session.remove_columns_from(first_col)
        raise _infeasible(solved, "the compromise")
    smallest = float(solved.extra_values[0])
    session.set_row_bounds(session.add_row(np.zeros(problem.lp.num_cols), -np.inf, np.inf, extra={z: 1.0}),
                           smallest - 1e-7, np.inf)
    session.set_objective(_unit_scaled(_normalised_vector(problem, payoff, np.ones(len(problem.objectives)),
                                                          normalization)),
                          ObjectiveSense.MAXIMIZE, from_last_plan=True)  # the max-min plan holds z: still feasible
    second = session.solve()
    x = second.values if second.is_optimal else solved.values
    session.remove_rows_from(first_row)
    session.remove_columns_from(first_col)
    return TradeoffPlan("compromise", x, _plan_table(problem, payoff, x, normalization))
