"""Objectives a planner can trade off, written as short specs and turned into LP cost vectors.

Spec syntax (command line and Python alike)::

    NAME[:min|:max][@KEY=VALUE[&KEY=VALUE ...]]

``NAME`` is an indicator of the scenario, or one of

- ``objective``: the scenario's own objective (its sense as configured, penalties included);
- ``ldn_net``: net LDN gain at the LDN target year (ha; gains counted after effectiveness, minus
  losses), maximised by default; ``ldn_gains`` (max) and ``ldn_losses`` (min) likewise;
- ``shortfall``: total shortfall of the soft targets, each as a share of its target value
  (``0.1`` = one target missed by 10 %), minimised by default.

``KEY=VALUE`` narrows it to a scope (``jurisdiction=north``, ``zone=peri_urban``, any unit
attribute; ``|`` separates several values) or to one planning year (``period=2035``). An indicator
is summed over every planning year unless a period is given, like an objective term.
Examples: ``cost_kusd:min``, ``cereal_t:max@jurisdiction=north``, ``ldn_net@land_type=plain``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lup_opt.data.model_data import ModelData
from lup_opt.data.targets import scope_jurisdictions, scope_label, scope_mask
from lup_opt.enums import ObjectiveSense
from lup_opt.errors import LupOptError
from lup_opt.model.land_balance import AREA
from lup_opt.model.lp import LinearProgram
from lup_opt.model.shares import SHARE_SHORTFALL, share_shortfall_layout
from lup_opt.model.targets import SHORTFALL, indicator_terms, shortfall_layout
from lup_opt.scenario.scenario import Scenario

SCENARIO_OBJECTIVE = "objective"
LDN_NET, LDN_GAINS, LDN_LOSSES = "ldn_net", "ldn_gains", "ldn_losses"
SHORTFALL_SHARE = "shortfall"
_DEFAULT_SENSE = {
    LDN_NET: ObjectiveSense.MAXIMIZE, LDN_GAINS: ObjectiveSense.MAXIMIZE, LDN_LOSSES: ObjectiveSense.MINIMIZE,
    SHORTFALL_SHARE: ObjectiveSense.MINIMIZE,
}
_SENSES = {"min": ObjectiveSense.MINIMIZE, "max": ObjectiveSense.MAXIMIZE}


@dataclass(frozen=True)
class ObjectiveSpec:
    """One objective: what is measured, where, and which way is better."""

    name: str
    sense: ObjectiveSense | None = None  # None: the name's default (required for indicators)
    scope: dict[str, str | list[str]] = field(default_factory=dict)
    period: int | None = None

    @classmethod
    def parse(cls, text: str) -> ObjectiveSpec:
        head, _, where = text.strip().partition("@")
        name, _, sense = head.partition(":")
        if sense and sense not in _SENSES:
            raise LupOptError(f"objective '{text}': write ':min' or ':max' after the name, not ':{sense}'")
        scope: dict[str, str | list[str]] = {}
        period = None
        for item in (p for p in where.split("&") if p):
            key, equals, value = item.partition("=")
            if not equals or not key or not value:
                raise LupOptError(f"objective '{text}': '{item}' is not KEY=VALUE (e.g. jurisdiction=north)")
            if key == "period":
                if not value.isdigit():
                    raise LupOptError(f"objective '{text}': period must be a planning year, not '{value}'")
                period = int(value)
            else:
                scope[key] = value.split("|") if "|" in value else value
        return cls(name.strip(), _SENSES[sense] if sense else None, scope, period)

    @property
    def label(self) -> str:
        where = [] if not self.scope else [scope_label(self.scope)]
        if self.period is not None:
            where.append(str(self.period))
        return self.name + (f" ({', '.join(where)})" if where else "")


@dataclass(frozen=True)
class Objective:
    """An objective as the LP sees it: value = ``vector @ x + offset`` (x: every LP column)."""

    spec: ObjectiveSpec
    sense: ObjectiveSense
    unit: str
    vector: np.ndarray
    offset: float = 0.0

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def sign(self) -> float:
        """+1 when larger is better, -1 when smaller is better."""
        return 1.0 if self.sense is ObjectiveSense.MAXIMIZE else -1.0

    def value(self, x: np.ndarray) -> float:
        return float(self.vector @ x + self.offset)

    def better_or_equal(self, a: float, b: float, tolerance: float = 0.0) -> bool:
        return self.sign * (a - b) >= -tolerance


def resolve(scenario: Scenario, data: ModelData, lp: LinearProgram, spec: ObjectiveSpec | str) -> Objective:
    """The cost vector of an objective over the LP's columns (raises LupOptError for bad specs)."""
    spec = ObjectiveSpec.parse(spec) if isinstance(spec, str) else spec
    dims = data.dims
    if spec.period is not None and spec.period not in dims.periods:
        raise LupOptError(f"objective '{spec.label}': {spec.period} is not a planning year "
                          f"({', '.join(map(str, dims.periods))})")
    _check_scope(scenario, spec)
    if spec.name == SCENARIO_OBJECTIVE:
        if spec.scope or spec.period is not None:
            raise LupOptError("objective 'objective' is the scenario's own: it takes no scope or period")
        sense = scenario.config.objective.sense
        if spec.sense is not None and spec.sense is not sense:
            raise LupOptError(f"objective 'objective' is {sense.value}d as the scenario says; drop ':{spec.sense}'")
        return Objective(spec, sense, data.objective.unit, lp.cost.copy(), lp.objective_offset)
    if spec.name in (LDN_NET, LDN_GAINS, LDN_LOSSES):
        return _ldn(scenario, data, lp, spec)
    if spec.name == SHORTFALL_SHARE:
        return _shortfall(data, lp, spec)
    if spec.name not in dims.indicators:
        names = ", ".join([*dims.indicators, SCENARIO_OBJECTIVE, LDN_NET, LDN_GAINS, LDN_LOSSES, SHORTFALL_SHARE])
        raise LupOptError(f"unknown objective '{spec.name}'; use an indicator or one of: {names}")
    if spec.sense is None:
        raise LupOptError(f"objective '{spec.name}': say which way is better, '{spec.name}:min' or '{spec.name}:max'")
    indicator = dims.indicators.index(spec.name)
    mask = scope_mask(scenario, spec.scope)
    jurisdictions = scope_jurisdictions(scenario, spec.scope, mask, dims.jurisdictions)
    # Positions in dims.periods (spec.period is a year).
    period_indices = range(len(dims.periods)) if spec.period is None else [dims.periods.index(spec.period)]
    vector = np.zeros(lp.num_cols)
    for t in period_indices:
        for block, (index, values) in indicator_terms(data, indicator, mask, t, jurisdictions).items():
            if lp.has_variables(block):
                np.add.at(vector, lp.variable(block).offset + index, values)
    return Objective(spec, spec.sense, dims.indicator_units[indicator], vector)


def _check_scope(scenario: Scenario, spec: ObjectiveSpec) -> None:
    for key, value in spec.scope.items():
        if key not in scenario.match_keys:
            raise LupOptError(f"objective '{spec.label}': unknown scope key '{key}'; use one of "
                              f"{', '.join(scenario.match_keys)}")
        known = set(scenario.unit_values(key).astype(str))
        for item in value if isinstance(value, list) else [value]:
            if item not in known:
                raise LupOptError(f"objective '{spec.label}': no land unit has {key}={item}")


def _ldn(scenario: Scenario, data: ModelData, lp: LinearProgram, spec: ObjectiveSpec) -> Objective:
    dims = data.dims
    year = spec.period if spec.period is not None else scenario.target_year
    t = dims.periods.index(year)
    gains, losses = data.ldn.gain_weight[t], data.ldn.loss_weight[t]
    per_ha = {LDN_NET: gains - losses, LDN_GAINS: gains, LDN_LOSSES: losses}[spec.name]
    per_ha = per_ha * scope_mask(scenario, spec.scope)[data.columns.unit]
    vector = np.zeros(lp.num_cols)
    vector[lp.variable(AREA).slice] = per_ha
    sense = spec.sense or _DEFAULT_SENSE[spec.name]
    return Objective(ObjectiveSpec(spec.name, sense, spec.scope, year), sense, "ha", vector)


def _shortfall(data: ModelData, lp: LinearProgram, spec: ObjectiveSpec) -> Objective:
    if spec.scope or spec.period is not None:
        raise LupOptError("objective 'shortfall' covers every soft target: it takes no scope or period")
    vector = np.zeros(lp.num_cols)
    values = {t.name: abs(t.value) for t in data.targets}
    values.update({r.name: abs(r.share or 0.0) for r in data.share_targets})
    for block, layout in ((SHORTFALL, shortfall_layout(data)), (SHARE_SHORTFALL, share_shortfall_layout(data))):
        if lp.has_variables(block) and len(layout):
            size = np.array([max(values.get(name, 1.0), 1e-9) for name in layout["target"]])
            vector[lp.variable(block).slice] = 1.0 / size
    sense = spec.sense or _DEFAULT_SENSE[SHORTFALL_SHARE]
    return Objective(spec, sense, "share of target", vector)
