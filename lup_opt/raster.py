"""Grid scenarios from GeoTIFF rasters, and results back as GeoTIFF (``lup_opt[geo]``: rasterio).

``scenario_from_rasters`` turns aligned rasters (land cover, jurisdiction, land type, zone,
optionally climate and baseline status) into land units, one per cell with data: id
``r<row>c<col>``, area from the cell size (a projected CRS in metres), attributes and baseline
use from a legend. Everything else (uses, coefficients, targets, ...) comes from a template
scenario folder, copied. ``grid.json`` records the grid, so every solve of the new scenario
also writes ``planned_use.tif``, ``changed_share.tif`` and ``ldn_status.tif``.

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

log = logging.getLogger(__name__)

GRID = "grid.json"
LAYERS = ("land_cover", "jurisdiction", "land_type", "zone", "climate", "baseline_status")
REQUIRED = ("land_cover", "jurisdiction", "land_type", "zone")
NODATA_CODE = 255
STATUS_CODES = {"loss": -1, "neutral": 0, "gain": 1}


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


def write_geotiffs(land_units: pd.DataFrame, grid_file: str | Path, folder: Path,
                   colours: Mapping[str, str] | None = None) -> list[Path]:
    """``planned_use.tif`` (uint8 codes with a colour table by use and the use names as band
    tags; ``planned_use_legend.csv``), ``changed_share.tif`` and ``ldn_status.tif`` (-1 loss,
    0 neutral, 1 gain) on the scenario's grid."""
    from lup_opt.styles import FALLBACK, rgb

    rasterio = _rasterio()
    from rasterio.transform import Affine

    grid = json.loads(Path(grid_file).read_text(encoding="utf-8"))
    where = land_units["land_unit"].astype(str).str.extract(r"^r(\d+)c(\d+)$")
    if where.isna().any().any():
        raise LupOptError(f"{grid_file}: land unit ids must be r<row>c<col> (made by lup-opt grid)")
    rows, cols = where[0].astype(int).to_numpy(), where[1].astype(int).to_numpy()
    shape = (grid["height"], grid["width"])
    uses = sorted(land_units["planned_use"].unique())
    if len(uses) >= NODATA_CODE:
        raise LupOptError("planned_use.tif holds at most 254 uses")
    profile = {"driver": "GTiff", "height": shape[0], "width": shape[1], "count": 1, "crs": grid["crs"],
               "transform": Affine(*grid["transform"]), "compress": "deflate"}
    layers = {
        "planned_use": (np.uint8, NODATA_CODE, land_units["planned_use"].map({u: k for k, u in enumerate(uses)})),
        "changed_share": (np.float32, np.nan, land_units["changed_ha"] / land_units["area_ha"]),
        "ldn_status": (np.int8, -128, land_units["ldn_status"].map(STATUS_CODES)),
    }
    written = []
    for name, (dtype, nodata, values) in layers.items():
        image = np.full(shape, nodata, dtype=dtype)
        image[rows, cols] = values.to_numpy().astype(dtype)
        path = folder / f"{name}.tif"
        with rasterio.open(path, "w", dtype=dtype, nodata=nodata, **profile) as target:
            target.write(image, 1)
            if name == "planned_use":  # GIS software shows the plan coloured by use, with names
                target.write_colormap(1, {k: (*rgb((colours or {}).get(u, FALLBACK)), 255) for k, u in enumerate(uses)})
                target.update_tags(1, **{f"CATEGORY_{k}": u for k, u in enumerate(uses)})
                target.set_band_description(1, "planned use (see CATEGORY_<code> tags, planned_use_legend.csv)")
        written.append(path)
    pd.DataFrame({"code": range(len(uses)), "use": uses,
                  "color": [(colours or {}).get(u, FALLBACK) for u in uses]}).to_csv(
        folder / "planned_use_legend.csv", index=False)
    return written
