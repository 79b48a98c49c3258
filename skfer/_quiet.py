"""Keep native libraries' start-up lines off the user's stderr (no TF import here).

TensorFlow's C++ start-up lines (absl's notice, the oneDNN and CPU-feature
notes, the CUDA probe on machines without a GPU) are written to file
descriptor 2 whatever ``TF_CPP_MIN_LOG_LEVEL`` says, in every TensorFlow
skfer supports; LiteRT announces its XNNPACK delegate the same way. Python's
``sys.stderr`` cannot catch them, so the descriptor itself is parked.
"""

import contextlib
import json
import os
import re
import sys
import tempfile

__all__ = ["parked_stderr", "start_tensorflow_quietly"]

#: TensorFlow's start-up lines on CPU machines, dropped when TensorFlow starts
#: quietly; anything else written meanwhile is passed on
_TF_STARTUP = re.compile(
    r"WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|[IWE]\d{4} [\d:.]+ +\d+ (port|cudart_stub|cpu_feature_guard|cuda_platform)"
    r"\.cc:\d+\]"
    r"|To enable the following instructions: "
)


@contextlib.contextmanager
def parked_stderr():
    """Send file descriptor 2 to a temporary file meanwhile.

    Yields a function that returns what was written there so far (text).
    Where there is no descriptor 2 to park (closed, as in some daemons), the
    body runs as it is and the function returns "".
    """
    if sys.stderr is not None:
        sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:
        yield lambda: ""
        return
    try:
        with tempfile.TemporaryFile() as parked:

            def written():
                parked.flush()
                parked.seek(0)
                return parked.read().decode("utf-8", "replace")

            os.dup2(parked.fileno(), 2)
            try:
                yield written
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)


def keras_backend_name():
    """The backend Keras will pick, resolved as Keras does, without importing
    it: ``KERAS_BACKEND``, else ``backend`` in ``keras.json`` (in
    ``KERAS_HOME`` or ``~/.keras``), else TensorFlow."""
    name = os.environ.get("KERAS_BACKEND")
    if name:
        return name
    home = os.environ.get("KERAS_HOME") or os.path.join(
        os.path.expanduser("~"), ".keras"
    )
    try:
        with open(os.path.join(home, "keras.json"), encoding="utf-8") as f:
            return str(json.load(f).get("backend", "tensorflow"))
    except (OSError, ValueError, AttributeError):
        return "tensorflow"


def start_tensorflow_quietly():
    """Import TensorFlow and probe its devices without its start-up lines.

    Does nothing when TensorFlow is already imported or Keras runs on another
    backend. Lines that are not TensorFlow's known start-up notes are passed
    on to stderr, and if the import fails everything it wrote is shown.
    ``TF_CPP_MIN_LOG_LEVEL`` is set to 2 unless the user set it: TensorFlow
    reads it once, at import, and obeys it for its later log lines (such as
    a note on its first generator dataset during ``fit``).
    """
    if "tensorflow" in sys.modules:
        return
    if keras_backend_name() != "tensorflow":
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    failed, text = True, ""
    try:
        with parked_stderr() as written:
            try:
                import tensorflow as tf

                tf.config.list_physical_devices()  # the CUDA probe speaks here
                failed = False
            finally:
                text = written()
    finally:
        lines = text.splitlines(keepends=True)
        if not failed:
            lines = [line for line in lines if not _TF_STARTUP.match(line)]
        if lines and sys.stderr is not None:
            sys.stderr.write("".join(lines))
