"""``lup-opt init``: a commented starter that solves, and scenarios built from a parcel layer or rasters."""

from __future__ import annotations

import re
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

import lup_opt
from tests.conftest import SCENARIOS, requires_geo


def test_init_writes_a_scenario_that_validates_and_solves_to_the_hand_worked_optimum(cli, tmp_path):
    folder = tmp_path / "my_area"
    assert cli(["init", folder]).exit_code == 0
    assert cli(["validate", folder]).exit_code == 0
    solved = cli(["solve", folder, "--out", tmp_path / "results", "--no-report", "--quiet"])
    assert solved.exit_code == 0
    # The starter holds tiny's numbers: scenarios/tiny/README.md works the optimum out by hand, 620 kUSD.
    assert lup_opt.read_result(tmp_path / "results").objective == pytest.approx(620.0)


def test_every_field_of_the_starter_scenario_yaml_has_a_comment(tmp_path):
    from lup_opt.init_scenario import init_starter

    text = (init_starter(tmp_path / "s") / "scenario.yaml").read_text(encoding="utf-8")
    config = yaml.safe_load(text)
    assert config["name"] == "s" and config["targets"]["housing"]["value"] == 2400
    # The keys a planner sets are each explained beside them (the entries of a named target or
    # indicator below their commented section line are the only exceptions).
    uncommented = [line for line in text.splitlines()
                   if re.match(r"^ {0,2}[a-z_]+:", line) and "#" not in line
                   and not re.match(r"^  (cereal|housing|housing_persons|cereal_t|cost_kusd|strict_ldn)\b", line)]
    assert uncommented == []


def test_init_never_writes_into_a_folder_that_holds_files(cli, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("my notes", encoding="utf-8")
    out = cli(["init", folder])
    assert out.exit_code == 2
    assert "exists and is not empty" in out.output
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


@pytest.fixture(scope="module")
def default_parcels(tmp_path_factory):
    """The default scenario's own units.gpkg with the fields a parcel layer would carry (from
    units.csv and the largest baseline use of each unit), under other names than lup_opt's."""
    geopandas = pytest.importorskip("geopandas", reason="needs the geo extra: pip install 'lup_opt[geo]'")
    outlines = geopandas.read_file(SCENARIOS / "default" / "units.gpkg")
    units = pd.read_csv(SCENARIOS / "default" / "units.csv")
    baseline = pd.read_csv(SCENARIOS / "default" / "baseline.csv")
    main_use = baseline.sort_values("area_ha").groupby("land_unit")["use"].last()
    parcels = outlines.merge(units[["id", "jurisdiction", "zone", "land_type"]], on="id")
    parcels = parcels.assign(landuse=parcels["id"].map(main_use)).rename(
        columns={"id": "parcel", "jurisdiction": "commune", "zone": "zoning", "land_type": "soil"})
    path = tmp_path_factory.mktemp("parcels") / "parcels.gpkg"
    parcels.to_file(path, driver="GPKG")
    return path


PARCEL_OPTIONS = ["--id", "parcel", "--jurisdiction", "commune", "--zone", "zoning", "--land-type", "soil",
                  "--use", "landuse"]


@requires_geo
def test_init_from_the_default_units_gpkg_rebuilds_its_units_and_areas_and_solves(cli, default_parcels, tmp_path):
    folder = tmp_path / "rebuilt"
    out = cli(["init", folder, "--parcels", default_parcels, *PARCEL_OPTIONS])
    assert out.exit_code == 0, out.output
    rebuilt = lup_opt.load_scenario(folder)
    expected = pd.read_csv(SCENARIOS / "default" / "units.csv")
    assert list(rebuilt.units["id"]) == list(expected["id"])
    # areas measured from the outlines are the default's units.csv areas (given there to 0.01 ha)
    np.testing.assert_allclose(rebuilt.units["area_ha"], expected["area_ha"], atol=0.005)
    for column in ("jurisdiction", "zone", "land_type"):
        assert list(rebuilt.units[column]) == list(expected[column])
    assert rebuilt.baseline.groupby("land_unit")["area_ha"].sum().sum() == pytest.approx(expected["area_ha"].sum(),
                                                                                         abs=0.5)
    # the default's uses were found in the parcels and got the cover class of their names
    covers = rebuilt.uses.set_index("id")["cover_class"]
    assert covers["crop_conventional"] == "cropland" and covers["residential_dense"] == "artificial"
    assert rebuilt.config.geometry is not None and (folder / "units.gpkg").is_file()
    assert lup_opt.solve(rebuilt).is_optimal


@requires_geo
def test_a_missing_parcel_field_is_named_with_the_fields_there_are(cli, default_parcels, tmp_path):
    out = cli(["init", tmp_path / "x", "--parcels", default_parcels, "--id", "parcel", "--jurisdiction", "district"])
    assert out.exit_code == 2
    assert "no field 'district' (--jurisdiction)" in out.output and "commune" in out.output
    assert not (tmp_path / "x").exists()


@requires_geo
def test_an_invalid_parcel_outline_is_named_by_feature_and_id(cli, default_parcels, tmp_path):
    import geopandas
    from shapely.geometry import Polygon

    parcels = geopandas.read_file(default_parcels)
    bowtie = Polygon([(500000, 9280000), (500100, 9280100), (500100, 9280000), (500000, 9280100)])
    parcels.loc[4, "geometry"] = bowtie
    path = tmp_path / "bad.gpkg"
    parcels.to_file(path, driver="GPKG")
    out = cli(["init", tmp_path / "x", "--parcels", path, "--id", "parcel", "--jurisdiction", "commune"])
    assert out.exit_code == 2
    assert "feature 5 (parcel 'K0004')" in out.output and "invalid outline" in out.output
    assert not (tmp_path / "x").exists()


@requires_geo
def test_parcels_in_degrees_are_refused_with_the_crs_to_use(cli, default_parcels, tmp_path):
    import geopandas

    path = tmp_path / "wgs84.gpkg"
    geopandas.read_file(default_parcels).to_crs(4326).to_file(path, driver="GPKG")
    out = cli(["init", tmp_path / "x", "--parcels", path, "--id", "parcel", "--jurisdiction", "commune"])
    assert out.exit_code == 2
    assert "not projected" in out.output and "metres" in out.output


def _raster(path, data, crs="EPSG:32736"):
    rasterio = pytest.importorskip("rasterio", reason="needs the geo extra: pip install 'lup_opt[geo]'")
    from rasterio.transform import from_origin

    with rasterio.open(path, "w", driver="GTiff", height=data.shape[0], width=data.shape[1], count=1, dtype="uint8",
                       crs=crs, transform=from_origin(500000, 9300000, 100, 100), nodata=255) as target:
        target.write(data.astype("uint8"), 1)
    return path


@pytest.fixture
def small_rasters(tmp_path):
    cover = np.array([[0, 0, 1], [1, 2, 2]])
    rasters = {"land_cover": _raster(tmp_path / "lc.tif", cover),
               "jurisdiction": _raster(tmp_path / "j.tif", np.array([[0, 0, 0], [1, 1, 1]])),
               "land_type": _raster(tmp_path / "lt.tif", np.zeros((2, 3)))}
    legend = tmp_path / "legend.csv"
    legend.write_text("layer,code,value\nland_cover,0,cropland_maize\nland_cover,1,grassland\nland_cover,2,forest\n"
                      "jurisdiction,0,north\njurisdiction,1,south\nland_type,0,plain\n", encoding="utf-8")
    return rasters, legend


@requires_geo
def test_init_from_rasters_makes_one_unit_per_cell_of_a_hectare_and_solves(cli, small_rasters, tmp_path):
    rasters, legend = small_rasters
    folder = tmp_path / "grid"
    out = cli(["init", folder, *(a for k, p in rasters.items() for a in ("--rasters", f"{k}={p}")),
               "--legend", legend])
    assert out.exit_code == 0, out.output
    scenario = lup_opt.load_scenario(folder)
    assert len(scenario.units) == 6 and scenario.units["area_ha"].tolist() == [1.0] * 6  # 100 m cells
    assert set(scenario.units["zone"]) == {"rural"}
    assert scenario.baseline.groupby("use")["area_ha"].sum().to_dict() == {"cropland_maize": 2.0, "forest": 2.0,
                                                                           "grassland": 2.0}
    assert lup_opt.solve(scenario).is_optimal


@requires_geo
def test_rasters_in_two_crs_are_refused_naming_both(cli, small_rasters, tmp_path):
    rasters, legend = small_rasters
    rasters["land_type"] = _raster(tmp_path / "lt_utm37.tif", np.zeros((2, 3)), crs="EPSG:32737")
    out = cli(["init", tmp_path / "x", *(a for k, p in rasters.items() for a in ("--rasters", f"{k}={p}")),
               "--legend", legend])
    assert out.exit_code == 2
    assert "lt_utm37.tif" in out.output and "differs" in out.output
    assert not (tmp_path / "x").exists()


def test_without_geopandas_init_parcels_says_what_to_install(cli, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "geopandas", None)  # as if the geo extra were not installed
    (tmp_path / "parcels.gpkg").write_bytes(b"")
    out = cli(["init", tmp_path / "x", "--parcels", tmp_path / "parcels.gpkg", "--id", "a", "--jurisdiction", "b"])
    assert out.exit_code == 2 and "pip install 'lup_opt[geo]'" in out.output
    assert not (tmp_path / "x").exists()


@requires_geo
def test_a_zone_lup_opt_does_not_know_is_named_with_the_zones_it_does(cli, default_parcels, tmp_path):
    import geopandas

    parcels = geopandas.read_file(default_parcels)
    parcels.loc[2, "zoning"] = "suburban"
    path = tmp_path / "zoned.gpkg"
    parcels.to_file(path, driver="GPKG")
    out = cli(["init", tmp_path / "x", "--parcels", path, *PARCEL_OPTIONS])
    assert out.exit_code == 2
    text = " ".join(out.output.split())
    assert "feature 3 (parcel 'K0002'): zone 'suburban' in field 'zoning' (--zone) is not one of urban, " \
           "peri_urban, rural" in text
