"""Results folders, the manifest, solver statuses and model export."""

from __future__ import annotations

import json

import highspy
import numpy as np
import pandas as pd
import pytest

import lup_opt
from lup_opt.results import result as result_module
from tests.conftest import HAS_GEO, SCENARIOS

EXPECTED_FILES = {"allocation.csv", "transitions.csv", "conversions.csv", "ldn_balance.csv", "indicators.csv",
                  "duals.csv", "reduced_costs.csv", "land_units.csv", "manifest.json", "highs.log", "report.html",
                  "figures", "ldn_hierarchy.csv"}


def test_results_folder_holds_every_table_and_the_manifest(default_results_folder):
    linkages = {"food.csv", "food_flows.csv", "finance.csv", "funds.csv", "livelihoods.csv",
                "ldn_price.csv"} | ({"allocation.gpkg"} if HAS_GEO else set())  # geometry (with the geo extra), LDN on
    assert {p.name for p in default_results_folder.iterdir()} == EXPECTED_FILES | linkages
    allocation = pd.read_csv(default_results_folder / "allocation.csv")
    assert list(allocation.columns) == ["land_unit", "baseline_use", "use", "period", "area_ha"]
    ldn = pd.read_csv(default_results_folder / "ldn_balance.csv")
    assert {"gains_ha", "losses_ha", "net_ha", "target_ha", "met", "main_loss_driver"} <= set(ldn.columns)
    duals = pd.read_csv(default_results_folder / "duals.csv")
    assert {"shadow_price", "price_unit", "binding"} <= set(duals.columns)
    assert "HiGHS" in (default_results_folder / "highs.log").read_text()


def test_manifest_records_what_a_run_needs_to_be_reproduced(default_results_folder, default_scenario):
    manifest = json.loads((default_results_folder / "manifest.json").read_text())
    assert manifest["scenario"]["hash"] == default_scenario.content_hash
    assert manifest["status"] == "optimal"
    assert set(manifest["versions"]) >= {"lup_opt", "highspy", "pyomo", "numpy", "pandas", "python"}
    assert manifest["solver"]["name"].startswith("HiGHS")
    assert manifest["size"]["rows"] > 0 and manifest["size"]["columns"] > 0 and manifest["size"]["nonzeros"] > 0
    assert set(manifest["seconds"]) >= {"load", "model_data", "build", "solve", "write"}
    assert manifest["peak_memory_mb"] > 0


@pytest.mark.slow
def test_writing_again_replaces_the_folder(tiny_result, tmp_path):
    folder = tmp_path / "out"
    tiny_result.write(folder)
    (folder / "stale.txt").write_text("from an older run")
    tiny_result.write(folder)
    assert not (folder / "stale.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_failed_write_leaves_no_partial_folder_and_keeps_the_old_one(tiny_result, tmp_path, monkeypatch):
    folder = tmp_path / "out"
    tiny_result.write(folder)
    before = (folder / "allocation.csv").read_text()

    def broken_to_csv(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken_to_csv)
    with pytest.raises(OSError, match="disk full"):
        result_module.write_results(tiny_result, folder)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert (folder / "allocation.csv").read_text() == before


def test_infeasible_result_is_a_status_with_manifest_log_and_diagnosis_only(tmp_path):
    result = lup_opt.solve(lup_opt.load_scenario(SCENARIOS / "tiny", variants=["more_housing"]))
    assert result.status is lup_opt.SolveStatus.INFEASIBLE
    assert result.objective is None and result.allocation.empty
    assert "No plan meets every hard target" in result.message
    folder = result.write(tmp_path / "r")
    assert {p.name for p in folder.iterdir()} == {"manifest.json", "highs.log", "diagnosis.json", "diagnosis.md",
                                                   "ldn_capacity.csv", "report.html", "figures"}


def test_time_limit_is_reported_as_such_never_as_an_optimum(default_scenario):
    result = lup_opt.solve(default_scenario, time_limit=1e-4)
    assert result.status is lup_opt.SolveStatus.TIME_LIMIT
    assert result.objective is None and result.allocation.empty
    assert "time limit" in result.message


@pytest.mark.parametrize("method", ["ipm", "simplex", "pdlp", "choose"])
def test_every_solver_method_finds_the_tiny_optimum(tiny_scenario, method):
    result = lup_opt.solve(tiny_scenario, method=method, threads=1)
    assert result.objective == pytest.approx(620, rel=1e-6)
    assert result.manifest["solver"]["method"] == method


def test_highs_gets_half_the_cores_this_process_may_use_unless_told(tiny_scenario, monkeypatch):
    """HiGHS's own default counts the machine's cores, not those the process is allowed (a
    cluster job, a container); HiGHS is given the count and the manifest records it."""
    import os

    from lup_opt.solve import highs as highs_module

    made = []
    real = highs_module.new_highs
    monkeypatch.setattr(highs_module, "new_highs", lambda *args: made.append(real(*args)) or made[-1])
    half = max(1, len(os.sched_getaffinity(0)) // 2)
    for threads, expected in ((None, half), (3, 3)):
        made.clear()
        result = lup_opt.solve(tiny_scenario, threads=threads, checks=False)
        assert result.manifest["solver"]["threads"] == expected
        solving = [h for h in made if h.getNumCol() > 0]  # not the one that only reports HiGHS's version
        given = [h.getOptionValue("threads") for h in solving]  # highspy 1.16: (status, value)
        assert solving and all((v[1] if isinstance(v, tuple) else v) == expected for v in given)


@pytest.mark.parametrize("suffix", [".mps", ".lp"])
def test_exported_model_reads_back_with_names_and_the_same_optimum(cli, tmp_path, tiny_result, suffix):
    path = tmp_path / f"tiny{suffix}"
    outcome = cli(["export", SCENARIOS / "tiny", f"--{suffix[1:]}", path])
    assert outcome.exit_code == 0, outcome.output
    text = path.read_text()
    assert "area(U1,crop,housing,2030)" in text and "ldn_neutrality(plain,all,2030)" in text
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.readModel(str(path))
    highs.run()
    assert highs.getInfo().objective_function_value == pytest.approx(tiny_result.objective)


def test_export_refuses_a_mismatched_suffix(cli, tmp_path):
    outcome = cli(["export", SCENARIOS / "tiny", "--mps", tmp_path / "model.txt"])
    assert outcome.exit_code == 2
    assert "must end in .mps" in outcome.output


def test_large_tables_are_written_as_parquet_in_chunks_and_read_back(tmp_path, monkeypatch):
    from lup_opt.enums import TableFormat

    table = pd.DataFrame({"land_unit": [f"c{k}" for k in range(2_500)], "area_ha": np.arange(2_500) / 7})
    monkeypatch.setattr(result_module, "CHUNK_ROWS", 1_000)  # three chunks
    monkeypatch.setattr(result_module, "AUTO_PARQUET_CELLS", 4_000)  # 5,000 values: Parquet under auto
    path = result_module.write_table(table, tmp_path / "allocation", TableFormat.AUTO)
    assert path.suffix == ".parquet"
    pd.testing.assert_frame_equal(result_module.read_table(tmp_path / "allocation"), table)
    small = result_module.write_table(table.head(10), tmp_path / "small", TableFormat.AUTO)
    assert small.suffix == ".csv"
