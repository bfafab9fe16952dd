"""LDN baselines from Trends.Earth: each land unit's baseline_status from an SDG 15.3.1 status GeoTIFF
(made here), by area share, with the source recorded beside the scenario."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

import lup_opt
from tests.conftest import requires_geo

pytestmark = requires_geo

X0, Y0, CELL = 500_000.0, 9_300_300.0, 100.0  # UTM 36S; three parcels of 300 m x 300 m side by side
# Trends.Earth's SDG 15.3.1 codes: -1 degraded, 0 stable, 1 improved, -32768 no data. Columns 0-2
# lie under parcel P1, 3-5 under P2, 6-8 under P3.
STATUS = np.array([
    [-1, -1, 0, 0, 0, 0, 1, 1, 1],
    [-1, -1, 0, 0, 0, 0, 1, 1, -32768],
    [-1, -1, 0, 0, 0, 0, 1, -32768, -32768],
], dtype="int16")
# counted by hand from the array: P1 6 degraded of 9 cells, P2 all stable, P3 6 improved and 3 no data
EXPECTED = {"P1": ("degraded", 6 / 9, 3 / 9, 0.0), "P2": ("stable", 0.0, 1.0, 0.0), "P3": ("improved", 0.0, 0.0, 6 / 9)}


@pytest.fixture
def parcels_scenario(tmp_path):
    import geopandas
    from shapely.geometry import box

    from lup_opt.init_scenario import init_from_parcels

    frame = geopandas.GeoDataFrame(
        {"parcel": ["P1", "P2", "P3"], "commune": ["north", "north", "south"], "landuse": ["crop", "grass", "crop"]},
        geometry=[box(X0 + k * 300, Y0 - 300, X0 + (k + 1) * 300, Y0) for k in range(3)], crs="EPSG:32736")
    frame.to_file(tmp_path / "parcels.gpkg", driver="GPKG")
    return init_from_parcels(tmp_path / "area", tmp_path / "parcels.gpkg", id_field="parcel", jurisdiction="commune",
                             use="landuse")


def _status_tif(path, data=STATUS):
    import rasterio
    from rasterio.transform import from_origin

    with rasterio.open(path, "w", driver="GTiff", height=data.shape[0], width=data.shape[1], count=1,
                       dtype="int16", crs="EPSG:32736", transform=from_origin(X0, Y0, CELL, CELL),
                       nodata=-32768) as target:
        target.write(data, 1)
    return path


def test_each_units_baseline_status_is_its_largest_area_share_of_the_status_raster(cli, parcels_scenario, tmp_path):
    status = _status_tif(tmp_path / "sdg_15_3_1.tif")
    summary = tmp_path / "summary.json"
    summary.write_text(json.dumps({"degraded_ha": 6.0, "stable_ha": 12.0, "improved_ha": 6.0}), encoding="utf-8")
    out = tmp_path / "with_baseline"
    run = cli(["baseline", parcels_scenario, "--status", status, "--summary", summary, "--out", out])
    assert run.exit_code == 0, run.output
    scenario = lup_opt.load_scenario(out)
    units = scenario.units.set_index("id")
    assert units["baseline_status"].to_dict() == {k: v[0] for k, v in EXPECTED.items()}
    shares = pd.read_csv(out / "baseline_source.csv").set_index("land_unit")
    for unit, (_, degraded, stable, improved) in EXPECTED.items():
        assert shares.loc[unit, ["degraded_share", "stable_share", "improved_share"]].tolist() == pytest.approx(
            [degraded, stable, improved])
    source = json.loads((out / "baseline_source.json").read_text(encoding="utf-8"))
    assert source["source"] == "Trends.Earth SDG 15.3.1"
    assert source["status"]["sha256"] == hashlib.sha256(status.read_bytes()).hexdigest()
    assert source["summary"]["content"]["degraded_ha"] == 6.0
    assert source["area_ha_by_status"] == pytest.approx({"degraded": 9.0, "stable": 9.0, "improved": 9.0})
    solved = lup_opt.solve(scenario)
    assert solved.is_optimal  # the degraded unit is counted at the LDN baseline
    assert solved.manifest["baseline_source"] == source  # read and checked at loading, kept in every solve
    folder = solved.write(tmp_path / "results", report=False)
    assert lup_opt.read_result(folder).info.model_extra["baseline_source"]["status"]["sha256"] == \
        source["status"]["sha256"]
    # the scenario it came from is untouched
    assert set(lup_opt.load_scenario(parcels_scenario).units["baseline_status"]) == {"stable"}


def test_a_status_raster_in_degrees_gives_the_same_statuses(parcels_scenario, tmp_path):
    """Trends.Earth writes EPSG:4326: the same pattern on a lon/lat grid over the parcels."""
    import rasterio
    from pyproj import Transformer
    from rasterio.transform import from_bounds

    from lup_opt.trends_earth import baseline_from_trends_earth

    to_lonlat = Transformer.from_crs("EPSG:32736", "EPSG:4326", always_xy=True)
    west, north = to_lonlat.transform(X0, Y0)
    east, south = to_lonlat.transform(X0 + 900, Y0 - 300)
    fine = np.kron(STATUS, np.ones((4, 4), dtype="int16"))  # 4 x 4 lon/lat cells per 100 m cell
    path = tmp_path / "sdg_4326.tif"
    with rasterio.open(path, "w", driver="GTiff", height=fine.shape[0], width=fine.shape[1], count=1, dtype="int16",
                       crs="EPSG:4326", transform=from_bounds(west, south, east, north, fine.shape[1],
                                                              fine.shape[0]), nodata=-32768) as target:
        target.write(fine, 1)
    out = baseline_from_trends_earth(parcels_scenario, path, tmp_path / "from_degrees")
    units = lup_opt.load_scenario(out).units.set_index("id")
    assert units["baseline_status"].to_dict() == {k: v[0] for k, v in EXPECTED.items()}
    shares = pd.read_csv(out / "baseline_source.csv").set_index("land_unit")
    assert shares.loc["P1", "degraded_share"] == pytest.approx(6 / 9, abs=0.05)  # the grids differ slightly


def test_a_scenario_without_outlines_or_a_raster_elsewhere_is_refused(cli, parcels_scenario, tmp_path):
    from tests.conftest import SCENARIOS

    status = _status_tif(tmp_path / "s.tif")
    out = cli(["baseline", SCENARIOS / "tiny", "--status", status, "--out", tmp_path / "x"])
    assert out.exit_code == 2 and "no geometry" in out.output
    far = tmp_path / "far.tif"
    import rasterio
    from rasterio.transform import from_origin

    with rasterio.open(far, "w", driver="GTiff", height=3, width=3, count=1, dtype="int16", crs="EPSG:32736",
                       transform=from_origin(X0 + 50_000, Y0, CELL, CELL), nodata=-32768) as target:
        target.write(np.zeros((3, 3), dtype="int16"), 1)
    out = cli(["baseline", parcels_scenario, "--status", far, "--out", tmp_path / "y"])
    assert out.exit_code == 2 and "no cell of the raster lies under the land units" in out.output
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


def test_productivity_dynamics_and_land_types_come_from_their_rasters_by_majority(parcels_scenario, tmp_path):
    from lup_opt.trends_earth import baseline_from_trends_earth

    status = _status_tif(tmp_path / "status.tif")
    # Trends.Earth's land productivity dynamics: 1 declining ... 5 increasing; P1 mostly declining,
    # P2 stable, P3 increasing. Land types: 7 under P1 and P2, 8 under P3.
    lpd = _status_tif(tmp_path / "lpd.tif", np.array([[1, 1, 4, 4, 4, 4, 5, 5, 5]] * 3, dtype="int16"))
    types = _status_tif(tmp_path / "types.tif", np.array([[7] * 6 + [8] * 3] * 3, dtype="int16"))
    legend = tmp_path / "types.csv"
    legend.write_text("code,value\n7,plain\n8,hill\n", encoding="utf-8")
    out = baseline_from_trends_earth(parcels_scenario, status, tmp_path / "out", productivity=lpd, land_type=types,
                                     land_type_legend=legend)
    units = lup_opt.load_scenario(out).units.set_index("id")
    assert units["productivity_dynamics"].to_dict() == {"P1": "declining", "P2": "stable", "P3": "increasing"}
    assert units["land_type"].to_dict() == {"P1": "plain", "P2": "plain", "P3": "hill"}
    source = json.loads((out / "baseline_source.json").read_text(encoding="utf-8"))
    assert source["productivity"]["file"] == "lpd.tif" and source["land_type"]["file"] == "types.tif"
