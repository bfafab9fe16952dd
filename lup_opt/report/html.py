"""``report.html``: one self-contained page (figures embedded as data URIs, no network) built
from a results folder, so ``lup-opt report RESULTS_DIR`` can rebuild it at any time."""

from __future__ import annotations

import base64
import html
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from lup_opt.report import figures

log = logging.getLogger(__name__)

REPORT = "report.html"
FIGURES = "figures"
GEOPACKAGE = "allocation.gpkg"

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#212121;background:#fafafa}
header{background:#1b5e20;color:white;padding:18px 32px}header h1{margin:0;font-size:1.5em}
nav{padding:8px 32px;background:#e8f5e9;font-size:.9em}nav a{margin-right:14px;color:#1b5e20}
main{padding:8px 32px 40px;max-width:1200px}section{margin:22px 0}h2{border-bottom:2px solid #c8e6c9}
table{border-collapse:collapse;font-size:.82em;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 7px;text-align:right}
th{background:#f1f8e9}td:first-child,th:first-child{text-align:left}img{max-width:100%;border:1px solid #eee}
.status-optimal{color:#1b5e20;font-weight:bold}.status-bad{color:#b71c1c;font-weight:bold}
.note{color:#616161;font-size:.9em}pre{background:#fff;border:1px solid #ddd;padding:10px;white-space:pre-wrap}
"""


def _table(stem: Path) -> pd.DataFrame:
    from lup_opt.results.result import read_table

    try:
        return read_table(stem)
    except (FileNotFoundError, pd.errors.EmptyDataError):
        return pd.DataFrame()


def _land_units_map(folder: Path):
    """The land units with their outlines (``allocation.gpkg``), or None without geometry."""
    if not (folder / GEOPACKAGE).exists():
        return None
    try:
        import geopandas
    except ImportError:
        log.warning("%s: geopandas is not installed (pip install 'lup_opt[geo]'); maps left out", folder / GEOPACKAGE)
        return None
    from lup_opt.spatial import GEOPACKAGE_LAYER

    return geopandas.read_file(folder / GEOPACKAGE, layer=GEOPACKAGE_LAYER)


def _image(path: Path | None, alt: str) -> str:
    if path is None:
        return f'<p class="note">No {html.escape(alt)}: nothing to show for this run.</p>'
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _frame(table: pd.DataFrame, columns: list[str], rows: int = 40) -> str:
    present = [c for c in columns if c in table.columns]
    if table.empty or not present:
        return '<p class="note">(empty)</p>'
    shown = table[present].head(rows)
    more = f'<p class="note">{len(table) - rows:,} more rows in the CSV.</p>' if len(table) > rows else ""
    return shown.to_html(index=False, float_format=lambda v: f"{v:,.2f}", na_rep="", border=0) + more


def _summary(manifest: dict[str, Any]) -> str:
    status = manifest.get("status", "unknown")
    css = "status-optimal" if status == "optimal" else "status-bad"
    scenario = manifest.get("scenario", {})
    size = manifest.get("size", {})
    objective = manifest.get("objective")
    rows = [
        ("Scenario", scenario.get("name", "")),
        ("Variants", ", ".join(scenario.get("variants", [])) or "none"),
        ("Overrides", ", ".join(scenario.get("overrides", [])) or "none"),
        ("Status", f'<span class="{css}">{html.escape(str(status))}</span>'),
        ("Message", html.escape(str(manifest.get("message", "")))),
        ("Objective", "" if objective is None else f"{objective:,.2f} {html.escape(str(manifest.get('objective_unit', '')))}"
         f" ({html.escape(str(manifest.get('objective_sense', '')))})"),
        ("Land units", f"{size.get('land_units', 0):,}"),
        ("LP", f"{size.get('rows', 0):,} rows, {size.get('columns', 0):,} columns, {size.get('nonzeros', 0):,} non-zeros"),
        ("Solver", f"{manifest.get('solver', {}).get('name', '')}, {manifest.get('solver', {}).get('method', '')}"),
        ("Created", manifest.get("created", "")),
    ]
    warnings = manifest.get("warnings", [])
    body = "".join(f"<tr><th>{k}</th><td style='text-align:left'>{v}</td></tr>" for k, v in rows)
    extra = "".join(f"<li>{html.escape(w)}</li>" for w in warnings)
    return f"<table>{body}</table>" + (f"<p>Warnings from the checks:</p><ul>{extra}</ul>" if extra else "")


def _figures(folder: Path, out: Path, colours: dict[str, str] | None = None) -> dict[str, Path | None]:
    """Every figure as a PNG in ``out`` (None where a table is empty)."""
    ldn = _table(folder / "ldn_balance")
    indicators = _table(folder / "indicators")
    makers: dict[str, Callable[[], Path | None]] = {
        "ldn_balance": lambda: figures.ldn_balance_figure(ldn, out / "ldn_balance.png"),
        "transitions": lambda: figures.transition_heatmap(_table(folder / "transitions"), out / "transitions.png"),
        "targets": lambda: figures.target_figure(indicators, out / "targets.png") if len(indicators) else None,
        "jurisdictions": lambda: figures.jurisdiction_figure(indicators, out / "jurisdictions.png")
        if len(indicators) else None,
        "prices": lambda: figures.prices_figure(_table(folder / "duals"), out / "prices.png"),
    }
    made = {name: make() for name, make in makers.items()}
    units = _land_units_map(folder)
    made["use_map"] = figures.use_map(units, out / "use_map.png", colours) if units is not None else None
    made["change_map"] = figures.change_map(units, out / "change_map.png") if units is not None else None
    return made


HIERARCHY_COLUMNS = ["land_type", "jurisdiction", "period", "bau_losses_ha", "losses_avoided_ha", "losses_reduced_ha",
                     "new_losses_ha", "plan_losses_ha", "plan_projected_losses_ha", "gains_reversal_ha", "gains_other_ha",
                     "net_ha"]


def render(folder: Path, manifest: dict[str, Any], made: dict[str, Path | None]) -> str:
    """The page for the results in ``folder`` with the figures ``made``."""
    duals = _table(folder / "duals")
    binding = duals[duals["binding"].astype(bool)] if len(duals) else duals
    if len(binding):
        binding = binding.reindex(binding["shadow_price"].abs().sort_values(ascending=False).index)
    ldn = _table(folder / "ldn_balance")
    indicators = _table(folder / "indicators")
    targets = indicators.dropna(subset=["target"]) if len(indicators) else indicators
    diagnosis = folder / "diagnosis.md"
    sections = [
        ("summary", "Summary", _summary(manifest)),
        ("ldn", "Land degradation neutrality", _image(made.get("ldn_balance"), "LDN balance chart")
         + _frame(ldn, ["land_type", "jurisdiction", "period", "gains_ha", "gains_counted_ha", "losses_ha", "net_ha",
                        "target_ha", "met", "committed_losses_ha", "main_loss_driver"])),
        ("ldn_hierarchy", "Avoid, reduce, reverse: business as usual against the plan",
         '<p class="note">Losses avoided or reduced are losses business as usual would have that the plan does '
         "not; only gains on land degraded at baseline are reversal (Trends.Earth's planning step).</p>"
         + _frame(_table(folder / "ldn_hierarchy"), HIERARCHY_COLUMNS)),
        ("ldn_price", "Price of neutrality",
         '<p class="note">The objective with each land type\'s LDN rows and without them (re-solved), beside the '
         "sum of their shadow prices (the marginal price).</p>"
         + _frame(_table(folder / "ldn_price"), ["land_type", "jurisdiction", "objective_with_ldn",
                                                 "objective_without", "price_of_neutrality", "shadow_price_sum",
                                                 "binding_rows", "status"])),
        ("transitions", "Transition matrix", _image(made.get("transitions"), "transition heatmap")),
        ("targets", "Indicators against targets", _image(made.get("targets"), "targets chart")
         + _image(made.get("jurisdictions"), "indicators per jurisdiction")
         + _frame(targets, ["target_name", "indicator", "scope", "period", "kind", "sense", "target", "value",
                            "shortfall", "met", "unit"])),
        ("prices", "Shadow prices of the binding targets", _image(made.get("prices"), "shadow price chart")
         + _frame(binding, ["name", "scope", "period", "sense", "rhs", "shadow_price", "price_unit", "valid_from",
                            "valid_to"], rows=25)),
        ("maps", "Maps", (_image(made.get("use_map"), "map of planned use") + _image(made.get("change_map"),
                                                                                   "map of change"))
         if made.get("use_map") else '<p class="note">No maps: the scenario gives no land-unit geometry '
                                     '(scenario.yaml: geometry), or geopandas is not installed.</p>'),
    ]
    if diagnosis.exists():
        sections.insert(1, ("diagnosis", "Why there is no plan",
                            f"<pre>{html.escape(diagnosis.read_text(encoding='utf-8'))}</pre>"))
    nav = "".join(f'<a href="#{key}">{title}</a>' for key, title, _ in sections)
    body = "".join(f'<section id="{key}"><h2>{title}</h2>{content}</section>' for key, title, content in sections)
    name = html.escape(manifest.get("scenario", {}).get("name", "lup_opt"))
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>lup_opt report: {name}</title>'
            f"<style>{STYLE}</style></head><body><header><h1>Land-use plan: {name}</h1></header>"
            f"<nav>{nav}</nav><main>{body}</main></body></html>")


def is_tradeoff(manifest: dict[str, Any]) -> bool:
    """A folder written by a trade-off command (payoff, frontier, compromise, ...): its manifest
    names the method and the objectives, and the scenario by name only."""
    return "method" in manifest and not isinstance(manifest.get("scenario"), dict)


def render_tradeoff(folder: Path, manifest: dict[str, Any], made: dict[str, Path | None]) -> str:
    """The page for a trade-off folder: what was compared, its figures and its tables."""
    method = str(manifest.get("method", "trade-off"))
    objectives = manifest.get("objectives", [])
    listed = "".join(f"<li>{html.escape(str(o.get('label', '')))} ({html.escape(str(o.get('sense', '')))}, "
                     f"{html.escape(str(o.get('unit', '')))})</li>" for o in objectives)
    rows = [("Scenario", html.escape(str(manifest.get("scenario", "")))),
            ("Method", html.escape(method.replace("_", " "))),
            *((key.replace("_", " ").capitalize(), html.escape(str(manifest[key])))
              for key in ("normalization", "points", "seconds") if key in manifest)]
    summary = ("".join(f"<tr><th>{k}</th><td style='text-align:left'>{v}</td></tr>" for k, v in rows)
               .join(("<table>", "</table>")) + (f"<p>Objectives:</p><ul>{listed}</ul>" if listed else ""))
    sections = [("summary", "Summary", summary)]
    pictures = sorted(p for p in folder.glob("*.png"))
    if pictures:
        sections.append(("figures", "Figures", "".join(_image(p, p.stem.replace("_", " ")) for p in pictures)))
    for key, alt in (("targets", "targets chart"), ("jurisdictions", "indicators per jurisdiction")):
        if made.get(key):
            sections.append((key, alt.capitalize(), _image(made[key], alt)))
    for csv in sorted(folder.glob("*.csv")):
        table = _table(folder / csv.stem)
        sections.append((csv.stem, csv.stem.replace("_", " ").capitalize(), _frame(table, list(table.columns))))
    nav = "".join(f'<a href="#{key}">{title}</a>' for key, title, _ in sections)
    body = "".join(f'<section id="{key}"><h2>{title}</h2>{content}</section>' for key, title, content in sections)
    name = html.escape(str(manifest.get("scenario", "lup_opt")))
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>lup_opt {html.escape(method)}: '
            f"{name}</title><style>{STYLE}</style></head><body><header><h1>Trade-offs ({html.escape(method)}): "
            f"{name}</h1></header><nav>{nav}</nav><main>{body}</main></body></html>")


def build_report(folder: str | Path, manifest: dict[str, Any] | None = None) -> Path:
    """Write ``report.html`` and ``figures/*.png`` into the results ``folder``; both replace
    what was there only once complete."""
    folder = Path(folder)
    if manifest is None:
        manifest_path = folder / "manifest.json"
        if not manifest_path.exists():
            raise FileNotFoundError(f"{folder}: no manifest.json, so not a lup_opt results folder")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    tmp = Path(tempfile.mkdtemp(prefix=".report-", dir=folder))
    try:
        (tmp / FIGURES).mkdir()
        made = _figures(folder, tmp / FIGURES, manifest.get("use_colours"))
        page = render_tradeoff(folder, manifest, made) if is_tradeoff(manifest) else render(folder, manifest, made)
        (tmp / REPORT).write_text(page, encoding="utf-8")
        if (folder / FIGURES).exists():
            shutil.rmtree(folder / FIGURES)
        os.replace(tmp / FIGURES, folder / FIGURES)
        os.replace(tmp / REPORT, folder / REPORT)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder / REPORT
