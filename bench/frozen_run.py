"""Run the ``skfer`` command line from a frozen copy of the code.

A training that runs for hours imports parts of skfer lazily (evaluation,
report); if the checkout is edited meanwhile, the new modules meet the old
ones already loaded and the run fails at its end (it happened: a 40-epoch
run failed at its final evaluation). So long runs start from a git worktree
of a commit, which nobody edits:

    git worktree add -f /tmp/skfer_tree HEAD   # later: git -C /tmp/skfer_tree
                                               #   checkout --detach main
    python bench/frozen_run.py /tmp/skfer_tree reproduce \\
        fer2013-v2-crossentropy-aug --fer2013 "$PWD/../shared/data/fer2013.npz" \\
        --runs ~/skfer_runs --output /tmp/report

The editable install's import hook is removed so that ``import skfer`` finds
the worktree's package; the script checks it did.
"""

import sys
from pathlib import Path

tree = Path(sys.argv[1]).resolve()
sys.meta_path = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
sys.path.insert(0, str(tree))
import skfer  # noqa: E402

if not Path(skfer.__file__).resolve().is_relative_to(tree):
    sys.exit(f"skfer was imported from {skfer.__file__}, not from {tree}")
from skfer.cli import main  # noqa: E402

# the runs record "skfer <arguments>" as their command, without the tree
sys.argv = [sys.argv[0]] + sys.argv[2:]
sys.exit(main(sys.argv[1:]))
