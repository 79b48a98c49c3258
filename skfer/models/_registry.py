"""Registry of model builders (the timm pattern, for Keras)."""

from .._utils import did_you_mean
from ..exceptions import InvalidTypeError, InvalidValueError

__all__ = ["register_model", "list_models", "get_model", "get_model_builder"]

_MODELS = {}


def register_model(name=None):
    """Register a model builder under ``name`` (decorator).

    A builder is a function ``builder(input_shape, n_classes, *, dropout=...,
    l2=..., **kwargs)`` returning an uncompiled ``keras.Model`` whose output is
    one raw score per class (no softmax): skfer adds the loss.
    Its penultimate layer should be named ``"embedding"`` so that feature
    extraction finds it.

    Parameters
    ----------
    name : str, optional
        Registry name; defaults to the function's name.

    Returns
    -------
    decorator : callable
        Registers and returns the function unchanged.

    Examples
    --------
    >>> from skfer.models import register_model, list_models
    >>> @register_model("tiny-example")
    ... def tiny(input_shape, n_classes, *, dropout=0.0, l2=0.0):
    ...     import keras
    ...     inputs = keras.Input(input_shape)
    ...     x = keras.layers.Flatten()(inputs)
    ...     x = keras.layers.Dense(8, activation="relu", name="embedding")(x)
    ...     return keras.Model(inputs, keras.layers.Dense(n_classes)(x))
    >>> "tiny-example" in list_models()
    True
    """

    def decorator(func):
        key = name or func.__name__
        if key in _MODELS and _MODELS[key] is not func:
            raise InvalidValueError(f"A model named {key!r} is already registered.")
        _MODELS[key] = func
        return func

    return decorator


def list_models():
    """Return the sorted names of the registered models.

    Returns
    -------
    names : list of str
        Registered model names.

    Examples
    --------
    >>> from skfer.models import list_models
    >>> [m for m in list_models() if m in ("v1", "v2")]
    ['v1', 'v2']
    """
    return sorted(_MODELS)


def get_model_builder(name):
    """Return the builder function registered as ``name``.

    Parameters
    ----------
    name : str
        Registered model name.

    Returns
    -------
    builder : callable
        The builder.

    Raises
    ------
    ValueError
        If no model has that name; the message lists the names and suggests
        the closest one.

    Examples
    --------
    >>> from skfer.models import get_model_builder
    >>> get_model_builder("v2").__name__
    'model_v2'
    """
    if not isinstance(name, str):
        raise InvalidTypeError(
            f"model name must be a string; got {type(name).__name__}."
        )
    try:
        return _MODELS[name]
    except KeyError:
        raise InvalidValueError(
            f"Unknown model {name!r}.{did_you_mean(name, _MODELS)} "
            f"Available models: {', '.join(list_models())}; register your own "
            "with skfer.models.register_model."
        ) from None


def get_model(name, input_shape=(48, 48, 1), n_classes=7, **kwargs):
    """Build the registered model ``name`` (uncompiled, outputs class scores).

    Parameters
    ----------
    name : str
        Registered model name (see :func:`list_models`).
    input_shape : tuple of int, default=(48, 48, 1)
        ``(height, width, channels)`` of the input images.
    n_classes : int, default=7
        Number of output scores.
    **kwargs
        Passed to the builder (for the built-in models: ``dropout``, ``l2``).

    Returns
    -------
    model : keras.Model
        The network.

    Examples
    --------
    >>> from skfer.models import get_model
    >>> get_model("v2").count_params()
    3841543
    """
    return get_model_builder(name)(tuple(input_shape), int(n_classes), **kwargs)
