"""A run's evidence: reading and writing its JSON, the scores and confusion
matrices kept in it, and the copy without test labels that is committed."""

import json
from pathlib import Path

import numpy as np

from ..exceptions import InvalidTypeError

__all__ = [
    "LOCAL_ONLY",
    "keep_evidence",
    "public_evidence",
    "read_json",
    "read_result",
    "write_json",
]


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

def read_result(runs, name, evidence=None):
    """An experiment's ``result.json``: from the runs folder, else from the
    committed evidence (see :func:`keep_evidence`); None when neither has it."""
    result = read_json(Path(runs) / name / "result.json")
    if result is None and evidence is not None:
        result = read_json(Path(evidence) / name / "result.json")
    return result

def _count(n, word):
    return f"{n} {word}" + ("" if n == 1 else "s")

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

def _scores(y_true, y_pred, labels):
    from ..model_selection import evaluation_report

    report = evaluation_report(y_true, y_pred, labels=labels)
    summary = report["summary"]
    return {
        "accuracy": float(summary["accuracy"].iloc[0]),
        "macro_f1": float(summary["macro_f1"].iloc[0]),
        "n": int(summary["n"].iloc[0]),
    }


def _pct(value):
    return "" if value is None else f"{100 * value:.2f}"
