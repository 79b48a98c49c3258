"""Synthetic face-like images for tests, doctests and quick demos."""

import numpy as np
from sklearn.utils import check_random_state

from ..exceptions import InvalidValueError
from ._base import FER2013_LABELS

__all__ = ["make_faces"]

# Per expression (FER2013 order): mouth curvature (+ is a smile), mouth
# opening, eye opening, brow tilt (+ is inner ends down, a frown), brow lift.
_EXPRESSIONS = np.array(
    [
        [-0.4, 0.0, 0.8, 0.6, -0.8],  # angry
        [-0.7, 0.3, 0.5, 0.3, -0.3],  # disgust
        [-0.2, 0.6, 1.4, -0.4, 0.9],  # fear
        [1.0, 0.3, 0.8, 0.0, 0.0],  # happy
        [-0.9, 0.0, 0.7, -0.6, 0.3],  # sad
        [0.0, 1.2, 1.5, 0.0, 1.6],  # surprise
        [0.0, 0.0, 1.0, 0.0, 0.0],  # neutral
    ]
)


def _smooth_inside(distance, width=0.75):
    """1 inside (distance < 0), 0 outside, with a soft edge of ``width`` px."""
    return np.clip(0.5 - distance / (2 * width), 0.0, 1.0)


def _render(params, size, rng, noise):
    curvature, opening, eye_open, brow_tilt, brow_lift = params
    s = size / 48.0 * rng.uniform(0.9, 1.1)
    cx = size / 2 + rng.normal(0, 1.5) * size / 48
    cy = size / 2 + 1 + rng.normal(0, 1.5) * size / 48
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64) + 0.5

    background = rng.uniform(0.1, 0.45)
    skin = rng.uniform(0.55, 0.8)
    img = np.full((size, size), background)
    face = _smooth_inside(
        (np.hypot((xx - cx) / (17 * s), (yy - cy) / (21 * s)) - 1) * 17 * s
    )
    shading = 1 - 0.15 * ((xx - cx) / (17 * s)) ** 2
    img = img * (1 - face) + skin * shading * face
    dark = rng.uniform(0.05, 0.2)

    for side in (-1, 1):
        ex, ey = cx + side * 7 * s, cy - 5 * s
        eye = _smooth_inside(
            (
                np.hypot(
                    (xx - ex) / (3.2 * s), (yy - ey) / (max(eye_open, 0.15) * 2.2 * s)
                )
                - 1
            )
            * 2.5
            * s
        )
        img = img * (1 - eye) + dark * eye
        # brow: a thick segment above the eye, tilted around its centre
        by = ey - (6 + 1.5 * brow_lift) * s
        t = np.clip((xx - ex) / (4.5 * s), -1, 1)
        brow_y = by + brow_tilt * 2.5 * s * (-side * t)  # inner end moves
        on_span = _smooth_inside(np.abs(xx - ex) - 4.5 * s)
        brow = _smooth_inside(np.abs(yy - brow_y) - 0.9 * s) * on_span
        img = img * (1 - brow) + dark * brow

    # mouth: a parabola whose corners rise with curvature, opened by an ellipse
    mx, my, half_width = cx, cy + 10 * s, 7 * s
    u = np.clip((xx - mx) / half_width, -1.2, 1.2)
    lip_y = my - curvature * 3.0 * s * (u**2 - 0.3)
    on_span = _smooth_inside(np.abs(xx - mx) - half_width)
    lips = _smooth_inside(np.abs(yy - lip_y) - 0.9 * s) * on_span
    img = img * (1 - lips) + dark * lips
    if opening > 0.05:
        mouth = _smooth_inside(
            (
                np.hypot(
                    (xx - mx) / (half_width * 0.6), (yy - my) / (opening * 2.5 * s)
                )
                - 1
            )
            * 2
            * s
        )
        img = img * (1 - mouth) + dark * mouth

    img = img * rng.uniform(0.8, 1.2) + rng.normal(0, noise, img.shape)
    if rng.random() < 0.5:
        img = img[:, ::-1]
    return np.clip(img, 0, 1)


def make_faces(
    n_samples=700,
    *,
    n_classes=7,
    image_size=48,
    class_sep=1.0,
    noise=0.06,
    flat=True,
    random_state=None,
):
    """Generate synthetic face-like grayscale images with an expression label.

    Each image is a cartoon face (oval, eyes, brows, mouth) whose mouth
    curvature and opening, eye opening, brow tilt and brow height depend on
    the class, plus random pose, size, lighting, flips and pixel noise. A
    small CNN learns it in a few epochs; it is not trivially separable at
    ``class_sep=1`` because the per-image jitter overlaps neighbouring
    expressions (fear/surprise, angry/disgust, sad/neutral).

    Parameters
    ----------
    n_samples : int, default=700
        Number of images (classes are balanced, in shuffled order).
    n_classes : int, default=7
        Number of expressions, 2 to 7, taken in FER2013 order (0 angry,
        1 disgust, 2 fear, 3 happy, 4 sad, 5 surprise, 6 neutral).
    image_size : int, default=48
        Side of the square images, at least 16.
    class_sep : float, default=1.0
        Scale of the differences between expressions; smaller is harder.
    noise : float, default=0.06
        Standard deviation of the pixel noise (image range 0-1).
    flat : bool, default=True
        Return ``X`` as flat rows ``(n, size*size)``; else ``(n, size, size)``.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    X : ndarray of uint8, shape (n_samples, image_size**2) or (n, size, size)
        Grey levels 0-255, like the real datasets.
    y : ndarray of int, shape (n_samples,)
        Expression index in FER2013 order.

    Examples
    --------
    >>> from skfer.datasets import make_faces
    >>> X, y = make_faces(n_samples=14, random_state=0)
    >>> X.shape, X.dtype, sorted(set(y.tolist()))
    ((14, 2304), dtype('uint8'), [0, 1, 2, 3, 4, 5, 6])
    """
    if not 2 <= int(n_classes) <= len(FER2013_LABELS):
        raise InvalidValueError(f"n_classes must be between 2 and 7; got {n_classes}.")
    if int(image_size) < 16:
        raise InvalidValueError(f"image_size must be at least 16; got {image_size}.")
    if int(n_samples) < 1:
        raise InvalidValueError(f"n_samples must be at least 1; got {n_samples}.")
    rng = check_random_state(random_state)
    y = np.arange(int(n_samples)) % int(n_classes)
    rng.shuffle(y)
    base = _EXPRESSIONS[: int(n_classes)]
    centre = base.mean(axis=0)
    images = np.empty((int(n_samples), int(image_size), int(image_size)), np.uint8)
    for i, label in enumerate(y):
        params = centre + class_sep * (base[label] - centre)
        params = params + rng.normal(0, [0.3, 0.2, 0.2, 0.2, 0.35])
        pixels = _render(params, int(image_size), rng, noise)
        images[i] = np.round(pixels * 255).astype(np.uint8)
    X = images.reshape(len(y), -1) if flat else images
    return X, y
