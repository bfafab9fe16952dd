"""The app's maps: one raster of land-unit ids painted by a colour per unit. A grid of millions of
cells is served as one downsampled image (never a shape per cell), a click finds its unit, and
the default scenario's outlines are rasterised with jurisdiction lines."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from lup_opt.app import unit_map
from tests.conftest import requires_geo


@dataclass
class Grid:  # what unit_map reads of a grid scenario's RasterMap
    shape: tuple[int, int]
    rows: pd.Series
    cols: pd.Series


@pytest.mark.slow
def test_a_grid_of_a_million_cells_is_one_downsampled_image_and_a_click_finds_its_cell():
    h, w = 1000, 1100  # 1.1 million cells, more than MAX_SIDE wide: downsampled
    r, c = np.divmod(np.arange(h * w), w)
    names = pd.Index(np.char.add(np.char.add("r", r.astype(str)), np.char.add("c", c.astype(str))))
    grid = Grid((h, w), pd.Series(r, index=names), pd.Series(c, index=names))
    units = pd.DataFrame({"jurisdiction": np.where(c < w // 2, "west", "east")}, index=names)
    start = time.perf_counter()
    raster = unit_map._grid(grid, units)
    assert max(raster.shape) <= unit_map.MAX_SIDE
    colours = pd.Series(np.where(c < w // 2, "#2e7d32", "#f9d648"), index=names)
    png = raster.png(colours)
    seconds = time.perf_counter() - start
    image = Image.open(io.BytesIO(png))
    assert image.size == (raster.shape[1], raster.shape[0]) and len(png) < 200_000
    pixels = np.asarray(image.convert("RGB"))
    assert tuple(pixels[10, 10]) == (0x2e, 0x7d, 0x32) and tuple(pixels[10, -10]) == (0xf9, 0xd6, 0x48)
    assert raster.edges[:, raster.shape[1] // 2 - 1: raster.shape[1] // 2 + 1].any()  # the west/east line
    assert raster.unit_at(0.0, 0.0) == "r0c0"
    assert raster.unit_at(0.999, 0.999).startswith("r99")  # a cell of the last block
    assert seconds < 30  # generous: the point is that no per-cell shape is drawn


def test_a_scenario_without_geometry_gets_a_schematic_map_of_its_units(tiny_result, tmp_path):
    folder = tiny_result.write(tmp_path / "tiny", report=False)
    raster = unit_map.build(folder)
    assert raster.kind == "schematic" and set(raster.units) == {"U1", "U2", "U3"}
    assert "no land-unit geometry" in raster.note
    found = {raster.unit_at((x + 0.5) / raster.shape[1], 0.5) for x in range(raster.shape[1])}
    assert {"U1", "U2", "U3"} <= found


@requires_geo
def test_the_default_outlines_are_rasterised_with_jurisdiction_lines(default_results_folder):
    raster = unit_map.build(default_results_folder)
    assert raster.kind == "vector" and len(raster.units) == 320
    assert max(raster.shape) == unit_map.VECTOR_SIDE
    covered = set(raster.units[np.unique(raster.ids[raster.ids >= 0])])
    assert len(covered) == 320  # every unit has pixels, so every unit can be clicked
    assert 0.002 < raster.edges.mean() < 0.05  # jurisdiction lines, not every unit's outline


def test_a_change_share_is_coloured_along_the_ramp():
    colours = unit_map.ramp(pd.Series([0.0, 1.0, 0.5, np.nan]))
    assert list(colours[:2]) == [unit_map.CHANGE_RAMP[0], unit_map.CHANGE_RAMP[-1]]
    assert colours.iloc[3] == unit_map.CHANGE_RAMP[0]


@pytest.mark.parametrize("layer", ["use", "change", "ldn"])
def test_every_layer_gives_a_colour_to_every_unit(tiny_result, tmp_path, layer):
    from lup_opt.app import views

    folder = tiny_result.write(tmp_path / "tiny", report=False)
    colours, legend = views.layer(folder, layer, 2030)
    assert set(colours.index) == {"U1", "U2", "U3"} and colours.str.match(r"^#[0-9a-f]{6}$").all()
    assert legend


@requires_geo
def test_a_grid_scenario_is_mapped_from_its_geotiffs_cell_by_cell(tmp_path):
    import lup_opt
    from lup_opt.app import views
    from lup_opt.raster import scenario_from_rasters
    from tests.conftest import SCENARIOS
    from tests.test_raster import SHAPE, TWO_YEARS, _make_rasters

    made = _make_rasters(tmp_path)
    layers = {k: v for k, v in made.items() if k != "legend"}
    scenario_folder = scenario_from_rasters(SCENARIOS / "tiny", layers, made["legend"], tmp_path / "grid",
                                            "tropical_dry")
    result = lup_opt.solve(lup_opt.load_scenario(scenario_folder, overrides=TWO_YEARS))
    folder = result.write(tmp_path / "results", report=False)
    raster = unit_map.build(folder)
    assert raster.kind == "grid" and raster.shape == SHAPE
    h, w = SHAPE
    assert raster.unit_at(0.5 / w, 0.5 / h) is None  # the cell without data
    assert raster.unit_at(1.5 / w, 0.5 / h) == "r0c1"
    assert raster.edges[1:3].any() and not raster.edges[4:].any()  # the town/village line, none inside the village
    colours, _ = views.layer(folder, "use", 2030)
    assert Image.open(io.BytesIO(raster.png(colours))).size == (w, h)
