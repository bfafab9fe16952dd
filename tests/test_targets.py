"""Targets, limits, soft targets, share targets and objectives on a small scenario whose answers
are worked out in each test (units A, B: 100 ha crop each; C: 50 ha urban grass; see conftest)."""

from __future__ import annotations

import pytest

import lup_opt


def solve(folder, **kwargs):
    return lup_opt.solve(lup_opt.load_scenario(folder, **kwargs))


def target(indicator, sense, value, **extra):
    return {"indicator": indicator, "sense": sense, "value": value, **extra}


@pytest.mark.parametrize("penalty, objective, shortfall", [(0.4, 32.0, 80.0), (0.6, 40.0, 0.0)])
def test_soft_target_falls_short_only_when_its_penalty_is_cheaper(small, penalty, objective, shortfall):
    # 400 t at baseline; 80 t more needs 40 of C's 50 ha of grass ploughed at 1 kUSD/ha
    # (0.5 kUSD/t), so the target is met only when the penalty is above 0.5 kUSD/t.
    folder = small(targets={"cereal": target("cereal_t", ">=", 480, kind="soft", penalty=penalty)})
    result = solve(folder)
    assert result.objective == pytest.approx(objective)
    row = result.indicators.query("target_name == 'cereal'").iloc[0]
    assert row["shortfall"] == pytest.approx(shortfall)
    assert row["met"] == (shortfall == 0)
    price = result.duals.set_index("name").loc["cereal", "shadow_price"]
    assert price == pytest.approx(min(penalty, 0.5))


def test_limit_binds_and_a_limit_below_the_need_is_infeasible(small):
    limit = {"sealed": target("sealed_ha", "<=", 20)}
    ok = solve(small(targets={**limit, "homes": target("housing_persons", ">=", 1500)}))
    assert ok.is_optimal and ok.objective == pytest.approx(150.0)
    too_many = solve(small(targets={**limit, "homes": target("housing_persons", ">=", 3000)}))
    assert too_many.status is lup_opt.SolveStatus.INFEASIBLE


def test_equality_target_is_met_exactly(small):
    result = solve(small(targets={"timber": target("timber_ha", "=", 30)}))
    assert result.objective == pytest.approx(30.0)
    forest = result.allocation.query("use == 'forest'")["area_ha"].sum()
    assert forest == pytest.approx(30.0)


def test_target_scope_restricts_to_matching_units(small):
    # Forest only in jurisdiction j2 (unit B).
    result = solve(small(targets={"timber": target("timber_ha", ">=", 30, scope={"jurisdiction": "j2"})}))
    forest = result.allocation.query("use == 'forest'")
    assert set(forest["land_unit"]) == {"B"}


def test_fixed_share_target_and_its_price_per_percentage_point(small):
    # 20 ha of housing on C (2,000 persons) needs parks >= 20 % of sealed urban land: 4 ha on C.
    # One more percentage point is 0.2 ha of park at 5 kUSD/ha: 1 kUSD.
    share = {"green": {"numerator": {"indicator": "green_ha", "scope": {"zone": "urban"}},
                       "denominator": {"indicator": "sealed_ha", "scope": {"zone": "urban"}},
                       "sense": ">=", "share": 0.2}}
    homes = {"homes": target("housing_persons", ">=", 2000)}
    result = solve(small(targets=homes, share_targets=share))
    assert result.objective == pytest.approx(200 + 20.0)
    row = result.duals.set_index("name").loc["green"]
    assert row["shadow_price"] == pytest.approx(1.0)
    assert row["price_unit"] == "kUSD per percentage point"
    assert row["scope"] == "zone=urban"
    share["green"]["share"] = 0.21
    moved = solve(small(targets=homes, share_targets=share))
    assert moved.objective - result.objective == pytest.approx(1.0)


def test_soft_share_target_shortfall_is_penalised(small):
    share = {"green": {"numerator": {"indicator": "green_ha", "scope": {"zone": "urban"}},
                       "denominator": {"indicator": "sealed_ha", "scope": {"zone": "urban"}},
                       "sense": ">=", "share": 0.2, "kind": "soft", "penalty": 1.0}}
    # The 4 ha of park would cost 20 kUSD; the shortfall of 4 ha costs 4 at 1 kUSD per ha.
    result = solve(small(targets={"homes": target("housing_persons", ">=", 2000)}, share_targets=share))
    assert result.objective == pytest.approx(200 + 4.0)


def test_equal_shares_across_jurisdictions_meet_at_the_cheapest_common_share(small):
    # Crop shares: j1 = 100/150, j2 = 100/100. Cheapest to equalise: move 33.3 ha of B to grass
    # (0.1 kUSD/ha) so that both hold 2/3, rather than plough C's grass (1 kUSD/ha).
    share = {"same_crop_share": {"numerator": {"indicator": "crop_ha"},
                                 "denominator": {"indicator": "area_ha"},
                                 "sense": "=", "share": "equal", "for_each": ["jurisdiction"]}}
    result = solve(small(share_targets=share))
    assert result.objective == pytest.approx(100 / 3 * 0.1)
    shares = result.indicators.query("target_name == 'same_crop_share'")["value"]
    assert shares.tolist() == pytest.approx([2 / 3, 2 / 3])


def test_equal_shares_with_tolerance_leave_room(small):
    share = {"same_crop_share": {"numerator": {"indicator": "crop_ha"},
                                 "denominator": {"indicator": "area_ha"},
                                 "sense": "=", "share": "equal", "for_each": ["jurisdiction"],
                                 "tolerance": 0.2}}
    # Shares may differ by up to 0.4: 2/3 and 1.0 differ by 1/3, so nothing has to change.
    assert solve(small(share_targets=share)).objective == pytest.approx(0.0)


def test_equal_shares_refuse_a_denominator_the_plan_can_change(small):
    share = {"bad": {"numerator": {"indicator": "crop_ha"}, "denominator": {"indicator": "cereal_t"},
                     "sense": "=", "share": "equal", "for_each": ["jurisdiction"]}}
    with pytest.raises(lup_opt.ScenarioError, match="share_targets.bad.denominator"):
        lup_opt.build(lup_opt.load_scenario(small(share_targets=share)))


@pytest.mark.parametrize("penalty, objective", [(1.0, 490.0), (3.0, 480.0)])
def test_maximised_objective_subtracts_penalties(small, penalty, objective):
    # Max cereal: all 250 ha in crop = 500 t. Soft timber >= 10 ha: forest costs 2 t/ha.
    folder = small(
        objective={"sense": "maximize", "terms": [{"indicator": "cereal_t"}]},
        targets={"timber": target("timber_ha", ">=", 10, kind="soft", penalty=penalty)},
    )
    assert solve(folder).objective == pytest.approx(objective)


def test_objective_terms_are_weighted_and_scaled(small):
    folder = small(
        objective={"sense": "minimize", "unit": "index",
                   "terms": [{"indicator": "cost_kusd", "weight": 2, "scale": 10},
                             {"indicator": "timber_ha", "weight": -1, "scale": 100}]},
        targets={"timber": target("timber_ha", ">=", 30)},
    )
    result = solve(folder)
    # Forest costs 1 kUSD/ha: 2/10 per ha of cost, -1/100 per ha of timber: more forest never pays.
    assert result.objective == pytest.approx(30 * (2 / 10) - 30 / 100)
    assert result.objective_unit == "index"
