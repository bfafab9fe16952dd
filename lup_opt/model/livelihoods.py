"""People without local work: migration pressure (V-NO-WORK, C-WORK)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lup_opt.data.linkages import NO_WORK
from lup_opt.data.model_data import ModelData
from lup_opt.handles import Rows
from lup_opt.model.families import implements
from lup_opt.model.land_balance import AREA
from lup_opt.model.lp import INF, LPBuilder
from lup_opt.model.targets import indicator_row

WORK = Rows("work", "C-WORK")


def _labels(data: ModelData) -> pd.DataFrame:
    work = data.livelihoods
    codes = work.jurisdictions if work else np.zeros(0, dtype=np.int64)
    n_t = len(data.dims.periods)
    return pd.DataFrame({"jurisdiction": np.repeat(np.asarray(data.dims.jurisdictions, dtype=object)[codes], n_t),
                         "period": np.tile(np.asarray(data.dims.periods), len(codes))})


@implements("V-NO-WORK")
def add_without_work(lp: LPBuilder, data: ModelData) -> None:
    """u[j,t] >= 0: people of working age in jurisdiction j without local work in year t (the
    migration pressure); penalised in the objective when livelihoods.penalty is set."""
    labels = _labels(data)
    lp.add_variables(NO_WORK, np.zeros(len(labels)), INF, labels)


@implements("C-WORK")
def add_work(lp: LPBuilder, data: ModelData) -> None:
    """C-WORK: u[j,t] + J[j,t](x) >= W[j,t]: jobs on j's land plus those without work cover the
    labour force W."""
    work, labels = data.livelihoods, _labels(data)
    n = len(labels)
    terms: dict[str, sp.csr_matrix] = {}
    rhs = np.zeros(0)
    if work:
        n_t = len(data.dims.periods)
        r, c, v = [], [], []
        for i, j in enumerate(work.jurisdictions):
            mask = data.units.jurisdiction == j
            for t in range(n_t):
                cols, vals = indicator_row(data, work.jobs_indicator, mask, t)
                r.append(np.full(len(cols), i * n_t + t))
                c.append(cols)
                v.append(vals)
        terms[AREA] = sp.csr_matrix((np.concatenate(v), (np.concatenate(r), np.concatenate(c))),
                                    shape=(n, data.columns.size))
        terms[NO_WORK] = sp.identity(n, format="csr")
        rhs = work.labour.ravel()
    lp.add_constraints(WORK, terms, rhs, np.full(n, INF), labels)
