"""Trade-offs on the structured model: a session whose cold solves are structured solves of the
LP as it stands (extra rows and columns included) gives the interior-point session's answers,
and its bound changes are re-optimised warm from the structured solve's basis."""

from __future__ import annotations

import highspy
import numpy as np
import pytest

import lup_opt
from benchmarks.generate import generate
from lup_opt import tradeoffs
from lup_opt.api import build
from lup_opt.enums import ObjectiveSense, SolverMethod
from lup_opt.solve import dual_warm_start
from lup_opt.solve.options import SolverOptions
from lup_opt.solve.session import WarmSession

STRUCTURED = SolverOptions(method=SolverMethod.STRUCTURED)
IPM = SolverOptions(method=SolverMethod.IPM)


@pytest.fixture(scope="module")
def parcels(tmp_path_factory):
    return lup_opt.load_scenario(generate("parcels", 200, tmp_path_factory.mktemp("parcels") / "parcels_200"))


def test_frontier_on_the_structured_model_is_the_interior_point_frontier_with_warm_points(parcels):
    structured = tradeoffs.frontier_of(parcels, ["objective", "ldn_net"], points=4, options=STRUCTURED)
    ipm = tradeoffs.frontier_of(parcels, ["objective", "ldn_net"], points=4, options=IPM)
    assert len(structured.points) == len(ipm.points) == 4
    np.testing.assert_allclose(structured.points.iloc[:, 1:3].to_numpy(), ipm.points.iloc[:, 1:3].to_numpy(),
                               rtol=1e-8, atol=1e-6)
    timing = structured.frontier.seconds
    assert not timing["warm"].iloc[0]  # the first point follows the objective change: a structured solve
    assert timing["warm"].iloc[1:].all()  # the others: dual simplex from the structured solve's basis


@pytest.mark.slow
def test_compromise_on_the_structured_model_adds_and_removes_its_column_like_interior_point(parcels):
    structured = tradeoffs.compromise_of(parcels, ["objective", "food_t:max"], options=STRUCTURED)
    ipm = tradeoffs.compromise_of(parcels, ["objective", "food_t:max"], options=IPM)
    np.testing.assert_allclose(structured.table["value"], ipm.table["value"], rtol=1e-7)
    np.testing.assert_allclose(structured.table["achievement"], ipm.table["achievement"], atol=1e-7)


def test_a_structured_session_solves_its_extra_rows_and_columns_and_forgets_removed_ones(parcels):
    lp = build(parcels, "off").lp
    sessions = {"structured": WarmSession(lp, STRUCTURED), "ipm": WarmSession(lp, IPM)}
    assert sessions["structured"].structured and not sessions["ipm"].structured
    assert sessions["structured"].highs is None  # no copy of the full LP in HiGHS beside the LP's own
    found = {}
    for name, session in sessions.items():
        first_row, first_col = session.total_rows, session.total_cols
        # the LP's cost must rise by a tenth above its minimum (a row of the session's own), and a
        # free column t <= cost @ x, rewarded a little, rises to it
        optimum = session.solve()
        messages = [optimum.message]
        base = float(lp.cost @ optimum.values)
        t = session.add_column(-np.inf, np.inf)
        session.add_row(lp.cost, 1.1 * base, np.inf)
        session.add_row(lp.cost, 0.0, np.inf, extra={t: -1.0})
        session.set_objective(lp.cost, ObjectiveSense.MINIMIZE, extra=np.array([-1e-3]))
        raised = session.solve()
        messages.append(raised.message)
        session.remove_rows_from(first_row)
        session.remove_columns_from(first_col)
        session.set_objective(lp.cost, lp.sense)
        again = session.solve()
        messages.append(again.message)
        if name == "structured":  # each solve after an objective change: a certified structured solve
            assert all("certified on the full LP" in m for m in messages), "\n".join(messages)
        found[name] = (base, float(lp.cost @ raised.values), float(raised.extra_values[0]),
                       float(lp.cost @ again.values), session.total_cols - lp.num_cols)
    structured, ipm = found["structured"], found["ipm"]
    np.testing.assert_allclose(structured[:4], ipm[:4], rtol=1e-8)
    assert structured[1] == pytest.approx(1.1 * structured[0], rel=1e-8)
    assert structured[2] == pytest.approx(structured[1], rel=1e-8)
    assert structured[3] == pytest.approx(structured[0], rel=1e-8)
    assert structured[4] == ipm[4] == 0


def test_price_of_neutrality_by_structured_re_solves_is_interior_points(parcels):
    structured = lup_opt.solve(parcels, method="structured", checks=False).linkages["ldn_price"]
    ipm = lup_opt.solve(parcels, method="ipm", checks=False).linkages["ldn_price"]
    assert (structured["status"] == "optimal").all() and len(structured) == len(ipm) > 1
    assert (structured["price_of_neutrality"] > 0).any()  # some LDN group binds: a price to check
    np.testing.assert_allclose(structured["objective_without"], ipm["objective_without"], rtol=1e-8)
    np.testing.assert_allclose(structured["price_of_neutrality"], ipm["price_of_neutrality"], rtol=1e-6, atol=1e-6)


class _MasterThatFailsOnDualSimplex:
    """Stands in for HiGHS on the aggregated master: dual simplex ends 'Solve error' (as on a
    frontier point's master of 10,000 parcels: 'excessive dual values'), primal simplex solves."""

    def __init__(self):
        self.options, self.runs, self.status = {"simplex_strategy": 1, "solver": "simplex"}, [], None

    def setOptionValue(self, name, value):
        self.options[name] = value

    def clearSolver(self):
        pass

    def run(self):
        self.runs.append(dict(self.options))
        self.status = (highspy.HighsModelStatus.kSolveError if self.options["simplex_strategy"] == 1
                       else highspy.HighsModelStatus.kOptimal)

    def getModelStatus(self):
        return self.status


def test_the_warm_starts_master_is_solved_by_primal_simplex_where_dual_simplex_fails():
    master = _MasterThatFailsOnDualSimplex()
    assert dual_warm_start._run_master(master, SolverOptions())
    assert [run["simplex_strategy"] for run in master.runs] == [1, dual_warm_start.PRIMAL_SIMPLEX_STRATEGY]
    assert master.options["simplex_strategy"] == 1  # the next round restarts with dual simplex
