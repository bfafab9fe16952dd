"""Sensitive conversions: land whose change a planner must see and justify.

From ``allocation.csv`` (the use of every part of land in every planning year against its
baseline use) and the scenario's uses and land units:

- baseline forest, wetland and water bodies (cover classes ``tree_covered``, ``wetland`` and
  ``water_body`` of the baseline use) that a plan turns into a use of another cover class;
- any change of use on protected land units (a true ``protected`` column in ``units.csv``);
- the best soils (``report.best_soils`` in scenario.yaml) turned into a sealed use.

Areas are cumulative: what has changed by each planning year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lup_opt.report.folder import Folder

AREA_EPS = 1e-6  # ha below which a converted area is round-off
COVER_CATEGORIES = {"tree_covered": "baseline forest", "wetland": "wetland", "water_body": "water body"}
PROTECTED, BEST_SOILS = "protected land", "best soils sealed"
CATEGORIES = (*COVER_CATEGORIES.values(), PROTECTED, BEST_SOILS)
COLUMNS = ["category", "jurisdiction", "baseline_use", "use", "period", "area_ha"]


@dataclass(frozen=True)
class Sensitive:
    """What was converted (``table``: one row per category, jurisdiction, baseline use, use and
    year, cumulative ha) and, per category, why it is not assessed (absent: assessed)."""

    table: pd.DataFrame
    not_assessed: dict[str, str]
    reason: str = ""  # why nothing is assessed at all

    def converted(self, category: str) -> float:
        """Hectares of ``category`` converted by the last planning year."""
        rows = self.table[self.table["category"] == category]
        return float(rows.loc[rows["period"] == rows["period"].max(), "area_ha"].sum()) if len(rows) else 0.0

    @property
    def assessed(self) -> list[str]:
        return [] if self.reason else [c for c in CATEGORIES if c not in self.not_assessed]


def sensitive_conversions(folder: Folder) -> Sensitive:
    allocation = folder.table("allocation")
    if allocation.empty:
        return Sensitive(pd.DataFrame(columns=COLUMNS), {}, "the folder has no allocation.csv (no plan)")
    if folder.scenario is None:
        return Sensitive(pd.DataFrame(columns=COLUMNS), {},
                         f"cover classes and protected land come from the scenario, and {folder.scenario_note}")
    uses = folder.uses
    changed = allocation[(allocation["use"].astype(str) != allocation["baseline_use"].astype(str))
                         & (allocation["area_ha"] > AREA_EPS)]
    jurisdiction = folder.scenario.units.set_index(folder.scenario.units["id"].astype(str))["jurisdiction"]
    changed = changed.assign(land_unit=changed["land_unit"].astype(str),
                             baseline_use=changed["baseline_use"].astype(str), use=changed["use"].astype(str))
    changed = changed.assign(jurisdiction=jurisdiction.reindex(changed["land_unit"]).to_numpy())
    from_cover = uses["cover_class"].reindex(changed["baseline_use"]).to_numpy()
    to_cover = uses["cover_class"].reindex(changed["use"]).to_numpy()
    masks = {label: (from_cover == cover) & (to_cover != cover) for cover, label in COVER_CATEGORIES.items()}
    not_assessed = {}
    protected = folder.protected_units
    if protected is None:
        not_assessed[PROTECTED] = "units.csv has no 'protected' column"
    else:
        masks[PROTECTED] = changed["land_unit"].isin(protected).to_numpy()
    best = folder.best_soil_units
    if best is None:
        not_assessed[BEST_SOILS] = ("best soils are not designated (scenario.yaml: report.best_soils, e.g. "
                                    "{land_type: [alluvial_plain]})")
    else:
        sealed_to = uses["sealed"].reindex(changed["use"]).fillna(False).to_numpy(dtype=bool)
        sealed_from = uses["sealed"].reindex(changed["baseline_use"]).fillna(False).to_numpy(dtype=bool)
        masks[BEST_SOILS] = changed["land_unit"].isin(best).to_numpy() & sealed_to & ~sealed_from
    parts = []
    for category in CATEGORIES:
        mask = masks.get(category)
        if mask is None or not np.any(mask):
            continue
        rows = changed[mask].groupby(["jurisdiction", "baseline_use", "use", "period"], as_index=False)["area_ha"].sum()
        parts.append(rows.assign(category=category))
    table = pd.concat(parts, ignore_index=True)[COLUMNS] if parts else pd.DataFrame(columns=COLUMNS)
    return Sensitive(table, not_assessed)


def by_year(table: pd.DataFrame) -> pd.DataFrame:
    """The sensitive table with one column of ha per planning year ('by 2030')."""
    if table.empty:
        return table
    wide = table.pivot_table(index=["category", "jurisdiction", "baseline_use", "use"], columns="period",
                             values="area_ha", aggfunc="sum", fill_value=0.0)
    order = {c: k for k, c in enumerate(CATEGORIES)}
    wide = wide.reset_index()
    wide = wide.sort_values(["category", wide.columns[-1]], key=lambda s: s.map(order) if s.name == "category"
                            else -s).reset_index(drop=True)
    wide.columns = [f"ha by {c}" if isinstance(c, int | np.integer) else str(c) for c in wide.columns]
    return wide.rename(columns={"baseline_use": "from (baseline use)", "use": "to"})
