"""FERClassifier as a scikit-learn classifier."""

import pickle

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone, is_classifier
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import BaggingClassifier, VotingClassifier
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedKFold,
    check_cv,
    cross_validate,
)
from sklearn.pipeline import make_pipeline

from skfer import FERClassifier
from skfer.exceptions import NotFittedError
from skfer.preprocessing import PixelScaler


def tiny(**params):
    base = dict(model="tiny", epochs=2, batch_size=16, random_state=0, augment=False)
    return FERClassifier(**{**base, **params})


def learner(**params):
    """The tiny model with settings that learn ``separable`` in a few epochs, so
    that a scaling, layout or persistence bug changes its predictions."""
    return tiny(**{"epochs": 6, "learning_rate": 1e-2, **params})


def test_the_learning_fixture_learns(separable):
    """Guard: if this fails, the tests that compare predictions prove nothing."""
    X, y = separable
    clf = learner().fit(X[::2], y[::2])
    assert clf.score(X[1::2], y[1::2]) >= 0.9
    proba = clf.predict_proba(X[1::2])
    # confident and image-dependent, not one distribution for every image
    assert proba.max(axis=1).mean() > 0.8
    assert proba.std(axis=0).mean() > 0.2
    assert clf.history_["loss"][-1] < 0.5 * clf.history_["loss"][0]


# sklearn's estimator checks run in test_common.py.


def test_is_classifier_and_stratified_cv(faces):
    X, y = faces
    clf = tiny()
    assert is_classifier(clf)
    assert clf.__sklearn_tags__().estimator_type == "classifier"
    assert isinstance(check_cv(3, y, classifier=is_classifier(clf)), StratifiedKFold)


def test_cross_validate_uses_stratified_folds_and_proba_scorers(faces):
    X, y = faces
    seen = []

    def class_counts(est, X_test, y_test):
        seen.append(np.bincount(y_test, minlength=7))
        return 0.0

    result = cross_validate(
        tiny(),
        X,
        y,
        cv=4,
        scoring={"counts": class_counts, "nll": "neg_log_loss", "auc": "roc_auc_ovr"},
    )
    # stratified: every test fold holds each class in the same proportion (20/4)
    assert all((counts == 5).all() for counts in seen)
    assert np.all(np.isfinite(result["test_nll"]))
    assert np.all((result["test_auc"] >= 0) & (result["test_auc"] <= 1))


# ------------------------------------------------------------ params
def test_get_set_params_clone_with_routed_params():
    clf = tiny(fit__shuffle=False, optimizer__epsilon=1e-6, model__width=4)
    params = clf.get_params()
    assert params["model"] == "tiny"
    assert params["fit__shuffle"] is False
    assert params["model__width"] == 4
    cloned = clone(clf)
    assert cloned.get_params()["optimizer__epsilon"] == 1e-6
    cloned.set_params(learning_rate=0.01, model__width=2, loss="svm")
    assert cloned.learning_rate == 0.01 and cloned.model__width == 2
    assert clf.learning_rate == 1e-3  # the original is untouched


def test_routed_model_params_reach_the_builder(faces):
    X, y = faces
    clf = tiny(model__width=3, epochs=1).fit(X[:40], y[:40])
    convs = [
        layer
        for layer in clf.model_.layers[-1].layers
        if layer.__class__.__name__ == "Conv2D"
    ]
    assert convs[0].filters == 3


def test_unknown_parameter_suggests_the_right_name():
    with pytest.raises(
        TypeError, match="unknown parameter 'lerning_rate'.*learning_rate"
    ):
        FERClassifier(lerning_rate=0.1)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"model": "v22"}, "Unknown model 'v22'. Did you mean 'v2'"),
        ({"loss": "squared_hinge"}, "'loss' parameter of FERClassifier must be"),
        ({"epochs": -1}, "'epochs' parameter of FERClassifier must be an int"),
        ({"dropout": 1.0}, "'dropout' parameter of FERClassifier must be"),
        ({"learning_rate": 0}, "'learning_rate' parameter"),
    ],
)
def test_invalid_parameters_fail_before_training(faces, params, match):
    X, y = faces
    with pytest.raises(ValueError, match=match):
        FERClassifier(**params).fit(X, y)


# ------------------------------------------------------------ meta-estimators
def test_pipeline_with_pixel_scaler(separable):
    X, y = separable
    pipe = make_pipeline(PixelScaler(), learner()).fit(X, y)
    assert pipe.predict(X[:5]).shape == (5,)
    # integer input is scaled by the classifier itself: same result as PixelScaler
    direct = learner().fit(X, y)
    np.testing.assert_allclose(
        pipe.predict_proba(X[:10]), direct.predict_proba(X[:10]), atol=1e-5
    )
    # grey levels stored as floats follow the same rule (one pixel rule)
    np.testing.assert_allclose(
        direct.decision_function(X[:10].astype(np.float32)),
        direct.decision_function(X[:10]),
        atol=1e-5,
    )
    # and scaling matters: floats in [0, 1] are used as given, so pixels
    # divided twice reach the network 255 times too dark
    twice = direct.decision_function(X[:10].astype(np.float32) / 255 / 255)
    assert np.abs(twice - direct.decision_function(X[:10])).max() > 1.0


def test_grid_search_over_model_and_loss(separable):
    # registered tiny architectures: the same search code as over v1/v2, in
    # seconds instead of the ~50 s the study's networks took here
    X, y = separable
    search = GridSearchCV(
        learner(epochs=4),
        {"model": ["tiny", "tiny-wide"], "loss": ["crossentropy", "svm"]},
        cv=2,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_params_["model"] in ("tiny", "tiny-wide")
    assert search.best_score_ >= 0.8  # every candidate was really trained
    assert search.best_estimator_.predict(X[:3]).shape == (3,)



def test_soft_voting(faces):
    X, y = faces
    vote = VotingClassifier(
        [("ce", tiny()), ("svm", tiny(loss="svm"))], voting="soft"
    ).fit(X, y)
    proba = vote.predict_proba(X[:7])
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)


def test_calibrated_svm(faces):
    X, y = faces
    calibrated = CalibratedClassifierCV(tiny(loss="svm"), cv=2).fit(X, y)
    proba = calibrated.predict_proba(X[:5])
    assert proba.shape == (5, 7)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)


def test_bagging_on_flat_rows(faces):
    X, y = faces
    bag = BaggingClassifier(tiny(epochs=1), n_estimators=2, random_state=0).fit(X, y)
    assert bag.predict(X[:4]).shape == (4,)


# ------------------------------------------------------------ I/O formats
def test_input_layouts_give_identical_predictions(separable):
    X, y = separable
    clf = learner().fit(X, y)
    flat = clf.predict_proba(X[:8])
    np.testing.assert_array_equal(flat, clf.predict_proba(X[:8].reshape(-1, 48, 48)))
    np.testing.assert_array_equal(flat, clf.predict_proba(X[:8].reshape(-1, 48, 48, 1)))
    frame = pd.DataFrame(X[:8], columns=[f"pixel{i}" for i in range(2304)])
    np.testing.assert_array_equal(flat, clf.predict_proba(frame.to_numpy()))
    np.testing.assert_allclose(
        flat, clf.predict_proba(X[:8].astype(np.float32) / 255), atol=1e-6
    )
    # a transposed image is another image: the layouts are really read
    transposed = X[:8].reshape(-1, 48, 48).transpose(0, 2, 1)
    assert np.abs(clf.predict_proba(transposed) - flat).max() > 0.1


def test_dataframe_input_records_feature_names(faces):
    X, y = faces
    frame = pd.DataFrame(X, columns=[f"pixel{i}" for i in range(2304)])
    clf = tiny(epochs=1).fit(frame, y)
    assert list(clf.feature_names_in_[:2]) == ["pixel0", "pixel1"]
    assert clf.n_features_in_ == 2304


def test_string_labels_and_classes(faces):
    X, y = faces
    names = np.array(
        ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
    )
    clf = tiny().fit(X, names[y])
    assert clf.classes_.tolist() == sorted(names.tolist())
    assert set(clf.predict(X[:20])) <= set(names)
    assert 0 <= clf.score(X, names[y]) <= 1


def test_scores_and_probabilities(faces):
    X, y = faces
    clf = tiny(loss="svm").fit(X, y)
    scores = clf.decision_function(X[:6])
    proba = clf.predict_proba(X[:6])
    assert scores.shape == proba.shape == (6, 7)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_array_equal(
        clf.predict(X[:6]), clf.classes_[scores.argmax(axis=1)]
    )
    # a single image still gives a 2-D probability row
    assert clf.predict_proba(X[:1]).shape == (1, 7)


def test_binary_decision_function_is_one_dimensional(faces):
    X, y = faces
    mask = y < 2
    clf = tiny().fit(X[mask], y[mask])
    assert clf.decision_function(X[mask][:5]).shape == (5,)


def test_history_validation_and_early_stopping(faces):
    X, y = faces
    clf = tiny(epochs=6, validation_fraction=0.2, early_stopping=1).fit(X, y)
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(clf.history_)
    assert 1 <= clf.fit_epochs_ <= 6
    assert len(clf.history_["loss"]) == clf.fit_epochs_


def test_explicit_validation_data(faces):
    X, y = faces
    clf = tiny(epochs=2).fit(X[:100], y[:100], validation_data=(X[100:], y[100:]))
    assert len(clf.history_["val_accuracy"]) == 2


@pytest.mark.parametrize("seed", [0, None], ids=["seeded", "unseeded"])
def test_validation_figures_are_the_predictions_of_that_epoch(faces, seed):
    """The last val_accuracy is the accuracy of the fitted network's own
    predictions on the validation images (string labels, a last batch that
    is not full): validation data reaches Keras as ordered batches."""
    X, y = faces
    names = np.array(["a", "b", "c", "d", "e", "f", "g"])[y]
    clf = tiny(
        epochs=2, random_state=seed, precision="float32", precise_bn=False
    ).fit(X[:100], names[:100], validation_data=(X[100:], names[100:]))
    assert len(X[100:]) % clf.batch_size != 0
    expected = np.mean(clf.predict(X[100:]) == names[100:])
    assert clf.history_["val_accuracy"][-1] == pytest.approx(expected, abs=1e-6)


def test_early_stopping_without_validation_data_is_an_error(faces):
    X, y = faces
    with pytest.raises(ValueError, match="early_stopping needs validation data"):
        tiny(early_stopping=2).fit(X, y)


def test_augmentation_is_inside_the_model_and_off_at_inference(faces):
    X, y = faces
    clf = tiny(augment=True).fit(X, y)
    assert clf.model_.get_layer("augment") is not None
    np.testing.assert_array_equal(clf.predict_proba(X[:5]), clf.predict_proba(X[:5]))


# ------------------------------------------------------------ errors
def test_predict_before_fit():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        FERClassifier().predict(np.zeros((1, 2304)))


def test_wrong_number_of_pixels(faces):
    X, y = faces
    clf = tiny(epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="X has 2500 features.*expecting 2304.*Resize"):
        clf.predict(np.zeros((2, 2500)))
    with pytest.raises(ValueError, match="not a square grayscale image"):
        tiny().fit(np.zeros((4, 2300)), [0, 1, 0, 1])


def test_colour_images_where_grayscale_expected(faces):
    X, y = faces
    clf = tiny(epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="ToGrayscale"):
        clf.predict(np.zeros((2, 48, 48, 3)))


def test_nan_pixels(faces):
    X, y = faces
    X = X.astype(float)
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        tiny().fit(X, y)


def test_unseen_label_in_validation_data(faces):
    X, y = faces
    with pytest.raises(ValueError, match="labels that fit did not see"):
        tiny().fit(X, y, validation_data=(X[:3], [0, 1, 99]))


# ------------------------------------------------------------ persistence
def test_pickle_and_joblib_round_trips(separable, tmp_path):
    X, y = separable
    clf = learner().fit(X, y)
    expected = clf.predict_proba(X[:10])
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(expected, restored.predict_proba(X[:10]))
    path = tmp_path / "clf.joblib"
    joblib.dump(clf, path)
    np.testing.assert_array_equal(expected, joblib.load(path).predict_proba(X[:10]))


def test_same_random_state_same_predictions(separable):
    X, y = separable
    def scores(seed):
        clf = learner(augment=True, random_state=seed).fit(X, y)
        return clf.decision_function(X[:20])

    first, second, other = scores(7), scores(7), scores(8)
    np.testing.assert_array_equal(first, second)
    # another seed: other initial weights, so other scores
    assert np.abs(first - other).max() > 0.1


def test_seeding_does_not_touch_global_random_state(faces):
    X, y = faces
    np.random.seed(123)
    expected = np.random.rand()
    np.random.seed(123)
    tiny(epochs=1).fit(X, y)
    assert np.random.rand() == expected


# ------------------------------------------------------------ real data
@pytest.mark.slow
def test_model1_beats_majority_on_real_fer2013(fer2013_npz):
    """Model 1 learns real FER2013: > 35% on PublicTest (majority class 24.9%).

    The issue asked for 2 epochs on 3,000 images; measured here, Model 1 is at
    25-27% on PublicTest after 2 epochs (94 steps) in raw Keras as well as
    through FERClassifier, and crosses 35% only after ~8 epochs on 3,000
    images. So this uses 5,000 images, 6 epochs, batch 32, no augmentation
    (about 3.5 minutes on 2 cores; 37.9% after 5 epochs when measured).
    """
    from skfer.datasets import load_fer2013

    train = load_fer2013(fer2013_npz, subset="Training")
    public = load_fer2013(fer2013_npz, subset="PublicTest")
    rng = np.random.RandomState(0)
    tr = rng.choice(len(train.target), 5000, replace=False)
    te = rng.choice(len(public.target), 1000, replace=False)
    clf = FERClassifier(
        model="v1", epochs=6, batch_size=32, augment=False, random_state=0
    )
    clf.fit(train.data[tr], train.target[tr])
    accuracy = clf.score(public.data[te], public.target[te])
    print(f"Model 1, 6 epochs, 5000 Training -> 1000 PublicTest: {accuracy:.3f}")
    assert accuracy > 0.35


def test_small_inputs_take_the_compiled_path_with_the_same_scores(separable):
    X, y = separable
    clf = learner().fit(X, y)
    batched = clf.decision_function(X[:100])  # > 64 images: keras.Model.predict
    model = clf.model_

    def no_pipeline(*args, **kwargs):
        raise AssertionError("keras.Model.predict was called for a small input")

    model.predict = no_pipeline
    try:
        small = np.concatenate(
            [clf.decision_function(X[i : i + 25]) for i in range(0, 100, 25)]
        )
        one = clf.predict_proba(X[:1])
    finally:
        del model.predict
    # the same network, not the same kernels: oneDNN picks its convolution
    # kernels by batch size and CPU, and on an AVX2-only CPU the two paths
    # round differently (up to 1.9e-5 of scores of size ~1-10 measured): a
    # float32 summation-order difference, a few ulps of each term over the
    # ~10^3-10^4 terms of a layer's sums, so relative 1e-5 plus 1e-5
    np.testing.assert_allclose(small, batched, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(one, clf.predict_proba(X[:100])[:1], atol=1e-6)
    # the cache holds no strong reference to the model
    import gc
    import weakref

    ref = weakref.ref(model)
    del clf, model
    gc.collect()
    assert ref() is None


def test_grid_search_logs_no_retracing_warnings(separable, caplog):
    X, y = separable
    with caplog.at_level("WARNING"):
        GridSearchCV(
            learner(epochs=1), {"learning_rate": [1e-3, 1e-2, 3e-2]}, cv=3
        ).fit(X, y)
        # and prediction on many small batches, one new network each time
        for seed in range(6):
            learner(epochs=1, random_state=seed).fit(X[:40], y[:40]).predict(X[:5])
    retracing = [r for r in caplog.records if "retracing" in r.getMessage()]
    assert not retracing, retracing[0].getMessage()
