"""Pretrained models, fast face-by-face prediction, and export.

- :func:`pretrained` returns a fitted :class:`~skfer.FERClassifier` from the
  weights shipped in the package (read as plain arrays: no code is executed).
- :class:`FERPredictor` finds faces in photos or video frames and classifies
  all faces of a frame in one call of a compiled graph.
- :func:`export` writes a fitted classifier's network as ONNX, ``.keras`` or a
  TensorFlow SavedModel.
"""

import json
import os
from pathlib import Path

import numpy as np

from ._crops import cut, tta_problem, windows
from ._export import cache_dir, export, onnx_available, onnx_file  # noqa: F401
from ._pretrained import (  # noqa: F401 (PRETRAINED_DIR: the shipped models' folder)
    PRETRAINED_DIR,
    card_path,
    fitted_model,
    list_names,
    load_file,
)
from ._utils import did_you_mean, scale_pixels, softmax, usable_cores
from .exceptions import (
    InvalidTypeError,
    InvalidValueError,
    MissingDependencyError,
)

__all__ = [
    "DEFAULT_PRETRAINED",
    "FERPredictor",
    "annotate",
    "calibrate",
    "export",
    "list_pretrained",
    "load_pretrained_file",
    "onnx_file",
    "pretrained",
    "save_pretrained",
]

_CACHE = {}

#: FERPredictor's backends
BACKENDS = ("auto", "onnx", "keras")


def list_pretrained():
    """Names of the pretrained models shipped with skfer.

    Returns
    -------
    names : list of str

    Examples
    --------
    >>> from skfer.inference import list_pretrained
    >>> "v1-fer2013" in list_pretrained()
    True
    """
    return list_names()


def save_pretrained(estimator, folder, name, card):
    """Save a fitted classifier as a pretrained model: weights and a card.

    Writes ``<name>.weights.h5`` (the network's weights only: loading it runs
    no code) and ``<name>.json`` (architecture name, classes, input shape,
    ``crop`` and ``tta``, and ``card``), both atomically. The loaded
    classifier predicts with the saved ``tta``.

    Parameters
    ----------
    estimator : FERClassifier
        A fitted classifier.
    folder : str or path-like
        Where to write the two files.
    name : str
        The model's name, e.g. ``"v1-fer2013"``.
    card : dict
        JSON-serialisable facts for the model card (data, protocol,
        accuracy, training command).

    Returns
    -------
    paths : tuple of Path
        The weights file and the JSON file.

    Examples
    --------
    >>> import tempfile
    >>> from skfer import FERClassifier
    >>> from skfer.datasets import make_faces
    >>> from skfer.inference import load_pretrained_file, save_pretrained
    >>> X, y = make_faces(n_samples=28, random_state=0)
    >>> clf = FERClassifier(model="v1", epochs=1, random_state=0).fit(X, y)
    >>> folder = tempfile.mkdtemp()
    >>> weights, card = save_pretrained(clf, folder, "mine", {"note": "demo"})
    >>> again = load_pretrained_file(card)
    >>> bool((again.predict(X) == clf.predict(X)).all())
    True
    """
    from ._checkpoint import atomic_target, atomic_write_text
    from ._keras import find_network

    model = fitted_model(estimator)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    weights = folder / f"{name}.weights.h5"
    with atomic_target(weights) as tmp:
        # keras wants the ".weights.h5" suffix on the file it writes
        tmp_weights = tmp + ".weights.h5"
        find_network(model).save_weights(tmp_weights)
        os.replace(tmp_weights, tmp)
    meta = {
        "name": name,
        "model": estimator.model,
        # a Keras loss object is recorded by name; loading gives cross-entropy
        # (the loss only matters to further training)
        "loss": estimator.loss
        if isinstance(estimator.loss, str)
        else f"{type(estimator.loss).__qualname__} (not stored)",
        "classes": [c.item() if hasattr(c, "item") else c for c in estimator.classes_],
        "image_shape": list(estimator.image_shape_),
        "crop": estimator.crop,
        # the test-time augmentation it predicts with once loaded
        "tta": estimator.tta if isinstance(estimator.tta, str) else bool(estimator.tta),
        "weights": weights.name,
        "card": card,
    }
    path = folder / f"{name}.json"
    atomic_write_text(path, json.dumps(meta, indent=1))
    return weights, path


def load_pretrained_file(path):
    """Load a classifier saved by :func:`save_pretrained` from its JSON file.

    Only the weights are read from disk (HDF5 arrays); the architecture comes
    from skfer's model registry, so a file cannot make this call run code.

    Parameters
    ----------
    path : str or path-like
        The ``<name>.json`` file.

    Returns
    -------
    estimator : FERClassifier
        Fitted; its ``card_`` attribute holds the saved card.

    Examples
    --------
    See :func:`save_pretrained`.
    """
    from ._classifier import FERClassifier

    return load_file(path, FERClassifier)


def calibrate(estimator, X, y):
    """Fit a temperature to a fitted classifier's probabilities.

    Temperature scaling (Guo et al. 2017) divides the class scores by one
    number ``T`` before the softmax, chosen to minimise the log loss on
    held-out images: ``T > 1`` softens over-confident probabilities. It
    never changes which class wins, so accuracy is unchanged. The fit is
    scikit-learn's own: ``CalibratedClassifierCV(FrozenEstimator(estimator),
    method="temperature")``.

    Parameters
    ----------
    estimator : FERClassifier
        Fitted. Its ``tta`` setting is used (calibrate the setting you
        predict with).
    X, y : array-like
        Held-out images and labels, never the images reported afterwards
        (FER2013: PublicTest).

    Returns
    -------
    estimator : FERClassifier
        The same object, with ``temperature_`` set: its ``predict_proba``
        (and a :class:`FERPredictor` built on it) now apply ``T``.

    Examples
    --------
    >>> import numpy as np
    >>> from skfer.inference import calibrate, pretrained
    >>> from skfer.datasets import make_faces
    >>> clf = pretrained("v1-fer2013")
    >>> X, y = make_faces(60, random_state=0)
    >>> T = calibrate(clf, X, y).temperature_
    >>> bool(T > 0), bool(np.allclose(clf.predict_proba(X).sum(axis=1), 1))
    (True, True)
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator

    fitted_model(estimator)
    missing = sorted(
        set(np.asarray(estimator.classes_).tolist()) - set(np.unique(y).tolist())
    )
    if missing:
        raise InvalidValueError(
            f"y has no image of the classes {missing}; the temperature is fitted "
            "to every class's score, so the held-out images must cover all of "
            f"classes_ ({list(estimator.classes_)})."
        )
    estimator.__dict__.pop("temperature_", None)  # fit to the raw scores
    calibrated = CalibratedClassifierCV(
        FrozenEstimator(estimator), method="temperature"
    ).fit(X, y)
    (calibrator,) = calibrated.calibrated_classifiers_[0].calibrators
    estimator.temperature_ = float(1.0 / calibrator.beta_)
    return estimator


#: the shipped model used when none is named (``pretrained()``,
#: ``FERPredictor()``, ``skfer predict``): of the shipped models, the most
#: accurate against FER+'s ten annotators (FER+ PrivateTest) among those that
#: transfer to posed faces (CK+, no CK+ training) at least as well as
#: v2-fer2013 (the FER+ table of docs/results; a test checks the rule)
DEFAULT_PRETRAINED = "v2-ferplus"


def pretrained(name=None):
    """A fitted classifier with weights shipped in the package (offline).

    Parameters
    ----------
    name : str, optional
        One of :func:`list_pretrained`; default :data:`DEFAULT_PRETRAINED`.
        See the model cards in the docs for how each was trained and how
        accurate it is.

    Returns
    -------
    estimator : FERClassifier
        Fitted; ``classes_`` are integer labels named by
        ``card_["label_names"]``: FER2013's (0 angry, 1 disgust, 2 fear, 3
        happy, 4 sad, 5 surprise, 6 neutral), and 7 contempt for the FER+
        models (``*-ferplus``). ``card_`` holds the model card's facts and
        ``temperature_`` its calibration.

    Examples
    --------
    >>> from skfer.inference import pretrained
    >>> clf = pretrained("v1-fer2013")
    >>> clf.card_["label_names"][3]
    'happy'
    """
    return load_pretrained_file(card_path(DEFAULT_PRETRAINED if name is None else name))


class FERPredictor:
    """Find faces and classify their expressions, fast.

    All faces of an image are cropped, resized to the network's input size
    and classified in one call of a compiled graph with a fixed signature
    (no retracing between calls), or of an ONNX Runtime session.

    Parameters
    ----------
    estimator : FERClassifier or str, optional
        A fitted classifier, or the name of a pretrained one; default
        :data:`DEFAULT_PRETRAINED`.
    backend : {"auto", "onnx", "keras"}, default="auto"
        What runs the network. ``"onnx"``: ONNX Runtime, on the network
        converted to ONNX once per set of weights and kept in skfer's cache
        folder (``$SKFER_CACHE_DIR``, else ``~/.cache/skfer``; the first use
        of a model converts it, a few seconds; ``pip install
        "skfer[export]"``). ``"keras"``: a compiled TensorFlow graph.
        ``"auto"`` is ``"onnx"`` where ONNX Runtime can run it and
        ``"keras"`` elsewhere; ``backend_`` says which. On a 2-core AVX2
        CPU Model 2 took about a third of Keras' time with ONNX Runtime at
        batch 1 (see the real-time guide); both give the same probabilities
        within 1e-4 (tested for every shipped model, with and without
        ``tta``).
    detector : FaceCropper or str, optional
        Face detector and cropper; default ``FaceCropper(margin=0.1)`` with
        the network's input size. A name from
        :data:`skfer.preprocessing.DETECTORS` (``"haar"``, ``"blazeface"``,
        ...) is ``FaceCropper(margin=0.1, detector=name)`` with that size, as
        ``skfer predict --detector`` takes it.
    label_names : list of str, optional
        Names of ``estimator.classes_``; default: the card's names, else the
        classes themselves.
    detect_width : int or None, default=320
        For the Haar cascade (``detector="haar"``, or the fallback of
        ``"blazeface...+haar"`` where BlazeFace found no face): images wider
        than this are shrunk to this width for detection only (boxes are
        mapped back, crops come from the full image). The cascade's cost
        grows with the pixel count: on a 640x480 frame this halves its
        time. None: full size (for small faces in large photos). BlazeFace
        always reads a fixed 128x128 (``blazeface``) or 256x256
        (``blazeface-back``) copy of the whole frame, so its cost does not
        depend on the frame's size and this setting does not touch it.
    tta : bool, "flip", "ten-crop" or None, default=None
        Test-time augmentation: average the class scores of each face and of
        its left-right mirror image (True or ``"flip"``: twice the
        classification cost), or of ten windows (``"ten-crop"``, for a
        network trained with ``crop``: ten times the cost). None follows the
        estimator's own ``tta`` parameter. A network trained with ``crop``
        reads the centre window of each face otherwise.

    Attributes
    ----------
    estimator : FERClassifier
        The classifier used.
    label_names : list of str
        Name of each class, in ``classes_`` order.

    Notes
    -----
    One predictor may serve several threads at once (a web server's
    pattern): the detectors' process-wide models run one call at a time,
    and ONNX Runtime sessions and compiled graphs are thread-safe.

    Examples
    --------
    >>> import numpy as np
    >>> from skfer.inference import FERPredictor
    >>> predictor = FERPredictor()
    >>> proba = predictor.predict_proba(np.zeros((2, 48, 48), np.uint8))
    >>> proba.shape, bool(np.allclose(proba.sum(axis=1), 1, atol=1e-5))
    ((2, 8), True)
    >>> predictor.predict_image(np.zeros((120, 160), np.uint8))  # no face in it
    []
    """

    def __init__(
        self,
        estimator=None,
        *,
        backend="auto",
        detector=None,
        label_names=None,
        detect_width=320,
        tta=None,
    ):
        if estimator is None:
            estimator = DEFAULT_PRETRAINED
        if isinstance(estimator, str):
            if estimator not in _CACHE:
                _CACHE[estimator] = pretrained(estimator)
            estimator = _CACHE[estimator]
        model = fitted_model(estimator)
        if backend not in BACKENDS:
            raise InvalidValueError(
                f"backend must be one of {list(BACKENDS)}; got {backend!r}."
                f"{did_you_mean(backend, BACKENDS)}"
            )
        if detect_width is not None and (
            not isinstance(detect_width, int) or detect_width < 32
        ):
            raise InvalidValueError(
                f"detect_width must be an int >= 32 or None; got {detect_width!r}."
            )
        self.estimator = estimator
        self.backend = backend
        self.detect_width = detect_width
        if tta is None:
            tta = getattr(estimator, "tta", False)
        self._crop = getattr(estimator, "crop", None)
        problem = tta_problem(
            tta, self._crop, accepted="True, False, 'flip', 'ten-crop' or None"
        )
        if problem:
            raise InvalidValueError(problem)
        self.tta = bool(tta) if isinstance(tta, (bool, np.bool_)) else tta
        #: the windows of a face whose class scores are averaged
        self._windows = windows(estimator.image_shape_[:2], self._crop, tta)
        self.image_shape = tuple(estimator.image_shape_)
        if self.image_shape[-1] != 1:
            raise InvalidValueError("FERPredictor supports grayscale networks only.")
        if detector is None or isinstance(detector, str):
            from .preprocessing import DETECTORS, FaceCropper

            if detector is not None and detector not in DETECTORS:
                raise InvalidValueError(
                    f"detector must be a FaceCropper or one of {list(DETECTORS)}; "
                    f"got {detector!r}.{did_you_mean(detector, DETECTORS)}"
                )
            detector = FaceCropper(
                size=self.image_shape[:2],
                margin=0.1,
                **({} if detector is None else {"detector": detector}),
            )
        elif not hasattr(detector, "detect"):
            raise InvalidTypeError(
                "detector must be a FaceCropper (or an object with its detect and "
                f"crop methods) or a detector name; got {type(detector).__name__}."
            )
        crop_size = tuple(getattr(detector, "size", self.image_shape[:2]))
        if crop_size != self.image_shape[:2]:
            raise InvalidValueError(
                f"detector crops faces to {crop_size} but the network "
                f"takes {self.image_shape[:2]}; give FaceCropper(size="
                f"{self.image_shape[:2]})."
            )
        self.detector = detector
        card = getattr(estimator, "card_", {}) or {}
        if label_names is None:
            label_names = card.get("label_names") or [
                str(c) for c in estimator.classes_
            ]
        if len(label_names) != len(estimator.classes_):
            raise InvalidValueError(
                f"label_names has {len(label_names)} names for "
                f"{len(estimator.classes_)} classes."
            )
        self.label_names = list(label_names)
        if backend == "auto":
            backend = "onnx" if onnx_available(estimator) else "keras"
        #: the backend that runs the network ("onnx" or "keras")
        self.backend_ = backend
        self._run = (
            self._keras_runner(model)
            if backend == "keras"
            else (self._onnx_runner(estimator))
        )

    def _keras_runner(self, model):
        from ._keras import compiled_predict, find_network, skfer_call

        net = find_network(model)
        run = compiled_predict(net)
        shape = tuple(net.inputs[0].shape[1:])  # the crop window, with crop
        with skfer_call():  # trace once now so the first real call is not slow
            run(np.zeros((1, *shape), np.float32))
        return run

    def _onnx_runner(self, estimator):
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise MissingDependencyError(
                "backend='onnx' needs onnxruntime: pip install 'skfer[export]'."
            ) from exc
        path = onnx_file(estimator)
        options = ort.SessionOptions()
        options.intra_op_num_threads = usable_cores()
        # ONNX Runtime's workers spin after each call by default and take
        # the cores from the face detector's threads in the next frame: on
        # 2 AVX2 cores a default frame took 18.7 ms with spinning and 12.7 ms
        # without, while one face alone took the same 3.8-4.7 ms either way
        # (bench/frame_threads.py)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session = ort.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
        name = session.get_inputs()[0].name

        def run(images):
            return session.run(None, {name: images})[0]

        run.session = session
        return run

    def _as_input(self, faces):
        faces = np.asarray(faces)
        h, w, _ = self.image_shape
        if faces.ndim == 2 and faces.shape[1] == h * w:
            faces = faces.reshape(-1, h, w)
        if faces.ndim == 3:
            faces = faces[..., None]
        if faces.ndim != 4 or faces.shape[1:] != self.image_shape:
            raise InvalidValueError(
                f"faces must be (n, {h}, {w}), (n, {h}, {w}, 1) or (n, {h * w}); "
                f"got shape {faces.shape}. Crop and resize with "
                "skfer.preprocessing.FaceCropper."
            )
        return scale_pixels(faces, name="faces")

    def predict_proba(self, faces):
        """Class probabilities of face crops, in one batch.

        Parameters
        ----------
        faces : array of shape (n, height, width[, 1]) or (n, height * width)
            Pixels under skfer's one rule (:func:`skfer.preprocessing.scale_pixels`).

        Returns
        -------
        proba : ndarray of shape (n, n_classes)
        """
        images = self._as_input(faces)
        if len(images) == 0:
            return np.empty((0, len(self.label_names)), np.float32)
        scores = 0.0
        for window in self._windows:
            view = cut(images, window, self._crop)
            scores = scores + np.asarray(self._run(view), dtype=np.float64)
        scores = scores / len(self._windows)
        temperature = float(getattr(self.estimator, "temperature_", 1.0))
        return softmax(scores / temperature).astype(np.float32)

    def detect(self, image):
        """Face boxes ``(x, y, width, height)`` in one image, largest first.

        Parameters
        ----------
        image : ndarray (h, w) or (h, w, 3)
            Grayscale or RGB image.

        Returns
        -------
        boxes : ndarray of shape (n_faces, 4)
        """
        return self.detector.detect([image], max_width=self.detect_width)[0]

    def crops(self, image, boxes):
        """Cut each box out of ``image`` as the network's input size.

        Parameters
        ----------
        image : ndarray (h, w) or (h, w, 3)
        boxes : array of shape (n_faces, 4)

        Returns
        -------
        faces : ndarray of uint8, shape (n_faces, height, width)
        """
        return self.detector.crop(image, boxes)

    def predict_image(self, image):
        """Every face in an image, with its expression.

        Parameters
        ----------
        image : ndarray (h, w) or (h, w, 3)
            Grayscale or RGB image.

        Returns
        -------
        faces : list of dict
            One per face, largest first: ``box`` (x, y, width, height),
            ``label`` (the most likely expression) and ``probabilities`` (name
            to probability). Empty when no face is found.
        """
        from ._face_models import _frame

        # checked once for detection and crops; uint8 colour stays colour
        # (FaceCropper greys only what it reads)
        frame = _frame(image)
        boxes = self.detect(frame)
        if len(boxes) == 0:
            return []
        return self.describe(boxes, self.predict_proba(self.crops(frame, boxes)))

    def describe(self, boxes, proba):
        """Face records (box, label, probabilities) from boxes and probabilities.

        Parameters
        ----------
        boxes : array of shape (n_faces, 4)
        proba : array of shape (n_faces, n_classes)

        Returns
        -------
        faces : list of dict
            As :meth:`predict_image` returns them.
        """
        return [
            {
                "box": [int(v) for v in box],
                "label": self.label_names[int(np.argmax(p))],
                "probabilities": {
                    name: round(float(q), 4) for name, q in zip(self.label_names, p)
                },
            }
            for box, p in zip(boxes, proba)
        ]


def annotate(image, faces):
    """Draw the boxes and labels of :meth:`FERPredictor.predict_image`.

    Parameters
    ----------
    image : ndarray (h, w) or (h, w, 3)
        The image the faces were found in (RGB or grayscale).
    faces : list of dict
        The output of ``predict_image``.

    Returns
    -------
    annotated : ndarray (h, w, 3) uint8
        An RGB copy with a box and ``label probability`` over each face.

    Examples
    --------
    >>> import numpy as np
    >>> from skfer.inference import annotate
    >>> face = {"box": [10, 20, 30, 30], "label": "happy",
    ...         "probabilities": {"happy": 0.9}}
    >>> annotate(np.zeros((64, 64), np.uint8), [face]).shape
    (64, 64, 3)
    """
    import cv2

    out = np.asarray(image)
    if out.ndim == 2:
        out = np.repeat(out[..., None], 3, axis=2)
    out = np.ascontiguousarray(out[..., :3], dtype=np.uint8).copy()
    for face in faces:
        x, y, w, h = face["box"]
        cv2.rectangle(out, (x, y), (x + w, y + h), (0, 255, 0), 2)
        text = f"{face['label']} {face['probabilities'][face['label']]:.2f}"
        cv2.putText(
            out,
            text,
            (x, max(12, y - 6)),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.5,
            (0, 255, 0),
            1,
            cv2.LINE_AA,
        )
    return out
