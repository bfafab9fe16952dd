"""Shared fixtures: shipped scenarios, solved once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import lup_opt

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"
SHIPPED = ("default", "tiny", "infeasible")


@pytest.fixture(scope="session")
def tiny_scenario() -> lup_opt.Scenario:
    return lup_opt.load_scenario(SCENARIOS / "tiny")


@pytest.fixture(scope="session")
def tiny_result(tiny_scenario) -> lup_opt.Result:
    return lup_opt.solve(tiny_scenario)


@pytest.fixture(scope="session")
def default_scenario() -> lup_opt.Scenario:
    return lup_opt.load_scenario(SCENARIOS / "default")


@pytest.fixture(scope="session")
def default_result(default_scenario) -> lup_opt.Result:
    return lup_opt.solve(default_scenario)


@pytest.fixture(scope="session")
def default_results_folder(default_result, tmp_path_factory) -> Path:
    return default_result.write(tmp_path_factory.mktemp("default") / "results")


@pytest.fixture
def cli():
    """Run the lup-opt CLI in-process: cli(["solve", ...]) -> click Result."""
    from lup_opt.cli import app

    runner = CliRunner()

    def run(args, **kwargs):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False, **kwargs)

    return run
