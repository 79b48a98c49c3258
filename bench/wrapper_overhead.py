"""Training throughput: FERClassifier.fit vs raw keras Model.fit, interleaved.

Usage: python bench/wrapper_overhead.py [--model v1] [--n 2048] [--rounds 5]
       [--data ../shared/data/fer2013.npz] [--output FILE.json]

This machine's speed drifts by up to 2x within minutes (shared cores), so
configurations are not timed one after the other: each round trains every
configuration for one epoch, in turn, and the report is the median over
rounds 2..N (round 1 includes graph tracing) of img/s, and of each
configuration's ratio to raw Keras *within the same round*.

Configurations, all on the same images, network and optimizer:
- raw Keras ``Model.fit`` on float32 images, without and with the same
  augmentation layers (RandomTranslation 0.1 + RandomFlip) in the model;
- ``FERClassifier(warm_start=True, epochs=1).fit`` on uint8 rows (so every
  round goes through the wrapper's validation and conversion), with
  augmentation off/on, with ``precise_bn`` off/on, and seeded (TensorFlow op
  determinism on).
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="v1")
    parser.add_argument("--n", type=int, default=2048)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    default_data = (
        Path(__file__).resolve().parents[2] / "shared" / "data" / "fer2013.npz"
    )
    parser.add_argument("--data", default=str(default_data))
    parser.add_argument("--output")
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

    def raw(augment):
        keras.utils.set_random_seed(0)
        net = get_model(args.model)
        if augment:
            inputs = keras.Input((48, 48, 1))
            aug = keras.Sequential(
                [
                    keras.layers.RandomTranslation(0.1, 0.1, fill_mode="nearest"),
                    keras.layers.RandomFlip("horizontal"),
                ]
            )
            net = keras.Model(inputs, net(aug(inputs)))
        net.compile(
            keras.optimizers.Adam(1e-3),
            get_loss("crossentropy"),
            metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
        )
        return lambda: net.fit(
            images, y, epochs=1, batch_size=args.batch_size, verbose=0
        )

    def wrapped(**params):
        clf = FERClassifier(
            model=args.model,
            epochs=1,
            batch_size=args.batch_size,
            warm_start=True,
            **params,
        )
        return lambda: clf.fit(X, y)

    configs = {
        "raw Keras, no augmentation": raw(False),
        "raw Keras, augmentation layers in the model": raw(True),
        "FERClassifier augment=False precise_bn=False": wrapped(
            augment=False, precise_bn=False
        ),
        "FERClassifier augment=True precise_bn=False": wrapped(
            augment=True, precise_bn=False
        ),
        "FERClassifier augment=True precise_bn=True (default)": wrapped(),
        "FERClassifier default, random_state=0 (op determinism)": wrapped(
            random_state=0
        ),
    }
    no_aug, aug = list(configs)[:2]
    base = {name: aug for name in configs}
    base[no_aug] = base[aug] = base["FERClassifier augment=False precise_bn=False"] = (
        no_aug
    )
    seconds = {name: [] for name in configs}
    for r in range(args.rounds):
        for name, step in configs.items():
            start = time.perf_counter()
            step()
            seconds[name].append(time.perf_counter() - start)
        print(
            f"round {r + 1}: "
            + ", ".join(f"{s[-1]:.1f}" for s in seconds.values())
            + " s",
            flush=True,
        )
    rows = []
    for name, times in seconds.items():
        steady = np.array(times[1:] or times)
        ref = np.array(seconds[base[name]][1:] or seconds[base[name]])
        rows.append(
            {
                "configuration": name,
                "img_per_s": float(np.median(args.n / steady)),
                "vs": base[name],
                "ratio_to_raw": float(np.median(ref / steady)),
                "epoch_seconds": [round(t, 2) for t in times],
            }
        )
    result = {
        "command": " ".join(["python"] + sys.argv),
        "model": args.model,
        "images": args.n,
        "batch_size": args.batch_size,
        "rounds": args.rounds,
        "rows": rows,
        "versions": {
            "skfer": skfer.__version__,
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "python": platform.python_version(),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        },
    }
    print(f"command: {result['command']}")
    print(
        f"model {args.model}, {args.n} FER2013 Training images, batch "
        f"{args.batch_size}, median over rounds 2..{args.rounds}"
    )
    for row in rows:
        print(
            f"  {row['img_per_s']:7.1f} img/s  {row['ratio_to_raw']:5.2f}x "
            f"({row['vs']})  {row['configuration']}"
        )
    if args.output:
        Path(args.output).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
