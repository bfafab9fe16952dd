"""Shadow-price ranges against finite differences: for every row, binding or not, the range holds
the target's own value, the optimum moves at the shadow price inside it, and a re-solve at each
end gives the objective reported there (an unbounded end is probed far out)."""

from __future__ import annotations

import math
import shutil

import numpy as np
import pytest
import yaml

import lup_opt
from tests.conftest import SCENARIOS


def _solve(folder, overrides):
    overrides = dict(overrides)
    if any(k.startswith("ldn.net_target_ha") and v < 0 for k, v in overrides.items()):
        overrides["ldn.justification"] = "finite-difference probe below neutrality"
    result = lup_opt.solve(lup_opt.load_scenario(folder, overrides=overrides), checks=False)
    return result.objective if result.is_optimal else None


def assert_range_agrees(folder, result, name, key):
    """The range of row ``name`` (moved through the override ``key``) against re-solves."""
    row = result.duals.set_index("name").loc[name]
    value, price, base = float(row["rhs"]), float(row["shadow_price"]), result.objective
    low, high = float(row["valid_from"]), float(row["valid_to"])
    assert low <= value <= high, (name, low, value, high)
    ends = ((low, row["objective_at_valid_from"], -1.0), (high, row["objective_at_valid_to"], 1.0))
    for end, reported, side in ends:
        if math.isfinite(end):
            assert reported == pytest.approx(base + price * (end - value), rel=1e-7, abs=1e-7)
            assert _solve(folder, {key: end}) == pytest.approx(reported, rel=1e-7, abs=1e-7), (name, end)
            probe = value + 0.5 * (end - value)
        else:  # unbounded: the price holds however far the value moves
            probe = value + side * max(100.0, 10 * abs(value))
        if probe != value:
            assert _solve(folder, {key: probe}) == pytest.approx(base + price * (probe - value), rel=1e-7,
                                                               abs=1e-7), (name, probe)
    return row


def _tiny_with(tmp_path, **targets):
    folder = tmp_path / "tiny"
    shutil.copytree(SCENARIOS / "tiny", folder)
    config = yaml.safe_load((folder / "scenario.yaml").read_text())
    config["targets"].update(targets)
    (folder / "scenario.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return folder


@pytest.mark.parametrize("key, name", [
    ("targets.housing.value", "housing"),
    ("targets.cereal.value", "cereal"),
    ("ldn.net_target_ha.plain", "LDN plain"),
    ("ldn.net_target_ha.hill", "LDN hill"),
])
def test_binding_rows_of_tiny_at_both_ends(tiny_result, key, name):
    row = assert_range_agrees(SCENARIOS / "tiny", tiny_result, name, key)
    assert row["binding"] and row["shadow_price"] > 0


@pytest.mark.slow
def test_a_quota_that_does_not_bind_holds_its_zero_price_up_to_its_activity(tmp_path):
    # The village grows 3 x 60 + 1.5 x 20 = 210 t of cereal in the optimum; a quota of 150 t is
    # slack: its price 0 holds for any quota up to 210 t, and on down without end.
    folder = _tiny_with(tmp_path, village_cereal={
        "indicator": "cereal_t", "sense": ">=", "value": 150, "scope": {"jurisdiction": "village"}})
    result = lup_opt.solve(lup_opt.load_scenario(folder), checks=False)
    assert result.objective == pytest.approx(620)
    row = assert_range_agrees(folder, result, "village_cereal", "targets.village_cereal.value")
    assert not row["binding"] and row["shadow_price"] == 0
    assert (row["valid_from"], row["valid_to"]) == (-math.inf, pytest.approx(210))
    assert row["objective_at_valid_from"] == row["objective_at_valid_to"] == pytest.approx(620)
    # Past the activity the quota binds and the optimum moves.
    assert _solve(folder, {"targets.village_cereal.value": 215}) > 620 + 1e-6
    for key, name in (("targets.cereal.value", "cereal"), ("targets.housing.value", "housing")):
        assert_range_agrees(folder, result, name, key)  # the binding rows are unchanged


def test_a_limit_that_does_not_bind_holds_its_zero_price_down_to_its_activity(tmp_path):
    folder = _tiny_with(tmp_path, town_cap={
        "indicator": "housing_persons", "sense": "<=", "value": 3000, "scope": {"jurisdiction": "town"}})
    result = lup_opt.solve(lup_opt.load_scenario(folder), checks=False)
    row = assert_range_agrees(folder, result, "town_cap", "targets.town_cap.value")
    assert (row["valid_from"], row["valid_to"]) == (pytest.approx(2400), math.inf)
    assert _solve(folder, {"targets.town_cap.value": 2399}) is None  # below 2400 housing cannot be met


def test_slack_and_binding_rows_of_a_hand_made_scenario(small):
    # Minimise cost with 200 ha of crop (400 t): a cereal quota of 300 t is slack up to 400 t;
    # a quota of 450 t binds: 25 more ha of crop from C's grass at 1 kUSD/ha, 0.5 kUSD per t,
    # up to the 500 t that all 250 ha give.
    slack = small(targets={"cereal": {"indicator": "cereal_t", "sense": ">=", "value": 300}})
    result = lup_opt.solve(lup_opt.load_scenario(slack))
    row = assert_range_agrees(slack, result, "cereal", "targets.cereal.value")
    assert (row["valid_from"], row["valid_to"]) == (-math.inf, pytest.approx(400))

    binding = small(targets={"cereal": {"indicator": "cereal_t", "sense": ">=", "value": 450}})
    result = lup_opt.solve(lup_opt.load_scenario(binding))
    assert result.objective == pytest.approx(25)
    row = assert_range_agrees(binding, result, "cereal", "targets.cereal.value")
    assert row["shadow_price"] == pytest.approx(0.5)
    assert row["valid_to"] == pytest.approx(500)
    assert row["valid_from"] <= 450


def test_a_cap_that_does_not_bind_under_maximisation(small):
    folder = small(objective={"sense": "maximize", "terms": [{"indicator": "cereal_t"}]},
                   targets={"crop_cap": {"indicator": "crop_ha", "sense": "<=", "value": 300}})
    result = lup_opt.solve(lup_opt.load_scenario(folder))
    assert result.objective == pytest.approx(500)
    row = assert_range_agrees(folder, result, "crop_cap", "targets.crop_cap.value")
    assert (row["valid_from"], row["valid_to"]) == (pytest.approx(250), math.inf)


def test_a_binding_conversion_limit_is_priced_at_what_one_more_hectare_saves(small):
    # 440 t of cereal (soft, 3 kUSD per t short) need 20 ha of C's grass ploughed at 1 kUSD/ha,
    # but at most 10 ha of grass may change: 10 kUSD of ploughing and 20 t short (60 kUSD). One
    # more hectare saves 2 t (6 kUSD) for 1 kUSD of ploughing: -5 kUSD per ha, up to 20 ha.
    folder = small(targets={"cereal": {"indicator": "cereal_t", "sense": ">=", "value": 440,
                                       "kind": "soft", "penalty": 3}},
                   conversion_limits={"grass_out": {"from_uses": ["grass"], "max_ha": 10}})
    result = lup_opt.solve(lup_opt.load_scenario(folder))
    assert result.objective == pytest.approx(70)
    row = assert_range_agrees(folder, result, "grass_out", "conversion_limits.grass_out.max_ha")
    assert row["shadow_price"] == pytest.approx(-5) and row["price_unit"] == "kUSD per ha"
    assert row["binding"] and row["valid_to"] == pytest.approx(20)


@pytest.mark.slow
@pytest.mark.parametrize("source", ["default", "parcels", "raster"])
def test_ranging_on_the_basic_columns_alone_is_the_full_lps_ranging(source, tmp_path):
    """The structured solve ranges rows on the LP of the basic columns only (nonbasic columns
    folded into the row bounds); at the same basis it must give HiGHS's ranging of the full LP,
    row for row: both ends of every row's range and the objective at each."""
    from benchmarks.generate import generate
    from lup_opt.api import build
    from lup_opt.solve.highs import ranging_at_basis, solve_with_highspy
    from lup_opt.solve.options import SolverOptions

    folder = SCENARIOS / "default" if source == "default" else generate(source, 1000, tmp_path / source)
    lp = build(lup_opt.load_scenario(folder, overrides=["ldn.price_of_neutrality=off"])).lp
    options = SolverOptions(keep_basis=True)
    full = solve_with_highspy(lp, options)
    assert full.is_optimal and full.ranging is not None
    basic_columns = int((full.basis[0] == 1).sum())
    assert basic_columns < lp.num_cols / 5  # the check is about leaving most columns out
    on_basic = ranging_at_basis(lp, full.col_values, full.basis, full.objective, options)
    assert on_basic is not None
    for field in ("lower_value", "upper_value", "lower_objective", "upper_objective"):
        expected, got = getattr(full.ranging, field), getattr(on_basic, field)
        finite = np.isfinite(expected)
        np.testing.assert_array_equal(np.isfinite(got), finite, err_msg=field)
        np.testing.assert_allclose(got[finite], expected[finite], rtol=1e-9, atol=1e-6, err_msg=field)
        assert np.array_equal(np.sign(got[~finite]), np.sign(expected[~finite])), field
