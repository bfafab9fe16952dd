"""Land Degradation Neutrality per land type (C-LDN)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lup_opt.data.ldn import loss_years
from lup_opt.data.model_data import ModelData
from lup_opt.handles import Rows
from lup_opt.model.families import implements
from lup_opt.model.land_balance import AREA
from lup_opt.model.lp import INF, LPBuilder

LDN_NEUTRALITY = Rows("ldn_neutrality", "C-LDN")


@implements("C-LDN")
def add_ldn_neutrality(lp: LPBuilder, data: ModelData) -> None:
    """C-LDN: sum_{c in C(i,j)} (g[c,t] - l[c,t]) x[c] >= tau[i] for every land type i (and
    jurisdiction j when counterbalancing is scoped to jurisdictions), in every planning year t.

    g[c,t] = e[c,t] when column c counts as gained at year t (expanded status class 6 or 7, or
    with ``ldn.gains: reverse_only`` class 6 on land degraded at baseline; e: the share of
    improved area that counts, by the use the column holds at t, 1 unless
    ``ldn.gain_effectiveness`` lowers it) and l[c,t] = 1 when lost (class 1 or 2, or a committed
    loss with ``ldn.count_committed``), by the one-out-all-out combination of land cover, SOC and
    productivity classes, all fixed before the solve: an area balance with no binaries.
    With ``ldn.enforce: target_year`` only the target year's rows are written.
    """
    rows = data.ldn_rows
    keep = ldn_row_enforced(data)
    row_of_kept = np.full(rows.size, -1)
    row_of_kept[keep] = np.arange(int(keep.sum()))
    r, c, v = [], [], []
    for t in range(len(data.dims.periods)):
        status = data.ldn.net_weight(t)
        row = row_of_kept[t * rows.n_groups + rows.group_of_column]
        counted = np.flatnonzero((status != 0) & (row >= 0))
        r.append(row[counted])
        c.append(counted)
        v.append(status[counted])
    matrix = sp.coo_matrix((np.concatenate(v), (np.concatenate(r), np.concatenate(c))),
                           shape=(int(keep.sum()), data.columns.size))
    labels = rows.labels.loc[keep, ["land_type", "jurisdiction", "period"]]
    target = rows.labels["target_ha"].to_numpy(dtype=float)[keep]
    lp.add_constraints(LDN_NEUTRALITY, {AREA: matrix}, target, np.full(len(labels), INF), labels)


def ldn_row_enforced(data: ModelData) -> np.ndarray:
    """Which LDN group rows are constraints: none when LDN is off, the target year's only when
    ``ldn.enforce`` says so, else every year's."""
    rows = data.ldn_rows
    if not rows.enforced:
        return np.zeros(rows.size, dtype=bool)
    if rows.target_year_only:
        return rows.labels["target_year"].to_numpy(dtype=bool)
    return np.ones(rows.size, dtype=bool)


LDN_FEWEST_LOSSES = Rows("ldn_fewest_losses", "C-LDN-H")


@implements("C-LDN-H")
def add_fewest_losses(lp: LPBuilder, data: ModelData) -> None:
    """C-LDN-H (``ldn.hierarchy: strict``, second stage): sum_t sum_c l[c,t] x[c] <= L* (1 + eps) + 1e-6,
    where L* is the least loss area, summed over the planning years, that any plan meeting every
    row reaches (the first stage minimises it) and eps is ``ldn.loss_tolerance`` (1e-6 ha: round-off).
    Losses are then offset by gains only where avoiding them is impossible; its shadow
    price is what one more hectare-year of loss would save."""
    if data.ldn_loss_cap is None:
        return
    matrix = sp.csr_matrix(loss_years(data.ldn)[None, :])
    labels = pd.DataFrame({"measure": ["loss_ha_years"]})
    lp.add_constraints(LDN_FEWEST_LOSSES, {AREA: matrix}, np.array([-INF]), np.array([data.ldn_loss_cap]),
                       labels)
