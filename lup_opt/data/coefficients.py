"""Per-hectare indicator values: per land unit and use first, then per column and period."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lup_opt.data.matching import resolve_most_specific, unit_key_frame, use_codes_of
from lup_opt.data.transitions import TransitionRules
from lup_opt.scenario.scenario import Scenario


@dataclass(frozen=True)
class UnitCoefficients:
    """Per indicator, land unit and use: the value per ha of holding the use (``per_use``) and
    the extra value in the period a hectare changes to it (``per_conversion``), from
    coefficients.csv (most specific row wins); transitions.csv adds its per-change values."""

    per_use: np.ndarray  # (indicators, land units, uses)
    per_conversion: np.ndarray  # (indicators, land units, uses)


def unit_coefficients(scenario: Scenario, indicators: tuple[str, ...], uses: tuple[str, ...]) -> UnitCoefficients:
    table = scenario.coefficients
    keys = scenario.match_keys
    unit_keys = unit_key_frame(scenario.units, keys)
    label = scenario.table_label("coefficients")
    shape = (len(indicators), len(scenario.units), len(uses))
    per_use, per_conversion = np.zeros(shape), np.zeros(shape)
    for i, name in enumerate(indicators):
        for applies, target in (("use", per_use), ("conversion", per_conversion)):
            subset = table[(table["indicator"] == name) & (table["applies_to"] == applies)] if len(table) else table
            if len(subset):
                target[i] += resolve_most_specific(
                    subset.reset_index(drop=True), unit_keys, keys, use_codes_of(subset["use"], uses),
                    uses, label, f"'{name}' ({applies})",
                )
    return UnitCoefficients(per_use, per_conversion)


def column_coefficients(values: UnitCoefficients, rules: TransitionRules, columns, n_periods: int
                        ) -> tuple[sp.csr_matrix, ...]:
    """Per period, the per-ha value of every column for every indicator (indicators x columns).

    A column's value in period t is the use coefficient of the use its area has in t, plus, in
    the period of its change only, the conversion coefficients (transitions.csv and
    coefficients.csv rows with ``applies_to: conversion``).
    """
    n_indicators, _, n_uses = values.per_use.shape
    # Rows come out in indicator order with sorted columns, so CSR arrays are stacked directly
    # (no COO sort): at 100,000 units this is millions of entries per period.
    indices: list[list[np.ndarray]] = [[] for _ in range(n_periods)]
    data: list[list[np.ndarray]] = [[] for _ in range(n_periods)]
    # Flat (unit, use) positions shared by every indicator, computed once.
    unit_base = columns.unit.astype(np.int64) * n_uses
    in_period = [unit_base + columns.use_in(t) for t in range(n_periods)]
    converting = [np.flatnonzero(columns.converts_in(t)) for t in range(n_periods)]
    to_position = unit_base + columns.to_use
    pair_position = columns.from_use.astype(np.int64) * n_uses + columns.to_use
    for i in range(n_indicators):
        conversion = rules.coefficients[i].ravel()[pair_position] + values.per_conversion[i].ravel()[to_position]
        flat_use = values.per_use[i].ravel()
        for t in range(n_periods):
            value = flat_use[in_period[t]]
            value[converting[t]] += conversion[converting[t]]
            nonzero = np.flatnonzero(value)
            indices[t].append(nonzero.astype(np.int32))
            data[t].append(value[nonzero])
    shape = (n_indicators, columns.size)
    out = []
    for t in range(n_periods):
        if not indices[t]:
            out.append(sp.csr_matrix(shape))
            continue
        indptr = np.zeros(len(indices[t]) + 1, dtype=np.int64)
        np.cumsum([len(x) for x in indices[t]], out=indptr[1:])
        out.append(sp.csr_matrix((np.concatenate(data[t]), np.concatenate(indices[t]), indptr), shape=shape))
    return tuple(out)


def productivity_matrix(scenario: Scenario, dims) -> np.ndarray:
    """Productivity effect (-1/0/+1) per (use, land type): uses.csv, overridden by productivity.csv."""
    base = scenario.uses["productivity"].to_numpy(dtype=np.int8)
    matrix = np.repeat(base[:, None], len(dims.land_types), axis=1)
    table = scenario.productivity
    if not table.empty:
        use = pd.Categorical(table["use"], categories=list(dims.uses)).codes
        land_type = pd.Categorical(table["land_type"], categories=list(dims.land_types)).codes
        matrix[use, land_type] = table["productivity"].to_numpy(dtype=np.int8)
    return matrix
