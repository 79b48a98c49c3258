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
    from ._compat import keras_random_state, keras_seed_source, tensorflow_determinism
    from ._keras import keras

    global_state, seed_generator, rng_utils = keras_random_state()
    tf_config = None
    if keras.backend.backend() == "tensorflow":  # op determinism is TF's own
        tf_config = tensorflow_determinism()

    saved_python = random.getstate()
    saved_numpy = np.random.get_state()
    saved_keras = {
        key: global_state.get_global_attribute(key)
        for key in (rng_utils.GLOBAL_RANDOM_SEED, seed_generator.GLOBAL_SEED_GENERATOR)
    }
    determinism_was_on = tf_config is None or tf_config.is_op_determinism_enabled()
    # Keras' default seeds come from this thread's own generator, not from
    # the process-wide one that other threads (a Dask worker's) draw from
    seed_source = keras_seed_source()
    saved_source = seed_source.use(random.Random(int(seed)))
    try:
        keras.utils.set_random_seed(int(seed))
        if tf_config is not None:
            tf_config.enable_op_determinism()
        yield
    finally:
        seed_source.use(saved_source)
        random.setstate(saved_python)
        np.random.set_state(saved_numpy)
        for key, value in saved_keras.items():
            global_state.set_global_attribute(key, value)
        if not determinism_was_on:
            tf_config.disable_op_determinism()


def epoch_seed(seed, epoch, stream=0):
    """A 31-bit seed for one random stream of one epoch of a seeded fit."""
    state = np.random.SeedSequence([int(seed), int(epoch), int(stream)])
    return int(state.generate_state(1)[0] % _MAX_SEED)


def seed_generators(model):
    """Every Keras SeedGenerator of ``model``'s layers (dropout, augmentation)."""
    found, seen = [], set()
    for layer in model._flatten_layers(include_self=True, recursive=True):
        for generator in getattr(layer, "_seed_generators", []):
            if id(generator) not in seen:
                seen.add(id(generator))
                found.append(generator)
    return found


def batches(X, y, sample_weight=None, *, batch_size):
    """``X``, ``y`` (and ``sample_weight``) in batches, as a Keras PyDataset.

    The rows are served in the order of the dataset's ``order`` attribute,
    as given until it is changed (:func:`make_epoch_streams` sets it per
    epoch; validation data keeps it).
    """
    from ._keras import keras

    class Batches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.order = np.arange(len(y))

        def __len__(self):
            return -(-len(y) // batch_size)

        def __getitem__(self, index):
            rows = self.order[index * batch_size : (index + 1) * batch_size]
            if sample_weight is None:
                return X[rows], y[rows]
            return X[rows], y[rows], sample_weight[rows]

    return Batches()


def make_epoch_streams(X, y, sample_weight, *, batch_size, seed):
    """Training data and a callback whose randomness is a function of the epoch.

    Returns ``(dataset, callback)``. ``dataset`` (a ``keras.utils.PyDataset``)
    serves ``X``, ``y`` (and ``sample_weight``) in batches, in an order
    drawn from ``(seed, epoch)``; the callback sets that epoch at its start
    and re-seeds every SeedGenerator of the model (dropout, augmentation)
    from ``(seed, epoch, index)``. So epoch k sees the same batches, dropout
    masks and augmentations whether the run started at epoch 0 or was
    resumed from a checkpoint at epoch k: 2 + 2 resumed epochs train the
    same weights as 4 straight ones.
    """
    from ._keras import keras

    dataset = batches(X, y, sample_weight, batch_size=batch_size)

    class EpochSeeds(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            rng = np.random.default_rng(epoch_seed(seed, epoch, stream=0))
            dataset.order = rng.permutation(len(y))
            for index, generator in enumerate(seed_generators(self.model), 1):
                state = np.array(
                    [epoch_seed(seed, epoch, stream=index), 0],
                    dtype=keras.backend.standardize_dtype(generator.state.dtype),
                )
                generator.state.assign(state)

    return dataset, EpochSeeds()
