"""A short terminal summary of a result: status, objective, LDN per land type, binding targets."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.table import Table

from lup_opt.formatting import number
from lup_opt.results.result import Result
from lup_opt.results.sensitivity import cheapest_uses_not_chosen

STATUS_STYLE = {"optimal": "bold green", "infeasible": "bold red", "unbounded": "bold red",
                "time_limit": "bold yellow", "error": "bold red"}


def print_summary(result: Result, console: Console, *, folder: str | None = None) -> None:
    manifest = result.manifest
    scenario = manifest["scenario"]
    variants = f" (variants: {', '.join(scenario['variants'])})" if scenario["variants"] else ""
    style = STATUS_STYLE.get(result.status.value, "bold")
    console.print(f"Scenario [bold]{scenario['name']}[/]{variants}: [{style}]{result.status.value}[/]")
    if not result.is_optimal:
        console.print(result.message, markup=False)
        if result.diagnosis is not None:
            console.print("Diagnosis:", style="bold")
            for sentence in result.diagnosis.sentences()[1:]:
                console.print(f"  - {sentence}", markup=False, soft_wrap=True)
        if folder:
            console.print(f"Results (manifest, solver log, diagnosis): {folder}", markup=False)
        return
    sense = manifest["objective_sense"]
    console.print(f"Objective ({sense}): [bold]{number(result.objective)}[/] {result.objective_unit}")
    size = manifest["size"]
    seconds = manifest["seconds"]
    console.print(
        f"{size['land_units']:,} land units, {size['columns']:,} columns, {size['rows']:,} rows; "
        f"build {seconds['model_data'] + seconds['build']:.2f} s, solve {seconds['solve']:.2f} s",
        style="dim",
    )

    balance = result.ldn_balance
    enforced = bool(balance["enforced"].any()) if len(balance) else False
    if enforced:
        console.print(_ldn_table(balance))
    else:
        console.print("LDN is not enforced in this scenario (ldn.enabled: false): no land type is held to "
                      "neutrality; the balance the plan would have is in ldn_balance.csv.", markup=False,
                      soft_wrap=True)

    binding = result.binding_targets()
    table = Table(title="Binding targets, costliest per unit first", title_justify="left")
    for column in ("target", "scope", "year", "bound", "shadow price", "unit", "holds for"):
        table.add_column(column, justify="right" if column in ("bound", "shadow price") else "left",
                         no_wrap=column == "target", overflow="fold")
    for row in binding.itertuples(index=False):
        group = f" ({row.group})" if row.group and row.group != "all" else ""
        valid = ("" if row.valid_from != row.valid_from
                 else f"{number(row.valid_from)} to {number(row.valid_to)}")
        table.add_row(
            f"{row.name}{group}", str(row.scope), str(row.period), f"{row.sense} {number(row.rhs)}",
            number(row.shadow_price), str(row.price_unit), valid,
        )
    if len(binding):
        console.print(table)
    else:
        console.print("No target is binding.")
    for sentence in closest_use_sentences(result.reduced_costs):
        console.print(sentence, markup=False, soft_wrap=True)
    if folder:
        console.print(f"Results: {folder}", markup=False)


def _ldn_table(balance) -> Table:
    scoped = bool((balance["jurisdiction"] != "all").any())
    partly = not bool(balance["enforced"].all())
    title = "LDN balance per land type (ha; gains as counted)"
    ldn = Table(title=title, title_justify="left")
    columns = ["land type", *(["jurisdiction"] if scoped else []), "year", "gains", "losses", "net",
               "target", "met", "loss driver"]
    for column in columns:
        numeric = column in ("gains", "losses", "net", "target")
        ldn.add_column(column, justify="right" if numeric else "left", no_wrap=column == "land type",
                       overflow="fold")
    for row in balance.itertuples(index=False):
        if partly and not row.enforced:
            met = "not enforced"
        else:
            met = "[green]yes[/]" if row.met else "[red]no[/]"
        ldn.add_row(
            str(row.land_type), *([str(row.jurisdiction)] if scoped else []), str(row.period),
            number(row.gains_counted_ha), number(row.losses_ha), number(row.net_ha),
            number(row.target_ha), met, str(row.main_loss_driver).replace("_", " "),
        )
    return ldn


# Below this (objective units per ha) a use not chosen ties with the plan: HiGHS's dual feasibility
# tolerance, so a reduced cost this small is round-off of zero.
TIE = 1e-7


def closest_use_sentences(reduced_costs) -> list[str]:
    """Per jurisdiction and period of change, the use closest to entering the plan, in words: what
    its objective value per ha would have to improve by, or that it ties (an alternative optimum)."""
    out = []
    for row in cheapest_uses_not_chosen(reduced_costs).itertuples(index=False):
        keeping = bool(pd.isna(row.period))  # no period of change: the land keeps its baseline use
        when = (f"keeping land in its baseline use '{row.use}'" if keeping
                else f"for changes in the period ending {row.period}, '{row.use}'")
        where = f"land unit {row.closest_land_unit}"
        if keeping:
            subject = f"In {row.jurisdiction}, {when} is the choice closest to entering the plan"
        else:
            subject = f"In {row.jurisdiction}, {when} is the use closest to entering the plan"
        if row.improvement_needed <= TIE:
            out.append(f"{subject}, and it ties: it could enter the plan (on {where}) without changing "
                       "the objective, so a plan that uses it can be as good (an alternative optimum).")
        else:
            out.append(f"{subject}: its objective value would have to improve by "
                       f"{number(row.improvement_needed)} {row.improvement_unit} (on {where}).")
    return out
