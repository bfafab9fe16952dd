"""The schema of ``scenario.yaml``: strict (unknown keys are errors) and frozen.

Field meanings, units and defaults are documented for users in ``scenarios/README.md``; keep the
two in step.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lup_opt.enums import Comparison, LdnGains, LdnHierarchy, LdnScope, NeutralityPrice, ObjectiveSense, TargetKind


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

    @field_validator("*")
    @classmethod
    def _a_file_is_named(cls, path: str | None) -> str | None:
        # An empty path is the scenario folder itself, which would be refused as "a folder".
        if path is not None and not path.strip():
            raise ValueError("the path is empty; name the table's file (relative to the scenario folder)")
        return path


class TransitionSettings(StrictModel):
    default_allowed: bool = True


class Indicator(StrictModel):
    unit: str
    description: str = ""


class Eligibility(StrictModel):
    """Activities a funding source may pay for: changes to ``to_uses`` (from ``from_uses``) on
    land matching ``scope`` (e.g. tenure: secure). Empty lists mean any."""

    to_uses: list[str] = []
    from_uses: list[str] = []
    scope: Scope = {}


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


class ConversionLimit(StrictModel):
    """At most ``max_ha`` hectares, or ``max_share`` of the area, may change use per period,
    within a scope (and within each group of ``for_each``, e.g. each land unit)."""

    scope: Scope = {}
    for_each: list[str] = []
    from_uses: list[str] = []
    to_uses: list[str] = []
    max_ha: Annotated[float, Field(ge=0)] | None = None
    max_share: Annotated[float, Field(ge=0, le=1)] | None = None
    period: PeriodSpec = None
    description: str = ""

    @model_validator(mode="after")
    def _one_limit(self) -> ConversionLimit:
        if (self.max_ha is None) == (self.max_share is None):
            raise ValueError("give exactly one of max_ha and max_share")
        return self


class GainEffectiveness(StrictModel):
    """Only ``share`` of the area that improves counts as an LDN gain where ``scope`` matches
    (e.g. restoration on insecure tenure is often undone)."""

    scope: Scope = {}
    uses: list[str] = []
    share: Annotated[float, Field(ge=0, le=1)]


class LdnEnforcement(StrEnum):
    ALL_YEARS = "all_years"
    TARGET_YEAR = "target_year"


class BusinessAsUsual(StrictModel):
    """The reference the response hierarchy is measured against: the baseline kept (default), or
    a plan in a CSV file shaped like ``allocation.csv`` (land_unit, use, area_ha and, for several
    planning years, period). ``degradation_rate``: per use, the share of its area that degrades
    each year under business-as-usual management (e.g. overgrazed communal pasture), beyond what
    the LDN classification of changes says; applied alike to BAU and to the plan's own paths."""

    plan: str | None = None
    degradation_rate: dict[str, Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]] = {}


class Ldn(StrictModel):
    enabled: bool = True
    enforce: LdnEnforcement = LdnEnforcement.ALL_YEARS
    gain_effectiveness: list[GainEffectiveness] = []
    scope: LdnScope = LdnScope.FUNCTIONAL_AREA
    default_net_target_ha: float = 0.0
    net_target_ha: dict[str, float] = {}
    # A target below neutrality (net loss accepted) must say why (UNCCD: explicit justification).
    justification: str | None = None
    target_year: int | None = None
    soc_years: Annotated[float, Field(ge=0)] | None = None
    land_cover_matrix: str | None = None
    cropland_factor: dict[str, Annotated[float, Field(gt=0)]] = {}
    gains: LdnGains = LdnGains.IMPROVED
    # Conversions whose SOC change crosses -10 % only after the last planning year count as losses.
    count_committed: bool = False
    hierarchy: LdnHierarchy = LdnHierarchy.OFF
    loss_price: Annotated[float, Field(ge=0)] | None = None  # objective units per ha lost (penalty)
    loss_tolerance: Annotated[float, Field(ge=0)] = 0.0  # strict: share above the fewest losses allowed
    at_risk: list[Scope] = []  # land units at risk of degradation (the *reduce* class)
    business_as_usual: BusinessAsUsual = BusinessAsUsual()
    price_of_neutrality: NeutralityPrice = NeutralityPrice.AUTO

    @field_validator("hierarchy", "price_of_neutrality", mode="before")
    @classmethod
    def _yaml_off(cls, value: object) -> object:
        # YAML 1.1 reads a bare off / on as false / true: take them as the words they were.
        return {False: "off", True: "on"}.get(value, value) if isinstance(value, bool) else value

    @model_validator(mode="after")
    def _rules(self) -> Ldn:
        below = [t for t, v in {"default_net_target_ha": self.default_net_target_ha, **self.net_target_ha}.items()
                 if v < 0]
        if below and not (self.justification or "").strip():
            raise ValueError(
                f"a net target below neutrality ({', '.join(below)} < 0) accepts a net loss of land; "
                "the UNCCD requires an explicit justification: give it in ldn.justification")
        if self.hierarchy is LdnHierarchy.PENALTY and self.loss_price is None:
            raise ValueError("ldn.hierarchy: penalty needs ldn.loss_price (objective units per ha lost)")
        return self


class Population(StrictModel):
    """Population (and labour force) per jurisdiction and year, from a CSV table."""

    file: str


class Housing(StrictModel):
    """Housing targets derived from population: the housing indicator of each jurisdiction must
    reach its baseline value plus the population growth (``growth``), or the population itself
    (``total``), in every planning year."""

    indicator: str
    basis: Literal["growth", "total"] = "growth"
    jurisdictions: list[str] = []
    kind: TargetKind = TargetKind.HARD
    penalty: Annotated[float, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _penalty(self) -> Housing:
        check_penalty(self.kind, self.penalty)
        return self


class FoodProduct(StrictModel):
    indicator: str  # the production indicator (units per ha)
    demand_per_person: Annotated[float, Field(ge=0)]  # units per person per year
    import_price: Annotated[float, Field(ge=0)] | None = None  # None: cannot be imported
    export_price: Annotated[float, Field(ge=0)] | None = None  # None: cannot be exported
    import_footprint_ha: Annotated[float, Field(ge=0)] = 0.0  # land abroad per unit imported
    import_degradation_share: Annotated[float, Field(ge=0, le=1)] = 0.0


class Food(StrictModel):
    """Food produced by the plan, consumed by each jurisdiction's population, moved along links
    and imported or exported; money terms go to ``cost_indicator``."""

    products: dict[str, FoodProduct]
    links: str | None = None  # CSV: from_jurisdiction, to_jurisdiction, product, cost_per_unit
    cost_indicator: str
    footprint_indicator: str | None = None
    degradation_indicator: str | None = None
    jurisdictions: list[str] = []


class FundingSource(StrictModel):
    eligible: list[Eligibility] = []  # empty: everything
    cost_of_capital: Annotated[float, Field(ge=0)] = 0.0
    description: str = ""


class Finance(StrictModel):
    """Every cost of the plan (``cost_indicator``) is paid by eligible funding sources, within
    the amounts per source, jurisdiction and year given in ``amounts`` (CSV: source,
    jurisdiction, year, amount; jurisdiction ``*`` for a pooled fund)."""

    cost_indicator: str
    amounts: str
    sources: dict[str, FundingSource]


class Livelihoods(StrictModel):
    """People of working age without work in their jurisdiction: the migration pressure."""

    jobs_indicator: str
    jurisdictions: list[str] = []
    indicator: str | None = None  # an indicator name that holds the migration pressure
    penalty: Annotated[float, Field(ge=0)] | None = None


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


class Geometry(StrictModel):
    """Land-unit outlines for maps and ``allocation.gpkg`` (needs ``lup_opt[geo]``)."""

    file: str  # GeoPackage, Shapefile or any format GDAL reads, relative to the scenario folder
    id_column: str = "id"  # the column holding the land unit id
    layer: str | None = None  # the layer to read (default: the file's first)


class Report(StrictModel):
    """What ``report.html`` needs beyond the model: which land counts as sensitive."""

    best_soils: Scope | None = None  # land units of the best soils (their sealing is listed); None: not designated


BASE_BRANCH = "base"  # a stochastic scenario's variant that means: no variant


class Branch(StrictModel):
    """One scenario of a stochastic plan: a variant of this scenario (``base``: none) and its
    probability."""

    variant: str
    probability: Annotated[float, Field(gt=0, le=1)]


class Risk(StrictModel):
    """Risk aversion: the objective becomes (1 - weight) * expectation + weight * CVaR_alpha,
    the expected outcome of the worst (1 - alpha) share of probability."""

    cvar_alpha: Annotated[float, Field(ge=0, lt=1)] = 0.9
    weight: Annotated[float, Field(ge=0, le=1)] = 0.0


class Stochastic(StrictModel):
    """A two-stage plan: the land decisions of the ``here_and_now`` planning years (default: the
    first) are taken before uncertainty resolves and shared by every scenario; every later land
    decision and every other variable (food flows, imports, finance, shortfalls) adapts per
    scenario. Each scenario keeps its own hard targets and LDN rows."""

    here_and_now: list[int] | None = None
    scenarios: Annotated[dict[str, Branch], Field(min_length=1)]
    risk: Risk = Risk()

    @model_validator(mode="after")
    def _probabilities_sum_to_one(self) -> Stochastic:
        total = sum(b.probability for b in self.scenarios.values())
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"the scenarios' probabilities sum to {total:g}, not 1")
        return self


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
    conversion_limits: dict[str, ConversionLimit] = {}
    population: Population | None = None
    housing: Housing | None = None
    food: Food | None = None
    finance: Finance | None = None
    livelihoods: Livelihoods | None = None
    geometry: Geometry | None = None
    report: Report = Report()
    objective: Objective
    variants: dict[str, dict] = {}
    stochastic: Stochastic | None = None

    @model_validator(mode="after")
    def _population_needed(self) -> ScenarioConfig:
        for name, section in (("housing", self.housing), ("food", self.food), ("livelihoods", self.livelihoods)):
            if section is not None and self.population is None:
                raise ValueError(f"'{name}' needs 'population' (a population table)")
        return self

    @model_validator(mode="after")
    def _stochastic_names_known(self) -> ScenarioConfig:
        if self.stochastic is None:
            return self
        for name, branch in self.stochastic.scenarios.items():
            if branch.variant != BASE_BRANCH and branch.variant not in self.variants:
                known = ", ".join([BASE_BRANCH, *self.variants])
                raise ValueError(f"stochastic scenario '{name}' names variant '{branch.variant}', which is not "
                                 f"defined under 'variants' (known: {known})")
        years = self.stochastic.here_and_now
        planning = self.periods.planning_years
        if years is not None and years != planning[:len(years)]:
            raise ValueError(f"stochastic.here_and_now must be the first planning years in order "
                             f"(planning years: {planning})")
        return self

    @field_validator("indicators", "targets", "share_targets", "variants")
    @classmethod
    def _names_are_identifiers(cls, value: dict) -> dict:
        for key in value:
            if not str(key).strip() or any(ch.isspace() for ch in str(key)):
                raise ValueError(f"name '{key}' must be non-empty and contain no spaces")
        return value
