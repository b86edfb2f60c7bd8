"""analysis/report.py: a valid, self-contained HTML file holding the tables' numbers."""

import base64
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from gwin.analysis import report
from gwin.report.stats import format_mean_std

VOID = {"meta", "img", "br", "hr", "link", "input", "col", "wbr"}


class Checker(HTMLParser):
    """Fails on mismatched or unclosed tags; collects img sources and links."""

    def __init__(self):
        super().__init__()
        self.stack, self.images, self.links, self.errors = [], [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        for key in ("href", "src"):
            if key in attrs:
                self.links.append(attrs[key])
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()


def check_html(text: str) -> Checker:
    checker = Checker()
    checker.feed(text)
    checker.close()
    assert text.startswith("<!DOCTYPE html>")
    assert not checker.errors and not checker.stack, (checker.errors, checker.stack)
    assert checker.images, "no figures"
    for src in checker.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(b"\x89PNG")
    assert all(link.startswith("data:") for link in checker.links)
    assert not re.search(r"(src|href)=\"(https?:)?//", text)
    return checker


@pytest.fixture(scope="module")
def synthetic_html(synthetic_study):
    return report.build_report(synthetic_study)


def test_report_is_valid_self_contained_html(synthetic_html):
    checker = check_html(synthetic_html)
    assert len(checker.images) >= 15


def test_report_holds_the_numbers_and_sections(synthetic_html, synthetic_study):
    trials = pd.read_parquet(synthetic_study / "results" / "trials.parquet")
    for heading in (
        "Headline numbers",
        "Tables 1/2",
        "fashion_mnist / lenet5 vs the paper",
        "Figure 5",
        "Example transformations",
        "Variability across seeds",
        "Sensitivity to the swept hyperparameters",
        "Corruption robustness",
        "Selective classification",
        "Classifier variants",
        "Failed trials",
    ):
        assert heading in synthetic_html, heading
    assert "synthetic" in synthetic_html and "smoke" in synthetic_html
    assert "d-failed" in synthetic_html and "RuntimeError: boom" in synthetic_html
    assert f"{(trials['status'] == 'ok').sum()} successful trials" in synthetic_html
    assert "± n/a" in synthetic_html  # the single-seed dataset
    for heading in ("Harm: correct labels the GWIN breaks", "Accept, translate or abstain"):
        assert heading in synthetic_html, heading


def test_report_shows_where_the_variance_comes_from(synthetic_html, synthetic_study):
    from gwin import open_study

    section = synthetic_html.split("Where the variance comes from (τ = 0.8)</h2>", 1)[1]
    section = section.split("<h2>", 1)[0]
    assert "test split, corruption none" in section and "95% bootstrap CI" in section
    rows = open_study(synthetic_study).variance(tau=0.8)
    for _, row in rows[rows["n_seeds"] > 1].iterrows():  # Study.variance's numbers, shown
        sd, share = row["gain_over_identity_sd_mc"], row["gain_over_identity_share_mc"]
        assert f"{sd:.2f} ({100 * share:.0f}%)" in section


def test_report_opens_with_the_verdict(synthetic_html):
    body = synthetic_html.split("<body>", 1)[1].lstrip()
    first, rest = body.split("\n", 1)
    assert first.startswith("<h1>") and rest.startswith('<section class="verdict" id="verdict">')
    verdict = rest.split("</section>", 1)[0]
    assert "<table" in verdict and "Verdict at τ = 0.8 (test split)" in verdict
    # every setting: the paper's metric and ours with 95% intervals, seeds and the reading
    for setting, seeds in (("digits / bcnn, lambda_loss = 10", 2),
                           ("digits / lenet5, lambda_loss = 1", 2),
                           ("fashion_mnist / lenet5, lambda_loss = 10", 1)):  # fmt: skip
        assert f"Reading ({setting}, {seeds} seed" in verdict, setting
    assert "Rejected Acc. Δ (BNN+GWIN − BNN), mean [95% CI]" in verdict
    assert "GWIN − Identity, mean [95% CI]" in verdict
    assert verdict.count("significan") >= 3


def test_no_table_appears_twice_and_figures_are_numbered_in_order(synthetic_html):
    tables = re.findall(r"<table.*?</table>", synthetic_html, flags=re.S)
    assert len(tables) == len(set(tables)), "a table is repeated"
    numbers = [int(n) for n in re.findall(r"<figcaption>Figure (\d+): ", synthetic_html)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 15
    for caption in re.findall(r"<figcaption>(.*?)</figcaption>", synthetic_html):
        assert " split" in caption, caption  # says which split it plots


def test_report_cells_match_an_independent_computation(
    synthetic_html, synthetic_study, expected_cell
):
    lenet10 = ["d-l10-s0", "d-l10-s1"]
    for metric, tau in (
        ("gwin_acc_rejected", 0.8),
        ("bnn_acc_rejected", 0.5),
        ("error_delta_pct", 0.95),
        ("pct_reject", 0.8),
        ("identity_acc_rejected", 0.8),
        ("gain_over_identity", 0.8),
    ):
        assert expected_cell(synthetic_study, lenet10, metric, tau) in synthetic_html, metric
    single = expected_cell(synthetic_study, ["f-l10-s0"], "overall_acc_delta", 0.8)
    assert single.endswith("± n/a") and single in synthetic_html


def test_main_writes_the_file_for_a_single_trial(single_trial, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert report.main([str(single_trial), "--out", str(out), "--tau", "0.9"]) == 0
    text = out.read_text(encoding="utf-8")
    check_html(text)
    assert "Headline numbers (τ = 0.9)" in text and "± n/a" in text
    assert "No config column varies" in text and "Classifier variants" not in text
    assert report.main([str(tmp_path / "nothing")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


@pytest.mark.slow
def test_report_from_a_real_smoke_study(smoke_study):
    """Trials run by gwin.trial.run_trial; cross-checked with the trials' own summaries."""
    text = report.build_report(smoke_study)
    check_html(text)
    trials = pd.read_parquet(smoke_study / "results" / "trials.parquet")
    # the trial records C's test accuracy and the overall gain at tau = 0.8 themselves
    for _, group in trials.groupby("lambda_loss"):
        for column in ("test_bnn_acc", "test_overall_acc_delta"):
            cell = format_mean_std(group[column].mean(), np.std(group[column], ddof=1))
            assert cell in text, (column, cell)
    assert "Corruption robustness" in text and "rotate" in text
