"""Indicator targets and limits, hard and soft, including the housing targets derived from
population (V-SHORT, C-TARGET, C-TARGET-SOFT; LP steps in :mod:`lup_opt.model.targets`)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from lup_opt.data.linkages import housing_targets
from lup_opt.data.model_data import ModelData, Resolution, ResolveContext
from lup_opt.data.targets import resolve_targets
from lup_opt.diagnose.bounds import indicator_values, part_max, part_min
from lup_opt.enums import FamilyName, TargetKind
from lup_opt.families.base import MORE_IS_BETTER, SENSE_DIRECTION, Family, RelaxableKind, RelaxableRow
from lup_opt.model.lp import LinearProgram
from lup_opt.model.targets import (
    HARD_TARGETS,
    SOFT_TARGETS,
    add_hard_targets,
    add_shortfall_variables,
    add_soft_targets,
)
from lup_opt.results.prices import plan_values, ranges
from lup_opt.scenario.config import ScenarioConfig
from lup_opt.solve.options import Solution


def reads(config: ScenarioConfig) -> Iterator[tuple[str, int]]:
    for target in config.targets.values():
        yield target.indicator, SENSE_DIRECTION[target.sense]
    if config.housing is not None:  # housing >= what the population needs
        yield config.housing.indicator, MORE_IS_BETTER


def relaxable(data: ModelData, lp: LinearProgram) -> list[RelaxableRow]:
    """Hard targets: relaxing one moves its value (derived targets, e.g. housing, have no key)."""
    rows, dims = [], data.dims
    block = lp.constraint(HARD_TARGETS)
    hard = [t for t in data.targets if t.kind is TargetKind.HARD]
    for i, target in enumerate(hard):
        values = indicator_values(data, target.indicator, target.period)
        in_scope = target.unit_mask[data.parts.unit]
        spread = float(data.parts.area[in_scope] @ (part_max(data, values) - part_min(data, values))[in_scope])
        period = dims.periods[target.period]
        rows.append(RelaxableRow(
            row=block.offset + i, kind=RelaxableKind.TARGET, name=target.name,
            key=None if target.derived else f"targets.{target.name}.value",
            label=f"target '{target.name}' ({dims.indicators[target.indicator]} {target.sense.value} "
                  f"{target.value:,.6g}, {target.scope}, {period})",
            unit=dims.indicator_units[target.indicator], sense=target.sense, value=target.value,
            size=abs(target.value) if target.value else max(spread, 1.0), period=period,
        ))
    return rows


def priced(data: ModelData, lp: LinearProgram, solution: Solution) -> list[pd.DataFrame]:
    """Hard and soft targets; a soft target's activity is its indicator's value, without the
    shortfall."""
    frames = []
    indicator_units = dict(zip(data.dims.indicators, data.dims.indicator_units, strict=True))
    for name in (HARD_TARGETS, SOFT_TARGETS):
        block = lp.constraint(name)
        if block.size == 0:
            continue
        labels = block.labels
        activity = solution.row_values[block.slice]
        if name == SOFT_TARGETS:
            plan = plan_values(lp, data, solution)
            activity = np.array([plan.in_scope(data, t.indicator, t.unit_mask, t.period, t.jurisdictions)
                                 for t in data.targets if t.kind is TargetKind.SOFT])
        frames.append(pd.DataFrame({
            "constraint": name, "family": block.family, "name": labels["target"], "group": "",
            "indicator": labels["indicator"], "scope": labels["scope"], "period": labels["period"],
            "sense": labels["sense"], "rhs": labels["value"].to_numpy(dtype=float), "activity": activity,
            "shadow_price": solution.row_duals[block.slice],
            "unit": [indicator_units[i] for i in labels["indicator"]],
            **ranges(solution, block.slice, block.size),
        }))
    return frames


def resolve(context: ResolveContext) -> Resolution:
    """The scenario's targets, then one housing target per jurisdiction and year."""
    c = context
    return Resolution((*resolve_targets(c.scenario, c.dims),
                       *housing_targets(c.scenario, c.dims, c.parts, c.columns, c.coefficients)))


FAMILY = Family(
    name=FamilyName.TARGETS, resolve=resolve,
    variables=(add_shortfall_variables,),
    rows=(add_hard_targets, add_soft_targets),
    reads=reads, relaxable=relaxable, priced=priced,
)
