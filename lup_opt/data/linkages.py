"""Model data for urban-rural linkages: housing from population, food flows, finance by source
and migration pressure (each resolved by its family in :mod:`lup_opt.families`).

Variables other than the area columns (food flows, imports, exports, finance, people without
work) enter indicators through :class:`ExtraTerm` entries, each belonging to a jurisdiction and
a period. They count in a target's indicator when the target's scope names nothing but
jurisdictions (they have no zone, land type or land unit).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lup_opt.data.targets import TargetRow
from lup_opt.enums import Comparison
from lup_opt.errors import ScenarioError
from lup_opt.handles import Columns
from lup_opt.scenario.checks_linkages import population_table
from lup_opt.scenario.scenario import Scenario
from lup_opt.scenario.tables import WILDCARD

if TYPE_CHECKING:
    from lup_opt.data.arrays import ColumnArrays, Dimensions, PartArrays

# The non-land variable blocks (their handles: ExtraTerm entries name them).
FLOW = Columns("food_flow", "V-FLOW")
IMPORT = Columns("food_import", "V-IMPORT")
EXPORT = Columns("food_export", "V-EXPORT")
FINANCE = Columns("finance", "V-FINANCE")
NO_WORK = Columns("without_work", "V-NO-WORK")


@dataclass(frozen=True)
class ExtraTerm:
    """Indicator ``indicator`` gains ``value`` per unit of variables ``index`` of ``block``."""

    indicator: int
    block: str
    index: np.ndarray
    value: np.ndarray
    period: np.ndarray
    jurisdiction: np.ndarray


@dataclass(frozen=True)
class FoodData:
    products: tuple[str, ...]
    product_indicator: np.ndarray  # indicator index per product
    demand: np.ndarray  # (products, jurisdictions, periods)
    flow: pd.DataFrame  # product, origin, destination, period, cost (codes)
    imports: pd.DataFrame  # product, jurisdiction, period, price, footprint, degraded
    exports: pd.DataFrame  # product, jurisdiction, period, price

    @property
    def balance_size(self) -> int:
        return int(np.prod(self.demand.shape))


@dataclass(frozen=True)
class FinanceData:
    sources: tuple[str, ...]
    cost_rows: pd.DataFrame  # per (activity group, period): jurisdiction, from_use, to_use, period, label
    cost_matrix: sp.csr_matrix  # (cost rows x area columns): cost per ha to be financed
    variables: pd.DataFrame  # source, row (eligible pairs), cost_of_capital
    funds: pd.DataFrame  # source, jurisdiction ('*' or code), period, amount
    unit: str = ""  # of every amount: the cost indicator's unit


@dataclass(frozen=True)
class LivelihoodData:
    jurisdictions: np.ndarray  # codes
    labour: np.ndarray  # (jurisdictions, periods)
    jobs_indicator: int
    penalty: float


def housing_targets(
    scenario: Scenario, dims: Dimensions, parts: PartArrays, columns: ColumnArrays,
    coefficients: tuple[sp.csr_matrix, ...],
) -> tuple[TargetRow, ...]:
    """One target per jurisdiction and planning year: the housing indicator must house the
    population (``total``) or its baseline value plus the growth since the baseline (``growth``)."""
    housing = scenario.config.housing
    if housing is None:
        return ()
    indicator = dims.indicators.index(housing.indicator)
    years = (scenario.config.periods.baseline_year, *dims.periods)
    people = population_table(scenario.population, dims.jurisdictions, years, "population")
    keep = columns.conversion < 0
    per_ha = coefficients[0].getrow(indicator).toarray().ravel()
    jurisdiction_of_unit = pd.Categorical(scenario.units["jurisdiction"], categories=list(dims.jurisdictions)).codes
    baseline = np.bincount(jurisdiction_of_unit[columns.unit[keep]],
                           weights=per_ha[keep] * parts.area[columns.part[keep]], minlength=len(dims.jurisdictions))
    wanted = housing.jurisdictions or sorted(set(scenario.population["jurisdiction"]))
    rows = []
    for name in wanted:
        j = dims.jurisdictions.index(name)
        for t, year in enumerate(dims.periods):
            value = people[j, t + 1] if housing.basis == "total" else baseline[j] + people[j, t + 1] - people[j, 0]
            rows.append(TargetRow(
                name=f"housing_{name}", indicator=indicator, sense=Comparison.AT_LEAST, value=float(value),
                kind=housing.kind, penalty=housing.penalty or 0.0, period=t,
                unit_mask=jurisdiction_of_unit == j, scope=f"jurisdiction={name}", derived=True,
                description=f"homes for the {'population' if housing.basis == 'total' else 'population growth'} "
                            f"of {name} in {year}",
            ))
    return tuple(rows)


def food_data(scenario: Scenario, dims: Dimensions) -> tuple[FoodData | None, list[ExtraTerm]]:
    food = scenario.config.food
    if food is None:
        return None, []
    products = tuple(food.products)
    specs = [food.products[p] for p in products]
    n_j, n_t = len(dims.jurisdictions), len(dims.periods)
    people = np.nan_to_num(population_table(scenario.population, dims.jurisdictions, dims.periods, "population"))
    demand = np.stack([spec.demand_per_person * people for spec in specs])
    trading = food.jurisdictions or list(dims.jurisdictions)
    trading_codes = [dims.jurisdictions.index(j) for j in trading]

    links = scenario.food_links
    records = []
    for row in links.itertuples():
        items = products if row.product == WILDCARD else (row.product,)
        pairs = [(row.from_jurisdiction, row.to_jurisdiction)]
        if row.both_ways:
            pairs.append((row.to_jurisdiction, row.from_jurisdiction))
        for product in items:
            for origin, destination in pairs:
                records.append((products.index(product), dims.jurisdictions.index(origin),
                                dims.jurisdictions.index(destination), row.cost_per_unit))
    base = pd.DataFrame(records, columns=["product", "origin", "destination", "cost"]).drop_duplicates(
        ["product", "origin", "destination"], keep="last")
    flow = base.merge(pd.DataFrame({"period": range(n_t)}), how="cross")

    def trade(price_of) -> pd.DataFrame:
        rows = [(k, j, t, price_of(spec), spec.import_footprint_ha, spec.import_footprint_ha * spec.import_degradation_share)
                for k, spec in enumerate(specs) if price_of(spec) is not None
                for j in trading_codes for t in range(n_t)]
        return pd.DataFrame(rows, columns=["product", "jurisdiction", "period", "price", "footprint", "degraded"])

    imports = trade(lambda spec: spec.import_price)
    exports = trade(lambda spec: spec.export_price)[["product", "jurisdiction", "period", "price"]]
    terms = []
    cost = dims.indicators.index(food.cost_indicator)
    terms.append(_term(cost, FLOW, flow["cost"], flow["period"], flow["destination"]))
    terms.append(_term(cost, IMPORT, imports["price"], imports["period"], imports["jurisdiction"]))
    terms.append(_term(cost, EXPORT, -exports["price"], exports["period"], exports["jurisdiction"]))
    for key, column in (("footprint_indicator", "footprint"), ("degradation_indicator", "degraded")):
        if getattr(food, key):
            terms.append(_term(dims.indicators.index(getattr(food, key)), IMPORT, imports[column],
                               imports["period"], imports["jurisdiction"]))
    data = FoodData(products, np.array([dims.indicators.index(s.indicator) for s in specs]),
                    demand.reshape(len(products), n_j, n_t), flow, imports, exports)
    return data, terms


def _term(indicator: int, block: str, value, period, jurisdiction) -> ExtraTerm:
    value = np.asarray(value, dtype=float)
    return ExtraTerm(indicator, block, np.arange(len(value)), value, np.asarray(period, dtype=np.int64),
                     np.asarray(jurisdiction, dtype=np.int64))


def finance_data(
    scenario: Scenario, dims: Dimensions, columns: ColumnArrays, coefficients: tuple[sp.csr_matrix, ...],
) -> tuple[FinanceData | None, list[ExtraTerm]]:
    """Activity groups (jurisdiction, change and the unit attributes eligibility rules name),
    their costs per period, and which source may pay for which group."""
    finance = scenario.config.finance
    if finance is None:
        return None, []
    indicator = dims.indicators.index(finance.cost_indicator)
    sources = tuple(finance.sources)
    attributes = sorted({k for s in finance.sources.values() for r in s.eligible for k in r.scope})
    units = scenario.units
    key = pd.DataFrame({
        "jurisdiction": pd.Categorical(units["jurisdiction"], categories=list(dims.jurisdictions)).codes[columns.unit],
        "from_use": columns.from_use, "to_use": columns.to_use,
        **{a: scenario.unit_values(a).astype(str).to_numpy()[columns.unit] for a in attributes},
    })
    group, group_keys = pd.factorize(pd.MultiIndex.from_frame(key))
    group_table = pd.DataFrame(list(group_keys), columns=key.columns)
    entries, labels = [], []
    for t in range(len(dims.periods)):
        cost = coefficients[t].getrow(indicator).toarray().ravel()
        if (cost < 0).any():
            raise ScenarioError.single("scenario.yaml", "finance.cost_indicator",
                                       f"'{finance.cost_indicator}' has negative values; only costs can be financed")
        used = np.flatnonzero(cost > 0)
        present = np.unique(group[used])
        row_of_group = np.full(len(group_table), -1)
        row_of_group[present] = np.arange(len(present)) + len(labels)
        entries.append((row_of_group[group[used]], used, cost[used]))
        labels.extend((g, t) for g in present)
    rows = pd.DataFrame(labels, columns=["group", "period"])
    rows = pd.concat([rows, group_table.iloc[rows["group"]].reset_index(drop=True)], axis=1)
    if entries:
        r, c, v = (np.concatenate(x) for x in zip(*entries, strict=True))
    else:
        r = c = np.zeros(0, dtype=np.int64)
        v = np.zeros(0)
    matrix = sp.csr_matrix((v, (r, c)), shape=(len(rows), columns.size))
    variables = _eligible(scenario, dims, finance, sources, rows, attributes)
    amounts = scenario.finance_amounts
    funds = pd.DataFrame({
        "source": pd.Index(sources).get_indexer(amounts["source"]),
        "jurisdiction": [-1 if j == WILDCARD else dims.jurisdictions.index(j) for j in amounts["jurisdiction"]],
        "period": pd.Index(dims.periods).get_indexer(amounts["year"]),
        "amount": amounts["amount"].to_numpy(dtype=float),
    })
    terms = [_term(indicator, FINANCE, variables["cost_of_capital"], rows["period"].to_numpy()[variables["row"]],
                   rows["jurisdiction"].to_numpy()[variables["row"]])]
    return FinanceData(sources, rows, matrix, variables, funds, dims.indicator_units[indicator]), terms


def _eligible(scenario, dims, finance, sources, rows: pd.DataFrame, attributes: list[str]) -> pd.DataFrame:
    records = []
    for s, name in enumerate(sources):
        source = finance.sources[name]
        ok = np.zeros(len(rows), dtype=bool) if source.eligible else np.ones(len(rows), dtype=bool)
        for rule in source.eligible:
            match = np.ones(len(rows), dtype=bool)
            if rule.to_uses:
                match &= rows["to_use"].isin([dims.uses.index(u) for u in rule.to_uses]).to_numpy()
            if rule.from_uses:
                match &= rows["from_use"].isin([dims.uses.index(u) for u in rule.from_uses]).to_numpy()
            for key, value in rule.scope.items():
                wanted = [str(v) for v in (value if isinstance(value, list) else [value])]
                if key == "jurisdiction":
                    match &= rows["jurisdiction"].isin([dims.jurisdictions.index(w) for w in wanted]).to_numpy()
                else:
                    match &= rows[key].isin(wanted).to_numpy()
            ok |= match
        records.extend((s, r, source.cost_of_capital) for r in np.flatnonzero(ok))
    return pd.DataFrame(records, columns=["source", "row", "cost_of_capital"])


def livelihood_data(scenario: Scenario, dims: Dimensions) -> tuple[LivelihoodData | None, list[ExtraTerm]]:
    settings = scenario.config.livelihoods
    if settings is None:
        return None, []
    wanted = settings.jurisdictions or sorted(set(scenario.population["jurisdiction"]))
    codes = np.array([dims.jurisdictions.index(j) for j in wanted])
    labour = population_table(scenario.population, dims.jurisdictions, dims.periods, "labour_force")[codes]
    data = LivelihoodData(codes, labour, dims.indicators.index(settings.jobs_indicator), settings.penalty or 0.0)
    terms = []
    if settings.indicator:
        n = len(codes) * len(dims.periods)
        terms.append(_term(dims.indicators.index(settings.indicator), NO_WORK, np.ones(n),
                           np.tile(np.arange(len(dims.periods)), len(codes)), np.repeat(codes, len(dims.periods))))
    return data, terms
