"""The LDN classification rules against the numbers of the reference (ldn.md) and GPG."""

from __future__ import annotations

import numpy as np
import pytest

from lup_opt.enums import CoverClass
from lup_opt.ldn_rules import (
    DEFAULT_CROPLAND_FACTORS,
    UNCCD_LAND_COVER_MATRIX,
    classify_transitions,
    counterbalancing_status,
    expanded_status,
    one_out_all_out,
    reporting_status,
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


DEGRADED, STABLE, IMPROVED = 0, 1, 2  # BaselineStatus codes

# The expanded status of ../shared/reference/ldn.md (GPG addendum), written out by hand:
# (baseline, period status) -> (class, counts as).
EXPANDED_TABLE = {
    (DEGRADED, -1): (1, -1), (STABLE, -1): (2, -1), (IMPROVED, -1): (2, -1),
    (DEGRADED, 0): (3, 0), (STABLE, 0): (4, 0), (IMPROVED, 0): (5, 0),
    (DEGRADED, 1): (6, 1), (STABLE, 1): (6, 1), (IMPROVED, 1): (7, 1),
}


@pytest.mark.parametrize(("pair", "expected"), EXPANDED_TABLE.items())
def test_every_baseline_and_period_pair_follows_the_seven_class_table(pair, expected):
    baseline, period = (np.array([v]) for v in pair)
    assert expanded_status(baseline, period)[0] == expected[0]
    assert counterbalancing_status(baseline, period)[0] == expected[1]


def test_land_improved_at_baseline_that_stays_stable_is_neutral_not_a_gain():
    assert counterbalancing_status(np.array([IMPROVED]), np.array([0]))[0] == 0


def test_land_degraded_at_baseline_that_stays_so_is_neither_gain_nor_loss():
    assert counterbalancing_status(np.array([DEGRADED]), np.array([0]))[0] == 0
    assert counterbalancing_status(np.array([DEGRADED]), np.array([1]))[0] == 1
    assert counterbalancing_status(np.array([STABLE]), np.array([-1]))[0] == -1


# Trends.Earth (te_algorithms) fixtures, in their encoding: baseline and period status as -1/0/+1
# -> expanded class (tests of ``sdg_status_expanded``); class -> 3-class reporting status
# (``sdg_status_expanded_to_simple``); class -> gain/loss/neutral (``classify_gains_losses`` of
# the counterbalancing step); and per-land-type gain and loss areas (``zonal_gains_losses``).
TE_EXPANDED = [((-1, -1), 1), ((0, -1), 2), ((1, -1), 2), ((-1, 0), 3), ((0, 0), 4), ((1, 0), 5),
               ((-1, 1), 6), ((0, 1), 6), ((1, 1), 7)]
TE_SIMPLE = {1: -1, 2: -1, 3: -1, 4: 0, 5: 1, 6: 1, 7: 1}
TE_GAIN_LOSS = {1: -1, 2: -1, 3: 0, 4: 0, 5: 0, 6: 1, 7: 1}


def test_trends_earth_expanded_status_vectors():
    for (baseline, period), expected in TE_EXPANDED:
        assert expanded_status(np.array([baseline + 1]), np.array([period]))[0] == expected, (baseline, period)


def test_trends_earth_reporting_and_counterbalancing_of_each_class():
    for (baseline, period), k in TE_EXPANDED:
        b, p = np.array([baseline + 1]), np.array([period])
        assert reporting_status(b, p)[0] == TE_SIMPLE[k]
        assert counterbalancing_status(b, p)[0] == TE_GAIN_LOSS[k]


def test_trends_earth_zonal_gains_and_losses_per_land_type():
    # A block of pixels with their expanded class, land type and area; gains are classes 6-7
    # and losses 1-2 summed per land type, the way te_algorithms' zonal step does it.
    rng = np.random.default_rng(7)
    pairs = rng.integers(0, len(TE_EXPANDED), 400)
    land_type = rng.choice([11, 12, 21], 400)
    area = rng.random(400)
    baseline = np.array([TE_EXPANDED[i][0][0] + 1 for i in pairs])
    period = np.array([TE_EXPANDED[i][0][1] for i in pairs])
    classes = np.array([TE_EXPANDED[i][1] for i in pairs])
    status = counterbalancing_status(baseline, period)
    for lt in (11, 12, 21):
        here = land_type == lt
        assert area[here & (status == 1)].sum() == pytest.approx(area[here & np.isin(classes, [6, 7])].sum())
        assert area[here & (status == -1)].sum() == pytest.approx(area[here & np.isin(classes, [1, 2])].sum())


def test_reverse_only_counts_a_gain_only_on_land_degraded_at_baseline():
    baseline = np.array([DEGRADED, STABLE, IMPROVED, DEGRADED])
    period = np.array([1, 1, 1, -1])
    assert counterbalancing_status(baseline, period, reverse_only=True).tolist() == [1, 0, 0, -1]


def test_a_change_whose_soc_decline_crosses_10_percent_only_later_is_a_committed_loss():
    # Cropland to a lower-input management on the same cover: the SOC factor alone moves.
    common = dict(cover_from=np.array([CROP]), cover_to=np.array([CROP]), cropland_factor=np.array([0.58]),
                  productivity=np.array([0]), baseline_status=np.array([STABLE]))
    mild = classify_transitions(**common, management_ratio=np.array([0.92]), soc_years=5)
    assert mild["status"][0] == 0 and mild["eventual_status"][0] == 0  # -8 % after 20 years: never a loss
    deep = classify_transitions(**common, management_ratio=np.array([0.85]), soc_years=5)
    assert deep["soc_change"][0] == pytest.approx(-0.0375)  # not a loss after 5 years
    assert deep["status"][0] == 0
    assert deep["eventual_status"][0] == -1  # -15 % after 20 years


def test_management_factor_alone_can_improve_soc_after_enough_years():
    # conventional -> no-till (1.17) on the same cover: +17 % after 20 years, +8.5 % after 10.
    common = dict(
        cover_from=np.array([CROP]), cover_to=np.array([CROP]), cropland_factor=np.array([0.58]),
        management_ratio=np.array([1.17]), productivity=np.array([0]), baseline_status=np.array([1]),
    )
    assert classify_transitions(**common, soc_years=20)["status"][0] == 1
    assert classify_transitions(**common, soc_years=10)["status"][0] == 0
