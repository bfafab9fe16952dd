"""The ``lup-opt`` command line.

Exit codes: 0 solved to optimality (or input valid); 1 the scenario is infeasible or unbounded,
hit the time limit, or the solver failed; 2 the input is wrong (the message says where) or the
checks before solving proved that it cannot be solved.
"""

from __future__ import annotations

import hashlib
import json
import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape

from lup_opt.enums import Backend, Culling, PlanningMode, SolverMethod, TableFormat
from lup_opt.errors import LupOptError, OutputError, ScenarioError
from lup_opt.safe_paths import output_target

# The solver, Pyomo, scipy, pandas and matplotlib are imported inside the commands that use them:
# ``lup-opt --help`` and ``--version`` answer at once (tests/test_cli_startup.py).
if TYPE_CHECKING:
    from lup_opt.results.result import Result
    from lup_opt.scenario.scenario import Scenario

EXIT_OK, EXIT_NOT_OPTIMAL, EXIT_BAD_INPUT = 0, 1, 2

app = typer.Typer(
    help="Integrated land-use planning with Land Degradation Neutrality (LP, HiGHS).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# No emoji codes (``plot:x:3`` stays as written) and, where a message quotes user text, no markup.
out_console = Console(emoji=False)
err_console = Console(stderr=True, emoji=False)

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario folder (or its scenario.yaml).")]
VariantOpt = Annotated[
    list[str] | None, typer.Option("--variant", "-v", help="Variant(s) to apply in order: a,b or repeated.")
]
SetOpt = Annotated[
    list[str] | None, typer.Option("--set", "-s", help="One-off override key=value, e.g. ldn.scope=jurisdiction.")
]
OverwriteOpt = Annotated[bool, typer.Option("--overwrite", help="Replace an existing results folder of another "
                                                                "run (never a folder lup_opt did not write).")]
AllowOutsideOpt = Annotated[bool, typer.Option("--allow-outside", help="Read tables named outside the scenario "
                                                                       "folder (refused by default).")]


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        out_console.print(f"lup-opt {version('lup_opt')}", markup=False, highlight=False)
        raise typer.Exit(EXIT_OK)


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", help="Log each stage with timings.")] = False,
    show_version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                               help="Print the version and exit.")] = False,
) -> None:
    handler = RichHandler(console=err_console, show_path=False, show_time=False)
    package_logger = logging.getLogger("lup_opt")
    package_logger.handlers[:] = [handler]
    package_logger.setLevel(logging.INFO if verbose else logging.WARNING)
    package_logger.propagate = False
    _exit_cleanly_on_sigterm()


def _terminate(signum, frame) -> None:
    raise SystemExit(128 + signum)


def _exit_cleanly_on_sigterm() -> None:
    """SIGTERM raises SystemExit, so that a write under way removes its temporary folder."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) in (
            signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, _terminate)


@contextmanager
def _exit_on_output_error(label: str = "--out") -> Iterator[None]:
    """An output that cannot be used (OutputError), or a write the system refuses (OSError): exit 2."""
    try:
        yield
    except OutputError as exc:
        err_console.print(str(exc), style="red", markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        err_console.print(f"{label}{where}: could not be written ({exc.strerror or exc}); nothing was replaced",
                          style="red", markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


@contextmanager
def _exit_on_bad_input(scenario: Path, subject: str | None = None) -> Iterator[None]:
    """Report a ScenarioError issue by issue and exit with code 2."""
    try:
        yield
    except ScenarioError as exc:
        from lup_opt.diagnose.findings import PrecheckError

        proven = isinstance(exc, PrecheckError)
        lead = "cannot be solved as written (found before solving)" if proven else "cannot be used as written"
        err_console.print(f"{subject or f'Scenario {scenario}'} {lead}:", style="bold red", markup=False,
                          soft_wrap=True)
        for issue in exc.issues:
            err_console.print(f"  - {issue}", markup=False, soft_wrap=True)
        if proven:
            err_console.print(f"Run `lup-opt explain {scenario}` for what to relax.", markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _load(scenario: Path, variant: list[str] | None, overrides: list[str] | None,
          allow_outside: bool = False) -> Scenario:
    from lup_opt.scenario import load_scenario

    with _exit_on_bad_input(scenario):
        return load_scenario(scenario, variants=variant or [], overrides=overrides or [],
                             allow_outside=allow_outside)


def overrides_hash(overrides: tuple[str, ...] | list[str]) -> str:
    """A short hash of ``--set`` overrides, as in default folder names (``@`` + 6 hex digits)."""
    return hashlib.sha256(json.dumps(list(overrides)).encode("utf-8")).hexdigest()[:6]


def run_name(scenario: Scenario) -> str:
    """What was run, as a folder name: ``NAME[+VARIANT...][@HASH of the --set overrides]``."""
    suffix = "".join(f"+{v}" for v in scenario.variants)
    if scenario.overrides:
        suffix += f"@{overrides_hash(scenario.overrides)}"
    return f"{scenario.folder.name}{suffix}"


def _default_out(scenario: Scenario) -> Path:
    return Path("results") / run_name(scenario)


def _run(scenario: Scenario, command: str, **extra) -> dict:
    """The identity of a run, stored in its manifest: a folder holding another is not replaced."""
    from lup_opt.results.result import run_of

    return run_of({"scenario": {"name": scenario.name, "variants": list(scenario.variants),
                                "overrides": list(scenario.overrides)}}, command, **extra)


def _move_up(folder: Path) -> None:
    """Move what a writer put in ``folder`` into its parent (a temporary folder of the protocol)."""
    for entry in folder.iterdir():
        entry.rename(folder.parent / entry.name)
    folder.rmdir()


def _check_out(folder: Path, scenario: Scenario, run: dict, overwrite: bool) -> Path:
    """Refuse (exit 2) an --out that may not be written, before any work is done."""
    with _exit_on_output_error():
        output_target(folder, protect=[scenario.folder], run=run, overwrite=overwrite)
    return folder


@app.command()
def validate(scenario: ScenarioArg, variant: VariantOpt = None, set_: SetOpt = None,
             allow_outside: AllowOutsideOpt = False) -> None:
    """Check a scenario's files and build its model without solving."""
    from lup_opt.api import build
    from lup_opt.diagnose.prechecks import run_checks

    loaded = _load(scenario, variant, set_, allow_outside)
    with _exit_on_bad_input(scenario):
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


@app.command()
def solve(
    scenario: ScenarioArg,
    variant: VariantOpt = None,
    set_: SetOpt = None,
    out: Annotated[Path | None, typer.Option(help="Results folder (default: results/NAME[+VARIANTS]).")] = None,
    time_limit: Annotated[float | None, typer.Option(help="Seconds HiGHS may run.", min=0.001)] = None,
    threads: Annotated[int | None, typer.Option(help="Threads for HiGHS.", min=1)] = None,
    backend: Annotated[Backend, typer.Option(help="highspy (fast) or pyomo (Pyomo model).")] = Backend.HIGHSPY,
    method: Annotated[SolverMethod, typer.Option(help="HiGHS LP method.")] = SolverMethod.IPM,
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
) -> None:
    """Solve a scenario and write its results folder."""
    from lup_opt.api import solve as solve_scenario

    with err_console.status("Loading the scenario", spinner="dots") if not (quiet or as_json) else nullcontext() as status:
        loaded = _load(scenario, variant, set_, allow_outside)
        target = _check_out(out or _default_out(loaded), loaded, _run(loaded, "solve"), overwrite)
        if status is not None:
            status.update(f"Building and solving {escape(loaded.name)} ({len(loaded.units):,} land units)")
        with _exit_on_bad_input(scenario):
            result = solve_scenario(
                loaded, backend=backend, method=method, time_limit=time_limit, threads=threads,
                checks=checks, diagnose=diagnose, mode=mode, crossover=crossover, merge_alike=merge_alike,
                culling=culling,
            )
        if status is not None:
            status.update("Writing the results" + (" and the report" if report else ""))
        with _exit_on_output_error():
            folder = result.write(target, table_format, report, overwrite=overwrite)
    _print(result, folder, quiet=quiet, as_json=as_json)
    raise typer.Exit(EXIT_OK if result.is_optimal else EXIT_NOT_OPTIMAL)


def _print(result: Result, folder: Path, *, quiet: bool, as_json: bool) -> None:
    if as_json:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        out_console.print_json(json.dumps(manifest))
    elif not quiet:
        from lup_opt.summary import print_summary

        print_summary(result, out_console, folder=str(folder))
    if not result.is_optimal and quiet:
        err_console.print(f"{result.status.value}: {result.message}", markup=False)


@app.command()
def explain(
    scenario: ScenarioArg,
    variant: VariantOpt = None,
    set_: SetOpt = None,
    out: Annotated[Path | None, typer.Option(help="Folder for diagnosis.md/.json (default: results/NAME[+VARIANTS]-explain).")] = None,
    fewest: Annotated[bool, typer.Option("--fewest", help="Among the smallest relaxations, relax the fewest targets (a small MIP).")] = False,
    time_limit: Annotated[float | None, typer.Option(help="Seconds HiGHS may run per solve.", min=0.001)] = None,
    threads: Annotated[int | None, typer.Option(help="Threads for HiGHS.", min=1)] = None,
    method: Annotated[SolverMethod, typer.Option(help="HiGHS LP method.")] = SolverMethod.IPM,
    overwrite: OverwriteOpt = False,
    allow_outside: AllowOutsideOpt = False,
) -> None:
    """Explain why a scenario cannot be solved and what to relax (exit 1), or confirm it can (exit 0)."""
    from lup_opt.api import explain as explain_scenario
    from lup_opt.results.result import atomic_folder, write_diagnosis

    loaded = _load(scenario, variant, set_, allow_outside)
    run = _run(loaded, "explain", fewest=fewest)
    folder = _check_out(out or Path(f"{_default_out(loaded)}-explain"), loaded, run, overwrite)
    with _exit_on_bad_input(scenario):
        diagnosis = explain_scenario(loaded, method=method, time_limit=time_limit, threads=threads, fewest=fewest)
    with _exit_on_output_error(), atomic_folder(folder, protect=[loaded.folder], run=run,
                                                overwrite=overwrite) as tmp:
        write_diagnosis(diagnosis, tmp)
    for sentence in diagnosis.sentences():
        out_console.print(f"- {sentence}", markup=False, soft_wrap=True)
    out_console.print(f"Diagnosis: {folder.resolve()}", markup=False)
    raise typer.Exit(EXIT_OK if diagnosis.feasible else EXIT_NOT_OPTIMAL)


@app.command()
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

    loaded = _load(scenario, variant, set_, allow_outside)
    run = _run(loaded, "evaluate", plan=plan, compare=compare)
    plan_name = "" if plan == "baseline" else f"-{Path(plan).stem}"
    folder = _check_out(out or Path(f"{_default_out(loaded)}-evaluation{plan_name}"), loaded, run, overwrite)
    subject = None if plan == "baseline" else f"Plan {plan} (for scenario {scenario})"
    with _exit_on_bad_input(scenario, subject):
        evaluation = evaluate_plan(loaded, plan, compare=compare)
    with _exit_on_output_error(), atomic_folder(folder, protect=[loaded.folder], run=run,
                                                overwrite=overwrite) as tmp:
        _move_up(evaluation.write(tmp / "evaluation"))
    folder = folder.resolve()
    for sentence in evaluation.sentences():
        out_console.print(f"- {sentence}", markup=False, soft_wrap=True)
    out_console.print(f"Evaluation: {folder}", markup=False)
    raise typer.Exit(EXIT_OK if evaluation.meets_hard_targets and evaluation.ldn_met else EXIT_NOT_OPTIMAL)


@app.command()
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
    loaded = _load(scenario, variant, set_, allow_outside)
    with _exit_on_bad_input(scenario):
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


# Trade-off commands (payoff, frontier, compromise, hierarchy, robust, alternatives) register on app.
from lup_opt import cli_results, cli_tradeoffs  # noqa: F401

if __name__ == "__main__":  # pragma: no cover
    app()
