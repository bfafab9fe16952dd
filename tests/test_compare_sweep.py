"""Comparing runs, Excel export, and scenario sweeps on a local Dask cluster."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
import yaml

from lup_opt import sweep as sweeps
from tests.conftest import SCENARIOS, requires_dask, requires_excel


@pytest.fixture
def tiny_with_more_cereal(tmp_path):
    """tiny with a feasible variant: 400 t of cereal instead of 390."""
    folder = shutil.copytree(SCENARIOS / "tiny", tmp_path / "tiny")
    config = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8"))
    config["variants"]["more_cereal"] = {"targets.cereal.value": 400}
    (folder / "scenario.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return folder


def test_compare_a_variant_of_tiny_with_its_base_gives_table_and_chart(cli, tiny_with_more_cereal, tmp_path,
                                                                       monkeypatch):
    monkeypatch.chdir(tmp_path)  # base and variant results go to ./results
    out = tmp_path / "comparison"
    run = cli(["compare", tiny_with_more_cereal, "--variant", "more_cereal", "--out", out])
    assert run.exit_code == 0, run.output
    assert {"compare_summary.csv", "compare_allocation.csv", "compare_indicators.csv", "compare_ldn_balance.csv",
            "compare.png"} <= {p.name for p in out.iterdir()}
    summary = pd.read_csv(out / "compare_summary.csv").set_index("quantity")
    objective = summary.loc[summary.index.str.startswith("objective")].iloc[0]
    # 10 t more cereal at the hill's price of 10/3 kUSD/t (scenarios/tiny/README.md): 620 -> 653.33 kUSD.
    assert objective["a"] == pytest.approx(620.0, rel=1e-7)
    assert objective["b"] == pytest.approx(620.0 + 100.0 / 3.0, rel=1e-7)
    assert objective["difference"] == pytest.approx(objective["b"] - objective["a"])
    allocation = pd.read_csv(out / "compare_allocation.csv")
    # Land is moved, not created: per jurisdiction the differences add up to zero.
    assert allocation.groupby("jurisdiction")["difference_ha"].sum().abs().max() < 1e-5
    assert allocation.loc[allocation["use"] == "crop", "difference_ha"].sum() > 0
    assert "more_cereal" in run.output


@pytest.mark.slow
def test_compare_a_variant_with_its_base_gives_table_and_chart(cli, tmp_path, monkeypatch):
    """The default and high_growth through the command line, with the numbers of the scenario's
    README (slow: two solves of the default; tiny's variant above checks the same command quickly)."""
    monkeypatch.chdir(tmp_path)  # base and variant results go to ./results
    out = tmp_path / "comparison"
    run = cli(["compare", SCENARIOS / "default", "--variant", "high_growth", "--out", out])
    assert run.exit_code == 0, run.output
    assert {"compare_summary.csv", "compare_allocation.csv", "compare_indicators.csv", "compare_ldn_balance.csv",
            "compare.png"} <= {p.name for p in out.iterdir()}
    summary = pd.read_csv(out / "compare_summary.csv").set_index("quantity")
    objective = summary.loc[summary.index.str.startswith("objective")].iloc[0]
    # Faster growth needs more housing: the plan costs more (90,405 against 74,312 kUSD, as the scenario's README says).
    assert objective["a"] == pytest.approx(74_312.39, rel=1e-5)
    assert objective["b"] == pytest.approx(90_405, rel=1e-3)
    assert objective["difference"] == pytest.approx(objective["b"] - objective["a"])
    allocation = pd.read_csv(out / "compare_allocation.csv")
    # Land is moved, not created: per jurisdiction the differences add up to zero.
    assert allocation.groupby("jurisdiction")["difference_ha"].sum().abs().max() < 1e-5
    housing = allocation[allocation["use"].str.startswith("residential")]["difference_ha"].sum()
    assert housing > 0
    assert "high_growth" in run.output


def test_compare_of_two_results_folders(cli, default_results_folder, tmp_path):
    out = tmp_path / "same"
    run = cli(["compare", default_results_folder, default_results_folder, "--out", out, "--json"])
    assert run.exit_code == 0, run.output
    assert json.loads(run.output)["summary"][0]["difference"] == 0
    assert pd.read_csv(out / "compare_allocation.csv")["difference_ha"].abs().max() == 0


def test_compare_refuses_a_folder_that_is_not_results(cli, tmp_path):
    run = cli(["compare", tmp_path, tmp_path])
    assert run.exit_code == 2 and "not a lup_opt results folder" in run.output


@pytest.fixture(scope="module")
def default_workbook(default_results_folder, tmp_path_factory):
    """``lup-opt excel`` of the default plan, run once for the tests that read the workbook:
    (the command's result, the workbook's path)."""
    from typer.testing import CliRunner

    from lup_opt.cli import app

    path = tmp_path_factory.mktemp("excel") / "plan.xlsx"
    run = CliRunner().invoke(app, ["excel", str(default_results_folder), "--out", str(path)], catch_exceptions=False)
    return run, path


@pytest.mark.slow
@requires_excel
def test_excel_export_has_one_sheet_per_table(default_workbook, default_results_folder):
    import openpyxl

    run, path = default_workbook
    assert run.exit_code == 0, run.output
    book = openpyxl.load_workbook(path, read_only=True)
    tables = {p.stem for p in default_results_folder.glob("*.csv")}
    assert set(book.sheetnames) == {"summary"} | tables
    allocation = pd.read_excel(path, sheet_name="allocation")
    assert len(allocation) == len(pd.read_csv(default_results_folder / "allocation.csv"))


# --- sweeps ------------------------------------------------------------------------------------

YIELDS = [3.0, 3.1, 3.2, 3.3, 3.4, 3.5, 3.6, 3.7]  # t/ha of cereal on the plain, one table each


@pytest.fixture
def tiny_with_yield_tables(tmp_path):
    folder = shutil.copytree(SCENARIOS / "tiny", tmp_path / "tiny")
    base = pd.read_csv(folder / "coefficients.csv")
    for k, value in enumerate(YIELDS):
        table = base.copy()
        table.loc[(table["indicator"] == "cereal_t") & (table["land_type"] == "plain"), "value"] = value
        table.to_csv(folder / f"yield_{k}.csv", index=False)
    return folder


@requires_dask
@pytest.mark.slow  # two sweeps of 8 runs on a 2-worker cluster: 5 s (quick: the sweep command, test_safety_out)
def test_sweep_on_a_local_dask_cluster_records_a_failure_and_reruns_only_it(tiny_with_yield_tables, tmp_path):
    folder = tiny_with_yield_tables
    runs = sweeps.grid_runs({"tables.coefficients": [f"yield_{k}.csv" for k in range(len(YIELDS))]})
    assert len(runs) == 8
    broken = folder / "yield_5.csv"
    kept = broken.read_bytes()
    broken.unlink()  # run 5 fails: its table is missing
    out = tmp_path / "sweep"
    first = sweeps.sweep(folder, runs, out, workers=2)
    table = first.table
    assert len(table) == 8 and len(first.executed) == 8
    failed_id = sweeps.run_id(runs[5])
    assert table.loc[table["status"] == "error", "run_id"].tolist() == [failed_id]
    assert "yield_5.csv" in table.set_index("run_id").loc[failed_id, "error"]
    assert (out / "failed" / f"{failed_id}.json").exists()
    finished = table[table["status"] == "optimal"]
    assert len(finished) == 7
    # Cereal costs less where the plain yields more: the optimum falls with the yield.
    assert finished["objective"].is_monotonic_decreasing
    stamps = {r: (out / "runs" / r / "manifest.json").stat().st_mtime_ns for r in finished["run_id"]}

    broken.write_bytes(kept)
    second = sweeps.sweep(folder, runs, out, workers=2)
    assert second.executed == (failed_id,)
    assert set(second.skipped) == set(finished["run_id"])
    assert (second.table["status"] == "optimal").all() and len(second.table) == 8
    assert not (out / "failed" / f"{failed_id}.json").exists()
    assert {r: (out / "runs" / r / "manifest.json").stat().st_mtime_ns for r in stamps} == stamps
    saved = pd.read_csv(out / "sweep.csv")
    assert saved["run_id"].tolist() == [sweeps.run_id(r) for r in runs]
    assert saved["input:tables.coefficients"].tolist() == [f"yield_{k}.csv" for k in range(8)]


def test_latin_hypercube_samples_cover_each_range_once_per_stratum():
    runs = sweeps.sample_runs({"a": (0.0, 10.0), "b": (100.0, 200.0)}, samples=5, seed=3)
    a = sorted(float(r["a"]) for r in runs)
    b = sorted(float(r["b"]) for r in runs)
    assert [int(v // 2) for v in a] == [0, 1, 2, 3, 4]
    assert [int((v - 100) // 20) for v in b] == [0, 1, 2, 3, 4]
    assert runs == sweeps.sample_runs({"a": (0.0, 10.0), "b": (100.0, 200.0)}, samples=5, seed=3)


@pytest.mark.parametrize("item", ["novalue", "=1,2", "key="])
def test_bad_grid_items_say_how_to_write_them(item):
    with pytest.raises(sweeps.LupOptError, match="KEY=V1,V2"):
        sweeps.parse_grid([item])


@pytest.mark.slow  # worker processes
@requires_dask
def test_sweep_command_runs_a_grid_and_prints_the_table(cli, tmp_path):
    out = tmp_path / "cli-sweep"
    run = cli(["sweep", SCENARIOS / "tiny", "--grid", "targets.cereal.value=380,390", "--workers", "1",
               "--out", out, "--json"])
    assert run.exit_code == 0, run.output
    outcome = json.loads(run.output)
    assert outcome["runs"] == 2 and outcome["failed"] == []
    assert len(pd.read_csv(out / "sweep.csv")) == 2


@requires_dask  # without it the command stops at once, saying so (test_sweep_cli.py)
def test_sweep_with_a_misspelt_key_stops_before_any_run(cli, tmp_path):
    out = tmp_path / "bad-sweep"
    run = cli(["sweep", SCENARIOS / "tiny", "--grid", "targets.cereal.valeu=380,390", "--out", out])
    assert run.exit_code == 2 and "valeu" in run.output
    assert not out.exists()


@requires_excel
def test_excel_sheets_are_formatted_for_planners(default_workbook):
    import openpyxl

    run, path = default_workbook
    assert run.exit_code == 0, run.output
    book = openpyxl.load_workbook(path)
    sheet = book["allocation"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    header = {cell.value: cell for cell in sheet[1]}
    assert header["area_ha"].font.bold
    column = header["area_ha"].column_letter
    assert sheet[f"{column}2"].number_format == "#,##0.00"
    assert sheet[f"{header['period'].column_letter}2"].number_format == "General"  # years as written
    assert sheet.column_dimensions[header["baseline_use"].column_letter].width >= len("baseline_use")


@requires_excel
def test_excel_headers_carry_the_units_of_their_quantities(default_workbook):
    import openpyxl

    run, path = default_workbook
    assert run.exit_code == 0, run.output
    book = openpyxl.load_workbook(path, read_only=True)

    def header(sheet):
        return [cell.value for cell in next(book[sheet].iter_rows(max_row=1))]

    assert "production\n(t)" in header("food") and "imported_land_ha" in header("food")  # _ha says its unit
    assert "amount\n(kUSD)" in header("finance") and "unused\n(kUSD)" in header("funds")
    assert "without_work\n(persons)" in header("livelihoods")
    assert "shadow_price\n(see price_unit)" in header("duals")  # prices differ by row
    assert "price_of_neutrality\n(kUSD)" in header("ldn_price")
