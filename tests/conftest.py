"""Shared fixtures: a tiny registered model and small synthetic faces."""

import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

# The property tests draw the same examples on every run, so an unrelated
# change cannot turn the suite red by chance; a failure prints the blob that
# reproduces it. To search fresh examples (and keep failures in the example
# database), run ``python -m pytest --hypothesis-profile=explore``.
settings.register_profile(
    "skfer", derandomize=True, database=None, deadline=None, print_blob=True
)
settings.register_profile("explore", deadline=None, print_blob=True)
settings.load_profile("skfer")

# skfer's cache (ONNX conversions) of the test session: a folder of its own,
# so that the tests neither read a user's cache nor write into it
if "SKFER_CACHE_DIR" not in os.environ:
    import tempfile

    os.environ["SKFER_CACHE_DIR"] = tempfile.mkdtemp(prefix="skfer-test-cache-")

SHARED_DATA = Path(
    os.environ.get(
        "SKFER_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"
    )
)


def tiny_model(input_shape, n_classes, *, dropout=0.0, l2=0.0, width=8):
    """A very small CNN (any input size) that keeps tests fast."""
    from skfer._keras import keras

    L = keras.layers
    inputs = keras.Input(input_shape)
    x = L.Conv2D(width, 3, padding="same", activation="relu")(inputs)
    x = L.MaxPooling2D(2, padding="same")(x)
    x = L.Flatten()(x)
    x = L.Dropout(dropout)(x)
    x = L.Dense(16, activation="relu", name="embedding")(x)
    return keras.Model(inputs, L.Dense(n_classes, name="scores")(x))


def tiny_wide_model(input_shape, n_classes, *, dropout=0.0, l2=0.0):
    """The tiny CNN with twice the filters: a second architecture to search."""
    return tiny_model(input_shape, n_classes, dropout=dropout, l2=l2, width=16)


def _register_tiny():
    from skfer.models import list_models, register_model

    if "tiny" not in list_models():
        register_model("tiny")(tiny_model)
    if "tiny-wide" not in list_models():
        register_model("tiny-wide")(tiny_wide_model)


def write_fake_datasets(folder, fer=(150, 30, 30), ck=84, subjects=14):
    """Write FER2013-like and CK+-like npz files of synthetic faces.

    ``fer`` is the (Training, PublicTest, PrivateTest) counts; the last
    PrivateTest image is a copy of the first Training one. Returns the paths
    ``(fer.npz, ck.npz)``.
    """
    from skfer.datasets import make_faces

    folder = Path(folder)
    X, y = make_faces(n_samples=sum(fer), random_state=0)
    images = X.reshape(-1, 48, 48)
    images[-1] = images[0]  # one PrivateTest image duplicates a Training one
    usage = np.repeat(["Training", "PublicTest", "PrivateTest"], fer)
    np.savez(folder / "fer.npz", images=images, labels=y, usage=usage)
    Xc, yc = make_faces(n_samples=ck, random_state=1)
    groups = np.array([f"S{i % subjects:03d}" for i in range(ck)])
    np.savez(
        folder / "ck.npz",
        images=Xc.reshape(-1, 48, 48),
        labels=yc,
        subjects=groups,
        sequences=np.char.add(groups, "_001"),
    )
    return folder / "fer.npz", folder / "ck.npz"


@pytest.fixture(scope="session", autouse=True)
def tiny_registered():
    _register_tiny()


@pytest.fixture(scope="session")
def faces():
    """(X, y): 140 synthetic 48x48 faces as flat uint8 rows, 7 classes."""
    from skfer.datasets import make_faces

    return make_faces(n_samples=140, random_state=0)


@pytest.fixture(scope="session")
def small_faces():
    """(X, y): 90 synthetic 16x16 faces, 3 classes (for the fastest tests)."""
    from skfer.datasets import make_faces

    return make_faces(n_samples=90, n_classes=3, image_size=16, random_state=1)


def _real_data(name):
    """Path of a real dataset; skip without it, or fail where it is required
    (``SKFER_REQUIRE_DATA=1``, set by .ci/run: a wrong path must not turn the
    real-data tests into silent skips)."""
    path = SHARED_DATA / name
    if not path.exists():
        message = f"real data not available ({path})"
        if os.environ.get("SKFER_REQUIRE_DATA") == "1":
            pytest.fail(message + " and SKFER_REQUIRE_DATA=1", pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def fer2013_npz():
    return _real_data("fer2013.npz")


@pytest.fixture(scope="session")
def ckplus_npz():
    return _real_data("ckplus48.npz")


def make_separable(n=120, n_classes=4, size=48, seed=0):
    """Images any working CNN learns within a few epochs: class k has a bright
    block in its own row band on a noisy background. Flat uint8 rows, labels.

    Unlike ``make_faces`` (which the tiny model does not learn), a bug in
    scaling, layout or persistence changes what a model trained on these
    predicts.
    """
    rng = np.random.default_rng(seed)
    y = np.arange(n) % n_classes
    rng.shuffle(y)
    images = rng.integers(0, 90, (n, size, size)).astype(np.uint8)
    step = size // n_classes
    for i, k in enumerate(y):
        # the class is the block's row band: horizontal flips and 10% shifts
        # (the study's augmentation) keep it; its column is random
        c = rng.integers(0, size - 2 * step + 1)
        images[i, k * step : (k + 1) * step, c : c + 2 * step] = rng.integers(
            190, 256
        )
    return images.reshape(n, -1), y


@pytest.fixture(scope="session")
def separable():
    """(X, y): 120 learnable 48x48 images as flat uint8 rows, 4 classes."""
    return make_separable()


@pytest.fixture
def rng():
    return np.random.RandomState(0)
