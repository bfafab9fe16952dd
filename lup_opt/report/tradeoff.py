"""The report of a trade-off folder (payoff, frontier, compromise, alternatives, ...): what was
compared, its figures and tables, and the plan folders under ``plans/`` that each get the full
plan report with ``lup-opt report``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lup_opt.report.folder import Folder
from lup_opt.report.markup import Section, esc, frame, image, note, num, page

PLANS = "plans"  # the trade-off folder's sub-folder of plan folders, one per plan


def is_tradeoff(manifest: dict[str, Any]) -> bool:
    """A folder written by a trade-off command (payoff, frontier, compromise, ...): its manifest
    names the method and the objectives, and the scenario by name only."""
    return "method" in manifest and not isinstance(manifest.get("scenario"), dict)


def _plans(folder: Folder) -> str:
    plans = sorted(p for p in (folder.path / PLANS).glob("*/manifest.json")) if (folder.path / PLANS).is_dir() else []
    order = {name: k for k, name in enumerate(folder.manifest.get("plans") or [])}  # the method's own order
    plans.sort(key=lambda p: (order.get(p.parent.name, len(order)), p.parent.name))
    if not plans:
        return ""
    rows = []
    for manifest_path in plans:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        plan = manifest_path.parent
        report = plan / "report.html"
        link = (f'<a href="{esc(PLANS)}/{esc(plan.name)}/report.html">{esc(plan.name)}</a>' if report.exists()
                else esc(plan.name))
        objective = manifest.get("objective")
        rows.append(f"<tr><td class='text'>{link}</td><td>{'' if objective is None else num(objective)}</td>"
                    f"<td class='text'>{esc(manifest.get('objective_unit', ''))}</td>"
                    f"<td class='text'><code>lup-opt report {esc(Path(PLANS) / plan.name)}</code></td></tr>")
    return ("<table><thead><tr><th>plan</th><th>scenario objective</th><th class='text'>unit</th>"
            "<th class='text'>full report (maps, food, finance, sensitive land, ...)</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def render_tradeoff(folder: Folder, made: dict[str, Path | None]) -> str:
    """The page for a trade-off folder: what was compared, its figures, its tables and its plans."""
    manifest = folder.manifest
    method = str(manifest.get("method", "trade-off"))
    objectives = manifest.get("objectives", [])
    listed = "".join(f"<li>{esc(o.get('label', ''))} ({esc(o.get('sense', ''))}, {esc(o.get('unit', ''))})</li>"
                     for o in objectives)
    rows = [("Scenario", esc(manifest.get("scenario", ""))), ("Method", esc(method.replace("_", " "))),
            *((key.replace("_", " ").capitalize(), esc(manifest[key]))
              for key in ("normalization", "points", "slack", "seconds") if key in manifest)]
    summary = ("<table>" + "".join(f"<tr><th>{k}</th><td class='text'>{v}</td></tr>" for k, v in rows) + "</table>"
               + (f"<p>Objectives:</p><ul>{listed}</ul>" if listed else ""))
    sections = [Section("summary", "Summary", summary)]
    plans = _plans(folder)
    if plans:
        sections.append(Section("plans", "Plans", note(
            "Each plan has its own results folder under plans/; its report (maps, food, finance, livelihoods, "
            "sensitive conversions) is built by the command beside it.") + plans))
    pictures = sorted(folder.path.glob("*.png"))
    if pictures:
        sections.append(Section("figures", "Figures", "".join(image(p, p.stem.replace("_", " ")) for p in pictures)))
    for key, alt in (("targets", "targets chart"), ("jurisdictions", "indicators per jurisdiction")):
        if made.get(key):
            sections.append(Section(key, alt.capitalize(), image(made[key], alt)))
    for csv in sorted(folder.path.glob("*.csv")):
        table = folder.table(csv.stem)
        sections.append(Section(csv.stem, csv.stem.replace("_", " ").capitalize(), frame(table)))
    name = str(manifest.get("scenario", "lup_opt"))
    return page(f"lup_opt {method}: {name}", f"Trade-offs ({method}): {name}", sections)
