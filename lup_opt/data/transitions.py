"""Which from -> to changes are allowed where, and what a converted hectare adds to indicators.

Rules (``transitions.csv``) are resolved per pair of uses, not per land unit: the result is a
small ``(uses, uses, zones)`` table that the column builder indexes with arrays.

- By default every change is allowed (``transitions.default_allowed``), except leaving a sealed
  use, which is irreversible and no rule can reopen.
- The most specific row for a pair wins: ``from -> to`` beats ``from -> *`` and ``* -> to``, which
  beat ``* -> *``. Two one-sided rows that both cover a pair and disagree are an error.
- ``zones`` lists where a rule's change is allowed (empty: everywhere).
- Wildcard rows never touch staying in the baseline use; only an exact ``a -> a`` row can
  (to force change), and it may only set ``allowed``.
- Indicator columns give per-hectare values of the converted area (e.g. a conversion cost).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lup_opt.errors import IssueCollector
from lup_opt.scenario.checks import split_list
from lup_opt.scenario.schemas import ZONES
from lup_opt.scenario.tables import LINE, WILDCARD


@dataclass(frozen=True)
class TransitionRules:
    allowed: np.ndarray  # bool (n_uses, n_uses, n_zones)
    coefficients: np.ndarray  # float (n_indicators, n_uses, n_uses), zero on the diagonal
    rule_line: np.ndarray  # int (n_uses, n_uses): line of the deciding row, 0 = default


def resolve_transition_rules(
    table: pd.DataFrame,
    uses: pd.DataFrame,
    indicators: tuple[str, ...],
    default_allowed: bool,
    label: str,
) -> TransitionRules:
    n_uses, n_zones = len(uses), len(ZONES)
    use_index = {u: i for i, u in enumerate(uses["id"])}
    sealed = uses["sealed"].to_numpy(dtype=bool)
    diagonal = np.eye(n_uses, dtype=bool)

    allowed = np.full((n_uses, n_uses, n_zones), default_allowed)
    allowed[sealed] = False  # leaving a sealed use is irreversible
    allowed[diagonal] = True
    coefficients = np.zeros((len(indicators), n_uses, n_uses))
    level = np.full((n_uses, n_uses), -1)
    deciding_row = np.full((n_uses, n_uses), -1)
    issues = IssueCollector()

    values = table[list(indicators)].to_numpy(dtype=float) if indicators else np.zeros((len(table), 0))
    lines = table[LINE].to_numpy()

    from_wild = (table["from_use"] == WILDCARD).to_numpy()
    to_wild = (table["to_use"] == WILDCARD).to_numpy()
    specificity = (~from_wild).astype(int) + (~to_wild).astype(int)
    for r in np.argsort(specificity, kind="stable"):
        frm = np.arange(n_uses) if from_wild[r] else np.array([use_index[table["from_use"].iat[r]]])
        to = np.arange(n_uses) if to_wild[r] else np.array([use_index[table["to_use"].iat[r]]])
        cells = np.zeros((n_uses, n_uses), dtype=bool)
        cells[np.ix_(frm, to)] = True
        if specificity[r] < 2:
            cells &= ~diagonal
            cells[sealed, :] &= diagonal[sealed, :]
        elif frm[0] == to[0] and values[r].any():
            issues.add(label, f"line {lines[r]}", "a row from a use to itself can only set 'allowed'")
            continue
        clash = cells & (level == specificity[r])
        for a, b in zip(*np.nonzero(clash), strict=True):
            other = deciding_row[a, b]
            if not _same_rule(table, values, other, r):
                issues.add(
                    label,
                    f"lines {lines[other]} and {lines[r]}",
                    f"both decide '{uses['id'].iat[a]}' -> '{uses['id'].iat[b]}' with equal "
                    "specificity and disagree; add an exact row for this pair",
                )
                break
        zones = split_list(table["zones"].iat[r])
        zone_ok = np.array([not zones or z in zones for z in ZONES])
        allowed[cells] = bool(table["allowed"].iat[r]) & zone_ok
        for i in range(len(indicators)):
            coefficients[i][cells & ~diagonal] = values[r, i]
        level[cells] = specificity[r]
        deciding_row[cells] = r
    issues.raise_if_any()
    rule_line = np.where(deciding_row >= 0, lines[np.maximum(deciding_row, 0)] if len(lines) else 0, 0)
    return TransitionRules(allowed=allowed, coefficients=coefficients, rule_line=rule_line)


def _same_rule(table: pd.DataFrame, values: np.ndarray, a: int, b: int) -> bool:
    return (
        bool(table["allowed"].iat[a]) == bool(table["allowed"].iat[b])
        and sorted(split_list(table["zones"].iat[a])) == sorted(split_list(table["zones"].iat[b]))
        and np.array_equal(values[a], values[b])
    )
