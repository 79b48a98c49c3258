"""FER2013 from the files people actually have: csv, image folders, npz."""

import csv
import re

import numpy as np

from .._image_io import IMAGE_EXTENSIONS, read_image
from .._utils import did_you_mean
from ..exceptions import DataFormatError, InvalidValueError
from ._base import (
    FER2013_LABELS,
    check_on_error,
    find_dataset,
    load_descr,
    make_bunch,
)
from ._ferplus import (
    FERPLUS_LABELS,
    FERPLUS_VOTE_NAMES,
    MAJORITY,
    NO_VOTES,
    ferplus_majority,
    join_by_name,
    join_by_row,
    read_ferplus_votes,
)

__all__ = ["load_fer2013", "FER2013_USAGES"]

FER2013_USAGES = ("Training", "PublicTest", "PrivateTest")
_SIDE = 48
_HOW_TO_GET = (
    "FER2013 is not redistributable, so skfer does not download it: get "
    "fer2013.csv (or the train/ and test/ image folders) from the Kaggle "
    "'Challenges in Representation Learning: Facial Expression Recognition "
    "Challenge' page and pass its path."
)
_PREFIX = re.compile(r"^(Training|PublicTest|PrivateTest)_", re.IGNORECASE)
_SPLIT_FOLDERS = {"train": "Training", "validation": "PublicTest", "val": "PublicTest"}


def _check_subset(subset):
    names = [subset] if isinstance(subset, str) else list(subset)
    for name in names:
        if name != "all" and name not in FER2013_USAGES:
            raise InvalidValueError(
                f"Unknown FER2013 subset {name!r}."
                f"{did_you_mean(name, FER2013_USAGES + ('all',))} Use 'Training', "
                "'PublicTest', 'PrivateTest', 'all', or a list of those."
            )
    return None if "all" in names else names


def load_fer2013(
    path=None,
    *,
    subset="all",
    labels="fer2013",
    ferplus_votes=None,
    keep_unlabelled=False,
    data_home=None,
    return_X_y=False,
    on_error="raise",
):
    """Load FER2013 (35,887 48x48 grayscale faces, 7 expressions), or FER+.

    Reads the three formats in circulation: the original Kaggle
    ``fer2013.csv`` (columns ``emotion,pixels,Usage``), the Kaggle image-folder
    layout (``train/<class>/Training_*.jpg`` and
    ``test/<class>/PublicTest_*.jpg`` / ``PrivateTest_*.jpg``; the split is read
    from the file-name prefix) and a packed ``.npz`` with ``images``,
    ``labels`` and ``usage`` arrays.

    With ``labels="ferplus"`` the same images carry the FER+ relabelling
    (Barsoum et al. 2016, microsoft/FERPlus): ten crowd votes per image over
    eight expressions (FER2013's seven and contempt), "unknown" and "not a
    face". ``target`` is then FER+'s majority label (see
    :func:`ferplus_majority` for the rules), the raw votes are in ``votes``,
    and images without a majority label are left out unless
    ``keep_unlabelled=True``. The vote table ships with skfer, so a
    ``fer2013.csv`` needs nothing else (joined row by row, as FER+'s README
    says); the npz packing of ``shared/data`` is joined by its
    ``ferplus_name`` array. The Kaggle image-folder copy cannot be joined:
    its file names do not carry FER+'s row.

    Evaluation protocol: train on ``Training``, choose models and epochs on
    ``PublicTest``, report ``PrivateTest`` once.

    Parameters
    ----------
    path : str or path-like, optional
        The csv, the npz or the folder holding ``train/`` and ``test/``.
        Default: look for ``fer2013.csv``, ``fer2013.npz`` or ``fer2013/`` in
        :func:`get_data_home`.
    subset : str or list of str, default="all"
        ``"Training"``, ``"PublicTest"``, ``"PrivateTest"``, ``"all"``, or a
        list of those.
    labels : {"fer2013", "ferplus"}, default="fer2013"
        FER2013's own single labels, or FER+'s majority of ten votes.
    ferplus_votes : str or path-like, optional
        With ``labels="ferplus"``: a ``fer2013new.csv`` to use instead of the
        copy shipped with skfer.
    keep_unlabelled : bool, default=False
        With ``labels="ferplus"``: keep the images that have no FER+ majority
        label (no class with more than half of the votes, a majority for
        "unknown" or "not a face", or no votes joined), with ``target`` -1
        and the reason in ``ferplus_status``.
    data_home : str or path-like, optional
        Where to look when ``path`` is None.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    on_error : {"raise", "skip"}, default="raise"
        What to do with a malformed csv row or an unreadable image file:
        raise (naming the line or file) or skip it and list it in
        ``bunch.skipped``.

    Returns
    -------
    data : Bunch
        ``data`` (n, 2304) uint8, ``images`` (n, 48, 48) uint8 (a view of
        ``data``), ``target`` (n,) int, ``target_names``, ``usage`` (n,),
        ``filenames`` (n,) (the image file, or ``"line N"`` for the csv),
        ``skipped`` (list of ``(where, reason)``) and ``DESCR``. With
        ``labels="ferplus"`` also ``votes`` (n, 10) int (columns
        ``vote_names``: the eight classes of ``target_names``, then "unknown"
        and "not a face", so ``votes[:, :8]`` lines up with ``target``),
        ``vote_names``, ``fer2013_target`` (the original FER2013 label, an
        index into :data:`FER2013_LABELS`) and ``ferplus_status``
        (``"majority"``, ``"no majority"``, ``"unknown"``, ``"not a face"``
        or ``"no votes"``); ``target_names`` has the eight FER+ classes
        (FER2013's seven in the same order, then ``"contempt"``).
    (data, target) : tuple
        If ``return_X_y`` is True.

    Raises
    ------
    DatasetNotFoundError
        If the path does not exist (the message says where to get FER2013).
    DataFormatError
        If a row or file is malformed and ``on_error="raise"``.

    Examples
    --------
    >>> import os, tempfile
    >>> from skfer.datasets import load_fer2013
    >>> path = os.path.join(tempfile.mkdtemp(), "fer2013.csv")
    >>> row = " ".join(["128"] * 2304)
    >>> with open(path, "w") as f:
    ...     _ = f.write("emotion,pixels,Usage\\n3,%s,Training\\n" % row)
    >>> bunch = load_fer2013(path)
    >>> bunch.images.shape, str(bunch.target_names[bunch.target[0]])
    ((1, 48, 48), 'happy')

    FER+ labels for a csv come from its vote table, row by row (here a
    one-row table written for the example):

    >>> votes = os.path.join(os.path.dirname(path), "fer2013new.csv")
    >>> with open(votes, "w") as f:
    ...     _ = f.write("Usage,Image name,neutral,happiness,surprise,sadness,"
    ...                 "anger,disgust,fear,contempt,unknown,NF\\n"
    ...                 "Training,fer0000000.png,1,8,0,0,0,0,0,1,0,0\\n")
    >>> plus = load_fer2013(path, labels="ferplus", ferplus_votes=votes)
    >>> str(plus.target_names[plus.target[0]]), plus.votes[0, :8].tolist()
    ('happy', [0, 0, 0, 8, 0, 0, 1, 1])
    """
    check_on_error(on_error)
    wanted = _check_subset(subset)
    if labels not in ("fer2013", "ferplus"):
        raise InvalidValueError(
            f"labels must be 'fer2013' (FER2013's own labels) or 'ferplus' (the "
            f"FER+ majority of ten votes); got {labels!r}."
        )
    if labels == "fer2013" and (ferplus_votes is not None or keep_unlabelled):
        raise InvalidValueError(
            "ferplus_votes and keep_unlabelled apply to labels='ferplus' only."
        )
    path = find_dataset(
        path,
        candidates=("fer2013.csv", "fer2013.npz", "fer2013"),
        data_home=data_home,
        dataset="FER2013",
        how_to_get=_HOW_TO_GET,
    )
    if path.is_dir():
        images, target, usage, names, skipped = _read_folder(path, on_error)
    elif path.suffix.lower() == ".npz":
        images, target, usage, names, skipped = _read_npz(path)
    elif path.suffix.lower() == ".csv":
        images, target, usage, names, skipped = _read_csv(path, on_error)
    else:
        raise DataFormatError(
            f"Cannot tell the FER2013 format of {str(path)!r}: expected a .csv, "
            "a .npz or a folder with train/ and test/."
        )
    ferplus = {}
    if labels == "ferplus":
        ferplus = _ferplus_columns(path, target, usage, names, skipped, ferplus_votes)
    if wanted is not None:
        keep = np.isin(usage, wanted)
        if not keep.any() and len(usage):
            raise InvalidValueError(
                f"No FER2013 images with usage {wanted} in {str(path)!r}; "
                f"usages present: {sorted(set(usage.tolist()))}."
            )
        images, target, usage, names = (
            images[keep],
            target[keep],
            usage[keep],
            names[keep],
        )
        ferplus = {key: value[keep] for key, value in ferplus.items()}
    if ferplus:
        if not keep_unlabelled:
            keep = ferplus["ferplus_status"] == MAJORITY
            images, usage, names = images[keep], usage[keep], names[keep]
            ferplus = {key: value[keep] for key, value in ferplus.items()}
        target = ferplus.pop("target")
        ferplus["vote_names"] = np.array(FERPLUS_VOTE_NAMES)
    if return_X_y:
        return images.reshape(len(images), -1), target
    return make_bunch(
        images=images,
        target=target,
        target_names=np.array(FERPLUS_LABELS if ferplus else FER2013_LABELS),
        descr=load_descr("fer2013.rst"),
        skipped=skipped,
        usage=usage,
        filenames=names,
        **ferplus,
    )


def _ferplus_columns(path, target, usage, names, skipped, ferplus_votes):
    """FER+ votes, majority target and status for every loaded image."""
    if path.is_dir():
        raise DataFormatError(
            f"FER+ labels cannot be joined to the image-folder copy {str(path)!r}: "
            "its file names (Training_10118481.jpg) do not carry the row of "
            "fer2013.csv that FER+'s vote table is keyed by. Use fer2013.csv "
            "(joined row by row) or an npz with a ferplus_name array."
        )
    table = read_ferplus_votes(ferplus_votes)
    if path.suffix.lower() == ".csv":
        rows = np.array([int(name.split()[1]) - 2 for name in names], dtype=int)
        votes, found = join_by_row(
            table, len(names) + len(skipped), usage, rows, repr(str(path))
        )
    else:
        with np.load(path, allow_pickle=False) as npz:
            if "ferplus_name" not in npz.files:
                raise DataFormatError(
                    f"{str(path)!r} has no ferplus_name array, so its images cannot "
                    "be joined to FER+'s vote table (keyed by FER+ image name). Use "
                    "fer2013.csv (joined row by row) or an npz with ferplus_name."
                )
            ferplus_names = npz["ferplus_name"].astype(str)
        votes, found = join_by_name(table, ferplus_names)
    majority, status = ferplus_majority(votes)
    status = np.where(found, status, NO_VOTES)
    return {
        "target": np.where(found, majority, -1),
        "votes": votes,
        "fer2013_target": target,
        "ferplus_status": status,
    }


def _read_npz(path):
    with np.load(path, allow_pickle=False) as npz:
        missing = {"images", "labels", "usage"} - set(npz.files)
        if missing:
            raise DataFormatError(
                f"{str(path)!r} is not a FER2013 npz: arrays {sorted(missing)} are "
                f"missing (it has {sorted(npz.files)})."
            )
        images = np.asarray(npz["images"], dtype=np.uint8)
        target = npz["labels"].astype(np.int64)
        usage = npz["usage"].astype(str)
        names = npz["names"].astype(str) if "names" in npz.files else None
    if images.ndim == 2:
        images = images.reshape(len(images), _SIDE, _SIDE)
    if names is None:
        names = np.array([f"row {i}" for i in range(len(images))])
    return images, target, usage, names, []


def _read_csv(path, on_error):
    images, target, usage, names, skipped = [], [], [], [], []
    n_pixels = _SIDE * _SIDE
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        columns = [c.strip().lower() for c in header] if header else []
        try:
            i_emotion = columns.index("emotion")
            i_pixels = columns.index("pixels")
        except ValueError:
            raise DataFormatError(
                f"{str(path)!r} is not fer2013.csv: its header is {header}, expected "
                "the columns emotion,pixels,Usage."
            ) from None
        i_usage = columns.index("usage") if "usage" in columns else None
        for line_no, row in enumerate(reader, start=2):
            try:
                if len(row) != len(columns):
                    raise InvalidValueError(
                        f"has {len(row)} fields, the header has {len(columns)}"
                    )
                label = row[i_emotion].strip()
                if not label.isdigit() or int(label) >= len(FER2013_LABELS):
                    raise InvalidValueError(f"emotion {label!r} is not an integer 0..6")
                try:
                    pixels = np.fromstring(row[i_pixels], dtype=np.int32, sep=" ")
                except ValueError:
                    raise InvalidValueError(
                        "pixels holds a value that is not an integer"
                    ) from None
                if pixels.size != n_pixels:
                    raise InvalidValueError(
                        f"has {pixels.size} pixels, expected {n_pixels} (48x48)"
                    )
                if pixels.min() < 0 or pixels.max() > 255:
                    raise InvalidValueError("pixels must be integers in 0..255")
                use = row[i_usage].strip() if i_usage is not None else "Training"
                if use not in FER2013_USAGES:
                    raise InvalidValueError(
                        f"Usage {use!r} is not one of {', '.join(FER2013_USAGES)}"
                    )
            except ValueError as exc:
                where = f"line {line_no}"
                if on_error == "raise":
                    raise DataFormatError(
                        f"{str(path)!r}, {where}: the row {exc}. Fix the row or "
                        "pass on_error='skip' to skip malformed rows."
                    ) from None
                skipped.append((where, str(exc)))
                continue
            images.append(pixels.astype(np.uint8).reshape(_SIDE, _SIDE))
            target.append(int(label))
            usage.append(use)
            names.append(f"line {line_no}")
    return _stack(images, target, usage, names, skipped)


def _stack(images, target, usage, names, skipped):
    images = np.stack(images) if images else np.empty((0, _SIDE, _SIDE), np.uint8)
    return (
        images,
        np.asarray(target, dtype=np.int64),
        np.asarray(usage, dtype=str),
        np.asarray(names, dtype=str),
        skipped,
    )


def _read_folder(root, on_error):
    splits = [d for d in sorted(root.iterdir()) if d.is_dir()]
    if not any(
        d.name.lower() in ("train", "test", "validation", "val") for d in splits
    ):
        raise DataFormatError(
            f"{str(root)!r} does not look like the FER2013 image-folder layout: "
            "expected sub-folders train/ and test/ (each with one folder per "
            f"class: {', '.join(FER2013_LABELS)}); found "
            f"{[d.name for d in splits]}."
        )
    images, target, usage, names, skipped = [], [], [], [], []
    for split in splits:
        default_usage = _SPLIT_FOLDERS.get(split.name.lower())
        for class_dir in sorted(d for d in split.iterdir() if d.is_dir()):
            label = class_dir.name.lower()
            if label not in FER2013_LABELS:
                raise DataFormatError(
                    f"Unknown FER2013 class folder {str(class_dir)!r}."
                    f"{did_you_mean(label, FER2013_LABELS)} Class folders must be "
                    f"named {', '.join(FER2013_LABELS)}."
                )
            for file in sorted(class_dir.iterdir()):
                if file.suffix.lower() not in IMAGE_EXTENSIONS:
                    continue
                match = _PREFIX.match(file.name)
                use = (
                    FER2013_USAGES[
                        [u.lower() for u in FER2013_USAGES].index(
                            match.group(1).lower()
                        )
                    ]
                    if match
                    else default_usage
                )
                try:
                    if use is None:
                        raise DataFormatError(
                            f"cannot tell PublicTest from PrivateTest for {file.name!r}"
                            " (no PublicTest_/PrivateTest_ prefix)"
                        )
                    pixels = read_image(file)
                    if pixels.shape != (_SIDE, _SIDE):
                        raise DataFormatError(
                            f"image is {pixels.shape[1]}x{pixels.shape[0]}, expected "
                            "48x48"
                        )
                except DataFormatError as exc:
                    if on_error == "raise":
                        raise DataFormatError(
                            f"{exc} ({str(file)!r}). Pass on_error='skip' to skip "
                            "such files."
                        ) from None
                    skipped.append((str(file), str(exc)))
                    continue
                images.append(pixels)
                target.append(FER2013_LABELS.index(label))
                usage.append(use)
                names.append(str(file.relative_to(root)))
    return _stack(images, target, usage, names, skipped)
