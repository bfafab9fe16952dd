"""Indicator values of a plan: per land unit first, then summed to any scope.

A plan's per-unit values (indicators x periods x land units) are computed once from the nonzero
areas only (an optimal vertex uses few of the LP's columns), and every table of indicator values,
target and share value is a sum over them plus the non-land terms (food flows, finance, people
without work) of jurisdiction scopes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lup_opt.data.model_data import ModelData
from lup_opt.enums import Comparison
from lup_opt.model.land_balance import AREA
from lup_opt.model.targets import non_land_terms
from lup_opt.results.ldn_hierarchy import proportion_degraded

Values = Mapping[str, np.ndarray]  # variable values per block: AREA and the non-land blocks


def as_values(area: np.ndarray | Values) -> Values:
    return area if isinstance(area, Mapping) else {AREA: area}


def evaluate_terms(terms: Mapping[str, tuple[np.ndarray, np.ndarray]], values: Values) -> float:
    """The value of an indicator expression (E-IND terms per block) at given variable values."""
    return float(sum(vals @ values[block][index] for block, (index, vals) in terms.items() if block in values))


@dataclass(frozen=True)
class PlanValues:
    """A plan's variable values and its indicator values per land unit."""

    values: Values
    per_unit: np.ndarray  # (indicators, periods, land units)

    @classmethod
    def of(cls, data: ModelData, plan: np.ndarray | Values) -> PlanValues:
        values = as_values(plan)
        area = values[AREA]
        n_units = len(data.units.area)
        unit_of_column = data.columns.unit
        per_period = []
        for coefficients in data.coefficients:
            n_indicators = coefficients.shape[0]
            held = area[coefficients.indices]
            used = np.flatnonzero(held)
            row = np.searchsorted(coefficients.indptr, used, side="right") - 1
            key = row * n_units + unit_of_column[coefficients.indices[used]]
            weights = coefficients.data[used] * held[used]
            per_period.append(np.bincount(key, weights=weights, minlength=n_indicators * n_units)
                              .reshape(n_indicators, n_units))
        return cls(values, np.stack(per_period, axis=1))

    def in_scope(self, data: ModelData, indicator: int, unit_mask: np.ndarray, period: int,
                 jurisdictions: np.ndarray | None) -> float:
        """E-IND: the indicator over the units in a scope in one period, with the non-land terms
        of jurisdiction scopes."""
        land = float(self.per_unit[indicator, period][unit_mask].sum())
        return land + evaluate_terms(non_land_terms(data, indicator, period, jurisdictions), self.values)

    def by_group(self, data: ModelData, group_of_unit: np.ndarray, n_groups: int,
                 jurisdiction_groups: bool) -> np.ndarray:
        """(indicators, periods, groups): every indicator summed over unit groups; the non-land
        variables count when the groups are jurisdictions (or the whole area)."""
        n_units = self.per_unit.shape[2]
        onehot = sp.csr_matrix((np.ones(n_units), (np.arange(n_units), group_of_unit)), shape=(n_units, n_groups))
        out = (self.per_unit.reshape(-1, n_units) @ onehot).reshape(*self.per_unit.shape[:2], n_groups)
        if jurisdiction_groups:
            for term in data.extra_terms:
                if term.block not in self.values:
                    continue
                group = term.jurisdiction if n_groups > 1 else np.zeros(len(term.index), dtype=np.int64)
                contribution = term.value * self.values[term.block][term.index]
                np.add.at(out[term.indicator], (term.period, group), contribution)
        return out


def _groupings(data: ModelData) -> list[tuple[str, tuple[str, ...], np.ndarray]]:
    units, dims = data.units, data.dims
    return [
        ("functional_area", ("functional area",), np.zeros(len(units.area), dtype=np.int64)),
        ("jurisdiction", dims.jurisdictions, units.jurisdiction.astype(np.int64)),
        ("zone", dims.zones, units.zone.astype(np.int64)),
        ("land_type", dims.land_types, units.land_type.astype(np.int64)),
    ]


def indicator_table(data: ModelData, area: np.ndarray | Values, baseline_area: np.ndarray) -> pd.DataFrame:
    """Every indicator for the whole area, each jurisdiction, zone and land type, and every
    target's own scope, planned and at baseline, with target, shortfall and whether it is met;
    then SDG 15.3.1, the proportion of land degraded, per jurisdiction.

    ``area`` is the area per column, or the values of every variable block. Baseline values
    count the land only (food flows, finance and people without work are not known for it).
    """
    dims = data.dims
    planned_plan, before_plan = PlanValues.of(data, area), PlanValues.of(data, baseline_area)
    records = []
    for scope_type, names, group in _groupings(data):
        by_jurisdiction = scope_type in ("functional_area", "jurisdiction")
        planned = planned_plan.by_group(data, group, len(names), by_jurisdiction)
        before = before_plan.by_group(data, group, len(names), by_jurisdiction)
        for i, indicator in enumerate(dims.indicators):
            for t, period in enumerate(dims.periods):
                for g, name in enumerate(names):
                    records.append((indicator, dims.indicator_units[i], scope_type, str(name), period,
                                    before[i, t, g], planned[i, t, g]))
    table = pd.DataFrame.from_records(
        records,
        columns=["indicator", "unit", "scope_type", "scope", "period", "baseline_value", "value"],
    )
    if not table.empty:
        table = table[(table["scope_type"] != "zone") | (table["value"] != 0) | (table["baseline_value"] != 0)]
    targets = target_rows(data, planned_plan, before_plan)
    table = pd.concat([table, targets], ignore_index=True) if len(targets) else table
    table = pd.concat([table, proportion_degraded(data, as_values(area)[AREA])], ignore_index=True)
    table["change"] = table["value"] - table["baseline_value"]
    for column in ("target_name", "sense", "kind"):
        if column not in table:
            table[column] = ""
        table[column] = table[column].fillna("")
    order = ["indicator", "unit", "scope_type", "scope", "period", "baseline_value", "value", "change",
             "target_name", "kind", "sense", "target", "shortfall", "met"]
    for column in order:
        if column not in table:
            table[column] = np.nan
    return table[order].reset_index(drop=True)


def _gap(sense: Comparison, value: float, target: float) -> float:
    if sense is Comparison.AT_LEAST:
        gap = target - value
    elif sense is Comparison.AT_MOST:
        gap = value - target
    else:
        gap = abs(value - target)
    return gap if gap > 1e-7 * max(1.0, abs(target)) else 0.0


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")


def target_rows(data: ModelData, planned: PlanValues, before: PlanValues) -> pd.DataFrame:
    """One row per target (and share target) with its value, shortfall and whether it is met."""
    dims = data.dims
    records = []
    for target in data.targets:
        def value_of(plan: PlanValues, target=target) -> float:
            return plan.in_scope(data, target.indicator, target.unit_mask, target.period, target.jurisdictions)
        value = value_of(planned)
        gap = _gap(target.sense, value, target.value)
        records.append({
            "indicator": dims.indicators[target.indicator],
            "unit": dims.indicator_units[target.indicator],
            "scope_type": "target", "scope": target.scope, "period": dims.periods[target.period],
            "baseline_value": value_of(before), "value": value,
            "target_name": target.name, "kind": target.kind.value, "sense": target.sense.value,
            "target": target.value, "shortfall": gap, "met": gap == 0.0,
        })
    for share in data.share_targets:
        def share_of(plan: PlanValues, share=share) -> float:
            return _ratio(
                plan.in_scope(data, share.numerator, share.numerator_mask, share.period, share.numerator_jurisdictions),
                plan.in_scope(data, share.denominator, share.denominator_mask, share.period,
                              share.denominator_jurisdictions),
            )
        value = share_of(planned)
        gap = _gap(share.sense, value, share.share) if share.share is not None else 0.0
        records.append({
            "indicator": f"{dims.indicators[share.numerator]}/{dims.indicators[share.denominator]}",
            "unit": "share", "scope_type": "share_target", "scope": share.scope,
            "period": dims.periods[share.period],
            "baseline_value": share_of(before), "value": value,
            "target_name": share.name, "kind": share.kind.value, "sense": share.sense.value,
            "target": share.share if share.share is not None else np.nan,
            "shortfall": gap, "met": gap == 0.0,
        })
    return pd.DataFrame.from_records(records)
