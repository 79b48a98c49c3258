"""The weights and targets of a FERClassifier fit: class weights (with
``class_weight_power``) times ``sample_weight``, and vote counts as soft
targets."""

import warnings

import numpy as np
from sklearn.exceptions import DataConversionWarning

from .exceptions import InvalidParameterError, InvalidValueError

__all__ = ["class_sample_weight", "vote_shares"]


def class_sample_weight(clf, y, sample_weight):
    """Per-image weights of FERClassifier ``clf``'s ``class_weight`` (and
    ``class_weight_power``) times ``sample_weight``; a clear error for
    weights that cannot hold."""
    cw, power = clf.class_weight, float(clf.class_weight_power)
    if cw is None or (isinstance(cw, str) and power == 0.0):
        if cw is None and power != 1.0:
            raise InvalidParameterError(
                f"class_weight_power={power!r} tempers class_weight='balanced' "
                "and class_weight is None. Pass class_weight='balanced' too, "
                "or leave class_weight_power at 1.0."
            )
        return sample_weight
    if isinstance(cw, dict) and power != 1.0:
        raise InvalidParameterError(
            f"class_weight_power={power!r} tempers the 'balanced' weights, "
            "but class_weight is a dict of your own weights. Raise your "
            "weights to that power yourself, or use class_weight='balanced'."
        )
    if y is None:
        return sample_weight
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataConversionWarning)
        y = clf._validate_y(y)
    classes, index, counts = np.unique(y, return_inverse=True, return_counts=True)
    if isinstance(cw, dict):
        unknown = [k for k in cw if k not in set(classes.tolist())]
        if unknown:
            raise InvalidValueError(
                f"class_weight names classes that y does not have: "
                f"{sorted(map(str, unknown))}; y has {classes.tolist()}."
            )
        per_class = np.array([float(cw.get(c, 1.0)) for c in classes.tolist()])
        if not (np.isfinite(per_class).all() and (per_class >= 0).all()):
            raise InvalidValueError(
                "class_weight values must be finite and >= 0; got "
                f"{dict(zip(classes.tolist(), per_class.tolist()))}."
            )
    else:
        per_class = (len(y) / (len(classes) * counts)) ** power
    weights = per_class[index.ravel()]
    if sample_weight is None:
        return weights
    sample_weight = np.asarray(sample_weight, dtype=np.float64)
    if sample_weight.shape != weights.shape:
        raise InvalidValueError(
            f"sample_weight must have shape (n_samples,) = ({len(y)},); got "
            f"{sample_weight.shape}."
        )
    return sample_weight * weights


def vote_shares(clf, votes, y):
    """Vote counts -> float32 rows summing to 1 (the soft targets of
    FERClassifier ``clf``), or a clear error."""
    if clf.loss != "crossentropy":
        raise InvalidValueError(
            f"votes (soft labels) are learnt with the cross-entropy loss; "
            f"loss={clf.loss!r} has no probabilistic target. Use "
            "loss='crossentropy', or fit without votes."
        )
    if hasattr(votes, "to_numpy"):
        votes = votes.to_numpy()
    try:
        votes = np.asarray(votes, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidValueError(
            "votes must be numeric counts of shape (n_samples, n_classes)."
        ) from None
    n_samples = len(y) if hasattr(y, "__len__") else None
    n_classes = len(np.unique(clf._validate_y(y)))
    if votes.ndim != 2 or votes.shape != (n_samples, n_classes):
        raise InvalidValueError(
            f"votes must have shape (n_samples, n_classes) = ({n_samples}, "
            f"{n_classes}): one row per image, one column per class of y in "
            f"sorted order; got shape {votes.shape}."
        )
    if not np.isfinite(votes).all():
        raise InvalidValueError("votes holds NaN or infinite values.")
    if (votes < 0).any():
        raise InvalidValueError(
            "votes holds negative counts; counts or shares must be >= 0."
        )
    totals = votes.sum(axis=1)
    empty = np.flatnonzero(totals == 0)
    if empty.size:
        raise InvalidValueError(
            f"{empty.size} row(s) of votes have no vote for any class (first: "
            f"row {int(empty[0])}); drop those images or give them a label's "
            "one-hot row."
        )
    return (votes / totals[:, None]).astype(np.float32)
