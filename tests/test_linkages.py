"""Urban-rural linkages over time, one mechanism per test, each on a small scenario whose
answer is worked out in the test's comment."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import lup_opt
from lup_opt.families.registry import build_model_data
from lup_opt.testing import write_scenario

CROP = {"id": "crop", "sector": "agriculture", "cover_class": "cropland"}
HOUSING = {"id": "housing", "sector": "housing", "cover_class": "artificial", "sealed": True}
VEG = {"id": "veg", "sector": "agriculture", "cover_class": "cropland"}
GRASS = {"id": "grass", "sector": "livestock", "cover_class": "grassland"}
BARE = {"id": "bare", "sector": "other", "cover_class": "other_land"}
RESTORATION = {"id": "restoration", "sector": "restoration", "cover_class": "grassland", "productivity": 1}


def unit(uid, area, jurisdiction="town", zone="rural", **extra):
    return {"id": uid, "area_ha": area, "jurisdiction": jurisdiction, "zone": zone, "land_type": "plain",
            "climate": "tropical_dry", **extra}


def make(tmp_path, name, *, units, baseline, uses, coefficients, years=(2030,), transitions=None,
         population_rows=None, link_rows=None, fund_rows=None, **config):
    config = {"name": name, "periods": {"baseline_year": 2020, "planning_years": list(years)},
              "ldn": {"enabled": False}, "objective": {"sense": "minimize", "terms": [{"indicator": "cost_kusd"}]},
              **config}
    config.setdefault("indicators", {})
    config["indicators"] = {"cost_kusd": {"unit": "kUSD"}, **config["indicators"]}
    tables = {"units": units, "baseline": baseline, "uses": uses}
    if coefficients:
        tables["coefficients"] = coefficients
    if transitions is not None:
        tables["transitions"] = transitions
        config.setdefault("transitions", {"default_allowed": False})  # only the changes listed
    folder = write_scenario(tmp_path / name, config, **tables)
    for file_name, rows in (("population.csv", population_rows), ("links.csv", link_rows), ("funds.csv", fund_rows)):
        if rows is not None:
            pd.DataFrame(rows).to_csv(folder / file_name, index=False)
    return folder


def solve(folder, **kwargs):
    return lup_opt.solve(lup_opt.load_scenario(folder, **kwargs.pop("load", {})), **kwargs)


def housing_and_cereal(tmp_path, name, **config):
    """100 ha of peri-urban cropland (3 t/ha); housing at 100 persons/ha costs 10 kUSD/ha."""
    return make(
        tmp_path, name, years=(2025, 2030),
        units=[unit("U1", 100, zone="peri_urban")], baseline=[{"land_unit": "U1", "use": "crop", "area_ha": 100}],
        uses=[CROP, HOUSING, GRASS],
        coefficients=[{"indicator": "housing_persons", "use": "housing", "value": 100},
                      {"indicator": "cereal_t", "use": "crop", "value": 3}],
        transitions=[{"from_use": "crop", "to_use": "housing", "cost_kusd": 10}],
        indicators={"housing_persons": {"unit": "person"}, "cereal_t": {"unit": "t"}}, **config)


def test_sealed_land_stays_sealed_in_later_years(tmp_path):
    # 3,000 persons in 2025 need 30 ha of housing (300 kUSD). In 2030 the town wants 300 t of
    # cereal (soft, 1 kUSD/t short), which needs all 100 ha, but the housing cannot go back:
    # 70 ha give 210 t, 90 t short. Objective 300 + 90 = 390.
    folder = housing_and_cereal(tmp_path, "irreversible", targets={
        "homes": {"indicator": "housing_persons", "sense": ">=", "value": 3000, "period": 2025},
        "cereal": {"indicator": "cereal_t", "sense": ">=", "value": 300, "period": 2030, "kind": "soft", "penalty": 1}})
    result = solve(folder)
    assert result.objective == pytest.approx(390)
    state = result.allocation.set_index(["period", "use"])["area_ha"]
    assert state[(2025, "housing")] == pytest.approx(30) and state[(2030, "housing")] == pytest.approx(30)
    assert result.conversions[["use", "period", "area_ha"]].values.tolist() == [["housing", 2025, pytest.approx(30)]]


@pytest.mark.parametrize("limit", [{"max_ha": 10}, {"max_share": 0.1}])
def test_conversion_rate_limit_spreads_change_over_periods(tmp_path, limit):
    # 2,000 persons in 2030 need 20 ha. Cereal of 300 t is wanted each year (soft, 1 kUSD/t), so
    # building late is better: without a limit all 20 ha come in 2030 (200 + 60 = 260). With at
    # most 10 ha (or 10 % of 100 ha) per period: 10 in 2025 and 10 in 2030: 200 + 30 + 60 = 290.
    targets = {"homes": {"indicator": "housing_persons", "sense": ">=", "value": 2000, "period": 2030},
               "cereal": {"indicator": "cereal_t", "sense": ">=", "value": 300, "kind": "soft", "penalty": 1}}
    free = solve(housing_and_cereal(tmp_path, "free", targets=targets))
    assert free.objective == pytest.approx(260)
    limited = solve(housing_and_cereal(tmp_path, "limited", targets=targets,
                                       conversion_limits={"pace": {"to_uses": ["housing"], **limit}}))
    assert limited.objective == pytest.approx(290)
    changes = limited.conversions.set_index("period")["area_ha"]
    assert changes[2025] == pytest.approx(10) and changes[2030] == pytest.approx(10)
    duals = limited.duals
    assert duals.query("constraint == 'conversion_limit'")["binding"].all()


def food_area(tmp_path, name, people=(("city", 1000), ("farmA", 1400), ("farmB", 1000)), plough=True, **config):
    """A city (no farmland) and two farming communes with 100 ha of cropland each (2 t/ha);
    farmA also has 50 ha of grass (F1) that may be ploughed for 2 kUSD/ha."""
    return make(
        tmp_path, name,
        units=[unit("C1", 100, "city", "urban"), unit("A1", 100, "farmA"), unit("B1", 100, "farmB"),
               unit("F1", 50, "farmA")],
        baseline=[{"land_unit": "C1", "use": "housing", "area_ha": 100}, {"land_unit": "A1", "use": "crop", "area_ha": 100},
                  {"land_unit": "B1", "use": "crop", "area_ha": 100}, {"land_unit": "F1", "use": "grass", "area_ha": 50}],
        uses=[CROP, HOUSING, GRASS], coefficients=[{"indicator": "cereal_t", "use": "crop", "value": 2}],
        transitions=[{"from_use": "grass", "to_use": "crop", "cost_kusd": 2, "allowed": plough}],
        indicators={"cereal_t": {"unit": "t"}, "telecoupled_ha": {"unit": "ha"}},
        population={"file": "population.csv"},
        **config,
    ), [{"jurisdiction": j, "year": 2030, "population": p} for j, p in people]


def test_food_flows_choose_the_cheaper_supplier(tmp_path):
    # Demand 0.1 t/person: city 100 t, farmA 140 t (surplus 60), farmB 100 t (surplus 100).
    # Links to the city cost 1 kUSD/t from farmA and 3 from farmB: 60 t from A, 40 t from B,
    # 60 + 120 = 180 kUSD (no ploughing allowed here).
    folder, people = food_area(tmp_path, "flows", plough=False, food={
        "products": {"cereal": {"indicator": "cereal_t", "demand_per_person": 0.1}},
        "links": "links.csv", "cost_indicator": "cost_kusd"})
    pd.DataFrame(people).to_csv(folder / "population.csv", index=False)
    pd.DataFrame([{"from_jurisdiction": "farmA", "to_jurisdiction": "city", "product": "cereal", "cost_per_unit": 1},
                  {"from_jurisdiction": "farmB", "to_jurisdiction": "city", "product": "*", "cost_per_unit": 3}]
                 ).to_csv(folder / "links.csv", index=False)
    result = solve(folder)
    assert result.objective == pytest.approx(180)
    flows = result.linkages["food_flows"].set_index("origin")["quantity"]
    assert flows["farmA"] == pytest.approx(60) and flows["farmB"] == pytest.approx(40)
    food = result.linkages["food"].set_index("jurisdiction")
    assert food.loc["city", "self_sufficiency"] == 0 and food.loc["farmA", "self_sufficiency"] == pytest.approx(200 / 140)


def test_import_cap_shifts_production_inward(tmp_path):
    # The city needs 100 t; farmA eats its own cropland's 200 t and may plough F1's 50 ha of grass
    # (2 kUSD/ha for 2 t/ha: 1 kUSD/t) and ship it free to the city. Imports cost 0.5 kUSD/t and
    # need 0.5 ha abroad per t. Open: the city imports all 100 t (50 kUSD, 50 ha abroad). Capping
    # the land abroad at 20 ha (40 t) leaves 60 t to grow: 30 ha ploughed (60 kUSD) + 40 t
    # imported (20 kUSD) = 80 kUSD.
    food = {"products": {"cereal": {"indicator": "cereal_t", "demand_per_person": 0.1, "import_price": 0.5,
                                    "import_footprint_ha": 0.5}},
            "links": "links.csv", "cost_indicator": "cost_kusd", "footprint_indicator": "telecoupled_ha"}
    cap = {"land_abroad": {"indicator": "telecoupled_ha", "sense": "<=", "value": 20}}
    results = []
    for name, targets in (("open", {}), ("capped", cap)):
        # farmA eats its own 200 t; farmB has no link; the city needs 100 t.
        folder, people = food_area(tmp_path, name, people=(("city", 1000), ("farmA", 2000), ("farmB", 0)),
                                   food=food, targets=targets)
        pd.DataFrame(people).to_csv(folder / "population.csv", index=False)
        pd.DataFrame([{"from_jurisdiction": "farmA", "to_jurisdiction": "city", "product": "cereal", "cost_per_unit": 0,
                       "both_ways": False}]).to_csv(folder / "links.csv", index=False)
        results.append(solve(folder))
    open_, capped = results
    assert open_.objective == pytest.approx(50)
    assert open_.linkages["food"]["imported_land_ha"].sum() == pytest.approx(50)  # whoever imports it
    assert capped.objective == pytest.approx(80)
    assert capped.conversions["area_ha"].sum() == pytest.approx(30)
    assert capped.linkages["food"]["imports"].sum() == pytest.approx(40)
    assert capped.indicators.query("target_name == 'land_abroad'")["value"].iloc[0] == pytest.approx(20)


def restoration_area(tmp_path, name, *, remittances=100.0, **config):
    """10 ha of housing on the plain (an LDN loss) must be offset by restoring degraded bare land
    at 3 kUSD/ha: R1 on customary tenure, R2 on secure tenure."""
    return make(
        tmp_path, name,
        units=[unit("P1", 100, zone="peri_urban", tenure="secure", baseline_status="stable"),
               unit("R1", 50, tenure="customary", baseline_status="degraded"),
               unit("R2", 50, tenure="secure", baseline_status="degraded")],
        baseline=[{"land_unit": "P1", "use": "crop", "area_ha": 100}, {"land_unit": "R1", "use": "bare", "area_ha": 50},
                  {"land_unit": "R2", "use": "bare", "area_ha": 50}],
        uses=[CROP, HOUSING, BARE, RESTORATION],
        coefficients=[{"indicator": "housing_persons", "use": "housing", "value": 100}],
        transitions=[{"from_use": "crop", "to_use": "housing", "zones": "peri_urban"},
                     {"from_use": "bare", "to_use": "restoration", "cost_kusd": 3}],
        indicators={"housing_persons": {"unit": "person"}},
        targets={"homes": {"indicator": "housing_persons", "sense": ">=", "value": 1000}},
        ldn={"enabled": True},
        finance={"cost_indicator": "cost_kusd", "amounts": "funds.csv",
                 "sources": {"public_budget": {},
                             "remittances": {"eligible": [{"to_uses": ["restoration"], "scope": {"tenure": "customary"}}]}}},
        fund_rows=[{"source": "public_budget", "jurisdiction": "*", "year": 2030, "amount": 12},
               {"source": "remittances", "jurisdiction": "town", "year": 2030, "amount": remittances}],
        **config,
    )


def test_remittances_finance_only_eligible_restoration(tmp_path):
    # 10 ha of restoration cost 30 kUSD; the public budget gives at most 12; the rest (at least
    # 18) comes from remittances, which pay only for restoration on customary tenure (R1): so
    # at least 6 ha are restored on R1.
    result = solve(restoration_area(tmp_path, "with"))
    assert result.is_optimal
    paid = result.linkages["finance"]
    by_source = paid.groupby("source")["amount"].sum()
    assert by_source.sum() == pytest.approx(30)
    assert by_source.get("public_budget", 0.0) <= 12 + 1e-6
    assert by_source["remittances"] >= 18 - 1e-6
    remitted = paid[paid["source"] == "remittances"]
    assert set(remitted["to_use"]) == {"restoration"} and set(remitted["tenure"]) == {"customary"}
    restored = result.conversions.query("use == 'restoration'").groupby("land_unit")["area_ha"].sum()
    assert restored.sum() == pytest.approx(10) and restored["R1"] >= 6 - 1e-6
    funds = result.linkages["funds"].set_index("source")
    assert funds.loc["public_budget", "unused"] == pytest.approx(12 - by_source.get("public_budget", 0.0))
    assert funds.loc["remittances", "used"] == pytest.approx(by_source["remittances"])


def test_without_remittances_the_restoration_cannot_be_paid(tmp_path):
    result = solve(restoration_area(tmp_path, "without", remittances=0.0))
    assert result.status is lup_opt.SolveStatus.INFEASIBLE


def village(tmp_path, name, allow_vegetables: bool):
    """100 ha of maize (0.4 jobs/ha) for a labour force of 100; people without work cost
    1 kUSD each; market gardening (1.5 jobs/ha) costs 0.5 kUSD/ha to set up."""
    return make(
        tmp_path, name,
        units=[unit("V1", 100, "village")], baseline=[{"land_unit": "V1", "use": "crop", "area_ha": 100}],
        uses=[CROP, VEG],
        coefficients=[{"indicator": "jobs", "use": "crop", "value": 0.4}, {"indicator": "jobs", "use": "veg", "value": 1.5}],
        transitions=[{"from_use": "crop", "to_use": "veg", "cost_kusd": 0.5, "allowed": allow_vegetables}],
        indicators={"jobs": {"unit": "job"}, "migration_pressure": {"unit": "person"}},
        population={"file": "population.csv"},
        livelihoods={"jobs_indicator": "jobs", "indicator": "migration_pressure", "penalty": 1.0},
    )


def test_migration_pressure_falls_when_a_jobs_rich_use_is_allowed(tmp_path):
    # 40 jobs for 100 people: 60 without work. Each hectare of vegetables adds 1.1 jobs for
    # 0.5 kUSD, cheaper than the 1.1 kUSD of pressure it removes: 60/1.1 = 54.55 ha, 27.27 kUSD.
    results = {}
    for allow in (False, True):
        folder = _population(village(tmp_path, f"village_{allow}", allow),
                             [{"jurisdiction": "village", "year": 2030, "population": 250, "labour_force": 100}])
        results[allow] = solve(folder)
    before = results[False].linkages["livelihoods"].iloc[0]
    assert before["without_work"] == pytest.approx(60) and results[False].objective == pytest.approx(60)
    after = results[True].linkages["livelihoods"].iloc[0]
    assert after["without_work"] == pytest.approx(0, abs=1e-6)
    assert results[True].conversions["area_ha"].sum() == pytest.approx(60 / 1.1)
    assert results[True].objective == pytest.approx(0.5 * 60 / 1.1)
    pressure = results[False].indicators.query("indicator == 'migration_pressure' and scope_type == 'jurisdiction'")
    assert pressure["value"].iloc[0] == pytest.approx(60)


def _population(folder, rows):
    pd.DataFrame(rows).to_csv(folder / "population.csv", index=False)
    return folder


@pytest.mark.parametrize("share, restored", [(1.0, 10.0), (0.5, 20.0)])
def test_insecure_tenure_reduces_restoration_effectiveness(tmp_path, share, restored):
    # 10 ha of housing are a 10 ha loss; restoring degraded bare land on insecure tenure counts
    # only half: 20 ha must be restored instead of 10.
    folder = make(
        tmp_path, f"tenure_{share}",
        units=[unit("P1", 100, zone="peri_urban"), unit("D1", 100, tenure="insecure", baseline_status="degraded")],
        baseline=[{"land_unit": "P1", "use": "crop", "area_ha": 100}, {"land_unit": "D1", "use": "bare", "area_ha": 100}],
        uses=[CROP, HOUSING, BARE, RESTORATION],
        coefficients=[{"indicator": "housing_persons", "use": "housing", "value": 100}],
        transitions=[{"from_use": "crop", "to_use": "housing", "zones": "peri_urban"},
                     {"from_use": "bare", "to_use": "restoration", "cost_kusd": 3}],
        indicators={"housing_persons": {"unit": "person"}},
        targets={"homes": {"indicator": "housing_persons", "sense": ">=", "value": 1000}},
        ldn={"enabled": True, "gain_effectiveness": [{"scope": {"tenure": "insecure"}, "uses": ["restoration"],
                                                      "share": share}]},
    )
    result = solve(folder)
    assert result.conversions.query("use == 'restoration'")["area_ha"].sum() == pytest.approx(restored)
    balance = result.ldn_balance.iloc[0]
    assert balance["gains_ha"] == pytest.approx(restored)
    assert balance["gains_counted_ha"] == pytest.approx(10) and balance["net_ha"] == pytest.approx(0, abs=1e-6)


def test_myopic_planning_fails_where_foresight_prepares(tmp_path):
    # 2,000 persons by 2030 with at most 10 ha of new housing per period: foresight builds 10 ha
    # in 2025 and 10 in 2030; planning 2025 alone builds nothing, and 2030 cannot catch up.
    targets = {"homes": {"indicator": "housing_persons", "sense": ">=", "value": 2000, "period": 2030}}
    folder = housing_and_cereal(tmp_path, "myopic", targets=targets,
                                conversion_limits={"pace": {"to_uses": ["housing"], "max_ha": 10}})
    assert solve(folder).is_optimal
    myopic = solve(folder, mode="myopic")
    assert myopic.status is lup_opt.SolveStatus.INFEASIBLE
    assert "2030" in myopic.message and "earlier years" in myopic.message


def test_a_myopic_failure_is_diagnosed_in_the_year_that_failed(tmp_path):
    # The whole plan is feasible (foresight builds in 2025); the myopic 2030 step, with 2025's
    # decision (nothing built) fixed, is not: the diagnosis must say so and blame the 2030 target.
    targets = {"homes": {"indicator": "housing_persons", "sense": ">=", "value": 2000, "period": 2030}}
    folder = housing_and_cereal(tmp_path, "myopic_why", targets=targets,
                                conversion_limits={"pace": {"to_uses": ["housing"], "max_ha": 10}})
    result = solve(folder, mode="myopic")
    sentences = " ".join(result.diagnosis.sentences())
    assert "year 2030" in sentences and "is infeasible" in sentences, sentences
    assert "homes" in sentences or "pace" in sentences, sentences
    explained = lup_opt.explain(lup_opt.load_scenario(folder), mode="myopic")
    assert not explained.feasible and explained.context
    assert lup_opt.explain(lup_opt.load_scenario(folder)).feasible  # the whole plan can be made


def test_myopic_and_foresight_agree_without_links_between_years(tmp_path):
    targets = {"homes": {"indicator": "housing_persons", "sense": ">=", "value": 2000, "period": 2025},
               "cereal": {"indicator": "cereal_t", "sense": ">=", "value": 300, "kind": "soft", "penalty": 1}}
    folder = housing_and_cereal(tmp_path, "agree", targets=targets)
    foresight, myopic = solve(folder), solve(folder, mode="myopic")
    assert myopic.is_optimal and myopic.objective == pytest.approx(foresight.objective)
    assert myopic.manifest["mode"] == "myopic"


def test_soc_class_counts_years_from_the_start_of_the_period_of_change(tmp_path):
    # Temperate moist, conventional -> no-till maize (x1.15 SOC after 20 years): +10 % is reached
    # after 13.3 years. Assessed in 2040, a change in the period starting 2020 has had 20 years
    # (+15 %: improved), one starting 2025 has had 15 (+11.25 %: improved), one starting 2030 has
    # had 10 (+7.5 %: stable); assessed in 2030, none has reached 10 %.
    no_till = {"id": "no_till", "sector": "agriculture", "cover_class": "cropland", "soc_management_factor": 1.15}
    folder = make(tmp_path, "timing", years=(2025, 2030, 2040),
                  units=[{**unit("U1", 10), "climate": "temperate_moist"}],
                  baseline=[{"land_unit": "U1", "use": "crop", "area_ha": 10}], uses=[CROP, no_till],
                  coefficients=[], ldn={"enabled": True})
    data = build_model_data(lup_opt.load_scenario(folder), culling="off")
    changes = np.flatnonzero(data.columns.conversion >= 0)
    order = changes[np.argsort(data.columns.conversion[changes])]  # changes in 2020, 2025, 2030 periods
    at_2040 = data.ldn.status[2][order].tolist()
    at_2030 = data.ldn.status[1][order].tolist()
    assert at_2040 == [1, 1, 0]
    assert at_2030[:2] == [0, 0]  # 10 and 5 years: +7.5 % and +3.75 %


def test_ldn_is_assessed_every_year_and_the_target_year_is_flagged(tmp_path):
    folder = housing_and_cereal(tmp_path, "years", ldn={"enabled": True, "target_year": 2025},
                                targets={"homes": {"indicator": "housing_persons", "sense": ">=", "value": 0}})
    result = solve(folder)
    balance = result.ldn_balance.set_index("period")
    assert list(balance.index) == [2025, 2030]
    assert balance.loc[2025, "target_year"] and not balance.loc[2030, "target_year"]
    assert balance["enforced"].all()
    only_target = solve(folder, load={"overrides": {"ldn.enforce": "target_year"}})
    assert only_target.ldn_balance.set_index("period")["enforced"].tolist() == [True, False]


def test_housing_targets_follow_population_growth(tmp_path):
    # The town had 2,000 residents in 2020 (20 ha of housing at 100/ha is its baseline
    # capacity: 2,000) and grows to 2,500 in 2025 and 3,500 in 2030: capacity must rise by the
    # growth, to 2,500 and 3,500 persons. Cropland feeds the town (soft cereal target), so
    # nothing is built early: 5 ha in 2025 and 10 more by 2030.
    folder = make(
        tmp_path, "population", years=(2025, 2030),
        units=[unit("U1", 100, zone="peri_urban")],
        baseline=[{"land_unit": "U1", "use": "housing", "area_ha": 20}, {"land_unit": "U1", "use": "crop", "area_ha": 80}],
        uses=[CROP, HOUSING], coefficients=[{"indicator": "housing_persons", "use": "housing", "value": 100},
                                            {"indicator": "cereal_t", "use": "crop", "value": 3}],
        transitions=[{"from_use": "crop", "to_use": "housing", "cost_kusd": 10}],
        indicators={"housing_persons": {"unit": "person"}, "cereal_t": {"unit": "t"}},
        targets={"cereal": {"indicator": "cereal_t", "sense": ">=", "value": 240, "kind": "soft", "penalty": 1}},
        population={"file": "population.csv"}, housing={"indicator": "housing_persons"},
        objective={"sense": "minimize", "terms": [{"indicator": "cost_kusd"}]},
    )
    pd.DataFrame([{"jurisdiction": "town", "year": y, "population": p}
                  for y, p in ((2020, 2000), (2025, 2500), (2030, 3500))]).to_csv(folder / "population.csv", index=False)
    result = solve(folder)
    targets = result.indicators.query("target_name == 'housing_town'").set_index("period")
    assert targets.loc[2025, "target"] == pytest.approx(2500) and targets.loc[2030, "target"] == pytest.approx(3500)
    changes = result.conversions.set_index("period")["area_ha"]
    assert changes[2025] == pytest.approx(5) and changes[2030] == pytest.approx(10)


def test_a_food_demand_the_land_cannot_meet_is_named_with_its_shortfall(tmp_path):
    # The city (1,000 people, 0.1 t each) has no farmland, no links and no imports: its 100 t of
    # demand cannot be met. The diagnosis must name that demand and its shortfall (it blamed
    # "the land itself" and suggested switching LDN off, which is off).
    food = {"products": {"cereal": {"indicator": "cereal_t", "demand_per_person": 0.1}}, "cost_indicator": "cost_kusd"}
    folder, people = food_area(tmp_path, "hungry", food=food)
    pd.DataFrame(people).to_csv(folder / "population.csv", index=False)
    result = solve(folder)
    assert result.status is lup_opt.SolveStatus.INFEASIBLE
    assert "LDN is not enforced" in result.message and "ldn.enabled=false" not in result.message
    sentences = " ".join(result.diagnosis.sentences())
    assert re.search(r"demand for cereal in city \(2030\) exceeds what its land, links and imports can supply by "
                     r"100(\.0)? t", sentences), sentences
    assert "the land itself" not in sentences


def test_funds_too_small_for_the_plan_are_named(tmp_path):
    result = solve(restoration_area(tmp_path, "unpaid", remittances=0.0))
    sentences = " ".join(result.diagnosis.sentences())
    assert "funding source 'public_budget' for the pooled area (2030)" in sentences, sentences
    assert "the land itself" not in sentences
