"""Live tracking of a study's trials in TensorBoard or MLflow, through Ray Tune's own logger
callbacks, which run in the driver and see every report of every trial.

Each report logs its numbers against the generator iteration (`timesteps_total`): the critic
and generator losses, and on validation reports the validation gain over the identity, the
GWIN's accuracy on rejected inputs and the rest of the headline at tau = 0.8. Every
--picture-every validation reports, the trial also sends gwin.tracking's picture of G(x, z)
for its first rejected validation inputs: TensorBoard shows it under `ray/tune/translations`,
MLflow as a logged image with key `translations`.

Tune's default loggers run as well (progress.csv and result.json in every trial's folder under
STUDY/tune/; TensorBoard event files there too whenever tensorboardX is installed).
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from gwin.errors import GwinError
from gwin.store.location import Folder

TRACKERS = ("none", "tensorboard", "mlflow")
PICTURE_KEY = "translations"  # the report key that carries a gwin.tracking picture
# MLflow's default store for a local study: a SQLite file and an artifact folder inside it (MLflow
# 3 refuses its plain-folder store unless told to allow it: "maintenance mode")
MLFLOW_DB, MLFLOW_ARTIFACTS = "mlflow.db", "mlartifacts"
INSTALL = "pip install 'gwin-studies[tracking]'"


def add_tracker_flags(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("live tracking")
    g.add_argument(
        "--tracker",
        choices=TRACKERS,
        default="none",
        help="send every trial's reports to TensorBoard (event files in STUDY/tune/, "
        "`tensorboard --logdir STUDY/tune`) or MLflow (default: none; Tune's own "
        "progress.csv/result.json are written either way). A resumed study keeps the tracker "
        "it started with",
    )
    g.add_argument(
        "--tracking-uri",
        default=None,
        metavar="URI",
        help="MLflow tracking URI, e.g. http://127.0.0.1:5000 or sqlite:///path/mlflow.db "
        f"(default: $MLFLOW_TRACKING_URI, else sqlite:///STUDY/{MLFLOW_DB} with artifacts in "
        f"STUDY/{MLFLOW_ARTIFACTS}, for a local study)",
    )
    g.add_argument(
        "--picture-every",
        type=int,
        default=4,
        metavar="N",
        help="with a tracker, a picture of G(x, z) for 8 rejected validation inputs at the "
        "first validation report and every N-th after it; 0: none (default: 4)",
    )


def picture_every(args: argparse.Namespace) -> int:
    """Validation reports between pictures; 0 when nothing tracks them."""
    return args.picture_every if args.tracker != "none" else 0


def check_tracker(args: argparse.Namespace) -> None:
    """Bad tracker settings, in one line, before Ray starts."""
    if args.picture_every < 0:
        raise GwinError(f"--picture-every {args.picture_every}: use 0 (no pictures) or more")
    if args.tracking_uri and args.tracker != "mlflow":
        raise GwinError("--tracking-uri is MLflow's: add --tracker mlflow, or drop it")
    given = args.tracking_uri or os.environ.get("MLFLOW_TRACKING_URI")
    if args.tracker == "mlflow" and not given and "://" in args.storage:
        # MLflow's file store needs a local folder; an object store is not one
        raise GwinError(
            f"--tracker mlflow with --storage {args.storage}: give --tracking-uri (an MLflow "
            "server) or set MLFLOW_TRACKING_URI"
        )
    module = {"tensorboard": "tensorboardX", "mlflow": "mlflow"}.get(args.tracker)
    if module is None:
        return
    try:
        __import__(module)
    except ImportError:
        raise GwinError(f"--tracker {args.tracker} needs {module}: {INSTALL}") from None


def mlflow_store(args: argparse.Namespace, study: Folder) -> tuple[str, str | None]:
    """(tracking URI, artifact location): the one given, or the study's own SQLite store
    (None: where the given store puts artifacts)."""
    given = args.tracking_uri or os.environ.get("MLFLOW_TRACKING_URI")
    if given:
        return given, None
    folder = os.path.abspath(study.location)
    return f"sqlite:///{folder}/{MLFLOW_DB}", f"file://{folder}/{MLFLOW_ARTIFACTS}"


def tracker_callbacks(args: argparse.Namespace, study: Folder) -> list[Any]:
    """The Tune callbacks of --tracker (none: [])."""
    if args.tracker == "tensorboard":
        from ray.tune.logger import TBXLoggerCallback

        # a 3-dimensional array in a report becomes an image: the picture needs nothing more
        return [TBXLoggerCallback()]
    if args.tracker == "mlflow":
        return [_mlflow_callback(*mlflow_store(args, study), experiment=args.name)]
    return []


def _mlflow_callback(uri: str, artifacts: str | None, experiment: str):
    from ray.air.integrations.mlflow import MLflowLoggerCallback

    class MLflowTracker(MLflowLoggerCallback):
        """Ray's MLflow callback (numbers and the trial's config as params), which skips arrays,
        plus the picture as an MLflow image at the same step; one run per trial, in the
        experiment named after the study."""

        def setup(self, *args, **kwargs) -> None:
            import mlflow

            # MLflow's set_tracking_uri (Ray calls it) exports the URI to the whole process;
            # on_experiment_end puts back what was there before
            self._prior_uri = os.environ.get("MLFLOW_TRACKING_URI")
            client = mlflow.MlflowClient(tracking_uri=self.tracking_uri)
            if artifacts and client.get_experiment_by_name(experiment) is None:
                client.create_experiment(experiment, artifact_location=artifacts)
            super().setup(*args, **kwargs)

        def on_experiment_end(self, trials, **info) -> None:
            import mlflow

            super().on_experiment_end(trials, **info)
            mlflow.set_tracking_uri(self._prior_uri)  # type: ignore[arg-type]  # None unsets it

        def log_trial_result(self, iteration: int, trial, result: dict) -> None:
            picture = result.get(PICTURE_KEY)
            numbers = {k: v for k, v in result.items() if k != PICTURE_KEY}
            super().log_trial_result(iteration, trial, numbers)
            if picture is not None:
                import mlflow

                client = mlflow.MlflowClient(tracking_uri=self.tracking_uri)
                step = int(result.get("timesteps_total") or result["training_iteration"])
                # MLflow takes an image as [H, W] (grey) or [H, W, C]
                client.log_image(self._trial_runs[trial], picture[0], key=PICTURE_KEY, step=step)

    return MLflowTracker(tracking_uri=uri, experiment_name=experiment)
