"""report.html answers every question the scenario asks: the ten-line summary, food, finance,
livelihoods, sensitive conversions and maps for every planning year; each number checked against
an independent computation from the folder's CSV tables."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

import lup_opt
from lup_opt.formatting import number
from lup_opt.report import build_report
from lup_opt.report.html import REPORT
from tests.conftest import SCENARIOS, requires_geo


def _page(folder) -> str:
    return (folder / REPORT).read_text(encoding="utf-8")


def _section(page: str, key: str) -> str:
    start = page.index(f'<section id="{key}">')
    return page[start:page.index("</section>", start)]


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)))


def _summary(page: str) -> list[str]:
    block = re.search(r'<ul class="summary">(.*?)</ul>', page, re.DOTALL).group(1)
    return [html.unescape(re.sub(r"<[^>]+>", "", item)) for item in re.findall(r"<li>(.*?)</li>", block, re.DOTALL)]


def _cell(value: float) -> str:
    """A number as a table cell of the report."""
    return f">{number(float(value))}<"


def _converted(allocation: pd.DataFrame) -> pd.DataFrame:
    last = allocation[allocation["period"] == allocation["period"].max()]
    return last[(last["use"] != last["baseline_use"]) & (last["area_ha"] > 1e-6)]


# The default scenario: every question asked ----------------------------------------------------------


def test_default_report_has_a_section_for_every_question_the_scenario_asks(default_results_folder):
    page = _page(default_results_folder)
    for key in ("summary", "maps", "ldn", "ldn_price", "sensitive", "food", "finance", "livelihoods", "prices"):
        assert f'<section id="{key}">' in page, key
    assert '<section id="missing">' not in page  # nothing the scenario asks for is left out
    assert page.index('id="summary"') < page.index('id="maps"')  # the summary comes first


def test_summary_is_ten_lines_at_most_and_its_numbers_come_from_the_tables(default_results_folder, default_scenario):
    folder = default_results_folder
    lines = _summary(_page(folder))
    text = " ".join(lines)
    assert 1 <= len(lines) <= 10
    manifest = pd.read_json(folder / "manifest.json", typ="series")
    assert f"costs {number(manifest['objective'])} kUSD" in lines[0]
    # What the plan does: hectares under another use by the last year, the largest changes.
    allocation = pd.read_csv(folder / "allocation.csv")
    last = allocation[allocation["period"] == allocation["period"].max()]
    changed = last.loc[last["use"] != last["baseline_use"], "area_ha"].sum()
    net = last.groupby("use")["area_ha"].sum().sub(last.groupby("baseline_use")["area_ha"].sum(), fill_value=0)
    assert f"puts {number(changed)} ha" in text and f"of the {number(last['area_ha'].sum())} ha" in text
    assert f"{net.idxmax()} (+{number(net.max())} ha)" in text and f"{net.idxmin()} ({number(net.min())} ha)" in text
    # Which targets bind, with their price.
    duals = pd.read_csv(folder / "duals.csv")
    binding = duals[duals["binding"] & duals["constraint"].isin(["target", "soft_target", "share_target", "equal_share"])]
    assert f"{binding['name'].nunique()} targets bind" in text
    top = binding.loc[(binding["shadow_price"] * binding["rhs"]).abs().idxmax()]
    assert top["name"] in text and number(top["shadow_price"]) in text and top["price_unit"] in text
    # Where LDN is tight, and the price of neutrality per land type.
    ldn = pd.read_csv(folder / "ldn_balance.csv")
    enforced = ldn[ldn["enforced"]]
    tight = enforced[(enforced["net_ha"] - enforced["target_ha"]).abs() <= 1e-6 * enforced["area_ha"]]
    tight_line = next(line for line in lines if "LDN is tight" in line)
    assert len(tight) and all(land_type in tight_line for land_type in tight["land_type"])
    price = pd.read_csv(folder / "ldn_price.csv").set_index("land_type")
    assert f"Neutrality costs {number(price.loc['all LDN rows', 'price_of_neutrality'])} kUSD" in text
    for land_type, row in price.drop(index="all LDN rows").iterrows():
        assert f"{land_type} {number(row['price_of_neutrality'])}" in text
    # Food, finance, work and sensitive land, each from its table.
    food = pd.read_csv(folder / "food.csv")
    abroad = food.loc[food["period"] == food["period"].max(), "imported_land_ha"].sum()
    assert f"grown on {number(abroad)} ha abroad" in text
    funds = pd.read_csv(folder / "funds.csv")
    assert f"{number(funds['unused'].clip(lower=0).sum())} kUSD stays unused" in text
    work = pd.read_csv(folder / "livelihoods.csv")
    assert f"{number(work.loc[work['period'] == work['period'].max(), 'without_work'].sum())} people" in text
    forest_uses = set(default_scenario.uses.loc[default_scenario.uses["cover_class"] == "tree_covered", "id"])
    converted = _converted(allocation)
    cleared = converted[converted["baseline_use"].isin(forest_uses) & ~converted["use"].isin(forest_uses)]
    assert f"{number(cleared['area_ha'].sum())} ha of baseline forest" in text


def test_food_section_gives_production_demand_imports_land_abroad_and_self_sufficiency(default_results_folder):
    section = _section(_page(default_results_folder), "food")
    food = pd.read_csv(default_results_folder / "food.csv")
    for column in ("production", "demand", "imports", "imported_land_ha", "self_sufficiency"):
        assert f">{column}<" in section
    for row in food.itertuples():  # every jurisdiction and year
        assert f"{row.jurisdiction}</td><td class=\"text\">{row.period}</td><td class=\"\">{number(row.production)}<" \
               in section
        assert _cell(row.self_sufficiency) in section and _cell(row.imported_land_ha) in section
    totals = food.groupby(["product", "period"])[["production", "demand", "imported_land_ha"]].sum()
    for (_, _), row in totals.iterrows():  # the functional area's own balance
        assert _cell(row["production"] / row["demand"]) in section and _cell(row["imported_land_ha"]) in section


def test_finance_section_shows_who_pays_for_what_and_what_each_source_leaves_unused(default_results_folder):
    section = _section(_page(default_results_folder), "finance")
    finance = pd.read_csv(default_results_folder / "finance.csv")
    funds = pd.read_csv(default_results_folder / "funds.csv")
    paid = finance.groupby(["source", "to_use"])["amount"].sum()
    for (source, use), amount in paid.items():
        assert source in section and use in section and _cell(amount) in section
    for source, row in funds.groupby("source")[["available", "used", "unused"]].sum().iterrows():
        assert (f"{source}</td><td class=\"\">{number(row['available'])}</td><td class=\"\">{number(row['used'])}"
                f"</td><td class=\"\">{number(row['unused'])}<") in section
    # Remittances and the diaspora fund are sources of their own, shown whatever they pay.
    assert ">remittances<" in section and ">diaspora_fund<" in section


def test_livelihoods_section_gives_jobs_and_people_without_local_work_per_jurisdiction_and_year(
        default_results_folder):
    section = _section(_page(default_results_folder), "livelihoods")
    work = pd.read_csv(default_results_folder / "livelihoods.csv")
    assert "people without local work" in section
    for row in work.itertuples():
        assert (f"{row.jurisdiction}</td><td class=\"text\">{row.period}</td><td class=\"\">"
                f"{number(row.labour_force)}</td><td class=\"\">{number(row.jobs)}</td><td class=\"\">"
                f"{number(row.without_work)}<") in section


def test_sensitive_conversions_list_what_was_converted_to_what_and_say_none_for_the_rest(default_results_folder,
                                                                                         default_scenario):
    section = _section(_page(default_results_folder), "sensitive")
    uses = default_scenario.uses.set_index("id")
    units = default_scenario.units.set_index("id")
    converted = _converted(pd.read_csv(default_results_folder / "allocation.csv"))
    cover_from = uses.loc[converted["baseline_use"], "cover_class"].to_numpy()
    cover_to = uses.loc[converted["use"], "cover_class"].to_numpy()
    blocks = dict(re.findall(r"<h3>(.*?)</h3>(.*?)(?=<h3>|$)", section, re.DOTALL))
    for cover, title in (("tree_covered", "Baseline forest"), ("wetland", "Wetland"), ("water_body", "Water body")):
        rows = converted[(cover_from == cover) & (cover_to != cover)]
        if rows.empty:
            assert "none</span>" in blocks[title], title
        else:
            assert f"{number(rows['area_ha'].sum())} ha by" in blocks[title]
            where = units.loc[rows["land_unit"], "jurisdiction"].to_numpy()
            for (jurisdiction, use), area in rows.groupby([where, "use"])["area_ha"].sum().items():
                assert re.search(rf">{jurisdiction}</td>.*?>{use}</td>(<td[^>]*>[^<]*</td>)*?<td[^>]*>"
                                 rf"{re.escape(number(area))}</td></tr>", blocks[title]), (jurisdiction, use)
    protected = units.index[units["protected"] == "yes"]
    on_protected = converted[converted["land_unit"].isin(protected)]
    assert ("none</span>" in blocks["Protected land"]) == on_protected.empty
    best = default_scenario.config.report.best_soils
    assert best is not None  # the default scenario designates its best soils
    in_best = np.logical_and.reduce([units[k].isin(v if isinstance(v, list) else [v]) for k, v in best.items()])
    sealed = converted[converted["land_unit"].isin(units.index[in_best])
                       & uses.loc[converted["use"], "sealed"].to_numpy()
                       & ~uses.loc[converted["baseline_use"], "sealed"].to_numpy()]
    if sealed.empty:
        assert "none</span>" in blocks["Best soils sealed"]
    else:
        assert f"{number(sealed['area_ha'].sum())} ha by" in blocks["Best soils sealed"]


@requires_geo
def test_maps_show_every_planning_year_with_the_net_ldn_per_jurisdiction(default_results_folder):
    section = _section(_page(default_results_folder), "maps")
    for alt in ("map of land use per year", "map of LDN status per year", "map of change per year"):
        assert f'alt="{alt}"' in section
    units = pd.read_csv(default_results_folder / "land_units.csv")
    assert units["year"].nunique() == 3  # one row per land unit and planning year
    net = units.assign(net=units["ldn_gains_ha"] - units["ldn_losses_ha"]).groupby(["jurisdiction", "year"])["net"].sum()
    for year in units["year"].unique():
        assert f">{year}<" in section
    for value in net:
        assert _cell(value) in section


@pytest.mark.slow
@requires_geo
def test_a_single_year_land_units_table_of_an_older_folder_still_gets_its_maps(default_results_folder, tmp_path):
    copy = shutil.copytree(default_results_folder, tmp_path / "older")
    units = pd.read_csv(copy / "land_units.csv")
    year = pd.read_json(copy / "manifest.json", typ="series")["assessment_year"]
    older = units[units["year"] == year].drop(columns="year")  # one row per land unit, the assessment year
    older.to_csv(copy / "land_units.csv", index=False)
    page = _page(build_report(copy).parent)
    section = _section(page, "maps")
    assert 'alt="map of land use per year"' in section and 'alt="map of LDN status per year"' in section
    assert f">{year}<" in section and not any(f">{y}<" in section for y in set(units["year"]) - {year})
    for value in older.assign(net=older["ldn_gains_ha"] - older["ldn_losses_ha"]).groupby("jurisdiction")["net"].sum():
        assert _cell(value) in section


# Scenarios without food, finance or work -----------------------------------------------------------


def test_report_without_food_finance_or_livelihoods_says_why_they_are_missing(tiny_result, tmp_path):
    page = _page(tiny_result.write(tmp_path / "tiny"))
    for key in ("food", "finance", "livelihoods"):
        assert f'<section id="{key}">' not in page
    missing = _text(_section(page, "missing"))
    assert "The scenario has no food products (scenario.yaml: no 'food' section)" in missing
    assert "no funding sources (scenario.yaml: no 'finance' section)" in missing
    assert "no livelihoods" in missing and "No maps: the scenario gives no land-unit geometry" in missing
    sensitive = _text(_section(page, "sensitive"))
    assert "none" in sensitive and "best soils are not designated" in sensitive
    assert len(_summary(page)) <= 10


def test_nothing_sensitive_converted_says_none_explicitly(small, tmp_path):
    folder = lup_opt.solve(lup_opt.load_scenario(small())).write(tmp_path / "small")
    section = _text(_section(_page(folder), "sensitive"))
    assert "none : nothing sensitive was converted" in section


def test_best_soils_sealed_are_listed_with_the_area_and_the_use(small, tmp_path):
    # 60 persons on j1's urban unit C (grass, on the best soils): 0.6 ha of housing, sealed.
    scenario = small(targets={"homes": {"indicator": "housing_persons", "sense": ">=", "value": 60}},
                     report={"best_soils": {"zone": "urban"}})
    folder = lup_opt.solve(lup_opt.load_scenario(scenario)).write(tmp_path / "small")
    allocation = pd.read_csv(folder / "allocation.csv")
    sealed = allocation[(allocation["land_unit"] == "C") & (allocation["use"] == "housing")]["area_ha"].sum()
    assert sealed == pytest.approx(0.6)
    page = _page(folder)
    block = _section(page, "sensitive").split("<h3>Best soils sealed</h3>")[1]
    assert f"{number(sealed)} ha by 2030" in block and ">housing<" in block and ">grass<" in block
    assert f"{number(sealed)} ha of best soils sealed (to housing {number(sealed)} ha)" in " ".join(_summary(page))


def test_best_soils_must_name_land_that_exists(small):
    with pytest.raises(lup_opt.ScenarioError, match=r"report\.best_soils\.zone: unknown zone 'urbn'"):
        lup_opt.load_scenario(small(report={"best_soils": {"zone": "urbn"}}))
    with pytest.raises(lup_opt.ScenarioError, match=r"report\.best_soils: an empty scope"):
        lup_opt.load_scenario(small(report={"best_soils": {}}))


# Maps: scale bar, vector and grid ------------------------------------------------------------------


def _tiny_with_outlines(tmp_path, crs: str):
    """The tiny scenario with square outlines in ``crs`` (metres, or degrees)."""
    geopandas = pytest.importorskip("geopandas", reason="needs the geo extra: pip install 'lup_opt[geo]'")
    from shapely import box

    folder = shutil.copytree(SCENARIOS / "tiny", tmp_path / f"tiny-{crs.replace(':', '')}")
    step = 1000.0 if crs == "EPSG:32736" else 0.01
    x0, y0 = (500_000.0, 9_290_000.0) if crs == "EPSG:32736" else (35.0, -6.0)
    outlines = [box(x0 + k * step, y0, x0 + (k + 0.95) * step, y0 + 0.95 * step) for k in range(3)]
    geopandas.GeoDataFrame({"id": ["U1", "U2", "U3"]}, geometry=outlines, crs=crs).to_file(
        folder / "units.gpkg", layer="units", driver="GPKG")
    config = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8"))
    config["geometry"] = {"file": "units.gpkg", "id_column": "id", "layer": "units"}
    (folder / "scenario.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return folder


@pytest.mark.slow
@requires_geo
def test_maps_in_degrees_say_there_is_no_scale_bar(tmp_path):
    folder = lup_opt.solve(lup_opt.load_scenario(_tiny_with_outlines(tmp_path, "EPSG:4326"))).write(tmp_path / "r")
    section = _text(_section(_page(folder), "maps"))
    assert "no scale bar: their coordinates (EPSG:4326) are not in metres" in section


def test_a_crs_has_a_scale_bar_only_when_projected_in_metres():
    pyproj = pytest.importorskip("pyproj", reason="needs the geo extra: pip install 'lup_opt[geo]'")
    from lup_opt.report.basemap import in_metres

    assert in_metres(pyproj.CRS("EPSG:32736")) and not in_metres(pyproj.CRS("EPSG:4326"))
    assert not in_metres(pyproj.CRS("EPSG:2229"))  # projected, but in US feet
    assert not in_metres(None)


def _grid_results(tmp_path):
    rasterio = pytest.importorskip("rasterio", reason="needs the geo extra: pip install 'lup_opt[geo]'")
    from rasterio.transform import from_origin

    from lup_opt.raster import scenario_from_rasters

    shape = (6, 5)
    rows = np.arange(shape[0])[:, None] * np.ones(shape[1], dtype=int)[None, :]
    layers = {"land_cover": np.where(rows >= 4, 2, 1), "jurisdiction": np.where(rows <= 1, 1, 2),
              "land_type": np.where(rows >= 4, 2, 1), "zone": np.where(rows <= 1, 2, 3)}
    paths = {}
    for name, data in layers.items():
        paths[name] = tmp_path / f"{name}.tif"
        with rasterio.open(paths[name], "w", driver="GTiff", height=shape[0], width=shape[1], count=1, dtype="uint8",
                           crs="EPSG:32736", transform=from_origin(500_000, 9_300_000, 200, 200)) as dst:
            dst.write(data.astype("uint8"), 1)
    legend = pd.DataFrame([("land_cover", 1, "crop"), ("land_cover", 2, "grass"), ("jurisdiction", 1, "town"),
                           ("jurisdiction", 2, "village"), ("land_type", 1, "plain"), ("land_type", 2, "hill"),
                           ("zone", 2, "peri_urban"), ("zone", 3, "rural")], columns=["layer", "code", "value"])
    legend.to_csv(tmp_path / "legend.csv", index=False)
    grid = scenario_from_rasters(SCENARIOS / "tiny", paths, tmp_path / "legend.csv", tmp_path / "grid", "tropical_dry")
    scenario = lup_opt.load_scenario(grid, overrides={"targets.housing.value": 240, "targets.cereal.value": 200})
    return lup_opt.solve(scenario).write(tmp_path / "results")


@requires_geo
def test_grid_report_draws_its_maps_from_the_geotiffs_of_each_planning_year(tmp_path):
    from lup_opt.report.basemap import raster_map, raster_tifs
    from lup_opt.report.folder import Folder

    out = _grid_results(tmp_path)
    section = _section(_page(out), "maps")
    assert 'alt="map of land use per year"' in section and 'alt="map of LDN status per year"' in section
    folder = Folder.open(out)
    base, _ = raster_map(folder)
    units = pd.read_csv(out / "land_units.csv")
    for year, path in raster_tifs(folder, "planned_use").items():
        assert path.name == f"planned_use_{year}.tif"
        expected = units[units["year"] == year].set_index("land_unit")["planned_use"]
        assert base.read(path).reindex(expected.index).tolist() == expected.tolist()
    status = raster_tifs(folder, "ldn_status")
    expected = units[units["year"] == min(status)].set_index("land_unit")["ldn_status"]
    assert base.read(status[min(status)]).reindex(expected.index).tolist() == expected.tolist()
    # Jurisdiction boundaries: the edges between the town's rows (0-1) and the village's (2-5).
    inner = [s for s in base.segments if np.allclose(s[:, 1], 9_300_000 - 2 * 200)]
    assert len(inner) == 5


@pytest.mark.slow
@requires_geo
def test_grid_report_of_an_older_folder_uses_the_unsuffixed_geotiff(tmp_path):
    from lup_opt.report.basemap import raster_tifs
    from lup_opt.report.folder import Folder

    out = _grid_results(tmp_path)
    for path in out.glob("*_2030.tif"):
        path.unlink()
    assert raster_tifs(Folder.open(out), "planned_use") == {2030: out / "planned_use.tif"}
    assert 'alt="map of land use per year"' in _page(build_report(out).parent)


# Every kind of plan folder -------------------------------------------------------------------------


@pytest.mark.slow
def test_an_evaluated_plan_gets_the_full_report(cli, tmp_path):
    run = cli(["evaluate", SCENARIOS / "tiny", "--plan", "baseline", "--out", tmp_path / "e"])
    assert run.exit_code == 1, run.output  # misses the housing target
    page = _page(tmp_path / "e")
    assert "Evaluated plan: tiny, baseline" in page
    for key in ("summary", "ldn", "sensitive", "targets"):
        assert f'<section id="{key}">' in page
    evaluation = pd.read_json(tmp_path / "e" / "evaluation.json", typ="series")
    assert f"the optimum of the same scenario is {number(evaluation['optimum'])} kUSD" in _summary(page)[0]
    assert "an evaluated plan is not an optimum" in _section(page, "missing")
    assert cli(["report", tmp_path / "e"]).exit_code == 0


@pytest.mark.slow  # a report per frontier point
def test_every_frontier_point_gets_a_plan_folder_that_lup_opt_report_reports_on(cli, tiny_scenario, tmp_path):
    from lup_opt import tradeoffs

    folder = tradeoffs.frontier_of(tiny_scenario, ["cost_kusd:min", "ldn_net"], points=3).write(tmp_path / "f")
    points = pd.read_csv(folder / "frontier.csv")
    plans = sorted(p.name for p in (folder / "plans").iterdir())
    assert len(plans) == len(points) and all(p.startswith("point_") for p in plans)
    for point in points.itertuples():
        plan = next(folder / "plans" / p for p in plans if p.split("_")[1] == str(point.point))
        assert cli(["report", plan]).exit_code == 0
        indicators = pd.read_csv(plan / "indicators.csv")
        cost = indicators.loc[(indicators["indicator"] == "cost_kusd") & (indicators["scope_type"] == "functional_area"),
                              "value"].sum()
        assert cost == pytest.approx(point.cost_kusd, abs=1e-6)  # the plan folder holds that point's plan
        page = _page(plan)
        assert f"costs {number(cost)} kUSD" in _summary(page)[0] and '<section id="sensitive">' in page
    assert "lup-opt report plans/point_0" in _page(build_report(folder).parent)
    run = cli(["report", folder, "--plans"])  # every plan's report, then the folder's, linking to them
    assert run.exit_code == 0 and run.output.count("Report: ") == len(points) + 1
    assert all(f'href="plans/{p}/report.html"' in _page(folder) for p in plans)


@pytest.mark.slow
def test_alternatives_and_a_compromise_get_plan_folders(cli, tiny_scenario, tmp_path):
    from lup_opt import tradeoffs

    alternatives = tradeoffs.alternatives(tiny_scenario, slack=0.2, count=2).write(tmp_path / "a")
    names = pd.read_csv(alternatives / "alternatives.csv")["plan"].str.replace(" ", "_")
    assert sorted(p.name for p in (alternatives / "plans").iterdir()) == sorted(names)
    assert cli(["report", alternatives / "plans" / "optimum"]).exit_code == 0
    compromise = tradeoffs.compromise_of(tiny_scenario, ["cost_kusd:min", "ldn_net"]).write(tmp_path / "c")
    page = _page(compromise / "plans" / "compromise")  # a single plan's report is written with it
    assert "Trade-off plan: tiny, compromise" in page and "was chosen by the compromise method" in page


@pytest.mark.slow
@requires_geo
def test_a_sweep_run_folder_gets_the_full_report_with_maps_from_the_scenario_outlines(cli, tmp_path):
    from lup_opt.sweep import RUNS, run_one

    scenario = _tiny_with_outlines(tmp_path, "EPSG:32736")
    row = run_one(str(scenario), [], {"targets.housing.value": "2500"}, str(tmp_path / "sweep"))
    assert row["status"] == "optimal", row
    run = tmp_path / "sweep" / RUNS / row["run_id"]
    assert not (run / REPORT).exists() and not (run / "allocation.gpkg").exists()
    assert cli(["report", run]).exit_code == 0
    page = _page(run)
    assert 'alt="map of land use per year"' in page and (run / "figures" / "use_maps.png").exists()


@pytest.mark.slow
def test_importing_the_report_leaves_matplotlibs_backend_alone():
    code = ("import matplotlib; matplotlib.use('svg'); import lup_opt.report, lup_opt.report.maps, "
            "lup_opt.tradeoffs.plots; assert matplotlib.get_backend() == 'svg', matplotlib.get_backend()")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.slow
def test_a_folder_whose_scenario_is_gone_still_gets_a_report_that_says_what_it_cannot_assess(tmp_path):
    scenario = shutil.copytree(SCENARIOS / "tiny", tmp_path / "moved")
    folder = lup_opt.solve(lup_opt.load_scenario(scenario)).write(tmp_path / "r", report=False)
    shutil.rmtree(scenario)
    page = _page(build_report(folder).parent)
    sensitive = _text(_section(page, "sensitive"))
    assert f"Not assessed: cover classes and protected land come from the scenario, and the scenario folder " \
           f"{scenario} is no longer there" in sensitive
    assert '<section id="ldn">' in page and len(_summary(page)) >= 3  # the rest is read from the folder


def test_a_chart_laid_out_in_one_pass_has_the_pixels_of_matplotlibs_two(default_results_folder, tmp_path,
                                                                         monkeypatch):
    """save_tight lays a whole-figure chart out in one pass; matplotlib's tight layout (rect (0, 0,
    1, 1)) runs a second that fits the first one's margins into the rect. On the default's busiest
    charts (six price panels; the transition matrix with its colour bar) the PNGs are the same."""
    from matplotlib.layout_engine import TightLayoutEngine
    from PIL import Image

    from lup_opt import plotting
    from lup_opt.report import figures

    duals, transitions = (pd.read_csv(default_results_folder / f"{name}.csv") for name in ("duals", "transitions"))

    def draw(folder):
        folder.mkdir()
        return [figures.prices_figure(duals, folder / "prices.png"),
                figures.transition_heatmap(transitions, folder / "transitions.png")]

    one_pass = draw(tmp_path / "one")
    passes = []
    original = TightLayoutEngine.execute

    def two_passes(engine, figure):
        passes.append(engine.get()["rect"])
        return original(TightLayoutEngine(rect=plotting.WHOLE_FIGURE), figure)

    monkeypatch.setattr(TightLayoutEngine, "execute", two_passes)
    two = draw(tmp_path / "two")
    assert passes == [None, None]  # save_tight asked for one pass
    for a, b in zip(one_pass, two, strict=True):
        assert np.array_equal(np.asarray(Image.open(a)), np.asarray(Image.open(b))), a.name
