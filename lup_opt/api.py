"""The Python API: load a scenario, solve it, get a :class:`Result`.

Stages, each handing an immutable object to the next:
scenario files -> Scenario -> ModelData -> LinearProgram -> Solution -> Result.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from time import perf_counter

import pyomo.environ as pyo

from lup_opt.data.model_data import ModelData, build_model_data
from lup_opt.enums import Backend, SolverMethod
from lup_opt.model.build import build_lp
from lup_opt.model.lp import LinearProgram
from lup_opt.results.postprocess import make_result
from lup_opt.results.result import Result
from lup_opt.scenario.scenario import Scenario
from lup_opt.solve.highs import solve_with_highspy
from lup_opt.solve.options import SolverOptions
from lup_opt.solve.pyomo_backend import solve_with_pyomo, to_pyomo

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuiltModel:
    """A scenario's model data and LP, with the seconds each took."""

    data: ModelData
    lp: LinearProgram
    data_seconds: float
    build_seconds: float


def build(scenario: Scenario) -> BuiltModel:
    """Prepare model data and assemble the LP (no solver involved)."""
    start = perf_counter()
    data = build_model_data(scenario)
    middle = perf_counter()
    lp = build_lp(data)
    return BuiltModel(data, lp, middle - start, perf_counter() - middle)


def pyomo_model(scenario: Scenario) -> pyo.ConcreteModel:
    """The scenario's LP as a Pyomo ConcreteModel with named, indexed components."""
    return to_pyomo(build(scenario).lp)


def solve(
    scenario: Scenario,
    *,
    backend: Backend | str = Backend.HIGHSPY,
    method: SolverMethod | str = SolverMethod.IPM,
    time_limit: float | None = None,
    threads: int | None = None,
    presolve: bool = True,
    crossover: bool = True,
) -> Result:
    """Solve a scenario. Infeasibility, time limits and solver errors are results, not errors."""
    options = SolverOptions(
        method=SolverMethod(method), time_limit=time_limit, threads=threads,
        presolve=presolve, crossover=crossover,
    )
    built = build(scenario)
    backend = Backend(backend)
    solver = solve_with_highspy if backend is Backend.HIGHSPY else solve_with_pyomo
    solution = solver(built.lp, options)
    logger.info("%s: %s (objective %s)", scenario.name, solution.status.value, solution.objective)
    seconds = {
        "load": scenario.load_seconds,
        "model_data": built.data_seconds,
        "build": built.build_seconds,
        "handoff": solution.handoff_seconds,
        "solve": solution.solver_seconds,
        "extract": solution.extract_seconds,
    }
    return make_result(scenario, built.data, built.lp, solution, options, seconds)
