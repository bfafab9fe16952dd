"""Variants and one-off overrides of ``scenario.yaml`` keys.

A variant is a named mapping of overrides stored in the scenario's ``variants`` key; variants are
applied in the order given, then ``--set key=value`` overrides. Mappings merge key by key; any
other value (numbers, text, lists) replaces what was there, and so does an empty mapping
(``--set 'share_targets={}'`` leaves no share target). A dotted key (``ldn.scope``) is the same
as the nested mapping it spells out. ``targets.NAME=off`` (or ``share_targets.NAME=off``)
removes that target; naming one that is not defined is an error.
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
    """A new mapping: ``override`` merged into ``base`` (mappings merge, the rest replaces; an
    empty mapping replaces too, since merging it would change nothing)."""
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and value and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


# Sections whose entries ``NAME: off`` removes, and what an entry is called in messages.
REMOVABLE = {"targets": "target", "share_targets": "share target"}
OFF = "off"


def _is_off(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() == OFF)  # YAML 1.1 reads off as false


def merge_layer(config: Mapping[str, Any], layer: Mapping[str, Any], label: str) -> dict[str, Any]:
    """``layer`` (an expanded variant or ``--set``) merged into ``config``; ``targets.NAME: off``
    and ``share_targets.NAME: off`` remove that entry (an error naming it when it is not there)."""
    removals = []
    layer = dict(layer)
    for section, kind in REMOVABLE.items():
        entries = layer.get(section)
        if not isinstance(entries, Mapping):
            continue
        kept = {}
        for name, value in entries.items():
            if _is_off(value):
                removals.append((section, name))
            elif value is None:
                raise ScenarioError.single(label, f"{section}.{name}", f"null does not remove a {kind}; write "
                                                                       f"{section}.{name}=off to remove it")
            else:
                kept[name] = value
        if len(kept) < len(entries):
            if kept:
                layer[section] = kept
            else:
                del layer[section]  # an emptied mapping would replace the section
    merged = deep_merge(config, layer)
    for section, name in removals:
        current = merged.get(section)
        current = current if isinstance(current, dict) else {}
        if name not in current:
            kind = REMOVABLE[section]
            raise ScenarioError.single(label, f"{section}.{name}", f"no {kind} '{name}' to switch off"
                                       f"{did_you_mean(name, current)}; defined: {known_list(current) or 'none'}")
        del current[name]
    return merged


def comma_hints(overrides: Sequence[str] | Mapping[str, Any]) -> dict[tuple[str, ...], str]:
    """Where a ``--set`` value holds ``{key: a, b}``: YAML reads ``b`` as a second key without a
    value, so the scenario then has an unknown key ``b``. The place of each such key (a path of
    the configuration) with a hint to quote the value, for the messages of the loader."""
    if isinstance(overrides, Mapping):
        return {}
    hints: dict[tuple[str, ...], str] = {}
    for text in overrides:
        key, _, value = text.partition("=")
        if "," not in value or "{" not in value:
            continue
        try:
            parsed = parse_set_option(text)
        except ScenarioError:
            continue
        _find_bare_keys(parsed, (), key.strip(), hints)
    return hints


def _find_bare_keys(node: Any, path: tuple[str, ...], option: str, hints: dict[tuple[str, ...], str]) -> None:
    if not isinstance(node, Mapping):
        return
    before = None
    for name, value in node.items():
        here = (*path, str(name))
        if value is None and before is not None and not isinstance(before[1], Mapping | list):
            hints[here] = (f"did you mean to quote the value? In --set {option}={{...}}, YAML reads "
                           f"`{before[0]}: {before[1]}, {name}` as two entries, '{name}' a key without a value; "
                           f"write {before[0]}: \"{before[1]}, {name}\" (quoted), or a list [{before[1]}, {name}]")
        _find_bare_keys(value, here, option, hints)
        before = (name, value)


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
            layer = expand_dotted(body)
        except ValueError as exc:
            raise ScenarioError.single(file_label, f"variants.{name}", str(exc)) from None
        config = merge_layer(config, layer, f"{file_label}, variants.{name}")
    if isinstance(overrides, Mapping):
        try:
            layer = expand_dotted(overrides)
        except ValueError as exc:
            raise ScenarioError.single("overrides", "", str(exc)) from None
        config = merge_layer(config, layer, "overrides")
    else:
        for text in overrides:
            config = merge_layer(config, parse_set_option(text), "--set")
    config["variants"] = defined
    return config
