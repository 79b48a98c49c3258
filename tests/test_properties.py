"""Property-based tests (hypothesis) of the transformers and the CSV loader."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from skfer._utils import as_image_batch
from skfer.datasets import load_fer2013
from skfer.preprocessing import PixelScaler, Resize, ToGrayscale

dtypes = st.sampled_from([np.uint8, np.int16, np.float32, np.float64])
sides = st.integers(min_value=1, max_value=12)


@st.composite
def image_batches(draw, channels=(1,)):
    n = draw(st.integers(1, 4))
    h, w = draw(sides), draw(sides)
    c = draw(st.sampled_from(channels))
    dtype = draw(dtypes)
    elements = (
        st.integers(0, 255)
        if np.dtype(dtype).kind in "ui"
        else st.floats(0, 1, allow_nan=False, width=32)
    )
    shape = (n, h, w) if c == 1 else (n, h, w, c)
    return draw(arrays(dtype, shape, elements=elements))


@given(image_batches())
def test_pixel_scaler_keeps_layout_and_range(images):
    out = PixelScaler().fit_transform(images)
    assert out.shape == images.shape and out.dtype == np.float32
    # the one pixel rule: grey levels 0-255 are divided by 255, floats in
    # [0, 1] are already scaled
    scale = 255 if images.dtype.kind in "ui" else 1
    np.testing.assert_allclose(
        out, images.astype(np.float64) / scale, rtol=1e-5, atol=1e-7
    )
    assert out.min() >= 0 and out.max() <= 1
    flat = PixelScaler().fit_transform(images.reshape(len(images), -1))
    assert flat.shape == (len(images), images[0].size)


@given(image_batches(channels=(1, 3)), st.integers(1, 20), st.integers(1, 20))
def test_resize_output_shape_and_dtype(images, h, w):
    out = Resize(size=(h, w)).fit_transform(images)
    assert out.shape[:3] == (len(images), h, w)
    assert out.dtype == images.dtype
    if images.dtype.kind in "ui":
        assert out.min() >= images.min() and out.max() <= images.max()


@given(image_batches(channels=(3,)))
def test_grayscale_is_within_channel_range(images):
    gray = ToGrayscale().fit_transform(images)
    assert gray.shape == images.shape[:3]
    lo = images.min(axis=-1).astype(np.float64)
    hi = images.max(axis=-1).astype(np.float64)
    tolerance = 1 if images.dtype.kind in "ui" else 1e-5
    gray = gray.astype(np.float64)
    assert np.all(gray >= lo - tolerance) and np.all(gray <= hi + tolerance)


@given(st.integers(1, 5), st.integers(1, 10))
def test_flat_square_rows_round_trip(n, side):
    X = np.arange(n * side * side).reshape(n, side * side)
    images = as_image_batch(X)
    assert images.shape == (n, side, side, 1)
    np.testing.assert_array_equal(images.reshape(n, -1), X)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 6),
            st.sampled_from(["Training", "PublicTest", "PrivateTest"]),
            st.integers(0, 255),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_csv_loader_round_trip(tmp_path, rows):
    path = tmp_path / "fer.csv"
    with open(path, "w") as f:
        f.write("emotion,pixels,Usage\n")
        for label, usage, value in rows:
            pixels = (np.arange(2304) * (value + 1)) % 256
            f.write(f"{label},{' '.join(map(str, pixels))},{usage}\n")
    bunch = load_fer2013(path)
    assert bunch.target.tolist() == [r[0] for r in rows]
    assert bunch.usage.tolist() == [r[1] for r in rows]
    for image, (_, _, value) in zip(bunch.images, rows):
        np.testing.assert_array_equal(
            image.ravel(), (np.arange(2304) * (value + 1)) % 256
        )
