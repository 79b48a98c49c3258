"""Exporting a fitted classifier's network (ONNX, Keras, SavedModel) and
the cached ONNX conversion that FERPredictor's ONNX backend runs."""

import json
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np

from ._pretrained import fitted_model
from ._utils import did_you_mean
from .exceptions import (
    FilePermissionError,
    InvalidValueError,
    MissingDependencyError,
    MissingFileError,
)

__all__ = ["cache_dir", "export", "onnx_available", "onnx_file"]


def export(estimator, path, *, format="onnx"):
    """Write a fitted classifier's network for use outside skfer.

    The exported graph maps float32 images ``(n, height, width, 1)`` scaled to
    [0, 1] to raw class scores; apply a softmax for the probabilities that
    ``predict_proba`` returns.

    Parameters
    ----------
    estimator : FERClassifier
        A fitted classifier.
    path : str or path-like
        Output file (``.onnx``, ``.keras``) or folder (SavedModel).
    format : {"onnx", "keras", "savedmodel"}, default="onnx"
        ONNX needs ``pip install "skfer[export]"`` (tf2onnx).

    Returns
    -------
    path : Path

    Examples
    --------
    >>> import tempfile
    >>> from skfer.inference import export, pretrained
    >>> path = export(pretrained(), tempfile.mkdtemp() + "/model.keras", format="keras")
    >>> path.suffix
    '.keras'
    """
    formats = ("onnx", "keras", "savedmodel")
    if format not in formats:
        raise InvalidValueError(
            f"format must be one of {formats}; got {format!r}."
            f"{did_you_mean(format, formats)}"
        )
    from ._keras import find_network

    net = find_network(fitted_model(estimator))
    path = Path(path)
    if not path.parent.is_dir():
        raise MissingFileError(
            f"Cannot write {str(path)!r}: the folder {str(path.parent)!r} does not "
            "exist."
        )
    if not os.access(path.parent, os.W_OK):
        raise FilePermissionError(
            f"Cannot write {str(path)!r}: the folder is read-only."
        )
    if format == "keras":
        from ._checkpoint import save_model_atomic

        if path.suffix != ".keras":
            raise InvalidValueError(
                f"A Keras model file must end in .keras; got {path.name!r}."
            )
        save_model_atomic(net, path)
        return path
    if format == "savedmodel":
        import shutil

        # write beside the target, then rename: an interrupted export never
        # leaves a half-written SavedModel at ``path``
        tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}."))
        try:
            net.export(str(tmp / "model"), format="tf_saved_model", verbose=False)
            if path.exists():
                shutil.rmtree(path)
            os.replace(tmp / "model", path)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return path
    try:
        import tf2onnx  # noqa: F401
    except ImportError as exc:
        raise MissingDependencyError(
            "ONNX export needs tf2onnx: pip install 'skfer[export]'."
        ) from exc
    from ._checkpoint import atomic_target

    with atomic_target(path) as tmp, warnings.catch_warnings():
        # Keras' bridge to tf2onnx probes the removed np.object on import
        # (a FutureWarning on stderr at every first export); nothing to act on
        warnings.filterwarnings(
            "ignore", message=".*np.object.*", category=FutureWarning
        )
        net.export(tmp, format="onnx", verbose=False)
    return path


def cache_dir():
    """skfer's cache folder: ``$SKFER_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/skfer``, else ``~/.cache/skfer`` (not created here)."""
    if os.environ.get("SKFER_CACHE_DIR"):
        return Path(os.environ["SKFER_CACHE_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "skfer"


def _network_key(estimator):
    """A digest of the network's architecture and weights: the name of its
    cached ONNX file (new weights, new file; no stale conversion is used)."""
    import hashlib

    from ._keras import find_network

    net = find_network(fitted_model(estimator))
    digest = hashlib.sha256()
    digest.update(json.dumps(net.get_config(), sort_keys=True, default=repr).encode())
    for weights in net.get_weights():
        digest.update(str(weights.shape).encode())
        digest.update(np.ascontiguousarray(weights).tobytes())
    return digest.hexdigest()[:24]


def _cached_onnx_path(estimator):
    """Where the cached ONNX conversion of this network is (or would be)."""
    return cache_dir() / "onnx" / f"{_network_key(estimator)}.onnx"


def onnx_file(estimator):
    """The estimator's network as an ONNX file, converted once and cached.

    The file is ``<cache_dir()>/onnx/<digest>.onnx``, named by a digest of the
    architecture and weights; where the cache cannot be written, a temporary
    file is used (converted again next time).

    Parameters
    ----------
    estimator : FERClassifier
        A fitted classifier.

    Returns
    -------
    path : pathlib.Path
    """
    path = _cached_onnx_path(estimator)
    if path.is_file():
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return export(estimator, path, format="onnx")
    except OSError:  # a read-only home: convert into a temporary folder
        folder = tempfile.mkdtemp(prefix="skfer-onnx-")
        return export(estimator, Path(folder) / "model.onnx", format="onnx")


def onnx_available(estimator):
    """Whether backend="onnx" can run here: ONNX Runtime installed, and the
    network already converted or tf2onnx there to convert it."""
    import importlib.util

    if importlib.util.find_spec("onnxruntime") is None:
        return False
    if importlib.util.find_spec("tf2onnx") is not None:
        return True
    return _cached_onnx_path(estimator).is_file()
