"""Synthetic functional areas as real scenario folders, deterministic by seed.

    python benchmarks/generate.py --family parcels --units 10000 --out /tmp/parcels_10000

Family ``parcels``: N land units whose coefficients vary per unit (yield from a continuous
suitability score, conversion cost from distance to the city centre), so no two units are
alike: every unit has its own rows in coefficients.csv. 10 uses, 4 jurisdictions, 4 land types,
a feasible baseline (targets are set from baseline values) and LDN on.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

USES = pd.DataFrame(
    [
        ("housing_dense", "housing", "artificial", True, 1.0, 0),
        ("housing_sprawl", "housing", "artificial", True, 1.0, 0),
        ("industry", "industry", "artificial", True, 1.0, 0),
        ("park", "green_blue", "grassland", False, 1.0, 0),
        ("crop", "agriculture", "cropland", False, 1.0, 0),
        ("crop_conservation", "agriculture", "cropland", False, 1.17, 1),
        ("vegetables", "agriculture", "cropland", False, 1.0, 0),
        ("grazing", "livestock", "grassland", False, 1.0, 0),
        ("forest", "forestry", "tree_covered", False, 1.0, 0),
        ("restoration", "restoration", "tree_covered", False, 1.0, 1),
    ],
    columns=["id", "sector", "cover_class", "sealed", "soc_management_factor", "productivity"],
)
LAND_TYPES = ("plain", "plateau", "hills", "valley")
JURISDICTIONS = ("city", "north", "south", "east")


def generate_parcels(n_units: int, folder: Path, seed: int = 7) -> Path:
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ids = np.array([f"P{i:07d}" for i in range(n_units)])
    x, y = rng.uniform(-1, 1, n_units), rng.uniform(-1, 1, n_units)
    distance = np.hypot(x, y)
    zone = np.where(distance < 0.3, "urban", np.where(distance < 0.6, "peri_urban", "rural"))
    jurisdiction = np.where(zone == "urban", "city", np.where(x > 0.3, "east", np.where(y > 0, "north", "south")))
    land_type = np.asarray(LAND_TYPES)[np.clip(((y + 1) * 2).astype(int), 0, 3)]
    area = np.round(rng.uniform(5, 50, n_units), 2)
    status = rng.choice(["degraded", "stable", "improved"], size=n_units, p=[0.2, 0.75, 0.05])
    suitability = np.clip(rng.normal(0.6, 0.2, n_units), 0.05, 1.0)
    units = pd.DataFrame({
        "id": ids, "area_ha": area, "jurisdiction": jurisdiction, "zone": zone, "land_type": land_type,
        "climate": "tropical_dry", "baseline_status": status,
    })
    units.to_csv(folder / "units.csv", index=False)

    # Baseline: urban units mostly built, others farmed or grazed; two parts per unit.
    first = np.where(zone == "urban", "housing_sprawl", np.where(zone == "peri_urban", "crop", "crop"))
    second = np.where(zone == "urban", "park", np.where(land_type == "hills", "forest", "grazing"))
    share = np.round(rng.uniform(0.5, 0.9, n_units), 2)
    a1 = np.round(area * share, 2)
    baseline = pd.DataFrame({
        "land_unit": np.concatenate([ids, ids]),
        "use": np.concatenate([first, second]),
        "area_ha": np.concatenate([a1, np.round(area - a1, 2)]),
    })
    baseline[baseline["area_ha"] > 0].to_csv(folder / "baseline.csv", index=False)

    # Per-unit coefficients: yields scale with suitability, costs with distance.
    per_unit = []
    for use, base in (("crop", 3.0), ("crop_conservation", 2.8), ("vegetables", 12.0)):
        indicator = "food_t"
        per_unit.append(pd.DataFrame({"indicator": indicator, "use": use, "value": np.round(base * suitability, 4), "land_unit": ids}))
    per_unit.append(pd.DataFrame({"indicator": "cost_kusd", "use": "housing_dense",
                                  "value": np.round(20 + 15 * distance, 4), "land_unit": ids}))
    general = pd.DataFrame([
        ("housing_persons", "housing_dense", 150.0), ("housing_persons", "housing_sprawl", 30.0),
        ("jobs", "industry", 40.0), ("jobs", "crop", 0.4), ("jobs", "crop_conservation", 0.45),
        ("jobs", "vegetables", 1.5), ("jobs", "grazing", 0.05), ("jobs", "forest", 0.05),
        ("jobs", "restoration", 0.1), ("jobs", "park", 0.3),
        ("water_m3", "housing_dense", 3000.0), ("water_m3", "housing_sprawl", 600.0),
        ("water_m3", "vegetables", 6000.0), ("water_m3", "industry", 2000.0),
        ("cost_kusd", "restoration", 0.6), ("cost_kusd", "forest", 0.9),
    ], columns=["indicator", "use", "value"])
    general["land_unit"] = ""
    pd.concat([general, *per_unit], ignore_index=True).to_csv(folder / "coefficients.csv", index=False)

    transitions = pd.DataFrame([
        ("*", "housing_dense", True, "urban;peri_urban", 0.0),
        ("*", "housing_sprawl", True, "peri_urban;rural", 8.0),
        ("*", "industry", True, "urban;peri_urban", 30.0),
        ("*", "park", True, "urban;peri_urban", 12.0),
        ("*", "vegetables", True, "", 3.0),
        ("*", "crop_conservation", True, "", 0.2),
    ], columns=["from_use", "to_use", "allowed", "zones", "cost_kusd"])
    transitions.to_csv(folder / "transitions.csv", index=False)
    USES.to_csv(folder / "uses.csv", index=False)
    pd.DataFrame([("crop", "plateau", -1), ("crop", "hills", -1), ("grazing", "hills", -1)],
                 columns=["use", "land_type", "productivity"]).to_csv(folder / "productivity.csv", index=False)

    housing_now = float((baseline.query("use == 'housing_sprawl'")["area_ha"] * 30).sum())
    unit_index = pd.Series(np.arange(n_units), index=ids)
    crop = baseline.query("use == 'crop'")
    food_now = float((crop["area_ha"].to_numpy() * 3.0 * suitability[unit_index[crop["land_unit"]].to_numpy()]).sum())
    job_rate = general.query("indicator == 'jobs'").set_index("use")["value"]
    jobs = baseline["area_ha"] * baseline["use"].map(job_rate).fillna(0.0)
    jobs_now = jobs.groupby(baseline["land_unit"].map(dict(zip(ids, jurisdiction, strict=True)))).sum()
    config = {
        "name": f"parcels_{n_units}",
        "periods": {"baseline_year": 2020, "planning_years": [2030]},
        "tables": {"units": "units.csv", "baseline": "baseline.csv", "uses": "uses.csv",
                   "coefficients": "coefficients.csv", "transitions": "transitions.csv",
                   "productivity": "productivity.csv"},
        "indicators": {"housing_persons": {"unit": "person"}, "food_t": {"unit": "t"},
                       "jobs": {"unit": "job"}, "water_m3": {"unit": "m3"}, "cost_kusd": {"unit": "kUSD"}},
        "targets": {
            "housing": {"indicator": "housing_persons", "sense": ">=", "value": round(housing_now * 1.3)},
            "food": {"indicator": "food_t", "sense": ">=", "value": round(food_now), "kind": "soft",
                     "penalty": 0.3},
            **{f"jobs_{j}": {"indicator": "jobs", "sense": ">=", "value": round(float(jobs_now.get(j, 0.0))),
                             "scope": {"jurisdiction": j}, "kind": "soft", "penalty": 4.0}
               for j in JURISDICTIONS if j in set(jurisdiction)},
        },
        "ldn": {"enabled": True},
        "objective": {"sense": "minimize", "terms": [{"indicator": "cost_kusd"}]},
    }
    (folder / "scenario.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--family", choices=["parcels"], default="parcels")
    parser.add_argument("--units", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate_parcels(args.units, args.out, args.seed)


if __name__ == "__main__":
    main()
