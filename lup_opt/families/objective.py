"""The objective (O-OBJ; LP step in :mod:`lup_opt.model.objective`): its terms' indicators are read
in the direction that improves it. It comes last: it prices every other family's variables."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lup_opt.data.ldn import loss_priced_objective
from lup_opt.data.model_data import Resolution, ResolveContext
from lup_opt.data.targets import resolve_objective
from lup_opt.enums import FamilyName, ObjectiveSense
from lup_opt.families.base import Family
from lup_opt.model.objective import set_objective
from lup_opt.scenario.config import ScenarioConfig


def reads(config: ScenarioConfig) -> Iterator[tuple[str, int]]:
    sign = 1 if config.objective.sense is ObjectiveSense.MAXIMIZE else -1
    for term in config.objective.terms:
        if term.weight:
            yield term.indicator, sign * int(np.sign(term.weight))


def resolve(context: ResolveContext) -> Resolution:
    """Objective value per hectare of each area column and year, and per unit of every other
    family's variables (through the indicators they enter); with ``ldn.hierarchy: penalty``,
    every hectare lost in a year costs ``ldn.loss_price``."""
    c = context
    objective = resolve_objective(c.scenario, c.dims, c.columns, c.coefficients, c.indicator_terms, c.blocks)
    return Resolution(loss_priced_objective(c.scenario, objective, c.ldn))


FAMILY = Family(name=FamilyName.OBJECTIVE, resolve=resolve, rows=(set_objective,), reads=reads)
