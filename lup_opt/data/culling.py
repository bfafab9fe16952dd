"""Culling: changes of use that no optimal plan needs are not created (``models/formulation.md``,
"Culling").

A change of a part of land to use ``b`` in period ``k`` is *dominated* when the same part can
instead keep its use, or change to another allowed use ``a`` in the same period, and that is at
least as good in every row and in the objective:

- every indicator that enters a row or the objective is at least as good in every year from
  ``k`` on (more where only lower bounds use it, less where only upper bounds or a minimised
  objective do, equal where it enters both ways, an equality or a share);
- the LDN class (gain > neutral > loss) is at least as good in every assessment year from ``k``
  on, and the share of a gain that counts is no smaller;
- it counts in no more of the rows that count changes of use (e.g. conversion limits).

Moving the hectares of a dominated column to its dominator keeps every row satisfied and the
objective no worse, so removing dominated columns leaves the optimum unchanged. Ties (columns
alike in all of these) keep the baseline use, else the use listed first. Changes that can never
carry area (after a period in which a forced change must already have happened) are removed too.

What culling must respect comes from the families (``lup_opt.families.registry.culling_rules``):
the indicators each reads and which way is better, the rows that count changes of use (e.g.
conversion limits), and whether a family stops culling altogether (finance by source: which
funds may pay for a change depends on the use it changes to, so a cheaper change is not always
payable).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from lup_opt.data.coefficients import UnitCoefficients, productivity_matrix
from lup_opt.data.ldn import gain_shares
from lup_opt.data.transitions import TransitionRules
from lup_opt.ldn_rules import COVER_CLASSES, classify_transitions
from lup_opt.scenario.scenario import Scenario

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CullingRules:
    """What culling must respect, gathered from the families (``lup_opt.families.registry``):
    per indicator which way is better (``lup_opt.families.base.MORE_IS_BETTER`` …), the groups of
    rows that count changes of use (each a (baseline use x use) matrix of the changes it counts),
    and a reason why no change may be culled, if a family has one."""

    directions: np.ndarray
    change_groups: tuple[np.ndarray, ...] = ()
    stopped_by: str | None = None


UNUSED = 2  # direction of an indicator that no family reads (lup_opt.families.indicator_directions)


def _compare(a: np.ndarray, b: np.ndarray, direction: int) -> tuple[np.ndarray, np.ndarray]:
    """(a at least as good as b, a equal to b) for one indicator direction."""
    equal = a == b
    if direction == 1:
        return a >= b, equal
    if direction == -1:
        return a <= b, equal
    return equal, equal


def dominated_changes(
    scenario: Scenario,
    dims,
    units,
    parts,
    allowed: np.ndarray,
    rules: TransitionRules,
    values: UnitCoefficients,
    respect: CullingRules,
) -> np.ndarray:
    """(parts, uses, periods): which allowed changes are dominated (see the module docstring),
    judged by what the families read (``respect``: per indicator which way is better for the rows
    and objective that read it, and the groups of rows that count changes of use)."""
    config = scenario.config
    directions = respect.directions
    n_parts, n_uses = allowed.shape
    n_periods = len(dims.periods)
    relevant = [i for i in range(len(directions)) if directions[i] != UNUSED]
    unit, base = parts.unit, parts.use
    ldn = _ldn_at_least(scenario, dims) if config.ldn.enabled else None
    effect = gain_shares(scenario, dims) if config.ldn.enabled else None
    limits = respect.change_groups
    keep_allowed = allowed[np.arange(n_parts), base]
    out = np.zeros((n_parts, n_uses, n_periods), dtype=bool)
    for b in range(n_uses):
        changes = allowed[:, b] & (base != b)
        if not changes.any():
            continue
        for a in range(n_uses):
            if a == b:
                continue
            # Cheap test over land units first: most pairs of uses differ in some indicator
            # everywhere, and are dropped before any work per part.
            later_ok, later_same = _later_years(values, relevant, directions, unit, a, b)
            for k in range(n_periods):
                if k < n_periods - 1 and not later_ok.any():
                    break
                # As a change to a: the part must be allowed it; as keeping: a is its own use.
                keeping = base == a
                candidate = changes & np.where(keeping, keep_allowed, allowed[:, a])
                if k < n_periods - 1:
                    candidate &= later_ok[unit]
                if not candidate.any():
                    continue
                p = np.flatnonzero(candidate)
                ok = np.ones(len(p), dtype=bool)
                same = later_same[unit[p]] if k < n_periods - 1 else np.ones(len(p), dtype=bool)
                kept = keeping[p]
                for i in relevant:
                    value_a = values.per_use[i, unit[p], a] + np.where(
                        kept, 0.0, rules.coefficients[i][base[p], a] + values.per_conversion[i, unit[p], a])
                    value_b = (values.per_use[i, unit[p], b] + rules.coefficients[i][base[p], b]
                               + values.per_conversion[i, unit[p], b])
                    better, equal = _compare(value_a, value_b, int(directions[i]))
                    ok &= better
                    same &= equal
                if ldn is not None:
                    at_least, equal = ldn
                    climate, land_type = units.climate[unit[p]], units.land_type[unit[p]]
                    index = (climate, land_type, base[p], a, b, k)
                    ok &= at_least[index]
                    same &= equal[index]
                    ok &= effect[unit[p], a] >= effect[unit[p], b]
                    same &= effect[unit[p], a] == effect[unit[p], b]
                for member in limits:  # a change to a must count no more against any limit
                    uses_a = np.where(kept, False, member[base[p], a])
                    ok &= uses_a <= member[base[p], b]
                    same &= uses_a == member[base[p], b]
                # Alike columns: keeping wins, else the use listed first.
                ok &= ~same | kept | (a < b)
                out[p[ok], b, k] = True
    logger.info("culling: %d of %d changes dominated", int(out.sum()), int(allowed.sum() * n_periods))
    return out


def _later_years(values: UnitCoefficients, relevant: list[int], directions: np.ndarray, unit: np.ndarray,
                 a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
    """Per land unit: whether holding a is at least as good as holding b (every relevant
    indicator), and whether the two are alike: the test for the years after a change."""
    n_units = values.per_use.shape[1]
    ok, same = np.ones(n_units, dtype=bool), np.ones(n_units, dtype=bool)
    for i in relevant:
        better, equal = _compare(values.per_use[i, :, a], values.per_use[i, :, b], int(directions[i]))
        ok &= better
        same &= equal
    return ok, same


def _ldn_at_least(scenario: Scenario, dims) -> tuple[np.ndarray, np.ndarray]:
    """Indexed (climate, land type, baseline use, a, b, change period): whether the LDN class
    (one out, all out) of changing to a is at least that of changing to b in every year from the
    change on, and whether they are equal; a = baseline use means keeping it."""
    uses = scenario.uses
    n_uses, n_periods = len(dims.uses), len(dims.periods)
    cover = np.array([[c.value for c in COVER_CLASSES].index(v) for v in uses["cover_class"]])
    management = uses["soc_management_factor"].to_numpy(dtype=float)
    productivity = productivity_matrix(scenario, dims)
    cropland = np.array([scenario.cropland_factors[c] for c in dims.climates])
    grid = np.indices((len(dims.climates), len(dims.land_types), n_uses, n_uses, n_periods, n_periods))
    climate, land_type, base, to, k, t = (g.ravel() for g in grid)
    fixed = scenario.config.ldn.soc_years
    starts = np.asarray(dims.period_starts, dtype=float)
    years = np.where(base == to, 0.0, np.asarray(dims.periods)[t] - starts[k]) if fixed is None else float(fixed)
    classified = classify_transitions(
        cover_from=cover[base], cover_to=cover[to], cropland_factor=cropland[climate],
        management_ratio=management[to] / management[base], productivity=productivity[to, land_type],
        baseline_status=np.ones(len(base), dtype=np.int64), soc_years=years,
        land_cover_matrix=scenario.land_cover_matrix,
    )
    # The balance counts by period status (gains and losses are monotone in it, whatever the
    # baseline status or ldn.gains); a committed loss counts as a loss when ldn.count_committed.
    counted = np.where(classified["eventual_status"] == -1, -1, classified["period_status"]) \
        if scenario.config.ldn.count_committed else classified["period_status"]
    classes = counted.reshape(grid.shape[1:])
    # A year before the change counts as alike (both hold the baseline use then).
    before = np.arange(n_periods)[None, :] < np.arange(n_periods)[:, None]  # (k, t)
    a_class = classes[:, :, :, :, None, :, :]  # (c, l, base, a, 1, k, t)
    b_class = classes[:, :, :, None, :, :, :]  # (c, l, base, 1, b, k, t)
    at_least = ((a_class >= b_class) | before).all(axis=-1)
    equal = ((a_class == b_class) | before).all(axis=-1)
    return at_least, equal
