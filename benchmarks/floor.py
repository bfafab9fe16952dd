"""The floor: the benchmark scenarios' LP built straight from their tables with numpy/scipy and
handed to HiGHS with ``passModel``. No lup_opt code, no validation, no aggregation: the least
work any tool must do for the same LP. It reads the feature subset that ``generate.py`` writes.

    python benchmarks/floor.py SCENARIO_FOLDER       # prints a JSON line of stage timings

The formulation is the one in ``models/formulation.md``: one column per path (keep the baseline
use, or change once to an allowed use in a given period), area rows per part, target rows per
year (soft targets with shortfall columns), LDN rows per land type and year, minimum total cost.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
from pathlib import Path
from time import perf_counter

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp
import yaml

COVERS = ["tree_covered", "grassland", "cropland", "wetland", "artificial", "other_land", "water_body"]
LAND_COVER = np.array([[0, -1, -1, -1, -1, -1, 0], [1, 0, 1, -1, -1, -1, 0], [1, -1, 0, -1, -1, -1, 0],
                       [-1, -1, -1, 0, -1, -1, 0], [1, 1, 1, 1, 0, 1, 0], [1, 1, 1, 1, -1, 0, 0],
                       [0, 0, 0, 0, 0, 0, 0]])
CROPLAND = {"temperate_dry": 0.80, "temperate_moist": 0.69, "tropical_dry": 0.58, "tropical_moist": 0.48,
            "tropical_wet": 0.48, "tropical_montane": 0.64}
STATUS = {"degraded": 0, "stable": 1, "improved": 2}
# GPG addendum's 7-class counterbalancing: gains are improvements in the period (classes 6, 7),
# losses declines (1, 2), whatever the baseline status; a stable period is neutral (3, 4, 5).
COUNTERBALANCE = np.array([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]])


def soc_factor(cover_from, cover_to, f):
    base = np.array([[1, 1, np.nan, 1, .1, .1, 1], [1, 1, np.nan, 1, .1, .1, 1], [np.nan, np.nan, 1, 1 / .71, .1, .1, 1],
                     [1, 1, .71, 1, .1, .1, 1], [2, 2, 2, 2, 1, 1, 1], [2, 2, 2, 2, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1]])
    out = base[cover_from, cover_to]
    out = np.where((cover_to == 2) & (cover_from <= 1), f, out)
    return np.where((cover_from == 2) & (cover_to <= 1), 1 / f, out)


def build(folder: Path) -> dict:
    config = yaml.safe_load((folder / "scenario.yaml").read_text())
    units = pd.read_csv(folder / "units.csv")
    baseline = pd.read_csv(folder / "baseline.csv")
    uses = pd.read_csv(folder / "uses.csv")
    coef = pd.read_csv(folder / "coefficients.csv", keep_default_na=False)
    rules = pd.read_csv(folder / "transitions.csv", keep_default_na=False)
    productivity = pd.read_csv(folder / "productivity.csv")
    years = config["periods"]["planning_years"]
    starts = [config["periods"]["baseline_year"], *years[:-1]]
    n_t, use_ids = len(years), list(uses["id"])
    n_u = len(use_ids)
    unit_index = pd.Index(units["id"])
    zones = units["zone"].to_numpy()
    land_types = sorted(units["land_type"].unique())
    lt = pd.Index(land_types).get_indexer(units["land_type"])

    part_unit = unit_index.get_indexer(baseline["land_unit"])
    part_use = pd.Index(use_ids).get_indexer(baseline["use"])
    part_area = baseline["area_ha"].to_numpy(float)

    # Allowed changes per (to use, zone) and their cost per ha (rules are all '* -> use').
    zone_names = ["urban", "peri_urban", "rural"]
    allowed = np.ones((n_u, 3), dtype=bool)
    change_cost = np.zeros(n_u)
    for r in rules.itertuples():
        b = use_ids.index(r.to_use)
        listed = [z for z in str(r.zones).split(";") if z]
        allowed[b] = [bool(r.allowed) and (not listed or z in listed) for z in zone_names]
        change_cost[b] = float(r.cost_kusd or 0)
    sealed = uses["sealed"].to_numpy(bool)
    zone_code = pd.Index(zone_names).get_indexer(zones)
    can = allowed.T[zone_code[part_unit]] & ~sealed[part_use][:, None]
    can[np.arange(len(part_use)), part_use] = False
    cp, cb = np.nonzero(can)
    col_part = np.concatenate([np.arange(len(part_use)), np.repeat(cp, n_t)])
    col_to = np.concatenate([part_use, np.repeat(cb, n_t)])
    col_conv = np.concatenate([np.full(len(part_use), -1), np.tile(np.arange(n_t), len(cp))])
    col_unit, col_from = part_unit[col_part], part_use[col_part]
    n_cols = len(col_part)

    # Per-ha values per (unit, use), most specific row wins (land_unit > one key > none).
    indicators = list(config["indicators"])

    def table(indicator, applies):
        rows = coef[(coef["indicator"] == indicator) & (coef["applies_to"] == applies)]
        filled = {k: (rows[k].to_numpy() != "") if k in rows else np.zeros(len(rows), bool)
                  for k in ("land_type", "zone", "land_unit")}
        out = np.zeros((len(units), n_u))
        general = ~(filled["land_type"] | filled["zone"] | filled["land_unit"])
        for r in rows[general].itertuples():
            out[:, use_ids.index(r.use)] = r.value
        for key in ("land_type", "zone"):
            for r in rows[filled[key] & ~filled["land_unit"]].itertuples():
                out[units[key].to_numpy() == getattr(r, key), use_ids.index(r.use)] = r.value
        per_unit = rows[filled["land_unit"]]
        if len(per_unit):
            out[unit_index.get_indexer(per_unit["land_unit"]), pd.Index(use_ids).get_indexer(per_unit["use"])] = \
                per_unit["value"].to_numpy(float)
        return out

    K = [[None] * len(indicators) for _ in range(n_t)]
    for i, name in enumerate(indicators):
        per_use, per_change = table(name, "use"), table(name, "conversion")
        change = per_change[col_unit, col_to] + (change_cost[col_to] if name == "cost_kusd" else 0.0)
        for t in range(n_t):
            use_t = np.where((col_conv >= 0) & (col_conv <= t), col_to, col_from)
            K[t][i] = per_use[col_unit, use_t] + np.where(col_conv == t, change, 0.0)

    # LDN status per year.
    cover = pd.Index(COVERS).get_indexer(uses["cover_class"])
    mgmt = uses["soc_management_factor"].to_numpy(float)
    prod = np.repeat(uses["productivity"].to_numpy(int)[:, None], len(land_types), axis=1)
    for r in productivity.itertuples():
        prod[use_ids.index(r.use), land_types.index(r.land_type)] = r.productivity
    f = units["climate"].map(CROPLAND).to_numpy(float)[col_unit]
    status_base = units["baseline_status"].map(STATUS).to_numpy(int)[col_unit]
    ldn_status = []
    for t in range(n_t):
        converted = (col_conv >= 0) & (col_conv <= t)
        use_t = np.where(converted, col_to, col_from)
        years_since = np.where(converted, years[t] - np.asarray(starts)[np.maximum(col_conv, 0)], 0)
        factor = soc_factor(cover[col_from], cover[use_t], f) * mgmt[use_t] / mgmt[col_from]
        change = (factor - 1) * np.clip(years_since, 0, 20) / 20
        soc = np.where(change <= -0.1 + 1e-12, -1, np.where(change >= 0.1 - 1e-12, 1, 0))
        classes = np.stack([LAND_COVER[cover[col_from], cover[use_t]], soc, prod[use_t, lt[col_unit]]])
        period = np.where((classes == -1).any(0), -1, np.where((classes == 1).any(0), 1, 0))
        ldn_status.append(COUNTERBALANCE[status_base, period + 1])

    # Rows: area, targets (soft ones with a shortfall column), LDN.
    blocks, lower, upper = [], [], []
    blocks.append(sp.csr_matrix((np.ones(n_cols), (col_part, np.arange(n_cols))), shape=(len(part_use), n_cols)))
    lower.append(part_area)
    upper.append(part_area)
    soft_rows = []
    for name, target in config["targets"].items():
        i = indicators.index(target["indicator"])
        mask = np.ones(len(units), dtype=bool)
        for key, value in target.get("scope", {}).items():
            mask &= units[key].isin(value if isinstance(value, list) else [value]).to_numpy()
        periods = [years.index(target["period"])] if "period" in target else range(n_t)
        for t in periods:
            row = np.where(mask[col_unit], K[t][i], 0.0)
            blocks.append(sp.csr_matrix(row[None, :]))
            lo, hi = (target["value"], np.inf) if target["sense"] == ">=" else (-np.inf, target["value"])
            lower.append([lo])
            upper.append([hi])
            if target.get("kind") == "soft":
                soft_rows.append((sum(b.shape[0] for b in blocks) - 1, 1.0 if target["sense"] == ">=" else -1.0,
                                  target["penalty"]))
    n_types = len(land_types)
    for t in range(n_t):
        s = ldn_status[t].astype(float)
        keep = s != 0
        blocks.append(sp.csr_matrix((s[keep], (lt[col_unit][keep], np.flatnonzero(keep))), shape=(n_types, n_cols)))
        lower.append(np.zeros(n_types))
        upper.append(np.full(n_types, np.inf))
    matrix = sp.vstack(blocks, format="csr")
    n_rows = matrix.shape[0]
    shortfall = sp.csr_matrix((np.array([s for _, s, _ in soft_rows]), ([r for r, _, _ in soft_rows],
                              np.arange(len(soft_rows)))), shape=(n_rows, len(soft_rows)))
    matrix = sp.hstack([matrix, shortfall], format="csc")
    cost_index = indicators.index("cost_kusd")
    cost = np.concatenate([sum(K[t][cost_index] for t in range(n_t)), [p for _, _, p in soft_rows]])
    return {"matrix": matrix, "cost": cost, "row_lower": np.concatenate([np.atleast_1d(x) for x in lower]),
            "row_upper": np.concatenate([np.atleast_1d(x) for x in upper]), "n_area": n_cols,
            "col_part": col_part, "col_to": col_to, "col_conv": col_conv, "part_unit": part_unit,
            "part_use": part_use, "units": units["id"].to_numpy(), "uses": use_ids, "years": years}


def hand_over(model: dict) -> highspy.Highs:
    """passModel's pointer form: HiGHS reads the numpy arrays in place (the fastest hand-off)."""
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("solver", "ipm")
    matrix, inf = model["matrix"], highspy.kHighsInf
    n_rows, n_cols = matrix.shape
    highs.passModel(
        n_cols, n_rows, matrix.nnz, int(highspy.MatrixFormat.kColwise), int(highspy.ObjSense.kMinimize), 0.0,
        model["cost"], np.zeros(n_cols), np.full(n_cols, inf),
        np.where(np.isinf(model["row_lower"]), -inf, model["row_lower"]),
        np.where(np.isinf(model["row_upper"]), inf, model["row_upper"]),
        matrix.indptr.astype(np.int32), matrix.indices.astype(np.int32), matrix.data,
        np.zeros(n_cols, dtype=np.int32),
    )
    return highs


def write(model: dict, values: np.ndarray, folder: Path) -> None:
    """Land use of every part in every year, as lup_opt's allocation table (one CSV)."""
    area = values[: model["n_area"]]
    n_uses = len(model["uses"])
    frames = []
    for t, year in enumerate(model["years"]):
        use_t = np.where((model["col_conv"] >= 0) & (model["col_conv"] <= t), model["col_to"],
                         model["part_use"][model["col_part"]])
        totals = np.bincount(model["col_part"] * n_uses + use_t, weights=area, minlength=len(model["part_use"]) * n_uses)
        index = np.flatnonzero(totals > 1e-9)
        part, use = index // n_uses, index % n_uses
        frames.append(pd.DataFrame({"land_unit": model["units"][model["part_unit"][part]],
                                    "baseline_use": np.asarray(model["uses"])[model["part_use"][part]],
                                    "use": np.asarray(model["uses"])[use], "period": year, "area_ha": totals[index]}))
    pd.concat(frames).to_csv(folder / "allocation.csv", index=False)


def main(folder: Path, time_limit: float | None = None) -> dict:
    start = perf_counter()
    model = build(folder)
    built = perf_counter()
    highs = hand_over(model)
    handed = perf_counter()
    if time_limit:
        highs.setOptionValue("time_limit", float(time_limit))
    highs.run()
    run = highs.getRunTime()
    after_run = perf_counter()
    status = highs.modelStatusToString(highs.getModelStatus()).lower()
    values = np.asarray(highs.getSolution().col_value)
    objective = highs.getInfo().objective_function_value
    extracted = perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        write(model, values, Path(tmp))
    end = perf_counter()
    matrix = model["matrix"]
    return {"status": status, "objective": objective, "rows": matrix.shape[0], "columns": matrix.shape[1],
            "nonzeros": int(matrix.nnz), "land_units": len(model["units"]), "load_build": built - start,
            "handoff": handed - built, "highs": run, "extract": extracted - after_run, "write": end - extracted,
            "total": end - start, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else None)))
