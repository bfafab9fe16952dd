"""Grid scenarios from GeoTIFF rasters, and the plan written back as GeoTIFF."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import lup_opt
from tests.conftest import SCENARIOS

rasterio = pytest.importorskip("rasterio")
from rasterio.transform import from_origin  # noqa: E402

SHAPE = (6, 5)  # rows, columns of 200 m cells: 4 ha each


def _write(path, data, nodata=None):
    with rasterio.open(path, "w", driver="GTiff", height=SHAPE[0], width=SHAPE[1], count=1, dtype="uint8",
                       crs="EPSG:32736", transform=from_origin(500_000, 9_300_000, 200, 200), nodata=nodata) as dst:
        dst.write(data.astype("uint8"), 1)
    return path


@pytest.fixture
def rasters(tmp_path):
    rows = np.arange(SHAPE[0])[:, None] * np.ones(SHAPE[1], dtype=int)[None, :]
    cover = np.where(rows >= 4, 2, 1)  # crop on rows 0-3, grass on 4-5
    cover[0, 0] = 255  # one cell without data
    town = np.where(rows <= 1, 1, 2)  # the town on the first two rows
    land_type = np.where(rows >= 4, 2, 1)  # hill on the last rows
    zone = np.where(rows <= 1, 2, 3)
    legend = pd.DataFrame([("land_cover", 1, "crop"), ("land_cover", 2, "grass"), ("jurisdiction", 1, "town"),
                           ("jurisdiction", 2, "village"), ("land_type", 1, "plain"), ("land_type", 2, "hill"),
                           ("zone", 2, "peri_urban"), ("zone", 3, "rural")], columns=["layer", "code", "value"])
    legend.to_csv(tmp_path / "legend.csv", index=False)
    return {"land_cover": _write(tmp_path / "cover.tif", cover, nodata=255),
            "jurisdiction": _write(tmp_path / "town.tif", town), "land_type": _write(tmp_path / "type.tif", land_type),
            "zone": _write(tmp_path / "zone.tif", zone), "legend": tmp_path / "legend.csv"}


def test_grid_scenario_from_rasters_solves_and_writes_the_plan_as_geotiff(cli, rasters, tmp_path):
    folder = tmp_path / "grid"
    run = cli(["grid", SCENARIOS / "tiny", "--land-cover", rasters["land_cover"], "--jurisdiction",
               rasters["jurisdiction"], "--land-type", rasters["land_type"], "--zone", rasters["zone"],
               "--legend", rasters["legend"], "--climate", "tropical_dry", "--out", folder])
    assert run.exit_code == 0, run.output
    scenario = lup_opt.load_scenario(folder, overrides={"targets.housing.value": 240, "targets.cereal.value": 200})
    assert len(scenario.units) == SHAPE[0] * SHAPE[1] - 1
    assert scenario.units["area_ha"].eq(4.0).all()
    result = lup_opt.solve(scenario)
    assert result.is_optimal, result.message
    out = result.write(tmp_path / "results")
    with rasterio.open(out / "planned_use.tif") as src:
        planned = src.read(1)
        assert src.crs.to_epsg() == 32736 and src.transform == from_origin(500_000, 9_300_000, 200, 200)
    legend = pd.read_csv(out / "planned_use_legend.csv").set_index("code")["use"]
    assert planned[0, 0] == 255  # the cell without data stays without data
    units = result.land_units.set_index("land_unit")
    for unit, use in units["planned_use"].items():
        r, c = (int(v) for v in unit[1:].split("c"))
        assert legend[planned[r, c]] == use
    # 240 persons at 60 per ha: 4 ha of housing, one town cell.
    assert (units["planned_use"] == "housing").sum() >= 1
    with rasterio.open(out / "ldn_status.tif") as src:
        status = src.read(1)
    assert set(np.unique(status[1:, :])) <= {-1, 0, 1}


def test_rasters_on_different_grids_are_refused(rasters, tmp_path):
    from lup_opt.errors import LupOptError
    from lup_opt.raster import scenario_from_rasters

    with rasterio.open(tmp_path / "small.tif", "w", driver="GTiff", height=3, width=3, count=1, dtype="uint8",
                       crs="EPSG:32736", transform=from_origin(500_000, 9_300_000, 200, 200)) as dst:
        dst.write(np.ones((3, 3), dtype="uint8"), 1)
    layers = {k: rasters[k] for k in ("land_cover", "jurisdiction", "land_type")} | {"zone": tmp_path / "small.tif"}
    with pytest.raises(LupOptError, match="not aligned"):
        scenario_from_rasters(SCENARIOS / "tiny", layers, rasters["legend"], tmp_path / "out", "tropical_dry")


def test_a_missing_raster_is_named_and_no_folder_is_left(rasters, tmp_path):
    from lup_opt.errors import LupOptError
    from lup_opt.raster import scenario_from_rasters

    layers = {k: rasters[k] for k in ("land_cover", "jurisdiction", "land_type")} | {"zone": tmp_path / "none.tif"}
    with pytest.raises(LupOptError, match=r"none\.tif: file not found \(the zone raster\)"):
        scenario_from_rasters(SCENARIOS / "tiny", layers, rasters["legend"], tmp_path / "out", "tropical_dry")
    assert not (tmp_path / "out").exists() and not (tmp_path / ".out.partial").exists()


def test_the_planned_use_geotiff_carries_a_colour_table_and_use_names(rasters, tmp_path, cli):
    from lup_opt.styles import COVER_COLOURS, rgb

    folder = tmp_path / "grid"
    assert cli(["grid", SCENARIOS / "tiny", "--land-cover", rasters["land_cover"], "--jurisdiction",
                rasters["jurisdiction"], "--land-type", rasters["land_type"], "--zone", rasters["zone"],
                "--legend", rasters["legend"], "--climate", "tropical_dry", "--out", folder]).exit_code == 0
    scenario = lup_opt.load_scenario(folder, overrides={"targets.housing.value": 240, "targets.cereal.value": 200})
    out = lup_opt.solve(scenario).write(tmp_path / "results", report=False)
    legend = pd.read_csv(out / "planned_use_legend.csv")
    cover = scenario.uses.set_index("id")["cover_class"]
    with rasterio.open(out / "planned_use.tif") as src:
        table, tags = src.colormap(1), src.tags(1)
    for code, use in zip(legend["code"], legend["use"], strict=True):
        assert table[code][:3] == rgb(COVER_COLOURS[cover[use]]), use  # crops yellow, grass green, built grey
        assert tags[f"CATEGORY_{code}"] == use
