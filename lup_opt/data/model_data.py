"""Validated scenario -> model data: integer index arrays and coefficient arrays.

Everything the LP needs is computed here, once, with numpy; the LP builder only arranges these
arrays into sparse blocks. A *part* is the area of one land unit under one baseline use (a row
of ``baseline.csv``); a *column* is one path of a part: keep the baseline use, or change once to
an allowed use in a given period.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from time import perf_counter
from types import MappingProxyType
from typing import Any, Protocol

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lup_opt.data.arrays import KEEP, ColumnArrays, Dimensions, PartArrays, UnitArrays
from lup_opt.data.coefficients import column_coefficients, unit_coefficients
from lup_opt.data.culling import CullingRules, dominated_changes
from lup_opt.data.ldn import LdnClasses, classify_paths
from lup_opt.data.linkages import ExtraTerm, FinanceData, FoodData, LivelihoodData
from lup_opt.data.matching import (
    matched_pairs,
    unit_key_frame,
    use_codes_of,
)
from lup_opt.data.targets import LdnRows, ObjectiveData, ShareTargetRow, TargetRow
from lup_opt.data.transitions import TransitionRules, resolve_transition_rules
from lup_opt.enums import Culling, FamilyName
from lup_opt.errors import IssueCollector
from lup_opt.ldn_rules import BASELINE_STATUSES
from lup_opt.scenario.scenario import Scenario
from lup_opt.scenario.schemas import ZONES
from lup_opt.scenario.tables import MAX_ROWS_REPORTED

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Resolution:
    """What one constraint family resolves from the scenario: its data (any frozen object its
    build steps and tables read back), how its own non-land variables enter indicators (so that
    targets and the objective that read those indicators count them, E-IND), and the sizes of
    the non-land variable blocks it creates, in the order it creates them."""

    data: Any = None
    indicator_terms: tuple[ExtraTerm, ...] = ()
    blocks: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ResolveContext:
    """What a family resolves its data from: the validated scenario, the arrays every family
    shares, and the families resolved before it (in registry order)."""

    scenario: Scenario
    dims: Dimensions
    units: UnitArrays
    parts: PartArrays
    columns: ColumnArrays
    ldn: LdnClasses
    coefficients: tuple[sp.csr_matrix, ...]
    resolved: Mapping[str, Resolution]

    @property
    def indicator_terms(self) -> tuple[ExtraTerm, ...]:
        return tuple(t for r in self.resolved.values() for t in r.indicator_terms if len(t.index))

    @property
    def blocks(self) -> dict[str, int]:
        return {name: size for r in self.resolved.values() for name, size in r.blocks.items()}


class ResolvesData(Protocol):
    """A family as the data stage sees it (:class:`lup_opt.families.base.Family`)."""

    name: str
    resolve: Callable[[ResolveContext], Resolution] | None


@dataclass(frozen=True)
class ModelData:
    scenario_name: str
    dims: Dimensions
    units: UnitArrays
    parts: PartArrays
    columns: ColumnArrays
    ldn: LdnClasses
    coefficients: tuple[sp.csr_matrix, ...]  # per period: (indicators x columns), per ha
    resolved: Mapping[str, Any]  # each family's data, by family name (Family.resolve)
    extra_terms: tuple[ExtraTerm, ...]  # how non-land variables enter indicators (E-IND)
    seconds: float
    culled: int = 0  # changes of use not created because another choice dominates them
    # ldn.hierarchy strict, second stage: the most loss area (ha) by the last planning year (C-LDN-H)
    ldn_loss_cap: float | None = None

    def of(self, family: str) -> Any:
        """The data family ``family`` resolved (None if it has none)."""
        return self.resolved.get(family)

    # The core families' data, typed, for the stages that read them (a new family needs none of
    # these: its steps read ``data.of(its name)``).
    @property
    def targets(self) -> tuple[TargetRow, ...]:
        return self.resolved.get(FamilyName.TARGETS, ())

    @property
    def share_targets(self) -> tuple[ShareTargetRow, ...]:
        return self.resolved.get(FamilyName.SHARES, ())

    @property
    def ldn_rows(self) -> LdnRows:
        return self.resolved[FamilyName.LDN]

    @property
    def objective(self) -> ObjectiveData:
        return self.resolved[FamilyName.OBJECTIVE]

    @property
    def food(self) -> FoodData | None:
        return self.resolved.get(FamilyName.FOOD)

    @property
    def finance(self) -> FinanceData | None:
        return self.resolved.get(FamilyName.FINANCE)

    @property
    def livelihoods(self) -> LivelihoodData | None:
        return self.resolved.get(FamilyName.LIVELIHOODS)


def _codes(values: pd.Series, categories: tuple) -> np.ndarray:
    return pd.Categorical(values, categories=list(categories)).codes.astype(np.int32)


def assemble_model_data(scenario: Scenario, families: Sequence[ResolvesData], culling: Culling | str = Culling.AUTO,
                        rules: CullingRules | None = None) -> ModelData:
    """Turn a validated scenario into index and coefficient arrays (no loop over land units),
    then let each family resolve its own data, in the order given.

    ``culling`` leaves out changes of use that no optimal plan needs (:mod:`lup_opt.data.culling`;
    ``auto``: above ``AUTO_CULL_COLUMNS`` columns), judged by ``rules`` (without them nothing is
    culled). Evaluating a given plan needs every change. Callers use
    ``lup_opt.families.build_model_data``, which passes the registry and its rules.
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
    transition_rules = resolve_transition_rules(
        scenario.transitions, scenario.uses, dims.indicators,
        config.transitions.default_allowed, scenario.table_label("transitions"),
    )
    allowed = _allowed(scenario, dims, units, parts, transition_rules)
    unit_values = unit_coefficients(scenario, dims.indicators, dims.uses)
    dominated = None
    if rules is not None and _culls(Culling(culling), allowed, len(periods)):
        if rules.stopped_by:
            logger.info("culling skipped: %s", rules.stopped_by)
        else:
            dominated = dominated_changes(scenario, dims, units, parts, allowed, transition_rules, unit_values, rules)
    columns = _columns(parts, allowed, len(periods), dominated)
    ldn = classify_paths(scenario, dims, units, columns)
    coefficients = column_coefficients(unit_values, transition_rules, columns, len(periods))
    resolved: dict[str, Resolution] = {}
    for family in families:
        if family.resolve is not None:
            context = ResolveContext(scenario, dims, units, parts, columns, ldn, coefficients,
                                     MappingProxyType(dict(resolved)))
            resolved[family.name] = family.resolve(context)
    data = ModelData(
        scenario_name=scenario.name,
        dims=dims,
        units=units,
        parts=parts,
        columns=columns,
        ldn=ldn,
        coefficients=coefficients,
        resolved=MappingProxyType({name: r.data for name, r in resolved.items()}),
        extra_terms=tuple(t for r in resolved.values() for t in r.indicator_terms if len(t.index)),
        seconds=perf_counter() - start,
        culled=int(dominated[allowed].sum()) if dominated is not None else 0,
    )
    logger.info(
        "model data: %d parts, %d area columns, %d periods, %d indicators in %.2f s",
        parts.size, columns.size, len(periods), len(dims.indicators), data.seconds,
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
