"""Import Keras with the environment skfer expects (kept out of import skfer)."""

import os

# TensorFlow's C++ start-up chatter (CUDA probing, CPU feature notes) is noise
# for library users; a value they set themselves wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402

__all__ = ["keras"]
