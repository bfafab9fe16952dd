"""Maps of every planning year: land_units.csv per (unit, year) and allocation.gpkg's styled layers."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from tests.conftest import requires_geo

SLD = "{http://www.opengis.net/sld}"
OGC = "{http://www.opengis.net/ogc}"


def _expected_colours(scenario) -> dict[str, str]:
    """Each use's colour as uses.csv gives it: its own color, else its cover class's."""
    from lup_opt.styles import COVER_COLOURS

    uses = scenario.uses
    own = uses["color"] if "color" in uses.columns else pd.Series(np.nan, index=uses.index)
    return {use: colour if isinstance(colour, str) and colour.strip() else COVER_COLOURS[cover]
            for use, cover, colour in zip(uses["id"], uses["cover_class"], own, strict=True)}


def test_land_units_csv_has_a_row_per_unit_for_every_planning_year_in_unit_order(default_results_folder,
                                                                                default_scenario):
    table = pd.read_csv(default_results_folder / "land_units.csv")
    years = list(default_scenario.planning_years)
    ids = default_scenario.units["id"].astype(str).tolist()
    assert len(years) > 1  # the default scenario plans several years, so the test means something
    assert table["year"].tolist() == np.repeat(years, len(ids)).tolist()
    assert table["land_unit"].astype(str).tolist() == ids * len(years)
    per_use = table[[c for c in table.columns if c.startswith("ha_")]].sum(axis=1)
    assert per_use.to_numpy() == pytest.approx(table["area_ha"].to_numpy(), rel=1e-7)


def test_each_years_ldn_gains_and_losses_of_the_units_add_up_to_that_years_ldn_balance(default_results_folder):
    units = pd.read_csv(default_results_folder / "land_units.csv")
    balance = pd.read_csv(default_results_folder / "ldn_balance.csv")
    for year, rows in units.groupby("year"):
        of_year = balance[balance["period"] == year]
        assert rows["ldn_gains_ha"].sum() == pytest.approx(of_year["gains_counted_ha"].sum(), rel=1e-7), year
        assert rows["ldn_losses_ha"].sum() == pytest.approx(of_year["losses_ha"].sum(), rel=1e-7), year
    # Land changes over the years, so the years' tables are not copies of one another.
    assert units.groupby("year")["changed_ha"].sum().nunique() > 1


def test_land_units_planned_use_of_a_year_is_the_use_allocation_gives_most_area_that_year(default_result):
    allocation = default_result.allocation
    dominant = (allocation.groupby(["period", "land_unit", "use"])["area_ha"].sum().reset_index()
                .sort_values("area_ha").groupby(["period", "land_unit"]).last()["use"])
    units = default_result.land_units.set_index(["year", "land_unit"])
    assert (units["planned_use"] == dominant.reindex(units.index)).mean() > 0.99


@requires_geo
def test_allocation_gpkg_has_the_assessment_layer_and_one_layer_per_planning_year(default_results_folder,
                                                                                  default_scenario):
    import geopandas
    import pyogrio

    years = list(default_scenario.planning_years)
    listed = pyogrio.list_layers(default_results_folder / "allocation.gpkg")
    layers = {str(name) for name, geometry in listed if geometry is not None}  # not the layer_styles table
    assert layers == {"land_units", *(f"land_units_{y}" for y in years)}
    table = pd.read_csv(default_results_folder / "land_units.csv")
    for year in years:
        layer = geopandas.read_file(default_results_folder / "allocation.gpkg", layer=f"land_units_{year}")
        rows = table[table["year"] == year].set_index("land_unit")
        assert layer["year"].eq(year).all() and layer["land_unit"].is_unique and len(layer) == len(rows)
        assert (layer.set_index("land_unit")["planned_use"] == rows["planned_use"].reindex(layer["land_unit"])).all()
    manifest = pd.read_json(default_results_folder / "manifest.json", typ="series")
    default = geopandas.read_file(default_results_folder / "allocation.gpkg", layer="land_units")
    assert default["year"].eq(manifest["assessment_year"]).all()
    assert manifest["assessment_year"] == (default_scenario.target_year if default_scenario.target_year in years
                                           else years[-1])


@requires_geo
def test_every_gpkg_layer_has_a_default_qml_and_sld_style_in_the_scenarios_use_colours(default_results_folder,
                                                                                       default_scenario):
    from lup_opt.styles import rgb

    with sqlite3.connect(default_results_folder / "allocation.gpkg") as connection:
        styles = connection.execute("SELECT f_table_name, styleQML, styleSLD, useAsDefault FROM layer_styles").fetchall()
        tables = {r[0] for r in connection.execute("SELECT table_name FROM gpkg_contents")}
    assert sorted(s[0] for s in styles) == sorted(t for t in tables if t.startswith("land_units"))
    colours = _expected_colours(default_scenario)
    planned = set(pd.read_csv(default_results_folder / "land_units.csv")["planned_use"])
    for table, qml, sld, default in styles:
        assert default == 1, table
        renderer = ET.fromstring(qml.replace("<!DOCTYPE qgis>", "")).find("renderer-v2")
        assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "planned_use"
        symbols = {s.get("name"): s.find("layer/prop[@k='color']").get("v") for s in renderer.iter("symbol")}
        qml_colours = {c.get("value"): symbols[c.get("symbol")] for c in renderer.iter("category")}
        assert set(qml_colours) == planned, table  # every year's legend lists the same uses
        for use, value in qml_colours.items():
            assert value == ",".join(map(str, rgb(colours[use]))) + ",255", (table, use)
        rules = ET.fromstring(sld).iter(f"{SLD}Rule")
        sld_colours = {r.find(f"{OGC}Filter/{OGC}PropertyIsEqualTo/{OGC}Literal").text:
                       r.find(f"{SLD}PolygonSymbolizer/{SLD}Fill/{SLD}CssParameter[@name='fill']").text for r in rules}
        assert sld_colours == {use: colours[use] for use in planned}, table


@requires_geo
def test_a_use_planned_in_one_year_only_keeps_its_colour_in_every_years_layer(tmp_path):
    import geopandas
    from shapely.geometry import box

    from lup_opt.spatial import write_allocation_gpkg

    geopandas.GeoDataFrame({"id": ["A", "B"]}, geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)],
                           crs="EPSG:32736").to_file(tmp_path / "units.gpkg", driver="GPKG")
    table = pd.DataFrame({"land_unit": ["A", "B", "A", "B"], "year": [2025, 2025, 2030, 2030],
                          "planned_use": ["crop", "crop", "forest", "crop"], "area_ha": 1.0})
    path = write_allocation_gpkg(table, {"file": tmp_path / "units.gpkg", "id_column": "id"},
                                 tmp_path / "allocation.gpkg", {"crop": "#f9d648", "forest": "#2e7d32"},
                                 assessment_year=2025)
    assert geopandas.read_file(path, layer="land_units")["planned_use"].tolist() == ["crop", "crop"]
    assert geopandas.read_file(path, layer="land_units_2030")["planned_use"].tolist() == ["forest", "crop"]
    with sqlite3.connect(path) as connection:
        styles = dict(connection.execute("SELECT f_table_name, styleSLD FROM layer_styles").fetchall())
    assert set(styles) == {"land_units", "land_units_2025", "land_units_2030"}
    assert all("#2e7d32" in sld and "#f9d648" in sld for sld in styles.values())
