"""Synthetic functional areas as real scenario folders, deterministic by seed.

    python benchmarks/generate.py --family parcels --units 10000 --out /tmp/parcels_10000
    python benchmarks/generate.py --family raster --units 1000000 --out /tmp/raster_1000000

Both families: 10 uses, 3 planning years (2025, 2030, 2035; baseline 2020), 4 jurisdictions, 4
land types, LDN on, a hard housing target per year that follows population growth, soft food
and jobs targets, a water limit, and a baseline from which a plan exists.

- ``parcels``: N land units of 5-50 ha with two baseline uses each, whose coefficients vary per
  unit: food yields from a continuous suitability score and the cost of serviced housing from
  the distance to the centre. No two units are alike.
- ``raster``: N grid cells of 1 ha (a 100 m raster), one land cover each, whose coefficients come
  only from categorical layers (land cover, zone, land type, jurisdiction, climate), as real
  land-cover rasters do. Many cells are alike.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

YEARS = (2025, 2030, 2035)
USES = pd.DataFrame(
    [
        ("housing_dense", "housing", "artificial", True, 1.0, 0),
        ("housing_sprawl", "housing", "artificial", True, 1.0, 0),
        ("industry", "industry", "artificial", True, 1.0, 0),
        ("park", "green_blue", "grassland", False, 1.0, 0),
        ("crop", "agriculture", "cropland", False, 1.0, 0),
        ("crop_conservation", "agriculture", "cropland", False, 1.17, 0),
        ("vegetables", "agriculture", "cropland", False, 1.0, 0),
        ("grazing", "livestock", "grassland", False, 1.0, 0),
        ("forest", "forestry", "tree_covered", False, 1.0, 0),
        ("restoration", "restoration", "tree_covered", False, 1.0, 1),
    ],
    columns=["id", "sector", "cover_class", "sealed", "soc_management_factor", "productivity"],
)
LAND_TYPES = ("plain", "plateau", "hills", "valley")
JURISDICTIONS = ("city", "north", "south", "east")
PRODUCTIVITY = pd.DataFrame(
    [("crop", "plateau", -1), ("crop", "hills", -1), ("grazing", "hills", -1),
     ("crop_conservation", "plateau", 1), ("crop_conservation", "hills", 1)],
    columns=["use", "land_type", "productivity"],
)
TRANSITIONS = pd.DataFrame(
    [
        ("*", "housing_dense", True, "urban;peri_urban", 0.0),
        ("*", "housing_sprawl", True, "peri_urban;rural", 8.0),
        ("*", "industry", True, "urban;peri_urban", 30.0),
        ("*", "park", True, "urban;peri_urban", 12.0),
        ("*", "vegetables", True, "", 3.0),
        ("*", "crop_conservation", True, "", 0.2),
        ("*", "restoration", True, "", 0.6),
        ("*", "forest", True, "", 0.9),
    ],
    columns=["from_use", "to_use", "allowed", "zones", "cost_kusd"],
)
# Per-ha values that do not vary per unit: (indicator, use, value).
GENERAL = [
    ("housing_persons", "housing_dense", 150.0), ("housing_persons", "housing_sprawl", 30.0),
    ("jobs", "industry", 40.0), ("jobs", "crop", 0.4), ("jobs", "crop_conservation", 0.45),
    ("jobs", "vegetables", 1.5), ("jobs", "grazing", 0.05), ("jobs", "forest", 0.05),
    ("jobs", "restoration", 0.1), ("jobs", "park", 0.3), ("jobs", "housing_dense", 2.0),
    ("water_m3", "housing_dense", 3000.0), ("water_m3", "housing_sprawl", 600.0),
    ("water_m3", "vegetables", 6000.0), ("water_m3", "industry", 2000.0),
]
FOOD = {"crop": 3.0, "crop_conservation": 2.8, "vegetables": 12.0}  # t/ha at full suitability


def _layout(n: int, rng: np.random.Generator) -> pd.DataFrame:
    x, y = rng.uniform(-1, 1, n), rng.uniform(-1, 1, n)
    distance = np.hypot(x, y)
    zone = np.where(distance < 0.3, "urban", np.where(distance < 0.6, "peri_urban", "rural"))
    jurisdiction = np.where(zone == "urban", "city", np.where(x > 0.3, "east", np.where(y > 0, "north", "south")))
    land_type = np.asarray(LAND_TYPES)[np.clip(((y + 1) * 2).astype(int), 0, 3)]
    climate = np.where(land_type == "hills", "tropical_montane", "tropical_dry")
    return pd.DataFrame({"distance": distance, "zone": zone, "jurisdiction": jurisdiction,
                         "land_type": land_type, "climate": climate})


def _baseline_use(layout: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """A land cover per unit: built in the city, farmed around it, grazed and wooded further out."""
    draw = rng.random(len(layout))
    urban = np.where(draw < 0.6, "housing_sprawl", np.where(draw < 0.8, "crop", "park"))
    peri = np.where(draw < 0.2, "housing_sprawl", np.where(draw < 0.7, "crop", "grazing"))
    rural = np.where(draw < 0.55, "crop", np.where(draw < 0.85, "grazing", "forest"))
    zone = layout["zone"].to_numpy()
    return np.where(zone == "urban", urban, np.where(zone == "peri_urban", peri, rural))


def generate(family: str, n: int, folder: Path, seed: int = 7) -> Path:
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    layout = _layout(n, rng)
    ids = np.char.add("P" if family == "parcels" else "C", np.char.zfill(np.arange(n).astype(str), 7))
    status = rng.choice(["degraded", "stable", "improved"], size=n, p=[0.2, 0.75, 0.05])
    units = pd.DataFrame({"id": ids, "jurisdiction": layout["jurisdiction"], "zone": layout["zone"],
                          "land_type": layout["land_type"], "climate": layout["climate"], "baseline_status": status})
    first = _baseline_use(layout, rng)
    general = pd.DataFrame(GENERAL, columns=["indicator", "use", "value"])
    if family == "parcels":
        area = np.round(rng.uniform(5, 50, n), 2)
        second = np.where(layout["zone"] == "urban", "park",
                          np.where(layout["land_type"] == "hills", "forest", "grazing"))
        share = np.round(rng.uniform(0.5, 0.9, n), 2)
        a1 = np.round(area * share, 2)
        baseline = pd.DataFrame({"land_unit": np.concatenate([ids, ids]), "use": np.concatenate([first, second]),
                                 "area_ha": np.concatenate([a1, np.round(area - a1, 2)])})
        baseline = baseline[baseline["area_ha"] > 0].groupby(["land_unit", "use"], as_index=False)["area_ha"].sum()
        suitability = np.clip(rng.normal(0.6, 0.2, n), 0.05, 1.0)
        per_unit = [pd.DataFrame({"indicator": "food_t", "use": use, "value": np.round(base * suitability, 4),
                                  "land_unit": ids, "applies_to": "use"}) for use, base in FOOD.items()]
        per_unit.append(pd.DataFrame({"indicator": "cost_kusd", "use": "housing_dense",
                                      "value": np.round(20 + 15 * layout["distance"].to_numpy(), 4),
                                      "land_unit": ids, "applies_to": "conversion"}))
        general["land_unit"] = ""
        general["applies_to"] = "use"
        coefficients = pd.concat([general, *per_unit], ignore_index=True)
    else:
        area = np.ones(n)
        baseline = pd.DataFrame({"land_unit": ids, "use": first, "area_ha": area})
        quality = {"plain": 1.0, "plateau": 0.55, "hills": 0.45, "valley": 0.85}
        per_type = [("food_t", use, round(base * q, 4), land_type)
                    for use, base in FOOD.items() for land_type, q in quality.items()]
        keyed = pd.DataFrame(per_type, columns=["indicator", "use", "value", "land_type"])
        cost = pd.DataFrame([("cost_kusd", "housing_dense", c, "", zone, "conversion")
                             for zone, c in (("urban", 26.0), ("peri_urban", 31.0))],
                            columns=["indicator", "use", "value", "land_type", "zone", "applies_to"])
        general["land_type"] = ""
        coefficients = pd.concat([general, keyed, cost], ignore_index=True).fillna("")
        coefficients["applies_to"] = coefficients["applies_to"].replace("", "use")
    units.insert(1, "area_ha", area)
    units.to_csv(folder / "units.csv", index=False)
    baseline.to_csv(folder / "baseline.csv", index=False)
    coefficients.to_csv(folder / "coefficients.csv", index=False)
    USES.to_csv(folder / "uses.csv", index=False)
    TRANSITIONS.to_csv(folder / "transitions.csv", index=False)
    PRODUCTIVITY.to_csv(folder / "productivity.csv", index=False)
    _write_config(family, n, folder, units, baseline, coefficients)
    return folder


def _write_config(family, n, folder, units, baseline, coefficients) -> None:
    jurisdiction_of = units.set_index("id")["jurisdiction"]
    capacity = float((baseline.query("use == 'housing_sprawl'")["area_ha"] * 30).sum())
    food_now = _baseline_food(baseline, coefficients, units)
    jobs_rate = pd.DataFrame(GENERAL, columns=["indicator", "use", "value"]).query("indicator == 'jobs'").set_index("use")["value"]
    jobs = baseline["area_ha"] * baseline["use"].map(jobs_rate).fillna(0.0)
    jobs_now = jobs.groupby(baseline["land_unit"].map(jurisdiction_of)).sum()
    water_rate = pd.DataFrame(GENERAL, columns=["indicator", "use", "value"]).query("indicator == 'water_m3'").set_index("use")["value"]
    water_now = float((baseline["area_ha"] * baseline["use"].map(water_rate).fillna(0.0)).sum())
    targets = {}
    for t, year in enumerate(YEARS):
        targets[f"housing_{year}"] = {"indicator": "housing_persons", "sense": ">=", "period": year,
                                      "value": round(capacity * (1 + 0.08 * (t + 1))),
                                      "scope": {"zone": ["urban", "peri_urban"]}}
        targets[f"water_{year}"] = {"indicator": "water_m3", "sense": "<=", "period": year,
                                    "value": round(water_now * (1.2 + 0.1 * t))}
    targets["food"] = {"indicator": "food_t", "sense": ">=", "value": round(food_now), "kind": "soft", "penalty": 0.3}
    for j, value in jobs_now.items():
        targets[f"jobs_{j}"] = {"indicator": "jobs", "sense": ">=", "value": round(float(value)),
                                "scope": {"jurisdiction": j}, "kind": "soft", "penalty": 4.0}
    config = {
        "name": f"{family}_{n}",
        "periods": {"baseline_year": 2020, "planning_years": list(YEARS)},
        "tables": {"units": "units.csv", "baseline": "baseline.csv", "uses": "uses.csv",
                   "coefficients": "coefficients.csv", "transitions": "transitions.csv",
                   "productivity": "productivity.csv"},
        "indicators": {"housing_persons": {"unit": "person"}, "food_t": {"unit": "t"}, "jobs": {"unit": "job"},
                       "water_m3": {"unit": "m3"}, "cost_kusd": {"unit": "kUSD"}},
        "targets": targets,
        "ldn": {"enabled": True, "target_year": 2030},
        "objective": {"sense": "minimize", "terms": [{"indicator": "cost_kusd"}]},
    }
    (folder / "scenario.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


def _baseline_food(baseline, coefficients, units) -> float:
    food = coefficients[(coefficients["indicator"] == "food_t") & (coefficients["applies_to"] == "use")]
    if "land_unit" in food and (food["land_unit"] != "").any():
        per = food.set_index(["land_unit", "use"])["value"]
        keys = pd.MultiIndex.from_arrays([baseline["land_unit"], baseline["use"]])
        return float((baseline["area_ha"].to_numpy() * per.reindex(keys).fillna(0.0).to_numpy()).sum())
    land_type = baseline["land_unit"].map(units.set_index("id")["land_type"])
    per = food.set_index(["land_type", "use"])["value"]
    keys = pd.MultiIndex.from_arrays([land_type, baseline["use"]])
    return float((baseline["area_ha"].to_numpy() * per.reindex(keys).fillna(0.0).to_numpy()).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--family", choices=["parcels", "raster"], default="parcels")
    parser.add_argument("--units", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.family, args.units, args.out, args.seed)


if __name__ == "__main__":
    main()
