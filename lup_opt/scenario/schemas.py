"""Column specs of the scenario tables (meaning and units: ``scenarios/README.md``)."""

from __future__ import annotations

from lup_opt.enums import BaselineStatus, CoverClass, Zone
from lup_opt.scenario.tables import Column, Kind, TableSchema

ZONES = tuple(z.value for z in Zone)
STATUSES = tuple(s.value for s in BaselineStatus)
COVERS = tuple(c.value for c in CoverClass)

# Columns of units.csv with a fixed meaning; any other column is a free attribute (e.g. tenure).
UNIT_CORE_COLUMNS = ("id", "area_ha", "jurisdiction", "zone", "land_type", "climate", "baseline_status")
# Unit properties that match tables (coefficients, exclusions) and scopes may key on, besides
# the free attribute columns. ``land_unit`` names a single unit.
FIXED_MATCH_KEYS = ("land_unit", "jurisdiction", "zone", "land_type", "climate")
# Names an attribute column may not take, because they mean something else in other tables.
RESERVED_NAMES = frozenset(
    {"land_unit", "use", "indicator", "value", "from_use", "to_use", "allowed", "zones",
     "reason", "period", "baseline_use", "area", "source_line", "unit", "sector"}
)

UNITS = TableSchema(
    name="units",
    columns=(
        Column("id", Kind.ID),
        Column("area_ha", Kind.FLOAT, minimum=0.0, strictly_above_minimum=True),
        Column("jurisdiction", Kind.ID),
        Column("zone", Kind.CHOICE, choices=ZONES),
        Column("land_type", Kind.ID),
        Column("climate", Kind.ID),
        Column("baseline_status", Kind.CHOICE, choices=STATUSES, default="stable"),
    ),
    extra_columns="attributes",
    unique=("id",),
)

BASELINE = TableSchema(
    name="baseline",
    columns=(
        Column("land_unit", Kind.ID),
        Column("use", Kind.ID),
        Column("area_ha", Kind.FLOAT, minimum=0.0),
    ),
    unique=("land_unit", "use"),
)

USES = TableSchema(
    name="uses",
    columns=(
        Column("id", Kind.ID),
        Column("sector", Kind.ID),
        Column("cover_class", Kind.CHOICE, choices=COVERS),
        Column("sealed", Kind.BOOL, default=False),
        Column("soc_management_factor", Kind.FLOAT, default=1.0, minimum=0.0, strictly_above_minimum=True),
        Column("productivity", Kind.INT, default=0, choices=("-1", "0", "1")),
        Column("description", Kind.TEXT, required=False, default=""),
        # Map colour (#rrggbb); empty: the default of the cover class (lup_opt.styles).
        Column("color", Kind.TEXT, required=False, default=""),
    ),
    unique=("id",),
)

PRODUCTIVITY = TableSchema(
    name="productivity",
    columns=(
        Column("use", Kind.ID),
        Column("land_type", Kind.ID),
        Column("productivity", Kind.INT, choices=("-1", "0", "1")),
    ),
    unique=("use", "land_type"),
    min_rows=0,
)


# A land plan (evaluate --plan, ldn.business_as_usual.plan): the columns of allocation.csv.
PLAN = TableSchema(
    name="plan",
    columns=(
        Column("land_unit", Kind.ID),
        Column("baseline_use", Kind.ID),
        Column("use", Kind.ID),
        Column("period", Kind.INT, required=False),
        Column("area_ha", Kind.FLOAT, minimum=0.0),
    ),
    unique=("land_unit", "baseline_use", "use", "period"),
)


def transitions_schema(indicators: tuple[str, ...]) -> TableSchema:
    """transitions.csv: rules for from -> to changes; a column named after an indicator gives
    the per-ha value of converted area for it (empty or absent: 0)."""
    return TableSchema(
        name="transitions",
        columns=(
            Column("from_use", Kind.ID),
            Column("to_use", Kind.ID),
            Column("allowed", Kind.BOOL, default=True),
            Column("zones", Kind.TEXT, required=False, default=""),
            Column("reason", Kind.TEXT, required=False, default=""),
            *(Column(name, Kind.FLOAT, required=False, default=0.0) for name in indicators),
        ),
        unique=("from_use", "to_use"),
        min_rows=0,
    )


def match_key_columns(attributes: tuple[str, ...]) -> tuple[Column, ...]:
    """Optional key columns of a matching table; an empty cell matches every unit."""
    return tuple(
        Column(key, Kind.ID, required=False, default="", allow_empty=True)
        for key in (*FIXED_MATCH_KEYS, *attributes)
    )


def coefficients_schema(attributes: tuple[str, ...]) -> TableSchema:
    return TableSchema(
        name="coefficients",
        columns=(
            Column("indicator", Kind.ID),
            Column("use", Kind.ID),
            Column("value", Kind.FLOAT),
            Column("applies_to", Kind.CHOICE, choices=("use", "conversion"), default="use"),
            *match_key_columns(attributes),
        ),
        min_rows=0,
    )


def exclusions_schema(attributes: tuple[str, ...]) -> TableSchema:
    return TableSchema(
        name="exclusions",
        columns=(
            Column("use", Kind.ID),
            *match_key_columns(attributes),
            Column("reason", Kind.TEXT, required=False, default=""),
        ),
        min_rows=0,
    )


POPULATION = TableSchema(
    name="population",
    columns=(
        Column("jurisdiction", Kind.ID),
        Column("year", Kind.INT),
        Column("population", Kind.FLOAT, minimum=0.0),
        Column("labour_force", Kind.FLOAT, required=False, minimum=0.0),
    ),
    unique=("jurisdiction", "year"),
)

FOOD_LINKS = TableSchema(
    name="food_links",
    columns=(
        Column("from_jurisdiction", Kind.ID),
        Column("to_jurisdiction", Kind.ID),
        Column("product", Kind.ID),
        Column("cost_per_unit", Kind.FLOAT, minimum=0.0),
        Column("both_ways", Kind.BOOL, default=True),
    ),
    unique=("from_jurisdiction", "to_jurisdiction", "product"),
    min_rows=0,
)

FINANCE_AMOUNTS = TableSchema(
    name="finance_amounts",
    columns=(
        Column("source", Kind.ID),
        Column("jurisdiction", Kind.ID),
        Column("year", Kind.INT),
        Column("amount", Kind.FLOAT, minimum=0.0),
    ),
    unique=("source", "jurisdiction", "year"),
    min_rows=0,
)
