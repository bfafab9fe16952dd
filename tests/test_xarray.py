"""Back into Python: ``Result.to_xarray`` / ``to_netcdf``, and the notebook summaries (``_repr_html_``)."""

from __future__ import annotations

import pandas as pd
import pytest

import lup_opt
from tests.conftest import SCENARIOS

xarray = pytest.importorskip("xarray", reason="needs the xarray extra: pip install 'lup_opt[xarray]'")


def test_the_dataset_holds_the_plan_by_land_unit_use_and_year_summing_to_each_units_area(tiny_result):
    dataset = tiny_result.to_xarray()
    assert {"land_unit", "use", "year", "jurisdiction", "indicator", "land_type"} <= set(dataset.dims)
    units = pd.read_csv(SCENARIOS / "tiny" / "units.csv").set_index("id")["area_ha"]
    per_unit = dataset["area_ha"].sum("use").sel(year=2030).to_series()
    assert per_unit.to_dict() == pytest.approx(units.to_dict())
    # tiny's optimum by hand (scenarios/tiny/README.md): 40 ha of housing on U1 house 2,400 people,
    # 60 ha of crop there and 70 ha on U2 give 390 t; nothing is built in the village
    assert float(dataset["area_ha"].sel(land_unit="U1", use="housing", year=2030)) == pytest.approx(40.0)
    assert float(dataset["indicator_value"].sel(indicator="cereal_t", year=2030)) == pytest.approx(390.0)
    assert float(dataset["indicator_by_jurisdiction"].sel(jurisdiction="town", indicator="housing_persons",
                                                          year=2030)) == pytest.approx(2400.0)
    assert str(dataset["unit"].sel(indicator="cost_kusd").item()) == "kUSD"
    assert dataset.attrs["objective"] == pytest.approx(620.0) and dataset.attrs["status"] == "optimal"
    assert (dataset["ldn_net_ha"] >= -1e-6).all()


def test_the_dataset_round_trips_through_netcdf(tiny_result, tmp_path):
    from lup_opt.results.xarray_io import open_netcdf

    path = tiny_result.to_netcdf(tmp_path / "tiny.nc")
    xarray.testing.assert_identical(open_netcdf(path), tiny_result.to_xarray())


def test_a_result_read_back_from_its_folder_gives_the_same_dataset(tiny_result, tmp_path):
    folder = tiny_result.write(tmp_path / "tiny", report=False)
    again = lup_opt.read_result(folder).to_xarray()
    xarray.testing.assert_allclose(again[["area_ha", "indicator_value", "ldn_net_ha"]],
                                   tiny_result.to_xarray()[["area_ha", "indicator_value", "ldn_net_ha"]])


def test_notebook_summaries_say_what_matters_and_do_not_dump_the_tables(default_scenario, tiny_scenario, tiny_result):
    html = default_scenario._repr_html_()
    assert "320" in html and "default" in html and "K0100" not in html  # 320 units, none listed
    html = tiny_result._repr_html_()
    assert "optimal" in html and "620 kUSD" in html and "housing" in html
    assert "U2" not in html  # no allocation rows
    assert "tiny" in tiny_scenario._repr_html_()


def test_a_diagnosis_and_a_comparison_show_their_summary(tiny_result, tmp_path):
    from lup_opt.compare import compare_runs

    diagnosis = lup_opt.explain(lup_opt.load_scenario(SCENARIOS / "infeasible"))
    html = diagnosis._repr_html_()
    assert "Diagnosis" in html and "no" in html and "must" in html  # the relaxation in the planner's words
    more = lup_opt.solve(lup_opt.load_scenario(SCENARIOS / "tiny", overrides={"targets.cereal.value": 400}))
    comparison = compare_runs(tiny_result.write(tmp_path / "a", report=False), more.write(tmp_path / "b",
                                                                                          report=False))
    html = comparison._repr_html_()
    assert "against" in html and "653.333" in html  # 10 t more cereal at 10/3 kUSD/t: 620 -> 653.33
    assert html.count("<tr>") == 2  # a summary and the largest changes, not the tables


def test_a_frontier_shows_its_objectives_points_and_knee(tiny_scenario):
    from lup_opt import tradeoffs

    front = tradeoffs.frontier_of(tiny_scenario, ["objective", "cereal_t:max"], points=3)
    html = front._repr_html_()
    assert "Pareto frontier" in html and "cereal_t" in html and "knee" in html


def test_a_sweeps_runs_stack_along_a_run_dimension_with_their_inputs_and_objectives(tiny_result, tmp_path):
    from lup_opt.results.ensemble import ensemble_dataset, write_ensemble
    from lup_opt.results.xarray_io import open_netcdf

    more = lup_opt.solve(lup_opt.load_scenario(SCENARIOS / "tiny", overrides={"targets.cereal.value": 400}))
    for name, result in (("run-a", tiny_result), ("run-b", more)):
        result.write(tmp_path / "runs" / name, report=False)
    rows = pd.DataFrame({"run_id": ["run-a", "run-b"], "status": "optimal", "objective": [620.0, 620 + 100 / 3],
                         "input:targets.cereal.value": ["390", "400"]})
    write_ensemble(tmp_path, rows)
    dataset = open_netcdf(tmp_path / "sweep.nc")
    assert list(dataset["run"].values) == ["run-a", "run-b"]
    assert list(dataset["input_targets_cereal_value"].values) == ["390", "400"]
    cereal = dataset["indicator_value"].sel(indicator="cereal_t", year=2030)
    assert cereal.values.tolist() == pytest.approx([390.0, 400.0])  # each run meets its own target exactly
    assert dataset["objective"].values.tolist() == pytest.approx([620.0, 620 + 100 / 3])
    in_memory = ensemble_dataset({"run-a": tiny_result}, rows.set_index("run_id").iloc[:1])
    assert in_memory.sizes["run"] == 1


def test_without_xarray_to_xarray_says_what_to_install(tiny_result, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "xarray", None)  # as if the xarray extra were not installed
    with pytest.raises(lup_opt.LupOptError, match=r"pip install 'lup_opt\[xarray\]'"):
        tiny_result.to_xarray()


def test_an_infeasible_result_shows_why_and_has_no_arrays():
    result = lup_opt.solve(lup_opt.load_scenario(SCENARIOS / "infeasible"))
    html = result._repr_html_()
    assert "infeasible" in html and "must drop by" in html  # the diagnosis in the planner's words
    dataset = result.to_xarray()
    assert dict(dataset.sizes) == {} and dataset.attrs["status"] == "infeasible"
