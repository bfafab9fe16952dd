"""Scenario files -> validated :class:`Scenario`."""

from lup_opt.scenario.loader import load_scenario
from lup_opt.scenario.scenario import Scenario

__all__ = ["Scenario", "load_scenario"]
