"""Matching table rows to land units by their key columns, vectorised.

A row of a matching table (coefficients, exclusions) applies to a unit when every key column the
row fills equals the unit's value; empty key cells match anything. Rows are grouped by which keys
they fill (their *signature*), and each group is joined to the units in one merge, so the cost is
a handful of merges, not a loop over units or rows.

Specificity (the rule documented in ``scenarios/README.md``): a row naming ``land_unit`` beats
every row that does not; otherwise more filled keys beat fewer; at equal keys a named use beats
``*``. Two rows of equal specificity that both apply with different values are an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lup_opt.errors import IssueCollector
from lup_opt.scenario.tables import LINE, MAX_ROWS_REPORTED

LAND_UNIT_WEIGHT = 1000  # a land_unit key outranks any number of other keys


@dataclass(frozen=True)
class Matches:
    """Pairs (table row, unit) where the row applies to the unit, with the row's specificity."""

    row: np.ndarray
    unit: np.ndarray
    keys_filled: int


def unit_key_frame(units: pd.DataFrame, keys: tuple[str, ...]) -> pd.DataFrame:
    """Units' match-key values as text, one column per key, plus their position ``_unit``."""
    frame = pd.DataFrame(
        {key: units["id" if key == "land_unit" else key].astype(str).to_numpy() for key in keys}
    )
    frame["_unit"] = np.arange(len(units), dtype=np.int64)
    return frame


def iter_matches(
    table: pd.DataFrame, unit_keys: pd.DataFrame, keys: tuple[str, ...]
) -> Iterator[Matches]:
    """Yield the matches of ``table`` against units, one signature group at a time."""
    if table.empty:
        return
    filled = np.stack([(table[k].astype(str) != "").to_numpy() for k in keys], axis=1)
    signature = filled @ (1 << np.arange(len(keys), dtype=np.int64))
    n_units = len(unit_keys)
    for sig in np.unique(signature):
        rows = np.flatnonzero(signature == sig)
        used = [k for i, k in enumerate(keys) if sig >> i & 1]
        weight = len(used) + (LAND_UNIT_WEIGHT - 1 if "land_unit" in used else 0)
        if not used:
            row = np.repeat(rows, n_units)
            unit = np.tile(np.arange(n_units, dtype=np.int64), len(rows))
            yield Matches(row, unit, weight)
            continue
        left = table.iloc[rows][used].astype(str).copy()
        left["_row"] = rows
        joined = left.merge(unit_keys[[*used, "_unit"]], on=used, how="inner", sort=False)
        yield Matches(joined["_row"].to_numpy(), joined["_unit"].to_numpy(), weight)


def resolve_most_specific(
    table: pd.DataFrame,
    unit_keys: pd.DataFrame,
    keys: tuple[str, ...],
    use_codes: np.ndarray,
    use_names: tuple[str, ...],
    label: str,
    what: str,
) -> np.ndarray:
    """Values of ``table['value']`` per (unit, use) by the most specific applying row.

    ``use_codes`` gives each table row's use index, or -1 for ``*``. Returns a dense
    ``(n_units, n_uses)`` float array, 0 where no row applies. Ties raise ScenarioError.
    """
    n_units, n_uses = len(unit_keys), len(use_names)
    unit_names = unit_keys["land_unit"].to_numpy()
    best = np.full((n_units, n_uses), -1, dtype=np.int64)
    value = np.zeros((n_units, n_uses))
    line_of_best = np.zeros((n_units, n_uses), dtype=np.int64)
    values = table["value"].to_numpy(dtype=float)
    lines = table[LINE].to_numpy()
    issues = IssueCollector()
    groups = list(iter_matches(table, unit_keys, keys))
    # Ascending specificity, so that more specific rows overwrite less specific ones.
    for match in sorted(groups, key=lambda m: m.keys_filled):
        for named in (False, True):
            pick = (use_codes[match.row] >= 0) == named
            rows, units = match.row[pick], match.unit[pick]
            if named:
                uses = use_codes[rows]
            else:  # '*' applies to every use
                rows = np.repeat(rows, n_uses)
                units = np.repeat(units, n_uses)
                uses = np.tile(np.arange(n_uses), int(pick.sum()))
            score = match.keys_filled * 2 + int(named)
            current = best[units, uses]
            tie = (current == score) & (value[units, uses] != values[rows])
            for i in np.flatnonzero(tie)[:MAX_ROWS_REPORTED]:
                first, second = sorted((line_of_best[units[i], uses[i]], lines[rows[i]]))
                issues.add(
                    label,
                    f"lines {first} and {second}",
                    f"both set {what} for land unit '{unit_names[units[i]]}' and use "
                    f"'{use_names[uses[i]]}' with equal specificity and different values; "
                    "add a more specific row or remove one",
                )
            take = score > current
            best[units[take], uses[take]] = score
            value[units[take], uses[take]] = values[rows[take]]
            line_of_best[units[take], uses[take]] = lines[rows[take]]
    issues.raise_if_any()
    return value


def matched_pairs(
    table: pd.DataFrame, unit_keys: pd.DataFrame, keys: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """All (row, unit) pairs where a row applies, regardless of specificity."""
    groups = list(iter_matches(table, unit_keys, keys))
    if not groups:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return (
        np.concatenate([g.row for g in groups]),
        np.concatenate([g.unit for g in groups]),
    )


def use_codes_of(column: pd.Series, uses: tuple[str, ...]) -> np.ndarray:
    """Use index per row, -1 for the wildcard ``*`` (names were checked when loading)."""
    return pd.Index(list(uses)).get_indexer(column).astype(np.int64)
