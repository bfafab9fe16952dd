"""Where a scenario's baseline came from, when a tool recorded it beside the scenario
(``lup-opt baseline`` writes ``baseline_source.json``: the Trends.Earth rasters, their SHA-256,
the shares' totals). Read and checked when the scenario loads, so that every solve's manifest
carries it without the results stage reading scenario files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lup_opt.errors import ScenarioError

BASELINE_SOURCE = "baseline_source.json"


def read_baseline_source(folder: Path) -> dict[str, Any] | None:
    path = folder / BASELINE_SOURCE
    if not path.is_file():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScenarioError.single(BASELINE_SOURCE, "", f"cannot be read as JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ScenarioError.single(BASELINE_SOURCE, "", "must hold a JSON object (what the baseline came from)")
    return value


__all__ = ["BASELINE_SOURCE", "read_baseline_source"]
