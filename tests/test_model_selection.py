"""Splitters, duplicate detection and evaluation helpers."""

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.model_selection import GridSearchCV, cross_validate

from skfer.model_selection import (
    OfficialSplit,
    evaluation_report,
    find_duplicates,
    image_level_kfold,
    subject_kfold,
)

USAGE = np.array(["Training"] * 6 + ["PublicTest"] * 3 + ["PrivateTest"] * 3)


def test_official_split_never_touches_privatetest():
    ((train, test),) = list(OfficialSplit(USAGE).split(np.zeros((12, 1))))
    assert train.tolist() == list(range(6)) and test.tolist() == [6, 7, 8]
    ((train2, test2),) = list(OfficialSplit().split(np.zeros((12, 1)), groups=USAGE))
    assert np.array_equal(train, train2) and np.array_equal(test, test2)
    assert OfficialSplit(USAGE).get_n_splits() == 1


def test_official_split_in_a_search():
    X = np.zeros((12, 2))
    y = np.array([0, 1] * 6)
    search = GridSearchCV(
        DummyClassifier(),
        {"strategy": ["most_frequent", "prior"]},
        cv=OfficialSplit(USAGE),
    ).fit(X, y)
    assert search.n_splits_ == 1
    result = cross_validate(DummyClassifier(), X, y, cv=OfficialSplit(USAGE))
    assert len(result["test_score"]) == 1


def test_official_split_errors():
    with pytest.raises(ValueError, match="needs the usage column"):
        list(OfficialSplit().split(np.zeros((3, 1))))
    with pytest.raises(ValueError, match="usage has 12 entries but X has 3 rows"):
        list(OfficialSplit(USAGE).split(np.zeros((3, 1))))
    with pytest.raises(ValueError, match="found 6 'Training' and 0 'PublicTest'"):
        list(OfficialSplit(USAGE[:6]).split(np.zeros((6, 1))))


def test_subject_kfold_keeps_subjects_apart():
    rng = np.random.RandomState(0)
    groups = np.repeat([f"S{i:03d}" for i in range(30)], 6)
    y = rng.randint(0, 4, size=len(groups))
    folds = list(subject_kfold(5).split(np.zeros((len(y), 1)), y, groups))
    assert len(folds) == 5
    for train, test in folds:
        assert set(groups[train]).isdisjoint(groups[test])
    tested = np.concatenate([test for _, test in folds])
    assert sorted(tested.tolist()) == list(range(len(y)))


def test_image_level_kfold_mixes_subjects():
    groups = np.repeat([f"S{i}" for i in range(10)], 6)
    y = np.tile([0, 1, 2], 20)
    train, test = next(image_level_kfold(5).split(np.zeros((60, 1)), y))
    assert not set(groups[train]).isdisjoint(groups[test])


def test_find_duplicates():
    a = np.random.RandomState(0).randint(0, 256, (5, 48, 48)).astype(np.uint8)
    query = np.stack([a[2], a[4], np.zeros((48, 48), np.uint8)])
    assert find_duplicates(a, query).tolist() == [True, True, False]
    assert find_duplicates(a.reshape(5, -1), query.reshape(3, -1)).sum() == 2
    with pytest.raises(ValueError, match="share pixel layout and dtype"):
        find_duplicates(a, query.astype(float))


def test_evaluation_report():
    report = evaluation_report(
        [0, 0, 1, 2], [0, 1, 1, 1], labels=[0, 1, 2], target_names=["a", "b", "c"]
    )
    assert report["summary"]["accuracy"].iloc[0] == 0.5
    assert report["per_class"].loc["c", "recall"] == 0
    assert report["per_class"]["support"].tolist() == [2, 1, 1]
    assert report["confusion"].loc["a", "b"] == 1
    assert report["confusion"].to_numpy().sum() == 4


def test_real_privatetest_duplicates(fer2013_npz):
    from skfer.datasets import load_fer2013

    data = load_fer2013(fer2013_npz)
    train = data.images[data.usage == "Training"]
    assert find_duplicates(train, data.images[data.usage == "PrivateTest"]).sum() == 288
    assert find_duplicates(train, data.images[data.usage == "PublicTest"]).sum() == 280


def test_real_ckplus_subject_folds(ckplus_npz):
    from skfer.datasets import load_ckplus

    ck = load_ckplus(ckplus_npz)
    folds = list(subject_kfold(10).split(ck.data, ck.target, ck.groups))
    for train, test in folds:
        assert set(ck.groups[train]).isdisjoint(ck.groups[test])
        assert set(ck.sequences[train]).isdisjoint(ck.sequences[test])
