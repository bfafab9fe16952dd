"""The default scenario: solves, holds LDN when recomputed independently, tells its story, and
its variants move the plan the way their names say."""

from __future__ import annotations

import importlib.util
import re

import pandas as pd
import pytest
import yaml

import lup_opt
from lup_opt.testing import assert_ldn_met
from tests.conftest import SCENARIOS
from tests.reference import recompute_ldn_balance

DEFAULT = SCENARIOS / "default"
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def test_default_scenario_meets_the_brief(default_scenario):
    units = default_scenario.units
    assert len(units) >= 300
    assert units["jurisdiction"].nunique() >= 3
    assert set(units["zone"]) == {"urban", "peri_urban", "rural"}
    assert units["land_type"].nunique() >= 3
    config = default_scenario.config
    assert config.ldn.enabled and len(config.periods.planning_years) >= 3
    assert {"housing_persons", "cereal_t", "jobs", "water_m3", "green_ha", "cost_kusd"} <= set(config.indicators)
    assert config.housing and config.food and config.finance and config.livelihoods and config.conversion_limits
    assert {"remittances", "diaspora_fund"} <= set(config.finance.sources)
    assert "tenure" in default_scenario.attributes


def test_default_scenario_solves_to_optimality(default_result):
    assert default_result.status is lup_opt.SolveStatus.OPTIMAL
    assert default_result.objective > 0
    assert set(default_result.linkages) == {"food", "food_flows", "finance", "funds", "livelihoods", "ldn_hierarchy",
                                            "ldn_price"}


@pytest.fixture(scope="module")
def recomputed_ldn_balance(default_results_folder) -> pd.DataFrame:
    """The LDN balance recomputed independently (tests/reference.py) from the written conversions."""
    return recompute_ldn_balance(DEFAULT, pd.read_csv(default_results_folder / "conversions.csv"))


def test_every_ldn_row_holds_when_recomputed_from_the_results_files(recomputed_ldn_balance):
    config = yaml.safe_load((DEFAULT / "scenario.yaml").read_text())
    tau = config["ldn"].get("net_target_ha", {})
    default_tau = config["ldn"].get("default_net_target_ha", 0)
    recomputed = recomputed_ldn_balance
    n_types = pd.read_csv(DEFAULT / "units.csv")["land_type"].nunique()
    assert len(recomputed) == n_types * len(config["periods"]["planning_years"])
    for row in recomputed.itertuples():
        assert row.net_ha >= tau.get(row.land_type, default_tau) - 1e-6, row


def test_reported_ldn_balance_agrees_with_the_independent_recomputation(default_result, recomputed_ldn_balance):
    recomputed = recomputed_ldn_balance.set_index(["land_type", "period"])
    reported = default_result.ldn_balance.set_index(["land_type", "period"])
    assert reported["gains_counted_ha"].to_numpy() == pytest.approx(
        recomputed.loc[reported.index, "gains_ha"].to_numpy(), abs=1e-6)
    assert reported["losses_ha"].to_numpy() == pytest.approx(
        recomputed.loc[reported.index, "losses_ha"].to_numpy(), abs=1e-6)


def test_allocation_conserves_every_land_units_area_in_every_year(default_scenario, default_result):
    planned = default_result.allocation.groupby(["period", "land_unit"])["area_ha"].sum()
    area = default_scenario.units.set_index("id")["area_ha"]
    for year in default_scenario.planning_years:
        assert planned[year].reindex(area.index).to_numpy() == pytest.approx(area.to_numpy(), rel=1e-9, abs=1e-6)


def test_sealed_land_never_shrinks(default_result):
    sealed = default_result.allocation[default_result.allocation["use"].str.startswith(("residential", "industry"))]
    by_year = sealed.groupby("period")["area_ha"].sum()
    assert (by_year.diff().dropna() >= -1e-6).all()


def test_the_reservoir_wetlands_and_protected_units_keep_their_use(default_scenario, default_result):
    allocation = default_result.allocation
    changed = allocation[allocation["use"] != allocation["baseline_use"]]
    assert changed[changed["baseline_use"].isin(["water", "wetland"])]["area_ha"].sum() == pytest.approx(0, abs=1e-6)
    reservoir = allocation[allocation["baseline_use"] == "water"]
    assert reservoir.groupby("period")["area_ha"].sum().to_numpy() == pytest.approx(89.0, abs=0.5)
    units = default_scenario.units
    protected = set(units.loc[units["protected"] == "yes", "id"])
    assert len(protected) == 21
    assert changed[changed["land_unit"].isin(protected)]["area_ha"].sum() == pytest.approx(0, abs=1e-6)


def test_forest_is_cleared_only_within_the_permits_and_not_for_housing_in_the_city(default_scenario, default_result):
    conversions = default_result.conversions
    cleared = conversions[conversions["baseline_use"] == "forest"]
    per_period = cleared.groupby("period")["area_ha"].sum()
    assert (per_period <= 100 + 1e-6).all()
    woodland = default_result.allocation.query("period == 2035 and baseline_use == 'forest'")["area_ha"].sum()
    kept = default_result.allocation.query("period == 2035 and baseline_use == 'forest' and use == 'forest'")
    assert kept["area_ha"].sum() >= 0.9 * woodland  # at most 300 of about 4,860 ha cleared by 2035


def test_herders_keep_their_herd_in_every_year(default_scenario, default_result):
    indicators = default_result.indicators
    herd = indicators[(indicators["indicator"] == "livestock_tlu") & (indicators["scope_type"] == "functional_area")]
    assert len(herd) == len(default_scenario.planning_years)
    assert (herd["value"] >= 3402 - 1e-6).all()


def test_default_story(default_result):
    conversions = default_result.conversions.groupby("use")["area_ha"].sum()
    # Compact housing absorbs the growth; sprawl only where dense housing is not allowed.
    assert conversions["residential_dense"] > 5 * conversions.get("residential_sprawl", 0)
    # Degrading farming on the plateau and the hills gives way to conservation practices.
    assert conversions["crop_conservation"] > 5000 and conversions["grazing_improved"] > 1000
    duals = default_result.duals
    assert duals.query("name.str.startswith('water')", engine="python")["binding"].any()
    assert duals.query("name.str.startswith('housing_')", engine="python")["shadow_price"].gt(0).all()
    food = default_result.linkages["food"]
    assert food.query("period == 2035")["imports"].sum() > food.query("period == 2025")["imports"].sum()
    funds = default_result.linkages["funds"].set_index("source")
    assert funds.loc["remittances", "used"].sum() > 0 and funds.loc["climate_finance", "used"].sum() > 0
    work = default_result.linkages["livelihoods"].set_index("jurisdiction")
    assert work.loc["hill_commune", "without_work"].max() > 0  # the hills still push people to leave


@pytest.fixture
def variants(default_variant_results) -> dict[str, lup_opt.Result]:
    """The five variants, solved once per session (and so these tests are slow: tests/conftest.py)."""
    return default_variant_results


def test_the_readme_tells_the_story_the_solves_tell(default_scenario, default_result, variants):
    """README.md's story is generate.py's rendering of these solves: rerun
    ``python scenarios/default/generate.py`` when the model or the scenario changes."""
    story = _story_module()
    text = story.story({"base": default_result, **variants}, default_scenario)
    written = story.story_in_readme()
    # The words must match exactly; each number within 5 % (or 2 of its unit), because hectares
    # can move between alternative optima of the same LP (same objective, e.g. another HiGHS).
    assert NUMBER.sub("#", written) == NUMBER.sub("#", text)
    for a, b in zip(NUMBER.findall(written), NUMBER.findall(text), strict=True):
        x, y = (float(v.replace(",", "")) for v in (a, b))
        assert abs(x - y) <= max(2.0, 0.05 * max(abs(x), abs(y))), (a, b)


def _story_module():
    spec = importlib.util.spec_from_file_location("default_story", DEFAULT / "story.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_variant_solves(variants):
    for name, result in variants.items():
        assert result.is_optimal, name
        assert result.manifest["scenario"]["variants"] == [name]


def test_high_growth_costs_more_and_builds_more(default_result, variants):
    result = variants["high_growth"]
    assert result.objective > default_result.objective
    built = result.conversions.query("use == 'residential_dense'")["area_ha"].sum()
    assert built > default_result.conversions.query("use == 'residential_dense'")["area_ha"].sum()


def test_no_remittances_restores_less_rural_land_or_costs_more(default_result, variants):
    result = variants["no_remittances"]
    improving = ["restoration", "crop_conservation", "grazing_improved", "forest"]

    def rural_improvement(r):
        return r.conversions[r.conversions["use"].isin(improving)]["area_ha"].sum()

    assert result.objective > default_result.objective + 1e-6 or (
        rural_improvement(result) < rural_improvement(default_result) - 1e-6)
    assert "remittances" not in set(result.linkages["funds"]["source"])


def test_strict_ldn_never_allows_a_jurisdiction_a_net_loss(default_result, variants):
    result = variants["strict_ldn"]
    balance = result.ldn_balance
    assert (balance["jurisdiction"] != "all").all()
    assert (balance["net_ha"] >= balance["target_ha"] - 1e-6).all()
    assert_ldn_met(result)
    assert result.objective >= default_result.objective - 1e-6


def test_import_cap_shifts_production_inward(default_result, variants):
    result = variants["import_cap"]
    capped = result.linkages["food"].groupby("period")[["production", "imported_land_ha"]].sum()
    free = default_result.linkages["food"].groupby("period")[["production", "imported_land_ha"]].sum()
    assert (capped["imported_land_ha"] <= 15000 + 1e-6).all()
    assert free.loc[2035, "imported_land_ha"] > 15000
    assert capped.loc[2035, "production"] > free.loc[2035, "production"]
    assert result.objective > default_result.objective


def test_ldn_has_a_price(default_result, variants):
    assert variants["no_ldn"].objective < default_result.objective
    assert not variants["no_ldn"].ldn_balance["enforced"].any()


@pytest.mark.slow  # a solve year by year, 5 s; small myopic scenarios are in test_linkages.py
def test_myopic_planning_of_the_default_scenario_is_no_cheaper(default_scenario, default_result):
    myopic = lup_opt.solve(default_scenario, mode="myopic")
    if myopic.is_optimal:
        assert myopic.objective >= default_result.objective - 1e-6 * abs(default_result.objective)
    else:
        assert myopic.status is lup_opt.SolveStatus.INFEASIBLE
