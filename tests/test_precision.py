"""FERClassifier(precision=...): mixed bfloat16 while training, float32 after.

The speed targets are measured by bench/training_precision.py, not here.
"""

import pickle

import numpy as np
import pytest
from sklearn.base import clone

from skfer import FERClassifier, _precision
from skfer._keras import find_network, keras
from skfer.inference import export


def _policies(model):
    return {layer.dtype_policy.name for layer in model._flatten_layers()}


@pytest.fixture(scope="module")
def bf16_fit(faces):
    X, y = faces
    clf = FERClassifier(
        model="tiny", epochs=2, random_state=0, precision="bfloat16", augment=True
    )
    return clf.fit(X, y)


def test_bfloat16_fit_leaves_a_float32_model_and_the_global_policy_alone(
    bf16_fit, faces
):
    X, _ = faces
    assert keras.config.dtype_policy().name == "float32"
    assert bf16_fit.precision_ == "bfloat16"
    assert _policies(bf16_fit.model_) == {"float32"}
    # same weights in a model built in float32: identical scores
    twin = FERClassifier(model="tiny", augment=True, precision="float32")
    twin.initialize(X[:14], bf16_fit.classes_[np.arange(14) % 7])
    twin.model_.set_weights(bf16_fit.model_.get_weights())
    np.testing.assert_array_equal(
        bf16_fit.decision_function(X[:20]), twin.decision_function(X[:20])
    )
    images = X[:4].reshape(-1, 48, 48, 1) / 255.0
    assert bf16_fit.model_.predict(images, verbose=0).dtype == np.float32


def test_bfloat16_really_trains_in_bfloat16(faces, monkeypatch):
    """The layers compute in bfloat16 during fit; the class scores stay float32."""
    X, y = faces
    seen = {}

    class Probe(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            net = find_network(self.model)
            seen["hidden"] = net.layers[1].compute_dtype
            seen["scores"] = net.layers[-1].compute_dtype
            seen["variables"] = {v.dtype for v in self.model.weights}

    FERClassifier(
        model="tiny", epochs=1, precision="bfloat16", callbacks=[Probe()]
    ).fit(X, y)
    assert seen["hidden"] == "bfloat16"
    assert seen["scores"] == "float32"
    assert seen["variables"] == {"float32"}


def test_bfloat16_learns_like_float32(separable):
    X, y = separable
    accs = {}
    for precision in ("float32", "bfloat16"):
        clf = FERClassifier(
            model="tiny", epochs=20, learning_rate=1e-2, augment=False,
            random_state=0, precision=precision,
        ).fit(X[::2], y[::2])
        accs[precision] = clf.score(X[1::2], y[1::2])
    assert accs["float32"] >= 0.9, accs
    assert accs["bfloat16"] >= 0.9, accs


def test_bfloat16_model_pickles_and_exports(bf16_fit, faces, tmp_path):
    X, _ = faces
    again = pickle.loads(pickle.dumps(bf16_fit))
    np.testing.assert_allclose(
        again.predict_proba(X[:10]), bf16_fit.predict_proba(X[:10]), atol=1e-6
    )
    pytest.importorskip("tf2onnx")
    ort = pytest.importorskip("onnxruntime")
    path = export(bf16_fit, tmp_path / "m.onnx")
    session = ort.InferenceSession(str(path))
    name = session.get_inputs()[0].name
    images = (X[:10].reshape(-1, 48, 48, 1) / 255.0).astype(np.float32)
    scores = session.run(None, {name: images})[0]
    np.testing.assert_allclose(scores, bf16_fit.decision_function(X[:10]), atol=1e-4)


def test_bfloat16_checkpoint_resumes(faces, tmp_path):
    X, y = faces
    kw = dict(model="tiny", random_state=0, precision="bfloat16",
              checkpoint_dir=str(tmp_path / "run"))
    FERClassifier(epochs=1, **kw).fit(X, y)
    clf = FERClassifier(epochs=2, **kw).fit(X, y)
    assert clf.fit_epochs_ == 1 and len(clf.history_["loss"]) == 2
    assert _policies(clf.model_) == {"float32"}


def test_auto_follows_the_cpu_flags(monkeypatch):
    monkeypatch.setattr(_precision, "_has_gpu", lambda: False)
    for flags, expected in (
        ((), "float32"),
        (("amx_bf16",), "bfloat16"),
        (("avx512_bf16",), "bfloat16"),
    ):
        monkeypatch.setattr(_precision, "cpu_bf16_flags", lambda f=flags: f)
        assert _precision.resolve_precision("auto") == expected
    monkeypatch.setattr(_precision, "_has_gpu", lambda: True)
    assert _precision.resolve_precision("auto") == "bfloat16"
    assert _precision.resolve_precision("float32") == "float32"


def test_cpu_flags_are_read_from_proc_cpuinfo():
    flags = _precision.cpu_bf16_flags()
    assert set(flags) <= set(_precision.BF16_FLAGS)
    try:
        text = open("/proc/cpuinfo").read()
    except OSError:
        pytest.skip("no /proc/cpuinfo")
    for flag in _precision.BF16_FLAGS:
        assert (flag in flags) == (f" {flag}" in text)


def test_precision_clones_and_rejects_unknown_values(faces):
    X, y = faces
    clf = FERClassifier(model="tiny", precision="bfloat16")
    assert clone(clf).get_params()["precision"] == "bfloat16"
    with pytest.raises(ValueError, match="precision"):
        FERClassifier(model="tiny", epochs=1, precision="float16").fit(X, y)


def test_bfloat16_without_cpu_support_warns_once(faces, monkeypatch):
    X, y = faces
    monkeypatch.setattr(_precision, "_has_gpu", lambda: False)
    monkeypatch.setattr(_precision, "cpu_bf16_flags", lambda: ())
    with pytest.warns(UserWarning, match="auto") as record:
        FERClassifier(model="tiny", epochs=1, precision="bfloat16").fit(X, y)
    assert sum("bfloat16" in str(w.message) for w in record) == 1
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        FERClassifier(model="tiny", epochs=1, precision="auto").fit(X, y)
