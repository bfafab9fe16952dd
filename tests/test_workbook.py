"""Excel in: ``lup-opt template`` writes scenario.xlsx, ``lup-opt solve scenario.xlsx`` reads it through
the same validation as a folder, and problems name the sheet, the row and the column."""

from __future__ import annotations

import sys

import pytest

import lup_opt
from tests.conftest import SCENARIOS, requires_excel, requires_geo

pytestmark = requires_excel


@pytest.fixture(scope="module")
def tiny_workbook(tmp_path_factory):
    from lup_opt.workbook_template import write_workbook

    return write_workbook(tmp_path_factory.mktemp("tiny_book") / "scenario.xlsx", SCENARIOS / "tiny")


def _edited(book, tmp_path, **cells):
    """A copy of ``book`` with cells changed: sheet__A1=value."""
    import openpyxl

    workbook = openpyxl.load_workbook(book)
    for where, value in cells.items():
        sheet, cell = where.split("__")
        workbook[sheet][cell] = value
    path = tmp_path / "scenario.xlsx"
    workbook.save(path)
    return path


def test_the_tiny_scenario_round_trips_through_its_workbook_to_the_same_optimum_and_duals(tiny_workbook,
                                                                                         tiny_result):
    from_book = lup_opt.solve(lup_opt.load_scenario(tiny_workbook))
    # tiny's optimum is worked out by hand (scenarios/tiny/README.md): 620 kUSD
    assert from_book.objective == pytest.approx(620.0) == pytest.approx(tiny_result.objective)
    prices = from_book.duals.set_index("name")["shadow_price"]
    expected = tiny_result.duals.set_index("name")["shadow_price"]
    assert prices.sort_index().to_dict() == pytest.approx(expected.sort_index().to_dict())
    assert from_book.allocation.sort_values(["land_unit", "use"])["area_ha"].tolist() == pytest.approx(
        tiny_result.allocation.sort_values(["land_unit", "use"])["area_ha"].tolist())


def test_the_workbook_has_a_sheet_per_table_units_in_headers_and_lists_of_valid_values(tiny_workbook):
    import openpyxl

    book = openpyxl.load_workbook(tiny_workbook)
    assert {"settings", "indicators", "targets", "variants", "units", "baseline", "uses", "coefficients",
            "transitions", "productivity"} <= set(book.sheetnames)
    assert [c.value for c in book["units"][1]][:2] == ["id", "area_ha [ha]"]
    assert "cost_kusd [kUSD per ha]" in [c.value for c in book["transitions"][1]]
    lists = book["lists"]
    named = {lists.cell(1, k).value: [lists.cell(r, k).value for r in range(2, lists.max_row + 1)
                                      if lists.cell(r, k).value is not None] for k in range(1, lists.max_column + 1)}
    assert named["uses"] == ["crop", "housing", "forest", "grass", "restoration"]
    assert named["jurisdictions"] == ["town", "village"] and named["senses"] == [">=", "<=", "="]
    assert named["zones"] == ["urban", "peri_urban", "rural"]

    def validated(sheet, column):
        return {str(v.formula1) for v in book[sheet].data_validations.dataValidation
                if any(str(r).startswith(column) for r in v.sqref.ranges)}

    assert validated("baseline", "B") == {"=lists!$A$2:$A$6"}  # baseline.use: the uses
    assert validated("targets", "C")  # targets.sense: >=, <=, =
    assert validated("units", "D")  # units.zone


def test_template_and_solve_of_the_workbook_from_the_command_line(cli, tmp_path):
    assert cli(["template", tmp_path / "book"]).exit_code == 0
    out = cli(["solve", tmp_path / "book" / "scenario.xlsx", "--out", tmp_path / "results", "--quiet"])
    assert out.exit_code == 0, out.output
    result = lup_opt.read_result(tmp_path / "results")
    assert result.objective == pytest.approx(620.0)  # the starter: tiny's numbers
    assert (tmp_path / "results" / "report.html").is_file()
    # a second template does not replace the planner's workbook without asking
    again = cli(["template", tmp_path / "book"])
    assert again.exit_code == 2 and "--overwrite" in again.output


def test_a_malformed_cell_is_named_by_sheet_row_and_column_and_nothing_is_written(cli, tiny_workbook, tmp_path):
    bad = _edited(tiny_workbook, tmp_path, units__B3="a hundred")
    out = cli(["solve", bad, "--out", tmp_path / "results"])
    assert out.exit_code == 2
    text = " ".join(out.output.split())
    assert "scenario.xlsx, sheet 'units', row 3, column B (area_ha): 'a hundred' is not a number" in text
    assert not (tmp_path / "results").exists()
    # the settings and targets are checked first (as scenario.yaml is), in the same terms
    bad = _edited(tiny_workbook, tmp_path, targets__C2="more than")
    out = cli(["solve", bad, "--out", tmp_path / "results"])
    assert out.exit_code == 2
    assert "scenario.xlsx, sheet 'targets', row 2, column C (sense)" in " ".join(out.output.split())
    assert not (tmp_path / "results").exists()


def test_a_use_missing_from_the_uses_sheet_is_named_where_it_is_used(tiny_workbook, tmp_path):
    bad = _edited(tiny_workbook, tmp_path, baseline__B4="meadow")
    with pytest.raises(lup_opt.ScenarioError) as error:
        lup_opt.load_scenario(bad)
    issue = error.value.issues[0]
    assert issue.file == "scenario.xlsx" and issue.where.startswith("sheet 'baseline', row 4")
    assert "meadow" in issue.message


def test_a_workbook_without_settings_is_refused_as_not_a_template(tmp_path):
    import openpyxl

    path = tmp_path / "other.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(lup_opt.ScenarioError, match="no sheet 'settings'"):
        lup_opt.load_scenario(path)


@pytest.mark.slow
@requires_geo
def test_a_scenario_with_outlines_keeps_them_beside_its_workbook_for_the_maps(cli, tmp_path):
    import geopandas
    from shapely.geometry import box

    from lup_opt.init_scenario import init_from_parcels

    parcels = geopandas.GeoDataFrame({"pid": ["A", "B"], "commune": ["north", "south"]},
                                     geometry=[box(500000, 9300000, 500200, 9300100),
                                               box(500200, 9300000, 500400, 9300100)], crs="EPSG:32736")
    parcels.to_file(tmp_path / "parcels.gpkg", driver="GPKG")
    folder = init_from_parcels(tmp_path / "area", tmp_path / "parcels.gpkg", id_field="pid", jurisdiction="commune")
    assert cli(["template", tmp_path / "book", "--scenario", folder]).exit_code == 0
    assert (tmp_path / "book" / "units.gpkg").is_file()
    out = cli(["solve", tmp_path / "book" / "scenario.xlsx", "--out", tmp_path / "results", "--quiet"])
    assert out.exit_code == 0, out.output
    assert (tmp_path / "results" / "allocation.gpkg").is_file()
    assert lup_opt.read_result(tmp_path / "results").info.geometry.file == str(tmp_path / "book" / "units.gpkg")


def test_without_openpyxl_template_and_a_workbook_say_what_to_install(cli, tiny_workbook, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # as if the excel extra were not installed
    out = cli(["template", tmp_path / "book"])
    assert out.exit_code == 2 and "pip install 'lup_opt[excel]'" in out.output
    out = cli(["validate", tiny_workbook])
    assert out.exit_code == 2 and "pip install 'lup_opt[excel]'" in out.output
    assert not (tmp_path / "book" / "scenario.xlsx").exists()


@pytest.mark.slow  # about 15 s: the default scenario solved from its workbook
def test_the_default_scenario_round_trips_through_its_workbook_to_the_same_optimum(default_result, tmp_path):
    from lup_opt.workbook_template import write_workbook

    book = write_workbook(tmp_path / "default" / "scenario.xlsx", SCENARIOS / "default")
    from_book = lup_opt.solve(lup_opt.load_scenario(book))
    assert from_book.objective == pytest.approx(default_result.objective, rel=1e-9)
    assert len(from_book.allocation) == len(default_result.allocation)
