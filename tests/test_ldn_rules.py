"""The LDN classification rules against the numbers of the reference (ldn.md) and GPG."""

from __future__ import annotations

import numpy as np
import pytest

from lup_opt.enums import CoverClass
from lup_opt.ldn_rules import (
    COUNTERBALANCING_MATRIX,
    DEFAULT_CROPLAND_FACTORS,
    UNCCD_LAND_COVER_MATRIX,
    classify_transitions,
    counterbalancing_status,
    one_out_all_out,
    soc_class,
    soc_conversion_factors,
    soc_relative_change,
)
from tests.reference import CLASSES, land_cover_class

TREE, GRASS, CROP, WETLAND, ARTIFICIAL, BARE, WATER = range(7)


def test_cover_classes_follow_the_unccd_matrix_order():
    assert [c.value for c in CoverClass] == CLASSES


def test_land_cover_matrix_is_the_unccd_default_table():
    for i, a in enumerate(CLASSES):
        for j, b in enumerate(CLASSES):
            assert UNCCD_LAND_COVER_MATRIX[i, j] == land_cover_class(a, b), (a, b)


def test_forest_to_cropland_in_temperate_moist_loses_31_percent_after_20_years():
    f = DEFAULT_CROPLAND_FACTORS["temperate_moist"]
    factor = soc_conversion_factors(np.array([f]))[0][TREE, CROP]
    assert soc_relative_change(factor, 20) == pytest.approx(-0.31)
    assert soc_relative_change(factor, 15) == pytest.approx(-0.2325)
    assert soc_class(soc_relative_change(factor, 15)) == -1


def test_forest_to_cropland_crosses_the_threshold_after_about_6_5_years():
    factor = DEFAULT_CROPLAND_FACTORS["temperate_moist"]
    assert soc_class(soc_relative_change(factor, 6.4)) == 0
    assert soc_class(soc_relative_change(factor, 6.5)) == -1


def test_cropland_to_forest_in_temperate_moist_gains_44_9_percent_and_crosses_after_4_5_years():
    f = DEFAULT_CROPLAND_FACTORS["temperate_moist"]
    factor = soc_conversion_factors(np.array([f]))[0][CROP, TREE]
    assert soc_relative_change(factor, 20) == pytest.approx(0.449, abs=5e-4)
    assert soc_class(soc_relative_change(factor, 4.4)) == 0
    assert soc_class(soc_relative_change(factor, 4.5)) == 1


def test_soc_change_stops_after_20_years():
    assert soc_relative_change(0.5, 40) == pytest.approx(soc_relative_change(0.5, 20))


def test_soc_thresholds_are_inclusive():
    # (0.8 - 1) * 10 / 20 = -0.1 exactly: degraded, even with floating round-off.
    assert soc_class(soc_relative_change(0.8, 10)) == -1
    assert soc_class(soc_relative_change(1.2, 10)) == 1


def test_wetland_cultivation_factor_is_0_71_both_ways():
    factors = soc_conversion_factors(np.array([0.58]))[0]
    assert factors[WETLAND, CROP] == pytest.approx(0.71)
    assert factors[CROP, WETLAND] == pytest.approx(1 / 0.71)


def test_one_out_all_out_lets_no_improvement_compensate_a_decline():
    lc = np.array([1, 1, 0, 0, 0])
    soc = np.array([-1, 0, 0, 1, 0])
    prod = np.array([0, 0, 0, 0, -1])
    assert one_out_all_out(lc, soc, prod).tolist() == [-1, 1, 0, 1, -1]


def test_land_degraded_at_baseline_that_stays_so_is_neither_gain_nor_loss():
    degraded, stable, improved = 0, 1, 2
    assert counterbalancing_status(np.array([degraded]), np.array([0]))[0] == 0
    assert counterbalancing_status(np.array([degraded]), np.array([1]))[0] == 1
    assert counterbalancing_status(np.array([stable]), np.array([-1]))[0] == -1
    assert counterbalancing_status(np.array([improved]), np.array([0]))[0] == 1
    assert COUNTERBALANCING_MATRIX.shape == (3, 3)


def test_management_factor_alone_can_improve_soc_after_enough_years():
    # conventional -> no-till (1.17) on the same cover: +17 % after 20 years, +8.5 % after 10.
    common = dict(
        cover_from=np.array([CROP]), cover_to=np.array([CROP]), cropland_factor=np.array([0.58]),
        management_ratio=np.array([1.17]), productivity=np.array([0]), baseline_status=np.array([1]),
    )
    assert classify_transitions(**common, soc_years=20)["status"][0] == 1
    assert classify_transitions(**common, soc_years=10)["status"][0] == 0
