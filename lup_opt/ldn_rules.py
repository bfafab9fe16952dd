"""Land Degradation Neutrality rules: defaults and the classification of transitions.

Sources (see ``models/formulation.md``, section LDN, for the full citations):
UNCCD Scientific Conceptual Framework for LDN (Orr et al. 2017; Cowie et al. 2018); Good Practice
Guidance for SDG indicator 15.3.1 v2 (2021) and its 2025 addendum; IPCC 2006 Guidelines Vol. 4
Table 5.5; IPCC 2013 Wetlands Supplement; Trends.Earth defaults.

Everything here is a constant known before the solve, so the LP needs no binaries: each allowed
transition gets a class per indicator and one combined LDN status.
"""

from __future__ import annotations

import numpy as np

from lup_opt.enums import BaselineStatus, CoverClass

COVER_CLASSES: tuple[CoverClass, ...] = tuple(CoverClass)

# UNCCD default land-cover transition matrix: rows = from, columns = to, in COVER_CLASSES order
# (tree, grass, crop, wetland, artificial, other land, water). +1 improvement, -1 degradation.
UNCCD_LAND_COVER_MATRIX = np.array(
    [
        [0, -1, -1, -1, -1, -1, 0],
        [1, 0, 1, -1, -1, -1, 0],
        [1, -1, 0, -1, -1, -1, 0],
        [-1, -1, -1, 0, -1, -1, 0],
        [1, 1, 1, 1, 0, 1, 0],
        [1, 1, 1, 1, -1, 0, 0],
        [0, 0, 0, 0, 0, 0, 0],
    ],
    dtype=np.int8,
)

# IPCC 2006 Vol. 4 Table 5.5, long-term cultivated (F_LU), by IPCC climate zone.
DEFAULT_CROPLAND_FACTORS: dict[str, float] = {
    "temperate_dry": 0.80,
    "temperate_moist": 0.69,
    "tropical_dry": 0.58,
    "tropical_moist": 0.48,
    "tropical_wet": 0.48,
    "tropical_montane": 0.64,
}

# IPCC 2013 Wetlands Supplement: cultivated inland wetland mineral soil.
WETLAND_CULTIVATION_FACTOR = 0.71

# IPCC default time for SOC to reach its new equilibrium (years), and the UNCCD significance
# threshold on the relative SOC change.
SOC_TRANSITION_YEARS = 20.0
SOC_SIGNIFICANT_CHANGE = 0.10

# The GPG addendum's expanded status (Trends.Earth ``sdg_status_expanded``): seven classes from
# baseline status x period status. Rows are BaselineStatus (degraded, stable, improved), columns
# the period status (-1, 0, +1).
EXPANDED_STATUS_MATRIX = np.array(
    [
        [1, 3, 6],  # degraded at baseline: persistent degradation, baseline degradation, recent improvement
        [2, 4, 6],  # stable at baseline: recent degradation, stable, recent improvement
        [2, 5, 7],  # improved at baseline: recent degradation, baseline improvement, persistent improvement
    ],
    dtype=np.int8,
)
EXPANDED_CLASS_NAMES = {
    1: "persistent degradation", 2: "recent degradation", 3: "baseline degradation", 4: "stable",
    5: "baseline improvement", 6: "recent improvement", 7: "persistent improvement",
}
# Counterbalancing counts classes 6 and 7 as gains and 1 and 2 as losses; 3, 4 and 5 are neutral
# (an improvement before the baseline that merely persists earns nothing). Index = class.
_GAIN, _NEUTRAL, _LOSS = 1, 0, -1
COUNTERBALANCING_BY_CLASS = np.array([0, _LOSS, _LOSS, _NEUTRAL, _NEUTRAL, _NEUTRAL, _GAIN, _GAIN], dtype=np.int8)
# The 3-class SDG 15.3.1 reporting status (degraded -1, stable 0, improved +1) of each expanded
# class: for the proportion of land degraded, never for the balance. Index = class.
REPORTING_BY_CLASS = np.array([0, -1, -1, -1, 0, 1, 1, 1], dtype=np.int8)
BASELINE_STATUSES: tuple[BaselineStatus, ...] = tuple(BaselineStatus)


def soc_conversion_factors(cropland_factor: np.ndarray) -> np.ndarray:
    """SOC conversion factors F(from cover, to cover) for each cropland factor given.

    Returns an array of shape ``(len(cropland_factor), 7, 7)``; ``f`` enters the
    grass/forest -> cropland cells as ``f`` and the cropland -> grass/forest cells as ``1/f``.
    """
    f = np.asarray(cropland_factor, dtype=float)
    w = WETLAND_CULTIVATION_FACTOR
    base = np.array(
        [
            # tree grass crop  wetl   art  bare water
            [1.0, 1.0, np.nan, 1.0, 0.1, 0.1, 1.0],  # tree-covered (forest)
            [1.0, 1.0, np.nan, 1.0, 0.1, 0.1, 1.0],  # grassland
            [np.nan, np.nan, 1.0, 1 / w, 0.1, 0.1, 1.0],  # cropland
            [1.0, 1.0, w, 1.0, 0.1, 0.1, 1.0],  # wetland
            [2.0, 2.0, 2.0, 2.0, 1.0, 1.0, 1.0],  # artificial
            [2.0, 2.0, 2.0, 2.0, 1.0, 1.0, 1.0],  # other land (bare)
            [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],  # water body
        ]
    )
    out = np.broadcast_to(base, (f.size, 7, 7)).copy()
    out[:, 0, 2] = f
    out[:, 1, 2] = f
    out[:, 2, 0] = 1.0 / f
    out[:, 2, 1] = 1.0 / f
    return out


def soc_relative_change(factor: np.ndarray, years: float | np.ndarray) -> np.ndarray:
    """Relative SOC change after ``years`` on a linear path to ``factor`` over 20 years."""
    progress = np.clip(np.asarray(years, dtype=float), 0.0, SOC_TRANSITION_YEARS) / SOC_TRANSITION_YEARS
    return (np.asarray(factor, dtype=float) - 1.0) * progress


def soc_class(relative_change: np.ndarray) -> np.ndarray:
    """-1 / 0 / +1 for a relative SOC change at the +-10 % thresholds (inclusive)."""
    # A tiny tolerance so that e.g. (0.8 - 1) * 0.5 = -0.1 counts as reaching the threshold.
    eps = 1e-12
    change = np.asarray(relative_change, dtype=float)
    out = np.zeros(change.shape, dtype=np.int8)
    out[change <= -SOC_SIGNIFICANT_CHANGE + eps] = -1
    out[change >= SOC_SIGNIFICANT_CHANGE - eps] = 1
    return out


def one_out_all_out(*classes: np.ndarray) -> np.ndarray:
    """Combine indicator classes: -1 if any is -1, else +1 if any is +1, else 0."""
    stacked = np.stack([np.asarray(c, dtype=np.int8) for c in classes])
    out = np.zeros(stacked.shape[1:], dtype=np.int8)
    out[(stacked == 1).any(axis=0)] = 1
    out[(stacked == -1).any(axis=0)] = -1
    return out


def expanded_status(baseline_status: np.ndarray, period_status: np.ndarray) -> np.ndarray:
    """The expanded status class (1-7) from baseline status codes and period status (-1/0/+1)."""
    return EXPANDED_STATUS_MATRIX[np.asarray(baseline_status), np.asarray(period_status) + 1]


def counterbalancing_status(
    baseline_status: np.ndarray, period_status: np.ndarray, reverse_only: bool = False
) -> np.ndarray:
    """Gain (+1), loss (-1) or neutral (0) for the LDN balance, by the expanded 7-class status.

    ``reverse_only`` (``ldn.gains: reverse_only``): a gain counts only where land degraded at
    baseline improves (the *reverse* response); other improvements are neutral.
    """
    status = COUNTERBALANCING_BY_CLASS[expanded_status(baseline_status, period_status)]
    if reverse_only:
        degraded = np.asarray(baseline_status) == BASELINE_STATUSES.index(BaselineStatus.DEGRADED)
        status = np.where((status == _GAIN) & ~degraded, _NEUTRAL, status).astype(np.int8)
    return status


def reporting_status(baseline_status: np.ndarray, period_status: np.ndarray) -> np.ndarray:
    """The SDG 15.3.1 reporting status (-1 degraded, 0 stable, +1 improved)."""
    return REPORTING_BY_CLASS[expanded_status(baseline_status, period_status)]


def classify_transitions(
    *,
    cover_from: np.ndarray,
    cover_to: np.ndarray,
    cropland_factor: np.ndarray,
    management_ratio: np.ndarray,
    productivity: np.ndarray,
    baseline_status: np.ndarray,
    soc_years: float | np.ndarray,
    land_cover_matrix: np.ndarray = UNCCD_LAND_COVER_MATRIX,
    reverse_only: bool = False,
) -> dict[str, np.ndarray]:
    """Classify transitions (one entry per column of the LP), all arrays of equal length.

    ``cover_*`` are indices into COVER_CLASSES, ``cropland_factor`` the climate's ``f`` per
    transition, ``management_ratio`` the SOC management factor of the planned use divided by
    that of the baseline use, ``productivity`` the planned use's effect on this land type,
    ``baseline_status`` indices into BASELINE_STATUSES and ``soc_years`` the years between the
    change and the assessment (one number, or one per transition).

    Besides each indicator's class and the period status, it returns the expanded class (1-7),
    the gain/loss status for the balance and ``eventual_status``: the period status once the SOC
    change is complete (20 years after the change), which tells a committed loss.
    """
    land_cover = land_cover_matrix[cover_from, cover_to].astype(np.int8)
    factors = soc_conversion_factors(np.array([1.0]))[0]
    soc_factor = factors[cover_from, cover_to]
    # Cells that depend on the climate's cropland factor.
    to_crop = (cover_to == 2) & ((cover_from == 0) | (cover_from == 1))
    from_crop = (cover_from == 2) & ((cover_to == 0) | (cover_to == 1))
    soc_factor = np.where(to_crop, cropland_factor, soc_factor)
    soc_factor = np.where(from_crop, 1.0 / cropland_factor, soc_factor)
    soc_factor = soc_factor * management_ratio
    soc_change = soc_relative_change(soc_factor, soc_years)
    soc = soc_class(soc_change)
    prod = np.asarray(productivity, dtype=np.int8)
    period = one_out_all_out(land_cover, soc, prod)
    # Keeping a use has factor 1, so its SOC never changes: 20 years on is the same as now.
    eventual_soc = soc_class(soc_relative_change(soc_factor, SOC_TRANSITION_YEARS))
    return {
        "land_cover": land_cover,
        "soc": soc,
        "soc_change": soc_change,
        "productivity": prod,
        "period_status": period,
        "expanded": expanded_status(baseline_status, period),
        "status": counterbalancing_status(baseline_status, period, reverse_only),
        "eventual_status": one_out_all_out(land_cover, eventual_soc, prod),
    }
