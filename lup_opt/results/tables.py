"""Solution arrays -> the planner's tables (allocation, transitions, LDN balance, indicators).

All aggregation is sparse algebra or pandas group-bys over the area columns; nothing loops over
land units.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lup_opt.data.model_data import ModelData
from lup_opt.data.targets import ALL
from lup_opt.enums import Comparison
from lup_opt.ldn_rules import BASELINE_STATUSES
from lup_opt.model.land_balance import AREA
from lup_opt.model.ldn import ldn_row_enforced
from lup_opt.model.targets import indicator_terms

# Areas below this (ha) are solver noise, not planned land.
AREA_EPS = 1e-9
LOSS_DRIVERS = ("land_cover", "soc", "productivity")


def state_by_part(data: ModelData, area: np.ndarray, period: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Area per (part, use) in one period: (part index, use index, area) where area > 0."""
    n_uses = len(data.dims.uses)
    key = data.columns.part.astype(np.int64) * n_uses + data.columns.use_in(period)
    totals = np.bincount(key, weights=np.clip(area, 0.0, None), minlength=data.parts.size * n_uses)
    index = np.flatnonzero(totals > AREA_EPS)
    return index // n_uses, index % n_uses, totals[index]


def allocation_table(data: ModelData, area: np.ndarray) -> pd.DataFrame:
    """land_unit, baseline_use, use, period, area_ha: the land use of every part in every year."""
    dims, parts = data.dims, data.parts
    frames = []
    for t, year in enumerate(dims.periods):
        part, use, total = state_by_part(data, area, t)
        frames.append(pd.DataFrame({
            "land_unit": np.asarray(dims.land_units, dtype=object)[parts.unit[part]].astype(str),
            "baseline_use": np.asarray(dims.uses, dtype=object)[parts.use[part]],
            "use": np.asarray(dims.uses, dtype=object)[use],
            "period": year,
            "area_ha": total,
        }))
    return pd.concat(frames, ignore_index=True)


def conversions_table(data: ModelData, area: np.ndarray) -> pd.DataFrame:
    """land_unit, baseline_use, use, period, area_ha: the changes of use and when they happen
    (``period`` is the planning year that ends the period of the change)."""
    dims, cols = data.dims, data.columns
    changed = (cols.conversion >= 0) & (area > AREA_EPS)
    return pd.DataFrame({
        "land_unit": np.asarray(dims.land_units, dtype=object)[cols.unit[changed]].astype(str),
        "baseline_use": np.asarray(dims.uses, dtype=object)[cols.from_use[changed]],
        "use": np.asarray(dims.uses, dtype=object)[cols.to_use[changed]],
        "period": np.asarray(dims.periods)[cols.conversion[changed]],
        "area_ha": area[changed],
    })


def transitions_table(data: ModelData, area: np.ndarray) -> pd.DataFrame:
    """Baseline use -> use held in each year, per jurisdiction and for the whole area ('all')."""
    dims, parts = data.dims, data.parts
    frames = []
    for t, year in enumerate(dims.periods):
        part, use, total = state_by_part(data, area, t)
        frames.append(pd.DataFrame({
            "jurisdiction": np.asarray(dims.jurisdictions, dtype=object)[data.units.jurisdiction[parts.unit[part]]],
            "baseline_use": np.asarray(dims.uses, dtype=object)[parts.use[part]],
            "use": np.asarray(dims.uses, dtype=object)[use],
            "period": year,
            "area_ha": total,
        }))
    frame = pd.concat(frames, ignore_index=True)
    keys = ["baseline_use", "use", "period"]
    per_jurisdiction = frame.groupby(["jurisdiction", *keys], as_index=False, sort=True)["area_ha"].sum()
    total = frame.groupby(keys, as_index=False, sort=True)["area_ha"].sum()
    total.insert(0, "jurisdiction", ALL)
    table = pd.concat([total, per_jurisdiction], ignore_index=True)
    return table.loc[table["area_ha"] > AREA_EPS].reset_index(drop=True)


def ldn_balance_table(data: ModelData, area: np.ndarray) -> pd.DataFrame:
    """Gains, losses and net area per LDN group (land type, jurisdiction when scoped, period).

    A loss is attributed to every indicator that declined on it (one-out-all-out), so the
    driver columns can add up to more than ``losses_ha``; ``main_loss_driver`` names the largest.
    """
    rows, ldn = data.ldn_rows, data.ldn
    x = np.clip(area, 0.0, None)
    n_periods = len(data.dims.periods)
    group = (np.arange(n_periods)[:, None] * rows.n_groups + rows.group_of_column[None, :]).ravel()
    x = np.tile(x, n_periods)  # one copy of the plan per year, against that year's classes

    def total(weights: np.ndarray) -> np.ndarray:
        return np.bincount(group, weights=np.ravel(weights), minlength=rows.size)

    status = ldn.status.ravel()
    loss = status == -1
    table = rows.labels.copy()
    table["area_ha"] = total(x)
    table["gains_ha"] = total(np.where(status == 1, x, 0.0))
    table["losses_ha"] = total(np.where(loss, x, 0.0))
    table["neutral_ha"] = total(np.where(status == 0, x, 0.0))
    share = data.linkages.gain_effectiveness
    counted = np.tile(share, n_periods) if share is not None else 1.0
    table["gains_counted_ha"] = total(np.where(status == 1, x * counted, 0.0))
    table["net_ha"] = table["gains_counted_ha"] - table["losses_ha"]
    tolerance = 1e-6 * np.maximum(1.0, table["area_ha"].to_numpy())
    table["met"] = table["net_ha"].to_numpy() >= table["target_ha"].to_numpy() - tolerance
    table["enforced"] = ldn_row_enforced(data)
    for driver in LOSS_DRIVERS:
        table[f"losses_{driver}_ha"] = total(np.where(loss & (getattr(ldn, driver).ravel() == -1), x, 0.0))
    drivers = table[[f"losses_{d}_ha" for d in LOSS_DRIVERS]].to_numpy()
    top = drivers >= drivers.max(axis=1, keepdims=True) - 1e-9 * np.maximum(1.0, drivers.max(axis=1, keepdims=True))
    names = np.asarray(LOSS_DRIVERS, dtype=object)
    main = ["+".join(names[row]) for row in top]  # one entry per LDN group, not per land unit
    table["main_loss_driver"] = np.where(table["losses_ha"].to_numpy() > AREA_EPS, main, "")
    degraded = data.units.baseline_status[data.columns.unit] == BASELINE_STATUSES.index("degraded")
    table["degraded_at_baseline_ha"] = total(np.where(np.tile(degraded, n_periods), x, 0.0))
    order = [
        "land_type", "jurisdiction", "period", "target_year", "area_ha", "gains_ha", "gains_counted_ha",
        "losses_ha", "neutral_ha", "net_ha", "target_ha", "met", "enforced", "main_loss_driver",
        *[f"losses_{d}_ha" for d in LOSS_DRIVERS], "degraded_at_baseline_ha",
    ]
    return table[order]


Values = Mapping[str, np.ndarray]  # variable values per block: AREA and the non-land blocks


def as_values(area: np.ndarray | Values) -> Values:
    return area if isinstance(area, Mapping) else {AREA: area}


def _group_values(data: ModelData, values: Values, group_of_unit: np.ndarray, n_groups: int,
                  jurisdiction_groups: bool) -> np.ndarray:
    """(indicators, periods, groups) values of every indicator summed over unit groups; the
    non-land variables count when the groups are jurisdictions (or the whole area)."""
    cols = data.columns
    area = values[AREA]
    onehot = sp.csr_matrix((area, (np.arange(cols.size), group_of_unit[cols.unit])), shape=(cols.size, n_groups))
    out = np.stack([(coefficients @ onehot).toarray() for coefficients in data.coefficients], axis=1)
    if jurisdiction_groups:
        for term in data.linkages.extra_terms:
            if term.block not in values:
                continue
            group = term.jurisdiction if n_groups > 1 else np.zeros(len(term.index), dtype=np.int64)
            contribution = term.value * values[term.block][term.index]
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
    target's own scope, planned and at baseline, with target, shortfall and whether it is met.

    ``area`` is the area per column, or the values of every variable block. Baseline values
    count the land only (food flows, finance and people without work are not known for it).
    """
    dims = data.dims
    values, before_values = as_values(area), as_values(baseline_area)
    records = []
    for scope_type, names, group in _groupings(data):
        by_jurisdiction = scope_type in ("functional_area", "jurisdiction")
        planned = _group_values(data, values, group, len(names), by_jurisdiction)
        before = _group_values(data, before_values, group, len(names), by_jurisdiction)
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
    targets = target_rows(data, values, before_values)
    table = pd.concat([table, targets], ignore_index=True) if len(targets) else table
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


def evaluate_terms(terms: Mapping[str, tuple[np.ndarray, np.ndarray]], values: Values) -> float:
    """The value of an indicator expression (E-IND terms per block) at given variable values."""
    return float(sum(vals @ values[block][index] for block, (index, vals) in terms.items() if block in values))


def _ratio(numerator, denominator, values: Values) -> float:
    """numerator / denominator (E-IND terms); NaN when the denominator is 0."""
    den = evaluate_terms(denominator, values)
    return evaluate_terms(numerator, values) / den if den else float("nan")


def target_rows(data: ModelData, area: np.ndarray | Values, baseline_area: np.ndarray | Values) -> pd.DataFrame:
    """One row per target (and share target) with its value, shortfall and whether it is met."""
    dims = data.dims
    values, before = as_values(area), as_values(baseline_area)
    records = []
    for target in data.targets:
        terms = indicator_terms(data, target.indicator, target.unit_mask, target.period, target.jurisdictions)
        value = evaluate_terms(terms, values)
        gap = _gap(target.sense, value, target.value)
        records.append({
            "indicator": dims.indicators[target.indicator],
            "unit": dims.indicator_units[target.indicator],
            "scope_type": "target", "scope": target.scope, "period": dims.periods[target.period],
            "baseline_value": evaluate_terms(terms, before), "value": value,
            "target_name": target.name, "kind": target.kind.value, "sense": target.sense.value,
            "target": target.value, "shortfall": gap, "met": gap == 0.0,
        })
    for share in data.share_targets:
        numerator = indicator_terms(data, share.numerator, share.numerator_mask, share.period,
                                    share.numerator_jurisdictions)
        denominator = indicator_terms(data, share.denominator, share.denominator_mask, share.period,
                                      share.denominator_jurisdictions)
        value = _ratio(numerator, denominator, values)
        gap = _gap(share.sense, value, share.share) if share.share is not None else 0.0
        records.append({
            "indicator": f"{dims.indicators[share.numerator]}/{dims.indicators[share.denominator]}",
            "unit": "share", "scope_type": "share_target", "scope": share.scope,
            "period": dims.periods[share.period],
            "baseline_value": _ratio(numerator, denominator, before), "value": value,
            "target_name": share.name, "kind": share.kind.value, "sense": share.sense.value,
            "target": share.share if share.share is not None else np.nan,
            "shortfall": gap, "met": gap == 0.0,
        })
    return pd.DataFrame.from_records(records)


def baseline_area(data: ModelData) -> np.ndarray:
    """Area per column if every part kept its baseline use (the 'business as usual' plan)."""
    cols = data.columns
    keep = cols.conversion < 0
    out = np.zeros(cols.size)
    out[keep] = data.parts.area[cols.part[keep]]
    return out
