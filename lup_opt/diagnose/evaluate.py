"""Evaluating a given plan (a draft master plan, business as usual) without optimising.

The plan is an allocation table with the columns of ``allocation.csv``. It is checked against the
scenario (known units and uses, baseline parts, allowed transitions, areas that add up), then
scored with the same indicator, LDN and target accounting as a solved plan, and compared with the
optimum of the same scenario.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lup_opt.data.model_data import ModelData
from lup_opt.enums import SolveStatus
from lup_opt.errors import IssueCollector
from lup_opt.formatting import number
from lup_opt.model.land_balance import area_labels
from lup_opt.model.lp import LinearProgram
from lup_opt.results.result import atomic_folder
from lup_opt.results.tables import (
    allocation_table,
    baseline_area,
    indicator_table,
    ldn_balance_table,
    transitions_table,
)
from lup_opt.scenario.checks import BASELINE_TOLERANCE_HA, BASELINE_TOLERANCE_SHARE
from lup_opt.scenario.tables import MAX_ROWS_REPORTED, Column, Kind, TableSchema, read_table

BASELINE_PLAN = "baseline"  # the plan in which every part keeps its baseline use

PLAN_SCHEMA = TableSchema(
    name="plan",
    columns=(
        Column("land_unit", Kind.ID),
        Column("baseline_use", Kind.ID),
        Column("use", Kind.ID),
        Column("period", Kind.INT, required=False),
        Column("area_ha", Kind.FLOAT, minimum=0.0),
    ),
    unique=("land_unit", "baseline_use", "use", "period"),
)


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

    @property
    def missed_targets(self) -> pd.DataFrame:
        rows = self.indicators[self.indicators["scope_type"].isin(["target", "share_target"])]
        return rows[~rows["met"].astype(bool)]

    @property
    def meets_hard_targets(self) -> bool:
        return not (self.missed_targets["kind"] == "hard").any()

    @property
    def ldn_met(self) -> bool:
        enforced = self.ldn_balance[self.ldn_balance["enforced"]]
        return bool(enforced["met"].all())

    def sentences(self) -> list[str]:
        out = [f"Plan '{self.plan}' for scenario '{self.scenario}': objective {number(self.objective)} "
               f"{self.objective_unit} ({self.objective_sense})."]
        targets = self.indicators[self.indicators["scope_type"].isin(["target", "share_target"])]
        hard = targets[targets["kind"] == "hard"]
        missed = self.missed_targets
        out.append(f"It meets {len(hard) - int((missed['kind'] == 'hard').sum())} of {len(hard)} hard targets.")
        for row in missed.itertuples():
            gap = f"{row.shortfall:.1%}" if row.unit == "share" else f"{number(row.shortfall)} {row.unit}"
            share = f" ({row.shortfall / abs(row.target):.1%})" if row.unit != "share" and row.target else ""
            out.append(f"It misses {row.kind} target '{row.target_name}' ({row.indicator} {row.sense} "
                       f"{number(row.target)}, {row.scope}, {row.period}) by {gap}{share}.")
        for row in self.ldn_balance.itertuples():
            where = "" if row.jurisdiction == "all" else f" in {row.jurisdiction}"
            status = "met" if row.met else "NOT met"
            out.append(f"LDN on land type '{row.land_type}'{where} ({row.period}): gains {number(row.gains_ha)} ha, "
                       f"losses {number(row.losses_ha)} ha, net {number(row.net_ha)} ha against "
                       f"{number(row.target_ha)} ha: {status}.")
        if self.optimum is not None:
            gap = self.objective - self.optimum
            side = "above" if gap > 0 else "below"
            caveat = "" if self.meets_hard_targets and self.ldn_met else " (it does not meet every hard target and LDN)"
            out.append(f"The optimum of the same scenario is {number(self.optimum)} {self.objective_unit}; the plan's "
                       f"objective is {number(abs(gap))} {self.objective_unit} {side} it{caveat}, and it allocates "
                       f"{number(self.reallocated_ha)} ha differently.")
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
        folder = Path(folder)
        with atomic_folder(folder) as tmp:
            for name in ("allocation", "transitions", "ldn_balance", "indicators"):
                getattr(self, name).to_csv(tmp / f"{name}.csv", index=False)
            if self.reallocated_by_jurisdiction is not None:
                self.reallocated_by_jurisdiction.to_csv(tmp / "difference_from_optimum.csv", index=False)
            (tmp / "evaluation.json").write_text(json.dumps(self.to_dict(), indent=2, default=str), encoding="utf-8")
            (tmp / "evaluation.md").write_text(
                f"# Evaluation of plan '{self.plan}'\n\n" + "\n".join(f"- {s}" for s in self.sentences()) + "\n",
                encoding="utf-8")
        return folder.resolve()


def plan_area(data: ModelData, plan: pd.DataFrame, label: str) -> np.ndarray:
    """Area per LP column from a plan table; ScenarioError naming the lines that do not fit."""
    issues = IssueCollector()
    if (plan["period"] == 0).all() and len(data.dims.periods) == 1:  # no period column: the only year
        plan = plan.assign(period=data.dims.periods[0])
    columns = area_labels(data)
    columns["column"] = np.arange(len(columns))
    for key in ("land_unit", "baseline_use", "use"):
        columns[key] = columns[key].astype(str)
    merged = plan.merge(columns, how="left", on=["land_unit", "baseline_use", "use", "period"])
    unmatched = merged[merged["column"].isna()]
    fixed = merged["column"].notna() & data.columns.fixed_to_zero[merged["column"].fillna(0).astype(int)]
    for row in pd.concat([unmatched, merged[fixed]]).head(MAX_ROWS_REPORTED).itertuples():
        issues.add(label, f"line {row.source_line}", _why_unmatched(data, row))
    issues.raise_if_any()
    area = np.zeros(data.columns.size)
    np.add.at(area, merged["column"].astype(int).to_numpy(), merged["area_ha"].to_numpy())
    # Every part must be planned exactly once, per period.
    planned = np.bincount(data.columns.period.astype(np.int64) * data.parts.size + data.columns.part,
                          weights=area, minlength=data.parts.size * len(data.dims.periods))
    expected = np.tile(data.parts.area, len(data.dims.periods))
    tolerance = np.maximum(BASELINE_TOLERANCE_HA, BASELINE_TOLERANCE_SHARE * expected)
    off = np.flatnonzero(np.abs(planned - expected) > tolerance)
    for index in off[:MAX_ROWS_REPORTED]:
        part, period = index % data.parts.size, index // data.parts.size
        issues.add(label, f"land unit '{data.dims.land_units[data.parts.unit[part]]}'",
                   f"its baseline '{data.dims.uses[data.parts.use[part]]}' area is {number(expected[index])} ha but "
                   f"the plan gives {number(planned[index])} ha for {data.dims.periods[period]}; rows of one unit and "
                   "baseline use must add up to its baseline area")
    issues.raise_if_any()
    return area


def _why_unmatched(data: ModelData, row: Any) -> str:
    dims = data.dims
    if row.land_unit not in set(map(str, dims.land_units)):
        return f"unknown land unit '{row.land_unit}'"
    for use in (row.baseline_use, row.use):
        if use not in dims.uses:
            return f"unknown use '{use}'"
    if row.period not in dims.periods:
        return f"{row.period} is not a planning year"
    if np.isnan(row.column):
        unit = list(map(str, dims.land_units)).index(row.land_unit)
        parts = {dims.uses[u] for u in data.parts.use[data.parts.unit == unit]}
        if row.baseline_use not in parts:
            return (f"land unit '{row.land_unit}' has no '{row.baseline_use}' in the baseline "
                    f"(it has {', '.join(sorted(parts))})")
    return (f"'{row.baseline_use}' -> '{row.use}' is not allowed on land unit '{row.land_unit}' "
            "(transition rules, zones or exclusions)")


def read_plan(path: Path) -> pd.DataFrame:
    return read_table(path, PLAN_SCHEMA, path.name)


def evaluate_plan(
    scenario_name: str,
    data: ModelData,
    lp: LinearProgram,
    plan: pd.DataFrame | None,
    plan_label: str,
    optimum: tuple[SolveStatus, float | None, np.ndarray | None] | None,
) -> Evaluation:
    """Score a plan (None: the baseline plan) and compare it with ``optimum`` if given."""
    area = baseline_area(data) if plan is None else plan_area(data, plan, plan_label)
    before = baseline_area(data)
    indicators = indicator_table(data, area, before)
    objective = float(data.objective.area_coefficients @ area)
    soft = indicators[(indicators["kind"] == "soft")]
    if len(soft):
        penalties = _soft_penalties(data)
        objective += data.objective.penalty_sign * float(
            sum(penalties[name] * gap for name, gap in zip(soft["target_name"], soft["shortfall"], strict=True)))
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
    return Evaluation(
        scenario=scenario_name, plan=plan_label, objective=objective, objective_unit=data.objective.unit,
        objective_sense=data.objective.sense.value,
        allocation=allocation_table(data, area), transitions=transitions_table(data, area),
        ldn_balance=ldn_balance_table(data, area), indicators=indicators,
        optimum=optimum_value, optimum_status=optimum_status, reallocated_ha=reallocated,
        reallocated_by_jurisdiction=by_jurisdiction,
    )


def _soft_penalties(data: ModelData) -> dict[str, float]:
    out = {t.name: t.penalty for t in data.targets}
    out.update({s.name: s.penalty for s in data.share_targets})
    return out

