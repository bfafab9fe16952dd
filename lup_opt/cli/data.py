"""``lup-opt init | template | baseline``: a planner's own data in, a new scenario folder or an Excel workbook out.

Also ``lup-opt baseline``: LDN baseline status from Trends.Earth rasters (:mod:`lup_opt.trends_earth`).

Exit codes (:mod:`.common`): 0 written (and the new scenario loads); 2 bad input (a missing field,
an invalid outline, mixed CRS, a folder or workbook that exists, a missing extra) and nothing written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lup_opt.cli.common import exit_on_bad_input, exit_on_output_error, fail, load, out_console
from lup_opt.errors import LupOptError


def init(
    folder: Annotated[Path, typer.Argument(help="The new scenario folder (must not exist, or be empty).")],
    parcels: Annotated[Path | None, typer.Option(help="Parcel layer (GeoPackage, Shapefile): one land unit "
                                                      "per parcel.")] = None,
    id_: Annotated[str | None, typer.Option("--id", help="Parcel field holding a unique id (with --parcels).")]
    = None,
    jurisdiction: Annotated[str | None, typer.Option(help="Field holding the jurisdiction (with --parcels).")]
    = None,
    zone: Annotated[str | None, typer.Option(help="Field holding the zone: urban, peri_urban or rural "
                                                  "(default: every parcel rural).")] = None,
    land_type: Annotated[str | None, typer.Option(help="Field holding the land type (default: one, 'all').")]
    = None,
    use: Annotated[str | None, typer.Option(help="Field holding the baseline use (default: every parcel crop).")]
    = None,
    layer: Annotated[str | None, typer.Option(help="Layer of the parcel file (default: its first).")] = None,
    rasters: Annotated[list[str] | None, typer.Option(help="LAYER=FILE.tif, repeated: land_cover, jurisdiction, "
                                                           "land_type (zone, climate, baseline_status optional); "
                                                           "one land unit per cell.")] = None,
    legend: Annotated[Path | None, typer.Option(help="CSV layer, code, value of the raster codes (with "
                                                     "--rasters).")] = None,
    climate: Annotated[str, typer.Option(help="IPCC climate zone of every land unit.")] = "tropical_dry",
) -> None:
    """Write a new scenario folder: a small commented one that solves as written, or one built from
    a parcel layer (--parcels) or rasters (--rasters), with default uses and coefficients to edit."""
    from lup_opt import init_scenario

    try:
        with exit_on_output_error("init"):
            if parcels is not None and rasters:
                raise LupOptError("give --parcels or --rasters, not both")
            if parcels is not None:
                missing = [name for name, value in (("--id", id_), ("--jurisdiction", jurisdiction)) if not value]
                if missing:
                    raise LupOptError(f"--parcels needs {' and '.join(missing)} FIELD (the parcel layer's fields)")
                init_scenario.init_from_parcels(folder, parcels, id_field=id_, jurisdiction=jurisdiction, zone=zone,
                                                land_type=land_type, use=use, layer=layer, climate=climate)
            elif rasters:
                if legend is None:
                    raise LupOptError("--rasters needs --legend legend.csv (columns layer, code, value)")
                init_scenario.init_from_rasters(folder, _layers(rasters), legend, climate)
            else:
                init_scenario.init_starter(folder)
    except LupOptError as exc:
        fail(str(exc))
    loaded = load(folder, [], [])
    out_console.print(f"Scenario {folder}: {len(loaded.units):,} land units, {len(loaded.uses)} uses. Edit "
                      f"{folder / 'scenario.yaml'} and the tables, then: lup-opt solve {folder}", markup=False)


def _layers(items: list[str]) -> dict[str, str]:
    layers = {}
    for item in items:
        name, equals, path = item.partition("=")
        if not equals or not name.strip() or not path.strip():
            raise LupOptError(f"--rasters '{item}': write LAYER=FILE.tif, e.g. land_cover=lc.tif")
        layers[name.strip()] = path.strip()
    return layers


def template(
    folder: Annotated[Path, typer.Argument(help="Folder for scenario.xlsx (made when missing).")],
    scenario: Annotated[Path | None, typer.Option(help="Scenario folder to fill the workbook from (default: the "
                                                       "starter of lup-opt init).")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing scenario.xlsx.")] = False,
) -> None:
    """Write scenario.xlsx: one sheet per table, headers with units, lists of the valid uses,
    jurisdictions, zones and senses; `lup-opt solve FOLDER/scenario.xlsx` solves it."""
    from lup_opt.scenario.workbook import WORKBOOK
    from lup_opt.workbook_template import write_workbook

    try:
        with exit_on_output_error("template"):
            path = write_workbook(folder / WORKBOOK, scenario, overwrite=overwrite)
    except LupOptError as exc:
        fail(str(exc))
    out_console.print(f"Workbook: {path}. Edit it, then: lup-opt solve {path}", markup=False)


TifPath = Annotated[Path | None, typer.Option(help="GeoTIFF (Trends.Earth output).")]


def baseline(
    scenario: Annotated[Path, typer.Argument(help="Scenario folder with its land units' outlines (geometry).")],
    status: Annotated[Path, typer.Option(help="Trends.Earth SDG 15.3.1 status GeoTIFF (-1 degraded, 0 stable, "
                                              "1 improved).")],
    out: Annotated[Path, typer.Option(help="The new scenario folder.")],
    band: Annotated[int, typer.Option(help="Band of the status in the GeoTIFF.", min=1)] = 1,
    productivity: TifPath = None,
    land_type: TifPath = None,
    land_type_legend: Annotated[Path | None, typer.Option(help="CSV code, value of the land-type raster.")] = None,
    summary: Annotated[Path | None, typer.Option(help="Trends.Earth summary (JSON or table), recorded as the "
                                                      "source.")] = None,
) -> None:
    """Set each land unit's baseline_status (and productivity dynamics, land type) from Trends.Earth
    rasters by area share; writes a new scenario folder with baseline_source.json/.csv."""
    from lup_opt.trends_earth import baseline_from_trends_earth

    try:
        with exit_on_output_error(), exit_on_bad_input(scenario):
            folder = baseline_from_trends_earth(scenario, status, out, productivity=productivity,
                                                land_type=land_type, land_type_legend=land_type_legend,
                                                summary=summary, status_band=band)
    except LupOptError as exc:
        fail(str(exc))
    loaded = load(folder, [], [])
    counts = loaded.units["baseline_status"].value_counts().to_dict()
    out_console.print(f"Scenario {folder}: baseline status of {len(loaded.units):,} land units from {status.name} "
                      f"({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))})", markup=False)
