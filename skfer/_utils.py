"""Small helpers shared by several modules (no TensorFlow import here)."""

import difflib
import math
import re

import numpy as np

__all__ = ["did_you_mean", "as_image_batch", "pixel_scale_for", "feature_names"]


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
    if hasattr(X, "toarray") or type(X).__module__.startswith("scipy.sparse"):
        raise TypeError(
            f"Sparse input is not supported: {name} must be a dense array of "
            "pixels. Convert it with X.toarray()."
        )
    if hasattr(X, "to_numpy"):
        X = X.to_numpy()
    try:
        X = np.asarray(X)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"{name} could not be converted to an array of pixels: {exc}. "
            "Pass images of equal size as a NumPy array."
        ) from None
    if X.dtype == object:
        try:
            X = X.astype(np.float64)
        except (ValueError, TypeError) as exc:
            raise TypeError(
                f"{name} must hold numbers (pixel values): {exc}. To read image "
                "files, use skfer.preprocessing.ImageReader first."
            ) from None
    if X.dtype == object or X.dtype.kind in "USV":
        raise TypeError(
            f"{name} must hold numbers (pixel values); got dtype {X.dtype}. "
            "To read image files, use skfer.preprocessing.ImageReader first."
        )
    if X.dtype.kind == "c":
        raise ValueError(
            f"Complex data not supported: {name} must hold real pixel values."
        )
    if X.ndim < 2 or X.ndim > 4:
        raise ValueError(
            f"{name} must be flat pixel rows (n, h*w), images (n, h, w) or "
            f"(n, h, w, channels); got an array with {X.ndim} dimension(s) of "
            f"shape {X.shape}. Reshape your data: a single image needs a "
            "leading batch axis (X[None])."
        )
    if X.shape[0] == 0:
        raise ValueError(f"{name} is empty: 0 samples (shape {X.shape}).")
    if X.ndim == 2:
        n_pixels = X.shape[1]
        if n_pixels == 0:
            raise ValueError(
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
                raise ValueError(
                    f"{name} must have {h * w * c} pixels per row ({h}x{w}"
                    f"{'' if c == 1 else f'x{c}'}); got {n_pixels}. Resize with "
                    "skfer.preprocessing.Resize."
                )
            return X.reshape((X.shape[0], *image_shape))
        side = _square_side(n_pixels)
        if side is None:
            raise ValueError(
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
        raise ValueError(
            f"{name} must hold images of shape {h}x{w} with {c} channel(s); got "
            f"{got[0]}x{got[1]} with {got[2]} channel(s). {hint}"
        )
    return X


def pixel_scale_for(dtype):
    """Return the factor that maps pixels of ``dtype`` to [0, 1].

    Integer images are 8-bit grey levels (0-255), as in FER2013 and every
    image file; float images are taken as already scaled (factor 1).
    """
    return 1.0 / 255.0 if np.dtype(dtype).kind in "ui" else 1.0


def feature_names(prefix, n):
    """``[prefix0, prefix1, ...]`` as the object array get_feature_names_out returns."""
    return np.asarray([f"{prefix}{i}" for i in range(n)], dtype=object)
