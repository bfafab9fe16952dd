"""Model data -> linear program (named sparse blocks): the LP layer (``lp.py``) and one topic
module of build steps per family; ``build.py`` runs them in the order of
:data:`lup_opt.families.REGISTRY` (import it from ``lup_opt.model.build``)."""

from lup_opt.model.lp import ConstraintBlock, LinearProgram, VariableBlock

__all__ = ["ConstraintBlock", "LinearProgram", "VariableBlock"]
