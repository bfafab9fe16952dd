"""The scenario format's rules: specificity of coefficients, transition rules, exclusions,
baseline tolerance, variants and overrides (scenarios/README.md)."""

from __future__ import annotations

import numpy as np
import pytest

import lup_opt
from lup_opt.families.registry import build_model_data
from tests.conftest import SCENARIOS, SMALL_BASELINE, SMALL_COEFFICIENTS, SMALL_UNITS


def keep_coefficient(folder, indicator: str) -> dict[str, float]:
    """Per unit: the indicator's per-ha value of keeping the baseline use."""
    data = build_model_data(lup_opt.load_scenario(folder), culling="off")
    row = data.coefficients[0].getrow(data.dims.indicators.index(indicator)).toarray().ravel()
    cols = data.columns
    keep = cols.conversion < 0
    return {str(data.dims.land_units[u]): row[c] for c, u in zip(np.flatnonzero(keep), cols.unit[keep], strict=True)}


def columns_of(folder) -> set[tuple[str, str, str]]:
    lp = lup_opt.build(lup_opt.load_scenario(folder)).lp
    labels = lp.variable("area").labels
    upper = lp.variable("area").upper
    return {(str(r.land_unit), str(r.baseline_use), str(r.use))
            for r, up in zip(labels.itertuples(), upper, strict=True) if up > 0}


HILL_UNIT = {"id": "D", "area_ha": 10, "jurisdiction": "j2", "zone": "rural", "land_type": "hill",
             "climate": "tropical_dry", "baseline_status": "stable", "tenure": "customary"}
UNITS_WITH_HILL = [*SMALL_UNITS, HILL_UNIT]
BASELINE_WITH_HILL = [*SMALL_BASELINE, {"land_unit": "D", "use": "crop", "area_ha": 10}]


def test_most_specific_coefficient_wins(small):
    rows = [
        {"indicator": "cereal_t", "use": "crop", "value": 2},                                      # 0 keys
        {"indicator": "cereal_t", "use": "crop", "value": 3, "zone": "rural"},                     # 1 key
        {"indicator": "cereal_t", "use": "crop", "value": 4, "zone": "rural", "land_type": "plain"},  # 2 keys
        {"indicator": "cereal_t", "use": "crop", "value": 9, "land_unit": "A"},                    # a unit
        {"indicator": "cereal_t", "use": "*", "value": 7, "zone": "rural", "land_type": "hill"},   # * with 2 keys
    ]
    grass_to_crop = [{"land_unit": "C", "use": "crop", "area_ha": 50}]  # C (urban) in crop too
    folder = small(tables={"coefficients": rows, "units": UNITS_WITH_HILL,
                           "baseline": [*SMALL_BASELINE[:2], *grass_to_crop, BASELINE_WITH_HILL[-1]]})
    values = keep_coefficient(folder, "cereal_t")
    assert values == {"A": 9, "B": 4, "C": 2, "D": 7}


def test_named_use_beats_wildcard_at_equal_keys(small):
    rows = [{"indicator": "cereal_t", "use": "*", "value": 5, "zone": "rural"},
            {"indicator": "cereal_t", "use": "crop", "value": 3, "zone": "rural"}]
    assert keep_coefficient(small(tables={"coefficients": rows}), "cereal_t")["A"] == 3


def test_unit_attribute_columns_can_key_coefficients(small):
    rows = [{"indicator": "cereal_t", "use": "crop", "value": 2},
            {"indicator": "cereal_t", "use": "crop", "value": 1.5, "tenure": "customary"}]
    values = keep_coefficient(small(tables={"coefficients": rows}), "cereal_t")
    assert values["A"] == 2 and values["B"] == 1.5


def test_equally_specific_conflicting_coefficients_are_an_error_naming_both_lines(small):
    rows = [{"indicator": "cereal_t", "use": "crop", "value": 3, "zone": "rural"},
            {"indicator": "cereal_t", "use": "crop", "value": 4, "jurisdiction": "j2"}]
    with pytest.raises(lup_opt.ScenarioError, match=r"lines 2 and 3: both set 'cereal_t' \(use\) for land unit 'B' and use 'crop'"):
        build_model_data(lup_opt.load_scenario(small(tables={"coefficients": rows})), culling="off")


def test_repeated_coefficient_rows_are_an_error(small):
    rows = [{"indicator": "cereal_t", "use": "crop", "value": 3}, {"indicator": "cereal_t", "use": "crop", "value": 4}]
    with pytest.raises(lup_opt.ScenarioError, match="keep one row per combination"):
        lup_opt.load_scenario(small(tables={"coefficients": rows}))


def test_transition_zones_restrict_where_a_change_is_allowed(small):
    columns = columns_of(small())
    assert ("C", "grass", "housing") in columns          # urban
    assert ("A", "crop", "housing") not in columns       # rural: housing allowed in urban only
    assert ("A", "crop", "forest") in columns


def test_leaving_a_sealed_use_is_never_allowed(small):
    baseline = [*SMALL_BASELINE[:2], {"land_unit": "C", "use": "housing", "area_ha": 50}]
    columns = columns_of(small(tables={"baseline": baseline}))
    assert {c for c in columns if c[0] == "C"} == {("C", "housing", "housing")}


def test_a_rule_allowing_to_leave_a_sealed_use_is_an_error(small):
    rules = [{"from_use": "housing", "to_use": "park", "allowed": True}]
    with pytest.raises(lup_opt.ScenarioError, match="which is sealed"):
        lup_opt.load_scenario(small(tables={"transitions": rules}))


def test_exact_rule_beats_wildcard_rule(small):
    rules = [{"from_use": "*", "to_use": "forest", "allowed": False},
             {"from_use": "grass", "to_use": "forest", "allowed": True}]
    columns = columns_of(small(tables={"transitions": rules}))
    assert ("C", "grass", "forest") in columns and ("A", "crop", "forest") not in columns


def test_conflicting_one_sided_rules_are_an_error(small):
    rules = [{"from_use": "crop", "to_use": "*", "allowed": False},
             {"from_use": "*", "to_use": "forest", "allowed": True}]
    with pytest.raises(lup_opt.ScenarioError, match="add an exact row for this pair"):
        lup_opt.build(lup_opt.load_scenario(small(tables={"transitions": rules})))


def test_default_allowed_false_allows_only_listed_changes(small):
    rules = [{"from_use": "grass", "to_use": "crop"}]
    columns = columns_of(small(tables={"transitions": rules}, transitions={"default_allowed": False}))
    changes = {c for c in columns if c[1] != c[2]}
    assert changes == {("C", "grass", "crop")}


def test_forbidding_to_keep_a_use_fixes_that_column_at_zero(small):
    rules = [{"from_use": "grass", "to_use": "grass", "allowed": False}]
    folder = small(tables={"transitions": rules})
    assert ("C", "grass", "grass") not in columns_of(folder)
    result = lup_opt.solve(lup_opt.load_scenario(folder))
    kept = result.allocation.query("land_unit == 'C' and use == 'grass'")
    assert kept.empty
    # Baseline values still count the kept grass.
    area = result.indicators.query("indicator == 'area_ha' and scope_type == 'functional_area'").iloc[0]
    assert area["baseline_value"] == pytest.approx(250)


def test_exclusions_forbid_creating_a_use_but_not_keeping_it(small):
    exclusions = [{"use": "*", "tenure": "customary", "reason": "protected"},
                  {"use": "crop", "land_unit": "C", "reason": "unsuitable soil"},
                  {"use": "grass", "land_unit": "C", "reason": "already grass: still kept"}]
    columns = columns_of(small(tables={"exclusions": exclusions}))
    assert {c for c in columns if c[0] == "B"} == {("B", "crop", "crop")}
    assert ("C", "grass", "crop") not in columns
    assert ("C", "grass", "grass") in columns


def test_exclusion_rows_must_name_some_land(small):
    with pytest.raises(lup_opt.ScenarioError, match="names no land"):
        lup_opt.load_scenario(small(tables={"exclusions": [{"use": "crop", "zone": ""}]}))


def test_baseline_within_tolerance_is_rescaled_to_the_unit_area(small):
    baseline = [{"land_unit": "A", "use": "crop", "area_ha": 60.004},
                {"land_unit": "A", "use": "grass", "area_ha": 39.994}, *SMALL_BASELINE[1:]]
    scenario = lup_opt.load_scenario(small(tables={"baseline": baseline}))
    assert scenario.baseline.query("land_unit == 'A'")["area_ha"].sum() == pytest.approx(100, abs=1e-12)


def test_unknown_climate_is_refused_until_its_cropland_factor_is_given(small):
    units = [dict(u, climate="boreal_moist") if u["id"] == "A" else u for u in SMALL_UNITS]
    with pytest.raises(lup_opt.ScenarioError, match="unknown climate zone 'boreal_moist'"):
        lup_opt.load_scenario(small(tables={"units": units}))
    scenario = lup_opt.load_scenario(small(tables={"units": units}, ldn={"enabled": False, "cropland_factor": {"boreal_moist": 0.69}}))
    assert scenario.cropland_factors["boreal_moist"] == 0.69


def test_custom_land_cover_matrix_changes_the_classification(small, tmp_path):
    # Declare crop -> forest neutral for land cover: at 10 years SOC still rises 36 %: a gain.
    # Declare it degrading: one out, all out makes it a loss.
    folder = small(ldn={"enabled": True, "land_cover_matrix": "matrix.csv"})
    classes = ["tree_covered", "grassland", "cropland", "wetland", "artificial", "other_land", "water_body"]
    rows = ["from," + ",".join(classes)] + [c + "," + ",".join("0" for _ in classes) for c in classes]
    rows[3] = "cropland,-1," + ",".join("0" for _ in classes[1:])
    (folder / "matrix.csv").write_text("\n".join(rows) + "\n")
    data = build_model_data(lup_opt.load_scenario(folder), culling="off")
    to_forest = (data.columns.to_use == data.dims.uses.index("forest")) & (data.columns.from_use == data.dims.uses.index("crop"))
    assert (data.ldn.land_cover[0][to_forest] == -1).all()
    assert (data.ldn.status[0][to_forest] == -1).all()


def test_variants_stack_in_order_and_set_comes_last():
    folder = SCENARIOS / "default"
    a = lup_opt.load_scenario(folder, variants=["high_growth", "no_ldn"])
    assert a.config.population.file == "population_high_growth.csv" and not a.config.ldn.enabled
    b = lup_opt.load_scenario(folder, variants="high_growth,no_ldn",
                              overrides=["population.file=population.csv", "ldn.enabled=true"])
    assert b.config.population.file == "population.csv" and b.config.ldn.enabled
    assert b.variants == ("high_growth", "no_ldn")
    assert a.content_hash != b.content_hash


def test_set_values_are_read_as_yaml():
    scenario = lup_opt.load_scenario(SCENARIOS / "tiny", overrides=["ldn.enabled=no", "ldn.soc_years=15.5"])
    assert scenario.config.ldn.enabled is False
    assert scenario.config.ldn.soc_years == 15.5


def test_nested_override_merges_instead_of_replacing(tiny_scenario):
    scenario = lup_opt.load_scenario(SCENARIOS / "tiny", overrides={"targets": {"housing": {"value": 1200}}})
    assert scenario.config.targets["housing"].value == 1200
    assert scenario.config.targets["housing"].scope == {"jurisdiction": "town"}
    assert "cereal" in scenario.config.targets


def test_same_files_give_the_same_hash(tiny_scenario):
    assert lup_opt.load_scenario(SCENARIOS / "tiny").content_hash == tiny_scenario.content_hash


def test_coefficients_are_unaffected_by_unrelated_rows(small):
    # A land_unit row for one unit leaves the others on the general rule.
    rows = [*SMALL_COEFFICIENTS, {"indicator": "timber_ha", "use": "forest", "value": 2, "land_unit": "B"}]
    data = build_model_data(lup_opt.load_scenario(small(tables={"coefficients": rows})), culling="off")
    row = data.coefficients[0].getrow(data.dims.indicators.index("timber_ha")).toarray().ravel()
    forest = data.columns.to_use == data.dims.uses.index("forest")
    by_unit = {str(data.dims.land_units[u]): v for u, v in zip(data.columns.unit[forest], row[forest], strict=True)}
    assert by_unit == {"A": 1, "B": 2, "C": 1}


def test_a_use_colour_that_is_not_rrggbb_is_named(tmp_path):
    import shutil

    folder = shutil.copytree(SCENARIOS / "tiny", tmp_path / "tiny")
    uses = (folder / "uses.csv").read_text(encoding="utf-8").splitlines()
    uses[0] += ",color"
    uses[1:] = [line + (",green" if i == 1 else ",") for i, line in enumerate(uses[1:], start=1)]
    (folder / "uses.csv").write_text("\n".join(uses) + "\n", encoding="utf-8")
    with pytest.raises(lup_opt.ScenarioError, match=r"uses.csv, line 2, column 'color'.*#rrggbb"):
        lup_opt.load_scenario(folder)
