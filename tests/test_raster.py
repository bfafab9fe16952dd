"""Grid scenarios from GeoTIFF rasters, and the plan written back as GeoTIFF."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import lup_opt
from tests.conftest import SCENARIOS

rasterio = pytest.importorskip("rasterio", reason="needs the geo extra: pip install 'lup_opt[geo]'")
from rasterio.transform import from_origin

SHAPE = (6, 5)  # rows, columns of 200 m cells: 4 ha each


def _write(path, data, nodata=None):
    with rasterio.open(path, "w", driver="GTiff", height=SHAPE[0], width=SHAPE[1], count=1, dtype="uint8",
                       crs="EPSG:32736", transform=from_origin(500_000, 9_300_000, 200, 200), nodata=nodata) as dst:
        dst.write(data.astype("uint8"), 1)
    return path


def _make_rasters(tmp_path):
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


@pytest.fixture
def rasters(tmp_path):
    return _make_rasters(tmp_path)


# Two planning years that differ: the town houses 240 people by 2025 and 480 by 2030.
TWO_YEARS = {"periods.planning_years": [2025, 2030], "targets.cereal.value": 200,
             "targets.housing.value": 480, "targets.housing.period": 2030,
             "targets.early.indicator": "housing_persons", "targets.early.sense": ">=", "targets.early.value": 240,
             "targets.early.period": 2025, "targets.early.scope": {"jurisdiction": "town"}}


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    """(scenario, result, results folder) of the grid solved for 2025 and 2030."""
    from lup_opt.raster import scenario_from_rasters

    tmp = tmp_path_factory.mktemp("two_years")
    made = _make_rasters(tmp)
    layers = {k: v for k, v in made.items() if k != "legend"}
    folder = scenario_from_rasters(SCENARIOS / "tiny", layers, made["legend"], tmp / "grid", "tropical_dry")
    scenario = lup_opt.load_scenario(folder, overrides=TWO_YEARS)
    result = lup_opt.solve(scenario)
    assert result.is_optimal, result.message
    return scenario, result, result.write(tmp / "results", report=False)


def _cells(units: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    where = units["land_unit"].str.extract(r"^r(\d+)c(\d+)$").astype(int)
    return where[0].to_numpy(), where[1].to_numpy()


def _read(path):
    """Band 1, its colour table (None when it has none) and its tags."""
    with rasterio.open(path) as src:
        try:
            table = src.colormap(1)
        except ValueError:  # changed_share: a share, no categories
            table = None
        return src.read(1), table, src.tags(1)


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
    units = result.land_units.set_index("land_unit")  # one planning year: one row per unit
    for unit, use in units["planned_use"].items():
        r, c = (int(v) for v in unit[1:].split("c"))
        assert legend[planned[r, c]] == use
    # 240 persons at 60 per ha: 4 ha of housing, one town cell.
    assert (units["planned_use"] == "housing").sum() >= 1
    with rasterio.open(out / "ldn_status.tif") as src:
        status = src.read(1)
    assert set(np.unique(status[1:, :])) <= {0, 1, 2}  # loss, neutral, gain


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


def test_every_planning_year_gets_its_geotiffs_and_the_plain_names_show_the_assessment_year(two_years):
    scenario, result, out = two_years
    units = result.land_units
    legend = pd.read_csv(out / "planned_use_legend.csv").set_index("code")["use"]
    statuses = {0: "loss", 1: "neutral", 2: "gain"}
    for year in scenario.planning_years:
        rows = units[units["year"] == year]
        r, c = _cells(rows)
        planned, _, _ = _read(out / f"planned_use_{year}.tif")
        assert legend.reindex(planned[r, c]).tolist() == rows["planned_use"].tolist(), year
        share, _, _ = _read(out / f"changed_share_{year}.tif")
        assert share[r, c] == pytest.approx((rows["changed_ha"] / rows["area_ha"]).to_numpy(), abs=1e-6), year
        status, _, _ = _read(out / f"ldn_status_{year}.tif")
        assert [statuses[v] for v in status[r, c]] == rows["ldn_status"].tolist(), year
        assert planned[0, 0] == status[0, 0] == 255 and np.isnan(share[0, 0])  # the cell without data
    # The plans of the two years differ, so each file shows its own year.
    assert not np.array_equal(_read(out / "planned_use_2025.tif")[0], _read(out / "planned_use_2030.tif")[0])
    assessment = result.manifest["assessment_year"]
    assert assessment == 2030  # tiny's LDN target year is the last planning year
    for name in ("planned_use", "changed_share", "ldn_status"):
        assert np.array_equal(_read(out / f"{name}.tif")[0], _read(out / f"{name}_{assessment}.tif")[0],
                              equal_nan=True), name


def test_every_planned_use_geotiff_carries_the_use_colours_and_names_with_one_code_per_use(two_years):
    from lup_opt.styles import COVER_COLOURS, rgb

    scenario, result, out = two_years
    cover = scenario.uses.set_index("id")["cover_class"]
    legend = pd.read_csv(out / "planned_use_legend.csv")
    assert set(legend["use"]) == set(result.land_units["planned_use"])  # the uses of every year
    files = sorted(out.glob("planned_use*.tif"))
    assert [f.name for f in files] == ["planned_use.tif", "planned_use_2025.tif", "planned_use_2030.tif"]
    for path in files:
        _, table, tags = _read(path)
        for code, use in zip(legend["code"], legend["use"], strict=True):
            assert table[code][:3] == rgb(COVER_COLOURS[cover[use]]), (path.name, use)  # crops yellow, ...
            assert tags[f"CATEGORY_{code}"] == use, path.name


def test_ldn_status_geotiffs_are_coloured_gain_green_loss_red_neutral_grey_and_named(two_years):
    _, _, out = two_years
    for path in sorted(out.glob("ldn_status*.tif")):
        _, table, tags = _read(path)
        assert {tags[f"CATEGORY_{k}"]: table[k][:3] for k in range(3)} == {
            "loss": (198, 40, 40), "neutral": (189, 189, 189), "gain": (46, 125, 50)}, path.name


def test_a_use_planned_in_one_year_only_has_the_same_code_in_every_years_geotiff(tmp_path):
    from lup_opt.raster import write_geotiffs
    from lup_opt.scenario.grid import Grid

    grid = Grid(crs="EPSG:32736", transform=tuple(from_origin(500_000, 9_300_000, 200, 200))[:6], width=2, height=1)
    table = pd.DataFrame({"land_unit": ["r0c0", "r0c1"] * 2, "year": [2025, 2025, 2030, 2030],
                          "planned_use": ["grass", "grass", "forest", "grass"], "area_ha": 4.0,
                          "changed_ha": [0.0, 0.0, 4.0, 0.0], "ldn_status": ["neutral", "neutral", "gain", "neutral"]})
    write_geotiffs(table, grid, tmp_path, {"grass": "#aed581", "forest": "#2e7d32"},
                   assessment_year=2025)
    early, early_table, early_tags = _read(tmp_path / "planned_use_2025.tif")
    late, late_table, late_tags = _read(tmp_path / "planned_use_2030.tif")
    assert early_tags == late_tags and early_tags["CATEGORY_0"] == "forest" and early_tags["CATEGORY_1"] == "grass"
    assert early_table == late_table and early_table[0][:3] == (46, 125, 50)
    assert early.tolist() == [[1, 1]] and late.tolist() == [[0, 1]]
    assert _read(tmp_path / "planned_use.tif")[0].tolist() == [[1, 1]]  # the assessment year, 2025


def test_a_damaged_grid_json_is_refused_when_the_scenario_loads_naming_file_and_field(two_years, tmp_path):
    import json
    import shutil

    scenario = two_years[0]
    copy = shutil.copytree(scenario.folder, tmp_path / "grid")
    grid = json.loads((copy / "grid.json").read_text())
    for field, value, words in [("width", 0, "greater than or equal to 1"),
                                ("transform", [200, 0, 5e5, 0, 0, 9.3e6], "cell size is zero"),
                                ("crs", "", "at least 1 character")]:
        (copy / "grid.json").write_text(json.dumps({**grid, field: value}))
        with pytest.raises(lup_opt.ScenarioError) as caught:
            lup_opt.load_scenario(copy)
        assert "grid.json" in str(caught.value) and field in str(caught.value) and words in str(caught.value)
    (copy / "grid.json").write_text("{not json")
    with pytest.raises(lup_opt.ScenarioError, match="grid.json.*JSON"):
        lup_opt.load_scenario(copy)


def test_the_results_keep_the_grid_so_maps_need_no_scenario_file_afterwards(two_years, tmp_path):
    """The grid is validated at loading and kept in the manifest: the results stage reads no
    scenario file, and reopened results have it as a typed model."""
    import shutil

    scenario, result, out = two_years
    copy = shutil.copytree(out, tmp_path / "results")
    reopened = lup_opt.read_result(copy)
    assert reopened.info.grid == scenario.grid
    assert reopened.info.grid.width == SHAPE[1] and reopened.info.grid.height == SHAPE[0]
    from lup_opt.raster import write_geotiffs

    written = write_geotiffs(result.land_units, reopened.info.grid, tmp_path)
    with rasterio.open(written[0]) as src:
        assert src.transform == from_origin(500_000, 9_300_000, 200, 200)
