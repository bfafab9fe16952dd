"""Fuzz the command line with mutated scenarios and print a table of outcomes by mutation family.

    .venv/bin/python benchmarks/fuzz.py --cases 1200 --seed 1      # the long run (issue 11)

Each case copies ``tiny`` or ``default`` into a sandbox (a working folder holding the user's
notes, the scenario, and a folder outside the scenario holding a secret), applies one mutation
(columns, cells, rows, encodings, delimiters, YAML syntax/tags/aliases/keys, table paths and
symlinks, permissions, ``--set`` keys and values, ``--out`` targets), runs one command in-process
(solve, validate, explain, evaluate, compare) from the working folder and checks:

* exit code 0, 1 or 2, and never a traceback;
* exit 2: the message names a file (or option) and a place in it (line, byte, key);
* input the format forbids (a YAML key given twice, a duplicated column, a table outside the
  scenario, an unsafe ``--out``) is refused with exit 2;
* on failure no results folder and no temporary is left behind; nothing outside ``--out`` is
  changed; nothing of a file outside the scenario (or of the environment) appears in the output
  or in what was written;
* exit 0 of ``solve``: area is conserved per land unit and year.

``tests/test_fuzz_scenarios.py`` drives the same cases through hypothesis (a few hundred in CI).
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import io
import os
import random
import re
import shutil
import signal
import stat
import sys
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"
SECRET = "S3CRET-0f1c2e-DO-NOT-PRINT"
CASE_SECONDS = 60
OUTCOMES = ("refused (2)", "solved (0)", "not optimal (1)", "traceback", "bad exit", "unclear message",
            "accepted forbidden", "left behind", "changed outside", "leaked", "area", "hang/memory")
TEMP_PATTERN = re.compile(r"\.partial|\.old-|\.lock$|^\.sweep-|^\.report-")
PLACE = re.compile(r"(line \d+|byte \d+|row \d+|column '|[A-Za-z_]+(\.[A-Za-z0-9_\[\]-]+)+|\b(key|keys|targets|"
                   r"tables|variants|periods|indicators|ldn|objective|name)\b|--set|--out|--variant|"
                   r"not found|is empty|not UTF-8|cannot be read|permission|symlink|not a lup_opt)",
                   re.IGNORECASE)
FILE = re.compile(r"(\w[\w.+-]*\.(csv|ya?ml|json|gpkg)|--set|--out|--variant|scenario|[/\\][\w.+-]+)")


@dataclass
class Case:
    scenario: str  # tiny | default
    family: str
    description: str = ""
    command: list[str] = field(default_factory=list)
    out: str | None = None  # the --out given (relative to the working folder), or None
    must_refuse: bool = False  # input the format forbids: exit 2 is the only right answer
    untouchable: bool = False  # --out names something that must never be replaced
    out_existed: bool = False


@dataclass
class Outcome:
    case: Case
    exit_code: int
    verdict: str
    detail: str = ""
    output: str = ""


# --------------------------------------------------------------------------------------------- #
# Mutations: each edits the sandbox's scenario folder and sets the case's command line.

CSV_VALUES = ["", "abc", "nan", "NaN", "inf", "-inf", "1e309", "-1", "1e300", "0", " ", '"', '"x,y"', "[red]x[/]",
              "plot:x:3", "\u00e9t\u00e9", "x" * 5000, "=1+1", "1,5", "0x10", "TRUE", "*", "None", "null"]
YAML_NUMBERS = [".nan", ".inf", "-.inf", "nan", "inf", "'NaN'", "1e400", "-1e400", "1e300", "-5", "abc", "[]", "{}",
                "!!float abc", "!!int x", "~", "true"]


def _tables(folder: Path) -> list[Path]:
    """The tables the scenario reads without a variant (named in scenario.yaml before ``variants:``)."""
    text = (folder / "scenario.yaml").read_text(encoding="utf-8", errors="replace").split("\nvariants:")[0]
    return sorted(p for p in folder.glob("*.csv") if p.is_file() and p.name in text)


def _read(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _write(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _split(line: str) -> list[str]:
    return line.split(",")  # the shipped tables have no quoted commas


def mutate_columns(rng: random.Random, folder: Path, case: Case) -> None:
    path = rng.choice(_tables(folder))
    lines = _read(path)
    rows = [_split(line) for line in lines]
    k = rng.randrange(len(rows[0]))
    op = rng.choice(["drop", "rename", "duplicate", "duplicate", "swap", "many"])
    if op == "drop":
        rows = [r[:k] + r[k + 1:] for r in rows]
    elif op == "rename":
        rows[0][k] = rng.choice([rows[0][k] + "x", rows[0][k].upper(), "", " ", rows[0][k][:-1], "source_line",
                                 "[bold]x", "id"])
    elif op == "duplicate":
        rows = [r + [r[k]] for r in rows]
        case.must_refuse = True
    elif op == "swap":
        j = rng.randrange(len(rows[0]))
        rows[0][k], rows[0][j] = rows[0][j], rows[0][k]
    else:  # many extra columns
        n = rng.choice([200, 3000, 100_000])
        rows[0] = rows[0] + [f"extra{i}" for i in range(n)]
        rows[1:] = [r + ["1"] * n for r in rows[1:]]
    _write(path, [",".join(r) for r in rows])
    case.description = f"{path.name}: {op} column {k}"


def mutate_cells(rng: random.Random, folder: Path, case: Case) -> None:
    path = rng.choice(_tables(folder))
    lines = _read(path)
    rows = [_split(line) for line in lines]
    if len(rows) < 2:
        return mutate_columns(rng, folder, case)
    i, k = rng.randrange(1, len(rows)), rng.randrange(len(rows[0]))
    value = rng.choice(CSV_VALUES)
    if k < len(rows[i]):
        rows[i][k] = value
    _write(path, [",".join(r) for r in rows])
    case.description = f"{path.name}: line {i + 1} column {rows[0][k]} = {value[:20]!r}"


def mutate_rows(rng: random.Random, folder: Path, case: Case) -> None:
    path = rng.choice(_tables(folder))
    lines = _read(path)
    op = rng.choice(["duplicate", "delete", "unknown", "blank", "multiline", "truncate", "header only", "empty",
                     "short row", "long row"])
    if op == "duplicate" and len(lines) > 1:
        i = rng.randrange(1, len(lines))
        lines.insert(i, lines[i])
    elif op == "delete" and len(lines) > 1:
        del lines[rng.randrange(1, len(lines))]
    elif op == "unknown" and len(lines) > 1:
        i = rng.randrange(1, len(lines))
        cells = _split(lines[i])
        cells[rng.randrange(len(cells))] = "zz_unknown"
        lines[i] = ",".join(cells)
    elif op == "blank":
        for _ in range(rng.randint(1, 3)):
            lines.insert(rng.randrange(1, len(lines) + 1), "")
        # then a bad value after the blank lines, so that the line number is checked
        if len(lines) > 2 and rng.random() < 0.7:
            i = max(j for j in range(len(lines)) if lines[j])
            cells = _split(lines[i])
            cells[0] = cells[0] + "_zz"
            lines[i] = ",".join(cells)
    elif op == "multiline" and len(lines) > 1:
        i = rng.randrange(1, len(lines))
        cells = _split(lines[i])
        cells[-1] = '"first\nsecond\nthird"'
        lines[i] = ",".join(cells)
    elif op == "truncate":
        data = path.read_bytes()
        path.write_bytes(data[: rng.randrange(len(data))])
        lines = None
    elif op == "header only":
        lines = lines[:1]
    elif op == "empty":
        path.write_bytes(b"")
        lines = None
    elif op == "short row" and len(lines) > 1:
        i = rng.randrange(1, len(lines))
        lines[i] = ",".join(_split(lines[i])[:-1])
    elif op == "long row" and len(lines) > 1:
        i = rng.randrange(1, len(lines))
        lines[i] = lines[i] + ",1,2"
    if lines is not None:
        _write(path, lines)
    case.description = f"{path.name}: {op}"


def mutate_encoding(rng: random.Random, folder: Path, case: Case) -> None:
    path = rng.choice([folder / "scenario.yaml", *_tables(folder)])
    text = path.read_text(encoding="utf-8")
    op = rng.choice(["latin-1", "cp1252", "utf-16", "stray byte", "bom", "nul", "crlf"])
    accent = "\n# caf\u00e9 \u20ac\n" if path.suffix == ".yaml" else ""
    if path.suffix == ".csv":
        lines = text.splitlines()
        if len(lines) > 1:
            cells = _split(lines[1])
            cells[0] = cells[0] + "\u00e9"
            lines[1] = ",".join(cells)
        text = "\n".join(lines) + "\n"
    if op == "latin-1":
        path.write_bytes((text + accent).replace("\u20ac", "E").encode("latin-1"))
    elif op == "cp1252":
        path.write_bytes((text + accent).encode("cp1252"))
    elif op == "utf-16":
        path.write_bytes(text.encode("utf-16"))
    elif op == "stray byte":
        data = bytearray(text.encode("utf-8"))
        data.insert(rng.randrange(len(data)), 0xFF)
        path.write_bytes(bytes(data))
    elif op == "bom":
        path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    elif op == "nul":
        data = bytearray(text.encode("utf-8"))
        data.insert(rng.randrange(len(data)), 0)
        path.write_bytes(bytes(data))
    else:
        path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    case.description = f"{path.name}: {op}"


def mutate_delimiters(rng: random.Random, folder: Path, case: Case) -> None:
    path = rng.choice(_tables(folder))
    sep = rng.choice([";", "\t", "|", ", "])
    path.write_text(path.read_text(encoding="utf-8").replace(",", sep), encoding="utf-8")
    case.description = f"{path.name}: delimiter {sep!r}"


def _yaml_set(text: str, key: str, value: str, rng: random.Random) -> tuple[str, bool]:
    """Replace the value of one ``key: value`` line (a random occurrence)."""
    matches = list(re.finditer(rf"(?m)^(\s*{re.escape(key)}:\s*)([^\n#]+)", text))
    inline = list(re.finditer(rf"(\b{re.escape(key)}:\s*)([^,}}\n]+)", text))
    found = matches or inline
    if not found:
        return text, False
    m = rng.choice(found)
    return text[:m.start(2)] + value + text[m.end(2):], True


def mutate_yaml(rng: random.Random, folder: Path, case: Case) -> None:
    path = folder / "scenario.yaml"
    text = path.read_text(encoding="utf-8")
    op = rng.choice(["syntax", "duplicate key", "duplicate key", "tag", "alias", "deep", "number", "number",
                     "number", "empty", "list", "unknown key", "missing key"])
    lines = text.splitlines()
    if op == "syntax":
        i = rng.randrange(len(lines))
        lines[i] = rng.choice([lines[i].replace(":", "", 1), "  " + lines[i], lines[i] + " : :", "- " + lines[i],
                               "\t" + lines[i], lines[i] + " {", "key: 'unclosed"])
        text = "\n".join(lines) + "\n"
    elif op == "duplicate key":
        tops = [line.split(":")[0] for line in lines if re.match(r"^[a-z_]+:", line)]
        key = rng.choice(tops)
        text = text + rng.choice([f"{key}: {{}}\n", "targets: {}\n", f"{key}:\n"])
        case.must_refuse = True
    elif op == "tag":
        tag = rng.choice(["!!float abc", "!!int abc", "!!python/object/apply:os.system ['echo PWNED > PWNED']",
                          "!!binary '%%%'", "!!timestamp 'x'", "!!set {a: 1}", "!custom x", "!!omap [a]"])
        text, found = _yaml_set(text, rng.choice(["value", "baseline_year", "name", "scope"]), tag, rng)
        if not found:
            text += f"description: {tag}\n"
    elif op == "alias":
        text = text.replace("variants:\n", rng.choice([
            "variants:\n  loop: &a {targets: *a}\n",
            "variants:\n  loop: &a\n    x: *a\n",
            "variants:\n  laughs: &l0 {a: 1}\n" + "".join(
                f"  l{i}: &l{i} {{a: [*l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}]}}\n"
                for i in range(1, 12)),
        ]), 1)
        if "loop" in text:
            case.command_variant = "loop"  # type: ignore[attr-defined]
    elif op == "deep":
        depth = rng.choice([200, 2000, 20000])
        text += "description: " + "[" * depth + "]" * depth + "\n" if rng.random() < 0.5 else \
            "extra_deep: " + "{a: " * depth + "1" + "}" * depth + "\n"
    elif op == "number":
        key = rng.choice(["value", "weight", "penalty", "share", "max_share", "baseline_year", "area_tolerance_ha",
                          "default_net_target_ha"])
        value = rng.choice(YAML_NUMBERS)
        text, found = _yaml_set(text, key, value, rng)
        if not found:
            text = text.replace("ldn:\n", f"ldn:\n  default_net_target_ha: {value}\n", 1)
        case.description = f"scenario.yaml: {key}: {value}"
    elif op == "empty":
        text = rng.choice(["", "---\n", "null\n", "[]\n", "just text\n"])
    elif op == "list":
        text = text.replace("targets:\n", "targets:\n  - 1\n", 1)
    elif op == "unknown key":
        text += rng.choice(["colour: blue\n", "ldn:\n  scop: functional_area\n", "[red]x[/]: 1\n", "plot:x:3: 1\n"])
    else:
        key = rng.choice(["name", "periods", "tables", "objective"])
        text = re.sub(rf"(?m)^{key}:.*$", f"# {key} removed", text, count=1)
    path.write_text(text, encoding="utf-8")
    case.description = case.description or f"scenario.yaml: {op}"


def mutate_paths(rng: random.Random, folder: Path, case: Case) -> None:
    path = folder / "scenario.yaml"
    text = path.read_text(encoding="utf-8")
    key = rng.choice(["units", "baseline", "uses", "coefficients", "transitions"])
    outside = folder.parent.parent / "outside"
    op = rng.choice(["dotdot", "absolute", "proc", "symlink out", "symlink loop", "nul", "long", "directory",
                     "fifo", "device", "symlink in", "missing"])
    value = None
    if op == "dotdot":
        value, case.must_refuse = "../../outside/secret.csv", True
    elif op == "absolute":
        value, case.must_refuse = str(outside / "secret.csv"), True
    elif op == "proc":
        value, case.must_refuse = "/proc/self/environ", True
    elif op == "symlink out":
        (folder / "link.csv").symlink_to(outside / "secret.csv")
        value, case.must_refuse = "link.csv", True
    elif op == "symlink loop":
        (folder / "loop_a.csv").symlink_to(folder / "loop_b.csv")
        (folder / "loop_b.csv").symlink_to(folder / "loop_a.csv")
        value = "loop_a.csv"
    elif op == "nul":
        value = '"units\\0.csv"'
    elif op == "long":
        value = "a" * rng.choice([300, 5000]) + ".csv"
    elif op == "directory":
        (folder / "dir.csv").mkdir()
        value = "dir.csv"
    elif op == "fifo":
        os.mkfifo(folder / "fifo.csv")
        value = "fifo.csv"
    elif op == "device":
        value = "/dev/zero"
        case.must_refuse = True
    elif op == "symlink in":
        (folder / "same.csv").symlink_to(folder / f"{key}.csv")
        value = "same.csv"  # a symlink that stays inside: fine
    else:
        value = "nothing_here.csv"
    if f"  {key}: " not in text:
        key = "units"
    text = re.sub(rf"(?m)^(  {key}: ).*$", lambda m: m.group(1) + value, text, count=1)
    path.write_text(text, encoding="utf-8")
    case.description = f"tables.{key}: {op}"


def mutate_permissions(rng: random.Random, folder: Path, case: Case) -> None:
    op = rng.choice(["file 000", "yaml 000", "write-only", "folder 000", "table is a folder", "parent is a file"])
    target = rng.choice(_tables(folder))
    if op == "file 000":
        target.chmod(0)
    elif op == "yaml 000":
        (folder / "scenario.yaml").chmod(0)
    elif op == "write-only":
        target.chmod(0o200)
    elif op == "folder 000":
        folder.chmod(0)
    elif op == "table is a folder":
        target.unlink()
        target.mkdir()
    else:
        case.out = "notes.txt/run"
    case.description = f"{op} ({target.name})"


SET_KEYS = ["ldn.scope", "targets.housing.value", "targets.cereal.value", "periods.baseline_year", "name",
            "objective.sense", "ldn.enabled", "tables.units", "targets", "ldn", "nope.key", "", ".", "a..b",
            "variants.x", "targets.housing", "ldn.default_net_target_ha", "[red]x", "periods.planning_years"]
SET_VALUES = ["jurisdiction", "1e309", ".nan", "nan", ".inf", "-.inf", "abc", "[]", "{}", "!!float abc",
              "*a", "&a [*a]", "[1, 2", "x" * 3000, "", "0", "-1", "true", "../../outside/secret.csv",
              "/proc/self/environ", "{a: {b: {c: 1}}}", "2030", "'2030'", "plot:x:3"]


def mutate_set(rng: random.Random, folder: Path, case: Case) -> None:
    sets = []
    for _ in range(rng.randint(1, 2)):
        key, value = rng.choice(SET_KEYS), rng.choice(SET_VALUES)
        sets += ["--set", rng.choice([f"{key}={value}", f"{key}{value}", f"{key}=={value}"])]
        if "outside" in value or "proc" in value:
            case.must_refuse = True if key == "tables.units" and "=" in sets[-1] else case.must_refuse
    case.command_extra = sets  # type: ignore[attr-defined]
    case.description = " ".join(sets)[:60]


def mutate_out(rng: random.Random, folder: Path, case: Case) -> None:
    work = folder.parent
    (work / "mydocs").mkdir(exist_ok=True)
    (work / "mydocs" / "thesis.txt").write_text("years of work\n", encoding="utf-8")
    (work / "empty").mkdir(exist_ok=True)
    fake = work / "fake_results"
    fake.mkdir(exist_ok=True)
    (fake / "manifest.json").write_text('{"hello": "not lup_opt"}', encoding="utf-8")
    (fake / "keep.txt").write_text("keep\n", encoding="utf-8")
    choice = rng.choice([".", "", "scenario", "..", "mydocs", "notes.txt", "./", "scenario/..", "mydocs/..",
                         "fake_results", "empty", "fresh/new/run", "results/ok", "scenario/results"])
    case.out = choice
    case.untouchable = choice in (".", "", "scenario", "..", "mydocs", "notes.txt", "./", "scenario/..",
                                  "mydocs/..", "fake_results")
    case.must_refuse = case.untouchable
    case.description = f"--out {choice!r}"


FAMILIES: dict[str, Callable[[random.Random, Path, Case], None]] = {
    "columns": mutate_columns, "cells": mutate_cells, "rows": mutate_rows, "encoding": mutate_encoding,
    "delimiters": mutate_delimiters, "yaml": mutate_yaml, "paths": mutate_paths, "permissions": mutate_permissions,
    "set": mutate_set, "out": mutate_out,
}


# --------------------------------------------------------------------------------------------- #
# Sandbox, snapshot and checks.

def make_sandbox(root: Path, scenario: str) -> Path:
    """root/work (the working folder: notes and the scenario), root/outside (a secret)."""
    work = root / "work"
    work.mkdir(parents=True)
    shutil.copytree(SCENARIOS / scenario, work / "scenario", ignore=shutil.ignore_patterns("*.py", "README.md"))
    (work / "notes.txt").write_text("my notes\n", encoding="utf-8")
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text(f"id,area_ha\n{SECRET},1\n", encoding="utf-8")
    (outside / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    return work


def snapshot(root: Path, skip: Path | None) -> dict[str, tuple]:
    """Every path under ``root`` (but ``skip``) with its type, mode and content hash."""
    seen: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        if skip is not None and (here == skip or skip in here.parents):
            dirnames[:] = []
            continue
        for name in dirnames + filenames:
            path = here / name
            if skip is not None and path == skip:
                continue
            try:
                info = path.lstat()
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode):
                try:
                    digest = hashlib.sha1(path.read_bytes()).hexdigest()
                except OSError:
                    digest = "unreadable"
                seen[str(path.relative_to(root))] = ("file", info.st_mode, digest)
            else:
                seen[str(path.relative_to(root))] = (stat.S_IFMT(info.st_mode), info.st_mode,
                                                     os.readlink(path) if stat.S_ISLNK(info.st_mode) else "")
    return seen


def _restore_permissions(root: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            if not path.is_symlink():
                try:
                    path.chmod(0o755 if path.is_dir() else 0o644)
                except OSError:
                    pass
    try:
        root.chmod(0o755)
    except OSError:
        pass


def _forbidden_content(root: Path) -> list[str]:
    leaks = [SECRET]
    path = os.environ.get("PATH", "")
    if len(path) > 20:
        leaks.append(path)
    return leaks


class _Hang(Exception):
    pass


@contextmanager
def _alarm(seconds: int):
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def fire(signum, frame):
        raise _Hang()

    previous = signal.signal(signal.SIGALRM, fire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _cwd(path: Path):
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def build_command(rng: random.Random, case: Case) -> list[str]:
    extra = getattr(case, "command_extra", [])
    variant = getattr(case, "command_variant", None)
    tiny = case.scenario == "tiny"
    kinds = ["solve"] * 6 + ["validate"] * 2 + (["explain", "evaluate", "compare"] if tiny else ["evaluate"])
    kind = rng.choice(kinds)
    args = [kind, "scenario", *extra]
    if variant:
        args += ["--variant", variant]
    if kind == "solve":
        args += ["--time-limit", "20"] + (["--no-report"] if rng.random() < 0.85 else [])
    elif kind == "evaluate":
        args += ["--plan", "baseline", "--no-compare"]
    elif kind == "compare":
        if not variant:
            args += ["--variant", "more_housing"]
    if case.out is not None and kind != "validate":
        args += ["--out", case.out]
    elif case.out is not None:
        case.must_refuse = case.untouchable = False  # validate writes nothing
    return args


def make_case(rng: random.Random, family: str | None = None, scenario: str | None = None) -> Case:
    family = family or rng.choice(list(FAMILIES))
    scenario = scenario or rng.choice(["tiny", "tiny", "tiny", "default"])
    return Case(scenario=scenario, family=family)


def run_case(case: Case, rng: random.Random, root: Path) -> Outcome:
    """Build the sandbox, mutate, run, check; the sandbox is removed afterwards."""
    from typer.testing import CliRunner

    from lup_opt.cli import app

    work = make_sandbox(root, case.scenario)
    try:
        FAMILIES[case.family](rng, work / "scenario", case)
        case.command = build_command(rng, case)
        out_given = case.out is not None and case.command[0] != "validate"
        out_path = (work / case.out) if out_given else None
        legit_out = out_path if out_given and not case.untouchable else None
        before = snapshot(root, legit_out)
        case.out_existed = legit_out is not None and legit_out.exists()
        default_results = work / "results"
        runner = CliRunner()
        exit_code, text, error = 0, "", None
        with _cwd(work):
            try:
                with _alarm(CASE_SECONDS):
                    result = runner.invoke(app, case.command, catch_exceptions=True)
                exit_code = result.exit_code
                text = result.output
                error = result.exception
                if isinstance(error, _Hang):
                    return Outcome(case, -1, "hang/memory", "", text)
            except _Hang:
                return Outcome(case, -1, "hang/memory", "", text)
        return _judge(case, root, work, exit_code, text, error, before, legit_out, default_results)
    finally:
        _restore_permissions(root)
        shutil.rmtree(root, ignore_errors=True)


def _judge(case: Case, root: Path, work: Path, exit_code: int, text: str, error, before, legit_out,
           default_results: Path) -> Outcome:
    def verdict(name: str, detail: str = "") -> Outcome:
        return Outcome(case, exit_code, name, detail, text)

    if isinstance(error, MemoryError):
        return verdict("hang/memory", "MemoryError (a memory bomb)")
    if error is not None and not isinstance(error, SystemExit) or "Traceback (most recent call last)" in text:
        return verdict("traceback", f"{type(error).__name__}: {str(error)[:200]}")
    if exit_code not in (0, 1, 2):
        return verdict("bad exit", str(exit_code))
    for leak in _forbidden_content(root):
        if leak in text:
            return verdict("leaked", "in the output")
    if PWNED_CHECK(work):
        return verdict("traceback", "a YAML tag ran code")
    after = snapshot(root, legit_out)
    default_written = [p for p in after if p.startswith("work/results") and p not in before]
    made_parents = {str(p.relative_to(root)) for p in (legit_out.parents if legit_out is not None else ())
                    if root in p.parents}
    changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p)
                     and not (p.startswith("work/results") and exit_code in (0, 1) and legit_out is None)
                     and not (p in made_parents and p not in before and exit_code in (0, 1)))
    temporaries = [p for p in after if TEMP_PATTERN.search(Path(p).name)]
    if temporaries:
        return verdict("left behind", temporaries[0])
    if exit_code == 2:
        if changed:
            return verdict("changed outside", changed[0])
        if default_written:
            return verdict("left behind", default_written[0])
        if legit_out is not None and legit_out.exists() and not case.out_existed:
            return verdict("left behind", str(legit_out.relative_to(root)))
        message = " ".join(text.split())
        if not FILE.search(message) or not PLACE.search(message):
            return verdict("unclear message", message[:200])
        return verdict("refused (2)")
    if changed:
        return verdict("changed outside", changed[0])
    if case.must_refuse:
        return verdict("accepted forbidden", case.description)
    written_files = []
    folder = legit_out if legit_out is not None else None
    if folder is None and case.command[0] != "validate":
        made = sorted(p for p in default_results.glob("*") if p.is_dir()) if default_results.exists() else []
        folder = made[-1] if made else None
    if folder is not None and folder.exists():
        written_files = [p for p in folder.rglob("*") if p.is_file()]
        for path in written_files:
            try:
                data = path.read_bytes()
            except OSError:
                continue
            if any(leak.encode() in data for leak in _forbidden_content(root)):
                return verdict("leaked", str(path.relative_to(root)))
    if exit_code == 0 and case.command[0] == "solve" and folder is not None:
        problem = _area_conserved(work / "scenario", folder, case)
        if problem:
            return verdict("area", problem)
    return verdict("solved (0)" if exit_code == 0 else "not optimal (1)")


def PWNED_CHECK(work: Path) -> bool:  # noqa: N802 - reads as the check it is
    return (work / "PWNED").exists() or (work / "scenario" / "PWNED").exists()


def _area_conserved(scenario: Path, folder: Path, case: Case) -> str:
    import numpy as np

    import lup_opt
    from lup_opt.results.result import read_table

    if not (folder / "manifest.json").exists():
        return "no manifest.json"
    try:
        allocation = read_table(folder / "allocation")
    except FileNotFoundError:
        return "no allocation table"
    extra = getattr(case, "command_extra", [])
    sets = [extra[i + 1] for i in range(0, len(extra), 2)]
    variant = getattr(case, "command_variant", None)
    loaded = lup_opt.load_scenario(scenario, variants=[variant] if variant else [], overrides=sets,
                                   **({"allow_outside": False} if _accepts_allow_outside() else {}))
    area = loaded.units.set_index("id")["area_ha"].astype(float)
    sums = allocation.groupby(["land_unit", "period"])["area_ha"].sum()
    expected = area.reindex(sums.index.get_level_values(0)).to_numpy()
    if np.isnan(expected).any():
        return "an unknown land unit in allocation.csv"
    if not np.allclose(sums.to_numpy(), expected, rtol=1e-6, atol=1e-6):
        return "area per land unit and year not conserved"
    periods = set(allocation["period"])
    if len(sums) != len(area) * len(periods):
        return "a land unit or year missing from allocation.csv"
    return ""


def _accepts_allow_outside() -> bool:
    import inspect

    import lup_opt

    return "allow_outside" in inspect.signature(lup_opt.load_scenario).parameters


# --------------------------------------------------------------------------------------------- #

def limit_memory(gib: float = 8.0) -> None:
    """Cap this process's address space, so that a memory bomb fails (MemoryError) instead of
    taking the machine down."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = int(gib * 2**30)
    if soft == resource.RLIM_INFINITY or soft > cap:
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def run(cases: int, seed: int, families: list[str] | None = None, progress: bool = True,
        show: int = 3) -> dict[str, collections.Counter]:
    import logging

    limit_memory()

    logging.getLogger("lup_opt").setLevel(logging.CRITICAL)
    rng = random.Random(seed)
    table: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    examples: dict[str, list[Outcome]] = collections.defaultdict(list)
    base = Path(tempfile.mkdtemp(prefix="lup-fuzz-"))
    try:
        for k in range(cases):
            case_rng = random.Random(rng.getrandbits(64))
            case = make_case(case_rng, rng.choice(families) if families else None)
            outcome = run_case(case, case_rng, base / f"case{k}")
            table[case.family][outcome.verdict] += 1
            if outcome.verdict not in ("refused (2)", "solved (0)", "not optimal (1)"):
                examples[outcome.verdict].append(outcome)
            if progress and (k + 1) % 25 == 0:
                print(f"  {k + 1}/{cases}", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print_table(table)
    for name, items in examples.items():
        print(f"\n{name} ({len(items)}):")
        for outcome in items[:show]:
            print(f"  [{outcome.case.family}] {outcome.case.description} :: {' '.join(outcome.case.command)} -> "
                  f"{outcome.exit_code} {outcome.detail[:160]}")
    return table


def print_table(table: dict[str, collections.Counter]) -> None:
    used = [o for o in OUTCOMES if any(c[o] for c in table.values())]
    header = "| family | cases | " + " | ".join(used) + " |"
    print(header)
    print("|" + "---|" * (len(used) + 2))
    total = collections.Counter()
    for family in sorted(table):
        counts = table[family]
        total.update(counts)
        print(f"| {family} | {sum(counts.values())} | " + " | ".join(str(counts[o]) for o in used) + " |")
    print(f"| **all** | {sum(total.values())} | " + " | ".join(str(total[o]) for o in used) + " |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--family", action="append", choices=list(FAMILIES))
    parser.add_argument("--show", type=int, default=3, help="examples printed per failing outcome")
    args = parser.parse_args(argv)
    run(args.cases, args.seed, args.family, show=args.show)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
