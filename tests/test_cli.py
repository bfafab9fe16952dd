"""The lup-opt command line as a user meets it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SCENARIOS


def test_validate_reports_sizes_without_solving(cli):
    result = cli(["validate", SCENARIOS / "default"])
    assert result.exit_code == 0
    assert "is valid: 320 land units" in " ".join(result.output.split())


def test_solve_prints_status_objective_ldn_and_binding_targets(cli, tmp_path):
    result = cli(["solve", SCENARIOS / "tiny", "--out", tmp_path / "r"])
    assert result.exit_code == 0
    output = result.output
    assert "optimal" in output and "Objective (minimize): 620.0 kUSD" in output
    assert "LDN balance per land type" in output and "hill" in output and "plain" in output
    assert "Binding targets" in output and "housing" in output and "cereal" in output


def test_solve_json_prints_the_manifest(cli, tmp_path):
    result = cli(["solve", SCENARIOS / "tiny", "--out", tmp_path / "r", "--json", "--no-report"])
    assert result.exit_code == 0
    assert json.loads(result.output)["objective"] == 620


def test_solve_writes_to_results_named_after_scenario_and_variants(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli(["solve", SCENARIOS / "infeasible", "-v", "feasible_housing", "-q", "--no-report"])
    assert result.exit_code == 0 and result.output == ""
    assert (tmp_path / "results" / "infeasible+feasible_housing" / "manifest.json").exists()


def test_infeasible_scenario_exits_1_with_a_clear_message(cli, tmp_path):
    result = cli(["solve", SCENARIOS / "infeasible", "--out", tmp_path / "r"])
    assert result.exit_code == 1
    assert "infeasible" in result.output
    assert "No plan meets every hard target" in " ".join(result.output.split())


def test_pyomo_backend_from_the_cli(cli, tmp_path):
    result = cli(["solve", SCENARIOS / "tiny", "--backend", "pyomo", "--out", tmp_path / "r", "--json", "--no-report"])
    manifest = json.loads(result.output)
    assert manifest["backend"] == "pyomo" and manifest["objective"] == 620


def test_export_needs_a_target_file(cli):
    result = cli(["export", SCENARIOS / "tiny"])
    assert result.exit_code == 2


@pytest.mark.slow
def test_installed_console_script_runs(tmp_path):
    script = Path(sys.executable).parent / "lup-opt"
    executable = str(script) if script.exists() else shutil.which("lup-opt")
    assert executable, "the lup-opt console script is not installed"
    completed = subprocess.run(
        [executable, "solve", str(SCENARIOS / "tiny"), "--out", str(tmp_path / "r"), "-q"],
        capture_output=True, text=True, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == ""  # nothing on stdout with --quiet, not even HiGHS's banner
