"""The result of one solve: status, objective, planner tables and a manifest."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from types import MappingProxyType
from typing import Any

import pandas as pd

from lup_opt.enums import SolveStatus

TABLES = ("allocation", "transitions", "ldn_balance", "indicators", "duals")
MANIFEST = "manifest.json"
SOLVER_LOG = "highs.log"


@dataclass(frozen=True)
class Result:
    """What a planner gets back. Tables are empty unless the status is optimal."""

    status: SolveStatus
    message: str
    objective: float | None
    objective_unit: str
    allocation: pd.DataFrame
    transitions: pd.DataFrame
    ldn_balance: pd.DataFrame
    indicators: pd.DataFrame
    duals: pd.DataFrame
    manifest: Mapping[str, Any]
    solver_log: str = field(repr=False, default="")

    @property
    def is_optimal(self) -> bool:
        return self.status is SolveStatus.OPTIMAL

    def binding_targets(self) -> pd.DataFrame:
        """Targets and LDN rows that hold with no slack, with their shadow prices."""
        if self.duals.empty:
            return self.duals
        table = self.duals[self.duals["binding"]]
        return table.reindex(table["shadow_price"].abs().sort_values(ascending=False).index)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in TABLES}

    def write(self, folder: str | Path) -> Path:
        """Write the results folder atomically (a temporary folder, then renamed into place).

        An existing folder of the same name is replaced only once the new one is complete.
        """
        return write_results(self, Path(folder))


def write_results(result: Result, folder: Path) -> Path:
    folder = folder.resolve()
    parent = folder.parent
    parent.mkdir(parents=True, exist_ok=True)
    start = perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.partial-", dir=parent))
    try:
        if result.is_optimal:
            for name, table in result.tables().items():
                table.to_csv(tmp / f"{name}.csv", index=False)
        (tmp / SOLVER_LOG).write_text(result.solver_log, encoding="utf-8")
        manifest = json.loads(json.dumps(dict(result.manifest), default=_jsonable))
        manifest.setdefault("seconds", {})["write"] = round(perf_counter() - start, 4)
        manifest["files"] = sorted(p.name for p in tmp.iterdir()) + [MANIFEST]
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        _replace_folder(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def _replace_folder(new: Path, folder: Path) -> None:
    if not folder.exists():
        os.replace(new, folder)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
    os.rmdir(old)
    os.replace(folder, old)
    try:
        os.replace(new, folder)
    except BaseException:
        os.replace(old, folder)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _jsonable(value: Any) -> Any:
    if isinstance(value, MappingProxyType):
        return dict(value)
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    return str(value)
