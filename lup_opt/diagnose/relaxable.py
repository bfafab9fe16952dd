"""The rows a planner can relax (hard targets, share targets, LDN rows, food balances, funds), in
scenario terms.

Each relaxable row knows the scenario key that sets it, its current value in planner units, and
its *size*, which scales its violation so that relaxations of different targets compare as
relative changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lup_opt.data.model_data import ModelData
from lup_opt.data.targets import ALL
from lup_opt.diagnose.bounds import indicator_values, part_max, part_min
from lup_opt.enums import Comparison, TargetKind
from lup_opt.model.finance import FUNDS as FUNDS_ROWS
from lup_opt.model.food import FOOD_BALANCE
from lup_opt.model.ldn import LDN_NEUTRALITY
from lup_opt.model.lp import LinearProgram
from lup_opt.model.shares import EQUAL_SHARES, SHARE_TARGETS, equal_shares, fixed_shares
from lup_opt.model.targets import HARD_TARGETS

TARGET, LDN, SHARE, EQUAL_SHARE, FOOD, FUNDS = "target", "ldn", "share", "equal_share", "food", "funds"


@dataclass(frozen=True)
class RelaxableRow:
    row: int  # position in the LP
    kind: str
    name: str  # target name, or the land type for LDN rows
    key: str | None  # scenario key whose value would change (None: derived, e.g. from population)
    label: str  # in the planner's words
    unit: str
    sense: Comparison
    value: float  # current value: target value, LDN net target (ha), share, or tolerance
    size: float  # scale of a violation (relative violation = violation / size)
    group: str = ""
    period: int = 0


def relaxable_rows(data: ModelData, lp: LinearProgram) -> list[RelaxableRow]:
    rows: list[RelaxableRow] = []
    dims = data.dims
    block = lp.constraint(HARD_TARGETS)
    hard = [t for t in data.targets if t.kind is TargetKind.HARD]
    for i, target in enumerate(hard):
        values = indicator_values(data, target.indicator, target.period)
        in_scope = target.unit_mask[data.parts.unit]
        spread = float(data.parts.area[in_scope] @ (part_max(data, values) - part_min(data, values))[in_scope])
        period = dims.periods[target.period]
        rows.append(RelaxableRow(
            row=block.offset + i, kind=TARGET, name=target.name,
            key=None if target.derived else f"targets.{target.name}.value",
            label=f"target '{target.name}' ({dims.indicators[target.indicator]} {target.sense.value} "
                  f"{target.value:,.6g}, {target.scope}, {period})",
            unit=dims.indicator_units[target.indicator], sense=target.sense, value=target.value,
            size=abs(target.value) if target.value else max(spread, 1.0), period=period,
        ))
    block = lp.constraint(LDN_NEUTRALITY)
    if block.size:
        labels = data.ldn_rows.labels
        area = np.tile(np.bincount(data.ldn_rows.group_of_column, weights=_part_area_per_column(data),
                                   minlength=data.ldn_rows.n_groups), len(data.dims.periods))
        for i in range(block.size):
            land_type, jurisdiction = labels["land_type"].iat[i], labels["jurisdiction"].iat[i]
            where = "" if jurisdiction == ALL else f" in {jurisdiction}"
            rows.append(RelaxableRow(
                row=block.offset + i, kind=LDN, name=land_type, key=f"ldn.net_target_ha.{land_type}",
                label=f"land type '{land_type}'{where} ({labels['period'].iat[i]})", unit="ha",
                sense=Comparison.AT_LEAST, value=float(labels["target_ha"].iat[i]),
                size=max(float(area[i]), 1.0), group=jurisdiction, period=int(labels["period"].iat[i]),
            ))
    for block_name, shares, kind in ((SHARE_TARGETS, fixed_shares(data), SHARE),
                                     (EQUAL_SHARES, equal_shares(data), EQUAL_SHARE)):
        block = lp.constraint(block_name)
        for i, share in enumerate(shares):
            if share.kind is TargetKind.SOFT:
                continue
            den = indicator_values(data, share.denominator, share.period) * share.denominator_mask[data.columns.unit]
            largest_den = float(data.parts.area @ part_max(data, den))
            equal = kind == EQUAL_SHARE
            rows.append(RelaxableRow(
                row=block.offset + i, kind=kind, name=share.name,
                key=f"share_targets.{share.name}.{'tolerance' if equal else 'share'}",
                label=f"share target '{share.name}' ({share.scope}, {dims.periods[share.period]})",
                unit="share", sense=Comparison.EQUAL if equal else share.sense,
                value=share.tolerance if equal else float(share.share),
                size=max(share.denominator_value if equal else largest_den * max(share.share, 0.01), 1e-6),
                group=share.group, period=dims.periods[share.period],
            ))
    rows.extend(_food_rows(data, lp))
    rows.extend(_funds_rows(data, lp))
    return rows


def _food_rows(data: ModelData, lp: LinearProgram) -> list[RelaxableRow]:
    """C-FOOD rows with demand: relaxing one lowers that demand (population x demand per person)."""
    if not lp.has_constraint(FOOD_BALANCE) or data.linkages.food is None:
        return []
    block, food = lp.constraint(FOOD_BALANCE), data.linkages.food
    labels = block.labels
    unit_of = {p: data.dims.indicator_units[int(i)] for p, i in zip(food.products, food.product_indicator, strict=True)}
    out = []
    for i in np.flatnonzero(block.lower > 0):
        product, jurisdiction, period = (labels[k].iat[i] for k in ("product", "jurisdiction", "period"))
        out.append(RelaxableRow(
            row=block.offset + int(i), kind=FOOD, name=str(product), key=None,
            label=f"demand for {product} in {jurisdiction} ({period})",
            unit=unit_of[product], sense=Comparison.AT_LEAST, value=float(block.lower[i]),
            size=max(float(block.lower[i]), 1.0), group=str(jurisdiction), period=int(period),
        ))
    return out


def _funds_rows(data: ModelData, lp: LinearProgram) -> list[RelaxableRow]:
    """C-FUNDS rows: relaxing one raises what that source gives (the funds table)."""
    if not lp.has_constraint(FUNDS_ROWS) or data.linkages.finance is None:
        return []
    block = lp.constraint(FUNDS_ROWS)
    labels = block.labels
    unit = data.objective.unit
    out = []
    for i in range(block.size):
        source, jurisdiction, period = (labels[k].iat[i] for k in ("source", "jurisdiction", "period"))
        where = "the pooled area" if jurisdiction == "*" else str(jurisdiction)
        out.append(RelaxableRow(
            row=block.offset + i, kind=FUNDS, name=str(source), key=None,
            label=f"funding source '{source}' for {where} ({period})", unit=unit,
            sense=Comparison.AT_MOST, value=float(block.upper[i]), size=max(float(block.upper[i]), 1.0),
            group=str(jurisdiction), period=int(period),
        ))
    return out


def _part_area_per_column(data: ModelData) -> np.ndarray:
    """Each part's area on its keep-the-baseline column only, so sums count every hectare once."""
    cols = data.columns
    return np.where(cols.conversion < 0, data.parts.area[cols.part], 0.0)
