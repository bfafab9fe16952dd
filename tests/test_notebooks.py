"""The tutorial notebooks under examples/ run from top to bottom (nbclient), each in a fresh folder;
their own cells assert the hand-worked numbers (tiny's 620 kUSD, 10/3 kUSD per t of cereal)."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import REPO

EXAMPLES = REPO / "examples"


def _run(name, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason="needs the notebook extra: pip install 'lup_opt[notebook]'")
    nbclient = pytest.importorskip("nbclient", reason="needs the notebook extra: pip install 'lup_opt[notebook]'")
    monkeypatch.setenv("PYTHONPATH", str(REPO))  # the kernel imports this checkout's lup_opt
    notebook = nbformat.read(shutil.copy(EXAMPLES / name, tmp_path / name), as_version=4)
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    return notebook


def _outputs(notebook) -> str:
    return "\n".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/html", ""))
                     for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", []))


@pytest.mark.slow
def test_the_planner_notebook_runs_and_shows_the_summaries(tmp_path, monkeypatch):
    notebook = _run("planner_tutorial.ipynb", tmp_path, monkeypatch)
    shown = _outputs(notebook)
    assert "Scenario my_area" in shown and "Result of my_area" in shown  # the HTML summaries
    assert "620.00 -> 653.33 kUSD" in shown
    assert (tmp_path / "my_area_book" / "scenario.xlsx").is_file()
    assert (tmp_path / "results" / "my_area" / "manifest.json").is_file()


@pytest.mark.slow  # about 15 s: pyam's import alone takes 5
def test_the_researcher_notebook_runs_from_xarray_to_the_run_plan(tmp_path, monkeypatch):
    notebook = _run("researcher_tutorial.ipynb", tmp_path, monkeypatch)
    shown = _outputs(notebook)
    assert (tmp_path / "study_area.nc").is_file()
    assert "#SBATCH --array=1-4" in shown and "cereal_400" in shown
