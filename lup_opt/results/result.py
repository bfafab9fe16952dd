"""The result of one solve: status, objective, planner tables and a manifest; written to a
results folder (:meth:`Result.write`) and read back from one (:func:`read_result`)."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from time import perf_counter
from types import MappingProxyType
from typing import Any

import pandas as pd

from lup_opt.diagnose.diagnosis import Diagnosis
from lup_opt.enums import SolveStatus, TableFormat
from lup_opt.errors import LupOptError
from lup_opt.results.duals import COLUMNS as DUAL_COLUMNS
from lup_opt.results.io import (
    LDN_CAPACITY,
    SOLVER_LOG,
    read_diagnosis,
    read_solver_log,
    read_table,  # noqa: F401 - callers have read tables from here
    read_table_checked,
    table_names,
    write_diagnosis,
)
from lup_opt.results.manifest import PLAN_KINDS, Manifest, as_json, read_manifest
from lup_opt.results.sensitivity import REDUCED_COST_COLUMNS
from lup_opt.safe_paths import MANIFEST, absolute_target, write_folder

log = logging.getLogger(__name__)

AUTO_PARQUET_CELLS = 10_000_000  # tables with more values (rows x columns) are Parquet under ``auto``
CHUNK_ROWS = 500_000  # rows converted at a time when writing
TABLES = ("allocation", "transitions", "conversions", "ldn_balance", "indicators", "duals", "reduced_costs",
          "land_units")
# A result without a plan has no rows; these tables keep their columns, for code that selects them.
NO_PLAN_COLUMNS = {
    "allocation": ["land_unit", "baseline_use", "use", "period", "area_ha"],
    "transitions": ["jurisdiction", "baseline_use", "use", "period", "area_ha"],
    "conversions": ["land_unit", "baseline_use", "use", "period", "area_ha"],
    "duals": DUAL_COLUMNS,
    "reduced_costs": REDUCED_COST_COLUMNS,
}
# Tables a folder may hold beside a plan's that are not in its Result (older folders list none).
NOT_RESULT_TABLES = (LDN_CAPACITY, "planned_use_legend", "difference_from_optimum")


def no_plan_tables() -> dict[str, pd.DataFrame]:
    """The tables of a result without a plan (every one of :data:`TABLES`, no rows)."""
    return {name: pd.DataFrame(columns=NO_PLAN_COLUMNS.get(name)) for name in TABLES}


@dataclass(frozen=True)
class Result:
    """What a planner gets back. Tables are empty unless the status is optimal."""

    status: SolveStatus
    message: str
    objective: float | None
    objective_unit: str
    allocation: pd.DataFrame
    transitions: pd.DataFrame
    conversions: pd.DataFrame
    ldn_balance: pd.DataFrame
    indicators: pd.DataFrame
    duals: pd.DataFrame
    reduced_costs: pd.DataFrame
    manifest: Mapping[str, Any]
    # one row per land unit and planning year (map attributes); manifest["assessment_year"] names the default map's
    land_units: pd.DataFrame = field(default_factory=pd.DataFrame)
    solver_log: str = field(repr=False, default="")
    diagnosis: Diagnosis | None = None
    # food, food_flows, finance, funds, livelihoods: present when the scenario uses them
    linkages: Mapping[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def is_optimal(self) -> bool:
        return self.status is SolveStatus.OPTIMAL

    @cached_property
    def info(self) -> Manifest:
        """The manifest as its typed model (``manifest`` stays the mapping, as written)."""
        return Manifest.of(self.manifest)

    def binding_targets(self) -> pd.DataFrame:
        """Targets and LDN rows that hold with no slack, with their shadow prices."""
        if self.duals.empty:
            return self.duals
        table = self.duals[self.duals["binding"]]
        return table.reindex(table["shadow_price"].abs().sort_values(ascending=False).index)

    def to_xarray(self):
        """The plan as an ``xarray.Dataset`` over land_unit, use, year, jurisdiction, land_type and
        indicator (:mod:`lup_opt.results.xarray_io`; ``lup_opt[xarray]``)."""
        from lup_opt.results.xarray_io import result_dataset

        return result_dataset(self)

    def to_netcdf(self, path: str | Path) -> Path:
        """Write :meth:`to_xarray` to a netCDF file (h5netcdf), atomically."""
        from lup_opt.results.xarray_io import result_dataset, write_netcdf

        return write_netcdf(result_dataset(self), path)

    def _repr_html_(self) -> str:
        """A summary in a notebook: status, objective, what binds, the LDN net; not the tables."""
        from lup_opt.notebook_html import result_html

        return result_html(self)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every result table by file name (linkage tables only when the scenario uses them)."""
        return {**{name: getattr(self, name) for name in TABLES}, **self.linkages}

    def write(self, folder: str | Path, table_format: TableFormat | str = TableFormat.AUTO, report: bool = True,
              *, overwrite: bool = False) -> Path:
        """Write the results folder atomically (a temporary folder, then swapped into place).

        An existing folder of the same name is replaced only once the new one is complete, and
        only when lup_opt wrote it, it is neither the working folder nor the scenario folder nor
        holds either, and it holds the same run (scenario, variants, overrides) unless
        ``overwrite``; otherwise :class:`lup_opt.errors.OutputError` and nothing is changed.
        ``table_format``: csv, parquet, or auto (Parquet for tables of over 10 million values).
        ``report``: also ``report.html`` and ``figures/`` (and ``allocation.gpkg``, a layer per
        planning year, when the scenario gives geometry).
        """
        return write_results(self, Path(folder), TableFormat(table_format), report, overwrite=overwrite)


def atomic_folder(folder: Path, **protocol: Any):
    """Yield a temporary folder beside ``folder``; on success it replaces ``folder`` in one step,
    on failure it is removed and any existing ``folder`` is left as it was. The one write
    protocol of :func:`lup_opt.safe_paths.write_folder` (its keywords: protect, run, overwrite,
    label)."""
    return write_folder(folder, **protocol)


def run_of(manifest: Mapping[str, Any], command: str = "solve", **extra: Any) -> dict[str, Any]:
    """What was run, as stored in ``manifest["run"]``: the command, scenario, variants and overrides."""
    scenario = manifest.get("scenario") or {}
    if not isinstance(scenario, Mapping):
        scenario = {"name": str(scenario)}
    run = {"command": command, "scenario": scenario.get("name"), "variants": list(scenario.get("variants", [])),
           "overrides": list(scenario.get("overrides", []))}
    return {**run, **extra}


def write_results(result: Result, folder: Path, table_format: TableFormat = TableFormat.AUTO,
                  report: bool = True, *, overwrite: bool = False, run: Mapping[str, Any] | None = None,
                  protect: tuple[Path, ...] | None = None, label: str = "--out") -> Path:
    """Write ``result`` to ``folder`` through the write protocol (``lup_opt.safe_paths``)."""
    scenario_folder = (result.manifest.get("scenario") or {}).get("folder")
    protect = protect if protect is not None else tuple(p for p in [scenario_folder] if p)
    with write_folder(folder, protect=protect, run=run or run_of(result.manifest), overwrite=overwrite,
                      label=label) as tmp:
        fill_results(result, tmp, table_format, report)
    return output_path(folder)


def fill_results(result: Result, tmp: Path, table_format: TableFormat = TableFormat.AUTO,
                 report: bool = True) -> None:
    """Write the tables, log, diagnosis, report and manifest of ``result`` into the folder ``tmp``."""
    start = perf_counter()
    manifest = as_json(result.manifest)
    if result.is_optimal:
        for name, table in result.tables().items():
            write_table(table, tmp / name, table_format)
        manifest["tables"] = list(result.tables())  # what read_result reads back
        if manifest.get("geometry") and report:
            _write_geopackage(result, manifest, tmp)
        if manifest.get("grid"):
            _write_geotiffs(result, manifest, tmp)
    (tmp / SOLVER_LOG).write_text(result.solver_log, encoding="utf-8")
    if result.diagnosis is not None:
        write_diagnosis(result.diagnosis, tmp)
    if report:
        from lup_opt.report import build_report

        build_report(tmp, manifest)
    manifest.setdefault("seconds", {})["write"] = round(perf_counter() - start, 4)
    manifest["files"] = sorted(p.name for p in tmp.iterdir()) + [MANIFEST]
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def _write_geopackage(result: Result, manifest: dict[str, Any], folder: Path) -> None:
    """``allocation.gpkg`` from the scenario's geometry; without geopandas, a warning instead."""
    from lup_opt.errors import LupOptError
    from lup_opt.spatial import write_allocation_gpkg

    try:
        write_allocation_gpkg(result.land_units, manifest["geometry"], folder / "allocation.gpkg",
                              manifest.get("use_colours"), manifest.get("assessment_year"))
    except LupOptError as exc:
        log.warning("allocation.gpkg not written: %s", exc)
        manifest.setdefault("warnings", []).append(f"allocation.gpkg not written: {exc}")


def _write_geotiffs(result: Result, manifest: dict[str, Any], folder: Path) -> None:
    """The plan on the scenario's raster grid; without rasterio, a warning instead."""
    from lup_opt.errors import LupOptError
    from lup_opt.raster import write_geotiffs

    try:
        write_geotiffs(result.land_units, manifest["grid"], folder, manifest.get("use_colours"),
                       manifest.get("assessment_year"))
    except LupOptError as exc:
        log.warning("GeoTIFF results not written: %s", exc)
        manifest.setdefault("warnings", []).append(f"GeoTIFF results not written: {exc}")


def write_table(table: pd.DataFrame, stem: Path, table_format: TableFormat = TableFormat.AUTO) -> Path:
    """Write ``table`` to ``stem.csv`` or ``stem.parquet``, converting ``CHUNK_ROWS`` rows at a
    time so that a large table is never held twice in memory."""
    parquet = table_format is TableFormat.PARQUET or (
        table_format is TableFormat.AUTO and table.size > AUTO_PARQUET_CELLS
    )
    if not parquet:
        path = stem.with_suffix(".csv")
        table.to_csv(path, index=False, chunksize=CHUNK_ROWS)
        return path
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = stem.with_suffix(".parquet")
    first = pa.Table.from_pandas(table.iloc[:CHUNK_ROWS], preserve_index=False)
    with pq.ParquetWriter(path, first.schema) as writer:
        writer.write_table(first)
        del first
        for start in range(CHUNK_ROWS, len(table), CHUNK_ROWS):
            chunk = table.iloc[start:start + CHUNK_ROWS]
            writer.write_table(pa.Table.from_pandas(chunk, schema=writer.schema, preserve_index=False))
    return path


def output_path(folder: str | Path) -> Path:
    """The absolute path a folder given as ``folder`` was written to."""
    return absolute_target(folder, "--out")


def read_result(folder: str | Path) -> Result:
    """The :class:`Result` written to a plan's results folder (a solve, an evaluation, a trade-off
    plan, a sweep run): its tables, manifest (as written, with what writing added: files, run,
    seconds of the write), solver log and diagnosis. A folder that is not one, or is damaged, is a
    LupOptError naming the folder and the file."""
    folder = Path(folder)
    info = read_manifest(folder)
    if info.folder_kind not in PLAN_KINDS:
        raise LupOptError(f"{folder}: a {info.folder_kind.value} folder, not the results of one plan")
    tables = no_plan_tables()
    linkages = {}
    if info.has_plan:
        names = info.tables or tuple(n for n in table_names(folder) if n not in NOT_RESULT_TABLES)
        for name in names:
            table = read_table_checked(folder / name)
            if name in tables:
                tables[name] = table
            else:
                linkages[name] = table
    status = info.solve_status
    if status is None:
        raise LupOptError(f"{folder}/{MANIFEST}: 'status' is missing (a damaged results folder)")
    return Result(status=status, message=info.message, objective=info.objective, objective_unit=info.objective_unit,
                  manifest=MappingProxyType(info.to_dict()), solver_log=read_solver_log(folder),
                  diagnosis=read_diagnosis(folder), linkages=linkages, **tables)
