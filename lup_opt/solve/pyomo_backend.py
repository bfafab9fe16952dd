"""The same LP as a Pyomo ``ConcreteModel`` with named, indexed components.

For users who add their own constraints or reach another solver through Pyomo. The model is made
from the LP's blocks, so it is the same LP by construction: one ``Var`` per variable block indexed
by its labels (``area[land_unit, baseline_use, use, period]``), one ``Constraint`` per constraint
block (``ldn_neutrality[land_type, jurisdiction, period]``), one ``Objective``. Building Pyomo
expressions costs microseconds per non-zero, so this path is for models up to about 100,000 land
units; the highspy backend is the fast path. The Pyomo backend solves the model as Pyomo's
standard-form compiler gives it (``pyomo.repn.plugins.standard_form``), with HiGHS.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from time import perf_counter

import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.common.gc_manager import PauseGC
from pyomo.core.expr.numeric_expr import LinearExpression
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from lup_opt.enums import Backend, ObjectiveSense
from lup_opt.errors import LupOptError
from lup_opt.model.lp import ConstraintBlock, LinearProgram, VariableBlock
from lup_opt.solve.highs import solve_with_highspy
from lup_opt.solve.options import Solution, SolverOptions

logger = logging.getLogger(__name__)


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


def compiled_lp(model: pyo.ConcreteModel, lp: LinearProgram) -> LinearProgram:
    """The LP that Pyomo's standard-form compiler makes of ``model`` (``lp``'s Pyomo model, maybe
    with the user's changes to bounds and coefficients), in ``lp``'s order of columns and rows:
    every number (coefficients, bounds, costs, offset, sense) is read from the Pyomo model."""
    columns, rows = model_columns(model, lp), model_rows(model, lp)
    form = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None, column_order=columns,
                                              row_order=rows)
    if len(form.objectives) != 1 or form.eliminated_vars:
        raise LupOptError("the Pyomo model no longer has the LP's shape (one objective, every variable kept)")
    col_at = {id(v): j for j, v in enumerate(columns)}
    row_at = {id(c): i for i, c in enumerate(rows)}
    to_lp_columns = sp.csc_matrix((np.ones(len(form.columns)), (np.arange(len(form.columns)),
                                   [col_at[id(v)] for v in form.columns])), shape=(len(form.columns), lp.num_cols))
    # mixed form: one entry per equality (0), and one per upper (+1) and lower (-1) bound of a row
    # with both, the same coefficients in each; a row the compiler left out has no bounds (or no
    # columns) and stays free.
    row_lower, row_upper = np.full(lp.num_rows, -np.inf), np.full(lp.num_rows, np.inf)
    first: dict[int, int] = {}
    for k, ((constraint, side), rhs) in enumerate(zip(form.rows, form.rhs, strict=True)):
        i = row_at[id(constraint)]
        first.setdefault(i, k)
        if side >= 0:
            row_upper[i] = rhs
        if side <= 0:
            row_lower[i] = rhs
    kept = np.fromiter(first, dtype=int, count=len(first))
    to_lp_rows = sp.csr_matrix((np.ones(len(kept)), (kept, np.fromiter(first.values(), dtype=int, count=len(kept)))),
                               shape=(lp.num_rows, len(form.rows)))
    lower = np.array([-np.inf if v.lb is None else float(v.lb) for v in columns])
    upper = np.array([np.inf if v.ub is None else float(v.ub) for v in columns])
    sense = ObjectiveSense.MINIMIZE if form.objectives[0].sense == pyo.minimize else ObjectiveSense.MAXIMIZE
    compiled = replace(lp, sense=sense, matrix=sp.csc_matrix(to_lp_rows @ form.A @ to_lp_columns),
                       cost=np.asarray((form.c @ to_lp_columns).todense()).ravel(),
                       objective_offset=float(form.c_offset[0]), cost_by_period={})
    return compiled.with_bounds(lower, upper, row_lower, row_upper)


def solve_with_pyomo(lp: LinearProgram, options: SolverOptions | None = None) -> Solution:
    """Build the Pyomo model of ``lp``, compile it with Pyomo's standard-form compiler and solve
    that with HiGHS. (Pyomo's own HiGHS interfaces add the model a constraint at a time: 4.2 s
    to hand over the default's 32,500 columns, against 0.2 s to compile it.)"""
    options = options or SolverOptions()
    start = perf_counter()
    compiled = compiled_lp(to_pyomo(lp), lp)
    handoff = perf_counter() - start
    solved = solve_with_highspy(compiled, replace(options, keep_basis=False))
    return replace(solved, message=f"HiGHS via Pyomo's standard form: {solved.message}", backend=Backend.PYOMO,
                   handoff_seconds=handoff + solved.handoff_seconds, ranging=None, basis=None,
                   row_values=None if solved.col_values is None else np.asarray(lp.matrix @ solved.col_values))
