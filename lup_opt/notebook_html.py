"""How lup_opt's objects show in a notebook (``_repr_html_``): a short summary a planner reads at a
glance (what it is, its size, its outcome, what binds, what to do next), never a dump of the
tables, which stay one attribute away. Reads the objects by their attributes only (no lup_opt
imports), so every class can call it without an import cycle."""

from __future__ import annotations

from html import escape
from typing import Any

MAX_ROWS = 5  # rows of any list shown


def _card(title: str, rows: list[tuple[str, Any]], notes: list[str] = ()) -> str:
    cells = "".join(f"<tr><th style='text-align:left;padding-right:1em'>{escape(str(k))}</th>"
                    f"<td style='text-align:left'>{v if isinstance(v, _Html) else escape(str(v))}</td></tr>"
                    for k, v in rows)
    extra = "".join(f"<li>{escape(n)}</li>" for n in notes)
    return (f"<div class='lup-opt'><strong>{escape(title)}</strong><table>{cells}</table>"
            + (f"<ul>{extra}</ul>" if extra else "") + "</div>")


class _Html(str):
    """Markup already escaped."""


def _number(value: Any, unit: str = "") -> str:
    if value is None:
        return "none"
    try:
        text = f"{float(value):,.6g}" if abs(float(value)) < 1e6 else f"{float(value):,.0f}"
    except (TypeError, ValueError):
        return str(value)
    return f"{text} {unit}".strip()


def _listed(items: list[str], limit: int = MAX_ROWS) -> _Html:
    shown = "<br>".join(escape(i) for i in items[:limit])
    more = f"<br>... and {len(items) - limit} more" if len(items) > limit else ""
    return _Html(shown + more or "none")


def scenario_html(scenario: Any) -> str:
    config = scenario.config
    years = ", ".join(str(y) for y in scenario.planning_years)
    jurisdictions = sorted(set(scenario.units["jurisdiction"].astype(str)))
    targets = [f"{n}: {t.indicator} {t.sense.value} {_number(t.value)}" for n, t in config.targets.items()]
    objective = " + ".join(f"{term.weight:g} x {term.indicator}" for term in config.objective.terms)
    area = _number(scenario.units["area_ha"].sum(), "ha")
    rows = [("folder", scenario.folder), ("land units", f"{len(scenario.units):,} ({area})"),
            ("jurisdictions", ", ".join(jurisdictions[:8]) + (" ..." if len(jurisdictions) > 8 else "")),
            ("uses", len(scenario.uses)), ("baseline, planning years", f"{config.periods.baseline_year}; {years}"),
            ("targets", _listed(targets)), ("LDN", f"on, scope {config.ldn.scope.value}" if config.ldn.enabled else "off"),
            ("objective", f"{config.objective.sense.value} {objective}")]
    if scenario.variants or scenario.overrides:
        rows.append(("variants, overrides", ", ".join([*scenario.variants, *scenario.overrides])))
    hint = "lup_opt.solve(scenario) solves it; .units, .baseline, .uses hold the tables"
    return _card(f"Scenario {scenario.name}", rows, [hint])


def result_html(result: Any) -> str:
    info = result.manifest
    scenario = info.get("scenario") or {}
    name = scenario.get("name", "") if hasattr(scenario, "get") else str(scenario)
    rows = [("status", result.status.value), ("objective", _number(result.objective, result.objective_unit))]
    notes = []
    if result.is_optimal:
        binding = result.binding_targets()
        prices = [f"{r['name']}: {_number(r['shadow_price'])}" for _, r in binding.iterrows()] if len(binding) else []
        rows.append(("binding targets (shadow price)", _listed(prices)))
        balance = result.ldn_balance
        if len(balance):
            last = balance[balance["period"] == balance["period"].max()]
            rows.append(("LDN net, last year", _listed([f"{r['land_type']}: {_number(r['net_ha'], 'ha')}"
                                                         for _, r in last.iterrows()])))
        changed = result.conversions["area_ha"].sum() if len(result.conversions) else 0.0
        rows.append(("land whose use changes", _number(changed, "ha")))
        notes.append("Tables: .allocation, .indicators, .ldn_balance, .duals ...; .to_xarray() for a Dataset")
    else:
        rows.append(("message", result.message))
        if result.diagnosis is not None:
            notes += result.diagnosis.sentences()[:3]
    size = info.get("size") or {}
    if size:
        rows.append(("LP", f"{_number(size.get('rows'))} rows, {_number(size.get('columns'))} columns"))
    return _card(f"Result of {name}", rows, notes)


def diagnosis_html(diagnosis: Any) -> str:
    rows = [("scenario", diagnosis.scenario), ("solvable", "yes" if diagnosis.feasible else "no"),
            ("conflicts", len(diagnosis.conflicts)), ("smallest relaxation", _listed([r.sentence() for r in
                                                                                      diagnosis.relaxation]))]
    if diagnosis.overrides:
        rows.append(("--set to apply it", _listed([f"{k}={v:g}" for k, v in diagnosis.overrides.items()])))
    return _card("Diagnosis", rows, diagnosis.sentences()[:2])


def frontier_html(front: Any) -> str:
    points = front.points
    objectives = [o.label for o in getattr(front.frontier, "objectives", ())] or \
        [c for c in points.columns if c not in ("point", "knee", "status")][:3]
    knee = points[points["knee"]] if "knee" in points.columns else points.iloc[0:0]
    rows = [("scenario", front.scenario.name), ("objectives", ", ".join(map(str, objectives))),
            ("points", len(points)), ("knee", "point " + ", ".join(str(i) for i in knee.index) if len(knee) else "none"),
            ("seconds", _number(front.seconds))]
    return _card("Pareto frontier", rows, [".points holds every point; .write(folder) writes the CSV and figure"])


def comparison_html(comparison: Any) -> str:
    summary = comparison.summary
    lines = [f"{r['quantity']}: {_number(r['a'])} -> {_number(r['b'])}" for _, r in summary.iterrows()]
    top = comparison.allocation.reindex(comparison.allocation["difference_ha"].abs()
                                        .sort_values(ascending=False).index).head(3)
    moves = [f"{r['jurisdiction']}, {r['use']}: {_number(r['difference_ha'], 'ha')}" for _, r in top.iterrows()]
    return _card(f"B ({comparison.b}) against A ({comparison.a})",
                 [("summary", _listed(lines)), ("largest changes", _listed(moves))],
                 [".summary, .allocation, .indicators, .ldn_balance hold the tables"])
