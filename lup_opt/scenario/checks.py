"""Checks between tables and between ``scenario.yaml`` and the tables.

Each check names the file, the line (or key path) and what to fix. All are vectorised over rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from lup_opt.errors import IssueCollector, did_you_mean, known_list
from lup_opt.scenario.checks_linkages import check_linkages
from lup_opt.scenario.config import ScenarioConfig
from lup_opt.scenario.schemas import FIXED_MATCH_KEYS, ZONES
from lup_opt.scenario.tables import LINE, MAX_ROWS_REPORTED, check_references

# A unit's baseline rows must sum to its area within this many hectares, or this share of the
# area, whichever is larger (files round areas); the rows are then rescaled to sum exactly.
BASELINE_TOLERANCE_HA = 0.01
BASELINE_TOLERANCE_SHARE = 1e-4


def unit_key_values(units: pd.DataFrame, key: str) -> pd.Series:
    return units["id" if key == "land_unit" else key]


def check_tables(config: ScenarioConfig, tables: Mapping[str, Any]) -> None:
    issues = IssueCollector()
    paths = config.tables
    units, baseline, uses = tables["units"], tables["baseline"], tables["uses"]
    use_ids = set(uses["id"])
    unit_ids = set(units["id"])
    known_values = KnownValues(units)

    check_references(
        units, "climate", tables["cropland_factors"], paths.units, "climate zone", issues
    )
    check_references(baseline, "land_unit", unit_ids, paths.baseline, "land unit", issues)
    check_references(baseline, "use", use_ids, paths.baseline, "use", issues)
    issues.raise_if_any()
    _check_baseline_sums(units, baseline, paths.units, paths.baseline, issues)
    _check_colours(uses, paths.uses, issues)

    productivity = tables["productivity"]
    if paths.productivity:
        check_references(productivity, "use", use_ids, paths.productivity, "use", issues)
        check_references(
            productivity, "land_type", set(units["land_type"]), paths.productivity, "land type", issues
        )

    if paths.transitions:
        _check_transitions(tables["transitions"], uses, paths.transitions, issues)

    matching = (
        ("exclusions", paths.exclusions, "use"),
        ("coefficients", paths.coefficients, "use"),
    )
    for name, label, use_column in matching:
        if label is None:
            continue
        table = tables[name]
        check_references(table, use_column, use_ids, label, "use", issues, wildcard=True)
        _check_match_keys(table, known_values, tables["attributes"], label, issues)
    if paths.exclusions:
        keys = list(keys_all(tables))
        no_key = (tables["exclusions"][keys] == "").all(axis=1).to_numpy()
        lines = tables["exclusions"][LINE].to_numpy()
        for line in lines[no_key][:MAX_ROWS_REPORTED]:
            issues.add(
                paths.exclusions,
                f"line {line}",
                "names no land: fill at least one of " + ", ".join(keys),
            )
    if paths.coefficients:
        _check_unique_rules(
            tables["coefficients"], ("indicator", "use", "applies_to", *keys_all(tables)), paths.coefficients, issues
        )
        check_references(
            tables["coefficients"], "indicator", config.indicators, paths.coefficients,
            "indicator (define it under 'indicators' in scenario.yaml)", issues,
        )
    issues.raise_if_any()


def _check_baseline_sums(
    units: pd.DataFrame, baseline: pd.DataFrame, units_label: str, label: str, issues: IssueCollector
) -> None:
    # Unit positions by hash lookup, then bincount: a group-by on a million string ids sorts them.
    unit_row = pd.Index(units["id"]).get_indexer(baseline["land_unit"])
    area = units.set_index("id")["area_ha"]
    total = pd.Series(
        np.bincount(unit_row, weights=baseline["area_ha"].to_numpy(dtype=float), minlength=len(units)),
        index=area.index,
    )
    line_of = units.set_index("id")[LINE]
    missing = total.index[total.to_numpy() <= 0]
    for unit in missing[:MAX_ROWS_REPORTED]:
        issues.add(
            label, f"land unit '{unit}'",
            f"has no baseline rows with area (it is on line {line_of[unit]} of {units_label}); "
            "add its current use(s)",
        )
    tolerance = np.maximum(BASELINE_TOLERANCE_HA, BASELINE_TOLERANCE_SHARE * area.to_numpy())
    off = (np.abs(total.to_numpy() - area.to_numpy()) > tolerance) & (total.to_numpy() > 0)
    first_line = baseline.groupby("land_unit")[LINE].min() if off.any() else None
    for unit in area.index[off][:MAX_ROWS_REPORTED]:
        issues.add(
            label,
            f"land unit '{unit}' (from line {first_line[unit]})",
            f"rows sum to {total[unit]:.4f} ha but the unit's area_ha in {units_label} is "
            f"{area[unit]:.4f} ha; they must agree within {BASELINE_TOLERANCE_HA} ha or "
            f"{BASELINE_TOLERANCE_SHARE:.2%} of the area",
        )
    if off.sum() > MAX_ROWS_REPORTED:
        issues.add(label, "", f"... and {off.sum() - MAX_ROWS_REPORTED} more units whose rows do not sum")


def _check_transitions(
    transitions: pd.DataFrame, uses: pd.DataFrame, label: str, issues: IssueCollector
) -> None:
    use_ids = set(uses["id"])
    check_references(transitions, "from_use", use_ids, label, "use", issues, wildcard=True)
    check_references(transitions, "to_use", use_ids, label, "use", issues, wildcard=True)
    lines = transitions[LINE].to_numpy()
    for i, zones in enumerate(transitions["zones"].to_numpy()):
        for zone in split_list(zones):
            if zone not in ZONES:
                issues.add(
                    label, f"line {lines[i]}, column 'zones'",
                    f"unknown zone '{zone}'{did_you_mean(zone, ZONES)}; use {', '.join(ZONES)} "
                    "separated by ';'",
                )
    sealed = set(uses.loc[uses["sealed"], "id"])
    reopened = (
        transitions["from_use"].isin(sealed)
        & (transitions["to_use"] != transitions["from_use"])
        & transitions["allowed"]
    ).to_numpy()
    for i in np.flatnonzero(reopened)[:MAX_ROWS_REPORTED]:
        issues.add(
            label, f"line {lines[i]}",
            f"allows leaving '{transitions['from_use'].iat[i]}', which is sealed (irreversible) in "
            "uses.csv; remove the row or mark the use not sealed",
        )


def keys_all(tables: Mapping[str, Any]) -> tuple[str, ...]:
    return (*FIXED_MATCH_KEYS, *tables["attributes"])


def _check_unique_rules(
    table: pd.DataFrame, columns: tuple[str, ...], label: str, issues: IssueCollector
) -> None:
    dup = table.duplicated(list(columns), keep=False).to_numpy()
    if dup.any():
        lines = table.loc[dup, LINE].to_numpy()
        issues.add(
            label, f"lines {', '.join(map(str, lines[:MAX_ROWS_REPORTED]))}",
            "rows repeat the same indicator, use and keys; keep one row per combination",
        )


def split_list(text: str) -> list[str]:
    """Items of a ';'-separated cell (e.g. the zones of a transition rule), lower-cased."""
    return [part.strip().lower() for part in str(text).split(";") if part.strip()]


def _distinct(values: pd.Series) -> set[str]:
    return {str(v) for v in pd.unique(values.to_numpy(dtype=object))}


class KnownValues:
    """The distinct values of each unit property, computed once per property (scopes and
    matching tables ask for the same ones repeatedly, over up to millions of units)."""

    def __init__(self, units: pd.DataFrame):
        self._units = units
        self._cache: dict[str, set[str]] = {}

    def __call__(self, key: str) -> set[str]:
        if key not in self._cache:
            self._cache[key] = _distinct(unit_key_values(self._units, key))
        return self._cache[key]


def _check_match_keys(
    table: pd.DataFrame, known_values: KnownValues, attributes: tuple[str, ...], label: str,
    issues: IssueCollector,
) -> None:
    for key in (*FIXED_MATCH_KEYS, *attributes):
        if key in table.columns:
            known = known_values(key)
            check_references(table, key, known, label, key.replace("_", " "), issues, allow_empty=True)


def check_scope(
    scope: Mapping[str, Any], where: str, known_values: KnownValues, match_keys: tuple[str, ...],
    issues: IssueCollector,
) -> None:
    """Check the keys and values of a scope mapping from scenario.yaml."""
    for key, value in scope.items():
        if key not in match_keys:
            issues.add(
                "scenario.yaml", f"{where}.{key}",
                f"unknown scope key{did_you_mean(key, match_keys)}; use one of {', '.join(match_keys)}",
            )
            continue
        known = known_values(key)
        for item in value if isinstance(value, list) else [value]:
            if str(item) not in known:
                issues.add(
                    "scenario.yaml", f"{where}.{key}",
                    f"unknown {key.replace('_', ' ')} '{item}'{did_you_mean(item, known)}; "
                    f"known: {known_list(known)}",
                )


def _check_periods(period: Any, where: str, years: list[int], issues: IssueCollector) -> None:
    for year in ([] if period is None else period if isinstance(period, list) else [period]):
        if year not in years:
            issues.add(
                "scenario.yaml", where,
                f"{year} is not a planning year; planning years: {', '.join(map(str, years))}",
            )


def check_config_references(config: ScenarioConfig, tables: Mapping[str, Any]) -> None:
    issues = IssueCollector()
    units = KnownValues(tables["units"])
    keys = (*FIXED_MATCH_KEYS, *tables["attributes"])
    years = config.periods.planning_years

    def indicator(name: str, where: str) -> None:
        if name not in config.indicators:
            issues.add(
                "scenario.yaml", where,
                f"unknown indicator '{name}'{did_you_mean(name, config.indicators)}; "
                f"defined under 'indicators': {known_list(config.indicators) or 'none'}",
            )

    for name, target in config.targets.items():
        indicator(target.indicator, f"targets.{name}.indicator")
        check_scope(target.scope, f"targets.{name}.scope", units, keys, issues)
        _check_periods(target.period, f"targets.{name}.period", years, issues)
    for name, share in config.share_targets.items():
        for part in ("numerator", "denominator"):
            side = getattr(share, part)
            indicator(side.indicator, f"share_targets.{name}.{part}.indicator")
            check_scope(side.scope, f"share_targets.{name}.{part}.scope", units, keys, issues)
        for key in share.for_each:
            if key not in keys:
                issues.add(
                    "scenario.yaml", f"share_targets.{name}.for_each",
                    f"unknown key '{key}'{did_you_mean(key, keys)}; use one of {', '.join(keys)}",
                )
        _check_periods(share.period, f"share_targets.{name}.period", years, issues)
    for i, term in enumerate(config.objective.terms):
        indicator(term.indicator, f"objective.terms.{i}.indicator")
        check_scope(term.scope, f"objective.terms.{i}.scope", units, keys, issues)
        _check_periods(term.period, f"objective.terms.{i}.period", years, issues)
    check_linkages(config, tables, issues, indicator,
                   lambda scope, where: check_scope(scope, where, units, keys, issues), keys)
    if config.report.best_soils is not None:
        if not config.report.best_soils:
            issues.add("scenario.yaml", "report.best_soils",
                       "an empty scope would make every land unit a best soil; name the land, e.g. "
                       "{land_type: [alluvial_plain]}, or leave report.best_soils out")
        check_scope(config.report.best_soils, "report.best_soils", units, keys, issues)
    land_types = units("land_type")
    for land_type in config.ldn.net_target_ha:
        if land_type not in land_types:
            issues.add(
                "scenario.yaml", f"ldn.net_target_ha.{land_type}",
                f"unknown land type{did_you_mean(land_type, land_types)}; known: {known_list(land_types)}",
            )
    if config.ldn.target_year is not None and config.ldn.target_year not in years:
        issues.add(
            "scenario.yaml", "ldn.target_year",
            f"{config.ldn.target_year} is not a planning year ({', '.join(map(str, years))})",
        )
    issues.raise_if_any()


def _check_colours(uses: pd.DataFrame, label: str, issues: IssueCollector) -> None:
    """A use's map colour, when given, is #rrggbb (the GeoTIFF colour table and styles need it)."""
    if "color" not in uses.columns:
        return
    given = uses["color"].astype(str).str.strip()
    bad = (given != "") & ~given.str.fullmatch(r"#[0-9A-Fa-f]{6}")
    for row in uses.loc[bad].head(MAX_ROWS_REPORTED).itertuples():
        issues.add(label, f"line {row.source_line}, column 'color'",
                   f"'{str(row.color)[:20]}' is not a colour: write #rrggbb (e.g. #2e7d32), or leave it empty for "
                   "the cover class's default")
