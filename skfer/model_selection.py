"""Protocol-correct splits and tidy evaluation for FER datasets.

* FER2013: :class:`OfficialSplit` trains on ``Training`` and validates on
  ``PublicTest``; ``PrivateTest`` is never part of a split, so no search can
  tune on it. Report it once with :func:`evaluation_report`.
* CK+: :func:`subject_kfold` gives folds grouped by subject (pass
  ``groups=bunch.groups``); :func:`image_level_kfold` is the leaky
  image-level split, for comparison with published figures only.
* :func:`find_duplicates` flags images with a pixel-identical copy in another
  set (288 FER2013 PrivateTest images have one in Training).

No TensorFlow import.
"""

import hashlib

import numpy as np
from sklearn.model_selection import (
    BaseCrossValidator,
    StratifiedGroupKFold,
    StratifiedKFold,
)

from .exceptions import InvalidValueError

__all__ = [
    "expected_calibration_error",
    "OfficialSplit",
    "subject_kfold",
    "image_level_kfold",
    "find_duplicates",
    "evaluation_report",
]


class OfficialSplit(BaseCrossValidator):
    """FER2013's official split as a scikit-learn splitter (one split).

    Train indices are the ``Training`` rows, test indices the ``PublicTest``
    rows; ``PrivateTest`` rows are in neither, so ``GridSearchCV`` and
    friends choose models on PublicTest and never see PrivateTest.

    Parameters
    ----------
    usage : array-like of str, optional
        The ``usage`` column (``bunch.usage``). If None, pass it as
        ``groups`` to :meth:`split`.
    train : str, default="Training"
        Usage value of the training rows.
    validation : str, default="PublicTest"
        Usage value of the validation rows.

    Examples
    --------
    >>> import numpy as np
    >>> from skfer.model_selection import OfficialSplit
    >>> usage = np.array(["Training", "Training", "PublicTest", "PrivateTest"])
    >>> [(tr.tolist(), te.tolist()) for tr, te in OfficialSplit(usage).split(usage)]
    [([0, 1], [2])]
    """

    def __init__(self, usage=None, *, train="Training", validation="PublicTest"):
        self.usage = usage
        self.train = train
        self.validation = validation

    def _usage(self, X, groups):
        usage = self.usage if self.usage is not None else groups
        if usage is None:
            raise InvalidValueError(
                "OfficialSplit needs the usage column: OfficialSplit(bunch.usage) "
                "or split(X, y, groups=bunch.usage)."
            )
        usage = np.asarray(usage).astype(str)
        if X is not None and len(usage) != len(X):
            raise InvalidValueError(
                f"usage has {len(usage)} entries but X has {len(X)} rows; pass the "
                "usage column of the same rows."
            )
        return usage

    def split(self, X=None, y=None, groups=None):
        """Yield the single (Training, PublicTest) split.

        Parameters
        ----------
        X : array-like, optional
            Only its length is checked.
        y : ignored
        groups : array-like of str, optional
            The usage column, when not given to the constructor.

        Yields
        ------
        train, test : ndarray of int
        """
        usage = self._usage(X, groups)
        train = np.flatnonzero(usage == self.train)
        test = np.flatnonzero(usage == self.validation)
        if not len(train) or not len(test):
            raise InvalidValueError(
                f"OfficialSplit found {len(train)} {self.train!r} and {len(test)} "
                f"{self.validation!r} rows; load FER2013 with subset=['Training', "
                "'PublicTest'] (or 'all')."
            )
        yield train, test

    def get_n_splits(self, X=None, y=None, groups=None):
        """Return 1.

        Parameters
        ----------
        X, y, groups : ignored

        Returns
        -------
        n_splits : int
        """
        return 1

    def _iter_test_indices(self, X=None, y=None, groups=None):  # pragma: no cover
        for _, test in self.split(X, y, groups):
            yield test


def subject_kfold(n_splits=10, *, shuffle=True, random_state=0):
    """Stratified K-fold grouped by subject, for CK+ (pass ``groups``).

    Parameters
    ----------
    n_splits : int, default=10
        Number of folds.
    shuffle : bool, default=True
        Shuffle subjects before making folds.
    random_state : int, default=0
        Seed for the shuffle.

    Returns
    -------
    cv : sklearn.model_selection.StratifiedGroupKFold

    Examples
    --------
    >>> import numpy as np
    >>> from skfer.model_selection import subject_kfold
    >>> groups = np.repeat(["S1", "S2", "S3", "S4"], 3)
    >>> y = np.tile([0, 1, 1], 4)
    >>> folds = list(subject_kfold(2).split(np.zeros((12, 1)), y, groups))
    >>> all(set(groups[tr]).isdisjoint(groups[te]) for tr, te in folds)
    True
    """
    return StratifiedGroupKFold(
        n_splits=n_splits,
        shuffle=shuffle,
        random_state=random_state if shuffle else None,
    )


def image_level_kfold(n_splits=10, *, random_state=0):
    """Image-level stratified K-fold: leaky on CK+, for comparison only.

    Frames of one sequence (near-duplicates) and one subject's other
    expressions land on both sides, inflating accuracy. Use it only to compare
    with figures published under that protocol, next to
    :func:`subject_kfold`.

    Parameters
    ----------
    n_splits : int, default=10
    random_state : int, default=0

    Returns
    -------
    cv : sklearn.model_selection.StratifiedKFold

    Examples
    --------
    >>> from skfer.model_selection import image_level_kfold
    >>> image_level_kfold(5).get_n_splits()
    5
    """
    return StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)


def _hashes(images):
    images = np.ascontiguousarray(np.asarray(images))
    rows = images.reshape(len(images), -1)
    return [hashlib.blake2b(row.tobytes(), digest_size=16).digest() for row in rows]


def find_duplicates(reference, query):
    """Mark ``query`` images that have a pixel-identical copy in ``reference``.

    Parameters
    ----------
    reference : array-like of images or flat rows
        E.g. FER2013 Training.
    query : array-like, same pixel layout and dtype
        E.g. FER2013 PrivateTest.

    Returns
    -------
    mask : ndarray of bool, shape (len(query),)
        True where the query image also occurs in ``reference``.

    Examples
    --------
    >>> import numpy as np
    >>> from skfer.model_selection import find_duplicates
    >>> a = np.arange(12, dtype=np.uint8).reshape(3, 4)
    >>> find_duplicates(a, np.stack([a[1], a[1] + 1])).tolist()
    [True, False]
    """
    reference, query = np.asarray(reference), np.asarray(query)
    if reference.dtype != query.dtype or reference.shape[1:] != query.shape[1:]:
        raise InvalidValueError(
            f"reference and query must share pixel layout and dtype; got "
            f"{reference.shape[1:]} {reference.dtype} and {query.shape[1:]} "
            f"{query.dtype}."
        )
    seen = set(_hashes(reference))
    return np.array([h in seen for h in _hashes(query)], dtype=bool)


def evaluation_report(y_true, y_pred, *, labels=None, target_names=None):
    """Accuracy, macro-F1, per-class scores and confusion matrix as DataFrames.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        True and predicted labels.
    labels : array-like, optional
        Label values in display order (default: sorted union).
    target_names : array-like of str, optional
        Display names of ``labels``.

    Returns
    -------
    report : dict
        ``"summary"`` (one-row DataFrame: n, accuracy, macro_f1),
        ``"per_class"`` (precision, recall, f1, support per class) and
        ``"confusion"`` (rows true, columns predicted).

    Examples
    --------
    >>> from skfer.model_selection import evaluation_report
    >>> report = evaluation_report([0, 1, 1, 2], [0, 1, 2, 2])
    >>> float(report["summary"]["accuracy"].iloc[0])
    0.75
    """
    import pandas as pd
    from sklearn.metrics import (
        accuracy_score,
        confusion_matrix,
        f1_score,
        precision_recall_fscore_support,
    )

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if labels is None:
        labels = np.unique(np.concatenate([y_true, y_pred]))
    names = list(target_names) if target_names is not None else [str(v) for v in labels]
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    summary = pd.DataFrame(
        {
            "n": [len(y_true)],
            "accuracy": [accuracy_score(y_true, y_pred)],
            "macro_f1": [
                f1_score(
                    y_true, y_pred, labels=labels, average="macro", zero_division=0
                )
            ],
        }
    )
    per_class = pd.DataFrame(
        {"precision": precision, "recall": recall, "f1": f1, "support": support},
        index=pd.Index(names, name="class"),
    )
    confusion = pd.DataFrame(
        confusion_matrix(y_true, y_pred, labels=labels),
        index=pd.Index(names, name="true"),
        columns=pd.Index(names, name="predicted"),
    )
    return {"summary": summary, "per_class": per_class, "confusion": confusion}


def expected_calibration_error(y_true, proba, *, n_bins=15):
    """Expected calibration error of class probabilities (top-label).

    The images are put in ``n_bins`` equal-width bins of confidence (the
    highest probability); the error is the mean, weighted by bin size, of
    ``|accuracy - mean confidence|`` in each bin. 0 is perfectly calibrated:
    among answers given with 70% confidence, 70% are right.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        True class indices (columns of ``proba``).
    proba : array-like of shape (n, n_classes)
        Class probabilities.
    n_bins : int, default=15
        Confidence bins.

    Returns
    -------
    error : float
        In [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from skfer.model_selection import expected_calibration_error
    >>> proba = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.6, 0.4]])
    >>> round(expected_calibration_error([0, 1, 0, 0], proba), 3)  # 0.5*0.4 + 0.5*0.4
    0.4
    """
    proba = np.asarray(proba, dtype=np.float64)
    y_true = np.asarray(y_true)
    if proba.ndim != 2 or len(proba) != len(y_true):
        raise InvalidValueError(
            f"proba must have shape (n, n_classes) with n = len(y_true) = "
            f"{len(y_true)}; got {proba.shape}."
        )
    confidence = proba.max(axis=1)
    correct = proba.argmax(axis=1) == y_true
    bins = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    error = 0.0
    for b in np.unique(bins):
        inside = bins == b
        gap = correct[inside].mean() - confidence[inside].mean()
        error += inside.mean() * abs(gap)
    return float(error)
