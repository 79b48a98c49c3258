"""Where each experiment stands, from the JSON files alone (no TensorFlow)."""

from pathlib import Path

from ._evidence import _count, _pct, read_json
from .experiments import EXPERIMENTS

__all__ = ["run_status"]


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
            if not planned and name in EXPERIMENTS:  # no result.json yet
                planned = int(EXPERIMENTS[name].extras.get("epochs", 0))
            epochs = (
                f"{done} of {planned} epochs"
                if planned > done
                else _count(done, "epoch")
            )
            return f"unfinished: {epochs} done (re-run to resume)"
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
