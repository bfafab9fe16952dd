"""Indicator targets and limits, hard and soft (E-IND, V-SHORT, C-TARGET, C-TARGET-SOFT)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lup_opt.data.model_data import ModelData
from lup_opt.data.targets import TargetRow
from lup_opt.enums import Comparison, TargetKind
from lup_opt.handles import Columns, Rows
from lup_opt.model.families import implements
from lup_opt.model.land_balance import AREA
from lup_opt.model.lp import INF, LPBuilder

FORMULATION_IDS = ("E-IND",)  # models/formulation.md sections this module implements

HARD_TARGETS = Rows("target", "C-TARGET")
SOFT_TARGETS = Rows("soft_target", "C-TARGET-SOFT")
SHORTFALL = Columns("shortfall", "V-SHORT")
TARGET_KEY = ("target", "period")

# A soft '>=' target gets an 'under' variable, a soft '<=' an 'over', a soft '=' both.
DIRECTIONS = {
    Comparison.AT_LEAST: ("under",),
    Comparison.AT_MOST: ("over",),
    Comparison.EQUAL: ("under", "over"),
}


def indicator_row(
    data: ModelData, indicator: int, unit_mask: np.ndarray, period: int
) -> tuple[np.ndarray, np.ndarray]:
    """E-IND: columns and per-ha values of indicator i over the units in a scope, in period t.

    I[i,S,t](x) = sum over columns c of units in S of k[i,c,t] * x[c], where k[i,c,t] is the use
    coefficient of the use the column's area has in t (most specific match), plus, in the period
    of its change, the conversion coefficients.
    """
    coefficients = data.coefficients[period]
    start, end = coefficients.indptr[indicator], coefficients.indptr[indicator + 1]
    cols = coefficients.indices[start:end]
    vals = coefficients.data[start:end]
    keep = unit_mask[data.columns.unit[cols]]
    return cols[keep], vals[keep]


def indicator_terms(
    data: ModelData, indicator: int, unit_mask: np.ndarray, period: int, jurisdictions: np.ndarray | None
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """E-IND with every variable block: the area columns of the scope plus, where the scope
    names only jurisdictions, the non-land variables (food, finance, people without work) of
    those jurisdictions in that period."""
    return {AREA: indicator_row(data, indicator, unit_mask, period),
            **non_land_terms(data, indicator, period, jurisdictions)}


def non_land_terms(
    data: ModelData, indicator: int, period: int, jurisdictions: np.ndarray | None
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The non-land part of E-IND: (index, value) per variable block, for scopes that name only
    jurisdictions (``jurisdictions`` is then a mask over them; None means no such terms)."""
    terms: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if jurisdictions is None:
        return terms
    for term in data.extra_terms:
        if term.indicator != indicator:
            continue
        keep = (term.period == period) & jurisdictions[term.jurisdiction]
        index, value = term.index[keep], term.value[keep]
        if term.block in terms:
            index = np.concatenate([terms[term.block][0], index])
            value = np.concatenate([terms[term.block][1], value])
        terms[term.block] = (index, value)
    return terms


def terms_matrices(rows: list[dict[str, tuple[np.ndarray, np.ndarray]]], sizes: dict[str, int]) -> dict[str, sp.coo_matrix]:
    """Stack per-row terms into one (rows x block size) matrix per block (duplicates are summed
    when the LP is assembled)."""
    out = {}
    for block, size in sizes.items():
        r, c, v = [], [], []
        for i, terms in enumerate(rows):
            if block in terms:
                index, value = terms[block]
                r.append(np.full(len(index), i, dtype=np.int32))
                c.append(index)
                v.append(value)
        if r:
            out[block] = sp.coo_matrix((np.concatenate(v), (np.concatenate(r), np.concatenate(c))),
                                       shape=(len(rows), size))
    return out


def bounds(sense: Comparison, value: float) -> tuple[float, float]:
    return {
        Comparison.AT_LEAST: (value, INF),
        Comparison.AT_MOST: (-INF, value),
        Comparison.EQUAL: (value, value),
    }[sense]


def target_labels(data: ModelData, targets: list[TargetRow]) -> pd.DataFrame:
    dims = data.dims
    return pd.DataFrame(
        {
            "target": [t.name for t in targets],
            "period": [dims.periods[t.period] for t in targets],
            "indicator": [dims.indicators[t.indicator] for t in targets],
            "scope": [t.scope for t in targets],
            "sense": [t.sense.value for t in targets],
            "value": [t.value for t in targets],
            "kind": [t.kind.value for t in targets],
        },
        dtype=object,
    )


def _rows(lp: LPBuilder, data: ModelData, targets: list[TargetRow]) -> dict[str, sp.csr_matrix]:
    rows = [indicator_terms(data, t.indicator, t.unit_mask, t.period, t.jurisdictions) for t in targets]
    sizes = {block: lp.variables(block).size for block in {b for r in rows for b in r}}
    sizes[AREA] = data.columns.size
    return terms_matrices(rows, sizes)


def soft_targets(data: ModelData) -> list[TargetRow]:
    return [t for t in data.targets if t.kind is TargetKind.SOFT]


def shortfall_layout(data: ModelData) -> pd.DataFrame:
    """One row per shortfall variable: its soft target row, direction and penalty."""
    records = []
    for row, target in enumerate(soft_targets(data)):
        for direction in DIRECTIONS[target.sense]:
            records.append(
                {
                    "target": target.name,
                    "period": data.dims.periods[target.period],
                    "direction": direction,
                    "row": row,
                    "penalty": target.penalty,
                }
            )
    return pd.DataFrame.from_records(
        records, columns=["target", "period", "direction", "row", "penalty"]
    )


@implements("V-SHORT")
def add_shortfall_variables(lp: LPBuilder, data: ModelData) -> None:
    """s[k] >= 0: how far a soft target k falls short (or a soft limit is exceeded), in the
    indicator's unit; its penalty enters the objective (O-OBJ)."""
    layout = shortfall_layout(data)
    n = len(layout)
    lp.add_variables(SHORTFALL, np.zeros(n), INF, layout[["target", "period", "direction"]])


@implements("C-TARGET")
def add_hard_targets(lp: LPBuilder, data: ModelData) -> None:
    """C-TARGET: I[i,S,t](x) >= V, <= V or = V for every hard target (no shortfall allowed)."""
    targets = [t for t in data.targets if t.kind is TargetKind.HARD]
    lower, upper = zip(*(bounds(t.sense, t.value) for t in targets), strict=True) if targets else ((), ())
    lp.add_constraints(
        HARD_TARGETS, _rows(lp, data, targets),
        np.array(lower, dtype=float), np.array(upper, dtype=float), target_labels(data, targets),
        key=TARGET_KEY,
    )


@implements("C-TARGET-SOFT")
def add_soft_targets(lp: LPBuilder, data: ModelData) -> None:
    """C-TARGET-SOFT: I(x) + s_under >= V (>=), I(x) - s_over <= V (<=), both for (=)."""
    targets = soft_targets(data)
    layout = shortfall_layout(data)
    sign = np.where(layout["direction"].to_numpy() == "under", 1.0, -1.0)
    link = sp.csr_matrix(
        (sign, (layout["row"].to_numpy(dtype=np.int64), np.arange(len(layout)))),
        shape=(len(targets), len(layout)),
    )
    lower, upper = zip(*(bounds(t.sense, t.value) for t in targets), strict=True) if targets else ((), ())
    lp.add_constraints(
        SOFT_TARGETS, {**_rows(lp, data, targets), SHORTFALL: link},
        np.array(lower, dtype=float), np.array(upper, dtype=float), target_labels(data, targets),
        key=TARGET_KEY,
    )
