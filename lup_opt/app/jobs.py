"""The queue of runs: each run is a process of its own (:mod:`.worker`), started when a slot is
free, watched by one scheduler thread, cancelled by ending its process.

A run is named like a CLI results folder (``NAME[+VARIANTS][@HASH]``), made unique in the
workspace's ``runs/`` (``-2``, ``-3``, ...) when it is queued, and written there through
lup_opt's write protocol: a run never replaces another. Runs kept from earlier sessions are
listed from their folders.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import logging
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lup_opt.app.launch import STDERR_LOG, WorkerProcess, start_worker
from lup_opt.app.worker import OUTCOME, PROGRESS, SPEC
from lup_opt.app.workspace import Workspace
from lup_opt.errors import LupOptError
from lup_opt.safe_paths import recover, writing_into

log = logging.getLogger(__name__)

KINDS = ("solve", "explain", "evaluate", "frontier", "alternatives")
SUFFIX = {"evaluate": "evaluation"}  # as the CLI names the folder of an evaluation
QUEUED, RUNNING, DONE, FAILED, CANCELLED, REJECTED = "queued", "running", "done", "failed", "cancelled", "rejected"
FINISHED = (DONE, FAILED, CANCELLED, REJECTED)
TICK = 0.2
KILL_AFTER = 3.0  # seconds between SIGTERM and SIGKILL
LOG_LINES = 400  # HiGHS lines kept per run for the page
MAX_BATCH = 64


@dataclass
class Run:
    """One run the app queued (or found kept in ``runs/``)."""

    id: str
    kind: str
    scenario: str
    variants: list[str] = field(default_factory=list)
    overrides: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    state: str = QUEUED
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    outcome: dict[str, Any] = field(default_factory=dict)
    process: WorkerProcess | None = field(default=None, repr=False)
    job: Path | None = field(default=None, repr=False)
    cancel_asked: float | None = None
    parent: str | None = None  # the run whose suggested relaxation this run applies

    def progress(self) -> dict[str, Any]:
        """The stages so far, the latest note and the last lines of HiGHS's log."""
        stages, highs, note = [], [], ""
        path = self.job / PROGRESS if self.job else None
        if path is not None and path.exists():
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if "stage" in event:
                    stages.append({"t": event["t"], "stage": event["stage"]})
                elif "highs" in event:
                    highs.append(event["highs"])
                elif "note" in event:
                    note = event["note"]
        return {"stages": stages, "stage": stages[-1]["stage"] if stages else self.state, "note": note,
                "highs": highs[-LOG_LINES:], "highs_lines": len(highs)}

    def summary(self) -> dict[str, Any]:
        elapsed = ((self.finished or time.time()) - self.started) if self.started else None
        return {"id": self.id, "kind": self.kind, "scenario": self.scenario, "variants": self.variants,
                "overrides": self.overrides, "options": self.options, "state": self.state,
                "created": self.created, "started": self.started, "finished": self.finished,
                "seconds": round(elapsed, 2) if elapsed is not None else None, "parent": self.parent,
                "status": self.outcome.get("status"), "objective": self.outcome.get("objective"),
                "unit": self.outcome.get("unit"), "message": self.outcome.get("message", ""),
                "issues": self.outcome.get("issues", [])}


def run_name(scenario: str, variants: Sequence[str], overrides: Sequence[str], kind: str) -> str:
    """As the CLI names a results folder: NAME[+VARIANTS][@HASH of the overrides][-KIND]."""
    name = Path(scenario).name + "".join(f"+{v}" for v in variants)
    if overrides:  # the CLI's hash (lup_opt.cli.common.overrides_hash), not imported: cli imports the app
        name += "@" + hashlib.sha256(json.dumps(list(overrides)).encode("utf-8")).hexdigest()[:6]
    return name if kind == "solve" else f"{name}-{SUFFIX.get(kind, kind)}"


class RunManager:
    """Runs queued, running and finished; ``slots`` of them run at once."""

    def __init__(self, workspace: Workspace, slots: int = 1):
        self.workspace = workspace
        self.slots = max(1, slots)
        self._runs: dict[str, Run] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._schedule, name="lup-opt-app-runs", daemon=True)

    def start(self) -> None:
        # progress of an earlier session's runs is gone with them; their results are in runs/
        shutil.rmtree(self.workspace.scratch / "jobs", ignore_errors=True)
        self._thread.start()

    def close(self) -> None:
        """End the scheduler and every run still going (their leftovers are cleaned)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)
        for run in list(self._runs.values()):
            if run.state == RUNNING:
                self._end_process(run)
                self._finish(run, CANCELLED, {"message": "the app was closed while the run was going"})

    # Queueing -------------------------------------------------------------------------------------

    def submit(self, scenario: str, kind: str = "solve", variants: Sequence[str] = (), overrides: Sequence[str] = (),
               options: Mapping[str, Any] | None = None, parent: str | None = None) -> Run:
        if kind not in KINDS:
            raise LupOptError(f"kind '{kind}': one of {', '.join(KINDS)}")
        self.workspace.scenario(scenario)  # refused outside the workspace; KeyError when none
        variants = [v.strip() for item in variants for v in str(item).split(",") if v.strip()]
        overrides = [str(o).strip() for o in overrides if str(o).strip()]
        with self._lock:
            name = self.workspace.free_run_name(run_name(scenario, variants, overrides, kind), set(self._runs))
            run = Run(name, kind, scenario, variants, overrides, dict(options or {}), parent=parent)
            self._runs[name] = run
        log.info("queued run %s (%s of %s)", name, kind, scenario)
        return run

    def submit_batch(self, scenario: str, grid: Mapping[str, Sequence[Any]], **common: Any) -> list[Run]:
        """A small sweep: one solve per combination of ``grid``'s values (key -> values)."""
        keys = list(grid)
        combinations = list(itertools.product(*(grid[k] for k in keys)))
        if not keys or len(combinations) > MAX_BATCH:
            raise LupOptError(f"a batch needs 1 to {MAX_BATCH} combinations (got {len(combinations)})")
        base = list(common.pop("overrides", []))
        return [self.submit(scenario, overrides=[*base, *(f"{k}={v}" for k, v in zip(keys, values, strict=True))],
                            **common) for values in combinations]

    def cancel(self, name: str) -> Run:
        run = self.get(name)
        with self._lock:
            if run.state == QUEUED:
                self._finish(run, CANCELLED, {"message": "cancelled before it started"})
            elif run.state == RUNNING and run.process is not None:
                run.cancel_asked = time.time()
                with contextlib.suppress(ProcessLookupError):
                    run.process.send_signal(signal.SIGTERM)
        return run

    # Reading --------------------------------------------------------------------------------------

    def get(self, name: str) -> Run:
        with self._lock:
            if name in self._runs:
                return self._runs[name]
        folder = self.workspace.run_folder(name)
        if (folder / "manifest.json").is_file():
            return self._kept(folder)
        raise KeyError(name)

    def all(self) -> list[Run]:
        """Every run: this session's, newest first, then those kept in ``runs/`` from before."""
        with self._lock:
            mine = sorted(self._runs.values(), key=lambda r: r.created, reverse=True)
        kept = []
        if self.workspace.runs.is_dir():
            for folder in sorted(self.workspace.runs.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True):
                if folder.name not in self._runs and not folder.name.startswith(".") and \
                        (folder / "manifest.json").is_file():
                    kept.append(self._kept(folder))
        return mine + kept

    def folder(self, name: str) -> Path:
        return self.workspace.run_folder(name)

    def _kept(self, folder: Path) -> Run:
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = {}
        run = manifest.get("run") if isinstance(manifest.get("run"), dict) else {}
        kind = run.get("kind") or (str(run.get("command")) if run.get("command") in KINDS else "solve")
        status = manifest.get("status") or ("done" if manifest.get("method") else None)
        mtime = (folder / "manifest.json").stat().st_mtime
        return Run(folder.name, kind, str(run.get("scenario_path") or run.get("scenario") or ""),
                   list(run.get("variants", [])), list(run.get("overrides", [])), state=DONE, created=mtime,
                   started=mtime, finished=mtime,
                   outcome={"status": status, "objective": manifest.get("objective"),
                            "unit": manifest.get("objective_unit"), "message": manifest.get("message", "")})

    # The scheduler --------------------------------------------------------------------------------

    def _schedule(self) -> None:
        while not self._stop.wait(TICK):
            try:
                self._tick()
            except Exception:
                log.exception("run scheduler")

    def _tick(self) -> None:
        with self._lock:
            running = [r for r in self._runs.values() if r.state == RUNNING]
            for run in running:
                if run.process.poll() is not None:
                    self._collect(run)
                elif run.cancel_asked and time.time() - run.cancel_asked > KILL_AFTER:
                    with contextlib.suppress(ProcessLookupError):
                        run.process.kill()
            free = self.slots - sum(r.state == RUNNING for r in self._runs.values())
            queued = sorted((r for r in self._runs.values() if r.state == QUEUED), key=lambda r: r.created)
            for run in queued[:max(free, 0)]:
                self._launch(run)

    def _launch(self, run: Run) -> None:
        job = self.workspace.scratch / "jobs" / run.id
        shutil.rmtree(job, ignore_errors=True)
        job.mkdir(parents=True)
        scenario_folder = self.workspace.scenario(run.scenario)
        identity = {"command": run.kind, "scenario": scenario_folder.name, "scenario_path": run.scenario,
                    "variants": run.variants, "overrides": run.overrides, "app_run": run.id, "kind": run.kind}
        spec = {"kind": run.kind, "scenario_folder": str(scenario_folder), "variants": run.variants,
                "overrides": run.overrides, "out": str(self.folder(run.id)), "run": identity, **run.options}
        (job / SPEC).write_text(json.dumps(spec, indent=1), encoding="utf-8")
        self.workspace.runs.mkdir(exist_ok=True)
        # The worker's own process: cwd is the job folder, so that no write can hit the workspace root.
        run.process = start_worker(job)
        run.job, run.state, run.started = job, RUNNING, time.time()
        log.info("started run %s (pid %d)", run.id, run.process.pid)

    def _collect(self, run: Run) -> None:
        outcome_file = run.job / OUTCOME
        if run.cancel_asked:
            self._clean_leftovers(run)
            self._finish(run, CANCELLED, {"message": "cancelled while running; nothing was written"})
            return
        if outcome_file.exists():
            outcome = json.loads(outcome_file.read_text(encoding="utf-8"))
            self._finish(run, outcome.get("state", DONE), outcome)
            return
        tail = (run.job / STDERR_LOG).read_text(encoding="utf-8", errors="replace")[-1500:]
        self._clean_leftovers(run)
        self._finish(run, FAILED, {"status": "failed", "message": f"the run's process ended (exit {run.process.returncode})"
                                                                   f" without a result: {tail.strip()[-600:]}"})

    def _clean_leftovers(self, run: Run) -> None:
        """A process ended mid-write leaves a partial folder beside its target: remove it."""
        target = self.folder(run.id)
        with contextlib.suppress(LupOptError, OSError), writing_into(target):
            recover(target)

    def _end_process(self, run: Run) -> None:
        if run.process is None or run.process.poll() is not None:
            return
        run.process.terminate()
        try:
            run.process.wait(KILL_AFTER)
        except subprocess.TimeoutExpired:
            run.process.kill()
            run.process.wait(KILL_AFTER)
        self._clean_leftovers(run)

    def _finish(self, run: Run, state: str, outcome: Mapping[str, Any]) -> None:
        run.state, run.finished, run.outcome = state, time.time(), dict(outcome)
        log.info("run %s: %s", run.id, state)
