"""Class weighting between none and "balanced": class_weight_power."""

import pickle

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from skfer import FERClassifier
from skfer._sample_weights import class_sample_weight
from skfer.exceptions import InvalidParameterError, InvalidValueError, SkferError
from tests.conftest import make_separable


def tiny(**params):
    base = dict(
        model="tiny",
        epochs=2,
        batch_size=16,
        random_state=0,
        augment=False,
        learning_rate=1e-2,
        precise_bn=False,
    )
    return FERClassifier(**{**base, **params})


@pytest.fixture(scope="module")
def data():
    """Imbalanced: 48, 24, 16 and 8 images of classes 0-3."""
    X, y = make_separable(n=160, n_classes=4, seed=2)
    keep = np.concatenate(
        [np.flatnonzero(y == c)[:n] for c, n in enumerate((48, 24, 16, 8))]
    )
    return X[keep], y[keep]


def balanced(y, power):
    counts = np.bincount(y)
    return (len(y) / (len(counts) * counts))[y] ** power


@pytest.mark.parametrize("power", [0.0, 0.5, 1.0])
def test_each_image_loss_is_weighted_by_the_balanced_weight_to_the_power(data, power):
    # the loss Keras minimises equals the one of explicit per-image weights
    # (n / (n_classes * count of its class)) ** power, epoch by epoch
    X, y = data
    weighted = tiny(class_weight="balanced", class_weight_power=power).fit(X, y)
    explicit = tiny().fit(X, y, sample_weight=balanced(y, power))
    np.testing.assert_allclose(
        weighted.history_["loss"], explicit.history_["loss"], rtol=1e-5
    )
    if power == 0.0:  # no weighting at all
        plain = tiny().fit(X, y)
        np.testing.assert_allclose(
            weighted.history_["loss"], plain.history_["loss"], rtol=1e-5
        )


def test_the_powers_order_the_weights_between_none_and_balanced(data):
    _, y = data
    clf = tiny(class_weight="balanced")
    rows = {}
    for power in (0.0, 0.5, 1.0):
        clf.set_params(class_weight_power=power)
        w = class_sample_weight(clf, y, None)
        rows[power] = np.ones(len(y)) if w is None else w
    np.testing.assert_allclose(rows[0.5], np.sqrt(rows[1.0]))
    rare, common = y == 3, y == 0
    assert rows[0.0][rare].max() < rows[0.5][rare].min() < rows[1.0][rare].min()
    assert rows[0.0][common].min() > rows[0.5][common].max() > rows[1.0][common].max()
    # "balanced": every class carries the same total weight
    totals = np.bincount(y, weights=rows[1.0])
    np.testing.assert_allclose(totals, totals[0])


def test_weighting_applies_to_vote_trained_fits_too(data):
    X, y = data
    votes = np.eye(4)[y] * 7 + np.eye(4)[(y + 1) % 4] * 3
    weighted = tiny(class_weight="balanced", class_weight_power=0.5).fit(
        X, y, votes=votes
    )
    explicit = tiny().fit(X, y, votes=votes, sample_weight=balanced(y, 0.5))
    np.testing.assert_allclose(
        weighted.history_["loss"], explicit.history_["loss"], rtol=1e-5
    )


def test_a_dict_and_sample_weight_multiply_and_the_callers_array_is_kept(data):
    X, y = data
    sample_weight = np.linspace(0.5, 1.5, len(y))
    before = sample_weight.copy()
    weights = {0: 1.0, 3: 4.0}  # unnamed classes weigh 1
    a = tiny(class_weight=weights).fit(X, y, sample_weight=sample_weight)
    np.testing.assert_array_equal(sample_weight, before)
    per_class = np.array([1.0, 1.0, 1.0, 4.0])[y]
    b = tiny().fit(X, y, sample_weight=before * per_class)
    np.testing.assert_allclose(a.history_["loss"], b.history_["loss"], rtol=1e-5)


def test_clone_pickle_and_grid_search_keep_the_power(data):
    X, y = data
    clf = tiny(class_weight="balanced", class_weight_power=0.25)
    assert clone(clf).get_params()["class_weight_power"] == 0.25
    assert pickle.loads(pickle.dumps(clf)).class_weight_power == 0.25
    with sklearn.config_context(enable_metadata_routing=True):
        search = GridSearchCV(
            tiny(epochs=1, class_weight="balanced").set_fit_request(votes=True),
            {"class_weight_power": [0.0, 1.0]},
            cv=2,
            scoring="balanced_accuracy",
        ).fit(X, y, votes=np.eye(4)[y])
    assert search.best_params_["class_weight_power"] in (0.0, 1.0)
    assert len(search.cv_results_["mean_test_score"]) == 2


def test_partial_fit_weights_each_call(data):
    X, y = data
    a = tiny(class_weight="balanced", class_weight_power=0.5)
    a.partial_fit(X, y, classes=np.arange(4))
    b = tiny()
    b.partial_fit(X, y, classes=np.arange(4), sample_weight=balanced(y, 0.5))
    np.testing.assert_allclose(a.history_["loss"], b.history_["loss"], rtol=1e-5)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"class_weight_power": 0.5}, "class_weight is None"),
        ({"class_weight": {0: 2.0}, "class_weight_power": 0.5}, "dict"),
        ({"class_weight": {0: 2.0, 9: 1.0}}, "y does not have"),
        ({"class_weight": {0: -1.0}}, ">= 0"),
        ({"class_weight": "balanced", "class_weight_power": 1.5}, "range"),
        ({"class_weight": "balanced", "class_weight_power": -0.1}, "range"),
    ],
)
def test_weights_that_cannot_hold_fail_before_training(data, params, match):
    X, y = data
    clf = tiny(**params)
    with pytest.raises(SkferError, match=match) as info:
        clf.fit(X, y)
    assert isinstance(info.value, (InvalidParameterError, InvalidValueError))
    assert not hasattr(clf, "model_")


def test_a_checkpoint_remembers_its_weighting(data, tmp_path):
    X, y = data
    params = dict(class_weight="balanced", checkpoint_dir=str(tmp_path))
    tiny(epochs=1, class_weight_power=0.5, **params).fit(X, y)
    with pytest.raises(InvalidValueError, match="class_weight_power"):
        tiny(epochs=2, class_weight_power=1.0, **params).fit(X, y)
