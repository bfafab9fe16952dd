"""Trade-off analyses from a scenario: the Python API behind ``lup-opt payoff``, ``frontier``,
``compromise``, ``hierarchy``, ``robust`` and ``alternatives`` (and weighted compromises).

Each function returns a frozen result whose ``write(folder)`` writes CSV tables, a PNG figure
and ``manifest.json`` atomically (a temporary folder renamed into place).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import Any

import numpy as np
import pandas as pd

from lup_opt.api import build
from lup_opt.data.model_data import ModelData
from lup_opt.enums import Normalization, OptimisticRule
from lup_opt.model.land_balance import AREA
from lup_opt.model.lp import LinearProgram
from lup_opt.report.plan_folder import plan_result, write_plan_folders
from lup_opt.results.indicators import indicator_table
from lup_opt.results.manifest import MANIFEST, Manifest, ObjectiveInfo
from lup_opt.results.result import atomic_folder
from lup_opt.results.tables import allocation_table, baseline_area
from lup_opt.scenario.scenario import Scenario
from lup_opt.solve.options import SolverOptions
from lup_opt.tradeoffs import plots
from lup_opt.tradeoffs.alternatives import near_optimal_alternatives
from lup_opt.tradeoffs.analysis import (
    Frontier,
    PayoffTable,
    TradeoffPlan,
    TradeoffProblem,
    compromise,
    frontier,
    hierarchy_plan,
    payoff_table,
    weighted_sum,
)
from lup_opt.tradeoffs.objectives import ObjectiveSpec
from lup_opt.tradeoffs.robust import MAX_SCENARIOS, RobustCompromise, robust_compromise

Specs = Sequence[ObjectiveSpec | str]


def _problem(scenario: Scenario, objectives: Specs, options: SolverOptions | None, warm: bool = True
             ) -> TradeoffProblem:
    built = build(scenario, "off")  # every change stays: objectives other than the scenario's may need it
    return TradeoffProblem.create(scenario, built.data, built.lp, objectives, options, warm)


def _plan_tables(data: ModelData, lp: LinearProgram, x: np.ndarray) -> dict[str, pd.DataFrame]:
    values = {block.name: x[block.slice] for block in lp.variables}
    return {"allocation": allocation_table(data, values[AREA]),
            "indicators": indicator_table(data, values, baseline_area(data))}


def _write(folder: str | Path, tables: dict[str, pd.DataFrame], figure, manifest: Manifest,
           plans: Callable[[], dict[str, Any]] | None = None, report: bool = False, **protocol: Any) -> Path:
    """Through the one write protocol (``lup_opt.safe_paths``); ``protocol``: protect, run,
    overwrite, label. By default the run is the method, scenario and objectives. ``plans`` makes
    the results of each plan (by label), written as ``plans/<label>/`` results folders (with
    their report.html when ``report``; else ``lup-opt report`` builds it)."""
    scenario = protocol.pop("scenario", None)
    protocol.setdefault("run", {"command": manifest.method, "scenario": manifest.scenario_info.name,
                                "variants": list(getattr(scenario, "variants", ())),
                                "overrides": list(getattr(scenario, "overrides", ())),
                                "objectives": [o.label for o in manifest.objectives]})
    with atomic_folder(Path(folder), **protocol) as tmp:
        for name, table in tables.items():
            table.to_csv(tmp / f"{name}.csv", index=False)
        figure(tmp)
        if plans is not None:
            manifest = manifest.model_copy(update={"plans": tuple(write_plan_folders(plans(), tmp, report))})
        files = (*sorted(p.name for p in tmp.iterdir()), MANIFEST)
        (tmp / MANIFEST).write_text(json.dumps(manifest.model_copy(update={"files": files}).to_dict(), indent=2),
                                    encoding="utf-8")
    return Path(folder).resolve()


def _plans(scenario: Scenario, model: tuple[ModelData, LinearProgram] | None, method: str,
           plans: dict[str, np.ndarray]) -> Callable[[], dict[str, Any]] | None:
    """The results of each plan (for its results folder), made when the folder is written."""
    if model is None:
        return None
    data, lp = model
    return lambda: {label: plan_result(scenario, data, lp, x, kind="tradeoff_plan", plan=label, method=method)
                    for label, x in plans.items()}


def _manifest(scenario: Scenario, method: str, objectives, seconds: float, **extra: Any) -> Manifest:
    return Manifest(scenario=scenario.name, scenario_hash=scenario.content_hash, method=method,
                    objectives=tuple(ObjectiveInfo(label=o.label, sense=o.sense, unit=o.unit) for o in objectives),
                    seconds=round(seconds, 4), **extra)


@dataclass(frozen=True)
class PayoffResult:
    scenario: Scenario
    payoff: PayoffTable
    seconds: float
    model: tuple[ModelData, LinearProgram] | None = field(default=None, repr=False)  # for the plan folders

    @property
    def table(self) -> pd.DataFrame:
        return self.payoff.table

    def write(self, folder: str | Path, **protocol: Any) -> Path:
        protocol.setdefault("protect", [self.scenario.folder])
        protocol.setdefault("scenario", self.scenario)
        achievement = np.array([self.payoff.normalise(row, Normalization.PAYOFF)
                                for row in self.payoff.table.iloc[:, 1:].to_numpy()])
        plans = {f"best {o.label}": x for o, x in zip(self.payoff.objectives, self.payoff.plans, strict=True)}
        return _write(folder, {"payoff": self.payoff.table, "payoff_summary": self.payoff.summary()},
                      lambda tmp: plots.payoff_figure(self.payoff.table, achievement, tmp / "payoff.png"),
                      _manifest(self.scenario, "payoff", self.payoff.objectives, self.seconds),
                      _plans(self.scenario, self.model, "payoff", plans), **protocol)


def payoff(scenario: Scenario, objectives: Specs, *, full_range: bool = False,
           options: SolverOptions | None = None) -> PayoffResult:
    """Optimise each objective alone (lexicographically) and report every objective there:
    ideal, nadir and, with ``full_range``, anti-ideal values."""
    start = perf_counter()
    problem = _problem(scenario, objectives, options)
    return PayoffResult(scenario, payoff_table(problem, full_range), perf_counter() - start,
                        (problem.data, problem.lp))


@dataclass(frozen=True)
class FrontierResult:
    scenario: Scenario
    frontier: Frontier
    payoff: PayoffTable
    normalization: Normalization
    seconds: float
    knee_tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    model: tuple[ModelData, LinearProgram] | None = field(default=None, repr=False)  # for the plan folders

    def _repr_html_(self) -> str:
        """A summary in a notebook: objectives, points, knee."""
        from lup_opt.notebook_html import frontier_html

        return frontier_html(self)

    @property
    def points(self) -> pd.DataFrame:
        return self.frontier.points

    def write(self, folder: str | Path, **protocol: Any) -> Path:
        protocol.setdefault("protect", [self.scenario.folder])
        protocol.setdefault("scenario", self.scenario)
        objectives = self.frontier.objectives
        labels, units = [o.label for o in objectives], [o.unit for o in objectives]
        tables = {"frontier": self.frontier.points, "frontier_timing": self.frontier.seconds,
                  "payoff": self.payoff.table, **{f"knee_{k}": v for k, v in self.knee_tables.items()}}
        knee = set(self.points.loc[self.points["knee"], "point"]) if len(self.points) else set()
        plans = {f"point {k}" + (" (knee)" if k in knee else ""): x for k, x in sorted(self.frontier.plans.items())}
        return _write(folder, tables, lambda tmp: plots.frontier_figure(self.points, labels, units, tmp / "frontier.png"),
                      _manifest(self.scenario, "frontier", objectives, self.seconds,
                                normalization=self.normalization.value, points=len(self.points)),
                      _plans(self.scenario, self.model, "frontier", plans), **protocol)


def frontier_of(scenario: Scenario, objectives: Specs, *, points: int = 11,
                normalization: Normalization | str = Normalization.PAYOFF, options: SolverOptions | None = None,
                warm: bool = True) -> FrontierResult:
    """The epsilon-constraint frontier of two (or three) objectives between their pay-off
    extremes; every point solved on the model already in HiGHS (``warm=False``: cold solves)."""
    start = perf_counter()
    normalization = Normalization(normalization)
    problem = _problem(scenario, objectives, options, warm)
    table = payoff_table(problem, normalization is Normalization.RANGE)
    result = frontier(problem, table, points, normalization)
    knee = result.points.loc[result.points["knee"], "point"] if len(result.points) else []
    knee_tables = _plan_tables(problem.data, problem.lp, result.plans[int(knee.iloc[0])]) if len(knee) else {}
    return FrontierResult(scenario, result, table, normalization, perf_counter() - start, knee_tables,
                          (problem.data, problem.lp))


@dataclass(frozen=True)
class PlanResult:
    """A plan chosen by a trade-off method, with its objectives and planner tables."""

    scenario: Scenario
    plan: TradeoffPlan
    tables: dict[str, pd.DataFrame]
    seconds: float
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)
    objectives: tuple = ()
    model: tuple[ModelData, LinearProgram] | None = field(default=None, repr=False)  # for the plan folder

    @property
    def table(self) -> pd.DataFrame:
        return self.plan.table

    def write(self, folder: str | Path, **protocol: Any) -> Path:
        protocol.setdefault("protect", [self.scenario.folder])
        protocol.setdefault("scenario", self.scenario)
        method = self.plan.method
        title = method.replace("_", " ")

        def figure(tmp: Path) -> Path:
            if "stages" in self.extra:
                return plots.stages_figure(self.extra["stages"], tmp / f"{method}.png")
            if "composition" in self.extra:
                return plots.composition_figure(self.extra["composition"], title, tmp / f"{method}.png")
            return plots.achievement_figure(self.plan.table, title, tmp / f"{method}.png")
        return _write(folder, {method: self.plan.table, **self.extra, **self.tables}, figure,
                      _manifest(self.scenario, method, self.objectives, self.seconds),
                      _plans(self.scenario, self.model, method, {method: self.plan.plan}), report=True, **protocol)


def _plan_result(problem: TradeoffProblem, plan: TradeoffPlan, start: float, **extra) -> PlanResult:
    return PlanResult(problem.scenario, plan, _plan_tables(problem.data, problem.lp, plan.plan),
                      perf_counter() - start, extra, problem.objectives, (problem.data, problem.lp))


def compromise_of(scenario: Scenario, objectives: Specs, *, normalization: Normalization | str = Normalization.PAYOFF,
                  options: SolverOptions | None = None) -> PlanResult:
    """The plan that maximises its smallest normalised achievement over the objectives."""
    start = perf_counter()
    normalization = Normalization(normalization)
    problem = _problem(scenario, objectives, options)
    table = payoff_table(problem, normalization is Normalization.RANGE)
    return _plan_result(problem, compromise(problem, table, normalization), start, payoff=table.table)


def weighted(scenario: Scenario, objectives: Specs, weights: Sequence[float], *,
             normalization: Normalization | str = Normalization.PAYOFF, options: SolverOptions | None = None
             ) -> PlanResult:
    """The plan that maximises the weighted sum of normalised achievements."""
    start = perf_counter()
    normalization = Normalization(normalization)
    problem = _problem(scenario, objectives, options)
    table = payoff_table(problem, normalization is Normalization.RANGE)
    return _plan_result(problem, weighted_sum(problem, table, weights, normalization), start, payoff=table.table)


def hierarchy(scenario: Scenario, objectives: Specs, tolerances: Sequence[float], *,
              options: SolverOptions | None = None) -> PlanResult:
    """Objectives optimised in order, each keeping the earlier ones within their relative
    tolerance (e.g. the LDN response hierarchy: avoid losses, then reduce, then reverse);
    ``lup-opt hierarchy``."""
    start = perf_counter()
    problem = _problem(scenario, objectives, options)
    plan, stages = hierarchy_plan(problem, tolerances)
    return _plan_result(problem, plan, start, stages=stages)


def lexicographic(scenario: Scenario, objectives: Specs, tolerances: Sequence[float], *,
                  options: SolverOptions | None = None) -> PlanResult:
    """Deprecated name of :func:`hierarchy` (the method is called hierarchy everywhere else)."""
    warnings.warn("lup_opt.tradeoffs.lexicographic is now lup_opt.tradeoffs.hierarchy", DeprecationWarning,
                  stacklevel=2)
    return hierarchy(scenario, objectives, tolerances, options=options)


def robust(scenario: Scenario, uncertainty: pd.DataFrame | str | Path, *, level: float = 1.0,
           period: int | None = None, scope: dict | None = None, max_scenarios: int = MAX_SCENARIOS,
           options: SolverOptions | None = None,
           optimistic_rule: OptimisticRule | str = OptimisticRule.UNCERTAINTY_ADJUSTED) -> PlanResult:
    """The robust compromise of Knoke et al. (2016) on the plan LP: see :mod:`lup_opt.tradeoffs.robust`.

    ``optimistic_rule`` is optimLanduse's ``optimisticRule``: ``uncertainty_adjusted`` (a use's high
    outcome is mean + u*se; the default here) or ``expectation`` (the mean; optimLanduse's default,
    only downside risks count)."""
    start = perf_counter()
    rule = OptimisticRule(optimistic_rule)
    built = build(scenario, "off")
    table = uncertainty if isinstance(uncertainty, pd.DataFrame) else str(uncertainty)
    result: RobustCompromise = robust_compromise(scenario, built.data, built.lp, table, level, period, scope,
                                                 max_scenarios, options, rule)
    plan = TradeoffPlan("robust_compromise", result.plan,
                        result.indicators.assign(beta=result.beta, level=level, optimistic_rule=rule.value))
    return PlanResult(scenario, plan, _plan_tables(built.data, built.lp, result.plan), perf_counter() - start,
                      {"composition": result.composition}, model=(built.data, built.lp))


@dataclass(frozen=True)
class AlternativesResult:
    scenario: Scenario
    summary: pd.DataFrame
    allocation: pd.DataFrame
    timing: pd.DataFrame
    slack: float
    seconds: float
    plans: tuple[np.ndarray, ...] = field(default=(), repr=False)  # the optimum first, as in summary
    model: tuple[ModelData, LinearProgram] | None = field(default=None, repr=False)  # for the plan folders

    def write(self, folder: str | Path, **protocol: Any) -> Path:
        protocol.setdefault("protect", [self.scenario.folder])
        protocol.setdefault("scenario", self.scenario)
        plans = list(self.summary["plan"])
        return _write(folder, {"alternatives": self.summary, "alternatives_allocation": self.allocation,
                               "alternatives_timing": self.timing},
                      lambda tmp: plots.alternatives_figure(self.allocation, plans, tmp / "alternatives.png"),
                      Manifest(scenario=self.scenario.name, scenario_hash=self.scenario.content_hash,
                               method="alternatives", slack=self.slack, seconds=round(self.seconds, 4)),
                      _plans(self.scenario, self.model if self.plans else None, "alternatives",
                             dict(zip(plans, self.plans, strict=True))), **protocol)


def alternatives(scenario: Scenario, *, slack: float = 0.05, count: int = 3,
                 options: SolverOptions | None = None) -> AlternativesResult:
    """Plans within ``slack`` of the optimal objective that differ most from the optimum and from
    each other in their allocation by jurisdiction and use (hop-skip-jump)."""
    start = perf_counter()
    built = build(scenario, "off")
    found = near_optimal_alternatives(built.data, built.lp, slack, count, options)
    return AlternativesResult(scenario, found.summary, found.allocation, found.seconds, slack, perf_counter() - start,
                              found.plans, (built.data, built.lp))
