"""The skfer console command."""

import subprocess
import sys

import pytest

from skfer import __version__
from skfer.cli import main


def test_version_in_a_subprocess():
    out = subprocess.run(
        [sys.executable, "-m", "skfer.cli", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert out.stdout.strip() == f"skfer {__version__}"


def test_listing_the_experiments_does_not_start_tensorflow(tmp_path):
    """``skfer reproduce --list`` reads JSON files only; starting TensorFlow
    for it took most of its 7 seconds."""
    code = (
        "import sys\n"
        "from skfer.cli import main\n"
        "status = main(['reproduce', '--list', '--runs', "
        f"{str(tmp_path)!r}, '--output', {str(tmp_path / 'report')!r}])\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules, status)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    lines = out.stdout.splitlines()
    assert lines[0].startswith("fer2013-v2-crossentropy-aug")
    assert "not started" in lines[0]
    assert lines[-1] == "False False 0"
    assert out.stderr == ""


def test_every_option_has_a_help_line():
    import argparse

    from skfer.cli import _build_parser

    parser = _build_parser()
    commands = next(
        a for a in parser._actions if isinstance(a, argparse._SubParsersAction)
    )
    bare = [
        f"{name} {action.option_strings[-1]}"
        for name, sub in [("skfer", parser), *commands.choices.items()]
        for action in sub._actions
        if action.option_strings and not action.help
    ]
    assert bare == []


def test_demo_trains_and_reports_accuracy(capsys):
    # Model 1, 5 epochs on 315 faces: 0.705 held-out when written (~20 s)
    status = main(["demo", "--model", "v1", "--epochs", "5", "--n-samples", "420"])
    assert status == 0
    out = capsys.readouterr().out
    assert "synthetic" in out
    accuracy = float(out.split("held-out accuracy: ")[1].split()[0])
    assert accuracy >= 0.4  # it learns: chance is 0.143
    assert "happy" in out  # the per-class report


def test_demo_rejects_bad_epochs():
    with pytest.raises(SystemExit):
        main(["demo", "--epochs", "0"])


def test_console_script_keeps_stderr_quiet_unless_verbose():
    """The real `skfer` command: the answer on stdout, nothing on stderr."""
    import shutil

    exe = shutil.which("skfer") or pytest.skip("skfer console script not installed")
    quiet = subprocess.run(
        [exe, "predict", "--sample"], capture_output=True, text=True, timeout=300
    )
    assert quiet.returncode == 0, quiet.stderr
    assert "happy" in quiet.stdout
    assert quiet.stderr == ""
    loud = subprocess.run(
        [exe, "--verbose", "predict", "--sample"],
        capture_output=True, text=True, timeout=300,
    )
    assert loud.returncode == 0 and "happy" in loud.stdout
