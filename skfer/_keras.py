"""Import Keras with the environment skfer expects (kept out of import skfer)."""

import contextlib
import contextvars
import logging
import os
import weakref

from ._quiet import start_tensorflow_quietly

# TensorFlow's C++ start-up chatter (CUDA probing, CPU feature notes) is noise
# for library users. A TF_CPP_MIN_LOG_LEVEL they set themselves wins, and 0
# ("show everything") lets TensorFlow start as it likes, chatter included.
# The backend is Keras' own choice (KERAS_BACKEND, else ~/.keras/keras.json,
# else TensorFlow): skfer recommends TensorFlow but never sets it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if os.environ["TF_CPP_MIN_LOG_LEVEL"].strip() != "0":
    start_tensorflow_quietly()

import keras  # noqa: E402

__all__ = [
    "keras",
    "AUGMENT_NAME",
    "compile_augmentation_on_jax",
    "compiled_predict",
    "find_network",
]

#: name of the sub-model that holds FERClassifier's augmentation layers
AUGMENT_NAME = "augment"


def find_network(model, *, strict=True):
    """The registry network inside a FERClassifier's outer model.

    The outer model is ``input -> [augmentation] -> network``; the network is
    its one sub-model not named :data:`AUGMENT_NAME`. With ``strict=False`` a
    model without exactly one such sub-model is returned itself (a model a
    user built flat); otherwise that is an error.
    """
    nets = [
        layer
        for layer in model.layers
        if isinstance(layer, keras.Model) and layer.name != AUGMENT_NAME
    ]
    if len(nets) == 1:
        return nets[0]
    if not strict:
        return model
    from .exceptions import InvalidValueError

    raise InvalidValueError(
        f"Expected one network inside {model.name!r}; found "
        f"{[layer.name for layer in nets]}."
    )


_COMPILED = weakref.WeakKeyDictionary()


def compiled_predict(model):
    """``images -> scores`` (NumPy) for ``model`` in inference mode, compiled
    once per model (fixed signature; FERClassifier's small batches and
    FERPredictor's Keras backend)."""
    fn = _COMPILED.get(model)
    if fn is None:
        # a weak reference: the cache entry must not keep its key alive
        ref = weakref.ref(model)
        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            spec = tf.TensorSpec([None, *model.inputs[0].shape[1:]], tf.float32)

            @tf.function(input_signature=[spec], reduce_retracing=True)
            def traced(images):
                return ref()(images, training=False)

            def fn(images):
                return traced(images).numpy()

        else:  # JAX and others: Keras' own batch call, no pipeline either

            def fn(images):
                return keras.ops.convert_to_numpy(ref().predict_on_batch(images))

        _COMPILED[model] = fn
    return fn


def compile_augmentation_on_jax(model):
    """On Keras' JAX backend, let the training step be compiled (jitted).

    Keras marks ``RandomTranslation`` as not supporting XLA, which makes
    Keras run the whole training step op by op on every backend. On JAX the
    layer compiles and trains (tests/test_backends.py), and op-by-op JAX was
    3.5 times slower on a small model, so the mark is lifted there. On
    TensorFlow nothing changes: skfer trains without XLA on purpose (it made
    CPU training slower).
    """
    if keras.backend.backend() != "jax":
        return model
    augmenting = (keras.layers.RandomTranslation, keras.layers.RandomFlip)
    for layer in model._flatten_layers():
        if isinstance(layer, augmenting):
            layer.supports_jit = True
    if getattr(model, "compiled", False) and not model.run_eagerly:
        model.jit_compile = True  # a model loaded from a checkpoint
    return model


_IN_SKFER = contextvars.ContextVar("skfer_keras_call", default=False)


@contextlib.contextmanager
def skfer_call():
    """Mark the code inside as skfer's own Keras work (fit, predict, a
    predictor's tracing), for :class:`_PerModelRetracing`."""
    token = _IN_SKFER.set(True)
    try:
        yield
    finally:
        _IN_SKFER.reset(token)


class _PerModelRetracing(logging.Filter):
    """Drop TensorFlow's "triggered tf.function retracing" warning for the
    functions Keras and skfer compile once per model, while skfer runs them.

    Every fit of a FERClassifier builds a new network, so a grid search traces
    Keras' train/test/predict step (and skfer's small-batch predictor) once
    per candidate, and each FERPredictor traces its network once. TensorFlow
    counts those by source line and warns as if one function were retraced
    in a loop. Only warnings raised inside skfer's calls (:func:`skfer_call`)
    and naming those functions are dropped: a user's own Keras models, fitted
    or traced outside skfer, keep every warning.
    """

    OURS = ("TensorFlowTrainer.", "compiled_predict")

    def filter(self, record):
        if not _IN_SKFER.get():
            return True
        message = record.getMessage()
        if "triggered tf.function retracing" not in message:
            return True
        return not any(name in message for name in self.OURS)


if keras.backend.backend() == "tensorflow":
    _logger = logging.getLogger("tensorflow")
    if not any(isinstance(f, _PerModelRetracing) for f in _logger.filters):
        _logger.addFilter(_PerModelRetracing())
