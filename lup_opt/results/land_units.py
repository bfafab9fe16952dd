"""One row per land unit and planning year: what a map shows (``land_units.csv``, the
attributes of ``allocation.gpkg``'s layers and the GeoTIFFs)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lup_opt.data.ldn import RESPONSE_CLASSES, response_classes
from lup_opt.data.model_data import ModelData
from lup_opt.data.paths import AREA_EPS, PlanPaths
from lup_opt.scenario.scenario import Scenario

UNIT_ATTRIBUTES = ("jurisdiction", "zone", "land_type")
AREA_PREFIX = "ha_"  # one column per use: the unit's hectares under it in the row's year


def assessment_period(scenario: Scenario, data: ModelData) -> int:
    """Index of the planning year the default map shows (``allocation.gpkg``'s ``land_units``
    layer, ``planned_use.tif``): the LDN target year when it is a planning year, else the last."""
    periods = data.dims.periods
    return periods.index(scenario.target_year) if scenario.target_year in periods else len(periods) - 1


def assessment_year(scenario: Scenario, data: ModelData) -> int:
    return int(data.dims.periods[assessment_period(scenario, data)])


def year_rows(land_units: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """The rows of one year of a :func:`land_unit_table` (``None``: its last year), one per unit."""
    if land_units.empty or "year" not in land_units.columns:
        return land_units
    year = int(land_units["year"].max()) if year is None else int(year)
    return land_units[land_units["year"] == year].reset_index(drop=True)


def land_unit_table(scenario: Scenario, data: ModelData, paths: PlanPaths) -> pd.DataFrame:
    """One row per (land unit, planning year), ordered by year then by the scenario's unit order:
    land_unit, jurisdiction, zone, land_type, area_ha, year, baseline_use and planned_use (the use
    on most of the unit that year), changed_ha and changed (from the baseline, by that year),
    ldn_gains_ha (as counted: gain effectiveness applied), ldn_losses_ha and ldn_status (gain /
    loss / neutral: which is larger on the unit that year), ldn_response (avoid / reduce /
    reverse), then ha_<use> for every use held in any year (0 in a year it is not)."""
    units = scenario.units
    ids = units["id"].to_numpy(dtype=object)
    periods = np.asarray(data.dims.periods)
    n, n_years, uses = len(ids), len(periods), np.asarray(data.dims.uses, dtype=object)
    n_uses = len(uses)
    unit = pd.Index(ids).get_indexer(paths.land_unit)
    # One flat index per (year, unit): a single bincount per quantity covers every year.
    row = (np.arange(n_years)[:, None] * n + unit[None, :]).ravel()
    planned = np.concatenate([paths.use_in(t) for t in range(n_years)])
    baseline = np.tile(paths.baseline_use, n_years)
    area = np.tile(paths.area, n_years)

    def per_row(weights: np.ndarray) -> np.ndarray:
        return np.bincount(row, weights=weights, minlength=n_years * n)

    planned_ha = np.bincount(row * n_uses + planned, weights=area,
                             minlength=n_years * n * n_uses).reshape(n_years * n, n_uses)
    baseline_ha = np.bincount(unit * n_uses + paths.baseline_use, weights=paths.area,
                              minlength=n * n_uses).reshape(n, n_uses)
    gains = per_row(area * data.ldn.gain_weight[:, paths.column].ravel())
    losses = per_row(area * data.ldn.loss_weight[:, paths.column].ravel())
    changed = per_row(area * (planned != baseline))
    unit_area = units["area_ha"].to_numpy(dtype=float)
    tolerance = np.tile(AREA_EPS * np.maximum(1.0, unit_area), n_years)
    response = np.asarray([c.value for c in RESPONSE_CLASSES], dtype=object)[response_classes(scenario)]
    held = np.flatnonzero(planned_ha.sum(axis=0) > 0)  # uses held in any year, in the scenario's order
    table = pd.DataFrame({
        "land_unit": np.tile(ids, n_years), **{a: np.tile(units[a].to_numpy(), n_years) for a in UNIT_ATTRIBUTES},
        "area_ha": np.tile(unit_area, n_years), "year": np.repeat(periods, n),
        "baseline_use": np.tile(uses[baseline_ha.argmax(axis=1)], n_years),
        "planned_use": uses[planned_ha.argmax(axis=1)],
        "changed_ha": changed, "changed": changed > tolerance, "ldn_gains_ha": gains, "ldn_losses_ha": losses,
        "ldn_status": np.select([gains - losses > tolerance, losses - gains > tolerance], ["gain", "loss"], "neutral"),
        "ldn_response": np.tile(response, n_years),
        **{f"{AREA_PREFIX}{uses[b]}": planned_ha[:, b] for b in held}})
    return table
