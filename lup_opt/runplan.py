"""Run plans for clusters (``lup-opt sweep ... --plan-only``, ``--slurm``, ``--pbs``): a sweep written
as one line per run, to run as a job array beside (or instead of) the Dask path.

In the sweep folder:

* ``runplan.csv``: ``task`` (1, 2, ...), ``run_id`` (the hash of the run's overrides, as a Dask
  sweep names it), ``output`` (``runs/<run_id>``) and one ``input:KEY`` column per override;
* ``runplan.txt``: line *k* is task *k*'s shell command, which does nothing when its output is
  already finished (so a job array resubmitted after a failure or a time-out only runs what is
  left: the plan is resumable);
* ``sweep.slurm`` / ``sweep.pbs``: a job-array script: task *k* runs line *k*, with as many CPUs
  as the solver threads.

Once the jobs are done, the same ``lup-opt sweep`` command without ``--plan-only`` finds every
finished run, solves none of them again, and writes ``sweep.csv``, ``sweep.nc`` and
``sweep_iamc.csv``.
"""

from __future__ import annotations

import logging
import os
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from lup_opt.errors import LupOptError
from lup_opt.results.manifest import MANIFEST
from lup_opt.safe_paths import write_file

log = logging.getLogger(__name__)

PLAN_TABLE, PLAN_LINES = "runplan.csv", "runplan.txt"
RUNS = "runs"  # the runs' folder of a sweep (lup_opt.sweep.RUNS)
SCHEDULERS = {"slurm": "sweep.slurm", "pbs": "sweep.pbs"}
LOGS = "logs"


def available_cores() -> int:
    """The cores this process may use (its CPU affinity where the system says, else the count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def cap_workers(workers: int, threads: int, cores: int | None = None) -> int:
    """Workers such that workers x solver threads stays within the cores; a warning when capped."""
    cores = cores or available_cores()
    if workers * threads <= cores:
        return workers
    capped = max(1, cores // threads)
    log.warning("%d workers x %d solver threads would need %d cores; %d are available, so %d worker%s run",
                workers, threads, workers * threads, cores, capped, "s" if capped != 1 else "")
    return capped


@dataclass(frozen=True)
class RunPlan:
    folder: Path
    table: Path
    lines: Path
    script: Path | None
    runs: int


def _command(scenario: Path, variants: Sequence[str], overrides: Mapping[str, str], output: Path,
             threads: int) -> str:
    """Task's shell line: skip when finished, else solve into its hash-named folder."""
    words = ["lup-opt", "solve", str(scenario)]
    for variant in variants:
        words += ["--variant", variant]
    for key, value in overrides.items():
        words += ["--set", f"{key}={value}"]
    words += ["--out", str(output), "--threads", str(threads), "--no-report", "--quiet"]
    done = shlex.quote(str(output / MANIFEST))
    return f"test -f {done} || {' '.join(shlex.quote(w) for w in words)}"


def write_plan(folder: str | Path, scenario: str | Path, runs: Sequence[tuple[str, Mapping[str, str]]], *,
               variants: Sequence[str] = (), threads: int = 1, scheduler: str | None = None,
               name: str = "lup-opt-sweep", time_limit_minutes: int = 60, memory_gb: int = 4) -> RunPlan:
    """Write the run plan of ``runs`` (run id, overrides) into the sweep folder ``folder`` (made by
    :func:`lup_opt.sweep.open_sweep_folder`), and with ``scheduler`` (slurm, pbs) its job-array script."""
    import pandas as pd

    if scheduler is not None and scheduler not in SCHEDULERS:
        raise LupOptError(f"unknown scheduler '{scheduler}'; one of {', '.join(SCHEDULERS)}")
    folder, scenario = Path(folder).resolve(), Path(scenario).resolve()
    ids, runs = [i for i, _ in runs], [r for _, r in runs]
    if len(set(ids)) != len(ids):
        raise LupOptError("the sweep has the same run twice; check the --grid values")
    table = pd.DataFrame([{"task": k, "run_id": i, "output": f"{RUNS}/{i}", **{f"input:{key}": v for key, v in r.items()}}
                          for k, (i, r) in enumerate(zip(ids, runs, strict=True), start=1)])
    lines = [_command(scenario, variants, r, folder / RUNS / i, threads) for i, r in zip(ids, runs, strict=True)]
    table_path = write_file(folder / PLAN_TABLE, lambda tmp: table.to_csv(tmp, index=False))
    lines_path = write_file(folder / PLAN_LINES, lambda tmp: tmp.write_text("\n".join(lines) + "\n",
                                                                             encoding="utf-8"))
    script = None
    if scheduler is not None:
        (folder / LOGS).mkdir(exist_ok=True)
        text = render_script(scheduler, folder, len(lines), threads=threads, name=name,
                             time_limit_minutes=time_limit_minutes, memory_gb=memory_gb)
        script = write_file(folder / SCHEDULERS[scheduler], lambda tmp: tmp.write_text(text, encoding="utf-8"))
        script.chmod(0o755)
    log.info("%s: run plan of %d runs%s", folder, len(lines), f" and {script.name}" if script else "")
    return RunPlan(folder, table_path, lines_path, script, len(lines))


def render_script(scheduler: str, folder: Path, tasks: int, *, threads: int = 1, name: str = "lup-opt-sweep",
                  time_limit_minutes: int = 60, memory_gb: int = 4) -> str:
    """The job-array script of ``tasks`` tasks: task k runs line k of runplan.txt in ``folder``."""
    hours, minutes = divmod(int(time_limit_minutes), 60)
    walltime = f"{hours:02d}:{minutes:02d}:00"
    where = shlex.quote(str(folder))
    if scheduler == "slurm":
        head = [f"#SBATCH --job-name={name}", f"#SBATCH --array=1-{tasks}", "#SBATCH --ntasks=1",
                f"#SBATCH --cpus-per-task={threads}", f"#SBATCH --mem={memory_gb}G", f"#SBATCH --time={walltime}",
                f"#SBATCH --output={folder}/{LOGS}/%A_%a.out"]
        index = "SLURM_ARRAY_TASK_ID"
    elif scheduler == "pbs":
        head = [f"#PBS -N {name}", f"#PBS -J 1-{tasks}", f"#PBS -l select=1:ncpus={threads}:mem={memory_gb}gb",
                f"#PBS -l walltime={walltime}", f"#PBS -o {folder}/{LOGS}/", "#PBS -j oe"]
        index = "PBS_ARRAY_INDEX"
    else:
        raise LupOptError(f"unknown scheduler '{scheduler}'; one of {', '.join(SCHEDULERS)}")
    return "\n".join([
        "#!/bin/bash", *head,
        f"# Made by lup-opt sweep --{scheduler}: task k runs line k of {PLAN_LINES} (one run each); a run",
        "# already finished is skipped, so resubmitting the array runs only what is left.",
        "set -euo pipefail",
        f"cd {where}",
        f'line=$(sed -n "${{{index}}}p" {PLAN_LINES})',
        f'test -n "$line" || {{ echo "no line ${{{index}}} in {PLAN_LINES}" >&2; exit 2; }}',
        'bash -c "$line"',
        "",
    ])
