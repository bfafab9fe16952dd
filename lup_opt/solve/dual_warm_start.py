"""Duals of the coupling rows before column generation: a stabilised Dantzig-Wolfe phase over
whole plans, for :mod:`lup_opt.solve.structured`.

Column generation is only as fast as its first duals: with poor ones nearly every part prices
out and the second restricted master is as hard as the full LP (measured at 100,000 parcels:
166,693 of 175,344 parts, 834 s of simplex). The coupling rows are few (a few dozen), so their
duals can be found first on a far smaller LP:

- the parts are split into ``blocks`` (contiguous runs of parts); a *plan* of a block gives
  every part of it one area column (its whole area on that path), so a plan is one column of
  the *aggregated master*: its cost, its activity on each coupling row and a 1 in the block's
  convexity row. The master holds the coupling rows, one convexity row per block, every column
  that is not an area column, and artificial columns at a penalty (so it is always feasible);
- each round prices every area column at once (``d = c - A^T y``, one sparse product) and gives
  each block its best plan: per part the cheapest column. This is the Lagrangian subproblem, so
  the same product gives a lower bound on the LP's optimum (``lagrangian_bound``);
- the duals priced are smoothed towards the best bound found so far (Wentges smoothing, with
  the mis-pricing rule of Pessoa et al. 2018, "Automation and combination of linear-programming
  based stabilization techniques in column generation", INFORMS J. Computing 30(2)): plain
  Kelley cutting planes zig-zag in the dual and stalled 22 % short of the optimum in 60 rounds;
- it stops when the master's value and the bound meet within ``gap`` (relative), or at its
  round limit. Blocks disaggregate the master (a plan per block rather than one for the whole
  LP), which is what lets it converge in tens of rounds.

The result is only a warm start: the area columns of the plans the final master mixes and each
part's best column at the best duals. Column generation then proves optimality on the full LP.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import highspy
import numpy as np
import scipy.sparse as sp

from lup_opt.enums import SolverMethod
from lup_opt.solve.highs import DUAL_SIMPLEX, PRIMAL_SIMPLEX, _configure, apply_time_limit, highs_bounds, new_highs

if TYPE_CHECKING:
    from lup_opt.model.lp import LinearProgram
    from lup_opt.solve.area_structure import AreaStructure
    from lup_opt.solve.options import SolverOptions

logger = logging.getLogger(__name__)


DUAL_SIMPLEX_STRATEGY, PRIMAL_SIMPLEX_STRATEGY = DUAL_SIMPLEX, PRIMAL_SIMPLEX  # HiGHS's simplex_strategy


@dataclass(frozen=True)
class WarmStartSettings:
    rounds: int = 150  # at most this many pricing rounds
    blocks: int = 64  # the parts split into this many runs, one convexity row each
    smoothing: float = 0.7  # Wentges's alpha: weight of the best-bound duals in the priced ones
    # stop once master value and Lagrangian bound are this close, relative: tighter than the
    # certificate's 1e-9, so that a converged plan with the best bound's duals is certified
    # (at 1e-5 a million parcels stopped at a gap of 5e-6 and went to column generation)
    gap: float = 1e-10


@dataclass
class WarmStartOutcome:
    chosen: np.ndarray  # per area column, whether it starts in the restricted master
    rounds: int
    master_value: float
    bound: float
    plans: int  # block plans added to the aggregated master
    converged: bool  # the bound met the master's value within the settings' gap
    x: np.ndarray  # the final aggregated master's plan as a point of the full LP
    y: np.ndarray  # its duals as row duals of the full LP (the LP's sense, HiGHS's convention)


def _run_master(highs: highspy.Highs, options: SolverOptions) -> bool:
    """Solve the aggregated master, True if optimal. Where dual simplex fails on it (an
    artificial column's penalty can make duals too large for HiGHS's ratio test: 'Solve error'
    on the master of a trade-off frontier's point), primal simplex from scratch, then interior
    point; the next round restarts with dual simplex."""
    attempts = ({}, {"simplex_strategy": PRIMAL_SIMPLEX_STRATEGY}, {"solver": SolverMethod.IPM.value})
    for n, changes in enumerate(attempts):
        for name, value in changes.items():
            highs.setOptionValue(name, value)
        if n:
            highs.clearSolver()
        apply_time_limit(highs, options)
        highs.run()
        status = highs.getModelStatus()
        highs.setOptionValue("simplex_strategy", DUAL_SIMPLEX_STRATEGY)
        highs.setOptionValue("solver", SolverMethod.SIMPLEX.value)
        if status == highspy.HighsModelStatus.kOptimal:
            return True
        if status != highspy.HighsModelStatus.kSolveError:
            return False
        logger.debug("warm start: the aggregated master ended 'Solve error'; trying %s", attempts[n + 1:][:1])
    return False


def plan_columns(lp: LinearProgram, structure: AreaStructure, sign: float, usable: np.ndarray,
                 starts: np.ndarray, coupling: np.ndarray, penalty: float, options: SolverOptions,
                 settings: WarmStartSettings, duals: np.ndarray | None = None) -> WarmStartOutcome | None:
    """The area columns of the first restricted master (see the module's docstring), or None
    where the phase cannot run (a part with no usable column, HiGHS failing on the master).
    ``duals``: the coupling rows' duals of a nearby LP (a frontier's previous point), in the LP's
    sign convention; its cheapest plans start the master and its bound the stability centre."""
    area = structure.area
    n_parts, part = structure.n_parts, structure.part
    part_area = lp.row_lower[structure.part_rows]
    area_cost = sign * lp.cost[area]
    matrix = lp.matrix  # products with the whole matrix, C-AREA rows weighted 0: no copies
    k = len(coupling)
    n_blocks = max(1, min(settings.blocks, n_parts))
    block_of_part = (np.arange(n_parts, dtype=np.int64) * n_blocks) // n_parts
    # part area on (part, block): a part's column choice times this gives its block's plan
    spread = sp.csr_matrix((part_area, (np.arange(n_parts), block_of_part)), shape=(n_parts, n_blocks))
    offer = np.where(usable, 0.0, np.inf)
    if np.any(np.minimum.reduceat(offer, starts) > 0):
        logger.info("warm start: a part of land has no usable column; no warm start")
        return None

    others = np.r_[np.arange(0, area.start), np.arange(area.stop, lp.num_cols)].astype(np.int64)
    other_cost = sign * lp.cost[others]
    other_lower, other_upper = lp.col_lower[others], lp.col_upper[others]
    other_block = matrix[:, others].tocsr()[coupling].tocsc()  # few columns
    row_lower, row_upper = lp.row_lower[coupling], lp.row_upper[coupling]

    highs = new_highs()
    _configure(highs, replace(options, method=SolverMethod.SIMPLEX), None)
    highs.setOptionValue("output_flag", False)
    highs.passModel(
        len(others), k + n_blocks, int(other_block.nnz), int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMinimize), 0.0, np.ascontiguousarray(other_cost), highs_bounds(other_lower),
        highs_bounds(other_upper), highs_bounds(np.r_[row_lower, np.ones(n_blocks)]),
        highs_bounds(np.r_[row_upper, np.ones(n_blocks)]), other_block.indptr.astype(np.int32),
        other_block.indices.astype(np.int32), np.ascontiguousarray(other_block.data, dtype=float),
        np.zeros(len(others), dtype=np.int32),
    )
    need_up = np.flatnonzero(np.isfinite(row_lower))
    need_down = np.flatnonzero(np.isfinite(row_upper))
    art_rows = np.r_[need_up, need_down]
    if len(art_rows):
        highs.addCols(len(art_rows), np.full(len(art_rows), penalty), np.zeros(len(art_rows)),
                      np.full(len(art_rows), highspy.kHighsInf), len(art_rows),
                      np.arange(len(art_rows), dtype=np.int32), art_rows.astype(np.int32),
                      np.r_[np.ones(len(need_up)), -np.ones(len(need_down))])
    first_plan = highs.getNumCol()
    # Per plan column of the master: its block, and each of the block's parts' column (offset
    # within the part, int16 where it fits, to keep a hundred rounds of 100,000s of parts small).
    plan_block: list[int] = []
    plan_offset: list[np.ndarray] = []
    offset_type = np.int16 if np.diff(np.r_[starts, structure.n_area]).max() < 2 ** 15 else np.int32
    block_starts = np.searchsorted(block_of_part, np.arange(n_blocks))
    block_stops = np.r_[block_starts[1:], n_parts]

    def best_columns(reduced: np.ndarray) -> np.ndarray:
        values = reduced + offer
        mins = np.minimum.reduceat(values, starts)
        hit = np.flatnonzero(values == mins[part])
        return hit[np.r_[True, part[hit][1:] != part[hit][:-1]]]

    def add_plans(columns: np.ndarray, blocks: np.ndarray) -> None:
        """Each of ``blocks``' plan with every part on ``columns`` (one area column per part)."""
        activity = (matrix[:, area.start + columns] @ spread[:, blocks]).tocsr()[coupling].tocsc()
        costs = np.asarray(spread[:, blocks].T @ area_cost[columns]).ravel()
        indicator = sp.csc_matrix((np.ones(len(blocks)), (blocks, np.arange(len(blocks)))),
                                  shape=(n_blocks, len(blocks)))
        column_block = sp.vstack([activity, indicator]).tocsc()
        column_block.sort_indices()
        highs.addCols(len(blocks), costs, np.zeros(len(blocks)), np.full(len(blocks), highspy.kHighsInf),
                      int(column_block.nnz), column_block.indptr[:-1].astype(np.int32),
                      column_block.indices.astype(np.int32), np.ascontiguousarray(column_block.data, dtype=float))
        offsets = (columns - starts).astype(offset_type)
        for b in blocks:
            plan_block.append(int(b))
            plan_offset.append(offsets[block_starts[b]:block_stops[b]].copy())

    def lagrangian(weights: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """The Lagrangian bound at coupling duals ``weights`` (minimisation form), the reduced
        costs of the area columns, and each part's cheapest column under them."""
        full = np.zeros(lp.num_rows)
        full[coupling] = weights
        reduced_all = sign * lp.cost - matrix.T @ full
        reduced = reduced_all[area]
        columns = best_columns(reduced)
        d_other = reduced_all[others]
        tiny = np.abs(d_other) <= 1e-9 * (1.0 + np.abs(other_cost))
        with np.errstate(invalid="ignore"):
            term = np.where(tiny, 0.0, np.where(d_other > 0, d_other * other_lower, d_other * other_upper))
        side = np.where(weights > 0, row_lower, np.where(weights < 0, row_upper, 0.0))
        with np.errstate(invalid="ignore"):
            row_term = np.where(weights == 0, 0.0, weights * side)
        bound = float(row_term.sum() + term.sum() + reduced[columns] @ part_area)
        if not np.isfinite(bound):
            bound = -np.inf
        return bound, reduced, columns

    zero = np.zeros(k)
    bound0, _, columns0 = lagrangian(zero)
    add_plans(columns0, np.arange(n_blocks))
    keep = np.flatnonzero(structure.keep & usable)
    if len(keep) and len(np.unique(part[keep])) == n_parts:
        add_plans(keep[np.r_[True, part[keep][1:] != part[keep][:-1]]], np.arange(n_blocks))
    center, best_bound, center_columns = zero, bound0, columns0
    if duals is not None:
        start = sign * np.asarray(duals, dtype=float)
        bound1, _, columns1 = lagrangian(start)
        add_plans(columns1, np.arange(n_blocks))
        if bound1 > best_bound:
            center, best_bound, center_columns = start, bound1, columns1
    value = np.inf
    rounds = 0
    converged = at_bound = False
    for rounds in range(1, settings.rounds + 1):
        if options.out_of_time():
            return None
        if not _run_master(highs, options):
            logger.info("warm start: the aggregated master ended '%s' in round %d; no warm start",
                        highs.modelStatusToString(highs.getModelStatus()), rounds)
            return None
        duals = np.asarray(highs.getSolution().row_dual)
        y_out, mu = duals[:k], duals[k:]
        value = float(highs.getInfo().objective_function_value)
        if value - best_bound <= settings.gap * max(1.0, abs(value)):
            converged = at_bound = True
            break
        # Mis-pricing sequence: from the smoothed duals towards the master's until a plan
        # prices out against the master (at alpha 0 it is Kelley's step, which always does
        # unless the master is optimal).
        alpha, step, added = settings.smoothing, 0, False
        while not added:
            step += 1
            a = max(0.0, 1.0 - step * (1.0 - settings.smoothing)) if step > 1 else alpha
            y_sep = a * center + (1.0 - a) * y_out
            bound, reduced, columns = lagrangian(y_sep)
            if bound > best_bound:
                center, best_bound, center_columns = y_sep, bound, columns
            if a == 0.0:
                reduced_out = reduced
            else:
                full = np.zeros(lp.num_rows)
                full[coupling] = y_out
                reduced_out = area_cost - (matrix.T @ full)[area]
            block_reduced = np.asarray(spread.T @ reduced_out[columns]).ravel() - mu
            pricing = np.flatnonzero(block_reduced < -1e-9 * max(1.0, abs(value)))
            if len(pricing):
                add_plans(columns, pricing)
                added = True
            elif a == 0.0:
                break
        logger.debug("warm start round %d: master %.10g, Lagrangian bound %.10g", rounds, value, best_bound)
        if not added:  # the master is optimal for the aggregated problem: the bound is its value
            best_bound = max(best_bound, value)
            converged = True
            break
    final = highs.getSolution()
    weights = np.asarray(final.col_value)[first_plan:]
    x = np.zeros(lp.num_cols)
    x[others] = np.asarray(final.col_value)[:len(others)]
    for weight, block, offsets in zip(weights, plan_block, plan_offset, strict=True):
        if weight > 0:
            parts = np.arange(block_starts[block], block_stops[block])
            x[area.start + starts[parts] + offsets] += weight * part_area[parts]
    y_out = np.asarray(final.row_dual)[:k]
    full = np.zeros(lp.num_rows)
    # Converged on the bound, the duals that attain it (the stability centre) are the optimal
    # ones; the master's own may still let a column price out (a million parcels: dual
    # violation 4e-4 at a gap of 5e-10). Where no plan priced out, the master's are.
    full[coupling] = center if at_bound else y_out
    reduced_out = area_cost - (matrix.T @ full)[area]
    full[structure.part_rows] = np.minimum.reduceat(reduced_out + offer, starts)
    chosen = np.zeros(structure.n_area, dtype=bool)
    for weight, block, offsets in zip(weights, plan_block, plan_offset, strict=True):
        if weight > 1e-12:
            chosen[starts[block_starts[block]:block_stops[block]] + offsets] = True
    chosen[center_columns] = True
    logger.info("warm start: %d rounds, %d block plans, master %.10g, Lagrangian bound %.10g", rounds,
                len(plan_block), value, best_bound)
    return WarmStartOutcome(chosen, rounds, value, best_bound, len(plan_block), converged,
                            x, sign * full)
