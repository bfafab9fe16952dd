"""The plain-language summary at the top of the report: at most ten lines, every number computed
from the folder's tables (what the plan does, what it costs, which targets bind and at what
price, where LDN is tight and what neutrality costs, food, finance, work, sensitive land)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from lup_opt.enums import ObjectiveSense, SolveStatus
from lup_opt.report.folder import Folder
from lup_opt.report.markup import esc, listing, num, signed
from lup_opt.report.sensitive import CATEGORIES, Sensitive
from lup_opt.results.manifest import FolderKind
from lup_opt.solve.ldn import ALL_GROUPS

MAX_LINES = 10
TIGHT = 1e-6  # ha (relative to the land type's area): LDN margin below this is zero
TARGET_ROWS = ("target", "soft_target", "share_target", "equal_share")  # duals.csv rows of targets


def _years(values) -> str:
    return " / ".join(str(int(v)) for v in values)


def cost_line(folder: Folder) -> str | None:
    manifest = folder.manifest
    objective = manifest.objective
    if objective is None:
        return f"No plan: {esc(manifest.message or 'the run found none')}"
    unit = folder.objective_unit
    sense = {ObjectiveSense.MINIMIZE: "minimised", ObjectiveSense.MAXIMIZE: "maximised"}.get(manifest.objective_sense,
                                                                                            "")
    if folder.kind is FolderKind.EVALUATION:
        text = f"The evaluated plan '{esc(manifest.plan or '')}' scores {num(objective, esc(unit))} on the " \
               f"scenario's objective ({sense})"
        optimum = manifest.optimum
        if optimum is not None:
            text += f"; the optimum of the same scenario is {num(optimum, esc(unit))} ({signed(objective - optimum)})"
        return text + "."
    if folder.kind is FolderKind.TRADEOFF_PLAN:
        return (f"This plan, {esc(manifest.plan or '')}, was chosen by the {esc(manifest.method or '')} "
                f"method; on the scenario's own objective it costs {num(objective, esc(unit))} ({sense}).")
    return f"The plan costs {num(objective, esc(unit))}: the scenario's objective, {sense}."


def change_line(folder: Folder) -> str | None:
    allocation = folder.table("allocation")
    if allocation.empty:
        return None
    last = allocation[allocation["period"] == allocation["period"].max()]
    year = int(last["period"].iloc[0])
    total = float(last["area_ha"].sum())
    changed = float(last.loc[last["use"] != last["baseline_use"], "area_ha"].sum())
    net = (last.groupby("use")["area_ha"].sum()
           .sub(last.groupby("baseline_use")["area_ha"].sum(), fill_value=0.0).sort_values())
    more = [f"{esc(u)} ({signed(v, 'ha')})" for u, v in net[::-1].items() if v > 0.5][:3]
    less = [f"{esc(u)} ({signed(v, 'ha')})" for u, v in net.items() if v < -0.5][:3]
    text = (f"By {year} the plan puts {num(changed, 'ha')} ({changed / total:.1%} of the {num(total, 'ha')}) under "
            f"another use than at baseline")
    if more or less:
        text += ": " + "; ".join(part for part in (f"more {', '.join(more)}" if more else "",
                                                   f"less {', '.join(less)}" if less else "") if part)
    return text + "."


def _prices(rows: pd.DataFrame) -> str:
    unit = esc(rows["price_unit"].iloc[0])
    if len(rows) == 1:
        return f"{num(rows['shadow_price'].iloc[0], unit)} in {int(rows['period'].iloc[0])}"
    if rows["period"].is_unique:
        return (f"{' / '.join(num(v) for v in rows['shadow_price'])} {unit} in {_years(rows['period'])}")
    low, high = rows["shadow_price"].min(), rows["shadow_price"].max()
    return f"{len(rows)} rows, {num(low)} to {num(high)} {unit}"


def targets_line(folder: Folder) -> str | None:
    duals = folder.table("duals")
    if duals.empty:
        return None
    binding = duals[duals["binding"].astype(bool) & duals["constraint"].isin(TARGET_ROWS)]
    if binding.empty:
        return "No target binds: every target holds with room to spare, so none has a price."
    weight = (binding["shadow_price"] * binding["rhs"]).abs().groupby(binding["name"]).max().sort_values(
        ascending=False)
    parts = [f"{esc(name)} ({_prices(binding[binding['name'] == name].sort_values('period'))})"
             for name in weight.index[:4]]
    more = f"; {len(weight) - 4} more in the table below" if len(weight) > 4 else ""
    count = f"{len(weight)} targets bind" if len(weight) > 1 else "1 target binds"
    return (f"{count} (shadow price: what one more unit of the target changes the objective "
            f"by): {'; '.join(parts)}{more}.")


def limits_line(folder: Folder) -> str | None:
    duals = folder.table("duals")
    if duals.empty:
        return None
    binding = duals[duals["binding"].astype(bool) & (duals["constraint"] == "conversion_limit")]
    if binding.empty:
        return None
    parts = [f"{esc(name)} ({_prices(rows.sort_values('period'))})" for name, rows in binding.groupby("name", sort=False)]
    return f"Conversion limits that bind: {listing(parts, 4)}."


def ldn_line(folder: Folder) -> str | None:
    ldn = folder.table("ldn_balance")
    if ldn.empty:
        return None
    enforced = ldn[ldn["enforced"].astype(bool)] if "enforced" in ldn.columns else ldn
    if enforced.empty:
        return "LDN is not enforced in this scenario; its balance per land type is reported below."
    margin = enforced["net_ha"] - enforced["target_ha"]
    tight = enforced[margin.abs() <= TIGHT * np.maximum(1.0, enforced["area_ha"])]
    missed = enforced[margin < -TIGHT * np.maximum(1.0, enforced["area_ha"])]
    if len(missed):
        places = [f"{esc(r.land_type)} ({r.period}: {num(r.net_ha - r.target_ha, 'ha')})" for r in missed.itertuples()]
        return f"LDN is NOT met on {listing(places)}."
    if tight.empty:
        k = int(np.argmin(margin.to_numpy()))
        row = enforced.iloc[k]
        return (f"LDN holds with a margin everywhere; the smallest is {num(margin.iloc[k], 'ha')} on "
                f"{esc(row['land_type'])} in {int(row['period'])}.")
    keys = ["land_type"] + (["jurisdiction"] if (tight["jurisdiction"] != "all").any() else [])
    places = [f"{esc(' in '.join(str(v) for v in key) if isinstance(key, tuple) else key)} ({_years(rows['period'])})"
              for key, rows in tight.groupby(keys if len(keys) > 1 else keys[0])]
    return f"LDN is tight (net gains exactly at the target, no margin) on {listing(places, 5)}."


def price_line(folder: Folder) -> str | None:
    price = folder.table("ldn_price")
    if price.empty or "price_of_neutrality" not in price.columns:
        return None
    unit = esc(folder.objective_unit)
    total = price[price["land_type"] == ALL_GROUPS]
    each = price[(price["land_type"] != ALL_GROUPS) & (price["status"] == SolveStatus.OPTIMAL)]
    each = each.sort_values("price_of_neutrality", ascending=False)
    where = [f"{esc(r.land_type)}{'' if r.jurisdiction == 'all' else ' in ' + esc(r.jurisdiction)} "
             f"{num(r.price_of_neutrality)}" for r in each.itertuples()]
    head = ""
    if len(total) and total["status"].iloc[0] == SolveStatus.OPTIMAL:
        head = (f"Neutrality costs {num(total['price_of_neutrality'].iloc[0], unit)} in all (the objective without "
                f"any LDN row: {num(total['objective_without'].iloc[0], unit)})")
    tail = f"per land type: {listing(where, 5)} {unit}" if where else ""
    return (head + ("; " if head and tail else "") + tail + ".") if head or tail else None


def food_line(folder: Folder) -> str | None:
    food = folder.table("food")
    if food.empty:
        return None
    last = food[food["period"] == food["period"].max()]
    totals = last.groupby("product")[["production", "demand", "imports", "imported_land_ha"]].sum()
    shares = [f"{share:.0%} of its {esc(p)} demand" for p, share in (totals["production"] / totals["demand"]).items()]
    imports = [f"{num(v, esc(folder.product_unit(p)))} of {esc(p)}" for p, v in totals["imports"].items() if v > 0.5]
    text = f"In {int(last['period'].iloc[0])} the area grows {listing(shares)}"
    if imports:
        text += f"; it imports {listing(imports)}, grown on {num(totals['imported_land_ha'].sum(), 'ha')} abroad"
    return text + "."


def finance_line(folder: Folder) -> str | None:
    funds = folder.table("funds")
    if funds.empty:
        return None
    unit = esc(folder.money_unit)
    by = funds.groupby("source", sort=False)[["available", "used"]].sum()
    used = [f"{esc(s)} {num(r.used)} of {num(r.available)}" for s, r in by.iterrows()]
    unused = float(funds["unused"].clip(lower=0).sum())
    sources = f"{len(by)} funding sources" if len(by) > 1 else "1 funding source"
    return (f"Conversions are paid from {sources}, used of available over the plan: "
            f"{listing(used, 6)} {unit}; {num(unused, unit)} stays unused.")


def livelihood_line(folder: Folder) -> str | None:
    work = folder.table("livelihoods")
    if work.empty:
        return None
    last = work[work["period"] == work["period"].max()]
    without = last[last["without_work"] > 0.5].sort_values("without_work", ascending=False)
    year = int(last["period"].iloc[0])
    if without.empty:
        return f"In {year} everyone of working age in {listing([esc(j) for j in last['jurisdiction']])} has local work."
    places = [f"{esc(r.jurisdiction)} {num(r.without_work)} ({r.without_work / r.labour_force:.1%} of its labour "
              "force)" for r in without.itertuples()]
    return f"In {year}, {num(without['without_work'].sum())} people of working age have no local work: {listing(places)}."


def _into(sensitive: Sensitive, category: str) -> str:
    rows = sensitive.table[sensitive.table["category"] == category]
    rows = rows[rows["period"] == rows["period"].max()].groupby("use")["area_ha"].sum().sort_values(ascending=False)
    return "to " + listing([f"{esc(u)} {num(v, 'ha')}" for u, v in rows.items()], 3)


def sensitive_line(sensitive: Sensitive) -> str | None:
    if sensitive.reason:
        return f"Sensitive conversions are not assessed: {esc(sensitive.reason)}."
    converted = {c: sensitive.converted(c) for c in sensitive.assessed}
    hit = {c: v for c, v in converted.items() if v > 1e-6}
    year = int(sensitive.table["period"].max()) if len(sensitive.table) else None
    clean = [c for c in CATEGORIES if c in converted and c not in hit]
    if not hit:
        text = f"No sensitive land is converted: none of {listing(clean, 6)}"
    else:
        text = f"Sensitive land converted by {year}: " + "; ".join(
            f"{num(v, 'ha')} of {c} ({_into(sensitive, c)})" for c, v in hit.items())
        text += f"; none of {listing(clean, 6)}" if clean else ""
    if "best soils sealed" in sensitive.not_assessed:
        text += " (best soils are not designated)"
    return text + "."


def summary_lines(folder: Folder, sensitive: Sensitive) -> list[str]:
    """At most ten lines, each skipped when the folder lacks its table."""
    makers: list[Callable[[], str | None]] = [
        lambda: cost_line(folder), lambda: change_line(folder), lambda: targets_line(folder),
        lambda: limits_line(folder), lambda: ldn_line(folder), lambda: price_line(folder),
        lambda: food_line(folder), lambda: finance_line(folder), lambda: livelihood_line(folder),
        lambda: sensitive_line(sensitive),
    ]
    lines = [line for make in makers if (line := make())]
    return lines[:MAX_LINES]
