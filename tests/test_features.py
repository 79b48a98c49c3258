"""CNNFeatureExtractor."""

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline

from skfer import FERClassifier
from skfer.exceptions import NotFittedError
from skfer.features import CNNFeatureExtractor
from skfer.preprocessing import PixelScaler


def tiny():
    return FERClassifier(
        model="tiny", epochs=2, batch_size=16, augment=False, random_state=0
    )


def test_pipeline_with_random_forest(faces):
    X, y = faces
    pipe = make_pipeline(
        PixelScaler(),
        CNNFeatureExtractor(tiny()),
        RandomForestClassifier(20, random_state=0),
    ).fit(X, y)
    assert pipe.predict(X[:5]).shape == (5,)
    extractor = pipe[1]
    features = extractor.transform(PixelScaler().fit_transform(X[:5]))
    assert features.shape == (5, 16) and features.dtype == np.float32
    assert extractor.get_feature_names_out()[:2].tolist() == ["cnn0", "cnn1"]
    assert extractor.n_features_in_ == 2304


def test_prefit_estimator_is_used_as_is(faces):
    X, y = faces
    clf = tiny().fit(X, y)
    extractor = CNNFeatureExtractor(clf, prefit=True).fit(X)
    assert extractor.estimator_ is clf
    a = extractor.transform(X[:4])
    np.testing.assert_array_equal(a, extractor.transform(X[:4]))


def test_errors(faces):
    X, y = faces
    with pytest.raises(NotFittedError, match="prefit=True needs a fitted"):
        CNNFeatureExtractor(tiny(), prefit=True).fit(X)
    with pytest.raises(ValueError, match="requires y"):
        CNNFeatureExtractor(tiny()).fit(X)
    with pytest.raises(ValueError, match="no layer named 'penultimate'"):
        CNNFeatureExtractor(tiny(), layer="penultimate").fit(X, y)


@pytest.mark.parametrize("name", ["pca_svc", "hog_linear_svm", "rf_pixels"])
def test_baselines_learn_synthetic_faces(name):
    from sklearn.model_selection import train_test_split

    from skfer.datasets import make_faces
    from skfer.features import make_baseline

    X, y = make_faces(n_samples=560, random_state=0)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, stratify=y, random_state=0)
    accuracy = make_baseline(name).fit(X_tr, y_tr).score(X_te, y_te)
    assert accuracy > 1 / 7 + 0.1


def test_hog_features_and_unknown_baseline():
    from skfer.features import HOGFeatures, make_baseline

    hog = HOGFeatures().fit(np.zeros((2, 2304), np.uint8))
    assert hog.get_feature_names_out()[0] == "hog0"
    assert hog.transform(np.zeros((3, 48, 48))).shape == (3, 900)
    with pytest.raises(ValueError, match="Unknown baseline 'pca_svm'. Did you mean"):
        make_baseline("pca_svm")


def test_hog_greys_colour_images_by_luma_not_the_red_channel():
    from skfer.features import HOGFeatures
    from skfer.preprocessing import ToGrayscale

    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (3, 48, 48, 3)).astype(np.uint8)
    rgb[..., 1] = 0  # green carries nothing: red alone would look different
    hog = HOGFeatures().fit(rgb)
    grey = ToGrayscale().fit_transform(rgb)
    np.testing.assert_allclose(
        hog.transform(rgb), HOGFeatures().fit(grey).transform(grey), atol=1e-9
    )
    assert not np.allclose(
        hog.transform(rgb), HOGFeatures().fit(rgb[..., 0]).transform(rgb[..., 0])
    )
