"""``report.html``: one self-contained page (figures embedded as data URIs, no network) built
from a results folder, so ``lup-opt report RESULTS_DIR`` can rebuild it at any time.

The folder may be a solve's, an evaluation's, a trade-off plan's (``plans/<name>/`` of a trade-off
folder) or a sweep run's; every section is made from the tables the folder holds, and what a
folder cannot show is listed at the end with the reason ("Not in this report")."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from lup_opt.report import figures
from lup_opt.report.folder import Folder
from lup_opt.report.maps import Maps, make_maps
from lup_opt.report.markup import Section, bullets, esc, frame, image, note, num, page
from lup_opt.report.sections import finance_section, food_section, livelihoods_section, sensitive_section
from lup_opt.report.sensitive import Sensitive, sensitive_conversions
from lup_opt.report.stochastic import render_stochastic
from lup_opt.report.summary import summary_lines
from lup_opt.report.tradeoff import is_tradeoff, render_tradeoff
from lup_opt.results.manifest import FolderKind, Manifest, read_manifest
from lup_opt.safe_paths import write_file

log = logging.getLogger(__name__)

REPORT = "report.html"
FIGURES = "figures"

LDN_COLUMNS = ["land_type", "jurisdiction", "period", "gains_ha", "gains_counted_ha", "losses_ha", "net_ha",
               "target_ha", "met", "committed_losses_ha", "main_loss_driver"]
HIERARCHY_COLUMNS = ["land_type", "jurisdiction", "period", "bau_losses_ha", "losses_avoided_ha", "losses_reduced_ha",
                     "new_losses_ha", "plan_losses_ha", "plan_projected_losses_ha", "gains_reversal_ha", "gains_other_ha",
                     "net_ha"]
PRICE_COLUMNS = ["land_type", "jurisdiction", "objective_with_ldn", "objective_without", "price_of_neutrality",
                 "shadow_price_sum", "binding_rows", "status"]
TARGET_COLUMNS = ["target_name", "indicator", "scope", "period", "kind", "sense", "target", "value", "shortfall", "met",
                  "unit"]
DUAL_COLUMNS = ["constraint", "name", "scope", "period", "sense", "rhs", "shadow_price", "price_unit", "valid_from",
                "valid_to"]


def _charts(folder: Folder, out: Path) -> dict[str, Path | None]:
    """Every chart as a PNG in ``out`` (None where its table is empty)."""
    indicators = folder.table("indicators")
    makers: dict[str, Callable[[], Path | None]] = {
        "ldn_balance": lambda: figures.ldn_balance_figure(folder.table("ldn_balance"), out / "ldn_balance.png"),
        "transitions": lambda: figures.transition_heatmap(folder.table("transitions"), out / "transitions.png"),
        "targets": lambda: figures.target_figure(indicators, out / "targets.png") if len(indicators) else None,
        "jurisdictions": lambda: figures.jurisdiction_figure(indicators, out / "jurisdictions.png")
        if len(indicators) else None,
        "prices": lambda: figures.prices_figure(folder.table("duals"), out / "prices.png"),
        "food": lambda: figures.food_figure(folder.table("food"), out / "food.png"),
        "finance": lambda: figures.finance_figure(folder.table("finance"), folder.table("funds"), out / "finance.png",
                                                  folder.manifest.use_colours, folder.money_unit),
    }
    return {name: make() for name, make in makers.items()}


def _run_facts(manifest: Manifest, folder: Folder) -> str:
    status = manifest.status or "unknown"
    css = "status-optimal" if manifest.has_plan else "status-bad"
    scenario, size, solver = folder.scenario_info, manifest.size, manifest.solver
    objective = manifest.objective
    rows = [
        ("Scenario", esc(scenario.name)),
        ("Variants", esc(", ".join(scenario.variants) or "none")),
        ("Overrides", esc(", ".join(scenario.overrides) or "none")),
        ("Status", f'<span class="{css}">{esc(status)}</span>'),
        ("Message", esc(manifest.message)),
        ("Objective", "" if objective is None else f"{num(objective, esc(folder.objective_unit))} "
                                                  f"({esc(manifest.objective_sense or '')})"),
        ("Land units", f"{size.land_units if size.land_units is not None else len(folder.units):,}"),
        ("LP", f"{size.rows:,} rows, {size.columns or 0:,} columns, {size.nonzeros or 0:,} non-zeros"
         if size.rows is not None else ""),
        ("Solver", esc(f"{solver.name or ''}, {solver.method or ''}") if solver else ""),
        ("Created", esc(manifest.created or "")),
    ]
    body = "".join(f"<tr><th>{k}</th><td class='text'>{v}</td></tr>" for k, v in rows if v)
    warnings = "".join(f"<li>{esc(w)}</li>" for w in manifest.warnings)
    return (f"<details><summary>The run</summary><table>{body}</table>"
            + (f"<p>Warnings from the checks:</p><ul>{warnings}</ul>" if warnings else "") + "</details>")


def _maps_section(maps: Maps) -> tuple[Section | None, str]:
    if maps.use is None:
        return None, f"no maps: {maps.reason}"
    net = maps.net
    table = ""
    if len(net):
        shown = net.reset_index()
        shown.columns = [str(c) for c in shown.columns]
        table = ("<h3>Net LDN per jurisdiction (counted gains − losses of its land units, ha)</h3>"
                 + frame(shown))
    body = ("".join(note(esc(n)) for n in maps.notes)
            + image(maps.use, "map of land use per year") + image(maps.ldn, "map of LDN status per year") + table
            + image(maps.change, "map of change per year"))
    return Section("maps", "Maps", body), ""


def _no_duals_reason(folder: Folder) -> str:
    if folder.kind is FolderKind.EVALUATION:
        return "shadow prices: an evaluated plan is not an optimum, so its rows have no prices (lup-opt solve gives them)"
    if folder.kind is FolderKind.TRADEOFF_PLAN:
        return ("shadow prices: this plan was chosen by a trade-off method, not by the scenario's objective alone, so "
                "the scenario's prices do not apply (lup-opt solve gives them)")
    return "shadow prices: this folder has no duals.csv"


def render(folder: Folder, charts: dict[str, Path | None], maps: Maps, sensitive: Sensitive) -> str:
    """The page for the plan in ``folder``."""
    missing: list[str] = []

    def add(made: tuple[Section | None, str]) -> None:
        section, reason = made
        if section is not None:
            sections.append(section)
        elif reason:
            missing.append(reason)

    lines = summary_lines(folder, sensitive)
    sections = [Section("summary", "Summary", bullets(lines, "summary") + _run_facts(folder.manifest, folder))]
    diagnosis = folder.diagnosis
    if diagnosis is not None:
        sections.append(Section("diagnosis", "Why there is no plan", f"<pre>{esc(diagnosis)}</pre>"))
    add(_maps_section(maps))
    ldn = folder.table("ldn_balance")
    add((Section("ldn", "Land degradation neutrality", image(charts.get("ldn_balance"), "LDN balance chart")
                 + frame(ldn, LDN_COLUMNS)), "") if len(ldn) else (None, "LDN balance: this folder has no ldn_balance.csv"))
    hierarchy = folder.table("ldn_hierarchy")
    add((Section("ldn_hierarchy", "Avoid, reduce, reverse: business as usual against the plan",
                 note("Losses avoided or reduced are losses business as usual would have that the plan does not; only "
                      "gains on land degraded at baseline are reversal (Trends.Earth's planning step).")
                 + frame(hierarchy, HIERARCHY_COLUMNS)), "") if len(hierarchy)
        else (None, "avoid, reduce, reverse: this folder has no ldn_hierarchy.csv"))
    price = folder.table("ldn_price")
    add((Section("ldn_price", "Price of neutrality",
                 note("The objective with each land type's LDN rows and without them (re-solved), beside the sum of "
                      "their shadow prices (the marginal price).") + frame(price, PRICE_COLUMNS)), "") if len(price)
        else (None, "price of neutrality: " + ("computed by lup-opt solve only" if folder.kind is not FolderKind.SOLVE else
                                               "not computed for this run (scenario.yaml: ldn.price_of_neutrality; "
                                               "auto re-solves LPs of up to 200,000 columns, with LDN on)")))
    add(sensitive_section(folder, sensitive))
    add(food_section(folder, charts.get("food")))
    add(finance_section(folder, charts.get("finance")))
    add(livelihoods_section(folder))
    transitions = charts.get("transitions")
    add((Section("transitions", "Transition matrix", image(transitions, "transition heatmap")), "") if transitions
        else (None, "transition matrix: this folder has no transitions.csv"))
    indicators = folder.table("indicators")
    targets = indicators.dropna(subset=["target"]) if len(indicators) else indicators
    add((Section("targets", "Indicators against targets", image(charts.get("targets"), "targets chart")
                 + image(charts.get("jurisdictions"), "indicators per jurisdiction") + frame(targets, TARGET_COLUMNS)),
         "") if len(indicators) else (None, "indicators: this folder has no indicators.csv"))
    duals = folder.table("duals")
    binding = duals[duals["binding"].astype(bool)] if len(duals) else duals
    if len(binding):
        binding = binding.reindex(binding["shadow_price"].abs().sort_values(ascending=False).index)
    add((Section("prices", "Shadow prices of the binding targets", image(charts.get("prices"), "shadow price chart")
                 + frame(binding, DUAL_COLUMNS, rows=25)), "") if len(duals) else (None, _no_duals_reason(folder)))
    if missing:
        sections.append(Section("missing", "Not in this report", bullets([esc(m[0].upper() + m[1:]) + "."
                                                                           for m in missing])))
    title = {FolderKind.EVALUATION: "Evaluated plan", FolderKind.TRADEOFF_PLAN: "Trade-off plan"}.get(folder.kind,
                                                                                                    "Land-use plan")
    plan = folder.manifest.plan
    heading = f"{title}: {folder.name}" + (f", {plan}" if plan else "")
    return page(f"lup_opt report: {folder.name}", heading, sections)


def build_report(folder: str | Path, manifest: Manifest | Mapping[str, Any] | None = None) -> Path:
    """Write ``report.html`` and ``figures/*.png`` into the results ``folder``; both replace
    what was there only once complete. ``manifest``: the one a writer is about to put there
    (else the folder's own is read)."""
    given = Manifest.of(manifest) if manifest is not None else read_manifest(folder)
    if given.folder_kind is FolderKind.STOCHASTIC:  # a page of its own; each scenario has its report
        return write_file(Path(folder) / REPORT, lambda tmp: tmp.write_text(
            render_stochastic(Path(folder), given), encoding="utf-8"), label="report")
    results = Folder.open(folder, manifest)
    tmp = Path(tempfile.mkdtemp(prefix=".report-", dir=results.path))
    try:
        (tmp / FIGURES).mkdir()
        if is_tradeoff(results.kind):
            page_text = render_tradeoff(results, _charts(results, tmp / FIGURES))
        else:
            sensitive = sensitive_conversions(results)
            page_text = render(results, _charts(results, tmp / FIGURES), make_maps(results, tmp / FIGURES), sensitive)
        (tmp / REPORT).write_text(page_text, encoding="utf-8")
        if (results.path / FIGURES).exists():
            shutil.rmtree(results.path / FIGURES)
        os.replace(tmp / FIGURES, results.path / FIGURES)
        os.replace(tmp / REPORT, results.path / REPORT)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("%s written", results.path / REPORT)
    return results.path / REPORT
