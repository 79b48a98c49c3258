"""The trained side of a run: the checkpointed FERClassifier it trains, the
classifier rebuilt from its best checkpoint, the time limit."""

import time
from pathlib import Path

import numpy as np

from ._evidence import read_json

__all__ = ["classifier_from_run", "run_classifier"]


class _OutOfTime(Exception):
    """The time limit was reached; the run stopped after a finished epoch."""


class _Missing(Exception):
    """An experiment's input is not there yet."""


#: result-key suffix of each test-time augmentation a run is scored with
TTA_SUFFIXES = {"flip": "_tta", "ten-crop": "_tencrop"}


def tta_modes(clf):
    """The test-time augmentations ``clf`` can be scored with."""
    return ("flip", "ten-crop") if clf.crop is not None else ("flip",)


def _deadline_callback(deadline):
    from .._keras import keras

    class Deadline(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if deadline is not None and time.monotonic() > deadline:
                print("time limit reached: stopping after this epoch", flush=True)
                self.model.stop_training = True

    return Deadline()


def classifier_from_run(run_dir, n_classes, train_images=None):
    """A fitted FERClassifier holding a run's best (or last) weights.

    With ``train_images``, its BatchNormalization statistics are recomputed
    on them, as ``FERClassifier(precise_bn=True).fit`` does.
    """
    from .._classifier import FERClassifier
    from .._keras import find_network, keras

    state = read_json(Path(run_dir) / "state.json")
    settings = state["settings"]
    path = Path(run_dir) / "best.keras"
    if not path.exists():
        path = Path(run_dir) / "last.keras"
    trained = keras.models.load_model(path, compile=False)
    clf = FERClassifier(
        model=settings["model"],
        loss=settings["loss"],
        augment=False,
        dropout=settings["dropout"],
        l2=settings["l2"],
        crop=settings.get("crop"),
    )
    clf.initialize(np.zeros((n_classes, 48, 48), np.uint8), np.arange(n_classes))
    find_network(clf.model_).set_weights(find_network(trained).get_weights())
    if train_images is not None:
        from .._batchnorm import recalibrate_batchnorm

        images = clf._validate_X(train_images, reset=False)
        recalibrate_batchnorm(find_network(clf.model_), clf._network_input(images))
    return clf, state


# --------------------------------------------------------------- FER2013 runs
def run_classifier(exp, ctx, epochs, recipe):
    """The FERClassifier of a run that trains on one split with checkpoints.

    The best-PublicTest checkpoint is evaluated afterwards, with its
    statistics recomputed there (so no precise BatchNorm pass after fit).
    """
    from .._classifier import FERClassifier

    return FERClassifier(
        model=exp.model,
        loss=exp.loss,
        augment=exp.augment,
        epochs=epochs,
        **recipe,
        batch_size=ctx.batch_size,
        random_state=ctx.seed,
        checkpoint_dir=str(ctx.runs / exp.name),
        callbacks=[_deadline_callback(ctx.deadline)],
        verbose=ctx.verbose,
        precise_bn=False,
    )
