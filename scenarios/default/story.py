"""The story of the default scenario, told from its solves.

``python scenarios/default/generate.py`` writes it into README.md between the two markers below;
``tests/test_default_scenario.py`` renders it again from the test session's own solves and fails
when README.md has drifted from what the model now finds. Every number here comes from a
result table; the sentences around them only say what the tables show.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

import lup_opt

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
BEGIN = "<!-- story: written by generate.py from the solves of this scenario; do not edit by hand -->"
END = "<!-- end of story -->"

VARIANTS = {
    "high_growth": "3 %/yr in the city, 6.5 %/yr in the north and south communes",
    "no_remittances": "remittance flows stop",
    "strict_ldn": "each jurisdiction balances its own land types",
    "import_cap": "at most 15,000 ha of land abroad behind food imports in any year",
    "no_ldn": "LDN not enforced",
}
IMPROVING = ("crop_conservation", "grazing_improved", "restoration", "forest")


def solve_all() -> dict[str, lup_opt.Result]:
    """The base plan and every variant, solved as ``lup-opt solve`` does."""
    results = {"base": lup_opt.solve(lup_opt.load_scenario(HERE))}
    for name in VARIANTS:
        results[name] = lup_opt.solve(lup_opt.load_scenario(HERE, variants=[name]))
    return results


def _ha(value: float) -> str:
    """Hectares as a planner reads them: to the nearest 10 ha above 1,000 ha."""
    value = float(value)
    return f"{round(value, -1):,.0f}" if abs(value) >= 1000 else f"{value:,.0f}"


def _kusd(value: float) -> str:
    return f"{float(value):,.0f}"


def land_use_table(result: lup_opt.Result) -> pd.DataFrame:
    """Hectares per use: baseline and the last planning year."""
    allocation = result.allocation
    last = allocation["period"].max()
    in_last = allocation[allocation["period"] == last]
    table = pd.DataFrame({
        "baseline_ha": in_last.groupby("baseline_use")["area_ha"].sum(),
        f"{last}_ha": in_last.groupby("use")["area_ha"].sum(),
    }).fillna(0.0)
    table["change_ha"] = table[f"{last}_ha"] - table["baseline_ha"]
    return table


def _changed_from(result: lup_opt.Result, uses: list[str], year: int) -> pd.Series:
    """Hectares whose baseline use is in ``uses`` and that hold another use in ``year``, by new use."""
    a = result.allocation
    held = a[(a["period"] == year) & a["baseline_use"].isin(uses) & (a["use"] != a["baseline_use"])]
    return held.groupby("use")["area_ha"].sum().sort_values(ascending=False)


def _prices(result: lup_opt.Result, constraint: str, prefix: str) -> pd.DataFrame:
    d = result.duals
    return d[(d["constraint"] == constraint) & d["name"].astype(str).str.startswith(prefix)]


def _land_use_markdown(result: lup_opt.Result) -> list[str]:
    table = land_use_table(result)
    last = next(c for c in table.columns if c not in ("baseline_ha", "change_ha"))
    lines = [f"| use | baseline (ha) | {last[:-3]} (ha) | change (ha) |", "|---|---:|---:|---:|"]
    for use, row in table.iterrows():
        lines.append(f"| {use} | {row['baseline_ha']:,.0f} | {row[last]:,.0f} | "
                     + (f"{row['change_ha']:+,.0f} |" if abs(row["change_ha"]) >= 0.5 else "0 |"))
    return lines


def story(results: Mapping[str, lup_opt.Result], scenario: lup_opt.Scenario) -> str:
    base = results["base"]
    years = scenario.planning_years
    first, last = years[0], years[-1]
    units = scenario.units.set_index("id")
    conversions = base.conversions.assign(jurisdiction=lambda c: units.loc[c["land_unit"], "jurisdiction"].to_numpy())
    made = conversions.groupby(["use", "jurisdiction"])["area_ha"].sum()
    table = land_use_table(base)
    lines = [BEGIN, "", "## What the optimum does (`lup-opt solve scenarios/default`)", ""]
    lines.append(f"The plan costs **{_kusd(base.objective)} kUSD** (conversions, food transport and imports, "
                 "cost of capital, and the migration pressure's penalty, 2020–2035). Land use in "
                 f"{last} against the baseline:")
    lines += ["", *_land_use_markdown(base), ""]

    dense = made.get("residential_dense", pd.Series(dtype=float))
    sprawl = float(made.get("residential_sprawl", pd.Series(dtype=float)).sum())
    housing = _prices(base, "target", "housing_")
    lines.append(
        f"- **Housing.** Each commune's housing grows with its population. {_ha(dense.sum())} ha of compact housing "
        "(150 persons/ha) absorb most of the growth: "
        + ", ".join(f"{_ha(v)} ha in {j}" for j, v in dense.sort_values(ascending=False).items())
        + f"; low-density housing adds {_ha(sprawl)} ha. New peri-urban building is limited to 6 % of the belt "
        f"per period. Housing one more person costs {housing['shadow_price'].min():.2f}–"
        f"{housing['shadow_price'].max():.2f} kUSD at the margin (`duals.csv`).")

    improved = {u: float(made.get(u, pd.Series(dtype=float)).sum()) for u in IMPROVING}
    balance = base.ldn_balance
    tight = balance[balance["net_ha"] <= 1e-6 * balance["area_ha"]]
    tight_types = sorted(set(tight["land_type"]))
    price = base.linkages.get("ldn_price", pd.DataFrame())
    lines.append(
        "- **Land degradation.** Conventional maize and open grazing degrade the sandy plateau and the hill "
        f"slopes; LDN holds in every year because {_ha(improved['crop_conservation'])} ha move to conservation "
        f"agriculture and {_ha(improved['grazing_improved'])} ha to rotational grazing"
        + (f", and {_ha(improved['restoration'])} ha are restored" if improved["restoration"] > 0.5 else "")
        + ". On insecure tenure only 60 % of such gains count. The balance is at zero margin on "
        + ", ".join(f"{t} ({', '.join(str(p) for p in sorted(tight[tight['land_type'] == t]['period']))})"
                    for t in tight_types)
        + ".")
    if not price.empty:
        per_type = price[price["land_type"] != "all LDN rows"].sort_values("price_of_neutrality", ascending=False)
        total = price[price["land_type"] == "all LDN rows"]["price_of_neutrality"]
        lines.append(
            f"  Neutrality costs {_kusd(total.iloc[0])} kUSD in all (`ldn_price.csv`, every LDN row dropped): "
            + ", ".join(f"{_kusd(r.price_of_neutrality)} on {r.land_type}" for r in per_type.itertuples())
            + " (each land type's rows dropped alone).")

    baseline_use = base.allocation[base.allocation["period"] == first].groupby("baseline_use")["area_ha"].sum()
    forest_out = _changed_from(base, ["forest"], last)
    forest_limit = _prices(base, "conversion_limit", "forest_clearance")
    water_out = float(_changed_from(base, ["water"], last).sum())
    wetland_out = float(_changed_from(base, ["wetland"], last).sum())
    protected = set(units.index[units["protected"].astype(str) == "yes"])
    a = base.allocation
    protected_out = float(a[a["land_unit"].isin(protected) & (a["use"] != a["baseline_use"])]["area_ha"].sum())
    binding_forest = forest_limit[forest_limit["binding"]]
    lines.append(
        f"- **What the plan keeps.** The reservoir ({_ha(baseline_use.get('water', 0))} ha) and the "
        f"{_ha(baseline_use.get('wetland', 0))} ha of wetland keep their use ("
        + ("nothing converted" if water_out + wetland_out < 0.5 else f"{_ha(water_out + wetland_out)} ha converted")
        + f"), and so do the {len(protected)} protected land units ("
        + ("nothing changed" if protected_out < 0.5 else f"{_ha(protected_out)} ha changed")
        + f"). Of {_ha(baseline_use.get('forest', 0))} ha of woodland, "
        f"{_ha(forest_out.sum())} ha are cleared by {last} ("
        + ", ".join(f"{_ha(v)} ha to {u}" for u, v in forest_out.items())
        + "): the clearance permits (100 ha per period) "
        + (f"bind in {len(binding_forest)} of {len(years)} periods; one more hectare of permits would save "
           f"{-binding_forest['shadow_price'].max():.2f}–{-binding_forest['shadow_price'].min():.2f} kUSD."
           if len(binding_forest) else "do not bind.")
        + " Sealed land stays sealed.")

    herd = _prices(base, "soft_target", "livestock")
    grazing = table[f"{last}_ha"].reindex(["grazing", "grazing_improved"]).fillna(0.0)
    indicators = base.indicators
    short = indicators[(indicators["scope_type"] == "target") & (indicators["target_name"] == "livestock")]
    short = short.set_index("period")["shortfall"]
    kept_herd = bool((short <= 0.5).all())
    lines.append(
        f"- **Herders.** The 2020 herd ({herd['rhs'].iloc[0]:,.0f} TLU) "
        + ("is kept in every year" if kept_herd else "falls short by " + ", ".join(
            f"{v:,.0f} TLU in {p}" for p, v in short.items() if v > 0.5))
        + f", on {_ha(grazing['grazing_improved'])} ha of rotational grazing (0.7 TLU/ha) and "
        f"{_ha(grazing['grazing'])} ha of open grazing (0.4 TLU/ha) in {last}: rotation frees communal grazing "
        f"land for conservation agriculture. Keeping one more TLU costs {herd['shadow_price'].min():.2f}–"
        f"{herd['shadow_price'].max():.2f} kUSD a year, less than the 1.5 kUSD penalty for one short.")

    food = base.linkages["food"].groupby(["product", "period"])[
        ["production", "demand", "imports", "imported_land_ha"]].sum()
    cereal = food.loc["cereal"]
    veg = food.loc["vegetables"]
    water = _prices(base, "target", "water_")
    lines.append(
        f"- **Food and water.** Demand grows faster than the area's harvest: the area grows "
        f"{cereal.loc[last, 'production'] / cereal.loc[last, 'demand']:.0%} of its maize in {last}; maize imports "
        f"rise from {_ha(cereal.loc[first, 'imports'])} t ({first}) to {_ha(cereal.loc[last, 'imports'])} t "
        f"({last}), taking {_ha(cereal.loc[first, 'imported_land_ha'])} to {_ha(cereal.loc[last, 'imported_land_ha'])}"
        f" ha of land abroad; vegetable imports rise from {_ha(veg.loc[first, 'imports'])} to "
        f"{_ha(veg.loc[last, 'imports'])} t. Water binds in "
        f"{', '.join(str(p) for p in water[water['binding']]['period'])} (new homes and irrigated gardens "
        f"compete for the wellfields), at {-water['shadow_price'].max() * 1000:.2f}–"
        f"{-water['shadow_price'].min() * 1000:.2f} USD per m³.")

    funds = base.linkages["funds"].groupby("source")[["available", "used"]].sum().sort_values("used", ascending=False)
    lines.append(
        "- **Finance.** Every conversion is paid by an eligible source (used of available, kUSD, all periods): "
        + ", ".join(f"{s} {_kusd(r.used)} of {_kusd(r.available)}" for s, r in funds.iterrows())
        + ". Private developers, whose capital costs 8 %, are used least for what others may fund.")

    work = base.linkages["livelihoods"].set_index(["jurisdiction", "period"])["without_work"]
    short = work[work > 0.5]
    jurisdictions = sorted(set(short.index.get_level_values(0)))
    kept = sorted(set(work.index.get_level_values(0)) - set(jurisdictions))
    lines.append(
        "- **Rural jobs.** "
        + (f"{' and '.join(kept)} keep their labour force at work; " if kept else "")
        + "; ".join(f"in {j}, " + ", ".join(f"{short[j, p]:,.0f} people ({p})" for p in years if (j, p) in short)
                    + " of working age are without local work" for j in jurisdictions)
        + " (the migration pressure, priced at 2 kUSD per person-year).")

    lines += ["", f"**Variants** (objective in kUSD; the base is {_kusd(base.objective)}):", ""]
    lines += ["| variant | what it asks | objective (kUSD) | against the base |", "|---|---|---:|---:|"]
    for name, asks in VARIANTS.items():
        result = results[name]
        if not result.is_optimal:
            lines.append(f"| `{name}` | {asks} | {result.status.value} | |")
            continue
        lines.append(f"| `{name}` | {asks} | {_kusd(result.objective)} | {result.objective - base.objective:+,.0f} |")
    lines += ["", END]
    return "\n".join(lines)


def write_story(text: str, readme: Path = README) -> None:
    """Replace the story between the markers in README.md (the rest is kept as written)."""
    current = readme.read_text(encoding="utf-8")
    start, end = current.index(BEGIN), current.index(END) + len(END)
    readme.write_text(current[:start] + text + current[end:], encoding="utf-8")


def story_in_readme(readme: Path = README) -> str:
    current = readme.read_text(encoding="utf-8")
    return current[current.index(BEGIN):current.index(END) + len(END)]
