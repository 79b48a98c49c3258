"""A FER2013-trained network applied to all of CK+, with no CK+ training.

Usage: python bench/cross_dataset.py [--model v1-fer2013]
       [--ckplus ../shared/data/ckplus48.npz]
       [--output docs/results/cross_dataset_v1.json]

CK+ has seven labels (anger, contempt, disgust, fear, happy, sadness,
surprise), FER2013 seven others (angry, disgust, fear, happy, sad, surprise,
neutral). The six they share are compared: CK+'s 54 contempt images are
dropped, and the network's answer is the arg-max over the six shared
classes (FER2013's neutral is never predicted). The same figures with
neutral allowed (a neutral answer counts as wrong) are given beside them.
Accuracy and macro-F1 over the 927 remaining images, per class recall too.
"""

import argparse
import json
import os
import platform
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: CK+ label name -> FER2013 label index
SHARED = {"anger": 0, "disgust": 1, "fear": 2, "happy": 3, "sadness": 4, "surprise": 5}


def main():
    import numpy as np
    from sklearn.metrics import accuracy_score, f1_score, recall_score

    from skfer import __version__
    from skfer.inference import pretrained

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="v1-fer2013")
    parser.add_argument(
        "--ckplus", default=str(ROOT.parent / "shared" / "data" / "ckplus48.npz")
    )
    parser.add_argument("--output", default=None)
    args = parser.parse_args()

    with np.load(args.ckplus) as data:
        images, labels = data["images"], data["labels"]
        names = [str(n) for n in data["label_names"]]
    keep = np.array([names[k] in SHARED for k in labels])
    truth = np.array([SHARED[names[k]] for k in labels[keep]])
    clf = pretrained(args.model)
    proba = clf.predict_proba(images[keep])  # columns: FER2013 classes 0..6
    shared = sorted(SHARED.values())
    restricted = np.array(shared)[proba[:, shared].argmax(axis=1)]
    free = proba.argmax(axis=1)
    fer_names = clf.card_["label_names"]
    result = {
        "model": args.model,
        "data": f"CK+48, all {int(keep.sum())} images of the six shared classes "
        f"({int((~keep).sum())} contempt images dropped); no CK+ training",
        "six_classes": {
            "accuracy": float(accuracy_score(truth, restricted)),
            "macro_f1": float(f1_score(truth, restricted, average="macro")),
            "recall": dict(
                zip(
                    [fer_names[k] for k in shared],
                    recall_score(truth, restricted, labels=shared, average=None)
                    .round(4)
                    .tolist(),
                )
            ),
        },
        "neutral_allowed": {
            "accuracy": float(accuracy_score(truth, free)),
            "macro_f1": float(
                f1_score(truth, free, labels=shared, average="macro", zero_division=0)
            ),
            "answered_neutral": int((free == 6).sum()),
        },
        "n": int(keep.sum()),
        "command": " ".join(["python"] + sys.argv),
        "versions": {"skfer": __version__, "python": platform.python_version()},
    }
    print(json.dumps(result, indent=1))
    if args.output:
        Path(args.output).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
