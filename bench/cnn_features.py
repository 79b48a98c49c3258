"""Table D, first part: classical classifiers on the shipped Model 1's features.

Usage:
  python bench/cnn_features.py [--data ../shared/data/fer2013.npz] [--output FILE.json]

Embeds every FER2013 image with the penultimate layer of
``skfer.pretrained("v1-fer2013")`` (CNNFeatureExtractor, prefit), fits a
random forest, a linear SVM and a logistic regression on the Training
embeddings with fixed hyper-parameters (nothing tuned), and reports accuracy
and macro-F1 on PublicTest and PrivateTest next to the CNN's own softmax head.
"""

import argparse
import json
import sys
import time
from pathlib import Path


def main():
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "fer2013.npz"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(default))
    parser.add_argument("--output")
    args = parser.parse_args()

    from sklearn.metrics import accuracy_score, f1_score

    import skfer
    from skfer.datasets import load_fer2013
    from skfer.features import CNNFeatureExtractor
    from skfer.reproduce.experiments import feature_heads

    data = load_fer2013(args.data)
    clf = skfer.pretrained("v1-fer2013")
    start = time.perf_counter()
    features = CNNFeatureExtractor(clf, prefit=True).fit(data.data).transform(data.data)
    embed_s = time.perf_counter() - start
    split = {u: data.usage == u for u in ("Training", "PublicTest", "PrivateTest")}
    train = split["Training"]
    heads = feature_heads()
    rows = []

    def report(name, predict, fit_s):
        for usage in ("PublicTest", "PrivateTest"):
            mask = split[usage]
            pred = predict(mask)
            rows.append(
                {
                    "classifier": name,
                    "split": usage,
                    "accuracy": float(accuracy_score(data.target[mask], pred)),
                    "macro_f1": float(
                        f1_score(data.target[mask], pred, average="macro")
                    ),
                    "fit_s": fit_s,
                }
            )
            print(json.dumps(rows[-1]), flush=True)

    report("Model 1 softmax head", lambda m: clf.predict(data.data[m]), 0.0)
    for name, head in heads.items():
        start = time.perf_counter()
        head.fit(features[train], data.target[train])
        report(
            name, lambda m, h=head: h.predict(features[m]), time.perf_counter() - start
        )
    result = {
        "table": "D",
        "dataset": "FER2013",
        "protocol": "features of the shipped Model 1 (trained on Training, epoch "
        "chosen on PublicTest); classifiers fitted on Training with fixed "
        "hyper-parameters; PublicTest and PrivateTest reported",
        "embedding_s": embed_s,
        "rows": rows,
        "command": " ".join(["python"] + sys.argv),
        "skfer": skfer.__version__,
    }
    if args.output:
        from skfer._checkpoint import atomic_write_text

        atomic_write_text(args.output, json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
