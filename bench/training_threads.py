"""Training throughput under TensorFlow thread settings, batch sizes, precisions.

Usage: python bench/training_threads.py [--model v2] [--steps 10]
       [--output docs/results/training_threads_v2.json]

Each configuration runs in a fresh Python process (TensorFlow's thread pools
are fixed at start-up): build the network, three warm-up steps, then
``--steps`` timed ``train_on_batch`` calls on random 48x48x1 images (Adam,
cross-entropy, no augmentation). "0" threads means TensorFlow's default;
the precision is a Keras dtype policy; oneDNN off sets TF_ENABLE_ONEDNN_OPTS=0.
Prints one JSON record per configuration: images per second.
Stop other CPU work while it runs; this machine has 2 cores.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

CHILD = """
import json, os, sys, time
inter, intra, batch, steps, model = {inter}, {intra}, {batch}, {steps}, {model!r}
import tensorflow as tf
if inter:
    tf.config.threading.set_inter_op_parallelism_threads(inter)
if intra:
    tf.config.threading.set_intra_op_parallelism_threads(intra)
import keras
keras.mixed_precision.set_global_policy({policy!r})
import numpy as np
sys.path.insert(0, {root!r})
from skfer.models import get_model
net = get_model(model)
net.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
rng = np.random.default_rng(0)
X = rng.random((batch, 48, 48, 1), dtype=np.float32)
y = rng.integers(0, 7, batch)
for _ in range(3):
    net.train_on_batch(X, y)
start = time.perf_counter()
for _ in range(steps):
    net.train_on_batch(X, y)
seconds = time.perf_counter() - start
print(json.dumps({{"images_per_s": batch * steps / seconds, "seconds": seconds,
                  "tensorflow": tf.__version__}}))
"""

# (inter-op threads, intra-op threads, batch size, dtype policy, oneDNN);
# 0 threads = TensorFlow's default
CONFIGS = [
    (0, 0, 64, "float32", True),
    (1, 2, 64, "float32", True),
    (2, 1, 64, "float32", True),
    (1, 1, 64, "float32", True),
    (0, 0, 32, "float32", True),
    (0, 0, 128, "float32", True),
    (0, 0, 256, "float32", True),
    (0, 0, 64, "mixed_bfloat16", True),
    (0, 0, 64, "float32", False),
    (0, 0, 64, "float32", True),  # the default again: how much the machine drifted
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="v2")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--output", default=None)
    args = parser.parse_args()
    root = str(Path(__file__).resolve().parents[1])
    records = []
    for inter, intra, batch, policy, onednn in CONFIGS:
        code = CHILD.format(
            inter=inter,
            intra=intra,
            batch=batch,
            policy=policy,
            steps=args.steps,
            model=args.model,
            root=root,
        )
        env = dict(os.environ, TF_ENABLE_ONEDNN_OPTS="1" if onednn else "0")
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        ).stdout
        result = json.loads(out.strip().splitlines()[-1])
        record = {
            "model": args.model,
            "inter_op_threads": inter or "default",
            "intra_op_threads": intra or "default",
            "batch_size": batch,
            "dtype_policy": policy,
            "onednn": onednn,
            "steps": args.steps,
            **result,
            "command": " ".join(["python"] + sys.argv),
            "python": platform.python_version(),
        }
        records.append(record)
        print(json.dumps(record), flush=True)
    if args.output:
        Path(args.output).write_text(json.dumps(records, indent=1) + "\n")


if __name__ == "__main__":
    main()
