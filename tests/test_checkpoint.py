"""Resumable training: per-epoch checkpoints, kill and resume."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from skfer import FERClassifier
from skfer.exceptions import InvalidValueError


def tiny(folder, **params):
    base = dict(
        model="tiny",
        epochs=2,
        batch_size=16,
        augment=False,
        random_state=0,
        checkpoint_dir=str(folder),
    )
    return FERClassifier(**{**base, **params})


def test_checkpoint_files_and_resume(faces, tmp_path):
    X, y = faces
    first = tiny(tmp_path).fit(X, y, validation_data=(X[:30], y[:30]))
    state = json.loads((tmp_path / "state.json").read_text())
    assert state["epochs_done"] == 2
    assert {"last.keras", "best.keras", "state.json"} <= set(os.listdir(tmp_path))
    # no temporary files (".<name>.<random><suffix>") left behind
    assert not [name for name in os.listdir(tmp_path) if name.startswith(".")]
    assert first.checkpoint_best_["epoch"] in (1, 2)

    resumed = tiny(tmp_path, epochs=4).fit(X, y, validation_data=(X[:30], y[:30]))
    assert resumed.fit_epochs_ == 2  # only the missing epochs were trained
    assert len(resumed.history_["loss"]) == 4
    assert resumed.history_["loss"][:2] == first.history_["loss"]
    assert json.loads((tmp_path / "state.json").read_text())["epochs_done"] == 4

    done = tiny(tmp_path, epochs=4).fit(X, y)
    assert done.fit_epochs_ == 0
    np.testing.assert_allclose(
        done.predict_proba(X[:5]), resumed.predict_proba(X[:5]), atol=1e-6
    )


def test_checkpoint_with_other_settings_is_refused(faces, tmp_path):
    X, y = faces
    tiny(tmp_path, epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="different settings \\(loss\\)"):
        tiny(tmp_path, loss="svm").fit(X, y)


SCRIPT = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {tests!r})
    from conftest import _register_tiny, make_separable
    _register_tiny()
    from skfer import FERClassifier
    X, y = make_separable(n=400)
    FERClassifier(model="tiny", epochs=1000, batch_size=8, augment=False,
                  learning_rate=1e-2, random_state=0,
                  checkpoint_dir={folder!r}).fit(X, y)
    """
)


def test_killed_run_resumes_from_its_last_epoch(tmp_path):
    folder = tmp_path / "run"
    script = SCRIPT.format(tests=os.path.dirname(__file__), folder=str(folder))
    proc = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    state_path = folder / "state.json"
    deadline = time.time() + 240
    try:
        while time.time() < deadline:
            if (
                state_path.exists()
                and json.loads(state_path.read_text())["epochs_done"] >= 2
            ):
                break
            if proc.poll() is not None:
                pytest.fail(f"training process exited early ({proc.returncode})")
            time.sleep(0.5)
        else:
            pytest.fail("no checkpoint after 240 s")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    done = json.loads(state_path.read_text())["epochs_done"]
    assert done >= 2

    from .conftest import make_separable

    X, y = make_separable(n=400)
    clf = FERClassifier(
        model="tiny",
        epochs=done + 1,
        batch_size=8,
        augment=False,
        learning_rate=1e-2,
        random_state=0,
        checkpoint_dir=str(folder),
    ).fit(X, y)
    assert clf.fit_epochs_ == 1
    assert len(clf.history_["loss"]) == done + 1
    assert clf.score(X, y) > 0.8  # it kept learning from the killed run's weights


CTRL_C_SCRIPT = textwrap.dedent(
    """
    import faulthandler, json, signal, sys
    # on a hang the test asks for every thread's stack (SIGUSR1)
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    print("SIGINT handler:", signal.getsignal(signal.SIGINT), file=sys.stderr,
          flush=True)
    sys.path.insert(0, {tests!r})
    from conftest import _register_tiny
    _register_tiny()
    from skfer import FERClassifier
    from skfer.datasets import make_faces
    X, y = make_faces(n_samples=400, random_state=0)
    clf = FERClassifier(model="tiny", epochs=1000, batch_size=8, augment=False,
                        random_state=0, checkpoint_dir={folder!r})
    try:
        clf.fit(X, y)
    except KeyboardInterrupt as exc:
        print(json.dumps({{
            "message": str(exc),
            "interrupted": clf.interrupted_,
            "epochs": clf.fit_epochs_,
            "history": len(clf.history_["loss"]),
            "predictions": len(clf.predict(X)),
        }}))
    """
)


def _default_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_leaves_a_usable_estimator_and_a_resumable_run(tmp_path):
    folder = tmp_path / "run"
    script = CTRL_C_SCRIPT.format(tests=os.path.dirname(__file__), folder=str(folder))
    # stderr goes to a file: a pipe nobody reads could fill up and block it
    err_path = tmp_path / "stderr.txt"
    with open(err_path, "w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", script],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            # as if started from a terminal: a shell starts background jobs
            # ("cmd &" without job control) with SIGINT ignored, and a Python
            # started so never raises KeyboardInterrupt, so a test run launched
            # in the background waited here for ever
            preexec_fn=_default_sigint,
        )

    def fail(why):
        # dump the child's stacks, then stop it and show what it said
        if proc.poll() is None:
            proc.send_signal(signal.SIGUSR1)
            time.sleep(3)
            proc.kill()
        proc.communicate()
        pytest.fail(f"{why}; child stderr (end):\n{err_path.read_text()[-6000:]}")

    state_path = folder / "state.json"
    deadline = time.time() + 240
    while not (
        state_path.exists() and json.loads(state_path.read_text())["epochs_done"] >= 1
    ):
        if proc.poll() is not None:
            fail("training process exited early")
        if time.time() > deadline:
            fail("no checkpoint after 240 s")
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
    try:
        out, _ = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        fail("the training process did not exit within 120 s of SIGINT")
    assert proc.returncode == 0
    report = json.loads(out.strip().splitlines()[-1])
    assert report["interrupted"] is True
    assert report["epochs"] >= 1 and report["history"] == report["epochs"]
    assert report["predictions"] == 400
    assert "call fit again to resume" in report["message"]
    done = json.loads(state_path.read_text())["epochs_done"]
    assert done >= report["epochs"]
    from skfer.datasets import make_faces

    X, y = make_faces(n_samples=400, random_state=0)
    clf = tiny(folder, epochs=done + 1, batch_size=8).fit(X, y)
    assert clf.fit_epochs_ == 1 and not clf.interrupted_
    assert len(clf.history_["loss"]) == done + 1


@pytest.mark.parametrize("augment, crop", [(False, None), (True, None), (True, 44)])
def test_resumed_run_equals_an_uninterrupted_one(separable, tmp_path, augment, crop):
    """2 epochs, stop, resume to 4 == 4 epochs straight (seeded, on CPU): each
    epoch's order, dropout masks and augmentation depend on the seed and the
    epoch only."""
    X, y = separable
    params = dict(
        model="tiny",
        batch_size=16,
        learning_rate=1e-2,
        dropout=0.2,
        augment=augment,
        crop=crop,
        random_state=0,
    )
    straight = FERClassifier(epochs=4, **params).fit(X, y)
    FERClassifier(epochs=2, checkpoint_dir=str(tmp_path), **params).fit(X, y)
    resumed = FERClassifier(epochs=4, checkpoint_dir=str(tmp_path), **params)
    resumed.fit(X, y)
    assert resumed.fit_epochs_ == 2
    assert resumed.history_["loss"] == straight.history_["loss"]
    for a, b in zip(straight.model_.get_weights(), resumed.model_.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(straight.predict_proba(X), resumed.predict_proba(X))
    # and the model learnt something, so equal outputs are not trivially equal
    assert straight.score(X, y) > 0.5


@pytest.mark.parametrize(
    "other",
    [
        {"random_state": 1},
        {"optimizer__beta_1": 0.5},
        {"optimizer": "sgd", "optimizer__momentum": 0.5},
        {"precision": "bfloat16"},
        {"precise_bn": False},
        {"class_weight": "balanced"},
        {"optimizer__epsilon": 1e-4},
        {"model__width": 2},
        {"crop": 44},
    ],
)
def test_resume_with_other_settings_is_refused(separable, tmp_path, other):
    """Every setting that changes what an epoch does (or what fit returns) is
    part of a checkpoint's identity: a resume with another is refused, never
    continued silently."""
    X, y = separable
    params = dict(model="tiny", batch_size=32, random_state=0, augment=False)
    FERClassifier(epochs=1, checkpoint_dir=str(tmp_path), **params).fit(X, y)
    clf = FERClassifier(epochs=2, checkpoint_dir=str(tmp_path), **{**params, **other})
    key = next(reversed(other)).split("__")[-1]  # beta_1 and momentum by name
    with pytest.raises(InvalidValueError, match="different settings") as info:
        clf.fit(X, y)
    assert key in str(info.value) or "routed" in str(info.value)


def test_a_checkpoint_from_before_the_full_identity_still_resumes(separable, tmp_path):
    import json

    X, y = separable
    params = dict(model="tiny", batch_size=32, random_state=0, augment=False)
    FERClassifier(epochs=1, checkpoint_dir=str(tmp_path), **params).fit(X, y)
    state_path = tmp_path / "state.json"
    state = json.loads(state_path.read_text())
    for key in (
        "identity",
        "random_state",
        "beta_1",
        "pretrained",
        "freeze_epochs",
        "precision",
        "precise_bn",
        "routed",
    ):
        del state["settings"][key]  # what older skfer versions recorded
    state_path.write_text(json.dumps(state))
    clf = FERClassifier(epochs=2, checkpoint_dir=str(tmp_path), **params).fit(X, y)
    assert clf.fit_epochs_ == 1
