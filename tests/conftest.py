"""Shared fixtures: shipped scenarios, solved once per test session.

The default scenario (320 land units, about 6 s a solve) is solved and its results folder written
once per test run, shared by the xdist workers (``default_results_folder``), and read back as a
Result (``default_result``): a test that only reads a plan or a results folder takes these, and a
test that runs a command just to check its plumbing runs it on ``scenarios/tiny``. The five default
variants are solved once per run too (``default_variant_results``, shared by the workers the same
way), but together they take about 30 s: every test that takes them is marked ``slow`` here
(``pytest_collection_modifyitems``), so that the quick subset (``pytest -m "not slow"``) leaves
them out and the full suite (``.ci/run``) still runs them.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import lup_opt

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"
SHIPPED = ("default", "tiny", "infeasible")


def plan_variants(name: str) -> tuple[str, ...]:
    """The variants of a shipped scenario that are one plan each (a variant with a ``stochastic``
    key is a two-stage plan over several scenarios, tested in test_stochastic)."""
    variants = yaml.safe_load((SCENARIOS / name / "scenario.yaml").read_text()).get("variants") or {}
    return tuple(v for v, body in variants.items() if "stochastic" not in (body or {}))


DEFAULT_VARIANTS = plan_variants("default")
NEEDS_THE_DEFAULT_VARIANTS = "default_variant_results"


# The order in which xdist hands whole modules to the workers (addopts: --dist loadscope
# --no-loadscope-reorder); the modules not named follow in collection order. xdist gives a worker
# its next module when at most two of its tests are left. On two cores: the README's command lanes
# first (three processes, the longest unit of work: about 140 s, during which their worker takes
# nothing else); the other worker meanwhile takes the modules that mostly wait on a server, a
# browser or a Dask cluster, whose waits leave the cores to the lanes (test_app_browser: 31 s, of
# which 12 s use a core); then the long modules, so that those left for the end are short.
# Measured: 28.6 core-seconds idle in a full run in xdist's own order (most tests first), 9.4 in
# this one.
SCHEDULE = ("test_readme_commands", "test_app_browser", "test_app_api", "test_sweep_cli", "test_structured_solve",
            "test_fuzz_scenarios", "test_backends_agree", "test_tradeoffs", "test_compare_sweep",
            "test_report_sections", "test_stochastic", "test_report", "test_runplan", "test_notebooks",
            "test_benchmark_paths", "test_ranging", "test_cli", "test_time_budget", "test_default_scenario",
            "test_safety_protocol", "test_summary_sentences", "test_workbook")


def _module(item) -> str:
    return item.nodeid.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py")


@pytest.hookimpl(tryfirst=True)  # before -m "not slow" deselects
def pytest_collection_modifyitems(config, items):
    """Tests that take the default variants' solves (about 30 s) are slow; modules in ``SCHEDULE``'s
    order, then the others as collected (sorted() is stable: a module's tests keep their order)."""
    for item in items:
        if NEEDS_THE_DEFAULT_VARIANTS in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
    rank = {name: k for k, name in enumerate(SCHEDULE)}
    items[:] = sorted(items, key=lambda item: rank.get(_module(item), len(SCHEDULE)))


@pytest.fixture(scope="session")
def tiny_scenario() -> lup_opt.Scenario:
    return lup_opt.load_scenario(SCENARIOS / "tiny")


@pytest.fixture(scope="session")
def tiny_result(tiny_scenario) -> lup_opt.Result:
    return lup_opt.solve(tiny_scenario)


@pytest.fixture(scope="session")
def default_scenario() -> lup_opt.Scenario:
    return lup_opt.load_scenario(SCENARIOS / "default")


def _shared_by_workers(tmp_path_factory) -> Path:
    """A folder every xdist worker of this test run sees (the run's base temporary folder), or
    this process's own without xdist."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _solved_once_per_run(tmp_path_factory, name: str, scenario: lup_opt.Scenario, report: bool = True) -> Path:
    """``scenario``'s results folder, written once per test run under the name ``name``: the first
    worker to need it solves and writes it under a lock, the others wait and find it there."""
    from filelock import FileLock

    shared = _shared_by_workers(tmp_path_factory)
    folder = shared / f"{name}-shared" / "results"
    with FileLock(str(shared / f"{name}-shared.lock")):
        if not (folder / "manifest.json").is_file():
            lup_opt.solve(scenario).write(folder, report=report)
    return folder


@pytest.fixture(scope="session")
def default_results_folder(default_scenario, tmp_path_factory) -> Path:
    """The default plan's results folder (with its report), written once per test run (shared by
    the xdist workers). Read it, never write into it."""
    return _solved_once_per_run(tmp_path_factory, "default", default_scenario)


@pytest.fixture(scope="session")
def default_result(default_results_folder) -> lup_opt.Result:
    """The default plan, solved once per test run (see ``default_results_folder``) and read back
    with ``lup_opt.read_result``: the same Result a solve returns (test_read_result)."""
    return lup_opt.read_result(default_results_folder)


@pytest.fixture(scope="session")
def default_variant_results(tmp_path_factory) -> dict[str, lup_opt.Result]:
    """variant name -> the default scenario solved with that one variant, once per test run
    (shared by the xdist workers as ``default_results_folder`` is; no report) and read back."""
    return {name: lup_opt.read_result(_solved_once_per_run(
        tmp_path_factory, f"default+{name}", lup_opt.load_scenario(SCENARIOS / "default", variants=[name]), report=False))
        for name in DEFAULT_VARIANTS}


TINY_UNCERTAINTY = [  # indicator, use, mean, se, direction: tiny's five uses, two indicators
    ("income_kusd_per_ha", "crop", 0.9, 0.35, "more"), ("income_kusd_per_ha", "housing", 9.0, 3.0, "more"),
    ("income_kusd_per_ha", "forest", 0.5, 0.2, "more"), ("income_kusd_per_ha", "grass", 0.3, 0.12, "more"),
    ("income_kusd_per_ha", "restoration", 0.1, 0.05, "more"),
    ("erosion_t_per_ha", "crop", 8.0, 3.0, "less"), ("erosion_t_per_ha", "housing", 1.0, 0.5, "less"),
    ("erosion_t_per_ha", "forest", 0.5, 0.3, "less"), ("erosion_t_per_ha", "grass", 3.0, 1.5, "less"),
    ("erosion_t_per_ha", "restoration", 1.0, 0.6, "less"),
]


@pytest.fixture
def tiny_uncertainty(tmp_path) -> Path:
    """An uncertainty table (mean and standard error per use) for the tiny scenario's uses."""
    import pandas as pd

    path = tmp_path / "tiny_uncertainty.csv"
    pd.DataFrame(TINY_UNCERTAINTY, columns=["indicator", "use", "mean", "se", "direction"]).to_csv(path, index=False)
    return path


@pytest.fixture
def cli():
    """Run the lup-opt CLI in-process: cli(["solve", ...]) -> click Result."""
    from lup_opt.cli import app

    runner = CliRunner()

    def run(args, **kwargs):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False, **kwargs)

    return run


SMALL_UNITS = [
    {"id": "A", "area_ha": 100, "jurisdiction": "j1", "zone": "rural", "land_type": "plain",
     "climate": "tropical_dry", "baseline_status": "stable", "tenure": "secure"},
    {"id": "B", "area_ha": 100, "jurisdiction": "j2", "zone": "rural", "land_type": "plain",
     "climate": "tropical_dry", "baseline_status": "stable", "tenure": "customary"},
    {"id": "C", "area_ha": 50, "jurisdiction": "j1", "zone": "urban", "land_type": "plain",
     "climate": "tropical_dry", "baseline_status": "stable", "tenure": "secure"},
]
SMALL_BASELINE = [
    {"land_unit": "A", "use": "crop", "area_ha": 100},
    {"land_unit": "B", "use": "crop", "area_ha": 100},
    {"land_unit": "C", "use": "grass", "area_ha": 50},
]
SMALL_USES = [
    {"id": "crop", "sector": "agriculture", "cover_class": "cropland", "sealed": False},
    {"id": "grass", "sector": "livestock", "cover_class": "grassland", "sealed": False},
    {"id": "forest", "sector": "forestry", "cover_class": "tree_covered", "sealed": False},
    {"id": "housing", "sector": "housing", "cover_class": "artificial", "sealed": True},
    {"id": "park", "sector": "green", "cover_class": "grassland", "sealed": False},
]
SMALL_COEFFICIENTS = [
    {"indicator": "area_ha", "use": "*", "value": 1},
    {"indicator": "crop_ha", "use": "crop", "value": 1},
    {"indicator": "cereal_t", "use": "crop", "value": 2},
    {"indicator": "housing_persons", "use": "housing", "value": 100},
    {"indicator": "sealed_ha", "use": "housing", "value": 1},
    {"indicator": "green_ha", "use": "park", "value": 1},
    {"indicator": "timber_ha", "use": "forest", "value": 1},
]
SMALL_TRANSITIONS = [
    {"from_use": "*", "to_use": "housing", "zones": "urban", "cost_kusd": 10},
    {"from_use": "*", "to_use": "park", "zones": "urban", "cost_kusd": 5},
    {"from_use": "grass", "to_use": "crop", "cost_kusd": 1},
    {"from_use": "crop", "to_use": "grass", "cost_kusd": 0.1},
    {"from_use": "*", "to_use": "forest", "cost_kusd": 1},
]


def small_config(**changes) -> dict:
    """A two-jurisdiction, three-unit scenario without LDN (to isolate what a test checks)."""
    config = {
        "name": "small",
        "periods": {"baseline_year": 2020, "planning_years": [2030]},
        "indicators": {name: {"unit": unit} for name, unit in [
            ("area_ha", "ha"), ("crop_ha", "ha"), ("cereal_t", "t"), ("housing_persons", "person"),
            ("sealed_ha", "ha"), ("green_ha", "ha"), ("timber_ha", "ha"), ("cost_kusd", "kUSD")]},
        "ldn": {"enabled": False},
        "objective": {"sense": "minimize", "terms": [{"indicator": "cost_kusd"}]},
    }
    config.update(changes)
    return config


@pytest.fixture
def small(tmp_path):
    """small(config_changes..., tables...) -> a solved-ready scenario folder."""
    from lup_opt.testing import write_scenario

    counter = iter(range(1000))

    def make(tables: dict | None = None, **config_changes) -> Path:
        given = {
            "units": SMALL_UNITS, "baseline": SMALL_BASELINE, "uses": SMALL_USES,
            "coefficients": SMALL_COEFFICIENTS, "transitions": SMALL_TRANSITIONS,
        }
        given.update(tables or {})
        return write_scenario(tmp_path / f"small{next(counter)}", small_config(**config_changes), **given)

    return make


# Tests that need an optional extra skip without it, and say which extra to install.
def _importable(*names: str) -> bool:
    return all(importlib.util.find_spec(name) is not None for name in names)


# Maps, GeoPackage and GeoTIFF: the geo extra.
HAS_GEO = _importable("geopandas", "pyogrio", "rasterio")
requires_geo = pytest.mark.skipif(not HAS_GEO, reason="needs the geo extra: pip install 'lup_opt[geo]'")
# Sweeps on a Dask cluster: the ensemble extra.
HAS_DASK = _importable("dask", "distributed")
requires_dask = pytest.mark.skipif(not HAS_DASK, reason="needs the ensemble extra: pip install 'lup_opt[ensemble]'")
# lup-opt excel: the excel extra.
HAS_EXCEL = _importable("openpyxl")
requires_excel = pytest.mark.skipif(not HAS_EXCEL, reason="needs the excel extra: pip install 'lup_opt[excel]'")
