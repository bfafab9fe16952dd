"""A results folder for a plan that ``solve`` did not write: an evaluated plan, or a plan chosen by
a trade-off method (a frontier point, a near-optimal alternative, a compromise). It holds the
same planner tables as a solve's folder (allocation, transitions, conversions, LDN balance and
hierarchy, indicators, land units, food, finance, funds, livelihoods) and a manifest naming the
scenario, so ``lup-opt report`` builds the full report from it. Shadow prices and reduced costs
are left out: they belong to an optimum of the scenario's own objective."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

PLANS = "plans"  # a trade-off folder's sub-folder: one plan folder each


def folder_name(label: str) -> str:
    """A plan's label as a folder name: 'alternative 1' -> 'alternative_1'."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(label)).strip("_.") or "plan"


def plan_result(scenario, data, lp, values: Mapping[str, np.ndarray] | np.ndarray, *, kind: str, plan: str,
                objective: float | None = None, **extra: Any):
    """The :class:`lup_opt.results.result.Result` of a plan given by the LP's variable values
    (``values``: by block name, or the whole column vector); ``kind`` (evaluation or
    tradeoff_plan), ``plan`` (its label) and ``extra`` go into the manifest."""
    from lup_opt.data.paths import PlanPaths
    from lup_opt.enums import SolveStatus
    from lup_opt.families.registry import result_tables
    from lup_opt.model.land_balance import AREA
    from lup_opt.results.duals import COLUMNS as DUAL_COLUMNS
    from lup_opt.results.indicators import indicator_table
    from lup_opt.results.land_units import land_unit_table
    from lup_opt.results.ldn_hierarchy import hierarchy_table
    from lup_opt.results.postprocess import _geometry, versions
    from lup_opt.results.result import Result
    from lup_opt.results.sensitivity import REDUCED_COST_COLUMNS
    from lup_opt.results.tables import (
        allocation_table,
        baseline_area,
        conversions_table,
        ldn_balance_table,
        transitions_table,
    )
    from lup_opt.safe_paths import WRITTEN_BY
    from lup_opt.styles import use_colours

    if isinstance(values, np.ndarray):
        x = values
        values = {block.name: x[block.slice] for block in lp.variables}
    else:
        x = np.concatenate([values[block.name] for block in lp.variables]) if lp.variables else np.zeros(0)
    area = values[AREA]
    if objective is None:
        objective = float(lp.cost @ x + lp.objective_offset)
    linkages = {name: make(data, values) for name, make in result_tables().items()}
    linkages = {name: table for name, table in linkages.items() if len(table.columns)}
    linkages["ldn_hierarchy"] = hierarchy_table(scenario, data, area)
    paths = PlanPaths.of(data, area)
    manifest = {
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "kind": kind, "plan": plan, **extra,
        "scenario": {"name": scenario.name, "folder": str(scenario.folder), "hash": scenario.content_hash,
                     "variants": list(scenario.variants), "overrides": list(scenario.overrides)},
        "geometry": _geometry(scenario), "use_colours": use_colours(scenario.uses),
        "grid": scenario.grid.model_dump(mode="json") if scenario.grid is not None else None,
        "status": "evaluated" if kind == "evaluation" else "optimal",
        "message": f"{kind.replace('_', ' ')}: {plan}", "objective": objective,
        "objective_sense": data.objective.sense.value, "objective_unit": data.objective.unit,
        "versions": versions(), "size": {"land_units": len(scenario.units)}, "warnings": [],
        "written_by": WRITTEN_BY,
    }
    return Result(
        status=SolveStatus.OPTIMAL, message=manifest["message"], objective=objective,
        objective_unit=data.objective.unit, allocation=allocation_table(data, area, paths),
        transitions=transitions_table(data, area), conversions=conversions_table(data, area, paths),
        ldn_balance=ldn_balance_table(data, area), indicators=indicator_table(data, values, baseline_area(data)),
        duals=pd.DataFrame(columns=DUAL_COLUMNS), reduced_costs=pd.DataFrame(columns=REDUCED_COST_COLUMNS),
        manifest=MappingProxyType(manifest), land_units=land_unit_table(scenario, data, paths), linkages=linkages,
        solver_log=f"No solve for this folder: its plan is a{'n' if kind[0] in 'aeiou' else ''} "
                   f"{kind.replace('_', ' ')} ({plan}).\n",
    )


def write_plan_folders(plans: Mapping[str, Any], folder: Path, report: bool) -> list[str]:
    """Each plan's results folder under ``folder/plans/<name>`` (inside a folder being written
    through the write protocol); ``report``: also report.html, else ``lup-opt report`` builds it."""
    from lup_opt.results.result import fill_results

    names = []
    for label, result in plans.items():
        target = folder / PLANS / folder_name(label)
        target.mkdir(parents=True)
        fill_results(result, target, report=report)
        names.append(target.name)
    return names
