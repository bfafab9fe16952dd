"""The report's maps: small multiples, one panel per planning year (land use with the baseline
first, LDN status, share of each unit that changes use), each panel with the jurisdiction
boundaries, a scale bar (when the map is in metres) and a north arrow, the legend outside the
panels. Vector scenarios are drawn from their outlines, grid scenarios from their GeoTIFFs
(``planned_use_<year>.tif``, ``ldn_status_<year>.tif``, ``changed_share_<year>.tif``; the
unsuffixed file of an older single-year folder), both with the attributes of ``land_units.csv``."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lup_opt.report.basemap import RasterMap, VectorMap, base_map, crs_name, in_metres, raster_tifs
from lup_opt.report.folder import Folder
from lup_opt.report.markup import signed

log = logging.getLogger(__name__)

DPI = 100
WIDTH = 11.8  # inches: the page's width at 100 dpi, so maps show at their own size
LEGEND_WIDTH = 2.5
MAX_PANEL, MAX_PANEL_HEIGHT = 5.6, 6.0  # inches: one map panel at most
BAND = 0.13  # share of the map's height below it for the scale bar and north arrow
try:  # the GeoTIFF's and GeoPackage's status colours, when this lup_opt has them
    from lup_opt.styles import STATUS_COLOURS as _STATUS
except ImportError:  # pragma: no cover - older styles
    _STATUS = {}
LDN_COLOURS = {"gain": _STATUS.get("gain", "#2e7d32"), "loss": _STATUS.get("loss", "#c62828"),
               "neutral": _STATUS.get("neutral", "#bdbdbd")}
FALLBACK = "#b0bec5"


@dataclass
class Maps:
    """The map figures made (None where not), why there are none, and the net LDN per
    jurisdiction and year that the LDN maps write on each jurisdiction."""

    use: Path | None = None
    ldn: Path | None = None
    change: Path | None = None
    reason: str = ""
    notes: list[str] = field(default_factory=list)
    net: pd.DataFrame = field(default_factory=pd.DataFrame)


def _nice(length: float) -> float:
    """1, 2 or 5 times a power of ten, at most ``length``."""
    power = 10 ** math.floor(math.log10(length))
    return max(m * power for m in (1, 2, 5) if m * power <= length)


def _distance(metres: float) -> str:
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"


def _decorate(ax, extent: tuple[float, float, float, float], crs) -> None:
    """Frame, north arrow and scale bar (in a band below the data, so they cover nothing)."""
    from matplotlib.patches import Rectangle

    x0, x1, y0, y1 = extent
    w, h = x1 - x0, y1 - y0
    band = BAND * h
    ax.set_xlim(x0 - 0.02 * w, x1 + 0.02 * w)
    ax.set_ylim(y0 - band, y1 + 0.02 * h)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_color("#9e9e9e")
    middle = y0 - 0.5 * band
    ax.annotate("", xy=(x1, y0 - 0.1 * band), xytext=(x1, y0 - 0.9 * band),
                arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.4, "mutation_scale": 12})
    ax.text(x1 - 0.015 * w, middle, "N", ha="right", va="center", fontsize=9, fontweight="bold")
    if not in_metres(crs):
        ax.text(x0, middle, f"no scale bar: {crs_name(crs)} is not in metres", fontsize=6.5, va="center",
                color="#616161")
        return
    length = _nice(0.3 * w)
    height = 0.16 * band
    for k in range(2):
        ax.add_patch(Rectangle((x0 + k * length / 2, middle - height / 2), length / 2, height,
                               facecolor="black" if k == 0 else "white", edgecolor="black", linewidth=0.7))
    ax.text(x0 + length + 0.015 * w, middle, _distance(length), va="center", fontsize=7.5)


def _figure(n: int, extent: tuple[float, float, float, float], legend_right: bool):
    from matplotlib.figure import Figure

    x0, x1, y0, y1 = extent
    aspect = (y1 - y0) * (1 + BAND + 0.02) / ((x1 - x0) * 1.04)
    ncols = 2 if n == 4 else min(n, 3)
    nrows = math.ceil(n / ncols)
    legend = LEGEND_WIDTH if legend_right else 0.0
    panel = min(MAX_PANEL, (WIDTH - legend) / ncols, MAX_PANEL_HEIGHT / aspect)
    height = nrows * (panel * aspect + 0.35) + (0.0 if legend_right else 0.6) + 0.4
    figure = Figure(figsize=(ncols * panel + legend + 0.2, max(height, 3.0)), layout="constrained", dpi=DPI)
    axes = list(figure.subplots(nrows, ncols, squeeze=False).ravel())
    for ax in axes[n:]:
        ax.set_visible(False)
    return figure, axes[:n]


def _colours(uses: list[str], given: dict[str, str] | None) -> dict[str, str]:
    """Each use's colour from the manifest's ``use_colours`` (lup_opt.styles), else tab20; a use
    whose colour an earlier use already has (two uses of one cover class without their own
    colour) is drawn darker, so that the map tells them apart."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex, to_rgb

    palette = colormaps["tab20"]
    out: dict[str, str] = {}
    for k, use in enumerate(uses):
        colour = (given or {}).get(use) or to_hex(palette(k % 20))
        while colour in out.values():
            colour = to_hex(tuple(0.72 * v for v in to_rgb(colour)))
        out[use] = colour
    return out


def _save(figure, path: Path) -> Path:
    figure.savefig(path, dpi=DPI)
    return path


def _by_year(folder: Folder, base, layer: str, column: str) -> dict[int, pd.Series]:
    """A value per land unit in each planning year: from the grid's GeoTIFF of ``layer`` when
    there is one, else the column of land_units.csv."""
    units = folder.land_units
    out = {int(y): rows.set_index(rows["land_unit"].astype(str))[column] for y, rows in units.groupby("year")}
    if isinstance(base, RasterMap):
        for year, path in raster_tifs(folder, layer).items():
            out[year] = base.read(path)
        missing = [y for y in out if y not in raster_tifs(folder, layer)]
        if missing:
            log.info("%s: no %s GeoTIFF for %s; drawn from land_units.csv", folder.path, layer,
                     ", ".join(map(str, missing)))
    return dict(sorted(out.items()))


def use_maps(folder: Folder, base: VectorMap | RasterMap, path: Path) -> Path | None:
    """Baseline use, then the use on most of each land unit in every planning year."""
    from matplotlib.patches import Patch

    units = folder.units
    planned = _by_year(folder, base, "planned_use", "planned_use")
    panels = [("Baseline", units["baseline_use"].astype(str)),
              *((f"Planned {year}", values) for year, values in planned.items())]
    given = folder.manifest.use_colours
    present = set().union(*(set(v.dropna().astype(str)) for _, v in panels))
    order = [u for u in given if u in present] + sorted(present - set(given))
    colours = _colours(order, given)
    figure, axes = _figure(len(panels), base.extent, legend_right=True)
    for ax, (title, values) in zip(axes, panels, strict=True):
        base.paint_colours(ax, values.astype(str).map(colours).where(values.notna()))
        base.paint_boundaries(ax)
        _decorate(ax, base.extent, base.crs)
        ax.set_title(title, fontsize=10)
    figure.legend(handles=[Patch(facecolor=colours[u], edgecolor="#757575", linewidth=0.4, label=u) for u in order],
                  loc="outside right upper", fontsize=8, title="land use (most of the unit)", title_fontsize=8,
                  frameon=False)
    figure.suptitle("Land use: baseline and every planning year (black lines: jurisdictions)", fontsize=11)
    return _save(figure, path)


def net_by_jurisdiction(folder: Folder) -> pd.DataFrame:
    """Net LDN (counted gains − losses, ha) per jurisdiction (rows) and planning year (columns),
    summed over the land units of land_units.csv."""
    units = folder.land_units
    if units.empty or "ldn_gains_ha" not in units.columns:
        return pd.DataFrame()
    net = units.assign(net=units["ldn_gains_ha"] - units["ldn_losses_ha"])
    return net.pivot_table(index="jurisdiction", columns="year", values="net", aggfunc="sum")


def ldn_maps(folder: Folder, base: VectorMap | RasterMap, net: pd.DataFrame, path: Path) -> Path | None:
    """LDN status of every land unit in each planning year, net gains − losses per jurisdiction
    written on it."""
    from matplotlib.patches import Patch

    status = _by_year(folder, base, "ldn_status", "ldn_status")
    codes = {-1: "loss", 0: "neutral", 1: "gain"}
    figure, axes = _figure(len(status), base.extent, legend_right=False)
    for ax, (year, values) in zip(axes, status.items(), strict=True):
        if pd.api.types.is_numeric_dtype(values):  # an ldn_status.tif without names: -1 loss, 0 neutral, 1 gain
            values = values.map(lambda v: codes.get(int(v)) if pd.notna(v) else None)
        base.paint_colours(ax, values.map(LDN_COLOURS))
        base.paint_boundaries(ax)
        _decorate(ax, base.extent, base.crs)
        for jurisdiction, (x, y) in base.labels.items():
            if jurisdiction in net.index and year in net.columns:
                ax.text(x, y, f"{jurisdiction}\n{signed(net.loc[jurisdiction, year], 'ha')}", ha="center",
                        va="center", fontsize=7, bbox={"boxstyle": "round,pad=0.25", "facecolor": "white",
                                                       "edgecolor": "#616161", "alpha": 0.9, "linewidth": 0.5})
        ax.set_title(f"LDN status {year}", fontsize=10)
    figure.legend(handles=[Patch(facecolor=c, edgecolor="#757575", linewidth=0.4, label=s)
                           for s, c in LDN_COLOURS.items()], loc="outside lower center", ncol=3, fontsize=8,
                  frameon=False, title="status of each land unit (its larger side); labels: net gains − losses per "
                                       "jurisdiction", title_fontsize=8)
    figure.suptitle("Land degradation neutrality per planning year", fontsize=11)
    return _save(figure, path)


def change_maps(folder: Folder, base: VectorMap | RasterMap, path: Path) -> Path | None:
    """Share of each land unit under another use than at baseline, in each planning year."""
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    units = folder.land_units
    share = units.assign(share=units["changed_ha"] / units["area_ha"].where(units["area_ha"] > 0, 1.0))
    shares = {int(y): rows.set_index(rows["land_unit"].astype(str))["share"] for y, rows in share.groupby("year")}
    if isinstance(base, RasterMap):
        shares.update({y: base.read(p) for y, p in raster_tifs(folder, "changed_share").items()})
    cmap, norm = colormaps["Oranges"], Normalize(0, 1)
    figure, axes = _figure(len(shares), base.extent, legend_right=False)
    for ax, (year, values) in zip(axes, sorted(shares.items()), strict=True):
        base.paint_values(ax, values, cmap, norm)
        base.paint_boundaries(ax)
        _decorate(ax, base.extent, base.crs)
        ax.set_title(f"Changed by {year}", fontsize=10)
    figure.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=axes, location="bottom", shrink=0.4, aspect=40,
                    label="share of the land unit under another use than at baseline")
    figure.suptitle("Change of use per planning year", fontsize=11)
    return _save(figure, path)


def make_maps(folder: Folder, out: Path) -> Maps:
    """Every map of the folder as a PNG in ``out``; without geometry, the reason instead."""
    if folder.land_units.empty:
        return Maps(reason="the folder has no land_units.csv (no plan per land unit)")
    base, reason = base_map(folder)
    if base is None:
        return Maps(reason=reason)
    net = net_by_jurisdiction(folder)
    notes = []
    if not in_metres(base.crs):
        notes.append(f"The maps have no scale bar: their coordinates ({crs_name(base.crs)}) are not in metres.")
    if isinstance(base, RasterMap) and not raster_tifs(folder, "planned_use"):
        notes.append("No planned_use GeoTIFF in this folder: the grid maps are drawn from land_units.csv.")
    return Maps(use=use_maps(folder, base, out / "use_maps.png"), ldn=ldn_maps(folder, base, net, out / "ldn_maps.png"),
                change=change_maps(folder, base, out / "change_maps.png"), notes=notes, net=net)



