"""The robust compromise's optimistic rule (optimLanduse's ``optimisticRule``), hand-worked, and the
warning when uses that can hold no land drop out of the normalisation."""

from __future__ import annotations

import itertools
import logging

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

import lup_opt
from lup_opt import tradeoffs


def _free_choice(small, uses: list[str], idle: tuple[str, ...] = ()):
    """One 100 ha unit under the first use that may change to any other of ``uses`` at no cost;
    the uses in ``idle`` exist but no land may take them (only the changes listed are allowed)."""
    return small(transitions={"default_allowed": False}, tables={
        "units": [{"id": "A", "area_ha": 100, "jurisdiction": "j1", "zone": "rural", "land_type": "plain",
                   "climate": "tropical_dry"}],
        "baseline": [{"land_unit": "A", "use": uses[0], "area_ha": 100}],
        "uses": [{"id": u, "sector": "agriculture", "cover_class": "cropland", "sealed": False}
                 for u in [*uses, *idle]],
        "coefficients": [{"indicator": "area_ha", "use": "*", "value": 1}],
        "transitions": [{"from_use": uses[0], "to_use": u, "cost_kusd": 0} for u in uses[1:]],
    })


TWO = pd.DataFrame({"indicator": "yield_t", "use": ["a", "b"], "mean": [10.0, 8.0], "se": [2.0, 1.0]})


def test_expectation_rule_by_hand(small):
    # a: 10 +/- 2, b: 8 +/- 1, u = 1, share s on a. With the expectation rule a use's high outcome
    # is its mean: a is 8 or 10, b is 7 or 8. The scenarios (a, b) = (8, 7), (10, 7), (10, 8) give
    # achievements (8s + 7(1-s) - 7)/1 = s, (10s + 7(1-s) - 7)/3 = s, (10s + 8(1-s) - 8)/2 = s;
    # (8, 8) has no spread. So beta = s: all land to a, beta 1. The uncertainty-adjusted rule
    # (a 8 or 12, b 7 or 9) has (8, 9): (8s + 9(1-s) - 8)/1 = 1 - s, so s = 1/2 and beta 1/2.
    scenario = lup_opt.load_scenario(_free_choice(small, ["a", "b"]))
    expectation = tradeoffs.robust(scenario, TWO, level=1.0, optimistic_rule="expectation")
    share = expectation.extra["composition"].set_index("use")["share"]
    assert share["a"] == pytest.approx(1.0, abs=1e-7)
    assert expectation.table["beta"].iloc[0] == pytest.approx(1.0, abs=1e-7)
    assert (expectation.table["optimistic_rule"] == "expectation").all()
    adjusted = tradeoffs.robust(scenario, TWO, level=1.0)  # the default
    assert adjusted.extra["composition"].set_index("use")["share"]["a"] == pytest.approx(0.5, abs=1e-7)
    assert adjusted.table["beta"].iloc[0] == pytest.approx(0.5, abs=1e-7)
    assert (adjusted.table["optimistic_rule"] == "uncertainty_adjusted").all()


def _reference(table: pd.DataFrame, uses: list[str], level: float, upside: float) -> float:
    """beta of the robust compromise written independently: the high outcome is mean + upside*u*se."""
    rows, rhs = [], []
    for _, group in table.groupby("indicator"):
        group = group.set_index("use").loc[uses]
        more = group["direction"].iloc[0] == "more"
        for outcome in itertools.product((-1.0, upside), repeat=len(uses)):
            good = np.array(outcome) * level * group["se"].to_numpy()
            values = group["mean"].to_numpy() + (good if more else -good)
            best, worst = (values.max(), values.min()) if more else (values.min(), values.max())
            if abs(best - worst) < 1e-12:
                continue
            rows.append(np.append(-values / (best - worst), 1.0))
            rhs.append(-worst / (best - worst))
    n = len(uses)
    solved = linprog(np.append(np.zeros(n), -1.0), A_ub=np.array(rows), b_ub=np.array(rhs),
                     A_eq=np.append(np.ones(n), 0.0)[None, :], b_eq=[1.0],
                     bounds=[(0, None)] * n + [(None, None)], method="highs")
    assert solved.status == 0
    return -solved.fun


def test_expectation_rule_matches_an_independent_lp(small):
    uses = ["a", "b", "c"]
    scenario = lup_opt.load_scenario(_free_choice(small, uses))
    table = pd.DataFrame({
        "indicator": ["income"] * 3 + ["erosion"] * 3, "use": uses * 2,
        "mean": [12.0, 9.0, 4.0, 8.0, 3.0, 1.0], "se": [4.0, 2.0, 1.0, 2.0, 1.0, 0.5],
        "direction": ["more"] * 3 + ["less"] * 3,
    })
    for rule, upside in (("expectation", 0.0), ("uncertainty_adjusted", 1.0)):
        result = tradeoffs.robust(scenario, table, level=1.5, optimistic_rule=rule)
        assert result.table["beta"].iloc[0] == pytest.approx(_reference(table, uses, 1.5, upside), abs=1e-7)


def test_uses_that_hold_no_land_are_named_when_they_leave_the_normalisation(small, caplog):
    # c (yield 20) cannot hold land: were it counted, it would be the best use of every scenario.
    scenario = lup_opt.load_scenario(_free_choice(small, ["a", "b"], idle=("c",)))
    table = pd.concat([TWO, pd.DataFrame({"indicator": ["yield_t"], "use": ["c"], "mean": [20.0], "se": [1.0]})])
    with caplog.at_level(logging.WARNING, logger="lup_opt.tradeoffs.robust"):
        result = tradeoffs.robust(scenario, table, level=1.0)
    warned = [r.getMessage() for r in caplog.records if r.name == "lup_opt.tradeoffs.robust"]
    assert len(warned) == 1 and "use(s) c " in warned[0] and "normalisation" in warned[0]
    assert result.table["beta"].iloc[0] == pytest.approx(0.5, abs=1e-7)  # as without c
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="lup_opt.tradeoffs.robust"):
        tradeoffs.robust(lup_opt.load_scenario(_free_choice(small, ["a", "b"])), TWO)
    assert not [r for r in caplog.records if r.name == "lup_opt.tradeoffs.robust"]
