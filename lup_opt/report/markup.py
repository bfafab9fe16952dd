"""HTML pieces of the report: escaped text, numbers as planners read them, tables, embedded images."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lup_opt.formatting import number

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#212121;background:#fafafa}
header{background:#1b5e20;color:white;padding:18px 32px}header h1{margin:0;font-size:1.5em}
nav{padding:8px 32px;background:#e8f5e9;font-size:.9em;line-height:1.8}nav a{margin-right:14px;color:#1b5e20}
main{padding:8px 32px 40px;max-width:1240px}section{margin:22px 0}h2{border-bottom:2px solid #c8e6c9}
h3{margin:16px 0 4px;font-size:1.02em;color:#33691e}
table{border-collapse:collapse;font-size:.82em;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 7px;text-align:right}
th{background:#f1f8e9}td:first-child,th:first-child{text-align:left}td.text,th.text{text-align:left}
img{max-width:100%;border:1px solid #eee;background:white}
.status-optimal{color:#1b5e20;font-weight:bold}.status-bad{color:#b71c1c;font-weight:bold}
.note{color:#616161;font-size:.9em}pre{background:#fff;border:1px solid #ddd;padding:10px;white-space:pre-wrap}
ul.summary{background:white;border:1px solid #c8e6c9;border-left:5px solid #2e7d32;padding:10px 14px 10px 34px;
line-height:1.5}ul.summary li{margin:3px 0}.none{font-weight:bold;color:#1b5e20}
details{margin:6px 0}summary{cursor:pointer;color:#33691e}
"""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    body: str


def esc(value: object) -> str:
    return html.escape(str(value))


def num(value: float, unit: str = "") -> str:
    """A number as the command line writes it (1,234; 12.3; 0.0423), with its unit."""
    text = number(float(value))
    return f"{text} {unit}".strip()


def signed(value: float, unit: str = "") -> str:
    text = num(value, unit)
    return text if text.startswith("-") or number(float(value)) == "0" else f"+{text}"


def note(text: str) -> str:
    return f'<p class="note">{text}</p>'


def image(path: Path | None, alt: str) -> str:
    if path is None:
        return note(f"No {esc(alt)}: nothing to show for this run.")
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{esc(alt)}" src="data:image/png;base64,{data}">'


YEAR_COLUMNS = {"period", "year", "valid_year", "changed_in"}


def _cell(value: object, column: object = "") -> str:
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{int(value)}" if column in YEAR_COLUMNS else f"{int(value):,}"  # years as written
    if isinstance(value, float | np.floating):
        return "" if np.isnan(value) else number(float(value))
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else esc(value)


def frame(table: pd.DataFrame, columns: Sequence[str] | None = None, rows: int = 40,
          headers: dict[str, str] | None = None) -> str:
    """An HTML table of ``columns`` (those present) of ``table``: numbers right-aligned and
    formatted, text left; at most ``rows`` rows with a note of how many more are in the CSV."""
    present = [c for c in (columns or list(table.columns)) if c in table.columns]
    if table.empty or not present:
        return note("(empty)")
    shown = table[present].head(rows)
    text_columns = {c for c in present if not pd.api.types.is_numeric_dtype(shown[c]) or c in YEAR_COLUMNS}
    head = "".join(f'<th class="{"text" if c in text_columns else ""}">{esc((headers or {}).get(c, c))}</th>'
                   for c in present)
    body = "".join("<tr>" + "".join(f'<td class="{"text" if c in text_columns else ""}">{_cell(v, c)}</td>'
                                    for c, v in zip(present, row, strict=True)) + "</tr>"
                   for row in shown.itertuples(index=False, name=None))
    more = note(f"{len(table) - rows:,} more rows in the CSV.") if len(table) > rows else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def bullets(lines: Sequence[str], css: str = "") -> str:
    items = "".join(f"<li>{line}</li>" for line in lines)
    return f'<ul class="{css}">{items}</ul>' if css else f"<ul>{items}</ul>"


def listing(items: Sequence[str], limit: int = 4) -> str:
    """'a, b and c' (at most ``limit``, then 'and N more')."""
    items = list(items)
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" and {len(items) - limit} more"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def page(title: str, heading: str, sections: Sequence[Section]) -> str:
    nav = "".join(f'<a href="#{s.key}">{esc(s.title)}</a>' for s in sections)
    body = "".join(f'<section id="{s.key}"><h2>{esc(s.title)}</h2>{s.body}</section>' for s in sections)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>'
            f"<style>{STYLE}</style></head><body><header><h1>{esc(heading)}</h1></header>"
            f"<nav>{nav}</nav><main>{body}</main></body></html>")
