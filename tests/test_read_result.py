"""A results folder reads back as the Result that was written: its tables, its manifest (typed,
and as written) and its diagnosis."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import lup_opt
from lup_opt.enums import SolveStatus, TableFormat
from lup_opt.errors import LupOptError
from lup_opt.results.manifest import FolderKind, Manifest, read_manifest
from tests.conftest import SCENARIOS


@pytest.fixture(scope="module")
def infeasible_result() -> lup_opt.Result:
    return lup_opt.solve(lup_opt.load_scenario(SCENARIOS / "infeasible"))


def _as_a_file_keeps_it(table: pd.DataFrame) -> pd.DataFrame:
    """What a table file keeps of a table: its values, not its dtypes, and an empty text reads back
    as a missing value (CSV writes both as nothing)."""
    table = table.reset_index(drop=True)
    return table.astype(object).where(table.notna(), "")


def assert_same_tables(read: lup_opt.Result, written: lup_opt.Result) -> None:
    assert list(read.tables()) == list(written.tables())
    for name, table in written.tables().items():
        back = read.tables()[name]
        assert list(back.columns) == list(table.columns), name
        if table.empty:
            assert back.empty, name
            continue
        pd.testing.assert_frame_equal(_as_a_file_keeps_it(back), _as_a_file_keeps_it(table), check_dtype=False,
                                      obj=name)


@pytest.mark.parametrize("table_format", [TableFormat.CSV, TableFormat.PARQUET])
def test_a_solved_folder_reads_back_as_the_result_written(tiny_result, tmp_path, table_format):
    folder = tiny_result.write(tmp_path / "r", table_format, report=False)
    read = lup_opt.read_result(folder)
    assert (read.status, read.message, read.objective, read.objective_unit) == (
        tiny_result.status, tiny_result.message, tiny_result.objective, tiny_result.objective_unit)
    assert_same_tables(read, tiny_result)
    assert read.solver_log == tiny_result.solver_log
    assert read.diagnosis is None
    # The manifest as written (writing adds the files, the run and the time it took) ...
    written = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert dict(read.manifest) == written
    assert {k: v for k, v in written.items() if k not in ("files", "run", "written_by", "seconds", "tables")} == \
        {k: v for k, v in tiny_result.info.to_dict().items() if k != "seconds"}
    # ... and typed.
    assert isinstance(read.info, Manifest) and read.info.folder_kind is FolderKind.SOLVE
    assert read.info.status is SolveStatus.OPTIMAL and read.info.scenario_info.name == "tiny"
    assert read.info.tables == tuple(tiny_result.tables())


def test_an_infeasible_folder_reads_back_with_its_diagnosis(infeasible_result, tmp_path):
    folder = infeasible_result.write(tmp_path / "r", report=False)
    read = lup_opt.read_result(folder)
    assert read.status is SolveStatus.INFEASIBLE and not read.is_optimal
    assert read.objective is None and read.message == infeasible_result.message
    assert_same_tables(read, infeasible_result)
    assert read.diagnosis is not None
    assert read.diagnosis.sentences() == infeasible_result.diagnosis.sentences()
    assert read.diagnosis.to_markdown() == infeasible_result.diagnosis.to_markdown()
    assert read.diagnosis.relaxation == infeasible_result.diagnosis.relaxation
    pd.testing.assert_frame_equal(read.diagnosis.ldn_capacity, infeasible_result.diagnosis.ldn_capacity,
                                  check_dtype=False)
    assert list(read.info.diagnosis) == infeasible_result.diagnosis.sentences()
    assert dict(read.manifest) == json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def test_the_manifest_model_gives_back_what_every_kind_of_folder_wrote(tiny_scenario, tiny_result, tmp_path):
    from lup_opt import tradeoffs
    from lup_opt.compare import compare_runs

    solved = tiny_result.write(tmp_path / "solve", report=False)
    frontier = tradeoffs.frontier_of(tiny_scenario, ["cost_kusd:min", "cereal_t:max"], points=3).write(
        tmp_path / "frontier")
    compared = compare_runs(solved, solved).write(tmp_path / "compare")
    first_plan = frontier / "plans" / read_manifest(frontier).plans[0]
    kinds = {solved: FolderKind.SOLVE, frontier: FolderKind.TRADEOFF, compared: FolderKind.COMPARISON,
             first_plan: FolderKind.TRADEOFF_PLAN}
    for folder, kind in kinds.items():
        manifest = read_manifest(folder)
        assert manifest.folder_kind is kind, folder
        assert manifest.to_dict() == json.loads((folder / "manifest.json").read_text(encoding="utf-8")), folder
    assert read_manifest(frontier).objectives[1].label == "cereal_t"
    plan = lup_opt.read_result(first_plan)
    assert plan.info.method == "frontier" and len(plan.allocation)
    with pytest.raises(LupOptError, match="a compare folder, not the results of one plan"):
        lup_opt.read_result(compared)


def test_a_folder_lup_opt_did_not_write_or_a_damaged_one_is_refused_naming_the_file(tmp_path, tiny_result):
    with pytest.raises(LupOptError, match="not a lup_opt results folder"):
        lup_opt.read_result(tmp_path)
    folder = tiny_result.write(tmp_path / "r", report=False)
    (folder / "indicators.csv").unlink()
    with pytest.raises(LupOptError, match="indicators.csv: missing"):
        lup_opt.read_result(folder)
