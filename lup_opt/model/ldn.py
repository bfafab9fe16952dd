"""Land Degradation Neutrality per land type (C-LDN)."""

from __future__ import annotations

import numpy as np

from lup_opt.data.model_data import ModelData
from lup_opt.model.families import implements
from lup_opt.model.land_balance import AREA
from lup_opt.model.lp import INF, LPBuilder, selection_matrix

LDN_NEUTRALITY = "ldn_neutrality"


@implements("C-LDN")
def add_ldn_neutrality(lp: LPBuilder, data: ModelData) -> None:
    """C-LDN: sum_{c in C(i,j,t)} (g[c] - l[c]) x[c] >= tau[i] for every land type i (and
    jurisdiction j when counterbalancing is scoped to jurisdictions) and period t.

    g[c] = 1 when column c ends gained and l[c] = 1 when it ends lost, by the one-out-all-out
    combination of land cover, SOC and productivity classes and the baseline-status matrix, all
    fixed before the solve: an area balance with no binaries.
    """
    rows = data.ldn_rows
    labels = rows.labels[["land_type", "jurisdiction", "period"]]
    if not rows.enforced:
        labels = labels.iloc[:0]
    status = data.ldn.status.astype(float)
    counted = np.where(status != 0, rows.row_of_column, -1) if rows.enforced else np.full(len(status), -1)
    target = rows.labels["target_ha"].to_numpy(dtype=float)[: len(labels)]
    lp.add_constraints(
        LDN_NEUTRALITY,
        "C-LDN",
        {AREA: selection_matrix(counted, len(labels), status)},
        target,
        np.full(len(labels), INF),
        labels,
    )
