"""A self-contained HTML page: escaped text, rendered tables and figures embedded as PNG data URIs.

Used by `gwin report` (gwin.analysis.report); kept apart so that module holds only what the
report says.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd

from gwin.report.figure_style import to_png
from gwin.report.tables import render

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1150px; margin: 2em auto; color: #222;
       line-height: 1.45; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; margin-top: 2em; }
section.verdict { border: 1px solid #c8d3e6; background: #f7f9fc; padding: 0.2em 1em 0.6em;
       margin: 1em 0 2em; }
section.verdict h2 { margin-top: 0.6em; }
table.results { border-collapse: collapse; font-size: 0.85em; margin: 0.6em 0 1.2em;
       max-width: 100%; }
table.results th, table.results td { padding: 3px 6px; border-bottom: 1px solid #e3e3e3;
       text-align: right; white-space: normal; overflow-wrap: break-word; }
table.results td:first-child, table.results th:first-child { text-align: left; }
table.results th { background: #f3f4f6; vertical-align: bottom; }
figure { margin: 0.5em 0 1.5em; } figcaption, .caption { color: #555; font-size: 0.85em; }
img { max-width: 100%; } div.scroll { overflow-x: auto; }
"""

# Columns per rendered table: at 0.85em, 8 "mean ± std" cells fit 1,000 px on one line; wider are
# cut (Page.table), and the CSS lets a cell wrap so none is clipped.
MAX_COLUMNS = 8


def column_groups(table: pd.DataFrame, keys: int = 0, most: int = MAX_COLUMNS):
    """The table as one or more tables of at most `most` columns, each starting with the first
    `keys` columns; without keys (or with nothing to repeat them for) the table is one part."""
    if table.shape[1] <= most or not 0 < keys < most:
        return [table]
    rest = list(table.columns[keys:])
    parts = -(-len(rest) // (most - keys))  # as few parts as fit, of equal width
    step = -(-len(rest) // parts)
    return [table[[*table.columns[:keys], *rest[i : i + step]]] for i in range(0, len(rest), step)]


class Page:
    """An HTML document assembled from escaped text, rendered tables and embedded figures."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.figures = 0

    def heading(self, level: int, text: str) -> None:
        self.parts.append(f"<h{level}>{html.escape(text)}</h{level}>")

    def text(self, text: str, cls: str = "") -> None:
        attr = f' class="{cls}"' if cls else ""
        self.parts.append(f"<p{attr}>{html.escape(text)}</p>")

    def bullets(self, items: list[str]) -> None:
        self.parts.append("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>")

    def table(self, table: pd.DataFrame, caption: str = "", keys: int = 0) -> None:
        """A table under its caption; one wider than MAX_COLUMNS is cut into several, each
        with the first `keys` columns (what identifies a row) repeated, so none is wider than
        the page."""
        if caption:
            self.text(caption, "caption")
        for part in column_groups(table, keys):
            self.parts.append(f'<div class="scroll">{render(part, "html")}</div>')

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        """Everything added inside goes into one <section class="name" id="name">."""
        self.parts.append(f'<section class="{name}" id="{name}">')
        yield
        self.parts.append("</section>")

    def figure(self, fig, caption: str) -> None:
        """An embedded PNG under "Figure N: caption", numbered in the order added."""
        self.figures += 1
        caption = f"Figure {self.figures}: {caption}"
        data = base64.b64encode(to_png(fig)).decode("ascii")
        alt = html.escape(caption, quote=True)
        self.parts.append(
            f'<figure><img alt="{alt}" src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )

    def html(self, title: str) -> str:
        body = "\n".join(self.parts)
        return (
            f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n"
        )
