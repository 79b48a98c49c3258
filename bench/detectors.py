"""Face detectors compared: how often each finds the face, and where its box is.

The faces are FER2013 PublicTest images (every one holds one face): each is
upscaled 3x to 144x144 and set in a 640x480 frame filled by repeating its
border, at a fixed pseudo-random place. ``FaceCropper``'s detectors (the Haar
cascade, BlazeFace, BlazeFace then the cascade) run on the same frames; the
script counts the frames where each found a face and, where the first two
did, measures how BlazeFace's box sits against the cascade's (centre shift
and scale, as fractions of the box side; no mapping is applied in skfer: on
these tight crops the cascade's box spans the whole crop, on a real photo
the two boxes agree within a few percent, see tests/test_preprocessing.py).

    python bench/detectors.py --fer2013 ../shared/data/fer2013.npz --n 1000

Prints one JSON object (counts, the fit, the machine's CPU).
"""

import argparse
import json
import platform
from pathlib import Path

import numpy as np


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def frames(images, seed=0):
    """Each 48x48 face upscaled 3x and set in a 640x480 frame."""
    import cv2

    rng = np.random.default_rng(seed)
    for face in images:
        big = cv2.resize(face, (144, 144), interpolation=cv2.INTER_CUBIC)
        x, y = int(rng.integers(0, 640 - 144)), int(rng.integers(0, 480 - 144))
        frame = cv2.copyMakeBorder(
            big, y, 480 - 144 - y, x, 640 - 144 - x, cv2.BORDER_REPLICATE
        )
        yield frame, (x, y, 144, 144)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fer2013", required=True)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--subset", default="PublicTest")
    args = parser.parse_args()

    from skfer.datasets import load_fer2013
    from skfer.preprocessing import FaceCropper

    data = load_fer2013(args.fer2013, subset=args.subset)
    images = data.images[: args.n] if hasattr(data, "images") else data.data[: args.n]
    images = np.asarray(images, np.uint8).reshape(-1, 48, 48)
    names = ("haar", "blazeface", "blazeface+haar")
    detectors = {name: FaceCropper(detector=name) for name in names}
    found = {name: 0 for name in detectors}
    on_face = {name: 0 for name in detectors}
    pairs = []
    for frame, (x, y, w, h) in frames(images):
        boxes = {name: d.detect([frame])[0] for name, d in detectors.items()}
        for name, b in boxes.items():
            if len(b):
                found[name] += 1
                bx, by, bw, bh = b[0]
                cx, cy = bx + bw / 2, by + bh / 2
                on_face[name] += int(x <= cx <= x + w and y <= cy <= y + h)
        if len(boxes["haar"]) and len(boxes["blazeface"]):
            pairs.append((boxes["haar"][0], boxes["blazeface"][0]))
    fit = None
    if pairs:
        haar = np.array([p[0] for p in pairs], float)
        blaze = np.array([p[1] for p in pairs], float)
        side = blaze[:, 2]
        fit = {
            "dx": float(
                np.median(
                    ((haar[:, 0] + haar[:, 2] / 2) - (blaze[:, 0] + side / 2)) / side
                )
            ),
            "dy": float(
                np.median(
                    ((haar[:, 1] + haar[:, 3] / 2) - (blaze[:, 1] + blaze[:, 3] / 2))
                    / blaze[:, 3]
                )
            ),
            "scale": float(np.median(haar[:, 2] / side)),
            "pairs": len(pairs),
        }
    print(
        json.dumps(
            {
                "faces": f"FER2013 {args.subset}, first {len(images)} images, each "
                "upscaled 3x into a 640x480 frame (border repeated)",
                "found": found,
                "found_on_the_face": on_face,
                "blaze_to_haar_fit": fit,
                "cpu": cpu_model(),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
