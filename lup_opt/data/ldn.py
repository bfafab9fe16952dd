"""LDN classes of every LP column, per planning year, and the response class of every land unit.

The rules themselves (land-cover table, SOC factors, one out all out, the expanded 7-class status
and counterbalancing) are in :mod:`lup_opt.ldn_rules`; this module applies them to the scenario's
paths. Everything is fixed before the solve, so LDN rows are sums of area over pre-classified
columns (``models/formulation.md``, C-LDN).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lup_opt.data.coefficients import productivity_matrix
from lup_opt.data.targets import ObjectiveData, scope_mask
from lup_opt.enums import BaselineStatus, LdnGains, LdnHierarchy, ResponseClass
from lup_opt.ldn_rules import COVER_CLASSES, classify_transitions
from lup_opt.scenario.scenario import Scenario

if TYPE_CHECKING:  # model_data imports this module; its types are only named here
    from lup_opt.data.arrays import ColumnArrays, Dimensions, UnitArrays

RESPONSE_CLASSES: tuple[ResponseClass, ...] = tuple(ResponseClass)


@dataclass(frozen=True)
class LdnClasses:
    """Per period and column (arrays of shape (periods, columns)), judged at each planning year.

    Indicator classes (-1/0/+1), the period status (one out, all out), the expanded 7-class status
    (1-7), the balance status (gain +1 / neutral 0 / loss -1, by the counterbalancing rule and
    ``ldn.gains``), ``committed`` (not a loss yet, but one once the SOC change is complete, 20
    years after the change), and the per-ha weights each column enters the LDN balance with:
    ``gain_weight`` (the share of a gain that counts, by the use held that year) and
    ``loss_weight`` (1 on losses, and on committed losses with ``ldn.count_committed``).
    """

    land_cover: np.ndarray
    soc: np.ndarray
    soc_change: np.ndarray
    productivity: np.ndarray
    period_status: np.ndarray
    expanded: np.ndarray
    status: np.ndarray
    committed: np.ndarray
    gain_weight: np.ndarray
    loss_weight: np.ndarray

    def net_weight(self, period: int) -> np.ndarray:
        """Per-ha contribution of each column to its LDN group's net area in ``period``."""
        return self.gain_weight[period] - self.loss_weight[period]


def soc_years(scenario: Scenario, dims: Dimensions, conversion: np.ndarray, period: int) -> np.ndarray:
    """Years between each path's change and the assessment at ``period`` (0 for keeping a use).

    Timing convention: a change in period k happens at the start of that period (the baseline
    year for the first period, else the previous planning year) and is assessed at the planning
    year ``period``. ``ldn.soc_years`` replaces this with one fixed number.
    """
    fixed = scenario.config.ldn.soc_years
    if fixed is not None:
        return np.full(conversion.size, float(fixed))
    starts = np.asarray(dims.period_starts, dtype=float)
    return np.where(conversion >= 0, dims.periods[period] - starts[np.maximum(conversion, 0)], 0.0)


def gain_shares(scenario: Scenario, dims: Dimensions) -> np.ndarray:
    """(land units, uses): the share of a gain that counts on land unit n while it holds use b
    (``ldn.gain_effectiveness``; rules apply in order, later ones win; 1 where none applies)."""
    share = np.ones((len(scenario.units), len(dims.uses)))
    for rule in scenario.config.ldn.gain_effectiveness:
        mask = scope_mask(scenario, rule.scope)
        uses = [dims.uses.index(u) for u in rule.uses] if rule.uses else list(range(len(dims.uses)))
        share[np.ix_(mask, uses)] = rule.share
    return share


def classify_paths(
    scenario: Scenario, dims: Dimensions, units: UnitArrays, columns: ColumnArrays
) -> LdnClasses:
    """LDN classes of paths (the LP's columns, or any other plan's paths) in every planning year."""
    uses = scenario.uses
    settings = scenario.config.ldn
    cover = pd.Categorical(uses["cover_class"], categories=[c.value for c in COVER_CLASSES]).codes
    management = uses["soc_management_factor"].to_numpy(dtype=float)
    cropland = np.array([scenario.cropland_factors[c] for c in dims.climates])
    prod = productivity_matrix(scenario, dims)
    unit = columns.unit
    shares = gain_shares(scenario, dims)
    per_period = []
    for t in range(len(dims.periods)):
        use = columns.use_in(t)
        classes = classify_transitions(
            cover_from=cover[columns.from_use],
            cover_to=cover[use],
            cropland_factor=cropland[units.climate[unit]],
            management_ratio=management[use] / management[columns.from_use],
            productivity=prod[use, units.land_type[unit]],
            baseline_status=units.baseline_status[unit],
            soc_years=soc_years(scenario, dims, columns.conversion, t),
            land_cover_matrix=scenario.land_cover_matrix,
            reverse_only=settings.gains is LdnGains.REVERSE_ONLY,
        )
        committed = (classes["status"] != -1) & (classes.pop("eventual_status") == -1)
        lost = (classes["status"] == -1) | (committed & settings.count_committed)
        gained = (classes["status"] == 1) & ~lost
        classes["committed"] = committed
        classes["loss_weight"] = lost.astype(float)
        classes["gain_weight"] = np.where(gained, shares[unit, use], 0.0)
        per_period.append(classes)
    return LdnClasses(**{key: np.stack([c[key] for c in per_period]) for key in per_period[0]})


def projected_loss_share(scenario: Scenario, dims: Dimensions, columns: ColumnArrays, period: int) -> np.ndarray:
    """Per path, the share of its area that ``ldn.business_as_usual.degradation_rate`` projects as
    degraded by planning year ``period``: rate of the use held x years since the path took it
    (the baseline year for kept land), at most 1. Zero where no rate is given."""
    rates = scenario.config.ldn.business_as_usual.degradation_rate
    if not rates:
        return np.zeros(columns.size)
    rate = np.array([rates.get(use, 0.0) for use in dims.uses])
    held = columns.use_in(period)
    starts = np.asarray(dims.period_starts, dtype=float)
    since = np.where(columns.converted_by(period), starts[np.maximum(columns.conversion, 0)],
                     float(dims.period_starts[0]))
    return np.minimum(1.0, rate[held] * (dims.periods[period] - since))


def response_classes(scenario: Scenario) -> np.ndarray:
    """The response class of each land unit (index into RESPONSE_CLASSES), as Trends.Earth's
    planning step frames it: land degraded at baseline -> reverse; land at risk (a scope of
    ``ldn.at_risk``, e.g. a productivity trend 'stressed' or a risk column) -> reduce; the rest
    -> avoid."""
    at_risk = np.zeros(len(scenario.units), dtype=bool)
    for scope in scenario.config.ldn.at_risk:
        at_risk |= scope_mask(scenario, scope)
    degraded = (scenario.units["baseline_status"] == BaselineStatus.DEGRADED.value).to_numpy()
    out = np.full(len(at_risk), RESPONSE_CLASSES.index(ResponseClass.AVOID), dtype=np.int8)
    out[at_risk] = RESPONSE_CLASSES.index(ResponseClass.REDUCE)
    out[degraded] = RESPONSE_CLASSES.index(ResponseClass.REVERSE)
    return out


def loss_years(ldn: LdnClasses) -> np.ndarray:
    """Per-ha loss of each column summed over the planning years: the measure the response
    hierarchy minimises or prices (ha x planning years). A hectare lost in every planning year
    counts once per year, so an early loss weighs more than a late one, and land that is
    degrading under its baseline use and is restored early stops counting early."""
    return ldn.loss_weight.sum(axis=0)


def loss_priced_objective(scenario: Scenario, objective: ObjectiveData, ldn: LdnClasses) -> ObjectiveData:
    """With ``ldn.hierarchy: penalty``, every hectare counted as lost in a planning year costs
    ``ldn.loss_price`` objective units in that year (added to a minimised objective, subtracted
    from a maximised one). Losses under business as usual are a constant, so this prices each
    new loss and rewards each avoided one alike."""
    settings = scenario.config.ldn
    if not settings.enabled or settings.hierarchy is not LdnHierarchy.PENALTY:
        return objective
    by_period = objective.area_by_period + objective.penalty_sign * float(settings.loss_price) * ldn.loss_weight
    return replace(objective, area_by_period=by_period)
