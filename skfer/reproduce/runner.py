"""Running and resuming the experiments: training, evaluation, ``result.json``."""

import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

from .._precision import cpu_bf16_flags, cpu_model
from ..exceptions import InvalidValueError, MissingDependencyError
from ._evidence import (  # noqa: F401 (re-exported: runner's public names)
    LOCAL_ONLY,
    _confusion,
    _scores,
    keep_evidence,
    public_evidence,
    read_json,
    read_result,
    write_json,
)
from ._status import run_status  # noqa: F401
from ._training import (  # noqa: F401
    TTA_SUFFIXES,
    _deadline_callback,
    _Missing,
    _OutOfTime,
    classifier_from_run,
    run_classifier,
    tta_modes,
)
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


def _train_fer2013(exp, ctx):
    """Train (or resume) a FER2013 run; its best-PublicTest classifier."""
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
    return data, parts, epochs, clf, best_clf, state


def _run_fer2013(exp, ctx):
    from ..model_selection import find_duplicates

    data, parts, epochs, clf, best_clf, state = _train_fer2013(exp, ctx)
    train = parts["Training"]
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
    """PublicTest/PrivateTest scores of ``clf`` with test-time flips and,
    for a crop network, ten crops."""
    out = {}
    public = parts["PublicTest"]
    private = parts["PrivateTest"]
    y = data.target[private]
    for tta in tta_modes(clf):
        suffix = TTA_SUFFIXES[tta]
        clf.set_params(tta=tta)
        try:
            pred = clf.predict(data.data[private])
            out.update(
                {
                    "public" + suffix: _scores(
                        data.target[public], clf.predict(data.data[public]), labels
                    ),
                    "private" + suffix: _scores(y, pred, labels),
                    "private_dedup" + suffix: _scores(y[unique], pred[unique], labels),
                }
            )
        finally:
            clf.set_params(tta=False)
    return out


def _run_probe(exp, ctx):
    """A recipe probe: trained like a FER2013 run, scored on PublicTest only."""
    data, parts, epochs, clf, best_clf, state = _train_fer2013(exp, ctx)
    public = parts["PublicTest"]
    y, images = data.target[public], data.data[public]
    labels = list(range(7))
    result = {
        "epochs_done": state["epochs_done"],
        "epochs_planned": epochs,
        "complete": state["epochs_done"] >= epochs,
        "recipe": exp.extras["recipe"],
        "best_epoch": state["best"]["epoch"],
        "public_at_selection": state["best"]["val_accuracy"],
        "public": _scores(y, best_clf.predict(images), labels),
        "precision": getattr(clf, "precision_", None),
        "history": state["history"],
        "wall_s": float(sum(state.get("epoch_seconds", []))) or None,
        "params": int(_count_params(best_clf)),
    }
    for tta in tta_modes(best_clf):
        best_clf.set_params(tta=tta)
        try:
            result["public" + TTA_SUFFIXES[tta]] = _scores(
                y, best_clf.predict(images), labels
            )
        finally:
            best_clf.set_params(tta=False)
    return result


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


def _run_ferplus(exp, ctx):
    from ._ferplus import run_ferplus

    return run_ferplus(exp, ctx)


_RUNNERS = {
    "fer2013": _run_fer2013,
    "ckplus": _run_ckplus,
    "features": _run_features,
    "baselines": _run_baselines,
    "ferplus": _run_ferplus,
    "probe": _run_probe,
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
