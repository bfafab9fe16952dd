"""Scenario ensembles on dask.distributed (``lup-opt sweep``): every combination of a grid of
overrides, or Latin-hypercube samples of ranges, each run solved on a Dask worker and saved as
it finishes. A local cluster by default; an existing cluster by its scheduler address.

Layout of the sweep folder::

    manifest.json           what the folder holds (lup_opt's mark: the folder may be appended to)
    sweep.csv               one row per run: its inputs, status and key outputs (rewritten as runs
                            finish; runs of earlier sweeps into the same folder are kept)
    runs/<run_id>/          each finished run's results folder (written atomically; without
                            report.html, which lup-opt report runs/<run_id> builds, maps included)
    failed/<run_id>.json    each run that raised an error: the error and its traceback
    sweep.nc                every optimal run's plan along a ``run`` dimension (xarray; netCDF)
    sweep_iamc.csv          the IAMC long table of every optimal run (pyam reads it)
    runplan.csv, .txt       with --plan-only: one line per run, for job arrays (lup_opt.runplan)

A run is done when ``runs/<run_id>/manifest.json`` exists (optimal or not); a rerun skips those
and runs the rest, failed ones included. ``run_id`` is a hash of the run's overrides, so the same
run has the same folder in every sweep of the same scenario.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lup_opt.errors import LupOptError
from lup_opt.results.ensemble import write_ensemble
from lup_opt.results.manifest import MANIFEST, FolderKind, Manifest, read_manifest
from lup_opt.runplan import cap_workers
from lup_opt.safe_paths import output_target, write_file, write_folder

if TYPE_CHECKING:
    from lup_opt.results.result import Result

log = logging.getLogger(__name__)

TABLE = "sweep.csv"
RUNS, FAILED = "runs", "failed"
ERROR = "error"
# Seconds a worker may take to finish and exit when the sweep ends. Dask's own default (4 s)
# kills the workers of a busy machine, with a "still alive ..., killing" warning after every sweep.
CLOSE_TIMEOUT = 60.0


def require_dask() -> None:
    """Raise LupOptError with the install hint when dask.distributed is missing."""
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        raise LupOptError("sweeps need dask.distributed: pip install 'lup_opt[ensemble]'") from None


def run_id(overrides: Mapping[str, Any]) -> str:
    """A stable name for the run with these overrides."""
    text = json.dumps({k: str(v) for k, v in sorted(overrides.items())}, sort_keys=True)
    return "run-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def parse_grid(items: Sequence[str]) -> dict[str, list[str]]:
    """``key=v1,v2,...`` items as {key: [v1, v2, ...]}."""
    grid: dict[str, list[str]] = {}
    for item in items:
        key, equals, values = item.partition("=")
        if not equals or not key.strip() or not values.strip():
            raise LupOptError(f"--grid '{item}': write KEY=V1,V2,... e.g. targets.housing.value=3000,3500")
        if key.strip() in grid:
            raise LupOptError(f"--grid: '{key.strip()}' given twice")
        grid[key.strip()] = [v.strip() for v in values.split(",") if v.strip()]
    return grid


def parse_ranges(items: Sequence[str]) -> dict[str, tuple[float, float]]:
    """``key=low:high`` items as {key: (low, high)}."""
    ranges = {}
    for item in items:
        key, equals, span = item.partition("=")
        low, colon, high = span.partition(":")
        try:
            bounds = (float(low), float(high))
        except ValueError:
            bounds = None
        if not equals or not colon or bounds is None or bounds[0] > bounds[1]:
            raise LupOptError(f"--range '{item}': write KEY=LOW:HIGH with LOW <= HIGH, e.g. ldn.default_net_target_ha=0:50")
        ranges[key.strip()] = bounds
    return ranges


def grid_runs(grid: Mapping[str, Sequence[str]]) -> list[dict[str, str]]:
    """Every combination of the grid's values, in order."""
    keys = list(grid)
    return [dict(zip(keys, values, strict=True)) for values in itertools.product(*(grid[k] for k in keys))]


def sample_runs(ranges: Mapping[str, tuple[float, float]], samples: int, seed: int,
                fixed: Mapping[str, Sequence[str]] | None = None) -> list[dict[str, str]]:
    """``samples`` Latin-hypercube points of the ranges (scipy.stats.qmc), each combined with
    every combination of ``fixed`` grid values."""
    from scipy.stats import qmc

    if samples < 1:
        raise LupOptError("--samples must be at least 1")
    keys = list(ranges)
    points = qmc.LatinHypercube(d=len(keys), seed=seed).random(samples)
    low = np.array([ranges[k][0] for k in keys])
    high = np.array([ranges[k][1] for k in keys])
    values = low + points * (high - low)
    sampled = [{k: repr(float(v)) for k, v in zip(keys, row, strict=True)} for row in values]
    return [{**grid, **sample} for sample in sampled for grid in grid_runs(fixed or {})]


def _ldn_net(result) -> float:
    table = result.ldn_balance
    if table.empty:
        return float("nan")
    return float(table.loc[table["period"] == table["period"].max(), "net_ha"].sum())


def run_one(scenario: str, variants: Sequence[str], overrides: Mapping[str, str], folder: str,
            threads: int | None = None) -> dict[str, Any]:
    """Solve one run (HiGHS with ``threads``) and save it under ``folder/runs/<run_id>``; never
    raises: an error is returned in the row and saved under ``folder/failed``. Runs on a Dask worker."""
    import lup_opt

    name = run_id(overrides)
    row: dict[str, Any] = {"run_id": name, **{f"input:{k}": v for k, v in overrides.items()}}
    start = perf_counter()
    failed = Path(folder) / FAILED / f"{name}.json"
    try:
        loaded = lup_opt.load_scenario(scenario, variants=list(variants), overrides=dict(overrides))
        result = lup_opt.solve(loaded, threads=threads)
        result.write(Path(folder) / RUNS / name, report=False)
        row.update(_outputs(result))
        failed.unlink(missing_ok=True)
    except Exception as exc:  # noqa: BLE001 - a failed run is recorded, the sweep goes on
        row.update({"status": ERROR, "error": f"{type(exc).__name__}: {exc}"})
        failed.parent.mkdir(parents=True, exist_ok=True)
        failed.write_text(json.dumps({"run_id": name, "overrides": dict(overrides), "error": row["error"],
                                      "traceback": traceback.format_exc()}, indent=2), encoding="utf-8")
    row["seconds"] = round(perf_counter() - start, 3)
    return row


def _changed_ha(result: Result) -> float:
    """Land whose use changed by the assessment year (``land_units`` has a row per unit and year)."""
    from lup_opt.results.land_units import year_rows

    if not len(result.land_units):
        return float("nan")
    return float(year_rows(result.land_units, result.info.assessment_year)["changed_ha"].sum())


def _outputs(result: Result) -> dict[str, Any]:
    """A run's key outputs in sweep.csv: the same for a run solved now and one read back."""
    return {"status": result.status.value, "error": "", "objective": result.objective,
            "objective_unit": result.objective_unit, "ldn_net_ha": _ldn_net(result) if result.is_optimal else np.nan,
            "changed_ha": _changed_ha(result),
            "binding_targets": int(result.duals["binding"].astype(bool).sum()) if len(result.duals) else 0}


def _done_row(folder: Path, overrides: Mapping[str, str]) -> dict[str, Any] | None:
    """The row of a run finished in an earlier sweep, from its saved results; None when it is not
    done (a run folder that cannot be read is run again)."""
    from lup_opt.results.result import read_result

    name = run_id(overrides)
    run_folder = folder / RUNS / name
    if not (run_folder / MANIFEST).exists():
        return None
    try:
        result = read_result(run_folder)
    except LupOptError as exc:
        log.warning("%s: %s; the run is solved again", run_folder, exc)
        return None
    seconds = round(sum(result.info.stage_seconds.values()), 3)  # its own stages, when it ran
    return {"run_id": name, **{f"input:{k}": v for k, v in overrides.items()}, **_outputs(result), "seconds": seconds}


def _earlier_rows(path: Path, order: list[str]) -> pd.DataFrame:
    """Rows of ``sweep.csv`` from earlier sweeps into the same folder whose runs are not in this one."""
    if not path.is_file():
        return pd.DataFrame()
    try:
        earlier = pd.read_csv(path, dtype=object, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError, UnicodeDecodeError):
        log.warning("%s: unreadable, so earlier runs are not listed in it again", path)
        return pd.DataFrame()
    if "run_id" not in earlier.columns:
        return pd.DataFrame()
    return earlier[~earlier["run_id"].isin(order)]


def _save_table(rows: list[dict[str, Any]], order: list[str], path: Path,
                earlier: pd.DataFrame | None = None) -> pd.DataFrame:
    table = pd.DataFrame(rows)
    table["_order"] = table["run_id"].map({name: k for k, name in enumerate(order)})
    table = table.sort_values("_order").drop(columns="_order").reset_index(drop=True)
    written = table if earlier is None or earlier.empty else pd.concat([table, earlier], ignore_index=True)
    write_file(path, lambda tmp: written.to_csv(tmp, index=False))
    return table


def open_sweep_folder(folder: str | Path, scenario: str | Path, variants: Sequence[str] = (),
                      overwrite: bool = False) -> Path:
    """The sweep folder, made through the write protocol when new (with its manifest); an existing
    one is appended to when it holds sweeps of the same scenario and variants, replaced by an
    empty one only with ``overwrite``; a folder lup_opt did not write is refused."""
    scenario_folder = Path(scenario).resolve()
    run = {"command": "sweep", "scenario_folder": str(scenario_folder), "variants": list(variants)}
    target = output_target(folder, protect=[scenario_folder], run=run, overwrite=overwrite)
    if _sweep_of(target) == run:
        (target / RUNS).mkdir(exist_ok=True)
        return target
    with write_folder(target, protect=[scenario_folder], run=run, overwrite=overwrite) as tmp:
        (tmp / RUNS).mkdir()
        manifest = Manifest(method=FolderKind.SWEEP.value, scenario=str(scenario_folder), variants=tuple(variants))
        (tmp / MANIFEST).write_text(json.dumps(manifest.to_dict(), indent=2), encoding="utf-8")
    return target


def _sweep_of(folder: Path) -> dict[str, Any] | None:
    """The run (scenario folder, variants) of the sweep folder at ``folder``; None when it is not one."""
    try:
        manifest = read_manifest(folder)
    except LupOptError:
        return None
    return manifest.run if manifest.folder_kind is FolderKind.SWEEP else None


def _close(client, cluster) -> None:
    """End a sweep cleanly: the client first (nothing more is sent), then the local cluster's
    workers, each given CLOSE_TIMEOUT to exit, then the cluster (scheduler). A cluster at a
    --scheduler address is not ours and stays up."""
    try:
        if client is not None:
            client.close(timeout=CLOSE_TIMEOUT)
        if cluster is not None and cluster.workers:
            cluster.sync(_close_workers, cluster, CLOSE_TIMEOUT)
    finally:
        if cluster is not None:
            cluster.close(timeout=CLOSE_TIMEOUT)


async def _close_workers(cluster, timeout: float) -> None:
    import asyncio

    await asyncio.gather(*(worker.close(timeout=timeout) for worker in list(cluster.workers.values())))


@dataclass(frozen=True)
class SweepResult:
    table: pd.DataFrame  # one row per run
    executed: tuple[str, ...]  # run ids solved in this sweep
    skipped: tuple[str, ...]  # run ids already done
    folder: Path

    @property
    def failed(self) -> pd.DataFrame:
        return self.table[self.table["status"] == ERROR]


def sweep(scenario: str | Path, runs: Sequence[Mapping[str, str]], folder: str | Path, *,
          variants: Sequence[str] = (), workers: int = 2, scheduler: str | None = None,
          on_done: Callable[[dict[str, Any]], None] | None = None, overwrite: bool = False,
          threads: int = 1) -> SweepResult:
    """Solve every run not yet done on a Dask cluster (local with ``workers`` processes, or the
    one at ``scheduler``), each with ``threads`` solver threads, saving each as it finishes and
    ``sweep.csv`` after each. Runs of an earlier sweep into the same folder stay in ``sweep.csv``
    (see :func:`open_sweep_folder`). A local cluster's workers x threads never exceed the cores
    available (fewer workers, with a warning). At the end, ``sweep.nc`` (every optimal run along a
    ``run`` dimension) and ``sweep_iamc.csv`` (the IAMC long table) are written
    (:mod:`lup_opt.results.ensemble`)."""
    require_dask()
    from dask.distributed import Client, LocalCluster, as_completed

    order = [run_id(r) for r in runs]
    if len(set(order)) != len(order):
        raise LupOptError("the sweep has the same run twice; check the --grid values")
    folder = open_sweep_folder(folder, scenario, variants, overwrite)
    scenario = str(Path(scenario).resolve())
    earlier = _earlier_rows(folder / TABLE, order)
    rows, todo = [], []
    for overrides in runs:
        done = _done_row(folder, overrides)
        if done is None:
            todo.append(dict(overrides))
        else:
            rows.append(done)
    skipped = tuple(r["run_id"] for r in rows)
    log.info("sweep: %d runs, %d already done, %d to run", len(runs), len(skipped), len(todo))
    if todo:
        # No dashboard; the scheduler's HTTP server on a free local port (not 8787, which a second
        # sweep would find taken, with a warning).
        workers = workers if scheduler else cap_workers(workers, threads)
        cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                      dashboard_address=None,
                                                      scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
        client = None
        try:
            client = Client(scheduler or cluster)
            if cluster is not None:
                from lup_opt.sweep_quiet import QuietHeartbeatAtClose

                client.register_plugin(QuietHeartbeatAtClose())
            futures = [client.submit(run_one, scenario, list(variants), overrides, str(folder), threads,
                                     key=f"{run_id(overrides)}-{os.getpid()}", pure=False) for overrides in todo]
            for future in as_completed(futures):
                row = future.result()
                rows.append(row)
                _save_table(rows, order, folder / TABLE, earlier)
                if on_done is not None:
                    on_done(row)
        finally:
            _close(client, cluster)
    table = _save_table(rows, order, folder / TABLE, earlier) if rows else pd.DataFrame()
    if len(table):
        write_ensemble(folder, table)
    return SweepResult(table, tuple(run_id(r) for r in todo), skipped, folder)
