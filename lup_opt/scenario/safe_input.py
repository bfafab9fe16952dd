"""Reading what a scenario gives, strictly: ``scenario.yaml`` as UTF-8 YAML without duplicate
keys, unknown tags, runaway nesting or aliases; numbers in the configuration finite; every file
the configuration names inside the scenario folder.

Each problem is a :class:`ScenarioError` naming the file and the line, byte or key.
"""

from __future__ import annotations

import codecs
import contextlib
import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, SequenceNode

from lup_opt.errors import IssueCollector, ScenarioError, ScenarioIssue
from lup_opt.safe_paths import excerpt, inside, read_bytes

MAX_DEPTH = 64  # nesting of mappings and lists, aliases followed
MAX_VALUES = 200_000  # values once every alias is expanded
MERGE_TAG = "tag:yaml.org,2002:merge"


class StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader that also refuses a key given twice in one mapping, nesting deeper
    than ``MAX_DEPTH``, recursive aliases and aliases that expand beyond ``MAX_VALUES`` values,
    and reports a value its tag cannot read (``!!float abc``) as a YAML error at its line."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_document(self) -> Node:
        node = super().compose_document()
        _check_expansion(node)
        return node

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (yaml.YAMLError, ScenarioError):
            raise
        except Exception as exc:  # noqa: BLE001 - a tag's constructor failing on its value
            value = excerpt(node.value) if isinstance(node.value, str) else ""
            raise ConstructorError(None, None, f"the value '{value}' cannot be read as {_tag(node.tag)}"
                                   f" ({type(exc).__name__})", node.start_mark) from None

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == MERGE_TAG:
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:
                    continue  # an unhashable key: PyYAML refuses it itself
                if first is not None:
                    raise ConstructorError(None, None, f"the key '{excerpt(key)}' is given twice (first on line "
                                           f"{first}); keep one", key_node.start_mark)
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep)


def _tag(tag: str) -> str:
    return "!!" + tag.rsplit(":", 1)[-1] if tag.startswith("tag:yaml.org,2002:") else tag


def _check_expansion(root: Node | None) -> None:
    """Refuse aliases that refer to themselves, or that expand into more than ``MAX_VALUES``
    values or ``MAX_DEPTH`` levels (a "billion laughs"). Iterative: no recursion to exhaust."""
    if root is None:
        return
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node)
        if done:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in children)
            depth[key] = 1 + max((depth[id(c)] for c in children), default=0)
            if size[key] > MAX_VALUES:
                raise ComposerError(None, None, f"aliases expand to more than {MAX_VALUES:,} values", node.start_mark)
            if depth[key] > MAX_DEPTH:
                raise ComposerError(None, None, f"nested (aliases followed) more than {MAX_DEPTH} levels deep",
                                    node.start_mark)
            continue
        if key in size:
            continue
        on_path.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in on_path:
                raise ComposerError(None, None, "an alias refers to the value that holds it (a recursive alias)",
                                    child.start_mark)
            if id(child) not in size:
                stack.append((child, False))


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _line_col(text: str, position: int) -> str:
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return f"line {line}, column {column}"


def decode_utf8(data: bytes, label: str) -> str:
    """``data`` as UTF-8 text (a UTF-8 BOM dropped); anything else is refused with the line and
    byte where it stops being UTF-8."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise ScenarioError.single(label, "byte 0", "UTF-16 or UTF-32 text; save the file as UTF-8")
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ScenarioError.single(
            label, f"line {line}, byte {exc.start}",
            f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8 (it may be Latin-1 or "
            f"Windows-1252)") from None


def load_yaml(text: str, label: str, where: str = "") -> Any:
    """Parse YAML text with :class:`StrictLoader`; a problem is a ScenarioError at its line."""
    loader = None
    try:
        loader = StrictLoader(text)
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None)
        if isinstance(exc, yaml.reader.ReaderError):
            place = _line_col(text, exc.position)
            problem = f"character #x{exc.character:04x} is not allowed" if isinstance(exc.character, int) else \
                "a character is not allowed"
        else:
            place = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
            problem = problem or "cannot be parsed"
        context = f"{where}: " if where else ""
        place = f"{where} ({place})" if where and place else (where or place)
        raise ScenarioError.single(label, place, f"not valid YAML: {context}{excerpt(problem, 120)}") from None
    except RecursionError:
        raise ScenarioError.single(label, where, "not valid YAML: nested too deep") from None
    finally:
        if loader is not None:
            loader.dispose()


def read_yaml(path: Path, label: str) -> dict[str, Any]:
    """``scenario.yaml`` as a mapping, read strictly (see the module docstring)."""
    raw = load_yaml(decode_utf8(read_bytes(path, label), label), label)
    if not isinstance(raw, dict):
        raise ScenarioError.single(label, "", "must be a mapping of keys (name, periods, ...)")
    return raw


def _walk(value: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    stack = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, Mapping):
            stack.extend((where + (str(k),), v) for k, v in item.items())
        elif isinstance(item, list | tuple):
            stack.extend((where + (str(i),), v) for i, v in enumerate(item))
        else:
            yield where, item


def check_finite(config: Any, label: str, suffix: str = "") -> None:
    """Every number of the validated configuration is finite (no NaN, no infinity)."""
    issues = IssueCollector()
    dumped = config.model_dump(mode="python") if hasattr(config, "model_dump") else config
    for where, value in sorted(_walk(dumped, ()), key=lambda item: item[0]):
        if isinstance(value, float) and not math.isfinite(value):
            issues.add(label, ".".join(where) + suffix, f"{value} is not a finite number; give a number")
    issues.raise_if_any()


def _named_files(config: Any) -> Iterator[tuple[str, str]]:
    """(key, relative path) of every file the configuration names."""
    dumped = config.model_dump(mode="python")
    for key, value in (dumped.get("tables") or {}).items():
        if isinstance(value, str) and value:
            yield f"tables.{key}", value
    singles = {("population", "file"), ("food", "links"), ("finance", "amounts"), ("ldn", "land_cover_matrix"),
               ("geometry", "file")}
    for where, value in _walk(dumped, ()):
        if not isinstance(value, str) or not value:
            continue
        if where[:2] in singles or (len(where) >= 2 and where[0] == "ldn" and where[-1] in ("plan", "file")):
            yield ".".join(where), value


def check_paths(folder: Path, config: Any, label: str, allow_outside: bool = False) -> set[str]:
    """Every file the configuration names resolves inside the scenario ``folder`` (no ``..``,
    absolute path or symlink leading out), unless ``allow_outside``. Returns the names of the
    files that lie outside (allowed)."""
    issues = IssueCollector()
    outside: set[str] = set()
    for where, relative in _named_files(config):
        try:
            inside(folder, relative, label, where, allow_outside=False)
        except ScenarioError as exc:
            if not allow_outside or any("symlink loop" in i.message or "NUL" in i.message or "long" in i.message
                                        for i in exc.issues):
                issues.extend(exc.issues)
            outside.add(relative)
    issues.raise_if_any()
    return outside


@contextlib.contextmanager
def unquoted(outside: set[str]) -> Iterator[None]:
    """Problems found in a file outside the scenario folder keep their place (line, column) but
    quote nothing of the file: it may be any file (``--allow-outside``)."""
    try:
        yield
    except ScenarioError as exc:
        if not outside or not any(issue.file in outside for issue in exc.issues):
            raise
        issues = [ScenarioIssue(issue.file, issue.where,
                                "does not fit this table's format (the file lies outside the scenario folder, so "
                                "nothing of it is quoted)") if issue.file in outside else issue
                  for issue in exc.issues]
        raise ScenarioError(list(dict.fromkeys(issues))) from None
