"""Training throughput of one network under Keras' TensorFlow and JAX backends.

Usage: python bench/training_backends.py --jax-python PATH [--model v2]
       [--steps 10] [--output docs/results/training_backends_v2.json]

Each configuration runs in a fresh process: build the network, three
warm-up steps (compilation included; their time is reported as
``warmup_s``), then ``--steps`` timed ``train_on_batch`` calls on random
48x48x1 images (batch 64, Adam 1e-3, cross-entropy, float32, no
augmentation). TensorFlow runs under this interpreter; JAX runs under
``--jax-python``, an interpreter with ``jax`` installed (for example ``python
-m venv --system-site-packages /tmp/jaxenv && /tmp/jaxenv/bin/pip install
"jax[cpu]"``). JAX is measured with the training step compiled (Keras'
default) and op by op (``jit_compile=False``); TensorFlow is measured first
and again last, to show how much the machine drifted meanwhile.
Prints one JSON record per configuration. Stop other CPU work while it runs.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

CHILD = """
import json, sys, time
import numpy as np
import keras
sys.path.insert(0, {root!r})
from skfer.models import get_model
net = get_model({model!r})
net.compile(keras.optimizers.Adam(1e-3),
            keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            jit_compile={jit!r})
rng = np.random.default_rng(0)
X = rng.random((64, 48, 48, 1), dtype=np.float32)
y = rng.integers(0, 7, 64)
start = time.perf_counter()
for _ in range(3):
    net.train_on_batch(X, y)
warmup = time.perf_counter() - start
start = time.perf_counter()
for _ in range({steps}):
    net.train_on_batch(X, y)
seconds = time.perf_counter() - start
backend = keras.backend.backend()
module = __import__(backend)
print(json.dumps({{"images_per_s": 64 * {steps} / seconds, "seconds": seconds,
                  "warmup_s": warmup, "keras": keras.__version__,
                  "backend_version": module.__version__}}))
"""

# (backend, jit_compile); "auto" is Keras' default: XLA on JAX, none on TensorFlow
CONFIGS = [
    ("tensorflow", "auto"),
    ("jax", "auto"),
    ("jax", False),
    ("tensorflow", "auto"),  # again: how much the machine drifted
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="v2")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument(
        "--jax-python", required=True, help="a Python interpreter that has jax"
    )
    parser.add_argument("--output", default=None)
    args = parser.parse_args()
    root = str(Path(__file__).resolve().parents[1])
    records = []
    for backend, jit in CONFIGS:
        code = CHILD.format(root=root, model=args.model, steps=args.steps, jit=jit)
        python = sys.executable if backend == "tensorflow" else args.jax_python
        env = dict(os.environ, KERAS_BACKEND=backend)
        out = subprocess.run(
            [python, "-c", code], capture_output=True, text=True, env=env
        )
        if out.returncode:
            sys.exit(f"{backend} (jit_compile={jit}) failed:\n{out.stderr[-2000:]}")
        result = json.loads(out.stdout.strip().splitlines()[-1])
        record = {
            "model": args.model,
            "backend": backend,
            "jit_compile": jit,
            "batch_size": 64,
            "steps": args.steps,
            **result,
            "command": " ".join(["python"] + sys.argv),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
        }
        records.append(record)
        print(json.dumps(record), flush=True)
    if args.output:
        Path(args.output).write_text(json.dumps(records, indent=1) + "\n")


if __name__ == "__main__":
    main()
