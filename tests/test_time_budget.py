"""--time-limit is a budget for the whole run (loading, solving, diagnosis), not per HiGHS call."""

from __future__ import annotations

from time import perf_counter

import pytest

import lup_opt
from lup_opt.diagnose.explain import OUT_OF_TIME
from lup_opt.solve.options import SolverOptions
from tests.conftest import SCENARIOS


def test_the_budget_counts_what_was_already_spent():
    options = SolverOptions(time_limit=10.0)
    assert options.remaining() == 10.0  # not started: a plain per-call limit, as before
    assert SolverOptions(time_limit=10.0).started(already=10.0).out_of_time()
    left = SolverOptions(time_limit=10.0).started(already=4.0).remaining()
    assert 5.0 < left <= 6.0


def test_a_solve_that_runs_out_of_budget_is_a_time_limit_not_an_optimum():
    scenario = lup_opt.load_scenario(SCENARIOS / "default")
    result = lup_opt.solve(scenario, time_limit=0.3)
    assert result.status is lup_opt.SolveStatus.TIME_LIMIT
    assert "for the whole run" in result.message
    assert result.objective is None and result.allocation.empty


@pytest.mark.slow
def test_an_infeasible_run_with_its_diagnosis_stays_within_the_budget():
    # The default scenario with an impossible water limit: solving proves it infeasible in a few
    # seconds; its diagnosis alone took 30-110 s. With a 6 s budget the whole run must end soon
    # after 6 s (one HiGHS call may overrun its limit a little), saying what it could not finish.
    scenario = lup_opt.load_scenario(SCENARIOS / "default", overrides={"targets.water_2030.value": 1e6})
    start = perf_counter()
    result = lup_opt.solve(scenario, time_limit=6.0, checks=False)
    elapsed = perf_counter() - start + scenario.load_seconds
    assert elapsed < 6.0 + 5.0, elapsed
    assert not result.is_optimal
    if result.status is lup_opt.SolveStatus.INFEASIBLE:
        diagnosis_done = result.diagnosis is not None and not result.diagnosis.context
        ran_out = (result.diagnosis is not None and result.diagnosis.context == OUT_OF_TIME) or any(
            "time budget" in note for note in result.manifest["notes"])
        assert diagnosis_done or ran_out
