"""A results folder as one Excel workbook, one sheet per table (optional extra ``lup_opt[excel]``)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pandas as pd

from lup_opt.errors import LupOptError
from lup_opt.results.result import MANIFEST, read_table

EXCEL_ROWS = 1_048_575  # rows a sheet holds below its header


def export_excel(folder: str | Path, path: str | Path | None = None) -> Path:
    """Write ``results.xlsx`` (or ``path``): a ``summary`` sheet from the manifest, then every
    table of the folder. A table longer than a sheet is left out and named in the summary."""
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise LupOptError("Excel export needs openpyxl: pip install 'lup_opt[excel]'") from None
    folder = Path(folder)
    if not (folder / MANIFEST).exists():
        raise LupOptError(f"{folder}: not a lup_opt results folder (no {MANIFEST})")
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    path = Path(path) if path is not None else folder / "results.xlsx"
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
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            pd.DataFrame(summary, columns=["item", "value"]).to_excel(writer, sheet_name="summary", index=False)
            for name, table in tables.items():
                table.to_excel(writer, sheet_name=name, index=False)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
