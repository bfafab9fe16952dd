"""Solution -> :class:`Result`: tables and the manifest."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import platform
import resource
import sys
from collections.abc import Mapping, Sequence
from time import perf_counter
from types import MappingProxyType
from typing import Any

import pandas as pd

from lup_opt.data.aggregate import Aggregation
from lup_opt.data.model_data import ModelData
from lup_opt.data.paths import PlanPaths
from lup_opt.diagnose.diagnosis import Diagnosis
from lup_opt.diagnose.findings import CheckReport
from lup_opt.enums import PlanningMode, SolveStatus
from lup_opt.families.registry import result_tables
from lup_opt.model.land_balance import AREA
from lup_opt.model.lp import LinearProgram
from lup_opt.results.duals import duals_table
from lup_opt.results.indicators import indicator_table
from lup_opt.results.land_units import assessment_year, land_unit_table
from lup_opt.results.ldn_hierarchy import hierarchy_table
from lup_opt.results.result import Result, no_plan_tables
from lup_opt.results.sensitivity import reduced_cost_table
from lup_opt.results.tables import (
    allocation_table,
    baseline_area,
    conversions_table,
    ldn_balance_table,
    transitions_table,
)
from lup_opt.scenario.scenario import Scenario
from lup_opt.solve.options import Solution, SolverOptions
from lup_opt.styles import use_colours

_PACKAGES = ("lup_opt", "highspy", "pyomo", "numpy", "pandas", "scipy", "pydantic")


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def make_result(
    scenario: Scenario,
    data: ModelData,
    lp: LinearProgram,
    solution: Solution,
    options: SolverOptions,
    seconds: Mapping[str, float],
    *,
    checks: CheckReport | None = None,
    diagnosis: Diagnosis | None = None,
    mode: PlanningMode = PlanningMode.PERFECT_FORESIGHT,
    aggregation: Aggregation | None = None,
    extra_tables: Mapping[str, pd.DataFrame] | None = None,
    ldn_report: Mapping[str, Any] | None = None,
    notes: Sequence[str] = (),
) -> Result:
    """The result tables and manifest of a solve; with ``aggregation``, per-unit tables are
    split back from merged parts to the scenario's own land units. ``extra_tables`` (e.g. the
    price of neutrality) are written beside the others; ``ldn_report`` goes into the manifest."""
    start = perf_counter()
    tables = no_plan_tables()
    linkages = {}
    if solution.is_optimal:
        values = {block.name: solution.col_values[block.slice] for block in lp.variables}
        area = values[AREA]
        linkages = {name: make(data, values) for name, make in result_tables().items()}
        linkages = {name: table for name, table in linkages.items() if len(table.columns)}
        solved = aggregation.scenario if aggregation is not None else scenario
        linkages["ldn_hierarchy"] = hierarchy_table(solved, data, area)
        linkages.update({name: table for name, table in (extra_tables or {}).items() if table is not None})
        # Per part of land: split back to the scenario's own land units after aggregation.
        paths = aggregation.split_paths(data, area) if aggregation is not None else PlanPaths.of(data, area)
        tables = {
            "allocation": allocation_table(data, area, paths),
            "transitions": transitions_table(data, area),
            "conversions": conversions_table(data, area, paths),
            "ldn_balance": ldn_balance_table(data, area),
            "indicators": indicator_table(data, values, baseline_area(data)),
            "duals": duals_table(data, lp, solution),
            "reduced_costs": reduced_cost_table(data, lp, solution),
            "land_units": land_unit_table(scenario, data, paths),
        }
        if aggregation is not None and aggregation.merged:
            closest = tables["reduced_costs"]["closest_land_unit"]
            tables["reduced_costs"]["closest_land_unit"] = aggregation.representative(closest)
    seconds = {**seconds, "postprocess": perf_counter() - start}
    manifest = build_manifest(scenario, data, lp, solution, options, seconds)
    manifest["message"] = planner_message(solution, options, ldn_enforced=bool(data.ldn_rows.enforced))
    manifest["mode"] = mode.value
    if aggregation is not None:
        manifest["aggregation"] = aggregation.report
    if checks is not None:
        manifest["checks_seconds"] = round(checks.seconds, 4)
        manifest["warnings"] = [f.message for f in checks.warnings]
    if diagnosis is not None:
        manifest["diagnosis"] = diagnosis.sentences()
    if ldn_report:
        manifest["ldn"] = dict(ldn_report)
    manifest["notes"] = list(notes)
    return Result(
        status=solution.status,
        message=manifest["message"],
        objective=solution.objective,
        objective_unit=data.objective.unit,
        manifest=MappingProxyType(manifest),
        solver_log=solution.log,
        diagnosis=diagnosis,
        linkages=linkages,
        **tables,
    )


def planner_message(solution: Solution, options: SolverOptions, ldn_enforced: bool = True) -> str:
    """What the status means for the plan, followed by the solver's own words."""
    status = solution.status
    if status is SolveStatus.OPTIMAL:
        text = "An optimal plan was found."
    elif status is SolveStatus.INFEASIBLE:
        rows = "hard target, share target, food balance, funding limit" + (" and LDN balance" if ldn_enforced else "")
        text = (f"No plan meets every {rows} at once. Relax a target or make it soft (with a penalty); "
                "the diagnosis names the rows in conflict"
                + (" (to see whether LDN is the cause, solve again with --set ldn.enabled=false)." if ldn_enforced
                   else "; LDN is not enforced, so it is not the cause."))
    elif status is SolveStatus.UNBOUNDED:
        text = "The objective can improve without limit: some indicator in it is not bounded by land."
    elif status is SolveStatus.TIME_LIMIT:
        text = (
            f"Stopped at the time limit: the budget of {options.time_limit} s for the whole run (loading "
            "included) ran out before HiGHS proved an optimum, so no plan is reported. Allow more time with "
            "--time-limit."
        )
    else:
        text = "The solver failed; no plan is reported. The solver log is kept with the results."
    return f"{text} ({solution.message})"


def _geometry(scenario: Scenario) -> dict[str, Any] | None:
    """Where the land-unit outlines are, for ``allocation.gpkg`` and the report's maps."""
    geometry = scenario.config.geometry
    if geometry is None:
        return None
    return {"file": str((scenario.folder / geometry.file).resolve()), "id_column": geometry.id_column,
            "layer": geometry.layer}


def build_manifest(
    scenario: Scenario,
    data: ModelData,
    lp: LinearProgram,
    solution: Solution,
    options: SolverOptions,
    seconds: Mapping[str, float],
) -> dict[str, Any]:
    return {
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scenario": {
            "name": scenario.name,
            "folder": str(scenario.folder),
            "hash": scenario.content_hash,
            "variants": list(scenario.variants),
            "overrides": list(scenario.overrides),
        },
        "geometry": _geometry(scenario),
        "use_colours": use_colours(scenario.uses),
        "grid": scenario.grid.model_dump(mode="json") if scenario.grid is not None else None,
        "baseline_source": scenario.baseline_source,
        # The year of the default map (allocation.gpkg's land_units layer, planned_use.tif).
        "assessment_year": assessment_year(scenario, data),
        "status": solution.status.value,
        "message": solution.message,
        "objective": solution.objective,
        "objective_sense": data.objective.sense.value,
        "objective_unit": data.objective.unit,
        "backend": solution.backend.value,
        "solver": {
            "name": solution.solver,
            "method": options.method.value,
            "crossover": options.crossover,
            "presolve": options.presolve,
            "presolve_rechecked": solution.presolve_rechecked,
            "time_limit": options.time_limit,
            "threads": options.solver_threads,
        },
        "versions": versions(),
        "size": {
            "land_units": len(scenario.units),
            "land_units_solved": len(data.units.area),  # after exact aggregation
            "parts": int(data.parts.size),
            "area_columns": int(data.columns.size),
            "changes_culled": data.culled,
            "rows": lp.num_rows,
            "columns": lp.num_cols,
            "nonzeros": lp.num_nonzeros,
        },
        "seconds": {k: round(float(v), 4) for k, v in seconds.items()},
        "peak_memory_mb": peak_memory_mb(),
        "warnings": [],
    }
