"""Small helpers shared by several modules (no TensorFlow import here)."""

import difflib
import math
import re

import numpy as np

from .exceptions import InvalidTypeError, InvalidValueError

__all__ = [
    "LOSSES",
    "did_you_mean",
    "as_image_batch",
    "check_dense",
    "scale_pixels",
    "to_uint8_pixels",
    "feature_names",
    "softmax",
    "check_fitted",
]

#: names of the built-in losses (:func:`skfer.losses.get_loss`), here so that
#: the command line can offer them without importing Keras
LOSSES = ("crossentropy", "svm", "hinge")


def _abbreviates(part, word):
    """``part`` is ``word`` or an abbreviation of it ("ce" of "crossentropy")."""
    if not part or part[0] != word[:1]:
        return False
    letters = iter(word)
    return all(letter in letters for letter in part)


def did_you_mean(name, choices):
    """Return ``" Did you mean 'x'?"`` for the closest choice, or ``""``.

    Hyphenated or underscored names ("fer2013-v2-ce-aug") are matched part by
    part, a part matching a choice's part it equals or abbreviates; the choice
    matching the most parts wins when it is the only one. Otherwise, and for
    plain names, the closest spelling (difflib) is suggested.
    """
    choices = [str(c) for c in choices]
    parts = [p for p in re.split(r"[-_]+", str(name).lower()) if p]
    if len(parts) > 1:
        hits = {
            c: sum(
                any(_abbreviates(p, w) for w in re.split(r"[-_]+", c.lower()))
                for p in parts
            )
            for c in choices
        }
        best = max(hits.values(), default=0)
        winners = [c for c, h in hits.items() if h == best]
        if best >= 2 and len(winners) == 1:
            return f" Did you mean {winners[0]!r}?"
    close = difflib.get_close_matches(str(name), choices, n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


def check_dense(X, what):
    """Refuse SciPy sparse input: ``what`` says what was expected instead."""
    if hasattr(X, "toarray") or type(X).__module__.startswith("scipy.sparse"):
        raise InvalidTypeError(
            f"Sparse input is not supported: {what}. Convert it with X.toarray()."
        )


def _square_side(n_pixels):
    side = math.isqrt(n_pixels)
    return side if side * side == n_pixels else None


def as_image_batch(X, *, image_shape=None, flat_layout="square", name="X"):
    """Return ``X`` as a ``(n, height, width, channels)`` array.

    Accepts flat pixel rows ``(n, h*w)``, grayscale images ``(n, h, w)`` and
    channel-last images ``(n, h, w, c)``; pandas DataFrames of pixel columns
    work because they convert to flat rows. Flat rows must hold a square
    grayscale image unless ``image_shape`` says otherwise.

    Parameters
    ----------
    X : array-like
        The input.
    image_shape : tuple of int or None
        ``(h, w, c)`` the images must have (after reshaping flat rows), or
        None to infer it.
    flat_layout : {"square", "row"} or tuple of int
        How to read flat rows when ``image_shape`` is None: a square
        grayscale image, a ``1 x n_pixels`` strip, or the given ``(h, w, c)``.
    name : str
        Name used in error messages.

    Returns
    -------
    images : ndarray of shape (n, h, w, c)
        A view or copy with the original dtype.
    """
    check_dense(X, f"{name} must be a dense array of pixels")
    if hasattr(X, "to_numpy"):
        X = X.to_numpy()
    try:
        X = np.asarray(X)
    except (ValueError, TypeError) as exc:
        raise InvalidValueError(
            f"{name} could not be converted to an array of pixels: {exc}. "
            "Pass images of equal size as a NumPy array."
        ) from None
    if X.dtype == object:
        try:
            X = X.astype(np.float64)
        except (ValueError, TypeError) as exc:
            raise InvalidTypeError(
                f"{name} must hold numbers (pixel values): {exc}. To read image "
                "files, use skfer.preprocessing.ImageReader first."
            ) from None
    if X.dtype == object or X.dtype.kind in "USV":
        raise InvalidTypeError(
            f"{name} must hold numbers (pixel values); got dtype {X.dtype}. "
            "To read image files, use skfer.preprocessing.ImageReader first."
        )
    if X.dtype.kind == "c":
        raise InvalidValueError(
            f"Complex data not supported: {name} must hold real pixel values."
        )
    if X.ndim < 2 or X.ndim > 4:
        raise InvalidValueError(
            f"{name} must be flat pixel rows (n, h*w), images (n, h, w) or "
            f"(n, h, w, channels); got an array with {X.ndim} dimension(s) of "
            f"shape {X.shape}. Reshape your data: a single image needs a "
            "leading batch axis (X[None])."
        )
    if X.shape[0] == 0:
        raise InvalidValueError(f"{name} is empty: 0 samples (shape {X.shape}).")
    if X.ndim == 2:
        n_pixels = X.shape[1]
        if n_pixels == 0:
            raise InvalidValueError(
                f"{name} has 0 feature(s) (shape={X.shape}) while a minimum of 1 is "
                "required: each row must hold the pixels of one image."
            )
        if image_shape is None and flat_layout == "row":
            image_shape = (1, n_pixels, 1)
        elif image_shape is None and flat_layout != "square":
            image_shape = tuple(flat_layout)
        if image_shape is not None:
            if n_pixels != int(np.prod(image_shape)):
                h, w, c = image_shape
                raise InvalidValueError(
                    f"{name} must have {h * w * c} pixels per row ({h}x{w}"
                    f"{'' if c == 1 else f'x{c}'}); got {n_pixels}. Resize with "
                    "skfer.preprocessing.Resize."
                )
            return X.reshape((X.shape[0], *image_shape))
        side = _square_side(n_pixels)
        if side is None:
            raise InvalidValueError(
                f"{name} has {n_pixels} values per row, which is not a square "
                "grayscale image (48x48 = 2304 pixels). Pass images as "
                "(n, height, width) or resize with skfer.preprocessing.Resize."
            )
        return X.reshape((X.shape[0], side, side, 1))
    if X.ndim == 3:
        X = X[..., np.newaxis]
    if image_shape is not None and tuple(X.shape[1:]) != tuple(image_shape):
        h, w, c = image_shape
        got = X.shape[1:]
        hint = "Resize with skfer.preprocessing.Resize."
        if got[:2] == (h, w) and got[2] != c:
            hint = (
                "Convert colour images with skfer.preprocessing.ToGrayscale."
                if c == 1
                else f"Give images with {c} channels."
            )
        raise InvalidValueError(
            f"{name} must hold images of shape {h}x{w} with {c} channel(s); got "
            f"{got[0]}x{got[1]} with {got[2]} channel(s). {hint}"
        )
    return X


#: The largest float pixel value still read as [0, 1] units: resizing a
#: [0, 1] image overshoots 1 a little (1.000002 with linear or area
#: interpolation, a few percent with cubic). Grey levels stored as floats
#: with nothing brighter than 1.1 are black under either reading.
UNIT_MAX = 1.1


def scale_pixels(images, *, name="X"):
    """Return ``images`` as float32 in the units the networks expect.

    The one rule every entry point of skfer follows, image by image:
    integer pixels (any integer dtype) are grey levels 0..255 and are divided
    by 255; a float image whose values lie in [0, 1] (up to ``UNIT_MAX``, a
    resize's overshoot) is used as given; a float image with no negative
    value and a maximum above that holds grey levels stored as floats and is
    divided by 255; a float image with negative values (centred or
    standardised data) is used as given. Booleans are the integers 0 and 1.
    A batch ``(n, h, w, c)`` is judged one image at a time, so an image's
    scaling never depends on the other images it is passed with; any other
    shape is judged as one image.

    Parameters
    ----------
    images : ndarray
        Pixels of any shape; 4-D is a batch of images.
    name : str
        Name used in error messages.

    Returns
    -------
    scaled : ndarray of float32
        Same shape; a new array.

    Raises
    ------
    ValueError
        Grey levels outside 0..255 (integers below 0 or above 255, or
        non-negative floats above 255), NaN or infinity.
    """
    images = np.asarray(images)
    if images.dtype == bool:
        images = images.astype(np.uint8)
    if images.dtype.kind == "c":
        raise InvalidValueError(
            f"Complex data not supported: {name} must hold real pixel values."
        )
    if images.dtype == object:
        try:
            images = images.astype(np.float64)
        except (ValueError, TypeError):
            pass  # refused just below, with the dtype named
    if images.dtype.kind not in "uif":
        raise InvalidTypeError(
            f"{name} must hold numbers (pixel values); got {images.dtype}."
        )
    if images.size == 0:
        return images.astype(np.float32)
    if images.dtype.kind != "f":
        low, high = images.min(), images.max()
        _check_grey_levels(low, high, name)
        return images.astype(np.float32) * np.float32(1 / 255)
    if not np.isfinite(images).all():
        raise InvalidValueError(
            f"{name} contains NaN or infinity; every pixel must be a finite "
            "number. Impute or drop those images first."
        )
    axes = tuple(range(1, images.ndim)) if images.ndim == 4 else None
    low = images.min(axis=axes, keepdims=True)
    high = images.max(axis=axes, keepdims=True)
    grey = (low >= 0) & (high > UNIT_MAX)  # grey levels stored as floats
    if grey.any():
        _check_grey_levels(low[grey].min(), high[grey].max(), name)
    out = images.astype(np.float32)
    return np.where(grey, out * np.float32(1 / 255), out)


def _check_grey_levels(low, high, name):
    if low < 0 or high > 255:
        raise InvalidValueError(
            f"{name} must hold grey levels in 0..255 or floats scaled to [0, 1]; "
            f"got values from {low:g} to {high:g}. Rescale 16-bit or other images "
            "first (for example with skfer.preprocessing.PixelScaler(scale=1/65535))."
        )


def to_uint8_pixels(image, *, name="X"):
    """Return ``image`` as uint8 grey levels 0..255 under :func:`scale_pixels`' rule.

    Centred data (negative values) cannot be mapped back to grey levels and
    is refused.
    """
    image = np.asarray(image)
    if image.dtype == np.uint8:
        return image
    scaled = scale_pixels(image, name=name)
    if scaled.size and scaled.min() < 0:
        raise InvalidValueError(
            f"{name} holds negative values (centred data?); faces can only be "
            "detected in images of grey levels 0..255 or floats in [0, 1]."
        )
    return np.clip(np.round(scaled * 255), 0, 255).astype(np.uint8)


def softmax(scores):
    """Row-wise softmax of class scores, in float64 (stable for large scores)."""
    scores = np.asarray(scores, dtype=np.float64)
    exp = np.exp(scores - scores.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def feature_names(prefix, n):
    """``[prefix0, prefix1, ...]`` as the object array get_feature_names_out returns."""
    return np.asarray([f"{prefix}{i}" for i in range(n)], dtype=object)


def check_fitted(estimator, attributes):
    """scikit-learn's ``check_is_fitted``, raising skfer's NotFittedError.

    skfer's :class:`~skfer.exceptions.NotFittedError` subclasses
    scikit-learn's, so callers catching either keep working.
    """
    from sklearn.exceptions import NotFittedError as SklearnNotFittedError
    from sklearn.utils.validation import check_is_fitted

    from .exceptions import NotFittedError

    try:
        check_is_fitted(estimator, attributes)
    except SklearnNotFittedError as exc:
        raise NotFittedError(str(exc)) from None


def usable_cores():
    """How many CPU cores this process may run on: the affinity mask (what
    ``taskset``, a container's cpuset or a job scheduler grant), capped by a
    cgroup CPU quota, never more than ``os.cpu_count()``. Thread pools that
    skfer sizes itself (LiteRT, ONNX Runtime) ask for this many threads, not
    for the host's core count.

    >>> usable_cores() >= 1
    True
    """
    import os

    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # macOS, Windows
        cores = os.cpu_count() or 1
    try:  # cgroup v2: "max 100000" or "<quota> <period>"
        with open("/sys/fs/cgroup/cpu.max", encoding="ascii") as f:
            quota, period = f.read().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, int(int(quota) // int(period))))
    except (OSError, ValueError):
        pass
    return max(1, cores)


def luma(images):
    """Grey levels (ITU-R 601 luma) of RGB(A) images ``(..., 3|4)``, in their
    dtype (integer levels rounded); alpha is ignored."""
    weights = np.array([0.299, 0.587, 0.114], dtype=np.float64)
    gray = images[..., :3].astype(np.float64) @ weights
    if images.dtype.kind in "ui":
        gray = np.clip(np.round(gray), 0, np.iinfo(images.dtype).max)
    return gray.astype(images.dtype)
