"""Bring a lent GPU machine's training runs back through the device tool.

The device tool returns at most 8 files from $OUT, each at most 16 MiB,
no more than two folders down; a Model 2 checkpoint is 46 MB, and a report
alone has more than 8 files. So ``run.sh`` writes the runs and the report
outside $OUT and, at the end, ``pack`` puts into $OUT:

- ``results.tar.gz``: every run folder without its ``.keras`` checkpoints
  (``state.json``, ``result.json``, CK+ ``fold.json`` files: what the report
  and the figures are made from) and the report folder;
- for each experiment named by ``--keep``, its ``best.keras`` cut into parts
  of at most 15 MiB (``EXPERIMENT.best.keras.part00``, ...), with their
  SHA-256 in the archive, so that ``skfer reproduce features-v2`` or
  ``bench/make_pretrained.py`` can use the network here.

Here, ``unpack`` rebuilds the run folders under ``--runs`` from the files the
tool fetched (it refuses to overwrite a run folder already there) and checks
the checkpoints' SHA-256. Standard library only.

Usage, on the device (``run.sh`` does it)::

    python3 bench/gpu/bringback.py pack "$OUT" --runs RUNS --report REPORT \\
        [--keep fer2013-v2-crossentropy-aug]

and here, with the folder the device tool reports as ``files_at``::

    python bench/gpu/bringback.py unpack FILES_AT --runs ~/skfer_runs_gpu
"""

import argparse
import hashlib
import io
import json
import sys
import tarfile
from pathlib import Path

PART = 15 * 2**20
MAX_FILES = 8  # what the device tool brings back from $OUT


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def pack(out, runs, report=None, keep=(), reserved=1):
    """Write results.tar.gz and the kept checkpoints' parts into ``out``.

    ``reserved`` files of ``out`` are counted as already taken (run.sh's
    log). Exits if the files would not all come back.
    """
    out, runs = Path(out), Path(runs)
    out.mkdir(parents=True, exist_ok=True)
    parts, manifest = [], {}
    for name in keep:
        checkpoint = runs / name / "best.keras"
        if not checkpoint.exists():
            # the results must come back even when a network did not
            print(f"--keep {name}: {checkpoint} does not exist", file=sys.stderr)
            continue
        data = checkpoint.read_bytes()
        pieces = [data[i : i + PART] for i in range(0, len(data), PART)]
        manifest[name] = {"sha256": _sha256(checkpoint), "parts": len(pieces)}
        parts += [(f"{name}.best.keras.part{i:02d}", p) for i, p in enumerate(pieces)]
    if reserved + 1 + len(parts) > MAX_FILES:
        sys.exit(
            f"{reserved + 1 + len(parts)} files would not come back "
            f"(the device tool returns {MAX_FILES}); keep fewer checkpoints"
        )
    with tarfile.open(out / "results.tar.gz", "w:gz") as tar:
        for path in sorted(runs.rglob("*")):
            if path.is_file() and path.suffix != ".keras":
                tar.add(path, arcname=f"runs/{path.relative_to(runs)}")
        if report is not None and Path(report).exists():
            tar.add(report, arcname="report")
        blob = json.dumps(manifest, indent=1).encode()
        info = tarfile.TarInfo("checkpoints.json")
        info.size = len(blob)
        tar.addfile(info, io.BytesIO(blob))
    for filename, piece in parts:
        (out / filename).write_bytes(piece)
    return sorted(p.name for p in out.iterdir())


def unpack(fetched, runs):
    """Rebuild the run folders (and the report, as ``runs/gpu-report``)."""
    fetched, runs = Path(fetched), Path(runs).expanduser()
    with tarfile.open(fetched / "results.tar.gz") as tar:
        members = tar.getmembers()
        names = sorted(
            {
                Path(m.name).parts[1]
                for m in members
                if m.name.startswith("runs/") and len(Path(m.name).parts) > 2
            }
        )
        clash = [n for n in names + ["gpu-report"] if (runs / n).exists()]
        if clash:
            sys.exit(
                f"{runs} already has {', '.join(clash)}; unpack into another "
                "--runs folder, or move those away first"
            )
        manifest = json.load(tar.extractfile("checkpoints.json"))
        for member in members:
            parts = Path(member.name).parts
            if not member.isfile() or ".." in parts or parts[0] == "checkpoints.json":
                continue
            rel = Path(*parts[1:])
            dest = runs / rel if parts[0] == "runs" else runs / "gpu-report" / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(tar.extractfile(member).read())
    for name, info in manifest.items():
        dest = runs / name / "best.keras"
        with open(dest, "wb") as f:
            for i in range(info["parts"]):
                f.write((fetched / f"{name}.best.keras.part{i:02d}").read_bytes())
        if _sha256(dest) != info["sha256"]:
            dest.unlink()
            sys.exit(f"{name}: the rebuilt best.keras does not match its SHA-256")
    return names


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pack", help="on the device: runs and report into $OUT")
    p.add_argument("out")
    p.add_argument("--runs", required=True)
    p.add_argument("--report")
    p.add_argument("--keep", nargs="*", default=[])
    u = sub.add_parser("unpack", help="here: rebuild the run folders")
    u.add_argument("fetched")
    u.add_argument("--runs", required=True)
    args = parser.parse_args(argv)
    if args.command == "pack":
        for name in pack(args.out, args.runs, args.report, args.keep):
            print(name)
    else:
        names = unpack(args.fetched, args.runs)
        print(f"{len(names)} runs under {args.runs}: {', '.join(names)}")


if __name__ == "__main__":
    main()
