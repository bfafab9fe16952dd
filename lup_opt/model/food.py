"""Food produced, moved, imported and exported (V-FLOW, V-IMPORT, V-EXPORT, C-FOOD)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lup_opt.data.linkages import EXPORT, FLOW, IMPORT
from lup_opt.data.model_data import ModelData
from lup_opt.handles import Rows
from lup_opt.model.families import implements
from lup_opt.model.land_balance import AREA
from lup_opt.model.lp import INF, LPBuilder
from lup_opt.model.targets import indicator_row

FOOD_BALANCE = Rows("food_balance", "C-FOOD")


def _names(values, labels) -> np.ndarray:
    return np.asarray(labels, dtype=object)[np.asarray(values, dtype=np.int64)]


@implements("V-FLOW", "V-IMPORT", "V-EXPORT")
def add_food_variables(lp: LPBuilder, data: ModelData) -> None:
    """f[k,i,j,t] >= 0: units of product k moved from jurisdiction i to j in year t along a link;
    m[k,j,t] >= 0 and e[k,j,t] >= 0: units imported into and exported from the functional area.

    Their money (transport cost per unit, import price, minus export price) and the land abroad
    that imports need enter the indicators named in ``food`` (E-IND), so targets and the
    objective see them.
    """
    food, dims = data.food, data.dims
    products = food.products if food else ()
    flow = food.flow if food else pd.DataFrame(columns=["product", "origin", "destination", "period"])
    lp.add_variables(FLOW, np.zeros(len(flow)), INF, pd.DataFrame({
        "product": _names(flow["product"], products), "origin": _names(flow["origin"], dims.jurisdictions),
        "destination": _names(flow["destination"], dims.jurisdictions),
        "period": np.asarray(dims.periods)[flow["period"].to_numpy(dtype=np.int64)]}))
    for name, table in ((IMPORT, food.imports if food else None), (EXPORT, food.exports if food else None)):
        table = table if table is not None else pd.DataFrame(columns=["product", "jurisdiction", "period"])
        lp.add_variables(name, np.zeros(len(table)), INF, pd.DataFrame({
            "product": _names(table["product"], products),
            "jurisdiction": _names(table["jurisdiction"], dims.jurisdictions),
            "period": np.asarray(dims.periods)[table["period"].to_numpy(dtype=np.int64)]}))


@implements("C-FOOD")
def add_food_balance(lp: LPBuilder, data: ModelData) -> None:
    """C-FOOD: P[k,j,t](x) + sum_i f[k,i,j,t] - sum_l f[k,j,l,t] + m[k,j,t] - e[k,j,t] >= D[k,j,t]
    for every product k, jurisdiction j and year t.

    P is the production indicator of k over j's land (E-IND); D = population x demand per
    person. Supply may exceed demand (stocks, losses), never fall below it.
    """
    food, dims = data.food, data.dims
    n_j, n_t = len(dims.jurisdictions), len(dims.periods)
    n_rows = food.balance_size if food else 0
    terms: dict[str, sp.csr_matrix] = {}
    labels = pd.DataFrame(columns=["product", "jurisdiction", "period"])
    demand = np.zeros(0)
    if food:
        def row(product, jurisdiction, period) -> np.ndarray:
            return (np.asarray(product) * n_j + np.asarray(jurisdiction)) * n_t + np.asarray(period)

        r, c, v = [], [], []
        jurisdiction_of_unit = data.units.jurisdiction
        for k, indicator in enumerate(food.product_indicator):
            for t in range(n_t):
                cols, vals = indicator_row(data, int(indicator), np.ones(len(jurisdiction_of_unit), dtype=bool), t)
                r.append(row(k, jurisdiction_of_unit[data.columns.unit[cols]], t))
                c.append(cols)
                v.append(vals)
        terms[AREA] = sp.csr_matrix((np.concatenate(v), (np.concatenate(r), np.concatenate(c))),
                                    shape=(n_rows, data.columns.size))
        flow = food.flow
        inflow = row(flow["product"], flow["destination"], flow["period"])
        outflow = row(flow["product"], flow["origin"], flow["period"])
        n_flow = len(flow)
        terms[FLOW] = sp.csr_matrix(
            (np.r_[np.ones(n_flow), -np.ones(n_flow)], (np.r_[inflow, outflow], np.r_[np.arange(n_flow), np.arange(n_flow)])),
            shape=(n_rows, n_flow))
        for name, table, sign in ((IMPORT, food.imports, 1.0), (EXPORT, food.exports, -1.0)):
            terms[name] = sp.csr_matrix(
                (np.full(len(table), sign), (row(table["product"], table["jurisdiction"], table["period"]),
                                             np.arange(len(table)))), shape=(n_rows, len(table)))
        grid = np.stack(np.meshgrid(np.arange(len(food.products)), np.arange(n_j), np.arange(n_t), indexing="ij"),
                        axis=-1).reshape(-1, 3)
        labels = pd.DataFrame({"product": np.asarray(food.products, dtype=object)[grid[:, 0]],
                               "jurisdiction": np.asarray(dims.jurisdictions, dtype=object)[grid[:, 1]],
                               "period": np.asarray(dims.periods)[grid[:, 2]]})
        demand = food.demand.ravel()
    lp.add_constraints(FOOD_BALANCE, terms, demand, np.full(n_rows, INF), labels)
