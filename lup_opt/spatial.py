"""Land-unit geometry in and ``allocation.gpkg`` out (optional extra ``lup_opt[geo]``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from lup_opt.errors import LupOptError

log = logging.getLogger(__name__)

GEOPACKAGE_LAYER = "land_units"


def _geopandas():
    try:
        import geopandas
    except ImportError:
        raise LupOptError("maps and GeoPackages need geopandas: pip install 'lup_opt[geo]'") from None
    return geopandas


def read_geometry(file: str | Path, id_column: str = "id", layer: str | None = None):
    """Land-unit outlines (GeoPackage, Shapefile, any GDAL vector format) keyed by unit id."""
    geopandas = _geopandas()
    path = Path(file)
    if not path.exists():
        raise LupOptError(f"{path}: geometry file not found (scenario.yaml: geometry.file)")
    frame = geopandas.read_file(path, layer=layer)
    if id_column not in frame.columns:
        raise LupOptError(f"{path}: no column '{id_column}' (geometry.id_column); columns are "
                          f"{', '.join(c for c in frame.columns if c != 'geometry')}")
    ids = frame[id_column].astype(str).str.strip()
    if ids.duplicated().any():
        first = int(ids.duplicated().to_numpy().nonzero()[0][0])
        raise LupOptError(f"{path}, feature {first + 1}, column '{id_column}': land unit '{ids.iloc[first]}' "
                          "has more than one outline")
    return frame.assign(**{id_column: ids})[[id_column, "geometry"]].rename(columns={id_column: "land_unit"})


def allocation_layer(land_units: pd.DataFrame, geometry: dict[str, Any]):
    """``land_units`` (one row per unit) joined to its outlines; units without one are logged."""
    outlines = read_geometry(geometry["file"], geometry.get("id_column", "id"), geometry.get("layer"))
    joined = outlines.merge(land_units.assign(land_unit=land_units["land_unit"].astype(str)), on="land_unit",
                            how="inner")
    missing = len(land_units) - len(joined)
    if missing:
        log.warning("%d land unit(s) have no outline in %s and are not on the map", missing, geometry["file"])
    return joined


def write_allocation_gpkg(land_units: pd.DataFrame, geometry: dict[str, Any], path: Path,
                          colours: Mapping[str, str] | None = None) -> Path:
    """``allocation.gpkg``: one feature per land unit with the attributes of ``land_units.csv``,
    and a default style (QML and SLD in ``layer_styles``) that colours it by planned use."""
    from lup_opt.styles import FALLBACK, store_layer_style

    layer = allocation_layer(land_units, geometry)
    layer.to_file(path, layer=GEOPACKAGE_LAYER, driver="GPKG")
    planned = sorted(layer["planned_use"].astype(str).unique())
    store_layer_style(path, GEOPACKAGE_LAYER, "planned_use", {u: (colours or {}).get(u, FALLBACK) for u in planned})
    return path
