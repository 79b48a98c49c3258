"""Training recipes for Model 1 on FER2013, and bfloat16 against float32.

Usage:
    python bench/recipe_study.py --fer2013 ../shared/data/fer2013.npz \\
        --epochs 10 --work ~/skfer_runs/recipe_study \\
        --output docs/results/recipe_study_v1

Every run trains Model 1 (``FERClassifier(model="v1")``, batch 64, the
study's augmentation; unseeded, at full speed, unless ``--seeded``: seeding
switches on TensorFlow's op determinism, about 1.3x slower here) on all of
FER2013 Training for
``--epochs`` epochs and scores the final weights on PublicTest, with and
without test-time flips (``tta``). The recipes, each at the precision
``"auto"`` gives on this machine:

- ``study``: the study's recipe, Adam 1e-3 constant;
- ``adam-cosine``: Adam 1e-3 with a cosine decay to 0 over the epochs;
- ``sgd-plateau``: SGD 0.01 with Nesterov momentum 0.9, halved when the
  PublicTest accuracy has not improved for 2 epochs (``lr_schedule="plateau"``);
- ``adam-smoothing``: the study's recipe with label smoothing 0.1.

Then the precision check: the study's recipe twice in float32 (runs 0 and
1; seeds 0 and 1 with ``--seeded``) and once in bfloat16 (runs already made
above are not repeated). The spread of the two float32 runs is the yardstick
for the bfloat16 difference (tolerance: 1 point or that spread, whichever is
wider).

The protocol: the recipe and the flip are chosen on PublicTest; PrivateTest
is scored once, for that choice only, when every recipe has run.

Each run checkpoints every epoch in ``--work``; the script resumes where it
stopped (run it again), and writes one JSON per finished run and
``summary.json`` to ``--output``. The CPU model name and its bfloat16 flags
are recorded. Stop other CPU work while it runs (2 cores).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

RECIPES = {
    "study": {},
    "adam-cosine": {"lr_schedule": "cosine"},
    "sgd-plateau": {
        "optimizer": "sgd",
        "learning_rate": 0.01,
        "optimizer__momentum": 0.9,
        "lr_schedule": "plateau",
        "lr_factor": 0.5,
        "lr_patience": 2,
    },
    "adam-smoothing": {"label_smoothing": 0.1},
}


def plan(auto):
    """(recipe, precision, run index) of every run, recipes first, no repeats."""
    runs = [(recipe, auto, 0) for recipe in RECIPES]
    for extra in (("study", "float32", 0), ("study", "float32", 1)):
        if extra not in runs:
            runs.append(extra)
    if ("study", "bfloat16", 0) not in runs:
        runs.append(("study", "bfloat16", 0))
    return runs


SEEDED = False  # set by --seeded


def run_name(recipe, precision, k):
    return f"{recipe}-{precision}-{'seed' if SEEDED else 'run'}{k}"


def train(args, data, recipe, precision, k, params=None):
    """Train one run (resuming its checkpoint) and score it on PublicTest.

    ``params`` are the estimator's recipe parameters (default: ``RECIPES``'s).
    """
    import joblib

    from skfer import FERClassifier

    params = RECIPES[recipe] if params is None else params
    images, labels, usage = data
    train, public = usage == "Training", usage == "PublicTest"
    name = run_name(recipe, precision, k)
    work = Path(args.work).expanduser() / name
    state = work / "state.json"
    resumed = 0
    if state.exists():
        resumed = json.loads(state.read_text()).get("epochs_done", 0)
    clf = FERClassifier(
        model="v1",
        epochs=args.epochs,
        precision=precision,
        random_state=k if SEEDED else None,
        checkpoint_dir=work,
        verbose=2,
        **params,
    )
    start = time.perf_counter()
    clf.fit(
        images[train],
        labels[train],
        validation_data=(images[public], labels[public]),
    )
    seconds = time.perf_counter() - start
    joblib.dump(clf, work / "model.joblib")
    scores = {}
    for tta in (False, True):
        clf.set_params(tta=tta)
        scores["flip" if tta else "plain"] = float(
            clf.score(images[public], labels[public])
        )
    history = {k: [float(v) for v in vs] for k, vs in clf.history_.items()}
    return {
        "run": name,
        "recipe": recipe,
        "params": params,
        "precision": clf.precision_,
        "seed": k if SEEDED else None,
        "epochs": args.epochs,
        "public_accuracy": scores["plain"],
        "public_accuracy_flip": scores["flip"],
        "history": history,
        "fit_s_this_call": seconds,
        "resumed_from_epoch": resumed,
        "images_per_s": (args.epochs - resumed) * int(train.sum()) / seconds,
    }


def finished_or_trained(path, skip, train_run):
    """The run's record from ``path`` if it finished; else train it (unless
    ``skip``), write the record there and return it (None when skipped)."""
    from training_precision import machine

    from skfer._checkpoint import atomic_write_text

    if path.exists():
        return json.loads(path.read_text())
    if skip:
        return None
    name = path.stem
    print(f"[{name}] training", flush=True)
    record = train_run()
    record["machine"] = machine()
    atomic_write_text(path, json.dumps(record, indent=1) + "\n")
    print(
        f"[{name}] PublicTest {record['public_accuracy']:.4f}, "
        f"with flips {record['public_accuracy_flip']:.4f}",
        flush=True,
    )
    return record


def summarize(args, data, records, auto):
    import joblib

    out = {}
    recipe_runs = [records.get(run_name(r, auto, 0)) for r in RECIPES]
    if all(recipe_runs):
        table = [
            {
                "recipe": r["recipe"],
                "public": r["public_accuracy"],
                "public_flip": r["public_accuracy_flip"],
                "best_epoch_public": 1
                + max(
                    range(len(r["history"]["val_accuracy"])),
                    key=r["history"]["val_accuracy"].__getitem__,
                ),
            }
            for r in recipe_runs
        ]
        best = max(
            ((row, flip) for row in table for flip in (False, True)),
            key=lambda c: c[0]["public_flip" if c[1] else "public"],
        )
        chosen = run_name(best[0]["recipe"], auto, 0)
        clf = joblib.load(Path(args.work).expanduser() / chosen / "model.joblib")
        clf.set_params(tta=best[1])
        images, labels, usage = data
        private = usage == "PrivateTest"
        out["recipes"] = {
            "precision": auto,
            "table": table,
            "chosen_on_public": {"recipe": best[0]["recipe"], "flip": best[1]},
            "private_accuracy_of_chosen": float(
                clf.score(images[private], labels[private])
            ),
        }
    trio = [
        records.get(run_name("study", p, s))
        for p, s in (("float32", 0), ("float32", 1), ("bfloat16", 0))
    ]
    if all(trio):
        f32 = [trio[0]["public_accuracy"], trio[1]["public_accuracy"]]
        spread = abs(f32[0] - f32[1])
        difference = trio[2]["public_accuracy"] - f32[0]
        out["precision_parity"] = {
            "float32_run0": f32[0],
            "float32_run1": f32[1],
            "bfloat16_run0": trio[2]["public_accuracy"],
            "float32_spread": spread,
            "bfloat16_minus_float32_run0": difference,
            "tolerance": max(0.01, spread),
            "within": abs(difference) <= max(0.01, spread),
            "images_per_s": {
                "float32": trio[0]["images_per_s"],
                "bfloat16": trio[2]["images_per_s"],
            },
        }
    return out


def run_arguments(parser):
    """The arguments every script built on :func:`train` takes."""
    parser.add_argument("--fer2013", required=True)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--work", required=True, help="checkpoints (resume here)")
    parser.add_argument("--output", required=True, help="folder for the JSON files")
    return parser


def main():
    parser = run_arguments(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    parser.add_argument(
        "--seeded", action="store_true", help="seed each run (deterministic, slower)"
    )
    parser.add_argument(
        "--only", default=None, help="comma-separated run names (default: all)"
    )
    args = parser.parse_args()
    global SEEDED
    SEEDED = args.seeded

    from training_precision import _fer2013, machine

    from skfer._checkpoint import atomic_write_text
    from skfer._precision import resolve_precision

    data = _fer2013(args.fer2013)
    if data is None:
        sys.exit(f"recipe_study needs FER2013: {args.fer2013} not found")
    auto = resolve_precision("auto")
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    records = {}
    for recipe, precision, k in plan(auto):
        name = run_name(recipe, precision, k)
        record = finished_or_trained(
            output / f"{name}.json",
            args.only and name not in args.only.split(","),
            lambda r=recipe, p=precision, k=k: train(args, data, r, p, k),
        )
        if record is not None:
            records[name] = record
    summary = summarize(args, data, records, auto)
    summary["machine"] = machine()
    summary["runs_done"] = sorted(records)
    atomic_write_text(output / "summary.json", json.dumps(summary, indent=1) + "\n")
    print(json.dumps({k: v for k, v in summary.items() if k != "machine"}, indent=1))


if __name__ == "__main__":
    main()
