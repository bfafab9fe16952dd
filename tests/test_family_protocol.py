"""A constraint family written outside the package, in one module (here, this test file), plugs
into every stage through the registry: its data is resolved from the scenario, its rows are
built and solved, and its shadow price is reported and agrees with re-solves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import lup_opt
from lup_opt.data.model_data import ModelData, Resolution, ResolveContext
from lup_opt.families.base import Family
from lup_opt.families.registry import REGISTRY, build_model_data, priced_rows
from lup_opt.handles import Rows
from lup_opt.model.build import build_lp
from lup_opt.model.families import implements
from lup_opt.model.land_balance import AREA
from lup_opt.model.lp import INF, LinearProgram, LPBuilder
from lup_opt.solve.highs import solve_with_highspy
from lup_opt.solve.options import Solution
from tests.conftest import SCENARIOS

FOREST_FLOOR = Rows("forest_floor", "C-FOREST-FLOOR")
NAME = "forest floor"


def forest_floor_family(floor_ha: float) -> Family:
    """At least ``floor_ha`` of forest in the last planning year (every path ends in its to_use)."""

    def resolve(context: ResolveContext) -> Resolution:
        forest = context.dims.uses.index("forest")
        return Resolution((np.flatnonzero(context.columns.to_use == forest), floor_ha))

    @implements("C-FOREST-FLOOR")
    def add_forest_floor(lp: LPBuilder, data: ModelData) -> None:
        """C-FOREST-FLOOR: sum of forest paths >= floor."""
        columns, floor = data.of(NAME)
        matrix = sp.csr_matrix((np.ones(len(columns)), (np.zeros(len(columns), dtype=int), columns)),
                               shape=(1, data.columns.size))
        lp.add_constraints(FOREST_FLOOR, {AREA: matrix}, np.array([floor]), np.array([INF]),
                           pd.DataFrame({"floor": ["forest"]}))

    def priced(data: ModelData, lp: LinearProgram, solution: Solution) -> list[pd.DataFrame]:
        block = lp.constraint(FOREST_FLOOR)
        return [pd.DataFrame({"constraint": str(FOREST_FLOOR), "shadow_price": solution.row_duals[block.slice],
                              "activity": solution.row_values[block.slice]})]

    return Family(name=NAME, resolve=resolve, rows=(add_forest_floor,), priced=priced)


def solve_with_floor(floor_ha: float):
    registry = (*REGISTRY[:-1], forest_floor_family(floor_ha), REGISTRY[-1])  # the objective stays last
    data = build_model_data(lup_opt.load_scenario(SCENARIOS / "tiny"), "off", registry=registry)
    lp = build_lp(data, registry)
    solution = solve_with_highspy(lp)
    return data, lp, solution, registry


def test_a_family_from_one_module_is_built_solved_and_priced():
    data, lp, solution, registry = solve_with_floor(5.0)  # slack: the tiny optimum of 620 stands
    assert lp.constraint(FOREST_FLOOR).family == "C-FOREST-FLOOR"
    assert solution.objective == pytest.approx(620.0, rel=1e-9)
    frame = next(f for f in priced_rows(data, lp, solution, registry) if f["constraint"].iloc[0] == "forest_floor")
    assert frame["activity"].iloc[0] == pytest.approx(20.0, abs=1e-6)  # U2's 20 ha of new forest
    assert frame["shadow_price"].iloc[0] == pytest.approx(0.0, abs=1e-9)


def test_the_new_familys_shadow_price_is_what_a_hectare_of_floor_costs():
    _, lp, at_30, _ = solve_with_floor(30.0)
    price = at_30.row_duals[lp.constraint(FOREST_FLOOR).slice][0]
    above, below = solve_with_floor(30.5)[2].objective, solve_with_floor(29.5)[2].objective
    assert at_30.objective > 620.0  # the floor binds and costs (tiny minimises its cost)
    assert price == pytest.approx(above - below, rel=1e-6)  # central difference over 1 ha
    assert price > 1e-6
