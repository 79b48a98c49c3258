"""FER+ labels: the shipped vote table, the joins, FER+'s majority rule."""

import gzip

import numpy as np
import pytest

from skfer.datasets import (
    FER2013_LABELS,
    FERPLUS_LABELS,
    FERPLUS_VOTE_NAMES,
    ferplus_majority,
    load_fer2013,
    make_faces,
    read_ferplus_votes,
)
from skfer.exceptions import DataFormatError, DatasetNotFoundError, InvalidValueError

HEADER = (
    "Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,fear,"
    "contempt,unknown,NF"
)
USAGES = ["Training"] * 4 + ["PublicTest"] * 2 + ["PrivateTest"] * 2
# file order: neutral, happiness, surprise, sadness, anger, disgust, fear,
# contempt, unknown, NF
VOTES = [
    (0, 9, 0, 0, 0, 0, 0, 1, 0, 0),  # happy (the contempt vote is an outlier)
    (4, 0, 0, 4, 0, 0, 0, 0, 2, 0),  # no majority
    (0, 0, 0, 0, 0, 0, 0, 7, 3, 0),  # contempt
    (0, 0, 0, 0, 0, 0, 0, 0, 8, 2),  # unknown
    (6, 1, 1, 1, 1, 0, 0, 0, 0, 0),  # neutral (singles dropped: 6 of 6)
    (0, 0, 0, 0, 0, 0, 0, 0, 0, 10),  # not a face
    (0, 0, 5, 0, 0, 0, 4, 0, 1, 0),  # surprise: 5 of 9 once the single goes
    (0, 0, 0, 0, 3, 3, 0, 0, 0, 0),  # anger/disgust tie: no majority
]
# FER+ majority in FERPLUS_LABELS indices (-1: none), and the status
EXPECTED = [3, -1, 7, -1, 6, -1, 5, -1]
STATUS = [
    "majority",
    "no majority",
    "majority",
    "unknown",
    "majority",
    "not a face",
    "majority",
    "no majority",
]


def write_votes(path, usages=USAGES, votes=VOTES, names=None, header=HEADER):
    names = names or [f"fer{i:07d}.png" for i in range(len(votes))]
    lines = [header] + [
        ",".join([u, n, *map(str, v)]) for u, n, v in zip(usages, names, votes)
    ]
    text = "\n".join(lines) + "\n"
    if str(path).endswith(".gz"):
        with gzip.open(path, "wt") as f:
            f.write(text)
    else:
        path.write_text(text)
    return path


@pytest.fixture()
def fer_csv(tmp_path):
    X, _ = make_faces(n_samples=len(USAGES), random_state=2, flat=False)
    labels = np.arange(len(USAGES)) % 7
    path = tmp_path / "fer2013.csv"
    with open(path, "w") as f:
        f.write("emotion,pixels,Usage\n")
        for image, label, usage in zip(X, labels, USAGES):
            f.write(f"{label},{' '.join(map(str, image.ravel()))},{usage}\n")
    return path, X, labels


def test_majority_rule_follows_ferplus():
    usage = np.array(USAGES)
    target, status = ferplus_majority(_ours(VOTES))
    assert target.tolist() == EXPECTED
    assert status.tolist() == STATUS
    assert len(usage) == len(target)


def _ours(votes):
    """File column order -> FERPLUS_VOTE_NAMES order."""
    order = [4, 5, 6, 1, 3, 2, 0, 7, 8, 9]
    return np.asarray(votes)[:, order]


def test_csv_joined_row_by_row(tmp_path, fer_csv):
    path, X, labels = fer_csv
    votes = write_votes(tmp_path / "fer2013new.csv")
    bunch = load_fer2013(path, labels="ferplus", ferplus_votes=votes)
    kept = [i for i, t in enumerate(EXPECTED) if t >= 0]
    assert bunch.target.tolist() == [EXPECTED[i] for i in kept]
    np.testing.assert_array_equal(bunch.images, X[kept])
    assert bunch.fer2013_target.tolist() == labels[kept].tolist()
    assert bunch.votes.shape == (len(kept), 10)
    assert bunch.votes.tolist() == _ours(VOTES)[kept].tolist()
    assert list(bunch.target_names) == list(FERPLUS_LABELS)
    assert list(bunch.target_names[:7]) == list(FER2013_LABELS)
    assert list(bunch.vote_names) == list(FERPLUS_VOTE_NAMES)
    assert set(bunch.ferplus_status) == {"majority"}
    # votes[:, :8] line up with target: the majority class has the most votes
    assert (bunch.votes[:, :8].argmax(axis=1) == bunch.target).all()
    # a gzip-compressed table reads the same
    gz = write_votes(tmp_path / "votes.csv.gz")
    again = load_fer2013(path, labels="ferplus", ferplus_votes=gz)
    np.testing.assert_array_equal(again.votes, bunch.votes)


def test_keep_unlabelled_marks_the_reason(tmp_path, fer_csv):
    path, X, _ = fer_csv
    votes = write_votes(tmp_path / "fer2013new.csv")
    bunch = load_fer2013(
        path, labels="ferplus", ferplus_votes=votes, keep_unlabelled=True
    )
    assert bunch.target.tolist() == EXPECTED
    assert bunch.ferplus_status.tolist() == STATUS
    np.testing.assert_array_equal(bunch.images, X)
    public = load_fer2013(
        path,
        labels="ferplus",
        ferplus_votes=votes,
        keep_unlabelled=True,
        subset="PublicTest",
    )
    assert public.target.tolist() == EXPECTED[4:6]
    X_only, y_only = load_fer2013(
        path, labels="ferplus", ferplus_votes=votes, return_X_y=True
    )
    assert X_only.shape == (4, 2304) and y_only.tolist() == [3, 7, 6, 5]


def test_skipped_csv_rows_keep_their_place(tmp_path, fer_csv):
    path, X, _ = fer_csv
    lines = path.read_text().splitlines()
    lines[2] = "0,1 2 3,Training"  # the second image: malformed
    path.write_text("\n".join(lines) + "\n")
    votes = write_votes(tmp_path / "fer2013new.csv")
    bunch = load_fer2013(
        path,
        labels="ferplus",
        ferplus_votes=votes,
        keep_unlabelled=True,
        on_error="skip",
    )
    assert len(bunch.skipped) == 1
    assert bunch.target.tolist() == EXPECTED[:1] + EXPECTED[2:]
    np.testing.assert_array_equal(bunch.images[1], X[2])


def test_npz_joined_by_ferplus_name(tmp_path):
    X, labels = make_faces(n_samples=5, random_state=4, flat=False)
    names = np.array(["fer0000002.png", "", "fer0000000.png", "fer0000009.png", "x"])
    np.savez(
        tmp_path / "fer.npz",
        images=X,
        labels=labels,
        usage=np.array(["Training"] * 5),
        ferplus_name=names,
    )
    votes = write_votes(tmp_path / "fer2013new.csv")
    bunch = load_fer2013(
        tmp_path / "fer.npz",
        labels="ferplus",
        ferplus_votes=votes,
        keep_unlabelled=True,
    )
    assert bunch.target.tolist() == [7, -1, 3, -1, -1]
    assert bunch.ferplus_status.tolist() == [
        "majority",
        "no votes",
        "majority",
        "no votes",
        "no votes",
    ]
    assert bunch.votes[1].sum() == 0


def test_npz_name_given_twice_with_other_votes_has_none(tmp_path):
    X, labels = make_faces(n_samples=2, random_state=4, flat=False)
    np.savez(
        tmp_path / "fer.npz",
        images=X,
        labels=labels,
        usage=np.array(["Training"] * 2),
        ferplus_name=np.array(["fer0000000.png", "fer0000001.png"]),
    )
    votes = write_votes(
        tmp_path / "fer2013new.csv",
        usages=["Training"] * 4,
        votes=VOTES[:1] * 2 + [VOTES[0], VOTES[2]],
        names=["fer0000000.png", "fer0000000.png", "fer0000001.png", "fer0000001.png"],
    )
    bunch = load_fer2013(
        tmp_path / "fer.npz",
        labels="ferplus",
        ferplus_votes=votes,
        keep_unlabelled=True,
    )
    # the same votes twice: joined; different votes: ambiguous, left out
    assert bunch.ferplus_status.tolist() == ["majority", "no votes"]


def test_shipped_table():
    usage, names, votes = read_ferplus_votes()
    assert votes.shape == (35887, 10) and votes.dtype.kind == "i"
    assert (names == "").sum() == 173
    assert {u: int((usage == u).sum()) for u in np.unique(usage)} == {
        "PrivateTest": 3589,
        "PublicTest": 3589,
        "Training": 28709,
    }
    # the first row of fer2013new.csv: Training,fer0000000.png,4,0,0,1,3,2,0,...
    assert votes[0].tolist() == [3, 2, 0, 0, 1, 0, 4, 0, 0, 0]
    from importlib import resources

    notice = resources.files("skfer.datasets").joinpath("data", "FERPLUS_LICENSE.md")
    assert "Copyright (c) Microsoft Corporation" in notice.read_text()


# ------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "header",
    [
        "Usage,Image name,neutral,happiness",
        HEADER.replace("contempt", "pride"),
    ],
)
def test_vote_table_with_wrong_columns(tmp_path, fer_csv, header):
    path, _, _ = fer_csv
    votes = write_votes(tmp_path / "v.csv", header=header)
    with pytest.raises(DataFormatError, match="not a FER\\+ vote table"):
        load_fer2013(path, labels="ferplus", ferplus_votes=votes)


def test_vote_table_with_bad_counts(tmp_path, fer_csv):
    path, _, _ = fer_csv
    bad = [list(v) for v in VOTES]
    bad[3][0] = -1
    votes = write_votes(tmp_path / "v.csv", votes=bad)
    with pytest.raises(DataFormatError, match="line 5"):
        load_fer2013(path, labels="ferplus", ferplus_votes=votes)


def test_csv_and_vote_table_of_other_lengths(tmp_path, fer_csv):
    path, _, _ = fer_csv
    votes = write_votes(tmp_path / "v.csv", usages=USAGES[:6], votes=VOTES[:6])
    with pytest.raises(
        DataFormatError, match="8 data rows and the FER\\+ vote table 6"
    ):
        load_fer2013(path, labels="ferplus", ferplus_votes=votes)
    # the shipped table belongs to the complete fer2013.csv only
    with pytest.raises(DataFormatError, match="35,887 rows each"):
        load_fer2013(path, labels="ferplus")


def test_csv_and_vote_table_of_other_usages(tmp_path, fer_csv):
    path, _, _ = fer_csv
    votes = write_votes(tmp_path / "v.csv", usages=["Training"] * 8)
    with pytest.raises(DataFormatError, match="does not belong to this fer2013.csv"):
        load_fer2013(path, labels="ferplus", ferplus_votes=votes)


def test_npz_without_ferplus_name(tmp_path):
    X, labels = make_faces(n_samples=3, random_state=4, flat=False)
    np.savez(
        tmp_path / "f.npz", images=X, labels=labels, usage=np.array(["Training"] * 3)
    )
    with pytest.raises(DataFormatError, match="no ferplus_name array"):
        load_fer2013(tmp_path / "f.npz", labels="ferplus")


def test_image_folder_cannot_be_joined(tmp_path):
    from PIL import Image

    folder = tmp_path / "fer2013" / "train" / "happy"
    folder.mkdir(parents=True)
    Image.fromarray(np.zeros((48, 48), np.uint8)).save(folder / "Training_1.png")
    with pytest.raises(DataFormatError, match="file names .* do not carry"):
        load_fer2013(tmp_path / "fer2013", labels="ferplus")


def test_bad_label_options(fer_csv, tmp_path):
    path, _, _ = fer_csv
    with pytest.raises(InvalidValueError, match="labels must be 'fer2013'"):
        load_fer2013(path, labels="fer+")
    with pytest.raises(InvalidValueError, match="labels='ferplus' only"):
        load_fer2013(path, keep_unlabelled=True)
    with pytest.raises(DatasetNotFoundError, match="vote table not found"):
        load_fer2013(path, labels="ferplus", ferplus_votes=tmp_path / "none.csv")
    with pytest.raises(InvalidValueError, match="shape \\(n, 10\\)"):
        ferplus_majority(np.zeros((3, 8)))


# ------------------------------------------------------------ real data
def test_real_ferplus_counts(fer2013_npz):
    bunch = load_fer2013(fer2013_npz, labels="ferplus")
    counts = {
        "Training": [1930, 92, 446, 6982, 2808, 2313, 8403, 106],
        "PublicTest": [287, 20, 56, 863, 347, 389, 1174, 13],
        "PrivateTest": [268, 18, 81, 889, 380, 382, 1089, 16],
    }
    for usage, expected in counts.items():
        rows = bunch.usage == usage
        assert np.bincount(bunch.target[rows], minlength=8).tolist() == expected
    every = load_fer2013(fer2013_npz, labels="ferplus", keep_unlabelled=True)
    assert len(every.target) == 35887
    joined = every.ferplus_status != "no votes"
    # the npz README's join coverage, 26,304 + 3,527 + 3,540 named rows, less
    # fer0033120.png (PrivateTest), which fer2013new.csv lists twice with
    # other votes (5 neutral ... and 10 not-a-face): ambiguous, left out
    assert joined.sum() == 26304 + 3527 + 3540 - 1
    private = every.usage == "PrivateTest"
    assert joined[private].sum() == 3539
    # FER+ and FER2013 agree on about two thirds of the majority images
    shared = bunch.target < 7
    agree = np.mean(bunch.target[shared] == bunch.fer2013_target[shared])
    assert 0.6 < agree < 0.7
