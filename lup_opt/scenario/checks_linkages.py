"""Checks of the urban-rural linkage sections of ``scenario.yaml`` (conversion limits,
population and housing, food, finance, livelihoods) against the tables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from lup_opt.errors import IssueCollector, did_you_mean, known_list
from lup_opt.scenario.config import ScenarioConfig
from lup_opt.scenario.tables import MAX_ROWS_REPORTED, check_references

YAML = "scenario.yaml"


def _uses(names: list[str], where: str, uses: set[str], issues: IssueCollector) -> None:
    for name in names:
        if name not in uses:
            issues.add(YAML, where, f"unknown use '{name}'{did_you_mean(name, uses)}; known: {known_list(uses)}")


def _jurisdictions(names: list[str], where: str, known: set[str], issues: IssueCollector) -> None:
    for name in names:
        if name not in known:
            issues.add(YAML, where, f"unknown jurisdiction '{name}'{did_you_mean(name, known)}; known: {known_list(known)}")


def check_linkages(
    config: ScenarioConfig, tables: Mapping[str, Any], issues: IssueCollector, indicator, check_scope, keys,
) -> None:
    """Add every problem of the linkage sections to ``issues``; ``indicator(name, where)`` and
    ``check_scope(scope, where)`` check names and scopes as elsewhere."""
    units = tables["units"]
    uses = set(tables["uses"]["id"])
    jurisdictions = set(units["jurisdiction"])
    years = list(config.periods.planning_years)

    for name, limit in config.conversion_limits.items():
        where = f"conversion_limits.{name}"
        check_scope(limit.scope, f"{where}.scope")
        for key in limit.for_each:
            if key not in keys:
                issues.add(YAML, f"{where}.for_each", f"unknown key '{key}'{did_you_mean(key, keys)}")
        _uses(limit.from_uses, f"{where}.from_uses", uses, issues)
        _uses(limit.to_uses, f"{where}.to_uses", uses, issues)
    for i, rule in enumerate(config.ldn.gain_effectiveness):
        check_scope(rule.scope, f"ldn.gain_effectiveness.{i}.scope")
        _uses(rule.uses, f"ldn.gain_effectiveness.{i}.uses", uses, issues)
    for i, scope in enumerate(config.ldn.at_risk):
        check_scope(scope, f"ldn.at_risk.{i}")
    _uses(list(config.ldn.business_as_usual.degradation_rate), "ldn.business_as_usual.degradation_rate", uses, issues)

    population = tables["population"]
    if config.population is not None:
        label = config.population.file
        check_references(population, "jurisdiction", jurisdictions, label, "jurisdiction", issues)
        allowed_years = {config.periods.baseline_year, *years}
        bad = ~population["year"].isin(allowed_years).to_numpy()
        for row in population.loc[bad].head(MAX_ROWS_REPORTED).itertuples():
            issues.add(label, f"line {row.source_line}, column 'year'",
                       f"{row.year} is neither the baseline year nor a planning year")
    needed_years = years + ([config.periods.baseline_year] if config.housing and config.housing.basis == "growth" else [])
    for section, listed in (("housing", config.housing), ("food", config.food), ("livelihoods", config.livelihoods)):
        if listed is None:
            continue
        _jurisdictions(listed.jurisdictions, f"{section}.jurisdictions", jurisdictions, issues)
        wanted = listed.jurisdictions or sorted(set(population["jurisdiction"]))
        have = set(zip(population["jurisdiction"], population["year"], strict=True))
        for jurisdiction in wanted:
            missing = [y for y in (needed_years if section == "housing" else years) if (jurisdiction, y) not in have]
            if missing:
                issues.add(config.population.file, f"jurisdiction '{jurisdiction}'",
                           f"no population for {', '.join(map(str, missing))}, needed by '{section}'")
    if config.housing is not None:
        indicator(config.housing.indicator, "housing.indicator")
    if config.livelihoods is not None:
        indicator(config.livelihoods.jobs_indicator, "livelihoods.jobs_indicator")
        if config.livelihoods.indicator:
            indicator(config.livelihoods.indicator, "livelihoods.indicator")
        wanted = config.livelihoods.jurisdictions or sorted(set(population["jurisdiction"]))
        rows = population[population["jurisdiction"].isin(wanted) & population["year"].isin(years)]
        missing = rows["labour_force"].isna() if "labour_force" in rows else pd.Series(True, index=rows.index)
        for row in rows.loc[missing.to_numpy()].head(MAX_ROWS_REPORTED).itertuples():
            issues.add(config.population.file, f"line {row.source_line}, column 'labour_force'",
                       f"livelihoods needs the labour force of {row.jurisdiction} in {row.year} "
                       "(people of working age seeking work)")

    if config.food is not None:
        food = config.food
        indicator(food.cost_indicator, "food.cost_indicator")
        for key in ("footprint_indicator", "degradation_indicator"):
            if getattr(food, key):
                indicator(getattr(food, key), f"food.{key}")
        for product, spec in food.products.items():
            indicator(spec.indicator, f"food.products.{product}.indicator")
        links = tables["food_links"]
        if food.links:
            for column in ("from_jurisdiction", "to_jurisdiction"):
                check_references(links, column, jurisdictions, food.links, "jurisdiction", issues)
            check_references(links, "product", set(food.products), food.links,
                             "product (define it under food.products)", issues, wildcard=True)

    if config.finance is not None:
        finance = config.finance
        indicator(finance.cost_indicator, "finance.cost_indicator")
        for name, source in finance.sources.items():
            for i, rule in enumerate(source.eligible):
                where = f"finance.sources.{name}.eligible.{i}"
                _uses(rule.to_uses, f"{where}.to_uses", uses, issues)
                _uses(rule.from_uses, f"{where}.from_uses", uses, issues)
                check_scope(rule.scope, f"{where}.scope")
        amounts = tables["finance_amounts"]
        check_references(amounts, "source", set(finance.sources), finance.amounts,
                         "funding source (define it under finance.sources)", issues)
        check_references(amounts, "jurisdiction", jurisdictions, finance.amounts, "jurisdiction", issues,
                         wildcard=True)
        bad = ~amounts["year"].isin(years).to_numpy()
        for row in amounts.loc[bad].head(MAX_ROWS_REPORTED).itertuples():
            issues.add(finance.amounts, f"line {row.source_line}, column 'year'", f"{row.year} is not a planning year")


def population_table(population: pd.DataFrame, jurisdictions: tuple[str, ...], years: tuple[int, ...],
                     column: str) -> np.ndarray:
    """(jurisdictions x years) array of ``column`` from the population table (NaN where absent)."""
    out = np.full((len(jurisdictions), len(years)), np.nan)
    if population.empty or column not in population:
        return out
    j = pd.Index(jurisdictions).get_indexer(population["jurisdiction"])
    y = pd.Index(years).get_indexer(population["year"])
    keep = (j >= 0) & (y >= 0)
    out[j[keep], y[keep]] = population[column].to_numpy(dtype=float)[keep]
    return out

