"""The offline HTML page: the answer first, then the sections behind it.

Readable without a server (plots are embedded), laid out for a 1,280 px window: numbers rounded
to what they carry (scores 3 decimals, parameters 3 significant digits), headings in words.
"""

from __future__ import annotations

import base64
import html
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:1220px;margin:auto;padding:0 1em 2em;"
    "color:#222;line-height:1.4}"
    "h1{font-size:26px;margin-bottom:.2em}h2{font-size:19px;margin-top:1.6em}"
    ".meta{color:#555;font-size:13px}"
    ".answer{background:#f4f8fb;border-left:4px solid #2b6cb0;padding:.6em 1.2em;font-size:15px}"
    ".answer li{margin:.35em 0}.evidence li{margin:.3em 0;font-size:14px}"
    ".warning{color:#b00020}"
    "table{border-collapse:collapse;font-size:12.5px;margin:.5em 0 1em}"
    "td,th{border:1px solid #ccc;padding:3px 7px;text-align:right;vertical-align:top}"
    "th{background:#f3f3f3}td:first-child,th:first-child{text-align:left;white-space:nowrap}"
    "td.text{text-align:left;max-width:420px}"
    ".quiet{color:#777;font-size:13px;margin:.2em 0}"
    "pre{background:#f6f6f6;padding:.5em .8em;font-size:13px;overflow-x:auto}"
    "img{max-width:100%;border:1px solid #eee;margin:.4em 0}.scroll{overflow-x:auto}"
)


@dataclass
class Section:
    """One heading of the page: paragraphs, commands to copy, tables (already formatted),
    images."""

    title: str
    paragraphs: list[str] = field(default_factory=list)
    code: list[str] = field(default_factory=list)
    tables: list[pd.DataFrame] = field(default_factory=list)
    images: list[tuple[str, Path]] = field(default_factory=list)
    quiet: list[str] = field(default_factory=list)


def number(value: object, digits: int = 3) -> str:
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float | np.floating):
        return "" if math.isnan(value) else f"{value:.{digits}f}"
    return str(value)


def params_text(params: str | dict[str, object]) -> str:
    """Parameters to 3 significant digits: ``C = 0.153, l1_ratio = 0.5``."""
    values = json.loads(params) if isinstance(params, str) else params
    if not values:
        return ""
    return ", ".join(
        f"{k} = {v:.3g}" if isinstance(v, float) else f"{k} = {v}" for k, v in values.items()
    )


def interval(value: float, low: float, high: float) -> str:
    if math.isnan(value):
        return ""
    return f"{value:.3f} [{low:.3f}, {high:.3f}]"


def _with_interval(values: pd.Series, low: pd.Series, high: pd.Series, digits: int) -> list[str]:
    return [
        f"{number(v, digits)} [{number(lo, digits)}, {number(hi, digits)}]"
        if not math.isnan(lo)
        else number(v, digits)
        for v, lo, hi in zip(values, low, high, strict=True)
    ]


def html_table(table: pd.DataFrame) -> str:
    if table.empty:
        return "<p class='quiet'>(none)</p>"
    head = "".join(f"<th>{html.escape(str(c).strip(), quote=False)}</th>" for c in table.columns)
    # A column holding long text is left-aligned as a whole, so its short entries line up too.
    text_columns = [
        any(isinstance(v, str) and len(v) > 24 for v in table.iloc[:, i])
        for i in range(table.shape[1])
    ]
    body = []
    for row in table.itertuples(index=False):
        cells = []
        for value, is_text in zip(row, text_columns, strict=True):
            text = value if isinstance(value, str) else number(value)
            kind = " class='text'" if is_text else ""
            cells.append(f"<td{kind}>{html.escape(text, quote=False)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<div class='scroll'><table><tr>{head}</tr>{''.join(body)}</table></div>"


def write_page(
    out: Path,
    title: str,
    meta: str,
    answer: list[str],
    evidence: list[str],
    sections: list[Section],
) -> Path:
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title, quote=False)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(title, quote=False)}</h1>",
        f"<p class='meta'>{html.escape(meta, quote=False)}</p>",
        "<h2 id='the-answer'>The answer</h2>",
        "<ul class='answer'>"
        + "".join(f"<li>{_emphasize(html.escape(s, quote=False))}</li>" for s in answer)
        + "</ul>",
    ]
    if evidence:
        parts += [
            "<h2 id='what-the-numbers-say'>What the numbers say: the evidence</h2>",
            "<ul class='evidence'>"
            + "".join(f"<li>{html.escape(s, quote=False)}</li>" for s in evidence)
            + "</ul>",
        ]
    for section in sections:
        parts.append(f"<h2>{html.escape(section.title, quote=False)}</h2>")
        parts += [f"<p>{html.escape(p, quote=False)}</p>" for p in section.paragraphs]
        if section.code:
            commands = html.escape("\n".join(section.code), quote=False)
            parts.append(f"<pre><code>{commands}</code></pre>")
        parts += [html_table(table) for table in section.tables]
        for caption, path in section.images:
            encoded = base64.b64encode(path.read_bytes()).decode("ascii")
            parts.append(
                f"<img alt='{html.escape(caption)}' title='{html.escape(caption)}' "
                f"src='data:image/png;base64,{encoded}'>"
            )
        parts += [f"<p class='quiet'>{html.escape(q, quote=False)}</p>" for q in section.quiet]
    parts.append("</body></html>")
    index = out / "index.html"
    index.write_text("\n".join(parts), encoding="utf-8")
    return index


def _emphasize(sentence: str) -> str:
    """A warning stands out: its first word in bold, on a red rule."""
    if sentence.startswith("Warning:"):
        return "<strong class='warning'>Warning:</strong>" + sentence.removeprefix("Warning:")
    return sentence
