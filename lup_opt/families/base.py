"""The protocol of a constraint family: what one family of the model says to every stage.

A family (land balance, conversion limits, targets, shares, LDN, food, finance, livelihoods,
objective) is one module of :mod:`lup_opt.families` holding one :class:`Family`. The stages loop
over the registry instead of keeping their own lists: the model data (each family resolves its
own from the scenario), the LP build (variables, then rows), culling (which indicators the family
reads and which way is better, which changes its rows count), aggregation (whether its rows name
single land units), the explanation of an infeasible scenario (its relaxable rows, in the
planner's words), the shadow prices (its priced rows) and the result tables.

This module imports nothing of the stages, so that any of them may use it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from lup_opt.enums import Comparison

if TYPE_CHECKING:
    import pandas as pd

    from lup_opt.data.model_data import Resolution, ResolveContext
    from lup_opt.scenario.config import ScenarioConfig
    from lup_opt.scenario.scenario import Scenario

BuildStep = Callable[..., None]  # (LPBuilder, ModelData) -> None, marked with @implements(IDs)
TableMaker = Callable[..., "pd.DataFrame"]  # (ModelData, values per variable block) -> table

# Which way an indicator a family reads is better for the plan (culling keeps a change only if no
# other change is at least as good in every indicator read).
MORE_IS_BETTER, LESS_IS_BETTER, MUST_BE_EQUAL = 1, -1, 0
SENSE_DIRECTION = {Comparison.AT_LEAST: MORE_IS_BETTER, Comparison.AT_MOST: LESS_IS_BETTER,
                   Comparison.EQUAL: MUST_BE_EQUAL}


class RelaxableKind(str, Enum):
    """What a relaxable row bounds (the diagnosis words its advice by kind)."""

    TARGET = "target"
    LDN = "ldn"
    SHARE = "share"
    EQUAL_SHARE = "equal_share"
    FOOD = "food"
    FUNDS = "funds"


@dataclass(frozen=True)
class RelaxableRow:
    """A row a planner can relax, in scenario terms: the key that sets it, its value in planner
    units, and its *size*, which scales its violation so that relaxations of different rows
    compare as relative changes."""

    row: int  # position in the LP
    kind: RelaxableKind
    name: str  # target name, or the land type for LDN rows
    key: str | None  # scenario key whose value would change (None: derived, e.g. from population)
    label: str  # in the planner's words
    unit: str
    sense: Comparison
    value: float  # current value: target value, LDN net target (ha), share, or tolerance
    size: float  # scale of a violation (relative violation = violation / size)
    group: str = ""
    period: int = 0


def _nothing(*_: Any) -> list:
    return []


def _no_reason(*_: Any) -> None:
    return None


@dataclass(frozen=True)
class Family:
    """One constraint family and what each stage needs of it.

    ``resolve`` turns the scenario into the family's model data (a :class:`Resolution`: its data,
    read back by the build steps as ``data.of(name)``, and how its own variables enter
    indicators), given the shared arrays and the families resolved before it.
    ``variables`` and ``rows`` are LP build steps (each marked with the formulation IDs it
    implements); the build adds every family's variables, in registry order, then every
    family's rows. ``reads`` names the indicators the family's rows or objective terms read,
    with the direction that is better. ``relaxable`` and ``priced`` give its relaxable rows and
    its rows' shadow prices (as ``duals.csv`` rows); ``tables`` its result tables by name.

    Culling and aggregation must respect every row: ``counts_changes`` gives, per group of its
    rows that counts changes of use, a (baseline use x use) matrix of the changes it counts (a
    change may replace another only if it counts in no more of them); ``stops_culling`` a reason
    why no change may be culled at all (or None); ``per_land_unit`` names rows set for each land
    unit, which keep land units from being merged (or None).
    """

    name: str
    resolve: Callable[[ResolveContext], Resolution] | None = None
    variables: tuple[BuildStep, ...] = ()
    rows: tuple[BuildStep, ...] = ()
    reads: Callable[[ScenarioConfig], Iterable[tuple[str, int]]] = _nothing
    relaxable: Callable[..., list[RelaxableRow]] = _nothing
    priced: Callable[..., list[pd.DataFrame]] = _nothing
    tables: Mapping[str, TableMaker] = field(default_factory=dict)
    counts_changes: Callable[[Scenario], Iterable[Any]] = _nothing
    stops_culling: Callable[[ScenarioConfig], str | None] = _no_reason
    per_land_unit: Callable[[ScenarioConfig], str | None] = _no_reason

    @property
    def formulation_ids(self) -> tuple[str, ...]:
        return tuple(fid for step in (*self.variables, *self.rows) for fid in step.formulation_ids)
