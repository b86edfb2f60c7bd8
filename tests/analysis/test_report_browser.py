"""The report as a browser lays it out at 1,000 px: the verdict block comes first and no table
is wider than its container or the viewport (so none is clipped or needs a scroll bar).

Needs Debian's chromium (/usr/bin/chromium; .ci/run installs it when root) and Playwright
(dev extra); Playwright's own browser download is not used.
"""

from pathlib import Path

import pytest

from gwin.analysis import report

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install chromium; .ci/run does)"
)

LAYOUT = """() => {
  const body = [...document.body.children];
  const tables = [...document.querySelectorAll('table')].map(t => ({
    width: t.scrollWidth,
    container: t.parentElement.clientWidth,
    in_verdict: t.closest('section#verdict') !== null,
  }));
  return {
    first: body.filter(e => e.tagName !== 'H1').map(e => e.id || e.tagName)[0],
    before: body.findIndex(e => e.id === 'verdict'),
    first_table_in_verdict: tables.length > 0 && tables[0].in_verdict,
    tables,
    viewport: document.documentElement.clientWidth,
    page: document.documentElement.scrollWidth,
  };
}"""


def layout(html_file: Path, width: int = 1000) -> dict:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 800})
            page.goto(html_file.as_uri())
            return page.evaluate(LAYOUT)
        finally:
            browser.close()


def check(study: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    out.write_text(report.build_report(study), encoding="utf-8")
    seen = layout(out)
    assert seen["first"] == "verdict" and seen["before"] == 1, seen["first"]  # right after h1
    assert seen["first_table_in_verdict"]
    assert len(seen["tables"]) > 10
    for i, table in enumerate(seen["tables"]):
        assert table["width"] <= table["container"], (i, table)
        assert table["width"] <= seen["viewport"] <= 1000, (i, table)
    assert seen["page"] <= seen["viewport"]  # no horizontal scrolling of the page either


def test_report_layout_at_1000px(synthetic_study, tmp_path):
    check(synthetic_study, tmp_path)


@pytest.mark.slow
def test_smoke_study_report_layout_at_1000px(smoke_study, tmp_path):
    check(smoke_study, tmp_path)
