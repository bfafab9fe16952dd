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
