"""Culling: changes of use that no optimal plan needs are left out, and the optimum stays."""

from __future__ import annotations

import numpy as np
import pytest

import lup_opt
from benchmarks.generate import generate
from lup_opt.families.registry import build_model_data
from lup_opt.testing import write_scenario

CROP = {"id": "crop", "sector": "agriculture", "cover_class": "cropland"}
FOREST = {"id": "forest", "sector": "forestry", "cover_class": "tree_covered"}
RESTORATION = {"id": "restoration", "sector": "restoration", "cover_class": "tree_covered", "productivity": 1}
GRASS = {"id": "grass", "sector": "livestock", "cover_class": "grassland"}


def scenario(tmp_path, *, uses=(CROP, FOREST, RESTORATION), transitions=(), coefficients=(), **config):
    """Two units of cropland, 2025 and 2030; jobs >= 50 from forest (0.5/ha) or restoration."""
    base = {
        "name": "culling", "periods": {"baseline_year": 2020, "planning_years": [2025, 2030]},
        "indicators": {"cost_kusd": {"unit": "kUSD"}, "jobs": {"unit": "job"}},
        "targets": {"jobs": {"indicator": "jobs", "sense": ">=", "value": 50}},
        "ldn": {"enabled": True},
        "objective": {"sense": "minimize", "terms": [{"indicator": "cost_kusd"}]},
    }
    base.update(config)
    units = [{"id": f"U{i}", "area_ha": 100, "jurisdiction": "j", "zone": "rural", "land_type": "plain",
              "climate": "tropical_dry"} for i in (1, 2)]
    baseline = [{"land_unit": f"U{i}", "use": "crop", "area_ha": 100} for i in (1, 2)]
    rows = [{"indicator": "jobs", "use": "forest", "value": 0.5},
            {"indicator": "jobs", "use": "restoration", "value": 0.5}, *coefficients]
    rules = [{"from_use": "*", "to_use": "forest", "cost_kusd": 2.0},
             {"from_use": "*", "to_use": "restoration", "cost_kusd": 1.0}, *transitions]
    folder = write_scenario(tmp_path / "s", base, units=units, baseline=baseline, uses=list(uses),
                            coefficients=rows, transitions=rules)
    return lup_opt.load_scenario(folder)


def changes(data, use: str) -> int:
    return int(((data.columns.conversion >= 0) & (data.columns.to_use == data.dims.uses.index(use))).sum())


def test_a_costlier_use_that_is_no_better_anywhere_is_culled(tmp_path):
    # Forest costs more than restoration, gives the same jobs and a worse LDN class.
    sc = scenario(tmp_path)
    data = build_model_data(sc, "on")
    assert changes(data, "forest") == 0 and changes(data, "restoration") == 4
    assert data.culled == 4
    on, off = lup_opt.solve(sc, culling="on"), lup_opt.solve(sc, culling="off")
    assert on.objective == pytest.approx(off.objective) == pytest.approx(100.0)


def test_a_use_better_in_one_indicator_is_kept(tmp_path):
    # Forest now gives more jobs than restoration: neither dominates the other.
    sc = scenario(tmp_path, coefficients=[{"indicator": "jobs", "use": "forest", "value": 0.8, "land_unit": "U1"}])
    data = build_model_data(sc, "on")
    kept = data.columns.unit[(data.columns.to_use == data.dims.uses.index("forest")) & (data.columns.conversion >= 0)]
    assert set(np.asarray(data.dims.land_units)[kept]) == {"U1"}  # U2's forest is still dominated


def test_an_indicator_in_a_share_must_be_equal_to_dominate(tmp_path):
    share = {"jobs_share": {"numerator": {"indicator": "jobs"}, "denominator": {"indicator": "cost_kusd"},
                            "sense": ">=", "share": 0.0}}
    sc = scenario(tmp_path, share_targets=share,
                  coefficients=[{"indicator": "cost_kusd", "use": "forest", "value": 0.1}])
    assert changes(build_model_data(sc, "on"), "forest") == 4


def test_keeping_the_baseline_use_dominates_a_change_that_brings_nothing(tmp_path):
    sc = scenario(tmp_path, uses=(CROP, FOREST, RESTORATION, GRASS), targets={},
                  transitions=[{"from_use": "crop", "to_use": "grass", "cost_kusd": 0.0}], ldn={"enabled": False})
    data = build_model_data(sc, "on")
    # No target and no LDN: every change costs something or nothing and brings nothing.
    assert (data.columns.conversion >= 0).sum() == 0
    assert lup_opt.solve(sc, culling="on").objective == pytest.approx(0.0)


def test_alike_uses_keep_the_one_listed_first(tmp_path):
    twin = {**RESTORATION, "id": "restoration_b"}
    sc = scenario(tmp_path, uses=(CROP, FOREST, RESTORATION, twin),
                  transitions=[{"from_use": "*", "to_use": "restoration_b", "cost_kusd": 1.0}],
                  coefficients=[{"indicator": "jobs", "use": "restoration_b", "value": 0.5}])
    data = build_model_data(sc, "on")
    assert changes(data, "restoration") == 4 and changes(data, "restoration_b") == 0


def test_auto_culls_only_large_lps_and_never_with_finance(tmp_path, default_scenario):
    sc = scenario(tmp_path)
    # small: every change kept for the reduced costs
    assert build_model_data(sc).culled == 0
    # finance by source: not culled
    assert build_model_data(default_scenario, "on").culled == 0


@pytest.mark.parametrize("family", ["parcels", "raster"])
def test_generated_scenarios_keep_their_optimum(tmp_path, family):
    sc = lup_opt.load_scenario(generate(family, 300, tmp_path / family))
    on = lup_opt.solve(sc, culling="on", merge_alike=False)
    off = lup_opt.solve(sc, culling="off", merge_alike=False)
    assert on.manifest["size"]["changes_culled"] > 0
    assert on.manifest["size"]["area_columns"] < off.manifest["size"]["area_columns"]
    assert on.objective == pytest.approx(off.objective, rel=1e-7)
