"""A short terminal summary of a result: status, objective, LDN per land type, binding targets."""

from __future__ import annotations

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
    scoped = bool((balance["jurisdiction"] != "all").any())
    enforced = bool(balance["enforced"].all()) if len(balance) else False
    title = "LDN balance per land type (ha; gains as counted)" + ("" if enforced else " - not enforced")
    ldn = Table(title=title, title_justify="left")
    columns = ["land type", *(["jurisdiction"] if scoped else []), "year", "gains", "losses", "net",
               "target", "met", "loss driver"]
    for column in columns:
        numeric = column in ("gains", "losses", "net", "target")
        ldn.add_column(column, justify="right" if numeric else "left", no_wrap=column == "land type",
                       overflow="fold")
    for row in balance.itertuples(index=False):
        met = "[green]yes[/]" if row.met else "[red]no[/]"
        ldn.add_row(
            str(row.land_type), *([str(row.jurisdiction)] if scoped else []), str(row.period),
            number(row.gains_counted_ha), number(row.losses_ha), number(row.net_ha),
            number(row.target_ha), met, str(row.main_loss_driver).replace("_", " "),
        )
    console.print(ldn)

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
    closest = cheapest_uses_not_chosen(result.reduced_costs)
    for row in closest.itertuples(index=False):
        console.print(
            f"In {row.jurisdiction}, for changes in the period ending {row.period}, '{row.use}' is the use "
            f"closest to entering the plan: its objective "
            f"value would have to improve by {number(row.improvement_needed)} {row.improvement_unit} "
            f"(on land unit {row.closest_land_unit}).",
            markup=False, soft_wrap=True,
        )
    if folder:
        console.print(f"Results: {folder}", markup=False)
