"""Starting a run's worker process (:mod:`.worker`).

Where the platform has it (Linux, macOS), each run is forked from a server process that has
already imported lup_opt, pandas, HiGHS and matplotlib (``multiprocessing``'s forkserver): a
run starts at once instead of paying those imports again (1.3 s a run, measured as the import
of what a worker uses). Each run is still a process of its own, forked from a process that has
run nothing, so a cancel ends it at once (SIGTERM) and no run sees another's state. Elsewhere
each run is ``python -m lup_opt.app.worker JOB`` as before.

Either way the run's working folder is its job folder and its stdout and stderr (HiGHS's C
output included) go to the job folder's ``stderr.log``.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path
from typing import Protocol

STDERR_LOG = "stderr.log"
# What a run imports: loaded once in the forkserver, shared by every run forked from it.
PRELOAD = ["lup_opt.app.worker", "lup_opt.api", "lup_opt.scenario", "lup_opt.results.result", "lup_opt.report.html",
           "lup_opt.tradeoffs", "lup_opt.safe_paths"]


class WorkerProcess(Protocol):
    """What the run queue needs of a worker process (``subprocess.Popen`` has it)."""

    pid: int | None

    @property
    def returncode(self) -> int | None: ...

    def poll(self) -> int | None: ...

    def send_signal(self, sig: int) -> None: ...

    def terminate(self) -> None: ...

    def kill(self) -> None: ...

    def wait(self, timeout: float | None = None) -> int | None: ...


class ForkedWorker:
    """A run's process forked from the forkserver, with ``Popen``'s interface."""

    def __init__(self, process: multiprocessing.process.BaseProcess):
        self._process = process
        self.pid = process.pid

    @property
    def returncode(self) -> int | None:
        return self._process.exitcode

    def poll(self) -> int | None:
        return self._process.exitcode

    def send_signal(self, sig: int) -> None:
        if self._process.exitcode is None:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self._process.terminate()

    def kill(self) -> None:
        self._process.kill()

    def wait(self, timeout: float | None = None) -> int | None:
        self._process.join(timeout)
        if self._process.exitcode is None:
            raise subprocess.TimeoutExpired(f"run worker {self.pid}", timeout or 0.0)
        return self._process.exitcode


def _run_in_job_folder(job: str) -> None:
    """The forked run: its job folder as working folder, its output into ``stderr.log``."""
    from lup_opt.app.worker import main

    os.chdir(job)
    log_fd = os.open(os.path.join(job, STDERR_LOG), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    sys.exit(main(Path(job)))


def _forkserver() -> multiprocessing.context.BaseContext | None:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)  # takes effect when the server first starts
    return context


def start_worker(job: Path) -> WorkerProcess:
    """Start the run whose ``spec.json`` is in ``job``."""
    context = _forkserver()
    if context is None:
        with (job / STDERR_LOG).open("wb") as err:
            return subprocess.Popen([sys.executable, "-m", "lup_opt.app.worker", str(job)], cwd=job,
                                    stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                                    env={**os.environ, "PYTHONUNBUFFERED": "1"})
    process = context.Process(target=_run_in_job_folder, args=(str(job),), name=f"lup_opt run {job.name}")
    process.start()
    return ForkedWorker(process)
