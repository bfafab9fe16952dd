"""One HiGHS instance that keeps a plan LP between solves, for sequences of related LPs.

Trade-off analyses (pay-off tables, frontiers, alternatives) solve the same LP many times with
another objective or an extra bound row. Rebuilding and solving each cold repeats the hand-off
and the whole interior-point solve; here the model stays in HiGHS, objectives and rows change in
place.

When only bounds or rows changed since the last solve, the last optimal basis is still dual
feasible and the dual simplex method re-optimises from it in a few pivots (a frontier point).
When the objective changed, that basis is far from optimal (on the default scenario primal
simplex from it took 20,000-35,000 pivots, 8-17 s, against 2 s for a fresh interior-point
solve), so the session solves with the configured method instead and keeps its basis for the
next bound change. The exception is a lexicographic second stage
(``set_objective(..., from_last_plan=True)``): the rows added since the last solve hold its
plan, so that basis is still primal feasible and the new objective moves only along the first
optimum's face; primal simplex from it took 8-3,552 pivots and 0.02-0.8 s on the default
scenario, against 1.8-8 s for a fresh interior-point solve. Near-optimal alternatives do the
same: the slack row keeps every plan near the optimum (0.5-0.8 s per plan against 2.5-3 s).
A pay-off table's later objectives, a weighted sum and a frontier's first point start from an
earlier objective's optimum kept as a basis (``start_from``, which extends a basis of the plan
LP to the rows and columns added since): 1.0-1.1 s by primal simplex against 1.7-1.8 s for
each later objective, 1 dual simplex pivot against 2 s for the frontier's first point. A solve
that kept no basis (the Pyomo path) hands over its plan and duals instead
(``start_from_point``): crossover makes the basis.

Where the plan LP has the area structure and is large (``--method structured``, or ``auto`` as
``lup_opt.solve.area_structure.suits_structured`` decides), every solve is a structured solve
(``lup_opt.solve.structured``) of the session's LP as it stands, extra rows and columns
included; after a bound change its warm start begins from the last solve's duals. Dual simplex
from the last basis was measured far slower there: a frontier point of 10,000 parcels took
10,000-16,000 pivots and 61-66 s against 1-8 s for a structured solve.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from time import perf_counter

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from lup_opt.enums import ObjectiveSense, SolverMethod, SolveStatus
from lup_opt.model.lp import ConstraintBlock, LinearProgram, VariableBlock
from lup_opt.solve.area_structure import suits_structured
from lup_opt.solve.dual_warm_start import DUAL_SIMPLEX_STRATEGY, PRIMAL_SIMPLEX_STRATEGY
from lup_opt.solve.highs import (
    _basis,
    _configure,
    _status,
    apply_time_limit,
    crossover_from,
    highs_bounds,
    new_highs,
    pass_lp,
    set_basis,
)
from lup_opt.solve.options import SolverOptions
from lup_opt.solve.structured import StructuredSettings, solve_structured

INF = highspy.kHighsInf
Basis = tuple[np.ndarray, np.ndarray]  # column and row statuses, HiGHS's codes (``Solution.basis``)
LOWER, BASIC, UPPER, ZERO = (int(getattr(highspy.HighsBasisStatus, name)) for name in ("kLower", "kBasic", "kUpper",
                                                                                     "kZero"))


@dataclass(frozen=True)
class SessionSolve:
    """One solve of a session: status, the LP's own column values, HiGHS's seconds."""

    status: SolveStatus
    message: str
    values: np.ndarray | None  # the plan LP's columns (extra session columns left out)
    extra_values: np.ndarray | None  # the session's own added columns
    seconds: float
    warm: bool
    iterations: int

    @property
    def is_optimal(self) -> bool:
        return self.status is SolveStatus.OPTIMAL


class WarmSession:
    """The plan LP in one HiGHS instance; objectives, extra rows and extra columns change in
    place and every solve after the first is warm-started (simplex from the last basis). A
    structured session holds no HiGHS copy: each solve hands its LP as it stands to
    ``solve_structured``."""

    def __init__(self, lp: LinearProgram, options: SolverOptions | None = None, warm: bool = True):
        self.lp = lp
        self.options = options or SolverOptions(method=SolverMethod.AUTO)
        self.warm = warm
        method = self.options.method
        self.structured = method is SolverMethod.STRUCTURED or (method is SolverMethod.AUTO and suits_structured(lp))
        self.extra = _SessionState(lp)  # the LP as it stands: what a structured solve is given
        self._duals: np.ndarray | None = None  # the last structured solve's row duals
        self.highs: highspy.Highs | None = None
        if not self.structured:
            self.highs = new_highs()
            _configure(self.highs, self.options, None)
            self.highs.setOptionValue("output_flag", False)
            pass_lp(self.highs, lp)
        self.n_cols = lp.num_cols
        self.n_rows = lp.num_rows
        self.solves = 0
        self.method = self.options.highs_method
        self.objective_changed = True
        self.from_last_plan = False  # the next solve re-optimises the last plan by primal simplex

    @property
    def total_cols(self) -> int:
        return self.extra.num_cols

    @property
    def total_rows(self) -> int:
        return self.extra.num_rows

    def set_objective(self, vector: np.ndarray, sense: ObjectiveSense, extra: np.ndarray | None = None,
                      from_last_plan: bool = False) -> None:
        """Replace the objective: ``vector`` over the plan LP's columns, ``extra`` over the
        session's added columns (zero when not given). ``from_last_plan``: the last solve's plan
        still satisfies every row (the rows added since hold it), so the next solve starts from
        its basis by primal simplex instead of solving afresh."""
        costs = np.zeros(self.total_cols)
        costs[: self.n_cols] = vector
        if extra is not None:
            costs[self.n_cols: self.n_cols + len(extra)] = extra
        self.extra.cost, self.extra.sense = costs, sense
        if self.highs is not None:
            self.highs.changeColsCost(self.total_cols, np.arange(self.total_cols, dtype=np.int32), costs)
            self.highs.changeObjectiveSense(
                highspy.ObjSense.kMaximize if sense is ObjectiveSense.MAXIMIZE else highspy.ObjSense.kMinimize
            )
            self.highs.changeObjectiveOffset(0.0)
        self.objective_changed = True
        self.from_last_plan = from_last_plan

    def add_column(self, lower: float = -INF, upper: float = INF) -> int:
        if self.highs is not None:
            self.highs.addCol(0.0, lower, upper, 0, np.zeros(0, dtype=np.int32), np.zeros(0))
        self.extra.add_column(lower, upper)
        return self.total_cols - 1

    def add_row(self, vector: np.ndarray, lower: float, upper: float, extra: dict[int, float] | None = None) -> int:
        """Add ``lower <= vector @ x (+ extra columns) <= upper``; returns its row index."""
        index = np.flatnonzero(vector)
        values = vector[index]
        if extra:
            index = np.concatenate([index, np.fromiter(extra.keys(), dtype=np.int64)])
            values = np.concatenate([values, np.fromiter(extra.values(), dtype=float)])
        if self.highs is not None:
            self.highs.addRow(_bound(lower), _bound(upper), len(index), index.astype(np.int32), values)
        self.extra.add_rows(sp.csr_matrix((values, index, [0, len(index)]), shape=(1, self.total_cols)),
                            np.array([lower], dtype=float), np.array([upper], dtype=float))
        return self.total_rows - 1

    def add_rows(self, matrix: sp.csr_matrix, columns: list[int], lower: np.ndarray, upper: np.ndarray) -> int:
        """Add ``lower <= matrix @ x[columns] <= upper`` in one call (``columns``: session
        column indices, e.g. added columns); returns the index of the first new row."""
        first = self.total_rows
        matrix = sp.csr_matrix(matrix)
        index = np.asarray(columns, dtype=np.int32)[matrix.indices]
        lower, upper = highs_bounds(lower), highs_bounds(upper)
        if self.highs is not None:
            self.highs.addRows(matrix.shape[0], lower, upper, matrix.nnz, matrix.indptr[:-1].astype(np.int32), index,
                               matrix.data.astype(float))
        self.extra.add_rows(sp.csr_matrix((matrix.data.astype(float), index, matrix.indptr),
                                          shape=(matrix.shape[0], self.total_cols)), lower, upper)
        return first

    def set_row_bounds(self, row: int, lower: float, upper: float) -> None:
        if self.highs is not None:
            self.highs.changeRowBounds(row, _bound(lower), _bound(upper))
        self.extra.set_row_bounds(row, lower, upper)

    def remove_rows_from(self, first: int) -> None:
        """Delete every row added at or after ``first`` (the plan LP's rows stay)."""
        if first < self.total_rows:
            if self.highs is not None:
                self.highs.deleteRows(self.total_rows - first, np.arange(first, self.total_rows, dtype=np.int32))
            self.extra.remove_rows_from(first)

    def remove_columns_from(self, first: int) -> None:
        if first < self.total_cols:
            if self.highs is not None:
                self.highs.deleteCols(self.total_cols - first, np.arange(first, self.total_cols, dtype=np.int32))
            self.extra.remove_columns_from(first)

    def start_from(self, basis: Basis | None, duals: np.ndarray | None = None, widened: bool = False) -> bool:
        """Take an earlier optimal solve of this LP as if this session had made it: the next
        solve is warm, from its basis (``Solution.basis``), or in a structured session from its
        row duals. ``widened``: the rows and bounds have only been relaxed since that solve, so
        its plan is still feasible and the next solve re-optimises it by primal simplex (as
        after ``set_objective(..., from_last_plan=True)``). False (and nothing changed) if that
        cannot be taken. A basis of the plan LP alone (a solve before this session added its
        rows and columns) is extended: each added row basic (its slack takes up the activity),
        each added column nonbasic at its finite bound, or at zero when free. A cold session
        (``warm=False``) takes none."""
        if not self.warm:
            return False
        if self.structured:
            if duals is None or len(duals) != self.total_rows:
                return False
            self._duals = np.asarray(duals)
        elif basis is None or not set_basis(self.highs, self._extended(basis)):
            return False
        self._took_start()
        self.from_last_plan = widened and not self.structured
        return True

    def start_from_point(self, col_values: np.ndarray | None, row_duals: np.ndarray | None) -> bool:
        """Take an earlier optimal solve of this LP that kept no basis (Pyomo's, say) from its
        plan and row duals: HiGHS's crossover makes a basis of them, and the session goes on
        as after ``start_from`` that basis. Only before rows or columns are added; False (and
        a session that solves afresh) where there is no such point or no basis came of it."""
        if (not self.warm or self.structured or col_values is None or row_duals is None
                or len(col_values) != self.n_cols or self.total_cols != self.n_cols
                or len(row_duals) != self.n_rows or self.total_rows != self.n_rows):
            return False
        apply_time_limit(self.highs, self.options)
        if not crossover_from(self.highs, self.lp, col_values, row_duals):
            self.highs.clearSolver()
            return False
        self._took_start()
        return True

    def _took_start(self) -> None:
        """The next solve is warm: from the basis HiGHS now holds, for the objective it holds."""
        self.solves = max(self.solves, 1)
        self.objective_changed = False

    def _extended(self, basis: Basis) -> Basis:
        cols, rows = (np.asarray(b, dtype=np.int8) for b in basis)
        if len(cols) == self.n_cols and len(rows) == self.n_rows:
            lower, upper = np.array(self.extra.col_lower), np.array(self.extra.col_upper)
            added = np.where(np.isfinite(lower), LOWER, np.where(np.isfinite(upper), UPPER, ZERO)).astype(np.int8)
            cols = np.r_[cols, added]
            rows = np.r_[rows, np.full(self.total_rows - self.n_rows, BASIC, dtype=np.int8)]
        return cols, rows

    def basis(self) -> Basis | None:
        """The basis HiGHS holds now (after an optimal simplex or crossover solve), as
        ``Solution.basis`` gives it; None in a structured session or without a valid basis."""
        return None if self.highs is None else _basis(self.highs)

    def solve(self) -> SessionSolve:
        from_last_plan, self.from_last_plan = self.from_last_plan, False
        warm = self.warm and self.solves > 0 and not self.objective_changed
        if self.structured:
            return self._solve_structured(warm)
        # No basis after interior point without crossover: then the new objective is solved afresh.
        from_last_plan = from_last_plan and self.warm and self.solves > 0 and self.highs.getBasis().valid
        warm = warm or from_last_plan
        if from_last_plan:
            self.highs.setOptionValue("solver", SolverMethod.SIMPLEX.value)
            self.highs.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX_STRATEGY)
        elif warm:
            # From the last basis: dual simplex only re-optimises what the bound change disturbed.
            self.highs.setOptionValue("solver", SolverMethod.SIMPLEX.value)
        elif self.solves > 0:
            self.highs.setOptionValue("solver", self.method)
            self.highs.clearSolver()
        self.objective_changed = False
        solved = self._run(warm)
        if from_last_plan:
            self.highs.setOptionValue("simplex_strategy", DUAL_SIMPLEX_STRATEGY)
            if solved.status is SolveStatus.ERROR:
                # Numerical trouble from the old basis: solve afresh with the configured method.
                self.highs.setOptionValue("solver", self.method)
                self.highs.clearSolver()
                again = self._run(False)
                solved = replace(again, seconds=solved.seconds + again.seconds,
                                 iterations=solved.iterations + again.iterations)
        return solved

    def _run(self, warm: bool) -> SessionSolve:
        start = perf_counter()
        apply_time_limit(self.highs, self.options)
        self.highs.run()
        seconds = perf_counter() - start
        self.solves += 1
        status, message = _status(self.highs)
        info = self.highs.getInfo()
        iterations = int(info.simplex_iteration_count + max(info.ipm_iteration_count, 0))
        if status is not SolveStatus.OPTIMAL:
            return SessionSolve(status, message, None, None, seconds, warm, iterations)
        values = np.asarray(self.highs.getSolution().col_value)
        return SessionSolve(status, message, values[: self.n_cols], values[self.n_cols:], seconds, warm, iterations)

    def _solve_structured(self, warm: bool) -> SessionSolve:
        """A structured solve of the session's LP as it stands. Warm (only bounds changed since
        the last solve): its warm start begins from the last solve's duals."""
        self.objective_changed = False
        start = perf_counter()
        lp = self.extra.linear_program()
        duals = self._duals if warm and self._duals is not None and len(self._duals) == lp.num_rows else None
        solution = solve_structured(lp, self.options, StructuredSettings(ranging=False), duals=duals)
        seconds = perf_counter() - start
        self.solves += 1
        report = solution.structured or {}
        rounds = int(report.get("lagrangian_rounds", 0)) + int(report.get("rounds", 0))
        if not solution.is_optimal or solution.col_values is None:
            self._duals = None
            return SessionSolve(solution.status, solution.message, None, None, seconds, duals is not None, rounds)
        self._duals = solution.row_duals
        values = solution.col_values
        return SessionSolve(solution.status, solution.message, values[: self.n_cols], values[self.n_cols:], seconds,
                            duals is not None, rounds)


class _SessionState:
    """The session's LP as it stands (objective, extra columns and rows, changed row bounds),
    kept beside HiGHS's copy so that a structured solve can be given it whole."""

    def __init__(self, lp: LinearProgram):
        self.lp = lp
        self.cost = lp.cost.copy()
        self.sense = lp.sense
        self.plan_row_lower, self.plan_row_upper = lp.row_lower.copy(), lp.row_upper.copy()
        self.col_lower: list[float] = []
        self.col_upper: list[float] = []
        self.rows: list[sp.csr_matrix] = []  # each over the session's columns when it was added
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []

    @property
    def num_cols(self) -> int:
        return self.lp.num_cols + len(self.col_lower)

    @property
    def num_rows(self) -> int:
        return self.lp.num_rows + len(self.rows)

    def add_column(self, lower: float, upper: float) -> None:
        self.col_lower.append(float(lower))
        self.col_upper.append(float(upper))
        self.cost = np.r_[self.cost, 0.0]

    def add_rows(self, matrix: sp.csr_matrix, lower: np.ndarray, upper: np.ndarray) -> None:
        self.rows.extend(matrix[i] for i in range(matrix.shape[0]))
        self.row_lower.extend(np.asarray(lower, dtype=float).tolist())
        self.row_upper.extend(np.asarray(upper, dtype=float).tolist())

    def set_row_bounds(self, row: int, lower: float, upper: float) -> None:
        n = self.lp.num_rows
        if row < n:
            self.plan_row_lower[row], self.plan_row_upper[row] = lower, upper
        else:
            self.row_lower[row - n], self.row_upper[row - n] = float(lower), float(upper)

    def remove_rows_from(self, first: int) -> None:
        keep = max(first - self.lp.num_rows, 0)
        del self.rows[keep:], self.row_lower[keep:], self.row_upper[keep:]

    def remove_columns_from(self, first: int) -> None:
        keep = max(first - self.lp.num_cols, 0)
        del self.col_lower[keep:], self.col_upper[keep:]
        self.cost = self.cost[: self.lp.num_cols + keep]
        self.rows = [row[:, :first] if row.shape[1] > first else row for row in self.rows]

    def linear_program(self) -> LinearProgram:
        """The plan LP with the session's objective, bounds, and its extra columns and rows as
        one more variable and constraint block each."""
        lp, n_cols = self.lp, self.num_cols
        plan = sp.hstack([lp.matrix, sp.csc_matrix((lp.num_rows, n_cols - lp.num_cols))], format="csc")
        added = [sp.csr_matrix((r.data, r.indices, r.indptr), shape=(1, n_cols)) for r in self.rows]
        matrix = sp.vstack([plan, *added], format="csc") if added else plan
        constraints = tuple(replace(b, lower=self.plan_row_lower[b.slice], upper=self.plan_row_upper[b.slice])
                            for b in lp.constraints)
        variables = lp.variables
        if self.col_lower:
            variables = (*variables, _block(VariableBlock, "session_columns", lp.num_cols, self.col_lower,
                                            self.col_upper))
        if self.rows:
            constraints = (*constraints, _block(ConstraintBlock, "session_rows", lp.num_rows, self.row_lower,
                                                self.row_upper))
        return replace(lp, variables=variables, constraints=constraints, matrix=matrix, cost=self.cost.copy(),
                       sense=self.sense, cost_by_period={}, objective_offset=0.0)


def _block(kind: type, name: str, offset: int, lower: list[float], upper: list[float]):
    return kind(name=name, family="session", offset=offset, lower=np.array(lower), upper=np.array(upper),
                labels=pd.DataFrame({"entry": np.arange(len(lower))}), key=("entry",))


def _bound(value: float) -> float:
    return -INF if value == -np.inf else INF if value == np.inf else float(value)
