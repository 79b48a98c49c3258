"""Running and resuming the experiments: training, evaluation, ``result.json``."""

import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

from .._precision import cpu_bf16_flags, cpu_model
from ..exceptions import InvalidTypeError, InvalidValueError, MissingDependencyError
from .experiments import (
    EXPERIMENTS,
    feature_heads,
)

__all__ = [
    "reproduce",
    "read_json",
    "read_result",
    "write_json",
    "keep_evidence",
    "public_evidence",
    "LOCAL_ONLY",
    "classifier_from_run",
    "run_status",
    "versions",
]


class _OutOfTime(Exception):
    """The time limit was reached; the run stopped after a finished epoch."""


def versions():
    import sklearn

    from .. import __version__

    versions = {
        "skfer": __version__,
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        # the speed of a run depends on these (bfloat16 where they are)
        "cpu": cpu_model(),
        "cpu_bf16_flags": list(cpu_bf16_flags()),
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


def read_result(runs, name, evidence=None):
    """An experiment's ``result.json``: from the runs folder, else from the
    committed evidence (see :func:`keep_evidence`); None when neither has it."""
    result = read_json(Path(runs) / name / "result.json")
    if result is None and evidence is not None:
        result = read_json(Path(evidence) / name / "result.json")
    return result


def _count(n, word):
    return f"{n} {word}" + ("" if n == 1 else "s")


def run_status(runs, name, report=None):
    """Where experiment ``name`` stands in the runs folder, in a few words.

    Reads only the JSON files (no TensorFlow), so it is quick to call on a
    folder that a training in another process is writing.

    Parameters
    ----------
    runs : path-like
        The runs folder given to :func:`reproduce`.
    name : str
        An experiment name from :data:`EXPERIMENTS`.
    report : path-like, optional
        The report folder of :func:`reproduce`, read when ``runs`` has nothing
        of ``name``: a run finished on another machine is then reported from
        its committed evidence (``<report>/runs``, see :func:`keep_evidence`),
        with ``"(committed evidence)"`` after it, or else from the report's
        ``results.json`` (``"(in the report)"``).

    Returns
    -------
    str
        ``"not started"``; how far an unfinished run got (FER2013: epochs
        done; CK+: folds done per epoch budget, and the epoch of a fold in
        progress); or ``"finished"`` with its headline figure.

    Examples
    --------
    >>> from skfer.reproduce import run_status
    >>> run_status("no-such-folder", "fer2013-v2-svm-aug")
    'not started'
    """
    folder = Path(runs) / name
    if not folder.is_dir() and report is not None:
        elsewhere = _reported_status(Path(report), name)
        if elsewhere is not None:
            return elsewhere
    result = read_json(folder / "result.json") or {}
    kind = EXPERIMENTS[name].kind if name in EXPERIMENTS else None
    if kind == "fer2013" or (folder / "state.json").is_file():
        done = (read_json(folder / "state.json") or {}).get("epochs_done", 0)
        if result.get("complete") and done <= result.get("epochs_done", 0):
            return _result_status(result)
        if done:
            planned = result.get("epochs_planned") or 0
            epochs = f"{done} of {planned}" if planned > done else str(done)
            return f"unfinished: {epochs} epochs done (re-run to resume)"
        return "not started"
    budgets = sorted(
        (int(d.name.split("-")[0]), d)
        for d in folder.glob("*-epochs")
        if d.is_dir() and d.name.split("-")[0].isdigit()
    )
    if budgets:  # CK+: folds per epoch budget
        parts = []
        for epochs, budget in budgets:
            if result.get("complete") and result.get("epochs_done") == epochs:
                parts.append(_result_status(result))
                continue
            folds = sorted(budget.glob("fold-*"))
            finished = sum((f / "fold.json").is_file() for f in folds)
            part = (
                f"{_count(epochs, 'epoch')} per fold: {_count(finished, 'fold')} done"
            )
            for fold in folds:
                state = read_json(fold / "state.json") or {}
                if not (fold / "fold.json").is_file() and state.get("epochs_done"):
                    part += f", {fold.name} at epoch {state['epochs_done']}"
            parts.append(part)
        return "; ".join(parts)
    if result:  # features, baselines: one step, on a network maybe unfinished
        return _result_status(result)
    return "not started"


def _reported_status(report, name):
    """run_status from the report folder alone, None if it has no figure."""
    from .report import _pct

    result = read_json(report / "runs" / name / "result.json")
    if result is not None:
        return f"{_result_status(result)} (committed evidence)"
    records = [
        r
        for r in read_json(report / "results.json") or []
        if isinstance(r, dict) and r.get("experiment") == name
    ]
    if not records:
        return None
    done = all(r.get("complete", True) for r in records)
    words = "finished" if done else "unfinished"
    epochs = records[0].get("epochs")
    if epochs:
        words += f": {_count(epochs, 'epoch')}"
    private = [
        r["value"]
        for r in records
        if r.get("split") == "PrivateTest" and r.get("metric") == "accuracy"
    ]
    if len(private) == 1:
        words += f", PrivateTest {_pct(private[0])}%"
    return f"{words} (in the report)"


def _result_status(result):
    """A run's ``result.json`` in a few words (see run_status)."""
    from .report import _pct  # the report's percentages (report imports runner)

    complete = result.get("complete", True)
    if "accuracy_mean" in result:  # CK+: the mean over the folds
        words = f"at {_count(result['epochs_done'], 'epoch')} per fold"
        if complete:
            words = f"finished {words}"
        else:
            words = f"unfinished {words} ({result['folds']} of "
            words += f"{result['folds_planned']} folds)"
        mean, std = _pct(result["accuracy_mean"]), _pct(result["accuracy_std"])
        return f"{words}: {mean} ± {std}%"
    if "private" in result:  # FER2013: the PrivateTest figure
        private = result["private"].get("accuracy")
        figure = f", PrivateTest {_pct(private)}%" if private else ""
        if complete:
            return f"finished: {_count(result['epochs_done'], 'epoch')}{figure}"
        planned = result.get("epochs_planned")
        return f"unfinished: {result['epochs_done']} of {planned} epochs{figure}"
    if complete:
        return "finished"
    return "finished, on an unfinished network"


#: Per-image keys of a run's JSON that stay on the machine: the test labels
#: are part of the dataset (research-only, never committed), and the
#: predictions in test order would give them away too.
LOCAL_ONLY = ("y_true", "y_pred")


def _confusion(y_true, y_pred, n_classes):
    """Counts, rows the true class and columns the predicted one."""
    from sklearn.metrics import confusion_matrix

    return confusion_matrix(y_true, y_pred, labels=list(range(n_classes))).tolist()


def public_evidence(record, n_classes=None):
    """``record`` without its per-image labels, as evidence to commit.

    The keys in :data:`LOCAL_ONLY` are dropped; what the report needs of them
    is the confusion matrix (``"confusion"``), computed from them here when a
    record from an older run lacks it and ``n_classes`` is given.
    """
    record = dict(record)
    has_labels = all(k in record for k in LOCAL_ONLY)
    if "confusion" not in record and has_labels and n_classes is not None:
        record["confusion"] = _confusion(record["y_true"], record["y_pred"], n_classes)
    for key in LOCAL_ONLY:
        record.pop(key, None)
    return record


def keep_evidence(run_dir, evidence_dir):
    """Copy a run's evidence beside the report, to be committed.

    The evidence is the JSON every figure is computed from: ``result.json``,
    ``state.json`` (per-epoch curves) and, for CK+, each fold's
    ``fold.json`` (as ``fold-00.json``, ...), without the per-image test
    labels and predictions (see :func:`public_evidence`). Checkpoints and
    weights stay in ``run_dir`` (machine-local), so the report can be rebuilt
    on another machine from the repository alone.
    """
    run_dir, evidence_dir = Path(run_dir), Path(evidence_dir)
    files = {f.name: f for f in (run_dir / "result.json", run_dir / "state.json")}
    result = read_json(run_dir / "result.json") or {}
    epochs = result.get("epochs_done")
    for fold in sorted(run_dir.glob(f"{epochs}-epochs/fold-*/fold.json")):
        files[f"{fold.parent.name}.json"] = fold
    files = {name: f for name, f in files.items() if f.is_file()}
    if not files:
        return []
    evidence_dir.mkdir(parents=True, exist_ok=True)
    n_classes = len(result.get("label_names", ())) or None
    kept = []
    for name, file in files.items():
        record = read_json(file)
        if record is None:  # being written by a training: left out this time
            continue
        kept.append(evidence_dir / name)
        write_json(kept[-1], public_evidence(record, n_classes))
    return kept


def _deadline_callback(deadline):
    from .._keras import keras

    class Deadline(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if deadline is not None and time.monotonic() > deadline:
                print("time limit reached: stopping after this epoch", flush=True)
                self.model.stop_training = True

    return Deadline()


def read_json(path):
    try:
        return json.loads(Path(path).read_text("utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def write_json(path, obj):
    from .._checkpoint import atomic_write_text

    atomic_write_text(path, json.dumps(obj, indent=1, default=_jsonable))


def _jsonable(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise InvalidTypeError(f"cannot serialise {type(value).__name__}")


def _scores(y_true, y_pred, labels):
    from ..model_selection import evaluation_report

    report = evaluation_report(y_true, y_pred, labels=labels)
    summary = report["summary"]
    return {
        "accuracy": float(summary["accuracy"].iloc[0]),
        "macro_f1": float(summary["macro_f1"].iloc[0]),
        "n": int(summary["n"].iloc[0]),
    }


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
    )
    clf.initialize(np.zeros((n_classes, 48, 48), np.uint8), np.arange(n_classes))
    find_network(clf.model_).set_weights(find_network(trained).get_weights())
    if train_images is not None:
        from .._batchnorm import recalibrate_batchnorm

        recalibrate_batchnorm(
            find_network(clf.model_), clf._validate_X(train_images, reset=False)
        )
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


def _run_fer2013(exp, ctx):
    from ..model_selection import find_duplicates

    data = ctx.fer2013()
    parts = {u: data.usage == u for u in ("Training", "PublicTest", "PrivateTest")}
    run_dir = ctx.runs / exp.name
    epochs = int(exp.extras.get("epochs", ctx.epochs))
    clf = run_classifier(exp, ctx, epochs, exp.extras.get("recipe", {}))
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
    elif read_json(run_dir / "state.json") is None:
        raise _Missing(f"{exp.name} has no checkpoint in {str(run_dir)!r}")
    best_clf, state = classifier_from_run(run_dir, 7, data.data[train])
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
        "confusion": _confusion(y, pred, len(labels)),
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
    from .._keras import find_network

    return find_network(clf.model_).count_params()


# ---------------------------------------------------------------- CK+ folds
def _run_ckplus(exp, ctx):
    from .._classifier import FERClassifier
    from ..model_selection import image_level_kfold, subject_kfold

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
        saved = read_json(fold_dir / "fold.json")
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
        state = read_json(fold_dir / "state.json") or {}
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
            "confusion": _confusion(data.target[test], pred, len(labels)),
            "history": clf.history_,
            "wall_s": float(sum(state.get("epoch_seconds", [])))
            or time.perf_counter() - start,
            "params": int(_count_params(clf)),
        }
        write_json(fold_dir / "fold.json", saved)
        saved = read_json(fold_dir / "fold.json")
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
        # folds finished by an older skfer have no "confusion" of their own
        "confusion": np.sum(
            [public_evidence(f, len(labels))["confusion"] for f in fold_results],
            axis=0,
        ),
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


def _run_features(exp, ctx):
    from ..features import CNNFeatureExtractor

    source = ctx.runs / exp.extras["source"]
    state = read_json(source / "state.json")
    if state is None:
        raise _Missing(
            f"{exp.name} needs the FER2013 run {exp.extras['source']!r}; run that "
            "experiment first"
        )
    data = ctx.fer2013()
    parts = {u: data.usage == u for u in ("Training", "PublicTest", "PrivateTest")}
    clf, state = classifier_from_run(source, 7, data.data[parts["Training"]])
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
        rows += _test_rows(name, head, features, data.target, parts, labels, fit_s)
        print(f"[{exp.name}] {name}: fit {fit_s:.0f} s", flush=True)
    # the source run's budget, when skfer reproduce wrote it (bench/ runs do not)
    planned = (read_json(source / "result.json") or {}).get("epochs_planned")
    return {
        "rows": rows,
        "source_epochs": state["epochs_done"],
        "source_epochs_planned": planned,
        "source_best_epoch": state["best"]["epoch"],
        # features of an unfinished network are as unfinished as the network
        "complete": planned is None or state["epochs_done"] >= planned,
        "n_features": int(features.shape[1]),
    }


def _test_rows(name, fitted, X, y, parts, labels, fit_s):
    """A fitted Table D classifier's scores on PublicTest and PrivateTest."""
    return [
        {
            "classifier": name,
            "split": usage,
            **_scores(y[parts[usage]], fitted.predict(X[parts[usage]]), labels),
            "wall_s": fit_s,
        }
        for usage in ("PublicTest", "PrivateTest")
    ]


def _run_baselines(exp, ctx):
    from ..features import BASELINES, make_baseline

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
        rows += _test_rows(name, model, data.data, data.target, parts, range(7), fit_s)
        print(f"[{exp.name}] {name}: fit {fit_s:.0f} s", flush=True)
    return {"rows": rows, "complete": True}


class _Missing(Exception):
    """An experiment's input is not there yet."""


def _run_ferplus(exp, ctx):
    from ._ferplus import run_ferplus

    return run_ferplus(exp, ctx)


_RUNNERS = {
    "fer2013": _run_fer2013,
    "ckplus": _run_ckplus,
    "features": _run_features,
    "baselines": _run_baselines,
    "ferplus": _run_ferplus,
}


class _Context:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)
        self._fer2013 = self._ckplus = None

    def fer2013(self):
        if self._fer2013 is None:
            from ..datasets import load_fer2013

            self._fer2013 = load_fer2013(self.fer2013_path)
        return self._fer2013

    def ckplus(self):
        if self._ckplus is None:
            from ..datasets import load_ckplus

            self._ckplus = load_ckplus(self.ckplus_path)
        return self._ckplus

    def ckplus_or_none(self):
        """CK+ for cross-dataset scores, or None where it is not found."""
        from ..exceptions import DatasetNotFoundError

        try:
            return self.ckplus()
        except DatasetNotFoundError:
            return None

    def ferplus(self):
        """FER2013's images with FER+ majority labels and votes."""
        if getattr(self, "_ferplus", None) is None:
            from ..datasets import load_fer2013

            self._ferplus = load_fer2013(self.fer2013_path, labels="ferplus")
        return self._ferplus


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
        from .._utils import did_you_mean

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
            versions=versions(),
            settings={
                "epochs": ctx.epochs,
                "ckplus_epochs": ctx.ckplus_epochs,
                "folds": ctx.folds,
                "batch_size": ctx.batch_size,
            },
        )
        (runs / name).mkdir(parents=True, exist_ok=True)
        write_json(runs / name / "result.json", result)
        keep_evidence(runs / name, output / "runs" / name)
        print(f"[{name}] done", flush=True)
    from .report import write_report

    return write_report(runs, output)
