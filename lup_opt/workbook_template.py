"""``lup-opt template``: a scenario folder written as one Excel workbook (``lup_opt[excel]``), the layout
:mod:`lup_opt.scenario.workbook` reads back: a settings sheet, indicators, targets and variants,
one sheet per table with the units in the headers, and drop-down lists (data validation) of the
valid uses, jurisdictions, zones, cover classes, statuses, indicators and senses.

The folder is loaded (validated) first, so a template is always a scenario that loads.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from lup_opt.enums import BaselineStatus, Comparison, CoverClass, Zone
from lup_opt.errors import LupOptError, OutputError
from lup_opt.safe_paths import absolute_target, write_file
from lup_opt.scenario.safe_input import read_yaml
from lup_opt.scenario.workbook import (
    INDICATORS,
    LISTS,
    SETTINGS,
    TARGETS,
    VARIANTS,
    column_letter,
    setting_value,
)

log = logging.getLogger(__name__)

MAX_ROWS = 20_000  # rows below the header that the drop-down lists cover
# Columns of the tables that hold numbers (the others are text: "001" stays "001").
NUMERIC = {"area_ha", "value", "soc_management_factor", "productivity", "population", "labour_force", "year",
           "amount", "cost_per_unit"}
UNITS = {("units", "area_ha"): "ha", ("baseline", "area_ha"): "ha", ("coefficients", "value"): "unit per ha",
         ("population", "population"): "person", ("population", "labour_force"): "person",
         ("uses", "soc_management_factor"): "ratio", ("uses", "productivity"): "-1, 0, 1"}
BOOLEANS = ("true", "false")


def _scalar_cell(value: Any) -> Any:
    """A settings value as a cell: numbers and booleans as such, text as text, anything else
    (lists, mappings) and text that YAML would read otherwise as YAML flow."""
    import yaml

    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        value = " ".join(value.split())  # a folded YAML text, on one line
        return value if setting_value(value) == value else yaml.safe_dump(value, default_style='"', width=10**6).strip()
    return yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()


def _flatten(node: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, Any]]:
    if isinstance(node, dict) and node:
        return [item for key, value in node.items() for item in _flatten(value, (*prefix, str(key)))]
    return [(".".join(prefix), node)]


def write_workbook(path: str | Path, scenario: str | Path | None = None, *, overwrite: bool = False) -> Path:
    """Write ``scenario`` (a folder; None: the starter of ``lup-opt init``) as the workbook
    ``path``. An existing file is replaced only with ``overwrite``, and never a folder."""
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise LupOptError("Excel workbooks need openpyxl: pip install 'lup_opt[excel]'") from None
    target = absolute_target(path, "template")
    if target.exists() and not overwrite:
        raise OutputError(f"template {target}: exists; nothing was changed. Give --overwrite to replace it, or "
                          "another folder")
    if scenario is None:
        import tempfile

        from lup_opt.init_scenario import init_starter

        with tempfile.TemporaryDirectory(prefix="lup-opt-template-") as work:
            starter = init_starter(Path(work) / target.parent.name)
            return _write(target, starter)
    return _write(target, Path(scenario))


def _write(target: Path, folder: Path) -> Path:
    import pandas as pd

    from lup_opt.scenario.loader import load_scenario

    loaded = load_scenario(folder)  # a template is always of a scenario that loads
    raw = read_yaml(folder / "scenario.yaml", "scenario.yaml")
    special = {key: raw.pop(key, {}) for key in (INDICATORS, TARGETS, VARIANTS)}
    settings = [(key, _scalar_cell(value)) for key, value in _flatten(raw)]
    tables = {}
    for key, value in settings:
        if isinstance(value, str) and value.lower().endswith(".csv"):
            frame = pd.read_csv(folder / value, dtype=str, keep_default_na=False, skipinitialspace=True)
            tables[Path(value).stem[:31]] = frame
    indicator_units = {name: spec.get("unit", "") for name, spec in special[INDICATORS].items()}
    lists = {
        "uses": list(loaded.uses["id"]),
        "jurisdictions": sorted(set(loaded.units["jurisdiction"])),
        "zones": [z.value for z in Zone],
        "land_types": sorted(set(loaded.units["land_type"])),
        "cover_classes": [c.value for c in CoverClass],
        "baseline_status": [s.value for s in BaselineStatus],
        "indicators": list(indicator_units),
        "senses": [c.value for c in Comparison],
        "booleans": list(BOOLEANS),
    }

    def write(tmp: Path) -> None:
        _save(tmp, settings, special, tables, indicator_units, lists)

    path = write_file(target, write, label="template")
    _copy_geometry(loaded, folder, path.parent)
    log.info("%s: %d table sheets from %s", path, len(tables), folder)
    return path


def _copy_geometry(loaded, folder: Path, beside: Path) -> None:
    """The outlines file beside the workbook (the workbook names it in its settings, as
    scenario.yaml does); one already there is kept."""
    import shutil

    geometry = loaded.config.geometry
    if geometry is None:
        return
    source, target = folder / geometry.file, beside / Path(geometry.file).name
    if source.is_file() and not target.exists():
        shutil.copyfile(source, target)


def _save(path: Path, settings, special, tables, indicator_units, lists) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = SETTINGS
    _fill(sheet, ["key", "value", "note"],
          [[k, v, "a table sheet of this name" if isinstance(v, str) and v.lower().endswith(".csv") else ""]
           for k, v in settings])
    _fill(book.create_sheet(INDICATORS), ["id", "unit", "description"],
          [[n, s.get("unit", ""), s.get("description", "")] for n, s in special[INDICATORS].items()])
    target_rows = [(name, dict(_flatten(spec))) for name, spec in special[TARGETS].items()]
    first = ["indicator", "sense", "value", "scope.jurisdiction", "scope.zone", "scope.land_type", "description"]
    columns = first + sorted({k for _, row in target_rows for k in row} - set(first) - {""})
    headers = ["id", *columns]
    rows = [[name, *(_scalar_cell(row[c]) if c in row and c not in ("indicator", "sense", "description")
                     else row.get(c, "") for c in columns)] for name, row in target_rows]
    _fill(book.create_sheet(TARGETS), [h if h != "value" else "value [indicator unit]" for h in headers], rows)
    _fill(book.create_sheet(VARIANTS), ["variant", "key", "value"],
          [[v, k, _scalar_cell(x)] for v, changes in special[VARIANTS].items() for k, x in changes.items()])
    for name, frame in tables.items():
        heads = [f"{c} [{u}]" if (u := UNITS.get((name, c)) or _indicator_unit(name, c, indicator_units)) else c
                 for c in frame.columns]
        values = [[_number(v) if c in NUMERIC or (name == "transitions" and c in indicator_units) else v
                   for c, v in zip(frame.columns, row, strict=True)] for row in frame.itertuples(index=False)]
        _fill(book.create_sheet(name), heads, values)
    hidden = book.create_sheet(LISTS)
    for k, (list_name, values) in enumerate(lists.items()):
        hidden.cell(1, k + 1, list_name).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            hidden.cell(row, k + 1, value)
    hidden.sheet_state = "hidden"

    def choose(sheet_name: str, column: str, list_name: str) -> None:
        if sheet_name not in book.sheetnames:
            return
        sheet = book[sheet_name]
        names = [str(c.value or "").split(" [")[0] for c in sheet[1]]
        if column not in names:
            return
        k = list(lists).index(list_name)
        letter, source = column_letter(names.index(column)), column_letter(k)
        rule = DataValidation(type="list", formula1=f"={LISTS}!${source}$2:${source}${len(lists[list_name]) + 1}",
                              allow_blank=True, showErrorMessage=True, errorStyle="warning",
                              errorTitle=f"not a known {list_name.rstrip('s')}",
                              error=f"Add it to the {list_name} first, or pick one from the list")
        rule.add(f"{letter}2:{letter}{MAX_ROWS}")
        sheet.add_data_validation(rule)

    for sheet_name, column, list_name in (
            ("baseline", "use", "uses"), ("coefficients", "use", "uses"), ("exclusions", "use", "uses"),
            ("productivity", "use", "uses"), ("transitions", "from_use", "uses"), ("transitions", "to_use", "uses"),
            ("units", "zone", "zones"), ("units", "baseline_status", "baseline_status"),
            ("uses", "cover_class", "cover_classes"), ("uses", "sealed", "booleans"),
            ("transitions", "allowed", "booleans"), ("coefficients", "indicator", "indicators"),
            ("coefficients", "jurisdiction", "jurisdictions"), ("coefficients", "land_type", "land_types"),
            ("population", "jurisdiction", "jurisdictions"), (TARGETS, "indicator", "indicators"),
            (TARGETS, "sense", "senses"), (TARGETS, "scope.jurisdiction", "jurisdictions"),
            (TARGETS, "scope.zone", "zones"), (TARGETS, "scope.land_type", "land_types")):
        choose(sheet_name, column, list_name)
    book.save(path)


def _indicator_unit(table: str, column: str, units: dict[str, str]) -> str:
    return f"{units[column]} per ha" if table == "transitions" and column in units else ""


def _number(value: str) -> Any:
    """A numeric cell as a number (Excel sums and sorts it); text that is not one stays as written."""
    if value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number


def _fill(sheet, headers: list[str], rows: list[list[Any]]) -> None:
    from openpyxl.styles import Font

    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([None if v == "" else v for v in row])
    sheet.freeze_panes = "A2"
    for k, header in enumerate(headers):
        sheet.column_dimensions[column_letter(k)].width = max(10, min(40, len(str(header)) + 4))
