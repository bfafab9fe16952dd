"""An independent, deliberately plain reference for the LDN rules, row by row.

Written from ``../shared/reference/ldn.md`` without using lup_opt's classification code, so that
tests can recompute the LDN balance of a plan from ``allocation.csv`` and the scenario tables.
Slow on purpose: a loop per allocation row, plain dictionaries.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

CLASSES = ["tree_covered", "grassland", "cropland", "wetland", "artificial", "other_land", "water_body"]
# rows from, columns to, exactly as printed in ldn.md
LAND_COVER = {
    "tree_covered": "0 - - - - - 0",
    "grassland": "+ 0 + - - - 0",
    "cropland": "+ - 0 - - - 0",
    "wetland": "- - - 0 - - 0",
    "artificial": "+ + + + 0 + 0",
    "other_land": "+ + + + - 0 0",
    "water_body": "0 0 0 0 0 0 0",
}
SOC_TABLE = {  # 'f' = cropland factor of the climate
    "tree_covered": "1 1 f 1 0.1 0.1 1",
    "grassland": "1 1 f 1 0.1 0.1 1",
    "cropland": "1/f 1/f 1 1/0.71 0.1 0.1 1",
    "wetland": "1 1 0.71 1 0.1 0.1 1",
    "artificial": "2 2 2 2 1 1 1",
    "other_land": "2 2 2 2 1 1 1",
    "water_body": "1 1 1 1 1 1 1",
}
CROPLAND_F = {"temperate_dry": 0.80, "temperate_moist": 0.69, "tropical_dry": 0.58,
              "tropical_moist": 0.48, "tropical_wet": 0.48, "tropical_montane": 0.64}


def land_cover_class(cover_from: str, cover_to: str) -> int:
    sign = LAND_COVER[cover_from].split()[CLASSES.index(cover_to)]
    return {"+": 1, "-": -1, "0": 0}[sign]


def soc_factor(cover_from: str, cover_to: str, f: float) -> float:
    cell = SOC_TABLE[cover_from].split()[CLASSES.index(cover_to)]
    if cell == "f":
        return f
    if cell == "1/f":
        return 1 / f
    if cell.startswith("1/"):
        return 1 / float(cell[2:])
    return float(cell)


def soc_class(factor: float, years: float) -> int:
    change = (factor - 1) * min(years, 20) / 20
    if change <= -0.1 + 1e-12:
        return -1
    if change >= 0.1 - 1e-12:
        return 1
    return 0


def status(baseline: str, period: int) -> str:
    """Gain / loss / neutral for counterbalancing (ldn.md, the GPG addendum's 7-class table):
    a decline in the period is a loss (classes 1, 2), an improvement in the period a gain (6, 7);
    a period without change is neutral whatever the baseline (3, 4, 5)."""
    del baseline  # the 7-class table's counts depend on the period alone
    if period == -1:
        return "loss"
    if period == 1:
        return "gain"
    return "neutral"


def _matches(unit: pd.Series, unit_id: str, scope: dict) -> bool:
    for key, value in scope.items():
        wanted = [str(v) for v in (value if isinstance(value, list) else [value])]
        have = unit_id if key == "land_unit" else str(unit.get(key))
        if have not in wanted:
            return False
    return True


def recompute_ldn_balance(scenario_folder: Path, conversions: pd.DataFrame) -> pd.DataFrame:
    """Gains (counted) and losses (ha) per land type (and jurisdiction when scoped) and planning
    year, from the plan's changes of use (``conversions.csv``) and the scenario tables.

    Timing (models/formulation.md): a change reported for planning year y_k happened at the
    start of its period (the previous planning year, or the baseline year) and is assessed at
    every planning year y_t >= y_k after y_t - start years; land not changed keeps its use.
    """
    config = yaml.safe_load((scenario_folder / "scenario.yaml").read_text())
    tables = config["tables"]
    units = pd.read_csv(scenario_folder / tables["units"], dtype=str).set_index("id")
    uses = pd.read_csv(scenario_folder / tables["uses"]).set_index("id")
    baseline = pd.read_csv(scenario_folder / tables["baseline"])
    productivity_override = {}
    if tables.get("productivity"):
        for row in pd.read_csv(scenario_folder / tables["productivity"]).itertuples():
            productivity_override[(row.use, row.land_type)] = int(row.productivity)
    ldn = config.get("ldn", {})
    years = config["periods"]["planning_years"]
    starts = [config["periods"]["baseline_year"], *years[:-1]]
    by_jurisdiction = ldn.get("scope") == "jurisdiction"
    rules = ldn.get("gain_effectiveness", [])

    def classify(unit_id, from_use, to_use, years_since):
        unit = units.loc[unit_id]
        a, b = uses.loc[from_use], uses.loc[to_use]
        lc = land_cover_class(a.cover_class, b.cover_class)
        factor_a = a.get("soc_management_factor", 1)
        factor_b = b.get("soc_management_factor", 1)
        mg = float(1 if pd.isna(factor_b) else factor_b) / float(1 if pd.isna(factor_a) else factor_a)
        soc = soc_class(soc_factor(a.cover_class, b.cover_class, CROPLAND_F[unit.climate]) * mg, years_since)
        default = b.get("productivity", 0)
        prod = productivity_override.get((to_use, unit.land_type), int(0 if pd.isna(default) else default))
        classes = (lc, soc, prod)
        period = -1 if -1 in classes else 1 if 1 in classes else 0
        baseline_status = unit.get("baseline_status")
        return status(baseline_status if isinstance(baseline_status, str) and baseline_status else "stable", period)

    def share_counted(unit_id, to_use) -> float:
        share = 1.0
        for rule in rules:
            if _matches(units.loc[unit_id], unit_id, rule.get("scope", {})) and (
                    not rule.get("uses") or to_use in rule["uses"]):
                share = rule["share"]
        return share

    totals: dict[tuple, dict[str, float]] = {}
    for t, year in enumerate(years):
        chunks = []  # (unit, from_use, to_use, years since change, area)
        changed = conversions[conversions["period"] <= year]
        for row in changed.itertuples():
            k = years.index(row.period)
            chunks.append((row.land_unit, row.baseline_use, row.use, year - starts[k], row.area_ha))
        left = baseline.set_index(["land_unit", "use"])["area_ha"].copy()
        for row in changed.itertuples():
            left[(row.land_unit, row.baseline_use)] -= row.area_ha
        for (unit_id, use), area in left.items():
            chunks.append((unit_id, use, use, 0, area))
        for unit_id, from_use, to_use, since, area in chunks:
            unit = units.loc[unit_id]
            key = (unit.land_type, unit.jurisdiction if by_jurisdiction else "all", year)
            entry = totals.setdefault(key, {"gains_ha": 0.0, "losses_ha": 0.0})
            outcome = classify(unit_id, from_use, to_use, since)
            if outcome == "gain":
                entry["gains_ha"] += area * share_counted(unit_id, to_use)
            elif outcome == "loss":
                entry["losses_ha"] += area
    frame = pd.DataFrame(
        [{"land_type": k[0], "jurisdiction": k[1], "period": k[2], **v} for k, v in sorted(totals.items())]
    )
    frame["net_ha"] = frame["gains_ha"] - frame["losses_ha"]
    return frame
