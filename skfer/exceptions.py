"""The exceptions skfer raises.

Every error skfer raises on purpose derives from :class:`SkferError`, and also
from the built-in or scikit-learn exception a caller would expect (for
example :class:`InvalidValueError` is a ``ValueError``, :class:`NotFittedError`
is scikit-learn's ``NotFittedError`` and :class:`DatasetNotFoundError` a
``FileNotFoundError``), so that both ``except SkferError`` and the usual
``except ValueError`` work.

Not covered, on purpose: ``AttributeError`` for an attribute that does not
exist (Python's protocol behind ``hasattr``), a ``KeyboardInterrupt`` passed
on after saving a checkpoint, ``optuna.TrialPruned`` inside a trial, and
errors raised by other libraries that skfer calls (TensorFlow, OpenCV,
Optuna) and lets through unchanged.
"""

from sklearn.exceptions import NotFittedError as _SklearnNotFittedError

from ._compat import InvalidParameterError as _SklearnInvalidParameterError

__all__ = [
    "SkferError",
    "InvalidValueError",
    "InvalidTypeError",
    "InvalidParameterError",
    "NotFittedError",
    "MissingFileError",
    "DatasetNotFoundError",
    "DataFormatError",
    "FaceNotFoundError",
    "FileAccessError",
    "FilePermissionError",
    "MissingDependencyError",
    "StorageConnectionError",
    "NoCompletedTrialError",
]


class SkferError(Exception):
    """Base class of every error raised by skfer on purpose."""


class InvalidValueError(SkferError, ValueError):
    """A parameter or an input has a value skfer cannot use.

    The message names the parameter or input, the value and what to do.
    """


class InvalidTypeError(SkferError, TypeError):
    """A parameter or an input has a type skfer cannot use."""


class InvalidParameterError(
    InvalidValueError, InvalidTypeError, _SklearnInvalidParameterError
):
    """An estimator's parameter has a type or value outside its constraints.

    Raised by ``fit`` (scikit-learn's convention); also a ``ValueError``, a
    ``TypeError`` and scikit-learn's ``InvalidParameterError``.
    """


class NotFittedError(SkferError, _SklearnNotFittedError):
    """An estimator or transformer was used before ``fit``."""


class MissingFileError(SkferError, FileNotFoundError):
    """A file or folder skfer was asked to read does not exist."""


class DatasetNotFoundError(MissingFileError):
    """A dataset file or folder is missing; the message says where to get it."""


class DataFormatError(InvalidValueError):
    """A data file exists but its content is not in the expected format.

    The message names the file and, for tabular files, the row number.
    """


class FaceNotFoundError(InvalidValueError):
    """No face was detected in an image and the policy is to raise."""


class FileAccessError(SkferError, OSError):
    """A file or folder could not be read, written, created or decoded."""


class FilePermissionError(FileAccessError, PermissionError):
    """A location skfer must write to is read-only."""


class MissingDependencyError(SkferError, ImportError):
    """An optional package needed for this feature is not installed."""


class StorageConnectionError(SkferError, ConnectionError):
    """A tuning study's database could not be reached."""


class NoCompletedTrialError(SkferError, RuntimeError):
    """A search ended with no completed trial to choose from."""
