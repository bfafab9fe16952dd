"""Who pays for each change of use: finance by eligible source, within the funds each source
gives (V-FINANCE, C-FINANCE, C-FUNDS; LP steps in :mod:`lup_opt.model.finance`). Culling is
skipped with finance by source (which funds may pay depends on the use a change goes to)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lup_opt.data.linkages import FINANCE, finance_data
from lup_opt.data.model_data import ModelData, Resolution, ResolveContext
from lup_opt.enums import Comparison, FamilyName
from lup_opt.families.base import Family, RelaxableKind, RelaxableRow
from lup_opt.model.finance import FUNDS as FUNDS_ROWS
from lup_opt.model.finance import activity_labels, add_finance_variables, add_financed_costs, add_funds
from lup_opt.model.lp import LinearProgram
from lup_opt.results.indicators import Values
from lup_opt.results.tables import AREA_EPS
from lup_opt.scenario.config import ScenarioConfig


def finance_table(data: ModelData, values: Values) -> pd.DataFrame:
    """Who pays for what: money per source, activity (change of use), jurisdiction and year."""
    finance = data.finance
    if finance is None:
        return pd.DataFrame()
    activities = activity_labels(data).iloc[finance.variables["row"].to_numpy()].reset_index(drop=True)
    activities.insert(0, "source", np.asarray(finance.sources, dtype=object)[finance.variables["source"].to_numpy()])
    activities["amount"] = values[FINANCE]
    activities["unit"] = finance.unit
    return activities[activities["amount"] > AREA_EPS].reset_index(drop=True)


def funds_table(data: ModelData, values: Values) -> pd.DataFrame:
    """Per source, jurisdiction (or '*' for a pooled source) and year: available, used, unused."""
    finance, dims = data.finance, data.dims
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


def relaxable(data: ModelData, lp: LinearProgram) -> list[RelaxableRow]:
    """C-FUNDS rows: relaxing one raises what that source gives (the funds table)."""
    if not lp.has_constraint(FUNDS_ROWS) or data.finance is None:
        return []
    block = lp.constraint(FUNDS_ROWS)
    labels = block.labels
    unit = data.objective.unit
    out = []
    for i in range(block.size):
        source, jurisdiction, period = (labels[k].iat[i] for k in ("source", "jurisdiction", "period"))
        where = "the pooled area" if jurisdiction == "*" else str(jurisdiction)
        out.append(RelaxableRow(
            row=block.offset + i, kind=RelaxableKind.FUNDS, name=str(source), key=None,
            label=f"funding source '{source}' for {where} ({period})", unit=unit,
            sense=Comparison.AT_MOST, value=float(block.upper[i]), size=max(float(block.upper[i]), 1.0),
            group=str(jurisdiction), period=int(period),
        ))
    return out


def resolve(context: ResolveContext) -> Resolution:
    c = context
    finance, terms = finance_data(c.scenario, c.dims, c.columns, c.coefficients)
    if finance is None:
        return Resolution()
    return Resolution(finance, tuple(terms), {FINANCE: len(finance.variables)})


def stops_culling(config: ScenarioConfig) -> str | None:
    # Which funds may pay for a change depends on the use it changes to, so a cheaper change is
    # not always payable.
    return "finance by source is set" if config.finance is not None else None


FAMILY = Family(
    name=FamilyName.FINANCE, resolve=resolve, stops_culling=stops_culling,
    variables=(add_finance_variables,),
    rows=(add_financed_costs, add_funds),
    relaxable=relaxable,
    tables={"finance": finance_table, "funds": funds_table},
)
