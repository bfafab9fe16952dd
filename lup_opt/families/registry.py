"""The registry of constraint families that every stage loops over (see the package docstring)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from lup_opt.data.culling import UNUSED, CullingRules
from lup_opt.data.model_data import ModelData, assemble_model_data
from lup_opt.enums import Culling
from lup_opt.families import (
    conversion_limits,
    finance,
    food,
    land_balance,
    ldn,
    livelihoods,
    objective,
    shares,
    targets,
)
from lup_opt.families.base import BuildStep, Family, RelaxableKind, RelaxableRow, TableMaker
from lup_opt.model.lp import LinearProgram
from lup_opt.scenario.config import ScenarioConfig
from lup_opt.scenario.scenario import Scenario
from lup_opt.solve.options import Solution

# Build order: variables of every family in this order, then rows in this order; the objective
# last, since it prices the variables of all the others.
REGISTRY: tuple[Family, ...] = (
    land_balance.FAMILY,
    conversion_limits.FAMILY,
    targets.FAMILY,
    ldn.FAMILY,
    shares.FAMILY,
    food.FAMILY,
    finance.FAMILY,
    livelihoods.FAMILY,
    objective.FAMILY,
)



def build_model_data(scenario: Scenario, culling: Culling | str = Culling.AUTO,
                     registry: tuple[Family, ...] = REGISTRY) -> ModelData:
    """The scenario's model data: the shared arrays, then each family's own data (in registry
    order); ``culling`` leaves out changes no optimal plan needs, judged by what the families
    read and count (:func:`culling_rules`)."""
    return assemble_model_data(scenario, registry, culling, culling_rules(scenario, registry))


def culling_rules(scenario: Scenario, registry: tuple[Family, ...] = REGISTRY) -> CullingRules:
    """What culling must respect, from every family: the indicators read and which way is
    better, the rows that count changes of use, and a reason that stops culling, if any."""
    stopped = [reason for family in registry if (reason := family.stops_culling(scenario.config))]
    return CullingRules(
        directions=indicator_directions(scenario.config, registry),
        change_groups=tuple(group for family in registry for group in family.counts_changes(scenario)),
        stopped_by="; ".join(stopped) or None,
    )


def per_land_unit(config: ScenarioConfig, registry: tuple[Family, ...] = REGISTRY) -> str | None:
    """The first family's rows set for each land unit (which keep land units from merging)."""
    return next((reason for family in registry if (reason := family.per_land_unit(config))), None)


def build_steps(registry: tuple[Family, ...] = REGISTRY) -> tuple[BuildStep, ...]:
    return (*(s for f in registry for s in f.variables), *(s for f in registry for s in f.rows))


def formulation_ids(registry: tuple[Family, ...] = REGISTRY) -> set[str]:
    """Every formulation ID the build implements (checked against models/formulation.md)."""
    return {fid for family in registry for fid in family.formulation_ids}


def indicator_directions(config: ScenarioConfig, registry: tuple[Family, ...] = REGISTRY) -> np.ndarray:
    """Per indicator of ``config``: +1 if more is never worse for the plan, -1 if less is never
    worse, 0 if it must stay equal (read both ways, or in a share), UNUSED if no family reads it.
    Culling keeps a change only where no other is at least as good in every one of them."""
    seen: dict[str, set[int]] = {name: set() for name in config.indicators}
    for family in registry:
        for indicator, direction in family.reads(config):
            seen[indicator].add(direction)
    return np.array([UNUSED if not d else next(iter(d)) if len(d) == 1 else 0 for d in seen.values()], dtype=np.int8)


def relaxable_rows(data: ModelData, lp: LinearProgram, registry: tuple[Family, ...] = REGISTRY) -> list[RelaxableRow]:
    """Every row a planner can relax, family by family (structural rows always hold)."""
    return [row for family in registry for row in family.relaxable(data, lp)]


def priced_rows(data: ModelData, lp: LinearProgram, solution: Solution,
                registry: tuple[Family, ...] = REGISTRY) -> list[pd.DataFrame]:
    """Each family's priced rows as ``duals.csv`` rows (before slack, binding and units)."""
    return [frame for family in registry for frame in family.priced(data, lp, solution)]


def result_tables(registry: tuple[Family, ...] = REGISTRY) -> Mapping[str, TableMaker]:
    """Name -> table maker of every family's result tables (a table name belongs to one family)."""
    tables: dict[str, TableMaker] = {}
    for family in registry:
        for name, make in family.tables.items():
            if name in tables:
                raise ValueError(f"result table '{name}' is claimed by two families")
            tables[name] = make
    return MappingProxyType(tables)


__all__ = ["REGISTRY", "UNUSED", "Family", "RelaxableKind", "RelaxableRow", "build_model_data", "build_steps",
           "culling_rules", "formulation_ids", "indicator_directions", "per_land_unit", "priced_rows", "relaxable_rows",
           "result_tables"]
