"""The schema of ``scenario.yaml``: strict (unknown keys are errors) and frozen.

Field meanings, units and defaults are documented for users in ``scenarios/README.md``; keep the
two in step.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lup_opt.enums import Comparison, LdnScope, ObjectiveSense, TargetKind


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


ScopeValue = str | list[str]
# Scope: unit attribute -> one value or a list of values (jurisdiction, zone, land_type, climate,
# land_unit or any extra column of units.csv). Empty means the whole functional area.
Scope = dict[str, ScopeValue]
PeriodSpec = int | list[int] | None


class Periods(StrictModel):
    baseline_year: int
    planning_years: Annotated[list[int], Field(min_length=1)]

    @model_validator(mode="after")
    def _years_follow_baseline(self) -> Periods:
        years = self.planning_years
        if any(b <= a for a, b in zip(years, years[1:], strict=False)):
            raise ValueError("planning_years must be strictly increasing")
        if years[0] <= self.baseline_year:
            raise ValueError("the first planning year must come after baseline_year")
        return self


class Tables(StrictModel):
    units: str = "units.csv"
    baseline: str = "baseline.csv"
    uses: str = "uses.csv"
    coefficients: str | None = None
    transitions: str | None = None
    exclusions: str | None = None
    productivity: str | None = None


class TransitionSettings(StrictModel):
    default_allowed: bool = True


class Indicator(StrictModel):
    unit: str
    description: str = ""


def check_penalty(kind: TargetKind, penalty: float | None) -> None:
    """A soft target needs a penalty; a hard one must not have one."""
    if kind is TargetKind.SOFT and penalty is None:
        raise ValueError("a soft target needs a penalty (objective units per indicator unit)")
    if kind is TargetKind.HARD and penalty is not None:
        raise ValueError("a hard target takes no penalty; set kind: soft to allow a shortfall")


class Target(StrictModel):
    indicator: str
    sense: Comparison
    value: float
    scope: Scope = {}
    period: PeriodSpec = None
    kind: TargetKind = TargetKind.HARD
    penalty: Annotated[float, Field(ge=0)] | None = None
    description: str = ""

    @model_validator(mode="after")
    def _soft_needs_penalty(self) -> Target:
        check_penalty(self.kind, self.penalty)
        return self


class IndicatorInScope(StrictModel):
    indicator: str
    scope: Scope = {}


class ShareTarget(StrictModel):
    numerator: IndicatorInScope
    denominator: IndicatorInScope
    sense: Comparison
    share: Annotated[float, Field(ge=0)] | Literal["equal"]
    for_each: list[str] = []
    tolerance: Annotated[float, Field(ge=0)] = 0.0
    period: PeriodSpec = None
    kind: TargetKind = TargetKind.HARD
    penalty: Annotated[float, Field(ge=0)] | None = None
    description: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> ShareTarget:
        check_penalty(self.kind, self.penalty)
        if self.share == "equal":
            if not self.for_each:
                raise ValueError("share: equal needs for_each (the groups whose shares are equal)")
            if self.sense is not Comparison.EQUAL:
                raise ValueError("share: equal needs sense '='")
            if self.kind is TargetKind.SOFT:
                raise ValueError("share: equal is always hard; widen it with tolerance instead")
        elif self.tolerance:
            raise ValueError("tolerance applies to share: equal only")
        return self


class Ldn(StrictModel):
    enabled: bool = True
    scope: LdnScope = LdnScope.FUNCTIONAL_AREA
    default_net_target_ha: float = 0.0
    net_target_ha: dict[str, float] = {}
    target_year: int | None = None
    soc_years: Annotated[float, Field(ge=0)] | None = None
    land_cover_matrix: str | None = None
    cropland_factor: dict[str, Annotated[float, Field(gt=0)]] = {}


class ObjectiveTerm(StrictModel):
    indicator: str
    weight: float = 1.0
    scale: Annotated[float, Field(gt=0)] = 1.0
    scope: Scope = {}
    period: PeriodSpec = None


class Objective(StrictModel):
    sense: ObjectiveSense
    terms: Annotated[list[ObjectiveTerm], Field(min_length=1)]
    unit: str | None = None


class ScenarioConfig(StrictModel):
    name: str
    description: str = ""
    periods: Periods
    tables: Tables = Tables()
    transitions: TransitionSettings = TransitionSettings()
    indicators: dict[str, Indicator] = {}
    targets: dict[str, Target] = {}
    share_targets: dict[str, ShareTarget] = {}
    ldn: Ldn = Ldn()
    objective: Objective
    variants: dict[str, dict] = {}

    @field_validator("indicators", "targets", "share_targets", "variants")
    @classmethod
    def _names_are_identifiers(cls, value: dict) -> dict:
        for key in value:
            if not str(key).strip() or any(ch.isspace() for ch in str(key)):
                raise ValueError(f"name '{key}' must be non-empty and contain no spaces")
        return value
