"""Do the face detector and the classifier fight over the cores? Thread
settings of the default real-time path, measured in fresh processes.

Usage:
  python bench/frame_threads.py [--rounds 2] [--frames 150] [--output FILE.json]
  python bench/frame_threads.py --versus-fer [--rounds 3] [--output FILE.json]

The default ``FERPredictor`` (v2-ferplus, blazeface-back+haar, ONNX Runtime)
on the webcam-like 640x480 frame of ``bench/inference_speed.py``, with
ONNX Runtime on 1 or all usable threads, its idle workers spinning (its
default) or not, and LiteRT's BlazeFace on 1 or all usable threads; plus the
classifier alone on one face (batch 1) and per face in a batch of 256. Each
setting runs in its own process (a spinning session takes cores from
everything else in its process, so settings cannot share one), the
settings alternate for ``--rounds`` rounds, and the output gives every
round's median milliseconds with the CPU model and its flags.

``--versus-fer``: the default ``FERPredictor()`` as shipped against the
`fer` package (``FER()``, its default detector and model; ``pip install
--no-deps fer``) on the same two frames (the webcam-like one and a smaller
face on grey), each in its own process, alternating for ``--rounds`` rounds,
with the ratio of the medians.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def one_setting(ort_threads, litert_threads, spin, frames):
    """Medians of one setting, in this process."""
    sys.path.insert(0, str(ROOT))
    import onnxruntime as ort

    from skfer import _face_models

    _face_models.usable_cores = lambda: litert_threads  # BlazeFace's threads
    from bench.inference_speed import near_face_frame
    from skfer._export import onnx_file
    from skfer.inference import FERPredictor, pretrained

    estimator = pretrained("v2-ferplus")
    options = ort.SessionOptions()
    options.intra_op_num_threads = ort_threads
    options.add_session_config_entry(
        "session.intra_op.allow_spinning", "1" if spin else "0"
    )
    session = ort.InferenceSession(
        str(onnx_file(estimator)), options, providers=["CPUExecutionProvider"]
    )
    name = session.get_inputs()[0].name
    predictor = FERPredictor(estimator, backend="onnx")
    predictor._run = lambda images: session.run(None, {name: images})[0]
    frame = near_face_frame()
    if not predictor.predict_image(frame):
        raise SystemExit("no face found")

    def median_ms(fn, n, skip):
        times = []
        for _ in range(n + skip):
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        return float(np.median(times[skip:]))

    one = np.random.default_rng(0).random((1, 48, 48, 1), dtype=np.float32)
    batch = np.random.default_rng(1).random((256, 48, 48, 1), dtype=np.float32)
    return {
        "frame_ms": median_ms(lambda: predictor.predict_image(frame), frames, 10),
        "batch1_ms": median_ms(lambda: session.run(None, {name: one}), 300, 20),
        "per_face_in_256_ms": median_ms(lambda: session.run(None, {name: batch}), 10, 2)
        / 256,
    }


def one_path(path, frames):
    """Median ms per frame of ``path`` ("skfer" or "fer"), in this process."""
    sys.path.insert(0, str(ROOT))
    from bench.inference_speed import frame_with_face, near_face_frame

    images = {"webcam-like": near_face_frame(), "small face": frame_with_face()}
    if path == "skfer":
        from skfer.inference import FERPredictor

        predictor = FERPredictor()
        run = predictor.predict_image
        info = {"backend": predictor.backend_}
    else:
        from fer.fer import FER

        fer = FER()
        images = {k: v[:, :, ::-1].copy() for k, v in images.items()}  # BGR
        run, info = fer.detect_emotions, {}
    out = {}
    for name, image in images.items():
        found = len(run(image))
        times = []
        for _ in range(frames + 10):
            start = time.perf_counter()
            run(image)
            times.append((time.perf_counter() - start) * 1000)
        out[name] = {"median_ms": float(np.median(times[10:])), "faces": found}
    return {**out, **info}


def versus_fer(rounds, frames):
    rows = {"skfer": [], "fer": []}
    for _ in range(rounds):
        for path in rows:
            out = subprocess.run(
                [sys.executable, __file__, "--frames", str(frames), "--path", path],
                capture_output=True,
                text=True,
                check=True,
            )
            rows[path].append(json.loads(out.stdout.strip().splitlines()[-1]))
    ratios = {}
    for frame in ("webcam-like", "small face"):
        skfer = np.median([r[frame]["median_ms"] for r in rows["skfer"]])
        fer = np.median([r[frame]["median_ms"] for r in rows["fer"]])
        ratios[frame] = {
            "skfer_ms": round(float(skfer), 2),
            "fer_ms": round(float(fer), 2),
            "skfer_over_fer": round(float(skfer / fer), 3),
        }
    return {
        "what": "default FERPredictor() against the fer package, per 640x480 "
        "frame, each in fresh processes alternating; the medians of the "
        "rounds' medians (bench/frame_threads.py --versus-fer)",
        "rounds": rows,
        "summary": ratios,
    }


def emit(result, output=None):
    """Print a bench's JSON result and write it to ``output`` if given."""
    text = json.dumps(result, indent=1)
    if output:
        output.write_text(text + "\n")
    print(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--frames", type=int, default=150)
    parser.add_argument("--output", type=Path)
    parser.add_argument("--versus-fer", action="store_true")
    parser.add_argument("--one", nargs=3, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_setting(*args.one[:2], bool(args.one[2]), args.frames)))
        return
    if args.path:
        print(json.dumps(one_path(args.path, args.frames)))
        return
    sys.path.insert(0, str(ROOT))
    from bench.frame_breakdown import cpu
    from skfer._utils import usable_cores

    if args.versus_fer:
        emit({**versus_fer(args.rounds, args.frames), "cpu": cpu()}, args.output)
        return
    n = usable_cores()
    settings = sorted({(n, n, 1), (n, n, 0), (1, n, 0), (n, 1, 0), (1, 1, 0)})
    rounds = {f"ort={o} litert={t} spin={bool(s)}": [] for o, t, s in settings}
    for _ in range(args.rounds):
        for (o, t, s), key in zip(settings, rounds):
            out = subprocess.run(
                [sys.executable, __file__, "--frames", str(args.frames), "--one"]
                + [str(o), str(t), str(s)],
                capture_output=True,
                text=True,
                check=True,
            )
            rounds[key].append(json.loads(out.stdout.strip().splitlines()[-1]))
    result = {
        "what": "default FERPredictor (v2-ferplus, blazeface-back+haar, ONNX "
        "Runtime) per 640x480 frame, and the classifier alone, by thread "
        "setting; median ms of each round, settings in fresh processes, "
        "alternating (bench/frame_threads.py)",
        "cpu": cpu(),
        "usable_cores": n,
        "rounds": {
            key: [{k: round(v, 3) for k, v in r.items()} for r in runs]
            for key, runs in rounds.items()
        },
    }
    emit(result, args.output)


if __name__ == "__main__":
    main()
