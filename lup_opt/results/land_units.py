"""One row per land unit: what a map shows (``land_units.csv``, the attributes of
``allocation.gpkg``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lup_opt.data.ldn import RESPONSE_CLASSES, response_classes
from lup_opt.data.model_data import ModelData
from lup_opt.data.paths import AREA_EPS, PlanPaths
from lup_opt.scenario.scenario import Scenario

UNIT_ATTRIBUTES = ("jurisdiction", "zone", "land_type")
AREA_PREFIX = "ha_"  # one column per use: the unit's hectares under it at the assessment year


def assessment_period(scenario: Scenario, data: ModelData) -> int:
    """Index of the planning year the map shows: the LDN target year when it is a planning
    year, else the last."""
    periods = data.dims.periods
    return periods.index(scenario.target_year) if scenario.target_year in periods else len(periods) - 1


def land_unit_table(scenario: Scenario, data: ModelData, paths: PlanPaths) -> pd.DataFrame:
    """land_unit, jurisdiction, zone, land_type, area_ha, year, baseline_use and planned_use
    (the use on most of the unit), changed_ha and changed, ldn_gains_ha (as counted: gain
    effectiveness applied), ldn_losses_ha and ldn_status (gain / loss / neutral: which is larger
    on the unit), ldn_response (avoid / reduce / reverse), then ha_<use> per use."""
    t = assessment_period(scenario, data)
    units = scenario.units
    ids = units["id"].to_numpy(dtype=object)
    n, uses = len(ids), np.asarray(data.dims.uses, dtype=object)
    n_uses = len(uses)
    unit = pd.Index(ids).get_indexer(paths.land_unit)
    planned, baseline = paths.use_in(t), paths.baseline_use

    def per_unit(weights: np.ndarray) -> np.ndarray:
        return np.bincount(unit, weights=weights, minlength=n)

    planned_ha = np.bincount(unit * n_uses + planned, weights=paths.area, minlength=n * n_uses).reshape(n, n_uses)
    baseline_ha = np.bincount(unit * n_uses + baseline, weights=paths.area, minlength=n * n_uses).reshape(n, n_uses)
    gains = per_unit(paths.area * data.ldn.gain_weight[t, paths.column])
    losses = per_unit(paths.area * data.ldn.loss_weight[t, paths.column])
    changed = per_unit(paths.area * (planned != baseline))
    tolerance = AREA_EPS * np.maximum(1.0, units["area_ha"].to_numpy(dtype=float))
    table = pd.DataFrame({"land_unit": ids, **{a: units[a].to_numpy() for a in UNIT_ATTRIBUTES},
                          "area_ha": units["area_ha"].to_numpy(dtype=float), "year": data.dims.periods[t],
                          "baseline_use": uses[baseline_ha.argmax(axis=1)],
                          "planned_use": uses[planned_ha.argmax(axis=1)],
                          "changed_ha": changed, "changed": changed > tolerance,
                          "ldn_gains_ha": gains, "ldn_losses_ha": losses})
    table["ldn_status"] = np.select([gains - losses > tolerance, losses - gains > tolerance], ["gain", "loss"],
                                    "neutral")
    table["ldn_response"] = np.asarray([c.value for c in RESPONSE_CLASSES], dtype=object)[
        response_classes(scenario)]
    held = np.flatnonzero(planned_ha.sum(axis=0) > 0)
    for b in held:
        table[f"{AREA_PREFIX}{uses[b]}"] = planned_ha[:, b]
    return table
