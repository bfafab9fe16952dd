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


@pytest.mark.parametrize("scenario", ["tiny", pytest.param("default", marks=pytest.mark.slow)])  # 10 s in Pyomo
def test_the_pyomo_summary_prints(scenario):
    result = lup_opt.solve(lup_opt.load_scenario(SCENARIOS / scenario), backend="pyomo", checks=False)
    assert result.is_optimal
    text = summary_text(result)
    assert "Objective" in text and "Traceback" not in text


def test_keeping_the_baseline_use_has_no_period_and_is_said_in_words(small, tmp_path):
    # 5,000 people need all 50 ha of C as housing: keeping C's grass is not in the plan.
    folder = small(targets={"homes": {"indicator": "housing_persons", "sense": ">=", "value": 5000}})
    result = lup_opt.solve(lup_opt.load_scenario(folder))
    table = result.reduced_costs
    kept = table[table["period"].isna()]
    assert len(kept) and set(kept["use"]) == {"crop", "grass"}
    assert (table["period"].dropna() == 2030).all()
    assert ((table["period"] == 0) & table["period"].notna()).sum() == 0
    written = (result.write(tmp_path / "out") / "reduced_costs.csv").read_text().splitlines()
    assert any(line.startswith("j1,grass,,") for line in written)  # an empty period
    text = summary_text(result)
    assert "period ending 0" not in text
    assert "In j1, keeping land in its baseline use 'grass'" in text


def test_a_use_that_ties_is_an_alternative_optimum_not_an_improvement_of_0(small):
    # 10 ha of forest cost 1 kUSD/ha wherever they go: the jurisdiction without them ties.
    folder = small(targets={"timber": {"indicator": "timber_ha", "sense": ">=", "value": 10}})
    result = lup_opt.solve(lup_opt.load_scenario(folder))
    assert result.objective == pytest.approx(10)
    text = summary_text(result)
    assert "improve by 0 " not in text
    assert "'forest' is the use closest to entering the plan, and it ties" in text
    assert "alternative optimum" in text
    assert "improve by 0.1 kUSD per ha" in text  # crop -> grass elsewhere still needs 0.1 kUSD/ha


def test_no_ldn_table_and_no_ldn_verdict_when_ldn_is_off(small, tiny_result, tiny_scenario):
    folder = small()
    scenario = lup_opt.load_scenario(folder)
    text = summary_text(lup_opt.solve(scenario))
    assert "LDN balance per land type" not in text and "LDN is not enforced" in text
    sentences = lup_opt.evaluate(scenario, "baseline").sentences()
    assert any("LDN is not enforced" in s for s in sentences)
    assert not any(s.startswith("LDN on land type") for s in sentences)
    assert not any(s.rstrip(".").endswith(": met") for s in sentences)
    assert "equals it" in sentences[-1]  # the baseline is the optimum here (no targets)
    # With LDN on, the table and the verdicts stay.
    assert "LDN balance per land type" in summary_text(tiny_result)
    verdicts = [s for s in lup_opt.evaluate(tiny_scenario, "baseline").sentences() if s.startswith("LDN on")]
    assert len(verdicts) == 2 and all(s.endswith("met.") for s in verdicts)


def test_shares_never_read_minus_zero(small):
    folder = small(share_targets={
        "forest_equal": {"numerator": {"indicator": "timber_ha"}, "denominator": {"indicator": "area_ha"},
                         "sense": "=", "share": "equal", "for_each": ["jurisdiction"]},
        "green": {"numerator": {"indicator": "green_ha"},
                  "denominator": {"indicator": "area_ha", "scope": {"zone": "urban"}}, "sense": "<=", "share": 0.0}})
    scenario = lup_opt.load_scenario(folder)
    result = lup_opt.solve(scenario)
    numbers = result.duals.select_dtypes("number").to_numpy(dtype=float)
    zeros = numbers[numbers == 0]
    assert len(zeros) and not np.signbit(zeros).any()
    assert "-0.0" not in summary_text(result)
    assert not np.signbit(result.reduced_costs["improvement_needed"].to_numpy()[
        result.reduced_costs["improvement_needed"].to_numpy() == 0]).any()


def test_a_missed_share_reads_in_percent(small):
    from lup_opt.diagnose.evaluate import percent

    assert percent(-1e-12) == "0.0%" and percent(0.15) == "15.0%"
    folder = small(share_targets={"green": {
        "numerator": {"indicator": "green_ha"}, "denominator": {"indicator": "area_ha", "scope": {"zone": "urban"}},
        "sense": ">=", "share": 0.2}})
    sentences = lup_opt.evaluate(lup_opt.load_scenario(folder), "baseline", compare=False).sentences()
    missed = [s for s in sentences if "misses" in s]
    assert missed == ["It misses hard target 'green' (green_ha/area_ha >= 20.0%, functional area, 2030) by 20.0%."]


def test_the_solve_summary_fits_80_columns_without_splitting_numbers(default_result):
    import io
    import re

    from rich.console import Console

    from lup_opt.summary import print_summary

    buffer = io.StringIO()
    print_summary(default_result, Console(file=buffer, width=80), folder="results/default")
    lines = buffer.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80
    # Every number of the tables and sentences is whole on its line: no line ends or starts
    # inside a number (a digit or separator run cut by the wrap).
    for before, after in zip(lines, lines[1:], strict=False):
        assert not (re.search(r"[\d,.]$", before.rstrip("│ ")) and re.match(r"^[│ ]*[\d,]", after)), (before, after)
    assert "e+" not in buffer.getvalue()
