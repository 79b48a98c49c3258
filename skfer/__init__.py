"""skfer: facial expression recognition as scikit-learn estimators.

``import skfer`` is cheap: TensorFlow is only imported when a name that needs
it (``FERClassifier``, ``skfer.models.get_model``, ...) is first used.
``skfer.datasets`` and ``skfer.preprocessing`` never import TensorFlow.
"""

import importlib

__version__ = "0.1.0"

_LAZY = {
    "FERClassifier": "skfer._classifier",
    "pretrained": "skfer.inference",
}
_SUBMODULES = {
    "datasets",
    "exceptions",
    "features",
    "inference",
    "losses",
    "model_selection",
    "models",
    "preprocessing",
    "tuning",
}

__all__ = ["FERClassifier", "pretrained", "__version__", *sorted(_SUBMODULES)]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"skfer.{name}")
    raise AttributeError(f"module 'skfer' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
