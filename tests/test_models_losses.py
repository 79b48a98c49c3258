"""Model registry and losses."""

import numpy as np
import pytest

from skfer.losses import MulticlassHinge, MulticlassSquaredHinge, get_loss
from skfer.models import get_model, get_model_builder, list_models


@pytest.mark.parametrize("name, expected", [("v1", 824_679), ("v2", 3_841_543)])
def test_parameter_counts_of_the_study_models(name, expected):
    assert get_model(name).count_params() == expected


def test_builders_take_shape_and_classes_from_the_data():
    model = get_model("v2", input_shape=(64, 64, 1), n_classes=8)
    assert model.output_shape == (None, 8)
    assert get_model("v1", n_classes=3).output_shape == (None, 3)


def test_he_normal_init_zero_bias_and_l2():
    model = get_model("v2", l2=1e-4)
    conv = next(layer for layer in model.layers if layer.name.startswith("conv2d"))
    kernel, bias = conv.get_weights()
    assert np.all(bias == 0)
    fan_in = np.prod(kernel.shape[:-1])
    # he_normal is a truncated normal with std sqrt(2 / fan_in)
    assert kernel.std() == pytest.approx(np.sqrt(2 / fan_in), rel=0.35)
    assert len(model.losses) > 0  # the L2 penalties


def test_embedding_layer_is_named():
    for name in ("v1", "v2"):
        assert get_model(name).get_layer("embedding") is not None


def test_registry_listing_and_errors():
    assert {"v1", "v2"} <= set(list_models())
    with pytest.raises(ValueError, match="Unknown model 'v21'. Did you mean 'v2'"):
        get_model_builder("v21")
    with pytest.raises(ValueError, match="input_shape must be"):
        get_model("v1", input_shape=(48, 48))


def _svm_reference(labels, scores, margin=1.0):
    total = 0.0
    for label, row in zip(labels, scores):
        for j, score in enumerate(row):
            if j != label:
                total += 0.5 * max(0.0, score - row[label] + margin) ** 2
    return total / len(labels)


def test_svm_loss_against_numpy_reference():
    scores = np.array(
        [[2.0, 1.5, -1.0], [0.0, 0.0, 0.0], [-1.0, 3.0, 2.5], [5.0, -5.0, 0.0]],
        dtype="float32",
    )
    labels = np.array([0, 2, 1, 1])
    value = float(MulticlassSquaredHinge()(labels, scores))
    assert value == pytest.approx(_svm_reference(labels, scores), rel=1e-6)
    # hand computed: 0.125, 1.0, 0.125, 0.5*(11**2 + 6**2) = 78.5
    assert value == pytest.approx((0.125 + 1.0 + 0.125 + 78.5) / 4, rel=1e-6)


def test_svm_loss_random_scores_and_margin(rng):
    scores = rng.normal(size=(32, 7)).astype("float32")
    labels = rng.randint(0, 7, size=32)
    for margin in (0.5, 1.0, 2.0):
        value = float(MulticlassSquaredHinge(margin=margin)(labels, scores))
        assert value == pytest.approx(_svm_reference(labels, scores, margin), rel=1e-5)


def test_svm_loss_is_zero_when_margins_are_met():
    scores = np.array([[3.0, 1.0, 0.5]], dtype="float32")
    assert float(MulticlassSquaredHinge()(np.array([0]), scores)) == 0.0


def test_svm_loss_serialises():
    import keras

    loss = MulticlassSquaredHinge(margin=2.0)
    restored = keras.losses.deserialize(keras.losses.serialize(loss))
    assert isinstance(restored, MulticlassSquaredHinge) and restored.margin == 2.0


def _hinge_reference(labels, scores, margin=1.0):
    """Mean over samples of sum_{j != y} max(0, s_j - s_y + margin)."""
    wrong = np.arange(scores.shape[1]) != labels[:, None]
    true = scores[np.arange(len(labels)), labels][:, None]
    return (np.maximum(0.0, scores - true + margin) * wrong).sum(axis=1).mean()


def test_hinge_loss_against_numpy_reference(rng):
    scores = np.array([[2.0, 1.5, -1.0], [-1.0, 3.0, 2.5]], dtype="float32")
    # hand computed: 0.5 and (0 + 0.5) = 0.5 -> no square, no 1/2
    assert float(MulticlassHinge()(np.array([0, 1]), scores)) == pytest.approx(0.5)
    scores = rng.normal(scale=2.0, size=(32, 7)).astype("float32")
    labels = rng.randint(0, 7, size=32)
    for margin in (0.5, 1.0, 2.0):
        value = float(get_loss("hinge", svm_margin=margin)(labels, scores))
        expected = _hinge_reference(labels, scores, margin)
        assert value == pytest.approx(expected, rel=1e-5)


def test_hinge_gradient_is_bounded_where_the_squared_hinge_grows():
    import tensorflow as tf

    labels = np.array([0])
    grads = {}
    for name in ("hinge", "svm"):
        for spread in (1.0, 10.0):
            scores = tf.constant([[0.0, spread, -5.0]])
            with tf.GradientTape() as tape:
                tape.watch(scores)
                value = get_loss(name)(labels, scores)
            grads[name, spread] = tape.gradient(value, scores).numpy()[0]
    # one violated wrong class: the hinge pushes it with 1, whatever the margin
    np.testing.assert_allclose(grads["hinge", 1.0], [-1.0, 1.0, 0.0])
    np.testing.assert_allclose(grads["hinge", 10.0], [-1.0, 1.0, 0.0])
    # the squared hinge pushes with the violation itself (spread + 1)
    np.testing.assert_allclose(grads["svm", 1.0], [-2.0, 2.0, 0.0])
    np.testing.assert_allclose(grads["svm", 10.0], [-11.0, 11.0, 0.0])


def test_hinge_loss_serialises_and_refuses_label_smoothing():
    import keras

    restored = keras.losses.deserialize(keras.losses.serialize(MulticlassHinge(2.0)))
    assert isinstance(restored, MulticlassHinge) and restored.margin == 2.0
    with pytest.raises(ValueError, match="the 'hinge' loss has no probabilistic"):
        get_loss("hinge", label_smoothing=0.1)


def test_crossentropy_is_softmax_cross_entropy_on_logits(rng):
    scores = rng.normal(size=(5, 7)).astype("float32")
    labels = rng.randint(0, 7, size=5)
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_proba = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    reference = -log_proba[np.arange(5), labels].mean()
    value = float(get_loss("crossentropy")(labels, scores))
    assert value == pytest.approx(reference, rel=1e-5)


def test_unknown_loss():
    with pytest.raises(ValueError, match="Unknown loss 'svn'. Did you mean 'svm'"):
        get_loss("svn")
