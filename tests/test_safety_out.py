"""No command destroys the user's files (issue 11): ``--out`` replaces only a results folder
lup_opt wrote, never the working folder, the scenario folder or a folder holding either; a
folder of another run needs ``--overwrite``; default names say what was run; sweeps append."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import SCENARIOS, requires_dask, requires_excel


def tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` with a hash of its bytes (to prove nothing changed)."""
    return {str(p.relative_to(root)): hashlib.sha1(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def desk(tmp_path, monkeypatch) -> Path:
    """A working folder with the user's notes and a copy of tiny, as the current folder."""
    shutil.copytree(SCENARIOS / "tiny", tmp_path / "tiny")
    (tmp_path / "notes.txt").write_text("years of notes\n")
    (tmp_path / "mydocs").mkdir()
    (tmp_path / "mydocs" / "thesis.txt").write_text("my thesis\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def refused(cli, args, desk: Path, *expected: str) -> str:
    before = tree(desk)
    run = cli(args)
    assert run.exit_code == 2, run.output
    assert tree(desk) == before, "a refused --out changed files"
    message = " ".join(run.output.split())
    for text in expected:
        assert text in message, message
    assert "Traceback" not in run.output
    return message


@pytest.mark.parametrize("out", [".", "", "./", "tiny/..", "mydocs/.."])
def test_solve_refuses_the_working_folder_as_out(cli, desk, out):
    refused(cli, ["solve", "tiny", "--out", out, "--no-report"], desk, "is the working folder", "nothing was written")
    assert (desk / "notes.txt").read_text() == "years of notes\n"


def test_solve_refuses_the_scenario_folder_and_a_folder_holding_it(cli, desk):
    refused(cli, ["solve", "tiny", "--out", "tiny", "--no-report"], desk, "is the scenario folder")
    nested = desk / "work"
    shutil.copytree(desk / "tiny", nested / "scenario")
    refused(cli, ["solve", nested / "scenario", "--out", nested, "--no-report"], desk, "holds the scenario folder")


def test_solve_refuses_a_folder_lup_opt_did_not_write_and_a_file(cli, desk):
    refused(cli, ["solve", "tiny", "--out", "mydocs", "--no-report"], desk, "not a lup_opt results folder",
            "nothing was changed")
    fake = desk / "fake"
    fake.mkdir()
    (fake / "manifest.json").write_text('{"someone": "else"}')
    refused(cli, ["solve", "tiny", "--out", "fake", "--no-report"], desk, "not a lup_opt results folder")
    refused(cli, ["solve", "tiny", "--out", "notes.txt", "--no-report"], desk, "a file of that name exists")
    refused(cli, ["solve", "tiny", "--out", "notes.txt/run", "--no-report"], desk, "notes.txt")


@pytest.mark.parametrize("command", [
    ["explain", "tiny"],
    ["evaluate", "tiny", "--plan", "baseline", "--no-compare"],
    ["compare", "tiny", "--variant", "more_housing"],
    ["payoff", "tiny", "-o", "cost_kusd:min,cereal_t:max"],
    pytest.param(["sweep", "tiny", "--grid", "targets.cereal.value=380,390"], marks=requires_dask),
])
def test_every_command_that_writes_a_folder_refuses_the_working_folder(cli, desk, command):
    refused(cli, [*command, "--out", "."], desk, "is the working folder")
    refused(cli, [*command, "--out", "mydocs"], desk, "mydocs")


@requires_excel
def test_grid_report_and_excel_refuse_what_they_must_not_replace(cli, desk, tmp_path):
    refused(cli, ["report", "mydocs"], desk, "not a lup_opt results folder")
    refused(cli, ["excel", "mydocs"], desk, "not a lup_opt results folder")
    assert cli(["solve", "tiny", "--out", "results/r", "--no-report"]).exit_code == 0
    (desk / "book.xlsx").mkdir()
    refused(cli, ["excel", "results/r", "--out", "book.xlsx"], desk, "is not a file")
    refused(cli, ["excel", "results/r", "--out", "notes.txt"], desk, ".xlsx")
    (desk / "fake.xlsx").write_text("not a workbook")
    refused(cli, ["excel", "results/r", "--out", "fake.xlsx"], desk, "not an Excel workbook")


def test_a_results_folder_of_the_same_run_is_replaced(cli, desk):
    assert cli(["solve", "tiny", "--out", "r", "--no-report"]).exit_code == 0
    (desk / "r" / "stale.txt").write_text("old")
    assert cli(["solve", "tiny", "--out", "r", "--no-report"]).exit_code == 0
    assert not (desk / "r" / "stale.txt").exists()
    manifest = json.loads((desk / "r" / "manifest.json").read_text())
    assert manifest["written_by"] == "lup_opt"
    assert manifest["run"] == {"command": "solve", "scenario": "tiny", "variants": [], "overrides": []}
    assert sorted(p.name for p in desk.iterdir()) == ["mydocs", "notes.txt", "r", "tiny"]


def test_a_folder_of_another_run_needs_overwrite(cli, desk):
    assert cli(["solve", "tiny", "--out", "r", "--no-report"]).exit_code == 0
    other = ["solve", "tiny", "--set", "targets.cereal.value=380", "--out", "r", "--no-report"]
    refused(cli, other, desk, "holds another run (solve tiny)", "--overwrite")
    assert cli([*other, "--overwrite"]).exit_code == 0
    assert json.loads((desk / "r" / "manifest.json").read_text())["run"]["overrides"] == ["targets.cereal.value=380"]


def test_default_names_say_what_was_run_and_overrides_do_not_replace_the_plain_run(cli, desk):
    from lup_opt.cli.common import overrides_hash

    assert cli(["solve", "tiny", "--no-report"]).exit_code == 0
    plain = tree(desk / "results" / "tiny")
    assert cli(["solve", "tiny", "--set", "targets.cereal.value=380", "--no-report"]).exit_code == 0
    assert cli(["solve", "tiny", "--variant", "more_housing", "--no-report"]).exit_code == 1
    assert tree(desk / "results" / "tiny") == plain
    names = sorted(p.name for p in (desk / "results").iterdir())
    assert names == sorted(["tiny", f"tiny@{overrides_hash(['targets.cereal.value=380'])}", "tiny+more_housing"])


def test_compare_of_a_variant_touches_no_other_results_folder(cli, desk):
    assert cli(["solve", "tiny", "--no-report"]).exit_code == 0
    plain = tree(desk / "results" / "tiny")
    run = cli(["compare", "tiny", "--set", "targets.cereal.value=380"])
    assert run.exit_code == 0, run.output
    assert tree(desk / "results" / "tiny") == plain
    (folder,) = [p for p in (desk / "results").iterdir() if p.name.startswith("compare-")]
    assert {"a", "b", "compare_summary.csv", "manifest.json"} <= {p.name for p in folder.iterdir()}
    assert (folder / "a" / "allocation.csv").exists() and (folder / "b" / "allocation.csv").exists()


@pytest.mark.slow
def test_a_second_trade_off_analysis_does_not_replace_the_first(cli, desk):
    first = ["payoff", "tiny", "-o", "cost_kusd:min,cereal_t:max"]
    assert cli(first).exit_code == 0
    (folder,) = (desk / "results").glob("tiny-payoff@*")
    kept = tree(folder)
    # Other objectives: a folder of their own (the default name says what was run) ...
    second = ["payoff", "tiny", "-o", "cost_kusd:min,housing_persons:max"]
    assert cli(second).exit_code == 0
    assert len(list((desk / "results").glob("tiny-payoff@*"))) == 2 and tree(folder) == kept
    # ... and sent to the first one's folder, they are refused.
    refused(cli, [*second, "--out", str(folder)], desk, "holds another run", "--overwrite")
    assert tree(folder) == kept
    assert cli(first).exit_code == 0  # the same analysis again may replace itself


@pytest.mark.slow
@requires_dask
def test_a_second_sweep_keeps_the_runs_of_the_first_in_sweep_csv(tiny_scenario, desk):
    """Runs already done are read back (no cluster starts): only sweep.csv is at stake here."""
    import pandas as pd

    import lup_opt
    from lup_opt import sweep as sweeps

    out = desk / "sweep"
    grid_a, grid_b = [{"targets.cereal.value": "380"}], [{"targets.cereal.value": "390"}]
    sweeps.open_sweep_folder(out, desk / "tiny")
    for runs in (grid_a, grid_b):
        scenario = lup_opt.load_scenario(desk / "tiny", overrides=runs[0])
        lup_opt.solve(scenario).write(out / "runs" / sweeps.run_id(runs[0]), report=False)
    sweeps.sweep(desk / "tiny", grid_a, out)
    second = sweeps.sweep(desk / "tiny", grid_b, out)
    assert len(second.table) == 1
    saved = pd.read_csv(out / "sweep.csv")
    assert saved["run_id"].tolist() == [sweeps.run_id(grid_b[0]), sweeps.run_id(grid_a[0])]


def test_a_sweep_folder_of_another_scenario_needs_overwrite(desk):
    from lup_opt import sweep as sweeps
    from lup_opt.errors import OutputError

    sweeps.open_sweep_folder(desk / "sweep", desk / "tiny")
    shutil.copytree(desk / "tiny", desk / "other")
    with pytest.raises(OutputError, match="holds another run"):
        sweeps.open_sweep_folder(desk / "sweep", desk / "other")
    sweeps.open_sweep_folder(desk / "sweep", desk / "other", overwrite=True)


def test_the_python_api_follows_the_same_rule(tiny_result, desk):
    from lup_opt.errors import OutputError

    before = tree(desk)
    for target in (desk, desk / "mydocs", desk / "tiny", Path(os.curdir), desk.parent):
        with pytest.raises(OutputError):
            tiny_result.write(target)
    assert tree(desk) == before
