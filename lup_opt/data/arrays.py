"""The index arrays every stage of model data shares: labels of each index (``Dimensions``),
land units, parts (a unit's area under one baseline use) and columns (paths of a part).

They live apart from :mod:`lup_opt.data.model_data` so that the modules that resolve one topic
(targets, LDN, linkages, culling) can use them without importing the module that assembles
everything from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np


@dataclass(frozen=True)
class Dimensions:
    """Labels of every index used by the arrays (position = code)."""

    land_units: np.ndarray
    uses: tuple[str, ...]
    jurisdictions: tuple[str, ...]
    zones: tuple[str, ...]
    land_types: tuple[str, ...]
    climates: tuple[str, ...]
    periods: tuple[int, ...]  # planning years y_0 < y_1 < ...
    period_starts: tuple[int, ...]  # the year each period starts: the baseline year, then y_0, ...
    indicators: tuple[str, ...]
    indicator_units: tuple[str, ...]


@dataclass(frozen=True)
class UnitArrays:
    area: np.ndarray
    jurisdiction: np.ndarray
    zone: np.ndarray
    land_type: np.ndarray
    climate: np.ndarray
    baseline_status: np.ndarray


@dataclass(frozen=True)
class PartArrays:
    unit: np.ndarray
    use: np.ndarray
    area: np.ndarray

    @property
    def size(self) -> int:
        return len(self.unit)


KEEP = -1  # conversion period of the column that keeps the baseline use throughout


@dataclass(frozen=True)
class ColumnArrays:
    """One entry per area variable: a *path* of part ``part``, which keeps its baseline use
    (``conversion == KEEP``) or changes once, to ``to_use``, at the start of period
    ``conversion`` and keeps it after. Ordered by part (each part's columns are contiguous)."""

    part: np.ndarray
    unit: np.ndarray
    from_use: np.ndarray
    to_use: np.ndarray
    conversion: np.ndarray
    # Keeping the baseline use always has a column (so baseline values are always known); where
    # a transition rule forbids keeping it, that column (and later changes) are fixed at 0 ha.
    fixed_to_zero: np.ndarray

    @property
    def size(self) -> int:
        return len(self.part)

    def converted_by(self, period: int) -> np.ndarray:
        """Whether each column's area is under its new use in ``period``."""
        return (self.conversion >= 0) & (self.conversion <= period)

    def use_in(self, period: int) -> np.ndarray:
        """The use each column's area has in ``period``."""
        return np.where(self.converted_by(period), self.to_use, self.from_use)

    def converts_in(self, period: int) -> np.ndarray:
        return self.conversion == period

    @cached_property
    def part_starts(self) -> np.ndarray:
        """Index of each part's first column (for ``reduceat`` over parts)."""
        return np.flatnonzero(np.r_[True, self.part[1:] != self.part[:-1]])
