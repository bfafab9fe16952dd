"""Grid scenarios from GeoTIFF rasters, and results back as GeoTIFF (``lup_opt[geo]``: rasterio).

``scenario_from_rasters`` turns aligned rasters (land cover, jurisdiction, land type, zone,
optionally climate and baseline status) into land units, one per cell with data: id
``r<row>c<col>``, area from the cell size (a projected CRS in metres), attributes and baseline
use from a legend. Everything else (uses, coefficients, targets, ...) comes from a template
scenario folder, copied. ``grid.json`` records the grid, so every solve of the new scenario
also writes ``planned_use.tif``, ``changed_share.tif`` and ``ldn_status.tif`` (the assessment
year) and the same per planning year (``planned_use_<year>.tif``, ...).

Legend CSV columns: ``layer`` (land_cover | jurisdiction | land_type | zone | climate |
baseline_status), ``code`` (the integer in the raster), ``value`` (the use, jurisdiction, ...).
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from lup_opt.errors import LupOptError
from lup_opt.scenario.grid import GRID_FILE, Grid

log = logging.getLogger(__name__)

GRID = GRID_FILE
LAYERS = ("land_cover", "jurisdiction", "land_type", "zone", "climate", "baseline_status")
REQUIRED = ("land_cover", "jurisdiction", "land_type", "zone")
NODATA_CODE = 255
# uint8 (not -1/0/1): GeoTIFF colour tables are only for unsigned bytes or shorts.
STATUS_CODES = {"loss": 0, "neutral": 1, "gain": 2}


def _rasterio():
    try:
        import rasterio
    except ImportError:
        raise LupOptError("GeoTIFF needs rasterio: pip install 'lup_opt[geo]'") from None
    return rasterio


def _read_legend(path: Path) -> dict[str, dict[int, str]]:
    from lup_opt.safe_paths import excerpt

    try:
        legend = pd.read_csv(path, dtype={"layer": str, "value": str})
    except (OSError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise LupOptError(f"{path}: not a readable CSV legend ({type(exc).__name__}); columns layer, code, value"
                          ) from None
    missing = {"layer", "code", "value"} - set(legend.columns)
    if missing:
        raise LupOptError(f"{path}: missing column(s) {', '.join(sorted(missing))} (layer, code, value)")
    out: dict[str, dict[int, str]] = {}
    for row, (layer, code, value) in enumerate(legend[["layer", "code", "value"]].itertuples(index=False), start=2):
        if layer not in LAYERS:
            raise LupOptError(f"{path}, row {row}, column 'layer': '{excerpt(layer)}' is not one of {', '.join(LAYERS)}")
        try:
            out.setdefault(layer, {})[int(code)] = str(value).strip()
        except (TypeError, ValueError):
            raise LupOptError(f"{path}, row {row}, column 'code': '{excerpt(code)}' is not a whole number") from None
    return out


def scenario_from_rasters(template: str | Path, rasters: Mapping[str, str | Path], legend: str | Path,
                          out: str | Path, climate: str | None = None) -> Path:
    """Write a scenario folder at ``out``: the ``template`` scenario with land units and baseline
    made from the rasters (keys of ``LAYERS``; a single ``climate`` may replace its raster)."""
    rasterio = _rasterio()
    template, out, legend = Path(template), Path(out), Path(legend)
    missing = [layer for layer in REQUIRED if layer not in rasters]
    if missing or (climate is None and "climate" not in rasters):
        raise LupOptError(f"rasters needed: {', '.join(missing or ['climate (or give one climate)'])}")
    if out.exists():
        raise LupOptError(f"{out}: already exists; give a new folder")
    for layer, path in [*rasters.items(), ("legend", legend)]:
        if not Path(path).is_file():
            raise LupOptError(f"{path}: file not found (the {layer} {'table' if layer == 'legend' else 'raster'})")
    codes = _read_legend(legend)
    arrays, profile = {}, None
    for layer, path in rasters.items():
        with rasterio.open(path) as source:
            if profile is None:
                profile = {"crs": source.crs, "transform": source.transform, "width": source.width,
                           "height": source.height}
                if source.crs is None or not source.crs.is_projected:
                    raise LupOptError(f"{path}: the grid needs a projected CRS in metres to give cell areas")
            elif (source.transform, source.width, source.height) != (profile["transform"], profile["width"],
                                                                    profile["height"]):
                raise LupOptError(f"{path}: not aligned with {rasters[REQUIRED[0]]} (same grid, cell size and extent)")
            band = source.read(1, masked=True)
            arrays[layer] = band
    valid = ~np.logical_or.reduce([np.ma.getmaskarray(a) for a in arrays.values()])
    rows, cols = np.nonzero(valid)
    cell_ha = abs(profile["transform"].a * profile["transform"].e) / 10_000.0
    columns: dict[str, Any] = {"id": [f"r{r}c{c}" for r, c in zip(rows, cols, strict=True)], "area_ha": cell_ha}
    for layer, band in arrays.items():
        values = np.asarray(band.data)[rows, cols].astype(np.int64)
        lookup = codes.get(layer, {})
        unknown = sorted(set(np.unique(values)) - set(lookup))
        if unknown:
            raise LupOptError(f"{rasters[layer]}: code(s) {', '.join(map(str, unknown[:10]))} of layer '{layer}' "
                              f"are not in {legend}")
        columns[layer] = pd.Series(values).map(lookup).to_numpy()
    if climate is not None:
        columns["climate"] = climate
    units = pd.DataFrame(columns)
    baseline = pd.DataFrame({"land_unit": units["id"], "use": units.pop("land_cover"), "area_ha": cell_ha})
    from lup_opt.safe_paths import write_folder
    from lup_opt.scenario.safe_input import read_yaml

    # The one write protocol: written beside, swapped into place when complete. Symlinks are
    # copied as symlinks, so that loading the new scenario still refuses one leading outside.
    with write_folder(out, protect=[template], label="--out", marker=False) as tmp:
        shutil.copytree(template, tmp, symlinks=True, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(f".{out.name}.*"))
        config = read_yaml(tmp / "scenario.yaml", "scenario.yaml")
        tables = config.setdefault("tables", {})
        tables["units"], tables["baseline"] = "units.csv", "baseline.csv"
        config.pop("geometry", None)
        (tmp / "scenario.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        units.to_csv(tmp / "units.csv", index=False)
        baseline.to_csv(tmp / "baseline.csv", index=False)
        (tmp / GRID).write_text(json.dumps({"crs": profile["crs"].to_wkt(),
                                            "transform": list(profile["transform"])[:6],
                                            "width": profile["width"], "height": profile["height"]}, indent=2),
                                encoding="utf-8")
    log.info("%s: %d land units from %d x %d cells", out, len(units), profile["height"], profile["width"])
    return out


def write_geotiffs(land_units: pd.DataFrame, grid: Grid | Mapping[str, Any], folder: Path,
                   colours: Mapping[str, str] | None = None, assessment_year: int | None = None) -> list[Path]:
    """On the scenario's grid, for every planning year ``planned_use_<year>.tif`` (uint8 codes
    with a colour table by use and the use names as ``CATEGORY_<code>`` band tags; one code per
    use over all years, in ``planned_use_legend.csv``), ``changed_share_<year>.tif`` and
    ``ldn_status_<year>.tif`` (0 loss, 1 neutral, 2 gain, coloured and named likewise); and the
    same three without a year for the assessment year (``None``: the table's last year)."""
    from lup_opt.styles import FALLBACK, STATUS_COLOURS

    _rasterio()  # a missing extra is said before anything is written
    grid = Grid.model_validate(grid).model_dump()
    where = land_units["land_unit"].astype(str).str.extract(r"^r(\d+)c(\d+)$")
    if where.isna().any().any():
        raise LupOptError("land unit ids must be r<row>c<col> on a grid (made by lup-opt grid)")
    cells = (where[0].astype(int).to_numpy(), where[1].astype(int).to_numpy())
    uses = sorted(land_units["planned_use"].unique())
    if len(uses) >= NODATA_CODE:
        raise LupOptError("planned_use.tif holds at most 254 uses")
    use_colours = {u: (colours or {}).get(u, FALLBACK) for u in uses}
    codes = {u: k for k, u in enumerate(uses)}
    use_categories = {k: (u, use_colours[u]) for u, k in codes.items()}
    status_categories = {k: (s, STATUS_COLOURS[s]) for s, k in STATUS_CODES.items()}
    years = land_units["year"].to_numpy()
    planning = sorted({int(y) for y in years})
    assessment = planning[-1] if assessment_year is None else int(assessment_year)
    if assessment not in planning:
        raise LupOptError(f"assessment year {assessment} is not a planning year of land_units ({planning})")
    written = []
    for suffix, year in [("", assessment), *((f"_{y}", y) for y in planning)]:
        in_year = years == year
        rows = land_units[in_year]
        where_year = (cells[0][in_year], cells[1][in_year])
        written += [
            _write_raster(folder / f"planned_use{suffix}.tif", grid, where_year, rows["planned_use"].map(codes),
                          np.uint8, NODATA_CODE, f"planned use in {year}", use_categories),
            _write_raster(folder / f"changed_share{suffix}.tif", grid, where_year,
                          rows["changed_ha"] / rows["area_ha"], np.float32, np.nan,
                          f"share of the cell whose use changed from the baseline by {year}"),
            _write_raster(folder / f"ldn_status{suffix}.tif", grid, where_year, rows["ldn_status"].map(STATUS_CODES),
                          np.uint8, NODATA_CODE, f"LDN status in {year}", status_categories),
        ]
    pd.DataFrame({"code": range(len(uses)), "use": uses, "color": list(use_colours.values())}).to_csv(
        folder / "planned_use_legend.csv", index=False)
    log.info("%s: GeoTIFFs of %d planning year(s), assessment year %d", folder, len(planning), assessment)
    return written


def _write_raster(path: Path, grid: Mapping[str, Any], cells: tuple[np.ndarray, np.ndarray], values: pd.Series,
                  dtype, nodata, description: str, categories: Mapping[int, tuple[str, str]] | None = None) -> Path:
    """One band on the grid; with ``categories`` (code -> name, colour) a colour table
    and ``CATEGORY_<code>`` tags, so GIS software shows it coloured and named."""
    rasterio = _rasterio()
    from rasterio.transform import Affine

    from lup_opt.styles import rgb

    image = np.full((grid["height"], grid["width"]), nodata, dtype=dtype)
    image[cells] = values.to_numpy().astype(dtype)
    with rasterio.open(path, "w", driver="GTiff", height=grid["height"], width=grid["width"], count=1,
                       crs=grid["crs"], transform=Affine(*grid["transform"]), compress="deflate", dtype=dtype,
                       nodata=nodata) as target:
        target.write(image, 1)
        if categories is not None:
            table = {k: (*rgb(colour), 255) for k, (_, colour) in categories.items()}
            target.write_colormap(1, {**table, int(nodata): (0, 0, 0, 0)})  # cells without land: transparent
            target.update_tags(1, **{f"CATEGORY_{k}": name for k, (name, _) in categories.items()})
            description += " (codes named by the CATEGORY_<code> tags)"
        target.set_band_description(1, description)
    return path
