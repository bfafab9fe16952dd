"""A plan as the area on each path of each part of land: what allocation tables are made of."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lup_opt.data.model_data import ModelData

# Areas below this (ha) are solver noise, not planned land.
AREA_EPS = 1e-9


@dataclass(frozen=True)
class PlanPaths:
    """The area a plan puts on each path (keep the baseline use, or change once to ``to_use``
    in period ``conversion``) of each part of land: what the allocation and conversion tables
    are made from. ``part`` numbers the parts (0..n_parts-1); only paths with area are listed."""

    part: np.ndarray
    land_unit: np.ndarray  # land unit id of the part (object)
    baseline_use: np.ndarray  # use code
    to_use: np.ndarray  # use code
    conversion: np.ndarray  # period index, or KEEP
    area: np.ndarray
    n_parts: int
    column: np.ndarray  # the LP area column each path comes from (merged parts: the merged column)

    @classmethod
    def of(cls, data: ModelData, area: np.ndarray) -> PlanPaths:
        cols = data.columns
        held = np.flatnonzero(area > AREA_EPS)
        return cls(
            part=cols.part[held],
            land_unit=np.asarray(data.dims.land_units, dtype=object)[cols.unit[held]],
            baseline_use=cols.from_use[held], to_use=cols.to_use[held], conversion=cols.conversion[held],
            area=area[held], n_parts=data.parts.size, column=held,
        )

    def use_in(self, period: int) -> np.ndarray:
        converted = (self.conversion >= 0) & (self.conversion <= period)
        return np.where(converted, self.to_use, self.baseline_use)
