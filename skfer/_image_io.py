"""Reading image files into arrays (Pillow; no TensorFlow)."""

import os

import numpy as np

from .exceptions import DataFormatError, MissingFileError

__all__ = ["read_image", "IMAGE_EXTENSIONS"]

IMAGE_EXTENSIONS = (
    ".png",
    ".jpg",
    ".jpeg",
    ".bmp",
    ".gif",
    ".tif",
    ".tiff",
    ".webp",
    ".pgm",
    ".ppm",
)


def read_image(path, *, grayscale=True, size=None):
    """Read one image file as a uint8 array.

    Parameters
    ----------
    path : str or os.PathLike
        Image file.
    grayscale : bool, default=True
        Convert to one channel (ITU-R 601 luma, as OpenCV and Pillow do);
        else return RGB.

    Returns
    -------
    image : ndarray of uint8, shape (h, w) or (h, w, 3)

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    DataFormatError
        If the file is not a readable image (corrupt, truncated, not an image).
    """
    from PIL import Image, UnidentifiedImageError

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise MissingFileError(f"Image file not found: {path!r}.")
    try:
        with Image.open(path) as img:
            img.load()
            img = img.convert("L" if grayscale else "RGB")
            if size is not None and img.size != (size[1], size[0]):
                shrink = size[0] * size[1] < img.size[0] * img.size[1]
                resample = Image.Resampling.BOX if shrink else Image.Resampling.BILINEAR
                img = img.resize((size[1], size[0]), resample=resample)
            return np.asarray(img, dtype=np.uint8)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DataFormatError(
            f"Cannot read image {path!r}: {exc}. The file is corrupt, truncated "
            "or not an image."
        ) from None
