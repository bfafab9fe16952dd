"""The commented files ``lup-opt init`` writes: every field of ``scenario.yaml`` is explained where
it stands, so a planner can edit the scenario without the format reference open
(``scenarios/README.md`` has it all). Standard library only."""

from __future__ import annotations

_HEAD = """\
# {name}: a land-use planning scenario made by `lup-opt init` ({source}).
# Every key is explained in the comment beside it; scenarios/README.md of lup_opt is the full
# reference. Check it with `lup-opt validate {name}` and solve it with `lup-opt solve {name}`.
name: {name}                   # the scenario's name, used in results folder names
description: >                 # free text, shown in the report
  {description}
periods:                       # when: the baseline and the years planned for
  baseline_year: 2020          # the year of the land use in baseline.csv
  planning_years: [2030]       # years to plan for (after the baseline; e.g. [2025, 2030, 2035])
tables:                        # the CSV tables, relative to this folder
  units: units.csv             # land units: id, area_ha, jurisdiction, zone, land_type, climate, baseline_status
  baseline: baseline.csv       # land use at the baseline: land_unit, use, area_ha
  uses: uses.csv               # the uses: id, sector, UNCCD cover_class, sealed, SOC factor, productivity
  coefficients: coefficients.csv   # indicator values per ha of a use (indicator, use, value [, land_type ...])
  transitions: transitions.csv     # changes of use allowed, with per-ha cost of the change
{extra_tables}transitions:                   # which changes of use may happen
  default_allowed: false       # false: only the changes listed in transitions.csv may happen
indicators:                    # every quantity the plan is judged by: NAME: {{unit, description}}
  cereal_t: {{unit: t, description: cereal harvest per year}}
  cost_kusd: {{unit: kUSD, description: one-off cost of the changes of use}}
"""

_PRODUCTIVITY = "  productivity: productivity.csv   # productivity trend of a use on a land type (-1, 0, 1)\n"
_LDN_AND_OBJECTIVE = """\
ldn:                           # Land Degradation Neutrality (SDG 15.3): gains must offset losses
  enabled: true                # false: no LDN rows
  scope: functional_area       # functional_area (gains anywhere offset losses of the same land type) or jurisdiction
objective:                     # what the plan optimises
  sense: minimize              # minimize or maximize
  terms:                       # the sum of weight x indicator over every planning year
    - {indicator: cost_kusd}   # e.g. add {indicator: cereal_t, weight: -0.1} to reward harvest
variants:                      # named sets of changes: lup-opt solve FOLDER --variant NAME
  strict_ldn:
    ldn.scope: jurisdiction    # every jurisdiction must be neutral on its own
"""


def _targets(cereal: float | None, housing: bool) -> str:
    lines = ["targets:                       # hard limits (or soft with kind: soft and a penalty)"]
    if housing:
        lines += [
            "  housing:",
            "    indicator: housing_persons  # the indicator the target is on",
            "    sense: \">=\"                 # >=, <= or ==",
            "    value: 2400                 # in the indicator's unit (person)",
            "    scope: {jurisdiction: town} # where it applies (any units.csv column); {} the whole area",
            "    description: homes for the town's growth",
        ]
    if cereal is not None and cereal > 0:
        lines += [
            "  cereal:",
            "    indicator: cereal_t",
            "    sense: \">=\"",
            f"    value: {cereal:g}             # t per year (set to 90% of today's harvest; edit it)",
            "    description: cereal for the area",
        ]
    if len(lines) == 1:
        lines = ["targets: {}                    # none yet: NAME: {indicator, sense, value, scope, description}"]
    return "\n".join(lines) + "\n"


def starter_yaml(name: str) -> str:
    head = _HEAD.format(name=name, source="the starter", extra_tables=_PRODUCTIVITY,
                        description="A town (one peri-urban unit) and a village (a plain and a degraded hill "
                                    "unit): house 2,400 more people, grow 390 t of cereal, keep LDN.")
    head = head.replace("  cereal_t: {unit: t",
                        "  housing_persons: {unit: person, description: people housed on residential land}\n"
                        "  cereal_t: {unit: t", 1)
    return head + _targets(390, housing=True) + _LDN_AND_OBJECTIVE


def scaffold_yaml(name: str, source: str, cereal: float | None, geometry: str | None) -> str:
    text = _HEAD.format(name=name, source=f"from {source}", extra_tables="",
                        description=f"Land units from {source}; the uses, coefficients and changes of use are "
                                    "defaults to edit.")
    text += _targets(cereal, housing=False) + _LDN_AND_OBJECTIVE
    if geometry:
        text += (f"geometry:                      # outlines for maps and allocation.gpkg (pip install 'lup_opt[geo]')\n"
                 f"  file: {geometry}             # a GeoPackage in this folder\n"
                 f"  id_column: id                # the field holding the land unit id\n")
    return text


STARTER_TABLES = {
    "units.csv": "id,area_ha,jurisdiction,zone,land_type,climate,baseline_status\n"
                 "U1,100,town,peri_urban,plain,tropical_dry,stable\n"
                 "U2,100,village,rural,plain,tropical_dry,stable\n"
                 "U3,60,village,rural,hill,tropical_dry,degraded\n",
    "baseline.csv": "land_unit,use,area_ha\nU1,crop,100\nU2,crop,80\nU2,grass,20\nU3,grass,60\n",
    "uses.csv": "id,sector,cover_class,sealed,soc_management_factor,productivity,description\n"
                "crop,agriculture,cropland,false,1.0,0,rainfed cereal\n"
                "housing,housing,artificial,true,1.0,0,residential\n"
                "forest,forestry,tree_covered,false,1.0,0,planted forest\n"
                "grass,grazing,grassland,false,1.0,0,extensive grazing\n"
                "restoration,restoration,grassland,false,1.17,1,assisted natural regeneration of grassland\n",
    "coefficients.csv": "indicator,use,value,land_type\nhousing_persons,housing,60,\ncereal_t,crop,3,plain\n"
                        "cereal_t,crop,1.5,hill\n",
    "transitions.csv": "from_use,to_use,allowed,zones,cost_kusd,reason\n"
                       "crop,housing,true,urban;peri_urban,10,serviced residential land\n"
                       "crop,forest,true,rural,4,afforestation\ngrass,forest,true,rural,4,afforestation\n"
                       "grass,restoration,true,,2,reseeding and grazing rest\ngrass,crop,true,,3,ploughing\n",
    "productivity.csv": "use,land_type,productivity\ncrop,hill,-1\n",
}

_TABLES_HELP = """\
| file | one row per | columns |
|---|---|---|
| `units.csv` | land unit | `id`, `area_ha` (ha), `jurisdiction`, `zone` (urban, peri_urban, rural), `land_type`, `climate` (IPCC zone), `baseline_status` (degraded, stable, improved); more columns are attributes targets may name |
| `baseline.csv` | unit and use | `land_unit`, `use`, `area_ha` (ha) |
| `uses.csv` | use | `id`, `sector`, `cover_class` (UNCCD: tree_covered, grassland, cropland, wetland, artificial, other_land, water_body), `sealed`, `soc_management_factor`, `productivity` (-1, 0, 1), `description` |
| `coefficients.csv` | indicator value | `indicator`, `use`, `value` (indicator unit per ha), and optional `land_type`, `jurisdiction`, `zone`... to narrow where it applies |
| `transitions.csv` | change of use | `from_use`, `to_use`, `allowed`, `zones` (; separated), a column per indicator (per ha changed, e.g. `cost_kusd`), `reason` |
"""

STARTER_README = f"""# A starter scenario

Made by `lup-opt init`: three land units, solved by hand in lup_opt's `scenarios/tiny/README.md`
(the optimum costs 620 kUSD). Replace the tables with your own; `scenario.yaml` explains every key.

{_TABLES_HELP}
`lup-opt template FOLDER` writes the same scenario as one Excel workbook, and `lup-opt solve
FOLDER/scenario.xlsx` solves the workbook.
"""


def scaffold_readme(source: str) -> str:
    return f"""# A scenario from {source}

Made by `lup-opt init`. The land units, their areas and the baseline come from your data; the
uses, yields (`coefficients.csv`), changes of use and their costs (`transitions.csv`), the target
and the LDN settings are defaults: edit them before drawing conclusions. Uses found in your data
got a UNCCD cover class guessed from their name (see `description` in `uses.csv`): check them,
since LDN judges every change by it.

{_TABLES_HELP}"""
