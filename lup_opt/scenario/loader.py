"""Scenario files -> validated :class:`Scenario`.

Stages: read ``scenario.yaml``; apply variants and overrides; validate the configuration against
the strict schema; read and check every table; check the references between them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from time import perf_counter
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

from lup_opt.errors import IssueCollector, ScenarioError, did_you_mean
from lup_opt.ldn_rules import (
    COVER_CLASSES,
    DEFAULT_CROPLAND_FACTORS,
    UNCCD_LAND_COVER_MATRIX,
)
from lup_opt.safe_paths import excerpt, path_problem, resolve
from lup_opt.scenario import safe_input, schemas, workbook
from lup_opt.scenario.checks import check_config_references, check_tables
from lup_opt.scenario.config import ScenarioConfig
from lup_opt.scenario.grid import read_grid
from lup_opt.scenario.overrides import apply_variants_and_overrides, comma_hints
from lup_opt.scenario.provenance import read_baseline_source
from lup_opt.scenario.scenario import Scenario
from lup_opt.scenario.tables import LINE, Column, Kind, TableSchema, read_table

logger = logging.getLogger(__name__)

SCENARIO_FILE = "scenario.yaml"


def load_scenario(
    path: str | Path,
    variants: Sequence[str] | str | None = (),
    overrides: Sequence[str] | Mapping[str, Any] | None = (),
    allow_outside: bool = False,
) -> Scenario:
    """Load, merge and validate a scenario folder (or its ``scenario.yaml``, or a ``scenario.xlsx``
    workbook: :mod:`lup_opt.scenario.workbook`).

    ``variants`` are names defined under the scenario's ``variants`` key (a list, or one
    comma-separated string), applied in order; ``overrides`` are ``"key=value"`` strings or a
    mapping of dotted keys, applied last. Raises :class:`ScenarioError` listing every problem.
    Every file the scenario names must lie inside its folder unless ``allow_outside``.
    """
    if workbook.is_workbook(path):  # scenario.xlsx (or a folder of one): read as a folder, problems told by sheet
        return workbook.load_workbook(path, load_scenario, variants=variants, overrides=overrides)
    start = perf_counter()
    folder, yaml_path = _locate(Path(path))
    variant_names = _split_names(variants)
    overrides = overrides or ()
    raw = _read_yaml(yaml_path)
    effective = apply_variants_and_overrides(raw, variant_names, overrides, SCENARIO_FILE)
    config = _validate_config(effective, variant_names, comma_hints(overrides))
    safe_input.check_finite(config, SCENARIO_FILE, f" (after variants {', '.join(variant_names)})"
                            if variant_names else "")
    outside = safe_input.check_paths(folder, config, SCENARIO_FILE, allow_outside)
    with safe_input.unquoted(outside):  # nothing of a file outside the folder is quoted
        tables = _read_tables(folder, config)
        check_config_references(config, tables)
    if config.geometry is not None and not _table_path(folder, config.geometry.file).is_file():
        raise ScenarioError.single(SCENARIO_FILE, "geometry.file",
                                   f"file not found (looked for {_table_path(folder, config.geometry.file)})")
    override_list = (
        tuple(f"{k}={v}" for k, v in overrides.items())
        if isinstance(overrides, Mapping)
        else tuple(overrides)
    )
    scenario = Scenario(
        folder=folder,
        config=config,
        variants=tuple(variant_names),
        overrides=override_list,
        content_hash=_content_hash(config, folder),
        grid=read_grid(folder),
        baseline_source=read_baseline_source(folder),
        load_seconds=perf_counter() - start,
        **tables,
    )
    logger.info(
        "loaded scenario '%s': %d land units, %d uses in %.2f s",
        config.name, len(scenario.units), len(scenario.uses), scenario.load_seconds,
    )
    return scenario


def _split_names(variants: Sequence[str] | str | None) -> list[str]:
    items = [variants] if isinstance(variants, str) else list(variants or ())
    return [name.strip() for item in items for name in item.split(",") if name.strip()]


def _locate(path: Path) -> tuple[Path, Path]:
    problem = path_problem(path)
    if problem:
        raise ScenarioError.single(excerpt(path, 80), "", problem)
    try:
        yaml_path = path / SCENARIO_FILE if path.is_dir() else path
        found = yaml_path.is_file()
    except OSError as exc:
        raise ScenarioError.single(str(path), "", f"cannot be read: {exc.strerror}") from None
    if not found:
        raise ScenarioError.single(
            str(path), "", f"no {SCENARIO_FILE} found; give a scenario folder or its {SCENARIO_FILE}"
        )
    folder = resolve(yaml_path.parent, str(path))
    if resolve(yaml_path, SCENARIO_FILE).parent != folder:
        raise ScenarioError.single(SCENARIO_FILE, "", "is a symlink leading outside the scenario folder; copy the "
                                                      "file into the folder")
    return folder, yaml_path


def _read_yaml(path: Path) -> dict[str, Any]:
    return safe_input.read_yaml(path, SCENARIO_FILE)


def _validate_config(effective: dict[str, Any], variants: Sequence[str],
                     hints: Mapping[tuple[str, ...], str] | None = None) -> ScenarioConfig:
    """The strict schema's verdict; ``hints`` (place -> text) are added to the first problem at or
    under each place (see :func:`comma_hints`)."""
    try:
        return ScenarioConfig.model_validate(effective)
    except ValidationError as exc:
        issues = IssueCollector()
        suffix = f" (after variants {', '.join(variants)})" if variants else ""
        unused = dict(hints or {})
        for error in exc.errors():
            loc = tuple(str(p) for p in error["loc"])
            where = ".".join(loc) + suffix
            message = _describe_error(error, loc)
            place = next((p for p in unused if loc[:len(p)] == p), None)
            if place is not None:
                message += f"; {unused.pop(place)}"
            issues.add(SCENARIO_FILE, where, message)
        issues.raise_if_any()
        raise  # pragma: no cover - raise_if_any always raises here


def _describe_error(error: dict[str, Any], loc: tuple[str, ...]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        known = _known_fields(loc[:-1])
        return f"unknown key '{loc[-1]}'{did_you_mean(loc[-1], known)}; allowed keys: {', '.join(known)}"
    if kind == "missing":
        return "this key is required"
    value = error.get("input")
    message = error["msg"].removeprefix("Value error, ")
    if isinstance(value, str | int | float | bool):
        return f"{message} (got {excerpt(repr(value), 60)})"
    return message


def _known_fields(loc: tuple[str, ...]) -> list[str]:
    """The keys allowed at ``loc`` of the configuration, for 'did you mean' hints."""
    node: Any = ScenarioConfig
    for part in loc:
        node = _unwrap(node)
        if isinstance(node, type) and issubclass(node, BaseModel):
            field = node.model_fields.get(part)
            if field is None:
                return []
            node = field.annotation
        elif typing.get_origin(node) in (dict, list):
            node = typing.get_args(node)[-1]
        else:
            return []
    node = _unwrap(node)
    if isinstance(node, type) and issubclass(node, BaseModel):
        return list(node.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip Optional/Annotated so that the model class or container shows."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                return _unwrap(arg)
    return annotation


def _table_path(folder: Path, relative: str) -> Path:
    return (folder / relative).resolve()


def _read_tables(folder: Path, config: ScenarioConfig) -> dict[str, Any]:
    paths = config.tables
    units = read_table(_table_path(folder, paths.units), schemas.UNITS, paths.units)
    attributes = tuple(c for c in units.columns if c not in schemas.UNIT_CORE_COLUMNS and c != LINE)
    _check_attribute_names(attributes, paths.units)
    baseline = read_table(_table_path(folder, paths.baseline), schemas.BASELINE, paths.baseline)
    uses = read_table(_table_path(folder, paths.uses), schemas.USES, paths.uses)
    indicators = tuple(config.indicators)

    def optional(relative: str | None, schema: TableSchema) -> pd.DataFrame:
        if relative is None:
            return _empty_table(schema)
        return read_table(_table_path(folder, relative), schema, relative)

    tables = {
        "units": units,
        "baseline": baseline,
        "uses": uses,
        "coefficients": optional(paths.coefficients, schemas.coefficients_schema(attributes)),
        "transitions": optional(paths.transitions, schemas.transitions_schema(indicators)),
        "exclusions": optional(paths.exclusions, schemas.exclusions_schema(attributes)),
        "productivity": optional(paths.productivity, schemas.PRODUCTIVITY),
        "population": optional(config.population.file if config.population else None, schemas.POPULATION),
        "food_links": optional(config.food.links if config.food else None, schemas.FOOD_LINKS),
        "finance_amounts": optional(config.finance.amounts if config.finance else None, schemas.FINANCE_AMOUNTS),
        "business_as_usual_plan": optional(config.ldn.business_as_usual.plan, schemas.PLAN),
        "attributes": attributes,
    }
    cropland_factors = {**DEFAULT_CROPLAND_FACTORS, **config.ldn.cropland_factor}
    tables["cropland_factors"] = cropland_factors
    tables["land_cover_matrix"] = _land_cover_matrix(folder, config.ldn.land_cover_matrix)
    check_tables(config, tables)
    # Baseline parts are rescaled to sum exactly to their unit's area (differences within the
    # stated tolerance come from rounding in the files) so that area rows are consistent.
    tables["baseline"] = _rescale_baseline(tables["baseline"], units)
    return tables


def _check_attribute_names(attributes: tuple[str, ...], label: str) -> None:
    issues = IssueCollector()
    for name in attributes:
        if name in schemas.RESERVED_NAMES:
            issues.add(label, "line 1", f"column '{name}' is a reserved name; rename the attribute")
    issues.raise_if_any()


def _empty_table(schema: TableSchema) -> pd.DataFrame:
    columns = {c.name: pd.Series([], dtype=object if c.kind in (Kind.ID, Kind.TEXT, Kind.CHOICE) else float)
               for c in schema.columns}
    frame = pd.DataFrame(columns)
    frame[LINE] = pd.Series([], dtype=np.int64)
    return frame


_MATRIX_SCHEMA = TableSchema(
    name="land_cover_matrix",
    columns=(Column("from", Kind.CHOICE, choices=tuple(c.value for c in COVER_CLASSES)),)
    + tuple(Column(c.value, Kind.INT, choices=("-1", "0", "1")) for c in COVER_CLASSES),
    unique=("from",),
    min_rows=len(COVER_CLASSES),
)


def _land_cover_matrix(folder: Path, relative: str | None) -> np.ndarray:
    if relative is None:
        return UNCCD_LAND_COVER_MATRIX.copy()
    table = read_table(_table_path(folder, relative), _MATRIX_SCHEMA, relative)
    order = {c.value: i for i, c in enumerate(COVER_CLASSES)}
    matrix = np.zeros((len(COVER_CLASSES), len(COVER_CLASSES)), dtype=np.int8)
    rows = table["from"].map(order).to_numpy()
    for j, cover in enumerate(COVER_CLASSES):
        matrix[rows, j] = table[cover.value].to_numpy()
    return matrix


def _rescale_baseline(baseline: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    unit_row = pd.Index(units["id"]).get_indexer(baseline["land_unit"])
    given = baseline["area_ha"].to_numpy(dtype=float)
    sums = np.bincount(unit_row, weights=given, minlength=len(units))[unit_row]
    scaled = baseline.copy()
    scaled["area_ha"] = given * (units["area_ha"].to_numpy(dtype=float)[unit_row] / sums)
    return scaled[scaled["area_ha"] > 0].reset_index(drop=True)


def _content_hash(config: ScenarioConfig, folder: Path) -> str:
    """SHA-256 of the effective configuration and the bytes of every table it uses."""
    digest = hashlib.sha256()
    digest.update(json.dumps(config.model_dump(mode="json"), sort_keys=True).encode())
    files = [v for v in config.tables.model_dump().values() if v]
    extra = (config.ldn.land_cover_matrix, config.population and config.population.file,
             config.food and config.food.links, config.finance and config.finance.amounts,
             config.ldn.business_as_usual.plan)
    files += [f for f in extra if f]
    for relative in sorted(files):
        digest.update(relative.encode())
        digest.update(_table_path(folder, relative).read_bytes())
    return digest.hexdigest()
