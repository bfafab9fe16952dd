"""``lup-opt validate | solve | explain | evaluate | export``: one scenario, checked, solved,
diagnosed, scored as a given plan, or written as an LP file."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from lup_opt.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_NOT_OPTIMAL,
    EXIT_OK,
    AllowOutsideOpt,
    OverwriteOpt,
    ScenarioArg,
    SetOpt,
    VariantOpt,
    check_out,
    default_out,
    err_console,
    exit_on_bad_input,
    exit_on_output_error,
    load,
    out_console,
    run_identity,
)
from lup_opt.enums import Backend, Culling, PlanningMode, SolverMethod, TableFormat
from lup_opt.errors import LupOptError
from lup_opt.safe_paths import MANIFEST

METHOD_HELP = ("HiGHS LP method; structured: dual estimates on an aggregated master, then column generation "
               "over the area columns, certified optimal on the full LP; auto (solve's default): structured for "
               "large LPs of that shape, else ipm.")

if TYPE_CHECKING:
    from lup_opt.results.result import Result

FreshOpt = Annotated[bool, typer.Option("--fresh", help="Solve again even when the results folder holds this run, "
                                                        "solved with the same scenario hash and options.")]


def _move_up(folder: Path) -> None:
    """Move what a writer put in ``folder`` into its parent (a temporary folder of the protocol)."""
    for entry in folder.iterdir():
        entry.rename(folder.parent / entry.name)
    folder.rmdir()


def validate(scenario: ScenarioArg, variant: VariantOpt = None, set_: SetOpt = None,
             allow_outside: AllowOutsideOpt = False) -> None:
    """Check a scenario's files and build its model without solving."""
    from lup_opt.api import build
    from lup_opt.diagnose.prechecks import run_checks

    loaded = load(scenario, variant, set_, allow_outside)
    with exit_on_bad_input(scenario):
        built = build(loaded)
        report = run_checks(loaded, built.data, built.lp)
        for warning in report.warnings:
            err_console.print(f"warning: {warning.message}", markup=False, soft_wrap=True, style="yellow")
        report.raise_if_errors()
    lp = built.lp
    out_console.print(
        f"Scenario [bold]{escape(loaded.name)}[/] is valid: {len(loaded.units):,} land units, "
        f"{len(loaded.uses)} uses, {lp.num_cols:,} columns, {lp.num_rows:,} rows, "
        f"{lp.num_nonzeros:,} non-zeros; checks before solving found no error "
        f"({len(report.warnings)} warning{'s' if len(report.warnings) != 1 else ''})."
    )


def solve(
    scenario: ScenarioArg,
    variant: VariantOpt = None,
    set_: SetOpt = None,
    out: Annotated[Path | None, typer.Option(help="Results folder (default: results/NAME[+VARIANTS]).")] = None,
    time_limit: Annotated[float | None, typer.Option(help="Seconds HiGHS may run.", min=0.001)] = None,
    threads: Annotated[int | None, typer.Option(help="Threads for HiGHS (default: half the cores this process may use).", min=1)] = None,
    backend: Annotated[Backend, typer.Option(help="highspy (fast) or pyomo (Pyomo model).")] = Backend.HIGHSPY,
    method: Annotated[SolverMethod, typer.Option(help=METHOD_HELP)] = SolverMethod.AUTO,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the manifest as JSON instead of the summary.")] = False,
    checks: Annotated[bool, typer.Option(help="Run the checks before solving.")] = True,
    diagnose: Annotated[bool, typer.Option(help="Explain an infeasible result.")] = True,
    mode: Annotated[PlanningMode, typer.Option(help="Every year in one LP, or year by year fixing the past.")]
    = PlanningMode.PERFECT_FORESIGHT,
    crossover: Annotated[bool, typer.Option(help="Interior point: finish with crossover (a vertex, exact duals).")]
    = True,
    merge_alike: Annotated[bool, typer.Option(help="Solve land the LP cannot tell apart once (exact).")] = True,
    culling: Annotated[Culling, typer.Option(help="Leave out dominated changes of use (same optimum).")]
    = Culling.AUTO,
    table_format: Annotated[TableFormat, typer.Option("--format", help="csv, parquet, or auto (Parquet over 10M cells).")]
    = TableFormat.AUTO,
    report: Annotated[bool, typer.Option(help="Write report.html, figures/ and allocation.gpkg (with geometry).")]
    = True,
    overwrite: OverwriteOpt = False,
    allow_outside: AllowOutsideOpt = False,
    fresh: FreshOpt = False,
) -> None:
    """Solve a scenario and write its results folder (a folder holding this run, solved with the same
    scenario and options, is reused unless --fresh)."""
    from lup_opt.api import solve as solve_scenario
    from lup_opt.reuse import reuse_key, stamped, stored_result

    with err_console.status("Loading the scenario", spinner="dots") if not (quiet or as_json) else nullcontext() as status:
        loaded = load(scenario, variant, set_, allow_outside)
        target = check_out(out or default_out(loaded), loaded, run_identity(loaded, "solve"), overwrite)
        key = reuse_key(loaded, "solve", backend=backend, method=method, time_limit=time_limit, threads=threads,
                        checks=checks, diagnose=diagnose, mode=mode, crossover=crossover, merge_alike=merge_alike,
                        culling=culling, format=table_format)
        reused = None if fresh else stored_result(target, key, needs=("report.html",) if report else ())
        if reused is not None:
            if not (quiet or as_json):
                err_console.print(f"Reused {target}: solved before with the same scenario and options "
                                  "(--fresh solves again)", markup=False, soft_wrap=True)
            _print(reused, target, quiet=quiet, as_json=as_json)
            raise typer.Exit(EXIT_OK if reused.is_optimal else EXIT_NOT_OPTIMAL)
        if status is not None:
            status.update(f"Building and solving {escape(loaded.name)} ({len(loaded.units):,} land units)")
        if loaded.config.stochastic is not None:
            _solve_stochastic(loaded, scenario, target, backend, method, time_limit, threads, table_format, report,
                              overwrite, quiet or as_json)
        with exit_on_bad_input(scenario):
            result = solve_scenario(
                loaded, backend=backend, method=method, time_limit=time_limit, threads=threads,
                checks=checks, diagnose=diagnose, mode=mode, crossover=crossover, merge_alike=merge_alike,
                culling=culling,
            )
        if status is not None:
            status.update("Writing the results" + (" and the report" if report else ""))
        with exit_on_output_error():
            folder = stamped(result, key).write(target, table_format, report, overwrite=overwrite)
    _print(result, folder, quiet=quiet, as_json=as_json)
    raise typer.Exit(EXIT_OK if result.is_optimal else EXIT_NOT_OPTIMAL)


def _solve_stochastic(loaded, scenario: Path, target: Path, backend: Backend, method: SolverMethod,
                      time_limit: float | None,
                      threads: int | None, table_format: TableFormat, report: bool, overwrite: bool,
                      quiet: bool) -> None:
    """A scenario with a ``stochastic`` key: its two-stage plan, one folder per scenario inside."""
    from lup_opt.formatting import print_frame
    from lup_opt.solve.options import SolverOptions
    from lup_opt.stochastic.plan import solve_stochastic

    with exit_on_bad_input(scenario):
        result = solve_stochastic(loaded, SolverOptions(method=method, time_limit=time_limit, threads=threads),
                                  backend)
    with exit_on_output_error():
        folder = result.write(target, table_format, report, overwrite=overwrite)
    if not quiet:
        if result.is_optimal:
            out_console.print(f"Two-stage plan of {loaded.name}: {len(result.scenarios)} scenarios, results in "
                              f"{folder}", markup=False, soft_wrap=True)
            print_frame(out_console, result.measures[["measure", "value", "unit"]])
            print_frame(out_console, result.outcomes)
        else:
            err_console.print(f"{result.status.value}: {result.message} (lup-opt explain {scenario} names the "
                              "scenarios that fail)", markup=False, soft_wrap=True)
    raise typer.Exit(EXIT_OK if result.is_optimal else EXIT_NOT_OPTIMAL)


def _explain_stochastic(loaded, scenario: Path, method: SolverMethod, time_limit: float | None,
                        threads: int | None) -> None:
    """Each scenario of a two-stage plan explained on its own; then, if each can be planned, the
    plan that must serve them all at once."""
    from lup_opt.solve.options import SolverOptions
    from lup_opt.stochastic.plan import explain_stochastic, solve_stochastic

    with exit_on_bad_input(scenario):
        diagnoses = explain_stochastic(loaded, method=method, time_limit=time_limit, threads=threads)
    failing = {name: d for name, d in diagnoses.items() if not d.feasible}
    for name, diagnosis in failing.items():
        out_console.print(f"Scenario '{name}' cannot be planned:", markup=False)
        for sentence in diagnosis.sentences():
            out_console.print(f"- {sentence}", markup=False, soft_wrap=True)
    if failing:
        raise typer.Exit(EXIT_NOT_OPTIMAL)
    with exit_on_bad_input(scenario):
        joint = solve_stochastic(loaded, SolverOptions(method=method, time_limit=time_limit, threads=threads))
    if joint.is_optimal:
        out_console.print(f"Every scenario of {loaded.name} can be planned, and one first stage serves them all.",
                          markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_OK)
    out_console.print(f"Each scenario of {loaded.name} can be planned alone, but no one plan for the here-and-now "
                      f"years serves them all ({joint.status.value}): their hard targets for those years conflict.",
                      markup=False, soft_wrap=True)
    raise typer.Exit(EXIT_NOT_OPTIMAL)


def _print(result: Result, folder: Path, *, quiet: bool, as_json: bool) -> None:
    if as_json:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))  # as written, every key
        out_console.print_json(json.dumps(manifest))
    elif not quiet:
        from lup_opt.summary import print_summary

        print_summary(result, out_console, folder=str(folder))
    if not result.is_optimal and quiet:
        err_console.print(f"{result.status.value}: {result.message}", markup=False)


def explain(
    scenario: ScenarioArg,
    variant: VariantOpt = None,
    set_: SetOpt = None,
    out: Annotated[Path | None, typer.Option(help="Folder for diagnosis.md/.json (default: results/NAME[+VARIANTS]-explain).")] = None,
    fewest: Annotated[bool, typer.Option("--fewest", help="Among the smallest relaxations, relax the fewest targets (a small MIP).")] = False,
    time_limit: Annotated[float | None, typer.Option(help="Seconds HiGHS may run per solve.", min=0.001)] = None,
    threads: Annotated[int | None, typer.Option(help="Threads for HiGHS (default: half the cores this process may use).", min=1)] = None,
    method: Annotated[SolverMethod, typer.Option(help=METHOD_HELP)] = SolverMethod.IPM,
    overwrite: OverwriteOpt = False,
    allow_outside: AllowOutsideOpt = False,
    fresh: FreshOpt = False,
) -> None:
    """Explain why a scenario cannot be solved and what to relax (exit 1), or confirm it can (exit 0)."""
    from lup_opt.api import explain as explain_scenario
    from lup_opt.results.io import read_diagnosis, write_diagnosis
    from lup_opt.results.result import atomic_folder
    from lup_opt.reuse import REUSE, reuse_key, stored_key

    loaded = load(scenario, variant, set_, allow_outside)
    if loaded.config.stochastic is not None:
        _explain_stochastic(loaded, scenario, method, time_limit, threads)
    run = run_identity(loaded, "explain", fewest=fewest)
    folder = check_out(out or Path(f"{default_out(loaded)}-explain"), loaded, run, overwrite)
    key = reuse_key(loaded, "explain", method=method, time_limit=time_limit, threads=threads, fewest=fewest)
    diagnosis = None if fresh or stored_key(folder) != json.loads(json.dumps(key, default=str)) else \
        read_diagnosis(folder)
    if diagnosis is not None:
        err_console.print(f"Reused {folder}: explained before with the same scenario and options (--fresh "
                          "explains again)", markup=False, soft_wrap=True)
    else:
        with exit_on_bad_input(scenario):
            diagnosis = explain_scenario(loaded, method=method, time_limit=time_limit, threads=threads,
                                         fewest=fewest)
        with exit_on_output_error(), atomic_folder(folder, protect=[loaded.folder], run=run,
                                                    overwrite=overwrite) as tmp:
            write_diagnosis(diagnosis, tmp)
            (tmp / MANIFEST).write_text(json.dumps({REUSE: key}, default=str), encoding="utf-8")
    for sentence in diagnosis.sentences():
        out_console.print(f"- {sentence}", markup=False, soft_wrap=True)
    out_console.print(f"Diagnosis: {folder.resolve()}", markup=False)
    raise typer.Exit(EXIT_OK if diagnosis.feasible else EXIT_NOT_OPTIMAL)


def evaluate(
    scenario: ScenarioArg,
    plan: Annotated[str, typer.Option(help="Allocation CSV (columns of allocation.csv), or 'baseline' for business as usual.")],
    variant: VariantOpt = None,
    set_: SetOpt = None,
    out: Annotated[Path | None, typer.Option(help="Folder for the evaluation (default: results/NAME[+VARIANTS]-evaluation).")] = None,
    compare: Annotated[bool, typer.Option(help="Also solve the scenario to compare the plan with its optimum.")] = True,
    overwrite: OverwriteOpt = False,
    allow_outside: AllowOutsideOpt = False,
) -> None:
    """Score a given plan without optimising: indicators, LDN balance, targets met and missed, cost,
    and its distance from the optimum. Exit 0 when it meets every hard target and LDN, else 1."""
    from lup_opt.api import evaluate as evaluate_plan
    from lup_opt.results.result import atomic_folder

    loaded = load(scenario, variant, set_, allow_outside)
    run = run_identity(loaded, "evaluate", plan=plan, compare=compare)
    plan_name = "" if plan == "baseline" else f"-{Path(plan).stem}"
    folder = check_out(out or Path(f"{default_out(loaded)}-evaluation{plan_name}"), loaded, run, overwrite)
    subject = None if plan == "baseline" else f"Plan {plan} (for scenario {scenario})"
    with exit_on_bad_input(scenario, subject):
        evaluation = evaluate_plan(loaded, plan, compare=compare)
    with exit_on_output_error(), atomic_folder(folder, protect=[loaded.folder], run=run,
                                                overwrite=overwrite) as tmp:
        _move_up(evaluation.write(tmp / "evaluation"))
    folder = folder.resolve()
    for sentence in evaluation.sentences():
        out_console.print(f"- {sentence}", markup=False, soft_wrap=True)
    out_console.print(f"Evaluation: {folder}", markup=False)
    raise typer.Exit(EXIT_OK if evaluation.meets_hard_targets and evaluation.ldn_met else EXIT_NOT_OPTIMAL)


def export(
    scenario: ScenarioArg,
    variant: VariantOpt = None,
    set_: SetOpt = None,
    mps: Annotated[Path | None, typer.Option(help="Write the LP in MPS format to this file.")] = None,
    lp: Annotated[Path | None, typer.Option(help="Write the LP in CPLEX LP format to this file.")] = None,
    allow_outside: AllowOutsideOpt = False,
) -> None:
    """Write a scenario's LP as MPS and/or LP files (with readable names)."""
    from lup_opt.api import build
    from lup_opt.solve.export import write_model

    if mps is None and lp is None:
        err_console.print("Give --mps FILE and/or --lp FILE.", style="red")
        raise typer.Exit(EXIT_BAD_INPUT)
    loaded = load(scenario, variant, set_, allow_outside)
    with exit_on_bad_input(scenario):
        program = build(loaded).lp
    try:
        for path, suffix in ((mps, ".mps"), (lp, ".lp")):
            if path is None:
                continue
            if path.suffix.lower() != suffix:
                raise LupOptError(f"{path}: the file name must end in {suffix}")
            write_model(program, path)
            out_console.print(f"Wrote {path}", markup=False)
    except OSError as exc:
        err_console.print(f"{exc.filename or 'the model file'}: could not be written ({exc.strerror or exc})",
                          markup=False, style="red")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except LupOptError as exc:
        err_console.print(str(exc), markup=False, style="red")
        raise typer.Exit(EXIT_BAD_INPUT) from None
