"""Validated scenario -> model data: integer index arrays and coefficient arrays.

Everything the LP needs is computed here, once, with numpy; the LP builder only arranges these
arrays into sparse blocks. A *part* is the area of one land unit under one baseline use (a row
of ``baseline.csv``); a *column* is one path of a part: keep the baseline use, or change once to
an allowed use in a given period.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from time import perf_counter

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lup_opt.data.arrays import KEEP, ColumnArrays, Dimensions, PartArrays, UnitArrays
from lup_opt.data.coefficients import column_coefficients, unit_coefficients
from lup_opt.data.culling import dominated_changes
from lup_opt.data.ldn import LdnClasses, classify_paths, loss_priced_objective
from lup_opt.data.linkages import (
    EXPORT,
    FINANCE,
    FLOW,
    IMPORT,
    NO_WORK,
    Linkages,
    conversion_limits,
    finance_data,
    food_data,
    housing_targets,
    livelihood_data,
)
from lup_opt.data.matching import (
    matched_pairs,
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
from lup_opt.enums import Culling
from lup_opt.errors import IssueCollector
from lup_opt.ldn_rules import BASELINE_STATUSES
from lup_opt.scenario.scenario import Scenario
from lup_opt.scenario.schemas import ZONES
from lup_opt.scenario.tables import MAX_ROWS_REPORTED

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelData:
    scenario_name: str
    dims: Dimensions
    units: UnitArrays
    parts: PartArrays
    columns: ColumnArrays
    ldn: LdnClasses
    coefficients: tuple[sp.csr_matrix, ...]  # per period: (indicators x columns), per ha
    targets: tuple[TargetRow, ...]
    share_targets: tuple[ShareTargetRow, ...]
    ldn_rows: LdnRows
    objective: ObjectiveData
    linkages: Linkages
    seconds: float
    culled: int = 0  # changes of use not created because another choice dominates them
    # ldn.hierarchy strict, second stage: the most loss area (ha) by the last planning year (C-LDN-H)
    ldn_loss_cap: float | None = None


def _codes(values: pd.Series, categories: tuple) -> np.ndarray:
    return pd.Categorical(values, categories=list(categories)).codes.astype(np.int32)


def build_model_data(scenario: Scenario, culling: Culling | str = Culling.AUTO,
                     directions: np.ndarray | None = None) -> ModelData:
    """Turn a validated scenario into index and coefficient arrays (no loop over land units).

    ``culling`` leaves out changes of use that no optimal plan needs (:mod:`lup_opt.data.culling`;
    ``auto``: above ``AUTO_CULL_COLUMNS`` columns), judged by ``directions``, which way each
    indicator is better for the families that read it (``lup_opt.families.indicator_directions``;
    without it nothing is culled). Evaluating a given plan needs every change.
    """
    start = perf_counter()
    config = scenario.config
    units_df, uses_df = scenario.units, scenario.uses
    periods = scenario.planning_years
    dims = Dimensions(
        land_units=units_df["id"].to_numpy(dtype=object),
        uses=tuple(uses_df["id"]),
        jurisdictions=tuple(sorted(units_df["jurisdiction"].unique())),
        zones=ZONES,
        land_types=tuple(sorted(units_df["land_type"].unique())),
        climates=tuple(sorted(units_df["climate"].unique())),
        periods=periods,
        period_starts=(config.periods.baseline_year, *periods[:-1]),
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
    allowed = _allowed(scenario, dims, units, parts, rules)
    unit_values = unit_coefficients(scenario, dims.indicators, dims.uses)
    dominated = None
    if directions is not None and _culls(Culling(culling), allowed, len(periods)):
        dominated = dominated_changes(scenario, dims, units, parts, allowed, rules, unit_values, directions)
    columns = _columns(parts, allowed, len(periods), dominated)
    ldn = classify_paths(scenario, dims, units, columns)
    coefficients = column_coefficients(unit_values, rules, columns, len(periods))
    targets = (*resolve_targets(scenario, dims),
               *housing_targets(scenario, dims, parts, columns, coefficients))
    share_targets = resolve_share_targets(scenario, dims, units, parts, columns, coefficients)
    ldn_rows = resolve_ldn_rows(scenario, dims, units, columns)
    linkages = _linkages(scenario, dims, units, columns, coefficients)
    objective = resolve_objective(scenario, dims, columns, coefficients, linkages.extra_terms,
                                  _block_sizes(linkages, len(dims.periods)))
    objective = loss_priced_objective(scenario, objective, ldn)
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
        linkages=linkages,
        seconds=perf_counter() - start,
        culled=int(dominated[allowed].sum()) if dominated is not None else 0,
    )
    logger.info(
        "model data: %d parts, %d area columns, %d periods, %d indicators in %.2f s",
        parts.size, columns.size, len(periods), len(dims.indicators), data.seconds,
    )
    return data


def _linkages(scenario: Scenario, dims: Dimensions, units: UnitArrays, columns: ColumnArrays,
              coefficients: tuple[sp.csr_matrix, ...]) -> Linkages:
    food, food_terms = food_data(scenario, dims)
    finance, finance_terms = finance_data(scenario, dims, columns, coefficients)
    livelihoods, work_terms = livelihood_data(scenario, dims)
    return Linkages(
        conversion_limits=conversion_limits(scenario, dims, units, columns),
        food=food, finance=finance, livelihoods=livelihoods,
        extra_terms=tuple(t for t in (*food_terms, *finance_terms, *work_terms) if len(t.index)),
    )


def _block_sizes(linkages: Linkages, n_periods: int) -> dict[str, int]:
    """Sizes of the non-land variable blocks, in the order the LP creates their variables."""
    sizes = {}
    if linkages.food is not None:
        sizes.update({FLOW: len(linkages.food.flow), IMPORT: len(linkages.food.imports),
                      EXPORT: len(linkages.food.exports)})
    if linkages.finance is not None:
        sizes[FINANCE] = len(linkages.finance.variables)
    if linkages.livelihoods is not None:
        sizes[NO_WORK] = len(linkages.livelihoods.jurisdictions) * n_periods
    return sizes


def _parts(scenario: Scenario, dims: Dimensions) -> PartArrays:
    baseline = scenario.baseline
    unit = _codes(baseline["land_unit"], tuple(dims.land_units))
    use = _codes(baseline["use"], dims.uses).astype(np.int16)
    order = np.lexsort((use, unit))
    return PartArrays(
        unit=unit[order], use=use[order], area=baseline["area_ha"].to_numpy(dtype=float)[order]
    )


AUTO_CULL_COLUMNS = 100_000


def _culls(culling: Culling, allowed: np.ndarray, n_periods: int) -> bool:
    if culling is Culling.AUTO:
        return allowed.shape[0] + int(allowed.sum()) * n_periods > AUTO_CULL_COLUMNS
    return culling is Culling.ON


def _allowed(
    scenario: Scenario, dims: Dimensions, units: UnitArrays, parts: PartArrays,
    rules: TransitionRules,
) -> np.ndarray:
    """(parts, uses): may part p hold use b (its own: keep it; another: change to it)?"""
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
    return allowed


def _columns(parts: PartArrays, allowed: np.ndarray, n_periods: int, dominated: np.ndarray | None) -> ColumnArrays:
    """One column per part that keeps its use, and one per allowed change and period, except
    changes that can never carry area or are dominated (:mod:`lup_opt.data.culling`)."""
    n_uses = allowed.shape[1]
    stay = np.arange(n_uses)[None, :] == parts.use[:, None]
    keep_forbidden = ~allowed[np.arange(parts.size), parts.use]
    # A change happens in one period: one column per period for each allowed change.
    changes = np.repeat((allowed & ~stay)[:, :, None], n_periods, axis=2)
    # Where keeping the baseline use is forbidden, the change must happen at once.
    changes[keep_forbidden, :, 1:] = False
    if dominated is not None:
        changes &= ~dominated
    change_part, change_use, change_period = np.nonzero(changes)
    part = np.concatenate([np.arange(parts.size), change_part])
    to_use = np.concatenate([parts.use, change_use])
    conversion = np.concatenate([np.full(parts.size, KEEP), change_period])
    order = np.lexsort((conversion, to_use, part))
    part, to_use, conversion = part[order].astype(np.int32), to_use[order].astype(np.int16), conversion[order]
    fixed = keep_forbidden[part] & (conversion == KEEP)
    return ColumnArrays(
        part=part,
        unit=parts.unit[part],
        from_use=parts.use[part],
        to_use=to_use,
        conversion=conversion.astype(np.int16),
        fixed_to_zero=fixed,
    )
