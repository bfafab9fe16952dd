"""Reading scenario CSV tables against declared column specs, vectorised.

Each table is read as text, then every column is converted and checked as a whole (no Python
loop over rows), so a million-row table validates in about a second. A problem is reported with
the file, the line as an editor shows it (the header is line 1) and the column.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import numpy as np
import pandas as pd

from lup_opt.errors import IssueCollector, ScenarioError, did_you_mean, known_list
from lup_opt.safe_paths import excerpt, read_bytes

LINE = "source_line"  # column added to every table: the line of each row in its file
WILDCARD = "*"
MAX_ROWS_REPORTED = 5
MAX_COLUMNS = 1_000  # a table with more columns is refused before it is parsed
HEADER_BYTES = 4_000_000  # the header is looked for in this many first bytes
LARGEST_WHOLE = 2**53  # a whole-number column takes no larger magnitude (floats hold every integer up to it)

_TRUE = {"true", "yes", "1", "y", "t"}
_FALSE = {"false", "no", "0", "n", "f"}


class Kind(Enum):
    ID = "an identifier"
    TEXT = "text"
    FLOAT = "a number"
    INT = "an integer"
    BOOL = "true or false"
    CHOICE = "one of the listed values"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = True
    default: object = None
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    strictly_above_minimum: bool = False
    allow_empty: bool = False  # an empty cell is a wildcard (match keys) rather than an error


@dataclass(frozen=True)
class TableSchema:
    name: str
    columns: tuple[Column, ...]
    # What to do with columns not declared: "forbid" them, or keep them as text "attributes".
    extra_columns: str = "forbid"
    min_rows: int = 1
    unique: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def read_table(path: Path, schema: TableSchema, label: str) -> pd.DataFrame:
    """Read and check one table; raise ScenarioError listing every problem found."""
    data = read_bytes(path, label)
    raw = _read_text_table(data, label)
    blanks = _may_have_blanks(data)
    issues = IssueCollector()
    header = list(raw.columns)

    declared = {c.name for c in schema.columns}
    for col in schema.columns:
        if col.required and col.default is None and col.name not in raw.columns:
            issues.add(
                label,
                "line 1",
                f"missing column '{col.name}' ({col.kind.value}); columns found: {_names(header)}",
            )
    if schema.extra_columns == "forbid":
        unknown = [col for col in header if col not in declared]
        allowed = sorted(declared)
        for col in unknown[:MAX_ROWS_REPORTED]:
            issues.add(
                label,
                "line 1",
                f"unknown column '{excerpt(col)}'{did_you_mean(col, allowed)}; "
                f"allowed columns: {', '.join(allowed)}",
            )
        if len(unknown) > MAX_ROWS_REPORTED:
            issues.add(label, "line 1", f"... and {len(unknown) - MAX_ROWS_REPORTED} more unknown columns")
    issues.raise_if_any()

    if len(raw) < schema.min_rows:
        raise ScenarioError.single(
            label, "", f"the table has no data rows; it needs at least {schema.min_rows}"
        )

    lines = record_lines(data, len(raw))
    out = {}
    for col in schema.columns:
        if col.name in raw.columns:
            out[col.name] = _convert(raw[col.name], col, lines, label, issues, blanks)
        elif col.default is not None or not col.required:
            out[col.name] = _default_series(col, len(raw))
    for col in header:
        if col not in declared:
            out[col] = _stripped(raw[col]) if blanks else raw[col]
    issues.raise_if_any()

    table = pd.DataFrame(out, index=pd.RangeIndex(len(raw)))
    table[LINE] = lines
    if schema.unique:
        _check_unique(table, schema.unique, label)
    return table


def _names(header: list[str], limit: int = 12) -> str:
    """The header's column names for a message: a few, each shortened."""
    shown = ", ".join(excerpt(c) for c in header[:limit]) or "none"
    return shown + (f", ... ({len(header)} in all)" if len(header) > limit else "")


def read_header(data: bytes) -> list[str]:
    """The column names of the first non-blank record, as written (quotes understood); read
    before pandas so that duplicated names are seen (pandas renames them ``X.1``) and a table
    with too many columns is refused at once."""
    head = data[:HEADER_BYTES].decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(head, newline=""), skipinitialspace=True)
    try:
        for row in reader:
            if row:
                return [c.strip() for c in row]
    except csv.Error:
        return []
    return []


def _check_header(header: list[str], label: str) -> None:
    if len(header) > MAX_COLUMNS:
        raise ScenarioError.single(label, "line 1", f"{len(header):,} columns; a table has at most {MAX_COLUMNS:,}")
    counts = Counter(header)
    duplicated = [c for c, n in counts.items() if n > 1 and c]
    issues = IssueCollector()
    for col in duplicated[:MAX_ROWS_REPORTED]:
        issues.add(label, "line 1", f"column '{excerpt(col)}' appears {counts[col]} times; keep one")
    if len(duplicated) > MAX_ROWS_REPORTED:
        issues.add(label, "line 1", f"... and {len(duplicated) - MAX_ROWS_REPORTED} more columns given twice")
    issues.raise_if_any()


def _read_text_table(data: bytes, label: str) -> pd.DataFrame:
    if not data.strip():
        raise ScenarioError.single(label, "", "the file is empty; it needs a header row and data rows")
    _check_header(read_header(data), label)
    try:
        raw = pd.read_csv(
            io.BytesIO(data),
            # Python strings, not pandas' Arrow-backed ones: validation works value by value
            # where it must, and that was measured 2x slower on Arrow strings.
            dtype=object,
            keep_default_na=False,
            na_filter=False,
            encoding="utf-8-sig",
            skipinitialspace=True,
            comment=None,
        )
    except pd.errors.EmptyDataError:
        raise ScenarioError.single(
            label, "", "the file is empty; it needs a header row and data rows"
        ) from None
    except pd.errors.ParserError as exc:
        raise ScenarioError.single(
            label, _parser_line(str(exc)), f"not a readable CSV table: {excerpt(exc, 160)}. Check commas and quotes "
                                           f"on that line"
        ) from None
    except UnicodeDecodeError:
        from lup_opt.scenario.safe_input import decode_utf8

        decode_utf8(data, label)  # raises, naming the line and byte
        raise ScenarioError.single(label, "", "not UTF-8 text; save the table as UTF-8 CSV") from None
    raw.columns = [str(c).strip() for c in raw.columns]
    if any(c.startswith("Unnamed:") or c == "" for c in raw.columns):
        raise ScenarioError.single(label, "line 1", "a column has an empty name in the header")
    return raw


def _parser_line(message: str) -> str:
    import re

    found = re.search(r"line (\d+)", message)
    return f"line {found.group(1)}" if found else ""


def record_lines(data: bytes, rows: int) -> np.ndarray:
    """The line (as an editor shows it) on which each of the ``rows`` data records starts.

    Blank lines are skipped by the reader and a quoted cell may span lines, so the n-th record
    is not always on line n + 1. Vectorised: record ends are the newlines outside quotes
    (an even number of quote characters before them; a doubled quote counts twice)."""
    simple = np.arange(2, rows + 2)
    if b'"' not in data and b"\n\n" not in data and b"\n\r\n" not in data and not data.startswith((b"\n", b"\r\n")):
        return simple
    buf = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10)
    quotes = np.flatnonzero(buf == 34)
    outside = np.searchsorted(quotes, newlines) % 2 == 0
    ends = newlines[outside]
    starts = np.concatenate([[0], ends + 1])
    record_end = np.concatenate([ends, [len(buf)]])
    keep = starts < len(buf)
    starts, record_end = starts[keep], record_end[keep]
    length = record_end - starts
    first = buf[np.minimum(starts, len(buf) - 1)]
    blank = (length == 0) | ((length == 1) & (first == 13))
    lines = (np.searchsorted(newlines, starts) + 1)[~blank]
    data_lines = lines[1:]
    return data_lines if len(data_lines) == rows else simple


_BLANK_NEIGHBOURS = (b" ,", b"\t,", b",\t", b" \n", b"\t\n", b" \r", b"\t\r", b"\n ", b"\n\t", b'"')


def _may_have_blanks(data: bytes) -> bool:
    """Whether any cell of the file could start or end with a blank once parsed (blanks after
    a comma are already skipped by the reader). A scan of the bytes: far cheaper than cleaning
    every cell of a million-row table that has none."""
    return data[:1] in (b" ", b"\t") or data.rstrip(b"\r\n")[-1:] in (b" ", b"\t") or any(
        pattern in data for pattern in _BLANK_NEIGHBOURS
    )


def _stripped(values: pd.Series) -> pd.Series:
    """Cell text without surrounding blanks, as Python strings (object dtype). numpy's string
    routines do this in C: measured 10x faster than ``Series.str.strip`` at a million rows."""
    text = values.to_numpy(dtype=object)
    if not all(isinstance(v, str) for v in text[:1]):
        text = text.astype(str)
    stripped = np.strings.strip(text.astype(np.dtypes.StringDType()))
    return pd.Series(stripped.astype(object), index=values.index, dtype=object)


def _default_series(col: Column, n: int) -> pd.Series:
    if col.kind in (Kind.FLOAT,):
        return pd.Series(np.full(n, np.nan if col.default is None else float(col.default)))
    if col.kind is Kind.INT:
        return pd.Series(np.full(n, 0 if col.default is None else int(col.default), dtype=np.int64))
    if col.kind is Kind.BOOL:
        return pd.Series(np.full(n, bool(col.default)))
    return pd.Series([("" if col.default is None else str(col.default))] * n, dtype=object)


def _report(
    issues: IssueCollector, label: str, col: Column, lines: np.ndarray, bad: np.ndarray, what
) -> None:
    """Report the first rows flagged in ``bad``; ``what(i)`` describes the problem at row i."""
    rows = np.flatnonzero(bad)
    for i in rows[:MAX_ROWS_REPORTED]:
        issues.add(label, f"line {lines[i]}, column '{col.name}'", what(i))
    if len(rows) > MAX_ROWS_REPORTED:
        issues.add(
            label,
            f"column '{col.name}'",
            f"... and {len(rows) - MAX_ROWS_REPORTED} more rows with the same problem",
        )


def _convert(
    values: pd.Series, col: Column, lines: np.ndarray, label: str, issues: IssueCollector, blanks: bool = True,
) -> pd.Series:
    text = _stripped(values) if blanks else values
    empty = (text == "").to_numpy()
    text_values = text.to_numpy(dtype=object)
    needs_value = empty & (col.default is None) & (not col.allow_empty)
    if col.required and needs_value.any():
        _report(issues, label, col, lines, needs_value, lambda i: "empty; a value is needed")

    if col.kind in (Kind.ID, Kind.TEXT):
        if col.default is not None:
            text = text.where(~empty, str(col.default))
        return text.astype(object)

    if col.kind is Kind.CHOICE:
        lowered = text.str.lower()
        if col.default is not None:
            lowered = lowered.where(~empty, str(col.default))
        bad = ~lowered.isin(col.choices).to_numpy() & ~(empty & (col.allow_empty or not col.required))
        bad &= ~needs_value
        _report(
            issues,
            label,
            col,
            lines,
            bad,
            lambda i: f"'{excerpt(text_values[i])}' is not allowed{did_you_mean(text_values[i], col.choices)}; "
            f"use one of: {', '.join(col.choices)}",
        )
        return lowered.astype(object)

    if col.kind is Kind.BOOL:
        lowered = text.str.lower()
        truthy = lowered.isin(_TRUE).to_numpy()
        falsy = lowered.isin(_FALSE).to_numpy()
        bad = ~(truthy | falsy | empty)
        _report(
            issues, label, col, lines, bad,
            lambda i: f"'{excerpt(text_values[i])}' is not true or false (write true/false, yes/no or 1/0)",
        )
        result = np.where(empty, bool(col.default), truthy)
        return pd.Series(result.astype(bool))

    numbers = pd.to_numeric(text.where(~empty, None), errors="coerce").to_numpy(dtype=float)
    not_number = np.isnan(numbers) & ~empty
    not_number |= np.isinf(numbers)
    _report(issues, label, col, lines, not_number, lambda i: f"'{excerpt(text_values[i])}' is not a number")
    if col.default is not None:
        numbers = np.where(empty, float(col.default), numbers)
    if col.kind is Kind.INT:
        fractional = ~np.isnan(numbers) & (numbers != np.round(numbers))
        _report(
            issues, label, col, lines, fractional,
            lambda i: f"'{excerpt(text_values[i])}' is not a whole number",
        )
        # Beyond 2**53 a float no longer holds every whole number, and beyond 2**63 none fits the
        # integer column: refuse it here rather than quote what the cast made of it.
        huge = ~np.isnan(numbers) & ~fractional & (np.abs(numbers) > LARGEST_WHOLE)
        _report(issues, label, col, lines, huge,
                lambda i: f"'{excerpt(text_values[i])}' is too large a whole number (at most {LARGEST_WHOLE:,})")
        numbers = np.where(huge, np.nan, numbers)
    if col.choices:
        allowed = np.array([float(c) for c in col.choices])
        bad = ~np.isnan(numbers) & ~np.isin(numbers, allowed)
        _report(
            issues, label, col, lines, bad,
            lambda i: f"{excerpt(text_values[i])} is not allowed; use one of: {', '.join(col.choices)}",
        )
    if col.minimum is not None:
        with np.errstate(invalid="ignore"):
            if col.strictly_above_minimum:
                bad = numbers <= col.minimum
                rule = f"must be greater than {col.minimum:g}"
            else:
                bad = numbers < col.minimum
                rule = f"must be at least {col.minimum:g}"
        _report(issues, label, col, lines, bad, lambda i: f"{excerpt(text_values[i])} {rule}")
    if col.kind is Kind.INT:
        return pd.Series(np.nan_to_num(numbers).astype(np.int64))
    return pd.Series(numbers)


def _check_unique(table: pd.DataFrame, keys: tuple[str, ...], label: str) -> None:
    dup = table.duplicated(list(keys), keep=False).to_numpy()
    if not dup.any():
        return
    issues = IssueCollector()
    first = table.loc[dup].groupby(list(keys), sort=False)[LINE].apply(list)
    for key, group_lines in list(first.items())[:MAX_ROWS_REPORTED]:
        shown = key if isinstance(key, tuple) else (key,)
        desc = ", ".join(f"{k}={excerpt(v)}" for k, v in zip(keys, shown, strict=True))
        issues.add(
            label,
            f"lines {', '.join(map(str, group_lines))}",
            f"the same {'/'.join(keys)} appears more than once ({desc}); keep one row",
        )
    issues.raise_if_any()


def check_references(
    table: pd.DataFrame,
    column: str,
    known: Iterable[str],
    label: str,
    what: str,
    issues: IssueCollector,
    *,
    wildcard: bool = False,
    allow_empty: bool = False,
) -> None:
    """Report rows of ``table`` whose ``column`` names something not in ``known``."""
    known_set = set(known)
    values = table[column]
    if values.dtype != object:
        values = values.astype(str).astype(object)
    ok = values.isin(known_set)
    if wildcard:
        ok |= values == WILDCARD
    if allow_empty:
        ok |= values == ""
    bad = ~ok.to_numpy()
    if not bad.any():
        return
    lines = table[LINE].to_numpy()
    vals = values.to_numpy()
    rows = np.flatnonzero(bad)
    for i in rows[:MAX_ROWS_REPORTED]:
        issues.add(
            label,
            f"line {lines[i]}, column '{column}'",
            f"unknown {what} '{excerpt(vals[i])}'{did_you_mean(vals[i], known_set)}; "
            f"known: {known_list(known_set)}",
        )
    if len(rows) > MAX_ROWS_REPORTED:
        issues.add(label, f"column '{column}'", f"... and {len(rows) - MAX_ROWS_REPORTED} more")
