"""What crop training and ten-crop prediction cost, on this machine.

Usage:
  python bench/crop_speed.py [--model v2] [--rounds 3] [--output FILE.json]

Training: ``FERClassifier(model, crop=c)`` for c in (None, 44, 40) with the
study's augmentation, float32, batch 64, on 1,024 random 48x48 images: each
fit runs 2 epochs and the second epoch's images per second count (the first
traces the graph). Prediction: ``FERPredictor`` of a crop-44 network
(random weights: speed does not depend on them) with ``tta`` False, "flip"
and "ten-crop", and of the whole-image network, on the webcam-like 640x480
frame of ``bench/inference_speed.py``, median ms per frame. The settings
alternate within each round (this machine's speed drifts), the rounds'
figures are all kept, and the output names the CPU model and its flags.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="v2")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--n", type=int, default=1024)
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()

    import keras

    from bench.frame_breakdown import cpu
    from bench.frame_threads import emit
    from bench.inference_speed import near_face_frame
    from skfer import FERClassifier
    from skfer.inference import FERPredictor

    class EpochClock(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds = time.perf_counter() - self.start

    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, (args.n, 48, 48), dtype=np.uint8)
    y = np.arange(args.n) % 7
    crops = {"whole image": None, "crop 44": 44, "crop 40": 40}
    train = {name: [] for name in crops}
    predict = {}
    frame = near_face_frame()
    fitted = {}
    for _ in range(args.rounds):
        for name, crop in crops.items():
            clock = EpochClock()
            clf = FERClassifier(
                model=args.model,
                epochs=2,
                crop=crop,
                precision="float32",
                callbacks=[clock],
            ).fit(X, y)
            train[name].append(round(args.n / clock.seconds, 1))
            fitted[name] = clf
        predictors = {
            "whole image, tta=False": FERPredictor(fitted["whole image"]),
            "crop 44, tta=False": FERPredictor(fitted["crop 44"], tta=False),
            "crop 44, tta='flip'": FERPredictor(fitted["crop 44"], tta="flip"),
            "crop 44, tta='ten-crop'": FERPredictor(fitted["crop 44"], tta="ten-crop"),
        }
        times = {name: [] for name in predictors}
        for i in range(args.frames + 5):
            for name, predictor in predictors.items():
                start = time.perf_counter()
                predictor.predict_image(frame)
                if i >= 5:
                    times[name].append((time.perf_counter() - start) * 1000)
        for name, samples in times.items():
            predict.setdefault(name, []).append(round(float(np.median(samples)), 2))
        backend = {name: p.backend_ for name, p in predictors.items()}
    result = {
        "what": f"Model {args.model}: training images/s (second of 2 epochs, "
        f"{args.n} images, batch 64, study augmentation, float32) and "
        "FERPredictor ms per 640x480 frame (blazeface-back+haar), each "
        "round's figure (bench/crop_speed.py)",
        "cpu": cpu(),
        "training_images_per_s": train,
        "frame_ms": predict,
        "backend": backend,
    }
    emit(result, args.output)


if __name__ == "__main__":
    main()
