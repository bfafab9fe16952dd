"""One run in a process of its own: forked from a server that has lup_opt imported, or
``python -m lup_opt.app.worker JOB_FOLDER`` (:mod:`.launch` decides).

The job folder (in the workspace's scratch) holds ``spec.json`` (what to run); the worker
appends progress to ``progress.jsonl`` (a stage, or a line of HiGHS's log as HiGHS writes it)
and leaves ``outcome.json``. Being a process, a cancel stops it at once, HiGHS included (the
parent sends SIGTERM, whose default action ends the process even inside the solver, and then
cleans the write protocol's leftovers).

HiGHS's log is read live: lup_opt writes it into a temporary folder, and this process's
temporary folder is the job folder's ``tmp/``, which a thread watches.
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

SPEC, PROGRESS, OUTCOME = "spec.json", "progress.jsonl", "outcome.json"
INPUTS = "inputs.json"  # the effective configuration of a run, beside its results (compare reads it)
POLL_SECONDS = 0.25


class Progress:
    """Appends one JSON line per event; safe from the main thread and the log watcher."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()

    def emit(self, **event: Any) -> None:
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({"t": round(time.time(), 3), **event}) + "\n")

    def stage(self, text: str) -> None:
        self.emit(stage=text)


class _StageHandler(logging.Handler):
    """lup_opt's INFO messages (loaded, solved, ...) as progress notes."""

    def __init__(self, progress: Progress):
        super().__init__(logging.INFO)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.progress.emit(note=record.getMessage()[:300])
        except OSError:  # progress is best effort: the run goes on
            self.handleError(record)


def _watch_highs_logs(tmp: Path, progress: Progress, stop: threading.Event) -> None:
    """Send every new line of every HiGHS log under ``tmp`` as it is written."""
    offsets: dict[Path, int] = {}
    while True:
        for log_file in sorted(tmp.glob("lup_opt_highs_*/highs.log")):
            try:
                with log_file.open("rb") as handle:
                    handle.seek(offsets.get(log_file, 0))
                    chunk = handle.read()
            except OSError:
                continue
            complete = chunk[: chunk.rfind(b"\n") + 1]
            offsets[log_file] = offsets.get(log_file, 0) + len(complete)
            for line in complete.decode("utf-8", "replace").splitlines():
                if line.strip():
                    progress.emit(highs=line.rstrip()[:300])
        if stop.wait(POLL_SECONDS):
            return


def _inputs(scenario) -> dict[str, Any]:
    return {"scenario": scenario.name, "variants": list(scenario.variants), "overrides": list(scenario.overrides),
            "content_hash": scenario.content_hash, "config": scenario.config.model_dump(mode="json")}


def _write_solve(spec: dict[str, Any], scenario, result) -> None:
    from lup_opt.results.result import fill_results
    from lup_opt.safe_paths import write_folder

    with write_folder(spec["out"], protect=[scenario.folder], run=spec["run"]) as tmp:
        (tmp / INPUTS).write_text(json.dumps(_inputs(scenario), indent=1, default=str), encoding="utf-8")
        fill_results(result, tmp, report=bool(spec.get("report", False)))


def _evaluate(spec: dict[str, Any], scenario, progress: Progress) -> dict[str, Any]:
    """Business as usual (the baseline plan kept) scored against the targets and LDN, and its
    distance from the optimum, written as ``lup-opt evaluate`` writes it."""
    from lup_opt.api import evaluate
    from lup_opt.safe_paths import write_folder

    evaluation = evaluate(scenario, "baseline")
    progress.stage("writing the evaluation")
    with write_folder(spec["out"], protect=[scenario.folder], run=spec["run"]) as tmp:
        (tmp / INPUTS).write_text(json.dumps(_inputs(scenario), indent=1, default=str), encoding="utf-8")
        inner = evaluation.write(tmp / "evaluation")
        for entry in inner.iterdir():  # the evaluation's own folder, moved up into the run's
            entry.rename(tmp / entry.name)
        inner.rmdir()
    met = evaluation.meets_hard_targets and evaluation.ldn_met
    return {"status": "evaluated", "objective": evaluation.objective, "unit": evaluation.objective_unit,
            "message": ("Meets every hard target and LDN. " if met else "Misses a hard target or LDN. ")
            + " ".join(evaluation.sentences())}


def execute(spec: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Run ``spec`` (kind: solve, explain, evaluate, frontier, alternatives); the outcome for the page."""
    from lup_opt.scenario import load_scenario

    kind = spec["kind"]
    progress.stage("loading the scenario")
    scenario = load_scenario(spec["scenario_folder"], variants=spec.get("variants") or [],
                             overrides=spec.get("overrides") or [])
    progress.stage(f"building and solving ({len(scenario.units):,} land units)")
    time_limit = spec.get("time_limit")
    if kind == "solve":
        from lup_opt.api import solve

        result = solve(scenario, time_limit=time_limit)
        progress.stage("writing the results" + (" and report.html" if spec.get("report") else ""))
        _write_solve(spec, scenario, result)
        return {"status": result.status.value, "objective": result.objective, "unit": result.objective_unit,
                "message": result.message}
    if kind == "explain":
        from lup_opt.api import explain
        from lup_opt.results.io import write_diagnosis
        from lup_opt.safe_paths import write_folder

        diagnosis = explain(scenario, time_limit=time_limit)
        with write_folder(spec["out"], protect=[scenario.folder], run=spec["run"]) as tmp:
            (tmp / INPUTS).write_text(json.dumps(_inputs(scenario), default=str), encoding="utf-8")
            write_diagnosis(diagnosis, tmp)
        return {"status": "feasible" if diagnosis.feasible else "infeasible", "message": " ".join(diagnosis.sentences())}
    if kind == "evaluate":
        return _evaluate(spec, scenario, progress)
    from lup_opt import tradeoffs

    if kind == "frontier":
        found = tradeoffs.frontier_of(scenario, spec.get("objectives") or ["objective", "ldn_net"],
                                      points=int(spec.get("points", 7)))
    elif kind == "alternatives":
        found = tradeoffs.alternatives(scenario, slack=float(spec.get("slack", 0.05)), count=int(spec.get("count", 3)))
    else:
        raise ValueError(f"unknown kind of run: {kind}")
    progress.stage("writing the plans")
    found.write(spec["out"], run=spec["run"])
    return {"status": "done", "message": f"{kind} written"}


def main(job: Path) -> int:
    from lup_opt.errors import LupOptError, ScenarioError

    spec = json.loads((job / SPEC).read_text(encoding="utf-8"))
    progress = Progress(job / PROGRESS)
    tmp = job / "tmp"
    tmp.mkdir(exist_ok=True)
    tempfile.tempdir = tmp  # this process only: HiGHS's log is written where the watcher looks
    package_logger = logging.getLogger("lup_opt")
    package_logger.addHandler(_StageHandler(progress))
    package_logger.setLevel(logging.INFO)
    stop = threading.Event()
    watcher = threading.Thread(target=_watch_highs_logs, args=(tmp, progress, stop), daemon=True)
    watcher.start()
    try:
        outcome = {"state": "done", **execute(spec, progress)}
        code = 0
    except ScenarioError as exc:  # bad input, or the checks before solving proved it cannot solve
        outcome = {"state": "rejected", "status": "rejected", "message": "cannot be used or solved as written",
                   "issues": [str(issue) for issue in exc.issues]}
        code = 2
    except LupOptError as exc:
        outcome = {"state": "failed", "status": "failed", "message": str(exc)}
        code = 2
    finally:
        stop.set()
        watcher.join(2)
    progress.stage("finished")
    (job / OUTCOME).write_text(json.dumps(outcome, default=str), encoding="utf-8")
    return code


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
