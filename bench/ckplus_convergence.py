"""Have the CK+ folds converged? Their training curves, never their test scores.

Usage:
    cd docs/results/runs && python ../../../bench/ckplus_convergence.py \\
        ckplus-v1-crossentropy-aug-subject ckplus-v2-crossentropy-aug-subject

Reads each run's ``fold-XX.json`` (the evidence ``skfer reproduce`` keeps)
and prints, per run, the training loss and training accuracy (augmented
batches, as Keras reports them) averaged over the folds at every 5th epoch,
and the first epoch after which the mean training loss never again falls by
more than 5% of its first-epoch value over the next 10 epochs (the plateau).
Only the training folds' curves are read: the number of epochs is decided
without the test folds, as the protocol wants.
"""

import argparse
import json
from pathlib import Path

import numpy as np


def curves(run):
    folds = sorted(Path(run).glob("fold-*.json"))
    if not folds:
        raise SystemExit(f"no fold-XX.json in {run}")
    histories = [json.loads(f.read_text())["history"] for f in folds]
    loss = np.mean([h["loss"] for h in histories], axis=0)
    accuracy = np.mean([h["accuracy"] for h in histories], axis=0)
    return len(folds), loss, accuracy


def plateau(loss, window=10, fraction=0.05):
    """First epoch (1-based) from which the loss drops < fraction of loss[0]
    over every later window of ``window`` epochs; None if never."""
    tolerance = fraction * loss[0]
    for start in range(len(loss) - window):
        drops = [loss[e] - loss[e + window] for e in range(start, len(loss) - window)]
        if max(drops) < tolerance:
            return start + 1
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+")
    args = parser.parse_args()
    out = {}
    for run in args.runs:
        n, loss, accuracy = curves(run)
        every = list(range(4, len(loss), 5))
        out[Path(run).name] = {
            "folds": n,
            "epochs": len(loss),
            "epoch": [e + 1 for e in every],
            "train_loss": [round(float(loss[e]), 4) for e in every],
            "train_accuracy": [round(float(accuracy[e]), 4) for e in every],
            "plateau_epoch": plateau(loss),
        }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
