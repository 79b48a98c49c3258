"""Soft labels: FERClassifier.fit(votes=...) and its routing as fit metadata."""

import pickle

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import make_pipeline

from skfer import FERClassifier
from skfer.exceptions import InvalidValueError
from skfer.preprocessing import PixelScaler
from tests.conftest import make_separable


def tiny(**params):
    base = dict(
        model="tiny",
        epochs=3,
        batch_size=16,
        random_state=0,
        augment=False,
        learning_rate=1e-2,
    )
    return FERClassifier(**{**base, **params})


@pytest.fixture(scope="module")
def data():
    X, y = make_separable(n=96, n_classes=4, seed=1)
    return X, y


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def test_one_hot_votes_train_as_the_labels(data):
    X, y = data
    hard = tiny().fit(X, y)
    soft = tiny().fit(X, y, votes=np.eye(4)[y] * 10)  # counts: any scale
    np.testing.assert_allclose(soft.history_["loss"], hard.history_["loss"], rtol=1e-4)
    np.testing.assert_allclose(
        soft.predict_proba(X), hard.predict_proba(X), rtol=1e-3, atol=1e-5
    )


def test_the_votes_are_what_is_learnt(data):
    X, y = data
    # the labels say one thing, the votes another: every image's votes go to
    # the class after its label; the network follows the votes
    shifted = (y + 1) % 4
    clf = tiny(epochs=6).fit(X, y, votes=np.eye(4)[shifted])
    assert np.mean(clf.predict(X) == shifted) > 0.9
    assert list(clf.classes_) == [0, 1, 2, 3]  # classes_ still come from y
    # vote shares: a 70/30 split is learnt as such, not as 100/0
    split = np.eye(4)[y] * 0.7 + np.eye(4)[shifted] * 0.3
    proba = tiny(epochs=12).fit(X, y, votes=split).predict_proba(X)
    rows = np.arange(len(y))
    assert 0.5 < np.median(proba[rows, y]) < 0.9
    assert 0.15 < np.median(proba[rows, shifted]) < 0.45


def test_votes_with_validation_data_and_hold_out(data):
    X, y = data
    votes = np.eye(4)[y]
    clf = tiny().fit(X, y, votes=votes, validation_data=(X[:20], y[:20]))
    assert len(clf.history_["val_accuracy"]) == 3
    held = tiny(validation_fraction=0.25).fit(X, y, votes=votes)
    assert len(held.history_["val_loss"]) == 3
    unseeded = tiny(random_state=None).fit(X, y, votes=votes)
    assert len(unseeded.history_["loss"]) == 3


def test_string_labels_take_columns_in_sorted_order(data):
    X, y = data
    names = np.array(["sad", "happy", "angry", "fear"])[y]
    # sorted classes: angry, fear, happy, sad
    order = np.searchsorted(np.array(["angry", "fear", "happy", "sad"]), names)
    clf = tiny(epochs=6).fit(X, names, votes=np.eye(4)[order])
    assert np.mean(clf.predict(X) == names) > 0.9


def test_clone_and_pickle_unchanged(data):
    X, y = data
    clf = tiny(epochs=1)
    clf.fit(X, y, votes=np.eye(4)[y])
    assert not hasattr(clf, "_votes")
    assert clone(clf).get_params() == clf.get_params()
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(again.predict_proba(X[:5]), clf.predict_proba(X[:5]))


def test_resume_with_votes_is_refused_on_labels(data, tmp_path):
    X, y = data
    tiny(epochs=1, checkpoint_dir=tmp_path).fit(X, y, votes=np.eye(4)[y])
    with pytest.raises(Exception, match="targets"):
        tiny(epochs=2, checkpoint_dir=tmp_path).fit(X, y)
    resumed = tiny(epochs=2, checkpoint_dir=tmp_path).fit(X, y, votes=np.eye(4)[y])
    assert resumed.fit_epochs_ == 1


def test_pipeline_cross_validate_and_grid_search_route_votes(data, routing):
    X, y = data
    votes = np.eye(4)[y]
    est = tiny(epochs=2).set_fit_request(votes=True)
    pipe = make_pipeline(PixelScaler(), est)
    pipe.fit(X, y, votes=votes)
    scores = cross_validate(pipe, X, y, cv=2, params={"votes": votes})
    assert len(scores["test_score"]) == 2
    # each fold gets its own rows of votes: wrong rows would fail the shape
    # check or train on other images' votes
    search = GridSearchCV(est, {"learning_rate": [1e-2, 1e-3]}, cv=2)
    search.fit(X, y, votes=votes)
    assert search.best_params_["learning_rate"] in (1e-2, 1e-3)
    # not requested: scikit-learn refuses to drop it silently
    with pytest.raises(Exception, match="votes"):
        make_pipeline(PixelScaler(), tiny(epochs=1)).fit(X, y, votes=votes)


def test_votes_follow_their_rows_in_cv(data, routing):
    """Folds see their own rows of votes: votes that contradict the labels on
    the training rows are learnt, so the held-out score on those labels drops."""
    X, y = data
    shifted = np.eye(4)[(y + 1) % 4]
    est = tiny(epochs=6).set_fit_request(votes=True)
    honest = cross_validate(est, X, y, cv=2, params={"votes": np.eye(4)[y]})
    misled = cross_validate(est, X, y, cv=2, params={"votes": shifted})
    assert honest["test_score"].mean() > 0.8
    assert misled["test_score"].mean() < 0.2


def test_fersearchcv_routes_votes(data, routing):
    pytest.importorskip("optuna")
    from skfer.tuning import FERSearchCV

    X, y = data
    est = tiny(epochs=2).set_fit_request(votes=True)
    search = FERSearchCV(
        est,
        {"learning_rate": [1e-3, 1e-2]},
        n_trials=2,
        cv=2,
        pruner=None,
        random_state=0,
    )
    search.fit(X, y, votes=np.eye(4)[(y + 1) % 4])
    assert search.best_estimator_.predict(X[:1]).shape == (1,)
    # the refit learnt the votes, not the labels
    assert np.mean(search.best_estimator_.predict(X) == (y + 1) % 4) > 0.5


# ------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "votes, match",
    [
        (np.ones((96, 3)), "shape \\(n_samples, n_classes\\) = \\(96, 4\\)"),
        (np.ones((95, 4)), "shape"),
        (np.ones(96), "shape"),
        (np.full((96, 4), np.nan), "NaN"),
        (-np.ones((96, 4)), "negative"),
        (np.zeros((96, 4)), "no vote for any class"),
        ([["a"] * 4] * 96, "numeric"),
    ],
)
def test_bad_votes_fail_before_training(data, votes, match):
    X, y = data
    clf = tiny()
    with pytest.raises(InvalidValueError, match=match):
        clf.fit(X, y, votes=votes)
    assert not hasattr(clf, "model_")  # nothing was built or trained


def test_votes_need_the_crossentropy_loss(data):
    X, y = data
    with pytest.raises(InvalidValueError, match="loss='crossentropy'"):
        tiny(loss="svm").fit(X, y, votes=np.eye(4)[y])


def test_a_keras_loss_object_is_a_loss(data, tmp_path):
    """The constructor's error and get_loss advise a keras.losses.Loss object
    as loss; fit refused one with InvalidParameterError (issue 33)."""
    from skfer._keras import keras

    X, y = data
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    clf = tiny(loss=loss, checkpoint_dir=tmp_path).fit(X, y)
    named = tiny().fit(X, y)
    np.testing.assert_allclose(clf.history_["loss"], named.history_["loss"], rtol=1e-5)
    assert clone(clf).get_params()["loss"].get_config() == loss.get_config()
    # its checkpoint records the class and settings, so a resume with another
    # loss is refused
    with pytest.raises(Exception, match="loss"):
        tiny(epochs=4, checkpoint_dir=tmp_path).fit(X, y)
    with pytest.raises(InvalidValueError, match="loss='crossentropy'"):
        tiny(loss=loss).fit(X, y, votes=np.eye(4)[y])
