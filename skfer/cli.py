"""The ``skfer`` console command: a thin argparse layer over the Python API."""

import argparse
import os
import sys
import time

from ._cli_predict import run_predict
from ._detectors import DEFAULT_DETECTOR, DETECTORS
from ._quiet import start_tensorflow_quietly
from ._utils import LOSSES

__all__ = ["main"]


def _demo(args):
    """Train a CNN on synthetic faces and report held-out accuracy."""
    from sklearn.metrics import accuracy_score, classification_report
    from sklearn.model_selection import train_test_split

    from . import FERClassifier
    from .datasets import FER2013_LABELS, make_faces

    X, y = make_faces(n_samples=args.n_samples, random_state=args.seed)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=args.seed
    )
    print(
        f"skfer demo: {args.model} ({args.loss} loss) on {len(X_train)} synthetic "
        f"48x48 faces (skfer.datasets.make_faces), {args.epochs} epochs, "
        f"tested on {len(X_test)} held-out faces. No dataset download needed.",
        flush=True,
    )
    clf = FERClassifier(
        model=args.model,
        loss=args.loss,
        epochs=args.epochs,
        batch_size=32,
        # make_faces already varies pose, size and flips; Keras augmentation
        # would only slow this short demo down
        augment=False,
        random_state=args.seed,
        verbose=1 if sys.stdout.isatty() else 2,
    )
    start = time.perf_counter()
    clf.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    pred = clf.predict(X_test)
    print(
        classification_report(
            y_test, pred, labels=range(7), target_names=FER2013_LABELS, zero_division=0
        )
    )
    print(
        f"held-out accuracy: {accuracy_score(y_test, pred):.3f} "
        f"(chance 0.143); training took {seconds:.0f} s"
    )
    return 0


def _tune(args):
    """Run (or join) an Optuna search over FERClassifier hyper-parameters."""
    import json

    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    from . import FERClassifier
    from .tuning import FERSearchCV, default_search_space

    if args.data is not None:
        from .datasets import load_fer2013
        from .model_selection import OfficialSplit

        data = load_fer2013(args.data, subset=["Training", "PublicTest"])
        rng = np.random.default_rng(args.seed)
        keep = []
        for usage, size in (
            ("Training", args.train_size),
            ("PublicTest", args.val_size),
        ):
            rows = np.flatnonzero(data.usage == usage)
            if size is not None and size < len(rows):
                rows = np.sort(rng.choice(rows, size, replace=False))
            keep.append(rows)
        keep = np.concatenate(keep)
        X, y, usage = data.data[keep], data.target[keep], data.usage[keep]
        cv = OfficialSplit(usage)
        protocol = (
            f"FER2013: fit on {np.sum(usage == 'Training')} Training images, "
            f"score on {np.sum(usage == 'PublicTest')} PublicTest images "
            "(PrivateTest never loaded)"
        )
    else:
        from .datasets import make_faces

        X, y = make_faces(n_samples=args.synthetic, random_state=args.seed)
        cv = StratifiedKFold(args.cv)
        protocol = f"{args.cv}-fold stratified CV on {len(X)} synthetic faces"
    space = default_search_space()
    if args.model != "search":
        del space["model"]
    estimator = FERClassifier(
        model="v1" if args.model == "search" else args.model,
        epochs=args.epochs,
        random_state=args.seed,
    )
    search = FERSearchCV(
        estimator,
        space,
        n_trials=args.n_trials,
        cv=cv,
        refit=False,
        storage=args.storage,
        study_name=args.study,
        timeout=args.timeout,
        random_state=args.seed,
        verbose=int(sys.stderr.isatty()),
    )
    print(f"skfer tune: {args.n_trials} trials, {protocol}", flush=True)
    start = time.perf_counter()
    search.fit(X, y)
    seconds = time.perf_counter() - start
    results = search.cv_results_
    order = np.argsort(results["rank_test_score"])
    print("trial  state     score   params")
    for i in order:
        score = results["mean_test_score"][i]
        print(
            f"{results['number'][i]:5d}  {results['state'][i]:<8s}  "
            f"{score:6.4f}  {results['params'][i]}"
        )
    print(
        f"best: trial {search.best_trial_.number}, score {search.best_score_:.4f}, "
        f"{search.best_params_} ({search.n_trials_} trials in the study; this "
        f"worker ran for {seconds:.0f} s)"
    )
    if args.plots:
        import matplotlib

        matplotlib.use("Agg")
        from pathlib import Path

        from .tuning import plot_optimization_history, plot_param_importances

        out = Path(args.plots)
        out.mkdir(parents=True, exist_ok=True)
        ax = plot_optimization_history(search)
        ax.figure.savefig(out / "optimization_history.png", dpi=100)
        if np.sum(results["state"] == "COMPLETE") >= 2:
            ax = plot_param_importances(search)
            ax.figure.savefig(out / "param_importances.png", dpi=100)
    if args.output:
        from ._checkpoint import atomic_write_text

        record = {
            "best_params": search.best_params_,
            "best_score": search.best_score_,
            "best_trial": search.best_trial_.number,
            "n_trials": search.n_trials_,
            "protocol": protocol,
            "command": " ".join(["skfer"] + sys.argv[1:]),
            "wall_s": seconds,
        }
        atomic_write_text(args.output, json.dumps(record, indent=1))
    return 0



def _build_parser():
    parser = argparse.ArgumentParser(
        prog="skfer",
        description="Facial expression recognition as scikit-learn estimators.",
    )
    parser.add_argument("--version", action="store_true", help="print the version")
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="show TensorFlow's start-up messages (hidden by default)",
    )
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser(
        "demo", help="train a CNN on synthetic faces and print its accuracy"
    )
    demo.add_argument("--model", default="v1", help="registered model (default v1)")
    demo.add_argument(
        "--loss",
        default="crossentropy",
        choices=LOSSES,
        help="training loss (default crossentropy)",
    )
    demo.add_argument("--epochs", type=int, default=10, help="(default 10)")
    demo.add_argument(
        "--n-samples",
        type=int,
        default=1400,
        help="synthetic faces, a quarter held out for the score (default 1400)",
    )
    demo.add_argument("--seed", type=int, default=0, help="(default 0)")
    demo.set_defaults(func=_demo)

    predict = sub.add_parser(
        "predict",
        help="find faces in images, folders, videos or a webcam and print their "
        "expressions",
    )
    predict.add_argument("inputs", nargs="*", help="image files, folders, videos")
    predict.add_argument(
        "--sample",
        action="store_true",
        help="also run on scikit-image's astronaut photo (bundled, no download)",
    )
    predict.add_argument(
        "--webcam", type=int, nargs="?", const=0, help="camera index (default 0)"
    )
    predict.add_argument(
        "--model",
        default=None,
        help="pretrained name or a saved model's .json card (default: "
        "skfer.inference.DEFAULT_PRETRAINED, v2-ferplus)",
    )
    predict.add_argument(
        "--backend",
        default="auto",
        choices=["auto", "onnx", "keras"],
        help="what runs the network: ONNX Runtime (converted once per model and "
        "cached), Keras, or auto (default: ONNX Runtime where installed)",
    )
    predict.add_argument(
        "--format",
        default="table",
        choices=["table", "json", "csv"],
        help="how to print the predictions (default table)",
    )
    predict.add_argument("--output", help="write the table/JSON/CSV here")
    predict.add_argument(
        "--annotate", help="image file (one input) or folder for annotated copies"
    )
    predict.add_argument(
        "--no-detect",
        action="store_true",
        help="inputs are already face crops: classify the whole image",
    )
    predict.add_argument(
        "--detect-width",
        type=int,
        default=320,
        help="shrink wider images to this width for the Haar cascade (alone or "
        "as BlazeFace's fallback; BlazeFace reads a fixed-size copy anyway); "
        "0: full size, for small faces in large photos",
    )
    predict.add_argument(
        "--detector",
        default=DEFAULT_DETECTOR,
        choices=DETECTORS[::-1],
        help=f"face detector (FaceCropper's detector; default {DEFAULT_DETECTOR}: "
        "BlazeFace's back-camera model, then the Haar cascade where it found no "
        "face)",
    )
    predict.add_argument(
        "--every", type=int, default=1, help="video: only every Nth frame is read"
    )
    predict.add_argument(
        "--detect-every",
        type=int,
        default=1,
        help="video: detect faces on every Kth frame read and keep those boxes "
        "for the frames between (faster; boxes lag a moving face)",
    )
    predict.add_argument("--max-frames", type=int, help="video: stop after N frames")
    predict.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar, and no speed summary (a video's frames per "
        "second, on stderr at its end)",
    )
    predict.set_defaults(func=run_predict)

    tune = sub.add_parser(
        "tune",
        help="Optuna search over FERClassifier settings (several workers can "
        "share one study through --storage)",
    )
    source = tune.add_mutually_exclusive_group()
    source.add_argument(
        "--data", help="FER2013 file (csv, npz) or folder; tunes on PublicTest"
    )
    source.add_argument(
        "--synthetic",
        type=int,
        default=600,
        metavar="N",
        help="tune on N synthetic faces with --cv folds (default, 600)",
    )
    tune.add_argument("--train-size", type=int, help="Training images to use")
    tune.add_argument("--val-size", type=int, help="PublicTest images to use")
    tune.add_argument("--cv", type=int, default=3, help="folds for synthetic data")
    tune.add_argument(
        "--model", default="v1", help="registered model, or 'search' to tune it too"
    )
    tune.add_argument("--epochs", type=int, default=5, help="per trial (default 5)")
    tune.add_argument("--n-trials", type=int, default=10, help="(default 10)")
    tune.add_argument("--storage", help="e.g. sqlite:///tune.db or postgresql://...")
    tune.add_argument("--study", help="study name in --storage (created or joined)")
    tune.add_argument("--timeout", type=float, help="seconds; no new trial after it")
    tune.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seeds the subsample, the sampler and training (default 0)",
    )
    tune.add_argument("--output", help="write the best parameters as JSON here")
    tune.add_argument("--plots", help="folder for the history/importance PNGs")
    tune.set_defaults(func=_tune)

    rep = sub.add_parser(
        "reproduce",
        help="train and evaluate the study's experiments (resumable) and write "
        "results.md, results.json and PNGs",
    )
    rep.add_argument(
        "experiments",
        nargs="*",
        help="experiment names (default: all; --list shows them)",
    )
    rep.add_argument(
        "--list",
        action="store_true",
        help="list the experiments, and where each stands in --runs (else in the "
        "report in --output)",
    )
    rep.add_argument("--fer2013", help="FER2013 csv, npz or image folder")
    rep.add_argument("--ckplus", help="CK+48 folder or npz")
    rep.add_argument(
        "--runs", default="skfer_runs", help="checkpoints and results (resume here)"
    )
    rep.add_argument("--output", default="docs/results", help="report folder")
    rep.add_argument("--epochs", type=int, default=50, help="FER2013 epochs per run")
    rep.add_argument("--ckplus-epochs", type=int, default=30, help="epochs per fold")
    rep.add_argument("--folds", type=int, default=10, help="CK+ folds")
    rep.add_argument(
        "--batch-size",
        type=int,
        default=64,
        help="images per training step (default: 64, the study's)",
    )
    rep.add_argument(
        "--time-limit",
        type=float,
        help="seconds; stop after the epoch that crosses it (re-run to resume)",
    )
    rep.add_argument(
        "--seed", type=int, help="seed training (deterministic, ~1.5x slower on CPU)"
    )
    rep.add_argument(
        "--no-train",
        action="store_true",
        help="train nothing: evaluate what the runs have reached and report",
    )
    rep.add_argument(
        "--report-only", action="store_true", help="only rewrite the report"
    )
    rep.set_defaults(func=_reproduce)
    return parser


def _reproduce(args):
    """Run the reproduction experiments and write the report."""
    from .reproduce import EXPERIMENTS, reproduce, run_status, write_report

    if args.list:
        # where each experiment stands in the runs folder, else in the
        # report and its committed evidence (runs from another machine)
        show = os.path.isdir(args.runs) or os.path.isdir(args.output)
        for name, exp in EXPERIMENTS.items():
            line = f"{name:34s} {'tables ' + ', '.join(exp.tables):20s}"
            if show:
                line += f" {run_status(args.runs, name, args.output)}"
            print(line.rstrip())
        return 0
    if args.report_only:
        records = write_report(args.runs, args.output)
    else:
        records = reproduce(
            args.experiments or None,
            fer2013=args.fer2013,
            ckplus=args.ckplus,
            runs=args.runs,
            output=args.output,
            epochs=args.epochs,
            ckplus_epochs=args.ckplus_epochs,
            folds=args.folds,
            batch_size=args.batch_size,
            time_limit=args.time_limit,
            seed=args.seed,
            train=not args.no_train,
        )
    print(
        f"{len(records)} figures written to {args.output}/results.json and results.md"
    )
    return 0


def main(argv=None):
    """Entry point of the ``skfer`` command.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    status : int
        Exit status.
    """
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from . import __version__

        print(f"skfer {__version__}")
        return 0
    if args.command is None:
        parser.print_help()
        return 0
    if getattr(args, "epochs", 1) < 1:
        parser.error("--epochs must be at least 1")
    if (
        args.command == "predict"
        and not (args.inputs or args.sample)
        and (args.webcam is None)
    ):
        parser.error("give images, folders or videos, or --sample, or --webcam")
    for name in (
        "n_trials",
        "synthetic",
        "train_size",
        "val_size",
        "every",
        "detect_every",
        "max_frames",
        "ckplus_epochs",
        "batch_size",
    ):
        value = getattr(args, name, None)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if getattr(args, "study", None) and not getattr(args, "storage", None):
        parser.error("--study needs --storage (an in-memory study cannot be shared)")
    if args.verbose:
        # TensorFlow then starts as it likes, start-up lines included
        # (skfer._keras starts it quietly at any other level)
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "0"
    elif not (args.command == "reproduce" and args.list):
        # (listing the experiments reads JSON files only: no TensorFlow,
        # whose start takes seconds)
        start_tensorflow_quietly()
    try:
        return args.func(args)
    except BrokenPipeError:
        # the reader went away (``skfer ... | head``): stop quietly, as Unix
        # tools do; stdout is pointed at devnull so that Python's final
        # flush does not fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (
        FileNotFoundError,
        PermissionError,
        OSError,
        ValueError,
        ImportError,
    ) as exc:
        # a clear one-line message, not a traceback, for the user's mistakes
        print(f"skfer {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
