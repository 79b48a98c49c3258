"""The ``skfer`` console command: a thin argparse layer over the Python API."""

import argparse
import os
import sys
import time

from ._detectors import DEFAULT_DETECTOR, DETECTORS
from ._quiet import start_tensorflow_quietly
from ._utils import LOSSES
from .exceptions import FileAccessError, MissingFileError

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


VIDEO_SUFFIXES = {".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg"}


def _predict_sources(args):
    """Yield (source name, frame number, RGB image) for every input."""
    from pathlib import Path

    from ._image_io import IMAGE_EXTENSIONS, read_image

    if args.sample:
        from skimage.data import astronaut

        yield "sample:astronaut", 0, astronaut()
    for item in args.inputs:
        path = Path(item)
        if path.is_dir():
            files = sorted(
                p for p in path.rglob("*") if p.suffix.lower() in IMAGE_EXTENSIONS
            )
            if not files:
                raise MissingFileError(f"No image files in the folder {item!r}.")
            for file in _progress(files, f"{item}", args):
                yield str(file), 0, read_image(file, grayscale=False)
        elif path.suffix.lower() in VIDEO_SUFFIXES:
            yield from _video_frames(str(path), args)
        elif path.is_file():
            yield str(path), 0, read_image(path, grayscale=False)
        else:
            raise MissingFileError(f"No such image, folder or video: {item!r}.")
    if args.webcam is not None:
        yield from _video_frames(args.webcam, args)


def _progress(items, desc, args):
    if args.quiet or not sys.stderr.isatty():
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="image")


def _video_frames(source, args):
    import cv2

    capture = cv2.VideoCapture(source)
    if not capture.isOpened():
        if isinstance(source, int):
            raise FileAccessError(
                f"OpenCV cannot open the webcam {source}. Check the camera index "
                "(--webcam N), that a camera is connected and that no other "
                "program is using it."
            )
        raise FileAccessError(
            f"OpenCV cannot open the video {source!r}. Check that it is readable "
            "and in a format OpenCV's FFmpeg build decodes (mp4, avi, ...)."
        )
    name = f"webcam:{source}" if isinstance(source, int) else str(source)
    try:
        frame_number, taken = 0, 0
        while args.max_frames is None or taken < args.max_frames:
            ok, frame = capture.read()
            if not ok:
                break
            if frame_number % args.every == 0:
                taken += 1
                yield name, frame_number, cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
            frame_number += 1
        if frame_number == 0:
            raise FileAccessError(f"The video {name!r} has no frame OpenCV can decode.")
        total = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        stopped = args.max_frames is None or taken < args.max_frames
        if stopped and not isinstance(source, int) and frame_number < total:
            print(
                f"skfer predict: warning: OpenCV could not decode {name!r} past "
                f"frame {frame_number} of {total}; the remaining "
                f"{total - frame_number} frame(s) are skipped.",
                file=sys.stderr,
            )
    finally:
        capture.release()


def _predict(args):
    """Detect faces and print their expressions, one frame at a time.

    Frames are read, classified, written and dropped in order: the records
    stream to the output and annotated frames to their files, so memory
    stays flat over a long video or a webcam session.
    """
    from pathlib import Path

    from .inference import FERPredictor, annotate, load_pretrained_file
    from .preprocessing import FaceCropper

    for item in args.inputs:  # fail on a wrong path before loading TensorFlow
        if not Path(item).exists():
            raise MissingFileError(f"No such image, folder or video: {item!r}.")
    for option in ("output", "annotate"):
        target = getattr(args, option)
        if target and not Path(target).resolve().parent.is_dir():
            raise MissingFileError(
                f"Cannot write --{option} {target!r}: its folder does not exist."
            )
    model = args.model
    estimator = (
        load_pretrained_file(model) if model and model.endswith(".json") else model
    )
    predictor = FERPredictor(
        estimator,
        backend=args.backend,
        detect_width=args.detect_width or None,
        detector=FaceCropper(margin=0.1, detector=args.detector),
    )
    names = predictor.label_names
    sink = _RecordSink(args, names)
    annotations = _AnnotationSink(Path(args.annotate), args) if args.annotate else None
    held = {}  # source -> (frames left to reuse, boxes): --detect-every
    speed = _Speed(predictor.backend_)
    interrupted = False
    try:
        for source, frame, image in _predict_sources(args):
            speed.frame_read()
            if args.no_detect:
                boxes = [[0, 0, image.shape[1], image.shape[0]]]
            else:
                left, boxes = held.get(source, (0, None))
                if left <= 0 or boxes is None:
                    boxes = predictor.detect(image)
                    left = args.detect_every
                held[source] = (left - 1, boxes)
            faces = []
            if len(boxes):
                proba = predictor.predict_proba(predictor.crops(image, boxes))
                faces = predictor.describe(boxes, proba)
            speed.frame_done(source)
            if annotations is not None:
                annotations.add(source, annotate(image, faces))
            sink.add(source, frame, faces)
            speed.frame_written(source)
    except KeyboardInterrupt:
        # Ctrl+C is how a webcam session ends: the rows and annotated frames
        # written so far are kept (a complete JSON/CSV file, a playable video)
        interrupted = True
    finally:
        sink.close()
        if annotations is not None:
            annotations.close()
    if interrupted:
        where = f" to {args.output}" if args.output else ""
        print(
            f"Stopped by Ctrl+C: {sink.frames} frame(s) written{where}.",
            file=sys.stderr,
        )
    if not args.quiet:
        for line in speed.report():
            print(line, file=sys.stderr)
    if sink.missing:
        print(
            f"{sink.missing} image(s)/frame(s) had no face (listed with no label); "
            "use --no-detect for images that are already face crops.",
            file=sys.stderr,
        )
    # a webcam runs until stopped, so Ctrl+C is its normal end; anything else
    # stopped early exits 130, the shell's code for an interrupt
    return 130 if interrupted and args.webcam is None else 0


class _Speed:
    """Frames per second of each video or webcam source: the whole loop
    (decoding, detection, classification, writing) and the median time of
    detection and classification alone."""

    def __init__(self, backend):
        self.backend = backend
        self.sources = {}  # name -> [seconds in all, [ms of the model stages]]
        self._last = self._read = time.perf_counter()

    def frame_read(self):
        self._read = time.perf_counter()

    def frame_done(self, source):
        entry = self.sources.setdefault(source, [0.0, []])
        entry[1].append((time.perf_counter() - self._read) * 1000)

    def frame_written(self, source):
        now = time.perf_counter()
        self.sources[source][0] += now - self._last
        self._last = now

    def report(self):
        import statistics

        lines = []
        for name, (seconds, stages) in self.sources.items():
            video = name.startswith("webcam:") or (
                os.path.splitext(name)[1].lower() in VIDEO_SUFFIXES
            )
            if not video or not stages:
                continue
            lines.append(
                f"{name}: {len(stages)} frame(s) in {seconds:.1f} s, "
                f"{len(stages) / max(seconds, 1e-9):.1f} frames per second "
                f"(detection and classification: median "
                f"{statistics.median(stages):.1f} ms a frame, {self.backend} "
                "backend)"
            )
        return lines


class _RecordSink:
    """Writes each frame's records as they come (table, CSV or JSON)."""

    def __init__(self, args, names):
        self.format, self.names, self.missing, self.n = args.format, names, 0, 0
        self.frames = 0
        self._target = args.output
        if self._target:
            from ._checkpoint import atomic_target

            self._atomic = atomic_target(self._target)
            self._file = open(self._atomic.__enter__(), "w", encoding="utf-8")
        else:
            self._atomic, self._file = None, sys.stdout
        if self.format == "csv":
            import csv

            self._csv = csv.writer(self._file)
            self._csv.writerow(
                ["source", "frame", "face", "x", "y", "width", "height", "label"]
                + list(names)
            )
        elif self.format == "json":
            self._file.write("[")
        else:
            self._file.write(
                f"{'source':<28} {'frame':>5} {'face':>4}  {'box (x y w h)':<19} "
                f"{'label':<9} probabilities\n"
            )

    def add(self, source, frame, faces):
        import json

        self.frames += 1
        if not faces:
            self.missing += 1
        records = [
            {"source": source, "frame": frame, "face": i, **face}
            for i, face in enumerate(faces)
        ] or [
            {
                "source": source,
                "frame": frame,
                "face": None,
                "box": None,
                "label": None,
                "probabilities": None,
            }
        ]
        for r in records:
            if self.format == "json":
                text = json.dumps(r, indent=1).replace("\n", "\n ")
                self._file.write(("," if self.n else "") + "\n " + text)
            elif self.format == "csv":
                box = r["box"] or [""] * 4
                probabilities = r["probabilities"] or {}
                self._csv.writerow(
                    [
                        r["source"],
                        r["frame"],
                        "" if r["face"] is None else r["face"],
                        *box,
                        r["label"] or "",
                        *[probabilities.get(n, "") for n in self.names],
                    ]
                )
            elif r["face"] is None:
                self._file.write(
                    f"{r['source'][-28:]:<28} {r['frame']:>5}    -  no face found\n"
                )
            else:
                top = sorted(r["probabilities"].items(), key=lambda kv: -kv[1])[:3]
                box = " ".join(str(v) for v in r["box"])
                self._file.write(
                    f"{r['source'][-28:]:<28} {r['frame']:>5} {r['face']:>4}  "
                    f"{box:<19} {r['label']:<9} "
                    + "  ".join(f"{n} {p:.2f}" for n, p in top)
                    + "\n"
                )
            self.n += 1
        self._file.flush()

    def close(self):
        if self.format == "json":
            self._file.write("\n]\n" if self.n else "]\n")
        if self._atomic is None:
            self._file.flush()
            return
        self._file.close()
        self._atomic.__exit__(*sys.exc_info())


class _AnnotationSink:
    """Annotated copies, written as frames come: one image file for a single
    image input, else a folder with an image per image and a video per video."""

    def __init__(self, out, args):
        from pathlib import Path

        items = list(args.inputs) + (["sample"] if args.sample else [])
        if args.webcam is not None:
            items.append("webcam")
        self.out = out
        self.single = len(items) == 1 and (
            items[0] == "sample"
            or (
                Path(items[0]).is_file()
                and Path(items[0]).suffix.lower() not in VIDEO_SUFFIXES
            )
        )
        self._writers, self._k = {}, 0
        if not self.single:
            out.mkdir(parents=True, exist_ok=True)

    def _stem(self, source):
        self._k += 1
        return f"{self._k - 1:03d}_" + "".join(
            c if c.isalnum() else "_" for c in source.rsplit("/", 1)[-1]
        )

    def add(self, source, image):
        from pathlib import Path

        import cv2

        from ._checkpoint import atomic_target

        bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
        if self.single:
            with atomic_target(self.out) as tmp:
                if not cv2.imwrite(tmp if self.out.suffix else tmp + ".png", bgr):
                    raise FileAccessError(
                        f"OpenCV could not write the image {str(self.out)!r}."
                    )
            return
        video = (
            source.startswith("webcam:")
            or Path(source).suffix.lower() in VIDEO_SUFFIXES
        )
        if not video:
            path = self.out / f"{self._stem(source)}.png"
            if not cv2.imwrite(str(path), bgr):
                raise FileAccessError(
                    f"OpenCV could not write the image {str(path)!r}."
                )
            return
        writer = self._writers.get(source)
        if writer is None:
            h, w = bgr.shape[:2]
            path = self.out / f"{self._stem(source)}.avi"
            writer = cv2.VideoWriter(
                str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (w, h)
            )
            self._writers[source] = writer
        writer.write(bgr)

    def close(self):
        for writer in self._writers.values():
            writer.release()


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
    predict.set_defaults(func=_predict)

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
