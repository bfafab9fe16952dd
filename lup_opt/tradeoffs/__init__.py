"""Trade-offs between objectives: pay-off tables, frontiers, weighted, hierarchical and max-min
compromises, a robust compromise under uncertainty, and near-optimal alternatives."""

from lup_opt.tradeoffs.api import (
    alternatives,
    compromise_of,
    frontier_of,
    lexicographic,
    payoff,
    robust,
    weighted,
)
from lup_opt.tradeoffs.objectives import ObjectiveSpec

__all__ = ["ObjectiveSpec", "alternatives", "compromise_of", "frontier_of", "lexicographic", "payoff", "robust",
           "weighted"]
