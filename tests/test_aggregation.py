"""Exact aggregation: merging land the LP cannot tell apart changes no result."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import lup_opt
from benchmarks.generate import generate
from tests.conftest import SCENARIOS

COPIES = 25


def _replicate_tiny(folder: Path, copies: int = COPIES) -> Path:
    """The tiny scenario with each land unit cut into ``copies`` identical units."""
    shutil.copytree(SCENARIOS / "tiny", folder)
    units = pd.read_csv(folder / "units.csv")
    baseline = pd.read_csv(folder / "baseline.csv")
    suffix = np.tile([f"_{k}" for k in range(copies)], len(units))
    many = units.loc[units.index.repeat(copies)].reset_index(drop=True)
    many["area_ha"] = many["area_ha"] / copies
    many["id"] = many["id"] + suffix
    many.to_csv(folder / "units.csv", index=False)
    rows = []
    for k in range(copies):
        part = baseline.assign(land_unit=baseline["land_unit"] + f"_{k}", area_ha=baseline["area_ha"] / copies)
        rows.append(part)
    pd.concat(rows, ignore_index=True).to_csv(folder / "baseline.csv", index=False)
    return folder


def _totals(table: pd.DataFrame) -> pd.Series:
    return table.groupby(["baseline_use", "use", "period"])["area_ha"].sum()


@pytest.fixture(scope="module")
def copies_of_tiny(tmp_path_factory) -> lup_opt.Scenario:
    return lup_opt.load_scenario(_replicate_tiny(tmp_path_factory.mktemp("agg") / "tiny_copies"))


def test_copies_of_units_merge_back_to_the_original_parts(copies_of_tiny):
    result = lup_opt.solve(copies_of_tiny)
    report = result.manifest["aggregation"]
    assert report["applied"]
    assert (report["land_units_before"], report["parts_before"]) == (3 * COPIES, 4 * COPIES)
    assert report["parts_after"] == 4
    assert result.manifest["size"]["land_units_solved"] == 4


def test_aggregation_leaves_objective_indicators_and_ldn_balance_unchanged(copies_of_tiny):
    merged = lup_opt.solve(copies_of_tiny)
    plain = lup_opt.solve(copies_of_tiny, merge_alike=False)
    assert not plain.manifest["aggregation"]["applied"]
    assert merged.objective == pytest.approx(620) and plain.objective == pytest.approx(620)
    key = ["indicator", "scope_type", "scope", "period"]
    pd.testing.assert_series_equal(
        merged.indicators.set_index(key)["value"], plain.indicators.set_index(key)["value"], rtol=1e-9, atol=1e-7
    )
    pd.testing.assert_frame_equal(
        merged.ldn_balance.drop(columns="main_loss_driver"), plain.ldn_balance.drop(columns="main_loss_driver"),
        rtol=1e-9, atol=1e-7,
    )
    pd.testing.assert_series_equal(_totals(merged.allocation), _totals(plain.allocation), rtol=1e-9, atol=1e-7)
    pd.testing.assert_series_equal(_totals(merged.conversions), _totals(plain.conversions), rtol=1e-9, atol=1e-7)


def test_every_original_unit_gets_its_whole_area_back(copies_of_tiny):
    result = lup_opt.solve(copies_of_tiny)
    area = copies_of_tiny.units.set_index("id")["area_ha"]
    held = result.allocation.groupby(["land_unit", "period"])["area_ha"].sum().reset_index()
    assert set(held["land_unit"]) == set(area.index)
    assert np.allclose(held["area_ha"], held["land_unit"].map(area))


@pytest.fixture(scope="module")
def raster(tmp_path_factory) -> lup_opt.Scenario:
    return lup_opt.load_scenario(generate("raster", 2000, tmp_path_factory.mktemp("agg") / "raster_2000"))


@pytest.fixture(scope="module")
def merged_raster(raster) -> lup_opt.Result:
    """The generated raster solved with merging (the default), once for the tests that read it."""
    return lup_opt.solve(raster)


@pytest.mark.slow
def test_generated_raster_merges_most_cells_and_keeps_the_optimum(raster, merged_raster):
    merged = merged_raster
    # The reference: the same LP without merging (and without the price of neutrality's re-solves,
    # 3 of its 4 s, which do not change the optimum).
    plain = lup_opt.solve(lup_opt.load_scenario(raster.folder, overrides={"ldn.price_of_neutrality": "off"}),
                          merge_alike=False)
    report = merged.manifest["aggregation"]
    assert report["parts_after"] * 5 < report["parts_before"] == 2000
    assert merged.objective == pytest.approx(plain.objective, rel=1e-7)
    # The plan split back to cells is a plan of the unmerged scenario with the same objective,
    # indicators and LDN balance as the merged solve reported: nothing was lost in the split.
    check = lup_opt.evaluate(raster, merged.allocation, compare=False)
    assert check.objective == pytest.approx(plain.objective, rel=1e-7)
    key = ["indicator", "scope_type", "scope", "period"]
    pd.testing.assert_series_equal(
        check.indicators.set_index(key)["value"], merged.indicators.set_index(key)["value"], rtol=1e-7, atol=1e-6
    )
    columns = ["land_type", "jurisdiction", "period", "gains_ha", "losses_ha", "net_ha"]
    pd.testing.assert_frame_equal(check.ldn_balance[columns], merged.ldn_balance[columns], rtol=1e-7, atol=1e-6)


def test_split_plan_keeps_cells_whole_except_at_path_boundaries(raster, merged_raster):
    result = merged_raster
    per_cell = result.allocation.groupby(["land_unit", "period"]).size()
    shared = int((per_cell > 1).sum())
    # Each merged part shares at most one cell per boundary between two of its paths; a plan
    # uses few paths per merged part, so almost every cell follows a single path.
    merged_parts = result.manifest["aggregation"]["parts_after"]
    assert shared <= 3 * merged_parts * len(raster.planning_years)
    assert shared < 0.05 * len(per_cell)


def test_units_named_by_id_are_solved_on_their_own(tmp_path):
    folder = _replicate_tiny(tmp_path / "named", copies=4)
    coefficients = pd.read_csv(folder / "coefficients.csv", keep_default_na=False)
    extra = {column: "" for column in coefficients.columns}
    extra.update({"indicator": "cereal_t", "use": "crop", "value": 3.5, "land_unit": "U2_1"})
    coefficients["land_unit"] = coefficients.get("land_unit", "")
    pd.concat([coefficients, pd.DataFrame([extra])], ignore_index=True).to_csv(folder / "coefficients.csv", index=False)
    scenario = lup_opt.load_scenario(folder)
    result = lup_opt.solve(scenario)
    report = result.manifest["aggregation"]
    assert report["applied"] and report["units_kept_as_named"] == 1
    assert result.objective == pytest.approx(lup_opt.solve(scenario, merge_alike=False).objective, rel=1e-9)


def test_a_limit_for_each_land_unit_switches_aggregation_off(tmp_path):
    folder = _replicate_tiny(tmp_path / "limited", copies=2)
    config = yaml.safe_load((folder / "scenario.yaml").read_text())
    config["conversion_limits"] = {"pace": {"for_each": ["land_unit"], "max_share": 0.9}}
    (folder / "scenario.yaml").write_text(yaml.safe_dump(config))
    result = lup_opt.solve(lup_opt.load_scenario(folder))
    report = result.manifest["aggregation"]
    assert not report["applied"] and "for each land unit" in report["reason"]
