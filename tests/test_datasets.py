"""Dataset loaders on tiny fixtures (and the real files when present)."""

import collections
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from skfer.datasets import (
    FER2013_LABELS,
    get_data_home,
    load_ckplus,
    load_fer2013,
    load_image_folder,
    make_faces,
)
from skfer.exceptions import DataFormatError, DatasetNotFoundError

USAGES = ["Training"] * 10 + ["PublicTest"] * 5 + ["PrivateTest"] * 5


@pytest.fixture(scope="module")
def fer_arrays():
    """20 images with known labels and usages (pixels from make_faces)."""
    X, _ = make_faces(n_samples=20, random_state=3, flat=False)
    labels = np.arange(20) % 7
    return X, labels, np.array(USAGES)


def write_csv(path, images, labels, usages, extra_rows=()):
    with open(path, "w") as f:
        f.write("emotion,pixels,Usage\n")
        for image, label, usage in zip(images, labels, usages):
            f.write(f"{label},{' '.join(map(str, image.ravel()))},{usage}\n")
        for row in extra_rows:
            f.write(row + "\n")
    return path


def write_folder(root, images, labels, usages, ext=".png"):
    for i, (image, label, usage) in enumerate(zip(images, labels, usages)):
        split = "train" if usage == "Training" else "test"
        folder = root / split / FER2013_LABELS[label]
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).save(folder / f"{usage}_{1000 + i}{ext}")
    return root


def write_npz(path, images, labels, usages):
    np.savez(path, images=images, labels=labels.astype(np.int8), usage=usages)
    return path


def test_fer2013_three_formats_agree(tmp_path, fer_arrays):
    images, labels, usages = fer_arrays
    csv = load_fer2013(write_csv(tmp_path / "f.csv", images, labels, usages))
    npz = load_fer2013(write_npz(tmp_path / "f.npz", images, labels, usages))
    folder = load_fer2013(write_folder(tmp_path / "kaggle", images, labels, usages))
    for bunch in (csv, npz):
        np.testing.assert_array_equal(bunch.images, images)
        np.testing.assert_array_equal(bunch.target, labels)
        np.testing.assert_array_equal(bunch.usage, usages)
        assert bunch.data.shape == (20, 2304) and bunch.data.dtype == np.uint8
    # the folder is ordered by split, class, name: compare as sets of rows
    order = np.lexsort((folder.filenames,))
    assert len(folder.target) == 20
    key = {(u, t, im.tobytes()) for u, t, im in zip(usages, labels, images)}
    got = {
        (u, t, im.tobytes())
        for u, t, im in zip(
            folder.usage, folder.target, folder.images[order][np.argsort(order)]
        )
    }
    assert key == got
    assert list(csv.target_names) == list(FER2013_LABELS)
    assert "PrivateTest" in csv.DESCR


def test_fer2013_jpeg_folder_is_close_to_the_pixels(tmp_path, fer_arrays):
    images, labels, usages = fer_arrays
    bunch = load_fer2013(write_folder(tmp_path / "jpg", images, labels, usages, ".jpg"))
    by_usage_count = collections.Counter(bunch.usage.tolist())
    assert by_usage_count == {"Training": 10, "PublicTest": 5, "PrivateTest": 5}
    assert all(name.endswith(".jpg") for name in bunch.filenames)


@pytest.mark.parametrize(
    "subset, n",
    [
        ("Training", 10),
        ("PublicTest", 5),
        (["PublicTest", "PrivateTest"], 10),
        ("all", 20),
    ],
)
def test_fer2013_subsets(tmp_path, fer_arrays, subset, n):
    path = write_csv(tmp_path / "f.csv", *fer_arrays)
    bunch = load_fer2013(path, subset=subset)
    assert len(bunch.target) == n
    X, y = load_fer2013(path, subset=subset, return_X_y=True)
    assert X.shape == (n, 2304) and y.shape == (n,)


def test_fer2013_unknown_subset(tmp_path, fer_arrays):
    path = write_csv(tmp_path / "f.csv", *fer_arrays)
    with pytest.raises(
        ValueError, match="Unknown FER2013 subset 'Train'. Did you mean 'Training'"
    ):
        load_fer2013(path, subset="Train")


@pytest.mark.parametrize(
    "row, match",
    [
        (
            "3," + " ".join(["1"] * 2000) + ",Training",
            "line 22: the row has 2000 pixels, expected 2304",
        ),
        (
            "9," + " ".join(["1"] * 2304) + ",Training",
            "line 22: .*emotion '9' is not an integer 0..6",
        ),
        ("x," + " ".join(["1"] * 2304) + ",Training", "emotion 'x'"),
        (
            "3," + " ".join(["1"] * 2304) + ",Validation",
            "Usage 'Validation' is not one of",
        ),
        (
            "3," + " ".join(["300"] * 2304) + ",Training",
            "pixels must be integers in 0..255",
        ),
        ("3," + " ".join(["a"] * 2304) + ",Training", "not an integer"),
        ("3,1 2 3", "has 2 fields, the header has 3"),
    ],
)
def test_fer2013_malformed_rows(tmp_path, fer_arrays, row, match):
    path = write_csv(tmp_path / "bad.csv", *fer_arrays, extra_rows=[row])
    with pytest.raises(DataFormatError, match=match):
        load_fer2013(path)
    bunch = load_fer2013(path, on_error="skip")
    assert len(bunch.target) == 20
    assert len(bunch.skipped) == 1 and bunch.skipped[0][0] == "line 22"


def test_fer2013_wrong_header(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(DataFormatError, match="header is.*emotion,pixels,Usage"):
        load_fer2013(path)


def test_fer2013_missing_path_says_where_to_get_it(tmp_path):
    with pytest.raises(DatasetNotFoundError, match="not found.*Kaggle"):
        load_fer2013(tmp_path / "nope.csv")
    with pytest.raises(FileNotFoundError, match="SKFER_DATA"):
        load_fer2013(data_home=tmp_path)


def test_fer2013_found_in_data_home(tmp_path, fer_arrays, monkeypatch):
    write_csv(tmp_path / "fer2013.csv", *fer_arrays)
    monkeypatch.setenv("SKFER_DATA", str(tmp_path))
    assert get_data_home() == str(tmp_path)
    assert len(load_fer2013().target) == 20


def test_fer2013_folder_unreadable_files_are_listed(tmp_path, fer_arrays):
    root = write_folder(tmp_path / "k", *fer_arrays)
    broken = root / "train" / "happy" / "Training_99999.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 truncated")
    with pytest.raises(DataFormatError, match="Training_99999.jpg"):
        load_fer2013(root)
    bunch = load_fer2013(root, on_error="skip")
    assert len(bunch.target) == 20
    assert bunch.skipped[0][0].endswith("Training_99999.jpg")


def test_fer2013_folder_bad_class_name(tmp_path, fer_arrays):
    root = write_folder(tmp_path / "k", *fer_arrays)
    (root / "train" / "hapy").mkdir()
    with pytest.raises(
        DataFormatError, match="Unknown FER2013 class folder.*Did you mean 'happy'"
    ):
        load_fer2013(root)


def test_fer2013_folder_without_split_folders(tmp_path):
    (tmp_path / "x").mkdir()
    with pytest.raises(DataFormatError, match="train/ and test/"):
        load_fer2013(tmp_path)


def test_fer2013_npz_missing_arrays(tmp_path):
    np.savez(tmp_path / "x.npz", images=np.zeros((1, 48, 48), np.uint8))
    with pytest.raises(
        DataFormatError, match=r"arrays \['labels', 'usage'\] are missing"
    ):
        load_fer2013(tmp_path / "x.npz")


def write_ck_tree(root, n_subjects=4):
    rng = np.random.RandomState(0)
    emotions = ["anger", "happy", "surprise"]
    for s in range(n_subjects):
        for q, emotion in enumerate(emotions):
            folder = root / emotion
            folder.mkdir(parents=True, exist_ok=True)
            for frame in range(3):
                image = rng.randint(0, 256, (48, 48)).astype(np.uint8)
                name = f"S{100 + s:03d}_{q + 1:03d}_{frame + 10:08d}.png"
                Image.fromarray(image).save(folder / name)
    return root


def test_ckplus_folder_groups_and_sequences(tmp_path):
    bunch = load_ckplus(write_ck_tree(tmp_path / "CK+48"))
    assert bunch.images.shape == (36, 48, 48)
    assert len(set(bunch.groups)) == 4
    assert len(set(bunch.sequences)) == 12
    assert collections.Counter(bunch.sequences.tolist()).most_common(1)[0][1] == 3
    # label indices follow CK+'s own sorted class list
    assert bunch.target_names[bunch.target[0]] == "anger"
    assert set(bunch.target_names[bunch.target]) == {"anger", "happy", "surprise"}
    assert "subject" in bunch.DESCR


def test_ckplus_npz_equals_folder(tmp_path):
    folder = load_ckplus(write_ck_tree(tmp_path / "CK+48"))
    np.savez(
        tmp_path / "ck.npz",
        images=folder.images,
        labels=folder.target,
        subjects=folder.groups,
        sequences=folder.sequences,
    )
    npz = load_ckplus(tmp_path / "ck.npz")
    np.testing.assert_array_equal(npz.images, folder.images)
    np.testing.assert_array_equal(npz.groups, folder.groups)


def test_ckplus_bad_names_and_classes(tmp_path):
    root = write_ck_tree(tmp_path / "CK+48", n_subjects=1)
    Image.fromarray(np.zeros((48, 48), np.uint8)).save(root / "happy" / "img1.png")
    with pytest.raises(DataFormatError, match="S010_004_00000017.png"):
        load_ckplus(root)
    (root / "happy" / "img1.png").unlink()
    (root / "neutral").mkdir()
    with pytest.raises(DataFormatError, match="Unknown CK\\+ class folder"):
        load_ckplus(root)


def test_ckplus_missing(tmp_path):
    with pytest.raises(DatasetNotFoundError, match="signed"):
        load_ckplus(tmp_path / "none")


def test_image_folder_resize_and_errors(tmp_path):
    for name, size in (("happy", 64), ("sad", 30)):
        (tmp_path / name).mkdir()
        Image.fromarray(np.zeros((size, size, 3), np.uint8)).save(
            tmp_path / name / "a.jpg"
        )
    with pytest.raises(DataFormatError, match="different sizes.*size=\\(48, 48\\)"):
        load_image_folder(tmp_path)
    bunch = load_image_folder(tmp_path, size=(48, 48))
    assert bunch.images.shape == (2, 48, 48)
    assert bunch.target_names.tolist() == ["happy", "sad"]
    colour = load_image_folder(tmp_path, size=(48, 48), grayscale=False)
    assert colour.images.shape == (2, 48, 48, 3)
    (tmp_path / "sad" / "b.png").write_bytes(b"not an image")
    with pytest.raises(DataFormatError, match="b.png"):
        load_image_folder(tmp_path, size=(48, 48))
    assert len(load_image_folder(tmp_path, size=(48, 48), on_error="skip").skipped) == 1
    with pytest.raises(DatasetNotFoundError, match="Image folder not found"):
        load_image_folder(tmp_path / "missing")
    with pytest.raises(ValueError, match="on_error must be"):
        load_image_folder(tmp_path, on_error="ignore")


def test_make_faces_properties():
    X, y = make_faces(n_samples=70, random_state=0)
    X2, y2 = make_faces(n_samples=70, random_state=0)
    np.testing.assert_array_equal(X, X2)
    assert X.dtype == np.uint8 and X.shape == (70, 2304)
    assert np.bincount(y).tolist() == [10] * 7
    small, _ = make_faces(
        n_samples=5, image_size=20, n_classes=2, flat=False, random_state=0
    )
    assert small.shape == (5, 20, 20)
    with pytest.raises(ValueError, match="n_classes"):
        make_faces(n_classes=9)


def test_make_faces_is_learnable_but_not_trivial():
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    X, y = make_faces(n_samples=420, random_state=0)
    linear = cross_val_score(
        LogisticRegression(max_iter=300), X / 255.0, y, cv=3
    ).mean()
    assert 1 / 7 + 0.1 < linear < 0.95


def test_datasets_and_preprocessing_do_not_import_tensorflow():
    code = (
        "import sys, skfer, skfer.datasets, skfer.preprocessing;"
        "skfer.datasets.make_faces(7);"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False False", out.stderr


# ------------------------------------------------------------ real data
def test_real_fer2013_counts(fer2013_npz):
    expected = {
        "Training": [3995, 436, 4097, 7215, 4830, 3171, 4965],
        "PublicTest": [467, 56, 496, 895, 653, 415, 607],
        "PrivateTest": [491, 55, 528, 879, 594, 416, 626],
    }
    for usage, counts in expected.items():
        bunch = load_fer2013(fer2013_npz, subset=usage)
        assert np.bincount(bunch.target, minlength=7).tolist() == counts
        assert len(bunch.target) == sum(counts)
    full = load_fer2013(fer2013_npz)
    assert full.data.shape == (35887, 2304)


def test_real_ckplus_counts(ckplus_npz):
    bunch = load_ckplus(ckplus_npz)
    assert bunch.images.shape == (981, 48, 48)
    assert len(set(bunch.groups)) == 118
    assert len(set(bunch.sequences)) == 327
    assert np.bincount(bunch.target).tolist() == [135, 54, 177, 75, 207, 84, 249]
