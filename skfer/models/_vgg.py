"""The two VGG-like CNNs of the study ("Model 1" and "Model 2")."""

from ..exceptions import InvalidValueError
from ._registry import register_model

__all__ = ["model_v1", "model_v2"]


def _layers(l2):
    from .._keras import keras

    regularizer = keras.regularizers.L2(l2) if l2 else None
    common = dict(
        activation="relu",
        kernel_initializer="he_normal",
        bias_initializer="zeros",
        kernel_regularizer=regularizer,
    )

    def conv(filters, size, padding="valid", name=None):
        return keras.layers.Conv2D(filters, size, padding=padding, name=name, **common)

    def dense(units, activation="relu", name=None):
        return keras.layers.Dense(
            units, name=name, **{**common, "activation": activation}
        )

    return keras, conv, dense


def _check(input_shape, n_classes, dropout):
    if len(input_shape) != 3:
        raise InvalidValueError(
            f"input_shape must be (height, width, channels); got {input_shape}."
        )
    if n_classes < 2:
        raise InvalidValueError(f"n_classes must be at least 2; got {n_classes}.")
    if not 0.0 <= dropout < 1.0:
        raise InvalidValueError(f"dropout must be in [0, 1); got {dropout}.")


@register_model("v1")
def model_v1(input_shape=(48, 48, 1), n_classes=7, *, dropout=0.25, l2=0.0):
    """Model 1 of the study (824,679 parameters for 48x48x1 and 7 classes).

    Three blocks of two 3x3 'valid' convolutions (32, 64, 128 filters) with
    batch normalisation, 2x2 max pooling and dropout, then Dense(1024) with
    batch normalisation and dropout, then one score per class. The study's
    table gives 71,655 parameters for the last Dense layer, which cannot be
    Dense(1024 -> 7) (7,175); this is the version consistent with the layer
    shapes.

    Parameters
    ----------
    input_shape : tuple of int, default=(48, 48, 1)
        ``(height, width, channels)``; at least 44x44 so that the three
        blocks leave a feature map.
    n_classes : int, default=7
        Number of output scores.
    dropout : float, default=0.25
        Dropout rate after each block and after the dense layer.
    l2 : float, default=0.0
        L2 kernel regularisation factor (0 disables it).

    Returns
    -------
    model : keras.Model
        Uncompiled network, output of shape ``(n, n_classes)`` (raw scores).

    Examples
    --------
    >>> from skfer.models import model_v1
    >>> model_v1().count_params()
    824679
    """
    _check(input_shape, n_classes, dropout)
    keras, conv, dense = _layers(l2)
    L = keras.layers
    inputs = keras.Input(input_shape, name="image")
    x = conv(32, 3)(inputs)
    x = conv(32, 3)(x)
    x = L.BatchNormalization()(x)
    x = L.MaxPooling2D(2)(x)
    x = L.Dropout(dropout)(x)
    for filters in (64, 128):
        x = conv(filters, 3)(x)
        x = L.BatchNormalization()(x)
        x = conv(filters, 3)(x)
        x = L.BatchNormalization()(x)
        x = L.MaxPooling2D(2)(x)
        x = L.Dropout(dropout)(x)
    x = L.Flatten()(x)
    x = dense(1024)(x)
    x = L.BatchNormalization(name="embedding")(x)
    x = L.Dropout(dropout)(x)
    outputs = dense(n_classes, activation=None, name="scores")(x)
    return keras.Model(inputs, outputs, name="skfer_v1")


@register_model("v2")
def model_v2(input_shape=(48, 48, 1), n_classes=7, *, dropout=0.25, l2=0.0):
    """Model 2 of the study (3,841,543 parameters for 48x48x1 and 7 classes).

    Conv(32, 3x3 valid), then four blocks Conv(64, 3x3) / Conv(128, 5x5) /
    Conv(512, 3x3) / Conv(512, 3x3) ('same' padding) each with batch
    normalisation, 2x2 max pooling and dropout, then Dense(256) and
    Dense(512) each with batch normalisation and dropout, then one score per
    class.

    Parameters
    ----------
    input_shape : tuple of int, default=(48, 48, 1)
        ``(height, width, channels)``; at least 18x18.
    n_classes : int, default=7
        Number of output scores.
    dropout : float, default=0.25
        Dropout rate after each block and each dense layer.
    l2 : float, default=0.0
        L2 kernel regularisation factor (0 disables it).

    Returns
    -------
    model : keras.Model
        Uncompiled network, output of shape ``(n, n_classes)`` (raw scores).

    Examples
    --------
    >>> from skfer.models import model_v2
    >>> model_v2().count_params()
    3841543
    """
    _check(input_shape, n_classes, dropout)
    keras, conv, dense = _layers(l2)
    L = keras.layers
    inputs = keras.Input(input_shape, name="image")
    x = conv(32, 3)(inputs)
    for filters, size in ((64, 3), (128, 5), (512, 3), (512, 3)):
        x = conv(filters, size, padding="same")(x)
        x = L.BatchNormalization()(x)
        x = L.MaxPooling2D(2)(x)
        x = L.Dropout(dropout)(x)
    x = L.Flatten()(x)
    x = dense(256)(x)
    x = L.BatchNormalization()(x)
    x = L.Dropout(dropout)(x)
    x = dense(512)(x)
    x = L.BatchNormalization(name="embedding")(x)
    x = L.Dropout(dropout)(x)
    outputs = dense(n_classes, activation=None, name="scores")(x)
    return keras.Model(inputs, outputs, name="skfer_v2")
