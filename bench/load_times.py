"""Load times of FER2013 in its three formats, written from the packed npz.

Usage: python bench/load_times.py [--data ../shared/data/fer2013.npz] [--jpeg]

Writes a fer2013.csv (emotion,pixels,Usage, as on Kaggle) and the Kaggle
image-folder layout (train/<class>/Training_*.png, test/<class>/PublicTest_*
and PrivateTest_*; --jpeg writes .jpg at quality 95 like the Kaggle copy) into
a temporary folder, then times load_fer2013 on each format and checks that
the csv and PNG folder give back exactly the npz pixels.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image


def main():
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "fer2013.npz"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(default))
    parser.add_argument("--jpeg", action="store_true")
    args = parser.parse_args()

    from skfer.datasets import FER2013_LABELS, load_fer2013

    start = time.perf_counter()
    ref = load_fer2013(args.data)
    npz_s = time.perf_counter() - start

    with tempfile.TemporaryDirectory() as tmp:
        csv_path = os.path.join(tmp, "fer2013.csv")
        with open(csv_path, "w") as f:
            f.write("emotion,pixels,Usage\n")
            for image, label, usage in zip(ref.images, ref.target, ref.usage):
                f.write(f"{label},{' '.join(map(str, image.ravel()))},{usage}\n")
        ext = ".jpg" if args.jpeg else ".png"
        root = Path(tmp) / "kaggle"
        for i, (image, label, usage) in enumerate(
            zip(ref.images, ref.target, ref.usage)
        ):
            split = "train" if usage == "Training" else "test"
            folder = root / split / FER2013_LABELS[label]
            folder.mkdir(parents=True, exist_ok=True)
            Image.fromarray(image).save(folder / f"{usage}_{i:05d}{ext}", quality=95)

        start = time.perf_counter()
        csv = load_fer2013(csv_path)
        csv_s = time.perf_counter() - start
        start = time.perf_counter()
        folder = load_fer2013(root)
        folder_s = time.perf_counter() - start

    assert np.array_equal(csv.images, ref.images) and np.array_equal(
        csv.target, ref.target
    )
    order = np.argsort(
        [int(n.rsplit("_", 1)[1].split(".")[0]) for n in folder.filenames]
    )
    same = np.array_equal(folder.images[order], ref.images)
    diff = np.abs(folder.images[order].astype(int) - ref.images).max()
    print(f"command: python {' '.join(sys.argv)}")
    print(f"{len(ref.target)} images")
    print(f"  npz    {npz_s:6.1f} s")
    print(f"  csv    {csv_s:6.1f} s   pixels identical to npz: True")
    print(
        f"  folder {folder_s:6.1f} s   ({ext}) pixels identical: {same}, "
        f"max |diff| {diff}"
    )


if __name__ == "__main__":
    main()
