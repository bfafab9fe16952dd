"""Two runs side by side: lup_opt's comparison (objective, indicators, LDN balance, allocation:
B - A), and what changed in the inputs, key by key, from the effective configuration each run
kept beside its results (``inputs.json``; for a folder without one, its variants and overrides)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lup_opt.app.views import records
from lup_opt.app.worker import INPUTS

MAX_INPUT_CHANGES = 200


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flat(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value}


def _inputs(folder: Path) -> dict[str, Any]:
    path = folder / INPUTS
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    scenario = manifest.get("scenario") if isinstance(manifest.get("scenario"), dict) else {}
    return {"scenario": scenario.get("name"), "variants": scenario.get("variants", []),
            "overrides": scenario.get("overrides", []), "content_hash": scenario.get("hash"), "config": None}


def input_changes(a: Path, b: Path) -> dict[str, Any]:
    """What B was run with that A was not: variants, overrides, and every configuration key whose
    value differs (when both runs kept their configuration)."""
    left, right = _inputs(a), _inputs(b)
    changes = []
    if left.get("config") is not None and right.get("config") is not None:
        fa, fb = _flat(left["config"]), _flat(right["config"])
        for key in sorted(set(fa) | set(fb)):
            if fa.get(key) != fb.get(key) and key != "name":
                changes.append({"key": key, "a": _text(fa.get(key)), "b": _text(fb.get(key))})
    return {"a": {k: left.get(k) for k in ("scenario", "variants", "overrides")},
            "b": {k: right.get(k) for k in ("scenario", "variants", "overrides")},
            # the hash covers the configuration and the tables: with the same configuration, the tables changed
            "tables_differ": not changes and left.get("content_hash") != right.get("content_hash"),
            "changes": changes[:MAX_INPUT_CHANGES], "more": max(0, len(changes) - MAX_INPUT_CHANGES)}


def _text(value: Any) -> str:
    return "—" if value is None else json.dumps(value) if isinstance(value, list | dict) else str(value)


def compare(a: Path, b: Path) -> dict[str, Any]:
    from lup_opt.compare import compare_runs

    comparison = compare_runs(a, b)
    indicators = comparison.indicators
    if not indicators.empty and "scope" in indicators.columns:
        # the whole area's indicators first; the page can filter the rest
        indicators = indicators.assign(_whole=indicators["scope"].astype(str) != "functional area")
        indicators = indicators.sort_values(["_whole", "indicator", "period"], kind="stable").drop(columns="_whole")
    return {"a": comparison.a, "b": comparison.b, "summary": records(comparison.summary),
            "indicators": records(indicators), "ldn_balance": records(comparison.ldn_balance),
            "allocation": records(comparison.allocation), "inputs": input_changes(a, b)}
