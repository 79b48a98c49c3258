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
