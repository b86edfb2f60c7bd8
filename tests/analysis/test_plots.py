"""analysis/plots.py and gwin.report.figures: every figure builds from study results and saves."""

import pytest
from matplotlib.figure import Figure

from gwin.analysis import plots
from gwin.report import figures as gp
from gwin.report.figure_style import to_png
from gwin.report.stats import FIGURE_COLUMNS, at_tau, predictions_by_block, trial_sweeps
from gwin.store.reader import load_results


@pytest.fixture(scope="module")
def loaded(synthetic_study):
    return load_results(synthetic_study)


def test_figures_build(loaded):
    sweeps = trial_sweeps(loaded)
    lenet = sweeps[(sweeps["dataset"] == "digits") & (sweeps["classifier"] == "lenet5")]
    blocks = dict(predictions_by_block(loaded, "test", "none", FIGURE_COLUMNS))
    preds = blocks["fashion_mnist / lenet5"]
    figs = [
        gp.tau_accuracy(lenet, "lambda_loss", "t"),
        gp.certainty_change_box(preds, loaded.taus),
        gp.metric_vs_config(at_tau(sweeps, 0.8), "lambda_loss"),
        gp.seed_strip(lenet, group="lambda_loss"),
        gp.risk_coverage_plot(preds),
        gp.corruption_bars(at_tau(trial_sweeps(loaded, corruption=None), 0.8)),
        gp.compare_by(sweeps[sweeps["dataset"] == "digits"], "classifier"),
        gp.examples_grid(loaded.examples(["d-l1-s0"])),
    ]
    assert all(isinstance(f, Figure) for f in figs)
    # Figure 5 draws one box per tau with rejected inputs; outliers are diamonds
    assert to_png(figs[0]).startswith(b"\x89PNG\r\n\x1a\n")
    example_axes = figs[-1].axes
    assert len(example_axes) == 2 * 4  # 4 examples: input and translation each
    assert "y=" in example_axes[0].get_title()


def test_cli_writes_every_figure(synthetic_study, tmp_path, capsys):
    assert plots.main([str(synthetic_study), "--out", str(tmp_path)]) == 0
    written = capsys.readouterr().out.split()
    names = {p.split("/")[-1] for p in written}
    assert {
        "tau_accuracy-digits-lenet5.png",
        "certainty_change-fashion_mnist-lenet5.png",
        "risk_coverage-digits-bcnn.png",
        "sensitivity-lambda_loss.png",
        "corruptions-digits-lenet5.png",
        "classifiers-digits.png",
        "examples-digits-lenet5.png",
        "seeds-digits-lenet5.png",
    } <= names
    assert all((tmp_path / n).read_bytes().startswith(b"\x89PNG") for n in names)


def test_cli_bad_input(tmp_path, capsys):
    assert plots.main([str(tmp_path / "missing"), "--out", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_figures_do_not_touch_pyplot(loaded):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    to_png(gp.seed_strip(trial_sweeps(loaded)))
    assert plt.get_fignums() == before


def test_certainty_change_without_rejections(loaded):
    preds = next(predictions_by_block(loaded, "test", "none", FIGURE_COLUMNS))[1]
    fig = gp.certainty_change_box(preds, [0.0])  # nothing is below 0
    assert "no input is rejected" in fig.axes[0].texts[0].get_text()
