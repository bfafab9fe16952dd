"""Area variables and area conservation (V-AREA, C-AREA)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lup_opt.data.model_data import ModelData
from lup_opt.model.families import implements
from lup_opt.model.lp import INF, LPBuilder, selection_matrix

AREA = "area"
AREA_CONSERVATION = "area_conservation"


def area_labels(data: ModelData) -> pd.DataFrame:
    """One row per area column: land_unit, baseline_use, use, period (categoricals)."""
    dims, cols = data.dims, data.columns
    return pd.DataFrame(
        {
            "land_unit": pd.Categorical.from_codes(cols.unit, categories=list(dims.land_units)),
            "baseline_use": pd.Categorical.from_codes(cols.from_use, categories=list(dims.uses)),
            "use": pd.Categorical.from_codes(cols.to_use, categories=list(dims.uses)),
            "period": np.asarray(dims.periods)[cols.period],
        }
    )


@implements("V-AREA")
def add_area_variables(lp: LPBuilder, data: ModelData) -> None:
    """x[n,a,b,t] >= 0: hectares of land unit n under baseline use a planned for use b in year t.

    Created only for allowed transitions (transition rules, zones, exclusions), so forbidden
    changes never reach the solver.
    """
    n = data.columns.size
    upper = np.where(data.columns.fixed_to_zero, 0.0, INF)
    lp.add_variables(AREA, "V-AREA", np.zeros(n), upper, area_labels(data))


@implements("C-AREA")
def add_area_conservation(lp: LPBuilder, data: ModelData) -> None:
    """C-AREA: sum_b x[n,a,b,t] = A[n,a] for every part (n,a) and period t.

    The baseline area of each part is planned exactly once per period.
    """
    parts, cols = data.parts, data.columns
    n_periods = len(data.dims.periods)
    row_of_column = cols.period.astype(np.int64) * parts.size + cols.part
    rhs = np.tile(parts.area, n_periods)
    labels = pd.DataFrame(
        {
            "land_unit": np.tile(np.asarray(data.dims.land_units, dtype=object)[parts.unit], n_periods),
            "baseline_use": np.tile(np.asarray(data.dims.uses, dtype=object)[parts.use], n_periods),
            "period": np.repeat(np.asarray(data.dims.periods), parts.size),
        }
    )
    lp.add_constraints(
        AREA_CONSERVATION,
        "C-AREA",
        {AREA: selection_matrix(row_of_column, parts.size * n_periods)},
        rhs,
        rhs,
        labels,
    )
