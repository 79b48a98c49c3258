"""The Keras layer of FERClassifier's ``crop``: random windows in training,
the centre window otherwise."""

from ._keras import keras

__all__ = ["CropWindow"]


@keras.saving.register_keras_serializable(package="skfer")
class CropWindow(keras.layers.Layer):
    """A ``size`` x ``size`` window of each image: while training each image
    its own random window (uniform over the positions that fit), otherwise
    the centre one (:func:`windows` with no ``tta``)."""

    def __init__(self, size, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.size = int(size)
        self.seed = seed
        self.generator = keras.random.SeedGenerator(seed)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.size, self.size, *input_shape[3:])

    def call(self, images, training=None):
        ops = keras.ops
        height, width = images.shape[1], images.shape[2]
        size = self.size
        if not training:
            top, left = (height - size) // 2, (width - size) // 2
            return images[:, top : top + size, left : left + size]
        n = ops.shape(images)[0]
        top = keras.random.randint((n, 1), 0, height - size + 1, seed=self.generator)
        left = keras.random.randint((n, 1), 0, width - size + 1, seed=self.generator)
        offsets = ops.arange(size, dtype="int32")[None, :]
        rows = ops.cast(top, "int32") + offsets  # (n, size)
        cols = ops.cast(left, "int32") + offsets
        channels = images.shape[3]
        rows = ops.broadcast_to(rows[:, :, None, None], (n, size, width, channels))
        images = ops.take_along_axis(images, rows, axis=1)
        cols = ops.broadcast_to(cols[:, None, :, None], (n, size, size, channels))
        return ops.take_along_axis(images, cols, axis=2)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "seed": self.seed}
