"""Training speed and accuracy of FERClassifier(precision=...) on this CPU.

Usage:
    python bench/training_precision.py speed [--model v2] [--images 1536]
        [--rounds 3] [--augment both] [--output docs/results/training_precision_v2.json]

``speed`` times ``FERClassifier.fit`` (the library path: batch 64, no
seeding; ``--model v1,v2`` for several networks, ``--augment both`` with and
without the augmentation layers) in float32 and in mixed bfloat16,
interleaved in one process for ``--rounds`` rounds (this machine's speed
drifts), on the first ``--images`` FER2013 Training images when the data is
there and on synthetic faces otherwise. Per configuration it records the
median seconds per training step after two warm-up steps (images per second
= 64 / that) and the whole ``fit`` call, plus what ``precision="auto"``
resolves to here.

Accuracy parity of bfloat16 against two float32 seeds is part of
``bench/recipe_study.py`` (resumable; it shares the study-recipe runs).

It records the CPU model name and its AMX/AVX512 bfloat16 flags. Stop other
CPU work while it runs (this machine has 2 cores).
"""

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def machine():
    """CPU model name, its bfloat16 flags, core count, library versions."""
    import keras
    import tensorflow as tf

    from skfer._precision import cpu_bf16_flags, cpu_model, resolve_precision

    return {
        "cpu_model": cpu_model(),
        "cpu_bf16_flags": list(cpu_bf16_flags()),
        "cores": os.cpu_count(),
        "auto_resolves_to": resolve_precision("auto"),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "python": platform.python_version(),
        "command": " ".join(["python"] + sys.argv),
    }


def _fer2013(path):
    import numpy as np

    if path is None or not Path(path).exists():
        return None
    with np.load(path) as data:
        return data["images"], data["labels"], data["usage"]


def speed(args):
    import keras
    import numpy as np

    from skfer import FERClassifier
    from skfer.datasets import make_faces

    data = _fer2013(args.fer2013)
    if data is not None:
        images, labels, usage = data
        train = usage == "Training"
        X = images[train][: args.images]
        y = labels[train][: args.images]
        source = f"FER2013 Training, first {len(y)} images"
    else:
        X, y = make_faces(n_samples=args.images, random_state=0)
        source = f"make_faces, {len(y)} images"

    class Steps(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            self.start = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            self.times.append(time.perf_counter() - self.start)

    records = []
    models = args.model.split(",")
    augments = {"on": [True], "off": [False], "both": [True, False]}[args.augment]
    configs = [
        (model, augment, precision)
        for model in models
        for augment in augments
        for precision in ("float32", "bfloat16")
    ]
    for round_ in range(args.rounds):
        for model, augment, precision in configs:
            steps = Steps()
            steps.times = []
            clf = FERClassifier(
                model=model,
                epochs=1,
                augment=augment,
                precision=precision,
                precise_bn=False,
                callbacks=[steps],
            )
            start = time.perf_counter()
            clf.fit(X, y)
            seconds = time.perf_counter() - start
            step = float(np.median(steps.times[2:]))
            record = {
                "round": round_,
                "model": model,
                "precision": precision,
                "batch_size": clf.batch_size,
                "augment": clf.augment,
                "images": len(y),
                "data": source,
                "median_step_s": step,
                "images_per_s_steps": clf.batch_size / step,
                "fit_s": seconds,
                "images_per_s_fit": len(y) / seconds,
            }
            records.append(record)
            print(json.dumps(record), flush=True)
    summary = {}
    for model in models:
        for augment in augments:
            key = f"{model}, augment {'on' if augment else 'off'}"
            rates = {}
            for precision in ("float32", "bfloat16"):
                rates[precision] = float(
                    np.median(
                        [
                            r["images_per_s_steps"]
                            for r in records
                            if (r["model"], r["augment"], r["precision"])
                            == (model, augment, precision)
                        ]
                    )
                )
            rates["bfloat16_over_float32"] = rates["bfloat16"] / rates["float32"]
            summary[key] = rates
    return {"kind": "speed", "machine": machine(), "summary": summary, "runs": records}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["speed"])
    parser.add_argument("--model", default=None)
    parser.add_argument("--images", type=int, default=1536)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--augment", choices=["on", "off", "both"], default="on")
    parser.add_argument(
        "--fer2013", default=str(ROOT.parent / "shared" / "data" / "fer2013.npz")
    )
    parser.add_argument("--output", default=None)
    args = parser.parse_args()
    if args.model is None:
        args.model = "v2"
    result = speed(args)
    print(json.dumps(result["summary"]))
    if args.output:
        Path(args.output).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
