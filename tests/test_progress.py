"""Progress bars (gwin.progress) on the long stages: shown when asked for, never in a pipe."""

import torch

from gwin.data.datasets import Split
from gwin.method.confident import certainties
from gwin.method.evaluate import predict
from gwin.models.deterministic import SoftmaxLeNet5
from gwin.models.gwin_nets import build_generator
from gwin.progress import bar


def _inputs(n: int = 250) -> Split:
    torch.manual_seed(0)
    return Split(torch.rand(n, 1, 28, 28), torch.randint(0, 10, (n,)))


def test_certainties_and_evaluation_show_a_bar_that_counts_every_pass(capsys):
    data, clf = _inputs(), SoftmaxLeNet5().eval()
    certainties(clf, data, samples=2, batch_size=100, progress=True)
    err = capsys.readouterr().err
    assert (
        "C's certainties" in err and "/250 " in err
    )  # the total (tqdm redraws at most every 0.1 s)
    predict(clf, build_generator("residual", 8, 4), data.x, data.y, samples=2, z_dim=4,
            batch_size=100, progress=True, desc="evaluation test/none")  # fmt: skip
    err = capsys.readouterr().err
    assert "evaluation test/none" in err and "/750 " in err  # BNN, identity and GWIN passes


def test_no_bar_when_stderr_is_not_a_terminal(capsys):
    data, clf = _inputs(), SoftmaxLeNet5().eval()
    certainties(clf, data, samples=2, batch_size=100, progress=None)  # capsys: not a terminal
    with bar(10, "anything") as shown:
        shown.update(10)
    assert capsys.readouterr().err == ""


def test_a_bar_does_not_change_the_numbers():
    data, clf = _inputs(), SoftmaxLeNet5().eval()
    torch.manual_seed(1)
    quiet = certainties(clf, data, samples=2, batch_size=100, progress=False)
    torch.manual_seed(1)
    shown = certainties(clf, data, samples=2, batch_size=100, progress=True)
    assert all(torch.equal(a, b) for a, b in zip(quiet, shown, strict=True))
