"""Checks before solving, fast and without the full LP.

- Targets: for each indicator and year, the hard targets on it form a tiny LP over groups of
  land parts (parts grouped by which target scopes they fall in, each group bounded by the least
  and most its parts could contribute). If that LP is infeasible the targets cannot hold on the
  land available whatever else happens; a deletion filter names the smallest conflicting set
  (one target: beyond reach; several: inconsistent, e.g. nested jurisdiction targets that
  contradict a functional-area limit).
- Share targets: one alone beyond reach (the most or least share the land allows), and two on
  the same quantities that ask for incompatible shares.
- LDN capacity: per LDN group, the most area that can become a gain against the least area that
  must become a loss (parts with no other use, plus what a hard target forces, by a fractional
  knapsack): if even that best net is below the target, LDN cannot hold.
- Numerics: coefficient ranges over 1e9 and values over 1e10, with where they come from.

Every bound ignores the other constraints, so an error is a proof of infeasibility, never a guess;
what these checks cannot see, ``explain`` finds with the full model.
"""

from __future__ import annotations

from collections import defaultdict
from time import perf_counter

import numpy as np
import pandas as pd

from lup_opt.data.model_data import ModelData
from lup_opt.data.targets import ShareTargetRow, TargetRow
from lup_opt.diagnose.bounds import (
    covering_area,
    indicator_values,
    part_any,
    part_max,
    part_min,
    part_starts,
)
from lup_opt.diagnose.findings import CheckReport, Finding, Severity
from lup_opt.enums import Comparison, TargetKind
from lup_opt.formatting import number
from lup_opt.model.lp import LinearProgram
from lup_opt.scenario.scenario import Scenario
from lup_opt.solve.highs import is_feasible

FORMULATION_IDS = ("D-LDN-CAPACITY",)  # models/formulation.md sections this module implements

COEFFICIENT_RANGE_LIMIT = 1e9
VALUE_LIMIT = 1e10


def run_checks(scenario: Scenario, data: ModelData, lp: LinearProgram) -> CheckReport:
    start = perf_counter()
    findings = [*target_checks(data), *share_checks(data)]
    capacity, ldn_findings = ldn_capacity(data)
    findings += ldn_findings
    findings += numeric_checks(scenario, data, lp)
    return CheckReport(tuple(findings), capacity, perf_counter() - start)


# --- targets -------------------------------------------------------------------------------


def describe_target(data: ModelData, target: TargetRow) -> str:
    unit = data.dims.indicator_units[target.indicator]
    return (f"'{target.name}' ({data.dims.indicators[target.indicator]} {target.sense.value} "
            f"{number(target.value)} {unit}, {target.scope}, {data.dims.periods[target.period]})")


def _scope_range(data: ModelData, lo: np.ndarray, hi: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    in_scope = mask[data.parts.unit]
    area = data.parts.area[in_scope]
    return float(area @ lo[in_scope]), float(area @ hi[in_scope])


def _violates(sense: Comparison, value: float, low: float, high: float) -> bool:
    tol = 1e-9 * max(1.0, abs(value))
    return (sense is not Comparison.AT_MOST and high < value - tol) or (
        sense is not Comparison.AT_LEAST and low > value + tol
    )


def land_only(data: ModelData, indicator: int, jurisdictions: np.ndarray | None) -> bool:
    """Whether an indicator in a scope depends on land alone (no food, finance or people without
    work terms count there), so that per-part bounds are bounds of it."""
    return jurisdictions is None or not any(t.indicator == indicator for t in data.extra_terms)


def target_checks(data: ModelData) -> list[Finding]:
    findings: list[Finding] = []
    by_indicator: dict[tuple[int, int], list[TargetRow]] = defaultdict(list)
    for target in data.targets:
        if land_only(data, target.indicator, target.jurisdictions):
            by_indicator[(target.indicator, target.period)].append(target)
    for (indicator, period), targets in by_indicator.items():
        values = indicator_values(data, indicator, period)
        lo, hi = part_min(data, values), part_max(data, values)
        ranges = {id(t): _scope_range(data, lo, hi, t.unit_mask) for t in targets}
        for target in targets:
            low, high = ranges[id(target)]
            if target.kind is TargetKind.SOFT and _violates(target.sense, target.value, low, high):
                findings.append(Finding(
                    Severity.WARNING, "target_reach",
                    f"Soft target {describe_target(data, target)} cannot be met on the land available "
                    f"(its scope can give between {number(low)} and {number(high)}); it will fall short.",
                    (f"targets.{target.name}",), {"value": target.value, "reachable_min": low, "reachable_max": high},
                ))
        hard = [t for t in targets if t.kind is TargetKind.HARD]
        conflict = _conflicting_targets(data, hard, lo, hi)
        if conflict:
            findings.append(_target_conflict_finding(data, conflict, ranges))
    return findings


def _conflicting_targets(data: ModelData, targets: list[TargetRow], lo: np.ndarray, hi: np.ndarray) -> list[TargetRow]:
    """The smallest set of these targets that cannot hold together (empty if they can)."""
    if not targets:
        return []
    membership = np.stack([t.unit_mask[data.parts.unit] for t in targets], axis=1)
    if membership.shape[1] <= 62:  # one integer per part: a far cheaper unique than rows
        bits = membership.astype(np.int64) @ (np.int64(1) << np.arange(membership.shape[1], dtype=np.int64))
        _, first, group = np.unique(bits, return_index=True, return_inverse=True)
        signatures = membership[first]
    else:
        signatures, group = np.unique(membership, axis=0, return_inverse=True)
    group = group.ravel()
    low = np.bincount(group, weights=data.parts.area * lo, minlength=len(signatures))
    high = np.bincount(group, weights=data.parts.area * hi, minlength=len(signatures))
    matrix = signatures.T.astype(float)  # (targets x groups)
    bounds = [_row_bounds(t.sense, t.value) for t in targets]
    active = list(range(len(targets)))
    if _groups_feasible(low, high, matrix, bounds, active):
        return []
    for r in list(active):  # deletion filter
        trial = [a for a in active if a != r]
        if not _groups_feasible(low, high, matrix, bounds, trial):
            active = trial
    return [targets[r] for r in active]


def _row_bounds(sense: Comparison, value: float) -> tuple[float, float]:
    return {Comparison.AT_LEAST: (value, np.inf), Comparison.AT_MOST: (-np.inf, value),
            Comparison.EQUAL: (value, value)}[sense]


def _groups_feasible(low, high, matrix, bounds, rows: list[int]) -> bool:
    given = [(np.flatnonzero(matrix[r]), matrix[r][np.flatnonzero(matrix[r])]) for r in rows]
    return is_feasible(low, high, given, np.array([bounds[r][0] for r in rows]),
                       np.array([bounds[r][1] for r in rows]))


def _target_conflict_finding(data: ModelData, conflict: list[TargetRow], ranges: dict) -> Finding:
    keys = tuple(f"targets.{t.name}" for t in conflict)
    if len(conflict) == 1:
        target = conflict[0]
        low, high = ranges[id(target)]
        unit = data.dims.indicator_units[target.indicator]
        if target.sense is not Comparison.AT_MOST and high < target.value:
            reach = f"even if every hectare in its scope took the use that gives the most, it would reach {number(high)} {unit}"
        else:
            reach = f"even if every hectare in its scope took the use that gives the least, it would be {number(low)} {unit}"
        return Finding(Severity.ERROR, "target_reach",
                       f"Target {describe_target(data, target)} is beyond reach: {reach}.",
                       keys, {"value": target.value, "reachable_min": low, "reachable_max": high})
    parts = "; ".join(
        f"{describe_target(data, t)} (alone reachable: {number(ranges[id(t)][0])} to {number(ranges[id(t)][1])})"
        for t in conflict
    )
    return Finding(Severity.ERROR, "target_consistency",
                   f"These targets cannot all hold on the land available, though each alone can: {parts}. "
                   "Their scopes overlap or nest, so the values contradict each other.",
                   keys, {t.name: t.value for t in conflict})


# --- share targets -------------------------------------------------------------------------


def _share_extreme(data: ModelData, row: ShareTargetRow, share: float, sense: str) -> float:
    """max (or min) over plans of numerator - share x denominator, summed per part."""
    num = indicator_values(data, row.numerator, row.period) * row.numerator_mask[data.columns.unit]
    den = indicator_values(data, row.denominator, row.period) * row.denominator_mask[data.columns.unit]
    combined = num - share * den
    per_part = part_max(data, combined) if sense == "max" else part_min(data, combined)
    return float(data.parts.area @ per_part)


def _reachable_share(data: ModelData, row: ShareTargetRow, sense: str) -> float:
    """The highest (sense 'max') or lowest share the land allows, by bisection on the share."""
    lo, hi = 0.0, 1.0
    while _share_extreme(data, row, hi, "max") >= 0 and hi < 1e6:
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        if sense == "max":
            lo, hi = (mid, hi) if _share_extreme(data, row, mid, "max") >= 0 else (lo, mid)
        else:
            lo, hi = (lo, mid) if _share_extreme(data, row, mid, "min") <= 0 else (mid, hi)
    return (lo + hi) / 2


def share_checks(data: ModelData) -> list[Finding]:
    findings = []
    same_quantities: dict[tuple, list[ShareTargetRow]] = defaultdict(list)
    for row in data.share_targets:
        if row.share is None or not (land_only(data, row.numerator, row.numerator_jurisdictions)
                                     and land_only(data, row.denominator, row.denominator_jurisdictions)):
            continue
        key = (row.numerator, row.numerator_mask.tobytes(), row.denominator,
               row.denominator_mask.tobytes(), row.period)
        same_quantities[key].append(row)
        severity = Severity.ERROR if row.kind is TargetKind.HARD else Severity.WARNING
        where = f"{row.scope}, {data.dims.periods[row.period]}"
        if row.sense is not Comparison.AT_MOST and _share_extreme(data, row, row.share, "max") < -1e-9:
            best = _reachable_share(data, row, "max")
            findings.append(Finding(severity, "share_reach",
                                    f"Share target '{row.name}' ({where}) asks for at least {row.share:.1%}, but the "
                                    f"land allows at most {best:.1%}.",
                                    (f"share_targets.{row.name}",), {"share": row.share, "reachable_max": best}))
        if row.sense is not Comparison.AT_LEAST and _share_extreme(data, row, row.share, "min") > 1e-9:
            least = _reachable_share(data, row, "min")
            findings.append(Finding(severity, "share_reach",
                                    f"Share target '{row.name}' ({where}) asks for at most {row.share:.1%}, but the "
                                    f"land allows no less than {least:.1%}.",
                                    (f"share_targets.{row.name}",), {"share": row.share, "reachable_min": least}))
    for rows in same_quantities.values():
        floors = [r for r in rows if r.sense is not Comparison.AT_MOST]
        ceilings = [r for r in rows if r.sense is not Comparison.AT_LEAST]
        if not floors or not ceilings:
            continue
        floor = max(floors, key=lambda r: r.share)
        ceiling = min(ceilings, key=lambda r: r.share)
        if floor.share <= ceiling.share + 1e-12 or floor is ceiling:
            continue
        den = indicator_values(data, floor.denominator, floor.period) * floor.denominator_mask[data.columns.unit]
        least_den = float(data.parts.area @ part_min(data, den))
        hard = floor.kind is TargetKind.HARD and ceiling.kind is TargetKind.HARD and least_den > 1e-9
        denominator = data.dims.indicators[floor.denominator]
        findings.append(Finding(
            Severity.ERROR if hard else Severity.WARNING, "share_conflict",
            f"Share targets '{floor.name}' (at least {floor.share:.1%}) and '{ceiling.name}' (at most "
            f"{ceiling.share:.1%}) of the same quantities ({floor.scope}) cannot both hold"
            + ("." if hard else f" unless {denominator} is zero there."),
            (f"share_targets.{floor.name}", f"share_targets.{ceiling.name}"),
            {"at_least": floor.share, "at_most": ceiling.share},
        ))
    return findings


# --- LDN capacity --------------------------------------------------------------------------

CAPACITY_COLUMNS = ["land_type", "jurisdiction", "period", "max_gain_ha", "loss_without_alternative_ha",
                    "loss_forced_by_targets_ha", "forcing_target", "best_net_ha", "target_ha", "feasible"]


def ldn_capacity(data: ModelData) -> tuple[pd.DataFrame, list[Finding]]:
    rows = data.ldn_rows
    if not rows.enforced:
        return pd.DataFrame(columns=CAPACITY_COLUMNS), []
    records, findings = [], []
    area = data.parts.area
    group = rows.group_of_column[part_starts(data)]  # every column of a part is in its LDN group
    for t, period in enumerate(data.dims.periods):
        loss_column = data.ldn.loss_weight[t] > 0
        gain_column = data.ldn.gain_weight[t] > 0
        has_gain = part_any(data, gain_column)
        has_free = part_any(data, ~loss_column)
        has_loss = part_any(data, loss_column)
        n_groups = rows.n_groups
        max_gain = np.bincount(group, weights=area * has_gain, minlength=n_groups)
        structural = np.bincount(group, weights=area * ~has_free, minlength=n_groups)
        forced = np.zeros(n_groups)
        forcing = [""] * n_groups
        for target in (tg for tg in data.targets if tg.kind is TargetKind.HARD and tg.period == t
                       and land_only(data, tg.indicator, tg.jurisdictions)):
            values = indicator_values(data, target.indicator, t)
            signs = {Comparison.AT_LEAST: (1.0,), Comparison.AT_MOST: (-1.0,), Comparison.EQUAL: (1.0, -1.0)}
            for sign in signs[target.sense]:
                extra = _forced_loss(data, sign * values, sign * target.value, target.unit_mask, group,
                                     has_free, has_loss, loss_column, n_groups)
                better = extra > forced
                forced = np.where(better, extra, forced)
                forcing = [target.name if b else f for b, f in zip(better, forcing, strict=True)]
        labels = rows.labels
        for g in range(n_groups):
            i = t * n_groups + g
            min_loss = structural[g] + forced[g]
            best_net = max_gain[g] - min_loss
            tau = float(labels["target_ha"].iat[i])
            feasible = best_net >= tau - 1e-6 * max(1.0, max_gain[g] + min_loss)
            record = {"land_type": labels["land_type"].iat[i], "jurisdiction": labels["jurisdiction"].iat[i],
                      "period": period, "max_gain_ha": max_gain[g], "loss_without_alternative_ha": structural[g],
                      "loss_forced_by_targets_ha": forced[g], "forcing_target": forcing[g],
                      "best_net_ha": best_net, "target_ha": tau, "feasible": feasible}
            records.append(record)
            if not feasible:
                findings.append(_ldn_finding(record))
    return pd.DataFrame.from_records(records, columns=CAPACITY_COLUMNS), findings


def _forced_loss(data, values, value, mask, group, has_free, has_loss, loss_column, n_groups) -> np.ndarray:
    """Per LDN group: the least loss area that reaching ``values`` >= ``value`` forces there."""
    best_all = part_max(data, values)
    best_free = part_max(data, values, allowed=~loss_column)
    best_loss = part_max(data, values, allowed=loss_column)
    in_scope = mask[data.parts.unit]
    area = data.parts.area
    own = np.where(has_free, best_free, best_loss)  # what a part gives without a new loss there
    rate = np.where(has_free & has_loss, best_loss - best_free, 0.0)
    out = np.zeros(n_groups)
    total_all = float(area[in_scope] @ best_all[in_scope])
    for g in np.unique(group[in_scope]):
        in_group = group == g
        free = total_all - float(area[in_scope & in_group] @ (best_all - own)[in_scope & in_group])
        pick = in_scope & in_group
        out[g] = covering_area(rate[pick], area[pick], value - free)
    return np.where(np.isfinite(out), out, 0.0)  # unreachable targets are reported by target_checks


def _ldn_finding(record: dict) -> Finding:
    where = f"land type '{record['land_type']}'" + (
        f" in {record['jurisdiction']}" if record["jurisdiction"] != "all" else "") + f", {record['period']}"
    forced = (f", {number(record['loss_forced_by_targets_ha'])} ha forced by target '{record['forcing_target']}'"
              if record["forcing_target"] else "")
    keys = (f"ldn.net_target_ha.{record['land_type']}",) + (
        (f"targets.{record['forcing_target']}",) if record["forcing_target"] else ())
    return Finding(
        Severity.ERROR, "ldn_capacity",
        f"LDN cannot hold on {where}: at most {number(record['max_gain_ha'])} ha can become gains, while at least "
        f"{number(record['loss_without_alternative_ha'] + record['loss_forced_by_targets_ha'])} ha must become "
        f"losses ({number(record['loss_without_alternative_ha'])} ha with no use that avoids a loss{forced}); "
        f"the best net is {number(record['best_net_ha'])} ha against a target of {number(record['target_ha'])} ha.",
        keys, {k: record[k] for k in ("max_gain_ha", "loss_without_alternative_ha", "loss_forced_by_targets_ha",
                                      "best_net_ha", "target_ha")},
    )


# --- numerics ------------------------------------------------------------------------------


def _rescale_hint(largest: float) -> str:
    exponent = 3 * int(np.floor((np.log10(largest) - 3) / 3))
    return f"divide its values (and targets) by 1e{exponent}, i.e. count it in units 1e{exponent} times larger"


def numeric_checks(scenario: Scenario, data: ModelData, lp: LinearProgram) -> list[Finding]:
    findings = []
    table = scenario.coefficients
    if len(table):
        big = np.abs(table["value"].to_numpy(dtype=float)) > VALUE_LIMIT
        for row in table.loc[big].head(5).itertuples():
            findings.append(Finding(
                Severity.WARNING, "numerics",
                f"{scenario.table_label('coefficients')}, line {row.source_line}: {row.indicator} = "
                f"{row.value:.3g} per ha is above 1e10; {_rescale_hint(abs(row.value))}.",
                (f"indicators.{row.indicator}",), {"value": row.value}))
    for name, target in scenario.config.targets.items():
        if abs(target.value) > VALUE_LIMIT:
            findings.append(Finding(
                Severity.WARNING, "numerics",
                f"Target '{name}' has value {target.value:.3g}, above 1e10; for {target.indicator}, "
                f"{_rescale_hint(abs(target.value))}.", (f"targets.{name}.value",), {"value": target.value}))
    magnitudes = np.abs(lp.matrix.data)
    magnitudes = magnitudes[magnitudes > 0]
    if len(magnitudes) and magnitudes.max() / magnitudes.min() > COEFFICIENT_RANGE_LIMIT:
        findings.append(_range_finding(scenario, data, magnitudes))
    costs = np.abs(lp.cost[lp.cost != 0])
    if len(costs) and costs.max() / costs.min() > COEFFICIENT_RANGE_LIMIT:
        scales = ", ".join(f"{t.indicator} (weight {t.weight:g}, scale {t.scale:g})" for t in scenario.config.objective.terms)
        findings.append(Finding(
            Severity.WARNING, "numerics",
            f"Objective coefficients range over {costs.max() / costs.min():.1e} (more than 1e9), from "
            f"{costs.min():.3g} to {costs.max():.3g}; terms: {scales}. Bring the terms to similar magnitudes "
            "with their scale (and penalties to the same order as the objective's values).",
            ("objective.terms",), {"smallest": float(costs.min()), "largest": float(costs.max())}))
    return findings


def _range_finding(scenario: Scenario, data: ModelData, magnitudes: np.ndarray) -> Finding:
    per_indicator = []
    for i, name in enumerate(data.dims.indicators):
        values = np.abs(np.concatenate([c.getrow(i).data for c in data.coefficients]))
        values = values[values > 0]
        if len(values):
            per_indicator.append((name, values.min(), values.max()))
    smallest = min(per_indicator, key=lambda item: item[1])
    largest = max(per_indicator, key=lambda item: item[2])
    lines = scenario.coefficients.loc[
        scenario.coefficients["indicator"] == largest[0], ["value", "source_line"]
    ]
    top = lines.loc[lines["value"].abs().sort_values(ascending=False).index, "source_line"].head(3).tolist()
    where = f" ({scenario.table_label('coefficients')} lines {', '.join(map(str, top))})" if top else ""
    return Finding(
        Severity.WARNING, "numerics",
        f"Matrix coefficients range over {magnitudes.max() / magnitudes.min():.1e} (more than 1e9), from "
        f"{smallest[1]:.3g} ({smallest[0]}) to {largest[2]:.3g} ({largest[0]}{where}); HiGHS may lose accuracy. "
        f"For {largest[0]}, {_rescale_hint(largest[2])}.",
        (f"indicators.{largest[0]}", f"indicators.{smallest[0]}"),
        {"smallest": smallest[1], "largest": largest[2]})
