"""Bad input, tried as a new user would: one clear message naming the file, the row or key and
what to fix; exit code 2; no results folder left behind."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import lup_opt
from tests.conftest import SCENARIOS


@pytest.fixture
def scenario(tmp_path) -> Path:
    folder = tmp_path / "scenario"
    shutil.copytree(SCENARIOS / "tiny", folder)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def solve_expecting_bad_input(cli, scenario: Path, *extra: str) -> str:
    out = scenario.parent / "results"
    result = cli(["solve", scenario, "--out", out, *extra])
    assert result.exit_code == 2, result.output
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".results")]
    return " ".join(result.output.split())  # messages are not wrapped, but join lines anyway


def test_missing_file_names_the_file(cli, scenario):
    (scenario / "uses.csv").unlink()
    message = solve_expecting_bad_input(cli, scenario)
    assert "uses.csv: file not found" in message


def test_missing_column_names_the_column_and_the_columns_found(cli, scenario):
    edit(scenario / "units.csv", "id,area_ha,", "id,")
    edit(scenario / "units.csv", "U1,100,", "U1,")
    edit(scenario / "units.csv", "U2,100,", "U2,")
    edit(scenario / "units.csv", "U3,60,", "U3,")
    message = solve_expecting_bad_input(cli, scenario)
    assert "units.csv, line 1: missing column 'area_ha'" in message
    assert "columns found: id, jurisdiction" in message


def test_unknown_use_in_the_baseline_names_line_and_suggests(cli, scenario):
    edit(scenario / "baseline.csv", "U2,grass,20", "U2,gras,20")
    message = solve_expecting_bad_input(cli, scenario)
    assert "baseline.csv, line 4, column 'use': unknown use 'gras' (did you mean 'grass'?)" in message


def test_areas_that_do_not_sum_name_the_unit_both_totals_and_the_tolerance(cli, scenario):
    edit(scenario / "baseline.csv", "U2,crop,80", "U2,crop,70")
    message = solve_expecting_bad_input(cli, scenario)
    assert "baseline.csv, land unit 'U2' (from line 3)" in message
    assert "rows sum to 90.0000 ha but the unit's area_ha in units.csv is 100.0000 ha" in message
    assert "0.01 ha" in message


def test_negative_area_names_line_and_rule(cli, scenario):
    edit(scenario / "units.csv", "U3,60,", "U3,-60,")
    message = solve_expecting_bad_input(cli, scenario)
    assert "units.csv, line 4, column 'area_ha': -60 must be greater than 0" in message


def test_negative_baseline_area_names_line_and_rule(cli, scenario):
    edit(scenario / "baseline.csv", "U2,grass,20", "U2,grass,-20")
    message = solve_expecting_bad_input(cli, scenario)
    assert "baseline.csv, line 4, column 'area_ha': -20 must be at least 0" in message


def test_target_naming_an_unknown_jurisdiction_names_the_key_and_suggests(cli, scenario):
    edit(scenario / "scenario.yaml", "scope: {jurisdiction: town}", "scope: {jurisdiction: tonw}")
    message = solve_expecting_bad_input(cli, scenario)
    assert "scenario.yaml, targets.housing.scope.jurisdiction: unknown jurisdiction 'tonw'" in message
    assert "(did you mean 'town'?)" in message


def test_misspelt_yaml_key_is_refused_with_a_suggestion(cli, scenario):
    edit(scenario / "scenario.yaml", "  enabled: true", "  enabeld: true")
    message = solve_expecting_bad_input(cli, scenario)
    assert "scenario.yaml, ldn.enabeld: unknown key 'enabeld' (did you mean 'enabled'?)" in message


def test_non_numeric_value_names_line_column_and_value(cli, scenario):
    edit(scenario / "coefficients.csv", "cereal_t,crop,3,plain", "cereal_t,crop,three,plain")
    message = solve_expecting_bad_input(cli, scenario)
    assert "coefficients.csv, line 3, column 'value': 'three' is not a number" in message


def test_table_with_only_a_header_is_refused(cli, scenario):
    (scenario / "baseline.csv").write_text("land_unit,use,area_ha\n")
    message = solve_expecting_bad_input(cli, scenario)
    assert "baseline.csv: the table has no data rows" in message


def test_empty_file_is_refused(cli, scenario):
    (scenario / "units.csv").write_text("")
    message = solve_expecting_bad_input(cli, scenario)
    assert "units.csv: the file is empty" in message


def test_invalid_choice_lists_the_allowed_values(cli, scenario):
    edit(scenario / "units.csv", "peri_urban", "suburban")
    message = solve_expecting_bad_input(cli, scenario)
    assert "units.csv, line 2, column 'zone': 'suburban' is not allowed" in message
    assert "use one of: urban, peri_urban, rural" in message


def test_yaml_syntax_error_names_the_line(cli, scenario):
    edit(scenario / "scenario.yaml", "name: tiny", "name: [tiny")
    message = solve_expecting_bad_input(cli, scenario)
    assert "scenario.yaml, line" in message and "not valid YAML" in message


def test_unknown_variant_lists_the_defined_ones(cli, scenario):
    message = solve_expecting_bad_input(cli, scenario, "--variant", "more_housng")
    assert "unknown variant 'more_housng' (did you mean 'more_housing'?)" in message


def test_malformed_set_option_shows_the_expected_form(cli, scenario):
    message = solve_expecting_bad_input(cli, scenario, "--set", "ldn.scope")
    assert "expected key=value" in message


def test_soft_target_without_penalty_is_explained(cli, scenario):
    message = solve_expecting_bad_input(cli, scenario, "--set", "targets.cereal.kind=soft")
    assert "targets.cereal" in message and "a soft target needs a penalty" in message


def test_validate_reports_the_same_errors_with_exit_code_2(cli, scenario):
    edit(scenario / "baseline.csv", "U2,grass,20", "U2,gras,20")
    result = cli(["validate", scenario])
    assert result.exit_code == 2
    assert "unknown use 'gras'" in result.output


def test_python_api_raises_scenario_error_with_every_issue(scenario):
    edit(scenario / "units.csv", "U3,60,", "U3,sixty,")
    edit(scenario / "units.csv", "peri_urban", "suburban")
    with pytest.raises(lup_opt.ScenarioError) as raised:
        lup_opt.load_scenario(scenario)
    assert len(raised.value.issues) == 2
    assert {issue.file for issue in raised.value.issues} == {"units.csv"}


def test_a_whole_number_too_large_for_the_column_is_quoted_as_written(cli, scenario):
    edit(scenario / "productivity.csv", "crop,hill,-1", "crop,hill,1e300")
    message = solve_expecting_bad_input(cli, scenario)
    assert "column 'productivity': '1e300' is too large a whole number (at most 9,007,199,254,740,992)" in message
    assert "-9223372036854775808" not in message and "is not allowed" not in message


def test_an_empty_table_path_is_refused_by_its_key_not_as_the_scenario_folder(cli, scenario):
    """Found by the fuzz test: ``--set tables.units=`` was read as the scenario folder itself and
    refused as ': is a folder, not a file', naming no file."""
    message = solve_expecting_bad_input(cli, scenario, "--set", "tables.units=")
    assert "tables.units: the path is empty; name the table's file" in message
    assert "is a folder" not in message
