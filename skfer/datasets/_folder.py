"""Datasets stored as one sub-folder of images per class."""

import os
from pathlib import Path

import numpy as np

from .._image_io import IMAGE_EXTENSIONS, read_image
from ..exceptions import DataFormatError, DatasetNotFoundError
from ._base import check_on_error, make_bunch

__all__ = ["load_image_folder", "read_class_folders"]


def read_class_folders(
    root,
    *,
    classes=None,
    on_error="raise",
    lowercase=False,
    size=None,
    grayscale=True,
):
    """Read ``root/<class>/<image>`` files; shared by the folder loaders.

    Returns ``images, target, names, class_names, skipped`` where ``names``
    are paths relative to ``root`` with ``/`` separators.
    """
    root = Path(root)
    folders = sorted(d for d in root.iterdir() if d.is_dir())
    found = [d.name.lower() if lowercase else d.name for d in folders]
    class_names = list(classes) if classes is not None else found
    images, target, names, skipped = [], [], [], []
    for folder, label in zip(folders, found):
        if label not in class_names:
            continue
        for file in sorted(folder.iterdir()):
            if not file.is_file() or file.suffix.lower() not in IMAGE_EXTENSIONS:
                continue
            try:
                pixels = read_image(file, grayscale=grayscale, size=size)
            except DataFormatError as exc:
                if on_error == "raise":
                    raise DataFormatError(
                        f"{exc} Pass on_error='skip' to skip unreadable files; they "
                        "are then listed in bunch.skipped."
                    ) from None
                skipped.append((str(file), str(exc)))
                continue
            images.append(pixels)
            target.append(class_names.index(label))
            names.append(file.relative_to(root).as_posix())
    if not images:
        raise DataFormatError(
            f"No readable images under {str(root)!r}: expected one sub-folder per "
            f"class holding image files ({', '.join(IMAGE_EXTENSIONS)})."
        )
    shapes = {img.shape for img in images}
    if len(shapes) > 1:
        first = images[0].shape
        odd = next(n for n, img in zip(names, images) if img.shape != first)
        raise DataFormatError(
            f"Images under {str(root)!r} have different sizes ({names[0]!r} is "
            f"{first}, {odd!r} is {images[names.index(odd)].shape}); pass "
            "size=(48, 48) to resize them while loading."
        )
    return (
        np.stack(images),
        np.asarray(target, dtype=np.int64),
        np.asarray(names, dtype=str),
        np.asarray(class_names, dtype=str),
        skipped,
    )


def load_image_folder(
    path,
    *,
    classes=None,
    size=None,
    grayscale=True,
    return_X_y=False,
    on_error="raise",
):
    """Load images stored as one sub-folder per class.

    Any format Pillow reads (PNG, JPEG, BMP, TIFF, WebP, ...) is accepted.
    Unreadable files raise, or with ``on_error="skip"`` are listed in
    ``bunch.skipped``; nothing is dropped silently.

    Parameters
    ----------
    path : str or path-like
        Folder holding one sub-folder of images per class.
    classes : list of str, optional
        Class folders to read, in label order; default: all, sorted.
    size : tuple of int (height, width), optional
        Resize every image to this size; without it all images must have the
        same size.
    grayscale : bool, default=True
        Convert to one channel; else RGB.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    on_error : {"raise", "skip"}, default="raise"
        Policy for unreadable files.

    Returns
    -------
    data : Bunch
        ``data`` (flat uint8 rows), ``images``, ``target``, ``target_names``,
        ``filenames`` (relative paths), ``skipped`` and ``DESCR``.
    (data, target) : tuple
        If ``return_X_y`` is True.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from PIL import Image
    >>> from skfer.datasets import load_image_folder
    >>> root = tempfile.mkdtemp()
    >>> for name in ("happy", "sad"):
    ...     os.makedirs(os.path.join(root, name))
    ...     Image.fromarray(np.zeros((64, 64), np.uint8)).save(
    ...         os.path.join(root, name, "a.png"))
    >>> bunch = load_image_folder(root, size=(48, 48))
    >>> bunch.images.shape, bunch.target_names.tolist()
    ((2, 48, 48), ['happy', 'sad'])
    """
    check_on_error(on_error)
    root = Path(os.path.expanduser(os.fspath(path)))
    if not root.is_dir():
        raise DatasetNotFoundError(
            f"Image folder not found: {str(root)!r}. Pass a folder that holds one "
            "sub-folder of images per class."
        )
    if classes is not None:
        missing = [c for c in classes if not (root / c).is_dir()]
        if missing:
            raise DatasetNotFoundError(
                f"Class folders {missing} not found under {str(root)!r}."
            )
    images, target, names, class_names, skipped = read_class_folders(
        root, classes=classes, on_error=on_error, size=size, grayscale=grayscale
    )
    if return_X_y:
        return images.reshape(len(images), -1), target
    return make_bunch(
        images=images,
        target=target,
        target_names=class_names,
        descr=f"Images read from {root} (one sub-folder per class).",
        skipped=skipped,
        filenames=names,
    )
