"""The highspy path and the Pyomo path solve the same LP to the same optimum."""

from __future__ import annotations

import pyomo.environ as pyo
import pytest
import yaml

import lup_opt
from lup_opt.testing import assert_same_optimum
from tests.conftest import SCENARIOS, SHIPPED

CASES = [
    (name, variant)
    for name in SHIPPED
    for variant in [None, *yaml.safe_load((SCENARIOS / name / "scenario.yaml").read_text()).get("variants", {})]
]


@pytest.mark.parametrize("name, variant", CASES, ids=[f"{n}{'+' + v if v else ''}" for n, v in CASES])
def test_highspy_and_pyomo_agree_on_every_shipped_scenario(name, variant):
    scenario = lup_opt.load_scenario(SCENARIOS / name, variants=[variant] if variant else [])
    fast = lup_opt.solve(scenario, backend="highspy")
    slow = lup_opt.solve(scenario, backend="pyomo")
    assert fast.status is slow.status
    assert slow.manifest["backend"] == "pyomo"
    if fast.is_optimal:
        assert_same_optimum(fast, slow, rel=1e-7)
        # The objective's indicators summed over the years agree too (optimal plans may differ in
        # which land changes, or in which year a cost falls, when both cost the same).
        objective_indicators = {t.indicator for t in scenario.config.objective.terms}

        def totals(result):
            table = result.indicators.query("scope_type == 'functional_area'")
            return table[table["indicator"].isin(objective_indicators)].groupby("indicator")["value"].sum()

        assert totals(fast).to_numpy() == pytest.approx(totals(slow).to_numpy(), rel=1e-6, abs=1e-6)


def test_pyomo_model_has_named_indexed_components(tiny_scenario):
    model = lup_opt.pyomo_model(tiny_scenario)
    assert isinstance(model, pyo.ConcreteModel)
    assert model.area["U1", "crop", "housing", 2030].lb == 0
    assert ("plain", "all", 2030) in model.ldn_neutrality
    assert ("housing", 2030) in model.target
    assert len(model.area_conservation) == 4
    # A user adds a constraint and solves with Pyomo's HiGHS interface: 5 more ha of
    # restoration on the hill cost 5 x 2 kUSD more than the hand-worked 620.
    model.more_restoration = pyo.Constraint(expr=model.area["U3", "grass", "restoration", 2030] >= 25)
    pyo.SolverFactory("highs").solve(model)
    assert pyo.value(model.objective) == pytest.approx(630.0)
