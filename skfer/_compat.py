"""Every private API of another library that skfer uses, in one place.

These names are not part of their libraries' public API and may change in
any release; ``pyproject.toml`` bounds each library to the versions tested
(scikit-learn < 1.10, scikeras 0.13.*, Keras < 3.16, TensorFlow < 2.22).
When one of them moves, this is the only module to change.

Nothing here imports Keras, TensorFlow or scikeras at import time (``import
skfer`` stays light); their internals are behind functions.
"""

# scikit-learn: parameter validation and the feature-name check its own
# estimators run (no public equivalent as of 1.9)
from sklearn.utils._param_validation import (  # noqa: F401
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.validation import _check_feature_names as check_feature_names

__all__ = [
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "validate_parameter_constraints",
    "check_feature_names",
    "route_params",
    "keras_random_state",
    "tensorflow_determinism",
]


def route_params(*args, **kwargs):
    """scikeras 0.13's routing of ``optimizer__*``/``model__*``/``fit__*`` parameters.

    Imported on call: scikeras imports TensorFlow.
    """
    from scikeras._utils import route_params as _route_params

    return _route_params(*args, **kwargs)


def keras_random_state():
    """Keras' global random-state modules ``(global_state, seed_generator, rng_utils)``.

    Needed to save and restore Keras' global seed around a seeded fit
    (Keras 3 exposes ``set_random_seed`` but no getter).
    """
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator
    from keras.src.utils import rng_utils

    return global_state, seed_generator, rng_utils


class _PerThreadRandom:
    """Keras' source of default seeds, made per thread for seeded fits.

    Keras draws the seed of every initializer and dropout layer created
    without one from the process-wide ``random`` module
    (``seed_generator.make_default_seed``). Inside a Dask worker (or any
    process where other threads draw from ``random``: an event loop's
    jitter, a second fit) those draws interleave, so a seeded fit built
    other weights than the same fit alone (cross_validate on a LocalCluster
    scored 0.275/0.300/0.275 against 0.150/0.325/0.175 with n_jobs=1). This
    stands in for the module there: a thread that set its own
    ``random.Random`` (:func:`skfer._random.seeded`) draws from it, every
    other caller from ``random`` as before.
    """

    def __init__(self, module):
        import threading

        self._module = module
        self._local = threading.local()

    def use(self, rng):
        """Draw from ``rng`` in this thread (None: the shared module); returns
        what was used before."""
        previous = getattr(self._local, "rng", None)
        self._local.rng = rng
        return previous

    def __getattr__(self, name):
        rng = getattr(self._local, "rng", None)
        return getattr(self._module if rng is None else rng, name)


def keras_seed_source():
    """The per-thread stand-in for ``random`` in Keras' seed generator,
    installed on first use (see :class:`_PerThreadRandom`)."""
    from keras.src.random import seed_generator

    source = seed_generator.python_random
    if not isinstance(source, _PerThreadRandom):
        source = seed_generator.python_random = _PerThreadRandom(source)
    return source


def tensorflow_determinism():
    """TensorFlow's op-determinism switch (``tf.config.experimental`` has no getter)."""
    from tensorflow.python.framework import config

    return config
