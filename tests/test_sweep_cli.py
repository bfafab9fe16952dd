"""`lup-opt sweep`: a missing extra is named with its install hint; a sweep ends without killed workers."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from contextlib import closing

import pytest

from tests.conftest import SCENARIOS, requires_dask


@pytest.mark.parametrize("missing", ["dask", "distributed"])
def test_sweep_without_the_ensemble_extra_says_what_to_install(cli, tmp_path, monkeypatch, missing):
    for name in (missing, "dask.distributed"):
        monkeypatch.setitem(sys.modules, name, None)  # import dask.distributed now fails
    out = tmp_path / "sweep"
    run = cli(["sweep", SCENARIOS / "tiny", "--grid", "targets.cereal.value=380,390", "--out", out])
    assert run.exit_code == 2, run.output
    assert "pip install 'lup_opt[ensemble]'" in run.output
    assert "Traceback" not in run.output and "ModuleNotFoundError" not in run.output
    assert not out.exists()


def test_sweep_api_without_dask_raises_the_hint(tmp_path, monkeypatch):
    from lup_opt import sweep as sweeps

    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    with pytest.raises(sweeps.LupOptError, match=r"lup_opt\[ensemble\]"):
        sweeps.sweep(SCENARIOS / "tiny", [{"targets.cereal.value": "380"}], tmp_path / "sweep")


SLOW_EXIT = """\
import sys
if "--multiprocessing-fork" in sys.orig_argv:  # a Dask worker process: it takes 5 s to exit
    import multiprocessing.util, time
    multiprocessing.util.Finalize(None, time.sleep, args=(5.0,), exitpriority=0)
"""


@requires_dask
@pytest.mark.slow
def test_a_sweep_ends_without_killing_workers_or_port_warnings(tmp_path):
    """Workers of a busy machine take seconds to exit: the sweep waits for them (Dask's 4 s
    default killed them, with a warning on every sweep), and its scheduler does not ask for
    port 8787 (a second sweep found it taken, with another warning)."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(SLOW_EXIT, encoding="utf-8")
    out = tmp_path / "sweep"
    env = {**__import__("os").environ, "PYTHONPATH": str(hooks)}
    command = [sys.executable, "-c", "from lup_opt.cli import app; app()", "sweep", str(SCENARIOS / "tiny"),
               "--grid", "targets.cereal.value=380,390", "--workers", "1", "--out", str(out), "--json"]
    with closing(socket.socket()) as busy:
        try:
            busy.bind(("127.0.0.1", 8787))  # as if another sweep's scheduler held it
        except OSError:
            pass  # already taken by something else: the same situation
        run = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["runs"] == 2
    assert "killing" not in run.stderr.lower()
    assert "already in use" not in run.stderr
    assert "Traceback" not in run.stderr


SLOW_HEARTBEAT_ANSWER = """\
# The scheduler (in the sweep's own process) answers worker heartbeats after 60 s, so a heartbeat
# is on its way whenever a worker closes: the race that, on a loaded machine, printed Dask's
# "Failed to communicate with scheduler during heartbeat" traceback after a sweep that succeeded.
import asyncio
from distributed import scheduler as _scheduler
_init = _scheduler.Scheduler.__init__
def _init_with_slow_heartbeats(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    answer = self.handlers["heartbeat_worker"]
    async def slow(*a, **k):
        await asyncio.sleep(60)
        return answer(*a, **k)
    self.handlers["heartbeat_worker"] = slow
_scheduler.Scheduler.__init__ = _init_with_slow_heartbeats
"""


@requires_dask
@pytest.mark.slow
def test_a_heartbeat_cut_off_by_the_end_of_a_sweep_prints_no_traceback(tmp_path):
    """Checked without the fix: this sweep printed the heartbeat traceback twice."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(SLOW_HEARTBEAT_ANSWER, encoding="utf-8")
    env = {**__import__("os").environ, "PYTHONPATH": str(hooks)}
    values = ",".join(str(v) for v in range(380, 396, 2))  # eight runs: the sweep outlasts the first heartbeat
    command = [sys.executable, "-c", "from lup_opt.cli import app; app()", "sweep", str(SCENARIOS / "tiny"),
               "--grid", f"targets.cereal.value={values}", "--workers", "1", "--out", str(tmp_path / "sweep"),
               "--json"]
    run = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["runs"] == 8
    assert "Traceback" not in run.stderr, run.stderr
    assert "heartbeat" not in run.stderr.lower(), run.stderr


def test_the_heartbeat_filter_drops_the_record_only_once_its_worker_is_closing(caplog):
    pytest.importorskip("distributed", reason="needs the ensemble extra: pip install 'lup_opt[ensemble]'")
    import logging
    from types import SimpleNamespace

    from distributed.core import Status

    from lup_opt.sweep_quiet import HEARTBEAT_FAILED, QuietHeartbeatAtClose

    worker = SimpleNamespace(status=Status.running)
    logger = logging.getLogger("distributed.worker")
    before = list(logger.filters)
    QuietHeartbeatAtClose().setup(worker)
    try:
        with caplog.at_level(logging.ERROR, logger="distributed.worker"):
            logger.error(HEARTBEAT_FAILED + ".")  # running: a real failure, kept
            worker.status = Status.closing
            logger.error(HEARTBEAT_FAILED + ".")  # closing: the race, dropped
            logger.error("Some other failure")  # closing, but another message: kept
        assert [r.getMessage() for r in caplog.records] == [HEARTBEAT_FAILED + ".", "Some other failure"]
    finally:
        logger.filters[:] = before
