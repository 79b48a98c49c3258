"""Fine-tuning from a pretrained network: FERClassifier(pretrained=...)."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from skfer import FERClassifier
from skfer._keras import find_network
from skfer.inference import save_pretrained


def _weights(clf):
    return [layer.get_weights() for layer in find_network(clf.model_).layers
            if layer.weights]


@pytest.fixture(scope="module")
def source(separable, tmp_path_factory):
    """A tiny network trained on the separable images, saved with a card."""
    X, y = separable
    clf = FERClassifier(
        model="tiny", epochs=6, learning_rate=1e-2, augment=False, random_state=0
    ).fit(X, y)
    folder = tmp_path_factory.mktemp("pretrained")
    _, card = save_pretrained(clf, folder, "mine", {"note": "test"})
    return clf, card


def _tuner(card, **params):
    base = dict(model="tiny", pretrained=str(card), augment=False, random_state=0,
                learning_rate=1e-2)
    return FERClassifier(**{**base, **params})


def test_same_classes_copy_every_layer_and_frozen_layers_stay(source, separable):
    clf, card = source
    X, y = separable
    tuned = _tuner(card, epochs=1, freeze_epochs=1).fit(X, y)
    before, after = _weights(clf), _weights(tuned)
    for a, b in zip(before[:-1], after[:-1]):  # frozen: unchanged
        for wa, wb in zip(a, b):
            np.testing.assert_array_equal(wa, wb)
    # the head was copied (same classes) and trained on: it moved a little
    assert any(not np.array_equal(wa, wb) for wa, wb in zip(before[-1], after[-1]))
    assert tuned.score(X, y) >= 0.9  # starts from a network that knows the task


def test_new_classes_keep_the_trunk_and_rebuild_the_head(source, separable):
    clf, card = source
    X, y = separable
    keep = y < 3
    names = np.array(["low", "mid", "high"])[y[keep]]
    tuned = _tuner(card, epochs=1, freeze_epochs=1).fit(X[keep], names)
    assert tuned.classes_.tolist() == ["high", "low", "mid"]
    assert tuned.predict_proba(X[:2]).shape == (2, 3)
    before, after = _weights(clf), _weights(tuned)
    for a, b in zip(before[:-1], after[:-1]):
        for wa, wb in zip(a, b):
            np.testing.assert_array_equal(wa, wb)
    assert after[-1][0].shape[-1] == 3
    np.testing.assert_array_equal(tuned.pretrained_classes_, clf.classes_)


def test_layers_thaw_after_freeze_epochs(source, separable):
    clf, card = source
    X, y = separable
    tuned = _tuner(card, epochs=2, freeze_epochs=1).fit(X, y)
    trunk_before, trunk_after = _weights(clf)[0], _weights(tuned)[0]
    assert any(not np.array_equal(a, b) for a, b in zip(trunk_before, trunk_after))
    assert all(layer.trainable for layer in find_network(tuned.model_).layers)


def test_fine_tuning_clones_pickles_and_grid_searches(source, separable):
    import pickle

    _, card = source
    X, y = separable
    tuner = _tuner(card, epochs=1)
    assert clone(tuner).get_params()["pretrained"] == str(card)
    search = GridSearchCV(tuner, {"freeze_epochs": [0, 1]}, cv=2).fit(X, y)
    assert search.best_score_ >= 0.8
    again = pickle.loads(pickle.dumps(search.best_estimator_))
    np.testing.assert_allclose(
        again.predict_proba(X[:5]), search.best_estimator_.predict_proba(X[:5]),
        atol=1e-6,
    )


def test_shipped_model_fine_tunes_on_new_classes(separable):
    X, y = separable
    tuned = FERClassifier(
        model="v1", pretrained="v1-fer2013", epochs=1, freeze_epochs=1,
        augment=False, random_state=0,
    ).fit(X[:40], y[:40])
    assert tuned.predict(X[:3]).shape == (3,)


def test_bad_pretrained_inputs_say_what_is_wrong(source, separable, tmp_path):
    _, card = source
    X, y = separable
    with pytest.raises(ValueError, match="Did you mean 'v1-fer2013'"):
        FERClassifier(model="v1", pretrained="v1-fer2031", epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="'tiny' network; model='tiny-wide'"):
        _tuner(card, model="tiny-wide", epochs=1).fit(X, y)
    small = X.reshape(-1, 48, 48)[:, :24, :24].reshape(len(X), -1)
    with pytest.raises(ValueError, match="on 48x48x1 images; these are 24x24x1"):
        _tuner(card, epochs=1).fit(small, y)
    with pytest.raises(FileNotFoundError, match="No pretrained-model card"):
        _tuner(tmp_path / "missing.json", epochs=1).fit(X, y)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "mine.json").write_text(card.read_text())
    weights = card.with_name("mine.weights.h5").read_bytes()
    (broken / "mine.weights.h5").write_bytes(weights[: len(weights) // 3])
    with pytest.raises(ValueError, match="mine.weights.h5"):
        _tuner(broken / "mine.json", epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="freeze_epochs .* needs pretrained"):
        FERClassifier(model="tiny", freeze_epochs=2, epochs=1).fit(X, y)
