"""A self-contained HTML page: escaped text, rendered tables and figures embedded as PNG data URIs.

Used by analysis/report.py; kept apart so the report module holds only what the report says.
"""

from __future__ import annotations

import base64
import html

import pandas as pd

from gwin.report.figure_style import to_png
from gwin.report.tables import render

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1150px; margin: 2em auto; color: #222;
       line-height: 1.45; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; margin-top: 2em; }
table.results { border-collapse: collapse; font-size: 0.85em; margin: 0.6em 0 1.2em; }
table.results th, table.results td { padding: 3px 8px; border-bottom: 1px solid #e3e3e3;
       text-align: right; white-space: nowrap; }
table.results th { background: #f3f4f6; }
figure { margin: 0.5em 0 1.5em; } figcaption, .caption { color: #555; font-size: 0.85em; }
img { max-width: 100%; } div.scroll { overflow-x: auto; }
"""


class Page:
    """An HTML document assembled from escaped text, rendered tables and embedded figures."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def heading(self, level: int, text: str) -> None:
        self.parts.append(f"<h{level}>{html.escape(text)}</h{level}>")

    def text(self, text: str, cls: str = "") -> None:
        attr = f' class="{cls}"' if cls else ""
        self.parts.append(f"<p{attr}>{html.escape(text)}</p>")

    def bullets(self, items: list[str]) -> None:
        self.parts.append("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>")

    def table(self, table: pd.DataFrame, caption: str = "") -> None:
        if caption:
            self.text(caption, "caption")
        self.parts.append(f'<div class="scroll">{render(table, "html")}</div>')

    def figure(self, fig, caption: str) -> None:
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
