"""LDN accounting inside the plan, against hand-worked micro scenarios: the 7-class rule, gain
effectiveness by the use held, reverse-only gains, the response hierarchy (BAU balance sheet,
penalty and strict modes), the price of neutrality, SDG 15.3.1 and the justification rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import lup_opt
from lup_opt.diagnose.diagnosis import Relaxation
from lup_opt.enums import Comparison
from lup_opt.errors import ScenarioError
from lup_opt.families.base import RelaxableKind
from lup_opt.testing import write_scenario

SCENARIOS = lup_opt.__path__[0] + "/../scenarios"

GRASS = {"id": "grass", "sector": "livestock", "cover_class": "grassland"}
CROP = {"id": "crop", "sector": "agriculture", "cover_class": "cropland"}
AGRO = {"id": "agro", "sector": "agriculture", "cover_class": "tree_covered"}
HOUSING = {"id": "housing", "sector": "housing", "cover_class": "artificial", "sealed": True}
BARE = {"id": "bare", "sector": "other", "cover_class": "other_land"}
RESTORATION = {"id": "restoration", "sector": "restoration", "cover_class": "grassland", "productivity": 1}
GRAZING_IMPROVED = {"id": "grazing_improved", "sector": "livestock", "cover_class": "grassland", "productivity": 1}


def unit(uid, area, **extra):
    return {"id": uid, "area_ha": area, "jurisdiction": extra.pop("jurisdiction", "town"),
            "zone": extra.pop("zone", "rural"), "land_type": "plain", "climate": "tropical_dry", **extra}


def scenario(tmp_path, name, *, years=(2030,), ldn=None, **tables_and_config):
    tables = {k: tables_and_config.pop(k) for k in ("units", "baseline", "uses", "coefficients", "transitions")
              if k in tables_and_config}
    config = {"name": name, "periods": {"baseline_year": 2020, "planning_years": list(years)},
              "indicators": {"cost_kusd": {"unit": "kUSD"}, "cereal_t": {"unit": "t"},
                             "housing_persons": {"unit": "person"}, "restored_ha": {"unit": "ha"}},
              "transitions": {"default_allowed": False}, "ldn": {"enabled": True, **(ldn or {})},
              "objective": {"sense": "minimize", "terms": [{"indicator": "cost_kusd"}]}, **tables_and_config}
    return write_scenario(tmp_path / name, config, **tables)


def solve(folder, overrides=()):
    return lup_opt.solve(lup_opt.load_scenario(folder, overrides=list(overrides)))


def housing_scene(tmp_path, name, ldn=None, extra_units=(), extra_baseline=()):
    """10 ha of crop must become housing (a 10 ha loss); bare land can be restored at 3 kUSD/ha."""
    return scenario(
        tmp_path, name, ldn=ldn,
        units=[unit("P1", 100, zone="peri_urban"), unit("D1", 100), *extra_units],
        baseline=[{"land_unit": "P1", "use": "crop", "area_ha": 100}, {"land_unit": "D1", "use": "bare", "area_ha": 100},
                  *extra_baseline],
        uses=[CROP, HOUSING, BARE, GRASS, RESTORATION],
        coefficients=[{"indicator": "housing_persons", "use": "housing", "value": 100}],
        transitions=[{"from_use": "crop", "to_use": "housing", "cost_kusd": 10},
                     {"from_use": "bare", "to_use": "restoration", "cost_kusd": 3}],
        targets={"homes": {"indicator": "housing_persons", "sense": ">=", "value": 1000}},
    )


def test_land_improved_at_baseline_that_keeps_its_use_earns_no_gain(tmp_path):
    # I1's 100 ha of grass improved before the baseline and stay as they are: class 5, neutral.
    # The 10 ha housing loss needs 10 ha of restoration: 10 x 10 + 10 x 3 = 130 kUSD (the old
    # rule counted I1 as a 100 ha gain and found 100 kUSD).
    folder = housing_scene(tmp_path, "improved", extra_units=[unit("I1", 100, baseline_status="improved")],
                           extra_baseline=[{"land_unit": "I1", "use": "grass", "area_ha": 100}])
    result = solve(folder)
    assert result.objective == pytest.approx(130.0)
    balance = result.ldn_balance.iloc[0]
    assert balance["class_5_ha"] == pytest.approx(100.0)
    assert balance["gains_counted_ha"] == pytest.approx(10.0) and balance["losses_ha"] == pytest.approx(10.0)
    assert balance["class_2_ha"] == pytest.approx(10.0) and balance["class_6_ha"] == pytest.approx(10.0)
    assert balance["class_4_ha"] == pytest.approx(90.0 + 90.0)  # P1's kept crop and D1's kept bare


def test_gain_effectiveness_follows_the_use_held_in_each_year(tmp_path):
    # 20 ha of improved grazing (a gain every year it is held); 10 ha must be restoration in 2030,
    # where a gain counts only half. Restoration costs 1 kUSD/ha each year it is held, so the
    # change comes in the second period: in 2025 all 20 ha still hold improved grazing (20 ha
    # counted; the old rule discounted them by their 2030 use and counted 15).
    folder = scenario(
        tmp_path, "held", years=(2025, 2030),
        units=[unit("U1", 20, tenure="insecure")],
        baseline=[{"land_unit": "U1", "use": "grazing_improved", "area_ha": 20}],
        uses=[GRAZING_IMPROVED, RESTORATION],
        coefficients=[{"indicator": "restored_ha", "use": "restoration", "value": 1},
                      {"indicator": "cost_kusd", "use": "restoration", "value": 1}],
        transitions=[{"from_use": "grazing_improved", "to_use": "restoration", "cost_kusd": 1}],
        targets={"restore": {"indicator": "restored_ha", "sense": ">=", "value": 10, "period": 2030}},
        ldn={"gain_effectiveness": [{"scope": {"tenure": "insecure"}, "uses": ["restoration"], "share": 0.5}]},
    )
    result = solve(folder)
    counted = result.ldn_balance.set_index("period")["gains_counted_ha"]
    assert counted[2025] == pytest.approx(20.0)
    assert counted[2030] == pytest.approx(10.0 + 0.5 * 10.0)


def test_reverse_only_counts_restoration_of_degraded_land_alone(tmp_path):
    # Stable bare land S1 restores at 1 kUSD/ha, degraded D1 at 3: by default the cheaper S1 is
    # restored (100 + 10); with reverse_only only D1's restoration is a gain (100 + 30).
    units = [unit("P1", 100, zone="peri_urban"), unit("D1", 100, baseline_status="degraded"), unit("S1", 100)]
    baseline = [{"land_unit": u, "use": use, "area_ha": 100} for u, use in (("P1", "crop"), ("D1", "bare"), ("S1", "bare"))]
    common = dict(
        units=units, baseline=baseline, uses=[CROP, HOUSING, BARE, RESTORATION],
        coefficients=[{"indicator": "housing_persons", "use": "housing", "value": 100},
                      {"indicator": "cost_kusd", "use": "restoration", "value": 2, "land_unit": "D1"}],
        transitions=[{"from_use": "crop", "to_use": "housing", "cost_kusd": 10},
                     {"from_use": "bare", "to_use": "restoration", "cost_kusd": 1}],
        targets={"homes": {"indicator": "housing_persons", "sense": ">=", "value": 1000}},
    )
    assert solve(scenario(tmp_path, "any_gain", **common)).objective == pytest.approx(110.0)
    strict = solve(scenario(tmp_path, "reverse", ldn={"gains": "reverse_only"}, **common))
    assert strict.objective == pytest.approx(130.0)
    restored = strict.conversions.query("use == 'restoration'")
    assert restored["land_unit"].tolist() == ["D1"] and restored["area_ha"].sum() == pytest.approx(10.0)


def cereal_scene(tmp_path, name, ldn=None):
    """30 t of cereal from 100 ha of grass: crop (3 t/ha, 1 kUSD/ha, a loss: SOC -21 %) offset by
    restoration (2 kUSD/ha, a gain), or agroforestry (2 t/ha, 5 kUSD/ha, a gain)."""
    return scenario(
        tmp_path, name, ldn=ldn,
        units=[unit("G1", 100)], baseline=[{"land_unit": "G1", "use": "grass", "area_ha": 100}],
        uses=[GRASS, CROP, AGRO, RESTORATION],
        coefficients=[{"indicator": "cereal_t", "use": "crop", "value": 3},
                      {"indicator": "cereal_t", "use": "agro", "value": 2}],
        transitions=[{"from_use": "grass", "to_use": "crop", "cost_kusd": 1},
                     {"from_use": "grass", "to_use": "agro", "cost_kusd": 5},
                     {"from_use": "grass", "to_use": "restoration", "cost_kusd": 2}],
        targets={"cereal": {"indicator": "cereal_t", "sense": ">=", "value": 30}},
    )


@pytest.mark.parametrize(("ldn", "objective", "crop_ha"), [
    ({}, 30.0, 10.0),  # 10 ha crop + 10 ha restoration
    ({"hierarchy": "penalty", "loss_price": 1}, 40.0, 10.0),  # 30 + 10 ha x 1
    ({"hierarchy": "penalty", "loss_price": 4}, 60.0, 6.0),  # 6 ha crop + 6 ha agroforestry: 36 + 6 x 4
    ({"hierarchy": "penalty", "loss_price": 7}, 75.0, 0.0),  # 15 ha agroforestry, no loss
    ({"hierarchy": "strict"}, 75.0, 0.0),  # fewest losses (none) first, then the cheapest such plan
])
def test_the_response_hierarchy_modes_avoid_losses_as_far_as_they_are_priced(tmp_path, ldn, objective, crop_ha):
    result = solve(cereal_scene(tmp_path, f"mode_{len(ldn)}_{ldn.get('loss_price', 0)}", ldn=ldn))
    assert result.objective == pytest.approx(objective)
    assert result.conversions.query("use == 'crop'")["area_ha"].sum() == pytest.approx(crop_ha, abs=1e-6)
    sheet = result.linkages["ldn_hierarchy"].query("jurisdiction == 'all'").iloc[0]
    assert sheet["new_losses_ha"] == pytest.approx(crop_ha, abs=1e-6)
    if ldn.get("hierarchy") == "strict":
        assert result.manifest["ldn"]["fewest_loss_ha_years"] == pytest.approx(0.0, abs=1e-6)


def test_strict_hierarchy_keeps_the_optimum_when_no_loss_can_be_avoided():
    # tiny: the 40 ha of housing and the 20 ha of hill cropland are the fewest losses possible.
    result = lup_opt.solve(lup_opt.load_scenario(f"{SCENARIOS}/tiny", overrides=["ldn.hierarchy=strict"]))
    assert result.objective == pytest.approx(620.0)
    assert result.manifest["ldn"]["fewest_loss_ha_years"] == pytest.approx(60.0)


def bau_plan_rows():
    """A business-as-usual plan for tiny: 50 ha of U2's cropland sprawl into housing by 2030."""
    return [{"land_unit": "U1", "baseline_use": "crop", "use": "crop", "period": 2030, "area_ha": 100},
            {"land_unit": "U2", "baseline_use": "crop", "use": "crop", "period": 2030, "area_ha": 30},
            {"land_unit": "U2", "baseline_use": "crop", "use": "housing", "period": 2030, "area_ha": 50},
            {"land_unit": "U2", "baseline_use": "grass", "use": "grass", "period": 2030, "area_ha": 20},
            {"land_unit": "U3", "baseline_use": "grass", "use": "grass", "period": 2030, "area_ha": 60}]


def tiny_copy(tmp_path, name):
    folder = tmp_path / name
    folder.mkdir()
    for path in (lup_opt.load_scenario(f"{SCENARIOS}/tiny").folder).iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


def test_balance_sheet_of_tiny_against_the_baseline_kept_by_hand(tmp_path):
    # Baseline kept: nothing degrades (keeping crop or grass is neutral), so every loss of the
    # optimum is new: 40 ha of housing on the plain (U1, town), 20 ha of hill cropland (U3); the
    # hill's 20 ha of restoration are on land degraded at baseline (reverse), the plain's 40 ha of
    # gains (U2's forest and restoration) on healthy land.
    result = lup_opt.solve(lup_opt.load_scenario(f"{SCENARIOS}/tiny"))
    sheet = result.linkages["ldn_hierarchy"].set_index(["land_type", "jurisdiction"])
    expected = {
        ("plain", "all"): dict(bau_losses_ha=0, new_losses_ha=40, plan_losses_ha=40, gains_reversal_ha=0,
                               gains_other_ha=40, net_ha=0, avoid_ha=200, reverse_ha=0),
        ("plain", "town"): dict(new_losses_ha=40, gains_other_ha=0, net_ha=-40),
        ("plain", "village"): dict(new_losses_ha=0, gains_other_ha=40, net_ha=40),
        ("hill", "all"): dict(bau_losses_ha=0, new_losses_ha=20, gains_reversal_ha=20, gains_other_ha=0, net_ha=0,
                              reverse_ha=60),
    }
    for key, values in expected.items():
        for column, value in values.items():
            assert sheet.loc[key, column] == pytest.approx(value, abs=1e-6), (key, column)
    units = result.land_units.set_index("land_unit")["ldn_response"]
    assert units.to_dict() == {"U1": "avoid", "U2": "avoid", "U3": "reverse"}


def test_balance_sheet_against_a_business_as_usual_plan_by_hand(tmp_path):
    # BAU sprawls over 50 ha of U2's cropland; the plan keeps U2's cropland (bar 20 ha of forest,
    # a gain): 50 ha of losses avoided on the plain, 40 new (U1's housing); U1 at risk: reduce.
    folder = tiny_copy(tmp_path, "bau")
    pd.DataFrame(bau_plan_rows()).to_csv(folder / "bau.csv", index=False)
    result = lup_opt.solve(lup_opt.load_scenario(folder, overrides=[
        "ldn.business_as_usual.plan=bau.csv", "ldn.at_risk=[{jurisdiction: town}]"]))
    assert result.objective == pytest.approx(620.0)  # the reference changes no row of the plan
    plain = result.linkages["ldn_hierarchy"].set_index(["land_type", "jurisdiction"]).loc[("plain", "all")]
    assert plain["bau_losses_ha"] == pytest.approx(50.0)
    assert plain["losses_avoided_ha"] == pytest.approx(50.0) and plain["losses_reduced_ha"] == pytest.approx(0.0)
    assert plain["new_losses_ha"] == pytest.approx(40.0) and plain["plan_losses_ha"] == pytest.approx(40.0)
    assert plain["reduce_ha"] == pytest.approx(100.0)
    # plan losses = BAU losses - avoided - reduced + new
    assert plain["plan_losses_ha"] == pytest.approx(
        plain["bau_losses_ha"] - plain["losses_avoided_ha"] - plain["losses_reduced_ha"] + plain["new_losses_ha"])


def test_a_bau_plan_line_that_does_not_fit_is_named(tmp_path):
    folder = tiny_copy(tmp_path, "bad_bau")
    rows = bau_plan_rows()
    rows[0]["area_ha"] = 90  # U1 no longer adds up to 100 ha
    pd.DataFrame(rows).to_csv(folder / "bau.csv", index=False)
    with pytest.raises(ScenarioError, match="bau.csv.*U1"):
        lup_opt.solve(lup_opt.load_scenario(folder, overrides=["ldn.business_as_usual.plan=bau.csv"]))


@pytest.mark.parametrize("backend", ["highspy", "pyomo"])
def test_each_price_of_neutrality_re_solve_is_the_cold_optimum_without_those_rows(tmp_path, monkeypatch, backend):
    """The warm re-solves (primal simplex from the optimum) against HiGHS solving each LP without
    the group's LDN rows from scratch, on a generated scenario with several land types. Through
    Pyomo, which keeps no basis, they start from its plan and duals (crossover makes the basis)."""
    from benchmarks.generate import generate
    from lup_opt.api import build
    from lup_opt.model.ldn import LDN_NEUTRALITY
    from lup_opt.solve.highs import solve_with_highspy
    from lup_opt.solve.session import WarmSession

    took_point = []
    real = WarmSession.start_from_point
    monkeypatch.setattr(WarmSession, "start_from_point",
                        lambda self, *a: took_point.append(real(self, *a)) or took_point[-1])
    scenario = lup_opt.load_scenario(generate("parcels", 120, tmp_path / "parcels"))
    price = lup_opt.solve(scenario, checks=False, backend=backend).linkages["ldn_price"]
    assert took_point == ([] if backend == "highspy" else [True])  # highspy's solve kept its basis
    lp = build(scenario).lp
    block = lp.constraint(LDN_NEUTRALITY)
    assert len(price) > 2 and (price["price_of_neutrality"] > 0).any()
    for row in price.itertuples():
        if row.land_type == "all LDN rows":
            rows = np.arange(block.size)
        else:
            rows = np.flatnonzero((block.labels["land_type"] == row.land_type).to_numpy()
                                  & (block.labels["jurisdiction"] == row.jurisdiction).to_numpy())
        lower, upper = lp.row_lower.copy(), lp.row_upper.copy()
        lower[block.offset + rows], upper[block.offset + rows] = -np.inf, np.inf
        cold = solve_with_highspy(lp.with_bounds(lp.col_lower, lp.col_upper, lower, upper))
        assert row.status == "optimal" and cold.is_optimal
        assert row.objective_without == pytest.approx(cold.objective, rel=1e-9, abs=1e-6), row.land_type


def test_price_of_neutrality_of_tiny_by_hand():
    # Without hill LDN its 20 ha of restoration go: 40 kUSD. Without plain LDN the housing needs
    # no offset (forest 80 + restoration 40), the plain then grows 420 t, so the hill's cropland
    # and restoration go too (60 + 40): 220 kUSD. Without any LDN only the housing is left: 400.
    result = lup_opt.solve(lup_opt.load_scenario(f"{SCENARIOS}/tiny"))
    price = result.linkages["ldn_price"].set_index("land_type")
    assert price.loc["hill", "price_of_neutrality"] == pytest.approx(40.0)
    assert price.loc["plain", "price_of_neutrality"] == pytest.approx(220.0)
    assert price.loc["all LDN rows", "objective_without"] == pytest.approx(400.0)
    # Beside them the marginal prices worked out in scenarios/tiny/README.md: 2 and 14 kUSD per ha.
    assert price.loc["hill", "shadow_price_sum"] == pytest.approx(2.0)
    assert price.loc["plain", "shadow_price_sum"] == pytest.approx(14.0)
    assert price.loc["hill", "binding_rows"] == 1 and price.loc["all LDN rows", "binding_rows"] == 2
    independent = lup_opt.solve(lup_opt.load_scenario(f"{SCENARIOS}/tiny", overrides=["ldn.enabled=false"]))
    assert independent.objective == pytest.approx(400.0)


def test_proportion_of_land_degraded_follows_the_reporting_status():
    # tiny 2030: U3's 60 ha were degraded at baseline; 20 ha of it are restored (improved), 20 ha
    # cropped (degraded), 20 ha kept (still degraded); U1's 40 ha of housing degrade: 80 of 260 ha.
    result = lup_opt.solve(lup_opt.load_scenario(f"{SCENARIOS}/tiny"))
    rows = result.indicators.query("indicator == 'sdg_15_3_1_degraded_share'").set_index("scope")
    assert rows.loc["functional area", "baseline_value"] == pytest.approx(100 * 60 / 260)
    assert rows.loc["functional area", "value"] == pytest.approx(100 * 80 / 260)
    assert rows.loc["town", "value"] == pytest.approx(40.0)


def test_a_target_below_neutrality_needs_a_justification(tmp_path):
    folder = tiny_copy(tmp_path, "net_loss")
    with pytest.raises(ScenarioError, match="justification"):
        lup_opt.load_scenario(folder, overrides=["ldn.net_target_ha.hill=-5"])
    loaded = lup_opt.load_scenario(folder, overrides=[
        "ldn.net_target_ha.hill=-5", "ldn.justification=a dam is built on the hill by national decision"])
    assert loaded.config.ldn.net_target_ha["hill"] == -5


def test_explain_says_that_accepting_a_net_loss_needs_a_justification():
    relaxation = Relaxation(RelaxableKind.LDN, "hill", "ldn.net_target_ha.hill", "land type 'hill' (2030)", "ha",
                            Comparison.AT_LEAST, 0.0, -5.0, 60.0)
    assert "justification" in relaxation.sentence()


def test_a_bare_off_in_yaml_means_off_not_false():
    loaded = lup_opt.load_scenario(f"{SCENARIOS}/tiny", overrides=["ldn.price_of_neutrality=off", "ldn.hierarchy=off"])
    assert loaded.config.ldn.price_of_neutrality.value == "off" and loaded.config.ldn.hierarchy.value == "off"
    result = lup_opt.solve(loaded)
    assert "ldn_price" not in result.linkages


def test_bau_degradation_rates_project_losses_on_both_sides_by_hand():
    # Under BAU 1 %/yr of grass degrades: by 2030 (10 years) 10 % of tiny's 80 ha of grass (U2 20 ha,
    # U3 60 ha). On the plain the plan restores all of U2's grass: its 2 ha are avoided. On the
    # hill the plan keeps 20 ha of U3's grass (2 ha projected) and crops 20 (a loss): 22 ha of
    # losses on the part against BAU's 6, so nothing is avoided there and 16 ha are new.
    result = lup_opt.solve(lup_opt.load_scenario(f"{SCENARIOS}/tiny", overrides=[
        "ldn.business_as_usual.degradation_rate={grass: 0.01}"]))
    assert result.objective == pytest.approx(620.0)  # a reference: the plan's rows are unchanged
    sheet = result.linkages["ldn_hierarchy"].set_index(["land_type", "jurisdiction"])
    hill, plain = sheet.loc[("hill", "all")], sheet.loc[("plain", "all")]
    assert hill["bau_losses_ha"] == pytest.approx(6.0) and plain["bau_losses_ha"] == pytest.approx(2.0)
    assert hill["plan_projected_losses_ha"] == pytest.approx(2.0) and plain["plan_projected_losses_ha"] == 0
    assert hill["losses_avoided_ha"] == pytest.approx(0.0) and plain["losses_avoided_ha"] == pytest.approx(2.0)
    assert hill["new_losses_ha"] == pytest.approx(16.0) and plain["new_losses_ha"] == pytest.approx(40.0)
    for row in (hill, plain):  # plan losses + projected = BAU - avoided - reduced + new
        assert row["plan_losses_ha"] + row["plan_projected_losses_ha"] == pytest.approx(
            row["bau_losses_ha"] - row["losses_avoided_ha"] - row["losses_reduced_ha"] + row["new_losses_ha"])
    assert hill["net_ha"] == pytest.approx(0.0, abs=1e-6)  # the LDN net follows the classification alone


def test_a_degradation_rate_for_an_unknown_use_is_named():
    with pytest.raises(ScenarioError, match="degradation_rate.*pasture"):
        lup_opt.load_scenario(f"{SCENARIOS}/tiny", overrides=["ldn.business_as_usual.degradation_rate={pasture: 0.01}"])


def test_an_improvement_that_counts_for_nothing_is_still_reported_as_improved(tmp_path):
    # 10 ha of degraded bare land must be restored; on D1 a gain counts 0 %: the balance counts
    # nothing (gains_counted_ha 0) but the land did improve (gains_ha 10, expanded class 6).
    folder = scenario(
        tmp_path, "share0",
        units=[unit("D1", 100, baseline_status="degraded")], baseline=[{"land_unit": "D1", "use": "bare", "area_ha": 100}],
        uses=[BARE, RESTORATION], coefficients=[{"indicator": "restored_ha", "use": "restoration", "value": 1}],
        transitions=[{"from_use": "bare", "to_use": "restoration", "cost_kusd": 3}],
        targets={"restore": {"indicator": "restored_ha", "sense": ">=", "value": 10}},
        ldn={"gain_effectiveness": [{"scope": {"land_unit": "D1"}, "uses": ["restoration"], "share": 0.0}]},
    )
    balance = solve(folder).ldn_balance.iloc[0]
    assert balance["gains_counted_ha"] == pytest.approx(0.0)
    assert balance["gains_ha"] == pytest.approx(10.0) and balance["class_6_ha"] == pytest.approx(10.0)
    assert balance["neutral_ha"] == pytest.approx(90.0)  # D1's kept bare land: class 3
