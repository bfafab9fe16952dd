"""The structured solve (column generation over the area columns, lup_opt.solve.structured)
against the full LP solved by HiGHS: the same optimum, duals that are optimal for the full LP
(and equal to the full LP's wherever the optimal dual is unique), a certificate that rejects a
master missing a column, and infeasible, unbounded and out-of-time LPs reported as such."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import lup_opt
from benchmarks.generate import generate
from lup_opt import api
from lup_opt.api import build
from lup_opt.enums import ObjectiveSense, SolverMethod, SolveStatus
from lup_opt.model.land_balance import AREA
from lup_opt.solve import area_structure as area_structure_module
from lup_opt.solve.area_structure import area_structure
from lup_opt.solve.certificate import certify
from lup_opt.solve.dual_warm_start import WarmStartSettings
from lup_opt.solve.highs import solve_with_highspy
from lup_opt.solve.options import SolverOptions
from lup_opt.solve.structured import StructuredSettings, solve_structured
from tests.conftest import SCENARIOS

TARGET_AND_LDN = ("C-TARGET", "C-TARGET-SOFT", "C-LDN")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Generated scenario folders, written once per module: (family, units) -> folder."""
    root = tmp_path_factory.mktemp("generated")
    made = {}

    def folder(family: str, units: int):
        if (family, units) not in made:
            made[family, units] = generate(family, units, root / f"{family}_{units}")
        return made[family, units]

    return folder


def _lp(folder):
    scenario = lup_opt.load_scenario(folder, overrides=["ldn.price_of_neutrality=off"])
    return build(scenario).lp


def _unique_dual_rows(lp, full) -> np.ndarray:
    """Rows whose optimal dual is unique: the optimal value is linear in the row's bound on
    both sides of it (HiGHS's ranging of the full LP), so every optimal dual has the slope."""
    ranging = full.ranging
    activity = full.row_values
    lower, upper = lp.row_lower, lp.row_upper
    bound = np.where(np.abs(activity - np.nan_to_num(lower, neginf=-1e300))
                     <= np.abs(activity - np.nan_to_num(upper, posinf=1e300)), lower, upper)
    margin = 1e-7 * (1.0 + np.abs(bound))
    return (ranging.lower_value < bound - margin) & (ranging.upper_value > bound + margin)


# The structured solve's two ways to the optimum: the warm start's plan certified as it is, and
# column generation (from the warm start's columns, or from each part's cheapest ones).
PATHS = {
    "warm start": StructuredSettings(),
    "column generation": StructuredSettings(certify_warm_start=False),
    "column generation without warm start": StructuredSettings(warm_start=None),
}


def assert_agrees_with_full_lp(lp, settings: StructuredSettings | None = None, path: str | None = None):
    full = solve_with_highspy(lp)
    structured = solve_structured(lp, settings=settings)
    assert full.is_optimal and structured.is_optimal, (full.message, structured.message)
    report = structured.structured
    assert report["fallback"] is None, structured.message
    if path is not None:
        assert report["path"] == path.split(" without")[0], structured.message
    if report["path"] == "column generation":
        assert report["rounds"] >= 1
    else:  # no restricted master: the aggregated master closed its gap
        assert report["rounds"] == 0 and report["crossover"] == "HiGHS: Optimal"
        # crossover ran on the plan's candidate columns, not on the full LP
        assert report["crossover_columns"] < lp.num_cols / 2, report["crossover_columns"]
        value, bound = report["lagrangian_bound"]
        assert value - bound <= 1e-5 * max(1.0, abs(value))
    # objective
    assert structured.objective == pytest.approx(full.objective, rel=1e-9, abs=1e-9)
    # the structured plan and duals against the full LP's own, crossed: each solution's duals are
    # optimal for the other's plan, so both are optimal pairs of the full LP
    assert certify(lp, full.col_values, structured.row_duals).ok
    assert certify(lp, structured.col_values, full.row_duals).ok
    # duals of every target and LDN row, and reduced costs of area columns, where unique
    unique = _unique_dual_rows(lp, full)
    coupling = np.zeros(lp.num_rows, dtype=bool)
    for block in lp.constraints:
        if block.family in TARGET_AND_LDN:
            coupling[block.slice] = True
    checked = coupling & unique
    assert checked.sum() >= 3, "no target or LDN row with a unique dual: the comparison would be empty"
    np.testing.assert_allclose(structured.row_duals[checked], full.row_duals[checked], rtol=1e-7, atol=1e-7)
    area = lp.variable(AREA).slice
    in_unique_rows = np.asarray(abs(lp.matrix[~unique][:, area]).sum(axis=0) == 0).ravel()
    assert in_unique_rows.sum() >= 10
    reduced_full, reduced = full.col_duals[area], structured.col_duals[area]
    scale = 1.0 + np.abs(lp.cost[area])
    assert np.max(np.abs(reduced - reduced_full)[in_unique_rows] / scale[in_unique_rows]) <= 1e-7
    # every column's reduced cost has the sign its bound allows (none below -tolerance at 0)
    at_lower = structured.col_values[area] <= 1e-9
    sign = -1.0 if lp.sense is ObjectiveSense.MAXIMIZE else 1.0
    assert np.all(sign * reduced[at_lower] >= -1e-7 * scale[at_lower])
    # the plan meets every row of the full matrix
    activity = lp.matrix @ structured.col_values
    assert np.all(activity >= lp.row_lower - 1e-6 * (1 + np.abs(lp.row_lower)))
    assert np.all(activity <= lp.row_upper + 1e-6 * (1 + np.abs(lp.row_upper)))
    # every downstream table has what it reads: ranging and values of every row and column
    assert structured.ranging is not None
    assert len(structured.col_values) == lp.num_cols and len(structured.row_duals) == lp.num_rows
    return full, structured


@pytest.mark.parametrize("path", [pytest.param(path, marks=[pytest.mark.slow] if "without" in path else [])
                                  for path in PATHS])
@pytest.mark.parametrize("family", ["parcels", "raster"])
def test_agrees_with_the_full_lp_on_1000_units(generated, family, path):
    lp = _lp(generated(family, 1000))
    assert area_structure(lp) is not None
    assert_agrees_with_full_lp(lp, PATHS[path], path)


@pytest.mark.slow
def test_the_warm_start_bound_is_a_lower_bound_that_meets_the_optimum(generated):
    """The aggregated master's Lagrangian bound is a bound on the full LP's optimum (in the
    minimisation sense), whichever round it stops at, and closes on it when it converges."""
    lp = _lp(generated("parcels", 1000))
    sign = -1.0 if lp.sense is ObjectiveSense.MAXIMIZE else 1.0
    optimum = sign * solve_with_highspy(lp).objective
    for rounds in (3, 8):
        early = solve_structured(lp, settings=StructuredSettings(warm_start=WarmStartSettings(rounds=rounds)))
        value, bound = early.structured["lagrangian_bound"]
        assert bound <= optimum + 1e-7 * abs(optimum) and value >= optimum - 1e-7 * abs(optimum)
        assert early.objective == pytest.approx(sign * optimum, rel=1e-9)  # column generation finishes it
    converged = solve_structured(lp).structured
    assert converged["lagrangian_bound"][1] == pytest.approx(optimum, rel=1e-5)


@pytest.mark.slow  # full and structured solves of a larger LP: seconds
def test_agrees_with_the_full_lp_on_the_default_scenario():
    assert_agrees_with_full_lp(_lp(SCENARIOS / "default"))


@pytest.mark.slow
@pytest.mark.parametrize("family", ["parcels", "raster"])
def test_agrees_with_the_full_lp_on_10000_units(generated, family):
    assert_agrees_with_full_lp(_lp(generated(family, 10_000)))


@pytest.mark.slow  # full and structured solves of a larger LP: seconds
def test_certificate_rejects_a_master_missing_a_column_that_prices_out(generated):
    lp = _lp(generated("parcels", 1000))
    full = solve_with_highspy(lp)
    assert certify(lp, full.col_values, full.row_duals, full.objective).ok  # the optimum passes
    # The master: the full LP without its area column of most hectares at the optimum.
    area = lp.variable(AREA)
    dropped = area.offset + int(np.argmax(full.col_values[area.slice]))
    upper = lp.col_upper.copy()
    upper[dropped] = 0.0
    master = solve_with_highspy(lp.with_bounds(lp.col_lower, upper, lp.row_lower, lp.row_upper))
    assert master.is_optimal
    assert master.objective > full.objective * (1 + 1e-6)  # the column matters (minimisation)
    certificate = certify(lp, master.col_values, master.row_duals, master.objective)
    assert not certificate.ok
    assert certificate.dual_violation > 1e-7 and certificate.worst_column == dropped
    assert certificate.primal_violation <= 1e-7  # the master's plan is feasible, just not optimal
    # and a plan that breaks a row is rejected as infeasible
    broken = full.col_values.copy()
    broken[dropped] *= 0.5
    assert certify(lp, broken, full.row_duals).primal_violation > 1e-7


@pytest.mark.slow
def test_a_near_optimal_warm_start_is_finished_by_crossover_and_its_vertex_certified(generated, tmp_path):
    """A warm-start plan that leaves a few square metres of a part on a dearer path (gap within
    the certificate's, but a column off zero with a positive reduced cost) is not certified as
    it is; crossover from it gives the full LP's optimum, which is, with ranging."""
    from lup_opt.solve.structured import StructuredReport, _from_warm_start

    lp = _lp(generated("parcels", 1000))
    full = solve_with_highspy(lp)
    sign = -1.0 if lp.sense is ObjectiveSense.MAXIMIZE else 1.0
    area = lp.variable(AREA)
    structure = area_structure(lp)
    values, reduced = full.col_values[area.slice], sign * full.col_duals[area.slice]
    # a part's column at the optimum, and a dearer column of the same part at zero, such that
    # moving 2e-7 ha (above the certificate's 1e-7 for "at zero") from the one to the other keeps
    # every row and the gap within 1e-9
    def near_optimal():
        for held in np.argsort(-values)[:300]:
            same_part = np.flatnonzero((structure.part == structure.part[held]) & (values == 0))
            for dearer in same_part[np.argsort(-reduced[same_part])][:3]:
                near = full.col_values.copy()
                near[area.offset + held] -= 2e-7
                near[area.offset + dearer] += 2e-7
                certificate = certify(lp, near, full.row_duals)
                if certificate.primal_violation <= 1e-7 and certificate.gap <= 1e-9 and reduced[dearer] > 1e-3:
                    return near, int(dearer), certificate
        raise AssertionError("no part of the 1,000 parcels has a column to move a little area to")

    near, dearer, certificate = near_optimal()
    assert not certificate.ok and certificate.dual_violation > 1e-7
    report = StructuredReport()
    solution = _from_warm_start(lp, near, full.row_duals, SolverOptions(), StructuredSettings(), report,
                                tmp_path / "highs.log", 0.0)
    assert solution is not None and solution.is_optimal, report
    assert report.path == "warm start" and report.crossover == "HiGHS: Optimal"
    assert solution.objective == pytest.approx(full.objective, rel=1e-9)
    assert certify(lp, solution.col_values, solution.row_duals).ok
    assert solution.col_values[area.offset + dearer] == 0.0
    assert solution.ranging is not None


@pytest.mark.slow
def test_solves_where_highs_thread_pool_already_runs_on_another_count(generated):
    """HiGHS shares one thread pool per process and refuses a run asking for another count
    ('the scheduler has already been initialized to use 2 threads': status Not Set). In a fresh
    process whose pool an earlier HiGHS run started on other threads, and after a solve on the
    user's --threads, the structured solve still solves (no fallback). A fresh process, since
    the pool is the process's."""
    import subprocess
    import sys

    script = f"""
import highspy, numpy as np, lup_opt
from lup_opt.solve.options import default_threads
other = highspy.Highs()
other.setOptionValue("output_flag", False)
other.setOptionValue("threads", default_threads() + 1)
other.passModel(1, 0, 0, 1, 1, 0.0, np.ones(1), np.zeros(1), np.ones(1), np.zeros(0), np.zeros(0),
                np.zeros(2, dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0), np.zeros(1, dtype=np.int32))
other.run()
assert other.getModelStatus() == highspy.HighsModelStatus.kOptimal
scenario = lup_opt.load_scenario({str(generated("parcels", 1000))!r}, overrides=["ldn.price_of_neutrality=off"])
for threads in (None, 2, None):
    result = lup_opt.solve(scenario, method="structured", threads=threads)
    assert result.is_optimal, result.message
    assert result.manifest["solver"]["structured"]["fallback"] is None, result.message
print("solved")
"""
    done = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "solved" in done.stdout, done.stderr[-2000:]


def test_infeasible_scenario_is_reported_and_explained():
    scenario = lup_opt.load_scenario(SCENARIOS / "infeasible")
    result = lup_opt.solve(scenario, method="structured", checks=False)
    assert result.status is SolveStatus.INFEASIBLE
    assert result.manifest["solver"]["method"] == "structured"
    assert result.diagnosis is not None and not result.diagnosis.feasible
    diagnosis = lup_opt.explain(scenario, method="structured")
    assert not diagnosis.feasible and diagnosis.relaxation


@pytest.mark.slow  # full and structured solves of a larger LP: seconds
def test_unbounded_lp_is_reported(generated):
    lp = _lp(generated("parcels", 1000))
    shortfall = next(v for v in lp.variables if v.size and v.name != AREA)
    cost = lp.cost.copy()
    cost[shortfall.offset] = -1.0  # more shortfall pays without limit: unbounded
    unbounded = replace(lp, cost=cost)
    full = solve_with_highspy(unbounded)
    structured = solve_structured(unbounded)
    assert full.status is SolveStatus.UNBOUNDED
    assert structured.status is SolveStatus.UNBOUNDED, structured.message


def test_time_limit_is_reported(generated):
    lp = _lp(generated("parcels", 1000))
    options = SolverOptions(method=SolverMethod.STRUCTURED, time_limit=1e-4).started()
    solution = solve_structured(lp, options)
    assert solution.status is SolveStatus.TIME_LIMIT
    assert solution.col_values is None


@pytest.mark.slow
def test_auto_picks_structured_for_large_lps_of_the_shape(generated, monkeypatch):
    scenario = lup_opt.load_scenario(generated("parcels", 1000), overrides=["ldn.price_of_neutrality=off"])
    small = lup_opt.solve(scenario, method="auto", checks=False)
    assert small.manifest["solver"]["method"] == "ipm"  # 35,710 columns: below the threshold
    assert "structured" not in small.manifest["solver"]
    monkeypatch.setattr(area_structure_module, "AUTO_MIN_COLUMNS", 10_000)
    large = lup_opt.solve(scenario, method="auto", checks=False)
    solver = large.manifest["solver"]
    assert solver["method"] == "structured"
    assert solver["structured"]["path"] in ("warm start", "column generation")
    assert solver["structured"]["certificate"].startswith("primal violation")
    assert solver["structured"]["fallback"] is None
    assert large.objective == pytest.approx(small.objective, rel=1e-9)
    # the planner's tables are complete: a shadow price for every row, a reduced cost per change
    assert len(large.duals) == len(small.duals)
    assert len(large.reduced_costs) == len(small.reduced_costs)


def test_auto_keeps_interior_point_for_the_default_scenario(monkeypatch):
    monkeypatch.setattr(area_structure_module, "AUTO_MIN_COLUMNS", 1_000)
    # 2,565 coupling rows (conversion limits, finance) for 1,420 parts: not the shape
    lp = _lp(SCENARIOS / "default")
    resolved = api._resolve_method(SolverOptions(method=SolverMethod.AUTO), lp, api.Backend.HIGHSPY,
                                   api.PlanningMode.PERFECT_FORESIGHT)
    assert resolved.method is SolverMethod.IPM


@pytest.mark.parametrize("method", ["structured", "auto"])
def test_tiny_optimum_through_the_api(tiny_scenario, method):
    result = lup_opt.solve(tiny_scenario, method=method, threads=1)
    assert result.objective == pytest.approx(620, rel=1e-6)
    solver = result.manifest["solver"]
    assert solver["method"] == ("structured" if method == "structured" else "ipm")  # tiny: below auto's size
    if method == "structured":
        assert solver["structured"]["fallback"] is None
        assert solver["structured"]["certificate"].startswith("primal violation")
