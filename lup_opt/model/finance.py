"""Finance by source (V-FINANCE, C-FINANCE, C-FUNDS)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lup_opt.data.linkages import FINANCE
from lup_opt.data.model_data import ModelData
from lup_opt.handles import Rows
from lup_opt.model.families import implements
from lup_opt.model.land_balance import AREA
from lup_opt.model.lp import INF, LPBuilder

FINANCED_COSTS = Rows("financed_costs", "C-FINANCE")
FUNDS = Rows("funds", "C-FUNDS")


def activity_labels(data: ModelData) -> pd.DataFrame:
    """Per activity group and year: jurisdiction, baseline use, use, year, and the unit
    attributes that eligibility rules name."""
    finance, dims = data.finance, data.dims
    if finance is None:
        return pd.DataFrame(columns=["jurisdiction", "from_use", "to_use", "period"])
    rows = finance.cost_rows
    labels = pd.DataFrame({
        "jurisdiction": np.asarray(dims.jurisdictions, dtype=object)[rows["jurisdiction"].to_numpy()],
        "from_use": np.asarray(dims.uses, dtype=object)[rows["from_use"].to_numpy()],
        "to_use": np.asarray(dims.uses, dtype=object)[rows["to_use"].to_numpy()],
        "period": np.asarray(dims.periods)[rows["period"].to_numpy()],
    })
    for column in rows.columns.difference(["group", "period", "jurisdiction", "from_use", "to_use"]):
        labels[column] = rows[column].to_numpy()
    return labels


@implements("V-FINANCE")
def add_finance_variables(lp: LPBuilder, data: ModelData) -> None:
    """phi[s,g,t] >= 0: money from funding source s for the costs of activity group g in year t,
    only where s is eligible for g (by change of use, jurisdiction and unit attributes such as
    tenure). Each unit costs the source's cost of capital in the finance cost indicator."""
    finance = data.finance
    variables = finance.variables if finance else pd.DataFrame(columns=["source", "row"])
    activities = activity_labels(data)
    labels = activities.iloc[variables["row"].to_numpy(dtype=np.int64)].reset_index(drop=True)
    labels.insert(0, "source", np.asarray(finance.sources if finance else (), dtype=object)[
        variables["source"].to_numpy(dtype=np.int64)])
    lp.add_variables(FINANCE, np.zeros(len(variables)), INF, labels)


@implements("C-FINANCE")
def add_financed_costs(lp: LPBuilder, data: ModelData) -> None:
    """C-FINANCE: sum_s phi[s,g,t] = sum_{c in g} cost[c,t] x[c] for every activity group g and
    year t: every cost the plan incurs is paid, and only by eligible sources."""
    finance = data.finance
    n_rows = len(finance.cost_rows) if finance else 0
    terms: dict[str, sp.csr_matrix] = {}
    if finance:
        variables = finance.variables
        terms = {
            AREA: -finance.cost_matrix,
            FINANCE: sp.csr_matrix((np.ones(len(variables)), (variables["row"].to_numpy(), np.arange(len(variables)))),
                                   shape=(n_rows, len(variables))),
        }
    lp.add_constraints(FINANCED_COSTS, terms, np.zeros(n_rows), np.zeros(n_rows), activity_labels(data))


@implements("C-FUNDS")
def add_funds(lp: LPBuilder, data: ModelData) -> None:
    """C-FUNDS: sum_{g in j} phi[s,g,t] <= F[s,j,t] for every source s, jurisdiction j (or the
    whole area for a pooled source, jurisdiction '*') and year t. A source with no amount for a
    jurisdiction and year gives nothing there."""
    finance, dims = data.finance, data.dims
    funds = finance.funds if finance else pd.DataFrame(columns=["source", "jurisdiction", "period", "amount"])
    terms: dict[str, sp.csr_matrix] = {}
    if finance:
        variables = finance.variables
        var_jurisdiction = finance.cost_rows["jurisdiction"].to_numpy()[variables["row"].to_numpy()]
        var_period = finance.cost_rows["period"].to_numpy()[variables["row"].to_numpy()]
        r, c = [], []
        # Every (source, year) must be limited: amounts not given are zero.
        keys = {(s, j, t) for s, j, t in zip(funds["source"], funds["jurisdiction"], funds["period"], strict=True)}
        missing = [(s, j, t) for s in range(len(finance.sources)) for j in range(len(dims.jurisdictions))
                   for t in range(len(dims.periods)) if (s, j, t) not in keys and (s, -1, t) not in keys]
        funds = pd.concat([funds, pd.DataFrame(missing, columns=["source", "jurisdiction", "period"]).assign(amount=0.0)],
                          ignore_index=True)
        for i, (s, j, t) in enumerate(zip(funds["source"], funds["jurisdiction"], funds["period"], strict=True)):
            match = np.flatnonzero((variables["source"].to_numpy() == s) & (var_period == t)
                                   & ((var_jurisdiction == j) | (j == -1)))
            r.append(np.full(len(match), i))
            c.append(match)
        terms[FINANCE] = sp.csr_matrix((np.ones(sum(map(len, c))), (np.concatenate(r), np.concatenate(c))),
                                       shape=(len(funds), len(variables)))
    labels = pd.DataFrame({
        "source": np.asarray(finance.sources if finance else (), dtype=object)[funds["source"].to_numpy(dtype=np.int64)],
        "jurisdiction": ["*" if j == -1 else dims.jurisdictions[j] for j in funds["jurisdiction"]],
        "period": np.asarray(dims.periods)[funds["period"].to_numpy(dtype=np.int64)],
    })
    lp.add_constraints(FUNDS, terms, np.full(len(funds), -INF), funds["amount"].to_numpy(dtype=float), labels)
