"""Result tables of the urban-rural linkages: food, finance and livelihoods, per year."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lup_opt.data.linkages import EXPORT, FINANCE, FLOW, IMPORT, NO_WORK
from lup_opt.data.model_data import ModelData
from lup_opt.model.finance import activity_labels
from lup_opt.model.land_balance import AREA
from lup_opt.model.targets import indicator_row
from lup_opt.results.indicators import Values
from lup_opt.results.tables import AREA_EPS


def food_table(data: ModelData, values: Values) -> pd.DataFrame:
    """Per product, jurisdiction and year: production, demand, what arrives from and leaves for
    other jurisdictions, imports, exports, self-sufficiency (production / demand) and the land
    abroad behind the imports."""
    food, dims = data.linkages.food, data.dims
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
    return units[np.asarray(data.linkages.food.product_indicator, dtype=np.int64)]


def food_flow_table(data: ModelData, values: Values) -> pd.DataFrame:
    """Where each jurisdiction's food comes from: every flow, import and export with quantity."""
    food, dims = data.linkages.food, data.dims
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


def finance_table(data: ModelData, values: Values) -> pd.DataFrame:
    """Who pays for what: money per source, activity (change of use), jurisdiction and year."""
    finance = data.linkages.finance
    if finance is None:
        return pd.DataFrame()
    activities = activity_labels(data).iloc[finance.variables["row"].to_numpy()].reset_index(drop=True)
    activities.insert(0, "source", np.asarray(finance.sources, dtype=object)[finance.variables["source"].to_numpy()])
    activities["amount"] = values[FINANCE]
    activities["unit"] = finance.unit
    return activities[activities["amount"] > AREA_EPS].reset_index(drop=True)


def funds_table(data: ModelData, values: Values) -> pd.DataFrame:
    """Per source, jurisdiction (or '*' for a pooled source) and year: available, used, unused."""
    finance, dims = data.linkages.finance, data.dims
    if finance is None:
        return pd.DataFrame()
    rows = finance.cost_rows
    variables = finance.variables
    used = pd.DataFrame({
        "source": variables["source"].to_numpy(),
        "jurisdiction": rows["jurisdiction"].to_numpy()[variables["row"].to_numpy()],
        "period": rows["period"].to_numpy()[variables["row"].to_numpy()],
        "amount": values[FINANCE],
    })
    records = []
    for fund in finance.funds.itertuples():
        match = (used["source"] == fund.source) & (used["period"] == fund.period)
        if fund.jurisdiction >= 0:
            match &= used["jurisdiction"] == fund.jurisdiction
        spent = float(used.loc[match, "amount"].sum())
        records.append({"source": finance.sources[fund.source],
                        "jurisdiction": "*" if fund.jurisdiction < 0 else dims.jurisdictions[fund.jurisdiction],
                        "period": dims.periods[fund.period], "available": fund.amount, "used": spent,
                        "unused": fund.amount - spent, "unit": finance.unit})
    return pd.DataFrame.from_records(records)


def livelihood_table(data: ModelData, values: Values) -> pd.DataFrame:
    """Per jurisdiction and year: labour force, jobs on its land, people without local work
    (the migration pressure) and its share of the labour force."""
    work, dims = data.linkages.livelihoods, data.dims
    if work is None:
        return pd.DataFrame()
    n_t = len(dims.periods)
    records = []
    for i, j in enumerate(work.jurisdictions):
        mask = data.units.jurisdiction == j
        for t in range(n_t):
            cols, vals = indicator_row(data, work.jobs_indicator, mask, t)
            without = float(values[NO_WORK][i * n_t + t])
            labour = float(work.labour[i, t])
            records.append({"jurisdiction": dims.jurisdictions[j], "period": dims.periods[t],
                            "labour_force": labour, "jobs": float(vals @ values[AREA][cols]),
                            "without_work": without, "migration_pressure_share": without / labour if labour else 0.0})
    return pd.DataFrame.from_records(records)


LINKAGE_TABLES = {
    "food": food_table,
    "food_flows": food_flow_table,
    "finance": finance_table,
    "funds": funds_table,
    "livelihoods": livelihood_table,
}
