"""A results folder as one Excel workbook, one sheet per table (optional extra ``lup_opt[excel]``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lup_opt.errors import LupOptError, OutputError
from lup_opt.results.io import read_table_checked, table_names
from lup_opt.results.manifest import read_manifest
from lup_opt.safe_paths import absolute_target, write_file

EXCEL_ROWS = 1_048_575  # rows a sheet holds below its header


def export_excel(folder: str | Path, path: str | Path | None = None, overwrite: bool = False) -> Path:
    """Write ``results.xlsx`` (or ``path``): a ``summary`` sheet from the manifest, then every
    table of the folder. A table longer than a sheet is left out and named in the summary.

    An existing ``path`` is replaced only when it is a workbook inside the results folder, or
    with ``overwrite`` when it is a workbook elsewhere; never a folder or another kind of file."""
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise LupOptError("Excel export needs openpyxl: pip install 'lup_opt[excel]'") from None
    folder = Path(folder)
    manifest = read_manifest(folder)
    path = absolute_target(path if path is not None else folder / "results.xlsx", "--out")
    _check_workbook_target(path, folder, overwrite)
    # Every table of the folder: a plan's, and what lies beside them (an evaluation's difference
    # from the optimum, a diagnosis's LDN capacity, a trade-off's tables).
    summary = [("scenario", manifest.scenario_info.name), ("status", str(manifest.status or "")),
               ("objective", manifest.objective), ("objective_unit", manifest.objective_unit),
               ("created", manifest.created)]
    tables, left_out = {}, []
    for stem in table_names(folder):
        table = read_table_checked(folder / stem)
        if len(table) > EXCEL_ROWS:
            left_out.append(f"{stem} ({len(table):,} rows; an Excel sheet holds {EXCEL_ROWS:,})")
            continue
        tables[stem[:31]] = table  # Excel's limit on sheet names
    summary += [("left out", item) for item in left_out]

    def write(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            sheets = {"summary": pd.DataFrame(summary, columns=["item", "value"]), **tables}
            for name, table in sheets.items():
                table.to_excel(writer, sheet_name=name, index=False)
                _format_sheet(writer.sheets[name], table, header_units(name, table, manifest.objective_unit))

    return write_file(path, write)


YEAR_COLUMNS = ("period", "year", "from_year", "to_year", "baseline_year")
# Quantities whose unit is given per row, in the column named here.
PER_ROW_UNITS = {
    "duals": {"rhs": "unit", "activity": "unit", "slack": "unit", "valid_from": "unit", "valid_to": "unit",
              "shadow_price": "price_unit", "marginal_rate": "rate_unit"},
    "indicators": {c: "unit" for c in ("baseline_value", "value", "change", "target", "shortfall")},
    "food": {c: "unit" for c in ("production", "demand", "from_other_jurisdictions", "to_other_jurisdictions",
                                 "imports", "exports")},
    "food_flows": {"quantity": "unit"},
    "finance": {"amount": "unit"},
    "funds": {"available": "unit", "used": "unit", "unused": "unit"},
    "reduced_costs": {"improvement_needed": "improvement_unit"},
}
FIXED_UNITS = {
    "livelihoods": {"labour_force": "persons", "jobs": "jobs", "without_work": "persons",
                    "migration_pressure_share": "share of the labour force"},
    "food": {"self_sufficiency": "production / demand"},
}
OBJECTIVE_UNITS = {"ldn_price": ("objective_with_ldn", "objective_without", "price_of_neutrality")}


def header_units(sheet: str, table: pd.DataFrame, objective_unit: str | None) -> dict[str, str]:
    """The unit written under each column's name: one unit where the whole column has it, "see
    COLUMN" where rows differ. Names that end in _ha already say theirs."""
    units = dict(FIXED_UNITS.get(sheet, {}))
    for column, unit_column in PER_ROW_UNITS.get(sheet, {}).items():
        if column in table.columns and unit_column in table.columns:
            given = table[unit_column].dropna().astype(str).unique()
            units[column] = given[0] if len(given) == 1 else f"see {unit_column}"
    if objective_unit:
        units.update({c: objective_unit for c in OBJECTIVE_UNITS.get(sheet, ())})
    return {c: u for c, u in units.items() if c in table.columns}


def _format_sheet(sheet, table: pd.DataFrame, units: dict[str, str] | None = None) -> None:
    """A sheet a planner can read: bold header on a frozen first row with filters, the unit under
    each quantity's name, columns as wide as their content (at most 48 characters), thousands
    separators on quantities, years as written."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    units = units or {}
    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="E8F5E9")
    for cell, column in zip(sheet[1], table.columns, strict=False):
        if column in units:
            cell.value = f"{column}\n({units[column]})"
        cell.font, cell.fill = header_font, header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    if len(table.columns):
        sheet.auto_filter.ref = sheet.dimensions
    for i, column in enumerate(table.columns, start=1):
        values = table[column]
        sample = values.head(2000).astype(str)
        width = max([len(str(column)), *sample.str.len().tolist()])
        sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 48)
        if column in YEAR_COLUMNS or not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        style = "#,##0" if pd.api.types.is_integer_dtype(values) else "#,##0.00"
        for (cell,) in sheet.iter_rows(min_row=2, max_row=len(table) + 1, min_col=i, max_col=i):
            cell.number_format = style


def _check_workbook_target(path: Path, folder: Path, overwrite: bool) -> None:
    if path.suffix.lower() != ".xlsx":
        raise OutputError(f"--out {path}: a workbook's name ends in .xlsx")
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise OutputError(f"--out {path}: exists and is not a file; nothing was written")
    if not path.exists():
        return
    with open(path, "rb") as handle:
        if handle.read(4) != b"PK\x03\x04":
            raise OutputError(f"--out {path}: exists and is not an Excel workbook; nothing was written")
    if path.parent != folder.resolve() and not overwrite:
        raise OutputError(f"--out {path}: a workbook of that name exists; give --overwrite to replace it")
