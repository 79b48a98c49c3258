"""Why does the SVM loss learn slower than cross-entropy? A short probe.

Trains Model 1 through ``FERClassifier`` on all of FER2013 Training for a
few epochs (seed 0, the study's recipe otherwise) with:

- ``crossentropy``: softmax + cross-entropy (reference);
- ``svm``: skfer's L2 multiclass SVM, Crammer-Singer style,
  ``0.5 * sum_{j != y} max(0, s_j - s_y + 1)^2`` (the study's formula);
- ``svm-ovr``: one-vs-rest squared hinge, ``mean_j max(0, 1 - t_j s_j)^2``
  with ``t_j = +1`` for the true class and ``-1`` otherwise: what Keras'
  ``squared_hinge`` computes on one-hot targets, the usual way an
  "L2-SVM head" is written in Keras;
- ``svm-mean``: skfer's SVM loss divided by the number of wrong classes (6),
  i.e. the same loss with the classes averaged instead of summed (its
  gradients are 6x smaller: the same as a 6x smaller learning rate).

Reports training accuracy and PublicTest accuracy per epoch (PrivateTest is
never touched), and the class scores' spread at the end, as JSON.

    python bench/svm_probe.py --fer2013 ../shared/data/fer2013.npz --epochs 4
"""

import argparse
import json
import platform
import time
from pathlib import Path

from skfer._keras import keras

ops = keras.ops


class OneVsRestSquaredHinge(keras.losses.Loss):
    """Keras' squared hinge on one-hot targets in {-1, +1}, from integer labels."""

    def call(self, y_true, y_pred):
        labels = ops.reshape(ops.cast(y_true, "int32"), (-1,))
        target = (
            2.0 * ops.one_hot(labels, ops.shape(y_pred)[-1], dtype=y_pred.dtype) - 1
        )
        return ops.mean(ops.square(ops.relu(1.0 - target * y_pred)), axis=-1)


class MeanSquaredHinge(keras.losses.Loss):
    """skfer's multiclass squared hinge, averaged over the wrong classes."""

    def call(self, y_true, y_pred):
        from skfer.losses import MulticlassSquaredHinge

        n_wrong = ops.cast(ops.shape(y_pred)[-1] - 1, y_pred.dtype)
        return MulticlassSquaredHinge(reduction=None).call(y_true, y_pred) / n_wrong


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fer2013", required=True)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--model", default="v1")
    parser.add_argument("--losses", default="crossentropy,svm,svm-ovr,svm-mean")
    parser.add_argument("--output")
    args = parser.parse_args()

    from skfer import FERClassifier
    from skfer.datasets import load_fer2013

    data = load_fer2013(args.fer2013)
    train, public = data.usage == "Training", data.usage == "PublicTest"
    losses = {
        "crossentropy": "crossentropy",
        "svm": "svm",
        "svm-ovr": OneVsRestSquaredHinge(),
        "svm-mean": MeanSquaredHinge(),
    }
    from skfer import _fit_loop as _classifier  # where fit builds its loss

    built_in = _classifier.get_loss
    out = {}
    for name in args.losses.split(","):
        start = time.perf_counter()
        loss = losses[name]
        # FERClassifier takes loss names only: the probe's own losses go in
        # under the "svm" name, at the point where the estimator builds it
        _classifier.get_loss = (
            built_in if isinstance(loss, str) else (lambda *a, _l=loss, **k: _l)
        )
        clf = FERClassifier(
            model=args.model,
            loss=loss if isinstance(loss, str) else "svm",
            epochs=args.epochs,
            random_state=0,
            verbose=0,
        ).fit(
            data.data[train],
            data.target[train],
            validation_data=(data.data[public], data.target[public]),
        )
        scores = clf.decision_function(data.data[public])
        out[name] = {
            "train_accuracy": [round(v, 4) for v in clf.history_["accuracy"]],
            "loss": [round(v, 4) for v in clf.history_["loss"]],
            "public_accuracy": [round(v, 4) for v in clf.history_["val_accuracy"]],
            "public_accuracy_end": float(
                (scores.argmax(1) == data.target[public]).mean()
            ),
            "score_std": float(scores.std()),
            "wall_s": round(time.perf_counter() - start, 1),
        }
        print(name, json.dumps(out[name]), flush=True)
    out["machine"] = platform.processor() or platform.machine()
    out["command"] = "python bench/svm_probe.py " + " ".join(
        f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items() if v
    )
    if args.output:
        Path(args.output).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
