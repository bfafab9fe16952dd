"""Food produced, moved between jurisdictions, imported and exported, and the land abroad
behind imports (V-FLOW, V-IMPORT, V-EXPORT, C-FOOD; LP steps in :mod:`lup_opt.model.food`)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from lup_opt.data.linkages import EXPORT, FLOW, IMPORT, food_data
from lup_opt.data.model_data import ModelData, Resolution, ResolveContext
from lup_opt.enums import Comparison, FamilyName
from lup_opt.families.base import MORE_IS_BETTER, Family, RelaxableKind, RelaxableRow
from lup_opt.model.food import FOOD_BALANCE, add_food_balance, add_food_variables
from lup_opt.model.land_balance import AREA
from lup_opt.model.lp import LinearProgram
from lup_opt.model.targets import indicator_row
from lup_opt.results.indicators import Values
from lup_opt.results.tables import AREA_EPS
from lup_opt.scenario.config import ScenarioConfig


def reads(config: ScenarioConfig) -> Iterator[tuple[str, int]]:
    if config.food is not None:  # production covers demand (>=): more is never worse
        for product in config.food.products.values():
            yield product.indicator, MORE_IS_BETTER


def food_table(data: ModelData, values: Values) -> pd.DataFrame:
    """Per product, jurisdiction and year: production, demand, what arrives from and leaves for
    other jurisdictions, imports, exports, self-sufficiency (production / demand) and the land
    abroad behind the imports."""
    food, dims = data.food, data.dims
    if food is None:
        return pd.DataFrame()
    n_k, n_j, n_t = food.demand.shape
    production = np.zeros((n_k, n_j, n_t))
    for k, indicator in enumerate(food.product_indicator):
        for t in range(n_t):
            cols, vals = indicator_row(data, int(indicator), np.ones(len(data.units.area), dtype=bool), t)
            np.add.at(production[k, :, t], data.units.jurisdiction[data.columns.unit[cols]], vals * values[AREA][cols])

    def totals(table: pd.DataFrame, block: str, where: str) -> np.ndarray:
        out = np.zeros((n_k, n_j, n_t))
        np.add.at(out, (table["product"].to_numpy(dtype=np.int64), table[where].to_numpy(dtype=np.int64),
                        table["period"].to_numpy(dtype=np.int64)), values[block])
        return out

    inflow, outflow = totals(food.flow, FLOW, "destination"), totals(food.flow, FLOW, "origin")
    imports, exports = totals(food.imports, IMPORT, "jurisdiction"), totals(food.exports, EXPORT, "jurisdiction")
    footprint = np.zeros((n_k, n_j, n_t))
    np.add.at(footprint, (food.imports["product"].to_numpy(dtype=np.int64),
                          food.imports["jurisdiction"].to_numpy(dtype=np.int64),
                          food.imports["period"].to_numpy(dtype=np.int64)),
              food.imports["footprint"].to_numpy() * values[IMPORT])
    k, j, t = (a.ravel() for a in np.meshgrid(np.arange(n_k), np.arange(n_j), np.arange(n_t), indexing="ij"))
    demand = food.demand[k, j, t]
    with np.errstate(divide="ignore", invalid="ignore"):
        sufficiency = np.where(demand > 0, production[k, j, t] / demand, np.nan)
    return pd.DataFrame({
        "product": np.asarray(food.products, dtype=object)[k],
        "jurisdiction": np.asarray(dims.jurisdictions, dtype=object)[j],
        "period": np.asarray(dims.periods)[t],
        "production": production[k, j, t], "demand": demand,
        "from_other_jurisdictions": inflow[k, j, t], "to_other_jurisdictions": outflow[k, j, t],
        "imports": imports[k, j, t], "exports": exports[k, j, t],
        "self_sufficiency": sufficiency, "imported_land_ha": footprint[k, j, t],
        "unit": _product_units(data)[k],
    })


def _product_units(data: ModelData) -> np.ndarray:
    """Unit of each product's quantities: that of its indicator."""
    units = np.asarray(data.dims.indicator_units, dtype=object)
    return units[np.asarray(data.food.product_indicator, dtype=np.int64)]


def food_flow_table(data: ModelData, values: Values) -> pd.DataFrame:
    """Where each jurisdiction's food comes from: every flow, import and export with quantity."""
    food, dims = data.food, data.dims
    if food is None:
        return pd.DataFrame()
    products = np.asarray(food.products, dtype=object)
    names = np.asarray(dims.jurisdictions, dtype=object)
    years = np.asarray(dims.periods)
    frames = [
        pd.DataFrame({"product": products[food.flow["product"]], "origin": names[food.flow["origin"]],
                      "destination": names[food.flow["destination"]], "period": years[food.flow["period"]],
                      "quantity": values[FLOW], "unit_cost": food.flow["cost"].to_numpy()}),
        pd.DataFrame({"product": products[food.imports["product"]], "origin": "outside (import)",
                      "destination": names[food.imports["jurisdiction"]], "period": years[food.imports["period"]],
                      "quantity": values[IMPORT], "unit_cost": food.imports["price"].to_numpy()}),
        pd.DataFrame({"product": products[food.exports["product"]], "origin": names[food.exports["jurisdiction"]],
                      "destination": "outside (export)", "period": years[food.exports["period"]],
                      "quantity": values[EXPORT], "unit_cost": -food.exports["price"].to_numpy()}),
    ]
    table = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) else frames[0]
    table = table[table["quantity"] > AREA_EPS].reset_index(drop=True)
    table["unit"] = _product_units(data)[pd.Index(food.products).get_indexer(table["product"])]
    return table


def relaxable(data: ModelData, lp: LinearProgram) -> list[RelaxableRow]:
    """C-FOOD rows with demand: relaxing one lowers that demand (population x demand per person)."""
    if not lp.has_constraint(FOOD_BALANCE) or data.food is None:
        return []
    block, food = lp.constraint(FOOD_BALANCE), data.food
    labels = block.labels
    unit_of = {p: data.dims.indicator_units[int(i)] for p, i in zip(food.products, food.product_indicator, strict=True)}
    out = []
    for i in np.flatnonzero(block.lower > 0):
        product, jurisdiction, period = (labels[k].iat[i] for k in ("product", "jurisdiction", "period"))
        out.append(RelaxableRow(
            row=block.offset + int(i), kind=RelaxableKind.FOOD, name=str(product), key=None,
            label=f"demand for {product} in {jurisdiction} ({period})",
            unit=unit_of[product], sense=Comparison.AT_LEAST, value=float(block.lower[i]),
            size=max(float(block.lower[i]), 1.0), group=str(jurisdiction), period=int(period),
        ))
    return out


def resolve(context: ResolveContext) -> Resolution:
    """Demand, links, imports and exports; flows, imports and exports enter the indicators of
    their products (e.g. a transport cost)."""
    food, terms = food_data(context.scenario, context.dims)
    if food is None:
        return Resolution()
    return Resolution(food, tuple(terms), {FLOW: len(food.flow), IMPORT: len(food.imports), EXPORT: len(food.exports)})


FAMILY = Family(
    name=FamilyName.FOOD, resolve=resolve,
    variables=(add_food_variables,),
    rows=(add_food_balance,),
    reads=reads, relaxable=relaxable,
    tables={"food": food_table, "food_flows": food_flow_table},
)
