"""The LDN response hierarchy as a balance sheet: business as usual against the plan.

Per land type, jurisdiction and planning year (``ldn_hierarchy.csv``), the way Trends.Earth's
planning step frames it: land is *avoid* (healthy), *reduce* (at risk) or *reverse* (degraded at
baseline) land (``ldn_response`` in ``land_units.csv``); only reversal generates gains, and
avoiding or reducing shows up as losses that business as usual (BAU) would have and the plan does
not. Per part of land and year, with L the loss area under BAU and under the plan:

- losses avoided (avoid or reverse land) or reduced (reduce land): max(0, L_bau - L_plan);
- new losses the plan causes: max(0, L_plan - L_bau);

so plan losses = BAU losses - avoided - reduced + new, and the net is the plan's counted gains
less its losses (the net of ``ldn_balance.csv``). BAU is the baseline kept, or the plan given in
``ldn.business_as_usual.plan``, judged by the same rules. With
``ldn.business_as_usual.degradation_rate``, each use also degrades a share of its area per year
(projected losses), on BAU's paths and on the plan's alike; both sides of the comparison then
include them (``plan_projected_losses_ha``), while ``plan_losses_ha`` and the net stay those of
the LDN classification.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lup_opt.data.arrays import KEEP, ColumnArrays
from lup_opt.data.ldn import RESPONSE_CLASSES, classify_paths, projected_loss_share, response_classes
from lup_opt.data.model_data import ModelData
from lup_opt.data.plans import plan_state
from lup_opt.data.targets import ALL
from lup_opt.enums import ResponseClass
from lup_opt.ldn_rules import BASELINE_STATUSES, REPORTING_BY_CLASS
from lup_opt.scenario.scenario import Scenario

COLUMNS = ["land_type", "jurisdiction", "period", "area_ha", "avoid_ha", "reduce_ha", "reverse_ha",
           "bau_losses_ha", "bau_gains_ha", "bau_net_ha", "losses_avoided_ha", "losses_reduced_ha",
           "new_losses_ha", "plan_losses_ha", "plan_projected_losses_ha", "gains_reversal_ha", "gains_other_ha",
           "net_ha"]


def business_as_usual(scenario: Scenario, data: ModelData) -> tuple[np.ndarray, np.ndarray]:
    """(losses, counted gains), each (periods, parts): the LDN balance of each part of land under
    business as usual, losses including those the degradation rates project."""
    parts, n_periods = data.parts, len(data.dims.periods)
    plan = scenario.business_as_usual_plan
    if plan.empty:  # the baseline kept: every part on its keep column
        # Every part has exactly one keep column, and columns are sorted by part.
        keep = np.flatnonzero(data.columns.conversion == KEEP)
        loss = np.stack([_with_projected(data.ldn.loss_weight[t, keep],
                                         projected_loss_share(scenario, data.dims, data.columns, t)[keep])
                         for t in range(n_periods)])
        return loss * parts.area, data.ldn.gain_weight[:, keep] * parts.area
    label = scenario.config.ldn.business_as_usual.plan or "business as usual plan"
    state, changes = plan_state(data.dims, parts, plan, label)
    p, b, k = np.nonzero(changes > 0)
    part = np.concatenate([np.arange(parts.size), p]).astype(np.int32)
    area = np.concatenate([state[np.arange(parts.size), parts.use, -1], changes[p, b, k]])
    columns = ColumnArrays(
        part=part, unit=parts.unit[part], from_use=parts.use[part],
        to_use=np.concatenate([parts.use, b]).astype(np.int16),
        conversion=np.concatenate([np.full(parts.size, KEEP), k]).astype(np.int16),
        fixed_to_zero=np.zeros(part.size, dtype=bool),
    )
    classes = classify_paths(scenario, data.dims, data.units, columns)
    losses = np.zeros((n_periods, parts.size))
    gains = np.zeros((n_periods, parts.size))
    for t in range(n_periods):
        loss = _with_projected(classes.loss_weight[t], projected_loss_share(scenario, data.dims, columns, t))
        losses[t] = np.bincount(part, weights=area * loss, minlength=parts.size)
        gains[t] = np.bincount(part, weights=area * classes.gain_weight[t], minlength=parts.size)
    return losses, gains


def _with_projected(loss_weight: np.ndarray, projected: np.ndarray) -> np.ndarray:
    """Per-ha loss with projected degradation on the area the rules do not already count lost."""
    return loss_weight + (1.0 - loss_weight) * projected


def hierarchy_table(scenario: Scenario, data: ModelData, area: np.ndarray) -> pd.DataFrame:
    """The BAU-versus-plan balance sheet (module docstring); ``scenario`` is the one solved (after
    aggregation), whose land units are those of ``data``."""
    cols, parts = data.columns, data.parts
    n_periods = len(data.dims.periods)
    x = np.clip(area, 0.0, None)
    bau_loss, bau_gain = business_as_usual(scenario, data)
    response = response_classes(scenario)[parts.unit]
    reverse = response == RESPONSE_CLASSES.index(ResponseClass.REVERSE)
    reduce_ = response == RESPONSE_CLASSES.index(ResponseClass.REDUCE)
    jurisdiction, land_type = data.units.jurisdiction[parts.unit], data.units.land_type[parts.unit]
    n_j, n_l = len(data.dims.jurisdictions), len(data.dims.land_types)
    group = jurisdiction.astype(np.int64) * n_l + land_type
    frames = []
    for t in range(n_periods):
        plan_loss = np.bincount(cols.part, weights=x * data.ldn.loss_weight[t], minlength=parts.size)
        plan_gain = np.bincount(cols.part, weights=x * data.ldn.gain_weight[t], minlength=parts.size)
        projected = np.bincount(cols.part, weights=x * (1.0 - data.ldn.loss_weight[t])
                                * projected_loss_share(scenario, data.dims, cols, t), minlength=parts.size)
        spared = np.maximum(bau_loss[t] - plan_loss - projected, 0.0)
        per_part = {
            "area_ha": parts.area,
            "avoid_ha": parts.area * (~reverse & ~reduce_), "reduce_ha": parts.area * reduce_,
            "reverse_ha": parts.area * reverse,
            "bau_losses_ha": bau_loss[t], "bau_gains_ha": bau_gain[t],
            "losses_avoided_ha": spared * ~reduce_, "losses_reduced_ha": spared * reduce_,
            "new_losses_ha": np.maximum(plan_loss + projected - bau_loss[t], 0.0), "plan_losses_ha": plan_loss,
            "plan_projected_losses_ha": projected,
            "gains_reversal_ha": plan_gain * reverse, "gains_other_ha": plan_gain * ~reverse,
        }
        sums = {name: np.bincount(group, weights=v, minlength=n_j * n_l) for name, v in per_part.items()}
        frame = pd.DataFrame(sums)
        frame.insert(0, "land_type", np.tile(np.asarray(data.dims.land_types, dtype=object), n_j))
        frame.insert(1, "jurisdiction", np.repeat(np.asarray(data.dims.jurisdictions, dtype=object), n_l))
        frame.insert(2, "period", data.dims.periods[t])
        frames.append(frame[frame["area_ha"] > 0])
    table = pd.concat(frames, ignore_index=True)
    total = table.drop(columns="jurisdiction").groupby(["land_type", "period"], as_index=False, sort=True).sum()
    total.insert(1, "jurisdiction", ALL)
    table = pd.concat([total, table], ignore_index=True)
    table["bau_net_ha"] = table["bau_gains_ha"] - table["bau_losses_ha"]
    table["net_ha"] = table["gains_reversal_ha"] + table["gains_other_ha"] - table["plan_losses_ha"]
    return table[COLUMNS].sort_values(["period", "land_type", "jurisdiction"], kind="stable").reset_index(drop=True)


SDG_15_3_1 = "sdg_15_3_1_degraded_share"


def proportion_degraded(data: ModelData, area: np.ndarray) -> pd.DataFrame:
    """SDG indicator 15.3.1, the proportion of land that is degraded (%), for the functional
    area and each jurisdiction in every planning year, as rows of ``indicators.csv``: by the
    3-class reporting status (expanded classes 1-3 are degraded), against the share degraded at
    baseline."""
    cols = data.columns
    x = np.clip(area, 0.0, None)
    jurisdiction = data.units.jurisdiction[cols.unit]
    degraded_at_baseline = data.units.baseline_status[cols.unit] == BASELINE_STATUSES.index("degraded")
    n_j = len(data.dims.jurisdictions)
    total = np.bincount(jurisdiction, weights=x, minlength=n_j)
    before = np.bincount(jurisdiction, weights=x * degraded_at_baseline, minlength=n_j)
    records = []
    for t, period in enumerate(data.dims.periods):
        degraded = REPORTING_BY_CLASS[data.ldn.expanded[t]] == -1
        now = np.bincount(jurisdiction, weights=x * degraded, minlength=n_j)
        scopes = [("functional_area", "functional area", now.sum(), before.sum(), total.sum())]
        scopes += [("jurisdiction", name, now[j], before[j], total[j]) for j, name in enumerate(data.dims.jurisdictions)]
        for scope_type, scope, value, baseline, land in scopes:
            share = 100.0 / land if land > 0 else np.nan
            records.append({"indicator": SDG_15_3_1, "unit": "%", "scope_type": scope_type, "scope": scope,
                            "period": period, "baseline_value": baseline * share, "value": value * share})
    table = pd.DataFrame(records)
    table["change"] = table["value"] - table["baseline_value"]
    for column in ("target_name", "kind", "sense"):
        table[column] = ""
    return table
