"""The jobs of one FERClassifier fit around ``keras.Model.fit``: the
callbacks (schedule, freezing, early stopping, checkpoints, resume), the
arguments (routed ``fit__*``, seeded epoch streams, validation batches) and
the call itself (precision, Ctrl-C)."""

import os

from sklearn.model_selection import train_test_split

from ._checkpoint import EpochCheckpoint, load_checkpoint, run_settings
from ._compat import route_params
from ._finetune import FreezeTrunk
from ._keras import compile_augmentation_on_jax, keras
from ._optimizers import optimizer_settings
from ._precision import resolve_precision, set_precision, warn_if_slow
from ._random import batches, make_epoch_streams, seeded
from ._schedule import EpochLearningRate
from .exceptions import (
    FileAccessError,
    FilePermissionError,
    InvalidParameterError,
    InvalidValueError,
)
from .losses import VoteCrossentropy, get_loss, vote_accuracy

__all__ = [
    "compile_kwargs",
    "fit_arguments",
    "fit_callbacks",
    "hold_out",
    "interrupted_error",
    "run_fit",
]


def fit_callbacks(clf, validation_data, warm_start, initial_epoch, epochs):
    """The callbacks of a fit, after resuming from ``checkpoint_dir``.

    Returns ``(callbacks, history, best, initial_epoch, epochs)``: the
    checkpoint's history and best epoch (empty without one) and the epochs
    still to train.
    """
    callbacks = list(clf._fit_callbacks)
    if clf.early_stopping is not None:
        if validation_data is None:
            raise InvalidValueError(
                "early_stopping needs validation data: set "
                "validation_fraction or call fit(X, y, validation_data=(X_val, "
                "y_val))."
            )
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor="val_accuracy",
                mode="max",
                patience=clf.early_stopping,
                restore_best_weights=True,
            )
        )
    if clf.lr_schedule == "plateau" and validation_data is None:
        raise InvalidValueError(
            "lr_schedule='plateau' lowers the learning rate when validation "
            "accuracy stops improving, so it needs validation data: set "
            "validation_fraction or call fit(X, y, validation_data=(X_val, "
            "y_val)), or use lr_schedule='constant' or 'cosine'."
        )
    history, best = {}, None
    if clf.checkpoint_dir is not None:
        history, best, initial_epoch, epochs = resume(clf, initial_epoch, epochs)
    if clf.lr_schedule != "constant":
        prior = history.get("val_accuracy", [])
        if not prior and warm_start and initial_epoch:
            prior = getattr(clf, "history_", {}).get("val_accuracy", [])
        callbacks.insert(
            0,
            EpochLearningRate(
                clf.lr_schedule,
                clf.learning_rate,
                max(int(clf.epochs), initial_epoch + epochs),
                prior,
                factor=clf.lr_factor,
                patience=clf.lr_patience,
            ),
        )
    if clf.freeze_epochs:
        if clf.pretrained is None:
            raise InvalidValueError(
                "freeze_epochs freezes the layers copied from a pretrained "
                "network, so it needs pretrained=...; set freeze_epochs=0."
            )
        if keras.backend.backend() != "tensorflow":
            raise InvalidValueError(
                "freeze_epochs needs Keras' TensorFlow backend (it retraces "
                "the training step when the layers thaw)."
            )
        callbacks.insert(0, FreezeTrunk(clf.freeze_epochs))
    if clf.checkpoint_dir is not None:
        callbacks.append(
            EpochCheckpoint(clf.checkpoint_dir, run_settings(clf), history, best)
        )
    return callbacks, history, best, initial_epoch, epochs


def fit_arguments(
    clf, X, y, sample_weight, validation_data, callbacks, initial_epoch, epochs, kwargs
):
    """``(x, y, keyword arguments)`` of ``keras.Model.fit``."""
    fit_args = route_params(
        clf.get_params(), destination="fit", pass_filter=clf._fit_kwargs
    )
    fit_args = {k: v for k, v in fit_args.items() if not k.startswith("callbacks")}
    fit_args.update(
        sample_weight=sample_weight,
        epochs=initial_epoch + epochs,
        initial_epoch=initial_epoch,
        callbacks=callbacks,
        validation_data=validation_data,
    )
    fit_args.pop("validation_split", None)
    fit_args.update(kwargs)
    x_fit, y_fit = X, y
    if clf._seed is not None and epochs > 0:
        # seeded: each epoch's order, dropout and augmentation depend on
        # the seed and the epoch only, so a resumed run equals a straight one
        batch_size = fit_args.pop("batch_size", None) or clf.batch_size
        fit_args.setdefault("validation_batch_size", batch_size)
        fit_args["shuffle"] = False  # the dataset orders each epoch itself
        weights = fit_args.pop("sample_weight", None)
        x_fit, streams = make_epoch_streams(
            X, y, weights, batch_size=int(batch_size), seed=clf._seed
        )
        y_fit = None
        fit_args["callbacks"] = [streams, *fit_args["callbacks"]]
    if validation_data is not None and keras.backend.backend() == "tensorflow":
        batch_size = (
            fit_args.pop("validation_batch_size", None)
            or fit_args.get("batch_size")
            or clf.batch_size
        )
        # as ordered batches, not arrays: with the training batches coming
        # from a PyDataset (seeded fits), TensorFlow 2.21 logs an
        # ERROR-level line on the tf.data map Keras builds for arrays
        # ("NodeDef mentions attribute use_unbounded_threadpool ...") at the
        # first validation; the batches, and the figures, are the same
        fit_args["validation_data"] = batches(
            *validation_data, batch_size=int(batch_size)
        )
    return x_fit, y_fit, fit_args


def run_fit(clf, x_fit, y_fit, fit_args, epochs):
    """``keras.Model.fit`` in the fit's precision; ``(history, interrupted)``
    (Ctrl-C keeps the epochs finished so far)."""
    new_history, interrupted = {}, False
    clf.precision_ = resolve_precision(clf.precision)
    if epochs > 0:
        warn_if_slow(clf.precision)
        set_precision(clf.model_, clf.precision_)
        with seeded(clf._seed):
            try:
                new_history = clf.model_.fit(x=x_fit, y=y_fit, **fit_args).history
            except KeyboardInterrupt:
                # Ctrl-C: keep what was learnt, record the finished epochs,
                # then let the interrupt stop the caller's program
                interrupted = True
                recorder = getattr(clf.model_, "history", None)
                new_history = dict(getattr(recorder, "history", {}) or {})
            finally:
                # predict, save and export in float32
                set_precision(clf.model_, "float32")
    return new_history, interrupted


def interrupted_error(clf):
    """The KeyboardInterrupt a fit stopped by Ctrl-C raises."""
    return KeyboardInterrupt(
        f"fit interrupted after {clf.fit_epochs_} finished epoch(s); the "
        "estimator keeps the weights reached so far"
        + (
            f" and {clf.checkpoint_dir!r} holds the last finished epoch: "
            "call fit again to resume."
            if clf.checkpoint_dir is not None
            else "."
        )
    )


def resume(clf, initial_epoch, epochs):
    """Load the checkpoint in ``checkpoint_dir`` if there is one."""
    try:
        os.makedirs(clf.checkpoint_dir, exist_ok=True)
    except OSError as exc:
        raise FileAccessError(
            f"checkpoint_dir {str(clf.checkpoint_dir)!r} cannot be created "
            f"({exc.strerror}). Pass a folder you can write to."
        ) from exc
    if not os.access(clf.checkpoint_dir, os.W_OK | os.X_OK):
        raise FilePermissionError(
            f"checkpoint_dir {str(clf.checkpoint_dir)!r} is not writable. Pass "
            "a folder you can write to."
        )
    model, state = load_checkpoint(clf.checkpoint_dir, run_settings(clf))
    if model is None:
        return {}, None, initial_epoch, epochs
    clf.model_ = compile_augmentation_on_jax(model)
    done = int(state["epochs_done"])
    target = initial_epoch + epochs
    if clf.verbose:
        print(
            f"Resuming from {clf.checkpoint_dir}: {done} of {target} epochs "
            "already done."
        )
    return state["history"], state["best"], done, max(0, target - done)


def compile_kwargs(clf, scikeras_kwargs):
    """Keras' compile arguments: the optimizer built from the estimator's
    parameters (``scikeras_kwargs()`` resolves a Keras optimizer given as
    such), the loss (vote shares with ``votes``) and accuracy."""
    params = clf.get_params()
    if isinstance(clf.optimizer, str):
        build = {"adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD}
        optimizer = build[clf.optimizer](**optimizer_settings(clf))
    else:
        optimizer = scikeras_kwargs()["optimizer"]
    compile_params = route_params(
        params, destination="compile", pass_filter=set(), strict=True
    )
    for key in ("optimizer", "loss"):
        if key in compile_params:
            raise InvalidParameterError(
                f"compile__{key} is not routed: set {key}= on the estimator."
            )
    if getattr(clf, "_votes", None) is not None:
        # soft labels: vote shares in training, integer labels in validation
        loss = VoteCrossentropy(clf.label_smoothing)
        metric = keras.metrics.MeanMetricWrapper(vote_accuracy, name="accuracy")
    else:
        loss = get_loss(
            clf.loss,
            svm_margin=clf.svm_margin,
            label_smoothing=clf.label_smoothing,
        )
        metric = keras.metrics.SparseCategoricalAccuracy(name="accuracy")
    return {
        "optimizer": optimizer,
        "loss": loss,
        "metrics": [metric],
        "run_eagerly": clf.run_eagerly,
        **compile_params,
    }


def hold_out(clf, X, y, sample_weight, votes=None):
    """A stratified ``validation_fraction`` of the training data, held out."""
    extra = [a for a in (sample_weight, votes) if a is not None]
    arrays = [X, y, *extra]
    try:
        parts = train_test_split(
            *arrays,
            test_size=clf.validation_fraction,
            stratify=y,
            random_state=clf._seed,
        )
    except ValueError:  # a class too small to stratify
        parts = train_test_split(
            *arrays, test_size=clf.validation_fraction, random_state=clf._seed
        )
    X_tr, X_val, y_tr, y_val = parts[:4]
    train_extra = iter(parts[4::2])
    w_tr = next(train_extra) if sample_weight is not None else None
    v_tr = next(train_extra) if votes is not None else None
    return X_tr, X_val, y_tr, y_val, w_tr, v_tr
