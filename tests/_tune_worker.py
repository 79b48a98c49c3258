"""`skfer tune` in a subprocess, with the tests' tiny model registered."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import _register_tiny  # noqa: E402

from skfer.cli import main  # noqa: E402

if __name__ == "__main__":
    _register_tiny()
    sys.exit(main(sys.argv[1:]))
