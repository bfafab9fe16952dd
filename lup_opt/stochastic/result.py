"""The result of a two-stage plan and its folder: ``stochastic.csv`` (RP, WS, EEV, VSS, EVPI,
CVaR), ``scenarios.csv`` (each scenario's probability and outcome), ``first_stage.csv`` (the land
decided now, shared by every scenario) and ``scenarios/<name>/``, a full results folder per
scenario (allocation, indicators, LDN balance, duals, report)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from lup_opt.data.model_data import ModelData
from lup_opt.enums import SolveStatus, TableFormat
from lup_opt.report.html import REPORT
from lup_opt.report.stochastic import render_stochastic
from lup_opt.results.manifest import FolderKind, Manifest, as_json
from lup_opt.results.result import Result, fill_results, output_path, write_table
from lup_opt.safe_paths import MANIFEST, write_folder
from lup_opt.scenario.scenario import Scenario
from lup_opt.solve.options import Solution

SCENARIOS_FOLDER = "scenarios"


@dataclass(frozen=True)
class StochasticResult:
    status: SolveStatus
    message: str
    objective: float | None  # the equivalent's objective (the expectation, or its risk-adjusted form)
    scenarios: Mapping[str, Result] = field(default_factory=dict)
    measures: pd.DataFrame = field(default_factory=pd.DataFrame)
    outcomes: pd.DataFrame = field(default_factory=pd.DataFrame)
    first_stage: pd.DataFrame = field(default_factory=pd.DataFrame)
    manifest: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_optimal(self) -> bool:
        return self.status is SolveStatus.OPTIMAL

    def measure(self, name: str) -> float:
        """One of RP, WS, EEV, VSS, EVPI (``stochastic.csv``)."""
        return float(self.measures.set_index("measure").loc[name, "value"])

    @classmethod
    def solved(cls, scenario: Scenario, solution: Solution, results: Mapping[str, Result], measures: pd.DataFrame,
               first_stage: pd.DataFrame, outcomes: list[float], probabilities: list[float],
               seconds: Mapping[str, float]) -> StochasticResult:
        table = pd.DataFrame({"scenario": list(results), "variant": [_variant(scenario, n) for n in results],
                              "probability": probabilities, "objective": outcomes})
        return cls(SolveStatus.OPTIMAL, solution.message, solution.objective, dict(results), measures, table,
                   first_stage, _manifest(scenario, solution, list(results), seconds))

    @classmethod
    def failed(cls, scenario: Scenario, solution: Solution, names: list[str]) -> StochasticResult:
        return cls(solution.status, solution.message, None, manifest=_manifest(scenario, solution, names, {}))

    def write(self, folder: str | Path, table_format: TableFormat | str = TableFormat.AUTO, report: bool = True,
              *, overwrite: bool = False) -> Path:
        """The folder (through the write protocol: nothing half written, nothing of another run
        replaced without ``overwrite``)."""
        scenario = self.manifest.get("scenario", {})
        run = {"command": "solve", "scenario": scenario.get("name"), "variants": scenario.get("variants", []),
               "overrides": scenario.get("overrides", [])}
        with write_folder(folder, protect=tuple(p for p in [scenario.get("folder")] if p), run=run,
                          overwrite=overwrite) as tmp:
            for name, table in (("stochastic", self.measures), ("scenarios", self.outcomes),
                                ("first_stage", self.first_stage)):
                if len(table.columns):
                    write_table(table, tmp / name)
            for name, result in self.scenarios.items():
                (tmp / SCENARIOS_FOLDER / name).mkdir(parents=True)
                fill_results(result, tmp / SCENARIOS_FOLDER / name, TableFormat(table_format), report)
            (tmp / MANIFEST).write_text(json.dumps(as_json(dict(self.manifest)), indent=2), encoding="utf-8")
            if report:
                (tmp / REPORT).write_text(render_stochastic(tmp, Manifest.of(self.manifest)), encoding="utf-8")
        return output_path(folder)


def _variant(scenario: Scenario, name: str) -> str:
    return scenario.config.stochastic.scenarios[name].variant


def _manifest(scenario: Scenario, solution: Solution, names: list[str], seconds: Mapping[str, float]) -> dict:
    config = scenario.config.stochastic
    return {
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "kind": FolderKind.STOCHASTIC.value,
        "scenario": {"name": scenario.name, "folder": str(scenario.folder), "hash": scenario.content_hash,
                     "variants": list(scenario.variants), "overrides": list(scenario.overrides)},
        "status": solution.status.value, "message": solution.message, "objective": solution.objective,
        "stochastic": {"here_and_now": config.here_and_now or scenario.planning_years[:1],
                       "scenarios": {n: config.scenarios[n].model_dump() for n in names},
                       "risk": config.risk.model_dump()},
        "seconds": dict(seconds),
    }


def first_stage_table(data: ModelData, result: Result, n_years: int) -> pd.DataFrame:
    """The changes of use decided now (in the here-and-now years), the same in every scenario."""
    years = set(data.dims.periods[:n_years])
    table = result.allocation
    changed = table[(table["use"] != table["baseline_use"]) & table["period"].isin(years)]
    return changed.reset_index(drop=True)
