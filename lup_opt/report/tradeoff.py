"""The report of a trade-off folder (payoff, frontier, compromise, alternatives, ...): what was
compared, its figures and tables, and the plan folders under ``plans/`` that each get the full
plan report with ``lup-opt report``."""

from __future__ import annotations

from pathlib import Path

from lup_opt.errors import LupOptError
from lup_opt.report.folder import Folder
from lup_opt.report.markup import Section, esc, frame, image, note, num, page
from lup_opt.results.manifest import MANIFEST, FolderKind, read_manifest

PLANS = "plans"  # the trade-off folder's sub-folder of plan folders, one per plan
# Folders of many plans or runs, and of none (the trade-off page lists what they hold).
SEVERAL = (FolderKind.TRADEOFF, FolderKind.COMPARISON, FolderKind.SWEEP)


def is_tradeoff(kind: FolderKind) -> bool:
    """A folder written by a trade-off command (payoff, frontier, compromise, ...), a comparison
    or a sweep: no plan of its own, so not the plan report."""
    return kind in SEVERAL


def _plans(folder: Folder) -> str:
    plans = sorted(p.parent for p in (folder.path / PLANS).glob(f"*/{MANIFEST}")) \
        if (folder.path / PLANS).is_dir() else []
    order = {name: k for k, name in enumerate(folder.manifest.plans)}  # the method's own order
    plans.sort(key=lambda p: (order.get(p.name, len(order)), p.name))
    if not plans:
        return ""
    rows = []
    for plan in plans:
        try:
            manifest = read_manifest(plan)
        except LupOptError:
            continue  # not a plan folder lup_opt wrote: not listed
        report = plan / "report.html"
        link = (f'<a href="{esc(PLANS)}/{esc(plan.name)}/report.html">{esc(plan.name)}</a>' if report.exists()
                else esc(plan.name))
        objective = manifest.objective
        rows.append(f"<tr><td class='text'>{link}</td><td>{'' if objective is None else num(objective)}</td>"
                    f"<td class='text'>{esc(manifest.objective_unit)}</td>"
                    f"<td class='text'><code>lup-opt report {esc(Path(PLANS) / plan.name)}</code></td></tr>")
    return ("<table><thead><tr><th>plan</th><th>scenario objective</th><th class='text'>unit</th>"
            "<th class='text'>full report (maps, food, finance, sensitive land, ...)</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def render_tradeoff(folder: Folder, made: dict[str, Path | None]) -> str:
    """The page for a trade-off folder: what was compared, its figures, its tables and its plans."""
    manifest = folder.manifest
    method = manifest.method or "trade-off"
    listed = "".join(f"<li>{esc(o.label)} ({esc(o.sense)}, {esc(o.unit)})</li>" for o in manifest.objectives)
    given = {"normalization": manifest.normalization, "points": manifest.points, "slack": manifest.slack,
             "seconds": manifest.seconds}
    rows = [("Scenario", esc(folder.scenario_info.name)), ("Method", esc(method.replace("_", " "))),
            *((key.capitalize(), esc(value)) for key, value in given.items() if value is not None)]
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
    name = folder.scenario_info.name or "lup_opt"
    return page(f"lup_opt {method}: {name}", f"Trade-offs ({method}): {name}", sections)
