"""Two-stage plans (S-NONANT, S-CVAR, S-VSS): the farm worked by hand in scenarios/farm/README.md,
and the properties a deterministic equivalent must have."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import yaml

import lup_opt
from lup_opt.errors import LupOptError
from lup_opt.solve.highs import solve_with_highspy
from lup_opt.stochastic.equivalent import equivalent, first_stage_columns
from lup_opt.stochastic.plan import branches
from tests.conftest import SCENARIOS

P = {"wet": 0.3, "base": 0.4, "dry": 0.3}
YIELD = {"wet": 4.0, "base": 3.0, "dry": 1.5}


def farm_cost(x: float, y: float) -> float:
    """The README's cost of ploughing x ha in a year of yield y (an independent evaluation)."""
    harvest = y * x
    return 0.3 * x + 0.3 * max(0.0, 200 - harvest) - 0.05 * max(0.0, harvest - 200)


@pytest.fixture(scope="module")
def farm():
    return lup_opt.solve_stochastic(lup_opt.load_scenario(SCENARIOS / "farm"))


def test_the_farm_ploughs_the_normal_years_need_and_costs_28(farm):
    assert farm.is_optimal
    assert farm.first_stage["area_ha"].sum() == pytest.approx(200 / 3, rel=1e-9)
    assert farm.measure("RP") == pytest.approx(sum(P[s] * farm_cost(200 / 3, YIELD[s]) for s in P), rel=1e-9)
    assert farm.measure("RP") == pytest.approx(28.0, rel=1e-9)
    outcomes = farm.outcomes.set_index("scenario")["objective"]
    assert outcomes.to_dict() == pytest.approx({"wet": 50 / 3, "base": 20.0, "dry": 50.0}, rel=1e-9)


def test_the_farms_ws_eev_vss_and_evpi_match_the_hand_computation(farm):
    ws = sum(P[s] * min(farm_cost(x, YIELD[s]) for x in (0, min(100, 200 / YIELD[s]), 100)) for s in P)
    mean_yield = sum(P[s] * YIELD[s] for s in P)
    eev = sum(P[s] * farm_cost(200 / mean_yield, YIELD[s]) for s in P)
    assert ws == pytest.approx(26.0) and eev == pytest.approx(28.157894736842, rel=1e-9)
    assert farm.measure("WS") == pytest.approx(ws, rel=1e-9)
    assert farm.measure("EEV") == pytest.approx(eev, rel=1e-9)
    assert farm.measure("VSS") == pytest.approx(eev - 28.0, rel=1e-7)
    assert farm.measure("EVPI") == pytest.approx(2.0, rel=1e-9)
    assert farm.measure("CVaR_0.9") == pytest.approx(50.0, rel=1e-9)  # the worst 10 %: a dry year


def test_the_mean_value_plan_starts_from_the_most_probable_scenarios_basis_and_is_the_cold_optimum(monkeypatch):
    from lup_opt.stochastic import plan

    def same(a, b):
        return all(np.array_equal(x, y) for x, y in ((a.matrix.toarray(), b.matrix.toarray()), (a.cost, b.cost),
                                                     (a.col_lower, b.col_lower), (a.col_upper, b.col_upper)))

    tree = branches(lup_opt.load_scenario(SCENARIOS / "farm"))
    probable = max(tree, key=lambda b: b.probability)
    assert probable.name == "base"
    mean = plan._mean_value_problem([b.built.lp for b in tree], np.array([b.probability for b in tree]))
    calls = []

    def recorded(lp, options=None, warm_start=None):
        solved = solve_with_highspy(lp, options, warm_start)
        calls.append((lp, warm_start, solved))
        return solved

    monkeypatch.setattr(plan, "solve_with_highspy", recorded)
    lup_opt.solve_stochastic(lup_opt.load_scenario(SCENARIOS / "farm"))
    ((_, start, solved),) = [c for c in calls if same(c[0], mean)]
    ((_, _, ws),) = [c for c in calls if same(c[0], probable.built.lp)]  # the scenario's own plan (WS)
    assert all(np.array_equal(a, b) for a, b in zip(start.basis, ws.basis, strict=True))
    assert "useful basis" in solved.log
    assert solved.objective == pytest.approx(solve_with_highspy(mean).objective, rel=1e-12)


def test_each_scenarios_prices_are_the_plans_duals_over_its_probability():
    """The maize balance: 0.05 kUSD/t wet (sold), 0.3 dry (bought), and in the normal year the
    break-even price of one more ploughed hectare: 0.3 = 0.3*4*0.05 + 0.4*3*l + 0.3*1.5*0.3."""
    tree = branches(lup_opt.load_scenario(SCENARIOS / "farm"))
    lps = [b.built.lp for b in tree]
    first = first_stage_columns(lps[0], tree[0].built.data.columns.conversion, 1)
    de = equivalent(lps, [b.probability for b in tree], first, [b.name for b in tree])
    solved = solve_with_highspy(de.lp)
    prices = {}
    for s, branch in enumerate(tree):
        block = branch.built.lp.constraint("food_balance")
        prices[branch.name] = solved.row_duals[de.rows_at[s] + block.offset] / branch.probability
    assert prices == pytest.approx({"wet": 0.05, "base": 0.105 / 1.2, "dry": 0.3}, rel=1e-7)


def _with(folder, stochastic):
    config = yaml.safe_load((folder / "scenario.yaml").read_text())
    config["stochastic"] = stochastic
    (folder / "scenario.yaml").write_text(yaml.safe_dump(config))
    return folder


def test_one_scenario_of_probability_one_is_the_deterministic_plan(tmp_path):
    folder = _with(shutil.copytree(SCENARIOS / "tiny", tmp_path / "tiny"),
                   {"scenarios": {"only": {"variant": "base", "probability": 1.0}}})
    result = lup_opt.solve_stochastic(lup_opt.load_scenario(folder))
    deterministic = lup_opt.solve(lup_opt.load_scenario(SCENARIOS / "tiny"))
    assert result.objective == pytest.approx(deterministic.objective, rel=1e-9) == pytest.approx(620.0)
    assert result.measure("VSS") == pytest.approx(0.0, abs=1e-9) and result.measure("EVPI") == pytest.approx(0, abs=1e-9)
    plan = result.scenarios["only"].allocation
    assert plan.set_index(["land_unit", "baseline_use", "use"])["area_ha"].to_dict() == pytest.approx(
        deterministic.allocation.set_index(["land_unit", "baseline_use", "use"])["area_ha"].to_dict())


def test_full_risk_weight_at_alpha_zero_is_the_expectation(tmp_path):
    folder = shutil.copytree(SCENARIOS / "farm", tmp_path / "farm")
    config = yaml.safe_load((folder / "scenario.yaml").read_text())
    config["stochastic"]["risk"] = {"cvar_alpha": 0.0, "weight": 1.0}
    (folder / "scenario.yaml").write_text(yaml.safe_dump(config))
    result = lup_opt.solve_stochastic(lup_opt.load_scenario(folder))
    assert result.objective == pytest.approx(28.0, rel=1e-9)
    assert result.first_stage["area_ha"].sum() == pytest.approx(200 / 3, rel=1e-9)


def test_a_risk_averse_farm_ploughs_more_against_the_dry_year(tmp_path):
    """Weight 1, alpha 0.7: the worst 30 % of probability is the dry year, so the plan minimises
    the dry year's cost, 0.3x + 0.3(200 - 1.5x) = 60 - 0.15x: plough all 100 ha (cost 45)."""
    folder = shutil.copytree(SCENARIOS / "farm", tmp_path / "farm")
    config = yaml.safe_load((folder / "scenario.yaml").read_text())
    config["stochastic"]["risk"] = {"cvar_alpha": 0.7, "weight": 1.0}
    (folder / "scenario.yaml").write_text(yaml.safe_dump(config))
    result = lup_opt.solve_stochastic(lup_opt.load_scenario(folder))
    assert result.first_stage["area_ha"].sum() == pytest.approx(100.0, rel=1e-9)
    assert result.objective == pytest.approx(farm_cost(100, 1.5), rel=1e-9)


def test_the_highspy_and_pyomo_paths_agree_on_the_equivalent():
    from lup_opt.solve.pyomo_backend import solve_with_pyomo

    tree = branches(lup_opt.load_scenario(SCENARIOS / "farm"))
    lps = [b.built.lp for b in tree]
    first = first_stage_columns(lps[0], tree[0].built.data.columns.conversion, 1)
    de = equivalent(lps, [b.probability for b in tree], first, [b.name for b in tree], 0.7, 0.5)
    assert solve_with_pyomo(de.lp).objective == pytest.approx(solve_with_highspy(de.lp).objective, rel=1e-9)


def test_a_variant_that_changes_the_first_stages_land_is_refused(tmp_path):
    folder = shutil.copytree(SCENARIOS / "farm", tmp_path / "farm")
    (folder / "baseline_small.csv").write_text("land_unit,use,area_ha\nF1,grass,100\n")
    (folder / "transitions_none.csv").write_text("from_use,to_use,allowed,zones,cost_kusd,reason\n"
                                                 "grass,maize,false,,0.3,no ploughing\n")
    config = yaml.safe_load((folder / "scenario.yaml").read_text())
    config["variants"]["dry"]["tables.transitions"] = "transitions_none.csv"
    (folder / "scenario.yaml").write_text(yaml.safe_dump(config))
    with pytest.raises(LupOptError, match="stochastic scenario 'dry'.*changes the land the first stage"):
        lup_opt.solve_stochastic(lup_opt.load_scenario(folder))


def test_probabilities_must_sum_to_one_and_variants_must_exist(tmp_path):
    folder = shutil.copytree(SCENARIOS / "farm", tmp_path / "farm")
    for stochastic, words in [({"scenarios": {"a": {"variant": "wet", "probability": 0.5}}}, "sum to 0.5"),
                              ({"scenarios": {"a": {"variant": "monsoon", "probability": 1.0}}}, "'monsoon'"),
                              ({"here_and_now": [2030], "scenarios": {"a": {"variant": "base", "probability": 1}}},
                               "first planning years")]:
        _with(folder, stochastic)
        with pytest.raises(lup_opt.ScenarioError, match=words):
            lup_opt.load_scenario(folder)


def test_the_cli_writes_the_measures_and_a_folder_per_scenario(cli, tmp_path):
    run = cli(["solve", SCENARIOS / "farm", "--out", tmp_path / "farm", "--no-report"])
    assert run.exit_code == 0, run.output
    assert "EVPI" in run.output and "VSS" in run.output
    import pandas as pd

    measures = pd.read_csv(tmp_path / "farm" / "stochastic.csv").set_index("measure")["value"]
    assert measures["RP"] == pytest.approx(28.0) and measures["EVPI"] == pytest.approx(2.0)
    for name in P:
        allocation = pd.read_csv(tmp_path / "farm" / "scenarios" / name / "allocation.csv")
        assert allocation.loc[allocation["use"] == "maize", "area_ha"].sum() == pytest.approx(200 / 3)


@pytest.mark.slow
def test_the_default_under_uncertain_growth_shares_2025_holds_ldn_everywhere_and_adapts_later():
    scenario = lup_opt.load_scenario(SCENARIOS / "default", variants=["uncertain_growth"])
    result = lup_opt.solve_stochastic(scenario)
    assert result.is_optimal
    changes = {name: r.allocation[(r.allocation["use"] != r.allocation["baseline_use"])]
               for name, r in result.scenarios.items()}
    early = {n: c[c["period"] == 2025].set_index(["land_unit", "baseline_use", "use"])["area_ha"].round(6)
             for n, c in changes.items()}
    assert early["low"].to_dict() == early["central"].to_dict() == early["high"].to_dict()  # non-anticipativity
    late = {n: c[c["period"] > 2025]["area_ha"].sum() for n, c in changes.items()}
    assert late["high"] != pytest.approx(late["low"], rel=1e-3)  # recourse: later years adapt
    for name, r in result.scenarios.items():  # LDN in every scenario, not on average
        balance = r.ldn_balance
        assert (balance["net_ha"] >= balance["target_ha"] - 1e-6).all(), name
    assert result.measure("EVPI") >= -1e-6 * abs(result.measure("RP"))
    assert result.measure("WS") <= result.measure("RP") + 1e-6 * abs(result.measure("RP"))


def test_explain_names_the_scenario_that_cannot_be_planned(cli, tmp_path):
    """A drought year that must still grow 200 t on 100 ha at 1.5 t/ha cannot be planned."""
    folder = shutil.copytree(SCENARIOS / "farm", tmp_path / "farm")
    config = yaml.safe_load((folder / "scenario.yaml").read_text())
    config["variants"]["dry"]["targets.grown"] = {"indicator": "maize_t", "sense": ">=", "value": 200}
    (folder / "scenario.yaml").write_text(yaml.safe_dump(config))
    scenario = lup_opt.load_scenario(folder)
    from lup_opt.stochastic.plan import explain_stochastic

    diagnoses = explain_stochastic(scenario)
    assert [n for n, d in diagnoses.items() if not d.feasible] == ["dry"]
    assert not lup_opt.solve_stochastic(scenario).is_optimal
    run = cli(["explain", folder, "--out", tmp_path / "why"])
    assert run.exit_code == 1, run.output
    assert "Scenario 'dry' cannot be planned" in run.output and "grown" in run.output
    assert "'wet'" not in run.output


def test_the_report_shows_the_measures_the_first_stage_and_how_each_scenario_adapts(farm, cli, tmp_path):
    folder = farm.write(tmp_path / "farm")
    page = (folder / "report.html").read_text(encoding="utf-8")
    for words in ("What planning under uncertainty is worth", "EVPI", "Decided now, the same in every scenario",
                  "How the plan adapts in each scenario", 'href="scenarios/dry/report.html"'):
        assert words in page, words
    assert (folder / "scenarios" / "dry" / "report.html").exists()
    (folder / "report.html").unlink()
    run = cli(["report", folder])  # rebuilt from the folder alone
    assert run.exit_code == 0, run.output
    assert "EVPI" in (folder / "report.html").read_text(encoding="utf-8")


def test_the_pyomo_backend_gives_the_farms_plan():
    result = lup_opt.solve_stochastic(lup_opt.load_scenario(SCENARIOS / "farm"), backend="pyomo")
    assert result.objective == pytest.approx(28.0, rel=1e-9)
    assert result.measure("EVPI") == pytest.approx(2.0, rel=1e-9)
