"""Training throughput: FERClassifier.fit vs raw keras Model.fit on identical data.

Usage: python bench/wrapper_overhead.py [--model v1] [--n 2048] [--epochs 3]
       [--data ../shared/data/fer2013.npz]

Times every epoch after the first (the first includes graph tracing) with a
Keras callback, for: raw Keras (same network, same compile), FERClassifier
without augmentation and unseeded (the like-for-like comparison), seeded
(TensorFlow op determinism on) and with augmentation (the default). Prints
img/s per configuration and the versions.
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="v1")
    parser.add_argument("--n", type=int, default=2048)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    default_data = (
        Path(__file__).resolve().parents[2] / "shared" / "data" / "fer2013.npz"
    )
    parser.add_argument("--data", default=str(default_data))
    args = parser.parse_args()

    import keras
    import tensorflow as tf

    import skfer
    from skfer import FERClassifier
    from skfer.datasets import load_fer2013
    from skfer.losses import get_loss
    from skfer.models import get_model

    train = load_fer2013(args.data, subset="Training")
    idx = np.random.RandomState(0).choice(len(train.target), args.n, replace=False)
    X, y = train.data[idx], train.target[idx]
    images = (X.reshape(-1, 48, 48, 1) / 255.0).astype("float32")

    class EpochTimer(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.times = []

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.times.append(time.perf_counter() - self.start)

    def img_per_s(timer):
        steady = timer.times[1:] or timer.times
        return args.n / np.median(steady)

    results = {}
    timer = EpochTimer()
    keras.utils.set_random_seed(0)
    raw = get_model(args.model)
    raw.compile(
        keras.optimizers.Adam(1e-3),
        get_loss("crossentropy"),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
    )
    raw.fit(
        images,
        y,
        epochs=args.epochs,
        batch_size=args.batch_size,
        verbose=0,
        callbacks=[timer],
    )
    results["raw keras Model.fit (float32 input, no augmentation)"] = img_per_s(timer)

    configs = {
        "FERClassifier.fit (uint8 input, augment=False, random_state=None)": dict(
            augment=False, random_state=None
        ),
        "FERClassifier.fit (augment=False, random_state=0: op determinism on)": dict(
            augment=False, random_state=0
        ),
        "FERClassifier.fit (augment=True, default)": dict(
            augment=True, random_state=None
        ),
    }
    for name, params in configs.items():
        timer = EpochTimer()
        clf = FERClassifier(
            model=args.model,
            epochs=args.epochs,
            batch_size=args.batch_size,
            callbacks=[timer],
            **params,
        )
        clf.fit(X, y)
        results[name] = img_per_s(timer)

    print(f"command: {' '.join([sys.executable.rsplit('/', 1)[-1]] + sys.argv)}")
    print(
        f"model {args.model}, {args.n} FER2013 Training images, "
        f"batch {args.batch_size}, median of epochs 2..{args.epochs}"
    )
    base = results["raw keras Model.fit (float32 input, no augmentation)"]
    for name, value in results.items():
        print(f"  {value:7.1f} img/s  ({value / base:5.2f}x raw)  {name}")
    print(
        f"versions: skfer {skfer.__version__}, tensorflow {tf.__version__}, keras "
        f"{keras.__version__}, python {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()
