"""A results folder as one Excel workbook, one sheet per table (optional extra ``lup_opt[excel]``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lup_opt.errors import LupOptError
from lup_opt.errors import OutputError
from lup_opt.results.result import MANIFEST, read_table
from lup_opt.safe_paths import absolute_target, read_manifest, write_file

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
    if not (folder / MANIFEST).exists():
        raise LupOptError(f"{folder}: not a lup_opt results folder (no {MANIFEST})")
    manifest = read_manifest(folder)
    if manifest is None:
        raise LupOptError(f"{folder}/{MANIFEST}: not a lup_opt results folder (damaged, or not written by lup_opt)")
    path = absolute_target(path if path is not None else folder / "results.xlsx", "--out")
    _check_workbook_target(path, folder, overwrite)
    stems = sorted({p.stem for p in folder.iterdir() if p.suffix in (".csv", ".parquet")})
    summary = [("scenario", manifest.get("scenario", {}).get("name")), ("status", manifest.get("status")),
               ("objective", manifest.get("objective")), ("objective_unit", manifest.get("objective_unit")),
               ("created", manifest.get("created"))]
    tables, left_out = {}, []
    for stem in stems:
        table = read_table(folder / stem)
        if len(table) > EXCEL_ROWS:
            left_out.append(f"{stem} ({len(table):,} rows; an Excel sheet holds {EXCEL_ROWS:,})")
            continue
        tables[stem[:31]] = table  # Excel's limit on sheet names
    summary += [("left out", item) for item in left_out]

    def write(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            pd.DataFrame(summary, columns=["item", "value"]).to_excel(writer, sheet_name="summary", index=False)
            for name, table in tables.items():
                table.to_excel(writer, sheet_name=name, index=False)

    return write_file(path, write)


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
