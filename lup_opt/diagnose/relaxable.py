"""The rows a planner can relax (hard targets, share targets, LDN rows, food balances, funds), in
scenario terms: each family says which of its rows are relaxable (``Family.relaxable``).
"""

from __future__ import annotations

from lup_opt.data.model_data import ModelData
from lup_opt.families.base import RelaxableKind, RelaxableRow
from lup_opt.families.registry import relaxable_rows as _family_rows
from lup_opt.model.lp import LinearProgram

TARGET, LDN, SHARE, EQUAL_SHARE, FOOD, FUNDS = (RelaxableKind.TARGET, RelaxableKind.LDN, RelaxableKind.SHARE,
                                                RelaxableKind.EQUAL_SHARE, RelaxableKind.FOOD, RelaxableKind.FUNDS)

__all__ = ["EQUAL_SHARE", "FOOD", "FUNDS", "LDN", "SHARE", "TARGET", "RelaxableKind", "RelaxableRow",
           "relaxable_rows"]


def relaxable_rows(data: ModelData, lp: LinearProgram) -> list[RelaxableRow]:
    return _family_rows(data, lp)
