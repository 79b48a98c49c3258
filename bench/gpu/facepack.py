"""Pack FER2013 and CK+ small enough to travel to a lent GPU machine.

The device tool carries at most 64 MiB of working tree per call, and
``fer2013.npz`` is 78 MB (its 35,887 faces do not compress much: zlib 0.90,
lzma 0.77). Predicting each pixel from its left, upper and upper-left
neighbours (the median edge detector of JPEG-LS) and compressing the
residuals with lzma brings the images to 0.68 of their size, about 53 MiB,
losslessly; the unpacker checks the SHA-256 of the images it rebuilds.

Only the arrays skfer's loaders read are kept (images, labels, usage for
FER2013; the CK+ npz is 2 MB and is copied as it is). The packed files live
in ``.gpu/data`` (ignored by git: the datasets are never committed).

Usage, here::

    python bench/gpu/facepack.py pack --fer2013 ../shared/data/fer2013.npz \\
        --ckplus ../shared/data/ckplus48.npz --out .gpu/data

and on the device (NumPy and the standard library only)::

    python3 bench/gpu/facepack.py unpack .gpu/data /tmp/data
"""

import argparse
import hashlib
import lzma
import shutil
import sys
from pathlib import Path

import numpy as np


def _predict(a, b, c):
    """JPEG-LS median edge detector from left ``a``, up ``b``, up-left ``c``."""
    hi, lo = np.maximum(a, b), np.minimum(a, b)
    return np.where(c >= hi, lo, np.where(c <= lo, hi, a + b - c))


def encode(images):
    """Residuals (uint8, modulo 256) of the median predictor, same shape."""
    x = images.astype(np.int16)
    a = np.zeros_like(x)
    b = np.zeros_like(x)
    c = np.zeros_like(x)
    a[:, :, 1:] = x[:, :, :-1]
    b[:, 1:, :] = x[:, :-1, :]
    c[:, 1:, 1:] = x[:, :-1, :-1]
    return ((x - _predict(a, b, c)) % 256).astype(np.uint8)


def decode(residuals):
    """Invert :func:`encode`, pixel by pixel over all images at once."""
    r = residuals.astype(np.int16)
    x = np.zeros_like(r)
    zero = np.zeros(r.shape[0], dtype=np.int16)
    for i in range(r.shape[1]):
        for j in range(r.shape[2]):
            a = x[:, i, j - 1] if j else zero
            b = x[:, i - 1, j] if i else zero
            c = x[:, i - 1, j - 1] if i and j else zero
            x[:, i, j] = (r[:, i, j] + _predict(a, b, c)) % 256
    return x.astype(np.uint8)


def _sha(images):
    return hashlib.sha256(np.ascontiguousarray(images).tobytes()).hexdigest()


def pack(fer2013, ckplus, out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with np.load(fer2013, allow_pickle=False) as npz:
        images = np.asarray(npz["images"], dtype=np.uint8)
        labels, usage = npz["labels"], npz["usage"].astype(str)
    residuals = encode(images)
    assert np.array_equal(decode(residuals[:64]), images[:64])
    (out / "fer2013.residuals.xz").write_bytes(
        lzma.compress(residuals.tobytes(), preset=9 | lzma.PRESET_EXTREME)
    )
    np.savez_compressed(
        out / "fer2013.meta.npz",
        labels=labels,
        usage=usage,
        shape=np.array(images.shape),
        sha256=np.array(_sha(images)),
    )
    if ckplus:
        shutil.copyfile(ckplus, out / "ckplus48.npz")
    sizes = {p.name: p.stat().st_size for p in sorted(out.iterdir())}
    total = sum(sizes.values())
    print(f"{sizes} -> {total / 2**20:.1f} MiB in {out}")
    return total


def unpack(folder, out):
    folder, out = Path(folder), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with np.load(folder / "fer2013.meta.npz", allow_pickle=False) as meta:
        shape = tuple(int(v) for v in meta["shape"])
        raw = lzma.decompress((folder / "fer2013.residuals.xz").read_bytes())
        images = decode(np.frombuffer(raw, dtype=np.uint8).reshape(shape))
        if _sha(images) != str(meta["sha256"]):
            sys.exit("fer2013: the rebuilt images do not match the original's hash")
        np.savez(
            out / "fer2013.npz",
            images=images,
            labels=meta["labels"],
            usage=meta["usage"],
        )
    if (folder / "ckplus48.npz").exists():
        shutil.copyfile(folder / "ckplus48.npz", out / "ckplus48.npz")
    print(f"unpacked {shape[0]} FER2013 images (hash checked) into {out}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pack", help="pack the npz files into a folder")
    p.add_argument("--fer2013", required=True)
    p.add_argument("--ckplus")
    p.add_argument("--out", default=".gpu/data")
    u = sub.add_parser("unpack", help="rebuild fer2013.npz (and copy CK+)")
    u.add_argument("folder")
    u.add_argument("out")
    args = parser.parse_args(argv)
    if args.command == "pack":
        pack(args.fer2013, args.ckplus, args.out)
    else:
        unpack(args.folder, args.out)


if __name__ == "__main__":
    main()
