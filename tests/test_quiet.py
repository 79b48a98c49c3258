"""TensorFlow's C++ start-up lines stay off a library user's stderr."""

import os
import subprocess
import sys
import textwrap

import pytest

NOISE = (
    "WARNING: All log messages before absl::InitializeLog() is called are "
    "written to STDERR\n"
    "I0000 00:00:1796464522.529864   18731 port.cc:153] oneDNN custom "
    "operations are on.\n"
    "I0000 00:00:1796464522.530221   18731 cudart_stub.cc:31] Could not find "
    "cuda drivers on your machine, GPU will not be used.\n"
    "To enable the following instructions: AVX2 FMA, in other operations, "
    "rebuild TensorFlow with the appropriate compiler flags.\n"
)
OTHER = "UserWarning: something the user should see\n"


def _python(code, tmp_path=None, **env):
    environ = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    environ.pop("KERAS_BACKEND", None)
    if tmp_path is not None:  # a stand-in tensorflow package comes first
        environ["PYTHONPATH"] = os.pathsep.join(
            [str(tmp_path), environ.get("PYTHONPATH", "")]
        )
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        env=environ,
    )


def _fake_tensorflow(tmp_path, *, fails):
    """A ``tensorflow`` package that writes NOISE and OTHER to descriptor 2."""
    package = tmp_path / "tensorflow"
    package.mkdir()
    (package / "__init__.py").write_text(
        textwrap.dedent(
            f"""
            import os
            try:  # as C++ logging does, a closed descriptor 2 is ignored
                os.write(2, {(NOISE + OTHER).encode()!r})
            except OSError:
                pass
            if {fails!r}:
                raise ImportError("libtensorflow_framework.so.2: not found")

            class config:
                @staticmethod
                def list_physical_devices():
                    return []
            """
        )
    )


def test_known_startup_lines_are_dropped_others_passed_on(tmp_path):
    _fake_tensorflow(tmp_path, fails=False)
    done = _python(
        "from skfer._quiet import start_tensorflow_quietly\n"
        "start_tensorflow_quietly()\n"
        "print('started')",
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "started\n"
    assert done.stderr == OTHER


def test_failed_import_shows_everything_it_wrote(tmp_path):
    _fake_tensorflow(tmp_path, fails=True)
    done = _python(
        "from skfer._quiet import start_tensorflow_quietly\n"
        "start_tensorflow_quietly()",
        tmp_path,
    )
    assert done.returncode == 1
    assert done.stderr.startswith(NOISE + OTHER)
    assert "ImportError: libtensorflow_framework.so.2: not found" in done.stderr


def test_other_backend_is_not_started(tmp_path):
    _fake_tensorflow(tmp_path, fails=True)
    done = _python(
        "import sys\n"
        "from skfer._quiet import start_tensorflow_quietly\n"
        "start_tensorflow_quietly()\n"
        "print('tensorflow' in sys.modules)",
        tmp_path,
        KERAS_BACKEND="jax",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "False\n" and done.stderr == ""


@pytest.mark.parametrize(
    "code",
    [
        "from skfer import FERClassifier",
        "import skfer.losses",
        "from skfer.inference import pretrained; pretrained('v1-fer2013')",
    ],
)
def test_real_tensorflow_starts_silently(code):
    done = _python(code)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_log_level_zero_shows_the_startup_lines():
    """TF_CPP_MIN_LOG_LEVEL=0 means "show me": nothing is parked then."""
    done = _python(
        "import os, skfer.losses; print(os.environ['TF_CPP_MIN_LOG_LEVEL'])",
        TF_CPP_MIN_LOG_LEVEL="0",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "0\n"
    assert done.stderr.strip()  # TensorFlow's own start-up lines, not parked


def test_a_quieter_log_level_the_user_set_stays_quiet():
    done = _python(
        "import os, skfer.losses; print(os.environ['TF_CPP_MIN_LOG_LEVEL'])",
        TF_CPP_MIN_LOG_LEVEL="3",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "3\n" and done.stderr == ""


@pytest.mark.parametrize(
    "setup",
    ["import os; os.close(2)", "import sys; sys.stderr = None"],
    ids=["descriptor-2-closed", "no-sys-stderr"],
)
def test_starts_without_a_stderr(tmp_path, setup):
    """A daemon or GUI process without stderr can still import skfer."""
    _fake_tensorflow(tmp_path, fails=False)
    done = _python(
        f"{setup}\n"
        "from skfer._quiet import start_tensorflow_quietly\n"
        "start_tensorflow_quietly()\n"
        "print('started')",
        tmp_path,
    )
    assert done.returncode == 0
    assert done.stdout == "started\n"


@pytest.mark.parametrize("user_level", [None, "1"])
def test_tensorflow_is_imported_under_a_quiet_log_level(tmp_path, user_level):
    """TensorFlow reads TF_CPP_MIN_LOG_LEVEL once, at import, and obeys it for
    the lines it writes later (a note on the first generator dataset of a
    ``fit``): the command line once imported it before the level was set."""
    package = tmp_path / "tensorflow"
    package.mkdir()
    (package / "__init__.py").write_text(
        "import os\n"
        "print('level at import:', os.environ.get('TF_CPP_MIN_LOG_LEVEL'))\n"
        "class config:\n"
        "    list_physical_devices = staticmethod(lambda: [])\n"
    )
    env = {} if user_level is None else {"TF_CPP_MIN_LOG_LEVEL": user_level}
    done = _python(
        "from skfer._quiet import start_tensorflow_quietly\n"
        "start_tensorflow_quietly()",
        tmp_path,
        **env,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"level at import: {user_level or '2'}\n"


def test_training_from_the_command_line_keeps_stderr_empty():
    """``skfer demo`` trains (a generator dataset included) without a line on
    stderr; it printed TensorFlow's "Memory patch applied" note before."""
    import shutil

    exe = shutil.which("skfer") or pytest.skip("skfer console script not installed")
    environ = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run(
        [exe, "demo", "--epochs", "1", "--n-samples", "140"],
        capture_output=True,
        text=True,
        timeout=300,
        env=environ,
    )
    assert done.returncode == 0, done.stderr
    assert "held-out accuracy" in done.stdout
    assert done.stderr == ""


def test_fit_with_validation_data_keeps_stderr_empty():
    """Keras' tf.data map for validation arrays made TensorFlow log an
    ERROR-level "NodeDef mentions attribute use_unbounded_threadpool" line at
    the first validation of a seeded fit (FERSearchCV's, skfer reproduce's)."""
    done = _python(
        "from skfer import FERClassifier\n"
        "from skfer.datasets import make_faces\n"
        "X, y = make_faces(n_samples=140, random_state=0)\n"
        "clf = FERClassifier(model='v1', epochs=1, random_state=0, verbose=0)\n"
        "clf.fit(X[:90], y[:90], validation_data=(X[90:], y[90:]))\n"
        "print(len(clf.history_['val_accuracy']))"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "1\n"
    assert done.stderr == ""


def test_keras_backend_is_left_to_keras(tmp_path):
    """skfer set KERAS_BACKEND=tensorflow for the whole process, overriding a
    user's keras.json (and leaking into every subprocess)."""
    (tmp_path / "keras.json").write_text('{"backend": "tensorflow"}')
    code = (
        "import os, skfer._keras as k;"
        "print(k.keras.backend.backend(), 'KERAS_BACKEND' in os.environ)"
    )
    out = _python(code, KERAS_HOME=str(tmp_path))
    assert out.stdout.split() == ["tensorflow", "False"], out.stderr
    # skfer reads the user's choice as Keras does (without importing Keras)
    from skfer._quiet import keras_backend_name

    (tmp_path / "keras.json").write_text('{"backend": "jax"}')
    environ = {"KERAS_HOME": str(tmp_path)}
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("KERAS_BACKEND", raising=False)
        for key, value in environ.items():
            patch.setenv(key, value)
        assert keras_backend_name() == "jax"
        patch.setenv("KERAS_BACKEND", "torch")
        assert keras_backend_name() == "torch"
        patch.delenv("KERAS_BACKEND")
        patch.setenv("KERAS_HOME", str(tmp_path / "none"))
        assert keras_backend_name() == "tensorflow"
