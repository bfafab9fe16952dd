"""The Python API: load a scenario, solve it, get a :class:`Result`.

Stages, each handing an immutable object to the next:
scenario files -> Scenario -> ModelData -> LinearProgram -> Solution -> Result.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from time import perf_counter
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lup_opt.data.aggregate import Aggregation, aggregate, no_aggregation
from lup_opt.data.ldn import loss_years
from lup_opt.data.model_data import ModelData
from lup_opt.diagnose.diagnosis import Diagnosis
from lup_opt.diagnose.evaluate import (
    BASELINE_PLAN,
    Evaluation,
    evaluate_plan,
    read_plan,
)
from lup_opt.diagnose.explain import explain as explain_built
from lup_opt.diagnose.findings import CheckReport
from lup_opt.diagnose.prechecks import run_checks
from lup_opt.enums import Backend, Culling, LdnHierarchy, NeutralityPrice, PlanningMode, SolverMethod, SolveStatus
from lup_opt.errors import LupOptError
from lup_opt.families.registry import build_model_data, per_land_unit
from lup_opt.model.build import build_lp
from lup_opt.model.land_balance import AREA
from lup_opt.model.lp import LinearProgram
from lup_opt.results.postprocess import make_result
from lup_opt.results.result import Result
from lup_opt.scenario.scenario import Scenario
from lup_opt.solve.area_structure import suits_structured
from lup_opt.solve.highs import solve_with_highspy
from lup_opt.solve.ldn import least_losses, price_of_neutrality
from lup_opt.solve.myopic import failed_step, solve_myopic
from lup_opt.solve.options import Solution, SolverOptions
from lup_opt.solve.structured import solve_structured

if TYPE_CHECKING:
    import pyomo.environ as pyo

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuiltModel:
    """A scenario's model data and LP, with the seconds each took."""

    data: ModelData
    lp: LinearProgram
    data_seconds: float
    build_seconds: float


def build(scenario: Scenario, culling: Culling | str = Culling.AUTO) -> BuiltModel:
    """Prepare model data and assemble the LP (no solver involved). ``culling`` leaves out the
    changes of use that no optimal plan needs (:mod:`lup_opt.data.culling`)."""
    start = perf_counter()
    data = build_model_data(scenario, culling)
    middle = perf_counter()
    lp = build_lp(data)
    return BuiltModel(data, lp, middle - start, perf_counter() - middle)


def pyomo_model(scenario: Scenario) -> pyo.ConcreteModel:
    """The scenario's LP as a Pyomo ConcreteModel with named, indexed components."""
    from lup_opt.solve.pyomo_backend import to_pyomo  # Pyomo is loaded only on the Pyomo path

    return to_pyomo(build(scenario).lp)


def check(scenario: Scenario) -> CheckReport:
    """The checks before solving (targets beyond reach, inconsistent targets, share targets that
    cannot hold, LDN capacity, numerics), without solving."""
    built = build(scenario)
    return run_checks(scenario, built.data, built.lp)


def explain(
    scenario: Scenario,
    *,
    method: SolverMethod | str = SolverMethod.IPM,
    time_limit: float | None = None,
    threads: int | None = None,
    fewest: bool = False,
    mode: PlanningMode | str = PlanningMode.PERFECT_FORESIGHT,
) -> Diagnosis:
    """Why a scenario cannot be solved and what to relax (or that it can be solved).

    ``fewest`` adds a second stage that, among the smallest relaxations, relaxes the fewest rows.
    With ``mode="myopic"`` the year that fails is explained, with the years before it fixed.
    """
    start = perf_counter()
    built = build(scenario)
    options = SolverOptions(method=SolverMethod(method), time_limit=time_limit, threads=threads).started(
        already=scenario.load_seconds + perf_counter() - start)
    checks = run_checks(scenario, built.data, built.lp)
    return _diagnose(scenario, built, checks, options, PlanningMode(mode), fewest)


def evaluate(
    scenario: Scenario,
    plan: str | Path | pd.DataFrame = BASELINE_PLAN,
    *,
    compare: bool = True,
) -> Evaluation:
    """Score a given plan (an allocation table, a CSV file, or ``"baseline"`` for business as
    usual) without optimising: indicators, LDN balance, targets met and missed, objective, and
    with ``compare`` its distance from the optimum of the same scenario."""
    built = build(scenario, Culling.OFF)  # a given plan may use any allowed change
    if isinstance(plan, pd.DataFrame):
        table, label = plan.assign(source_line=np.arange(2, len(plan) + 2)), "plan"
        if "period" not in table:
            table["period"] = 0
    elif str(plan) == BASELINE_PLAN:
        table, label = None, BASELINE_PLAN
    else:
        table, label = read_plan(Path(plan)), Path(plan).name
    optimum = None
    if compare:
        solution = solve_with_highspy(built.lp)
        area = solution.col_values[built.lp.variable(AREA).slice] if solution.is_optimal else None
        optimum = (solution.status, solution.objective, area)
    return evaluate_plan(scenario, built.data, built.lp, table, label, optimum)


def solve(
    scenario: Scenario,
    *,
    backend: Backend | str = Backend.HIGHSPY,
    method: SolverMethod | str = SolverMethod.AUTO,
    time_limit: float | None = None,
    threads: int | None = None,
    presolve: bool = True,
    crossover: bool = True,
    checks: bool = True,
    diagnose: bool = True,
    mode: PlanningMode | str = PlanningMode.PERFECT_FORESIGHT,
    merge_alike: bool = True,
    culling: Culling | str = Culling.AUTO,
) -> Result:
    """Solve a scenario. Infeasibility, time limits and solver errors are results, not errors.

    With ``checks`` (default), the checks before solving run first and raise
    :class:`PrecheckError` when they prove the scenario cannot solve; their warnings go into the
    manifest. With ``diagnose`` (default), an infeasible result carries a :class:`Diagnosis`.
    ``mode="myopic"`` plans one year at a time, each fixing earlier years (highspy only).
    With ``merge_alike`` (default), parts of land the LP cannot tell apart are solved as one and
    split back in proportion to area (exact: :mod:`lup_opt.scenario.aggregate`); the manifest
    reports the reduction. ``culling`` leaves out dominated changes of use (same optimum; see
    :class:`Culling` for ``auto``).
    """
    # time_limit is the budget of the whole run, loading included: every HiGHS call gets what is left.
    options = SolverOptions(
        method=SolverMethod(method), time_limit=time_limit, threads=threads,
        presolve=presolve, crossover=crossover,
    ).started(already=scenario.load_seconds)
    aggregation = _aggregation(scenario, merge_alike)
    built = build(aggregation.scenario, culling)
    report = run_checks(aggregation.scenario, built.data, built.lp) if checks else None
    if report is not None:
        report.raise_if_errors()
    backend, mode = Backend(backend), PlanningMode(mode)
    options = _resolve_method(options, built.lp, backend, mode)
    ldn_report, notes = {}, []
    if mode is PlanningMode.MYOPIC:
        if _strict_hierarchy(scenario):
            raise LupOptError("ldn.hierarchy: strict needs perfect foresight (it minimises losses over all years "
                              "first); use --mode perfect_foresight or ldn.hierarchy: penalty")
        solution = solve_myopic(built.lp, scenario.planning_years, scenario.config.periods.baseline_year, options)
    else:
        solver = solve_structured if options.method is SolverMethod.STRUCTURED else \
            solve_with_highspy if backend is Backend.HIGHSPY else _solve_with_pyomo
        failed = None
        if _strict_hierarchy(scenario):
            built, ldn_report, failed = _fewest_losses_first(aggregation.scenario, built, options)
        # The price of neutrality's re-solves start from this solve's basis.
        keep = backend is Backend.HIGHSPY and _prices_neutrality(scenario, built.lp)
        solution = failed or solver(built.lp, replace(options, keep_basis=True) if keep else options)
    logger.info("%s: %s (objective %s)", scenario.name, solution.status.value, solution.objective)
    diagnosis = None
    if diagnose and solution.status is SolveStatus.INFEASIBLE:
        if options.out_of_time():
            notes.append("No diagnosis: the time budget ran out (allow more with --time-limit).")
        else:
            diagnosis = _diagnose(scenario, built, report or CheckReport((), pd.DataFrame(), 0.0), options, mode,
                                  solved=solution)
    seconds = {
        "load": scenario.load_seconds,
        "model_data": built.data_seconds,
        "build": built.build_seconds,
        "handoff": solution.handoff_seconds,
        "solve": solution.solver_seconds,
        "extract": solution.extract_seconds,
    }
    extra = {}
    if solution.is_optimal and _prices_neutrality(scenario, built.lp):
        if options.out_of_time():
            notes.append("No price of neutrality: the time budget ran out (allow more with --time-limit).")
        else:
            start = perf_counter()
            extra["ldn_price"] = price_of_neutrality(built.lp, solution, options)
            seconds["ldn_price"] = perf_counter() - start
    result = make_result(scenario, built.data, built.lp, solution, options, seconds,
                         checks=report, diagnosis=diagnosis, mode=mode, aggregation=aggregation,
                         extra_tables=extra, ldn_report=ldn_report, notes=notes)
    if solution.structured is not None:  # rounds, columns and seconds of column generation
        manifest = dict(result.manifest)
        manifest["solver"] = {**manifest["solver"], "structured": solution.structured}
        result = replace(result, manifest=MappingProxyType(manifest))
    return result


def _resolve_method(options: SolverOptions, lp: LinearProgram, backend: Backend, mode: PlanningMode) -> SolverOptions:
    """``auto`` as the method it stands for on this LP; ``structured`` where it can run."""
    method = options.method
    if method is SolverMethod.AUTO:
        structured = (backend is Backend.HIGHSPY and mode is PlanningMode.PERFECT_FORESIGHT
                      and suits_structured(lp))
        return replace(options, method=SolverMethod.STRUCTURED if structured else SolverMethod.IPM)
    if method is SolverMethod.STRUCTURED and backend is not Backend.HIGHSPY:
        raise LupOptError("--method structured solves through highspy; use --backend highspy or another method")
    if method is SolverMethod.STRUCTURED and mode is PlanningMode.MYOPIC:
        raise LupOptError("--method structured solves perfect-foresight plans; use --method ipm with --mode myopic")
    return options


def _diagnose(scenario: Scenario, built: BuiltModel, checks: CheckReport, options: SolverOptions,
              mode: PlanningMode, fewest: bool = False, solved: Solution | None = None) -> Diagnosis:
    """The diagnosis of the model that failed: with myopic planning, the first year that has no
    plan, with the decisions of the years before it fixed. ``solved``: the failed solve of
    ``built.lp`` itself (perfect foresight), whose verdict the diagnosis need not repeat."""
    if mode is PlanningMode.MYOPIC:
        failed = failed_step(built.lp, scenario.planning_years, scenario.config.periods.baseline_year, options)
        if failed is not None:
            year, step = failed
            diagnosis = explain_built(scenario.name, built.data, step, checks, options, fewest=fewest)
            return replace(diagnosis, context=f"(myopic planning, year {year} with the decisions of earlier "
                                              "years fixed)")
    return explain_built(scenario.name, built.data, built.lp, checks, options, fewest=fewest,
                         solved=solved if solved is not None and solved.backend is Backend.HIGHSPY else None)


def _solve_with_pyomo(lp: LinearProgram, options: SolverOptions) -> Solution:
    from lup_opt.solve.pyomo_backend import solve_with_pyomo  # Pyomo is loaded only on the Pyomo path

    return solve_with_pyomo(lp, options)


# Absolute slack on the loss cap: above HiGHS's primal feasibility tolerance (1e-7), so that the
# second stage is not infeasible by round-off, and too small to buy any objective worth reporting.
FEWEST_LOSSES_SLACK_HA = 1e-6
PRICE_AUTO_COLUMNS = 200_000  # ldn.price_of_neutrality: auto re-solves LPs up to this many columns


def _strict_hierarchy(scenario: Scenario) -> bool:
    ldn = scenario.config.ldn
    return ldn.enabled and ldn.hierarchy is LdnHierarchy.STRICT


def _prices_neutrality(scenario: Scenario, lp: LinearProgram) -> bool:
    setting = scenario.config.ldn.price_of_neutrality
    if not scenario.config.ldn.enabled or setting is NeutralityPrice.OFF:
        return False
    return setting is NeutralityPrice.ON or lp.num_cols <= PRICE_AUTO_COLUMNS


def _fewest_losses_first(
    scenario: Scenario, built: BuiltModel, options: SolverOptions
) -> tuple[BuiltModel, dict, Solution | None]:
    """``ldn.hierarchy: strict``: the fewest hectares lost (summed over the planning years), then the
    LP again with that loss area as a cap (C-LDN-H). The third item is the first stage's
    solution when it found no plan (the second stage would fail the same way), else None."""
    first = least_losses(built.lp, loss_years(built.data.ldn), options)
    report = {"hierarchy": "strict", "first_stage": first.status.value,
              "first_stage_seconds": round(first.solver_seconds, 4)}
    if not first.is_optimal:
        return built, report, first
    fewest = float(first.objective)
    tolerance = scenario.config.ldn.loss_tolerance
    cap = fewest * (1.0 + tolerance) + FEWEST_LOSSES_SLACK_HA
    start = perf_counter()
    data = replace(built.data, ldn_loss_cap=cap)
    lp = build_lp(data)
    report.update({"fewest_loss_ha_years": fewest, "loss_cap_ha_years": cap, "loss_tolerance": tolerance})
    return BuiltModel(data, lp, built.data_seconds, built.build_seconds + perf_counter() - start), report, None


def _aggregation(scenario: Scenario, merge_alike: bool) -> Aggregation:
    start = perf_counter()
    out = aggregate(scenario, per_land_unit(scenario.config)) if merge_alike \
        else no_aggregation(scenario, "switched off")
    out.report["seconds"] = round(perf_counter() - start, 4)
    return out
