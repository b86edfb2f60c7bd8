"""--tracker: a study's live reports, read back from TensorBoard's event files and MLflow's
file store with their own readers, and checked against the trial's stored history."""

import io
import os
import subprocess
import sys

import numpy as np
import pytest

from gwin.store.reader import read_table

pytestmark = pytest.mark.slow
# reports at iterations 2, 4 and 6 (tiny: --eval-every 2); pictures at the 1st and 3rd
PICTURED = [2, 6]
# an object store on a closed loopback port: a check that let it through would fail there,
# never with a request off this machine
LOOPBACK_S3 = "s3://bucket/x?endpoint_override=127.0.0.1:9&scheme=http"


def tracked(study, tiny, tmp_path, tracker):
    storage = tmp_path / "storage"
    argv = [*tiny, "--storage", str(storage), "--name", f"tracked_{tracker}", "--lambdas", "10",
            "--seeds", "1", "--tracker", tracker, "--picture-every", "2"]  # fmt: skip
    assert study("ablation_lambda.py", argv) == 0
    folder = storage / f"tracked_{tracker}"
    history = read_table(folder, "history")
    assert list(history["iteration"]) == [2, 4, 6]
    return folder, history


def tile_rows(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("L"))


def check_pictures(pictures: list[np.ndarray]) -> None:
    first, last = pictures
    assert first.shape == last.shape and first.shape[0] == 4 * 30  # inputs + 3 draws of z
    assert np.array_equal(first[:30], last[:30])  # the same rejected inputs on top
    assert not np.array_equal(first[30:], last[30:])  # G trained in between


def test_tensorboard_gets_the_losses_the_gain_and_pictures(local_ray, study, tiny, tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    folder, history = tracked(study, tiny, tmp_path, "tensorboard")
    (events,) = {p.parent for p in (folder / "tune").rglob("events.out.tfevents.*")}
    log = EventAccumulator(str(events), size_guidance={"images": 0, "scalars": 0})
    log.Reload()
    scalar = {e.step: e.value for e in log.Scalars("ray/tune/val_gain_over_identity")}
    # every validation report, at its generator iteration; then the trial's final report (6)
    assert sorted(scalar) == [2, 4, 6]
    for it, gain in zip(history["iteration"][:2], history["val_gain_over_identity"][:2],
                        strict=True):  # fmt: skip
        assert scalar[it] == pytest.approx(gain, abs=1e-5)
    losses = {e.step: e.value for e in log.Scalars("ray/tune/generator_loss")}
    assert losses[2] == pytest.approx(float(history["generator_loss"][0]), rel=1e-5)
    assert {e.step for e in log.Scalars("ray/tune/critic_loss")} >= {2, 4, 6}
    images = log.Images("ray/tune/translations")
    assert [e.step for e in images] == PICTURED
    check_pictures([tile_rows(e.encoded_image_string) for e in images])


def test_mlflow_gets_the_losses_the_gain_params_and_pictures(local_ray, study, tiny, tmp_path):
    import mlflow

    before = os.environ.get("MLFLOW_TRACKING_URI")
    folder, history = tracked(study, tiny, tmp_path, "mlflow")
    # MLflow's set_tracking_uri exports the study's store to the process: a second study (or
    # the subprocesses it starts) would log into the first one's store
    assert os.environ.get("MLFLOW_TRACKING_URI") == before
    assert mlflow.get_tracking_uri() != f"sqlite:///{folder / 'mlflow.db'}"
    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{folder / 'mlflow.db'}")
    experiment = client.get_experiment_by_name("tracked_mlflow")
    (run,) = client.search_runs([experiment.experiment_id])
    assert run.info.status == "FINISHED"
    assert float(run.data.params["lambda_loss"]) == 10.0 and run.data.params["seed"] == "0"
    metric = lambda name: client.get_metric_history(run.info.run_id, name)  # noqa: E731
    gain = {m.step: m.value for m in metric("val_gain_over_identity")}
    assert sorted(gain) == [2, 4, 6]
    for it, value in zip(history["iteration"][:2], history["val_gain_over_identity"][:2],
                         strict=True):  # fmt: skip
        assert gain[it] == pytest.approx(value, abs=1e-9)
    losses = {m.step: m.value for m in metric("generator_loss")}
    assert losses[2] == pytest.approx(history["generator_loss"][0])
    assert "translations" not in run.data.metrics  # an image, not a number
    root = folder / "mlartifacts" / run.info.run_id / "artifacts"
    pngs = sorted(root.rglob("*.png"), key=lambda p: p.stat().st_mtime)
    pngs = [p for p in pngs if "compressed" not in p.name]
    assert len(pngs) == len(PICTURED)
    check_pictures([tile_rows(p.read_bytes()) for p in pngs])


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--tracking-uri", "file:/tmp/x"], "--tracking-uri is MLflow's: add --tracker mlflow"),
        (["--tracker", "mlflow", "--storage", LOOPBACK_S3], "give --tracking-uri"),
        (["--tracker", "tensorboard", "--picture-every", "-1"], "--picture-every -1: use 0"),
    ],
)
def test_bad_tracker_settings_are_one_line_before_ray(flags, message, tmp_path):
    script = "studies/ablation_lambda.py"
    argv = [sys.executable, script, "--storage", str(tmp_path), *flags]
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}  # a user's own
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and message in done.stderr
    assert not any(tmp_path.iterdir())
