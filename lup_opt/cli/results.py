"""``lup-opt report | compare | excel | sweep | grid``: looking at results, running ensembles and
making grid scenarios."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from lup_opt.cli.common import (
    EXIT_NOT_OPTIMAL,
    AllowOutsideOpt,
    JsonOpt,
    OverwriteOpt,
    QuietOpt,
    ScenarioArg,
    SetOpt,
    check_out,
    err_console,
    exit_on_bad_input,
    exit_on_output_error,
    fail,
    load,
    out_console,
    run_identity,
    run_name,
)
from lup_opt.errors import LupOptError
from lup_opt.formatting import print_frame


def report(results: Annotated[Path, typer.Argument(help="A results folder: of lup-opt solve or evaluate, a trade-off "
                                                        "folder or one of its plans/<plan>, a sweep's runs/<run>.")],
           plans: Annotated[bool, typer.Option("--plans", help="Also the report of every plan folder under "
                                                                "plans/ (a trade-off folder).")] = False) -> None:
    """Rebuild report.html and figures/ of a results folder."""
    from lup_opt.report import build_report
    from lup_opt.report.plan_folder import PLANS
    from lup_opt.results.manifest import MANIFEST, read_manifest
    from lup_opt.safe_paths import writing_into

    try:
        read_manifest(results)
    except LupOptError:
        fail(f"{results}: not a lup_opt results folder (no {MANIFEST} saying lup_opt wrote it); nothing written")
    # The plans first: the trade-off report links to the plan reports there are.
    folders = [*(sorted(p.parent for p in (results / PLANS).glob(f"*/{MANIFEST}")) if plans else []), results]
    for folder in folders:
        try:
            with exit_on_output_error(str(folder)), writing_into(results):
                path = build_report(folder)
        except (FileNotFoundError, LupOptError, ValueError, KeyError) as exc:
            fail(f"{folder}: the report cannot be built ({type(exc).__name__}: {str(exc)[:160]})")
        out_console.print(f"Report: {path}", markup=False)


def compare(
    first: Annotated[Path, typer.Argument(help="Results folder A, or a scenario folder with --variant.")],
    second: Annotated[Path | None, typer.Argument(help="Results folder B.")] = None,
    variant: Annotated[list[str] | None, typer.Option("--variant", "-v", help="Compare this variant of the "
                                                      "scenario FIRST with its base (both solved).")] = None,
    set_: SetOpt = None,
    out: Annotated[Path | None, typer.Option(help="Folder for the tables and chart (with a scenario: also the two "
                                                   "runs, in a/ and b/).")] = None,
    quiet: QuietOpt = False, as_json: JsonOpt = False,
    overwrite: OverwriteOpt = False,
    allow_outside: AllowOutsideOpt = False,
    fresh: Annotated[bool, typer.Option("--fresh", help="With --variant: solve both runs again even when "
                                                        "results/NAME holds them, solved with the same options.")]
    = False,
) -> None:
    """Differences of B against A: allocation by jurisdiction and use, indicators, LDN balance, objective."""
    from lup_opt.compare import compare_runs
    from lup_opt.results.result import atomic_folder

    if second is None:
        folder = _compare_variant(first, variant, set_, out, overwrite, allow_outside, fresh)
        comparison = compare_runs(folder / "a", folder / "b")
    else:
        try:
            comparison = compare_runs(first, second)
        except LupOptError as exc:
            fail(str(exc))
        protect = [p for p in (first, second)]
        run = {"command": "compare", "a": str(Path(first).resolve()), "b": str(Path(second).resolve())}
        target = out or Path("results") / f"compare-{Path(first).resolve().name}-vs-{Path(second).resolve().name}"
        with exit_on_output_error(), atomic_folder(target, protect=protect, run=run, overwrite=overwrite) as tmp:
            comparison.write_into(tmp)
        folder = target.resolve()
    if as_json:
        out_console.print_json(json.dumps({"a": comparison.a, "b": comparison.b, "folder": str(folder),
                                           "summary": comparison.summary.to_dict(orient="records")}))
    elif not quiet:
        out_console.print(f"B: {comparison.b}  against  A: {comparison.a}", markup=False)
        print_frame(out_console, comparison.summary, title="B against A")
        top = comparison.allocation.reindex(comparison.allocation["difference_ha"].abs()
                                            .sort_values(ascending=False).index).head(10)
        print_frame(out_console, top, title="Largest changes of allocation (ha)")
        out_console.print(f"Tables and chart: {folder}", markup=False)


def _compare_variant(scenario: Path, variant, set_, out: Path | None, overwrite: bool, allow_outside: bool,
                     fresh: bool = False) -> Path:
    """Solve the base and the variant of ``scenario`` into ``a/`` and ``b/`` of the comparison
    folder (no other results folder is touched), then compare them there."""
    from lup_opt.api import solve as solve_scenario
    from lup_opt.compare import compare_runs
    from lup_opt.results.result import atomic_folder, fill_results
    from lup_opt.reuse import reuse_key, stamped, stored_result

    if not variant and not set_:
        fail("Give two results folders, or a scenario folder with --variant NAME (or --set KEY=VALUE).")
    base, changed = load(scenario, [], [], allow_outside), load(scenario, variant, set_, allow_outside)
    run = run_identity(changed, "compare")
    # "-solved": both runs are solved here, so it is another run than comparing two folders of
    # the same names (and must not meet that one's folder).
    name = f"compare-{run_name(base)}-vs-{run_name(changed)}-solved"
    target = check_out(out or Path("results") / name, changed, run, overwrite)
    results = []
    for loaded in (base, changed):
        # A run solved before by lup-opt solve (its default folder, same scenario hash and options) is reused.
        key = reuse_key(loaded, "solve")
        reused = None if fresh else stored_result(Path("results") / run_name(loaded), key)
        if reused is not None:
            err_console.print(f"Reused results/{run_name(loaded)} (--fresh solves again)", markup=False)
        with exit_on_bad_input(scenario):
            results.append(reused if reused is not None else stamped(solve_scenario(loaded), key))
        if not results[-1].is_optimal:
            err_console.print(f"{run_name(loaded)}: {results[-1].status.value}, nothing to compare; nothing written",
                              markup=False)
            raise typer.Exit(EXIT_NOT_OPTIMAL)
    with exit_on_output_error(), atomic_folder(target, protect=[changed.folder], run=run,
                                                overwrite=overwrite) as tmp:
        for name, result in zip(("a", "b"), results, strict=True):
            (tmp / name).mkdir()
            fill_results(result, tmp / name, report=False)
        try:
            comparison = compare_runs(tmp / "a", tmp / "b")
        except LupOptError as exc:
            fail(str(exc))
        comparison.write_into(tmp)
    return target.resolve()


def excel(results: Annotated[Path, typer.Argument(help="A results folder.")],
          out: Annotated[Path | None, typer.Option(help="Workbook path (default: RESULTS/results.xlsx).")] = None,
          overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace a workbook of that name outside the "
                                                                      "results folder.")] = False,
          ) -> None:
    """Export a results folder to one Excel workbook, one sheet per table."""
    from lup_opt.excel import export_excel

    try:
        with exit_on_output_error():
            path = export_excel(results, out, overwrite=overwrite)
    except LupOptError as exc:
        fail(str(exc))
    out_console.print(f"Workbook: {path}", markup=False)


def sweep(
    scenario: ScenarioArg,
    grid: Annotated[list[str] | None, typer.Option(help="KEY=V1,V2,...: every combination is run.")] = None,
    range_: Annotated[list[str] | None, typer.Option("--range", help="KEY=LOW:HIGH, sampled with --samples.")]
    = None,
    samples: Annotated[int | None, typer.Option(help="Latin-hypercube samples of the --range keys.", min=1)] = None,
    seed: Annotated[int, typer.Option(help="Seed of the samples (same seed, same runs).")] = 0,
    variant: Annotated[list[str] | None, typer.Option("--variant", "-v", help="Variant(s) under every run.")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes of the local Dask cluster.", min=1)] = 2,
    scheduler: Annotated[str | None, typer.Option(help="Address of an existing Dask scheduler, "
                                                       "e.g. tcp://10.0.0.5:8786.")] = None,
    out: Annotated[Path | None, typer.Option(help="Sweep folder (default: results/NAME[+VARIANTS]-sweep); an "
                                                   "existing sweep of the same scenario is appended to.")] = None,
    quiet: QuietOpt = False, as_json: JsonOpt = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Start afresh in a sweep folder of another "
                                                                "scenario.")] = False,
    threads: Annotated[int, typer.Option(help="Solver threads per run; workers x threads never exceed the "
                                              "cores (fewer workers, with a warning).", min=1)] = 1,
    plan_only: Annotated[bool, typer.Option("--plan-only", help="Write the run plan (runplan.csv, runplan.txt: one "
                                                                "line per run) and solve nothing.")] = False,
    slurm: Annotated[bool, typer.Option("--slurm", help="With the plan, a SLURM job-array script (sweep.slurm).")]
    = False,
    pbs: Annotated[bool, typer.Option("--pbs", help="With the plan, a PBS job-array script (sweep.pbs).")] = False,
    job_minutes: Annotated[int, typer.Option(help="Wall time of one task of the job array, in minutes.", min=1)]
    = 60,
) -> None:
    """Run many variants of a scenario on Dask; finished runs are kept and skipped on a rerun. With
    --plan-only (or --slurm / --pbs) write a resumable run plan for a cluster's job array instead."""
    from lup_opt import sweep as sweeps

    planning = plan_only or slurm or pbs
    try:
        if slurm and pbs:
            raise LupOptError("give --slurm or --pbs, not both")
        if not planning:
            sweeps.require_dask()
        fixed = sweeps.parse_grid(grid or [])
        if range_ or samples:
            if not (range_ and samples):
                raise LupOptError("--range and --samples go together")
            runs = sweeps.sample_runs(sweeps.parse_ranges(range_), samples, seed, fixed)
        elif fixed:
            runs = sweeps.grid_runs(fixed)
        else:
            raise LupOptError("give --grid KEY=V1,V2,... and/or --range KEY=LOW:HIGH with --samples N")
    except LupOptError as exc:
        fail(str(exc))
    # The first run must load before any worker starts: a misspelt key fails here, once.
    first = load(scenario, variant, [f"{key}={value}" for key, value in runs[0].items()])
    suffix = "".join(f"+{v}" for v in first.variants)
    folder = out or Path("results") / f"{first.folder.name}{suffix}-sweep"
    try:
        with exit_on_output_error():
            folder = sweeps.open_sweep_folder(folder, scenario, variant or [], overwrite)
    except LupOptError as exc:
        fail(str(exc))
    if planning:
        _write_run_plan(folder, scenario, runs, variant or [], threads, "slurm" if slurm else "pbs" if pbs else None,
                        job_minutes, quiet)
        return
    with Progress(TextColumn("sweep"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=err_console, disable=quiet or as_json) as progress:
        task = progress.add_task("", total=len(runs))

        def done(row: dict) -> None:
            progress.update(task, advance=1, description=f"{row['run_id']}: {row['status']}")

        progress.update(task, completed=sum(1 for r in runs if (Path(folder) / sweeps.RUNS / sweeps.run_id(r) /
                                                                "manifest.json").exists()))
        with exit_on_output_error():
            result = sweeps.sweep(scenario, runs, folder, variants=variant or [], workers=workers,
                                  scheduler=scheduler, on_done=done, threads=threads)
    if as_json:
        out_console.print_json(json.dumps({"folder": str(result.folder), "runs": len(result.table),
                                           "executed": list(result.executed), "skipped": list(result.skipped),
                                           "failed": result.failed["run_id"].tolist()}))
    elif not quiet:
        print_frame(out_console, _without_empty_columns(result.table), title="Sweep")
        out_console.print(f"{len(result.executed)} run(s) solved, {len(result.skipped)} already done, "
                          f"{len(result.failed)} failed; table: {result.folder / sweeps.TABLE}", markup=False)
    raise typer.Exit(EXIT_NOT_OPTIMAL if len(result.failed) else 0)


def _write_run_plan(folder: Path, scenario: Path, runs, variants, threads: int, scheduler: str | None,
                    minutes: int, quiet: bool) -> None:
    """The run plan (and job-array script) in the sweep folder; nothing solved."""
    from lup_opt import sweep as sweeps
    from lup_opt.runplan import write_plan

    try:
        with exit_on_output_error():
            plan = write_plan(folder, scenario, [(sweeps.run_id(r), r) for r in runs], variants=variants,
                              threads=threads, scheduler=scheduler, name=f"lup-opt-{Path(folder).name}",
                              time_limit_minutes=minutes)
    except LupOptError as exc:
        fail(str(exc))
    if not quiet:
        out_console.print(f"Run plan: {plan.runs} runs in {plan.lines} (table {plan.table})", markup=False)
        if plan.script is not None:
            submit = "sbatch" if scheduler == "slurm" else "qsub"
            out_console.print(f"Submit: {submit} {plan.script}; then the same lup-opt sweep command without "
                              "--plan-only/--slurm/--pbs collects the runs into sweep.csv, sweep.nc and "
                              "sweep_iamc.csv", markup=False, soft_wrap=True)


def _without_empty_columns(table):
    """The sweep table as printed: a column empty in every run (no error, say) is left out."""
    empty = [c for c in table.columns if table[c].isna().all() or table[c].astype(str).str.strip().eq("").all()]
    return table.drop(columns=empty)


TifOpt = Annotated[Path | None, typer.Option(help="GeoTIFF, aligned with the others.")]


def grid(
    template: Annotated[Path, typer.Argument(help="Scenario folder whose uses, coefficients, targets... are used.")],
    land_cover: Annotated[Path, typer.Option(help="GeoTIFF of baseline land cover (codes in the legend).")],
    jurisdiction: Annotated[Path, typer.Option(help="GeoTIFF of jurisdictions.")],
    land_type: Annotated[Path, typer.Option(help="GeoTIFF of land types.")],
    zone: Annotated[Path, typer.Option(help="GeoTIFF of zones (urban, peri_urban, rural).")],
    legend: Annotated[Path, typer.Option(help="CSV: layer, code, value.")],
    out: Annotated[Path, typer.Option(help="The new scenario folder.")],
    climate: Annotated[str | None, typer.Option(help="One IPCC climate zone for every cell.")] = None,
    climate_raster: TifOpt = None,
    baseline_status: TifOpt = None,
) -> None:
    """Make a grid scenario from GeoTIFF rasters (one land unit per cell); its solves also write GeoTIFFs."""
    from lup_opt.raster import scenario_from_rasters

    rasters = {"land_cover": land_cover, "jurisdiction": jurisdiction, "land_type": land_type, "zone": zone}
    if climate_raster is not None:
        rasters["climate"] = climate_raster
    if baseline_status is not None:
        rasters["baseline_status"] = baseline_status
    try:
        folder = scenario_from_rasters(template, rasters, legend, out, climate)
    except LupOptError as exc:
        fail(str(exc))
    loaded = load(folder, [], [])
    out_console.print(f"Scenario {folder}: {len(loaded.units):,} land units from the rasters", markup=False)
