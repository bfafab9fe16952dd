"""Variants and one-off overrides of ``scenario.yaml`` keys.

A variant is a named mapping of overrides stored in the scenario's ``variants`` key; variants are
applied in the order given, then ``--set key=value`` overrides. Mappings merge key by key; any
other value (numbers, text, lists) replaces what was there. A dotted key (``ldn.scope``) is the
same as the nested mapping it spells out.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from lup_opt.errors import ScenarioError, did_you_mean, known_list
from lup_opt.safe_paths import excerpt


def expand_dotted(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """Turn ``{"a.b": 1}`` into ``{"a": {"b": 1}}``, recursively."""
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        value = expand_dotted(value) if isinstance(value, Mapping) else value
        parts = str(key).split(".")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ValueError(f"key '{key}' sets inside '{part}', which is not a mapping")
        leaf = parts[-1]
        if isinstance(value, dict) and isinstance(node.get(leaf), dict):
            node[leaf] = deep_merge(node[leaf], value)
        else:
            node[leaf] = value
    return out


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """A new mapping: ``override`` merged into ``base`` (mappings merge, the rest replaces)."""
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def parse_set_option(text: str) -> dict[str, Any]:
    """Parse one ``key=value`` (value read as YAML: numbers, true/false, lists) into a mapping."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ScenarioError.single(
            "--set", excerpt(text, 60), "expected key=value, e.g. --set ldn.scope=jurisdiction"
        )
    from lup_opt.scenario.safe_input import load_yaml

    parsed = load_yaml(value, "--set", excerpt(key, 60)) if value.strip() else ""
    try:
        return expand_dotted({key: parsed})
    except ValueError as exc:
        raise ScenarioError.single("--set", excerpt(key, 60), str(exc)) from None


def apply_variants_and_overrides(
    raw: Mapping[str, Any],
    variants: Sequence[str],
    overrides: Sequence[str] | Mapping[str, Any],
    file_label: str,
) -> dict[str, Any]:
    """The effective configuration: ``raw`` with variants then overrides applied."""
    defined = raw.get("variants") or {}
    if not isinstance(defined, Mapping):
        raise ScenarioError.single(file_label, "variants", "must be a mapping of name -> overrides")
    config = {k: v for k, v in raw.items() if k != "variants"}
    for name in variants:
        if name not in defined:
            raise ScenarioError.single(
                file_label,
                "variants",
                f"unknown variant '{name}'{did_you_mean(name, defined)}; "
                f"defined: {known_list(defined) or 'none'}",
            )
        body = defined[name] or {}
        if not isinstance(body, Mapping):
            raise ScenarioError.single(file_label, f"variants.{name}", "must be a mapping of overrides")
        try:
            config = deep_merge(config, expand_dotted(body))
        except ValueError as exc:
            raise ScenarioError.single(file_label, f"variants.{name}", str(exc)) from None
    if isinstance(overrides, Mapping):
        config = deep_merge(config, expand_dotted(overrides))
    else:
        for text in overrides:
            config = deep_merge(config, parse_set_option(text))
    config["variants"] = defined
    return config
