"""Ensembles on clusters: ``sweep --plan-only`` / ``--slurm`` / ``--pbs`` write a resumable run plan
and a job-array script; the same sweep without them collects the runs into sweep.csv, sweep.nc (a
``run`` dimension) and sweep_iamc.csv (pyam reads it); workers x solver threads are capped."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from lup_opt import sweep as sweeps
from tests.conftest import REPO, SCENARIOS, requires_dask

GRID = ["--grid", "targets.cereal.value=380,390", "--grid", "targets.housing.value=2300,2400"]
# tiny's optimum is 620 kUSD (scenarios/tiny/README.md); each t of cereal less saves 10/3 kUSD (the
# hill's crop that is not needed) and each person housed less 17/30 kUSD (1/60 ha of housing at
# 10 kUSD, less the cereal it frees on the plain): 10 t -> 33.33, 100 persons -> 56.67 kUSD.
HAND = {("380", "2300"): 530.0, ("380", "2400"): 620 - 100 / 3, ("390", "2300"): 620 - 170 / 3,
        ("390", "2400"): 620.0}


@pytest.fixture
def tiny_copy(tmp_path):
    return shutil.copytree(SCENARIOS / "tiny", tmp_path / "tiny")


def test_a_slurm_script_is_rendered_for_a_4_run_plan_with_hash_named_outputs(cli, tiny_copy, tmp_path):
    out = tmp_path / "sweep"
    result = cli(["sweep", tiny_copy, *GRID, "--slurm", "--threads", "2", "--out", out])
    assert result.exit_code == 0, result.output
    script = (out / "sweep.slurm").read_text(encoding="utf-8")
    assert script.startswith("#!/bin/bash\n") and "#SBATCH --array=1-4\n" in script
    assert "#SBATCH --cpus-per-task=2\n" in script and 'sed -n "${SLURM_ARRAY_TASK_ID}p" runplan.txt' in script
    plan = pd.read_csv(out / "runplan.csv", dtype=str)
    expected = [sweeps.run_id({"targets.cereal.value": c, "targets.housing.value": h})
                for c in ("380", "390") for h in ("2300", "2400")]
    assert plan["run_id"].tolist() == expected and plan["task"].tolist() == ["1", "2", "3", "4"]
    lines = (out / "runplan.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4
    for line, run in zip(lines, expected, strict=True):
        assert line.startswith(f"test -f {out / 'runs' / run / 'manifest.json'} || lup-opt solve ")
        assert f"--out {out / 'runs' / run} --threads 2" in line
    assert not (out / "runs").exists() or not any((out / "runs").iterdir())  # nothing solved


def test_a_pbs_script_uses_the_pbs_array_index(cli, tiny_copy, tmp_path):
    out = tmp_path / "sweep"
    assert cli(["sweep", tiny_copy, *GRID, "--pbs", "--out", out, "--job-minutes", "90"]).exit_code == 0
    script = (out / "sweep.pbs").read_text(encoding="utf-8")
    assert "#PBS -J 1-4\n" in script and "#PBS -l walltime=01:30:00\n" in script and "${PBS_ARRAY_INDEX}" in script
    assert not (out / "sweep.slurm").exists()


def _run_tasks(script, tasks):
    """Run job-array tasks here as the scheduler would (lup-opt from this environment)."""
    env = {**os.environ, "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": str(REPO)}  # this checkout's lup_opt
    for task in tasks:
        subprocess.run(["bash", str(script)], env={**env, "SLURM_ARRAY_TASK_ID": str(task)}, check=True,
                       capture_output=True, timeout=120)


@pytest.mark.slow  # about 12 s: eight lup-opt processes and the collecting sweep
@requires_dask
def test_the_job_array_runs_resume_and_the_sweep_collects_them_without_solving_again(cli, tiny_copy, tmp_path):
    out = tmp_path / "sweep"
    assert cli(["sweep", tiny_copy, *GRID, "--slurm", "--out", out]).exit_code == 0
    _run_tasks(out / "sweep.slurm", [1, 2, 3, 4])
    first = (out / "runs").iterdir().__next__()
    stamp = (first / "manifest.json").stat().st_mtime_ns
    _run_tasks(out / "sweep.slurm", [1, 2, 3, 4])  # resubmitted: every run is done, none is solved again
    assert (first / "manifest.json").stat().st_mtime_ns == stamp
    collected = cli(["sweep", tiny_copy, *GRID, "--out", out, "--json"])
    assert collected.exit_code == 0, collected.output
    assert '"executed": []' in collected.output
    table = pd.read_csv(out / "sweep.csv", dtype={"input:targets.cereal.value": str,
                                                    "input:targets.housing.value": str})
    got = {(r["input:targets.cereal.value"], r["input:targets.housing.value"]): r["objective"]
           for _, r in table.iterrows()}
    assert got == pytest.approx(HAND)

    xarray = pytest.importorskip("xarray", reason="needs the xarray extra: pip install 'lup_opt[xarray]'")
    from lup_opt.results.xarray_io import open_netcdf

    dataset = open_netcdf(out / "sweep.nc")
    assert dataset.sizes["run"] == 4
    by_run = dict(zip(dataset["run"].values, dataset["objective"].values, strict=True))
    assert by_run == pytest.approx(table.set_index("run_id")["objective"].to_dict())
    units = pd.read_csv(SCENARIOS / "tiny" / "units.csv").set_index("id")["area_ha"]
    per_unit = dataset["area_ha"].sum("use").sel(year=2030)  # every run keeps every unit's area
    assert (abs(per_unit - xarray.DataArray(units.reindex(per_unit["land_unit"].values).to_numpy(),
                                            dims="land_unit")) < 1e-6).all()
    assert set(dataset["input_targets_cereal_value"].values) == {"380", "390"}

    pyam = pytest.importorskip("pyam", reason="needs the iamc extra: pip install 'lup_opt[iamc]'")
    iamc = pyam.IamDataFrame(pd.read_csv(out / "sweep_iamc.csv"))
    assert len(iamc.scenario) == 4
    objective = iamc.filter(variable="Objective").as_pandas().set_index("scenario")["value"]
    assert {s.split("|")[1]: v for s, v in objective.items()} == pytest.approx(
        table.set_index("run_id")["objective"].to_dict())


def test_workers_times_solver_threads_are_capped_at_the_cores_with_a_warning(caplog):
    from lup_opt.runplan import cap_workers

    with caplog.at_level(logging.WARNING, logger="lup_opt.runplan"):
        assert cap_workers(4, 3, cores=8) == 2
    assert "4 workers x 3 solver threads would need 12 cores; 8 are available, so 2 workers run" in caplog.text
    assert cap_workers(2, 4, cores=8) == 2 and cap_workers(3, 16, cores=8) == 1
