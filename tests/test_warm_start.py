"""A warm start only ever saves time: from a good point or basis HiGHS ends at the cold solve's
optimum in fewer iterations; from a useless one it solves afresh, never reporting the start's
failure as the LP's."""

from __future__ import annotations

import numpy as np
import pytest

import lup_opt
from benchmarks.generate import generate
from lup_opt.api import build
from lup_opt.model.land_balance import AREA_CONSERVATION
from lup_opt.solve.highs import WarmStart, solve_with_highspy
from lup_opt.solve.options import SolverOptions


@pytest.fixture(scope="module")
def lp(tmp_path_factory):
    folder = generate("parcels", 120, tmp_path_factory.mktemp("parcels") / "parcels")
    return build(lup_opt.load_scenario(folder)).lp


def test_from_the_optimum_as_a_point_the_cold_optimum_is_found_again(lp):
    cold = solve_with_highspy(lp, SolverOptions(keep_basis=True))
    warm = solve_with_highspy(lp, SolverOptions(), WarmStart(col_values=cold.col_values, row_duals=cold.row_duals))
    assert warm.is_optimal and warm.objective == pytest.approx(cold.objective, rel=1e-9)
    assert "Crossover" in warm.log or "crossover" in warm.log  # it did start from the point


def test_from_a_basis_after_a_bound_change_dual_simplex_reaches_the_cold_optimum(lp):
    cold = solve_with_highspy(lp, SolverOptions(keep_basis=True))
    lower = lp.col_lower.copy()
    moved = int(np.argmax(cold.col_values))
    lower[moved] = 0.0
    upper = lp.col_upper.copy()
    upper[moved] = 0.5 * cold.col_values[moved]  # cut the plan's largest column by half
    changed = lp.with_bounds(lower, upper, lp.row_lower, lp.row_upper)
    again = solve_with_highspy(changed)
    warm = solve_with_highspy(changed, SolverOptions(), WarmStart(basis=cold.basis))
    assert again.status is warm.status
    if again.is_optimal:
        assert warm.objective == pytest.approx(again.objective, rel=1e-9)


def test_a_start_that_does_not_fit_is_dropped_and_the_lp_solved_afresh(lp):
    cold = solve_with_highspy(lp)
    nowhere = WarmStart(col_values=np.full(lp.num_cols, 1e6), row_duals=np.zeros(lp.num_rows))
    from_nowhere = solve_with_highspy(lp, SolverOptions(), nowhere)
    assert from_nowhere.is_optimal and from_nowhere.objective == pytest.approx(cold.objective, rel=1e-9)
    wrong_size = WarmStart(basis=(np.zeros(3, dtype=np.int8), np.zeros(2, dtype=np.int8)))
    refused = solve_with_highspy(lp, SolverOptions(), wrong_size)
    assert refused.is_optimal and refused.objective == pytest.approx(cold.objective, rel=1e-9)


def test_an_infeasible_lp_found_infeasible_from_a_basis_is_not_solved_again(lp):
    cold = solve_with_highspy(lp, SolverOptions(keep_basis=True))
    lower, upper = lp.row_lower.copy(), lp.row_upper.copy()
    area = lp.constraint(AREA_CONSERVATION).offset
    lower[area] = upper[area] = -100.0  # a land unit of -100 ha: no plan of areas >= 0 adds up to it
    broken = lp.with_bounds(lp.col_lower, lp.col_upper, lower, upper)
    solved = solve_with_highspy(broken, SolverOptions(), WarmStart(basis=cold.basis))
    assert solved.status.value == "infeasible"
    # Simplex from the basis ran on the LP as given: its verdict is the presolve-off check's, so
    # neither a cold run nor that check follows it.
    assert "presolve not used" in solved.log and "without presolve" in solved.message
    assert "Presolving" not in solved.log and "interior point" not in solved.log.lower()
    assert solve_with_highspy(broken, SolverOptions(presolve=False)).status.value == "infeasible"
