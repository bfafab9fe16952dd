"""A sweep's runs together: ``sweep.nc`` (every optimal run's Dataset along a ``run`` dimension, with
its inputs, objective and status as coordinates of ``run``) and ``sweep_iamc.csv`` (their IAMC long
tables, scenario ``NAME|RUN_ID``), read from the runs' folders.

Without xarray the netCDF file is left out with a warning (the sweep itself needs only Dask).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pandas as pd

from lup_opt.errors import LupOptError
from lup_opt.results.iamc import COLUMNS, iamc_table
from lup_opt.results.result import read_result
from lup_opt.safe_paths import write_file

log = logging.getLogger(__name__)

NETCDF, IAMC = "sweep.nc", "sweep_iamc.csv"
RUNS = "runs"  # lup_opt.sweep.RUNS
INPUT = "input:"


def input_name(column: str) -> str:
    """A sweep.csv input column (``input:targets.housing.value``) as a netCDF name (``input_targets_housing_value``)."""
    return "input_" + re.sub(r"[^0-9A-Za-z_]", "_", column.removeprefix(INPUT))


def write_ensemble(folder: str | Path, table: pd.DataFrame) -> list[Path]:
    """Write sweep.nc and sweep_iamc.csv of the optimal runs of ``table`` (sweep.csv's rows)."""
    folder = Path(folder)
    optimal = table[table["status"] == "optimal"]
    results = {}
    for run in optimal["run_id"]:
        try:
            results[run] = read_result(folder / RUNS / run)
        except LupOptError as exc:
            log.warning("%s: %s; left out of %s and %s", folder / RUNS / run, exc, NETCDF, IAMC)
    written = []
    tables = [iamc_table(r, scenario=f"{r.info.scenario_info.name}|{run}") for run, r in results.items()]
    iamc = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=COLUMNS)
    written.append(write_file(folder / IAMC, lambda tmp: iamc.to_csv(tmp, index=False)))
    try:
        dataset = ensemble_dataset(results, optimal.set_index("run_id"))
    except LupOptError as exc:
        log.warning("%s not written: %s", NETCDF, exc)
        return written
    if dataset is not None:
        from lup_opt.results.xarray_io import write_netcdf

        written.append(write_netcdf(dataset, folder / NETCDF))
    return written


def ensemble_dataset(results, rows: pd.DataFrame):
    """The runs' Datasets along ``run``: inputs (``input_*``), objective and status coordinates of
    ``run``; attributes kept only where every run agrees. None without runs."""
    from lup_opt.results.xarray_io import require_xarray

    xarray = require_xarray()
    if not results:
        return None
    parts = []
    for run, result in results.items():
        dataset = result.to_xarray()
        dataset.attrs = {k: v for k, v in dataset.attrs.items() if k in ("scenario", "objective_unit", "source")}
        parts.append(dataset.expand_dims(run=[run]))
    combined = xarray.concat(parts, dim="run", join="outer", coords="minimal", compat="override",
                             combine_attrs="drop_conflicts")
    inputs = [c for c in rows.columns if c.startswith(INPUT)]
    runs = list(results)
    coords = {input_name(c): ("run", rows.loc[runs, c].astype(str).to_numpy()) for c in inputs}
    coords["objective"] = ("run", pd.to_numeric(rows.loc[runs, "objective"], errors="coerce").to_numpy(dtype=float))
    combined = combined.assign_coords(coords)
    for column in inputs:
        combined[input_name(column)].attrs["key"] = column.removeprefix(INPUT)
    return combined
