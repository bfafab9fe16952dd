"""Model data -> linear program (named sparse blocks)."""

from lup_opt.model.build import BUILD_STEPS, build_lp
from lup_opt.model.lp import ConstraintBlock, LinearProgram, VariableBlock

__all__ = ["BUILD_STEPS", "ConstraintBlock", "LinearProgram", "VariableBlock", "build_lp"]
