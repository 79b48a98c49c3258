"""Reproduce the study's tables under protocol-correct evaluation.

``skfer reproduce`` (or :func:`reproduce`) trains and evaluates the
experiments below on the real data, resumably, and writes a report folder:
``results.md`` (our figure beside the study's), ``results.json`` (one record
per figure) and PNG confusion matrices and learning curves.

Protocols
---------
FER2013
    Train on Training; choose the epoch on PublicTest (the checkpoint with the
    best PublicTest accuracy); report PrivateTest with those weights, on the
    whole PrivateTest and on the PrivateTest images that have no
    pixel-identical copy in Training. Nothing is chosen on PrivateTest.
CK+
    10-fold cross-validation, folds grouped by subject
    (:func:`skfer.model_selection.subject_kfold`); each fold trains a fixed
    number of epochs and is scored with its final weights, so the test fold
    chooses nothing (training never sees it; the learning curves are the
    training loss and accuracy). The
    image-level split the study likely used
    (:func:`skfer.model_selection.image_level_kfold`) is run for comparison.

Every run keeps a checkpoint per epoch (and per fold) in ``runs/<experiment>``:
re-running the same command resumes, and ``time_limit`` stops cleanly after
the epoch that crosses it. The report is rewritten from whatever is finished,
and figures from unfinished runs are marked as such.
"""

import json
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .exceptions import InvalidTypeError, InvalidValueError, MissingDependencyError

__all__ = ["EXPERIMENTS", "outlook", "reproduce", "write_report"]

FER_PROTOCOL = (
    "FER2013 official split: trained on Training, epoch chosen on PublicTest "
    "accuracy, PrivateTest reported with those weights (never used for a choice)"
)
SUBJECT_PROTOCOL = (
    "CK+ 10-fold CV grouped by subject (StratifiedGroupKFold, no subject in two "
    "folds); fixed epochs, final weights scored on the test fold"
)
IMAGE_PROTOCOL = (
    "CK+ 10-fold CV at image level (StratifiedKFold; leaky: frames of one "
    "sequence and one subject's faces on both sides), for comparison only"
)
FEATURES_PROTOCOL = (
    "penultimate-layer features of the FER2013 CNN (its best-PublicTest epoch); "
    "classifier fitted on Training with fixed hyper-parameters (nothing tuned); "
    "PublicTest and PrivateTest reported"
)
BASELINE_PROTOCOL = (
    "classical pipeline fitted on Training with fixed hyper-parameters (nothing "
    "tuned); PublicTest and PrivateTest reported"
)

#: The study's reported test accuracies (percent).
STUDY = {
    ("A", "FER2013", "v2", "crossentropy", False): 64.56,
    ("A", "FER2013", "v2", "crossentropy", True): 68.66,
    ("B", "FER2013", "v2", "crossentropy", True): 67.60,
    ("B", "FER2013", "v2", "svm", True): 65.64,
    ("B", "CK+", "v2", "crossentropy", True): 97.97,
    ("B", "CK+", "v2", "svm", True): 93.55,
    ("C", "FER2013", "v1", "crossentropy", True): 62.16,
    ("C", "FER2013", "v2", "crossentropy", True): 67.60,
    ("C", "CK+", "v1", "crossentropy", True): 93.92,
    ("C", "CK+", "v2", "crossentropy", True): 97.97,
}


#: Our training recipe for Model 2 on FER2013 (not the study's constant Adam
#: 1e-3): the study's Adam 1e-3 with a cosine learning-rate decay to 0 over a
#: fixed number of epochs, the study's augmentation, batch 64; the epoch is
#: chosen on PublicTest as always. Nesterov SGD 0.01 with the same decay was
#: tried first and dropped after 5 epochs, on its training curve alone: 33%
#: training accuracy at epoch 5 against 51% for Adam (docs/results, "Our
#: recipe").
OUR_RECIPE = {
    "optimizer": "adam",
    "learning_rate": 1e-3,
    "lr_schedule": "cosine",
}
OUR_EPOCHS = 40

#: Our CK+ fine-tuning recipe: start from the shipped FER2013 network, train
#: only the new 7-class head for 2 epochs, then everything, with the study's
#: Adam 1e-3. Adam 1e-4 was tried first and dropped because its training
#: folds underfit (74-77% training accuracy after 20 epochs; decided on the
#: training curves, not the test folds: docs/results/runs/probe-ckplus-...).
FINETUNE_RECIPE = {
    "pretrained": "v1-fer2013",
    "freeze_epochs": 2,
    "learning_rate": 1e-3,
}


@dataclass(frozen=True)
class Experiment:
    """One unit of work of the reproduction; ``name`` is its run folder."""

    name: str
    kind: str  # "fer2013", "ckplus", "features" or "baselines"
    tables: tuple
    model: str = ""
    loss: str = "crossentropy"
    augment: bool = True
    split: str = ""  # CK+: "subject" or "image"
    extras: dict = field(default_factory=dict, compare=False, hash=False)


def _experiments():
    out = []
    for model, loss, augment, tables in (
        ("v2", "crossentropy", True, ("A", "B", "C")),
        ("v2", "crossentropy", False, ("A",)),
        ("v2", "svm", True, ("B",)),
        ("v1", "crossentropy", True, ("C",)),
    ):
        tag = "aug" if augment else "noaug"
        out.append(
            Experiment(
                f"fer2013-{model}-{loss}-{tag}", "fer2013", tables, model, loss, augment
            )
        )
    for model, loss, split, tables in (
        ("v1", "crossentropy", "subject", ("C", "CK+")),
        ("v2", "crossentropy", "subject", ("B", "C", "CK+")),
        ("v2", "svm", "subject", ("B",)),
        ("v1", "crossentropy", "image", ("CK+",)),
        ("v2", "crossentropy", "image", ("CK+",)),
    ):
        out.append(
            Experiment(
                f"ckplus-{model}-{loss}-aug-{split}",
                "ckplus",
                tables,
                model,
                loss,
                True,
                split,
            )
        )
    for model in ("v1", "v2"):
        out.append(
            Experiment(
                f"features-{model}",
                "features",
                ("D",),
                model,
                extras={"source": f"fer2013-{model}-crossentropy-aug"},
            )
        )
    out.append(Experiment("baselines", "baselines", ("D",)))
    # ours: CK+ folds fine-tuned from the shipped FER2013 network (no CK+ image
    # was used to train it); fixed recipe, not chosen on the test folds
    out.append(
        Experiment(
            "ckplus-v1-finetuned-subject",
            "ckplus",
            ("CK+",),
            "v1",
            "crossentropy",
            True,
            "subject",
            extras={"recipe": FINETUNE_RECIPE},
        )
    )
    # not the study's recipe: ours, reported beside the study's rows
    out.append(
        Experiment(
            "fer2013-v2-ours",
            "fer2013",
            ("ours",),
            "v2",
            "crossentropy",
            True,
            extras={"recipe": OUR_RECIPE, "epochs": OUR_EPOCHS},
        )
    )
    return {e.name: e for e in out}


#: All experiments by name, in the order ``skfer reproduce`` runs them.
EXPERIMENTS = _experiments()


class _OutOfTime(Exception):
    """The time limit was reached; the run stopped after a finished epoch."""


def _versions():
    import sklearn

    from . import __version__

    versions = {
        "skfer": __version__,
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
    }
    if "keras" in sys.modules:
        import keras

        backend = keras.backend.backend()
        versions.update(keras=keras.__version__, keras_backend=backend)
        if backend in sys.modules:  # tensorflow, jax or torch
            versions[backend] = sys.modules[backend].__version__
        versions["accelerator"] = _accelerator(backend)
    return versions


def _accelerator(backend):
    """The GPU the Keras backend computes on, or "none"."""
    try:
        if backend == "jax":
            import jax

            devices = [d for d in jax.devices() if d.platform != "cpu"]
            return devices[0].device_kind if devices else "none"
        if backend == "torch":
            import torch

            return (
                torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
            )
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        if not gpus:
            return "none"
        details = tf.config.experimental.get_device_details(gpus[0])
        return details.get("device_name", gpus[0].name)
    except Exception:  # noqa: BLE001 - a version record must never fail a run
        return "unknown"


def _deadline_callback(deadline):
    from ._keras import keras

    class Deadline(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if deadline is not None and time.monotonic() > deadline:
                print("time limit reached: stopping after this epoch", flush=True)
                self.model.stop_training = True

    return Deadline()


def _read_json(path):
    try:
        return json.loads(Path(path).read_text("utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def _write_json(path, obj):
    from ._checkpoint import atomic_write_text

    atomic_write_text(path, json.dumps(obj, indent=1, default=_jsonable))


def _jsonable(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise InvalidTypeError(f"cannot serialise {type(value).__name__}")


def _scores(y_true, y_pred, labels):
    from .model_selection import evaluation_report

    report = evaluation_report(y_true, y_pred, labels=labels)
    summary = report["summary"]
    return {
        "accuracy": float(summary["accuracy"].iloc[0]),
        "macro_f1": float(summary["macro_f1"].iloc[0]),
        "n": int(summary["n"].iloc[0]),
    }


def _classifier_from_run(run_dir, n_classes, train_images=None):
    """A fitted FERClassifier holding a run's best (or last) weights.

    With ``train_images``, its BatchNormalization statistics are recomputed
    on them, as ``FERClassifier(precise_bn=True).fit`` does.
    """
    from ._classifier import FERClassifier
    from ._keras import find_network, keras

    state = _read_json(Path(run_dir) / "state.json")
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
    )
    clf.initialize(np.zeros((n_classes, 48, 48), np.uint8), np.arange(n_classes))
    find_network(clf.model_).set_weights(find_network(trained).get_weights())
    if train_images is not None:
        from ._batchnorm import recalibrate_batchnorm

        recalibrate_batchnorm(
            find_network(clf.model_), clf._validate_X(train_images, reset=False)
        )
    return clf, state


# --------------------------------------------------------------- FER2013 runs
def _run_fer2013(exp, ctx):
    from ._classifier import FERClassifier
    from .model_selection import find_duplicates

    data = ctx.fer2013()
    parts = {u: data.usage == u for u in ("Training", "PublicTest", "PrivateTest")}
    run_dir = ctx.runs / exp.name
    epochs = int(exp.extras.get("epochs", ctx.epochs))
    clf = FERClassifier(
        model=exp.model,
        loss=exp.loss,
        augment=exp.augment,
        epochs=epochs,
        **exp.extras.get("recipe", {}),
        batch_size=ctx.batch_size,
        random_state=ctx.seed,
        checkpoint_dir=str(run_dir),
        callbacks=[_deadline_callback(ctx.deadline)],
        verbose=ctx.verbose,
        # the best-PublicTest checkpoint is evaluated below, with its
        # statistics recomputed there
        precise_bn=False,
    )
    train = parts["Training"]
    if ctx.train:
        clf.fit(
            data.data[train],
            data.target[train],
            validation_data=(
                data.data[parts["PublicTest"]],
                data.target[parts["PublicTest"]],
            ),
        )
    elif _read_json(run_dir / "state.json") is None:
        raise _Missing(f"{exp.name} has no checkpoint in {str(run_dir)!r}")
    best_clf, state = _classifier_from_run(run_dir, 7, data.data[train])
    private = parts["PrivateTest"]
    pred = best_clf.predict(data.data[private])
    y = data.target[private]
    unique = ~find_duplicates(data.data[train], data.data[private])
    labels = list(range(7))
    result = {
        "epochs_done": state["epochs_done"],
        "epochs_planned": epochs,
        "complete": state["epochs_done"] >= epochs,
        "recipe": exp.extras.get("recipe", "the study's: Adam 1e-3, constant"),
        "best_epoch": state["best"]["epoch"],
        # the epoch was chosen on Keras' own (moving-average) statistics;
        # the figure is the evaluated model's, with recomputed statistics
        "public": _scores(
            data.target[parts["PublicTest"]],
            best_clf.predict(data.data[parts["PublicTest"]]),
            labels,
        ),
        "public_at_selection": state["best"]["val_accuracy"],
        "private": _scores(y, pred, labels),
        "private_dedup": _scores(y[unique], pred[unique], labels),
        # the same network with test-time flips (tta=True), for reference
        **_tta_scores(best_clf, data, parts, unique, labels),
        "precision": getattr(clf, "precision_", None),  # None: not trained here
        "y_true": y,
        "y_pred": pred,
        "history": state["history"],
        "wall_s": float(sum(state.get("epoch_seconds", []))) or None,
        "epoch_seconds_recorded": len(state.get("epoch_seconds", [])),
        "params": int(_count_params(best_clf)),
        "label_names": list(data.target_names),
    }
    return result


def _tta_scores(clf, data, parts, unique, labels):
    """PublicTest/PrivateTest scores of ``clf`` with test-time flips."""
    clf.set_params(tta=True)
    try:
        public = parts["PublicTest"]
        private = parts["PrivateTest"]
        pred = clf.predict(data.data[private])
        y = data.target[private]
        return {
            "public_tta": _scores(
                data.target[public], clf.predict(data.data[public]), labels
            ),
            "private_tta": _scores(y, pred, labels),
            "private_dedup_tta": _scores(y[unique], pred[unique], labels),
        }
    finally:
        clf.set_params(tta=False)


def _count_params(clf):
    from ._keras import find_network

    return find_network(clf.model_).count_params()


# ---------------------------------------------------------------- CK+ folds
def _run_ckplus(exp, ctx):
    from ._classifier import FERClassifier
    from .model_selection import image_level_kfold, subject_kfold

    data = ctx.ckplus()
    if exp.split == "subject":
        folds = list(
            subject_kfold(ctx.folds, random_state=0).split(
                data.data, data.target, data.groups
            )
        )
    else:
        folds = list(
            image_level_kfold(ctx.folds, random_state=0).split(data.data, data.target)
        )
    # folds trained for another number of epochs are kept apart
    run_dir = ctx.runs / exp.name / f"{ctx.ckplus_epochs}-epochs"
    labels = list(range(len(data.target_names)))
    fold_results, stopped = [], None
    for k, (train, test) in enumerate(folds):
        fold_dir = run_dir / f"fold-{k:02d}"
        saved = _read_json(fold_dir / "fold.json")
        if saved is not None:
            fold_results.append(saved)
            continue
        if not ctx.train:
            stopped = "not training (--no-train)"
            continue
        if ctx.deadline is not None and time.monotonic() > ctx.deadline:
            stopped = "time limit reached"
            break
        fold_dir.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        clf = FERClassifier(
            model=exp.model,
            loss=exp.loss,
            augment=exp.augment,
            **exp.extras.get("recipe", {}),
            epochs=ctx.ckplus_epochs,
            batch_size=ctx.batch_size,
            random_state=None if ctx.seed is None else ctx.seed + k,
            checkpoint_dir=str(fold_dir),
            callbacks=[_deadline_callback(ctx.deadline)],
            verbose=0,
        )
        clf.fit(data.data[train], data.target[train])
        if len(clf.history_.get("loss", [])) < ctx.ckplus_epochs:
            stopped = f"time limit reached in fold {k + 1} (resumes there)"
            break
        pred = clf.predict(data.data[test])
        state = _read_json(fold_dir / "state.json") or {}
        saved = {
            "fold": k,
            "epochs": ctx.ckplus_epochs,
            "test_index": test,
            "test_subjects": sorted(set(data.groups[test].tolist())),
            "train_subjects_overlap": len(
                set(data.groups[test]) & set(data.groups[train])
            ),
            "y_true": data.target[test],
            "y_pred": pred,
            "scores": _scores(data.target[test], pred, labels),
            "history": clf.history_,
            "wall_s": float(sum(state.get("epoch_seconds", [])))
            or time.perf_counter() - start,
            "params": int(_count_params(clf)),
        }
        _write_json(fold_dir / "fold.json", saved)
        saved = _read_json(fold_dir / "fold.json")
        fold_results.append(saved)
        print(
            f"[{exp.name}] fold {k + 1}/{len(folds)}: accuracy "
            f"{saved['scores']['accuracy']:.4f} ({saved['wall_s']:.0f} s)",
            flush=True,
        )
    if not fold_results:
        raise (_OutOfTime if ctx.train else _Missing)(f"no fold finished: {stopped}")
    if stopped is not None:
        print(
            f"[{exp.name}] {stopped}: reporting {len(fold_results)} of "
            f"{len(folds)} folds",
            flush=True,
        )
    acc = np.array([f["scores"]["accuracy"] for f in fold_results])
    f1 = np.array([f["scores"]["macro_f1"] for f in fold_results])
    return {
        "folds": len(fold_results),
        "folds_planned": len(folds),
        "epochs_done": ctx.ckplus_epochs,
        "epochs_planned": ctx.ckplus_epochs,
        "complete": stopped is None,
        "accuracy_mean": float(acc.mean()),
        "accuracy_std": float(acc.std(ddof=1)) if len(acc) > 1 else 0.0,
        "accuracy_folds": acc.tolist(),
        "macro_f1_mean": float(f1.mean()),
        "macro_f1_std": float(f1.std(ddof=1)) if len(f1) > 1 else 0.0,
        "subject_overlap": int(sum(f["train_subjects_overlap"] for f in fold_results)),
        "y_true": np.concatenate([f["y_true"] for f in fold_results]),
        "y_pred": np.concatenate([f["y_pred"] for f in fold_results]),
        "history": _mean_history([f["history"] for f in fold_results]),
        "wall_s": float(sum(f["wall_s"] for f in fold_results)),
        "params": fold_results[0]["params"],
        "label_names": list(data.target_names),
    }


def _mean_history(histories):
    keys = set.intersection(*(set(h) for h in histories))
    length = min(len(h["loss"]) for h in histories)
    return {
        k: np.mean([h[k][:length] for h in histories], axis=0).tolist() for k in keys
    }


# ------------------------------------------------------------- Table D runs
def feature_heads():
    """Table D's classifiers on CNN features, fixed hyper-parameters, by name."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import LinearSVC

    return {
        "random forest (300 trees)": RandomForestClassifier(
            n_estimators=300, n_jobs=-1, random_state=0
        ),
        "linear SVM (C=0.01)": make_pipeline(
            StandardScaler(), LinearSVC(C=0.01, random_state=0)
        ),
        "logistic regression (C=1)": make_pipeline(
            StandardScaler(), LogisticRegression(max_iter=1000)
        ),
    }


def _run_features(exp, ctx):
    from .features import CNNFeatureExtractor

    source = ctx.runs / exp.extras["source"]
    state = _read_json(source / "state.json")
    if state is None:
        raise _Missing(
            f"{exp.name} needs the FER2013 run {exp.extras['source']!r}; run that "
            "experiment first"
        )
    data = ctx.fer2013()
    parts = {u: data.usage == u for u in ("Training", "PublicTest", "PrivateTest")}
    clf, state = _classifier_from_run(source, 7, data.data[parts["Training"]])
    start = time.perf_counter()
    features = CNNFeatureExtractor(clf, prefit=True).fit(data.data).transform(data.data)
    embed_s = time.perf_counter() - start
    heads = feature_heads()
    labels = list(range(7))
    rows = []
    for usage in ("PublicTest", "PrivateTest"):
        mask = parts[usage]
        rows.append(
            {
                "classifier": "the CNN's own softmax head",
                "split": usage,
                **_scores(data.target[mask], clf.predict(data.data[mask]), labels),
                "wall_s": embed_s,
            }
        )
    train = parts["Training"]
    for name, head in heads.items():
        start = time.perf_counter()
        head.fit(features[train], data.target[train])
        fit_s = time.perf_counter() - start
        for usage in ("PublicTest", "PrivateTest"):
            mask = parts[usage]
            rows.append(
                {
                    "classifier": name,
                    "split": usage,
                    **_scores(data.target[mask], head.predict(features[mask]), labels),
                    "wall_s": fit_s,
                }
            )
        print(f"[{exp.name}] {name}: fit {fit_s:.0f} s", flush=True)
    # the source run's budget, when skfer reproduce wrote it (bench/ runs do not)
    planned = (_read_json(source / "result.json") or {}).get("epochs_planned")
    return {
        "rows": rows,
        "source_epochs": state["epochs_done"],
        "source_epochs_planned": planned,
        "source_best_epoch": state["best"]["epoch"],
        # features of an unfinished network are as unfinished as the network
        "complete": planned is None or state["epochs_done"] >= planned,
        "n_features": int(features.shape[1]),
    }


def _run_baselines(exp, ctx):
    from .features import BASELINES, make_baseline

    data = ctx.fer2013()
    parts = {u: data.usage == u for u in ("Training", "PublicTest", "PrivateTest")}
    train = parts["Training"]
    rows = []
    for name in BASELINES:
        if ctx.deadline is not None and time.monotonic() > ctx.deadline:
            raise _OutOfTime(f"{exp.name}: stopped before {name}")
        start = time.perf_counter()
        model = make_baseline(name).fit(data.data[train], data.target[train])
        fit_s = time.perf_counter() - start
        for usage in ("PublicTest", "PrivateTest"):
            mask = parts[usage]
            rows.append(
                {
                    "classifier": name,
                    "split": usage,
                    **_scores(
                        data.target[mask], model.predict(data.data[mask]), range(7)
                    ),
                    "wall_s": fit_s,
                }
            )
        print(f"[{exp.name}] {name}: fit {fit_s:.0f} s", flush=True)
    return {"rows": rows, "complete": True}


class _Missing(Exception):
    """An experiment's input is not there yet."""


_RUNNERS = {
    "fer2013": _run_fer2013,
    "ckplus": _run_ckplus,
    "features": _run_features,
    "baselines": _run_baselines,
}


class _Context:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)
        self._fer2013 = self._ckplus = None

    def fer2013(self):
        if self._fer2013 is None:
            from .datasets import load_fer2013

            self._fer2013 = load_fer2013(self.fer2013_path)
        return self._fer2013

    def ckplus(self):
        if self._ckplus is None:
            from .datasets import load_ckplus

            self._ckplus = load_ckplus(self.ckplus_path)
        return self._ckplus


def reproduce(
    experiments=None,
    *,
    fer2013=None,
    ckplus=None,
    runs="skfer_runs",
    output="docs/results",
    epochs=50,
    ckplus_epochs=30,
    folds=10,
    batch_size=64,
    time_limit=None,
    seed=None,
    train=True,
    verbose=2,
    command=None,
):
    """Run (or resume) experiments and rewrite the report in ``output``.

    Parameters
    ----------
    experiments : list of str, optional
        Names from :data:`EXPERIMENTS` (default: all, in that order).
    fer2013, ckplus : path-like, optional
        The datasets in any format the loaders read (default: the loaders'
        search in :func:`skfer.datasets.get_data_home`).
    runs : path-like, default="skfer_runs"
        Checkpoints and per-experiment results; re-running resumes from here.
    output : path-like, default="docs/results"
        Where ``results.md``, ``results.json`` and the PNGs are written.
    epochs : int, default=50
        FER2013 epochs per CNN run (the study's budget).
    ckplus_epochs : int, default=30
        Epochs per CK+ fold.
    folds : int, default=10
        CK+ folds.
    batch_size : int, default=64
    time_limit : float, optional
        Seconds; every run stops after the epoch that crosses it, and the
        remaining experiments are left for the next call.
    seed : int, optional
        Seeds training (TensorFlow op determinism on: about 1.5x slower on
        CPU). The CK+ folds are always made with seed 0.
    train : bool, default=True
        False: train nothing; report what the runs in ``runs`` have reached
        (FER2013 runs at their best epoch so far, CK+ runs only when all
        folds are finished).
    verbose : int, default=2
        Keras verbosity of FER2013 runs (one line per epoch).
    command : str, optional
        The command recorded in each figure (default: this process's argv).

    Returns
    -------
    records : list of dict
        One per figure, as written to ``results.json``.

    Examples
    --------
    >>> from skfer.reproduce import EXPERIMENTS, reproduce
    >>> EXPERIMENTS["ckplus-v2-crossentropy-aug-subject"].tables
    ('B', 'C', 'CK+')
    >>> records = reproduce(  # doctest: +SKIP
    ...     ["ckplus-v1-crossentropy-aug-subject"], ckplus="CK+48/",
    ...     runs="runs", output="report", ckplus_epochs=20, time_limit=3600)
    """
    try:  # the report's figures; checked before hours of training
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise MissingDependencyError(
            "skfer reproduce draws its report's figures with matplotlib, which is "
            "not installed: pip install 'skfer[tune]' (or matplotlib), then run "
            "it again. Nothing was trained."
        ) from exc
    unknown = [name for name in experiments or () if name not in EXPERIMENTS]
    if unknown:
        from ._utils import did_you_mean

        raise InvalidValueError(
            f"Unknown experiment {unknown[0]!r}."
            f"{did_you_mean(unknown[0], EXPERIMENTS)} Choose from: "
            f"{', '.join(EXPERIMENTS)}."
        )
    for name, value in (("epochs", epochs), ("ckplus_epochs", ckplus_epochs)):
        if int(value) < 1:
            raise InvalidValueError(f"{name} must be at least 1; got {value}.")
    if int(folds) < 2:
        raise InvalidValueError(f"folds must be at least 2; got {folds}.")
    runs, output = Path(runs).expanduser(), Path(output).expanduser()
    runs.mkdir(parents=True, exist_ok=True)
    output.mkdir(parents=True, exist_ok=True)
    command = command or " ".join(["skfer"] + sys.argv[1:])
    ctx = _Context(
        fer2013_path=fer2013,
        ckplus_path=ckplus,
        runs=runs,
        epochs=int(epochs),
        ckplus_epochs=int(ckplus_epochs),
        folds=int(folds),
        batch_size=int(batch_size),
        deadline=None if time_limit is None else time.monotonic() + float(time_limit),
        seed=seed,
        train=bool(train),
        verbose=verbose,
    )
    for name in experiments or list(EXPERIMENTS):
        exp = EXPERIMENTS[name]
        if ctx.deadline is not None and time.monotonic() > ctx.deadline:
            print(f"[{name}] not started: time limit reached", flush=True)
            continue
        print(f"[{name}] running", flush=True)
        start = time.perf_counter()
        try:
            result = _RUNNERS[exp.kind](exp, ctx)
        except _OutOfTime as exc:
            print(f"[{name}] time limit reached: {exc}", flush=True)
            continue
        except _Missing as exc:
            print(f"[{name}] skipped: {exc}", flush=True)
            continue
        result.update(
            experiment=name,
            command=command,
            seed=seed,
            session_wall_s=time.perf_counter() - start,
            versions=_versions(),
            settings={
                "epochs": ctx.epochs,
                "ckplus_epochs": ctx.ckplus_epochs,
                "folds": ctx.folds,
                "batch_size": ctx.batch_size,
            },
        )
        (runs / name).mkdir(parents=True, exist_ok=True)
        _write_json(runs / name / "result.json", result)
        print(f"[{name}] done", flush=True)
    return write_report(runs, output)


# ------------------------------------------------------------------ report
def _records(runs):
    records = []
    for name, exp in EXPERIMENTS.items():
        result = _read_json(Path(runs) / name / "result.json")
        if result is None:
            continue
        base = {
            "experiment": name,
            "table": list(exp.tables),
            "model": exp.model or None,
            "loss": exp.loss if exp.kind in ("fer2013", "ckplus") else None,
            "augment": exp.augment if exp.kind in ("fer2013", "ckplus") else None,
            "seed": result.get("seed"),
            "command": result.get("command"),
            "versions": result.get("versions"),
            "complete": result.get("complete", True),
        }
        if exp.kind == "fer2013":
            common = dict(
                base,
                dataset="FER2013",
                protocol=FER_PROTOCOL,
                epochs=result["epochs_done"],
                epochs_planned=result["epochs_planned"],
                best_epoch=result["best_epoch"],
                params=result["params"],
                wall_s=result["wall_s"],
            )
            records.append(
                dict(
                    common,
                    split="PublicTest (chosen epoch)",
                    metric="accuracy",
                    value=result["public"]["accuracy"],
                    # what the epoch was chosen on: Keras' moving BN statistics
                    value_at_selection=result.get("public_at_selection"),
                )
            )
            for split, key in (
                ("PrivateTest", "private"),
                ("PrivateTest without Training duplicates", "private_dedup"),
            ):
                for metric in ("accuracy", "macro_f1"):
                    records.append(
                        dict(
                            common,
                            split=split,
                            metric=metric,
                            value=result[key][metric],
                            n=result[key]["n"],
                        )
                    )
        elif exp.kind == "ckplus":
            common = dict(
                base,
                dataset="CK+",
                protocol=SUBJECT_PROTOCOL if exp.split == "subject" else IMAGE_PROTOCOL,
                split=f"{result.get('folds_planned', result['folds'])}-fold CV, "
                f"{result['folds']} test folds (mean ± std over folds)",
                epochs=result["epochs_done"],
                params=result["params"],
                wall_s=result["wall_s"],
                folds=result["folds"],
                folds_planned=result.get("folds_planned", result["folds"]),
            )
            for metric in ("accuracy", "macro_f1"):
                records.append(
                    dict(
                        common,
                        metric=metric,
                        value=result[f"{metric}_mean"],
                        std=result[f"{metric}_std"],
                    )
                )
        else:
            protocol = (
                FEATURES_PROTOCOL if exp.kind == "features" else BASELINE_PROTOCOL
            )
            for row in result["rows"]:
                for metric in ("accuracy", "macro_f1"):
                    records.append(
                        dict(
                            base,
                            dataset="FER2013",
                            protocol=protocol,
                            classifier=row["classifier"],
                            split=row["split"],
                            metric=metric,
                            value=row[metric],
                            epochs=result.get("source_epochs"),
                            epochs_planned=result.get("source_epochs_planned"),
                            wall_s=row["wall_s"],
                        )
                    )
        for record in records:
            record.setdefault("study", _study(record))
    return records


def _study(record):
    for table in record["table"]:
        key = (
            table,
            record["dataset"],
            record["model"],
            record["loss"],
            record["augment"],
        )
        if key in STUDY:
            return STUDY[key]
    return None


def _num(value):
    return "" if value is None else f"{value:.2f}"


def _pct(value):
    return "" if value is None else f"{100 * value:.2f}"


def _find(records, experiment, split=None, metric="accuracy"):
    for r in records:
        if (
            r["experiment"] == experiment
            and r["metric"] == metric
            and (split is None or r["split"] == split)
        ):
            return r
    return None


def _fer_cell(records, name):
    r = _find(records, name, "PrivateTest")
    if r is None:
        return "not run", "", "", ""
    dedup = _find(records, name, "PrivateTest without Training duplicates")
    public = _find(records, name, "PublicTest (chosen epoch)")
    epochs = f"{r['epochs']}/{r['epochs_planned']} (best {r['best_epoch']})"
    if not r["complete"]:
        epochs += ", unfinished"
    return _pct(r["value"]), _pct(dedup["value"]), _pct(public["value"]), epochs


def _ck_fer_columns(records, name):
    """A CK+ result in the FER2013 tables' columns (no dedup or PublicTest)."""
    acc, epochs = _ck_cell(records, name)
    return [acc, "", "", epochs]


def _ck_cell(records, name):
    r = _find(records, name)
    if r is None:
        return "not run", ""
    epochs = f"{r['epochs']} per fold"
    if not r["complete"]:
        epochs += f", unfinished: {r['folds']} of {r['folds_planned']} folds"
    return f"{_pct(r['value'])} ± {_pct(r['std'])}", epochs


def _table(header, rows):
    return ("table", header, rows)


def _render_md(blocks):
    out = []
    for block in blocks:
        if isinstance(block, tuple):
            _, header, rows = block
            out += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
        else:
            out.append(block)
    return "\n".join(out) + "\n"


def _render_rst(blocks, image_dir):
    """The same report as reStructuredText, for the Sphinx docs."""
    import re

    out = []
    for block in blocks:
        if isinstance(block, tuple):
            _, header, rows = block
            out += [".. list-table::", "   :header-rows: 1", ""]
            for row in [header, *rows]:
                cells = [str(c) if str(c) else " " for c in row]
                out.append(("   * - " + cells[0]).rstrip())
                out += [f"     - {c}".rstrip() for c in cells[1:]]
            continue
        line = re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", block)
        image = re.fullmatch(r"!\[(.*)\]\((.*)\)", line)
        if image:
            out += [
                f".. image:: {image_dir}/{image.group(2)}",
                f"   :alt: {image.group(1)}",
                "",
            ]
        elif line.startswith("## "):
            out += [line[3:], "-" * len(line[3:])]
        elif line.startswith("# "):
            continue  # the including page has the title
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def _blocks(records, pngs, outlook=()):
    fer = "fer2013-{}-{}-{}"
    ck = "ckplus-{}-{}-aug-{}"
    out = [
        "# skfer: the study's tables, reproduced",
        "",
        "Written by `skfer reproduce`; every figure is in `results.json` with the "
        "command that measured it, its protocol, epochs, wall time and versions. "
        "The study's figure is beside ours; the study's figures are *test* "
        "accuracies under its own (unstated or leaky) splits.",
        "",
        f'- **FER2013 protocol:** {FER_PROTOCOL}. "dedup" is PrivateTest without '
        "the images that have a pixel-identical copy in Training "
        "(`skfer.model_selection.find_duplicates`).",
        f"- **CK+ protocol:** {SUBJECT_PROTOCOL}; figures are mean ± std over the "
        "folds.",
        '- "not run" means the experiment has no result yet; "unfinished" means '
        "its run stopped before its planned epochs (budget) and the figure is its "
        "best epoch so far.",
        "",
        "## Table A: augmentation, Model 2, cross-entropy, FER2013 (accuracy %)",
        "",
    ]
    rows = []
    for augment in (False, True):
        name = fer.format("v2", "crossentropy", "aug" if augment else "noaug")
        cells = _fer_cell(records, name)
        study = _num(STUDY[("A", "FER2013", "v2", "crossentropy", augment)])
        rows.append(["on" if augment else "off", study, *cells])
    out += [
        _table(
            [
                "augmentation",
                "study (test)",
                "PrivateTest",
                "PrivateTest dedup",
                "PublicTest",
                "epochs",
            ],
            rows,
        ),
        "",
        "## Table B: loss, Model 2 (accuracy %)",
        "",
    ]
    rows = []
    for loss in ("crossentropy", "svm"):
        cells = _fer_cell(records, fer.format("v2", loss, "aug"))
        rows.append(
            ["FER2013", loss, _num(STUDY[("B", "FER2013", "v2", loss, True)]), *cells]
        )
    for loss in ("crossentropy", "svm"):
        cells = _ck_fer_columns(records, ck.format("v2", loss, "subject"))
        rows.append(["CK+", loss, _num(STUDY[("B", "CK+", "v2", loss, True)]), *cells])
    out += [
        _table(
            [
                "dataset",
                "loss",
                "study (test)",
                "ours (PrivateTest / CK+ subject CV)",
                "PrivateTest dedup",
                "PublicTest",
                "epochs",
            ],
            rows,
        ),
        "",
        "## Table C: Model 1 vs Model 2, cross-entropy (accuracy %)",
        "",
    ]
    rows = []
    for model in ("v1", "v2"):
        name = fer.format(model, "crossentropy", "aug")
        cells = _fer_cell(records, name)
        r = _find(records, name) or _find(
            records, ck.format(model, "crossentropy", "subject")
        )
        params = f"{r['params']:,}" if r else ""
        rows.append(
            [
                "FER2013",
                model,
                params,
                _num(STUDY[("C", "FER2013", model, "crossentropy", True)]),
                *cells,
            ]
        )
    for model in ("v1", "v2"):
        name = ck.format(model, "crossentropy", "subject")
        r = _find(records, name)
        study = _num(STUDY[("C", "CK+", model, "crossentropy", True)])
        params = f"{r['params']:,}" if r else ""
        rows.append(["CK+", model, params, study, *_ck_fer_columns(records, name)])
    out += [
        _table(
            [
                "dataset",
                "model",
                "parameters",
                "study (test)",
                "ours (PrivateTest / CK+ subject CV)",
                "PrivateTest dedup",
                "PublicTest",
                "epochs",
            ],
            rows,
        ),
        "",
        "## CK+: subject-grouped vs image-level 10-fold CV (accuracy %, mean ± std)",
        "",
    ]
    rows = []
    for model in ("v1", "v2"):
        sub, epochs = _ck_cell(records, ck.format(model, "crossentropy", "subject"))
        img, img_epochs = _ck_cell(records, ck.format(model, "crossentropy", "image"))
        if "unfinished" in img_epochs:
            img += " (" + img_epochs.split(", ", 1)[1] + ")"
        tuned, _ = _ck_cell(records, f"ckplus-{model}-finetuned-subject")
        rows.append(
            [
                model,
                _num(STUDY[("C", "CK+", model, "crossentropy", True)]),
                sub,
                img,
                tuned,
                epochs,
            ]
        )
    out += [
        _table(
            [
                "model",
                "study (test)",
                "subject-grouped (honest)",
                "image-level (leaky)",
                "subject-grouped, fine-tuned from FER2013 (ours)",
                "epochs",
            ],
            rows,
        ),
        "",
        f"Image-level protocol: {IMAGE_PROTOCOL}.",
        "",
        "## Table D: CNN features vs the CNN's head vs classical baselines, "
        "FER2013 (accuracy %)",
        "",
        f"Protocol: {FEATURES_PROTOCOL}; baselines: {BASELINE_PROTOCOL}. The study "
        "found a random forest on top of the CNN hurt.",
        "",
    ]
    rows = []
    for name in ("features-v1", "features-v2", "baselines"):
        mine = [
            r for r in records if r["experiment"] == name and r["metric"] == "accuracy"
        ]
        by = {}
        for r in mine:
            by.setdefault(r["classifier"], {})[r["split"]] = r
        for clf, splits in by.items():
            f1 = _find(
                [r for r in records if r.get("classifier") == clf],
                name,
                "PrivateTest",
                "macro_f1",
            )
            source = {"features-v1": "Model 1", "features-v2": "Model 2"}.get(
                name, "pixels"
            )
            epochs = splits["PrivateTest"].get("epochs")
            planned = splits["PrivateTest"].get("epochs_planned")
            if planned and epochs < planned:
                epochs = f"{epochs} of {planned} epochs, unfinished"
            else:
                epochs = f"{epochs} epochs"
            rows.append(
                [
                    source if name == "baselines" else f"{source} ({epochs})",
                    clf,
                    _pct(splits["PublicTest"]["value"]),
                    _pct(splits["PrivateTest"]["value"]),
                    f"{f1['value']:.3f}" if f1 else "",
                ]
            )
        if not mine:
            rows.append([name, "not run", "", "", ""])
    out += [
        _table(
            [
                "input",
                "classifier",
                "PublicTest",
                "PrivateTest",
                "PrivateTest macro-F1",
            ],
            rows,
        ),
        "",
        "## Figures",
        "",
    ]
    for p in pngs:
        out += [f"![{p.stem}]({p.name})", ""]
    if not pngs:
        out.append("(none yet)")
    unfinished = sorted({r["experiment"] for r in records if not r["complete"]})
    missing = [n for n in EXPERIMENTS if not any(r["experiment"] == n for r in records)]
    out += ["", "## Status", ""]
    out.append(
        "- unfinished (budget): " + (", ".join(unfinished) if unfinished else "none")
    )
    out.append("- not run: " + (", ".join(missing) if missing else "none"))
    if outlook:
        out += ["", "## Where the unfinished runs were heading", ""]
        out += [f"- {line}" for line in outlook]
    commands = sorted({r["command"] for r in records if r.get("command")})
    out += ["", "## Commands", ""] + [f"- `{c}`" for c in commands]
    return out


def outlook(runs):
    """What the learning curves of unfinished FER2013 runs suggest.

    An unfinished run (stopped by its budget) is set beside a finished run of
    the other model with the same loss and augmentation: its best PublicTest
    accuracy by the same epoch, and the finished run's best over all its
    epochs. If the unfinished run kept its lead (or gap) at that epoch, a
    full run would reach about the finished run's best plus that lead (and its
    PrivateTest, the finished run's PrivateTest plus that lead). This is
    an extrapolation, not a measurement, and is worded as one; it uses the
    per-epoch PublicTest scores of training (Keras' moving BatchNormalization
    statistics) for both runs, the scores the epoch is chosen on.

    Parameters
    ----------
    runs : path-like
        The runs folder of :func:`reproduce`.

    Returns
    -------
    lines : list of str
        One sentence per unfinished FER2013 run with a finished partner; empty
        when there is none.

    Examples
    --------
    >>> import tempfile
    >>> from skfer.reproduce import outlook
    >>> outlook(tempfile.mkdtemp())
    []
    """
    results = {
        name: _read_json(Path(runs).expanduser() / name / "result.json")
        for name, exp in EXPERIMENTS.items()
        if exp.kind == "fer2013"
    }
    lines = []
    for name, result in results.items():
        if result is None or result.get("complete", True):
            continue
        exp, done = EXPERIMENTS[name], result["epochs_done"]
        for other, ref in results.items():
            o = EXPERIMENTS[other]
            if (
                ref is None
                or not ref.get("complete", True)
                or other == name
                or (o.loss, o.augment) != (exp.loss, exp.augment)
                or ref["epochs_done"] < done
            ):
                continue
            mine = np.asarray(result["history"]["val_accuracy"][:done])
            ref_curve = np.asarray(ref["history"]["val_accuracy"])
            lead = mine.max() - ref_curve[:done].max()
            best = int(np.argmax(ref_curve))
            word = "lead" if lead >= 0 else "gap"
            lines.append(
                f"{name} stopped after {done} of {result['epochs_planned']} "
                f"epochs; its best PublicTest by then was {_pct(mine.max())}% "
                f"(epoch {int(np.argmax(mine)) + 1}), against "
                f"{_pct(ref_curve[:done].max())}% for {other} by the same "
                f"epoch, which went on to {_pct(ref_curve[best])}% at its best "
                f"(epoch {best + 1} of {ref['epochs_done']}). If the "
                f"{word} of {abs(lead) * 100:.1f} "
                f"points held, a full run would reach about "
                f"{_pct(ref_curve[best] + lead)}% PublicTest (and about "
                f"{_pct(ref['private']['accuracy'] + lead)}% PrivateTest, "
                f"{other}'s {_pct(ref['private']['accuracy'])}% with the same "
                f"{word}): an extrapolation, not a measurement (PublicTest scores "
                "of training, with Keras' moving BatchNormalization statistics)."
            )
    return lines


def _plots(runs, output):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    pngs = []
    for name, exp in EXPERIMENTS.items():
        if exp.kind not in ("fer2013", "ckplus"):
            continue
        result = _read_json(Path(runs) / name / "result.json")
        if result is None:
            continue
        if exp.kind == "fer2013":
            where = f"FER2013 PrivateTest, best-PublicTest epoch {result['best_epoch']}"
            held = "PublicTest"
        else:
            where = f"CK+ {result['folds']} test folds pooled ({exp.split}-level)"
            held = "held-out fold (monitored only)"
        fig, ax = plt.subplots(figsize=(6.4, 5.6))
        ConfusionMatrixDisplay.from_predictions(
            result["y_true"],
            result["y_pred"],
            labels=list(range(len(result["label_names"]))),
            display_labels=result["label_names"],
            normalize="true",
            values_format=".2f",
            cmap="Blues",
            ax=ax,
            colorbar=False,
        )
        ax.set_title(f"{name}\n{where}", fontsize=9)
        plt.setp(ax.get_xticklabels(), rotation=45, ha="right")
        fig.tight_layout()
        path = Path(output) / f"confusion_{name}.png"
        fig.savefig(path, dpi=100)
        plt.close(fig)
        pngs.append(path)
        history = result["history"]
        epochs = np.arange(1, len(history["loss"]) + 1)
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
        for ax, key in zip(axes, ("loss", "accuracy")):
            ax.plot(
                epochs,
                history[key],
                label="training (augmented)" if exp.augment else "training",
            )
            if f"val_{key}" in history:
                ax.plot(epochs, history[f"val_{key}"], label=held)
            ax.set_xlabel("epoch")
            ax.set_ylabel(key)
            ax.grid(alpha=0.3)
        axes[0].legend(fontsize=8)
        suffix = "" if exp.kind == "fer2013" else f", mean of {result['folds']} folds"
        fig.suptitle(f"{name}{suffix}", fontsize=9)
        fig.tight_layout()
        path = Path(output) / f"learning_curve_{name}.png"
        fig.savefig(path, dpi=100)
        plt.close(fig)
        pngs.append(path)
    return pngs


def write_report(runs, output):
    """Rewrite ``results.json``, ``results.md`` and the PNGs from ``runs``.

    ``results.rst`` (the same tables, images under ``/results``) is written
    too, for ``docs/results.rst`` to include.

    Parameters
    ----------
    runs : path-like
        The runs folder of :func:`reproduce`.
    output : path-like
        The report folder.

    Returns
    -------
    records : list of dict

    Examples
    --------
    >>> import os, tempfile
    >>> from skfer.reproduce import write_report
    >>> root = tempfile.mkdtemp()
    >>> write_report(os.path.join(root, "runs"), os.path.join(root, "report"))
    []
    >>> sorted(os.listdir(os.path.join(root, "report")))
    ['results.json', 'results.md', 'results.rst']
    """
    runs, output = Path(runs).expanduser(), Path(output).expanduser()
    output.mkdir(parents=True, exist_ok=True)
    records = _records(runs)
    pngs = _plots(runs, output)
    _write_json(output / "results.json", records)
    from ._checkpoint import atomic_write_text

    blocks = _blocks(records, pngs, outlook(runs))
    atomic_write_text(output / "results.md", _render_md(blocks))
    atomic_write_text(output / "results.rst", _render_rst(blocks, "/results"))
    return records
