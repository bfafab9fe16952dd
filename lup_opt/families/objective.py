"""The objective (O-OBJ; LP step in :mod:`lup_opt.model.objective`): its terms' indicators are read
in the direction that improves it. It comes last: it prices every other family's variables."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lup_opt.enums import ObjectiveSense
from lup_opt.families.base import Family
from lup_opt.model.objective import set_objective
from lup_opt.scenario.config import ScenarioConfig


def reads(config: ScenarioConfig) -> Iterator[tuple[str, int]]:
    sign = 1 if config.objective.sense is ObjectiveSense.MAXIMIZE else -1
    for term in config.objective.terms:
        if term.weight:
            yield term.indicator, sign * int(np.sign(term.weight))


FAMILY = Family(name="objective", rows=(set_objective,), reads=reads)
