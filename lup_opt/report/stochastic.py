"""The page of a two-stage plan's folder: what planning under uncertainty is worth (RP, WS, EEV,
VSS, EVPI, CVaR), each scenario's outcome, the land decided now (the same in every scenario, with
its map), and how the recourse differs by scenario (land use in the last planning year per
scenario); each scenario's own report is linked."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lup_opt.report.markup import Section, esc, frame, image, note, page
from lup_opt.results.manifest import Manifest

SCENARIOS_FOLDER = "scenarios"


def _read(folder: Path, name: str) -> pd.DataFrame:
    path = folder / f"{name}.csv"
    return pd.read_csv(path) if path.is_file() else pd.DataFrame()


def render_stochastic(folder: Path, manifest: Manifest) -> str:
    extra = manifest.model_extra or {}
    tree = extra.get("stochastic", {})
    scenarios = tree.get("scenarios", {})
    name = manifest.scenario.name if manifest.scenario is not None and not isinstance(manifest.scenario, str) else ""
    rows = [("Scenario", esc(name)), ("Decided now", esc(", ".join(str(y) for y in tree.get("here_and_now", [])))),
            ("Scenarios", esc(", ".join(f"{n} ({s.get('variant')}, p = {s.get('probability'):g})"
                                        for n, s in scenarios.items()))),
            ("Risk", esc(f"CVaR weight {tree.get('risk', {}).get('weight', 0):g} at alpha "
                         f"{tree.get('risk', {}).get('cvar_alpha', 0):g}")),
            ("Status", esc(manifest.status.value if manifest.status is not None else "")),
            ("Objective", esc(f"{manifest.objective:,.6g}" if manifest.objective is not None else "none"))]
    summary = "<table>" + "".join(f"<tr><th>{k}</th><td class='text'>{v}</td></tr>" for k, v in rows) + "</table>"
    sections = [Section("summary", "Summary", summary)]
    measures = _read(folder, "stochastic")
    if len(measures):
        sections.append(Section("worth", "What planning under uncertainty is worth", note(
            "RP: the two-stage plan's expected outcome; WS: if each scenario were known before deciding; EEV: the "
            "plan made for the average scenario, carried through each; VSS = EEV - RP and EVPI = RP - WS "
            "(signs for a minimised objective).") + frame(measures)))
    outcomes = _read(folder, "scenarios")
    if len(outcomes):
        sections.append(Section("outcomes", "Each scenario's outcome", frame(outcomes)))
    first = _read(folder, "first_stage")
    if len(first):
        by_use = first.groupby(["baseline_use", "use"], as_index=False)["area_ha"].sum()
        reference = next(iter(scenarios), None)
        picture = folder / SCENARIOS_FOLDER / str(reference) / "figures" / "use_maps.png" if reference else None
        sections.append(Section("first_stage", "Decided now, the same in every scenario", frame(by_use) + (
            image(picture, "land use maps") + note(f"Land use per planning year in scenario '{esc(reference)}'; the "
                                                   "here-and-now years are the same in every scenario.")
            if picture is not None and picture.is_file() else note("No map: the scenario gives no outlines."))))
    recourse = _recourse(folder, list(scenarios))
    if len(recourse):
        sections.append(Section("recourse", "How the plan adapts in each scenario", note(
            "Area per use (ha) in the last planning year, per scenario.") + frame(recourse)))
    links = "".join(f'<li><a href="{SCENARIOS_FOLDER}/{esc(n)}/report.html">{esc(n)}</a></li>' for n in scenarios
                    if (folder / SCENARIOS_FOLDER / n / "report.html").is_file())
    if links:
        sections.append(Section("reports", "Each scenario's report", f"<ul>{links}</ul>"))
    return page(f"lup_opt two-stage plan: {name}", f"Two-stage plan: {name}", sections)


def _recourse(folder: Path, names: list[str]) -> pd.DataFrame:
    columns = {}
    for name in names:
        land = _read(folder / SCENARIOS_FOLDER / name, "land_units")
        if land.empty or "year" not in land:
            continue
        last = land[land["year"] == land["year"].max()]
        per_use = [c for c in last.columns if c.startswith("ha_")]  # area of each use held, per unit
        columns[name] = last[per_use].sum().rename(lambda c: c[len("ha_"):])
    if not columns:
        return pd.DataFrame()
    return pd.DataFrame(columns).fillna(0.0).rename_axis("use").reset_index()
