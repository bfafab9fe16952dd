"""Where land units lie, for the report's maps: outlines (vector scenarios) or grid cells (grid
scenarios), jurisdiction boundaries and a label point per jurisdiction. Both kinds paint a value
per land unit onto a matplotlib axes the same way, so every map is drawn by one code path."""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lup_opt.report.folder import Folder

log = logging.getLogger(__name__)

CELL_ID = re.compile(r"^r(\d+)c(\d+)$")
BOUNDARY = {"color": "#212121", "linewidth": 1.0}
HALO = {"color": "white", "linewidth": 2.6}  # under the boundary: visible on dark colours too
MISSING = "#eeeeee"  # a land unit without a value


def in_metres(crs: Any) -> bool:
    """Whether a CRS (pyproj's or rasterio's) is projected with metre axes."""
    if crs is None:
        return False
    if hasattr(crs, "axis_info"):  # pyproj
        return bool(crs.is_projected) and bool(crs.axis_info) and \
            crs.axis_info[0].unit_name in ("metre", "meter", "m")
    return bool(getattr(crs, "is_projected", False)) and str(getattr(crs, "linear_units", "")).lower() in (
        "metre", "meter", "m", "metres", "meters")


def crs_name(crs: Any) -> str:
    if crs is None:
        return "no coordinate reference system"
    epsg = crs.to_epsg() if hasattr(crs, "to_epsg") else None
    return f"EPSG:{epsg}" if epsg else str(getattr(crs, "name", crs))[:60]


@dataclass
class VectorMap:
    """Land-unit outlines, their jurisdictions dissolved into boundaries."""

    units: Any  # GeoDataFrame: land_unit, jurisdiction, geometry
    boundaries: Any  # GeoSeries of jurisdiction outlines
    labels: dict[str, tuple[float, float]]
    crs: Any

    @property
    def extent(self) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = self.units.total_bounds
        return float(x0), float(x1), float(y0), float(y1)

    @cached_property
    def _paths(self) -> list:
        """One matplotlib path per land unit (holes and parts included), built once and drawn on
        every panel: geopandas' plot would rebuild a patch per polygon for each panel."""
        return [_polygon_path(geometry) for geometry in self.units.geometry]

    @cached_property
    def _lines(self) -> list[np.ndarray]:
        import shapely

        lines = []
        for geometry in self.boundaries:
            parts = getattr(geometry, "geoms", [geometry])
            lines.extend(shapely.get_coordinates(part) for part in parts if not part.is_empty)
        return lines

    def _paint(self, ax, facecolors: np.ndarray, keep: np.ndarray) -> None:
        from matplotlib.collections import PathCollection

        paths = [path for path, shown in zip(self._paths, keep, strict=True) if shown]
        ax.add_collection(PathCollection(paths, facecolors=facecolors[keep], edgecolors="none", linewidths=0))

    def paint_colours(self, ax, colours: pd.Series) -> None:
        from matplotlib.colors import to_rgba_array

        given = colours.reindex(self.units["land_unit"])
        keep = given.notna().to_numpy()
        rgba = np.zeros((len(given), 4))
        if keep.any():
            names, index = np.unique(given[keep].astype(str).to_numpy(), return_inverse=True)
            rgba[keep] = to_rgba_array(list(names))[index]
        self._paint(ax, rgba, keep)

    def paint_values(self, ax, values: pd.Series, cmap, norm) -> None:
        from matplotlib.colors import to_rgba

        shown = values.reindex(self.units["land_unit"]).astype(float).to_numpy()
        rgba = np.tile(to_rgba(MISSING), (len(shown), 1))
        finite = np.isfinite(shown)
        rgba[finite] = cmap(norm(shown[finite]))
        self._paint(ax, rgba, np.ones(len(shown), dtype=bool))

    def paint_boundaries(self, ax) -> None:
        _paint_lines(ax, self._lines)


def _paint_lines(ax, lines) -> None:
    """Jurisdiction boundaries: a white halo under a dark line, so they show on any colour."""
    from matplotlib.collections import LineCollection

    if len(lines):
        for style in (HALO, BOUNDARY):
            ax.add_collection(LineCollection(lines, colors=style["color"], linewidths=style["linewidth"]))


def _polygon_path(geometry):
    """A (multi)polygon as one compound path of every ring of every part; holes are wound against
    their exterior (shapely's orient), so they stay open under either fill rule."""
    import shapely
    from matplotlib.path import Path as MplPath

    if geometry is None or geometry.is_empty:
        return MplPath(np.zeros((0, 2)))
    rings = []
    for part in getattr(geometry, "geoms", [geometry]):
        if part.geom_type != "Polygon":
            continue
        part = shapely.geometry.polygon.orient(part, 1.0)
        rings.append(MplPath(np.asarray(part.exterior.coords)[:, :2], closed=True))
        rings.extend(MplPath(np.asarray(ring.coords)[:, :2], closed=True) for ring in part.interiors)
    return MplPath.make_compound_path(*rings) if rings else MplPath(np.zeros((0, 2)))


def _closing_distance(units) -> float:
    """Half the typical width of a unit: jurisdiction outlines close gaps narrower than a unit
    between their units' outlines (synthetic square units do not tile)."""
    return 0.5 * float(np.sqrt(np.median(units.geometry.area)))


def vector_map(folder: Folder) -> tuple[VectorMap | None, str]:
    """The outlines of the folder's land units: ``allocation.gpkg`` when present, else the
    scenario's geometry file named in the manifest. (None, why) without them."""
    try:
        import geopandas
    except ImportError:
        return None, "geopandas is not installed (pip install 'lup_opt[geo]')"
    from lup_opt.errors import LupOptError
    from lup_opt.spatial import GEOPACKAGE_LAYER, read_geometry

    gpkg = folder.path / "allocation.gpkg"
    geometry = folder.manifest.geometry
    try:
        if gpkg.exists():
            outlines = geopandas.read_file(gpkg, layer=GEOPACKAGE_LAYER)[["land_unit", "geometry"]]
            outlines = outlines.assign(land_unit=outlines["land_unit"].astype(str)).drop_duplicates("land_unit")
        elif geometry:
            outlines = read_geometry(geometry.file, geometry.id_column, geometry.layer)
        else:
            return None, "the scenario gives no land-unit geometry (scenario.yaml: geometry)"
    except (LupOptError, OSError, ValueError) as exc:
        return None, f"the land-unit outlines cannot be read ({str(exc)[:160]})"
    units = folder.units
    if units.empty:
        return None, "the folder has no land_units.csv"
    jurisdiction = units["jurisdiction"].astype(str)
    outlines = outlines[outlines["land_unit"].isin(jurisdiction.index)]
    outlines = outlines.assign(jurisdiction=jurisdiction.reindex(outlines["land_unit"]).to_numpy())
    if outlines.empty:
        return None, "no land unit of land_units.csv has an outline"
    with warnings.catch_warnings():  # in degrees the closing is as good for a boundary line
        warnings.simplefilter("ignore", UserWarning)
        d = _closing_distance(outlines)
        dissolved = outlines.dissolve(by="jurisdiction")
        closed = dissolved.geometry.buffer(d, join_style="mitre").buffer(-d, join_style="mitre")
        labels = {str(j): (float(p.x), float(p.y)) for j, p in closed.representative_point().items()}
    return VectorMap(outlines.reset_index(drop=True), closed.boundary, labels, outlines.crs), ""


@dataclass
class RasterMap:
    """A grid scenario's cells: land unit ``r<row>c<col>`` is the cell at that row and column."""

    transform: Any  # affine.Affine
    shape: tuple[int, int]
    crs: Any
    rows: pd.Series  # land_unit -> row
    cols: pd.Series  # land_unit -> column
    segments: np.ndarray  # (n, 2, 2) jurisdiction boundary segments in map coordinates
    labels: dict[str, tuple[float, float]]

    @property
    def extent(self) -> tuple[float, float, float, float]:
        t, (h, w) = self.transform, self.shape
        xs, ys = (t.c, t.c + w * t.a), (t.f, t.f + h * t.e)
        return min(xs), max(xs), min(ys), max(ys)

    def _image(self, values: pd.Series, fill, dtype=object) -> np.ndarray:
        image = np.full(self.shape, fill, dtype=dtype)
        present = values.reindex(self.rows.index)
        keep = present.notna().to_numpy()
        image[self.rows.to_numpy()[keep], self.cols.to_numpy()[keep]] = present.to_numpy()[keep]
        return image

    def paint_colours(self, ax, colours: pd.Series) -> None:
        from matplotlib.colors import to_rgba_array

        present = colours.reindex(self.rows.index)
        keep = present.notna().to_numpy()
        image = np.zeros((*self.shape, 4))
        if keep.any():
            names, index = np.unique(present[keep].astype(str).to_numpy(), return_inverse=True)
            image[self.rows.to_numpy()[keep], self.cols.to_numpy()[keep]] = to_rgba_array(list(names))[index]
        ax.imshow(image, extent=self.extent, interpolation="nearest", origin="upper")

    def paint_values(self, ax, values: pd.Series, cmap, norm) -> None:
        image = self._image(values.astype(float), np.nan, float)
        ax.imshow(np.ma.masked_invalid(image), extent=self.extent, cmap=cmap, norm=norm, interpolation="nearest",
                  origin="upper")

    def paint_boundaries(self, ax) -> None:
        _paint_lines(ax, self.segments)

    def read(self, path: Path) -> pd.Series:
        """One band of a result GeoTIFF as a value per land unit; planned-use codes decoded to use
        names by the file's CATEGORY_<code> tags (or planned_use_legend.csv)."""
        import rasterio

        with rasterio.open(path) as source:
            band = source.read(1)
            tags = source.tags(1)
            nodata = source.nodata
        values = pd.Series(band[self.rows.to_numpy(), self.cols.to_numpy()], index=self.rows.index)
        if nodata is not None and not (isinstance(nodata, float) and np.isnan(nodata)):
            values = values.where(values != nodata)
        names = {int(k.split("_", 1)[1]): v for k, v in tags.items() if k.startswith("CATEGORY_")}
        legend = path.parent / "planned_use_legend.csv"
        if not names and path.name.startswith("planned_use") and legend.exists():
            table = pd.read_csv(legend)
            names = dict(zip(table["code"].astype(int), table["use"].astype(str), strict=True))
        return values.map(lambda v: None if pd.isna(v) else names.get(int(v))) if names else values


def _segments(jurisdiction: np.ndarray, transform: Any) -> np.ndarray:
    """Cell edges between different jurisdictions (and between data and no data), as segments
    in map coordinates."""
    h, w = jurisdiction.shape
    padded = np.full((h + 2, w + 2), -1)
    padded[1:-1, 1:-1] = jurisdiction
    top, bottom = padded[:-1, 1:-1], padded[1:, 1:-1]  # the cells above and below each horizontal edge
    r, c = np.nonzero((top != bottom) & ((top >= 0) | (bottom >= 0)))
    horizontal = np.stack([np.stack([c, r], -1), np.stack([c + 1, r], -1)], 1)
    left, right = padded[1:-1, :-1], padded[1:-1, 1:]
    r, c = np.nonzero((left != right) & ((left >= 0) | (right >= 0)))
    vertical = np.stack([np.stack([c, r], -1), np.stack([c, r + 1], -1)], 1)
    pixels = np.concatenate([horizontal, vertical]).astype(float)  # (n, 2 ends, col/row)
    x = transform.c + pixels[..., 0] * transform.a + pixels[..., 1] * transform.b
    y = transform.f + pixels[..., 0] * transform.d + pixels[..., 1] * transform.e
    return np.stack([x, y], -1)


def raster_tifs(folder: Folder, layer: str) -> dict[int, Path]:
    """``<layer>_<year>.tif`` per planning year; without them (a single-year land_units.csv of an
    older writer), ``<layer>.tif`` for that year."""
    found = {int(m.group(1)): p for p in folder.path.glob(f"{layer}_*.tif")
             if (m := re.fullmatch(rf"{layer}_(\d{{4}})\.tif", p.name))}
    years = sorted(folder.land_units["year"].unique()) if len(folder.land_units) else []
    if not found and len(years) == 1 and (folder.path / f"{layer}.tif").exists():
        found = {int(years[0]): folder.path / f"{layer}.tif"}
    return found


def raster_map(folder: Folder) -> tuple[RasterMap | None, str]:
    """The grid of a grid scenario's results (from its GeoTIFFs, else from grid.json)."""
    try:
        import rasterio
        from rasterio.transform import Affine
    except ImportError:
        return None, "rasterio is not installed (pip install 'lup_opt[geo]')"
    units = folder.units
    if units.empty:
        return None, "the folder has no land_units.csv"
    tifs = [*raster_tifs(folder, "planned_use").values()]
    if tifs:
        with rasterio.open(tifs[0]) as source:
            transform, shape, crs = source.transform, (source.height, source.width), source.crs
    else:
        grid = folder.manifest.grid
        if grid is None:
            return None, "the folder has no planned_use GeoTIFF and its manifest no grid"
        from rasterio.crs import CRS

        transform, shape, crs = Affine(*grid.transform), (grid.height, grid.width), CRS.from_user_input(grid.crs)
    where = pd.Series(units.index.astype(str), index=units.index).str.extract(CELL_ID)
    if where.isna().any().any():
        return None, "land unit ids are not r<row>c<col> (a grid scenario made by lup-opt grid)"
    rows, cols = where[0].astype(int), where[1].astype(int)
    codes = {j: k for k, j in enumerate(sorted(units["jurisdiction"].astype(str).unique()))}
    grid_j = np.full(shape, -1)
    grid_j[rows.to_numpy(), cols.to_numpy()] = units["jurisdiction"].astype(str).map(codes).to_numpy()
    labels = {}
    for name, code in codes.items():
        r, c = np.nonzero(grid_j == code)
        k = int(np.argmin((r - r.mean()) ** 2 + (c - c.mean()) ** 2))  # the cell nearest the middle
        col, row = c[k] + 0.5, r[k] + 0.5
        labels[name] = (float(transform.c + col * transform.a + row * transform.b),
                        float(transform.f + col * transform.d + row * transform.e))
    return RasterMap(transform, shape, crs, rows, cols, _segments(grid_j, transform), labels), ""


def base_map(folder: Folder) -> tuple[VectorMap | RasterMap | None, str]:
    """The raster grid for a grid scenario, else the outlines; (None, why) without either."""
    if folder.manifest.grid:
        return raster_map(folder)
    return vector_map(folder)
