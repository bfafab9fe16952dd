"""``lup-opt payoff | frontier | compromise | hierarchy | robust | alternatives``: trade-offs.

Objectives are written as ``NAME[:min|:max][@KEY=VALUE&...]`` (see
:mod:`lup_opt.tradeoffs.objectives`), several separated by commas.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from lup_opt.cli.common import (
    AllowOutsideOpt,
    OverwriteOpt,
    ScenarioArg,
    SetOpt,
    VariantOpt,
    check_out,
    default_out,
    exit_on_bad_input,
    exit_on_output_error,
    fail,
    load,
    out_console,
    overrides_hash,
    run_identity,
)
from lup_opt.enums import Normalization, OptimisticRule
from lup_opt.errors import LupOptError
from lup_opt.formatting import print_frame

TITLES = {"payoff": "Pay-off table", "frontier": "Frontier", "compromise": "Compromise", "weighted": "Weighted sum",
          "hierarchy": "Hierarchy", "robust": "Robust compromise", "alternatives": "Alternatives"}
ObjectivesOpt = Annotated[str, typer.Option("--objectives", "-o", help="Objectives, e.g. cost_kusd:min,cereal_t:max.")]
NormalizationOpt = Annotated[Normalization, typer.Option(help="payoff: ideal to nadir; range: ideal to anti-ideal.")]
OutOpt = Annotated[Path | None, typer.Option(help="Results folder (default: results/NAME[+VARIANTS]-METHOD@HASH, "
                                                 "HASH of the method's options).")]


def _tradeoffs():
    """lup_opt.tradeoffs, imported when a command runs (it loads the solver and matplotlib)."""
    from lup_opt import tradeoffs

    return tradeoffs


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _numbers(text: str, what: str) -> list[float]:
    try:
        return [float(part) for part in _names(text)]
    except ValueError:
        raise LupOptError(f"{what}: give numbers separated by commas, e.g. 0.01,0.05 (got '{text}')") from None


@contextmanager
def _trade_off_errors() -> Iterator[None]:
    try:
        yield
    except LupOptError as exc:
        fail(str(exc))


def _trade_off(scenario: Path, variant, set_, out: Path | None, method: str, work: Callable, *,
               overwrite: bool = False, allow_outside: bool = False, **args) -> None:
    """Load, check --out, run ``work`` and write its folder (the run: method and ``args``)."""
    loaded = load(scenario, variant, set_, allow_outside)
    run = run_identity(loaded, method, **{k: str(v) for k, v in args.items()})
    # The default name says what was run: two frontiers of other objectives get two folders.
    options = overrides_hash([f"{k}={v}" for k, v in sorted(args.items())])
    target = check_out(out or Path(f"{default_out(loaded)}-{method}@{options}"), loaded, run, overwrite)
    with exit_on_bad_input(scenario), _trade_off_errors():
        result = work(loaded)
    with exit_on_output_error():
        folder = result.write(target, protect=[loaded.folder], run=run, overwrite=overwrite)
    table = getattr(result, "table", None)
    if table is None:
        table = getattr(result, "points", None)
    if table is None:
        table = result.summary
    print_frame(out_console, table, title=TITLES.get(method, method))
    out_console.print(f"Results: {folder}", markup=False)


def payoff(scenario: ScenarioArg, objectives: ObjectivesOpt, variant: VariantOpt = None, set_: SetOpt = None,
           full_range: Annotated[bool, typer.Option(help="Also optimise each objective the other way (anti-ideal).")]
           = False, out: OutOpt = None, overwrite: OverwriteOpt = False,
           allow_outside: AllowOutsideOpt = False) -> None:
    """Pay-off table: each objective optimised alone, every objective's value there."""
    _trade_off(scenario, variant, set_, out, "payoff",
               lambda s: _tradeoffs().payoff(s, _names(objectives), full_range=full_range), overwrite=overwrite,
               allow_outside=allow_outside, objectives=objectives, full_range=full_range)


def frontier(scenario: ScenarioArg, objectives: ObjectivesOpt, variant: VariantOpt = None, set_: SetOpt = None,
             points: Annotated[int, typer.Option(help="Values of each bounded objective (a grid for three).", min=2)]
             = 11, normalization: NormalizationOpt = Normalization.PAYOFF,
             cold: Annotated[bool, typer.Option(help="Solve every point from scratch (for timing).")] = False,
             out: OutOpt = None, overwrite: OverwriteOpt = False, allow_outside: AllowOutsideOpt = False) -> None:
    """Epsilon-constraint frontier of two or three objectives, with its knee."""
    _trade_off(scenario, variant, set_, out, "frontier",
               lambda s: _tradeoffs().frontier_of(s, _names(objectives), points=points, normalization=normalization,
                                                  warm=not cold), overwrite=overwrite, allow_outside=allow_outside,
               objectives=objectives, points=points, normalization=normalization.value)


def compromise(scenario: ScenarioArg, objectives: ObjectivesOpt, variant: VariantOpt = None, set_: SetOpt = None,
               normalization: NormalizationOpt = Normalization.PAYOFF,
               weights: Annotated[str | None, typer.Option(help="Weights w1,w2,...: maximise the weighted sum of "
                                                          "normalised objectives instead of the smallest one.")]
               = None, out: OutOpt = None, overwrite: OverwriteOpt = False,
               allow_outside: AllowOutsideOpt = False) -> None:
    """The plan that best balances the objectives (max-min), or their weighted sum (--weights)."""
    if weights:
        _trade_off(scenario, variant, set_, out, "weighted",
                   lambda s: _tradeoffs().weighted(s, _names(objectives), _numbers(weights, "--weights"),
                                                   normalization=normalization), overwrite=overwrite,
                   allow_outside=allow_outside, objectives=objectives, weights=weights,
                   normalization=normalization.value)
    else:
        _trade_off(scenario, variant, set_, out, "compromise",
                   lambda s: _tradeoffs().compromise_of(s, _names(objectives), normalization=normalization),
                   overwrite=overwrite, allow_outside=allow_outside, objectives=objectives,
                   normalization=normalization.value)


def hierarchy(scenario: ScenarioArg, objectives: ObjectivesOpt,
              tolerances: Annotated[str, typer.Option(help="Relative tolerance of each objective but the last, "
                                                           "e.g. 0.01,0.05.")],
              variant: VariantOpt = None, set_: SetOpt = None, out: OutOpt = None, overwrite: OverwriteOpt = False,
              allow_outside: AllowOutsideOpt = False) -> None:
    """Objectives optimised in order, each keeping the earlier ones within their tolerance."""
    _trade_off(scenario, variant, set_, out, "hierarchy",
               lambda s: _tradeoffs().hierarchy(s, _names(objectives), _numbers(tolerances, "--tolerances")),
               overwrite=overwrite, allow_outside=allow_outside, objectives=objectives, tolerances=tolerances)


def robust(scenario: ScenarioArg,
           uncertainty: Annotated[Path, typer.Option(help="CSV: indicator, use, mean, se[, direction more|less].")],
           variant: VariantOpt = None, set_: SetOpt = None,
           level: Annotated[float, typer.Option(help="Uncertainty level u: outcomes at mean +/- u x se.", min=0)] = 1.0,
           period: Annotated[int | None, typer.Option(help="Planning year of the composition (default: LDN "
                                                           "target year).")] = None,
           optimistic_rule: Annotated[OptimisticRule, typer.Option(
               help="A use's high outcome (optimLanduse's optimisticRule): uncertainty_adjusted, mean + u x se; "
                    "expectation, the mean (only downside risks count).")] = OptimisticRule.UNCERTAINTY_ADJUSTED,
           out: OutOpt = None, overwrite: OverwriteOpt = False, allow_outside: AllowOutsideOpt = False) -> None:
    """Robust compromise under uncertainty (Knoke et al. 2016): the best worst-case achievement."""
    if not uncertainty.is_file():
        fail(f"{uncertainty}: file not found")
    _trade_off(scenario, variant, set_, out, "robust",
               lambda s: _tradeoffs().robust(s, uncertainty, level=level, period=period,
                                             optimistic_rule=optimistic_rule),
               overwrite=overwrite, allow_outside=allow_outside, uncertainty=uncertainty.resolve(), level=level,
               period=period, optimistic_rule=optimistic_rule.value)


def alternatives(scenario: ScenarioArg, variant: VariantOpt = None, set_: SetOpt = None,
                 slack: Annotated[float, typer.Option(help="How much worse than the optimum (0.05: 5 %).", min=0)]
                 = 0.05,
                 count: Annotated[int, typer.Option(help="Number of alternatives.", min=1)] = 3,
                 out: OutOpt = None, overwrite: OverwriteOpt = False, allow_outside: AllowOutsideOpt = False) -> None:
    """Plans within a slack of the optimum that differ most from it and from each other."""
    _trade_off(scenario, variant, set_, out, "alternatives",
               lambda s: _tradeoffs().alternatives(s, slack=slack, count=count), overwrite=overwrite,
               allow_outside=allow_outside, slack=slack, count=count)
