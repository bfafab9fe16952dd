"""A short terminal summary of a result: status, objective, LDN per land type, binding targets."""

from __future__ import annotations

import numpy as np
import pandas as pd
from rich.console import Console

from lup_opt.formatting import number, print_frame
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
                console.print(f"  - {sentence}", markup=False)
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
        print_frame(console, _ldn_frame(balance), title="LDN balance per land type (ha; gains as counted)")
    else:
        console.print("LDN is not enforced in this scenario (ldn.enabled: false): no land type is held to "
                      "neutrality; the balance the plan would have is in ldn_balance.csv.", markup=False)

    binding = result.binding_targets()
    if len(binding):
        print_frame(console, _binding_frame(binding), title="Binding targets, costliest per unit first")
    else:
        console.print("No target is binding.")
    for sentence in closest_use_sentences(result.reduced_costs):
        console.print(sentence, markup=False)
    if folder:
        console.print(f"Results: {folder}", markup=False)


def _ldn_frame(balance: pd.DataFrame) -> pd.DataFrame:
    """The LDN rows as the summary shows them (numbers stay numbers: the table style formats them
    without splitting a number across lines at any console width)."""
    scoped = bool((balance["jurisdiction"] != "all").any())
    partly = not bool(balance["enforced"].all())
    met = np.where(balance["met"].to_numpy(dtype=bool), "yes", "no")
    if partly:
        met = np.where(balance["enforced"].to_numpy(dtype=bool), met, "not enforced")
    frame = pd.DataFrame({"land type": balance["land_type"].astype(str)})
    if scoped:
        frame["jurisdiction"] = balance["jurisdiction"].astype(str)
    frame["year"] = balance["period"].to_numpy()
    for label, column in (("gains", "gains_counted_ha"), ("losses", "losses_ha"), ("net", "net_ha"),
                          ("target", "target_ha")):
        frame[label] = balance[column].to_numpy(dtype=float)
    frame["met"] = met
    frame["loss driver"] = balance["main_loss_driver"].astype(str).str.replace("_", " ")
    return frame


def _binding_frame(binding: pd.DataFrame) -> pd.DataFrame:
    group = binding["group"].fillna("").astype(str)
    names = binding["name"].astype(str) + np.where((group != "") & (group != "all"), " (" + group + ")", "")
    valid = [("" if pd.isna(lo) else f"{number(lo)} to {number(hi)}")
             for lo, hi in zip(binding["valid_from"], binding["valid_to"], strict=True)]
    return pd.DataFrame({"target": names.to_numpy(), "scope": binding["scope"].astype(str).to_numpy(),
                         "year": binding["period"].to_numpy(),
                         "bound": [f"{s} {number(v)}" for s, v in zip(binding["sense"], binding["rhs"], strict=True)],
                         "shadow price": binding["shadow_price"].to_numpy(dtype=float),
                         "unit": binding["price_unit"].astype(str).to_numpy(), "holds for": valid})


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
