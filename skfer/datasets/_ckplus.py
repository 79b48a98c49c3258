"""CK+ (the common CK+48 derivative) from its folder layout or an npz."""

import re

import numpy as np

from .._utils import did_you_mean
from ..exceptions import DataFormatError
from ._base import CKPLUS_LABELS, check_on_error, find_dataset, load_descr, make_bunch
from ._folder import read_class_folders

__all__ = ["load_ckplus"]

_HOW_TO_GET = (
    "CK+ is distributed by the University of Pittsburgh only under a signed "
    "research agreement, so skfer does not download it; the common 48x48 "
    "derivative is the folder CK+48/<emotion>/S010_004_00000017.png."
)
_NAME = re.compile(r"^(S\d+)_(\d+)_\d+", re.IGNORECASE)


def load_ckplus(path=None, *, data_home=None, return_X_y=False, on_error="raise"):
    """Load CK+48: 981 48x48 face crops, 7 expressions, with subject ids.

    Reads the CK+48 folder layout (``<emotion>/S010_004_00000017.png``, one
    folder per class) or a packed ``.npz`` with ``images``, ``labels``,
    ``subjects`` and ``sequences``. Subject and sequence ids come from the
    file names.

    Evaluation protocol: the three frames of a sequence are near-duplicates
    and subjects recur across expressions, so split by subject
    (``groups=bunch.groups`` with ``StratifiedGroupKFold``); an image-level
    split leaks and inflates accuracy.

    Parameters
    ----------
    path : str or path-like, optional
        The CK+48 folder or the npz. Default: ``CK+48/``, ``ckplus48.npz`` or
        ``ckplus/`` in :func:`get_data_home`.
    data_home : str or path-like, optional
        Where to look when ``path`` is None.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    on_error : {"raise", "skip"}, default="raise"
        What to do with an unreadable image: raise or list it in ``skipped``.

    Returns
    -------
    data : Bunch
        ``data`` (n, 2304) uint8, ``images`` (n, 48, 48), ``target``,
        ``target_names`` (anger, contempt, disgust, fear, happy, sadness,
        surprise: *not* FER2013's labels), ``groups`` (subject id, e.g.
        ``S010``), ``sequences`` (e.g. ``S010_004``), ``filenames``,
        ``skipped`` and ``DESCR``.
    (data, target) : tuple
        If ``return_X_y`` is True.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from PIL import Image
    >>> from skfer.datasets import load_ckplus
    >>> root = tempfile.mkdtemp()
    >>> os.makedirs(os.path.join(root, "happy"))
    >>> Image.fromarray(np.zeros((48, 48), np.uint8)).save(
    ...     os.path.join(root, "happy", "S010_006_00000015.png"))
    >>> bunch = load_ckplus(root)
    >>> bunch.groups.tolist(), bunch.sequences.tolist()
    (['S010'], ['S010_006'])
    """
    check_on_error(on_error)
    path = find_dataset(
        path,
        candidates=("CK+48", "ckplus48.npz", "ckplus"),
        data_home=data_home,
        dataset="CK+",
        how_to_get=_HOW_TO_GET,
    )
    if path.is_dir():
        images, target, names, skipped = _read_folder(path, on_error)
        groups, sequences = _ids_from_names(names, path)
    elif path.suffix.lower() == ".npz":
        with np.load(path, allow_pickle=False) as npz:
            missing = {"images", "labels", "subjects", "sequences"} - set(npz.files)
            if missing:
                raise DataFormatError(
                    f"{str(path)!r} is not a CK+ npz: arrays {sorted(missing)} are "
                    "missing."
                )
            images = np.asarray(npz["images"], dtype=np.uint8)
            target = npz["labels"].astype(np.int64)
            groups = npz["subjects"].astype(str)
            sequences = npz["sequences"].astype(str)
            names = (
                npz["names"].astype(str)
                if "names" in npz.files
                else np.array([f"row {i}" for i in range(len(images))])
            )
        skipped = []
    else:
        raise DataFormatError(
            f"Cannot tell the CK+ format of {str(path)!r}: expected a folder of "
            "class folders or a .npz."
        )
    if return_X_y:
        return images.reshape(len(images), -1), target
    return make_bunch(
        images=images,
        target=target,
        target_names=np.array(CKPLUS_LABELS),
        descr=load_descr("ckplus.rst"),
        skipped=skipped,
        groups=groups,
        sequences=sequences,
        filenames=names,
    )


def _read_folder(root, on_error):
    for class_dir in (d for d in root.iterdir() if d.is_dir()):
        if class_dir.name.lower() not in CKPLUS_LABELS:
            raise DataFormatError(
                f"Unknown CK+ class folder {str(class_dir)!r}."
                f"{did_you_mean(class_dir.name.lower(), CKPLUS_LABELS)} CK+48 class "
                f"folders are {', '.join(CKPLUS_LABELS)}."
            )
    images, target, names, _, skipped = read_class_folders(
        root, classes=CKPLUS_LABELS, on_error=on_error, lowercase=True
    )
    return images, target, names, skipped


def _ids_from_names(names, root):
    groups, sequences = [], []
    for name in names:
        match = _NAME.match(name.rsplit("/", 1)[-1])
        if not match:
            raise DataFormatError(
                f"Cannot read the subject and sequence from {name!r} in "
                f"{str(root)!r}: CK+ file names look like S010_004_00000017.png."
            )
        subject = match.group(1).upper()
        groups.append(subject)
        sequences.append(f"{subject}_{match.group(2)}")
    return np.array(groups, dtype=str), np.array(sequences, dtype=str)
