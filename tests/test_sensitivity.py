"""Sensitivity in planner units: shadow-price ranges against finite differences, and what a
use not chosen would need to enter the plan."""

from __future__ import annotations

import pytest

import lup_opt
from lup_opt.results.sensitivity import cheapest_uses_not_chosen, costliest_targets
from tests.conftest import SCENARIOS

# (override key, current value, name in duals.csv, hand-worked range of the shadow price)
RANGES = [
    ("targets.housing.value", 2400, "housing", (2100, 2550)),
    ("targets.cereal.value", 390, "cereal", (360, 405)),
    ("ldn.net_target_ha.plain", 0, "LDN plain", (-10, 5)),
    ("ldn.net_target_ha.hill", 0, "LDN hill", (-20, 20)),
]


def objective(key, value):
    overrides = {key: value}
    if key.startswith("ldn.net_target_ha") and value < 0:  # a net loss needs a stated reason
        overrides["ldn.justification"] = "finite-difference probe below neutrality"
    result = lup_opt.solve(lup_opt.load_scenario(SCENARIOS / "tiny", overrides=overrides), checks=False)
    return result.objective if result.is_optimal else None


@pytest.mark.parametrize("key, current, name, expected", RANGES)
def test_shadow_price_ranges_agree_with_finite_differences(tiny_result, key, current, name, expected):
    row = tiny_result.duals.set_index("name").loc[name]
    low, high = row["valid_from"], row["valid_to"]
    assert (low, high) == pytest.approx(expected)
    price, base = row["shadow_price"], tiny_result.objective
    # Inside the range the optimum moves at the shadow price ...
    for inside in (low + 0.5 * (current - low), current + 0.5 * (high - current)):
        assert objective(key, inside) == pytest.approx(base + price * (inside - current), rel=1e-7)
    # ... and at the ends it equals what ranging reported.
    assert objective(key, high) == pytest.approx(row["objective_at_valid_to"], rel=1e-7)
    # Just outside, the price is no longer the same (or the scenario becomes infeasible).
    for outside, end in ((high + 1.0, high), (low - 1.0, low)):
        value = objective(key, outside)
        if value is not None:
            assert (value - objective(key, end)) / (outside - end) != pytest.approx(price, rel=1e-6)


def test_limit_ranges_agree_with_finite_differences(small):
    # Maximise cereal (2 t/ha of crop) under a cap of 180 ha of crop: each more hectare of cap is
    # worth 2 t up to the 250 ha of land that could be crop. Ranging reports where the current
    # basis stays optimal: guaranteed, but with several optimal plans it can be narrower than
    # where the price really holds (here it stops at 150 ha, where the basis changes).
    folder = small(objective={"sense": "maximize", "terms": [{"indicator": "cereal_t"}]},
                   targets={"crop_cap": {"indicator": "crop_ha", "sense": "<=", "value": 180}})
    result = lup_opt.solve(lup_opt.load_scenario(folder))
    assert result.objective == pytest.approx(360)
    row = result.duals.set_index("name").loc["crop_cap"]
    assert row["shadow_price"] == pytest.approx(2.0)
    assert row["valid_to"] == pytest.approx(250.0)
    assert 0.0 <= row["valid_from"] <= 180
    for cap in (row["valid_from"], (row["valid_from"] + 180) / 2, 240):
        moved = lup_opt.solve(lup_opt.load_scenario(folder, overrides={"targets.crop_cap.value": cap}))
        assert moved.objective == pytest.approx(360 + 2.0 * (cap - 180))
    beyond = lup_opt.solve(lup_opt.load_scenario(folder, overrides={"targets.crop_cap.value": 260}))
    assert beyond.objective == pytest.approx(500)  # the cap no longer binds: the price drops to 0


def test_uses_not_chosen_report_the_improvement_they_need(small):
    result = lup_opt.solve(lup_opt.load_scenario(small()))  # no targets: nothing changes
    table = result.reduced_costs.set_index(["jurisdiction", "use", "period"])
    # Forest costs 1 kUSD/ha to plant: it enters the plan once planting costs nothing.
    assert table.loc[("j1", "forest", 2030), "improvement_needed"] == pytest.approx(1.0)
    assert table.loc[("j2", "forest", 2030), "improvement_needed"] == pytest.approx(1.0)
    assert table.loc[("j1", "housing", 2030), "improvement_needed"] == pytest.approx(10.0)
    kept = result.reduced_costs.query("jurisdiction == 'j1' and use == 'crop' and period.isna()")
    assert len(kept) == 1  # no period of change (NA): the area that keeps its baseline use
    assert kept["in_plan"].iloc[0] and kept["improvement_needed"].iloc[0] == 0
    assert table.loc[("j1", "forest", 2030), "improvement_unit"] == "kUSD per ha"
    closest = cheapest_uses_not_chosen(result.reduced_costs).set_index("jurisdiction")
    assert closest.loc["j2", "use"] in {"forest", "grass"}


def test_costliest_targets_rank_by_price_per_unit(tiny_result):
    ranked = costliest_targets(tiny_result.duals)
    assert ranked["name"].tolist() == ["LDN plain", "cereal", "LDN hill", "housing"]


def test_ranges_and_reduced_costs_are_written(default_results_folder):
    import pandas as pd

    duals = pd.read_csv(default_results_folder / "duals.csv")
    assert {"valid_from", "valid_to", "marginal_rate"} <= set(duals.columns)
    reduced = pd.read_csv(default_results_folder / "reduced_costs.csv")
    assert len(reduced) > 0 and {"improvement_needed", "closest_land_unit"} <= set(reduced.columns)
