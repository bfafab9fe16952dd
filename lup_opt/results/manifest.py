"""``manifest.json`` as a typed, frozen model: what every folder lup_opt writes says of itself.

One model for every kind of folder (:class:`FolderKind`): a plan's folder (a solve, an
evaluation, a trade-off plan, a sweep run), a trade-off folder, a comparison, a sweep, a
diagnosis. Each writer fills the fields of its kind; the others stay unset, so that
:meth:`Manifest.to_dict` gives back exactly what was written. Unknown keys are kept (``extra``),
so a folder of a newer lup_opt still reads.

Readers (the report, compare, excel, sweep) use :func:`read_manifest` and the fields, never the
file and its keys.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from lup_opt.enums import Backend, Normalization, ObjectiveSense, PlanningMode, SolverMethod, SolveStatus
from lup_opt.errors import LupOptError
from lup_opt.safe_paths import MANIFEST
from lup_opt.safe_paths import read_manifest as read_lup_opt_json
from lup_opt.scenario.grid import Grid

EVALUATED = "evaluated"  # the status of an evaluated plan: it has a plan, but was not optimised


class FolderKind(StrEnum):
    SOLVE = "solve"  # lup-opt solve, and each run of a sweep
    EVALUATION = "evaluation"  # an evaluated plan
    TRADEOFF_PLAN = "tradeoff_plan"  # one plan of a trade-off folder (plans/<name>)
    TRADEOFF = "tradeoff"  # payoff, frontier, compromise, hierarchy, robust, alternatives
    COMPARISON = "compare"
    SWEEP = "sweep"
    DIAGNOSIS = "diagnosis"  # lup-opt explain
    STOCHASTIC = "stochastic"  # a two-stage plan: its measures, and a plan folder per scenario


PLAN_KINDS = (FolderKind.SOLVE, FolderKind.EVALUATION, FolderKind.TRADEOFF_PLAN)  # folders of one plan


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow")


class ScenarioInfo(_Frozen):
    """Which scenario a plan's folder was run from."""

    name: str = ""
    folder: str | None = None
    hash: str | None = None
    variants: tuple[str, ...] = ()
    overrides: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """NAME+VARIANT... [OVERRIDE]..., as compare names the two runs."""
        return self.name + "".join(f"+{v}" for v in self.variants) + "".join(f" [{o}]" for o in self.overrides)


class GeometrySource(_Frozen):
    """Where the land-unit outlines are (the scenario's geometry file)."""

    file: str
    id_column: str = "id"
    layer: str | None = None


class SolverInfo(_Frozen):
    name: str | None = None
    method: SolverMethod | None = None
    crossover: bool | None = None
    presolve: bool | None = None
    presolve_rechecked: bool | None = None
    time_limit: float | None = None
    threads: int | None = None


class ModelSize(_Frozen):
    land_units: int | None = None
    land_units_solved: int | None = None  # after exact aggregation
    parts: int | None = None
    area_columns: int | None = None
    changes_culled: int | None = None
    rows: int | None = None
    columns: int | None = None
    nonzeros: int | None = None


class ObjectiveInfo(_Frozen):
    """One objective of a trade-off."""

    label: str
    sense: ObjectiveSense
    unit: str = ""


class Manifest(_Frozen):
    # Every folder: the write protocol's mark and the run it holds (lup_opt.safe_paths).
    written_by: str | None = None
    run: dict[str, Any] | None = None
    files: tuple[str, ...] = ()
    created: str | None = None

    # A plan's folder (solve, evaluation, trade-off plan, sweep run).
    kind: FolderKind | None = None  # written by evaluations and trade-off plans; a solve writes none
    plan: str | None = None
    scenario: ScenarioInfo | str | None = None  # a trade-off folder or a sweep names it only
    geometry: GeometrySource | None = None
    use_colours: dict[str, str] = {}
    grid: Grid | None = None  # the raster grid of a grid scenario (validated from its grid.json)
    assessment_year: int | None = None
    status: SolveStatus | Literal["evaluated"] | None = None
    message: str = ""
    objective: float | None = None
    objective_sense: ObjectiveSense | None = None
    objective_unit: str = ""
    tables: tuple[str, ...] = ()  # the result tables written (none without a plan)
    backend: Backend | None = None
    solver: SolverInfo | None = None
    mode: PlanningMode | None = None
    versions: dict[str, str] = {}
    size: ModelSize = ModelSize()
    seconds: dict[str, float] | float | None = None  # per stage; a trade-off folder's total
    checks_seconds: float | None = None
    peak_memory_mb: float | None = None
    warnings: tuple[str, ...] = ()
    diagnosis: tuple[str, ...] = ()  # its sentences, when the run was diagnosed
    notes: tuple[str, ...] = ()
    aggregation: dict[str, Any] | None = None
    ldn: dict[str, Any] | None = None
    optimum: float | None = None  # an evaluation: the scenario's own optimum
    optimum_status: str | None = None

    # A trade-off folder (and its plans: method).
    method: str | None = None
    scenario_hash: str | None = None
    objectives: tuple[ObjectiveInfo, ...] = ()
    normalization: Normalization | None = None
    points: int | None = None
    slack: float | None = None
    plans: tuple[str, ...] = ()

    # A comparison: the two runs' labels. A sweep: its variants.
    a: str | None = None
    b: str | None = None
    variants: tuple[str, ...] = ()

    @classmethod
    def of(cls, manifest: Mapping[str, Any] | Manifest) -> Manifest:
        """The model of a manifest given as a mapping (as a :class:`Result` holds it)."""
        if isinstance(manifest, Manifest):
            return manifest
        return cls.model_validate(as_json(manifest))

    def to_dict(self) -> dict[str, Any]:
        """The manifest as JSON values, with the keys that were given (as written to the file)."""
        return self.model_dump(mode="json", exclude_unset=True)

    @property
    def folder_kind(self) -> FolderKind:
        """What the folder holds; a solve's manifest does not say, the others' keys do."""
        if self.kind is not None:
            return self.kind
        if self.method == FolderKind.COMPARISON.value:
            return FolderKind.COMPARISON
        if self.method == FolderKind.SWEEP.value:
            return FolderKind.SWEEP
        if self.method is not None:
            return FolderKind.TRADEOFF
        return FolderKind.SOLVE if self.status is not None else FolderKind.DIAGNOSIS

    @property
    def scenario_info(self) -> ScenarioInfo:
        """The scenario of a plan's folder; of other folders, its name only."""
        if isinstance(self.scenario, ScenarioInfo):
            return self.scenario
        return ScenarioInfo(name=str(self.scenario or ""))

    @property
    def has_plan(self) -> bool:
        """Whether the folder holds a plan's tables (an optimum or an evaluated plan)."""
        return self.status in (SolveStatus.OPTIMAL, EVALUATED)

    @property
    def solve_status(self) -> SolveStatus | None:
        """The status as a :class:`SolveStatus` (an evaluated plan's is optimal: it has a plan)."""
        return SolveStatus.OPTIMAL if self.status == EVALUATED else self.status

    @property
    def stage_seconds(self) -> dict[str, float]:
        """Seconds of each stage of a solve ({} for folders that give a total only)."""
        return dict(self.seconds) if isinstance(self.seconds, dict) else {}

    @field_validator("grid", mode="before")
    @classmethod
    def _grid_of_an_older_folder(cls, value: Any) -> Any:
        """Folders written before the grid was kept in the manifest named the scenario's
        grid.json; it is read (and validated) if it is still there."""
        if isinstance(value, str):
            path = Path(value)
            return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
        return value


def read_manifest(folder: str | Path) -> Manifest:
    """The manifest of a folder lup_opt wrote; LupOptError naming the folder and what is wrong."""
    folder = Path(folder)
    if not (folder / MANIFEST).is_file():
        raise LupOptError(f"{folder}: not a lup_opt results folder (no {MANIFEST})")
    raw = read_lup_opt_json(folder)
    if raw is None:
        raise LupOptError(f"{folder}/{MANIFEST}: not a lup_opt results folder (the manifest is damaged or was not "
                          f"written by lup_opt)")
    try:
        return Manifest.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise LupOptError(f"{folder}/{MANIFEST}: '{where}' {first['msg'].lower()} (a damaged results folder)"
                          ) from None


def as_json(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """A manifest built in memory (numpy numbers, paths, read-only mappings) as JSON values."""
    return json.loads(json.dumps(dict(manifest), default=_jsonable))


def _jsonable(value: Any) -> Any:
    if isinstance(value, MappingProxyType):
        return dict(value)
    if hasattr(value, "item"):
        return value.item()
    return str(value)
