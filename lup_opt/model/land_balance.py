"""Area variables and area conservation (V-AREA, C-AREA)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lup_opt.data.model_data import ModelData
from lup_opt.handles import Columns, Rows
from lup_opt.model.families import implements
from lup_opt.model.lp import INF, LPBuilder, selection_matrix

AREA = Columns("area", "V-AREA")
AREA_CONSERVATION = Rows("area_conservation", "C-AREA")


def area_labels(data: ModelData) -> pd.DataFrame:
    """One row per area column: land_unit, baseline_use, use and ``from_year``, the first year
    the area is under ``use`` (the baseline year for keeping the baseline use, else the planning
    year that ends the period of the change)."""
    dims, cols = data.dims, data.columns
    years = np.asarray((dims.period_starts[0], *dims.periods))
    return pd.DataFrame(
        {
            "land_unit": pd.Categorical.from_codes(cols.unit, categories=list(dims.land_units)),
            "baseline_use": pd.Categorical.from_codes(cols.from_use, categories=list(dims.uses)),
            "use": pd.Categorical.from_codes(cols.to_use, categories=list(dims.uses)),
            "from_year": years[cols.conversion + 1],
        }
    )


@implements("V-AREA")
def add_area_variables(lp: LPBuilder, data: ModelData) -> None:
    """x[n,a,b,k] >= 0: hectares of land unit n under baseline use a that change to use b at the
    start of period k and keep it (b = a: keep the baseline use throughout).

    One change at most per hectare over the horizon, so periods need no coupling rows and sealed
    uses stay sealed by construction. Created only for allowed changes (transition rules,
    zones, exclusions), so forbidden changes never reach the solver.
    """
    n = data.columns.size
    upper = np.where(data.columns.fixed_to_zero, 0.0, INF)
    lp.add_variables(AREA, np.zeros(n), upper, area_labels(data))


@implements("C-AREA")
def add_area_conservation(lp: LPBuilder, data: ModelData) -> None:
    """C-AREA: sum_{b,k} x[n,a,b,k] = A[n,a] for every part (n,a).

    Every hectare of the baseline follows exactly one path over the planning years.
    """
    parts = data.parts
    labels = pd.DataFrame(
        {
            "land_unit": np.asarray(data.dims.land_units, dtype=object)[parts.unit],
            "baseline_use": np.asarray(data.dims.uses, dtype=object)[parts.use],
        }
    )
    lp.add_constraints(
        AREA_CONSERVATION, {AREA: selection_matrix(data.columns.part.astype(np.int64), parts.size)},
        parts.area,
        parts.area,
        labels,
    )
