"""A results folder's land units as one raster of unit ids, from which every map of the app is
painted as a PNG, and which answers a click with the unit under it.

Vector scenarios are rasterised once from their outlines (the same outlines the report draws,
:mod:`lup_opt.report.basemap`); grid scenarios are their grid, downsampled to at most
:data:`MAX_SIDE` pixels a side (a million cells become one image, never a million shapes); a
scenario without geometry is shown schematically, one square per land unit, grouped by
jurisdiction. A map is then a colour per unit looked up in numpy: no per-unit Python loop.
"""

from __future__ import annotations

import io
import logging
import math
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

MAX_SIDE = 1000  # pixels of a map's longer side, at most
VECTOR_SIDE = 820  # pixels of the longer side a vector scenario is rasterised to
CLOSE = 8  # pixels: gaps between outlines up to this wide are closed for the jurisdiction lines
TILE, GAP = 14, 2  # a schematic map's square and the gap between squares (pixels)
EDGE = (33, 33, 33)  # jurisdiction boundaries
NONE = (255, 255, 255, 0)
STATUS = {"gain": "#2e7d32", "loss": "#c62828", "neutral": "#bdbdbd"}
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94")  # uses without a colour
CHANGE_RAMP = ("#fff5eb", "#fdae6b", "#e6550d", "#7f2704")  # share of a unit changed, 0 to 1
SAME, DIFFERENT = "#e0e0e0", "#6a1b9a"


@dataclass(frozen=True)
class UnitRaster:
    ids: np.ndarray  # (h, w) int32: index into ``units``, -1 where no unit
    units: pd.Index  # land unit ids, by index
    edges: np.ndarray  # (h, w) bool: jurisdiction boundaries
    kind: str  # vector, grid or schematic
    note: str = ""

    @property
    def shape(self) -> tuple[int, int]:
        return self.ids.shape

    def unit_at(self, fx: float, fy: float) -> str | None:
        """The land unit at a point given as shares of the map's width and height."""
        h, w = self.ids.shape
        if not (0 <= fx <= 1 and 0 <= fy <= 1):
            return None
        k = int(self.ids[min(int(fy * h), h - 1), min(int(fx * w), w - 1)])
        return str(self.units[k]) if k >= 0 else None

    def png(self, colours: pd.Series) -> bytes:
        """The map with each unit in its colour (``#rrggbb`` by land unit; missing: transparent)."""
        from PIL import Image

        lut = np.zeros((len(self.units) + 1, 4), dtype=np.uint8)
        lut[-1] = NONE
        given = colours.reindex(self.units)
        known = given.notna().to_numpy()
        lut[:-1][known] = _rgba(given[known].astype(str).to_numpy())
        lut[:-1][~known] = (238, 238, 238, 255)
        image = lut[self.ids]  # -1 picks the last row: no unit
        image[self.edges] = (*EDGE, 255)
        out = io.BytesIO()
        Image.fromarray(image, "RGBA").save(out, format="PNG", optimize=False)
        return out.getvalue()


def _rgba(hexes: np.ndarray) -> np.ndarray:
    names, index = np.unique(hexes, return_inverse=True)
    table = np.array([[int(h[1:3], 16), int(h[3:5], 16), int(h[5:7], 16), 255] for h in names], dtype=np.uint8)
    return table[index] if len(names) else np.zeros((0, 4), dtype=np.uint8)


def _edges(codes: np.ndarray, close: int = 0) -> np.ndarray:
    """Pixels on the border between two jurisdictions, or between land and no land. ``close``:
    gaps up to this many pixels between units (outlines that do not tile) are closed first, so
    that the lines drawn are the jurisdictions' and not every unit's."""
    if close:
        from scipy import ndimage

        land = ndimage.binary_closing(codes >= 0, iterations=close, border_value=0) | (codes >= 0)
        nearest = ndimage.distance_transform_edt(codes < 0, return_distances=False, return_indices=True)
        codes = np.where(land, codes[nearest[0], nearest[1]], -1)
    edges = np.zeros(codes.shape, dtype=bool)
    vertical = codes[1:, :] != codes[:-1, :]
    horizontal = codes[:, 1:] != codes[:, :-1]
    edges[1:, :] |= vertical
    edges[:-1, :] |= vertical
    edges[:, 1:] |= horizontal
    edges[:, :-1] |= horizontal
    return edges & (codes >= 0)


def _jurisdiction_codes(ids: np.ndarray, units: pd.DataFrame, order: pd.Index) -> np.ndarray:
    names = units["jurisdiction"].astype(str).reindex(order)
    codes = pd.factorize(names)[0].astype(np.int32)
    lut = np.append(codes, -1)
    return lut[ids]


def build(folder_path: Path) -> UnitRaster:
    """The unit raster of a plan's results folder."""
    from lup_opt.report.folder import Folder

    folder = Folder.open(folder_path)
    units = folder.units
    if units.empty:
        raise LookupError("the folder has no land_units table (no plan per land unit)")
    base, reason = (None, "")
    try:
        from lup_opt.report.basemap import RasterMap, base_map

        base, reason = base_map(folder)
    except ImportError as exc:  # pragma: no cover - the geo extra is missing
        reason = str(exc)
    if base is None:
        return _schematic(units, f"schematic map: {reason}; each square is one land unit, grouped by jurisdiction")
    if isinstance(base, RasterMap):
        return _grid(base, units)
    return _vector(base, units)


def _schematic(units: pd.DataFrame, note: str) -> UnitRaster:
    ordered = units.sort_values(["jurisdiction"], kind="stable")
    n = len(ordered)
    cols = max(1, math.ceil(math.sqrt(n * 1.6)))
    rows = math.ceil(n / cols)
    step = TILE + GAP
    ids = np.full((rows * step + GAP, cols * step + GAP), -1, dtype=np.int32)
    k = np.arange(n)
    r, c = k // cols, k % cols
    for dr in range(TILE):  # a loop over pixel rows of one tile, not over units
        ids[(r * step + GAP + dr)[:, None], (c * step + GAP)[:, None] + np.arange(TILE)[None, :]] = k[:, None]
    order = pd.Index(ordered.index.astype(str))
    return UnitRaster(ids, order, np.zeros(ids.shape, dtype=bool), "schematic", note)


def _grid(base, units: pd.DataFrame) -> UnitRaster:
    h, w = base.shape
    order = pd.Index(base.rows.index.astype(str))
    ids = np.full((h, w), -1, dtype=np.int32)
    ids[base.rows.to_numpy(), base.cols.to_numpy()] = np.arange(len(order), dtype=np.int32)
    step = max(1, math.ceil(max(h, w) / MAX_SIDE))
    if step > 1:  # downsampled: one cell of every step x step block stands for the block
        ids = ids[::step, ::step]
    note = f"{len(order):,} grid cells" + (f", shown at 1 in {step} x {step}" if step > 1 else "")
    return UnitRaster(ids, order, _edges(_jurisdiction_codes(ids, units, order)), "grid", note)


def _vector(base, units: pd.DataFrame) -> UnitRaster:
    from affine import Affine
    from rasterio.features import rasterize

    x0, x1, y0, y1 = base.extent
    scale = VECTOR_SIDE / max(x1 - x0, y1 - y0)
    w, h = max(1, round((x1 - x0) * scale)), max(1, round((y1 - y0) * scale))
    order = pd.Index(base.units["land_unit"].astype(str))
    shapes = zip(base.units.geometry, range(len(order)), strict=True)
    transform = Affine.translation(x0, y1) @ Affine.scale((x1 - x0) / w, -(y1 - y0) / h)  # north up
    ids = rasterize(shapes, out_shape=(h, w), transform=transform, fill=-1,
                    dtype="int32", all_touched=False)
    return UnitRaster(ids, order, _edges(_jurisdiction_codes(ids, units, order), close=CLOSE), "vector",
                      f"{len(order):,} land units")


class MapCache:
    """Unit rasters of the last few folders (building one rasterises the outlines)."""

    def __init__(self, size: int = 8):
        self.size = size
        self._items: OrderedDict[tuple[str, float], UnitRaster] = OrderedDict()

    def get(self, folder: Path) -> UnitRaster:
        key = (str(folder), (folder / "manifest.json").stat().st_mtime)
        if key not in self._items:
            self._items[key] = build(folder)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        self._items.move_to_end(key)
        return self._items[key]


# Colours of each layer -------------------------------------------------------------------------


def use_colours(uses: list[str], given: dict[str, str]) -> dict[str, str]:
    """Each use's colour from the run's ``use_colours`` (uses.csv, cover classes), else a palette."""
    out, k = {}, 0
    for use in uses:
        if given.get(use):
            out[use] = given[use]
        else:
            out[use] = PALETTE[k % len(PALETTE)]
            k += 1
    return out


def ramp(values: pd.Series, stops: tuple[str, ...] = CHANGE_RAMP) -> pd.Series:
    """Values between 0 and 1 as colours along ``stops``."""
    rgb = np.array([[int(s[i:i + 2], 16) for i in (1, 3, 5)] for s in stops], dtype=float)
    x = np.clip(values.astype(float).fillna(0).to_numpy(), 0, 1) * (len(stops) - 1)
    lo = np.minimum(np.floor(x).astype(int), len(stops) - 2)
    t = (x - lo)[:, None]
    mixed = np.round(rgb[lo] * (1 - t) + rgb[lo + 1] * t).astype(int)
    return pd.Series([f"#{r:02x}{g:02x}{b:02x}" for r, g, b in mixed], index=values.index)
