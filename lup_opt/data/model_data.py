"""Validated scenario -> model data: integer index arrays and coefficient arrays.

Everything the LP needs is computed here, once, with numpy; the LP builder only arranges these
arrays into sparse blocks. A *part* is the area of one land unit under one baseline use (a row
of ``baseline.csv``); a *column* is one allowed (part, planned use, period) combination.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from time import perf_counter

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lup_opt.data.matching import (
    matched_pairs,
    resolve_most_specific,
    unit_key_frame,
    use_codes_of,
)
from lup_opt.data.targets import (
    LdnRows,
    ObjectiveData,
    ShareTargetRow,
    TargetRow,
    resolve_ldn_rows,
    resolve_objective,
    resolve_share_targets,
    resolve_targets,
)
from lup_opt.data.transitions import TransitionRules, resolve_transition_rules
from lup_opt.errors import IssueCollector
from lup_opt.ldn_rules import BASELINE_STATUSES, COVER_CLASSES, classify_transitions
from lup_opt.scenario.scenario import Scenario
from lup_opt.scenario.schemas import ZONES
from lup_opt.scenario.tables import MAX_ROWS_REPORTED

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Dimensions:
    """Labels of every index used by the arrays (position = code)."""

    land_units: np.ndarray
    uses: tuple[str, ...]
    jurisdictions: tuple[str, ...]
    zones: tuple[str, ...]
    land_types: tuple[str, ...]
    climates: tuple[str, ...]
    periods: tuple[int, ...]
    indicators: tuple[str, ...]
    indicator_units: tuple[str, ...]


@dataclass(frozen=True)
class UnitArrays:
    area: np.ndarray
    jurisdiction: np.ndarray
    zone: np.ndarray
    land_type: np.ndarray
    climate: np.ndarray
    baseline_status: np.ndarray


@dataclass(frozen=True)
class PartArrays:
    unit: np.ndarray
    use: np.ndarray
    area: np.ndarray

    @property
    def size(self) -> int:
        return len(self.unit)


@dataclass(frozen=True)
class ColumnArrays:
    """One entry per area variable, ordered by period, then part, then planned use."""

    part: np.ndarray
    unit: np.ndarray
    from_use: np.ndarray
    to_use: np.ndarray
    period: np.ndarray
    # Keeping the baseline use always has a column (so baseline values are always known); where
    # a transition rule forbids keeping it, that column is fixed at 0 ha.
    fixed_to_zero: np.ndarray

    @property
    def size(self) -> int:
        return len(self.part)


@dataclass(frozen=True)
class LdnClasses:
    """Per column: indicator classes (-1/0/+1), the period status and the gain/loss status."""

    land_cover: np.ndarray
    soc: np.ndarray
    soc_change: np.ndarray
    productivity: np.ndarray
    period_status: np.ndarray
    status: np.ndarray


@dataclass(frozen=True)
class ModelData:
    scenario_name: str
    dims: Dimensions
    units: UnitArrays
    parts: PartArrays
    columns: ColumnArrays
    ldn: LdnClasses
    coefficients: sp.csr_matrix  # (indicators, columns): per-ha value of each column
    targets: tuple[TargetRow, ...]
    share_targets: tuple[ShareTargetRow, ...]
    ldn_rows: LdnRows
    objective: ObjectiveData
    seconds: float


def _codes(values: pd.Series, categories: tuple) -> np.ndarray:
    return pd.Categorical(values, categories=list(categories)).codes.astype(np.int32)


def build_model_data(scenario: Scenario) -> ModelData:
    """Turn a validated scenario into index and coefficient arrays (no loop over land units)."""
    start = perf_counter()
    config = scenario.config
    units_df, uses_df = scenario.units, scenario.uses
    dims = Dimensions(
        land_units=units_df["id"].to_numpy(dtype=object),
        uses=tuple(uses_df["id"]),
        jurisdictions=tuple(sorted(units_df["jurisdiction"].unique())),
        zones=ZONES,
        land_types=tuple(sorted(units_df["land_type"].unique())),
        climates=tuple(sorted(units_df["climate"].unique())),
        periods=scenario.planning_years,
        indicators=tuple(config.indicators),
        indicator_units=tuple(ind.unit for ind in config.indicators.values()),
    )
    units = UnitArrays(
        area=units_df["area_ha"].to_numpy(dtype=float),
        jurisdiction=_codes(units_df["jurisdiction"], dims.jurisdictions),
        zone=_codes(units_df["zone"], dims.zones),
        land_type=_codes(units_df["land_type"], dims.land_types),
        climate=_codes(units_df["climate"], dims.climates),
        baseline_status=_codes(units_df["baseline_status"], tuple(s.value for s in BASELINE_STATUSES)),
    )
    parts = _parts(scenario, dims)
    rules = resolve_transition_rules(
        scenario.transitions, scenario.uses, dims.indicators,
        config.transitions.default_allowed, scenario.table_label("transitions"),
    )
    columns = _columns(scenario, dims, units, parts, rules)
    ldn = _classify(scenario, dims, units, columns)
    coefficients = _indicator_coefficients(scenario, dims, columns, rules)
    targets = resolve_targets(scenario, dims)
    share_targets = resolve_share_targets(scenario, dims, units, parts, columns, coefficients)
    ldn_rows = resolve_ldn_rows(scenario, dims, units, columns)
    objective = resolve_objective(scenario, dims, columns, coefficients)
    data = ModelData(
        scenario_name=scenario.name,
        dims=dims,
        units=units,
        parts=parts,
        columns=columns,
        ldn=ldn,
        coefficients=coefficients,
        targets=targets,
        share_targets=share_targets,
        ldn_rows=ldn_rows,
        objective=objective,
        seconds=perf_counter() - start,
    )
    logger.info(
        "model data: %d parts, %d area columns, %d indicators in %.2f s",
        parts.size, columns.size, len(dims.indicators), data.seconds,
    )
    return data


def _parts(scenario: Scenario, dims: Dimensions) -> PartArrays:
    baseline = scenario.baseline
    unit = _codes(baseline["land_unit"], tuple(dims.land_units))
    use = _codes(baseline["use"], dims.uses).astype(np.int16)
    order = np.lexsort((use, unit))
    return PartArrays(
        unit=unit[order], use=use[order], area=baseline["area_ha"].to_numpy(dtype=float)[order]
    )


def _columns(
    scenario: Scenario, dims: Dimensions, units: UnitArrays, parts: PartArrays,
    rules: TransitionRules,
) -> ColumnArrays:
    n_uses = len(dims.uses)
    excluded = np.zeros((len(dims.land_units), n_uses), dtype=bool)
    if not scenario.exclusions.empty:
        keys = scenario.match_keys
        rows, unit = matched_pairs(scenario.exclusions, unit_key_frame(scenario.units, keys), keys)
        use = use_codes_of(scenario.exclusions["use"], dims.uses)[rows]
        named = use >= 0
        excluded[unit[named], use[named]] = True
        excluded[unit[~named], :] = True  # '*': no change at all
    zone = units.zone[parts.unit]
    # (parts, uses): is part p allowed to move to use b in its unit's zone?
    allowed = rules.allowed.transpose(0, 2, 1)[parts.use, zone]
    stay = np.arange(n_uses)[None, :] == parts.use[:, None]
    allowed &= ~excluded[parts.unit] | stay  # exclusions never forbid keeping the baseline use

    stuck = ~allowed.any(axis=1)
    if stuck.any():
        issues = IssueCollector()
        label = scenario.table_label("transitions")
        for p in np.flatnonzero(stuck)[:MAX_ROWS_REPORTED]:
            use_id = dims.uses[parts.use[p]]
            line = rules.rule_line[parts.use[p], parts.use[p]]
            issues.add(
                label, f"line {line}" if line else "",
                f"land unit '{dims.land_units[parts.unit[p]]}' has no allowed use for its "
                f"baseline '{use_id}' area: staying is forbidden and no change is allowed",
            )
        issues.raise_if_any()

    part, to_use = np.nonzero(allowed | stay)
    fixed = ~allowed[part, to_use]
    n_periods = len(dims.periods)
    n_single = len(part)
    part = np.tile(part.astype(np.int32), n_periods)
    to_use = np.tile(to_use.astype(np.int16), n_periods)
    return ColumnArrays(
        part=part,
        unit=parts.unit[part],
        from_use=parts.use[part],
        to_use=to_use,
        period=np.repeat(np.arange(n_periods, dtype=np.int16), n_single),
        fixed_to_zero=np.tile(fixed, n_periods),
    )


def productivity_matrix(scenario: Scenario, dims: Dimensions) -> np.ndarray:
    """Productivity effect (-1/0/+1) per (use, land type): uses.csv, overridden by productivity.csv."""
    base = scenario.uses["productivity"].to_numpy(dtype=np.int8)
    matrix = np.repeat(base[:, None], len(dims.land_types), axis=1)
    table = scenario.productivity
    if not table.empty:
        use = _codes(table["use"], dims.uses)
        land_type = _codes(table["land_type"], dims.land_types)
        matrix[use, land_type] = table["productivity"].to_numpy(dtype=np.int8)
    return matrix


def _classify(
    scenario: Scenario, dims: Dimensions, units: UnitArrays, columns: ColumnArrays
) -> LdnClasses:
    uses = scenario.uses
    cover = _codes(uses["cover_class"], tuple(c.value for c in COVER_CLASSES))
    management = uses["soc_management_factor"].to_numpy(dtype=float)
    cropland = np.array([scenario.cropland_factors[c] for c in dims.climates])
    prod = productivity_matrix(scenario, dims)
    classes = classify_transitions(
        cover_from=cover[columns.from_use],
        cover_to=cover[columns.to_use],
        cropland_factor=cropland[units.climate[columns.unit]],
        management_ratio=management[columns.to_use] / management[columns.from_use],
        productivity=prod[columns.to_use, units.land_type[columns.unit]],
        baseline_status=units.baseline_status[columns.unit],
        soc_years=scenario.soc_years,
        land_cover_matrix=scenario.land_cover_matrix,
    )
    return LdnClasses(**classes)


def _indicator_coefficients(
    scenario: Scenario, dims: Dimensions, columns: ColumnArrays, rules: TransitionRules
) -> sp.csr_matrix:
    """Per-ha value of every column for every indicator, as a sparse (indicators x columns) matrix."""
    table = scenario.coefficients
    keys = scenario.match_keys
    unit_keys = unit_key_frame(scenario.units, keys)
    changed = columns.from_use != columns.to_use
    rows, cols, vals = [], [], []
    for i, name in enumerate(dims.indicators):
        value = np.zeros(columns.size)
        subset = table[table["indicator"] == name] if not table.empty else table
        if len(subset):
            per_unit_use = resolve_most_specific(
                subset.reset_index(drop=True), unit_keys, keys,
                use_codes_of(subset["use"], dims.uses), dims.uses,
                scenario.table_label("coefficients"), f"'{name}'",
            )
            value += per_unit_use[columns.unit, columns.to_use]
        conversion = rules.coefficients[i][columns.from_use, columns.to_use]
        value += np.where(changed, conversion, 0.0)
        nonzero = np.flatnonzero(value)
        rows.append(np.full(len(nonzero), i, dtype=np.int32))
        cols.append(nonzero)
        vals.append(value[nonzero])
    shape = (len(dims.indicators), columns.size)
    if not rows:
        return sp.csr_matrix(shape)
    return sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=shape
    )

