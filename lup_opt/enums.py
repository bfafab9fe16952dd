"""The closed vocabularies of a scenario: zones, cover classes, senses, options.

Options are enums, never magic strings; each enum's values are what users write in files and on
the command line.
"""

from __future__ import annotations

from enum import StrEnum


class _Choice(StrEnum):
    """Enums whose values are what users write (str() and f-strings give the value)."""


class Zone(_Choice):
    URBAN = "urban"
    PERI_URBAN = "peri_urban"
    RURAL = "rural"


class BaselineStatus(_Choice):
    """Land condition at the LDN baseline (SDG 15.3.1 status: degraded, stable or improved)."""

    DEGRADED = "degraded"
    STABLE = "stable"
    IMPROVED = "improved"


class CoverClass(_Choice):
    """The seven UNCCD land-cover classes, in the order of the UNCCD transition matrix."""

    TREE_COVERED = "tree_covered"
    GRASSLAND = "grassland"
    CROPLAND = "cropland"
    WETLAND = "wetland"
    ARTIFICIAL = "artificial"
    OTHER_LAND = "other_land"
    WATER_BODY = "water_body"


class Comparison(_Choice):
    AT_LEAST = ">="
    AT_MOST = "<="
    EQUAL = "="


class TargetKind(_Choice):
    HARD = "hard"
    SOFT = "soft"


class LdnScope(_Choice):
    """Where losses may be counterbalanced by gains of the same land type."""

    FUNCTIONAL_AREA = "functional_area"
    JURISDICTION = "jurisdiction"


class LdnGains(_Choice):
    """Which improvements count as LDN gains: every improvement in the period (expanded classes
    6 and 7, the counterbalancing rule), or only the reversal of degradation on land degraded at
    baseline (``reverse_only``)."""

    IMPROVED = "improved"
    REVERSE_ONLY = "reverse_only"


class LdnHierarchy(_Choice):
    """How the plan follows the response hierarchy (avoid > reduce > reverse): not at all
    (``off``), a price per hectare lost (``penalty``), or fewest losses first, then the objective
    (``strict``)."""

    OFF = "off"
    PENALTY = "penalty"
    STRICT = "strict"


class ResponseClass(_Choice):
    """The LDN response hierarchy class of a land unit (Trends.Earth ILUP planning step)."""

    AVOID = "avoid"
    REDUCE = "reduce"
    REVERSE = "reverse"


class NeutralityPrice(_Choice):
    """Whether to re-solve without each LDN group to price neutrality: ``auto`` does so for
    LPs of up to 200,000 columns."""

    AUTO = "auto"
    ON = "on"
    OFF = "off"


class ObjectiveSense(_Choice):
    MINIMIZE = "minimize"
    MAXIMIZE = "maximize"


class SolveStatus(_Choice):
    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"
    ERROR = "error"


class Backend(_Choice):
    """How the LP reaches HiGHS: directly as sparse arrays, or as a Pyomo model."""

    HIGHSPY = "highspy"
    PYOMO = "pyomo"


class SolverMethod(_Choice):
    """HiGHS's LP algorithm. ``ipm`` (interior point, with crossover) is the measured default.

    ``structured`` solves the plan LP by column generation over its area columns, with HiGHS
    for the restricted masters, certified optimal on the full LP (``lup_opt.solve.structured``);
    ``auto`` picks ``structured`` for large LPs of that shape and ``ipm`` for the rest.
    """

    IPM = "ipm"
    SIMPLEX = "simplex"
    PDLP = "pdlp"
    CHOOSE = "choose"
    STRUCTURED = "structured"
    AUTO = "auto"


class LdnStatus(_Choice):
    """How an area counts in the LDN balance of its land type."""

    GAIN = "gain"
    LOSS = "loss"
    NEUTRAL = "neutral"


class PlanningMode(_Choice):
    """Perfect foresight (every year in one LP) or myopic (year by year, fixing the past)."""

    PERFECT_FORESIGHT = "perfect_foresight"
    MYOPIC = "myopic"


class TableFormat(_Choice):
    """How result tables are written: CSV, Parquet, or ``auto`` (Parquet for tables of more
    than 10 million values, rows x columns; CSV for the rest, so that small results open in a
    spreadsheet)."""

    CSV = "csv"
    PARQUET = "parquet"
    AUTO = "auto"


class Culling(_Choice):
    """Whether dominated changes of use are left out of the LP (the optimum is the same).

    ``auto`` culls LPs of more than 100,000 area columns: small plans keep every change, so the
    reduced-cost table can say what each use would have to improve to enter the plan.
    """

    AUTO = "auto"
    ON = "on"
    OFF = "off"


class Normalization(_Choice):
    """How objectives are put on one scale for weighted sums, frontiers and compromise: from
    the ideal (1) to the worst value in the pay-off table (``payoff``: nadir, 0) or to the worst
    value over every plan (``range``: anti-ideal, each objective optimised the other way)."""

    PAYOFF = "payoff"
    RANGE = "range"


class Direction(_Choice):
    """Whether more or less of an indicator is better (robust compromise)."""

    MORE = "more"
    LESS = "less"


class OptimisticRule(_Choice):
    """The high outcome of a use in the robust compromise (optimLanduse's ``optimisticRule``):
    ``uncertainty_adjusted`` (optimLanduse ``uncertaintyAdjustedExpectation``): mean + u*se where
    more is better (mean - u*se where less is); ``expectation`` (optimLanduse's default): the mean
    itself, so only downside risks count."""

    UNCERTAINTY_ADJUSTED = "uncertainty_adjusted"
    EXPECTATION = "expectation"


class FamilyName(_Choice):
    """The names of the model's constraint families (``lup_opt.families``); a family added
    later may name itself with any other string."""

    LAND_BALANCE = "land balance"
    CONVERSION_LIMITS = "conversion limits"
    TARGETS = "targets and limits on indicators"
    LDN = "land degradation neutrality"
    SHARES = "share targets"
    FOOD = "food"
    FINANCE = "finance by source"
    LIVELIHOODS = "livelihoods"
    OBJECTIVE = "objective"
