"""Crop windows of test-time augmentation (FERClassifier's ``crop`` and
``tta``; FERPredictor's ``tta``), in NumPy; the training layer is in
``_crop_layer``.

A network trained with ``crop=c`` takes c x c windows of the full images:
each training image gets its own random window; prediction reads the centre
window, or averages the class scores of several windows (:func:`windows`).
"""

import numpy as np

from ._utils import did_you_mean

__all__ = ["TTA_MODES", "windows", "cut", "tta_mode", "tta_problem"]

#: FERClassifier's and FERPredictor's ``tta`` values besides False/True
#: (True is "flip"): "flip" averages each image with its mirror image,
#: "ten-crop" the four corner and the centre windows, each also mirrored.
TTA_MODES = ("flip", "ten-crop")


def tta_problem(tta, crop, accepted="True, False, 'flip' or 'ten-crop'"):
    """Why ``tta`` cannot serve a network trained with ``crop`` (None when
    it can): the one wording of FERClassifier's and FERPredictor's check."""
    if not isinstance(tta, (bool, np.bool_)) and tta not in TTA_MODES:
        return f"tta must be {accepted}; got {tta!r}.{did_you_mean(tta, TTA_MODES)}"
    if tta == "ten-crop" and crop is None:
        return (
            "tta='ten-crop' averages crop-sized windows, but this network "
            "reads whole images (crop=None). Train with crop=... (e.g. 44 "
            "for 48x48 faces), or use tta='flip'."
        )
    return None


def tta_mode(tta):
    """``tta`` as None (no augmentation), "flip" or "ten-crop"."""
    if tta is None or tta is False or (isinstance(tta, np.bool_) and not tta):
        return None
    if tta is True or isinstance(tta, np.bool_):
        return "flip"
    return tta


def windows(size, crop, tta):
    """The ``(top, left, mirrored)`` windows whose class scores are averaged.

    ``size`` is the image's ``(height, width)``; ``crop`` the window's side
    (None: the whole image); ``tta`` as :func:`tta_mode` reads it.
    """
    height, width = size
    crop_h, crop_w = (height, width) if crop is None else (crop, crop)
    centre = ((height - crop_h) // 2, (width - crop_w) // 2)
    mode = tta_mode(tta)
    if mode is None:
        return [(*centre, False)]
    if mode == "flip":
        return [(*centre, False), (*centre, True)]
    corners = [
        (0, 0),
        (0, width - crop_w),
        (height - crop_h, 0),
        (height - crop_h, width - crop_w),
        centre,
    ]
    return [(*corner, mirrored) for mirrored in (False, True) for corner in corners]


def cut(images, window, crop):
    """The ``window`` of each image of a batch ``(n, height, width[, ch])``,
    mirrored left-right if the window says so."""
    top, left, mirrored = window
    if crop is not None:
        images = images[:, top : top + crop, left : left + crop]
    if mirrored:
        images = images[:, :, ::-1]
    return np.ascontiguousarray(images)
