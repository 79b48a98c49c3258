"""The FER+ comparison of ``skfer reproduce``: its scores, the rule that picks
the shipped FER+ model, and the trade-off table and figure."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from skfer.reproduce import write_report
from skfer.reproduce._ferplus import (
    ferplus_scores,
    shared_balanced_accuracy,
    shipped_ferplus_run,
)
from skfer.reproduce.experiments import EXPERIMENTS, FERPLUS_SHIPPED_CANDIDATES

EVIDENCE = Path(__file__).resolve().parents[1] / "docs" / "results" / "runs"


def committed(name):
    path = EVIDENCE / name / "result.json"
    return json.loads(path.read_text()) if path.is_file() else None


def test_shared_balanced_accuracy_leaves_contempt_out():
    confusion = np.zeros((8, 8), int)
    for c in range(7):
        confusion[c, c] = 3  # recall 3/4 on each shared class
        confusion[c, 7] = 1
    confusion[7, 0] = 5  # contempt: never recognised
    assert shared_balanced_accuracy(confusion) == pytest.approx(0.75)
    # a class without images has no recall to average
    confusion[2] = 0
    assert shared_balanced_accuracy(confusion) == pytest.approx(0.75)


def test_scores_of_probabilities_equal_to_the_votes():
    rng = np.random.default_rng(0)
    votes = rng.integers(0, 6, (40, 10)).astype(float)
    votes[:, 0] += 1  # every image has a vote
    shares = votes[:, :8] / votes[:, :8].sum(axis=1, keepdims=True)
    target = shares.argmax(axis=1)
    scores = ferplus_scores(shares, target, votes)
    assert scores["accuracy"] == 1.0
    assert scores["balanced_accuracy_7"] == 1.0
    assert scores["kl_divergence"] == pytest.approx(0.0, abs=1e-6)
    # a FER2013 network (seven columns) is scored on the shared classes
    seven = ferplus_scores(shares[:, :7], target, votes)
    assert seven["balanced_accuracy_7"] <= 1.0
    assert np.asarray(seven["confusion"]).shape == (8, 8)


def test_the_shared_figure_matches_the_independent_measurement():
    """shared/FINDINGS.md measured v2-fer2013's FER+ PrivateTest balanced
    accuracy on the seven shared classes with its own script: 71.69%."""
    result = committed("ferplus-v2-fer2013-scored")
    if result is None:
        pytest.skip("no committed evidence")
    value = shared_balanced_accuracy(result["private"]["confusion"])
    assert value == pytest.approx(0.7169, abs=5e-5)


def _result(accuracy, confusion_diag, complete=True):
    confusion = np.diag(confusion_diag) + 1
    return {
        "public": {"accuracy": accuracy, "confusion": confusion.tolist()},
        "complete": complete,
    }


def test_the_shipping_rule_reads_publictest_only():
    a, b = FERPLUS_SHIPPED_CANDIDATES[:2]
    accurate = _result(0.84, [50] * 7 + [1])  # plain accuracy, less balance
    balanced = _result(0.80, [99] * 8)  # balanced recall 0.99
    assert shipped_ferplus_run({a: accurate, b: balanced}) == b
    assert shipped_ferplus_run({a: balanced, b: accurate}) == a
    # an unfinished run does not compete; nothing finished, nothing ships
    unfinished = _result(0.99, [99] * 8, complete=False)
    assert shipped_ferplus_run({a: accurate, b: unfinished}) == a
    assert shipped_ferplus_run({b: unfinished}) is None
    assert set(FERPLUS_SHIPPED_CANDIDATES) <= set(EXPERIMENTS)


def test_v2_ferplus_holds_the_weights_the_rule_picks():
    from skfer.inference import PRETRAINED_DIR

    results = {n: committed(n) for n in FERPLUS_SHIPPED_CANDIDATES if committed(n)}
    if not results:
        pytest.skip("no committed evidence")
    card = json.loads((PRETRAINED_DIR / "v2-ferplus.json").read_text())["card"]
    assert card["training_command"].split()[2] == shipped_ferplus_run(results)


def test_report_has_the_tradeoff_table_and_figure(tmp_path):
    names = [n for n in EXPERIMENTS if n.startswith("ferplus-") and committed(n)]
    if not names:
        pytest.skip("no committed evidence")
    report = tmp_path / "report"
    for name in names:
        shutil.copytree(EVIDENCE / name, report / "runs" / name)
    write_report(tmp_path / "no-runs", report)
    text = (report / "results.md").read_text()
    assert "balanced acc. (7 shared)" in text
    assert "shipped as v2-ferplus" in text
    assert "![ferplus_tradeoff](ferplus_tradeoff.png)" in text
    png = report / "ferplus_tradeoff.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_crop_run_is_scored_and_reported_with_ten_crops():
    """A FER+ run of a crop network (ferplus-v2-votes-crop44) is scored with
    ten crops beside flips (tta_modes), and the report keeps those figures
    where a result has them, leaving whole-image runs as they were."""
    from skfer import FERClassifier
    from skfer.reproduce._report_ferplus import ferplus_records
    from skfer.reproduce._training import tta_modes

    assert tta_modes(FERClassifier(crop=44)) == ("flip", "ten-crop")
    assert tta_modes(FERClassifier()) == ("flip",)
    assert EXPERIMENTS["ferplus-v2-votes-crop44"].extras["recipe"]["crop"] == 44
    whole = committed("ferplus-v2-votes-long")
    base = {"experiment": "x"}
    splits = {r["split"] for r in ferplus_records(base, whole)}
    assert not [s for s in splits if "ten-crop" in s]
    cropped = dict(whole)
    for key in ("public", "private", "ckplus_6", "fer2013_private"):
        cropped[key + "_tencrop"] = whole[key]
    splits = {r["split"] for r in ferplus_records(base, cropped)}
    assert {"FER+ PublicTest, ten-crop TTA", "FER+ PrivateTest, ten-crop TTA"} <= splits
    assert "PrivateTest, FER2013 labels (7 classes), ten-crop TTA" in splits
    ck6 = "927 images, 6 classes (no contempt), no CK+ training, ten-crop TTA"
    assert ck6 in splits
