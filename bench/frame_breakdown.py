"""Where a real-time frame's time goes: per-stage medians of FERPredictor.

Usage:
  python bench/frame_breakdown.py [--repeats 100] [--output FILE.json]
  python bench/frame_breakdown.py --both-isa --output-dir docs/results

For each shipped model (the default v2-ferplus and v1-fer2013), each detector
(the default blazeface-back+haar, the short-range blazeface, haar) and each
classifier backend (keras: TensorFlow's compiled graph; onnx: ONNX Runtime),
on a webcam-like 640x480 RGB frame with one face, interleaved stage by stage
(this machine's speed drifts), the median milliseconds of:

- ``frame``: checking the input and deciding its colour handling
  (``skfer._face_models._frame``);
- ``detect``: face detection (BlazeFace's grey conversion, resize and
  network; the Haar cascade's grey conversion and scan);
- ``crop``: cutting and resizing the face to 48x48 grey;
- ``classify``: the network on the crop (pixel scaling included);
- ``rest``: the whole ``predict_image`` call less the four stages (the
  answer's dict, Python overhead).

``--both-isa`` runs it twice in fresh processes: as the machine is, and with
oneDNN limited to AVX2 (``ONEDNN_MAX_CPU_ISA=AVX2``: TensorFlow's CPU
kernels as on an AVX2-only laptop; ONNX Runtime and LiteRT choose their
kernels themselves and have no such switch, so on an AVX-512 machine their
figures stay AVX-512 ones). Each output names the CPU model and its flags.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("frame", "detect", "crop", "classify", "rest", "total")


def cpu():
    flags, model = [], platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and model in ("", platform.processor()):
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags"):
                flags = line.split(":", 1)[1].split()
                break
    except OSError:
        pass
    wanted = ("avx2", "fma", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile")
    return {"model": model, "isa_flags": [f for f in wanted if f in flags]}


def measure(repeats):
    from bench.inference_speed import near_face_frame
    from skfer._face_models import _frame
    from skfer._utils import usable_cores
    from skfer.inference import FERPredictor, pretrained

    frame = near_face_frame()
    cases = {}
    for model in ("v2-ferplus", "v1-fer2013"):
        estimator = pretrained(model)
        for detector in ("blazeface-back+haar", "blazeface", "haar"):
            for backend in ("keras", "onnx"):
                predictor = FERPredictor(estimator, detector=detector, backend=backend)
                if not predictor.predict_image(frame):
                    raise SystemExit(f"{model}/{detector} found no face")
                cases[f"{model} | {detector} | {backend}"] = predictor
    samples = {name: {s: [] for s in STAGES} for name in cases}

    def clock(fn, *args):
        start = time.perf_counter()
        out = fn(*args)
        return out, (time.perf_counter() - start) * 1000

    for i in range(repeats + 5):
        for name, p in cases.items():
            checked, t_frame = clock(_frame, frame)
            boxes, t_detect = clock(p.detect, checked)
            faces, t_crop = clock(p.crops, checked, boxes)
            _, t_classify = clock(p.predict_proba, faces)
            _, t_total = clock(p.predict_image, frame)
            if i < 5:  # warm-up
                continue
            row = samples[name]
            for stage, value in zip(
                STAGES[:4], (t_frame, t_detect, t_crop, t_classify)
            ):
                row[stage].append(value)
            row["total"].append(t_total)
            row["rest"].append(t_total - t_frame - t_detect - t_crop - t_classify)
    medians = {
        name: {stage: round(float(np.median(v)), 3) for stage, v in row.items()}
        for name, row in samples.items()
    }
    import onnxruntime
    import tensorflow as tf

    return {
        "what": "median ms per 640x480 RGB frame with one face, by stage "
        "(bench/frame_breakdown.py), interleaved",
        "repeats": repeats,
        "cpu": cpu(),
        "usable_cores": usable_cores(),
        "ONEDNN_MAX_CPU_ISA": os.environ.get("ONEDNN_MAX_CPU_ISA", "(unset)"),
        "versions": {
            "tensorflow": tf.__version__,
            "onnxruntime": onnxruntime.__version__,
            "python": platform.python_version(),
        },
        "stages": medians,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=100)
    parser.add_argument("--output", help="JSON file (default: print)")
    parser.add_argument(
        "--both-isa",
        action="store_true",
        help="run natively and with ONEDNN_MAX_CPU_ISA=AVX2, in fresh processes",
    )
    parser.add_argument("--output-dir", default=str(ROOT / "docs" / "results"))
    args = parser.parse_args()
    if args.both_isa:
        for label, extra in (("native", {}), ("avx2", {"ONEDNN_MAX_CPU_ISA": "AVX2"})):
            out = Path(args.output_dir) / f"frame_breakdown_{label}.json"
            env = {**os.environ, **extra}
            if not extra:
                env.pop("ONEDNN_MAX_CPU_ISA", None)
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--repeats",
                    str(args.repeats),
                    "--output",
                    str(out),
                ],
                env=env,
                check=True,
            )
        return
    sys.path.insert(0, str(ROOT))
    result = measure(args.repeats)
    text = json.dumps(result, indent=1)
    if args.output:
        Path(args.output).write_text(text + "\n")
        print(f"wrote {args.output}")
    width = max(map(len, result["stages"]))
    print(f"{'case':<{width}}  " + "  ".join(f"{s:>8}" for s in STAGES))
    for name, row in result["stages"].items():
        print(f"{name:<{width}}  " + "  ".join(f"{row[s]:8.2f}" for s in STAGES))


if __name__ == "__main__":
    main()
