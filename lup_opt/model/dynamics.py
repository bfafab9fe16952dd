"""Limits on how fast land may change (C-RATE)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lup_opt.data.model_data import ModelData
from lup_opt.model.families import implements
from lup_opt.model.land_balance import AREA
from lup_opt.model.lp import INF, LPBuilder

CONVERSION_LIMITS = "conversion_limit"


@implements("C-RATE")
def add_conversion_limits(lp: LPBuilder, data: ModelData) -> None:
    """C-RATE: sum_{c changes in period t, in scope S (and group g)} x[c] <= L[S,g,t].

    L is given in hectares, or as a share of the area of the scope (and group, e.g. each land
    unit) per period. Only changes made in that period count.
    """
    rows = data.linkages.conversion_limits
    r = np.concatenate([np.full(len(row.columns), i) for i, row in enumerate(rows)]) if rows else np.zeros(0)
    c = np.concatenate([row.columns for row in rows]) if rows else np.zeros(0)
    matrix = sp.csr_matrix((np.ones(len(c)), (r.astype(np.int64), c.astype(np.int64))),
                           shape=(len(rows), data.columns.size))
    labels = pd.DataFrame({"limit": [row.name for row in rows], "group": [row.group for row in rows],
                           "period": [data.dims.periods[row.period] for row in rows]})
    lp.add_constraints(CONVERSION_LIMITS, "C-RATE", {AREA: matrix}, np.full(len(rows), -INF),
                       np.array([row.limit_ha for row in rows], dtype=float), labels)
