"""skfer on Keras' JAX backend, with TensorFlow absent (as on a GPU machine
that has JAX but not TensorFlow; see bench/gpu/run.sh).

Skipped where JAX is not installed (CI does not install it). To run it:
``python -m venv --system-site-packages /tmp/jaxenv && /tmp/jaxenv/bin/pip
install "jax[cpu]" && /tmp/jaxenv/bin/python -m pytest tests/test_backends.py``.
"""

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent(
    """
    import json, sys

    class NoTensorFlow:  # TensorFlow is not there
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "tensorflow":
                raise ImportError("No module named 'tensorflow'")

    sys.meta_path.insert(0, NoTensorFlow())
    import numpy as np
    from skfer import FERClassifier
    from skfer.datasets import make_faces
    from skfer.models import register_model
    from tests.conftest import tiny_model

    register_model("tiny")(tiny_model)
    X, y = make_faces(n_samples=120, random_state=0)
    kw = dict(model="tiny", batch_size=32, random_state=0, verbose=0)
    first = FERClassifier(epochs=2, checkpoint_dir=sys.argv[1], **kw).fit(X, y)
    again = FERClassifier(epochs=2, **kw).fit(X, y)
    resumed = FERClassifier(epochs=3, checkpoint_dir=sys.argv[1], **kw).fit(X, y)
    from skfer.reproduce.runner import versions

    print(json.dumps({
        "backend": __import__("keras").backend.backend(),
        "tensorflow_imported": "tensorflow" in sys.modules,
        "jit": [bool(first.model_.jit_compile), bool(resumed.model_.jit_compile)],
        "same_seed_same_scores": bool(np.allclose(
            first.predict_proba(X[:8]), again.predict_proba(X[:8]), atol=1e-5)),
        "resumed_epochs": [resumed.fit_epochs_, len(resumed.history_["loss"])],
        "loss": [float(v) for v in resumed.history_["loss"]],
        "proba_sums": resumed.predict_proba(X[:8]).sum(axis=1).tolist(),
        "versions": versions(),
    }))
    """
)


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="JAX not installed")
def test_training_on_jax_without_tensorflow(tmp_path):
    import json

    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "ckpt")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["backend"] == "jax" and not report["tensorflow_imported"]
    # the augmenting training step is compiled, also after resuming
    assert report["jit"] == [True, True]
    assert report["same_seed_same_scores"]
    assert report["resumed_epochs"] == [1, 3]
    # it trains (these tiny faces are barely learnable in 3 epochs, on
    # TensorFlow too: the loss falls, no more is asked)
    assert report["loss"][-1] < report["loss"][0]
    assert all(abs(total - 1) < 1e-5 for total in report["proba_sums"])
    assert report["versions"]["keras_backend"] == "jax"
    assert "jax" in report["versions"] and "tensorflow" not in report["versions"]
