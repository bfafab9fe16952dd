"""A scenario as one Excel workbook (``scenario.xlsx``, ``lup_opt[excel]``: openpyxl), read through the
same validation as a scenario folder.

The workbook is turned into a scenario folder in a temporary place (``scenario.yaml`` and one
CSV per table sheet, each sheet row on the same CSV line), which the loader then reads as any
folder; every problem it finds is told back in the workbook's terms: the sheet, the row and the
column (letter and header) instead of the CSV file and line.

Sheets:

* ``settings``: ``key`` (a dotted key of scenario.yaml, e.g. ``periods.planning_years``),
  ``value`` (YAML: ``[2030]``, ``true``, ``units.csv``), ``note``. A value that names a
  ``.csv`` file is the sheet of that name (``tables.units: units.csv`` -> sheet ``units``).
* ``indicators``: ``id``, ``unit``, ``description``.
* ``targets``: ``id``, then a column per key of a target (``indicator``, ``sense``, ``value``,
  ``scope.jurisdiction``, ...).
* ``variants``: ``variant``, ``key``, ``value``.
* one sheet per table (``units``, ``baseline``, ``uses``, ...), the CSV columns as headers.

A header may carry its unit in brackets (``area_ha [ha]``); the brackets are not part of the
column name. Sheet ``lists`` (the data validation lists) is not read.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from lup_opt.errors import IssueCollector, ScenarioError, ScenarioIssue

WORKBOOK = "scenario.xlsx"
SUFFIXES = (".xlsx", ".xlsm")
SETTINGS, INDICATORS, TARGETS, VARIANTS, LISTS = "settings", "indicators", "targets", "variants", "lists"
UNIT_IN_HEADER = re.compile(r"\s*\[[^\]]*\]\s*$")
CONFIG_SHEETS = (SETTINGS, INDICATORS, TARGETS, VARIANTS)


def is_workbook(path: str | Path) -> bool:
    """A workbook, or a folder holding ``scenario.xlsx`` and no ``scenario.yaml`` (the folder a
    workbook's results name as their scenario's)."""
    path = Path(path)
    if path.suffix.lower() in SUFFIXES:
        return True
    try:
        return path.is_dir() and not (path / "scenario.yaml").exists() and (path / WORKBOOK).is_file()
    except OSError:
        return False


def column_letter(index: int) -> str:
    """Excel's letter of the 0-based column ``index`` (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def header_name(cell: Any) -> str:
    """A header cell's column name, without a unit in brackets."""
    return UNIT_IN_HEADER.sub("", _text(cell))


def _text(value: Any) -> str:
    """A cell as the text a CSV cell would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    return str(value).replace("\r", " ").replace("\n", " ").strip()


@dataclass
class _Places:
    """Where each piece of the converted folder came from, to tell problems in the workbook's terms."""

    book: str
    tables: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # csv file -> sheet, headers
    keys: dict[tuple[str, ...], str] = field(default_factory=dict)  # yaml key path -> "sheet 'x', row n, ..."

    def relabel(self, issue: ScenarioIssue) -> ScenarioIssue:
        if issue.file in self.tables:
            sheet, headers = self.tables[issue.file]
            return ScenarioIssue(self.book, self._cell(sheet, headers, issue.where), issue.message)
        if issue.file == "scenario.yaml":
            path = tuple(issue.where.split(" (")[0].split(".")) if issue.where else ()
            for end in range(len(path), 0, -1):
                if path[:end] in self.keys:
                    rest = ".".join(path[end:])
                    return ScenarioIssue(self.book, self.keys[path[:end]] + (f" ({'.'.join(path)})" if rest else ""),
                                         issue.message)
            return ScenarioIssue(self.book, f"sheet '{SETTINGS}'" + (f", key {issue.where}" if issue.where else ""),
                                 issue.message)
        return issue

    @staticmethod
    def _cell(sheet: str, headers: list[str], where: str) -> str:
        line = re.search(r"line (\d+)", where)
        column = re.search(r"column '([^']*)'", where)
        parts = [f"sheet '{sheet}'"]
        if line:
            parts.append(f"row {line.group(1)}")
        if column:
            name = column.group(1)
            parts.append(f"column {column_letter(headers.index(name))} ({name})" if name in headers
                         else f"column '{name}'")
        rest = re.sub(r"line \d+,?\s*|column '[^']*',?\s*", "", where).strip(", ")
        return ", ".join(parts + ([rest] if rest else []))


def _openpyxl():
    try:
        import openpyxl
    except ImportError:
        raise ScenarioError.single(WORKBOOK, "", "reading a workbook needs openpyxl: pip install 'lup_opt[excel]'"
                                   ) from None
    return openpyxl


def _rows(sheet) -> list[list[Any]]:
    """The sheet's rows as lists of cell values, trailing blank rows and columns left out."""
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    while rows and all(_text(v) == "" for v in rows[-1]):
        rows.pop()
    return rows


def setting_value(text: str) -> Any:
    """A settings or targets cell as a YAML value (``[2030]``, ``true``, ``2.5``); text that YAML
    would read as a mapping without braces (``a town: the core``) or cannot read stays text, and
    the schema says what is wrong with it, naming the cell."""
    if text == "":
        return None
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if isinstance(value, dict) and not text.lstrip().startswith("{"):
        return text
    return value


def _set(config: dict[str, Any], path: list[str], value: Any) -> None:
    node = config
    for part in path[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise TypeError(".".join(path))
    node[path[-1]] = value


def _records(rows: list[list[Any]], sheet: str, book: str, needed: tuple[str, ...]) -> tuple[list[str], list[tuple[int, list[str]]]]:
    if not rows:
        return [], []
    headers = [header_name(c) for c in rows[0]]
    missing = [n for n in needed if n not in headers]
    if missing:
        raise ScenarioError.single(book, f"sheet '{sheet}', row 1", f"missing column '{missing[0]}'; columns found: "
                                                                    f"{', '.join(h for h in headers if h) or 'none'}")
    records = [(k, [_text(v) for v in r]) for k, r in enumerate(rows[1:], start=2) if any(_text(v) for v in r)]
    return headers, records


def _config(book_sheets: Mapping[str, list[list[Any]]], places: _Places) -> dict[str, Any]:
    """scenario.yaml's mapping from the settings, indicators, targets and variants sheets."""
    book = places.book
    if SETTINGS not in book_sheets:
        raise ScenarioError.single(book, "", f"no sheet '{SETTINGS}' (key, value): is this a lup-opt template workbook?")
    config: dict[str, Any] = {}
    issues = IssueCollector()
    headers, records = _records(book_sheets[SETTINGS], SETTINGS, book, ("key", "value"))
    key_col, value_col = headers.index("key"), headers.index("value")
    for row, cells in records:
        key, text = cells[key_col], cells[value_col] if value_col < len(cells) else ""
        if not key:
            continue
        where = f"sheet '{SETTINGS}', row {row}, column {column_letter(value_col)} (value of {key})"
        places.keys[tuple(key.split("."))] = where
        try:
            _set(config, key.split("."), setting_value(text))
        except TypeError:
            issues.add(book, where, f"key '{key}' is inside a setting that already has a value")
    for sheet, needed in ((INDICATORS, ("id", "unit")), (TARGETS, ("id",))):
        if sheet not in book_sheets:
            continue
        headers, records = _records(book_sheets[sheet], sheet, book, needed)
        section = config.setdefault(sheet, {})
        for row, cells in records:
            name = cells[headers.index("id")]
            places.keys[(sheet, name)] = f"sheet '{sheet}', row {row}"
            entry: dict[str, Any] = {}
            for col, header in enumerate(headers):
                if header in ("id", "") or col >= len(cells) or cells[col] == "":
                    continue
                where = f"sheet '{sheet}', row {row}, column {column_letter(col)} ({header})"
                places.keys[(sheet, name, *header.split("."))] = where
                # Text stays text (a description "yes" is not true); numbers and lists are parsed.
                value = cells[col] if header in ("description", "unit", "indicator", "sense") else \
                    setting_value(cells[col])
                _set(entry, header.split("."), value)
            section[name] = entry
    if VARIANTS in book_sheets:
        headers, records = _records(book_sheets[VARIANTS], VARIANTS, book, ("variant", "key", "value"))
        variants = config.setdefault("variants", {})
        for row, cells in records:
            name, key = cells[headers.index("variant")], cells[headers.index("key")]
            where = f"sheet '{VARIANTS}', row {row}"
            places.keys[("variants", name)] = where
            variants.setdefault(name, {})[key] = setting_value(cells[headers.index("value")])
    issues.raise_if_any()
    return config


def _named_tables(config: Any) -> Iterator[str]:
    """Every ``.csv`` file name among the settings' values (a table sheet each)."""
    if isinstance(config, dict):
        for key, value in config.items():
            if key not in ("indicators", "targets", "variants"):
                yield from _named_tables(value)
    elif isinstance(config, str) and config.lower().endswith(".csv"):
        yield config


def workbook_to_folder(path: Path, folder: Path) -> _Places:
    """Write the scenario folder of the workbook at ``path`` into ``folder``; the places of its
    cells, to relabel problems."""
    openpyxl = _openpyxl()
    book = path.name
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise ScenarioError.single(str(path), "", "file not found") from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not a workbook
        raise ScenarioError.single(book, "", f"not a readable Excel workbook ({type(exc).__name__}); save it as "
                                             ".xlsx") from None
    try:
        sheets = {name: _rows(workbook[name]) for name in workbook.sheetnames if name != LISTS}
    finally:
        workbook.close()
    places = _Places(book)
    config = _config(sheets, places)
    issues = IssueCollector()
    for file in sorted(set(_named_tables(config))):
        sheet = Path(file).stem
        if sheet not in sheets:
            issues.add(book, "", f"no sheet '{sheet}' for the table {file} named in sheet '{SETTINGS}'")
            continue
        rows = sheets[sheet]
        headers = [header_name(c) for c in rows[0]] if rows else []
        places.tables[file] = (sheet, headers)
        _write_csv(folder / file, headers, rows[1:])
    issues.raise_if_any()
    # The outlines lie beside the workbook (never elsewhere: a workbook reads nothing outside its folder).
    geometry = (config.get("geometry") or {}).get("file") if isinstance(config.get("geometry"), dict) else None
    if geometry:
        source = path.parent / Path(str(geometry)).name
        if source.is_file():
            shutil.copyfile(source, folder / source.name)
        config["geometry"]["file"] = source.name
    (folder / "scenario.yaml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
                                          encoding="utf-8")
    return places


def _write_csv(path: Path, headers: list[str], rows: list[list[Any]]) -> None:
    """Row k of the sheet on line k of the file (a blank row as a blank line), so that line numbers
    are row numbers."""
    width = len(headers)
    while width and headers[width - 1] == "":
        width -= 1
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers[:width])
    for row in rows:
        cells = [_text(v) for v in row[:width]]
        if any(cells):
            writer.writerow(cells + [""] * (width - len(cells)))
        else:
            out.write("\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.getvalue(), encoding="utf-8")


@contextlib.contextmanager
def _temporary_folder() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="lup-opt-workbook-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def load_workbook(path: str | Path, load: Callable[..., Any], **options: Any):
    """The Scenario of the workbook at ``path``, loaded by ``load`` (the loader's
    ``load_scenario``) from its converted folder; problems name the sheet, row and column. The
    scenario's folder is the workbook's folder (results are named after it, and protected)."""
    path = Path(path)
    if path.is_dir():
        path = path / WORKBOOK
    if not path.is_file():
        raise ScenarioError.single(str(path), "", "file not found; give a workbook made by lup-opt template")
    with _temporary_folder() as folder:
        places = workbook_to_folder(path, folder)
        try:
            scenario = load(folder, **options)
        except ScenarioError as exc:
            raise ScenarioError([places.relabel(issue) for issue in exc.issues]) from None
    return replace(scenario, folder=path.resolve().parent)
