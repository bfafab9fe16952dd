"""Evaluating a given plan: numbers checked by hand on the tiny scenario."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import lup_opt
from tests.conftest import SCENARIOS

# A draft plan for tiny: the town builds its 40 ha, the village plants forest on its 20 ha of
# grass, nothing else changes. By hand: housing 60 x 40 = 2,400 (met); cereal 3 x (60 + 80) =
# 420 t (met); cost 10 x 40 + 4 x 20 = 480 kUSD; plain LDN: gains 20 (grass -> forest), losses 40
# (crop -> housing): net -20 ha, not met; hill: all kept, degraded x stable = neutral: net 0.
DRAFT = pd.DataFrame([
    ("U1", "crop", "crop", 60), ("U1", "crop", "housing", 40), ("U2", "crop", "crop", 80),
    ("U2", "grass", "forest", 20), ("U3", "grass", "grass", 60),
], columns=["land_unit", "baseline_use", "use", "area_ha"])


def test_draft_plan_scored_as_worked_out_by_hand(tiny_scenario):
    evaluation = lup_opt.evaluate(tiny_scenario, DRAFT)
    assert evaluation.objective == pytest.approx(480)
    targets = evaluation.indicators.query("scope_type == 'target'").set_index("target_name")
    assert targets.loc["housing", "value"] == pytest.approx(2400) and targets.loc["housing", "met"]
    assert targets.loc["cereal", "value"] == pytest.approx(420) and targets.loc["cereal", "met"]
    ldn = evaluation.ldn_balance.set_index("land_type")
    assert ldn.loc["plain", ["gains_ha", "losses_ha", "net_ha"]].tolist() == pytest.approx([20, 40, -20])
    assert not ldn.loc["plain", "met"] and ldn.loc["hill", "met"]
    assert evaluation.meets_hard_targets and not evaluation.ldn_met
    # The optimum (620) differs in U2 (crop -> forest instead of grass -> forest; restoration) and
    # U3 (crop and restoration): |plan - optimum| / 2 = 80 ha.
    assert evaluation.optimum == pytest.approx(620)
    assert evaluation.reallocated_ha == pytest.approx(80)


def test_baseline_plan_of_tiny(tiny_scenario):
    evaluation = lup_opt.evaluate(tiny_scenario, "baseline")
    assert evaluation.objective == 0
    missed = evaluation.missed_targets.set_index("target_name")
    assert list(missed.index) == ["housing"]
    assert missed.loc["housing", "shortfall"] == pytest.approx(2400)
    assert evaluation.ldn_balance["net_ha"].tolist() == pytest.approx([0, 0])
    assert evaluation.reallocated_ha == pytest.approx(120)  # 40 + 20 + 20 + 20 + 20 ha change in the optimum


def test_baseline_plan_of_the_default_scenario_reports_ldn_and_missed_targets(default_scenario):
    evaluation = lup_opt.evaluate(default_scenario, "baseline", compare=False)
    missed = set(evaluation.missed_targets["target_name"])
    assert {"housing_kaseda_city", "housing_north_commune", "urban_green"} <= missed
    assert not any(name.startswith("water") for name in missed)
    ldn = evaluation.ldn_balance.set_index(["land_type", "period"])
    # Open grazing and conventional maize degrade the hills and the plateau under business as usual.
    for year in (2025, 2030, 2035):
        assert ldn.loc[("hill_slopes", year), "net_ha"] < 0 and ldn.loc[("sandy_plateau", year), "net_ha"] < 0
        assert ldn.loc[("alluvial_plain", year), "met"]
    text = " ".join(evaluation.sentences())
    assert "It misses hard target 'housing_kaseda_city'" in text and "NOT met" in text
    # Business as usual imports food and leaves people without work: the plan's operation is priced.
    assert evaluation.linkages["food"]["imports"].sum() > 0
    assert evaluation.linkages["livelihoods"]["without_work"].sum() > 0


def test_the_optimal_allocation_evaluates_to_the_optimum(tiny_result, tiny_scenario):
    evaluation = lup_opt.evaluate(tiny_scenario, tiny_result.allocation)
    assert evaluation.objective == pytest.approx(tiny_result.objective)
    assert evaluation.reallocated_ha == pytest.approx(0, abs=1e-6)
    assert evaluation.meets_hard_targets and evaluation.ldn_met


def test_soft_target_shortfall_is_charged_in_the_plans_objective(small):
    folder = small(targets={"cereal": {"indicator": "cereal_t", "sense": ">=", "value": 480,
                                       "kind": "soft", "penalty": 0.4}})
    evaluation = lup_opt.evaluate(lup_opt.load_scenario(folder), "baseline")
    assert evaluation.objective == pytest.approx(80 * 0.4)  # 400 t grown, 80 t short


@pytest.mark.parametrize("rows, message", [
    ([("U1", "crop", "industry", 100)], "unknown use 'industry'"),
    ([("U1", "grass", "grass", 100)], "land unit 'U1' has no 'grass' in the baseline"),
    ([("U2", "crop", "housing", 80)], "'crop' -> 'housing' is not allowed on land unit 'U2'"),
    ([("U1", "crop", "crop", 90)], "its baseline 'crop' area is 100.0 ha but the plan gives 90.0 ha"),
])
def test_a_plan_that_does_not_fit_the_scenario_names_the_line(cli, tmp_path, rows, message):
    plan = pd.DataFrame([r for r in DRAFT.itertuples(index=False) if r.land_unit != rows[0][0]] + rows,
                        columns=DRAFT.columns)
    if rows[0][0] == "U2":
        plan = pd.concat([plan, pd.DataFrame([("U2", "grass", "grass", 20)], columns=DRAFT.columns)])
    path = tmp_path / "plan.csv"
    plan.to_csv(path, index=False)
    outcome = cli(["evaluate", SCENARIOS / "tiny", "--plan", path, "--out", tmp_path / "e"])
    assert outcome.exit_code == 2
    assert message in " ".join(outcome.output.split())
    assert "plan.csv" in outcome.output
    assert not (tmp_path / "e").exists()


def test_cli_evaluate_writes_the_evaluation_and_exits_by_outcome(cli, tmp_path, tiny_result):
    outcome = cli(["evaluate", SCENARIOS / "tiny", "--plan", "baseline", "--out", tmp_path / "b"])
    assert outcome.exit_code == 1  # misses the housing target
    summary = json.loads((tmp_path / "b" / "evaluation.json").read_text())
    assert summary["meets_hard_targets"] is False and summary["optimum"] == pytest.approx(620)
    assert {p.name for p in (tmp_path / "b").iterdir()} >= {"evaluation.md", "ldn_balance.csv", "indicators.csv"}
    plan = tmp_path / "optimal.csv"
    tiny_result.allocation.to_csv(plan, index=False)
    assert cli(["evaluate", SCENARIOS / "tiny", "--plan", plan, "--out", tmp_path / "o"]).exit_code == 0
