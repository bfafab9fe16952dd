"""Trade-offs between objectives: pay-off tables, frontiers, weighted and max-min compromises,
the hierarchy of objectives, a robust compromise under uncertainty, and near-optimal alternatives."""

from lup_opt.tradeoffs.api import (
    alternatives,
    compromise_of,
    frontier_of,
    hierarchy,
    payoff,
    robust,
    weighted,
)
from lup_opt.tradeoffs.api import lexicographic as lexicographic  # deprecated name of hierarchy
from lup_opt.tradeoffs.objectives import ObjectiveSpec

__all__ = ["ObjectiveSpec", "alternatives", "compromise_of", "frontier_of", "hierarchy", "payoff", "robust",
           "weighted"]
