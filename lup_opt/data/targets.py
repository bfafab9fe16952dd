"""Targets, share targets, LDN rows and the objective, resolved to unit masks and arrays."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lup_opt.enums import Comparison, LdnScope, ObjectiveSense, TargetKind
from lup_opt.errors import ScenarioError
from lup_opt.scenario.config import LdnEnforcement
from lup_opt.scenario.scenario import Scenario

if TYPE_CHECKING:
    from lup_opt.data.arrays import ColumnArrays, Dimensions, PartArrays, UnitArrays

ALL = "all"  # label of "every jurisdiction" / "the whole functional area" in tables


def scope_mask(scenario: Scenario, scope: Mapping[str, Any]) -> np.ndarray:
    """Units inside a scope: every key's value (or one of its listed values) must match."""
    mask = np.ones(len(scenario.units), dtype=bool)
    for key, value in scope.items():
        wanted = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        mask &= scenario.unit_values(key).astype(str).isin(wanted).to_numpy()
    return mask


def scope_jurisdictions(scenario: Scenario, scope: Mapping[str, Any], unit_mask: np.ndarray,
                        jurisdictions: tuple[str, ...]) -> np.ndarray | None:
    """Jurisdictions whose non-land variables (food, finance, jobs) count in a scope: those of its
    units when the scope names only jurisdictions, else None (such variables have no zone, land
    type or land unit)."""
    if set(scope) - {"jurisdiction"}:
        return None
    present = set(scenario.units["jurisdiction"].to_numpy()[unit_mask])
    return np.array([j in present for j in jurisdictions])


def scope_label(scope: Mapping[str, Any]) -> str:
    """A readable scope: 'functional area' or 'jurisdiction=north; zone=peri_urban'."""
    if not scope:
        return "functional area"
    parts = []
    for key, value in scope.items():
        shown = "|".join(map(str, value)) if isinstance(value, list) else str(value)
        parts.append(f"{key}={shown}")
    return "; ".join(parts)


def period_indices(period: Any, dims: Dimensions) -> list[int]:
    """Indices of the planning years a scenario key names (every year when it names none)."""
    if period is None:
        return list(range(len(dims.periods)))
    years = period if isinstance(period, list) else [period]
    return [dims.periods.index(year) for year in years]


@dataclass(frozen=True)
class TargetRow:
    name: str
    indicator: int
    sense: Comparison
    value: float
    kind: TargetKind
    penalty: float
    period: int
    unit_mask: np.ndarray
    scope: str
    description: str
    jurisdictions: np.ndarray | None = None  # where non-land variables count (None: nowhere)
    derived: bool = False  # made from other inputs (e.g. housing from population), not a YAML key


def resolve_targets(scenario: Scenario, dims: Dimensions) -> tuple[TargetRow, ...]:
    rows = []
    for name, target in scenario.config.targets.items():
        mask = scope_mask(scenario, target.scope)
        for period in period_indices(target.period, dims):
            rows.append(
                TargetRow(
                    name=name,
                    indicator=dims.indicators.index(target.indicator),
                    sense=target.sense,
                    value=target.value,
                    kind=target.kind,
                    penalty=target.penalty or 0.0,
                    period=period,
                    unit_mask=mask,
                    scope=scope_label(target.scope),
                    description=target.description,
                    jurisdictions=scope_jurisdictions(scenario, target.scope, mask, dims.jurisdictions),
                )
            )
    return tuple(rows)


@dataclass(frozen=True)
class ShareTargetRow:
    """numerator(scope_n) sense share x denominator(scope_d), within one group and period.

    With ``share is None`` the share is a common variable shared by every group of the target
    (``common_share`` indexes it), and ``denominator_value`` is the fixed denominator.
    """

    name: str
    group: str
    numerator: int
    numerator_mask: np.ndarray
    denominator: int
    denominator_mask: np.ndarray
    sense: Comparison
    share: float | None
    tolerance: float
    kind: TargetKind
    penalty: float
    period: int
    denominator_value: float
    common_share: int
    description: str

    @property
    def scope(self) -> str:
        return self.group or self.numerator_scope

    numerator_scope: str = ""
    numerator_jurisdictions: np.ndarray | None = None
    denominator_jurisdictions: np.ndarray | None = None


def resolve_share_targets(
    scenario: Scenario,
    dims: Dimensions,
    units: UnitArrays,
    parts: PartArrays,
    columns: ColumnArrays,
    coefficients: tuple[sp.csr_matrix, ...],
) -> tuple[ShareTargetRow, ...]:
    rows: list[ShareTargetRow] = []
    n_common = 0
    for name, target in scenario.config.share_targets.items():
        num_mask = scope_mask(scenario, target.numerator.scope)
        den_mask = scope_mask(scenario, target.denominator.scope)
        num = dims.indicators.index(target.numerator.indicator)
        den = dims.indicators.index(target.denominator.indicator)
        groups = unit_groups(scenario, target.for_each)
        equal = target.share == "equal"
        for period in period_indices(target.period, dims):
            fixed = _fixed_denominator(columns, parts, coefficients, den, period) if equal else None
            common = -1
            if equal:
                common, n_common = n_common, n_common + 1
            for group_label, group_mask in groups:
                if not (den_mask & group_mask).any():
                    continue
                denominator_value = np.nan
                if fixed is not None:
                    per_part, constant = fixed
                    in_group = (den_mask & group_mask)[parts.unit]
                    if not constant[in_group].all():
                        raise ScenarioError.single(
                            "scenario.yaml", f"share_targets.{name}.denominator",
                            f"share: equal needs a denominator the plan cannot change (such as "
                            f"land area), but '{target.denominator.indicator}' differs between "
                            "uses on the same land; use a fixed share instead",
                        )
                    denominator_value = float(per_part[in_group] @ parts.area[in_group])
                rows.append(
                    ShareTargetRow(
                        name=name,
                        group=group_label,
                        numerator=num,
                        numerator_mask=num_mask & group_mask,
                        denominator=den,
                        denominator_mask=den_mask & group_mask,
                        sense=target.sense,
                        share=None if equal else float(target.share),
                        tolerance=target.tolerance,
                        kind=target.kind,
                        penalty=target.penalty or 0.0,
                        period=period,
                        denominator_value=denominator_value,
                        common_share=common,
                        description=target.description,
                        numerator_scope=scope_label(target.numerator.scope),
                        numerator_jurisdictions=_group_jurisdictions(
                            scenario, target.numerator.scope, target.for_each, num_mask & group_mask, dims),
                        denominator_jurisdictions=_group_jurisdictions(
                            scenario, target.denominator.scope, target.for_each, den_mask & group_mask, dims),
                    )
                )
    return tuple(rows)


def _group_jurisdictions(scenario, scope, for_each, mask, dims) -> np.ndarray | None:
    if set(for_each) - {"jurisdiction"}:
        return None
    return scope_jurisdictions(scenario, scope, mask, dims.jurisdictions)


def unit_groups(scenario: Scenario, keys: list[str]) -> list[tuple[str, np.ndarray]]:
    """The land units grouped by their values of ``keys`` ("key=value; ..." labels, masks);
    one group of every unit when no key is given (``for_each``)."""
    if not keys:
        return [("", np.ones(len(scenario.units), dtype=bool))]
    label = None
    for key in keys:
        part = f"{key}=" + scenario.unit_values(key).astype(str)
        label = part if label is None else label + "; " + part
    codes, labels = pd.factorize(label, sort=True)
    return [(str(label), codes == i) for i, label in enumerate(labels)]


def _fixed_denominator(
    columns: ColumnArrays, parts: PartArrays, coefficients: tuple[sp.csr_matrix, ...], indicator: int, period: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per part: the denominator's per-ha value and whether it is the same for every option."""
    value = coefficients[period].getrow(indicator).toarray().ravel()
    usable = ~columns.fixed_to_zero
    lo = np.full(parts.size, np.inf)
    hi = np.full(parts.size, -np.inf)
    np.minimum.at(lo, columns.part[usable], value[usable])
    np.maximum.at(hi, columns.part[usable], value[usable])
    constant = np.abs(hi - lo) <= 1e-9 * np.maximum(1.0, np.abs(hi))
    return np.where(np.isfinite(lo), lo, 0.0), constant


@dataclass(frozen=True)
class LdnRows:
    """LDN groups (land type, and jurisdiction when counterbalancing is scoped), each assessed
    in every planning year: row ``period * n_groups + group``.

    Computed whether or not LDN is enforced, so that the balance sheet is always reported with
    the grouping the neutrality rows use.
    """

    enforced: bool
    by_jurisdiction: bool
    target_year_only: bool
    group_of_column: np.ndarray  # LDN group of each area column
    n_groups: int
    labels: pd.DataFrame  # per row: land_type, jurisdiction, period, target_ha, target_year

    @property
    def size(self) -> int:
        return len(self.labels)


def resolve_ldn_rows(
    scenario: Scenario, dims: Dimensions, units: UnitArrays, columns: ColumnArrays
) -> LdnRows:
    settings = scenario.config.ldn
    by_jurisdiction = settings.scope is LdnScope.JURISDICTION
    n_types = len(dims.land_types)
    land_type = units.land_type[columns.unit].astype(np.int64)
    jurisdiction = units.jurisdiction[columns.unit].astype(np.int64) if by_jurisdiction else 0
    present, group = np.unique(jurisdiction * n_types + land_type, return_inverse=True)
    type_names = np.asarray(dims.land_types, dtype=object)[present % n_types]
    jurisdictions = (
        np.asarray(dims.jurisdictions, dtype=object)[present // n_types]
        if by_jurisdiction
        else np.full(len(present), ALL, dtype=object)
    )
    n_periods = len(dims.periods)
    periods = np.repeat(np.asarray(dims.periods), len(present))
    tau = [settings.net_target_ha.get(t, settings.default_net_target_ha) for t in type_names]
    labels = pd.DataFrame(
        {
            "land_type": np.tile(type_names, n_periods),
            "jurisdiction": np.tile(jurisdictions, n_periods),
            "period": periods,
            "target_ha": np.tile(np.asarray(tau, dtype=float), n_periods),
            "target_year": periods == scenario.target_year,
        }
    )
    return LdnRows(settings.enabled, by_jurisdiction, settings.enforce is LdnEnforcement.TARGET_YEAR,
                   group.astype(np.int64).ravel(), len(present), labels)


@dataclass(frozen=True)
class ObjectiveData:
    sense: ObjectiveSense
    area_by_period: np.ndarray  # (periods, columns): objective value of a hectare, per period
    penalty_sign: float  # penalties add to a minimised objective and subtract from a maximised one
    unit: str
    extra_costs: dict[str, np.ndarray] = field(default_factory=dict)  # per non-land variable block

    @property
    def area_coefficients(self) -> np.ndarray:
        return self.area_by_period.sum(axis=0)


def objective_unit(scenario: Scenario) -> str:
    objective = scenario.config.objective
    if objective.unit:
        return objective.unit
    terms = objective.terms
    if len(terms) == 1 and terms[0].scale == 1 and terms[0].weight == 1:
        return scenario.config.indicators[terms[0].indicator].unit
    return "objective units"


def resolve_objective(
    scenario: Scenario, dims: Dimensions, columns: ColumnArrays, coefficients: tuple[sp.csr_matrix, ...],
    extra_terms: tuple = (), block_sizes: Mapping[str, int] | None = None,
) -> ObjectiveData:
    """Objective value per hectare of each area column in each period (each term's indicator in
    the term's periods, every planning year unless it names some), and per unit of the other
    variables (their indicator contributions)."""
    objective = scenario.config.objective
    weights = np.zeros((len(dims.periods), columns.size))
    extra = {block: np.zeros(size) for block, size in (block_sizes or {}).items()}
    for term in objective.terms:
        mask = scope_mask(scenario, term.scope)
        indicator = dims.indicators.index(term.indicator)
        periods = period_indices(term.period, dims)
        for period in periods:
            row = coefficients[period].getrow(indicator).toarray().ravel()
            weights[period] += (term.weight / term.scale) * row * mask[columns.unit]
        jurisdictions = scope_jurisdictions(scenario, term.scope, mask, dims.jurisdictions)
        if jurisdictions is None:
            continue
        for extra_term in (e for e in extra_terms if e.indicator == indicator):
            keep = np.isin(extra_term.period, periods) & jurisdictions[extra_term.jurisdiction]
            np.add.at(extra[extra_term.block], extra_term.index[keep],
                      (term.weight / term.scale) * extra_term.value[keep])
    sign = 1.0 if objective.sense is ObjectiveSense.MINIMIZE else -1.0
    return ObjectiveData(objective.sense, weights, sign, objective_unit(scenario), extra)
