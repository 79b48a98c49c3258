"""Crop training (``crop``) and ten-crop test-time augmentation
(``tta="ten-crop"``) in FERClassifier, FERPredictor and the saved cards."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from skfer import FERClassifier
from skfer._crop_layer import CropWindow
from skfer._crops import windows
from skfer._keras import find_network, keras
from skfer.exceptions import SkferError
from skfer.inference import FERPredictor, load_pretrained_file, save_pretrained

CROP = 40


@pytest.fixture(scope="module")
def cropped(separable):
    X, y = separable
    return FERClassifier(
        model="tiny",
        epochs=4,
        learning_rate=1e-2,
        augment=False,
        crop=CROP,
        random_state=0,
    ).fit(X, y)


def _net_scores(clf, images):
    """The registry network's scores on images already cut to its input."""
    net = find_network(clf.model_)
    return np.asarray(net(images.astype(np.float32) / 255.0, training=False))


def _views(X):
    """The ten (top, left, mirrored) windows of 48x48 images, cut by hand."""
    images = X.reshape(-1, 48, 48, 1)
    out = []
    for top in (0, 4, 8):
        for left in (0, 4, 8):
            if (top == 4) != (left == 4):
                continue  # only corners and the centre
            window = images[:, top : top + CROP, left : left + CROP]
            out += [window, window[:, :, ::-1]]
    return out


def test_the_network_reads_crop_sized_windows_and_predicts_on_the_centre(
    cropped, separable
):
    X, _ = separable
    net = find_network(cropped.model_)
    assert tuple(net.inputs[0].shape[1:]) == (CROP, CROP, 1)
    assert cropped.image_shape_ == (48, 48, 1)  # the estimator still takes 48x48
    centre = X[:9].reshape(-1, 48, 48, 1)[:, 4:44, 4:44]
    np.testing.assert_allclose(
        cropped.decision_function(X[:9]), _net_scores(cropped, centre), atol=1e-5
    )
    # the large-batch (keras.Model.predict) path crops the centre too
    many = np.concatenate([X] * 2)[:130]
    big = many.reshape(-1, 48, 48, 1)[:, 4:44, 4:44]
    np.testing.assert_allclose(
        cropped.decision_function(many), _net_scores(cropped, big), atol=1e-5
    )


def test_ten_crop_is_the_mean_of_the_ten_windows(cropped, separable):
    X, _ = separable
    expected = np.mean([_net_scores(cropped, v) for v in _views(X[:12])], axis=0)
    assert len(_views(X[:1])) == 10
    cropped.set_params(tta="ten-crop")
    try:
        scores = cropped.decision_function(X[:12])
        np.testing.assert_allclose(scores, expected, atol=1e-5)
        proba = cropped.predict_proba(X[:12])
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
        np.testing.assert_array_equal(
            cropped.predict(X[:12]), cropped.classes_[scores.argmax(axis=1)]
        )
        # more than a small batch: Keras' predict path, the same answer
        many = np.concatenate([X] * 2)[:130]
        np.testing.assert_allclose(
            cropped.decision_function(many)[:12], scores, atol=1e-5
        )
    finally:
        cropped.set_params(tta=False)
    # the views differ: ten-crop is not the centre crop under another name
    assert not np.allclose(expected, cropped.decision_function(X[:12]), atol=1e-3)


def test_flip_on_a_crop_network_mirrors_the_centre_window(cropped, separable):
    X, _ = separable
    centre = X[:6].reshape(-1, 48, 48, 1)[:, 4:44, 4:44]
    expected = (
        _net_scores(cropped, centre) + _net_scores(cropped, centre[:, :, ::-1])
    ) / 2
    for tta in (True, "flip"):
        cropped.set_params(tta=tta)
        try:
            np.testing.assert_allclose(
                cropped.decision_function(X[:6]), expected, atol=1e-5
            )
        finally:
            cropped.set_params(tta=False)


def test_ten_crop_of_a_symmetric_image_is_the_mean_of_its_five_windows(
    cropped, separable
):
    X, _ = separable
    half = X.reshape(-1, 48, 48)[:8, :, :24]
    symmetric = np.concatenate([half, half[:, :, ::-1]], axis=2).reshape(8, -1)
    five = _views(symmetric)[::2]  # the unmirrored windows
    expected = np.mean([_net_scores(cropped, v) for v in five], axis=0)
    cropped.set_params(tta="ten-crop")
    try:
        np.testing.assert_allclose(
            cropped.decision_function(symmetric), expected, atol=1e-5
        )
    finally:
        cropped.set_params(tta=False)


def test_training_reads_a_random_window_of_each_image():
    images = np.arange(6 * 48 * 48, dtype=np.float32).reshape(6, 48, 48, 1)
    layer = CropWindow(CROP, seed=3)
    out = np.asarray(layer(images, training=True))
    assert out.shape == (6, CROP, CROP, 1)
    found = []
    for i in range(6):
        hits = [
            (t, left)
            for t in range(9)
            for left in range(9)
            if np.array_equal(out[i], images[i, t : t + CROP, left : left + CROP])
        ]
        assert len(hits) == 1  # an exact window of that image
        found.append(hits[0])
    assert len(set(found)) > 1  # not one window for the whole batch
    centre = np.asarray(layer(images, training=False))
    np.testing.assert_array_equal(centre, images[:, 4:44, 4:44])
    again = np.asarray(CropWindow(CROP, seed=3)(images, training=True))
    np.testing.assert_array_equal(again, out)  # seeded: the same windows


def test_seeded_crop_training_repeats(separable):
    X, y = separable
    params = dict(
        model="tiny", epochs=2, augment=True, crop=44, random_state=1, batch_size=32
    )
    a = FERClassifier(**params).fit(X, y).decision_function(X[:10])
    b = FERClassifier(**params).fit(X, y).decision_function(X[:10])
    np.testing.assert_array_equal(a, b)


def test_crop_learns(separable):
    X, y = separable
    clf = FERClassifier(
        model="tiny", epochs=6, learning_rate=1e-2, crop=42, random_state=0
    ).fit(X, y)
    assert clf.score(X, y) > 0.8


def test_refusals(cropped, separable):
    X, y = separable
    with pytest.raises(SkferError, match="crop=None"):
        FERClassifier(model="tiny", epochs=1, tta="ten-crop").fit(X, y)
    with pytest.raises(SkferError, match="larger than the 48x48"):
        FERClassifier(model="tiny", epochs=1, crop=50).fit(X, y)
    with pytest.raises(SkferError, match="crop"):
        FERClassifier(model="tiny", epochs=1, crop=True).fit(X, y)
    with pytest.raises(SkferError, match="crop"):
        FERClassifier(model="tiny", epochs=1, crop=4).fit(X, y)
    with pytest.raises(SkferError, match="ten-crop"):
        FERClassifier(model="tiny", epochs=1, tta="ten_crop").fit(X, y)
    plain = FERClassifier(model="tiny", epochs=1, random_state=0).fit(X, y)
    plain.set_params(tta="ten-crop")  # after fit: refused at prediction
    with pytest.raises(SkferError, match="crop=None"):
        plain.predict(X[:2])
    with pytest.raises(SkferError, match="ten-crop"):
        FERPredictor(plain, tta="ten-crop", backend="keras")


def test_clone_pickle_and_grid_search_over_crop(cropped, separable):
    X, y = separable
    assert clone(cropped).get_params()["crop"] == CROP
    again = pickle.loads(pickle.dumps(cropped))
    np.testing.assert_allclose(
        again.decision_function(X[:5]), cropped.decision_function(X[:5]), atol=1e-6
    )
    grid = GridSearchCV(
        FERClassifier(model="tiny", epochs=1, random_state=0),
        {"crop": [None, 44], "tta": [False, "flip"]},
        cv=2,
    ).fit(X, y)
    assert {p["crop"] for p in grid.cv_results_["params"]} == {None, 44}


def test_saved_card_keeps_crop_and_tta(cropped, separable, tmp_path):
    X, _ = separable
    cropped.set_params(tta="ten-crop")
    try:
        expected = cropped.predict_proba(X[:8])
        _, card = save_pretrained(cropped, tmp_path, "cropped", {})
    finally:
        cropped.set_params(tta=False)
    loaded = load_pretrained_file(card)
    assert loaded.crop == CROP and loaded.tta == "ten-crop"
    np.testing.assert_allclose(loaded.predict_proba(X[:8]), expected, atol=1e-5)
    # fine-tuning it needs the same window
    with pytest.raises(SkferError, match="crop=40"):
        FERClassifier(model="tiny", epochs=1, pretrained=str(card)).fit(
            X, np.arange(len(X)) % 4
        )


@pytest.mark.parametrize("backend", ["keras", "onnx"])
def test_predictor_reads_the_same_windows(cropped, separable, backend):
    if backend == "onnx":
        pytest.importorskip("onnxruntime")
        pytest.importorskip("tf2onnx")
    X, _ = separable
    faces = X[:10].reshape(-1, 48, 48)
    for tta in (False, "flip", "ten-crop"):
        cropped.set_params(tta=tta)
        try:
            expected = cropped.predict_proba(faces)
        finally:
            cropped.set_params(tta=False)
        predictor = FERPredictor(cropped, tta=tta, backend=backend)
        np.testing.assert_allclose(predictor.predict_proba(faces), expected, atol=1e-4)


def test_features_read_the_centre_window(cropped, separable):
    from skfer.features import CNNFeatureExtractor

    X, y = separable
    layer = find_network(cropped.model_).layers[-2].name
    extractor = CNNFeatureExtractor(cropped, layer=layer, prefit=True).fit(X)
    features = extractor.transform(X[:4])
    net = find_network(cropped.model_)
    inner = keras.Model(net.inputs[0], net.get_layer(layer).output)
    centre = X[:4].reshape(-1, 48, 48, 1)[:, 4:44, 4:44].astype(np.float32) / 255
    np.testing.assert_allclose(
        features, np.asarray(inner(centre)).reshape(4, -1), atol=1e-5
    )


def test_windows_of_each_mode():
    assert windows((48, 48), None, False) == [(0, 0, False)]
    assert windows((48, 48), None, True) == [(0, 0, False), (0, 0, True)]
    assert windows((48, 48), 44, "flip") == [(2, 2, False), (2, 2, True)]
    ten = windows((48, 48), 44, "ten-crop")
    assert len(ten) == len(set(ten)) == 10
    assert {w[:2] for w in ten} == {(0, 0), (0, 4), (4, 0), (4, 4), (2, 2)}


def test_fine_tuning_into_another_window_where_the_weights_fit(separable):
    """A whole-image network fine-tunes into a crop network where every
    weight keeps its shape (Model 1 at 44: the same 512-wide flattening);
    at 40 its flattening is 128 wide, and fit names the crop to use."""
    from skfer._keras import find_network
    from skfer.exceptions import InvalidValueError
    from skfer.inference import pretrained

    X, y = separable
    source = find_network(pretrained("v1-fer2013").model_)
    kernel = next(w for w in source.weights if len(w.shape) == 4).numpy()
    clf = FERClassifier(
        model="v1",
        crop=44,
        pretrained="v1-fer2013",
        epochs=1,
        learning_rate=1e-12,
        random_state=0,
    ).fit(X[:40], y[:40])
    copied = next(w for w in find_network(clf.model_).weights if len(w.shape) == 4)
    np.testing.assert_allclose(copied.numpy(), kernel, atol=1e-6)
    with pytest.raises(InvalidValueError, match=r"whole images.*crop=40.*crop=None"):
        FERClassifier(model="v1", crop=40, pretrained="v1-fer2013", epochs=1).fit(
            X[:40], y[:40]
        )
