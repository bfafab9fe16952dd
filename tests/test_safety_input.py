"""Bad input gets exit 2 and a message naming the file and the line, byte or key, never a
traceback (issue 11): encodings, YAML keys given twice, tags, nesting and aliases, NaN and
infinity, duplicated columns, unreadable and special files, symlink loops, NUL bytes and
over-long paths, a results parent that cannot be written, damaged results folders, wide
tables, line numbers, rich markup."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import SCENARIOS


@pytest.fixture
def scenario(tmp_path) -> Path:
    folder = tmp_path / "scenario"
    shutil.copytree(SCENARIOS / "tiny", folder)
    return folder


def bad(cli, scenario: Path, *expected: str, command: str = "solve", extra: tuple = ()) -> str:
    out = scenario.parent / "results"
    args = [command, scenario, *extra] + (["--out", out, "--no-report"] if command == "solve" else [])
    run = cli(args)
    assert run.exit_code == 2, run.output
    assert "Traceback" not in run.output
    assert not out.exists()
    message = " ".join(run.output.split())
    for text in expected:
        assert text in message, message
    return message


def yaml_edit(scenario: Path, old: str, new: str) -> None:
    path = scenario / "scenario.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


# --- scenario.yaml: encodings ---------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_scenario_yaml_in_a_legacy_encoding_names_line_and_byte(cli, scenario, encoding):
    path = scenario / "scenario.yaml"
    text = path.read_text().replace("cereal for the area", "c\u00e9r\u00e9ales")
    path.write_bytes(text.encode(encoding))
    line = next(k for k, row in enumerate(text.splitlines(), start=1) if "c\u00e9r" in row)
    byte = text.encode(encoding).index("\u00e9".encode(encoding))
    bad(cli, scenario, f"scenario.yaml, line {line}, byte {byte}: not UTF-8 text (byte 0xe9)")


def test_scenario_yaml_in_utf16_or_with_a_stray_byte(cli, scenario):
    path = scenario / "scenario.yaml"
    text = path.read_text()
    path.write_bytes(text.encode("utf-16"))
    bad(cli, scenario, "scenario.yaml, byte 0: UTF-16 or UTF-32 text; save the file as UTF-8")
    path.write_bytes(text.encode() + b"\xff\n")
    bad(cli, scenario, f"scenario.yaml, line {text.count(chr(10)) + 1}, byte {len(text.encode())}: not UTF-8")


# --- scenario.yaml: what YAML allows but the format forbids -------------------------------------------

def test_a_key_given_twice_is_refused_not_silently_dropped(cli, scenario):
    path = scenario / "scenario.yaml"
    lines = path.read_text().count("\n")
    path.write_text(path.read_text() + "targets: {}\n")
    bad(cli, scenario, f"scenario.yaml, line {lines + 1}, column 1: not valid YAML: the key 'targets' is given twice "
                       f"(first on line")
    yaml_edit(scenario, "targets: {}\n", "")
    yaml_edit(scenario, "{unit: person,", "{unit: person, unit: people,")
    bad(cli, scenario, "the key 'unit' is given twice")


@pytest.mark.parametrize("tag", ["!!float abc", "!!int x", "!!timestamp 'x'",
                                 "!!python/object/apply:os.system ['touch PWNED']"])
def test_tags_are_refused_at_their_line_and_run_nothing(cli, scenario, tag, monkeypatch):
    monkeypatch.chdir(scenario)
    yaml_edit(scenario, "value: 2400", f"value: {tag}")
    bad(cli, scenario, "scenario.yaml, line 28, column 12: not valid YAML")
    assert not (scenario / "PWNED").exists()


def test_deep_nesting_and_recursive_or_exploding_aliases(cli, scenario):
    path = scenario / "scenario.yaml"
    text = path.read_text()
    path.write_text(text + "description2: " + "[" * 5000 + "]" * 5000 + "\n")
    bad(cli, scenario, "nested more than 64 levels deep")
    path.write_text(text.replace("variants:\n", "variants:\n  loop: &a {targets: *a}\n"))
    bad(cli, scenario, "a recursive alias", extra=("--variant", "loop"))
    laughs = "variants:\n  l0: &l0 {a: 1}\n" + "".join(
        f"  l{i}: &l{i} {{a: [*l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}]}}\n"
        for i in range(1, 12))
    path.write_text(text.replace("variants:\n", laughs))
    start = time.perf_counter()
    bad(cli, scenario, "aliases expand to more than 200,000 values", command="validate")
    assert time.perf_counter() - start < 10


@pytest.mark.parametrize(("scenario_name", "old", "new", "key"), [
    ("tiny", "value: 2400", "value: .nan", "targets.housing.value"),
    ("tiny", "value: 390", "value: .inf", "targets.cereal.value"),
    ("tiny", "value: 390", "value: 'NaN'", "targets.cereal.value"),
    ("tiny", "- {indicator: cost_kusd}", "- {indicator: cost_kusd, weight: .nan}", "objective.terms.0.weight"),
    ("default", "penalty: 1.5", "penalty: .inf", "targets.livestock.penalty"),
    ("default", "share: 0.15", "share: .nan", "share_targets.urban_green.share"),
])
def test_nan_and_infinity_in_the_configuration_are_refused_by_validate(cli, tmp_path, scenario_name, old, new, key):
    folder = shutil.copytree(SCENARIOS / scenario_name, tmp_path / scenario_name)
    yaml_edit(folder, old, new)
    message = bad(cli, folder, f"scenario.yaml, {key}", command="validate")
    # a bounded field (share >= 0) is refused by its bound, any other by the finite check
    assert "is not a finite number" in message or "greater than or equal to 0" in message


def test_nan_through_set_is_refused_naming_the_key(cli, scenario):
    bad(cli, scenario, "targets.cereal.value: nan is not a finite number", extra=("--set", "targets.cereal.value=.nan"))
    bad(cli, scenario, "--set, targets.cereal.value (line 1, column 1): not valid YAML",
        extra=("--set", "targets.cereal.value=!!float abc"))


# --- tables --------------------------------------------------------------------------------------------

def test_a_duplicated_column_is_refused_not_renamed(cli, scenario):
    path = scenario / "units.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(f"{row},{row.split(',')[2]}" for row in lines) + "\n")
    bad(cli, scenario, "units.csv, line 1: column 'jurisdiction' appears 2 times; keep one")


def test_a_table_with_100000_columns_is_refused_at_once(cli, scenario):
    path = scenario / "units.csv"
    lines = path.read_text().splitlines()
    n = 100_000
    wide = [lines[0] + "".join(f",extra{i}" for i in range(n))] + [row + ",1" * n for row in lines[1:]]
    path.write_text("\n".join(wide) + "\n")
    start = time.perf_counter()
    bad(cli, scenario, "units.csv, line 1: 100,007 columns; a table has at most 1,000", command="validate")
    assert time.perf_counter() - start < 5


def test_line_numbers_count_blank_lines_and_multi_line_quoted_cells(cli, scenario):
    path = scenario / "baseline.csv"
    path.write_text("land_unit,use,area_ha\nU1,crop,100\n\n\nU2,crop,80\nU2,gras,20\nU3,grass,60\n")
    bad(cli, scenario, "baseline.csv, line 6, column 'use': unknown use 'gras'")
    uses = scenario / "uses.csv"
    text = uses.read_text().replace("rainfed cereal", '"rainfed\ncereal,\non two lines"')
    uses.write_text(text.replace("grass,grazing,grassland,false,1.0,0", "grass,grazing,grasland,false,1.0,0"))
    bad(cli, scenario, "uses.csv, line 7, column 'cover_class': 'grasland' is not allowed")


def test_a_quoted_cell_is_quoted_in_short(cli, scenario):
    path = scenario / "units.csv"
    path.write_text(path.read_text().replace("U3,60,", "U3," + "9x" * 3000 + ","))
    message = bad(cli, scenario, "units.csv, line 4, column 'area_ha': '9x9x9x")
    assert "9x" * 100 not in message


def test_rich_markup_and_emoji_codes_print_as_written(cli, scenario):
    path = scenario / "baseline.csv"
    path.write_text(path.read_text().replace("U2,grass,20", "U2,plot:x:3,20").replace("U3,grass", "U3,[red]x[/]"))
    bad(cli, scenario, "unknown use 'plot:x:3'", "unknown use '[red]x[/]'")


@pytest.mark.parametrize("kind", ["folder", "fifo", "loop", "device"])
def test_special_files_are_named_not_read(cli, scenario, kind):
    path = scenario / "uses.csv"
    path.unlink()
    if kind == "folder":
        path.mkdir()
        expected = "uses.csv: is a folder, not a file"
    elif kind == "fifo":
        os.mkfifo(path)
        expected = "uses.csv: is not a regular file"
    elif kind == "loop":
        (scenario / "other.csv").symlink_to(path)
        path.symlink_to(scenario / "other.csv")
        expected = "a symlink loop"
    else:
        yaml_edit(scenario, "uses: uses.csv", "uses: /dev/zero")
        expected = "outside the scenario folder"
    bad(cli, scenario, expected)


def test_nul_bytes_and_over_long_paths(cli, scenario):
    yaml_edit(scenario, "uses: uses.csv", 'uses: "uses\\0.csv"')
    bad(cli, scenario, "scenario.yaml, tables.uses: the path contains a NUL byte", command="validate")
    yaml_edit(scenario, 'uses: "uses\\0.csv"', "uses: " + "u" * 5000 + ".csv")
    bad(cli, scenario, "scenario.yaml, tables.uses: the path is 5,004 bytes long", command="validate")
    run = cli(["validate", str(scenario) + "\0x"])
    assert run.exit_code == 2 and "null byte" in run.output.lower()


def test_unreadable_files_and_folders(cli, scenario, tmp_path):
    """Permissions do not bind root, so under root the command runs with ``nobody``'s rights."""
    (scenario / "uses.csv").chmod(0)
    with _as_nobody(tmp_path):
        run = cli(["validate", scenario])
    assert run.exit_code == 2, run.output
    assert "uses.csv: cannot be read: Permission denied" in " ".join(run.output.split())
    (scenario / "uses.csv").chmod(0o644)
    (scenario / "scenario.yaml").chmod(0o200)  # write-only
    with _as_nobody(tmp_path):
        run = cli(["validate", scenario])
    assert run.exit_code == 2 and "scenario.yaml: cannot be read" in " ".join(run.output.split()), run.output
    (scenario / "scenario.yaml").chmod(0o644)
    scenario.chmod(0o300)  # a folder that cannot be listed or read
    with _as_nobody(tmp_path):
        run = cli(["validate", scenario])
    assert run.exit_code == 2 and "Traceback" not in run.output, run.output
    assert "scenario: cannot be read: Permission denied" in " ".join(run.output.split())
    scenario.chmod(0o755)


@contextlib.contextmanager
def _as_nobody(tmp_path: Path):
    if os.geteuid() != 0:
        yield
        return
    for path in [tmp_path, *tmp_path.parents]:
        if path == Path("/"):
            break
        path.chmod(path.stat().st_mode | 0o011)  # let nobody through the folders above
    os.setegid(65534)
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def test_a_results_parent_that_cannot_be_made_exits_2(cli, scenario):
    (scenario.parent / "file").write_text("x")
    run = cli(["solve", scenario, "--out", scenario.parent / "file" / "r", "--no-report"])
    assert run.exit_code == 2 and "Traceback" not in run.output
    assert "--out" in run.output and "file" in run.output


# --- damaged results folders ------------------------------------------------------------------------

@pytest.mark.parametrize("damage", ["manifest not json", "manifest a list", "table missing", "column missing",
                                    "objective missing", "table not csv"])
def test_compare_on_a_damaged_results_folder_exits_2(cli, tiny_result, tmp_path, damage):
    good = tiny_result.write(tmp_path / "good", report=False)
    broken = tiny_result.write(tmp_path / "broken", report=False)
    manifest = json.loads((broken / "manifest.json").read_text())
    if damage == "manifest not json":
        (broken / "manifest.json").write_text("{not json")
    elif damage == "manifest a list":
        (broken / "manifest.json").write_text("[1, 2]")
    elif damage == "table missing":
        (broken / "indicators.csv").unlink()
    elif damage == "column missing":
        (broken / "transitions.csv").write_text("x,y\n1,2\n")
    elif damage == "objective missing":
        manifest.pop("objective")
        (broken / "manifest.json").write_text(json.dumps(manifest))
    else:
        (broken / "ldn_balance.csv").write_bytes(b"\xff\xfe\x00garbage")
    run = cli(["compare", good, broken, "--out", tmp_path / "c"])
    assert run.exit_code == 2, run.output
    assert "Traceback" not in run.output and str(broken) in " ".join(run.output.split()).replace(" ", "") or \
        str(broken) in run.output.replace("\n", "")
    assert not (tmp_path / "c").exists()
