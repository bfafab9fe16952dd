"""A results folder as the app's panels show it: the summary, a map layer's colours and legend,
one land unit's details, the LDN balance sheet, targets with their shadow prices and ranges, the
food, finance and jobs panels, the diagnosis of a run without a plan, a frontier's points.

Everything is read through the report's :class:`~lup_opt.report.folder.Folder` (a table is
read when first asked for) and handed on as JSON values.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lup_opt.app.unit_map import DIFFERENT, SAME, STATUS, ramp, use_colours
from lup_opt.report.folder import Folder
from lup_opt.results.io import read_diagnosis
from lup_opt.results.manifest import FolderKind

LAYERS = ("use", "change", "ldn")
Where = Folder | Path  # a results folder, opened (its tables read once) or by its path


def _open(where: Where) -> Folder:
    return where if isinstance(where, Folder) else Folder.open(where)


class FolderCache:
    """The last few results folders opened: each table is read once, not on every request (a
    million-cell plan's land_units would otherwise be read for every map)."""

    def __init__(self, size: int = 8):
        self.size = size
        self._items: OrderedDict[tuple[str, float], Folder] = OrderedDict()
        self._lock = threading.Lock()

    def open(self, path: Path) -> Folder:
        key = (str(path), (path / "manifest.json").stat().st_mtime)
        with self._lock:
            if key not in self._items:
                self._items[key] = Folder.open(path)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
            self._items.move_to_end(key)
            return self._items[key]


def records(table: pd.DataFrame, columns: list[str] | None = None, limit: int = 5_000) -> list[dict[str, Any]]:
    """Rows as JSON values (NaN and infinity become None)."""
    if table.empty:
        return []
    if columns is not None:
        table = table[[c for c in columns if c in table.columns]]
    table = table.head(limit).astype(object)
    return [{k: _json(v) for k, v in row.items()} for row in table.to_dict(orient="records")]


def _json(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def summary(path: Where) -> dict[str, Any]:
    folder = _open(path)
    info = folder.manifest
    kind = info.folder_kind
    out = {"kind": kind.value, "status": info.status.value if hasattr(info.status, "value") else info.status,
           "message": info.message, "objective": info.objective, "objective_unit": info.objective_unit,
           "scenario": info.scenario_info.label, "variants": list(info.scenario_info.variants),
           "overrides": list(info.scenario_info.overrides), "warnings": list(info.warnings),
           "notes": list(info.notes), "seconds": info.stage_seconds, "report": (folder.path / "report.html").is_file(),
           "plans": list(info.plans), "has_plan": info.has_plan}
    if kind in (FolderKind.SOLVE, FolderKind.EVALUATION, FolderKind.TRADEOFF_PLAN) and info.has_plan:
        units = folder.land_units
        out["years"] = sorted(int(y) for y in units["year"].unique()) if len(units) else []
        out["assessment_year"] = info.assessment_year
        out["land_units"] = int(units["land_unit"].nunique()) if len(units) else 0
        out["key_figures"] = _key_figures(folder)
    return out


def _key_figures(folder: Folder) -> dict[str, Any]:
    """What the run page shows first: land changed, LDN rows met, targets that bind."""
    figures: dict[str, Any] = {}
    units = folder.land_units
    if len(units) and "changed_ha" in units.columns:
        last = units[units["year"] == units["year"].max()]
        figures.update(year=int(last["year"].iloc[0]), changed_ha=float(last["changed_ha"].sum()),
                       area_ha=float(last["area_ha"].sum()))
    balance = folder.table("ldn_balance")
    if len(balance) and "met" in balance.columns:
        met = balance["met"].astype(str).str.lower().isin(["true", "1"])
        figures.update(ldn_met=int(met.sum()), ldn_rows=len(balance))
    duals = folder.table("duals")
    if len(duals) and "binding" in duals.columns:
        binding = duals[duals["binding"].astype(bool)]
        figures.update(binding=len(binding),
                       binding_targets=sorted({str(n) for n in binding.loc[binding["family"].astype(str).str.startswith(
                           ("C-TARGET", "C-SHARE")), "name"]}))
    return figures


# Maps --------------------------------------------------------------------------------------------


def _year_rows(folder: Folder, year: int | None) -> pd.DataFrame:
    units = folder.land_units
    years = sorted(units["year"].unique())
    chosen = year if year in years else (folder.manifest.assessment_year if folder.manifest.assessment_year in years
                                         else years[-1])
    rows = units[units["year"] == chosen]
    return rows.set_index(rows["land_unit"].astype(str))


def layer(path: Where, name: str, year: int | None) -> tuple[pd.Series, list[dict[str, str]]]:
    """The colour of every land unit on map layer ``name`` (use, change, ldn; the baseline's use
    with ``year`` 0) and the legend (label, colour)."""
    folder = _open(path)
    if name not in LAYERS:
        raise KeyError(name)
    if name == "use":
        rows = _year_rows(folder, year)
        column = "baseline_use" if year == 0 else "planned_use"
        given = folder.manifest.use_colours
        present = set(folder.land_units["baseline_use"].astype(str)) | set(folder.land_units["planned_use"].astype(str))
        order = [u for u in given if u in present] + sorted(present - set(given))
        colours = use_colours(order, dict(given))
        shown = set(rows[column].astype(str))
        return (rows[column].astype(str).map(colours),
                [{"label": u, "colour": colours[u]} for u in order if u in shown])
    rows = _year_rows(folder, year)
    if name == "change":
        share = rows["changed_ha"] / rows["area_ha"].where(rows["area_ha"] > 0, 1.0)
        legend = [{"label": f"{int(p * 100)} % changed", "colour": c}
                  for p, c in zip((0, 0.33, 0.67, 1.0), ramp(pd.Series([0, 0.33, 0.67, 1.0])), strict=True)]
        return ramp(share), legend
    status = rows["ldn_status"].astype(str)
    return status.map(STATUS), [{"label": s, "colour": c} for s, c in STATUS.items()]


def difference_layer(path_a: Where, path_b: Where, year: int | None) -> tuple[pd.Series, list[dict[str, str]], int]:
    """Units whose planned use differs between two runs (in ``year``), and how many."""
    a = _year_rows(_open(path_a), year)["planned_use"].astype(str)
    b = _year_rows(_open(path_b), year)["planned_use"].astype(str)
    b = b.reindex(a.index)
    differs = a != b
    colours = pd.Series(np.where(differs, DIFFERENT, SAME), index=a.index)
    return colours, [{"label": "planned use differs", "colour": DIFFERENT},
                     {"label": "same planned use", "colour": SAME}], int(differs.sum())


def unit_detail(path: Where, unit: str, year: int | None) -> dict[str, Any]:
    """One land unit in one planning year: where it is, its uses (ha), its change, its LDN class
    and the use closest to entering it, with how much better per ha it would have to be."""
    folder = _open(path)
    rows = _year_rows(folder, year)
    if unit not in rows.index:
        raise KeyError(unit)
    row = rows.loc[unit]
    uses = {c.removeprefix("ha_"): float(row[c]) for c in rows.columns if c.startswith("ha_") and row[c] > 1e-9}
    detail = {"land_unit": unit, "year": int(row["year"]), **{k: _json(row[k]) for k in (
        "jurisdiction", "zone", "land_type", "area_ha", "baseline_use", "planned_use", "changed_ha", "ldn_gains_ha",
        "ldn_losses_ha", "ldn_status", "ldn_response") if k in row.index},
        "uses_ha": dict(sorted(uses.items(), key=lambda kv: -kv[1]))}
    detail["closest_to_entering"] = _closest(folder.table("reduced_costs"), unit, str(row["jurisdiction"]),
                                             int(row["year"]), set(uses))
    return detail


def _closest(costs: pd.DataFrame, unit: str, jurisdiction: str, year: int, held: set[str]) -> dict[str, Any] | None:
    """The use the unit does not hold that needs the smallest improvement per ha to enter: where
    this unit is the place it would enter first, else anywhere in the unit's jurisdiction."""
    if costs.empty or "improvement_needed" not in costs.columns:
        return None
    out = costs[(costs["jurisdiction"].astype(str) == jurisdiction) & ~costs["in_plan"].astype(bool)
                & (costs["improvement_needed"] > 0) & ~costs["use"].astype(str).isin(held)]
    if "period" in out.columns:
        period = pd.to_numeric(out["period"], errors="coerce")
        out = out[period.isna() | (period <= year)]
    here = out[out["closest_land_unit"].astype(str) == unit] if "closest_land_unit" in out.columns else out.iloc[:0]
    chosen, where = (here, "this land unit") if len(here) else (out, f"elsewhere in {jurisdiction}")
    if chosen.empty:
        return None
    best = chosen.sort_values("improvement_needed").iloc[0]
    return {"use": str(best["use"]), "improvement_needed": float(best["improvement_needed"]),
            "unit": str(best.get("improvement_unit", "")), "where": where,
            "closest_land_unit": _json(best.get("closest_land_unit")),
            "period": _json(best.get("period")) if pd.notna(best.get("period")) else None}


# Panels ------------------------------------------------------------------------------------------


def ldn_balance(path: Where) -> dict[str, Any]:
    folder = _open(path)
    table = folder.table("ldn_balance")
    return {"rows": records(table, ["land_type", "jurisdiction", "period", "area_ha", "gains_counted_ha", "losses_ha",
                                    "net_ha", "target_ha", "met", "main_loss_driver"]),
            "hierarchy": records(folder.table("ldn_hierarchy"), ["land_type", "jurisdiction", "period", "avoid_ha",
                                                                 "reduce_ha", "reverse_ha", "losses_avoided_ha",
                                                                 "new_losses_ha", "net_ha"]),
            "price": records(folder.table("ldn_price"))}


def targets(path: Where) -> dict[str, Any]:
    """Every priced row: targets, shares, limits and LDN rows, the binding ones first."""
    duals = _open(path).table("duals")
    if not duals.empty:
        duals = duals.assign(_order=~duals["binding"].astype(bool), _price=-duals["shadow_price"].abs())
        duals = duals.sort_values(["_order", "_price"]).drop(columns=["_order", "_price"])
    return {"rows": records(duals, ["family", "name", "group", "indicator", "scope", "period", "sense", "rhs",
                                    "activity", "unit", "binding", "shadow_price", "price_unit", "valid_from",
                                    "valid_to", "slack"])}


def panels(path: Where) -> dict[str, Any]:
    """Food, finance and jobs (each empty when the scenario does not use it)."""
    folder = _open(path)
    return {"food": records(folder.table("food"), ["product", "jurisdiction", "period", "production", "demand",
                                                  "imports", "exports", "self_sufficiency", "imported_land_ha",
                                                  "unit"]),
            "funds": records(folder.table("funds")),
            "finance_by_source": _by_source(folder.table("finance")),
            "livelihoods": records(folder.table("livelihoods"))}


def _by_source(finance: pd.DataFrame) -> list[dict[str, Any]]:
    if finance.empty:
        return []
    table = finance.groupby(["source", "period"], as_index=False)["amount"].sum()
    return records(table)


def diagnosis(path: Where) -> dict[str, Any] | None:
    """What makes a run impossible and the smallest relaxation, with the ``--set`` overrides that
    apply it (None when the folder has no diagnosis)."""
    found = read_diagnosis(_open(path).path)
    if found is None:
        return None
    data = found.to_dict()
    overrides = [f"{k}={_plain(v)}" for k, v in (data.get("overrides") or {}).items()]
    return {"feasible": data.get("feasible"), "sentences": found.sentences(), "conflicts": data.get("conflicts", []),
            "relaxation": data.get("relaxation", []), "alternatives": data.get("alternatives", []),
            "overrides": overrides, "findings": data.get("findings", [])}


def _plain(value: Any) -> str:
    return f"{value:.10g}" if isinstance(value, float) else str(value)


def frontier(path: Where) -> dict[str, Any] | None:
    """A frontier folder's points, objectives and the plan folder of each point."""
    folder = _open(path)
    points = folder.table("frontier")
    if points.empty:
        return None
    plans = list(folder.manifest.plans)
    objectives = [{"label": o.label, "sense": o.sense.value, "unit": o.unit} for o in folder.manifest.objectives]
    return {"points": records(points), "objectives": objectives, "plans": plans}
