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


def _to_8_bit(img):
    """16-bit and 32-bit grey images scaled to 8 bits (Pillow would clip them).

    16-bit levels (0-65535) are divided by 257; float images in [0, 1] are
    multiplied by 255. A 32-bit integer image whose values fit in 0-255 is
    taken as 8-bit levels.
    """
    from PIL import Image

    if not (img.mode.startswith("I") or img.mode == "F"):
        return img
    levels = np.asarray(img, dtype=np.float64)
    if img.mode == "F":
        levels = levels * 255 if levels.size and levels.max() <= 1 else levels
    elif img.mode.startswith("I;16") or (levels.size and levels.max() > 255):
        levels = levels / 257
    return Image.fromarray(np.clip(np.round(levels), 0, 255).astype(np.uint8))


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
        16-bit files are scaled to 8 bits (levels divided by 257), not
        clipped.

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
            img = _to_8_bit(img)
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
