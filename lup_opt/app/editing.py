"""A scenario as the editor shows it, validating an edited copy, and saving it.

Validation never touches the scenario: the edited files are written into a copy of its folder in
the workspace's scratch (the other files hard-linked, so a large raster costs nothing) and that
copy is loaded with the package's own loader, variants and ``--set`` overrides applied. The
issues are the CLI's (file, row or key, message), with the scratch path replaced by the
scenario's name. Saving validates first and then replaces each edited file atomically; an
invalid edit is never written.

YAML is only ever parsed (safe loader, :func:`yaml.compose` for line numbers): nothing in a
scenario file is evaluated.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import secrets
import shutil
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from lup_opt.app.workspace import SCENARIO_FILE, Workspace
from lup_opt.errors import LupOptError, ScenarioError
from lup_opt.safe_paths import write_file

log = logging.getLogger(__name__)

EDITABLE = re.compile(r"^[A-Za-z0-9_.-]{1,120}\.(csv|yaml|yml)$")  # files of the scenario folder itself
MAX_GRID_ROWS = 5_000  # larger tables are shown read-only, first rows only
MAX_EDIT_BYTES = 20_000_000


class EditRefused(LupOptError):
    """An edit that names a file the editor may not write."""


def check_file_name(name: str) -> str:
    if not EDITABLE.match(name) or name.startswith("."):
        raise EditRefused(f"'{name[:60]}': only the CSV and YAML files of the scenario folder itself can be edited")
    return name


def scenario_detail(workspace: Workspace, name: str) -> dict[str, Any]:
    """scenario.yaml's text, the tables it names, its variants and description."""
    folder = workspace.scenario(name)
    text = workspace.inside(f"{workspace.relative(folder)}/{SCENARIO_FILE}").read_text(encoding="utf-8")
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        raw = {}
    raw = raw if isinstance(raw, dict) else {}
    named = raw.get("tables") if isinstance(raw.get("tables"), dict) else {}
    tables = {str(k): str(v) for k, v in named.items() if isinstance(v, str)}
    others = sorted(p.name for p in folder.glob("*.csv") if p.name not in tables.values())
    variants = raw.get("variants") if isinstance(raw.get("variants"), dict) else {}
    return {"name": name, "title": str(raw.get("name", folder.name)), "description": str(raw.get("description", "")),
            "yaml": text, "tables": tables, "other_tables": others,
            "variants": {str(k): _one_line(v) for k, v in variants.items()}}


def _one_line(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=True, width=10_000).strip() if value is not None else ""


def read_grid(workspace: Workspace, name: str, file: str) -> dict[str, Any]:
    """A CSV file of the scenario as columns and rows of text (the grid edits text; the loader
    decides what each cell means)."""
    folder = workspace.scenario(name)
    path = workspace.inside(f"{workspace.relative(folder)}/{check_file_name(file)}")  # a symlink out is refused
    if not path.is_file() or path.suffix != ".csv":
        raise KeyError(file)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        columns = next(reader, [])
        rows = []
        for row in reader:
            if len(rows) >= MAX_GRID_ROWS:
                return {"file": file, "columns": columns, "rows": rows, "truncated": True}
            rows.append(row)
    return {"file": file, "columns": columns, "rows": rows, "truncated": False}


def grid_to_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(list(columns))
    writer.writerows([["" if v is None else str(v) for v in row] for row in rows])
    return out.getvalue()


@contextmanager
def edited_copy(workspace: Workspace, name: str, files: Mapping[str, str]):
    """A scratch copy of scenario ``name`` with ``files`` (name -> new text) in place of its own."""
    source = workspace.scenario(name)
    copy = workspace.scratch / "edits" / f"{source.name}-{secrets.token_hex(4)}" / source.name
    copy.parent.mkdir(parents=True)
    try:
        shutil.copytree(source, copy, symlinks=True, copy_function=_link_or_copy)
        for file, text in files.items():
            if len(text.encode("utf-8")) > MAX_EDIT_BYTES:
                raise EditRefused(f"{file}: larger than {MAX_EDIT_BYTES // 1_000_000} MB; edit it outside the app")
            target = copy / check_file_name(file)
            target.unlink(missing_ok=True)  # a hard link: never write through it into the scenario
            target.write_text(text, encoding="utf-8")
        yield copy
    finally:
        shutil.rmtree(copy.parent, ignore_errors=True)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def validate(workspace: Workspace, name: str, files: Mapping[str, str], variants: Sequence[str] = (),
             overrides: Sequence[str] = (), checks: bool = False) -> list[dict[str, Any]]:
    """The issues of scenario ``name`` with ``files`` edited, as the CLI reports them (none: valid).
    ``checks``: also build the model and run the checks before solving (as ``lup-opt validate``)."""
    from lup_opt.scenario import load_scenario

    with edited_copy(workspace, name, files) as copy:
        try:
            scenario = load_scenario(copy, variants=list(variants), overrides=list(overrides))
            if checks:
                from lup_opt.api import build
                from lup_opt.diagnose.prechecks import run_checks

                built = build(scenario)
                report = run_checks(scenario, built.data, built.lp)
                report.raise_if_errors()
                return [{"file": "checks", "where": "", "message": w.message, "severity": "warning", "line": None,
                         "column": None, "text": f"warning: {w.message}"} for w in report.warnings]
        except ScenarioError as exc:
            yaml_text = files.get(SCENARIO_FILE) or (copy / SCENARIO_FILE).read_text(encoding="utf-8")
            return [_issue(issue.file, issue.where, issue.message, copy, name, yaml_text) for issue in exc.issues]
    return []


def _issue(file: str, where: str, message: str, copy: Path, name: str, yaml_text: str) -> dict[str, Any]:
    """One issue for the page: the scratch folder's path never shows; the row (tables) or line
    (scenario.yaml) it points at is given for the editor to mark."""
    hide = [str(copy), str(copy.resolve())]
    for path in hide:
        message, file, where = (s.replace(path, name) for s in (message, file, where))
    line = None
    if file == SCENARIO_FILE and where:
        line = key_line(yaml_text, where.split(" (after variants")[0])
    elif match := re.search(r"line (\d+)", where):
        line = int(match.group(1))
    column = m.group(1) if (m := re.search(r"column '([^']+)'", where)) else None
    return {"file": file, "where": where, "message": message, "line": line, "column": column, "severity": "error",
            "text": f"{file}, {where}: {message}" if where else f"{file}: {message}"}


def key_line(text: str, dotted: str) -> int | None:
    """The line (1-based) of the key ``a.b.0.c`` in a YAML text, or of its deepest existing
    parent; None when the text does not parse."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return mark.line + 1 if mark is not None else None
    line = None
    for part in dotted.split("."):
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part), None)
            if match is None:
                break
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            node = node.value[int(part)]
            line = node.start_mark.line + 1
        else:
            break
    return line


def save(workspace: Workspace, name: str, files: Mapping[str, str]) -> list[dict[str, Any]]:
    """Write ``files`` into scenario ``name`` when the edited scenario is valid (each file replaced
    atomically); return the issues otherwise, and write nothing."""
    issues = [i for i in validate(workspace, name, files) if i["severity"] == "error"]
    if issues:
        return issues
    folder = workspace.scenario(name)
    for file, text in files.items():
        write_file(folder / check_file_name(file), lambda tmp, text=text: tmp.write_text(text, encoding="utf-8"),
                   label=file)
        log.info("saved %s/%s", name, file)
    return []
