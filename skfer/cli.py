"""The ``skfer`` console command: a thin argparse layer over the Python API."""

import argparse
import sys
import time

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


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="skfer",
        description="Facial expression recognition as scikit-learn estimators.",
    )
    parser.add_argument("--version", action="store_true", help="print the version")
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser(
        "demo", help="train a CNN on synthetic faces and print its accuracy"
    )
    demo.add_argument("--model", default="v1", help="registered model (default v1)")
    demo.add_argument("--loss", default="crossentropy", choices=["crossentropy", "svm"])
    demo.add_argument("--epochs", type=int, default=10)
    demo.add_argument("--n-samples", type=int, default=1400)
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(func=_demo)
    return parser


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
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
