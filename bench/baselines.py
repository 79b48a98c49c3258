"""Classical baselines on FER2013 under the official protocol.

Usage: python bench/baselines.py [--baselines hog_linear_svm pca_svc rf_pixels]
       [--data ../shared/data/fer2013.npz] [--out results.json]

Each pipeline of skfer.features.make_baseline is fitted on Training, scored on
PublicTest, and reported on PrivateTest (these baselines have no
hyper-parameters chosen here, so PublicTest is only reported beside). Prints
one JSON record per figure with the command, wall time and versions.
"""

import argparse
import json
import platform
import sys
import time
from pathlib import Path


def main():
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "fer2013.npz"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baselines", nargs="+", default=["hog_linear_svm"])
    parser.add_argument("--data", default=str(default))
    parser.add_argument("--out", default=None)
    args = parser.parse_args()

    import sklearn

    import skfer
    from skfer.datasets import load_fer2013
    from skfer.features import make_baseline
    from skfer.model_selection import evaluation_report

    data = load_fer2013(args.data)
    parts = {u: data.usage == u for u in ("Training", "PublicTest", "PrivateTest")}
    records = []
    for name in args.baselines:
        start = time.perf_counter()
        model = make_baseline(name).fit(
            data.data[parts["Training"]], data.target[parts["Training"]]
        )
        fit_s = time.perf_counter() - start
        for split in ("PublicTest", "PrivateTest"):
            pred = model.predict(data.data[parts[split]])
            summary = evaluation_report(
                data.target[parts[split]], pred, labels=range(7)
            )["summary"]
            for metric in ("accuracy", "macro_f1"):
                records.append(
                    {
                        "table": "D",
                        "dataset": "FER2013",
                        "model": name,
                        "protocol": "fit Training, report PublicTest and PrivateTest",
                        "split": split,
                        "metric": metric,
                        "value": float(summary[metric].iloc[0]),
                        "command": " ".join(["python"] + sys.argv),
                        "wall_s": fit_s,
                        "versions": {
                            "skfer": skfer.__version__,
                            "scikit-learn": sklearn.__version__,
                            "python": platform.python_version(),
                        },
                    }
                )
                print(f"{name:16s} {split:12s} {metric:9s} {records[-1]['value']:.4f}")
        print(f"{name}: fit {fit_s:.0f} s", flush=True)
    if args.out:
        Path(args.out).write_text(json.dumps(records, indent=1))


if __name__ == "__main__":
    main()
