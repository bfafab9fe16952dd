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
    """``land_units`` (one row per unit, or per unit and year) joined to its outlines; units
    without one are logged."""
    outlines = read_geometry(geometry["file"], geometry.get("id_column", "id"), geometry.get("layer"))
    _warn_missing(land_units, outlines, geometry)
    return _join(outlines, land_units)


def _join(outlines, land_units: pd.DataFrame):
    return outlines.merge(land_units.assign(land_unit=land_units["land_unit"].astype(str)), on="land_unit",
                          how="inner")


def _warn_missing(land_units: pd.DataFrame, outlines, geometry: dict[str, Any]) -> None:
    missing = (~land_units["land_unit"].astype(str).drop_duplicates().isin(outlines["land_unit"])).sum()
    if missing:
        log.warning("%d land unit(s) have no outline in %s and are not on the map", missing, geometry["file"])


def year_layer(year: int) -> str:
    """Name of the GeoPackage layer of one planning year."""
    return f"{GEOPACKAGE_LAYER}_{int(year)}"


def write_allocation_gpkg(land_units: pd.DataFrame, geometry: dict[str, Any], path: Path,
                          colours: Mapping[str, str] | None = None, assessment_year: int | None = None) -> Path:
    """``allocation.gpkg``: layer ``land_units`` (the assessment year; ``None``: the table's last
    year) and one layer ``land_units_<year>`` per planning year, one feature per land unit with
    the attributes of ``land_units.csv``, each with a default style (QML and SLD in
    ``layer_styles``) that colours it by planned use. Every layer's style lists the uses planned
    in any year, so a use keeps its colour and place in the legend from year to year."""
    from lup_opt.results.land_units import year_rows
    from lup_opt.styles import FALLBACK, store_layer_style

    outlines = read_geometry(geometry["file"], geometry.get("id_column", "id"), geometry.get("layer"))
    _warn_missing(land_units, outlines, geometry)
    years = sorted(int(y) for y in land_units["year"].unique())
    assessment = years[-1] if assessment_year is None else int(assessment_year)
    if assessment not in years:
        raise LupOptError(f"assessment year {assessment} is not a planning year of land_units ({years})")
    planned = sorted(land_units["planned_use"].astype(str).unique())
    style = {u: (colours or {}).get(u, FALLBACK) for u in planned}
    layers = {GEOPACKAGE_LAYER: assessment, **{year_layer(y): y for y in years}}
    for name, year in layers.items():
        layer = _join(outlines, year_rows(land_units, year))
        layer.to_file(path, layer=name, driver="GPKG")
        store_layer_style(path, name, "planned_use", style, f"land units in {year} coloured by planned use")
    log.info("%s: layers %s", path.name, ", ".join(layers))
    return path
