"""The report's topic sections (food, finance, livelihoods, sensitive conversions), each made when
the folder has its table; otherwise the reason, for the report's "Not in this report" list."""

from __future__ import annotations

from pathlib import Path

from lup_opt.report.folder import Folder
from lup_opt.report.markup import Section, esc, frame, image, listing, note, num
from lup_opt.report.sensitive import CATEGORIES, COVER_CATEGORIES, PROTECTED, Sensitive, by_year
from lup_opt.results.manifest import FolderKind

Made = tuple[Section | None, str]  # the section, or why there is none

SCENARIO_KEYS = {"food": "food", "funds": "finance", "livelihoods": "livelihoods"}
WHAT = {"food": "food products", "funds": "funding sources", "livelihoods": "livelihoods (jobs against labour force)"}


def missing_reason(folder: Folder, table: str) -> str:
    """Why the folder has no ``table``: the scenario does not ask for it, or this folder lacks it."""
    key = SCENARIO_KEYS.get(table, table)
    configured = folder.configured(key)
    if configured is False:
        return f"the scenario has no {WHAT.get(table, table)} (scenario.yaml: no '{key}' section)"
    if configured and folder.kind is not FolderKind.SOLVE:
        return (f"the scenario has {WHAT.get(table, table)}, but this {folder.kind.value.replace('_', ' ')} folder "
                f"has no {table}.csv")
    if configured:
        return f"the scenario has {WHAT.get(table, table)}, but this folder has no {table}.csv"
    return f"this folder has no {table}.csv"


def food_section(folder: Folder, figure: Path | None) -> Made:
    food = folder.table("food")
    if food.empty:
        return None, missing_reason(folder, "food")
    totals = food.groupby(["product", "period"], as_index=False)[
        ["production", "demand", "imports", "exports", "imported_land_ha"]].sum()
    totals["self_sufficiency"] = totals["production"] / totals["demand"].where(totals["demand"] > 0)
    units = {p: folder.product_unit(p) for p in food["product"].unique()}
    unit_note = listing([f"{esc(p)} in {esc(u)}" for p, u in units.items() if u])
    body = (note("Production is what the area's land grows; demand is population × demand per person; imports and "
                 "exports cross the functional area's border; <i>imported_land_ha</i> is the land abroad that grows "
                 "the imports; self-sufficiency is production / demand (1 = the jurisdiction feeds itself)."
                 + (f" Quantities: {unit_note}." if unit_note else ""))
            + image(figure, "food self-sufficiency chart")
            + "<h3>The functional area, per product and year</h3>"
            + frame(totals, ["product", "period", "production", "demand", "imports", "exports", "self_sufficiency",
                             "imported_land_ha"])
            + "<h3>Per jurisdiction and year</h3>"
            + frame(food, ["product", "jurisdiction", "period", "production", "demand", "from_other_jurisdictions",
                           "to_other_jurisdictions", "imports", "exports", "self_sufficiency", "imported_land_ha"],
                    rows=80))
    flows = folder.table("food_flows")
    if len(flows):
        body += ("<details><summary>Food moved between jurisdictions and across the border "
                 f"({len(flows)} flows)</summary>" + frame(flows, rows=100) + "</details>")
    return Section("food", "Food", body), ""


def finance_section(folder: Folder, figure: Path | None) -> Made:
    funds, finance = folder.table("funds"), folder.table("finance")
    if funds.empty:
        return None, missing_reason(folder, "funds")
    unit = esc(folder.money_unit)
    sources = list(dict.fromkeys(funds["source"]))
    by_source = funds.groupby("source", sort=False)[["available", "used", "unused"]].sum().reset_index()
    if len(finance):
        paid = finance.pivot_table(index="source", columns="to_use", values="amount", aggfunc="sum", fill_value=0.0)
        paid = paid.reindex(sources, fill_value=0.0)
        paid["total"] = paid.sum(axis=1)
        who = frame(paid.reset_index(), rows=50)
        per_year = (finance.pivot_table(index=["source", "to_use"], columns="period", values="amount", aggfunc="sum",
                                        fill_value=0.0).reset_index())
        per_year.columns = [str(c) for c in per_year.columns]
        yearly = ("<details><summary>Paid per source, purpose and year</summary>" + frame(per_year, rows=100)
                  + "</details>")
    else:
        who, yearly = note("Nothing was paid: the plan changes no land that a source pays for."), ""
    unused_sources = by_source.loc[by_source["used"] <= 1e-6, "source"].tolist()
    body = (note(f"Amounts in {unit}, summed over the planning years. Every source of funds.csv is listed, those the "
                 "plan leaves unused too (e.g. remittances or a diaspora fund without eligible changes)."
                 + (f" Unused entirely: {esc(', '.join(unused_sources))}." if unused_sources else ""))
            + image(figure, "finance chart")
            + f"<h3>Who pays for what (columns: the use land changes to), {unit}</h3>" + who + yearly
            + f"<h3>Available, used and left unused per source, {unit}</h3>"
            + frame(by_source, ["source", "available", "used", "unused"])
            + "<details><summary>Per source, jurisdiction and year</summary>"
            + frame(funds, ["source", "jurisdiction", "period", "available", "used", "unused"], rows=100) + "</details>")
    return Section("finance", "Finance", body), ""


def livelihoods_section(folder: Folder) -> Made:
    work = folder.table("livelihoods")
    if work.empty:
        return None, missing_reason(folder, "livelihoods")
    body = (note("Jobs are the full-time jobs on the land of each jurisdiction; people without local work are its "
                 "labour force less those jobs (when positive): the pressure to migrate.")
            + frame(work.assign(percent=100 * work["without_work"] / work["labour_force"].where(work["labour_force"] > 0)),
                    ["jurisdiction", "period", "labour_force", "jobs", "without_work", "percent"],
                    headers={"without_work": "people without local work", "percent": "% of the labour force"},
                    rows=80))
    return Section("livelihoods", "Livelihoods", body), ""


def _none(text: str) -> str:
    return f'<p><span class="none">none</span>: {text}</p>'


def sensitive_section(folder: Folder, sensitive: Sensitive) -> Made:
    """Always made (a plan is either clear of sensitive land or not): what was converted per
    category, "none" for each category clear of it, and what could not be assessed."""
    intro = note("Land a plan should keep: baseline forest, wetland and water bodies (cover classes tree_covered, "
                 "wetland and water_body of the baseline use) turned to a use of another cover class; any change of "
                 "use on protected land units (units.csv: protected); the best soils (scenario.yaml: "
                 "report.best_soils) sealed. Areas are what has changed by each planning year.")
    if sensitive.reason:
        return Section("sensitive", "Sensitive conversions", intro + note(f"Not assessed: {esc(sensitive.reason)}.")), ""
    body = intro
    if folder.scenario_note:
        body += note(f"Caveat: {esc(folder.scenario_note)}.")
    assessed = sensitive.assessed
    if sensitive.table.empty:
        body += _none(f"nothing sensitive was converted ({esc(', '.join(assessed))}).")
    for category in CATEGORIES:
        if category in sensitive.not_assessed:
            body += f"<h3>{esc(category.capitalize())}</h3>" + note(f"Not assessed: {esc(sensitive.not_assessed[category])}.")
            continue
        rows = sensitive.table[sensitive.table["category"] == category]
        if sensitive.table.empty:
            continue
        body += f"<h3>{esc(category.capitalize())}</h3>"
        if rows.empty:
            cover = {v: k for k, v in COVER_CATEGORIES.items()}.get(category)
            what = (f"no {category} of the baseline (uses of cover class {cover}) is turned to another cover"
                    if cover else "no protected land unit changes use" if category == PROTECTED
                    else "no land of the best soils is sealed")
            body += _none(esc(what) + ".")
        else:
            last = rows[rows["period"] == rows["period"].max()]
            body += (f"<p>{num(last['area_ha'].sum(), 'ha')} by {int(last['period'].iloc[0])}.</p>"
                     + frame(by_year(rows).drop(columns="category"), rows=60))
    return Section("sensitive", "Sensitive conversions", body), ""
