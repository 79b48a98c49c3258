"""FER+ (Microsoft's relabelling of FER2013): ten crowd votes per image.

The vote table ``fer2013new.csv`` (microsoft/FERPlus, MIT licence) ships with
skfer, gzip-compressed (182,166 bytes; 1,602,762 bytes unpacked), beside its
licence notice ``FERPLUS_LICENSE.md``. It holds labels only, no pixels.
"""

import csv
import gzip
import io
import os
from importlib import resources

import numpy as np

from ..exceptions import DataFormatError, DatasetNotFoundError, InvalidValueError
from ._base import FER2013_LABELS

__all__ = [
    "FERPLUS_LABELS",
    "FERPLUS_VOTE_NAMES",
    "ferplus_majority",
    "read_ferplus_votes",
]

#: FER+ class names: FER2013's seven, in FER2013's order, then contempt, so
#: index i means the same expression in both label sets for i < 7.
FERPLUS_LABELS = (*FER2013_LABELS, "contempt")
#: Columns of ``votes``: the eight classes of :data:`FERPLUS_LABELS`, then
#: FER+'s "unknown" and "not a face" (NF).
FERPLUS_VOTE_NAMES = (*FERPLUS_LABELS, "unknown", "not a face")

#: Statuses of an image under FER+'s majority rule (``ferplus_status``).
MAJORITY, NO_MAJORITY, UNKNOWN, NOT_A_FACE, NO_VOTES = (
    "majority",
    "no majority",
    "unknown",
    "not a face",
    "no votes",
)

_HEADER = (
    "usage",
    "image name",
    "neutral",
    "happiness",
    "surprise",
    "sadness",
    "anger",
    "disgust",
    "fear",
    "contempt",
    "unknown",
    "nf",
)
# file column (after Usage and Image name) of each FERPLUS_VOTE_NAMES entry
_FILE_COLUMN = {
    "angry": 4,
    "disgust": 5,
    "fear": 6,
    "happy": 1,
    "sad": 3,
    "surprise": 2,
    "neutral": 0,
    "contempt": 7,
    "unknown": 8,
    "not a face": 9,
}
_ORDER = [_FILE_COLUMN[name] for name in FERPLUS_VOTE_NAMES]
_SHIPPED = "fer2013new.csv.gz"


def read_ferplus_votes(path=None):
    """Read a FER+ vote table (``fer2013new.csv``).

    Parameters
    ----------
    path : str or path-like, optional
        A ``fer2013new.csv`` (or a gzip-compressed ``.csv.gz``). Default: the
        copy shipped with skfer (microsoft/FERPlus, MIT licence; the notice
        is ``skfer/datasets/data/FERPLUS_LICENSE.md``).

    Returns
    -------
    usage : ndarray of str, shape (n,)
        The ``Usage`` column.
    names : ndarray of str, shape (n,)
        The ``Image name`` column (``""`` where FER+ gave none).
    votes : ndarray of int, shape (n, 10)
        Vote counts, columns in the order of :data:`FERPLUS_VOTE_NAMES`
        (reordered from the file's neutral, happiness, ... order).

    Raises
    ------
    DatasetNotFoundError
        If ``path`` does not exist.
    DataFormatError
        If the header is not FER+'s or a row is malformed.

    Examples
    --------
    >>> from skfer.datasets import read_ferplus_votes
    >>> usage, names, votes = read_ferplus_votes()
    >>> votes.shape, str(usage[0]), str(names[0])
    ((35887, 10), 'Training', 'fer0000000.png')
    """
    if path is None:
        raw = resources.files("skfer.datasets").joinpath("data", _SHIPPED).read_bytes()
        text = gzip.decompress(raw).decode("utf-8")
        where = f"skfer's {_SHIPPED}"
    else:
        path = os.fspath(path)
        if not os.path.exists(path):
            raise DatasetNotFoundError(
                f"FER+ vote table not found at {path!r}. Pass microsoft/FERPlus' "
                "fer2013new.csv, or leave it out to use the copy shipped with skfer."
            )
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", newline="") as f:
            text = f.read()
        where = repr(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None) or []
    if tuple(c.strip().lower() for c in header) != _HEADER:
        raise DataFormatError(
            f"{where} is not a FER+ vote table: its header is {header}; expected "
            "Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,"
            "fear,contempt,unknown,NF (microsoft/FERPlus' fer2013new.csv)."
        )
    usage, names, votes = [], [], []
    for line_no, row in enumerate(reader, start=2):
        if not row:
            continue
        try:
            if len(row) != len(_HEADER):
                raise InvalidValueError(
                    f"has {len(row)} fields, expected {len(_HEADER)}"
                )
            counts = [int(v) for v in row[2:]]
            if min(counts) < 0:
                raise InvalidValueError("has a negative vote count")
        except ValueError as exc:
            raise DataFormatError(
                f"{where}, line {line_no}: the row {exc} (vote counts are "
                "non-negative integers)."
            ) from None
        usage.append(row[0].strip())
        names.append(row[1].strip())
        votes.append(counts)
    votes = np.asarray(votes, dtype=np.int64).reshape(-1, len(_HEADER) - 2)
    return np.asarray(usage, str), np.asarray(names, str), votes[:, _ORDER]


def ferplus_majority(votes):
    """FER+'s majority label of each image, by FER+'s own rules.

    The rules of microsoft/FERPlus (``majority`` mode): a class with a single
    vote is an outlier and its vote is dropped; the class with more than
    half of the remaining votes (unknown and not-a-face included) is the
    label; if that is "unknown" or "not a face", or no class has more than
    half, the image has no usable label.

    Parameters
    ----------
    votes : array-like of shape (n, 10)
        Vote counts in the column order of :data:`FERPLUS_VOTE_NAMES`.

    Returns
    -------
    target : ndarray of int, shape (n,)
        Index into :data:`FERPLUS_LABELS`, or -1 where there is no label.
    status : ndarray of str, shape (n,)
        ``"majority"``, ``"no majority"``, ``"unknown"`` or ``"not a face"``.

    Examples
    --------
    >>> from skfer.datasets import ferplus_majority
    >>> target, status = ferplus_majority([[0, 0, 0, 6, 1, 0, 2, 0, 1, 0],
    ...                                    [0, 0, 0, 4, 4, 0, 0, 0, 2, 0]])
    >>> target.tolist(), status.tolist()
    ([3, -1], ['majority', 'no majority'])
    """
    votes = np.asarray(votes)
    if votes.ndim != 2 or votes.shape[1] != len(FERPLUS_VOTE_NAMES):
        raise InvalidValueError(
            f"votes must have shape (n, {len(FERPLUS_VOTE_NAMES)}) (columns "
            f"{', '.join(FERPLUS_VOTE_NAMES)}); got {votes.shape}."
        )
    kept = np.where(votes > 1, votes, 0)
    top = kept.argmax(axis=1)
    has_majority = kept.max(axis=1) * 2 > kept.sum(axis=1)
    n_classes = len(FERPLUS_LABELS)
    status = np.full(len(votes), NO_MAJORITY, dtype=object)
    status[has_majority & (top < n_classes)] = MAJORITY
    status[has_majority & (top == n_classes)] = UNKNOWN
    status[has_majority & (top == n_classes + 1)] = NOT_A_FACE
    target = np.where(status == MAJORITY, top, -1).astype(np.int64)
    return target, status.astype(str)


def join_by_row(votes_table, n_rows, csv_usage, rows, source):
    """Votes for the csv rows ``rows`` (row positions), FER+'s README join."""
    usage, _, votes = votes_table
    if len(usage) != n_rows:
        raise DataFormatError(
            f"{source} has {n_rows} data rows and the FER+ vote table "
            f"{len(usage)}: FER+ joins fer2013.csv row by row, so both must be "
            "the complete files (35,887 rows each)."
        )
    mismatch = np.flatnonzero(usage[rows] != csv_usage)
    if mismatch.size:
        i = int(mismatch[0])
        raise DataFormatError(
            f"{source}: row {int(rows[i])} has Usage {csv_usage[i]!r} but the FER+ "
            f"vote table's row says {usage[rows[i]]!r}; this vote table does not "
            "belong to this fer2013.csv."
        )
    return votes[rows], np.ones(len(rows), bool)


def join_by_name(votes_table, ferplus_names):
    """Votes for each FER+ image name (``""`` or an unknown name: none).

    A name that the table gives twice with different votes has no votes.
    """
    _, names, votes = votes_table
    index = {}
    for i, name in enumerate(names.tolist()):
        if not name:
            continue
        j = index.setdefault(name, i)
        if j != i and j >= 0 and not np.array_equal(votes[j], votes[i]):
            index[name] = -1  # ambiguous
    rows = np.array([index.get(name, -1) for name in ferplus_names.tolist()], int)
    found = rows >= 0
    out = np.zeros((len(rows), votes.shape[1]), dtype=votes.dtype)
    out[found] = votes[rows[found]]
    return out, found
