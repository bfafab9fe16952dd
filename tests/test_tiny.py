"""The tiny scenario reproduces the optimum worked out by hand in scenarios/tiny/README.md."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import lup_opt
from tests.conftest import SCENARIOS

HAND_ALLOCATION = {
    ("U1", "crop", "crop"): 60, ("U1", "crop", "housing"): 40,
    ("U2", "crop", "crop"): 60, ("U2", "crop", "forest"): 20,
    ("U2", "grass", "restoration"): 20,
    ("U3", "grass", "crop"): 20, ("U3", "grass", "restoration"): 20, ("U3", "grass", "grass"): 20,
}
HAND_PRICES = {"housing": 34 / 60, "cereal": 10 / 3, "LDN plain": 14.0, "LDN hill": 2.0}


def test_tiny_optimum_is_620_kusd(tiny_result):
    assert tiny_result.status is lup_opt.SolveStatus.OPTIMAL
    assert tiny_result.objective == pytest.approx(620.0, rel=1e-9)
    assert tiny_result.objective_unit == "kUSD"


def test_tiny_allocation_matches_the_hand_solution(tiny_result):
    allocation = {
        (r.land_unit, r.baseline_use, r.use): r.area_ha
        for r in tiny_result.allocation.itertuples() if r.area_ha > 1e-7
    }
    assert allocation.keys() == HAND_ALLOCATION.keys()
    for key, area in HAND_ALLOCATION.items():
        assert allocation[key] == pytest.approx(area, abs=1e-6), key


def test_tiny_ldn_balance_matches_the_hand_solution(tiny_result):
    balance = tiny_result.ldn_balance.set_index("land_type")
    assert balance.loc["plain", ["gains_ha", "losses_ha", "neutral_ha"]].tolist() == pytest.approx([40, 40, 120])
    assert balance.loc["hill", ["gains_ha", "losses_ha", "neutral_ha"]].tolist() == pytest.approx([20, 20, 20])
    assert balance["net_ha"].tolist() == pytest.approx([0, 0], abs=1e-9)
    assert balance.loc["plain", "main_loss_driver"] == "land_cover+soc"
    assert balance.loc["hill", "main_loss_driver"] == "soc+productivity"
    assert balance["met"].all()


def test_tiny_shadow_prices_match_the_hand_solution(tiny_result):
    duals = tiny_result.duals.set_index("name")
    for name, price in HAND_PRICES.items():
        assert duals.loc[name, "shadow_price"] == pytest.approx(price, rel=1e-7), name
        assert duals.loc[name, "binding"]
    assert duals.loc["housing", "price_unit"] == "kUSD per person"
    assert duals.loc["LDN plain", "price_unit"] == "kUSD per ha"
    # Read the other way: one more kUSD houses 60/34 more persons at the margin.
    assert duals.loc["housing", "marginal_rate"] == pytest.approx(60 / 34)
    assert duals.loc["housing", "rate_unit"] == "person per kUSD"


@pytest.mark.parametrize(
    "override, name",
    [
        ("targets.housing.value", "housing"),
        ("targets.cereal.value", "cereal"),
        ("ldn.net_target_ha.plain", "LDN plain"),
        ("ldn.net_target_ha.hill", "LDN hill"),
    ],
)
def test_tiny_shadow_prices_equal_finite_differences(tiny_result, override, name):
    base = {"targets.housing.value": 2400, "targets.cereal.value": 390,
            "ldn.net_target_ha.plain": 0, "ldn.net_target_ha.hill": 0}[override]
    step = 1.0
    moved = lup_opt.solve(lup_opt.load_scenario(SCENARIOS / "tiny", overrides={override: base + step}))
    difference = (moved.objective - tiny_result.objective) / step
    assert difference == pytest.approx(HAND_PRICES[name], rel=1e-7)


def test_tiny_baseline_and_planned_indicators(tiny_result):
    table = tiny_result.indicators
    area = table[table["scope_type"] == "functional_area"].set_index("indicator")
    assert area.loc["cereal_t", "baseline_value"] == pytest.approx(540)  # 3 x 180 on the plain
    assert area.loc["cereal_t", "value"] == pytest.approx(390)
    assert area.loc["cost_kusd", "value"] == pytest.approx(620)
    targets = table[table["scope_type"] == "target"].set_index("target_name")
    assert targets.loc["housing", "met"] and targets.loc["housing", "shortfall"] == 0


def test_cli_solve_tiny_reproduces_the_hand_worked_results(cli, tmp_path):
    out = tmp_path / "tiny"
    result = cli(["solve", SCENARIOS / "tiny", "--out", out])
    assert result.exit_code == 0, result.output
    assert "optimal" in result.output and "620" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "optimal" and manifest["objective"] == pytest.approx(620)
    duals = pd.read_csv(out / "duals.csv").set_index("name")
    for name, price in HAND_PRICES.items():
        assert duals.loc[name, "shadow_price"] == pytest.approx(price, rel=1e-7)
    ldn = pd.read_csv(out / "ldn_balance.csv").set_index("land_type")
    assert ldn.loc["plain", "gains_ha"] == pytest.approx(40)
    allocation = pd.read_csv(out / "allocation.csv")
    assert allocation["area_ha"].sum() == pytest.approx(260)


def test_more_housing_variant_is_infeasible_as_worked_out(cli, tmp_path):
    result = cli(["solve", SCENARIOS / "tiny", "--variant", "more_housing", "--out", tmp_path / "r"])
    assert result.exit_code == 1
    assert "infeasible" in result.output
