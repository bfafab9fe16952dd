"""Regenerate the default scenario's tables (deterministic, seed below) and its story.

    python scenarios/default/generate.py              # tables, then solve and rewrite README.md's story
    python scenarios/default/generate.py --no-story   # tables only

The story (what the optimum does, with its numbers, and what each variant costs) is rendered by
story.py from the solves and written between its markers in README.md, so that the README cannot
drift from the model: tests/test_default_scenario.py renders it again and compares.

The functional area of Kaseda (fictional) is laid out on a 20 x 16 grid of land units of about
1 km2 each, whose areas vary between 60 and 140 ha. The city centre sits at grid (6, 8); a river
valley runs along row 3; hills rise east of column 13. Zones follow distance from the centre,
jurisdictions follow zones and compass sectors, land types follow the terrain. Every probability
and share below is an assumption of this synthetic scenario (see README.md).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np

SEED = 20261124
COLS, ROWS = 20, 16
CENTRE = (6.0, 8.0)
URBAN_KM, PERI_URBAN_KM = 3.2, 6.0
HERE = Path(__file__).parent

# Baseline use mixes: use -> (low, high) share drawn uniformly, then normalised.
MIXES = {
    "urban": {"residential_dense": (0.12, 0.3), "residential_sprawl": (0.25, 0.45),
              "industry": (0.0, 0.1), "green_infrastructure": (0.02, 0.05), "bare": (0.05, 0.12),
              "crop_conventional": (0.05, 0.15), "vegetables_irrigated": (0.02, 0.06)},
    "peri_urban": {"residential_sprawl": (0.08, 0.25), "crop_conventional": (0.3, 0.5),
                   "vegetables_irrigated": (0.04, 0.12), "grazing": (0.1, 0.3), "bare": (0.0, 0.08)},
    "alluvial_plain": {"crop_conventional": (0.5, 0.8), "vegetables_irrigated": (0.0, 0.08),
                       "grazing": (0.1, 0.3), "forest": (0.0, 0.1)},
    "sandy_plateau": {"crop_conventional": (0.3, 0.5), "grazing": (0.3, 0.5),
                      "bare": (0.05, 0.2), "forest": (0.0, 0.08)},
    "hill_slopes": {"grazing": (0.3, 0.5), "forest": (0.2, 0.5), "crop_conventional": (0.1, 0.3),
                    "bare": (0.0, 0.08)},
    "valley_wetland": {"wetland": (0.5, 0.8), "crop_conventional": (0.1, 0.3), "grazing": (0.05, 0.2)},
}
DEGRADED_PROBABILITY = {"alluvial_plain": 0.10, "sandy_plateau": 0.30, "hill_slopes": 0.35,
                        "valley_wetland": 0.05}
IMPROVED_PROBABILITY = 0.05


def main() -> None:
    rng = np.random.default_rng(SEED)
    units, baseline = [], []
    for row in range(ROWS):
        for col in range(COLS):
            uid = f"K{row:02d}{col:02d}"
            distance = float(np.hypot(col - CENTRE[0], row - CENTRE[1]))
            zone = "urban" if distance <= URBAN_KM else "peri_urban" if distance <= PERI_URBAN_KM else "rural"
            if col >= 13:
                land_type = "hill_slopes"
            elif row == 3:
                land_type = "valley_wetland"
            elif row <= 9:
                land_type = "alluvial_plain"
            else:
                land_type = "sandy_plateau"
            if zone == "urban":
                jurisdiction = "kaseda_city"
            elif col >= 13:
                jurisdiction = "hill_commune"
            elif row >= 8:
                jurisdiction = "north_commune"
            else:
                jurisdiction = "south_commune"
            climate = "tropical_montane" if land_type == "hill_slopes" else "tropical_dry"
            draw = rng.random()
            status = ("degraded" if draw < DEGRADED_PROBABILITY[land_type]
                      else "improved" if draw > 1 - IMPROVED_PROBABILITY else "stable")
            tenure_draw = rng.random()
            if zone == "rural":
                tenure = "customary" if tenure_draw < 0.6 else "secure" if tenure_draw < 0.85 else "insecure"
            else:
                tenure = "secure" if tenure_draw < 0.75 else "insecure"
            protected = (land_type == "valley_wetland" and rng.random() < 0.6) or (
                land_type == "hill_slopes" and row >= 12 and col >= 17
            )
            area_cents = int(rng.integers(6000, 14001))  # 60.00 to 140.00 ha
            units.append([uid, f"{area_cents / 100:.2f}", jurisdiction, zone, land_type, climate,
                          status, tenure, "yes" if protected else "no"])
            if (row, col) == (2, 9):  # the city's reservoir
                baseline.append([uid, "water", f"{area_cents / 100:.2f}"])
                continue
            mix = MIXES[zone] if zone != "rural" else MIXES[land_type]
            if zone != "rural" and land_type == "valley_wetland":
                mix = MIXES["valley_wetland"]
            if protected and land_type == "hill_slopes":
                mix = {"forest": (0.7, 0.9), "grazing": (0.1, 0.3)}
            shares = np.array([rng.uniform(lo, hi) for lo, hi in mix.values()])
            shares = shares / shares.sum()
            cents = np.floor(shares * area_cents).astype(int)
            cents[np.argmax(cents)] += area_cents - cents.sum()
            for use, part in zip(mix, cents, strict=True):
                if part > 0:
                    baseline.append([uid, use, f"{part / 100:.2f}"])
    _write_linkage_tables()
    _write(HERE / "units.csv",
           ["id", "area_ha", "jurisdiction", "zone", "land_type", "climate", "baseline_status",
            "tenure", "protected"], units)
    _write(HERE / "baseline.csv", ["land_unit", "use", "area_ha"], baseline)
    print(f"wrote {len(units)} land units and {len(baseline)} baseline rows")


# Population and labour force: 2020 values and yearly growth rates per jurisdiction (all
# assumptions, see README.md). The city's 2020 residents equal its mapped housing capacity; the
# communes' include village residents whose dwellings are not mapped. The labour force counts
# people of working age who seek work in the land economy of their commune.
POPULATION_2020 = {"kaseda_city": 168950, "north_commune": 31000, "south_commune": 24000, "hill_commune": 16000}
LABOUR_2020 = {"north_commune": 4000, "south_commune": 4200, "hill_commune": 2600}
# Growth spills over the city boundary: the peri-urban communes grow fastest.
GROWTH = {"kaseda_city": 0.025, "north_commune": 0.050, "south_commune": 0.050, "hill_commune": 0.010}
HIGH_GROWTH = {"kaseda_city": 0.030, "north_commune": 0.065, "south_commune": 0.065, "hill_commune": 0.010}
LOW_GROWTH = {"kaseda_city": 0.020, "north_commune": 0.035, "south_commune": 0.035, "hill_commune": 0.005}
LABOUR_GROWTH = 0.02
YEARS = (2020, 2025, 2030, 2035)
# Funding per source: (jurisdiction or '*', kUSD per planning period). Remittances go to the
# rural communes that receive them; the diaspora fund, private investors and climate finance
# are pooled for the whole area.
FUNDS = {
    "public_budget": [("kaseda_city", 6000), ("north_commune", 800), ("south_commune", 800), ("hill_commune", 500)],
    "remittances": [("north_commune", 900), ("south_commune", 900), ("hill_commune", 1200)],
    "diaspora_fund": [("*", 3000)],
    "private_investment": [("*", 20000)],
    "climate_finance": [("*", 1500)],
}


def _write_linkage_tables() -> None:
    for name, growth in (("population.csv", GROWTH), ("population_high_growth.csv", HIGH_GROWTH),
                         ("population_low_growth.csv", LOW_GROWTH)):
        rows = []
        for jurisdiction, people in POPULATION_2020.items():
            for year in YEARS:
                years = year - YEARS[0]
                labour = LABOUR_2020.get(jurisdiction)
                rows.append([jurisdiction, str(year), f"{people * (1 + growth[jurisdiction]) ** years:.0f}",
                             "" if labour is None else f"{labour * (1 + LABOUR_GROWTH) ** years:.0f}"])
        _write(HERE / name, ["jurisdiction", "year", "population", "labour_force"], rows)
    for name, sources in (("funds.csv", FUNDS), ("funds_no_remittances.csv",
                                                 {k: v for k, v in FUNDS.items() if k != "remittances"})):
        rows = [[source, jurisdiction, str(year), str(amount)]
                for source, entries in sources.items() for jurisdiction, amount in entries for year in YEARS[1:]]
        _write(HERE / name, ["source", "jurisdiction", "year", "amount"], rows)


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_story() -> None:
    sys.path.insert(0, str(HERE))
    import story

    import lup_opt

    text = story.story(story.solve_all(), lup_opt.load_scenario(HERE))
    story.write_story(text)
    print(f"wrote the story into {story.README.name}")


if __name__ == "__main__":
    main()
    if "--no-story" not in sys.argv[1:]:
        write_story()
