"""The raster grid of a scenario made by ``lup-opt grid`` (its ``grid.json``), validated when
the scenario loads, so that later stages (GeoTIFF results, report maps) read a checked model and
never the file."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from lup_opt.errors import ScenarioError

GRID_FILE = "grid.json"


class Grid(BaseModel):
    """A north-up or rotated grid: ``transform`` is the affine (a, b, c, d, e, f) of GDAL/rasterio
    (x = a·col + b·row + c, y = d·col + e·row + f), ``crs`` any CRS text rasterio reads (WKT,
    ``EPSG:…``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    crs: Annotated[str, Field(min_length=1)]
    transform: tuple[float, float, float, float, float, float]
    width: Annotated[int, Field(ge=1, le=1_000_000)]
    height: Annotated[int, Field(ge=1, le=1_000_000)]

    @field_validator("transform")
    @classmethod
    def _finite_and_invertible(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if not all(math.isfinite(v) for v in value):
            raise ValueError("every number must be finite")
        a, b, _, d, e, _ = value
        if a * e - b * d == 0:
            raise ValueError("the cell size is zero (a·e − b·d = 0)")
        return value


def read_grid(folder: Path) -> Grid | None:
    """The scenario's ``grid.json`` (None when it has none); a clear error naming the field."""
    path = folder / GRID_FILE
    if not path.is_file():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScenarioError.single(GRID_FILE, "", f"cannot be read as JSON: {exc}") from None
    try:
        return Grid.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ScenarioError.single(GRID_FILE, where, first["msg"]) from None


__all__ = ["GRID_FILE", "Grid", "read_grid"]
