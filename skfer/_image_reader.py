"""ImageReader: image files (paths) into an image batch, as the first step
of a Pipeline; public as ``skfer.preprocessing.ImageReader``."""

import os

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from ._image_io import read_image
from .exceptions import (
    DataFormatError,
    InvalidTypeError,
    InvalidValueError,
    MissingFileError,
)

__all__ = ["ImageReader"]


class ImageReader(TransformerMixin, BaseEstimator):
    """Read image files: a sequence of paths in, an image array out.

    Parameters
    ----------
    grayscale : bool, default=True
        Convert to one channel; else RGB.
    size : tuple of int (height, width), optional
        Resize while reading; without it all images must share one size.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from PIL import Image
    >>> from skfer.preprocessing import ImageReader
    >>> path = os.path.join(tempfile.mkdtemp(), "face.png")
    >>> Image.fromarray(np.full((60, 60), 7, np.uint8)).save(path)
    >>> ImageReader(size=(48, 48)).fit_transform([path]).shape
    (1, 48, 48)
    """

    def __init__(self, *, grayscale=True, size=None):
        self.grayscale = grayscale
        self.size = size

    def fit(self, X, y=None):
        """Nothing to learn; checks ``X`` is a sequence of paths.

        Parameters
        ----------
        X : sequence of str or path-like
        y : ignored

        Returns
        -------
        self
        """
        self._paths(X)
        self.n_features_in_ = 1
        return self

    @staticmethod
    def _paths(X):
        if hasattr(X, "to_numpy"):
            X = X.to_numpy()
        if isinstance(X, (str, os.PathLike)):
            raise InvalidTypeError(
                "ImageReader expects a sequence of paths, not a single path: wrap "
                "it in a list."
            )
        paths = [os.fspath(p) for p in np.asarray(X, dtype=object).ravel()]
        if not paths:
            raise InvalidValueError("ImageReader got no paths.")
        return paths

    def transform(self, X):
        """Read the files.

        Parameters
        ----------
        X : sequence of str or path-like

        Returns
        -------
        images : ndarray of uint8, shape (n, h, w) or (n, h, w, 3)

        Raises
        ------
        FileNotFoundError
            Listing every missing file.
        DataFormatError
            Listing every unreadable file, or when sizes differ and ``size``
            is None.
        """
        paths = self._paths(X)
        missing = [p for p in paths if not os.path.isfile(p)]
        if missing:
            raise MissingFileError(
                f"{len(missing)} image file(s) not found: {missing[:5]}"
                + (" ..." if len(missing) > 5 else "")
            )
        images, bad = [], []
        for path in paths:
            try:
                images.append(
                    read_image(path, grayscale=self.grayscale, size=self.size)
                )
            except DataFormatError as exc:
                bad.append(f"{path}: {exc}")
        if bad:
            raise DataFormatError(
                f"{len(bad)} file(s) could not be read as images:\n" + "\n".join(bad)
            )
        shapes = {image.shape for image in images}
        if len(shapes) > 1:
            raise DataFormatError(
                f"The images have different sizes {sorted(shapes)[:4]}; pass "
                "size=(48, 48) to resize them while reading."
            )
        return np.stack(images)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags
