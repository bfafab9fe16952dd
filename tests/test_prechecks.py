"""Checks before solving: fast bounds that prove infeasibility, and warnings."""

from __future__ import annotations

import json

import pytest

import lup_opt
from lup_opt.diagnose.findings import Severity
from tests.conftest import REPO, SCENARIOS

TEST_SCENARIOS = REPO / "tests" / "scenarios"


def findings(folder, **overrides):
    return lup_opt.check(lup_opt.load_scenario(folder, overrides=overrides)).findings


def test_target_beyond_reach_reports_both_numbers():
    [finding] = findings(TEST_SCENARIOS / "beyond_reach")
    assert finding.severity is Severity.ERROR and finding.check == "target_reach"
    assert finding.keys == ("targets.hamlet_cereal",)
    # 120 ha at 3 t/ha at most
    assert finding.numbers["reachable_max"] == pytest.approx(360) and finding.numbers["value"] == 500
    assert "it would reach 360.0 t" in finding.message


def test_limit_below_what_the_land_must_give_is_beyond_reach(small):
    # C's 50 ha are housing, which is sealed (irreversible): sealed land cannot fall below 50 ha.
    baseline = [{"land_unit": "A", "use": "crop", "area_ha": 100}, {"land_unit": "B", "use": "crop", "area_ha": 100},
                {"land_unit": "C", "use": "housing", "area_ha": 50}]
    folder = small(tables={"baseline": baseline},
                   targets={"sealed_cap": {"indicator": "sealed_ha", "sense": "<=", "value": 10}})
    [finding] = findings(folder)
    assert finding.check == "target_reach" and finding.numbers["reachable_min"] == pytest.approx(50)
    assert "it would be 50.0 ha" in finding.message


def test_nested_targets_that_contradict_are_named_together():
    [finding] = findings(TEST_SCENARIOS / "nested_targets")
    assert finding.check == "target_consistency"
    assert set(finding.keys) == {"targets.west_cropland", "targets.east_cropland", "targets.aquifer_cap"}


def test_soft_target_beyond_reach_is_a_warning_and_the_solve_goes_on():
    overrides = {"targets.hamlet_cereal.kind": "soft", "targets.hamlet_cereal.penalty": 1}
    [finding] = findings(TEST_SCENARIOS / "beyond_reach", **overrides)
    assert finding.severity is Severity.WARNING
    result = lup_opt.solve(lup_opt.load_scenario(TEST_SCENARIOS / "beyond_reach", overrides=overrides))
    assert result.is_optimal
    assert any("hamlet_cereal" in w for w in result.manifest["warnings"])


def test_share_target_beyond_reach_reports_the_most_the_land_allows():
    # 20 of the 100 urban ha are already housing (sealed, irreversible): parks reach 80 % at most.
    overrides = {"share_targets.green_city.share": 0.9, "share_targets.compact_city.share": 0.0}
    [finding] = findings(TEST_SCENARIOS / "share_conflict", **overrides)
    assert finding.check == "share_reach" and finding.numbers["reachable_max"] == pytest.approx(0.8, abs=1e-6)


def test_two_shares_of_the_same_quantities_that_cannot_both_hold():
    overrides = {"share_targets.compact_city.numerator.indicator": "green_ha",
                 "share_targets.compact_city.sense": "<=", "share_targets.compact_city.share": 0.2}
    [finding] = findings(TEST_SCENARIOS / "share_conflict", **overrides)
    assert finding.check == "share_conflict" and finding.severity is Severity.ERROR
    assert set(finding.keys) == {"share_targets.green_city", "share_targets.compact_city"}


def test_ldn_capacity_compares_possible_gains_with_forced_losses():
    report = lup_opt.check(lup_opt.load_scenario(TEST_SCENARIOS / "ldn_vs_housing"))
    row = report.ldn_capacity.set_index("land_type").loc["plain"]
    assert row["max_gain_ha"] == pytest.approx(20)  # P4's 20 ha of marginal soil may be reforested
    assert row["loss_forced_by_targets_ha"] == pytest.approx(60)  # 4,500 persons at 75 per ha
    assert row["forcing_target"] == "housing" and not row["feasible"]
    [finding] = report.errors
    assert finding.check == "ldn_capacity"
    assert set(finding.keys) == {"ldn.net_target_ha.plain", "targets.housing"}


def test_ldn_capacity_passes_when_land_can_offset_the_losses(tiny_scenario):
    report = lup_opt.check(tiny_scenario)
    assert report.errors == ()
    row = report.ldn_capacity.set_index("land_type").loc["plain"]
    assert row["max_gain_ha"] == pytest.approx(100) and row["loss_forced_by_targets_ha"] == pytest.approx(40)


def test_huge_values_are_flagged_with_line_and_a_unit_change(small):
    rows = [{"indicator": "cereal_t", "use": "crop", "value": 5e10}, {"indicator": "area_ha", "use": "*", "value": 1}]
    target = {"food": {"indicator": "cereal_t", "sense": ">=", "value": 1e12}}  # puts cereal in the matrix
    warnings = [f for f in findings(small(tables={"coefficients": rows}, targets=target)) if f.check == "numerics"]
    assert any("line 2" in f.message and "above 1e10" in f.message and "divide" in f.message for f in warnings)
    assert any("range over" in f.message and "cereal_t" in f.message for f in warnings)
    assert any("Target 'food' has value 1e+12" in f.message for f in warnings)


def test_objective_coefficient_range_is_checked_too(small):
    objective = {"sense": "minimize", "terms": [{"indicator": "cost_kusd"}, {"indicator": "area_ha", "scale": 1e12}]}
    warnings = [f for f in findings(small(objective=objective)) if f.check == "numerics"]
    assert any("Objective coefficients range" in f.message for f in warnings)
    assert all(f.severity is Severity.WARNING for f in warnings)


def test_default_scenario_passes_every_check_quickly(default_scenario):
    report = lup_opt.check(default_scenario)
    assert report.errors == () and report.warnings == ()
    assert report.ldn_capacity["feasible"].all()


def test_validate_runs_the_checks(cli):
    outcome = cli(["validate", TEST_SCENARIOS / "nested_targets"])
    assert outcome.exit_code == 2
    assert "cannot all hold" in " ".join(outcome.output.split())
    assert "checks before solving found no error" in " ".join(cli(["validate", SCENARIOS / "tiny"]).output.split())


def test_warnings_are_listed_in_the_manifest(cli, tmp_path):
    outcome = cli(["solve", TEST_SCENARIOS / "beyond_reach", "--out", tmp_path / "r", "-q",
                   "--set", "targets.hamlet_cereal.kind=soft", "--set", "targets.hamlet_cereal.penalty=1"])
    assert outcome.exit_code == 0
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert len(manifest["warnings"]) == 1 and "fall short" in manifest["warnings"][0]


def test_targets_on_indicators_with_food_or_finance_terms_are_not_bounded_by_land_alone(default_scenario):
    # Land alone gives no imports; the food system does. A target on the land abroad behind
    # imports must not be judged by land-only bounds.
    scenario = lup_opt.load_scenario(default_scenario.folder, overrides={
        "targets.abroad": {"indicator": "telecoupled_ha", "sense": ">=", "value": 100}})
    assert lup_opt.check(scenario).errors == ()
