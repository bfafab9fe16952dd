"""Explaining an infeasible scenario in the planner's words.

1. Solve with HiGHS presolve on, and unless that finds a plan, off: presolve has wrongly
   declared feasible models infeasible in several reported cases, so infeasibility is only
   declared when both agree.
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
from dataclasses import replace
from time import perf_counter

import numpy as np

from lup_opt.data.model_data import ModelData
from lup_opt.diagnose.diagnosis import ConflictMember, Diagnosis, Relaxation
from lup_opt.diagnose.findings import CheckReport
from lup_opt.enums import Comparison, SolveStatus
from lup_opt.families.base import RelaxableKind, RelaxableRow
from lup_opt.families.registry import relaxable_rows
from lup_opt.model.land_balance import AREA
from lup_opt.model.lp import LinearProgram
from lup_opt.model.targets import indicator_row
from lup_opt.solve.elastic import ElasticModel, OutOfTime
from lup_opt.solve.highs import solve_with_highspy
from lup_opt.solve.options import Solution, SolverOptions

FORMULATION_IDS = ("D-IIS",)  # models/formulation.md sections this module implements

logger = logging.getLogger(__name__)

MAX_CONFLICTS = 5
TOLERANCE = 1e-7  # relative violation below this is solver noise


def explain(
    scenario_name: str,
    data: ModelData,
    lp: LinearProgram,
    checks: CheckReport,
    options: SolverOptions | None = None,
    *,
    fewest: bool = False,
    solved: Solution | None = None,
) -> Diagnosis:
    """Diagnose a built scenario: feasible or not, and if not, why and what to relax.

    ``solved`` is a solve of this very LP that found it infeasible with presolve on and again
    with it off (``Solution.presolve_rechecked``): its verdict stands, and the diagnosis starts
    at once instead of solving the LP twice more."""
    start = perf_counter()
    options = options or SolverOptions()
    if solved is not None and solved.status is SolveStatus.INFEASIBLE and solved.presolve_rechecked:
        statuses = (SolveStatus.INFEASIBLE, SolveStatus.INFEASIBLE)
    else:
        on = solve_with_highspy(lp, replace(options, presolve=True)).status
        # An optimum with presolve on is a plan that meets the LP as given (HiGHS postsolves it):
        # only a verdict of infeasible (or none) needs the check with presolve off.
        statuses = (on,) if on is SolveStatus.OPTIMAL else (
            on, solve_with_highspy(lp, replace(options, presolve=False)).status)
    presolve = dict(zip(("on", "off"), (status.value for status in statuses), strict=False))
    feasible = SolveStatus.OPTIMAL in statuses
    base = {"scenario": scenario_name, "presolve_checks": presolve, "findings": checks.findings,
            "ldn_capacity": checks.ldn_capacity}
    if feasible or SolveStatus.INFEASIBLE not in statuses:
        late = SolveStatus.TIME_LIMIT in statuses and not feasible
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
    elastic = ElasticModel.build(lp, rows, options)
    everything = set(range(len(rows)))
    total = elastic.solve(everything)
    if total is None:
        return Diagnosis(feasible=False, conflicts=(), relaxation=(), alternatives=(), overrides={},
                         seconds=perf_counter() - start, structural=True, **base)
    relaxation = _relaxations(data, lp, rows, elastic)
    if fewest:  # on a copy: the second stage changes the objective
        second = ElasticModel.build(lp, rows, options)
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


def _conflicts(elastic: ElasticModel, everything: set[int]) -> list[list[int]]:
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


def _relaxations(data: ModelData, lp: LinearProgram, rows: list[RelaxableRow], elastic: ElasticModel) -> list[Relaxation]:
    violations = elastic.violations()
    x = elastic.values(lp.num_cols)[lp.variable(AREA).slice]
    out = []
    for row, violation in zip(rows, violations, strict=True):
        if abs(violation) <= TOLERANCE * row.size:
            continue
        out.append(Relaxation.of(row, _required_value(data, row, violation, x)))
    return out


def _required_value(data: ModelData, row: RelaxableRow, violation: float, x: np.ndarray) -> float:
    """The value the row's scenario key must take for the relaxed plan to hold."""
    if row.kind in (RelaxableKind.SHARE, RelaxableKind.EQUAL_SHARE):
        share = next(s for s in data.share_targets if s.name == row.name and s.group == row.group
                     and data.dims.periods[s.period] == row.period)
        num_c, num_v = indicator_row(data, share.numerator, share.numerator_mask, share.period)
        if row.kind is RelaxableKind.EQUAL_SHARE:  # deviation from the common share, as a share of D_g
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
        if r.sense is Comparison.AT_LEAST or r.kind is RelaxableKind.LDN:
            value, pick = r.required - slack, min
        elif r.sense is Comparison.AT_MOST or r.kind is RelaxableKind.EQUAL_SHARE:
            value, pick = r.required + slack, max
        else:
            value, pick = r.required, (lambda a, b: a)
        out[r.key] = float(pick(out[r.key], value) if r.key in out else value)
    return out
