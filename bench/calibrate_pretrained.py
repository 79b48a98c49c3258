"""Fit each shipped model's temperature on PublicTest and put it on its card.

Usage:
  python bench/calibrate_pretrained.py [--name v2-fer2013 ...]
      [--data ../shared/data/fer2013.npz]

For every named shipped model (default: all): temperature scaling with
scikit-learn's ``CalibratedClassifierCV(FrozenEstimator(clf),
method="temperature")`` (:func:`skfer.inference.calibrate`), fitted on
PublicTest with the model's own labels (FER2013's for ``*-fer2013``, the FER+
majority for ``*-ferplus``), raw scores, no test-time flips (the default of
``pretrained`` and ``FERPredictor``). PrivateTest is then scored once,
before and after: expected calibration error (15 equal-width bins), mean
confidence, accuracy and log loss. The result goes into the card's
``calibration`` entry (``skfer/weights/<name>.json``, read back by
``pretrained``) and the model card page is rewritten.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))


def measure(clf, X, y):
    from sklearn.metrics import log_loss

    from skfer.model_selection import expected_calibration_error

    proba = clf.predict_proba(X)
    return {
        "ece": expected_calibration_error(y, proba),
        "mean_confidence": float(proba.max(axis=1).mean()),
        "accuracy": float((proba.argmax(axis=1) == y).mean()),
        "log_loss": float(log_loss(y, proba, labels=list(range(proba.shape[1])))),
    }


def main():
    default = ROOT.parent / "shared" / "data" / "fer2013.npz"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", nargs="*", help="shipped models (default: all)")
    parser.add_argument("--data", default=str(default))
    args = parser.parse_args()

    from skfer.datasets import load_fer2013
    from skfer.inference import PRETRAINED_DIR, calibrate, list_pretrained, pretrained

    for name in args.name or list_pretrained():
        labels = "ferplus" if name.endswith("-ferplus") else "fer2013"
        data = load_fer2013(args.data, labels=labels)
        public, private = data.usage == "PublicTest", data.usage == "PrivateTest"
        clf = pretrained(name)
        clf.__dict__.pop("temperature_", None)
        before = measure(clf, data.data[private], data.target[private])
        calibrate(clf, data.data[public], data.target[public])
        after = measure(clf, data.data[private], data.target[private])
        calibration = {
            "temperature": clf.temperature_,
            "method": "temperature scaling, scikit-learn CalibratedClassifierCV("
            "FrozenEstimator(clf), method='temperature'); raw scores, no flips",
            "fitted_on": f"PublicTest, {labels} labels (n = {int(public.sum())})",
            "private_n": int(private.sum()),
            "private_before": before,
            "private_after": after,
            "command": " ".join(["python"] + sys.argv),
        }
        path = PRETRAINED_DIR / f"{name}.json"
        meta = json.loads(path.read_text())
        meta["card"]["calibration"] = calibration
        from skfer._checkpoint import atomic_write_text

        atomic_write_text(path, json.dumps(meta, indent=1))
        assert pretrained(name).temperature_ == clf.temperature_
        print(json.dumps({name: calibration}, indent=1))
        write_card_page(name, meta["card"])


def write_card_page(name, card):
    import pandas as pd
    from make_pretrained import write_card

    per_class = pd.DataFrame(card["private_per_class"]).set_index("class")
    write_card(name, card, per_class)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
