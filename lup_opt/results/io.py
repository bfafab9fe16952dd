"""Reading a results folder's files: its tables (CSV or Parquet), its diagnosis and its solver
log. Below both the writer (:mod:`lup_opt.results.result`) and the readers (the report,
compare, excel, sweep), so that none of them needs the other; the manifest is
:mod:`lup_opt.results.manifest`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lup_opt.diagnose.diagnosis import Diagnosis
from lup_opt.errors import LupOptError

SOLVER_LOG = "highs.log"
DIAGNOSIS_JSON, DIAGNOSIS_MD, LDN_CAPACITY = "diagnosis.json", "diagnosis.md", "ldn_capacity"
TABLE_SUFFIXES = (".parquet", ".csv")  # the formats write_table chooses from, Parquet first


def table_file(stem: Path) -> Path:
    """The file of the table ``stem`` (``folder/name``): Parquet when written so, else CSV."""
    parquet = stem.with_suffix(".parquet")
    return parquet if parquet.exists() else stem.with_suffix(".csv")


def has_table(folder: Path, name: str) -> bool:
    return table_file(Path(folder) / name).exists()


def table_names(folder: Path) -> tuple[str, ...]:
    """Every table in ``folder``, by name, in order."""
    return tuple(sorted({p.stem for p in Path(folder).iterdir() if p.suffix in TABLE_SUFFIXES and p.is_file()}))


def read_table(stem: Path) -> pd.DataFrame:
    """A table written by :func:`lup_opt.results.result.write_table`, whichever format it took
    (FileNotFoundError when there is none)."""
    path = table_file(stem)
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


def read_table_checked(stem: Path) -> pd.DataFrame:
    """:func:`read_table`, with a missing or unreadable table a LupOptError naming its file."""
    path = table_file(stem)
    try:
        return read_table(stem)
    except FileNotFoundError:
        raise LupOptError(f"{path}: missing (a damaged results folder)") from None
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (OSError, ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise LupOptError(f"{path}: cannot be read ({type(exc).__name__}; a damaged results folder)") from None


def write_diagnosis(diagnosis: Diagnosis, folder: Path) -> None:
    (folder / DIAGNOSIS_JSON).write_text(diagnosis.to_json(), encoding="utf-8")
    (folder / DIAGNOSIS_MD).write_text(diagnosis.to_markdown(), encoding="utf-8")
    if diagnosis.ldn_capacity is not None and len(diagnosis.ldn_capacity):
        diagnosis.ldn_capacity.to_csv(folder / f"{LDN_CAPACITY}.csv", index=False)


def read_diagnosis(folder: Path) -> Diagnosis | None:
    """The diagnosis :func:`write_diagnosis` wrote into ``folder``; None when there is none."""
    path = Path(folder) / DIAGNOSIS_JSON
    if not path.is_file():
        return None
    capacity = Path(folder) / LDN_CAPACITY
    try:
        return Diagnosis.from_json(path.read_text(encoding="utf-8"),
                                   read_table_checked(capacity) if has_table(folder, LDN_CAPACITY) else None)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise LupOptError(f"{path}: cannot be read ({type(exc).__name__}; a damaged results folder)") from None


def diagnosis_text(folder: Path) -> str | None:
    """diagnosis.md, as the planner reads it; None when the folder has none."""
    path = Path(folder) / DIAGNOSIS_MD
    return path.read_text(encoding="utf-8") if path.is_file() else None


def read_solver_log(folder: Path) -> str:
    path = Path(folder) / SOLVER_LOG
    return path.read_text(encoding="utf-8") if path.is_file() else ""
