"""Explaining an infeasible scenario in the planner's words.

1. Solve with HiGHS presolve on and off: presolve has wrongly declared feasible models
   infeasible in several reported cases, so infeasibility is only declared when both agree.
2. Elastic relaxation (D-ELASTIC in models/formulation.md): every hard target, share target and
   LDN row gets violation variables costing 1/size per unit, so the LP finds the smallest total
   *relative* relaxation that restores feasibility; optionally a second, lexicographic stage
   finds, among those, one that relaxes the fewest rows (a small MIP).
3. Conflicting sets: a deletion filter over the relaxable rows (structural rows such as area
   conservation always hold) finds an irreducible set of rows that cannot hold together;
   after relaxing it, the filter runs again to find independent conflicts.
4. Alternatives: for each row of a conflict, the smallest change of that row alone that makes
   the whole scenario solve.

All solves reuse one HiGHS model whose bounds are changed between solves (warm starts).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from time import perf_counter

import highspy
import numpy as np

from lup_opt.data.model_data import ModelData
from lup_opt.diagnose.diagnosis import ConflictMember, Diagnosis, Relaxation
from lup_opt.diagnose.findings import CheckReport
from lup_opt.diagnose.relaxable import (
    EQUAL_SHARE,
    LDN,
    SHARE,
    RelaxableRow,
    relaxable_rows,
)
from lup_opt.enums import Comparison, SolveStatus
from lup_opt.model.lp import LinearProgram
from lup_opt.model.targets import indicator_row
from lup_opt.solve.highs import apply_time_limit, new_highs, pass_lp, solve_with_highspy
from lup_opt.solve.options import SolverOptions

logger = logging.getLogger(__name__)

MAX_CONFLICTS = 5
TOLERANCE = 1e-7  # relative violation below this is solver noise


class OutOfTime(Exception):
    """The command's time budget ran out during the diagnosis."""


@dataclass
class _Elastic:
    """The LP with violation columns; rows are made relaxable by opening their columns."""

    highs: highspy.Highs
    rows: list[RelaxableRow]
    plus: np.ndarray  # violation column index per relaxable row, or -1 (helps a lower bound)
    minus: np.ndarray  # (helps an upper bound)
    options: SolverOptions

    @classmethod
    def build(cls, lp: LinearProgram, rows: list[RelaxableRow], options: SolverOptions,
              method: str = "ipm") -> _Elastic:
        highs = new_highs()
        highs.setOptionValue("output_flag", False)
        # Measured on the default scenario: after costs and bounds change, simplex needed tens of
        # thousands of iterations per solve (15-30 s); interior point with crossover takes ~2 s.
        highs.setOptionValue("solver", method)
        pass_lp(highs, lp, cost=np.zeros(lp.num_cols))
        lower, upper = lp.row_lower, lp.row_upper
        columns, plus, minus = [], np.full(len(rows), -1), np.full(len(rows), -1)
        for i, row in enumerate(rows):
            if np.isfinite(lower[row.row]):
                plus[i] = lp.num_cols + len(columns)
                columns.append((row.row, 1.0, row.size))
            if np.isfinite(upper[row.row]):
                minus[i] = lp.num_cols + len(columns)
                columns.append((row.row, -1.0, row.size))
        n = len(columns)
        if n:
            highs.addCols(
                n, np.array([1.0 / c[2] for c in columns]), np.zeros(n), np.zeros(n),  # closed for now
                n, np.arange(n, dtype=np.int32), np.array([c[0] for c in columns], dtype=np.int32),
                np.array([c[1] for c in columns]),
            )
        return cls(highs, rows, plus, minus, options)

    def solve(self, costed: set[int], free: frozenset[int] | set[int] = frozenset()) -> float | None:
        """Least total relative violation of the ``costed`` rows, while ``free`` rows may be
        violated at no cost and all other rows must hold (None: no plan even so)."""
        index, upper, cost = [], [], []
        for i, row in enumerate(self.rows):
            for column in (self.plus[i], self.minus[i]):
                if column >= 0:
                    index.append(column)
                    upper.append(np.inf if (i in costed or i in free) else 0.0)
                    cost.append(1.0 / row.size if i in costed else 0.0)
        if index:
            index = np.array(index, dtype=np.int32)
            self.highs.changeColsBounds(len(index), index, np.zeros(len(index)), np.array(upper))
            self.highs.changeColsCost(len(index), index, np.array(cost))
        self._run()
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return float(self.highs.getInfo().objective_function_value)

    def supporting_rows(self) -> set[int]:
        """Relaxable rows with a nonzero dual in the last solve: the rows the least violation
        depends on (a sensitivity filter; every conflict lies among them when they cannot hold)."""
        duals = np.asarray(self.highs.getSolution().row_dual)
        return {i for i, row in enumerate(self.rows) if abs(duals[row.row]) > 1e-9 / max(row.size, 1e-9)}

    def violations(self) -> np.ndarray:
        """Per relaxable row: violation in the row's units (+ below a lower bound, - above an upper)."""
        values = np.asarray(self.highs.getSolution().col_value)
        plus = np.where(self.plus >= 0, values[np.maximum(self.plus, 0)], 0.0)
        minus = np.where(self.minus >= 0, values[np.maximum(self.minus, 0)], 0.0)
        return plus - minus

    def values(self, n_cols: int) -> np.ndarray:
        return np.asarray(self.highs.getSolution().col_value)[:n_cols]

    def fewest_rows(self, total: float) -> None:
        """Second stage: among relaxations with total at most ``total``, relax the fewest rows."""
        n_rows = len(self.rows)
        n_cols = self.highs.getNumCol()
        self.highs.addVars(n_rows, np.zeros(n_rows), np.ones(n_rows))
        switches = np.arange(n_cols, n_cols + n_rows, dtype=np.int32)
        self.highs.changeColsIntegrality(n_rows, switches, np.full(n_rows, highspy.HighsVarType.kInteger))
        budget_index, budget_value = [], []
        for i, row in enumerate(self.rows):
            for column in (self.plus[i], self.minus[i]):
                if column < 0:
                    continue
                # violation <= M * switch, with M a thousand times the row's size
                self.highs.addRow(-np.inf, 0.0, 2, np.array([column, switches[i]], dtype=np.int32),
                                  np.array([1.0, -1e3 * row.size]))
                budget_index.append(column)
                budget_value.append(1.0 / row.size)
        self.highs.addRow(-np.inf, total * (1 + 1e-6) + 1e-9, len(budget_index),
                          np.array(budget_index, dtype=np.int32), np.array(budget_value))
        costs = np.zeros(n_cols + n_rows)
        costs[switches] = 1.0
        self.highs.changeColsCost(n_cols + n_rows, np.arange(n_cols + n_rows, dtype=np.int32), costs)
        self._run()

    def _run(self) -> None:
        """One HiGHS run within what is left of the command's time budget."""
        if self.options.out_of_time():
            raise OutOfTime
        apply_time_limit(self.highs, self.options)
        self.highs.run()
        if self.highs.getModelStatus() == highspy.HighsModelStatus.kTimeLimit:
            raise OutOfTime


def explain(
    scenario_name: str,
    data: ModelData,
    lp: LinearProgram,
    checks: CheckReport,
    options: SolverOptions | None = None,
    *,
    fewest: bool = False,
) -> Diagnosis:
    """Diagnose a built scenario: feasible or not, and if not, why and what to relax."""
    start = perf_counter()
    options = options or SolverOptions()
    on = solve_with_highspy(lp, replace(options, presolve=True))
    off = solve_with_highspy(lp, replace(options, presolve=False))
    presolve = {"on": on.status.value, "off": off.status.value}
    feasible = SolveStatus.OPTIMAL in (on.status, off.status)
    base = dict(scenario=scenario_name, presolve_checks=presolve, findings=checks.findings,
                ldn_capacity=checks.ldn_capacity)
    if feasible or SolveStatus.INFEASIBLE not in (on.status, off.status):
        late = SolveStatus.TIME_LIMIT in (on.status, off.status) and not feasible
        return Diagnosis(feasible=feasible, conflicts=(), relaxation=(), alternatives=(), overrides={},
                         seconds=perf_counter() - start, context=OUT_OF_TIME if late else "", **base)
    try:
        return _explain_infeasible(data, lp, options, fewest, start, base)
    except OutOfTime:
        return Diagnosis(feasible=False, conflicts=(), relaxation=(), alternatives=(), overrides={},
                         seconds=perf_counter() - start, context=OUT_OF_TIME, **base)


OUT_OF_TIME = "(the time budget ran out before the diagnosis was complete: allow more with --time-limit)"


def _explain_infeasible(data: ModelData, lp: LinearProgram, options: SolverOptions, fewest: bool, start: float,
                        base: dict) -> Diagnosis:
    rows = relaxable_rows(data, lp)
    elastic = _Elastic.build(lp, rows, options)
    everything = set(range(len(rows)))
    total = elastic.solve(everything)
    if total is None:
        return Diagnosis(feasible=False, conflicts=(), relaxation=(), alternatives=(), overrides={},
                         seconds=perf_counter() - start, structural=True, **base)
    relaxation = _relaxations(data, lp, rows, elastic)
    if fewest:  # on a copy: the second stage changes the objective
        second = _Elastic.build(lp, rows, options)
        second.solve(everything)
        second.fewest_rows(total)
        relaxation = _relaxations(data, lp, rows, second)
    conflicts = _conflicts(elastic, everything)
    alternatives = []
    for member in sorted({i for conflict in conflicts for i in conflict}):
        if elastic.solve({member}) is not None:  # this row alone, every other row holding
            alternatives.extend(_relaxations(data, lp, rows, elastic))
    return Diagnosis(
        feasible=False,
        conflicts=tuple(tuple(ConflictMember.of(rows[i]) for i in conflict) for conflict in conflicts),
        relaxation=tuple(relaxation),
        alternatives=tuple(sorted(alternatives, key=lambda r: r.relative_change)),
        overrides=_overrides(relaxation),
        seconds=perf_counter() - start,
        fewest_rows=fewest,
        **base,
    )


def _conflicts(elastic: _Elastic, everything: set[int]) -> list[list[int]]:
    """Irreducible sets of rows that cannot hold together, by deletion filtering.

    A set H "cannot hold" when, with every other row free, its least violation is positive.
    The filter starts from the rows the least violation depends on (nonzero duals), when they
    cannot hold on their own, which spares a solve per unrelated row. After each conflict is
    found its rows are freed and the search repeats.
    """
    conflicts: list[list[int]] = []
    freed: set[int] = set()

    def cannot_hold(hard: list[int]) -> bool:
        violation = elastic.solve(set(hard), everything - set(hard))
        return violation is None or violation > TOLERANCE

    while len(conflicts) < MAX_CONFLICTS:
        hard = sorted(everything - freed)
        if not hard or not cannot_hold(hard):
            break
        elastic.solve(set(hard), freed)  # least violation of the rest, for its duals
        support = sorted(elastic.supporting_rows() - freed)
        if support and len(support) < len(hard) and cannot_hold(support):
            hard = support
        for row in list(hard):
            trial = [r for r in hard if r != row]
            if cannot_hold(trial):
                hard = trial
        conflicts.append(hard)
        freed |= set(hard)
    return conflicts


def _relaxations(data: ModelData, lp: LinearProgram, rows: list[RelaxableRow], elastic: _Elastic) -> list[Relaxation]:
    violations = elastic.violations()
    x = elastic.values(lp.num_cols)[lp.variable("area").slice]
    out = []
    for row, violation in zip(rows, violations, strict=True):
        if abs(violation) <= TOLERANCE * row.size:
            continue
        out.append(Relaxation.of(row, _required_value(data, row, violation, x)))
    return out


def _required_value(data: ModelData, row: RelaxableRow, violation: float, x: np.ndarray) -> float:
    """The value the row's scenario key must take for the relaxed plan to hold."""
    if row.kind in (SHARE, EQUAL_SHARE):
        share = next(s for s in data.share_targets if s.name == row.name and s.group == row.group
                     and data.dims.periods[s.period] == row.period)
        num_c, num_v = indicator_row(data, share.numerator, share.numerator_mask, share.period)
        if row.kind == EQUAL_SHARE:  # deviation from the common share, as a share of D_g
            return row.value + abs(violation) / share.denominator_value
        den_c, den_v = indicator_row(data, share.denominator, share.denominator_mask, share.period)
        den = float(den_v @ x[den_c])
        return float(num_v @ x[num_c]) / den if den else 0.0
    # targets and LDN rows: the value moves by the violation
    return row.value - violation


def _overrides(relaxation: list[Relaxation]) -> dict[str, float]:
    """Scenario overrides that apply the relaxation (with a hair of slack for round-off)."""
    out: dict[str, float] = {}
    for r in relaxation:
        if r.key is None:  # derived from other inputs (population): nothing to override directly
            continue
        slack = 1e-7 * max(1.0, abs(r.current), abs(r.required))
        if r.sense is Comparison.AT_LEAST or r.kind == LDN:
            value, pick = r.required - slack, min
        elif r.sense is Comparison.AT_MOST or r.kind == EQUAL_SHARE:
            value, pick = r.required + slack, max
        else:
            value, pick = r.required, (lambda a, b: a)
        out[r.key] = float(pick(out[r.key], value) if r.key in out else value)
    return out
