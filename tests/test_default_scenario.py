"""The default scenario: solves, holds LDN when recomputed independently, tells its story."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

import lup_opt
from lup_opt.testing import assert_ldn_met
from tests.conftest import SCENARIOS
from tests.reference import recompute_ldn_balance

DEFAULT = SCENARIOS / "default"


def test_default_scenario_meets_the_brief(default_scenario):
    units = default_scenario.units
    assert len(units) >= 300
    assert units["jurisdiction"].nunique() >= 3
    assert set(units["zone"]) == {"urban", "peri_urban", "rural"}
    assert units["land_type"].nunique() >= 3
    config = default_scenario.config
    assert config.ldn.enabled
    assert {"housing_persons", "cereal_t", "jobs", "water_m3", "green_ha", "cost_kusd"} <= set(config.indicators)


def test_default_scenario_solves_to_optimality(default_result):
    assert default_result.status is lup_opt.SolveStatus.OPTIMAL
    assert default_result.objective > 0


def test_every_ldn_row_holds_when_recomputed_from_allocation_csv(default_results_folder):
    allocation = pd.read_csv(default_results_folder / "allocation.csv")
    config = yaml.safe_load((DEFAULT / "scenario.yaml").read_text())
    tau = config["ldn"].get("net_target_ha", {})
    default_tau = config["ldn"].get("default_net_target_ha", 0)
    recomputed = recompute_ldn_balance(DEFAULT, allocation)
    assert len(recomputed) == pd.read_csv(DEFAULT / "units.csv")["land_type"].nunique()
    for row in recomputed.itertuples():
        assert row.net_ha >= tau.get(row.land_type, default_tau) - 1e-6, row


def test_reported_ldn_balance_agrees_with_the_independent_recomputation(default_result, default_results_folder):
    allocation = pd.read_csv(default_results_folder / "allocation.csv")
    recomputed = recompute_ldn_balance(DEFAULT, allocation).set_index("land_type")
    reported = default_result.ldn_balance.set_index("land_type")
    for column in ("gains_ha", "losses_ha"):
        assert reported[column].to_numpy() == pytest.approx(
            recomputed.loc[reported.index, column].to_numpy(), abs=1e-6
        )


def test_allocation_conserves_every_land_units_area(default_scenario, default_result):
    planned = default_result.allocation.groupby("land_unit")["area_ha"].sum()
    area = default_scenario.units.set_index("id")["area_ha"]
    assert planned.reindex(area.index).to_numpy() == pytest.approx(area.to_numpy(), rel=1e-9, abs=1e-6)


def test_default_story_compact_housing_and_binding_water(default_result):
    transitions = default_result.transitions
    new = transitions[(transitions["jurisdiction"] == "all") & (transitions["baseline_use"] != transitions["use"])]
    assert "residential_sprawl" not in set(new["use"])
    assert new.loc[new["use"] == "residential_dense", "area_ha"].sum() > 0
    duals = default_result.duals.set_index("name")
    assert duals.loc["water_limit", "binding"]
    assert duals.loc["housing_2030", "shadow_price"] > 0
    targets = default_result.indicators.query("scope_type == 'target'").set_index("target_name")
    assert targets.loc["vegetables_supply", "shortfall"] > 0
    shares = default_result.indicators.query("scope_type == 'share_target'").set_index("target_name")
    assert shares.loc["urban_green", "value"] >= 0.15 - 1e-9


@pytest.mark.parametrize("variant", ["high_growth", "strict_ldn", "no_ldn"])
def test_default_variants_solve(default_result, variant):
    result = lup_opt.solve(lup_opt.load_scenario(DEFAULT, variants=[variant]))
    assert result.is_optimal
    assert result.manifest["scenario"]["variants"] == [variant]
    if variant == "high_growth":
        assert result.objective > default_result.objective
    if variant == "no_ldn":
        assert result.objective <= default_result.objective + 1e-6
        assert not result.ldn_balance["enforced"].any()
    if variant == "strict_ldn":
        assert result.objective >= default_result.objective - 1e-6
        assert (result.ldn_balance["jurisdiction"] != "all").all()
        assert_ldn_met(result)
