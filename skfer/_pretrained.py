"""The pretrained-model files: where they are, and reading one into a classifier.

Kept apart from :mod:`skfer.inference` so that fine-tuning
(``FERClassifier(pretrained=...)``) reads them without importing the
inference module, which itself builds FERClassifiers: no import cycle.
"""

import json
from pathlib import Path

import numpy as np

from ._utils import did_you_mean
from .exceptions import InvalidValueError, MissingFileError, NotFittedError

#: the folder of the shipped models' ``<name>.json`` and ``<name>.weights.h5``
PRETRAINED_DIR = Path(__file__).resolve().parent / "weights"


def list_names():
    """Names of the shipped pretrained models, sorted."""
    return sorted(p.name[: -len(".json")] for p in PRETRAINED_DIR.glob("*.json"))


def card_path(name):
    """The JSON file of shipped model ``name``; unknown names get suggestions."""
    names = list_names()
    if name not in names:
        raise InvalidValueError(
            f"Unknown pretrained model {name!r}.{did_you_mean(name, names)}"
            f" Available: {names}."
        )
    return PRETRAINED_DIR / f"{name}.json"


def load_file(path, estimator_class):
    """A fitted ``estimator_class`` (FERClassifier) from a model's JSON file.

    Only the weights are read from disk (HDF5 arrays); the architecture comes
    from skfer's model registry, so a file cannot make this call run code.
    """

    from ._keras import find_network

    path = Path(path)
    if not path.is_file():
        raise MissingFileError(f"No pretrained-model card at {str(path)!r}.")
    try:
        meta = json.loads(path.read_text())
        weights = path.parent / meta["weights"]
        classes = np.asarray(meta["classes"])
        shape = tuple(meta["image_shape"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidValueError(
            f"{str(path)!r} is not a skfer pretrained-model card ({exc})."
        ) from exc
    if not weights.is_file():
        raise MissingFileError(
            f"The weights {str(weights)!r} named by {str(path)!r} are missing."
        )
    from ._utils import LOSSES

    loss = meta["loss"] if meta["loss"] in LOSSES else "crossentropy"
    clf = estimator_class(
        model=meta["model"],
        loss=loss,
        augment=False,
        image_shape=shape,
        crop=meta.get("crop"),
        tta=meta.get("tta", False),
    )
    # build the (untrained) network for these classes and this input size,
    # then read the trained weights into it
    clf.initialize(np.zeros((len(classes), *shape), np.uint8), classes)
    try:
        find_network(clf.model_).load_weights(str(weights))
    except Exception as exc:  # h5py/keras raise several types for bad files
        raise InvalidValueError(
            f"Could not read the weights {str(weights)!r} ({exc}). The file is "
            "damaged or was saved for another architecture."
        ) from exc
    clf.card_ = meta.get("card", {})
    temperature = (clf.card_.get("calibration") or {}).get("temperature")
    if temperature is not None:
        clf.temperature_ = float(temperature)
    return clf


def fitted_model(estimator):
    model = getattr(estimator, "model_", None)
    if model is None:
        raise NotFittedError(
            f"This {type(estimator).__name__} is not fitted yet: call fit(X, y) "
            "or use skfer.inference.pretrained()."
        )
    return model
