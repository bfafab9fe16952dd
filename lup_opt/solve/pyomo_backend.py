"""The same LP as a Pyomo ``ConcreteModel`` with named, indexed components.

For users who add their own constraints or reach another solver through Pyomo. The model is made
from the LP's blocks, so it is the same LP by construction: one ``Var`` per variable block indexed
by its labels (``area[land_unit, baseline_use, use, period]``), one ``Constraint`` per constraint
block (``ldn_neutrality[land_type, jurisdiction, period]``), one ``Objective``. Building Pyomo
expressions costs microseconds per non-zero, so this path is for models up to about 100,000 land
units; the highspy backend is the fast path.
"""

from __future__ import annotations

import io
import logging
from time import perf_counter

import numpy as np
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.contrib.solver.common.results import TerminationCondition
from pyomo.contrib.solver.solvers.highs import Highs
from pyomo.core.expr.numeric_expr import LinearExpression

from lup_opt.enums import Backend, ObjectiveSense, SolveStatus
from lup_opt.model.lp import ConstraintBlock, LinearProgram, VariableBlock
from lup_opt.solve.highs import highs_version, thread_pool_for
from lup_opt.solve.options import Solution, SolverOptions

logger = logging.getLogger(__name__)

_STATUS = {
    TerminationCondition.convergenceCriteriaSatisfied: SolveStatus.OPTIMAL,
    TerminationCondition.provenInfeasible: SolveStatus.INFEASIBLE,
    TerminationCondition.locallyInfeasible: SolveStatus.INFEASIBLE,
    TerminationCondition.infeasibleOrUnbounded: SolveStatus.INFEASIBLE,
    TerminationCondition.unbounded: SolveStatus.UNBOUNDED,
    TerminationCondition.maxTimeLimit: SolveStatus.TIME_LIMIT,
}


def _index(labels, key: tuple[str, ...]) -> list:
    columns = [labels[c].astype(object).tolist() if labels[c].dtype == "category" else labels[c].tolist()
               for c in key]
    return columns[0] if len(columns) == 1 else list(zip(*columns, strict=True))


def _bound(value: float) -> float | None:
    return None if np.isinf(value) else float(value)


def _add_variables(model: pyo.ConcreteModel, block: VariableBlock) -> list:
    index = pyo.Set(initialize=_index(block.labels, block.key), dimen=len(block.key), ordered=True)
    model.add_component(f"{block.name}_index", index)
    nonnegative = bool(np.all(block.lower == 0))
    var = pyo.Var(index, domain=pyo.NonNegativeReals if nonnegative else pyo.Reals, dense=True)
    model.add_component(block.name, var)
    data = list(var.values())
    # With the non-negative domain only finite upper bounds remain to set; otherwise set all.
    special = np.flatnonzero(~np.isinf(block.upper)) if nonnegative else np.arange(block.size)
    for j in special:
        data[j].setlb(_bound(block.lower[j]))
        data[j].setub(_bound(block.upper[j]))
    return data


def _add_constraints(model: pyo.ConcreteModel, block: ConstraintBlock, lp: LinearProgram, columns: list) -> None:
    rows = lp.rows[block.slice]
    keys = _index(block.labels, block.key)
    bodies = {}
    for r, key in enumerate(keys):
        start, end = rows.indptr[r], rows.indptr[r + 1]
        body = LinearExpression(
            constant=0.0,
            linear_coefs=rows.data[start:end].tolist(),
            linear_vars=[columns[j] for j in rows.indices[start:end]],
        )
        lower, upper = block.lower[r], block.upper[r]
        bodies[key] = (body == lower) if lower == upper else (_bound(lower), body, _bound(upper))
    index = pyo.Set(initialize=keys, dimen=len(block.key), ordered=True)
    model.add_component(f"{block.name}_index", index)
    model.add_component(
        block.name,
        pyo.Constraint(index, rule=lambda m, *key: bodies[key[0] if len(key) == 1 else key]),
    )


def to_pyomo(lp: LinearProgram) -> pyo.ConcreteModel:
    """Build the Pyomo model of ``lp`` (same variables, rows and objective, with names)."""
    start = perf_counter()
    with PauseGC():
        model = pyo.ConcreteModel(name=lp.name)
        columns: list = []
        for block in lp.variables:
            columns.extend(_add_variables(model, block))
        for block in lp.constraints:
            _add_constraints(model, block, lp, columns)
        nonzero = np.flatnonzero(lp.cost)
        model.objective = pyo.Objective(
            expr=LinearExpression(
                constant=float(lp.objective_offset),
                linear_coefs=lp.cost[nonzero].tolist(),
                linear_vars=[columns[j] for j in nonzero],
            ),
            sense=pyo.minimize if lp.sense is ObjectiveSense.MINIMIZE else pyo.maximize,
        )
    logger.info("Pyomo model built in %.2f s", perf_counter() - start)
    return model


def model_columns(model: pyo.ConcreteModel, lp: LinearProgram) -> list:
    """The model's variables in the LP's column order."""
    return [v for block in lp.variables for v in getattr(model, block.name).values()]


def model_rows(model: pyo.ConcreteModel, lp: LinearProgram) -> list:
    """The model's constraints in the LP's row order."""
    return [c for block in lp.constraints for c in getattr(model, block.name).values()]


def solve_with_pyomo(lp: LinearProgram, options: SolverOptions | None = None) -> Solution:
    """Build the Pyomo model and solve it through Pyomo's HiGHS interface."""
    options = options or SolverOptions()
    start = perf_counter()
    model = to_pyomo(lp)
    log = io.StringIO()
    solver_options = {
        "solver": options.method.value,
        "run_crossover": "on" if options.crossover else "off",
        "presolve": "on" if options.presolve else "off",
    }
    config = {"tee": [log], "load_solutions": False, "raise_exception_on_nonoptimal_result": False,
              "solver_options": solver_options}
    if options.time_limit is not None:
        config["time_limit"] = options.time_limit
    config["threads"] = options.solver_threads
    thread_pool_for(options.solver_threads)  # Pyomo's Highs shares the process's pool
    build_seconds = perf_counter() - start
    start = perf_counter()
    results = Highs().solve(model, **config)
    wall = perf_counter() - start
    # HiGHS's own run time; the rest of Pyomo's solve call is handing the model over.
    solver_seconds = float(getattr(results.timing_info, "highs_time", None) or wall)
    handoff = build_seconds + max(0.0, wall - solver_seconds)
    status = _STATUS.get(results.termination_condition, SolveStatus.ERROR)
    message = f"HiGHS via Pyomo: {results.termination_condition.name}"

    start = perf_counter()
    values = row_values = duals = col_duals = None
    objective = None
    if status is SolveStatus.OPTIMAL:
        results.solution_loader.load_vars()
        columns = model_columns(model, lp)
        values = np.array([v.value if v.value is not None else 0.0 for v in columns], dtype=float)
        dual_map = results.solution_loader.get_duals()
        duals = np.array([dual_map.get(c, 0.0) for c in model_rows(model, lp)], dtype=float)
        # HiGHS's column duals (reduced costs), as the highspy backend returns them.
        reduced = results.solution_loader.get_reduced_costs()
        col_duals = np.array([reduced.get(v, 0.0) for v in columns], dtype=float)
        row_values = lp.matrix @ values
        objective = float(results.incumbent_objective)
    extract = perf_counter() - start
    return Solution(
        status=status,
        message=message,
        objective=objective,
        col_values=values,
        row_values=row_values,
        row_duals=duals,
        col_duals=col_duals,
        backend=Backend.PYOMO,
        solver=highs_version(),
        handoff_seconds=handoff,
        solver_seconds=solver_seconds,
        extract_seconds=extract,
        log=log.getvalue(),
    )
