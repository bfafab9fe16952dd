"""A plan in the IAMC long format (``model, scenario, region, variable, unit, year, value``), the
format integrated-assessment work exchanges results in and pyam reads (``pyam.IamDataFrame``).

Regions: the functional area (named after the scenario) and each jurisdiction as
``AREA|JURISDICTION``, as IAMC nests sub-regions. Variables:

* ``Land Cover|USE`` (ha): the area of each use, per planning year;
* ``Indicator|NAME`` (the indicator's unit): every indicator of the scenario, per planning year;
* ``LDN|Gains|LAND_TYPE``, ``LDN|Losses|LAND_TYPE``, ``LDN|Net|LAND_TYPE`` (ha), of the area;
* ``Objective`` (the objective's unit), at the last planning year.

Pandas only; pyam is not needed to write it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

COLUMNS = ["model", "scenario", "region", "variable", "unit", "year", "value"]
MODEL = "lup_opt"
ALL = "all"  # the jurisdiction of a functional-area row in transitions.csv and ldn_balance.csv


def iamc_table(result: Any, scenario: str | None = None, model: str = MODEL) -> pd.DataFrame:
    """The long IAMC table of one optimal result (empty without a plan); ``scenario`` names it
    (default: the scenario's name with its variants)."""
    info = result.info
    area = info.scenario_info.name or "area"
    label = scenario or info.scenario_info.label
    if not result.is_optimal:
        return pd.DataFrame(columns=COLUMNS)
    parts = [_land_cover(result.transitions, area), _indicators(result.indicators, area),
             _ldn(result.ldn_balance, area)]
    years = sorted(int(y) for y in result.allocation["period"].unique()) if len(result.allocation) else []
    if years and result.objective is not None:
        parts.append(pd.DataFrame([{"region": area, "variable": "Objective", "unit": result.objective_unit or "",
                                    "year": years[-1], "value": float(result.objective)}]))
    table = pd.concat([p for p in parts if len(p)], ignore_index=True)
    table = table.dropna(subset=["value"])
    table.insert(0, "scenario", label)
    table.insert(0, "model", model)
    table["year"] = table["year"].astype(int)
    # one value per key: pyam refuses duplicates
    return table.groupby(COLUMNS[:-1], as_index=False, sort=True)["value"].sum()[COLUMNS]


def _region(area: str, jurisdiction: pd.Series) -> pd.Series:
    return jurisdiction.astype(str).map(lambda j: area if j == ALL else f"{area}|{j}")


def _land_cover(transitions: pd.DataFrame, area: str) -> pd.DataFrame:
    if transitions.empty:
        return pd.DataFrame()
    rows = transitions.groupby(["jurisdiction", "use", "period"], as_index=False)["area_ha"].sum()
    return pd.DataFrame({"region": _region(area, rows["jurisdiction"]), "variable": "Land Cover|" + rows["use"],
                         "unit": "ha", "year": rows["period"], "value": rows["area_ha"]})


def _indicators(indicators: pd.DataFrame, area: str) -> pd.DataFrame:
    kept = indicators[indicators["scope_type"].isin(["functional_area", "jurisdiction"])]
    if kept.empty:
        return pd.DataFrame()
    region = kept["scope"].where(kept["scope_type"] == "jurisdiction", ALL)
    return pd.DataFrame({"region": _region(area, region), "variable": "Indicator|" + kept["indicator"],
                         "unit": kept["unit"].fillna("").astype(str), "year": kept["period"], "value": kept["value"]})


def _ldn(balance: pd.DataFrame, area: str) -> pd.DataFrame:
    if balance.empty:
        return pd.DataFrame()
    rows = balance.groupby(["land_type", "period"], as_index=False)[["gains_counted_ha", "losses_ha", "net_ha"]].sum()
    parts = [pd.DataFrame({"region": area, "variable": f"LDN|{name}|" + rows["land_type"], "unit": "ha",
                           "year": rows["period"], "value": rows[column]})
             for name, column in (("Gains", "gains_counted_ha"), ("Losses", "losses_ha"), ("Net", "net_ha"))]
    return pd.concat(parts, ignore_index=True)
