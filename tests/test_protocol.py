"""The evaluation protocol, asserted by what each step receives.

``skfer reproduce`` runs on small learnable stand-ins of FER2013 and CK+,
with the estimator's fit/predict and the BatchNormalization recomputation
wrapped to record the images they are given; each image is traced back to
its split (FER2013) or subject (CK+) by its pixels.
"""

import json

import numpy as np
import pytest

from skfer import _batchnorm
from skfer._classifier import FERClassifier
from skfer.reproduce import reproduce

from .conftest import make_separable


@pytest.fixture(autouse=True)
def tiny_model_1(tiny_registered, monkeypatch):
    """Model 1 is stood in for by the tests' tiny CNN (seconds, not minutes)."""
    from skfer.models import _registry, get_model_builder

    monkeypatch.setitem(_registry._MODELS, "v1", get_model_builder("tiny"))


@pytest.fixture
def recorder(monkeypatch):
    calls = []
    fit, predict = FERClassifier.fit, FERClassifier.predict
    recalibrate = _batchnorm.recalibrate_batchnorm

    def recording_fit(self, X, y, **kwargs):
        calls.append(("fit", np.asarray(X), kwargs.get("validation_data")))
        return fit(self, X, y, **kwargs)

    def recording_predict(self, X, **kwargs):
        calls.append(("predict", np.asarray(X), self.tta))
        return predict(self, X, **kwargs)

    def recording_recalibrate(network, images, **kwargs):
        # the images arrive scaled to [0, 1]: back to grey levels
        pixels = np.rint(np.asarray(images) * 255).astype(np.uint8)
        calls.append(("batchnorm", pixels.reshape(len(pixels), -1), None))
        return recalibrate(network, images, **kwargs)

    monkeypatch.setattr(FERClassifier, "fit", recording_fit)
    monkeypatch.setattr(FERClassifier, "predict", recording_predict)
    monkeypatch.setattr(_batchnorm, "recalibrate_batchnorm", recording_recalibrate)
    return calls


def _owners(rows, keys):
    """For each row, the set of keys of the dataset rows with its pixels."""
    index = {}
    for row, key in zip(rows, keys):
        index.setdefault(row.tobytes(), set()).add(key)
    return index


def _split_of(X, index):
    found = set()
    for row in X.reshape(len(X), -1):
        found |= index[row.tobytes()]
    return found


def test_fer2013_protocol(tmp_path, recorder):
    X, y = make_separable(n=210, n_classes=7, seed=3)
    usage = np.repeat(["Training", "PublicTest", "PrivateTest"], [140, 35, 35])
    np.savez(tmp_path / "fer.npz", images=X.reshape(-1, 48, 48), labels=y, usage=usage)
    index = _owners(X, usage)
    reproduce(
        ["fer2013-v1-crossentropy-aug"], fer2013=tmp_path / "fer.npz",
        runs=tmp_path / "runs", output=tmp_path / "out", epochs=4, verbose=0,
        command="pytest",
    )
    kinds = [kind for kind, _, _ in recorder]
    fits = [c for c in recorder if c[0] == "fit"]
    assert len(fits) == 1
    _, fit_X, validation = fits[0]
    assert _split_of(fit_X, index) == {"Training"}
    assert len(fit_X) == 140
    assert _split_of(validation[0], index) == {"PublicTest"}
    # statistics recomputed from Training images only (all of them)
    norms = [c for c in recorder if c[0] == "batchnorm"]
    assert norms and all(_split_of(c[1], index) == {"Training"} for c in norms)
    # the epoch is the argmax of PublicTest accuracy...
    run = tmp_path / "runs" / "fer2013-v1-crossentropy-aug"
    state = json.loads((run / "state.json").read_text())
    val = state["history"]["val_accuracy"]
    assert len(val) == 4
    assert state["best"]["epoch"] == int(np.argmax(val)) + 1
    # ...and PrivateTest is predicted once by the chosen network (and once
    # more with test-time flips, reported beside it), after training
    private = [
        (i, tta) for i, (kind, Xc, tta) in enumerate(recorder)
        if kind == "predict" and _split_of(Xc, index) == {"PrivateTest"}
    ]
    # (tta "flip" is tta=True; a network without crop has no ten-crop pass)
    assert sorted(tta in (True, "flip") for _, tta in private) == [False, True]
    assert min(i for i, _ in private) > kinds.index("fit")
    result = json.loads(
        (tmp_path / "runs" / "fer2013-v1-crossentropy-aug" / "result.json").read_text()
    )
    assert result["best_epoch"] == state["best"]["epoch"]


def test_ckplus_folds_never_share_a_subject_and_train_fixed_epochs(tmp_path, recorder):
    X, y = make_separable(n=84, n_classes=7, seed=4)
    subjects = np.array([f"S{i % 12:03d}" for i in range(84)])
    np.savez(
        tmp_path / "ck.npz", images=X.reshape(-1, 48, 48), labels=y,
        subjects=subjects, sequences=np.char.add(subjects, "_001"),
    )
    index = _owners(X, subjects)
    reproduce(
        ["ckplus-v1-crossentropy-aug-subject"], ckplus=tmp_path / "ck.npz",
        runs=tmp_path / "runs", output=tmp_path / "out", ckplus_epochs=3, folds=3,
        verbose=0, command="pytest",
    )
    fits = [c for c in recorder if c[0] == "fit"]
    predicts = [c for c in recorder if c[0] == "predict"]
    assert len(fits) == len(predicts) == 3
    tested = set()
    for (_, fit_X, validation), (_, test_X, _) in zip(fits, predicts):
        assert validation is None  # nothing is chosen on the test fold
        train_subjects = _split_of(fit_X, index)
        test_subjects = _split_of(test_X, index)
        assert train_subjects and test_subjects
        assert not train_subjects & test_subjects
        tested |= test_subjects
    assert tested == set(subjects)
    folds = sorted((tmp_path / "runs").glob("*/3-epochs/fold-*/fold.json"))
    assert len(folds) == 3
    for path in folds:
        history = json.loads(path.read_text())["history"]
        assert len(history["loss"]) == 3  # fixed epochs, no early stopping
