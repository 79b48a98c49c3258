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

It also classifies each detector's crop with a shipped model (``--model``,
default the package default) at each ``--margins`` value, so that a detector
is judged by the expression accuracy it leads to, not only by its counts:
accuracy over all frames (a frame without a face counts as wrong), over the
frames the detector found, and over the frames every detector found (the
same faces for all). The true box (the face as it was placed) is the
reference. The frames are PublicTest's, so a margin chosen here is chosen
on PublicTest, as the protocol wants.

    python bench/detectors.py --fer2013 ../shared/data/fer2013.npz --n 1000 \
        --margins 0,0.1,0.2

Prints one JSON object (counts, the fit, accuracies, the machine's CPU).
"""

import argparse
import json
import sys

import numpy as np


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


def expression_accuracy(predictor, labels, crops, true_crops):
    """Accuracy of the model on each detector's crops, per margin."""
    found = {key: np.array([c is not None for c in v]) for key, v in crops.items()}
    every = np.logical_and.reduce(list(found.values()))
    out = {"frames": len(labels), "frames_every_detector_found": int(every.sum())}
    for m, faces in true_crops.items():
        right = predictor.predict_proba(np.stack(faces)).argmax(1) == labels
        out[f"true box, margin {m}"] = {
            "all": round(float(right.mean()), 4),
            "every_found": round(float(right[every].mean()), 4),
        }
    for (name, m), faces in crops.items():
        hit = found[name, m]
        right = np.zeros(len(labels), bool)
        if hit.any():
            found_faces = np.stack([f for f in faces if f is not None])
            pred = predictor.predict_proba(found_faces)
            right[hit] = pred.argmax(1) == labels[hit]
        out[f"{name}, margin {m}"] = {
            "all": round(float(right.mean()), 4),
            "found": round(float(right[hit].mean()), 4) if hit.any() else None,
            "every_found": round(float(right[every].mean()), 4),
        }
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fer2013", required=True)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--subset", default="PublicTest")
    parser.add_argument("--model", default=None, help="shipped model to score crops")
    parser.add_argument("--margins", default="0.1,0.2,0.3", help="crop margins")
    args = parser.parse_args()
    margins = [float(m) for m in args.margins.split(",")]

    from skfer._precision import cpu_model
    from skfer.datasets import load_fer2013
    from skfer.inference import DEFAULT_PRETRAINED, FERPredictor
    from skfer.preprocessing import DETECTORS, FaceCropper

    data = load_fer2013(args.fer2013, subset=args.subset)
    images = data.images[: args.n] if hasattr(data, "images") else data.data[: args.n]
    images = np.asarray(images, np.uint8).reshape(-1, 48, 48)
    labels = np.asarray(data.target)[: len(images)]
    predictor = FERPredictor(args.model or DEFAULT_PRETRAINED)
    croppers = {m: FaceCropper(margin=m) for m in margins}
    # crops[(detector, margin)][i]: the crop of frame i's largest face, or None
    crops = {(name, m): [] for name in DETECTORS for m in margins}
    true_crops = {m: [] for m in margins}
    names = DETECTORS
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
        for m, cropper in croppers.items():
            true_crops[m].append(cropper.crop(frame, [(x, y, w, h)])[0])
            for name, b in boxes.items():
                crops[name, m].append(cropper.crop(frame, b[:1])[0] if len(b) else None)
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
    accuracy = expression_accuracy(predictor, labels, crops, true_crops)
    print(
        json.dumps(
            {
                "faces": f"FER2013 {args.subset}, first {len(images)} images, each "
                "upscaled 3x into a 640x480 frame (border repeated)",
                "found": found,
                "found_on_the_face": on_face,
                "blaze_to_haar_fit": fit,
                "model": args.model or DEFAULT_PRETRAINED,
                "expression_accuracy": accuracy,
                "cpu": cpu_model(),
                "command": " ".join(["python"] + sys.argv),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
