"""Learnability and wiring: each setting reaches the place it is meant for."""

import pickle

import numpy as np
import pytest

from skfer import FERClassifier
from skfer._keras import find_network, keras
from skfer.models import list_models, register_model


def _bn_model(input_shape, n_classes, *, dropout=0.0, l2=0.0):
    L = keras.layers
    inputs = keras.Input(input_shape)
    x = L.Conv2D(4, 3, padding="same", name="conv")(inputs)
    x = L.BatchNormalization(name="bn")(x)
    x = L.Activation("relu")(x)
    x = L.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, L.Dense(n_classes, name="scores")(x))


@pytest.fixture(scope="module", autouse=True)
def bn_registered():
    if "tiny-bn" not in list_models():
        register_model("tiny-bn")(_bn_model)


@pytest.mark.parametrize("loss", ["crossentropy", "svm", "hinge"])
def test_every_loss_learns_separable_images(separable, loss):
    X, y = separable
    clf = FERClassifier(
        model="tiny", loss=loss, epochs=8, learning_rate=1e-2, batch_size=16,
        augment=False, random_state=0,
    ).fit(X[::2], y[::2])
    assert clf.score(X[1::2], y[1::2]) >= 0.9
    assert clf.history_["loss"][-1] < 0.5 * clf.history_["loss"][0]
    # the loss is serialised with the network: a pickled estimator reloads
    restored = pickle.loads(pickle.dumps(clf))
    assert type(restored.model_.loss) is type(clf.model_.loss)
    np.testing.assert_array_equal(restored.predict(X[1::2]), clf.predict(X[1::2]))


@pytest.mark.parametrize("loss", ["svm", "hinge"])
def test_svm_margin_reaches_the_loss(separable, loss):
    X, y = separable
    losses = {}
    for margin in (1.0, 3.0):
        clf = FERClassifier(
            model="tiny", loss=loss, svm_margin=margin, epochs=1, augment=False,
            random_state=0,
        ).fit(X, y)
        assert clf.model_.loss.margin == margin
        losses[margin] = clf.history_["loss"][0]
    # same seed, same first steps: a larger margin is a larger hinge
    assert losses[3.0] > losses[1.0]


def test_precise_bn_statistics_are_those_of_the_scaled_clean_training_images(
    separable,
):
    X, y = separable
    X, y = X[:64], y[:64]  # one recalibration batch: exact mean and variance
    clf = FERClassifier(
        model="tiny-bn", epochs=2, augment=True, precise_bn=True, random_state=0
    ).fit(X, y)
    net = find_network(clf.model_)
    conv_out = keras.Model(net.inputs[0], net.get_layer("conv").output)
    images = X.reshape(-1, 48, 48, 1).astype(np.float32) / 255.0
    features = np.asarray(conv_out(images, training=False), dtype=np.float64)
    bn = net.get_layer("bn")
    np.testing.assert_allclose(
        np.asarray(bn.moving_mean), features.mean(axis=(0, 1, 2)), rtol=1e-4,
        atol=1e-6,
    )
    np.testing.assert_allclose(
        np.asarray(bn.moving_variance), features.var(axis=(0, 1, 2)), rtol=1e-3,
        atol=1e-6,
    )
    # Keras' own moving averages (precise_bn=False) are something else
    keras_stats = FERClassifier(
        model="tiny-bn", epochs=2, augment=True, precise_bn=False, random_state=0
    ).fit(X, y)
    other = find_network(keras_stats.model_).get_layer("bn")
    assert not np.allclose(np.asarray(other.moving_mean), np.asarray(bn.moving_mean))
