"""Tables at 80 columns (logs, CI, notebooks): planner numbers, never split, never e+ notation."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from rich.console import Console

from lup_opt.formatting import column_formatter, format_frame, number, print_frame
from tests.conftest import SCENARIOS, requires_dask

WIDE = pd.DataFrame({
    "run_id": ["run-98a18ba934", "run-8ea7813b7b", "run-0c2f51aa07"],
    "input:targets.cereal.value": ["380", "390", "400"],
    "status": ["optimal", "optimal", "infeasible"],
    "objective": [68_679.17123, 84_762.0, float("nan")],
    "ldn_net_ha": [-6e-12, -14_488.7, 0.0],
    "changed_ha": [106.666667, 14_521.81, 3.883],
    "binding_targets": [4, 21, 0],
    "seconds": [1.997, 13.085, 0.2],
    "period": [2030, 2035, 2040],
    "share": [-0.0, 0.25, 0.1234567],
    "cost_kusd_per_ha_of_residential_land": [1.2e6, 123_456_789.0, 5e10],
})


def _lines(console: Console) -> list[str]:
    return console.export_text().splitlines()


def _assert_readable(lines: list[str], cells: list[str], width: int = 80) -> None:
    """No line wider than the console; every number cell whole on one line; no e notation."""
    text = "\n".join(lines)
    assert max(len(line) for line in lines) <= width, text
    assert not re.search(r"\d[eE][+-]?\d", text), text
    assert not re.search(r"(?<![\w.])-0(\.0+)?(?![\d.,])", text), text  # no -0 or -0.0
    for cell in cells:
        assert any(re.search(rf"(?<![\d.,]){re.escape(cell)}(?![\d.,])", line) for line in lines), (cell, text)


def _number_cells(frame: pd.DataFrame) -> list[str]:
    _, rows, numeric = format_frame(frame)
    return [row[k] for row in rows for k in range(len(numeric)) if numeric[k]]


def test_a_wide_table_at_80_columns_splits_by_columns_not_inside_numbers():
    console = Console(width=80, record=True, color_system=None)
    print_frame(console, WIDE, title="Sweep")
    lines = _lines(console)
    _assert_readable(lines, _number_cells(WIDE))
    assert sum(line.startswith("Sweep (") for line in lines) >= 2  # in parts, by columns
    assert sum("run-98a18ba934" in line for line in lines) >= 2  # each part names its rows
    text = "\n".join(lines)
    assert "68,679" in text and "123,456,789" in text and "50,000,000,000" in text
    assert "2030" in text and "2,030" not in text  # years as written


def test_planner_numbers():
    assert [number(v) for v in (68_679.17, 12.34, 3.14159, -6e-12, -0.0, 1e-7, 5, 1e20)] == [
        "68,679", "12.3", "3.142", "0", "0", "0.0000001", "5", "100,000,000,000,000,000,000"]
    write, numeric = column_formatter("difference_ha", [-389.5, 3.883, -6e-12, -0.04])
    assert numeric and [write(v) for v in (-389.5, 3.883, -6e-12, -0.04)] == ["-389.5", "3.9", "0", "-0.04"]
    write, _ = column_formatter("achievement cost", [1.0, -8e-9, 0.97763])
    assert [write(v) for v in (1.0, -8e-9, 0.97763)] == ["1", "0", "0.9776"]


@pytest.fixture
def at_80(monkeypatch):
    from lup_opt.cli.common import out_console

    monkeypatch.setattr(out_console, "_width", 80)  # as in a log, CI or a notebook
    return out_console


def test_compare_prints_planner_tables_at_80_columns(cli, at_80, default_results_folder, tmp_path):
    run = cli(["compare", default_results_folder, default_results_folder, "--out", tmp_path / "same"])
    assert run.exit_code == 0, run.output
    lines = run.stdout.splitlines()
    summary = pd.read_csv(tmp_path / "same" / "compare_summary.csv")
    _assert_readable(lines, _number_cells(summary))
    objective = json.loads((default_results_folder / "manifest.json").read_text())["objective"]
    assert number(objective) in run.stdout  # the default's objective, as a planner reads it


def test_trade_off_tables_at_80_columns(cli, at_80, tmp_path):
    run = cli(["frontier", SCENARIOS / "tiny", "-o", "cost_kusd:min,cereal_t:max", "--points", "3",
               "--out", tmp_path / "frontier"])
    assert run.exit_code == 0, run.output
    points = pd.read_csv(tmp_path / "frontier" / "frontier.csv")
    _assert_readable(run.stdout.splitlines(), _number_cells(points))
    assert "Frontier" in run.stdout and "620" in run.stdout  # tiny's cheapest plan, 620 kUSD


@pytest.mark.slow  # worker processes
@requires_dask
def test_sweep_table_at_80_columns(cli, at_80, tmp_path):
    out = tmp_path / "sweep"
    run = cli(["sweep", SCENARIOS / "tiny", "--grid", "targets.cereal.value=380,390", "--workers", "1",
               "--out", out])
    assert run.exit_code == 0, run.output
    table = pd.read_csv(out / "sweep.csv")
    _assert_readable(run.stdout.splitlines(), _number_cells(table.drop(columns=["seconds"])))
    assert "586.7" in run.stdout  # the objective of the first run, 586.666... kUSD


def test_robust_takes_the_optimistic_rule_and_prints_at_80_columns(cli, at_80, tiny_uncertainty, tmp_path):
    out = tmp_path / "robust"
    run = cli(["robust", SCENARIOS / "tiny", "--uncertainty", tiny_uncertainty,
               "--optimistic-rule", "expectation", "--out", out])
    assert run.exit_code == 0, run.output
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["run"]["optimistic_rule"] == "expectation"
    summary = pd.read_csv(out / "robust_compromise.csv")
    _assert_readable(run.stdout.splitlines(), _number_cells(summary))
    assert "expectation" in run.stdout
