"""LDN baselines from Trends.Earth (``lup-opt baseline``; ``lup_opt[geo]``): each land unit's
``baseline_status`` from the SDG 15.3.1 status GeoTIFF Trends.Earth writes, by area share.

Trends.Earth codes the SDG 15.3.1 indicator as -1 degraded, 0 stable, 1 improved (anything else,
e.g. -32768, is no data). Each unit's outline (the scenario's geometry, reprojected to the
raster's CRS) is laid on the raster; every cell whose centre falls inside counts with its area
(cells of a raster in degrees shrink with latitude), and a unit smaller than a cell takes the
cell under its centre. The class with the largest share is the unit's status; every share is
kept in ``baseline_source.csv``. Where given, the land productivity dynamics band (1 declining,
2 early signs of decline, 3 stable but stressed, 4 stable, 5 increasing) gives each unit a
``productivity_dynamics`` attribute (its majority class), and a land-type raster with a legend
(``code, value``) its ``land_type``.

The new scenario is a copy of the old with ``units.csv`` rewritten; ``baseline_source.json``
records the source (files, their SHA-256, the Trends.Earth summary if given, the shares' totals)
for the manifest of every solve of it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lup_opt.errors import LupOptError
from lup_opt.scenario.provenance import BASELINE_SOURCE

log = logging.getLogger(__name__)

STATUS_CODES = {-1: "degraded", 0: "stable", 1: "improved"}
LPD_CODES = {1: "declining", 2: "early_decline", 3: "stable_stressed", 4: "stable", 5: "increasing"}
SOURCE_JSON, SOURCE_TABLE = BASELINE_SOURCE, "baseline_source.csv"


def _libraries():
    try:
        import geopandas
        import rasterio
        from rasterio import features
    except ImportError:
        raise LupOptError("Trends.Earth rasters need rasterio and geopandas: pip install 'lup_opt[geo]'") from None
    return geopandas, rasterio, features


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def class_shares(outlines, raster: str | Path, codes: Mapping[int, str], band: int = 1) -> pd.DataFrame:
    """Area share of each class of ``codes`` (and ``no_data``) in each outline: one row per
    outline (index as ``outlines``), a column per class name."""
    _, rasterio, features = _libraries()
    raster = Path(raster)
    if not raster.is_file():
        raise LupOptError(f"{raster}: file not found")
    with rasterio.open(raster) as source:
        if source.crs is None:
            raise LupOptError(f"{raster}: the raster has no CRS; Trends.Earth writes one (EPSG:4326)")
        if band > source.count:
            raise LupOptError(f"{raster}: has {source.count} band(s), not band {band}")
        values = source.read(band)
        transform, crs, shape = source.transform, source.crs, (source.height, source.width)
    shapes = outlines.to_crs(crs)
    # each cell's unit: 0 none, k + 1 the k-th outline (cells whose centre is inside)
    owner = features.rasterize(((geom, k + 1) for k, geom in enumerate(shapes.geometry)), out_shape=shape,
                               transform=transform, fill=0, dtype="int32")
    rows = np.arange(shape[0])
    if crs.is_geographic:  # a cell's area shrinks with the cosine of its latitude
        latitude = transform.f + (rows + 0.5) * transform.e
        weight = np.repeat(np.cos(np.radians(latitude))[:, None], shape[1], axis=1)
    else:
        weight = np.ones(shape)
    names = [*codes.values(), "no_data"]
    index = {code: k for k, code in enumerate(codes)}
    klass = np.full(shape, len(codes), dtype=np.int64)
    for code, k in index.items():
        klass[values == code] = k
    inside = owner > 0
    n = len(shapes)
    sums = np.zeros((n, len(names)))
    np.add.at(sums, (owner[inside] - 1, klass[inside]), weight[inside])
    empty = sums.sum(axis=1) == 0
    if empty.any():  # smaller than a cell: the cell under the outline's centre
        points = shapes.geometry[empty].representative_point()
        row_col = [rasterio.transform.rowcol(transform, p.x, p.y) for p in points]
        for unit, (r, c) in zip(np.flatnonzero(empty), row_col, strict=True):
            if 0 <= r < shape[0] and 0 <= c < shape[1]:
                sums[unit, klass[r, c]] = 1.0
            else:
                sums[unit, -1] = 1.0
    totals = sums.sum(axis=1, keepdims=True)
    return pd.DataFrame(sums / np.where(totals == 0, 1, totals), columns=names, index=outlines.index)


def _majority(shares: pd.DataFrame, names: list[str]) -> pd.Series:
    return shares[names].idxmax(axis=1).where(shares[names].sum(axis=1) > 0)


def baseline_from_trends_earth(scenario: str | Path, status: str | Path, out: str | Path, *,
                               productivity: str | Path | None = None, land_type: str | Path | None = None,
                               land_type_legend: str | Path | None = None, summary: str | Path | None = None,
                               status_band: int = 1) -> Path:
    """Write the scenario ``scenario`` with its units' baseline status (and productivity dynamics,
    land type) from Trends.Earth rasters as a new scenario folder ``out`` (see the module docstring)."""
    geopandas, _, _ = _libraries()
    from lup_opt.safe_paths import write_folder
    from lup_opt.scenario.loader import load_scenario

    loaded = load_scenario(scenario)
    if loaded.config.geometry is None:
        raise LupOptError(f"{scenario}: the scenario has no geometry (scenario.yaml: geometry), so its land units "
                          "cannot be laid on the raster; add the units' outlines (lup-opt init --parcels makes them)")
    geometry = loaded.config.geometry
    outlines = geopandas.read_file(loaded.folder / geometry.file, layer=geometry.layer)
    outlines = outlines.assign(land_unit=outlines[geometry.id_column].astype(str).str.strip()).set_index("land_unit")
    units = pd.read_csv(loaded.folder / loaded.config.tables.units, dtype=str, keep_default_na=False)
    missing = sorted(set(units["id"]) - set(outlines.index))
    if missing:
        raise LupOptError(f"{geometry.file}: land unit(s) {', '.join(missing[:5])} have no outline, so no status")
    outlines = outlines.loc[units["id"]]
    status_shares = class_shares(outlines, status, STATUS_CODES, status_band)
    chosen = _majority(status_shares, list(STATUS_CODES.values()))
    no_status = chosen.isna()
    if no_status.all():
        raise LupOptError(f"{status}: no cell of the raster lies under the land units (codes -1, 0, 1 of the SDG "
                          "15.3.1 status); is it the status band of the same area?")
    units["baseline_status"] = chosen.fillna(units.set_index("id")["baseline_status"]
                                             if "baseline_status" in units else "stable").to_numpy()
    table = status_shares.add_suffix("_share").reset_index().rename(columns={"index": "land_unit"})
    table["baseline_status"] = units["baseline_status"].to_numpy()
    if productivity is not None:
        lpd = class_shares(outlines, productivity, LPD_CODES)
        units["productivity_dynamics"] = _majority(lpd, list(LPD_CODES.values())).fillna("no_data").to_numpy()
        table = table.join(lpd.add_prefix("lpd_").add_suffix("_share").reset_index(drop=True))
    if land_type is not None:
        if land_type_legend is None:
            raise LupOptError("--land-type needs --land-type-legend (a CSV of code, value)")
        legend = pd.read_csv(land_type_legend)
        codes = {int(c): str(v) for c, v in zip(legend["code"], legend["value"], strict=True)}
        types = class_shares(outlines, land_type, codes)
        units["land_type"] = _majority(types, list(codes.values())).fillna(units["land_type"]).to_numpy()
    areas = units["area_ha"].astype(float).to_numpy()
    source = {"source": "Trends.Earth SDG 15.3.1", "status": {"file": Path(status).name, "band": status_band,
                                                              "sha256": _sha256(Path(status))},
              "units_without_status": int(no_status.sum()),
              "area_ha_by_status": {s: float(areas[units["baseline_status"].to_numpy() == s].sum())
                                    for s in STATUS_CODES.values()}}
    for label, path in (("productivity", productivity), ("land_type", land_type), ("summary", summary)):
        if path is not None:
            source[label] = {"file": Path(path).name, "sha256": _sha256(Path(path))}
    if summary is not None and Path(summary).suffix.lower() == ".json":
        source["summary"]["content"] = _summary(Path(summary))
    with write_folder(out, protect=[loaded.folder], label="--out", marker=False) as tmp:
        shutil.copytree(loaded.folder, tmp, symlinks=True, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(f".{Path(out).name}.*"))
        units.to_csv(tmp / loaded.config.tables.units, index=False)
        table.to_csv(tmp / SOURCE_TABLE, index=False)
        (tmp / SOURCE_JSON).write_text(json.dumps(source, indent=2), encoding="utf-8")
    log.info("%s: baseline status of %d units from %s", out, len(units), status)
    return Path(out)


def _summary(path: Path) -> Any:
    """A Trends.Earth summary JSON, kept as it is when small (its totals say what the raster holds)."""
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LupOptError(f"{path}: not a readable JSON summary ({type(exc).__name__})") from None
    return content if len(json.dumps(content)) < 20_000 else "(too large to keep; see the file)"
