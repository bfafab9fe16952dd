"""The optimality certificate of a plan and duals on the full LP, for the structured solve.

A plan found on a smaller LP (a restricted or aggregated master) is optimal for the full LP
when, on the full matrix, it meets every row and column bound, every reduced cost and row dual
has the sign its bound allows, and complementary slackness closes the duality gap. The checks
are vectorised over the whole matrix (two sparse products).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from lup_opt.enums import ObjectiveSense
from lup_opt.model.lp import LinearProgram

# The certificate's tolerances: feasibility (primal rows, dual signs) relative to the size of
# the terms involved, as HiGHS's own 1e-7; the duality gap relative to the objective.
FEASIBILITY_TOL = 1e-7
GAP_TOL = 1e-9


@dataclass(frozen=True)
class Certificate:
    """The checks of a plan and duals on the full LP (in the LP's own sense)."""

    primal_violation: float  # largest row or column bound violation, relative
    dual_violation: float  # largest reduced cost (or row dual) of the wrong sign, relative
    gap: float  # complementary slackness sum, relative to max(1, |objective|)
    objective: float
    worst_column: int | None  # the column with the largest dual violation, if any

    @property
    def ok(self) -> bool:
        return (self.primal_violation <= FEASIBILITY_TOL and self.dual_violation <= FEASIBILITY_TOL
                and self.gap <= GAP_TOL)

    def describe(self) -> str:
        return (f"primal violation {self.primal_violation:.1e}, dual violation {self.dual_violation:.1e}, "
                f"gap {self.gap:.1e} (relative)")


def certify(lp: LinearProgram, x: np.ndarray, y: np.ndarray, objective: float | None = None) -> Certificate:
    """Check that plan ``x`` and row duals ``y`` (HiGHS's convention, ``c - A^T y`` are the
    column duals) are optimal for the full LP ``lp``: ``x`` meets every row and column bound,
    every reduced cost and row dual has the sign its bound allows, and complementary slackness
    holds; ``objective`` (e.g. the master's) must equal ``c @ x`` as well. Vectorised over the
    whole matrix."""
    sign = -1.0 if lp.sense is ObjectiveSense.MAXIMIZE else 1.0  # to minimisation
    matrix = lp.matrix
    absolute = sp.csc_matrix((np.abs(matrix.data), matrix.indices, matrix.indptr), shape=matrix.shape)
    activity = matrix @ x
    col_lower, col_upper = lp.col_lower, lp.col_upper
    row_lower, row_upper = lp.row_lower, lp.row_upper

    row_scale = 1.0 + absolute @ np.abs(x)
    with np.errstate(invalid="ignore"):
        row_excess = np.maximum(np.maximum(row_lower - activity, activity - row_upper), 0.0) / row_scale
        col_excess = np.maximum(np.maximum(col_lower - x, x - col_upper), 0.0) / (1.0 + np.abs(x))
    primal = float(max(np.nanmax(row_excess, initial=0.0), np.nanmax(col_excess, initial=0.0)))

    ymin = sign * y  # duals of the minimisation form
    d = sign * lp.cost - matrix.T @ ymin  # reduced costs of the minimisation form
    col_scale = 1.0 + np.abs(lp.cost) + absolute.T @ np.abs(ymin)
    # A reduced cost may be positive only where the column can sit at its lower bound, negative
    # only at its upper bound (a fixed column may take either); likewise row duals.
    at_lower = np.isfinite(col_lower) & (x - col_lower <= FEASIBILITY_TOL * (1.0 + np.abs(x)))
    at_upper = np.isfinite(col_upper) & (col_upper - x <= FEASIBILITY_TOL * (1.0 + np.abs(x)))
    col_wrong = np.where(at_lower, 0.0, np.maximum(d, 0.0)) + np.where(at_upper, 0.0, np.maximum(-d, 0.0))
    col_wrong /= col_scale
    row_at_lower = np.isfinite(row_lower) & (activity - row_lower <= FEASIBILITY_TOL * row_scale)
    row_at_upper = np.isfinite(row_upper) & (row_upper - activity <= FEASIBILITY_TOL * row_scale)
    row_wrong = (np.where(row_at_lower, 0.0, np.maximum(ymin, 0.0))
                 + np.where(row_at_upper, 0.0, np.maximum(-ymin, 0.0))) / (1.0 + np.abs(ymin))
    dual = float(max(col_wrong.max(initial=0.0), row_wrong.max(initial=0.0)))
    worst = int(np.argmax(col_wrong)) if col_wrong.size and col_wrong.max() > FEASIBILITY_TOL else None

    # Complementary slackness: the primal minus the dual objective, written as the sum of
    # |dual| x distance to the bound the dual's sign belongs to (finite wherever it counts).
    primal_objective = float(lp.cost @ x) + lp.objective_offset
    with np.errstate(invalid="ignore"):
        row_bound = np.where(ymin > 0, row_lower, np.where(ymin < 0, row_upper, activity))
        col_bound = np.where(d > 0, col_lower, np.where(d < 0, col_upper, x))
        slack = np.abs(ymin) * np.abs(activity - row_bound)
        col_slack = np.abs(d) * np.abs(x - col_bound)
    # A dual of the wrong sign on a side without a bound (infinite distance) is a dual
    # violation, measured above; it adds nothing here.
    slack[~np.isfinite(slack)] = 0.0
    col_slack[~np.isfinite(col_slack)] = 0.0
    slackness = float(slack.sum() + col_slack.sum())
    scale = max(1.0, abs(primal_objective))
    gap = slackness / scale
    if objective is not None:
        gap = max(gap, abs(primal_objective - objective) / scale)
    return Certificate(primal, dual, gap, primal_objective, worst)
