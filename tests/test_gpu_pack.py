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


@pytest.fixture
def bringback(monkeypatch):
    spec = importlib.util.spec_from_file_location(
        "bringback", ROOT / "bench" / "gpu" / "bringback.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "PART", 1000)  # cut a small checkpoint in parts
    return module


def _fake_runs(root):
    rng = np.random.default_rng(0)
    for name in ("fer2013-v2-svm-aug", "ckplus-v2-svm-aug-subject"):
        (root / name).mkdir(parents=True)
        (root / name / "state.json").write_text('{"epochs_done": 3}')
        (root / name / "best.keras").write_bytes(rng.bytes(2500))
        (root / name / "last.keras").write_bytes(rng.bytes(2500))
    (root / "ckplus-v2-svm-aug-subject" / "fold-01").mkdir()
    (root / "ckplus-v2-svm-aug-subject" / "fold-01" / "fold.json").write_text("{}")
    (root.parent / "report").mkdir()
    (root.parent / "report" / "results.md").write_text("# Results\n")


def test_runs_come_back_in_few_files(bringback, tmp_path):
    _fake_runs(tmp_path / "gpu")
    out = tmp_path / "OUT"
    files = bringback.pack(
        out, tmp_path / "gpu", tmp_path / "report", ["fer2013-v2-svm-aug"]
    )
    # the archive and three parts: within the device tool's 8 files, with a log
    assert files == [f"fer2013-v2-svm-aug.best.keras.part0{i}" for i in range(3)] + [
        "results.tar.gz"
    ]
    here = tmp_path / "runs"
    names = bringback.unpack(out, here)
    assert names == ["ckplus-v2-svm-aug-subject", "fer2013-v2-svm-aug"]
    kept = here / "fer2013-v2-svm-aug"
    original = tmp_path / "gpu" / "fer2013-v2-svm-aug"
    assert (kept / "best.keras").read_bytes() == (original / "best.keras").read_bytes()
    assert not (kept / "last.keras").exists()
    assert (here / "ckplus-v2-svm-aug-subject" / "fold-01" / "fold.json").exists()
    assert not (here / "ckplus-v2-svm-aug-subject" / "best.keras").exists()
    assert (here / "gpu-report" / "results.md").read_text() == "# Results\n"
    with pytest.raises(SystemExit, match="already has"):
        bringback.unpack(out, here)  # never overwrites runs kept here


def test_bringback_refuses_what_would_not_come_back(bringback, tmp_path):
    _fake_runs(tmp_path / "gpu")
    bringback.PART = 100  # 25 parts
    with pytest.raises(SystemExit, match="would not come back"):
        bringback.pack(tmp_path / "OUT", tmp_path / "gpu", keep=["fer2013-v2-svm-aug"])


def test_bringback_packs_the_results_without_a_missing_checkpoint(
    bringback, tmp_path, capsys
):
    _fake_runs(tmp_path / "gpu")
    files = bringback.pack(tmp_path / "OUT", tmp_path / "gpu", keep=["features-v2"])
    err = capsys.readouterr().err
    assert "--keep features-v2" in err and "does not exist" in err
    assert files == ["results.tar.gz"]


def test_bringback_detects_a_damaged_checkpoint(bringback, tmp_path):
    _fake_runs(tmp_path / "gpu")
    out = tmp_path / "OUT"
    bringback.pack(out, tmp_path / "gpu", keep=["fer2013-v2-svm-aug"])
    (out / "fer2013-v2-svm-aug.best.keras.part01").write_bytes(b"x" * 1000)
    with pytest.raises(SystemExit, match="does not match"):
        bringback.unpack(out, tmp_path / "runs")
    assert not (tmp_path / "runs" / "fer2013-v2-svm-aug" / "best.keras").exists()
