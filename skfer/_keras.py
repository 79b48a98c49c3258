"""Import Keras with the environment skfer expects (kept out of import skfer)."""

import logging
import os

# TensorFlow's C++ start-up chatter (CUDA probing, CPU feature notes) is noise
# for library users; a value they set themselves wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402

__all__ = ["keras"]


class _PerModelRetracing(logging.Filter):
    """Drop TensorFlow's "triggered tf.function retracing" warning for the
    functions Keras and skfer compile once per model.

    Every fit of a FERClassifier builds a new network, so a grid search traces
    Keras' train/test/predict step (and skfer's small-batch predictor) once
    per candidate. TensorFlow counts those by source line and warns as if one
    function were retraced in a loop. Retracing warnings about any other
    function (the user's own) still pass.
    """

    OURS = ("TensorFlowTrainer.", "_compiled_predict")

    def filter(self, record):
        message = record.getMessage()
        if "triggered tf.function retracing" not in message:
            return True
        return not any(name in message for name in self.OURS)


if keras.backend.backend() == "tensorflow":
    _logger = logging.getLogger("tensorflow")
    if not any(isinstance(f, _PerModelRetracing) for f in _logger.filters):
        _logger.addFilter(_PerModelRetracing())
