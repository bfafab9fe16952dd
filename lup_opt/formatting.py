"""Numbers as planners read them, and tables of them that survive an 80-column terminal.

:func:`number` formats one value; :func:`print_frame` prints a DataFrame as rich tables in the
one table style of the command line: numbers formatted with :func:`number` (thousands
separators, a few decimals, solver round-off such as ``-6e-12`` shown as ``0``, never ``-0`` or
``e+`` notation), numeric columns right-aligned and never wrapped, text folded when it must be,
and a table wider than the console split by columns into several tables, each repeating the
columns that name the rows (so a number is never broken across lines)::

    from lup_opt.formatting import print_frame
    print_frame(console, frame, title="Pay-off table")

Nothing here imports pandas, rich or numpy at module level (the CLI starts without them).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console
    from rich.table import Table

ROUND_OFF = 1e-9  # below this a value is solver round-off, not a quantity
# In a table column: below TABLE_ROUND_OFF, or RELATIVE_ROUND_OFF of the column's largest value
# (an achievement of -8e-9 next to 1 is the solver's tolerance, not a number to read).
TABLE_ROUND_OFF = 1e-7
RELATIVE_ROUND_OFF = 1e-9
TEXT_WIDTH = 40  # text columns wider than this fold when a table must be split
MISSING = "n/a"
_YEAR_COLUMN = re.compile(r"(^|[_: .])(period|year)s?($|[_: .])", re.IGNORECASE)


def number(value: float) -> str:
    """1,234 for large values, 12.3 for middling ones, 4 significant digits for small ones
    (positional, never ``e`` notation); round-off below 1e-9 is 0, and nothing shows as -0."""
    if value != value:  # NaN
        return MISSING
    if abs(value) == float("inf"):
        return "unbounded" if value > 0 else "-unbounded"
    if abs(value) < ROUND_OFF:  # solver round-off, not a quantity
        return "0"
    if isinstance(value, Integral):
        return f"{value:,}"
    if abs(value) >= 1000:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:,.1f}"
    elif abs(value) >= 1e-4:
        text = f"{value:,.4g}"
    else:  # 0.00001234: two significant digits, written out
        digits = -math.floor(math.log10(abs(value))) + 1
        text = f"{value:.{digits}f}".rstrip("0")
    return _no_negative_zero(text)


def _no_negative_zero(text: str) -> str:
    return text[1:] if text.startswith("-") and not any(ch in "123456789" for ch in text) else text


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT, pd.NA raise or compare unequal
    except (TypeError, ValueError):
        return True


def column_formatter(name: str, values: Sequence[Any]) -> tuple[Callable[[Any], str], bool]:
    """How to write the cells of a column, and whether it is numeric: whole numbers with
    separators, years and periods as written; in a column of quantities (largest at least 10)
    no decimal from 1,000, one from 1, two significant digits below; in a column of small
    numbers, :func:`number`. Round-off (below TABLE_ROUND_OFF, or RELATIVE_ROUND_OFF of the
    column's largest value) is 0; nothing is written -0."""
    present = [v for v in values if not _is_missing(v)]
    if not present or not all(_is_number(v) for v in present):
        if present and all(isinstance(v, bool) for v in present):
            return (lambda v: "" if _is_missing(v) else ("yes" if v else "no")), False
        return (lambda v: "" if _is_missing(v) else str(v)), False
    finite = [float(v) for v in present if math.isfinite(float(v))]
    largest = max((abs(v) for v in finite), default=0.0)
    tiny = max(TABLE_ROUND_OFF, RELATIVE_ROUND_OFF * largest)
    whole = all(float(v).is_integer() for v in finite)
    year = bool(_YEAR_COLUMN.search(name)) and whole and all(abs(v) < 10_000 for v in finite)

    def write(value: Any) -> str:
        if _is_missing(value):
            return MISSING
        value = float(value)
        if not math.isfinite(value):
            return number(value)
        if abs(value) < tiny:
            return "0"
        if year:
            return str(int(value))
        if whole or isinstance(value, Integral):
            return _no_negative_zero(f"{value:,.0f}")
        if largest >= 10:  # a column of quantities: 1,234 / 12.3 / 1.2 / 0.05
            if abs(value) >= 1000:
                return _no_negative_zero(f"{value:,.0f}")
            if abs(value) >= 1:
                return _no_negative_zero(f"{value:,.1f}")
            digits = -math.floor(math.log10(abs(value))) + 1
            return _no_negative_zero(f"{value:.{digits}f}".rstrip("0").rstrip("."))
        return number(value)  # a column of small numbers (shares, achievements): 4 significant digits

    return write, True


def format_frame(frame: pd.DataFrame) -> tuple[list[str], list[list[str]], list[bool]]:
    """The column names, the rows as text, and which columns are numeric."""
    columns = [str(c) for c in frame.columns]
    formatters = [column_formatter(name, frame.iloc[:, k].tolist()) for k, name in enumerate(columns)]
    cells = [[formatters[k][0](value) for k, value in enumerate(row)]
             for row in frame.itertuples(index=False, name=None)]
    return columns, cells, [numeric for _, numeric in formatters]


def _key_columns(widths: list[int], numeric: list[bool], width: int) -> list[int]:
    """The leading text (or whole-number) columns that name a row, repeated in every part."""
    keys: list[int] = []
    used = 1
    for k in range(min(2, len(widths))):
        if numeric[k] and k > 0:
            break
        if used + min(widths[k], TEXT_WIDTH) + 3 > width // 2:
            break
        keys.append(k)
        used += min(widths[k], TEXT_WIDTH) + 3
        if numeric[k]:
            break
    return keys or [0]


def _parts(widths: list[int], numeric: list[bool], width: int) -> list[list[int]]:
    """Columns split into groups whose table fits ``width`` (each group after the key columns)."""
    def cost(k: int) -> int:  # a column's share of the table: its cells, padding and a border
        return (widths[k] if numeric[k] else min(widths[k], TEXT_WIDTH)) + 3

    if 1 + sum(widths[k] + 3 for k in range(len(widths))) <= width:
        return [list(range(len(widths)))]
    keys = _key_columns(widths, numeric, width)
    base = 1 + sum(cost(k) for k in keys)
    groups: list[list[int]] = []
    current: list[int] = []
    used = base
    for k in range(len(widths)):
        if k in keys:
            continue
        if current and used + cost(k) > width:
            groups.append(current)
            current, used = [], base
        current.append(k)
        used += cost(k)
    if current:
        groups.append(current)
    return [keys + group for group in groups] or [keys]


def _wrap_header(name: str, room: int) -> str:
    """A header on lines of at most ``room`` characters, broken after spaces and underscores."""
    lines: list[str] = []
    for piece in re.split(r"(?<=[ _:])", name):
        if lines and len(lines[-1].rstrip()) + len(piece.rstrip()) <= room:
            lines[-1] += piece
        else:
            lines.append(piece)
    return "\n".join(line.rstrip() for line in lines if line.strip())


def planner_tables(frame: pd.DataFrame, width: int = 80, title: str | None = None) -> list[Table]:
    """``frame`` as one rich Table, or several (by columns) when one would be wider than ``width``."""
    from rich.cells import cell_len
    from rich.table import Table

    columns, cells, numeric = format_frame(frame)
    if not columns:
        return [Table(title=title, title_justify="left")]
    values = [max([0] + [cell_len(row[k]) for row in cells]) for k in range(len(columns))]
    widths = [max(cell_len(name), values[k]) for k, name in enumerate(columns)]
    if 1 + sum(w + 3 for w in widths) > width:  # too wide: long headers of numbers go on two lines or more
        columns = [_wrap_header(name, max(values[k], 12)) if numeric[k] else name for k, name in enumerate(columns)]
        widths = [max([values[k]] + [cell_len(line) for line in name.split("\n")]) for k, name in enumerate(columns)]
    parts = _parts(widths, numeric, width)
    tables = []
    for number_of_part, part in enumerate(parts, start=1):
        label = title
        if len(parts) > 1:
            label = f"{title or 'Table'} ({number_of_part}/{len(parts)})"
        table = Table(title=label, title_justify="left")
        for k in part:
            if numeric[k]:
                table.add_column(columns[k], justify="right", no_wrap=True, min_width=widths[k])
            else:
                table.add_column(columns[k], justify="left", overflow="fold")
        for row in cells:
            table.add_row(*(row[k] for k in part))
        tables.append(table)
    return tables


def print_frame(console: Console, frame: pd.DataFrame, title: str | None = None) -> None:
    """Print ``frame`` in the command line's table style, at the console's width."""
    if frame is None or len(frame.columns) == 0:
        return
    for table in planner_tables(frame, console.width, title):
        console.print(table)
