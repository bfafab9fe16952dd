"""report.html, its figures and allocation.gpkg: rendered in headless Chromium, opened with geopandas."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import lup_opt
from lup_opt.formatting import number
from lup_opt.report.html import REPORT
from tests.conftest import SCENARIOS, requires_geo

SECTIONS = ("summary", "maps", "ldn", "ldn_hierarchy", "ldn_price", "sensitive", "food", "finance", "livelihoods",
            "transitions", "targets", "prices")
MAPS = ("map of land use per year", "map of LDN status per year", "map of change per year")
GPKG_ATTRIBUTES = ["land_unit", "jurisdiction", "zone", "land_type", "area_ha", "year", "baseline_use", "planned_use",
                   "changed_ha", "changed", "ldn_gains_ha", "ldn_losses_ha", "ldn_status"]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if found is None:
        pytest.skip("no Chromium on this machine (.ci/run installs Debian's chromium)")
    return found


def _headless(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--enable-logging=stderr", "--v=0", *args], capture_output=True, text=True, timeout=120,
                          check=False)


@pytest.mark.slow  # a browser on the default's report: about 18 s
@requires_geo
def test_default_report_renders_in_headless_chromium_with_maps(default_results_folder, tmp_path):
    report = default_results_folder / REPORT
    dom = _headless("--virtual-time-budget=5000", "--dump-dom", report.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    for section in SECTIONS:
        assert f'<section id="{section}">' in dom.stdout, section
    for alt in ("LDN balance chart", "transition heatmap", "targets chart", "shadow price chart",
                "food self-sufficiency chart", "finance chart", *MAPS):
        assert f'alt="{alt}"' in dom.stdout, alt
    assert "Uncaught" not in dom.stderr and "Failed to load resource" not in dom.stderr
    # The committed screenshots (test-artifacts/*.png) come from benchmarks/screenshots.py.
    screenshot = tmp_path / "default_report.png"
    shot = _headless("--window-size=1280,6000", f"--screenshot={screenshot}", report.as_uri())
    assert shot.returncode == 0 and screenshot.exists(), shot.stderr[-2000:]
    pixels = np.asarray(Image.open(screenshot).convert("RGB"))
    assert pixels.shape[:2] == (6000, 1280)
    # Charts and maps drawn, not a blank page: many colours, including the maps' tab20 palette.
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 500


def test_report_shows_the_bau_balance_sheet_and_the_price_of_neutrality(default_results_folder):
    page = (default_results_folder / REPORT).read_text(encoding="utf-8")
    for section in ("ldn_hierarchy", "ldn_price"):
        assert f'<section id="{section}">' in page
    price = pd.read_csv(default_results_folder / "ldn_price.csv").set_index("land_type")
    assert f">{number(price.loc['hill_slopes', 'price_of_neutrality'])}<" in page
    sheet = pd.read_csv(default_results_folder / "ldn_hierarchy.csv")
    avoided = sheet.loc[sheet["losses_avoided_ha"] > 0, "losses_avoided_ha"].iloc[0]
    assert f">{number(avoided)}<" in page


@requires_geo
def test_report_is_self_contained_with_valid_embedded_figures(default_results_folder):
    page = (default_results_folder / REPORT).read_text(encoding="utf-8")
    assert not re.search(r'(src|href)="(https?:)?//', page), "the report must not need the network"
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    figures = {"ldn_balance.png", "transitions.png", "targets.png", "jurisdictions.png", "prices.png", "food.png",
               "finance.png", "use_maps.png", "ldn_maps.png", "change_maps.png"}
    assert len(images) == len(figures)
    for data in images:
        Image.open(io.BytesIO(base64.b64decode(data))).verify()
    assert {p.name for p in (default_results_folder / "figures").iterdir()} == figures


@requires_geo
def test_allocation_gpkg_opens_with_geopandas_and_carries_the_documented_attributes(default_results_folder,
                                                                                       default_result):
    geopandas = pytest.importorskip("geopandas", reason="needs the geo extra: pip install 'lup_opt[geo]'")
    layer = geopandas.read_file(default_results_folder / "allocation.gpkg", layer="land_units")
    assert list(layer.columns[: len(GPKG_ATTRIBUTES)]) == GPKG_ATTRIBUTES
    assert {c for c in layer.columns if c.startswith("ha_")}, "no area-per-use attributes"
    assert len(layer) == default_result.land_units["land_unit"].nunique() == 320 and layer["land_unit"].is_unique
    assert layer.crs.to_epsg() == 32736
    # The outlines are the units' own areas, and the per-use hectares add up to them.
    assert layer.geometry.area.to_numpy() / 1e4 == pytest.approx(layer["area_ha"].to_numpy(), rel=1e-9)
    per_use = layer[[c for c in layer.columns if c.startswith("ha_")]].sum(axis=1)
    assert per_use.to_numpy() == pytest.approx(layer["area_ha"].to_numpy(), rel=1e-7)
    assert set(layer["ldn_status"]) <= {"gain", "loss", "neutral"}
    # The dominant planned use is what allocation.csv gives the unit the most area in that year.
    allocation = default_result.allocation
    year = allocation[allocation["period"] == layer["year"].iloc[0]]
    dominant = year.groupby(["land_unit", "use"])["area_ha"].sum().reset_index().sort_values("area_ha")
    dominant = dominant.groupby("land_unit").last()["use"]
    assert (layer.set_index("land_unit")["planned_use"] == dominant.reindex(layer["land_unit"])).mean() > 0.99


@pytest.mark.slow
@requires_geo
def test_report_command_rebuilds_the_report(cli, default_results_folder, tmp_path):
    copy = shutil.copytree(default_results_folder, tmp_path / "copy")
    (copy / REPORT).unlink()
    shutil.rmtree(copy / "figures")
    run = cli(["report", copy])
    assert run.exit_code == 0, run.output
    assert (copy / REPORT).exists() and (copy / "figures" / "use_maps.png").exists()


def test_report_of_an_infeasible_scenario_explains_why(tmp_path):
    result = lup_opt.solve(lup_opt.load_scenario(SCENARIOS / "infeasible"))
    assert not result.is_optimal
    folder = result.write(tmp_path / "infeasible")
    page = (folder / REPORT).read_text(encoding="utf-8")
    assert '<section id="diagnosis">' in page and "Why there is no plan" in page


def test_scenario_without_geometry_gets_a_report_without_maps(tiny_result, tmp_path):
    folder = tiny_result.write(tmp_path / "tiny")
    page = (folder / REPORT).read_text(encoding="utf-8")
    assert "No maps: the scenario gives no land-unit geometry" in page and not (folder / "allocation.gpkg").exists()
    assert pd.read_csv(folder / "land_units.csv")["land_unit"].tolist() == ["U1", "U2", "U3"]


def test_a_missing_geometry_file_is_an_error_naming_the_key(tmp_path):
    folder = shutil.copytree(SCENARIOS / "default", tmp_path / "default")
    (folder / "units.gpkg").unlink()
    with pytest.raises(lup_opt.ScenarioError, match=r"geometry\.file.*file not found"):
        lup_opt.load_scenario(folder)


@requires_geo
def test_units_without_an_outline_are_left_off_the_map(tmp_path, default_result):
    geopandas = pytest.importorskip("geopandas", reason="needs the geo extra: pip install 'lup_opt[geo]'")
    from lup_opt.spatial import write_allocation_gpkg

    outlines = geopandas.read_file(SCENARIOS / "default" / "units.gpkg").iloc[10:]
    outlines.to_file(tmp_path / "some.gpkg", driver="GPKG")
    path = write_allocation_gpkg(default_result.land_units, {"file": tmp_path / "some.gpkg", "id_column": "id"},
                                 tmp_path / "allocation.gpkg")
    assert len(geopandas.read_file(path, layer="land_units")) == 310


@requires_geo
def test_allocation_gpkg_stores_a_style_by_planned_use(default_results_folder):
    import sqlite3
    import xml.etree.ElementTree as ET

    from lup_opt.styles import rgb

    with sqlite3.connect(default_results_folder / "allocation.gpkg") as connection:
        rows = connection.execute("SELECT f_table_name, styleQML, styleSLD, useAsDefault FROM layer_styles").fetchall()
    units = pd.read_csv(default_results_folder / "land_units.csv")
    # One default style per layer: the assessment year's land_units and land_units_<year> per year.
    assert sorted(r[0] for r in rows) == ["land_units", *(f"land_units_{y}" for y in sorted(units["year"].unique()))]
    assert all(r[3] == 1 for r in rows)
    _, qml, sld, _ = next(r for r in rows if r[0] == "land_units")
    ET.fromstring(sld)  # well-formed
    root = ET.fromstring(qml.replace("<!DOCTYPE qgis>", ""))
    renderer = root.find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "planned_use"
    assessment = json.loads((default_results_folder / "manifest.json").read_text())["assessment_year"]
    planned = set(units.loc[units["year"] == assessment, "planned_use"])
    assert {c.get("value") for c in renderer.iter("category")} >= planned
    colours = {p.get("v") for p in renderer.iter("prop") if p.get("k") == "color"}
    assert ",".join(map(str, rgb("#2e7d32"))) + ",255" in colours or "forest" not in planned
