"""Reusing a stored run instead of solving again (``solve``, ``explain``, ``compare``; ``--fresh`` opts out).

A run's folder keeps, in its manifest under ``reuse``, what decides its answer: the command, the
scenario's content hash (its effective configuration and the bytes of every table), its variants
and overrides, the options that change the answer (backend, method, mode, time limit, ...) and
lup_opt's version. A later run whose key is the same finds the folder's result instead of
solving: the answer would be the same, so the seconds are saved. A run that stopped short (time
limit, solver error) is never reused: more time might give another answer; nor is a folder whose
files are not those its manifest lists (a file added or removed since it was written).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from lup_opt.enums import SolveStatus
from lup_opt.errors import LupOptError
from lup_opt.safe_paths import MANIFEST

if TYPE_CHECKING:
    from lup_opt.results.result import Result
    from lup_opt.scenario.scenario import Scenario

log = logging.getLogger(__name__)

REUSE = "reuse"  # the manifest key
FINAL = (SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE, SolveStatus.UNBOUNDED)
FOLDER_DEFAULTS = {"format": "auto"}  # how the folder is written (csv, parquet): part of what is reused


def solve_defaults() -> dict[str, Any]:
    """The options of :func:`lup_opt.api.solve` with their defaults (read from its signature, so that
    a new option or default is part of the key at once), and the folder's table format."""
    import inspect

    from lup_opt.api import solve

    options = {name: _plain(p.default) for name, p in inspect.signature(solve).parameters.items()
               if p.kind is inspect.Parameter.KEYWORD_ONLY}
    return {**options, **FOLDER_DEFAULTS}


def _plain(value: Any) -> Any:
    """An option as JSON would hold it (enums by value)."""
    return getattr(value, "value", value)


def reuse_key(scenario: Scenario, command: str, **options: Any) -> dict[str, Any]:
    """What decides a run's answer (see the module docstring); ``options`` not given are the defaults."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        package = version("lup_opt")
    except PackageNotFoundError:  # pragma: no cover - a source tree that is not installed
        package = "unknown"
    chosen = {k: _plain(v) for k, v in options.items()}
    if command == "solve":
        chosen = {**solve_defaults(), **chosen}
    return {"command": command, "scenario_hash": scenario.content_hash, "variants": list(scenario.variants),
            "overrides": list(scenario.overrides), "options": chosen, "lup_opt": package}


def stamped(result: Result, key: Mapping[str, Any]) -> Result:
    """``result`` with its reuse key in the manifest (written with the folder)."""
    return replace(result, manifest=MappingProxyType({**result.manifest, REUSE: dict(key)}))


def stored_key(folder: str | Path) -> dict[str, Any] | None:
    """The reuse key in the manifest of ``folder``; None when it has none or is not a lup_opt folder."""
    from lup_opt.safe_paths import read_manifest

    folder = Path(folder)
    if not (folder / MANIFEST).is_file():
        return None
    manifest = read_manifest(folder)
    key = (manifest or {}).get(REUSE)
    return key if isinstance(key, dict) else None


def stored_result(folder: str | Path, key: Mapping[str, Any], *, needs: tuple[str, ...] = ()) -> Result | None:
    """The result stored in ``folder`` when it was solved with the same ``key`` and finished
    (optimal, infeasible or unbounded) and holds the files in ``needs`` (e.g. report.html); else None."""
    from lup_opt.results.result import read_result

    folder = Path(folder)
    if stored_key(folder) != _comparable(key) or any(not (folder / name).exists() for name in needs):
        return None
    if not _as_written(folder):
        log.info("%s: its files are not those lup_opt wrote; solving again", folder)
        return None
    try:
        result = read_result(folder)
    except LupOptError as exc:
        log.warning("%s: %s; solving again", folder, exc)
        return None
    if result.status not in FINAL:
        return None
    log.info("%s: reused (same scenario hash and options)", folder)
    return result


def _as_written(folder: Path) -> bool:
    """Whether the folder holds exactly the files its manifest lists (none added or removed since)."""
    from lup_opt.safe_paths import read_manifest

    listed = (read_manifest(folder) or {}).get("files")
    return isinstance(listed, list) and {p.name for p in folder.iterdir()} == set(listed)


def _comparable(key: Mapping[str, Any]) -> dict[str, Any]:
    import json

    return json.loads(json.dumps(dict(key), default=str))


def solve_into(scenario: Scenario, folder: str | Path, *, fresh: bool = False, report: bool = True,
               table_format: str = "auto", overwrite: bool = False, **options: Any) -> Result:
    """``lup_opt.solve(scenario, **options)`` written to ``folder``, or the result already there when it
    was solved with the same scenario hash and options (as ``lup-opt solve`` does; ``fresh`` solves
    again). For scripts and notebooks that run the same scenarios again."""
    from lup_opt.api import solve

    key = reuse_key(scenario, "solve", **options, format=table_format)
    found = None if fresh else stored_result(folder, key, needs=("report.html",) if report else ())
    if found is not None:
        return found
    result = stamped(solve(scenario, **options), key)
    result.write(folder, table_format, report, overwrite=overwrite)
    return result
