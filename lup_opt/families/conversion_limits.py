"""Limits on how fast land may change (C-RATE; LP step in :mod:`lup_opt.model.dynamics`).
Culling respects them by comparing which limits a change counts against, not by an indicator."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lup_opt.data.model_data import ModelData
from lup_opt.families.base import Family
from lup_opt.model.dynamics import CONVERSION_LIMITS, add_conversion_limits
from lup_opt.model.lp import LinearProgram
from lup_opt.results.prices import ranges
from lup_opt.solve.options import Solution


def priced(data: ModelData, lp: LinearProgram, solution: Solution) -> list[pd.DataFrame]:
    """Area-wide limits always, per-group ones (e.g. each land unit) only where they bind, so
    that a limit on 100,000 parcels does not swamp the table."""
    block = lp.constraint(CONVERSION_LIMITS)
    if block.size == 0:
        return []
    labels = block.labels
    rhs = block.upper
    activity = solution.row_values[block.slice]
    group = labels["group"].astype(str).to_numpy()
    grouped = group != ""
    binding = rhs - activity <= 1e-7 * np.maximum(1.0, np.abs(rhs))
    keep = ~grouped | binding
    limit = labels["limit"].astype(str).to_numpy()
    return [pd.DataFrame({
        "constraint": CONVERSION_LIMITS, "family": block.family, "name": limit[keep], "group": group[keep],
        "indicator": "area changed (ha)",
        "scope": np.where(grouped[keep], group[keep], "conversion_limits." + limit[keep]),
        "period": labels["period"].to_numpy()[keep], "sense": "<=", "rhs": rhs[keep], "activity": activity[keep],
        "shadow_price": solution.row_duals[block.slice][keep], "unit": "ha",
        **{k: v[keep] for k, v in ranges(solution, block.slice, block.size).items()},
    })]


FAMILY = Family(name="conversion limits", rows=(add_conversion_limits,), priced=priced)
