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
    """C-LDN: sum_{c in C(i,j)} (g[c,t] - l[c,t]) x[c] >= tau[i] for every land type i (and
    jurisdiction j when counterbalancing is scoped to jurisdictions), in every planning year t.

    g[c,t] = 1 when column c counts as gained at year t and l[c,t] = 1 when lost, by the
    one-out-all-out combination of land cover, SOC and productivity classes and the
    baseline-status matrix, all fixed before the solve: an area balance with no binaries.
    """
    rows = data.ldn_rows
    labels = rows.labels[["land_type", "jurisdiction", "period"]]
    n_periods = len(data.dims.periods)
    parts = []
    if rows.enforced:
        for t in range(n_periods):
            status = data.ldn.status[t].astype(float)
            counted = np.where(status != 0, t * rows.n_groups + rows.group_of_column, -1)
            parts.append(selection_matrix(counted, rows.size, status))
    else:
        labels = labels.iloc[:0]
    matrix = sum(parts) if parts else selection_matrix(np.full(data.columns.size, -1), 0)
    target = rows.labels["target_ha"].to_numpy(dtype=float)[: len(labels)]
    lp.add_constraints(LDN_NEUTRALITY, "C-LDN", {AREA: matrix}, target, np.full(len(labels), INF), labels)
