"""Exact aggregation: land that the LP cannot tell apart is solved once, then split back.

Two parts of land units (a unit's area under one baseline use) enter the LP identically when
their units have the same value in every attribute column of ``units.csv`` (jurisdiction, zone,
land type, climate, baseline status and any extra attribute) and the same baseline use, and no
table or setting names either unit by id: every coefficient, transition rule, exclusion, target
scope and LDN class is then the same per hectare. Such parts are merged into one part whose
area is their sum. Every constraint of the LP is a sum over hectares, so a plan for the merged
part, split back in proportion to area, is a plan for the original parts with the same value in
every row and in the objective, and any plan for the originals, summed, is one for the merged
part: the optimum, every indicator and the LDN balance are unchanged (``models/formulation.md``,
"Exact aggregation").

Aggregation is not applied when a conversion limit or share target is set *for each land unit*
(``for_each: [land_unit]``): such rows compare a unit's parts with each other, so merging parts of
different units would change them.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lup_opt.data.model_data import ModelData
from lup_opt.data.paths import AREA_EPS, PlanPaths
from lup_opt.scenario.scenario import Scenario
from lup_opt.scenario.tables import LINE, WILDCARD

logger = logging.getLogger(__name__)

MERGED_PREFIX = "merged_"
_NOT_ATTRIBUTES = ("id", "area_ha", LINE)


@dataclass(frozen=True)
class Aggregation:
    """The scenario to solve and how its merged parts map back to the original ones.

    ``part_*`` describe the original baseline parts of merged land; ``part_group`` is the row
    of ``groups`` (merged unit id and baseline use) each belongs to.
    """

    scenario: Scenario
    part_unit: np.ndarray  # original land unit id (object)
    part_use: np.ndarray  # baseline use (object)
    part_area: np.ndarray
    part_group: np.ndarray
    groups: pd.DataFrame  # land_unit (merged id), baseline_use, area_ha, representative (a member unit)
    report: dict[str, Any]

    @property
    def merged(self) -> bool:
        return len(self.groups) > 0

    def representative(self, land_units: pd.Series) -> pd.Series:
        """Land unit ids with merged ids replaced by one of their member units."""
        if not self.merged:
            return land_units
        lookup = self.groups.drop_duplicates("land_unit").set_index("land_unit")["representative"]
        return land_units.map(lookup).fillna(land_units)

    def split_paths(self, data: ModelData, area: np.ndarray) -> PlanPaths:
        """The plan of the merged scenario (``data``, ``area`` per column) as the plan of the
        original parts of land.

        Within each merged part, the original parts are laid end to end in file order and the
        merged part's paths (its area kept, or changed to a use in a period) are laid along the
        same hectares: each original part takes the paths that cover it. So every part follows
        one path except, per merged part, at most one part at each boundary between two paths,
        which is shared; the totals of every path, and so every row of the LP, are unchanged.
        """
        paths = PlanPaths.of(data, area)
        if not self.merged:
            return paths
        dims, parts = data.dims, data.parts
        group_key = pd.MultiIndex.from_frame(self.groups[["land_unit", "baseline_use"]])
        part_key = pd.MultiIndex.from_arrays([
            np.asarray(dims.land_units, dtype=object)[parts.unit], np.asarray(dims.uses, dtype=object)[parts.use],
        ])
        group_of_part = group_key.get_indexer(part_key)  # -1: a part kept as it is
        path_group = group_of_part[paths.part]
        kept = path_group < 0
        # Merged paths in group order, rescaled so that each group's paths add up to its area
        # exactly (the solver's are equal within its tolerance).
        order = np.argsort(path_group[~kept], kind="stable")
        group = path_group[~kept][order]
        path_area = paths.area[~kept][order]
        group_area = self.groups["area_ha"].to_numpy()
        held = np.bincount(group, weights=path_area, minlength=len(group_area))
        path_area = path_area * (group_area / np.where(held > 0, held, 1.0))[group]
        # Original parts in group order, on the same axis.
        cells = np.argsort(self.part_group, kind="stable")
        cell_end = np.cumsum(self.part_area[cells])
        path_end = np.cumsum(path_area)
        points = np.union1d(np.r_[0.0, cell_end], path_end)
        start, end = points[:-1], points[1:]
        length = end - start
        useful = length > AREA_EPS * np.maximum(1.0, end)
        middle = (start + end)[useful] / 2
        cell = np.minimum(np.searchsorted(cell_end, middle), len(cells) - 1)
        path = np.minimum(np.searchsorted(path_end, middle), len(path_end) - 1)
        original = cells[cell]
        merged_paths = np.flatnonzero(~kept)[order][path]
        # Parts kept as they are keep their numbers; split parts are numbered after them.
        kept_part = paths.part[kept]
        return PlanPaths(
            part=np.concatenate([kept_part, parts.size + original]),
            land_unit=np.concatenate([paths.land_unit[kept], self.part_unit[original]]),
            baseline_use=np.concatenate([paths.baseline_use[kept], paths.baseline_use[merged_paths]]),
            to_use=np.concatenate([paths.to_use[kept], paths.to_use[merged_paths]]),
            conversion=np.concatenate([paths.conversion[kept], paths.conversion[merged_paths]]),
            area=np.concatenate([paths.area[kept], length[useful]]),
            n_parts=parts.size + len(self.part_unit),
            column=np.concatenate([paths.column[kept], paths.column[merged_paths]]),
        )


def no_aggregation(scenario: Scenario, reason: str) -> Aggregation:
    empty = np.zeros(0)
    units = len(scenario.units)
    return Aggregation(
        scenario, empty.astype(object), empty.astype(object), empty, empty.astype(np.int64),
        pd.DataFrame(columns=["land_unit", "baseline_use", "area_ha", "representative"]),
        {"applied": False, "reason": reason, "land_units_before": units, "land_units_after": units,
         "parts_before": len(scenario.baseline), "parts_after": len(scenario.baseline)},
    )


def aggregate(scenario: Scenario, per_unit: str | None = None) -> Aggregation:
    """Merge the parts that the LP cannot tell apart (see the module docstring). ``per_unit``
    names rows set for each land unit, which tell every land unit apart (the families say:
    ``lup_opt.families.registry.per_land_unit``); then nothing is merged."""
    if per_unit:
        return no_aggregation(scenario, f"{per_unit} is set for each land unit")
    units, baseline = scenario.units, scenario.baseline
    named = _units_named_by_id(scenario)
    free = ~units["id"].isin(named).to_numpy()
    attributes = [c for c in units.columns if c not in _NOT_ATTRIBUTES]
    unit_row = pd.Index(units["id"]).get_indexer(baseline["land_unit"])
    part_free = free[unit_row]
    signature = units[attributes].iloc[unit_row[part_free]].reset_index(drop=True)
    signature["baseline_use"] = baseline["use"].to_numpy()[part_free]
    codes = signature.groupby(list(signature.columns), sort=True, dropna=False).ngroup().to_numpy()
    n_groups = int(codes.max()) + 1 if len(codes) else 0
    n_free_parts = int(part_free.sum())
    if n_groups == n_free_parts:
        return no_aggregation(scenario, "no two parts of land are alike")
    part_index = np.flatnonzero(part_free)
    part_area = baseline["area_ha"].to_numpy(dtype=float)[part_index]
    first = part_index[np.unique(codes, return_index=True)[1]]  # the first part of each group
    ids = _merged_ids(n_groups, set(units["id"]))
    groups = pd.DataFrame({
        "land_unit": ids,
        "baseline_use": baseline["use"].to_numpy()[first],
        "area_ha": np.bincount(codes, weights=part_area, minlength=n_groups),
        "representative": baseline["land_unit"].to_numpy()[first],
    })
    template = units.iloc[unit_row[first]].reset_index(drop=True)
    merged_units = template.assign(id=ids, area_ha=groups["area_ha"].to_numpy())
    merged_baseline = pd.DataFrame({
        "land_unit": ids, "use": groups["baseline_use"], "area_ha": groups["area_ha"],
        LINE: baseline[LINE].to_numpy()[first],
    })
    new_units = pd.concat([units.loc[~free], merged_units], ignore_index=True)
    new_baseline = pd.concat([baseline.loc[~part_free], merged_baseline], ignore_index=True)
    merged = dataclasses.replace(scenario, units=new_units, baseline=new_baseline)
    report = {
        "applied": True,
        "land_units_before": len(units), "land_units_after": len(new_units),
        "parts_before": len(baseline), "parts_after": len(new_baseline),
        "units_kept_as_named": int((~free).sum()),
    }
    logger.info("aggregation: %d parts of land -> %d (%d land units named by id kept as they are)",
                report["parts_before"], report["parts_after"], report["units_kept_as_named"])
    return Aggregation(
        merged, baseline["land_unit"].to_numpy()[part_index], baseline["use"].to_numpy()[part_index],
        part_area, codes, groups, report,
    )


def _merged_ids(n: int, taken: set[str]) -> np.ndarray:
    prefix = MERGED_PREFIX
    while any(str(t).startswith(prefix) for t in taken):
        prefix = "_" + prefix
    width = len(str(max(n - 1, 0)))
    return np.char.add(prefix, np.char.zfill(np.arange(n).astype(str), width)).astype(object)


def _units_named_by_id(scenario: Scenario) -> set[str]:
    """Land units that a table row or a scope of scenario.yaml names by id."""
    named: set[str] = set()
    for field in dataclasses.fields(scenario):
        table = getattr(scenario, field.name)
        if field.name in ("units", "baseline") or not isinstance(table, pd.DataFrame):
            continue
        if "land_unit" in table.columns:
            values = table["land_unit"].astype(str)
            named.update(values[(values != "") & (values != WILDCARD)])
    for value in _scope_values(scenario.config.model_dump(), "land_unit"):
        named.update(value if isinstance(value, list) else [value])
    return {str(v) for v in named}


def _scope_values(node: Any, key: str) -> Iterator[Any]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key and isinstance(v, str | list):
                yield v
            else:
                yield from _scope_values(v, key)
    elif isinstance(node, list):
        for item in node:
            yield from _scope_values(item, key)
