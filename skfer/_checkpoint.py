"""Per-epoch checkpoints that make FERClassifier.fit resumable.

A checkpoint folder holds ``last.keras`` (model and optimizer state after the
last finished epoch), ``best.keras`` (the epoch with the best validation
accuracy, when there is validation data) and ``state.json`` (epochs done,
history, best epoch, wall seconds per epoch, and the settings the run was
started with). Every file
is written to a temporary name and moved into place, so a run killed
mid-write never leaves a half-written checkpoint that loads as valid.
"""

import contextlib
import json
import os
import tempfile
import time
from pathlib import Path

from ._keras import keras
from ._optimizers import OPTIMIZER_DEFAULTS, optimizer_settings
from ._precision import resolve_precision
from .exceptions import InvalidValueError

__all__ = ["EpochCheckpoint", "load_checkpoint", "atomic_target", "atomic_write_text"]

STATE = "state.json"
LAST = "last.keras"
BEST = "best.keras"


@contextlib.contextmanager
def atomic_target(path):
    """Yield a temporary path beside ``path``; move it into place on success.

    On any failure the temporary file is removed and ``path`` is untouched.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix
    )
    os.close(fd)
    try:
        yield tmp
        # mkstemp creates 0600 files; give the result the usual permissions
        umask = os.umask(0)
        os.umask(umask)
        if os.path.isfile(tmp):
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_text(path, text):
    """Write ``text`` to ``path`` atomically (temporary file + rename)."""
    with atomic_target(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def save_model_atomic(model, path):
    """``model.save(path)`` through a temporary file in the same folder."""
    with atomic_target(path) as tmp:
        model.save(tmp)


def load_checkpoint(folder, settings):
    """Return ``(model, state)`` of a checkpoint folder, or ``(None, None)``.

    Raises ValueError when the folder holds a run started with other
    ``settings`` (model, loss, classes, image shape...).
    """
    folder = Path(folder)
    state_path = folder / STATE
    if not state_path.exists() or not (folder / LAST).exists():
        return None, None
    try:
        state = json.loads(state_path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InvalidValueError(
            f"Checkpoint state {str(state_path)!r} is unreadable ({exc}); delete the "
            "folder to start over."
        ) from None
    stored = state.get("settings", {})
    if "identity" not in stored:
        # an older checkpoint recorded fewer settings: compare those it has
        settings = {key: value for key, value in settings.items() if key in stored}
    if stored != settings:
        changed = sorted(
            key
            for key in set(settings) | set(stored)
            if settings.get(key) != stored.get(key)
        )
        raise InvalidValueError(
            f"checkpoint_dir {str(folder)!r} holds a run with different settings "
            f"({', '.join(changed)}); use another folder or delete it to start over."
        )
    model = keras.models.load_model(folder / LAST)
    return model, state


class EpochCheckpoint(keras.callbacks.Callback):
    """Save ``last.keras``/``best.keras``/``state.json`` after every epoch."""

    def __init__(self, folder, settings, history, best):
        super().__init__()
        self.folder = Path(folder)
        self.settings = settings
        self.history = {key: list(values) for key, values in history.items()}
        self.best = best  # {"epoch": int, "val_accuracy": float} or None
        self.epoch_seconds = []

    def on_train_begin(self, logs=None):
        # wall time per epoch, kept across resumes (runs checkpointed before
        # this was recorded start with an empty list)
        try:
            state = json.loads((self.folder / STATE).read_text("utf-8"))
            self.epoch_seconds = list(state.get("epoch_seconds", []))
        except (OSError, json.JSONDecodeError):
            self.epoch_seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        start = getattr(self, "_epoch_start", None)
        if start is not None:
            self.epoch_seconds.append(round(time.perf_counter() - start, 3))
        logs = logs or {}
        for key, value in logs.items():
            self.history.setdefault(key, []).append(float(value))
        val = logs.get("val_accuracy")
        if val is not None and (self.best is None or val > self.best["val_accuracy"]):
            self.best = {"epoch": epoch + 1, "val_accuracy": float(val)}
            save_model_atomic(self.model, self.folder / BEST)
        save_model_atomic(self.model, self.folder / LAST)
        state = {
            "epochs_done": epoch + 1,
            "history": self.history,
            "best": self.best,
            "settings": self.settings,
            "epoch_seconds": self.epoch_seconds,
        }
        atomic_write_text(self.folder / STATE, json.dumps(state, indent=1))


def run_settings(clf):
    """What a checkpoint of FERClassifier ``clf`` must agree with to be
    resumed: every setting that changes what an epoch does."""
    model = (
        clf.model
        if isinstance(clf.model, str)
        else getattr(clf.model, "__qualname__", repr(clf.model))
    )
    loss = clf.loss
    if not isinstance(loss, str):  # a Keras loss object: its class and config
        config = json.dumps(loss.get_config(), sort_keys=True, default=repr)
        loss = f"{type(loss).__module__}.{type(loss).__qualname__}{config}"
    # beta_1 and momentum are recorded by value (as when they were
    # parameters of their own), run_eagerly changes no result
    routed = {
        key: repr(value)
        for key, value in sorted(clf.get_params().items())
        if key.startswith(("model__", "optimizer__", "compile__"))
        and key
        not in ("optimizer__beta_1", "optimizer__momentum", "compile__run_eagerly")
    }
    settings = optimizer_settings(clf) if isinstance(clf.optimizer, str) else {}
    pretrained = clf.pretrained
    return {
        # identity 2: every setting that changes what an epoch does;
        # checkpoints without it recorded fewer (load_checkpoint)
        "identity": 2,
        "random_state": getattr(clf, "_seed", None),
        "beta_1": float(settings.get("beta_1", OPTIMIZER_DEFAULTS["adam"]["beta_1"])),
        "pretrained": None if pretrained is None else os.fspath(pretrained),
        "freeze_epochs": int(clf.freeze_epochs),
        "precision": resolve_precision(clf.precision),
        "precise_bn": bool(clf.precise_bn),
        "routed": routed,
        "model": model,
        "loss": loss,
        "svm_margin": float(clf.svm_margin),
        "augment": bool(clf.augment),
        "dropout": float(clf.dropout),
        "l2": float(clf.l2),
        "learning_rate": float(clf.learning_rate),
        "batch_size": int(clf.batch_size),
        "image_shape": list(clf.image_shape_),
        "classes": [str(c) for c in clf.classes_],
        **_recipe_settings(clf, settings),
    }


def _recipe_settings(clf, settings):
    """Recipe settings that differ from the study's (older checkpoints
    have none of these keys and still resume)."""
    out = {}
    if isinstance(clf.optimizer, str) and clf.optimizer != "adam":
        out["optimizer"] = clf.optimizer
        out["momentum"] = float(settings["momentum"])
    if clf.lr_schedule != "constant":
        out["lr_schedule"] = clf.lr_schedule
    if clf.lr_schedule == "plateau":
        out["lr_factor"] = float(clf.lr_factor)
        out["lr_patience"] = int(clf.lr_patience)
    if clf.lr_schedule == "cosine":
        out["epochs"] = int(clf.epochs)
    if clf.label_smoothing:
        out["label_smoothing"] = float(clf.label_smoothing)
    if clf.crop is not None:
        out["crop"] = int(clf.crop)
    if getattr(clf, "_votes", None) is not None:
        out["targets"] = "votes"
    cw = clf.class_weight
    if isinstance(cw, str):
        out["class_weight"] = cw
        if clf.class_weight_power != 1.0:
            out["class_weight_power"] = float(clf.class_weight_power)
    elif cw is not None:
        out["class_weight"] = {str(k): float(v) for k, v in cw.items()}
    return out
