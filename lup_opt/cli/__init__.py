"""The ``lup-opt`` command line: ``app`` and the commands registered on it.

Each command lives in a module of its kind (:mod:`.solve`, :mod:`.results`, :mod:`.tradeoffs`),
which imports only what the commands share (:mod:`.common`), never another command module;
this module registers them, in the order ``lup-opt --help`` lists them. Exit codes are in
:mod:`.common`.
"""

from __future__ import annotations

import logging
from typing import Annotated

import typer
from rich.logging import RichHandler

from lup_opt.cli import data, results, solve, tradeoffs, webapp
from lup_opt.cli.common import EXIT_OK, err_console, exit_cleanly_on_sigterm, out_console

app = typer.Typer(
    help="Integrated land-use planning with Land Degradation Neutrality (LP, HiGHS).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

COMMANDS = (
    data.init, data.template,
    solve.validate, solve.solve, solve.explain, solve.evaluate, solve.export,
    results.report, results.compare, results.excel, results.sweep, results.grid, data.baseline,
    tradeoffs.payoff, tradeoffs.frontier, tradeoffs.compromise, tradeoffs.hierarchy, tradeoffs.robust,
    tradeoffs.alternatives,
    webapp.app,
)
for command in COMMANDS:
    app.command()(command)


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
    # The CLI configures the lup_opt logger only; the library never touches the root logger.
    handler = RichHandler(console=err_console, show_path=False, show_time=False)
    package_logger = logging.getLogger("lup_opt")
    package_logger.handlers[:] = [handler]
    package_logger.setLevel(logging.INFO if verbose else logging.WARNING)
    package_logger.propagate = False
    exit_cleanly_on_sigterm()


__all__ = ["app"]
