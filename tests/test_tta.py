"""Test-time augmentation (tta): the mean of the scores of an image and of its
mirror image, in FERClassifier and FERPredictor."""

import numpy as np
import pandas as pd
import pytest

from skfer import FERClassifier
from skfer.inference import FERPredictor


@pytest.fixture(scope="module")
def fitted(separable):
    X, y = separable
    return FERClassifier(
        model="tiny", epochs=6, learning_rate=1e-2, augment=False, random_state=0
    ).fit(X, y)


def _mirror(X, size=48):
    return X.reshape(-1, size, size)[:, :, ::-1].reshape(len(X), -1)


def test_tta_is_the_mean_of_the_image_and_its_mirror(fitted, separable):
    X, _ = separable
    plain = fitted.decision_function(X[:12])
    mirrored = fitted.decision_function(_mirror(X[:12]))
    # the class blocks sit in different columns: mirroring changes the scores
    assert not np.allclose(plain, mirrored, atol=1e-3)
    fitted.set_params(tta=True)
    try:
        scores = fitted.decision_function(X[:12])
        np.testing.assert_allclose(scores, (plain + mirrored) / 2, rtol=1e-5, atol=1e-5)
        proba = fitted.predict_proba(X[:12])
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
        np.testing.assert_array_equal(
            fitted.predict(X[:12]), fitted.classes_[scores.argmax(axis=1)]
        )
        # every input layout and a DataFrame give the same answer
        for variant in (X[:12].reshape(-1, 48, 48), X[:12].reshape(-1, 48, 48, 1),
                        pd.DataFrame(X[:12])):
            np.testing.assert_allclose(
                fitted.decision_function(variant), scores, rtol=1e-5, atol=1e-5
            )
    finally:
        fitted.set_params(tta=False)
    np.testing.assert_array_equal(fitted.decision_function(X[:12]), plain)


def test_tta_leaves_symmetric_images_unchanged(fitted, separable):
    X, _ = separable
    half = X.reshape(-1, 48, 48)[:8, :, :24]
    symmetric = np.concatenate([half, half[:, :, ::-1]], axis=2).reshape(8, -1)
    plain = fitted.predict_proba(symmetric)
    fitted.set_params(tta=True)
    try:
        np.testing.assert_allclose(fitted.predict_proba(symmetric), plain, atol=1e-6)
    finally:
        fitted.set_params(tta=False)


def test_predictor_honours_tta(fitted, separable):
    X, _ = separable
    faces = X[:10].reshape(-1, 48, 48)
    fitted.set_params(tta=True)
    try:
        expected = fitted.predict_proba(faces)
        follows = FERPredictor(fitted)
    finally:
        fitted.set_params(tta=False)
    assert follows.tta
    np.testing.assert_allclose(follows.predict_proba(faces), expected, atol=1e-5)
    plain = FERPredictor(fitted)
    assert not plain.tta
    np.testing.assert_allclose(
        plain.predict_proba(faces), fitted.predict_proba(faces), atol=1e-5
    )
    forced = FERPredictor(fitted, tta=True)
    np.testing.assert_allclose(forced.predict_proba(faces), expected, atol=1e-5)
    with pytest.raises(ValueError, match="tta"):
        FERPredictor(fitted, tta="yes")


def test_one_estimator_with_tta_serves_many_threads(fitted, separable):
    """Each thread scores its own test-time views: 6 threads x 20 calls of
    one FERClassifier with tta=True give the one-thread answers (the view
    being scored used to be an attribute of the estimator, shared by every
    thread)."""
    from concurrent.futures import ThreadPoolExecutor

    X, _ = separable
    batches = [X[i : i + 4] for i in range(0, 40, 4)]
    fitted.set_params(tta=True)
    try:
        expected = [fitted.decision_function(b) for b in batches]
        jobs = [i % len(batches) for i in range(120)]
        with ThreadPoolExecutor(6) as pool:
            got = list(pool.map(lambda i: fitted.decision_function(batches[i]), jobs))
    finally:
        fitted.set_params(tta=False)
    for i, scores in zip(jobs, got):
        np.testing.assert_allclose(scores, expected[i], rtol=1e-5, atol=1e-6)
    assert not hasattr(fitted, "_tta_window")
