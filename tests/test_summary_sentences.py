"""What the terminal summary and the sensitivity tables say: true for every backend, in planner
words (no 'period ending 0', no 'improve by 0', no LDN table when LDN is off, no '-0.0')."""

from __future__ import annotations

import io

import numpy as np
import pytest
from rich.console import Console

import lup_opt
from lup_opt.results.sensitivity import cheapest_uses_not_chosen
from lup_opt.summary import print_summary
from tests.conftest import SCENARIOS


def summary_text(result) -> str:
    out = io.StringIO()
    print_summary(result, Console(file=out, width=200, color_system=None))
    return out.getvalue()


@pytest.mark.parametrize("sense", ["minimize", "maximize"])
def test_pyomo_reduced_costs_are_floats_equal_to_highspys(small, sense):
    objective = {"sense": sense, "terms": [{"indicator": "cost_kusd" if sense == "minimize" else "cereal_t"}]}
    folder = small(objective=objective,
                   targets={"cap": {"indicator": "crop_ha", "sense": "<=", "value": 180}})
    scenario = lup_opt.load_scenario(folder)
    fast, pyomo = lup_opt.solve(scenario), lup_opt.solve(scenario, backend="pyomo")
    table = pyomo.reduced_costs
    assert len(table) and table["improvement_needed"].dtype == np.float64
    assert table["planned_ha"].dtype == np.float64 and table["in_plan"].dtype == bool
    np.testing.assert_allclose(table["improvement_needed"], fast.reduced_costs["improvement_needed"], atol=1e-7)
    assert cheapest_uses_not_chosen(table).equals(cheapest_uses_not_chosen(fast.reduced_costs))


@pytest.mark.parametrize("scenario", ["tiny", "default"])
def test_the_pyomo_summary_prints(scenario):
    result = lup_opt.solve(lup_opt.load_scenario(SCENARIOS / scenario), backend="pyomo", checks=False)
    assert result.is_optimal
    text = summary_text(result)
    assert "Objective" in text and "Traceback" not in text
