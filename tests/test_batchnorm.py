"""precise_bn: BatchNormalization statistics recomputed after training."""

import numpy as np
import pytest

from skfer import FERClassifier
from skfer._batchnorm import recalibrate_batchnorm
from skfer._keras import keras


def bn_model(input_shape, n_classes, *, dropout=0.0, l2=0.0):
    L = keras.layers
    inputs = keras.Input(input_shape)
    x = L.Conv2D(4, 3, padding="same", name="conv")(inputs)
    x = L.BatchNormalization(name="bn")(x)
    x = L.Dropout(0.5)(L.Flatten()(x))
    return keras.Model(inputs, L.Dense(n_classes)(x))


def test_statistics_are_the_mean_over_the_images():
    net = bn_model((8, 8, 1), 3)
    images = np.random.default_rng(0).normal(2.0, 3.0, (64, 8, 8, 1))
    images = images.astype("float32")
    assert recalibrate_batchnorm(net, images, batch_size=32) == 1
    conv = np.asarray(net.get_layer("conv")(images))
    bn = net.get_layer("bn")
    # the mean of two equal batches' means is the overall mean
    np.testing.assert_allclose(
        np.asarray(bn.moving_mean), conv.mean(axis=(0, 1, 2)), rtol=1e-4, atol=1e-5
    )
    halves = [conv[:32], conv[32:]]
    variance = np.mean([h.var(axis=(0, 1, 2)) for h in halves], axis=0)
    np.testing.assert_allclose(
        np.asarray(bn.moving_variance), variance, rtol=1e-3, atol=1e-5
    )
    assert bn.momentum == pytest.approx(0.99)  # restored
    assert net.layers[-2].rate == 0.5  # dropout restored


def test_network_without_batchnorm_is_left_alone():
    assert recalibrate_batchnorm(keras.Sequential([keras.layers.Dense(2)]), []) == 0


def test_fit_recalibrates_unless_turned_off(small_faces):
    X, y = small_faces
    stats = {}
    for precise in (False, True):
        clf = FERClassifier(
            model=bn_model, epochs=1, random_state=0, precise_bn=precise
        ).fit(X, y)
        stats[precise] = np.asarray(clf.model_.layers[-1].get_layer("bn").moving_mean)
    assert not np.allclose(stats[False], stats[True])
