"""The CNN architectures, by name.

``list_models()`` lists the registered names, ``get_model(name, ...)`` builds
an (uncompiled) Keras model that maps images to class scores, and
``register_model`` adds your own builder so that ``FERClassifier(model=...)``
can use it by name.

Keras is only imported when a model is built.
"""

from ._registry import get_model, get_model_builder, list_models, register_model
from ._vgg import model_v1, model_v2  # registers "v1" and "v2"

__all__ = [
    "get_model",
    "get_model_builder",
    "list_models",
    "model_v1",
    "model_v2",
    "register_model",
]
