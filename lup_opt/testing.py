"""Helpers for testing with lup_opt: write small scenarios, check results.

    from lup_opt.testing import write_scenario, assert_same_optimum
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from lup_opt.results.result import Result

Rows = Sequence[Mapping[str, Any]] | pd.DataFrame

_TABLES = ("units", "baseline", "uses", "coefficients", "transitions", "exclusions", "productivity")


def write_scenario(
    folder: str | Path,
    config: Mapping[str, Any],
    **tables: Rows,
) -> Path:
    """Write ``scenario.yaml`` and the given tables (``units=[{...}, ...]`` or DataFrames).

    Tables given here are added to ``config['tables']`` under their default file names unless
    the config names them already. Returns the folder.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    config = dict(config)
    table_paths = dict(config.get("tables", {}))
    for name, rows in tables.items():
        if name not in _TABLES:
            raise ValueError(f"unknown table '{name}'; use one of {', '.join(_TABLES)}")
        file_name = table_paths.setdefault(name, f"{name}.csv")
        frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
        frame.to_csv(folder / file_name, index=False)
    if table_paths:
        config["tables"] = table_paths
    (folder / "scenario.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return folder


def assert_same_optimum(a: Result, b: Result, rel: float = 1e-7) -> None:
    """Both results optimal with objectives equal within ``rel`` (relative)."""
    assert a.is_optimal and b.is_optimal, (a.status, b.status)
    scale = max(1.0, abs(a.objective), abs(b.objective))
    assert abs(a.objective - b.objective) <= rel * scale, (a.objective, b.objective)


def assert_ldn_met(result: Result, tol: float = 1e-6) -> None:
    """Every enforced LDN group has gains − losses ≥ its target (within ``tol`` ha)."""
    balance = result.ldn_balance
    bad = balance[balance["net_ha"] < balance["target_ha"] - tol]
    assert bad.empty, bad
