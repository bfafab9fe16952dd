"""Share targets between two indicator scopes, fixed or equal across groups (V-SHARE,
V-SHARE-SHORT, C-SHARE, C-SHARE-EQUAL; LP steps in :mod:`lup_opt.model.shares`)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from lup_opt.data.model_data import ModelData, Resolution, ResolveContext
from lup_opt.data.targets import resolve_share_targets
from lup_opt.diagnose.bounds import indicator_values, part_max
from lup_opt.enums import Comparison, FamilyName, TargetKind
from lup_opt.families.base import MUST_BE_EQUAL, Family, RelaxableKind, RelaxableRow
from lup_opt.model.lp import LinearProgram
from lup_opt.model.shares import (
    COMMON_SHARE,
    EQUAL_SHARES,
    SHARE_TARGETS,
    add_common_share_variables,
    add_equal_share_targets,
    add_share_shortfall_variables,
    add_share_targets,
    equal_shares,
    fixed_shares,
)
from lup_opt.results.prices import plan_values
from lup_opt.scenario.config import ScenarioConfig
from lup_opt.solve.options import Solution


def reads(config: ScenarioConfig) -> Iterator[tuple[str, int]]:
    for share in config.share_targets.values():  # a ratio: neither side is better larger
        yield share.numerator.indicator, MUST_BE_EQUAL
        yield share.denominator.indicator, MUST_BE_EQUAL


def relaxable(data: ModelData, lp: LinearProgram) -> list[RelaxableRow]:
    rows, dims = [], data.dims
    for block_name, shares, kind in ((SHARE_TARGETS, fixed_shares(data), RelaxableKind.SHARE),
                                     (EQUAL_SHARES, equal_shares(data), RelaxableKind.EQUAL_SHARE)):
        block = lp.constraint(block_name)
        for i, share in enumerate(shares):
            if share.kind is TargetKind.SOFT:
                continue
            den = indicator_values(data, share.denominator, share.period) * share.denominator_mask[data.columns.unit]
            largest_den = float(data.parts.area @ part_max(data, den))
            equal = kind is RelaxableKind.EQUAL_SHARE
            rows.append(RelaxableRow(
                row=block.offset + i, kind=kind, name=share.name,
                key=f"share_targets.{share.name}.{'tolerance' if equal else 'share'}",
                label=f"share target '{share.name}' ({share.scope}, {dims.periods[share.period]})",
                unit="share", sense=Comparison.EQUAL if equal else share.sense,
                value=share.tolerance if equal else float(share.share),
                size=max(share.denominator_value if equal else largest_den * max(share.share, 0.01), 1e-6),
                group=share.group, period=dims.periods[share.period],
            ))
    return rows


def priced(data: ModelData, lp: LinearProgram, solution: Solution) -> list[pd.DataFrame]:
    """Share rows are written as num - share * den; a percentage point of share is worth
    dual * den / 100 (for equal shares, D_g / 100) in objective units."""
    frames = []
    rows_by_block = {SHARE_TARGETS: fixed_shares(data), EQUAL_SHARES: equal_shares(data)}
    for name, rows in rows_by_block.items():
        block = lp.constraint(name)
        if block.size == 0:
            continue
        denominators, shares = [], []
        plan = plan_values(lp, data, solution)
        for r in rows:
            num = plan.in_scope(data, r.numerator, r.numerator_mask, r.period, r.numerator_jurisdictions)
            den = r.denominator_value if r.share is None else plan.in_scope(
                data, r.denominator, r.denominator_mask, r.period, r.denominator_jurisdictions)
            denominators.append(den)
            shares.append(num / den if den else np.nan)
        denominators = np.array(denominators)
        labels = block.labels
        target_share = np.array([r.share if r.share is not None else np.nan for r in rows], dtype=float)
        if name == EQUAL_SHARES:
            common = solution.col_values[lp.variable(COMMON_SHARE).slice]
            target_share = np.array([common[r.common_share] for r in rows])
        frames.append(pd.DataFrame({
            "constraint": name, "family": block.family, "name": labels["target"], "group": labels["group"],
            "indicator": labels["numerator"] + "/" + labels["denominator"],
            "scope": [r.scope for r in rows],
            "period": labels["period"], "sense": labels["sense"], "rhs": target_share * 100.0,
            "activity": np.array(shares) * 100.0,
            "shadow_price": solution.row_duals[block.slice] * denominators / 100.0,
            "unit": "percentage point",
        }))
    return frames


def resolve(context: ResolveContext) -> Resolution:
    c = context
    return Resolution(resolve_share_targets(c.scenario, c.dims, c.units, c.parts, c.columns, c.coefficients))


def per_land_unit(config: ScenarioConfig) -> str | None:
    """Aggregation: a share held in each land unit tells land units apart."""
    for name, share in config.share_targets.items():
        if "land_unit" in share.for_each:
            return f"share target '{name}'"
    return None


FAMILY = Family(
    name=FamilyName.SHARES, resolve=resolve,
    variables=(add_share_shortfall_variables, add_common_share_variables),
    rows=(add_share_targets, add_equal_share_targets),
    reads=reads, relaxable=relaxable, priced=priced, per_land_unit=per_land_unit,
)
