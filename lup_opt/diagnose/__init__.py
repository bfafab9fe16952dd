"""Feasibility you can act on: checks before solving, explanations of infeasible scenarios,
evaluation of a given plan."""
