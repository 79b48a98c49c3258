"""Inference latency of skfer's predictors, and of the `fer` package, here.

Usage:
  python bench/inference_speed.py [--repeats 200] [--output FILE.json]

Measures on this machine, for Model 1 (the shipped pretrained weights) and
Model 2 (same architecture as the study's; random weights, speed does not
depend on them):
- per-face latency at batch 1 (median and 95th percentile, ms): the naive
  eager Keras call ``net(x)``, ``FERClassifier.predict_proba``, and
  FERPredictor's compiled graph and ONNX Runtime backends;
- batched throughput (faces/s at batch 64) for the same paths;
- a full 640x480 frame with one face (detection + crop + classification),
  FERPredictor.predict_image: the default path ``FERPredictor()`` and each
  detector with each model, interleaved call by call, on a frame with a small
  face and on a webcam-like frame;
- the `fer` package (``from fer.fer import FER``; its default detector and
  model) on the same frame, if it is installed. Its dependencies pull in
  PyTorch; ``pip install --no-deps fer`` is enough for this measurement.
"""

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import numpy as np


def timed(fn, repeats, warmup=5):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return {
        "median_ms": statistics.median(samples),
        "p95_ms": float(np.percentile(samples, 95)),
    }


def interleaved(fns, repeats, warmup=5):
    """Median and p95 ms of each function, timed one call of each in turn."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    samples = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            samples[name].append((time.perf_counter() - start) * 1000)
    return {
        name: {
            "median_ms": float(np.median(ms)),
            "p95_ms": float(np.percentile(ms, 95)),
        }
        for name, ms in samples.items()
    }


def near_face_frame():
    """A webcam-like 640x480 frame: the astronaut's head fills about a third."""
    import cv2
    from skimage.data import astronaut

    return cv2.resize(
        astronaut()[0:300, 60:460], (640, 480), interpolation=cv2.INTER_AREA
    )


def frame_with_face():
    import cv2
    from skimage.data import astronaut

    face = cv2.resize(astronaut(), (256, 256), interpolation=cv2.INTER_AREA)
    frame = np.full((480, 640, 3), 90, np.uint8)
    frame[112:368, 192:448] = face
    return frame


def blazeface_runtimes(repeats):
    """One BlazeFace forward pass on each runtime skfer can use, interleaved."""
    from skfer import preprocessing

    fns = {}
    for name in ("blazeface", "blazeface-back"):
        size = preprocessing._BLAZEFACE_MODELS[name][1]
        path = preprocessing._blazeface_model_path(name)
        x = np.zeros((1, size, size, 3), np.float32)
        saved = preprocessing._BLAZEFACE_RUNTIMES
        for runtimes in (("litert", "opencv"), ("opencv",)):
            preprocessing._BLAZEFACE_RUNTIMES = runtimes
            try:
                run = preprocessing._blazeface_runner(path, size)
            finally:
                preprocessing._BLAZEFACE_RUNTIMES = saved
            fns[f"{name} on {run.runtime}"] = lambda r=run, a=x: r(a)
    return interleaved(fns, repeats)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument(
        "--output", help="results JSON; an .rst table is written beside"
    )
    parser.add_argument(
        "--from-json", help="only rewrite the .rst table from an earlier JSON"
    )
    args = parser.parse_args()
    if args.from_json:
        write_rst(json.loads(Path(args.from_json).read_text()), args.from_json)
        return

    import keras
    import tensorflow as tf

    import skfer
    from skfer import FERClassifier
    from skfer._keras import find_network
    from skfer.inference import FERPredictor, pretrained

    rng = np.random.default_rng(0)
    faces1 = rng.integers(0, 256, (1, 48, 48), dtype=np.uint8)
    faces64 = rng.integers(0, 256, (64, 48, 48), dtype=np.uint8)
    frame = frame_with_face()
    results = {"per_face_batch1": {}, "batch64_faces_per_s": {}, "frame_640x480": {}}

    v2 = FERClassifier(model="v2", augment=False, random_state=0)
    v2.initialize(np.zeros((7, 48, 48), np.uint8), np.arange(7))
    for name, clf in (("v1", pretrained("v1-fer2013")), ("v2", v2)):
        net = find_network(clf.model_)
        x1 = faces1[..., None].astype(np.float32) / 255
        x64 = faces64[..., None].astype(np.float32) / 255
        paths = {
            "eager keras net(x)": (lambda x, n=net: n(x, training=False), x1, x64),
            "FERClassifier.predict_proba": (clf.predict_proba, faces1, faces64),
        }
        for backend in ("keras", "onnx"):
            predictor = FERPredictor(clf, backend=backend)
            paths[f"FERPredictor ({backend})"] = (
                predictor.predict_proba,
                faces1,
                faces64,
            )
            if name == "v1":
                detect = timed(lambda p=predictor: p.predict_image(frame), args.repeats)
                results["frame_640x480"][f"skfer v1 ({backend})"] = detect
        for path, (fn, a1, a64) in paths.items():
            key = f"{name}: {path}"
            results["per_face_batch1"][key] = timed(
                lambda f=fn, a=a1: f(a), args.repeats
            )
            batch = timed(lambda f=fn, a=a64: f(a), max(20, args.repeats // 10))
            results["batch64_faces_per_s"][key] = 64000 / batch["median_ms"]
            print(key, results["per_face_batch1"][key], flush=True)
    from skfer.preprocessing import DETECTORS, FaceCropper

    cropper = FaceCropper(detector="haar")
    results["frame_640x480"]["OpenCV Haar detection, full frame"] = timed(
        lambda: cropper.detect([frame]), args.repeats
    )
    # the frame path with each detector, the default path and the fer
    # package, interleaved call by call on each frame
    frame_paths = {"skfer default: FERPredictor()": FERPredictor().predict_image}
    frame_paths.update(
        {
            f"skfer {model[:2]} (keras), detector={name}": FERPredictor(
                model, detector=FaceCropper(detector=name, margin=0.1)
            ).predict_image
            for model in ("v1-fer2013", "v2-fer2013")
            for name in DETECTORS
        }
    )
    try:
        from fer.fer import FER
    except ImportError as exc:
        results["fer"] = f"not installed ({exc}); pip install --no-deps fer"
    else:
        fer = FER()
        bgr = frame[:, :, ::-1].copy()
        results["frame_640x480"]["fer package (default)"] = timed(
            lambda: fer.detect_emotions(bgr), args.repeats
        )
        results["fer_faces_found"] = len(fer.detect_emotions(bgr))
    near = near_face_frame()
    for key, found_key, image in (
        ("frame_640x480_interleaved", "faces_found_by_detector", frame),
        ("frame_640x480_near_face_interleaved", "faces_found_by_detector_near", near),
    ):
        fns = {name: (lambda f=fn, i=image: f(i)) for name, fn in frame_paths.items()}
        if "fer" not in results:  # fer takes BGR frames; converted once, untimed
            bgr = image[:, :, ::-1].copy()
            fns["fer package (default)"] = lambda b=bgr: fer.detect_emotions(b)
        results[found_key] = {name: len(fn()) for name, fn in fns.items()}
        results[key] = interleaved(fns, args.repeats)
        rows = results[key]
        if "fer package (default)" in rows:
            results.setdefault("fer_over_skfer_default", {})[key] = (
                rows["fer package (default)"]["median_ms"]
                / rows["skfer default: FERPredictor()"]["median_ms"]
            )
    results["blazeface_forward_interleaved"] = blazeface_runtimes(args.repeats)
    results["versions"] = {
        "skfer": skfer.__version__,
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "python": platform.python_version(),
    }
    print("\nper face, batch 1               median ms   p95 ms   faces/s @64")
    for key, value in results["per_face_batch1"].items():
        print(
            f"{key:<38} {value['median_ms']:8.2f} {value['p95_ms']:8.2f}"
            f" {results['batch64_faces_per_s'][key]:10.0f}"
        )
    for key in ("frame_640x480_interleaved", "frame_640x480_near_face_interleaved"):
        print(f"\n{key}                 median ms   p95 ms")
        for name, value in results[key].items():
            print(f"{name:<44} {value['median_ms']:8.2f} {value['p95_ms']:8.2f}")
    for key, ratio in results.get("fer_over_skfer_default", {}).items():
        print(f"{key}: fer / skfer default frame time {ratio:.1f}x")
    if args.output:
        from skfer._checkpoint import atomic_write_text
        from skfer._precision import cpu_model

        results["repeats"] = args.repeats
        results["cpu"] = cpu_model()
        atomic_write_text(args.output, json.dumps(results, indent=1))
        write_rst(results, args.output)


def write_rst(results, json_path):
    """The tables of the docs' speed section, beside the JSON."""
    rule = "=" * 38 + "  " + "=" * 9 + "  " + "=" * 7 + "  " + "=" * 12
    lines = [
        "Measured by ``python bench/inference_speed.py --repeats "
        f"{results.get('repeats', 200)} --output docs/results/inference_speed.json`` "
        f"on the 2-core development machine ({results.get('cpu', 'CPU not recorded')}"
        ", no GPU), with nothing else running. Model 2 timings use random "
        "weights (speed does not depend on them).",
        "",
        rule,
        f"{'per face, batch 1':<38}  {'median ms':>9}  {'p95 ms':>7}  "
        f"{'faces/s @64':>12}",
        rule,
    ]
    for key, value in results["per_face_batch1"].items():
        lines.append(
            f"{key:<38}  {value['median_ms']:9.2f}  {value['p95_ms']:7.2f}  "
            f"{results['batch64_faces_per_s'][key]:12.0f}"
        )
    lines += [rule, ""]
    rule = "=" * 38 + "  " + "=" * 9 + "  " + "=" * 7
    lines += [rule, f"{'640x480 frame, one face':<38}  {'median ms':>9}  {'p95 ms':>7}"]
    lines.append(rule)
    for key, value in results["frame_640x480"].items():
        lines.append(f"{key:<38}  {value['median_ms']:9.2f}  {value['p95_ms']:7.2f}")
    lines += [rule, ""]
    for key, found_key, title in (
        (
            "frame_640x480_interleaved",
            "faces_found_by_detector",
            "Each path on the same frame (the face about 52 pixels wide), "
            "timed one call of each in turn; the default path is "
            "``FERPredictor()`` (v2-fer2013, detector blazeface-back+haar):",
        ),
        (
            "frame_640x480_near_face_interleaved",
            "faces_found_by_detector_near",
            "The same on a webcam-like frame where the head fills about a third "
            "of the frame (the face about 150 pixels wide):",
        ),
    ):
        if key not in results:
            continue
        lines += _detector_table(results[key], results.get(found_key, {}), title)
    rows = results.get("blazeface_forward_interleaved")
    if rows:
        width = max(len(k) for k in rows)
        rule = "=" * width + "  " + "=" * 9 + "  " + "=" * 7
        lines += [
            "One BlazeFace forward pass on each runtime, timed one call of each "
            "in turn (skfer uses LiteRT where ``ai-edge-litert`` is installed):",
            "",
            rule,
            f"{'model on runtime':<{width}}  {'median ms':>9}  {'p95 ms':>7}",
            rule,
        ]
        for key, value in rows.items():
            lines.append(
                f"{key:<{width}}  {value['median_ms']:9.2f}  {value['p95_ms']:7.2f}"
            )
        lines += [rule, ""]
    from skfer._checkpoint import atomic_write_text

    atomic_write_text(Path(json_path).with_suffix(".rst"), "\n".join(lines))


def _detector_table(rows, found, title):
    lines = []
    if rows:
        width = max(len(k) for k in rows)
        rule = "=" * width + "  " + "=" * 9 + "  " + "=" * 7 + "  " + "=" * 5
        lines += [
            title,
            "",
            rule,
            f"{'640x480 frame, one face':<{width}}  {'median ms':>9}  {'p95 ms':>7}  "
            "faces",
            rule,
        ]
        for key, value in rows.items():
            lines.append(
                f"{key:<{width}}  {value['median_ms']:9.2f}  {value['p95_ms']:7.2f}  "
                f"{found.get(key, ''):>5}"
            )
        lines += [rule, ""]
    return lines


if __name__ == "__main__":
    main()
