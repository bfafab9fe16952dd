"""The only layer that touches a solver."""

from lup_opt.solve.highs import solve_with_highspy
from lup_opt.solve.options import Solution, SolverOptions

__all__ = ["Solution", "SolverOptions", "solve_with_highspy"]
