import base64

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from gwin.report.html_page import Page  # noqa: E402


def test_text_headings_and_title_are_escaped():
    page = Page()
    page.heading(2, "a < b")
    page.text("x & y", "caption")
    page.bullets(["<i>"])
    doc = page.html("τ <sweep>")
    assert "<h2>a &lt; b</h2>" in doc
    assert '<p class="caption">x &amp; y</p>' in doc
    assert "<li>&lt;i&gt;</li>" in doc
    assert "<title>τ &lt;sweep&gt;</title>" in doc
    assert doc.startswith("<!DOCTYPE html>") and doc.rstrip().endswith("</html>")


def test_table_is_rendered_inside_a_scroll_box_with_its_caption():
    page = Page()
    page.table(pd.DataFrame({"tau": [0.5]}), caption="Table 1")
    assert page.parts[0] == '<p class="caption">Table 1</p>'
    assert page.parts[1].startswith('<div class="scroll">') and "<table" in page.parts[1]


def test_figure_is_embedded_as_a_png_data_uri():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    page = Page()
    page.figure(fig, 'a "quoted" caption')
    part = page.parts[0]
    data = part.split("data:image/png;base64,")[1].split('"')[0]
    assert base64.b64decode(data).startswith(b"\x89PNG")
    assert 'alt="a &quot;quoted&quot; caption"' in part
