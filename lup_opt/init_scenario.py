"""``lup-opt init``: a new scenario folder to start from, made by hand, from a parcel layer or from rasters.

* :func:`init_starter` writes a small working scenario (three land units, the tiny scenario's
  numbers) whose ``scenario.yaml`` explains every field in a comment: it validates and solves
  as written, and a planner replaces its tables with their own.
* :func:`init_from_parcels` builds the land units, baseline and geometry from a parcel layer
  (GeoPackage, Shapefile, any vector format GDAL reads): one land unit per parcel, its area from
  the outline (a projected CRS in metres), its jurisdiction, zone, land type and baseline use
  from the named fields. Uses, coefficients and LDN classes are defaults the planner then edits.
* :func:`init_from_rasters` does the same from land-cover / jurisdiction / land-type GeoTIFFs
  through :func:`lup_opt.raster.scenario_from_rasters` (one land unit per cell).

Every folder is written through the one write protocol (``lup_opt.safe_paths.write_folder``):
an existing folder that is not empty is never replaced.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lup_opt import init_text as text
from lup_opt.enums import CoverClass, Zone
from lup_opt.errors import LupOptError
from lup_opt.safe_paths import excerpt, write_folder

log = logging.getLogger(__name__)

DEFAULT_CLIMATE = "tropical_dry"
GEOMETRY_FILE = "units.gpkg"
# A use named in a parcel field gets the UNCCD cover class its name suggests (the planner checks
# it in uses.csv): the first pattern that matches, else other_land.
COVER_BY_NAME = (
    (r"forest|tree|wood|plantation|orchard", CoverClass.TREE_COVERED),
    (r"crop|farm|agri|arable|vegetable|maize|rice|cereal|field", CoverClass.CROPLAND),
    (r"grass|pasture|graz|range|meadow|savann|shrub", CoverClass.GRASSLAND),
    (r"wet|marsh|swamp|mangrove|peat", CoverClass.WETLAND),
    (r"water|river|lake|reservoir", CoverClass.WATER_BODY),
    (r"resid|urban|built|house|housing|industr|settle|road|commerc|artific|infra", CoverClass.ARTIFICIAL),
)
SEALED = (CoverClass.ARTIFICIAL,)


def cover_class_of(use: str) -> CoverClass:
    """The UNCCD cover class a use's name suggests (other_land when none does)."""
    for pattern, cover in COVER_BY_NAME:
        if re.search(pattern, use.lower()):
            return cover
    return CoverClass.OTHER_LAND


def new_folder(folder: str | Path) -> Path:
    """``folder`` when it does not exist or is empty; else LupOptError (nothing a user made is replaced)."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise LupOptError(f"init {folder}: exists and is not empty; nothing was changed. Give a new folder")
    return folder


def init_starter(folder: str | Path) -> Path:
    """Write the commented starter scenario into ``folder`` (new or empty)."""
    new_folder(folder)
    with write_folder(folder, label="init", marker=False) as tmp:
        (tmp / "scenario.yaml").write_text(text.starter_yaml(Path(folder).name), encoding="utf-8")
        for name, body in text.STARTER_TABLES.items():
            (tmp / name).write_text(body, encoding="utf-8")
        (tmp / "README.md").write_text(text.STARTER_README, encoding="utf-8")
    log.info("%s: starter scenario written", folder)
    return Path(folder)


def _geopandas():
    try:
        import geopandas
    except ImportError:
        raise LupOptError("parcel layers need geopandas: pip install 'lup_opt[geo]'") from None
    return geopandas


def read_parcels(path: str | Path, id_field: str, fields: Mapping[str, str | None], layer: str | None = None):
    """The parcel layer with its fields checked: the id unique and filled, every named field
    present, every outline a valid polygon, a projected CRS in metres (areas)."""
    geopandas = _geopandas()
    path = Path(path)
    if not path.exists():
        raise LupOptError(f"{path}: parcel layer not found")
    try:
        frame = geopandas.read_file(path, layer=layer)
    except Exception as exc:  # noqa: BLE001 - GDAL's errors have many types; the user needs the file and reason
        raise LupOptError(f"{path}: not a readable vector layer ({type(exc).__name__}: {excerpt(exc, 120)})") from None
    columns = [c for c in frame.columns if c != frame.geometry.name]
    for option, field in {"--id": id_field, **{f"--{k.replace('_', '-')}": v for k, v in fields.items()}}.items():
        if field is not None and field not in frame.columns:
            raise LupOptError(f"{path}: no field '{field}' ({option}); the layer's fields are "
                              f"{', '.join(columns) or 'none'}")
    if frame.empty:
        raise LupOptError(f"{path}: the layer has no features")
    if frame.crs is None:
        raise LupOptError(f"{path}: the layer has no CRS; set a projected CRS in metres (e.g. the UTM zone) in QGIS")
    if not frame.crs.is_projected:
        raise LupOptError(f"{path}: CRS {frame.crs.to_string()} is not projected; reproject the layer to a CRS in "
                          "metres (e.g. the UTM zone) so that parcel areas can be measured")
    ids = frame[id_field].astype(str).str.strip()
    _refuse_rows(path, frame, id_field, (frame[id_field].isna() | ids.eq("")).to_numpy(),
                 f"field '{id_field}' (--id) is empty")
    _refuse_rows(path, frame, id_field, ids.duplicated(keep=False).to_numpy(),
                 f"the id in '{id_field}' (--id) is shared with another parcel; ids must be unique")
    geometry = frame.geometry
    _refuse_rows(path, frame, id_field, geometry.isna().to_numpy() | geometry.is_empty.to_numpy(),
                 "has no outline")
    _refuse_rows(path, frame, id_field, ~geometry.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy(),
                 "is not a polygon (parcels are areas)")
    _refuse_rows(path, frame, id_field, ~geometry.is_valid.to_numpy(),
                 "has an invalid outline (e.g. it crosses itself); repair it (QGIS: Fix geometries)")
    for option, field in fields.items():
        if field is not None:
            _refuse_rows(path, frame, id_field, (frame[field].isna() | frame[field].astype(str).str.strip().eq(""))
                         .to_numpy(), f"field '{field}' (--{option.replace('_', '-')}) is empty")
    return frame.assign(**{id_field: ids})


def _refuse_rows(path: Path, frame, id_field: str, bad, reason: str) -> None:
    if bad.any():
        rows = bad.nonzero()[0]
        first = int(rows[0])
        more = f" (and {len(rows) - 1} more)" if len(rows) > 1 else ""
        raise LupOptError(f"{path}, feature {first + 1} ({id_field} '{excerpt(frame[id_field].iloc[first])}'): "
                          f"{reason}{more}")


def init_from_parcels(folder: str | Path, parcels: str | Path, *, id_field: str, jurisdiction: str,
                      zone: str | None = None, land_type: str | None = None, use: str | None = None,
                      layer: str | None = None, climate: str = DEFAULT_CLIMATE) -> Path:
    """A scenario folder with one land unit per parcel (see the module docstring)."""
    import pandas as pd

    new_folder(folder)
    fields = {"jurisdiction": jurisdiction, "zone": zone, "land_type": land_type, "use": use}
    frame = read_parcels(parcels, id_field, fields, layer)
    zones = frame[zone].astype(str).str.strip() if zone else pd.Series("rural", index=frame.index)
    known = [z.value for z in Zone]
    unknown = ~zones.isin(known)
    if unknown.any():
        _refuse_rows(Path(parcels), frame, id_field, unknown.to_numpy(),
                     f"zone '{excerpt(zones[unknown].iloc[0])}' in field '{zone}' (--zone) is not one of "
                     f"{', '.join(known)}; recode the field")
    units = pd.DataFrame({
        "id": frame[id_field].to_numpy(),
        "area_ha": (frame.geometry.area / 10_000.0).round(4).to_numpy(),
        "jurisdiction": frame[jurisdiction].astype(str).str.strip().to_numpy(),
        "zone": zones.to_numpy(),
        "land_type": frame[land_type].astype(str).str.strip().to_numpy() if land_type else "all",
        "climate": climate,
        "baseline_status": "stable",
    })
    uses = frame[use].astype(str).str.strip().to_numpy() if use else "crop"
    baseline = pd.DataFrame({"land_unit": units["id"], "use": uses, "area_ha": units["area_ha"]})
    outlines = frame[[id_field, frame.geometry.name]].rename(columns={id_field: "id"})
    return _write_scaffold(folder, units, baseline, outlines, protect=[Path(parcels).parent],
                           source=f"{Path(parcels).name} (one land unit per parcel)")


def _write_scaffold(folder: str | Path, units, baseline, outlines=None, *, protect: Sequence[Path] = (),
                    source: str) -> Path:
    """The scenario folder for these units and baseline: default uses, coefficients, transitions
    and a feasible cereal target (90% of the baseline harvest), commented as the starter is."""
    tables = scaffold_tables(sorted(set(baseline["use"])), baseline, units)
    with write_folder(folder, protect=protect, label="init", marker=False) as tmp:
        (tmp / "scenario.yaml").write_text(
            text.scaffold_yaml(Path(folder).name, source, tables["cereal_target"],
                               GEOMETRY_FILE if outlines is not None else None), encoding="utf-8")
        units.to_csv(tmp / "units.csv", index=False)
        baseline.to_csv(tmp / "baseline.csv", index=False)
        for name in ("uses", "coefficients", "transitions"):
            tables[name].to_csv(tmp / f"{name}.csv", index=False)
        if outlines is not None:
            outlines.to_file(tmp / GEOMETRY_FILE, layer="units", driver="GPKG")
        (tmp / "README.md").write_text(text.scaffold_readme(source), encoding="utf-8")
    log.info("%s: %d land units from %s", folder, len(units), source)
    return Path(folder)


DEFAULT_USES = {  # id: sector, cover class, sealed, SOC factor, productivity, description
    "crop": ("agriculture", CoverClass.CROPLAND, False, 1.0, 0, "rainfed crops"),
    "grass": ("grazing", CoverClass.GRASSLAND, False, 1.0, 0, "extensive grazing"),
    "forest": ("forestry", CoverClass.TREE_COVERED, False, 1.0, 0, "forest or planted forest"),
    "settlement": ("housing", CoverClass.ARTIFICIAL, True, 1.0, 0, "built-up land"),
    "restoration": ("restoration", CoverClass.GRASSLAND, False, 1.17, 1, "assisted natural regeneration"),
}
CEREAL_T_PER_HA = 2.0  # a default yield; the planner sets their own in coefficients.csv
# from, to, cost (kUSD per ha), reason: the default changes of use, any other is not allowed
DEFAULT_CHANGES = (
    ("crop", "forest", 4.0, "afforestation"), ("grass", "forest", 4.0, "afforestation"),
    ("crop", "restoration", 2.0, "restoring degraded cropland"), ("grass", "restoration", 2.0, "reseeding"),
    ("crop", "settlement", 10.0, "serviced residential land"),
)


def scaffold_tables(found_uses: Sequence[str], baseline, units) -> dict[str, Any]:
    """uses, coefficients and transitions tables for the default uses and those found in the
    data (cover class from the name), and the cereal target's value (t)."""
    import pandas as pd

    rows = [(u, *v) for u, v in DEFAULT_USES.items()]
    for use in found_uses:
        if use not in DEFAULT_USES:
            cover = cover_class_of(use)
            rows.append((use, "other", cover, cover in SEALED, 1.0, 0,
                         f"from the input data; check cover_class ({cover.value} guessed from the name)"))
    uses = pd.DataFrame(rows, columns=["id", "sector", "cover_class", "sealed", "soc_management_factor",
                                       "productivity", "description"])
    uses["cover_class"] = uses["cover_class"].map(lambda c: c.value)
    uses["sealed"] = uses["sealed"].map(lambda s: "true" if s else "false")
    crop_uses = uses.loc[uses["cover_class"] == CoverClass.CROPLAND.value, "id"].tolist()
    coefficients = pd.DataFrame({"indicator": "cereal_t", "use": crop_uses, "value": CEREAL_T_PER_HA})
    changes = [c for c in DEFAULT_CHANGES if c[0] in set(uses["id"])]
    transitions = pd.DataFrame(changes, columns=["from_use", "to_use", "cost_kusd", "reason"])
    transitions.insert(2, "allowed", "true")
    harvest = float(baseline.loc[baseline["use"].isin(crop_uses), "area_ha"].sum()) * CEREAL_T_PER_HA
    return {"uses": uses, "coefficients": coefficients, "transitions": transitions,
            "cereal_target": round(0.9 * harvest, 1)}


def init_from_rasters(folder: str | Path, rasters: Mapping[str, str | Path], legend: str | Path,
                      climate: str = DEFAULT_CLIMATE) -> Path:
    """A grid scenario (one land unit per cell) from ``rasters`` (land_cover, jurisdiction,
    land_type; zone optional: every cell rural) with the scaffold's default uses; the legend's
    land-cover values are the baseline uses."""
    import tempfile

    from lup_opt.raster import LAYERS, _read_legend, scenario_from_rasters

    new_folder(folder)
    unknown = sorted(set(rasters) - set(LAYERS))
    if unknown:
        raise LupOptError(f"--rasters: unknown layer '{unknown[0]}'; give LAYER=FILE with LAYER one of "
                          f"{', '.join(LAYERS)}")
    for layer in ("land_cover", "jurisdiction", "land_type"):
        if layer not in rasters:
            raise LupOptError(f"--rasters: give {layer}=FILE.tif (land_cover, jurisdiction and land_type are needed)")
    _same_crs(rasters)
    codes = _read_legend(Path(legend))
    land_cover = sorted(set(codes.get("land_cover", {}).values()))
    import pandas as pd

    with tempfile.TemporaryDirectory(prefix="lup-opt-init-") as work:
        work = Path(work)
        rasters, legend = _with_zone(dict(rasters), Path(legend), work)
        template = work / "template"
        base = pd.DataFrame({"land_unit": [], "use": [], "area_ha": []})
        tables = scaffold_tables(land_cover, base, pd.DataFrame())
        template.mkdir()
        (template / "scenario.yaml").write_text(
            text.scaffold_yaml(Path(folder).name, f"rasters ({', '.join(Path(p).name for p in rasters.values())})",
                               None, None), encoding="utf-8")
        for name in ("uses", "coefficients", "transitions"):
            tables[name].to_csv(template / f"{name}.csv", index=False)
        (template / "README.md").write_text(text.scaffold_readme("rasters, one land unit per cell"), encoding="utf-8")
        return scenario_from_rasters(template, rasters, legend, folder, climate)


def _same_crs(rasters: Mapping[str, str | Path]) -> None:
    from lup_opt.raster import _rasterio

    rasterio = _rasterio()
    first = None
    for layer, path in rasters.items():
        if not Path(path).is_file():
            raise LupOptError(f"{path}: file not found (the {layer} raster)")
        with rasterio.open(path) as source:
            if first is None:
                first = (path, source.crs)
            elif source.crs != first[1]:
                raise LupOptError(f"{path}: CRS {source.crs} differs from {first[1]} of {first[0]}; reproject the "
                                  "rasters onto one grid (same CRS, cell size and extent)")


def _with_zone(rasters: dict[str, str | Path], legend: Path, work: Path) -> tuple[dict[str, Path], Path]:
    """Without a zone raster, one of every cell rural beside the others (and its legend row)."""
    if "zone" in rasters:
        return rasters, legend
    from lup_opt.raster import _rasterio

    rasterio = _rasterio()
    with rasterio.open(rasters["land_cover"]) as source:
        profile = {**source.profile, "dtype": "uint8", "count": 1, "nodata": 255}
        band = source.read(1, masked=True)
    import numpy as np

    zone = np.where(np.ma.getmaskarray(band), 255, 0).astype("uint8")
    with rasterio.open(work / "zone.tif", "w", **profile) as target:
        target.write(zone, 1)
    legend_text = legend.read_text(encoding="utf-8-sig").rstrip("\n") + "\nzone,0,rural\n"
    (work / "legend.csv").write_text(legend_text, encoding="utf-8")
    return {**rasters, "zone": work / "zone.tif"}, work / "legend.csv"
