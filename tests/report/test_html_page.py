import base64

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from gwin.report.html_page import Page, column_groups  # noqa: E402


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
    assert 'alt="Figure 1: a &quot;quoted&quot; caption"' in part


def test_wide_tables_are_cut_into_parts_that_repeat_the_key_columns():
    wide = pd.DataFrame([[f"v{i}" for i in range(12)]], columns=[f"c{i}" for i in range(12)])
    parts = column_groups(wide, keys=2, most=8)
    # 10 non-key columns, 6 per part at most -> 2 parts of 5, each after c0, c1
    assert [list(p.columns) for p in parts] == [
        ["c0", "c1", "c2", "c3", "c4", "c5", "c6"],
        ["c0", "c1", "c7", "c8", "c9", "c10", "c11"],
    ]
    assert len(column_groups(wide, keys=0)) == 1  # nothing to repeat: one table
    assert len(column_groups(wide.iloc[:, :8], keys=2)) == 1  # narrow enough already
    page = Page()
    page.table(wide, "cap", keys=2)
    assert sum("<table" in part for part in page.parts) == 2


def test_figures_are_numbered_and_sections_wrap_their_parts():
    page = Page()
    with page.section("verdict"):
        page.text("x")
    assert page.parts == ['<section class="verdict" id="verdict">', "<p>x</p>", "</section>"]
    for caption in ("a", "b"):
        fig, ax = plt.subplots()
        page.figure(fig, caption)
        plt.close(fig)
    assert "<figcaption>Figure 1: a</figcaption>" in page.parts[3]
    assert "<figcaption>Figure 2: b</figcaption>" in page.parts[4]
