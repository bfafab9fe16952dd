"""The benchmark's references agree with lup_opt: the floor script (the same LP built with plain
numpy/scipy), the highspy path and the Pyomo path reach the same optimum."""

from __future__ import annotations

import pytest

import lup_opt
from benchmarks import floor
from benchmarks.generate import generate


@pytest.mark.parametrize("family", ["parcels", "raster"])
def test_floor_highspy_and_pyomo_agree_on_a_generated_40_unit_scenario(tmp_path, family):
    _assert_floor_highspy_and_pyomo_agree(generate(family, 40, tmp_path / family))


@pytest.mark.slow  # 20 s for the 1,000 parcels, mostly in Pyomo
@pytest.mark.parametrize("family", ["parcels", "raster"])
def test_floor_highspy_and_pyomo_agree_on_a_generated_1000_unit_scenario(tmp_path, family):
    _assert_floor_highspy_and_pyomo_agree(generate(family, 1000, tmp_path / family))


def _assert_floor_highspy_and_pyomo_agree(folder):
    reference = floor.main(folder)
    assert reference["status"] == "optimal"
    scenario = lup_opt.load_scenario(folder)
    same_lp = lup_opt.solve(scenario, merge_alike=False, culling="off")
    # Without aggregation and culling lup_opt builds exactly the floor's LP.
    size = same_lp.manifest["size"]
    assert (size["rows"], size["columns"], size["nonzeros"]) == (
        reference["rows"], reference["columns"], reference["nonzeros"])
    defaults = lup_opt.solve(scenario)
    through_pyomo = lup_opt.solve(scenario, backend="pyomo")
    for result in (same_lp, defaults, through_pyomo):
        assert result.is_optimal
        assert result.objective == pytest.approx(reference["objective"], rel=1e-7)
