"""One pixel-scaling rule: every entry point scales the same image the same way."""

import os

import numpy as np
import pytest

from skfer import FERClassifier
from skfer.features import CNNFeatureExtractor, HOGFeatures
from skfer.inference import FERPredictor
from skfer.preprocessing import PixelScaler, scale_pixels


@pytest.fixture(scope="module")
def fitted(small_faces):
    X, y = small_faces
    clf = FERClassifier(model="tiny", epochs=1, augment=False, random_state=0)
    return clf.fit(X.reshape(-1, 16, 16), y)


def _same_image_in_every_dtype(images):
    """The same uint8 grey levels written in the dtypes users pass."""
    return {
        "uint8": images,
        "uint16": images.astype(np.uint16),
        "int64": images.astype(np.int64),
        "float 0-1": images.astype(np.float32) / 255,
        "float64 0-255": images.astype(np.float64),
    }


ENTRY_POINTS = {
    "scale_pixels": lambda fitted, X: scale_pixels(X),
    "PixelScaler": lambda fitted, X: PixelScaler().fit_transform(X),
    "FERClassifier input": lambda fitted, X: fitted._validate_X(X, reset=False),
    "FERClassifier.predict_proba": lambda fitted, X: fitted.predict_proba(X),
    "FERPredictor.predict_proba": lambda fitted, X: FERPredictor(fitted).predict_proba(
        X
    ),
    "CNNFeatureExtractor": lambda fitted, X: (
        CNNFeatureExtractor(fitted, prefit=True).fit(X).transform(X)
    ),
    "HOGFeatures": lambda fitted, X: HOGFeatures(pixels_per_cell=4).fit(X).transform(X),
}


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_every_entry_point_agrees_across_dtypes(fitted, small_faces, entry):
    images = small_faces[0][:12].reshape(-1, 16, 16)
    run = ENTRY_POINTS[entry]
    reference = np.asarray(run(fitted, images), dtype=np.float64)
    assert np.ptp(reference) > 0  # the entry point really looked at the pixels
    for name, X in _same_image_in_every_dtype(images).items():
        np.testing.assert_allclose(
            np.asarray(run(fitted, X), np.float64),
            reference,
            rtol=1e-5,
            atol=1e-5,
            err_msg=f"{entry} scales {name} pixels differently from uint8",
        )


def test_scaled_values_are_grey_levels_over_255(small_faces):
    images = small_faces[0][:4]
    np.testing.assert_allclose(
        scale_pixels(images), images.astype(np.float32) / 255, rtol=1e-6
    )
    # centred data (negative values) and [0, 1] floats are used as given
    centred = np.array([[-0.5, 0.25, 1.5]], np.float32)
    np.testing.assert_array_equal(scale_pixels(centred), centred)
    unit = np.array([[0.0, 0.5, 1.0]])
    np.testing.assert_array_equal(scale_pixels(unit), unit.astype(np.float32))


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize(
    "bad",
    [np.uint16(300), np.int64(-3), np.float64(300.0)],
    ids=["uint16 300", "int64 -3", "float 300"],
)
def test_out_of_range_pixels_fail_with_one_message(fitted, small_faces, entry, bad):
    X = small_faces[0][:3].reshape(-1, 16, 16).astype(np.asarray(bad).dtype)
    X[0, 0, 0] = bad
    with pytest.raises(ValueError, match=r"grey levels in 0\.\.255 or floats scaled"):
        ENTRY_POINTS[entry](fitted, X)


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_nan_fails_with_one_message(fitted, small_faces, entry):
    X = small_faces[0][:3].reshape(-1, 16, 16).astype(np.float32)
    X[1, 2, 3] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        ENTRY_POINTS[entry](fitted, X)


def test_each_image_is_scaled_by_its_own_pixels():
    """A float image's units are read from that image alone: one image's
    resize overshoot (1.000002) or another's grey levels never change how
    its neighbours in the batch are scaled."""
    from skfer._utils import scale_pixels

    rng = np.random.default_rng(0)
    unit = rng.random((2, 48, 48, 1)).astype(np.float32)
    overshoot = unit[:1].copy()
    overshoot[0, 0, 0, 0] = 1.000002
    grey = (unit[1:] * 255).astype(np.float32)
    batch = np.concatenate([unit[:1], overshoot, grey])
    scaled = scale_pixels(batch)
    for i, image in enumerate(batch):
        np.testing.assert_array_equal(scaled[i], scale_pixels(image[None])[0])
    np.testing.assert_array_equal(scaled[1], overshoot[0])  # not divided by 255
    np.testing.assert_allclose(scaled[2], unit[1], atol=1e-6)


def test_a_prediction_does_not_depend_on_the_other_images_of_the_batch():
    from skfer.inference import pretrained

    clf = pretrained("v1-fer2013")
    rng = np.random.default_rng(1)
    faces = rng.random((3, 48, 48)).astype(np.float32)
    alone = clf.predict_proba(faces[:1])
    faces[2, 0, 0] = 1.000002  # a neighbour's resize overshoot
    np.testing.assert_allclose(clf.predict_proba(faces)[:1], alone, atol=1e-6)


def test_thread_pools_are_sized_to_the_cores_this_process_may_use():
    from skfer._utils import usable_cores

    cores = usable_cores()
    assert 1 <= cores <= (os.cpu_count() or 1)
    if hasattr(os, "sched_getaffinity"):
        assert cores <= len(os.sched_getaffinity(0))


def test_a_process_pinned_to_one_core_asks_for_one_thread():
    import shutil
    import subprocess
    import sys

    if shutil.which("taskset") is None or not hasattr(os, "sched_getaffinity"):
        pytest.skip("needs taskset (util-linux)")
    out = subprocess.run(
        [
            "taskset",
            "-c",
            "0",
            sys.executable,
            "-c",
            "from skfer._utils import usable_cores; print(usable_cores())",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "1"
