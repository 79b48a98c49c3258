"""Seeding that does not leak: every global RNG is restored on exit."""

import contextlib
import random

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["resolve_seed", "seeded"]

_MAX_SEED = 2**31 - 1


def resolve_seed(random_state):
    """Turn a ``random_state`` parameter into an integer seed or None.

    An int is used as is; a ``RandomState``/``Generator`` gives one draw (so
    it advances, as in scikit-learn estimators); None stays None (unseeded).
    """
    if random_state is None:
        return None
    if isinstance(random_state, (int, np.integer)) and not isinstance(
        random_state, bool
    ):
        return int(random_state)
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(_MAX_SEED))
    return int(check_random_state(random_state).randint(_MAX_SEED))


@contextlib.contextmanager
def seeded(seed):
    """Seed Python, NumPy and Keras; on TensorFlow also make ops deterministic.

    On exit the previous generator states (and the op-determinism setting)
    are restored, so seeding one estimator never changes what unrelated code
    draws. With ``seed=None`` this does nothing.
    """
    if seed is None:
        yield
        return
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator
    from keras.src.utils import rng_utils

    from ._keras import keras

    tf_config = None
    if keras.backend.backend() == "tensorflow":  # op determinism is TF's own
        from tensorflow.python.framework import config as tf_config

    saved_python = random.getstate()
    saved_numpy = np.random.get_state()
    saved_keras = {
        key: global_state.get_global_attribute(key)
        for key in (rng_utils.GLOBAL_RANDOM_SEED, seed_generator.GLOBAL_SEED_GENERATOR)
    }
    determinism_was_on = tf_config is None or tf_config.is_op_determinism_enabled()
    try:
        keras.utils.set_random_seed(int(seed))
        if tf_config is not None:
            tf_config.enable_op_determinism()
        yield
    finally:
        random.setstate(saved_python)
        np.random.set_state(saved_numpy)
        for key, value in saved_keras.items():
            global_state.set_global_attribute(key, value)
        if not determinism_was_on:
            tf_config.disable_op_determinism()
