"""The block-angular shape of the plan LP that the structured solve exploits: one C-AREA
equality row per part of land, each area column in exactly one of them with coefficient 1, and
the coupling rows (every other row)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lup_opt.model.land_balance import AREA, AREA_CONSERVATION
from lup_opt.model.lp import LinearProgram


@dataclass(frozen=True)
class AreaStructure:
    """Where the LP is block-angular: the area columns, the part (C-AREA row) of each, and the
    coupling rows (every other row)."""

    area: slice  # the area columns
    part: np.ndarray  # per area column, its part (0 .. n_parts-1), sorted ascending
    n_parts: int
    part_rows: slice  # the C-AREA rows
    keep: np.ndarray  # per area column, whether it keeps the baseline use throughout

    @property
    def n_area(self) -> int:
        return len(self.part)


def area_structure(lp: LinearProgram) -> AreaStructure | None:
    """The LP's area-conservation structure, or None where the LP lacks it: C-AREA must be
    equality rows that partition the area columns (one entry of 1 per area column), with no
    other column in them, and area columns must have lower bound 0 (a column left out of the
    master is then at its bound)."""
    if not (lp.has_variables(AREA) and lp.has_constraint(AREA_CONSERVATION)):
        return None
    area, rows = lp.variable(AREA), lp.constraint(AREA_CONSERVATION)
    if area.size == 0 or rows.size == 0 or not np.array_equal(rows.lower, rows.upper):
        return None
    if not np.array_equal(area.lower, np.zeros(area.size)):
        return None
    # Straight on the column-wise arrays (no row-wise copy of the matrix): which entries lie in
    # the C-AREA rows, per column.
    matrix = lp.matrix
    inside = (matrix.indices >= rows.offset) & (matrix.indices < rows.offset + rows.size)
    counted = np.zeros(len(inside) + 1, dtype=np.int64)
    np.cumsum(inside, out=counted[1:])
    per_column = counted[matrix.indptr[1:]] - counted[matrix.indptr[:-1]]
    if np.any(per_column[area.slice] != 1) or per_column.sum() != area.size:
        return None  # an area column outside every part or in two, or another column in C-AREA
    entries = np.flatnonzero(inside)
    if np.any(matrix.data[entries] != 1.0):
        return None
    part = matrix.indices[entries].astype(np.int64) - rows.offset  # area columns' entries, in column order
    if np.any(np.diff(part) < 0):  # as the builder makes them: columns grouped by part
        return None
    labels = area.labels
    keep = np.zeros(area.size, dtype=bool)
    if "use" in labels and "baseline_use" in labels:
        keep = np.asarray(labels["use"].astype(str) == labels["baseline_use"].astype(str))
    return AreaStructure(area.slice, part, rows.size, rows.slice, keep)


# --method auto: column generation (lup_opt.solve.structured) for LPs of at least this many
# columns whose coupling rows (all but C-AREA) are at most this share of the parts of land.
AUTO_MIN_COLUMNS = 50_000
AUTO_MAX_COUPLING_SHARE = 0.1


def suits_structured(lp: LinearProgram, min_columns: int | None = None,
                     max_coupling_share: float | None = None) -> bool:
    """Whether ``--method auto`` solves ``lp`` by column generation: large, with the area
    structure, and few coupling rows relative to parts (by default ``AUTO_MIN_COLUMNS`` and
    ``AUTO_MAX_COUPLING_SHARE``, read when called)."""
    min_columns = AUTO_MIN_COLUMNS if min_columns is None else min_columns
    max_coupling_share = AUTO_MAX_COUPLING_SHARE if max_coupling_share is None else max_coupling_share
    if lp.num_cols < min_columns:
        return False
    structure = area_structure(lp)
    if structure is None:
        return False
    return lp.num_rows - structure.n_parts <= max_coupling_share * structure.n_parts
