"""Evaluating a given plan (a draft master plan, business as usual) without optimising.

The plan is an allocation table with the columns of ``allocation.csv``. It is checked against the
scenario (known units and uses, baseline parts, allowed transitions, areas that add up), then
scored with the same indicator, LDN and target accounting as a solved plan, and compared with the
optimum of the same scenario.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lup_opt.data.model_data import ModelData
from lup_opt.data.plans import plan_state
from lup_opt.enums import SolveStatus, TargetKind
from lup_opt.errors import IssueCollector, LupOptError
from lup_opt.families.registry import result_tables
from lup_opt.formatting import number
from lup_opt.model.land_balance import AREA
from lup_opt.model.lp import LinearProgram
from lup_opt.results.indicators import indicator_table
from lup_opt.results.result import atomic_folder
from lup_opt.results.tables import (
    allocation_table,
    baseline_area,
    ldn_balance_table,
    transitions_table,
)
from lup_opt.scenario.scenario import Scenario
from lup_opt.scenario.schemas import PLAN
from lup_opt.scenario.tables import (
    MAX_ROWS_REPORTED,
    read_table,
)
from lup_opt.solve.highs import solve_with_bounds

BASELINE_PLAN = "baseline"  # the plan in which every part keeps its baseline use

PLAN_SCHEMA = PLAN


def percent(share: float) -> str:
    """A share as a percentage with one decimal; round-off around zero reads 0.0%, never -0.0%."""
    value = round(100.0 * share, 1) + 0.0
    return f"{value:,.1f}%"


@dataclass(frozen=True)
class Evaluation:
    scenario: str
    plan: str
    objective: float
    objective_unit: str
    objective_sense: str
    allocation: pd.DataFrame
    transitions: pd.DataFrame
    ldn_balance: pd.DataFrame
    indicators: pd.DataFrame
    optimum: float | None
    optimum_status: str | None
    reallocated_ha: float | None
    reallocated_by_jurisdiction: pd.DataFrame | None
    linkages: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    # The plan as a results folder (every planner table, a manifest naming the scenario), so that
    # the evaluation's folder gets the full report; None when evaluated without the Scenario.
    result: Any = field(default=None, repr=False)

    @property
    def missed_targets(self) -> pd.DataFrame:
        rows = self.indicators[self.indicators["scope_type"].isin(["target", "share_target"])]
        return rows[~rows["met"].astype(bool)]

    @property
    def meets_hard_targets(self) -> bool:
        return not (self.missed_targets["kind"] == TargetKind.HARD.value).any()

    @property
    def ldn_met(self) -> bool:
        enforced = self.ldn_balance[self.ldn_balance["enforced"]]
        return bool(enforced["met"].all())

    def sentences(self) -> list[str]:
        out = [(f"Plan '{self.plan}' for scenario '{self.scenario}': objective {number(self.objective)} "
                f"{self.objective_unit} ({self.objective_sense}).")]
        out += list(self.notes)
        targets = self.indicators[self.indicators["scope_type"].isin(["target", "share_target"])]
        hard = targets[targets["kind"] == TargetKind.HARD.value]
        missed = self.missed_targets
        out.append(f"It meets {len(hard) - int((missed['kind'] == 'hard').sum())} of {len(hard)} hard targets.")
        for row in missed.itertuples():
            share_row = row.unit == "share"
            gap = percent(row.shortfall) if share_row else f"{number(row.shortfall)} {row.unit}"
            bound = percent(row.target) if share_row else number(row.target)
            share = f" ({percent(row.shortfall / abs(row.target))})" if not share_row and row.target else ""
            out.append(f"It misses {row.kind} target '{row.target_name}' ({row.indicator} {row.sense} "
                       f"{bound}, {row.scope}, {row.period}) by {gap}{share}.")
        enforced = self.ldn_balance["enforced"].astype(bool) if len(self.ldn_balance) else None
        if enforced is None or not enforced.any():
            out.append("LDN is not enforced in this scenario (ldn.enabled: false), so the plan is not judged "
                       "against it; its balance per land type is in ldn_balance.csv.")
        else:
            for row, held in zip(self.ldn_balance.itertuples(), enforced, strict=True):
                where = "" if row.jurisdiction == "all" else f" in {row.jurisdiction}"
                status = ("met" if row.met else "NOT met") if held else "not enforced in this year"
                out.append(f"LDN on land type '{row.land_type}'{where} ({row.period}): gains {number(row.gains_ha)} "
                           f"ha, losses {number(row.losses_ha)} ha, net {number(row.net_ha)} ha against "
                           f"{number(row.target_ha)} ha: {status}.")
        if self.optimum is not None:
            gap = self.objective - self.optimum
            fails = [what for what, ok in (("every hard target", self.meets_hard_targets), ("LDN", self.ldn_met))
                     if not ok]
            caveat = f" (it does not meet {' or '.join(fails)})" if fails else ""
            if abs(gap) <= 1e-9 * max(1.0, abs(self.optimum)):
                relation = f"the plan's objective equals it{caveat}"
            else:
                side = "above" if gap > 0 else "below"
                relation = f"the plan's objective is {number(abs(gap))} {self.objective_unit} {side} it{caveat}"
            out.append(f"The optimum of the same scenario is {number(self.optimum)} {self.objective_unit}; "
                       f"{relation}, and it allocates {number(self.reallocated_ha)} ha differently.")
        elif self.optimum_status:
            out.append(f"The scenario itself has no optimum to compare with ({self.optimum_status}).")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario, "plan": self.plan, "objective": self.objective,
            "objective_unit": self.objective_unit, "meets_hard_targets": self.meets_hard_targets,
            "ldn_met": self.ldn_met, "optimum": self.optimum, "optimum_status": self.optimum_status,
            "gap_to_optimum": None if self.optimum is None else self.objective - self.optimum,
            "reallocated_ha": self.reallocated_ha, "sentences": self.sentences(),
            "missed_targets": self.missed_targets.to_dict("records"),
        }

    def write(self, folder: str | Path) -> Path:
        """The evaluation's folder: the plan's tables (as a solve writes them, with report.html when
        the evaluation has its result), difference_from_optimum.csv, evaluation.json and .md."""
        folder = Path(folder)
        with atomic_folder(folder) as tmp:
            if self.reallocated_by_jurisdiction is not None:
                self.reallocated_by_jurisdiction.to_csv(tmp / "difference_from_optimum.csv", index=False)
            (tmp / "evaluation.json").write_text(json.dumps(self.to_dict(), indent=2, default=str), encoding="utf-8")
            (tmp / "evaluation.md").write_text(
                f"# Evaluation of plan '{self.plan}'\n\n" + "\n".join(f"- {s}" for s in self.sentences()) + "\n",
                encoding="utf-8")
            if self.result is not None:
                from lup_opt.results.result import fill_results

                fill_results(self.result, tmp)  # last: its manifest lists every file
            else:
                for name in ("allocation", "transitions", "ldn_balance", "indicators"):
                    getattr(self, name).to_csv(tmp / f"{name}.csv", index=False)
                for name, table in self.linkages.items():
                    table.to_csv(tmp / f"{name}.csv", index=False)
        return folder.resolve()


def plan_area(data: ModelData, plan: pd.DataFrame, label: str) -> np.ndarray:
    """Area per LP column (path) from a plan of land use per year; ScenarioError naming the
    lines or units that do not fit."""
    state, changes = plan_state(data.dims, data.parts, plan, label)
    return _paths(data, state, changes, label)


def _paths(data: ModelData, state: np.ndarray, changes: np.ndarray, label: str) -> np.ndarray:
    """Column areas: each change of use in its period, and what keeps the baseline use."""
    cols, parts = data.columns, data.parts
    area = np.zeros(cols.size)
    keep = cols.conversion < 0
    area[keep] = state[cols.part[keep], cols.from_use[keep], -1]
    change = ~keep
    area[change] = changes[cols.part[change], cols.to_use[change], cols.conversion[change]]
    accounted = np.zeros_like(changes)
    accounted[cols.part[change], cols.to_use[change], cols.conversion[change]] = 1.0
    missing = (changes > 1e-9) & (accounted == 0)
    issues = IssueCollector()
    dims = data.dims
    for p, b, t in list(zip(*np.nonzero(missing), strict=True))[:MAX_ROWS_REPORTED]:
        issues.add(label, f"land unit '{dims.land_units[parts.unit[p]]}'",
                   f"'{dims.uses[parts.use[p]]}' -> '{dims.uses[b]}' is not allowed on land unit "
                   f"'{dims.land_units[parts.unit[p]]}' in {dims.periods[t]} (transition rules, zones or exclusions)")
    forbidden = cols.fixed_to_zero & (area > 1e-9)
    for c in np.flatnonzero(forbidden)[:MAX_ROWS_REPORTED]:
        issues.add(label, f"land unit '{dims.land_units[cols.unit[c]]}'",
                   f"'{dims.uses[cols.from_use[c]]}' -> '{dims.uses[cols.to_use[c]]}' is not allowed on land unit "
                   f"'{dims.land_units[cols.unit[c]]}' in that period (keeping the baseline use is forbidden)")
    issues.raise_if_any()
    return area


def read_plan(path: Path) -> pd.DataFrame:
    return read_table(path, PLAN_SCHEMA, path.name)


# Rows a plan is judged against rather than held to; the rest (area, food balance, finance,
# funds, work) describe how the plan works and stay.
JUDGED = {"target", "share_target", "equal_share", "ldn_neutrality", "conversion_limit"}
SUPPLY = {"food_balance", "funds"}


def operate(data: ModelData, lp: LinearProgram, area: np.ndarray) -> tuple[dict[str, np.ndarray], float, list[str]]:
    """The best way to run a fixed land plan: food flows and imports, finance, people without
    work, soft-target shortfalls, at least cost; returns variable values, objective and notes."""
    lower, upper = lp.col_lower.copy(), lp.col_upper.copy()
    block = lp.variable(AREA)
    lower[block.slice] = upper[block.slice] = area
    notes = []
    for freed in (JUDGED, JUDGED | SUPPLY):
        row_lower, row_upper = lp.row_lower.copy(), lp.row_upper.copy()
        for constraint in lp.constraints:
            if constraint.name in freed:
                row_lower[constraint.slice], row_upper[constraint.slice] = -np.inf, np.inf
        solution = solve_with_bounds(lp, lower, upper, row_lower, row_upper)
        if solution.is_optimal:
            values = {b.name: solution.col_values[b.slice] for b in lp.variables}
            return values, float(solution.objective), notes
        notes.append("The plan cannot be fed and financed within the food links, imports and funding given "
                     "(food balance and funds are left unchecked below).")
    raise LupOptError(f"the plan cannot be evaluated: {solution.message}")


def evaluate_plan(
    scenario: Scenario | str,
    data: ModelData,
    lp: LinearProgram,
    plan: pd.DataFrame | None,
    plan_label: str,
    optimum: tuple[SolveStatus, float | None, np.ndarray | None] | None,
) -> Evaluation:
    """Score a plan (None: the baseline plan) and compare it with ``optimum`` if given. With the
    :class:`Scenario` (not only its name), the evaluation also holds the plan's full results
    (land units, conversions, LDN hierarchy) for its folder's report."""
    area = baseline_area(data) if plan is None else plan_area(data, plan, plan_label)
    values, objective, notes = operate(data, lp, area)
    indicators = indicator_table(data, values, baseline_area(data))
    reallocated = by_jurisdiction = None
    optimum_value = optimum_status = None
    if optimum is not None:
        status, optimum_value, optimum_area = optimum
        optimum_status = status.value
        if optimum_area is not None:
            difference = np.abs(area - optimum_area) / 2
            reallocated = float(difference.sum())
            jurisdiction = np.asarray(data.dims.jurisdictions, dtype=object)[data.units.jurisdiction[data.columns.unit]]
            by_jurisdiction = (pd.DataFrame({"jurisdiction": jurisdiction, "reallocated_ha": difference})
                               .groupby("jurisdiction", as_index=False)["reallocated_ha"].sum())
    linkages = {name: make(data, values) for name, make in result_tables().items()}
    result = None
    if isinstance(scenario, Scenario):
        from lup_opt.report.plan_folder import plan_result

        result = plan_result(scenario, data, lp, values, kind="evaluation", plan=plan_label, objective=objective,
                             optimum=optimum_value, optimum_status=optimum_status, notes=list(notes))
    return Evaluation(
        scenario=scenario if isinstance(scenario, str) else scenario.name, plan=plan_label, objective=objective, objective_unit=data.objective.unit,
        objective_sense=data.objective.sense.value,
        allocation=allocation_table(data, area), transitions=transitions_table(data, area),
        ldn_balance=ldn_balance_table(data, area), indicators=indicators,
        optimum=optimum_value, optimum_status=optimum_status, reallocated_ha=reallocated,
        reallocated_by_jurisdiction=by_jurisdiction,
        linkages={name: table for name, table in linkages.items() if len(table.columns)}, notes=tuple(notes),
        result=result,
    )


