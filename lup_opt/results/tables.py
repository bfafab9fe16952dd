"""Solution arrays -> the planner's tables (allocation, transitions, LDN balance, indicators).

All aggregation is sparse algebra or pandas group-bys over the area columns; nothing loops over
land units.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lup_opt.data.model_data import ModelData
from lup_opt.data.paths import AREA_EPS, PlanPaths
from lup_opt.data.targets import ALL
from lup_opt.ldn_rules import BASELINE_STATUSES
from lup_opt.model.ldn import ldn_row_enforced

LOSS_DRIVERS = ("land_cover", "soc", "productivity")


def state_by_part(data: ModelData, area: np.ndarray, period: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Area per (part, use) in one period: (part index, use index, area) where area > 0."""
    n_uses = len(data.dims.uses)
    key = data.columns.part.astype(np.int64) * n_uses + data.columns.use_in(period)
    totals = np.bincount(key, weights=np.clip(area, 0.0, None), minlength=data.parts.size * n_uses)
    index = np.flatnonzero(totals > AREA_EPS)
    return index // n_uses, index % n_uses, totals[index]


def allocation_table(data: ModelData, area: np.ndarray, paths: PlanPaths | None = None) -> pd.DataFrame:
    """land_unit, baseline_use, use, period, area_ha: the land use of every part in every year
    (``paths``, when given, replaces the plan's own paths, e.g. split back after aggregation)."""
    dims = data.dims
    paths = paths if paths is not None else PlanPaths.of(data, area)
    uses = np.asarray(dims.uses, dtype=object)
    n_uses = len(dims.uses)
    # One entry per part: its first path's position (for the part's id and baseline use).
    present, first_path = np.unique(paths.part, return_index=True)
    first = np.full(paths.n_parts, -1, dtype=np.int64)
    first[present] = first_path
    frames = []
    for year_index, year in enumerate(dims.periods):
        key = paths.part.astype(np.int64) * n_uses + paths.use_in(year_index)
        keys, inverse = np.unique(key, return_inverse=True)
        totals = np.bincount(inverse, weights=paths.area, minlength=len(keys))
        keep = totals > AREA_EPS
        keys, totals = keys[keep], totals[keep]
        at = first[keys // n_uses]
        frames.append(pd.DataFrame({
            "land_unit": paths.land_unit[at].astype(str),
            "baseline_use": uses[paths.baseline_use[at]],
            "use": uses[keys % n_uses],
            "period": year,
            "area_ha": totals,
        }))
    return pd.concat(frames, ignore_index=True)


def conversions_table(data: ModelData, area: np.ndarray, paths: PlanPaths | None = None) -> pd.DataFrame:
    """land_unit, baseline_use, use, period, area_ha: the changes of use and when they happen
    (``period`` is the planning year that ends the period of the change)."""
    dims = data.dims
    paths = paths if paths is not None else PlanPaths.of(data, area)
    changed = paths.conversion >= 0
    uses = np.asarray(dims.uses, dtype=object)
    return pd.DataFrame({
        "land_unit": paths.land_unit[changed].astype(str),
        "baseline_use": uses[paths.baseline_use[changed]],
        "use": uses[paths.to_use[changed]],
        "period": np.asarray(dims.periods)[paths.conversion[changed]],
        "area_ha": paths.area[changed],
    })


def transitions_table(data: ModelData, area: np.ndarray) -> pd.DataFrame:
    """Baseline use -> use held in each year, per jurisdiction and for the whole area ('all')."""
    dims, parts = data.dims, data.parts
    frames = []
    for t, year in enumerate(dims.periods):
        part, use, total = state_by_part(data, area, t)
        frames.append(pd.DataFrame({
            "jurisdiction": np.asarray(dims.jurisdictions, dtype=object)[data.units.jurisdiction[parts.unit[part]]],
            "baseline_use": np.asarray(dims.uses, dtype=object)[parts.use[part]],
            "use": np.asarray(dims.uses, dtype=object)[use],
            "period": year,
            "area_ha": total,
        }))
    frame = pd.concat(frames, ignore_index=True)
    keys = ["baseline_use", "use", "period"]
    per_jurisdiction = frame.groupby(["jurisdiction", *keys], as_index=False, sort=True)["area_ha"].sum()
    total = frame.groupby(keys, as_index=False, sort=True)["area_ha"].sum()
    total.insert(0, "jurisdiction", ALL)
    table = pd.concat([total, per_jurisdiction], ignore_index=True)
    return table.loc[table["area_ha"] > AREA_EPS].reset_index(drop=True)


EXPANDED_CLASS_COLUMNS = tuple(f"class_{k}_ha" for k in range(1, 8))


def ldn_balance_table(data: ModelData, area: np.ndarray) -> pd.DataFrame:
    """Gains, losses and net area per LDN group (land type, jurisdiction when scoped, period).

    ``class_1_ha`` ... ``class_7_ha`` hold the area of each expanded status class (GPG addendum:
    gains are classes 6 and 7, losses 1 and 2, the rest neutral); ``gains_counted_ha`` applies
    gain effectiveness (and ``ldn.gains``), ``committed_losses_ha`` is area not lost yet that its
    SOC change will make a loss after the year (counted in ``losses_ha`` only with
    ``ldn.count_committed``). A loss is attributed to every indicator that declined on it (one
    out, all out), so the driver columns can add up to more than ``losses_ha``;
    ``main_loss_driver`` names the largest.
    """
    rows, ldn = data.ldn_rows, data.ldn
    x = np.clip(area, 0.0, None)
    n_groups = rows.n_groups
    degraded = data.units.baseline_status[data.columns.unit] == BASELINE_STATUSES.index("degraded")
    # Per year, one pass over the columns that hold land (not a copy of the plan per year).
    held = np.flatnonzero(x)
    x, group = x[held], rows.group_of_column[held]
    columns = ["area_ha", "gains_ha", "losses_ha", "neutral_ha", "gains_counted_ha", "committed_losses_ha",
               *EXPANDED_CLASS_COLUMNS, *[f"losses_{d}_ha" for d in LOSS_DRIVERS], "degraded_at_baseline_ha"]
    sums = {name: [] for name in columns}

    def total(mask: np.ndarray, weights: np.ndarray = x) -> np.ndarray:
        return np.bincount(group[mask], weights=weights[mask], minlength=n_groups)

    everywhere = np.ones(len(held), dtype=bool)
    for t in range(len(data.dims.periods)):
        gain, loss = ldn.gain_weight[t, held], ldn.loss_weight[t, held]
        expanded = ldn.expanded[t, held]
        declined = ldn.status[t, held] == -1
        improved = (ldn.status[t, held] == 1) & (loss == 0)  # before gain effectiveness
        sums["area_ha"].append(total(everywhere))
        sums["gains_ha"].append(total(improved))
        sums["losses_ha"].append(total(everywhere, x * loss))
        sums["neutral_ha"].append(total(~improved & (loss == 0)))
        sums["gains_counted_ha"].append(total(everywhere, x * gain))
        sums["committed_losses_ha"].append(total(ldn.committed[t, held]))
        for k, name in enumerate(EXPANDED_CLASS_COLUMNS, start=1):
            sums[name].append(total(expanded == k))
        for driver in LOSS_DRIVERS:
            sums[f"losses_{driver}_ha"].append(total(declined & (getattr(ldn, driver)[t, held] == -1)))
        sums["degraded_at_baseline_ha"].append(total(degraded[held]))
    table = rows.labels.copy()
    for name in columns:
        table[name] = np.concatenate(sums[name])
    table["net_ha"] = table["gains_counted_ha"] - table["losses_ha"]
    tolerance = 1e-6 * np.maximum(1.0, table["area_ha"].to_numpy())
    table["met"] = table["net_ha"].to_numpy() >= table["target_ha"].to_numpy() - tolerance
    table["enforced"] = ldn_row_enforced(data)
    drivers = table[[f"losses_{d}_ha" for d in LOSS_DRIVERS]].to_numpy()
    top = drivers >= drivers.max(axis=1, keepdims=True) - 1e-9 * np.maximum(1.0, drivers.max(axis=1, keepdims=True))
    names = np.asarray(LOSS_DRIVERS, dtype=object)
    main = ["+".join(names[row]) for row in top]  # one entry per LDN group, not per land unit
    table["main_loss_driver"] = np.where(drivers.max(axis=1) > AREA_EPS, main, "")
    order = [
        "land_type", "jurisdiction", "period", "target_year", "area_ha", "gains_ha", "gains_counted_ha",
        "losses_ha", "neutral_ha", "net_ha", "target_ha", "met", "enforced", "committed_losses_ha",
        *EXPANDED_CLASS_COLUMNS, "main_loss_driver", *[f"losses_{d}_ha" for d in LOSS_DRIVERS],
        "degraded_at_baseline_ha",
    ]
    return table[order]


def baseline_area(data: ModelData) -> np.ndarray:
    """Area per column if every part kept its baseline use (the 'business as usual' plan)."""
    cols = data.columns
    keep = cols.conversion < 0
    out = np.zeros(cols.size)
    out[keep] = data.parts.area[cols.part[keep]]
    return out
