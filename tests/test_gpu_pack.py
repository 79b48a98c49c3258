"""bench/gpu/facepack.py: the datasets packed for a lent GPU come back intact."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from skfer.datasets import load_ckplus, load_fer2013, make_faces

from .conftest import write_fake_datasets

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def facepack():
    spec = importlib.util.spec_from_file_location(
        "facepack", ROOT / "bench" / "gpu" / "facepack.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_predictive_coding_is_lossless(facepack):
    rng = np.random.default_rng(0)
    faces = make_faces(n_samples=20, random_state=0)[0].reshape(-1, 48, 48)
    noise = rng.integers(0, 256, size=(5, 48, 48), dtype=np.uint8)
    extremes = np.zeros((2, 48, 48), np.uint8)
    extremes[0, ::2] = 255  # stripes: every prediction wraps around 0 and 255
    extremes[1, :, ::3] = 255
    images = np.concatenate([faces.astype(np.uint8), noise, extremes])
    residuals = facepack.encode(images)
    assert residuals.dtype == np.uint8 and residuals.shape == images.shape
    assert np.array_equal(facepack.decode(residuals), images)


def test_pack_and_unpack_give_loadable_datasets(facepack, tmp_path):
    fer, ck = write_fake_datasets(tmp_path, fer=(40, 10, 10), ck=60, subjects=6)
    facepack.pack(fer, ck, tmp_path / "packed")
    facepack.unpack(tmp_path / "packed", tmp_path / "out")
    unpacked = load_fer2013(tmp_path / "out" / "fer2013.npz")
    original = load_fer2013(fer)
    assert np.array_equal(unpacked.data, original.data)
    assert np.array_equal(unpacked.target, original.target)
    assert list(unpacked.usage) == list(original.usage)
    ck_unpacked = load_ckplus(tmp_path / "out" / "ckplus48.npz")
    assert np.array_equal(ck_unpacked.groups, load_ckplus(ck).groups)


def test_unpack_refuses_corrupted_data(facepack, tmp_path):
    X, y = make_faces(n_samples=10, random_state=2)
    np.savez(
        tmp_path / "fer.npz",
        images=X.reshape(-1, 48, 48),
        labels=y,
        usage=np.array(["Training"] * 10),
    )
    facepack.pack(tmp_path / "fer.npz", None, tmp_path / "packed")
    meta = dict(np.load(tmp_path / "packed" / "fer2013.meta.npz"))
    meta["sha256"] = np.array("0" * 64)
    np.savez(tmp_path / "packed" / "fer2013.meta.npz", **meta)
    with pytest.raises(SystemExit, match="do not match"):
        facepack.unpack(tmp_path / "packed", tmp_path / "out")
