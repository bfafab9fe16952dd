"""The one write protocol (issue 11): a writer killed (SIGTERM or SIGKILL) at any step leaves the
old folder or the new one, never a mix and never nothing; what it leaves behind is cleaned up by
the next write; two writers of one folder do not both write; folders follow the umask; table
paths stay inside the scenario folder; messages never quote a file outside it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from lup_opt import safe_paths
from lup_opt.errors import OutputError
from tests.conftest import REPO, SCENARIOS

STEPS = ["locked", "writing", "written", "swapped"]

# A writer in a child process: loads lup_opt.safe_paths and lup_opt.errors alone (no heavy
# imports), pauses at STEP (writing READY) until killed, or runs to the end.
CHILD = textwrap.dedent("""
    import os, sys, time, types
    from pathlib import Path
    package = types.ModuleType("lup_opt"); package.__path__ = [sys.argv[1] + "/lup_opt"]
    sys.modules["lup_opt"] = package
    from lup_opt import safe_paths
    target, step, content, fallback = Path(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5] == "1"
    if sys.argv[6] == "1":  # as the CLI does: SIGTERM raises SystemExit, so cleanups run
        import signal
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    if fallback:
        safe_paths._exchange = lambda a, b: False
    def hook(name):
        if name == step:
            (target.parent / "READY").write_text(name)
            time.sleep(60)
    safe_paths.step_hook = hook
    with safe_paths.write_folder(target, run={"command": "test"}) as tmp:
        for k in range(20):
            (tmp / f"part{k}.txt").write_text(content)
        (tmp / "manifest.json").write_text('{"content": "%s"}' % content)
""")


def start_writer(target: Path, step: str, content: str, fallback: bool = False, handler: bool = False):
    (target.parent / "READY").unlink(missing_ok=True)
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(REPO), str(target), step, content,
                              "1" if fallback else "0", "1" if handler else "0"], cwd=target.parent)
    deadline = time.monotonic() + 30
    while not (target.parent / "READY").exists():
        assert child.poll() is None, "the writer ended before its step"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return child


def content_of(target: Path) -> str | None:
    """The one content the folder holds, or None; never a mix of two writes."""
    if not target.exists():
        return None
    values = {p.read_text() for p in target.glob("part*.txt")}
    assert len(values) == 1 and len(list(target.glob("part*.txt"))) == 20, "a half-written folder"
    return values.pop()


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".") and p.name != ".")


def write_now(target: Path, content: str) -> None:
    with safe_paths.write_folder(target, run={"command": "test"}) as tmp:
        for k in range(20):
            (tmp / f"part{k}.txt").write_text(content)


@pytest.mark.parametrize("fallback", [False, True], ids=["exchange", "two renames"])
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
@pytest.mark.parametrize("step", STEPS + ["moved aside"])
def test_a_writer_killed_at_any_step_leaves_old_or_new_and_the_next_write_cleans_up(tmp_path, step, sig, fallback):
    if step == "moved aside" and not fallback:
        pytest.skip("the exchange has no moved-aside step")
    target = tmp_path / "results"
    write_now(target, "old")
    child = start_writer(target, step, "new", fallback=fallback)
    child.send_signal(sig)
    child.wait(timeout=30)
    after_kill = content_of(target) if target.exists() else None
    expected = "new" if step == "swapped" else "old"
    if step != "moved aside":
        assert after_kill == expected
    # the next write of the same folder puts back what a kill moved aside, then cleans up
    with safe_paths.write_folder(target, run={"command": "test"}) as tmp:
        if step == "moved aside":
            assert content_of(target) == "old", "the folder moved aside was not put back"
        for k in range(20):
            (tmp / f"part{k}.txt").write_text("third")
    assert content_of(target) == "third"
    assert leftovers(tmp_path) == []


def test_sigterm_in_the_cli_removes_the_temporary_at_once(tmp_path):
    target = tmp_path / "results"
    write_now(target, "old")
    child = start_writer(target, "writing", "new", handler=True)
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=30) == 128 + signal.SIGTERM
    assert content_of(target) == "old"
    assert leftovers(tmp_path) == []  # nothing waits for the next write


def test_the_cli_turns_sigterm_into_a_clean_exit(cli, tmp_path):
    from lup_opt.cli import common as cli_module

    previous = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        cli(["validate", SCENARIOS / "tiny"])
        assert signal.getsignal(signal.SIGTERM) is cli_module._terminate
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_a_second_writer_is_refused_while_the_first_writes_and_the_first_wins(tmp_path):
    target = tmp_path / "results"
    write_now(target, "old")
    child = start_writer(target, "writing", "first")
    try:
        with pytest.raises(OutputError, match="another lup-opt run is writing it now"):
            write_now(target, "second")
        assert content_of(target) == "old"
    finally:
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=30)
    write_now(target, "third")
    assert content_of(target) == "third" and leftovers(tmp_path) == []


@pytest.mark.slow
def test_two_cli_solves_into_one_folder_never_mix(tmp_path):
    """Two real processes at once: each ends with exit 0 or a clean exit 2; the folder is whole."""
    out = tmp_path / "r"
    args = [sys.executable, "-m", "lup_opt.cli", "solve", str(SCENARIOS / "tiny"), "--out", str(out), "-q",
            "--no-report"]
    runs = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
            for _ in range(2)]
    outcomes = [(run.wait(timeout=120), run.stderr.read()) for run in runs]
    assert all(code in (0, 2) for code, _ in outcomes), outcomes
    assert any(code == 0 for code, _ in outcomes)
    for code, err in outcomes:
        assert "Traceback" not in err
        if code == 2:
            assert "another lup-opt run is writing it now" in " ".join(err.split())
    assert json.loads((out / "manifest.json").read_text())["status"] == "optimal"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_results_folders_and_files_follow_the_umask(tiny_result, tmp_path, umask):
    previous = os.umask(umask)
    try:
        folder = tiny_result.write(tmp_path / "r", report=False)
        written = safe_paths.write_file(tmp_path / "table.csv", lambda p: p.write_text("a\n"))
    finally:
        os.umask(previous)
    assert folder.stat().st_mode & 0o777 == 0o777 & ~umask
    assert (folder / "allocation.csv").stat().st_mode & 0o777 == 0o666 & ~umask
    assert written.stat().st_mode & 0o777 == 0o666 & ~umask


def test_stale_temporaries_of_other_names_are_left_alone(tmp_path):
    target = tmp_path / "results"
    (tmp_path / ".results.partial-dead").mkdir()
    (tmp_path / ".results-other.partial-keep").mkdir()
    (tmp_path / ".resultsX.partial-keep").mkdir()
    write_now(target, "new")
    assert leftovers(tmp_path) == [".results-other.partial-keep", ".resultsX.partial-keep"]


# --- reading inside the scenario folder ------------------------------------------------------------

@pytest.fixture
def sandbox(tmp_path) -> Path:
    folder = shutil.copytree(SCENARIOS / "tiny", tmp_path / "scenario")
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(folder / "uses.csv", outside / "uses.csv")
    (outside / "secret.csv").write_text("TOKEN_abc123=supersecret,x\n1,2\n")
    return folder


@pytest.mark.parametrize("path", ["../outside/uses.csv", "ABSOLUTE", "link.csv", "/proc/self/environ"])
def test_tables_outside_the_scenario_folder_are_refused_unless_allowed(cli, sandbox, path):
    if path == "ABSOLUTE":
        path = str(sandbox.parent / "outside" / "uses.csv")
    if path == "link.csv":
        (sandbox / "link.csv").symlink_to(sandbox.parent / "outside" / "uses.csv")
    text = (sandbox / "scenario.yaml").read_text().replace("uses: uses.csv", f"uses: {path}")
    (sandbox / "scenario.yaml").write_text(text)
    run = cli(["validate", sandbox])
    assert run.exit_code == 2, run.output
    assert "scenario.yaml, tables.uses:" in run.output and "outside the scenario folder" in run.output
    assert "--allow-outside" in run.output
    if path != "/proc/self/environ":
        assert cli(["validate", sandbox, "--allow-outside"]).exit_code == 0


def test_an_outside_file_is_not_quoted_even_when_allowed(cli, sandbox):
    text = (sandbox / "scenario.yaml").read_text().replace("uses: uses.csv", "uses: ../outside/secret.csv")
    (sandbox / "scenario.yaml").write_text(text)
    run = cli(["validate", sandbox])
    assert run.exit_code == 2 and "supersecret" not in run.output and "TOKEN" not in run.output
    run = cli(["validate", sandbox, "--allow-outside"])
    assert run.exit_code == 2 and "supersecret" not in run.output
    environ = [v for v in os.environ.values() if len(v) > 30]
    text = (sandbox / "scenario.yaml").read_text().replace("../outside/secret.csv", "/proc/self/environ")
    (sandbox / "scenario.yaml").write_text(text)
    run = cli(["validate", sandbox, "--allow-outside"])
    assert run.exit_code == 2
    assert not any(value in run.output for value in environ), "the environment was printed"


def test_a_scenario_yaml_that_is_a_symlink_outside_is_refused(cli, sandbox):
    real = sandbox.parent / "outside" / "scenario.yaml"
    shutil.move(sandbox / "scenario.yaml", real)
    (sandbox / "scenario.yaml").symlink_to(real)
    run = cli(["validate", sandbox])
    assert run.exit_code == 2 and "symlink leading outside the scenario folder" in run.output
