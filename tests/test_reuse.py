"""Reuse: a solve, explain or compare of a run already solved with the same scenario hash and options
reads the stored result instead of solving again; ``--fresh`` solves again."""

from __future__ import annotations

import functools
import json
import shutil

import pytest

import lup_opt
import lup_opt.api
from tests.conftest import SCENARIOS


@pytest.fixture
def counted(monkeypatch):
    """lup_opt.api.solve and explain, counting their calls (the commands import them when they run)."""
    calls = {"solve": 0, "explain": 0}
    solve, explain = lup_opt.api.solve, lup_opt.api.explain

    @functools.wraps(solve)  # the same signature: the reuse key reads solve's defaults from it
    def counting_solve(*args, **kwargs):
        calls["solve"] += 1
        return solve(*args, **kwargs)

    @functools.wraps(explain)
    def counting_explain(*args, **kwargs):
        calls["explain"] += 1
        return explain(*args, **kwargs)

    monkeypatch.setattr(lup_opt.api, "solve", counting_solve)
    monkeypatch.setattr(lup_opt.api, "explain", counting_explain)
    return calls


@pytest.fixture
def tiny_copy(tmp_path):
    return shutil.copytree(SCENARIOS / "tiny", tmp_path / "tiny")


def _created(folder):
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["created"]


def test_a_second_solve_of_the_same_run_reuses_the_stored_result_and_fresh_solves_again(cli, counted, tiny_copy,
                                                                                          tmp_path):
    out = tmp_path / "results"
    first = cli(["solve", tiny_copy, "--out", out, "--no-report"])
    assert first.exit_code == 0 and counted["solve"] == 1
    created = _created(out)
    second = cli(["solve", tiny_copy, "--out", out, "--no-report"])
    assert second.exit_code == 0, second.output
    assert counted["solve"] == 1 and "Reused" in second.output and "620" in second.output
    assert _created(out) == created  # the folder was not rewritten
    again = cli(["solve", tiny_copy, "--out", out, "--no-report", "--fresh"])
    assert again.exit_code == 0 and counted["solve"] == 2 and "Reused" not in again.output


def test_a_changed_table_or_option_is_solved_again(cli, counted, tiny_copy, tmp_path):
    out = tmp_path / "results"
    assert cli(["solve", tiny_copy, "--out", out, "--no-report"]).exit_code == 0
    assert cli(["solve", tiny_copy, "--out", out, "--no-report", "--method", "simplex"]).exit_code == 0
    assert counted["solve"] == 2
    # 10 t more cereal, at the hill's 10/3 kUSD/t (scenarios/tiny/README.md): a new hash, a new answer
    text = (tiny_copy / "scenario.yaml").read_text(encoding="utf-8").replace("value: 390", "value: 400")
    (tiny_copy / "scenario.yaml").write_text(text, encoding="utf-8")
    assert cli(["solve", tiny_copy, "--out", out, "--no-report", "--method", "simplex"]).exit_code == 0
    assert counted["solve"] == 3
    assert lup_opt.read_result(out).objective == pytest.approx(620 + 100 / 3)


@pytest.mark.slow
def test_a_run_that_wants_a_report_the_folder_lacks_is_solved_again(cli, counted, tiny_copy, tmp_path):
    out = tmp_path / "results"
    assert cli(["solve", tiny_copy, "--out", out, "--no-report"]).exit_code == 0
    assert cli(["solve", tiny_copy, "--out", out]).exit_code == 0
    assert counted["solve"] == 2 and (out / "report.html").is_file()


def test_explain_reuses_its_stored_diagnosis_with_the_same_exit_code(cli, counted, tmp_path):
    out = tmp_path / "why"
    first = cli(["explain", SCENARIOS / "infeasible", "--out", out])
    second = cli(["explain", SCENARIOS / "infeasible", "--out", out])
    assert first.exit_code == second.exit_code == 1
    assert counted["explain"] == 1 and "Reused" in second.output
    assert [line for line in second.output.splitlines() if line.startswith("- ")] == \
        [line for line in first.output.splitlines() if line.startswith("- ")]


def test_compare_of_a_variant_reuses_the_base_solved_before(cli, counted, tiny_copy, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli(["solve", tiny_copy, "--no-report"]).exit_code == 0  # results/tiny
    assert counted["solve"] == 1
    out = cli(["compare", tiny_copy, "--set", "targets.cereal.value=400", "--out", tmp_path / "cmp"])
    assert out.exit_code == 0, out.output
    assert counted["solve"] == 2 and "Reused results/tiny" in out.output  # only the changed run was solved


def test_solve_into_reads_back_what_it_solved_and_its_folder_serves_the_command_line(cli, counted, tiny_copy,
                                                                                       tmp_path):
    from lup_opt.reuse import solve_into

    scenario = lup_opt.load_scenario(tiny_copy)
    first = solve_into(scenario, tmp_path / "r", report=False)
    again = solve_into(scenario, tmp_path / "r", report=False)
    assert counted["solve"] == 1 and again.objective == pytest.approx(first.objective) == pytest.approx(620.0)
    # the same run from the command line finds it too
    out = cli(["solve", tiny_copy, "--out", tmp_path / "r", "--no-report"])
    assert out.exit_code == 0 and "Reused" in out.output and counted["solve"] == 1
    solve_into(scenario, tmp_path / "r", report=False, fresh=True)
    assert counted["solve"] == 2
