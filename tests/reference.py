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
    """Gain / loss / neutral from baseline status and period status (ldn.md + GPG addendum)."""
    if period == -1:
        return "loss"
    if period == 1:
        return "gain"
    return "gain" if baseline == "improved" else "neutral"


def recompute_ldn_balance(scenario_folder: Path, allocation: pd.DataFrame) -> pd.DataFrame:
    """Gains and losses (ha) per land type (and jurisdiction when scoped) from a plan."""
    config = yaml.safe_load((scenario_folder / "scenario.yaml").read_text())
    tables = config["tables"]
    units = pd.read_csv(scenario_folder / tables["units"]).set_index("id")
    uses = pd.read_csv(scenario_folder / tables["uses"]).set_index("id")
    productivity_override = {}
    if tables.get("productivity"):
        for row in pd.read_csv(scenario_folder / tables["productivity"]).itertuples():
            productivity_override[(row.use, row.land_type)] = int(row.productivity)
    ldn = config.get("ldn", {})
    years = ldn.get("soc_years")
    if years is None:
        years = (ldn.get("target_year") or config["periods"]["planning_years"][-1]) - config["periods"]["baseline_year"]
    by_jurisdiction = ldn.get("scope") == "jurisdiction"
    totals: dict[tuple[str, str], dict[str, float]] = {}
    for row in allocation.itertuples():
        unit = units.loc[row.land_unit]
        a, b = uses.loc[row.baseline_use], uses.loc[row.use]
        lc = land_cover_class(a.cover_class, b.cover_class)
        mg = float(b.get("soc_management_factor", 1) or 1) / float(a.get("soc_management_factor", 1) or 1)
        soc = soc_class(soc_factor(a.cover_class, b.cover_class, CROPLAND_F[unit.climate]) * mg, years)
        prod = productivity_override.get((row.use, unit.land_type), int(b.get("productivity", 0) or 0))
        classes = (lc, soc, prod)
        period = -1 if -1 in classes else 1 if 1 in classes else 0
        baseline_status = unit.get("baseline_status", "stable")
        if not isinstance(baseline_status, str):
            baseline_status = "stable"
        key = (unit.land_type, unit.jurisdiction if by_jurisdiction else "all")
        entry = totals.setdefault(key, {"gains_ha": 0.0, "losses_ha": 0.0})
        outcome = status(baseline_status, period)
        if outcome == "gain":
            entry["gains_ha"] += row.area_ha
        elif outcome == "loss":
            entry["losses_ha"] += row.area_ha
    frame = pd.DataFrame(
        [{"land_type": k[0], "jurisdiction": k[1], **v} for k, v in sorted(totals.items())]
    )
    frame["net_ha"] = frame["gains_ha"] - frame["losses_ha"]
    return frame
