"""What the ``lup-opt`` commands share: exit codes, consoles, option types, loading a scenario,
checking ``--out`` before any work, and turning errors into messages and exit codes.

Exit codes: 0 solved to optimality (or input valid); 1 the scenario is infeasible or unbounded,
hit the time limit, or the solver failed; 2 the input is wrong (the message says where) or the
checks before solving proved that it cannot be solved.

The solver, Pyomo, scipy, pandas and matplotlib are imported inside the commands that use them:
``lup-opt --help`` and ``--version`` answer at once (tests/test_cli_startup.py).
"""

from __future__ import annotations

import hashlib
import json
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console

from lup_opt.errors import OutputError, ScenarioError
from lup_opt.safe_paths import output_target

if TYPE_CHECKING:
    from lup_opt.scenario.scenario import Scenario

EXIT_OK, EXIT_NOT_OPTIMAL, EXIT_BAD_INPUT = 0, 1, 2

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
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")]


def _terminate(signum, frame) -> None:
    raise SystemExit(128 + signum)


def exit_cleanly_on_sigterm() -> None:
    """SIGTERM raises SystemExit, so that a write under way removes its temporary folder."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) in (
            signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, _terminate)


def fail(message: str) -> NoReturn:
    """Print ``message`` as an error and exit 2."""
    err_console.print(message, style="red", markup=False, soft_wrap=True)
    raise typer.Exit(EXIT_BAD_INPUT)


@contextmanager
def exit_on_output_error(label: str = "--out") -> Iterator[None]:
    """An output that cannot be used (OutputError), or a write the system refuses (OSError): exit 2."""
    try:
        yield
    except OutputError as exc:
        fail(str(exc))
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        fail(f"{label}{where}: could not be written ({exc.strerror or exc}); nothing was replaced")


@contextmanager
def exit_on_bad_input(scenario: Path, subject: str | None = None) -> Iterator[None]:
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


def load(scenario: Path, variant: list[str] | None, overrides: list[str] | None,
         allow_outside: bool = False) -> Scenario:
    """The scenario with its variants and ``--set`` overrides; bad input exits 2."""
    from lup_opt.scenario import load_scenario

    with exit_on_bad_input(scenario):
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


def default_out(scenario: Scenario) -> Path:
    return Path("results") / run_name(scenario)


def run_identity(scenario: Scenario, command: str, **extra: Any) -> dict[str, Any]:
    """The identity of a run, stored in its manifest: a folder holding another is not replaced."""
    return {"command": command, "scenario": scenario.name, "variants": list(scenario.variants),
            "overrides": list(scenario.overrides), **extra}


def check_out(folder: Path, scenario: Scenario, run: dict[str, Any], overwrite: bool) -> Path:
    """Refuse (exit 2) an --out that may not be written, before any work is done."""
    with exit_on_output_error():
        output_target(folder, protect=[scenario.folder], run=run, overwrite=overwrite)
    return folder
