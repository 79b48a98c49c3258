"""Train a study model on FER2013 under the official protocol, resumably.

Usage:
  python bench/train_fer2013.py --model v2 --loss crossentropy --epochs 50 \\
      --run-dir ~/skfer_runs/v2-crossentropy-aug [--no-augment] \\
      [--time-limit 3600] [--data ../shared/data/fer2013.npz] [--seed 0]

Trains on Training, validates on PublicTest after every epoch and keeps the
best epoch by PublicTest accuracy (best.keras). Every epoch is checkpointed
in --run-dir; re-running the same command resumes where it stopped, so a long
run can be spread over several sessions. --time-limit stops cleanly after the
epoch that crosses it. PrivateTest is evaluated once, with the best-PublicTest
weights, only when all --epochs are done; the result goes to
<run-dir>/result.json with the command, versions and wall time.
"""

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np


def main():
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "fer2013.npz"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="v2")
    parser.add_argument("--loss", default="crossentropy")
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--no-augment", action="store_true")
    parser.add_argument("--run-dir", required=True)
    parser.add_argument("--time-limit", type=float, default=None, help="seconds")
    parser.add_argument("--data", default=str(default))
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()

    import keras
    import tensorflow as tf

    import skfer
    from skfer import FERClassifier
    from skfer._checkpoint import atomic_write_text
    from skfer.datasets import load_fer2013
    from skfer.model_selection import evaluation_report

    class TimeLimit(keras.callbacks.Callback):
        def __init__(self, seconds):
            super().__init__()
            self.seconds, self.start = seconds, time.monotonic()

        def on_epoch_end(self, epoch, logs=None):
            if time.monotonic() - self.start > self.seconds:
                print(f"time limit of {self.seconds:.0f} s reached; stopping")
                self.model.stop_training = True

    run_dir = Path(os.path.expanduser(args.run_dir))
    data = load_fer2013(args.data)
    train, public = data.usage == "Training", data.usage == "PublicTest"
    clf = FERClassifier(
        model=args.model,
        loss=args.loss,
        epochs=args.epochs,
        batch_size=args.batch_size,
        augment=not args.no_augment,
        random_state=args.seed,
        checkpoint_dir=str(run_dir),
        callbacks=[TimeLimit(args.time_limit)] if args.time_limit else None,
        verbose=2,
    )
    start = time.perf_counter()
    clf.fit(
        data.data[train],
        data.target[train],
        validation_data=(data.data[public], data.target[public]),
    )
    wall = time.perf_counter() - start
    done = len(clf.history_["loss"])
    print("epoch  loss    acc     val_loss val_acc")
    for i in range(done):
        h = clf.history_
        print(
            f"{i + 1:5d}  {h['loss'][i]:.4f}  {h['accuracy'][i]:.4f}  "
            f"{h['val_loss'][i]:.4f}   {h['val_accuracy'][i]:.4f}"
        )
    best = clf.checkpoint_best_
    print(
        f"best PublicTest accuracy {best['val_accuracy']:.4f} at epoch {best['epoch']}"
    )
    if done < args.epochs:
        print(f"{done}/{args.epochs} epochs done; re-run the same command to resume.")
        return
    best_model = keras.models.load_model(run_dir / "best.keras")
    private = data.usage == "PrivateTest"
    images = clf._validate_X(data.data[private], reset=False)
    scores = best_model.predict(images, batch_size=256, verbose=0)
    pred = clf.classes_[np.argmax(scores, axis=1)]
    report = evaluation_report(
        data.target[private], pred, labels=range(7), target_names=data.target_names
    )
    result = {
        "dataset": "FER2013",
        "protocol": "train Training, select epoch on PublicTest, report PrivateTest",
        "model": args.model,
        "loss": args.loss,
        "augment": not args.no_augment,
        "epochs": args.epochs,
        "best_epoch": best["epoch"],
        "public_accuracy": best["val_accuracy"],
        "private_accuracy": float(report["summary"]["accuracy"].iloc[0]),
        "private_macro_f1": float(report["summary"]["macro_f1"].iloc[0]),
        "seed": args.seed,
        "command": " ".join(["python"] + sys.argv),
        "wall_s_last_session": wall,
        "versions": {
            "skfer": skfer.__version__,
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "python": platform.python_version(),
        },
    }
    atomic_write_text(run_dir / "result.json", json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
