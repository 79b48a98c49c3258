"""Recipe knobs of FERClassifier: optimizer, learning-rate schedules, label
smoothing (issue: train faster and with a stronger recipe)."""

import math

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from skfer import FERClassifier
from skfer._schedule import learning_rate_at
from skfer.losses import SmoothedCrossentropy, get_loss


def _tiny(**kwargs):
    return FERClassifier(model="tiny", epochs=3, random_state=0, **kwargs)


def test_cosine_schedule_values():
    rates = [
        learning_rate_at(e, schedule="cosine", base=0.1, epochs=4) for e in range(4)
    ]
    expected = [0.1 * 0.5 * (1 + math.cos(math.pi * e / 4)) for e in range(4)]
    assert rates == pytest.approx(expected)
    assert rates[0] == pytest.approx(0.1) and rates[-1] < rates[0]


def test_plateau_schedule_cuts_after_patience_and_restarts_its_counter():
    acc = [0.5, 0.6, 0.55, 0.58, 0.57, 0.59, 0.56, 0.61]
    rates = [
        learning_rate_at(
            e, schedule="plateau", base=1.0, epochs=9, val_accuracy=acc, patience=2
        )
        for e in range(9)
    ]
    # best 0.6 at epoch 2; epochs 3-4 do not improve -> cut before epoch 5;
    # epochs 5-6 do not improve either -> cut before epoch 7; 0.61 is new best
    assert rates == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.25]


def test_history_records_the_rate_of_each_epoch(small_faces):
    X, y = small_faces
    clf = _tiny(optimizer="sgd", learning_rate=0.05, lr_schedule="cosine").fit(X, y)
    assert clf.history_["learning_rate"] == pytest.approx(
        [learning_rate_at(e, schedule="cosine", base=0.05, epochs=3) for e in range(3)]
    )
    optimizer = clf.model_.optimizer
    assert type(optimizer).__name__ == "SGD" and optimizer.nesterov
    assert float(optimizer.momentum) == pytest.approx(0.9)


def test_plateau_uses_validation_accuracy(small_faces):
    X, y = small_faces
    clf = _tiny(lr_schedule="plateau", lr_patience=1, validation_fraction=0.3)
    clf.set_params(epochs=4).fit(X, y)
    expected = [
        learning_rate_at(
            e,
            schedule="plateau",
            base=1e-3,
            epochs=4,
            val_accuracy=clf.history_["val_accuracy"],
            patience=1,
        )
        for e in range(4)
    ]
    assert clf.history_["learning_rate"] == pytest.approx(expected)


def test_schedule_continues_exactly_after_resume(small_faces, tmp_path):
    X, y = small_faces
    params = dict(optimizer="sgd", learning_rate=0.05, lr_schedule="cosine")
    _tiny(**params, checkpoint_dir=tmp_path).set_params(epochs=2).fit(X, y)
    resumed = _tiny(**params, checkpoint_dir=tmp_path).set_params(epochs=4)
    # cosine's length is part of the checkpoint's settings: 2 -> 4 epochs is a
    # different schedule, so it is refused rather than silently bent
    with pytest.raises(ValueError, match="epochs"):
        resumed.fit(X, y)
    folder = tmp_path / "four"
    first = _tiny(**params, checkpoint_dir=folder, callbacks=[_Stop(2)])
    first.set_params(epochs=4).fit(X, y)
    assert len(first.history_["loss"]) == 2
    second = _tiny(**params, checkpoint_dir=folder).set_params(epochs=4).fit(X, y)
    assert second.history_["learning_rate"] == pytest.approx(
        [learning_rate_at(e, schedule="cosine", base=0.05, epochs=4) for e in range(4)]
    )


class _Stop:
    """A Keras callback that stops training after ``n`` epochs."""

    def __new__(cls, n):
        from skfer._keras import keras

        class Stop(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                if epoch + 1 >= n:
                    self.model.stop_training = True

        return Stop()


def test_label_smoothing_loss_matches_keras_categorical():
    from skfer._keras import keras

    rng = np.random.default_rng(0)
    scores = rng.normal(size=(5, 4)).astype("float32")
    labels = np.array([0, 3, 1, 2, 0])
    ours = float(SmoothedCrossentropy(0.2)(labels, scores))
    theirs = float(
        keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2)(
            np.eye(4, dtype="float32")[labels], scores
        )
    )
    assert ours == pytest.approx(theirs, rel=1e-5)
    smoothed = get_loss("crossentropy", label_smoothing=0.1)
    assert isinstance(smoothed, SmoothedCrossentropy)


def test_label_smoothing_trains_and_pickles(small_faces):
    import pickle

    X, y = small_faces
    clf = _tiny(label_smoothing=0.1).fit(X, y)
    assert type(clf.model_.loss).__name__ == "SmoothedCrossentropy"
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(again.predict_proba(X), clf.predict_proba(X), atol=1e-6)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"lr_schedule": "plateau"}, "needs validation data"),
        ({"loss": "svm", "label_smoothing": 0.1}, "cross-entropy loss only"),
        ({"optimizer": "sgdd"}, "'optimizer' parameter"),
        ({"lr_schedule": "cos"}, "'lr_schedule' parameter .*'cosine'"),
        ({"lr_factor": 1.5}, "'lr_factor' parameter"),
        ({"optimizer": "sgd", "optimizer__momentum": -0.1}, "momentum"),
    ],
)
def test_bad_recipe_settings_fail_when_fit_starts(small_faces, params, match):
    X, y = small_faces
    with pytest.raises(ValueError, match=match):
        _tiny(**params).fit(X, y)


def test_recipe_parameters_clone_and_grid_search(small_faces):
    X, y = small_faces
    base = _tiny(optimizer="sgd", lr_schedule="cosine", label_smoothing=0.1)
    assert clone(base).get_params()["lr_schedule"] == "cosine"
    search = GridSearchCV(
        _tiny().set_params(epochs=1),
        {"optimizer": ["adam", "sgd"], "lr_schedule": ["constant", "cosine"]},
        cv=2,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
