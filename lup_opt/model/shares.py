"""Share targets between two indicator scopes (V-SHARE, V-SHARE-SHORT, C-SHARE, C-SHARE-EQUAL)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lup_opt.data.model_data import ModelData
from lup_opt.data.targets import ShareTargetRow
from lup_opt.enums import TargetKind
from lup_opt.handles import Columns, Rows
from lup_opt.model.families import implements
from lup_opt.model.land_balance import AREA
from lup_opt.model.lp import INF, LPBuilder
from lup_opt.model.targets import DIRECTIONS, bounds, indicator_terms, terms_matrices

SHARE_TARGETS = Rows("share_target", "C-SHARE")
EQUAL_SHARES = Rows("equal_share", "C-SHARE-EQUAL")
COMMON_SHARE = Columns("common_share", "V-SHARE")
SHARE_SHORTFALL = Columns("share_shortfall", "V-SHARE-SHORT")
SHARE_KEY = ("target", "group", "period")


def fixed_shares(data: ModelData) -> list[ShareTargetRow]:
    return [s for s in data.share_targets if s.share is not None]


def equal_shares(data: ModelData) -> list[ShareTargetRow]:
    return [s for s in data.share_targets if s.share is None]


def share_labels(data: ModelData, rows: list[ShareTargetRow]) -> pd.DataFrame:
    dims = data.dims
    return pd.DataFrame(
        {
            "target": [r.name for r in rows],
            "group": [r.group for r in rows],
            "period": [dims.periods[r.period] for r in rows],
            "numerator": [dims.indicators[r.numerator] for r in rows],
            "denominator": [dims.indicators[r.denominator] for r in rows],
            "sense": [r.sense.value for r in rows],
            "share": [r.share if r.share is not None else "equal" for r in rows],
            "kind": [r.kind.value for r in rows],
        },
        dtype=object,
    )


def _share_matrices(lp: LPBuilder, data: ModelData, rows: list[ShareTargetRow]) -> dict[str, sp.csr_matrix]:
    """Row r: numerator(x) - share * denominator(x) (the denominator part only for fixed shares)."""
    per_row = []
    for row in rows:
        terms = indicator_terms(data, row.numerator, row.numerator_mask, row.period, row.numerator_jurisdictions)
        if row.share is not None:
            den = indicator_terms(data, row.denominator, row.denominator_mask, row.period,
                                  row.denominator_jurisdictions)
            for block, (index, value) in den.items():
                old_index, old_value = terms.get(block, (np.zeros(0, dtype=np.int64), np.zeros(0)))
                terms[block] = (np.concatenate([old_index, index]), np.concatenate([old_value, -row.share * value]))
        per_row.append(terms)
    sizes = {block: lp.variables(block).size for block in {b for r in per_row for b in r}}
    sizes[AREA] = data.columns.size
    return terms_matrices(per_row, sizes)


@implements("V-SHARE")
def add_common_share_variables(lp: LPBuilder, data: ModelData) -> None:
    """sigma[g] in [0, inf): the common share of an 'equal' share target, one per target and period."""
    rows = equal_shares(data)
    seen = sorted({(r.common_share, r.name, data.dims.periods[r.period]) for r in rows})
    labels = pd.DataFrame([(name, period) for _, name, period in seen], columns=["target", "period"])
    lp.add_variables(COMMON_SHARE, np.zeros(len(seen)), INF, labels)


def share_shortfall_layout(data: ModelData) -> pd.DataFrame:
    """One row per share shortfall variable: its fixed-share row, direction and penalty."""
    records = [
        (r.name, r.group, data.dims.periods[r.period], direction, row, r.penalty)
        for row, r in enumerate(fixed_shares(data))
        if r.kind is TargetKind.SOFT
        for direction in DIRECTIONS[r.sense]
    ]
    return pd.DataFrame(records, columns=["target", "group", "period", "direction", "row", "penalty"])


@implements("V-SHARE-SHORT")
def add_share_shortfall_variables(lp: LPBuilder, data: ModelData) -> None:
    """u[r] >= 0: shortfall of a soft fixed-share target, in the numerator indicator's unit."""
    layout = share_shortfall_layout(data)
    lp.add_variables(
        SHARE_SHORTFALL, np.zeros(len(layout)), INF,
        layout[["target", "group", "period", "direction"]],
    )


@implements("C-SHARE")
def add_share_targets(lp: LPBuilder, data: ModelData) -> None:
    """C-SHARE: I[num,Sn,t](x) - theta * I[den,Sd,t](x)  (>=, <=, =)  0, per group of for_each.

    Linear because the share theta is a constant. Soft rows add +u_under / -u_over.
    """
    rows = fixed_shares(data)
    layout = share_shortfall_layout(data)
    sign = np.where(layout["direction"].to_numpy() == "under", 1.0, -1.0)
    link = sp.csr_matrix(
        (sign, (layout["row"].to_numpy(dtype=np.int64), np.arange(len(layout)))),
        shape=(len(rows), len(layout)),
    )
    lower, upper = zip(*(bounds(r.sense, 0.0) for r in rows), strict=True) if rows else ((), ())
    lp.add_constraints(
        SHARE_TARGETS, {**_share_matrices(lp, data, rows), SHARE_SHORTFALL: link},
        np.array(lower, dtype=float), np.array(upper, dtype=float), share_labels(data, rows),
        key=SHARE_KEY,
    )


@implements("C-SHARE-EQUAL")
def add_equal_share_targets(lp: LPBuilder, data: ModelData) -> None:
    """C-SHARE-EQUAL: I[num,S_g,t](x) - D_g * sigma in [-tol * D_g, +tol * D_g] for every group g.

    D_g is the denominator of group g, fixed by the land (validated when preparing data), so
    every group holds the same share sigma of its denominator, within the tolerance.
    """
    rows = equal_shares(data)
    variables = lp.variables(COMMON_SHARE)
    position = {
        (t, p): i for i, (t, p) in enumerate(zip(variables.labels["target"], variables.labels["period"], strict=True))
    }
    cols = np.array([position[(r.name, data.dims.periods[r.period])] for r in rows], dtype=np.int64)
    denominators = np.array([r.denominator_value for r in rows], dtype=float)
    link = sp.csr_matrix((-denominators, (np.arange(len(rows)), cols)), shape=(len(rows), variables.size))
    tolerance = np.array([r.tolerance for r in rows], dtype=float) * denominators
    lp.add_constraints(
        EQUAL_SHARES, {**_share_matrices(lp, data, rows), COMMON_SHARE: link},
        -tolerance, tolerance, share_labels(data, rows),
        key=SHARE_KEY,
    )
