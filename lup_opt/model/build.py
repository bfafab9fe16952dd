"""Model data -> linear program, by a readable sequence of small steps.

Each step adds one block of variables or rows of one family (:mod:`lup_opt.families`); its
docstring holds the math and its formulation ID matches ``models/formulation.md``.
"""

from __future__ import annotations

import logging
from time import perf_counter

from lup_opt.data.model_data import ModelData
from lup_opt.families.base import Family
from lup_opt.families.registry import REGISTRY, build_steps, formulation_ids
from lup_opt.model.lp import LinearProgram, LPBuilder

logger = logging.getLogger(__name__)

# Variables of every family first (rows refer to them), then rows, then the objective: the
# order of lup_opt.families.REGISTRY.
BUILD_STEPS = build_steps()

__all__ = ["BUILD_STEPS", "build_lp", "formulation_ids"]


def build_lp(data: ModelData, registry: tuple[Family, ...] = REGISTRY) -> LinearProgram:
    """The LP of ``data``: every family's variables, then every family's rows, in registry order
    (a registry other than the default is for a family being tried out, with data built by
    ``lup_opt.families.build_model_data(..., registry=...)``)."""
    start = perf_counter()
    lp = LPBuilder(data.scenario_name, data.objective.sense)
    for step in BUILD_STEPS if registry is REGISTRY else build_steps(registry):
        step(lp, data)
    program = lp.freeze()
    logger.info(
        "LP: %d rows, %d columns, %d non-zeros in %.2f s",
        program.num_rows, program.num_cols, program.num_nonzeros, perf_counter() - start,
    )
    return program
