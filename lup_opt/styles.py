"""Colours of land uses, by meaning, and the styles that make GIS layers open coloured by use.

A use's colour is its ``color`` in ``uses.csv`` when given, else the default of its UNCCD cover
class (forest green, crops yellow, water blue, built grey, ...). The same colours go into the
GeoTIFF's colour table and the GeoPackage's ``layer_styles`` (QGIS's QML and OGC SLD), so a map
reads the same in QGIS as in the report.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd

COVER_COLOURS: dict[str, str] = {
    "tree_covered": "#2e7d32",
    "grassland": "#aed581",
    "cropland": "#f9d648",
    "wetland": "#4db6ac",
    "artificial": "#9e9e9e",
    "other_land": "#d7ccc8",
    "water_body": "#1e88e5",
}
FALLBACK = "#b0bec5"
# LDN status: gain green, loss red, neutral light grey (the report's change map, ldn_status.tif).
STATUS_COLOURS: dict[str, str] = {"loss": "#c62828", "neutral": "#bdbdbd", "gain": "#2e7d32"}


def use_colours(uses: pd.DataFrame) -> dict[str, str]:
    """Colour (``#rrggbb``) of every use: its ``color`` column, else its cover class's default."""
    own = uses["color"] if "color" in uses.columns else pd.Series("", index=uses.index)
    return {str(use): (str(colour) if isinstance(colour, str) and colour.strip() else
                       COVER_COLOURS.get(str(cover), FALLBACK))
            for use, cover, colour in zip(uses["id"], uses["cover_class"], own, strict=True)}


def rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def qml(field: str, colours: Mapping[str, str]) -> str:
    """A QGIS style: polygons categorised by ``field``, one fill colour per value."""
    categories = "".join(f'<category render="true" symbol="{i}" value="{escape(v)}" label="{escape(v)}"/>'
                         for i, v in enumerate(colours))
    symbols = "".join(
        f'<symbol type="fill" name="{i}" alpha="1"><layer class="SimpleFill" enabled="1" locked="0">'
        f'<prop k="color" v="{",".join(map(str, rgb(c)))},255"/><prop k="outline_color" v="80,80,80,255"/>'
        f'<prop k="outline_width" v="0.1"/><prop k="style" v="solid"/></layer></symbol>'
        for i, c in enumerate(colours.values()))
    return (f'<!DOCTYPE qgis><qgis version="3.28" styleCategories="Symbology">'
            f'<renderer-v2 type="categorizedSymbol" attr="{escape(field)}" symbollevels="0" enableorderby="0">'
            f"<categories>{categories}</categories><symbols>{symbols}</symbols></renderer-v2></qgis>")


def sld(layer: str, field: str, colours: Mapping[str, str]) -> str:
    """The same style as an OGC Styled Layer Descriptor (1.0), one rule per value."""
    rules = "".join(
        f"<Rule><Name>{escape(v)}</Name><Title>{escape(v)}</Title><ogc:Filter><ogc:PropertyIsEqualTo>"
        f"<ogc:PropertyName>{escape(field)}</ogc:PropertyName><ogc:Literal>{escape(v)}</ogc:Literal>"
        f"</ogc:PropertyIsEqualTo></ogc:Filter><PolygonSymbolizer><Fill>"
        f'<CssParameter name="fill">{c}</CssParameter></Fill><Stroke>'
        f'<CssParameter name="stroke">#505050</CssParameter><CssParameter name="stroke-width">0.3</CssParameter>'
        f"</Stroke></PolygonSymbolizer></Rule>" for v, c in colours.items())
    return ('<?xml version="1.0" encoding="UTF-8"?><StyledLayerDescriptor version="1.0.0" '
            'xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc">'
            f"<NamedLayer><Name>{escape(layer)}</Name><UserStyle><Name>{escape(field)}</Name>"
            f"<FeatureTypeStyle>{rules}</FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>")


def store_layer_style(gpkg: Path, layer: str, field: str, colours: Mapping[str, str],
                      description: str | None = None) -> None:
    """Write the style into the GeoPackage's ``layer_styles`` table as the layer's default (QGIS
    reads it and uses it when it opens the layer)."""
    # closing(): sqlite3's own context manager only commits; the file must be free before the
    # results folder is swapped into place.
    with closing(sqlite3.connect(gpkg)) as connection, connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT, "
            "f_table_schema TEXT, f_table_name TEXT, f_geometry_column TEXT, styleName TEXT, styleQML TEXT, "
            "styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT, ui TEXT, update_time DATETIME)")
        geometry = connection.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?",
                                      (layer,)).fetchone()
        connection.execute(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, "
            "styleQML, styleSLD, useAsDefault, description, owner, ui, update_time) "
            "VALUES ('', '', ?, ?, ?, ?, ?, 1, ?, 'lup_opt', '', ?)",
            (layer, geometry[0] if geometry else "geom", f"{layer} by {field}", qml(field, colours),
             sld(layer, field, colours), description or f"land units coloured by {field}",
             datetime.now(UTC).isoformat()))
