"""Explaining infeasible scenarios: five scenarios, each infeasible for a different reason; the
diagnosis names exactly the conflicting targets and a relaxation that makes the scenario solve."""

from __future__ import annotations

import importlib
import json

import pytest

import lup_opt
from lup_opt.api import build
from lup_opt.solve.highs import solve_with_highspy
from lup_opt.solve.options import SolverOptions
from tests.conftest import REPO, SCENARIOS

CASES = {
    # scenario: (conflicting scenario keys, caught before solving?)
    "beyond_reach": ({"targets.hamlet_cereal.value"}, True),
    "ldn_vs_housing": ({"targets.housing.value", "ldn.net_target_ha.plain"}, True),
    "share_conflict": ({"share_targets.green_city.share", "share_targets.compact_city.share"}, False),
    "budget_vs_restoration": ({"targets.housing.value", "targets.budget.value", "ldn.net_target_ha.plain"}, False),
    "nested_targets": ({"targets.west_cropland.value", "targets.east_cropland.value",
                        "targets.aquifer_cap.value"}, True),
}
TEST_SCENARIOS = REPO / "tests" / "scenarios"


@pytest.fixture(scope="module")
def diagnoses() -> dict[str, lup_opt.Diagnosis]:
    return {name: lup_opt.explain(lup_opt.load_scenario(TEST_SCENARIOS / name)) for name in CASES}


@pytest.mark.parametrize("name", CASES)
def test_diagnosis_names_exactly_the_conflicting_targets(diagnoses, name):
    diagnosis = diagnoses[name]
    assert not diagnosis.feasible
    assert len(diagnosis.conflicts) == 1
    assert {member.key for member in diagnosis.conflicts[0]} == CASES[name][0]


@pytest.mark.parametrize("name", CASES)
def test_applying_the_relaxation_makes_the_scenario_solve(diagnoses, name):
    overrides = diagnoses[name].overrides
    assert overrides and set(overrides) <= CASES[name][0]
    result = lup_opt.solve(lup_opt.load_scenario(TEST_SCENARIOS / name, overrides=with_justification(overrides)))
    assert result.is_optimal


def with_justification(overrides: dict) -> dict:
    """Accepting a net LDN loss is refused without a reason (UNCCD); the markdown says so."""
    if any(k.startswith("ldn.net_target_ha") and v < 0 for k, v in overrides.items()):
        return {**overrides, "ldn.justification": "accepted by the council for this test"}
    return dict(overrides)


@pytest.mark.parametrize("name", CASES)
def test_each_alternative_alone_makes_the_scenario_solve(diagnoses, name):
    alternatives = diagnoses[name].alternatives
    assert {a.key for a in alternatives} <= CASES[name][0] and alternatives
    for alternative in alternatives:
        slack = 1e-6 * max(1.0, abs(alternative.required))
        value = alternative.required + (slack if alternative.sense.value == "<=" else -slack)
        scenario = lup_opt.load_scenario(TEST_SCENARIOS / name, overrides=with_justification({alternative.key: value}))
        assert lup_opt.solve(scenario, checks=False).is_optimal, alternative.sentence()


@pytest.mark.parametrize("name", CASES)
def test_checks_before_solving_catch_what_they_can_prove(name):
    scenario = lup_opt.load_scenario(TEST_SCENARIOS / name)
    keys, provable = CASES[name]
    if provable:
        with pytest.raises(lup_opt.PrecheckError) as raised:
            lup_opt.solve(scenario)
        named = {k for f in raised.value.report.errors for k in f.keys}
        assert {key.rsplit(".", 1)[0] if key.startswith("targets") else key for key in keys} <= named
    else:
        result = lup_opt.solve(scenario)
        assert result.status is lup_opt.SolveStatus.INFEASIBLE
        assert {m.key for m in result.diagnosis.conflicts[0]} == keys


def test_sentences_are_in_planner_units(diagnoses):
    text = " ".join(diagnoses["beyond_reach"].sentences())
    assert "must drop by 140.0 t (28.0%), from 500.0 to 360.0" in text
    text = " ".join(diagnoses["budget_vs_restoration"].sentences())
    assert "must rise by 20.0 kUSD (20.0%), from 100.0 to 120.0" in text
    assert "land type 'plain' (2030) must accept a net loss of 6.667 ha" in text
    text = " ".join(diagnoses["share_conflict"].sentences())
    assert "share target 'compact_city' (zone=urban, 2030) must drop from 80.0% to 70.0%" in text


def test_the_smallest_relative_relaxation_is_chosen(diagnoses):
    # Lowering 'compact_city' by 10 points is 10/80 of its size; 'green_city' would be 10/30.
    assert [r.key for r in diagnoses["share_conflict"].relaxation] == ["share_targets.compact_city.share"]


def test_fewest_option_relaxes_a_single_target_when_one_suffices():
    scenario = lup_opt.load_scenario(TEST_SCENARIOS / "nested_targets",
                                     overrides={"targets.aquifer_cap.value": 350})
    smallest = lup_opt.explain(scenario)
    fewest = lup_opt.explain(scenario, fewest=True)
    assert len(fewest.relaxation) == 1
    assert len(smallest.relaxation) >= len(fewest.relaxation)
    assert lup_opt.solve(lup_opt.load_scenario(
        TEST_SCENARIOS / "nested_targets",
        overrides={"targets.aquifer_cap.value": 350, **fewest.overrides})).is_optimal


def test_independent_conflicts_are_reported_separately():
    # Two unrelated problems: the hamlet's cereal and the aquifer cap of another scenario can't
    # be combined, so use one scenario with two separate impossible targets.
    scenario = lup_opt.load_scenario(TEST_SCENARIOS / "beyond_reach", overrides={"targets.town_cereal.value": 400})
    diagnosis = lup_opt.explain(scenario)
    conflicts = sorted(tuple(sorted(m.key for m in c)) for c in diagnosis.conflicts)
    assert conflicts == [("targets.hamlet_cereal.value",), ("targets.town_cereal.value",)]
    assert lup_opt.solve(lup_opt.load_scenario(TEST_SCENARIOS / "beyond_reach", overrides={
        "targets.town_cereal.value": 400, **diagnosis.overrides})).is_optimal


def test_a_scenario_solved_with_presolve_on_is_feasible_without_a_second_solve(tiny_scenario, monkeypatch):
    explain = importlib.import_module("lup_opt.diagnose.explain")  # the module, not the function
    solved = []
    monkeypatch.setattr(explain, "solve_with_highspy", lambda lp, options: solved.append(options.presolve)
                        or solve_with_highspy(lp, options))
    diagnosis = lup_opt.explain(tiny_scenario)
    assert diagnosis.feasible and solved == [True]
    assert diagnosis.presolve_checks == {"on": "optimal"}
    assert diagnosis.sentences() == ["Scenario 'tiny' is feasible (presolve on: optimal)."]
    assert solve_with_highspy(build(tiny_scenario).lp, SolverOptions(presolve=False)).is_optimal


def test_an_infeasible_solve_is_rechecked_with_presolve_off():
    result = lup_opt.solve(lup_opt.load_scenario(SCENARIOS / "infeasible"))
    assert result.status is lup_opt.SolveStatus.INFEASIBLE
    assert result.manifest["solver"]["presolve_rechecked"] is True
    assert "confirmed with presolve off" in result.message
    assert result.diagnosis.presolve_checks == {"on": "infeasible", "off": "infeasible"}


def test_infeasible_solve_writes_the_diagnosis_beside_the_manifest(cli, tmp_path):
    outcome = cli(["solve", SCENARIOS / "infeasible", "--out", tmp_path / "r"])
    assert outcome.exit_code == 1
    assert "Diagnosis:" in outcome.output and "must drop by 750.0 person" in " ".join(outcome.output.split())
    files = {p.name for p in (tmp_path / "r").iterdir()}
    assert files == {"manifest.json", "highs.log", "diagnosis.json", "diagnosis.md", "ldn_capacity.csv", "report.html",
                     "figures"}
    diagnosis = json.loads((tmp_path / "r" / "diagnosis.json").read_text())
    assert diagnosis["overrides"]["targets.housing.value"] == pytest.approx(3750, rel=1e-6)
    assert "--set targets.housing.value=" in (tmp_path / "r" / "diagnosis.md").read_text()


def test_cli_explain_exit_codes_and_files(cli, tmp_path):
    outcome = cli(["explain", TEST_SCENARIOS / "ldn_vs_housing", "--out", tmp_path / "d"])
    assert outcome.exit_code == 1
    assert {p.name for p in (tmp_path / "d").iterdir()} == {"diagnosis.json", "diagnosis.md", "ldn_capacity.csv",
                                                        "manifest.json"}
    assert cli(["explain", SCENARIOS / "tiny", "--out", tmp_path / "f"]).exit_code == 0


def test_cli_solve_stops_with_exit_2_when_checks_prove_infeasibility(cli, tmp_path):
    outcome = cli(["solve", TEST_SCENARIOS / "nested_targets", "--out", tmp_path / "r"])
    assert outcome.exit_code == 2
    assert "cannot be solved as written (found before solving)" in outcome.output
    assert "lup-opt explain" in outcome.output
    assert not (tmp_path / "r").exists()
