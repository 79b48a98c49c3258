"""The exceptions skfer raises.

Every error skfer raises on purpose derives from :class:`SkferError`, and also
from the built-in or scikit-learn exception a caller would expect (for
example :class:`NotFittedError` is a scikit-learn ``NotFittedError`` and
:class:`DatasetNotFoundError` a ``FileNotFoundError``), so that both
``except SkferError`` and the usual ``except ValueError`` work.
"""

from sklearn.exceptions import NotFittedError as _SklearnNotFittedError

__all__ = [
    "SkferError",
    "NotFittedError",
    "DatasetNotFoundError",
    "DataFormatError",
    "FaceNotFoundError",
]


class SkferError(Exception):
    """Base class of every error raised by skfer on purpose."""


class NotFittedError(SkferError, _SklearnNotFittedError):
    """An estimator or transformer was used before ``fit``."""


class DatasetNotFoundError(SkferError, FileNotFoundError):
    """A dataset file or folder is missing; the message says where to get it."""


class DataFormatError(SkferError, ValueError):
    """A data file exists but its content is not in the expected format.

    The message names the file and, for tabular files, the row number.
    """


class FaceNotFoundError(SkferError, ValueError):
    """No face was detected in an image and the policy is to raise."""
