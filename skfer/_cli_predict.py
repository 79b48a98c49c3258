"""``skfer predict``: where the frames come from (images, videos, a webcam,
the sample), progress and speed, and where the answers go (csv/json
records, annotated images and videos)."""

import os
import sys
import time

from .exceptions import FileAccessError, MissingFileError

__all__ = ["run_predict"]

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


def run_predict(args):
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
