"""Shared pieces of the dataset loaders: data home, label names, cards."""

import os
from importlib import resources
from pathlib import Path

from sklearn.utils import Bunch

from ..exceptions import DatasetNotFoundError, InvalidValueError

__all__ = [
    "FER2013_LABELS",
    "CKPLUS_LABELS",
    "get_data_home",
    "load_descr",
]

#: FER2013 class names in the order of the ``emotion`` column of fer2013.csv.
FER2013_LABELS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
#: CK+48 class names (sorted folder names); differs from FER2013's set.
CKPLUS_LABELS = (
    "anger",
    "contempt",
    "disgust",
    "fear",
    "happy",
    "sadness",
    "surprise",
)

_ENV = "SKFER_DATA"


def get_data_home(data_home=None):
    """Return the folder where skfer looks for datasets, creating it.

    Order: the ``data_home`` argument, the ``SKFER_DATA`` environment
    variable, then ``~/skfer_data``.

    Parameters
    ----------
    data_home : str or path-like, optional
        Folder to use.

    Returns
    -------
    path : str
        Absolute path of the folder.

    Examples
    --------
    >>> import os, tempfile
    >>> from skfer.datasets import get_data_home
    >>> home = tempfile.mkdtemp()
    >>> get_data_home(home) == os.path.abspath(home)
    True
    """
    if data_home is None:
        data_home = os.environ.get(_ENV, os.path.join("~", "skfer_data"))
    data_home = os.path.abspath(os.path.expanduser(os.fspath(data_home)))
    os.makedirs(data_home, exist_ok=True)
    return data_home


def load_descr(name):
    """Return the text of the dataset card ``descr/<name>``."""
    return resources.files("skfer.datasets").joinpath("descr", name).read_text("utf-8")


def find_dataset(path, *, candidates, data_home, dataset, how_to_get):
    """Resolve ``path`` (or look for ``candidates`` in the data home)."""
    if path is not None:
        path = Path(os.path.expanduser(os.fspath(path)))
        if not path.exists():
            raise DatasetNotFoundError(
                f"{dataset} not found at {str(path)!r}. {how_to_get}"
            )
        return path
    home = Path(get_data_home(data_home))
    for name in candidates:
        if (home / name).exists():
            return home / name
    raise DatasetNotFoundError(
        f"{dataset} not found: pass its path, or put one of "
        f"{', '.join(candidates)} in {str(home)!r} (set with data_home= or the "
        f"{_ENV} environment variable). {how_to_get}"
    )


def check_on_error(on_error):
    if on_error not in ("raise", "skip"):
        raise InvalidValueError(
            f"on_error must be 'raise' or 'skip'; got {on_error!r}."
        )


def make_bunch(*, images, target, target_names, descr, skipped, **extra):
    """Bunch in sklearn's layout: flat ``data`` plus ``images``."""
    return Bunch(
        data=images.reshape(len(images), -1),
        images=images,
        target=target,
        target_names=target_names,
        DESCR=descr,
        skipped=skipped,
        **extra,
    )
