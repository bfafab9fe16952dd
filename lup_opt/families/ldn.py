"""Land Degradation Neutrality per land type, and the strict hierarchy's cap on losses (C-LDN,
C-LDN-H; LP steps in :mod:`lup_opt.model.ldn`). Culling respects LDN through the classes of each
change (:mod:`lup_opt.data.culling`), not through an indicator."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lup_opt.data.model_data import ModelData, Resolution, ResolveContext
from lup_opt.data.targets import ALL, resolve_ldn_rows
from lup_opt.enums import Comparison, FamilyName
from lup_opt.families.base import Family, RelaxableKind, RelaxableRow
from lup_opt.model.ldn import LDN_NEUTRALITY, add_fewest_losses, add_ldn_neutrality
from lup_opt.model.lp import LinearProgram
from lup_opt.results.prices import ranges
from lup_opt.solve.options import Solution


def relaxable(data: ModelData, lp: LinearProgram) -> list[RelaxableRow]:
    """LDN rows: relaxing one accepts a net loss on that land type (it needs a justification)."""
    block = lp.constraint(LDN_NEUTRALITY)
    if block.size == 0:
        return []
    labels = data.ldn_rows.labels
    area = np.tile(np.bincount(data.ldn_rows.group_of_column, weights=_part_area_per_column(data),
                               minlength=data.ldn_rows.n_groups), len(data.dims.periods))
    rows = []
    for i in range(block.size):
        land_type, jurisdiction = labels["land_type"].iat[i], labels["jurisdiction"].iat[i]
        where = "" if jurisdiction == ALL else f" in {jurisdiction}"
        rows.append(RelaxableRow(
            row=block.offset + i, kind=RelaxableKind.LDN, name=land_type, key=f"ldn.net_target_ha.{land_type}",
            label=f"land type '{land_type}'{where} ({labels['period'].iat[i]})", unit="ha",
            sense=Comparison.AT_LEAST, value=float(labels["target_ha"].iat[i]),
            size=max(float(area[i]), 1.0), group=jurisdiction, period=int(labels["period"].iat[i]),
        ))
    return rows


def _part_area_per_column(data: ModelData) -> np.ndarray:
    """Each part's area on its keep-the-baseline column only, so sums count every hectare once."""
    cols = data.columns
    return np.where(cols.conversion < 0, data.parts.area[cols.part], 0.0)


def priced(data: ModelData, lp: LinearProgram, solution: Solution) -> list[pd.DataFrame]:
    """One net LDN gain row per land type (and jurisdiction) and year, in hectares."""
    block = lp.constraint(LDN_NEUTRALITY)
    if block.size == 0:
        return []
    labels = block.labels
    return [pd.DataFrame({
        "constraint": LDN_NEUTRALITY, "family": block.family,
        "name": "LDN " + labels["land_type"].astype(str), "group": labels["jurisdiction"],
        "indicator": "net LDN gain (ha)",
        "scope": np.where(labels["jurisdiction"] == ALL, "functional area",
                          "jurisdiction=" + labels["jurisdiction"].astype(str)),
        "period": labels["period"], "sense": ">=", "rhs": block.lower,
        "activity": solution.row_values[block.slice],
        "shadow_price": solution.row_duals[block.slice], "unit": "ha",
        **ranges(solution, block.slice, block.size),
    })]


def resolve(context: ResolveContext) -> Resolution:
    c = context
    return Resolution(resolve_ldn_rows(c.scenario, c.dims, c.units, c.columns))


FAMILY = Family(
    name=FamilyName.LDN, resolve=resolve,
    rows=(add_ldn_neutrality, add_fewest_losses),
    relaxable=relaxable, priced=priced,
)
