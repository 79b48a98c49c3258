"""The report's FER+ table (agreement with annotators, balance, transfer),
its trade-off points, and the recipe probes' table."""

from ._evidence import _pct, read_json
from ._ferplus import shared_balanced_accuracy
from ._records import find, records_frame, table
from .experiments import EXPERIMENTS, FERPLUS_PROTOCOL, PROBE_PROTOCOL

__all__ = [
    "ferplus_blocks",
    "ferplus_points",
    "ferplus_records",
    "probe_blocks",
    "probe_records",
]


#: probe figures: (result key, split as reported)
_PROBE_SPLITS = (
    ("public", "PublicTest (chosen epoch)"),
    ("public_tta", "PublicTest (chosen epoch), flips"),
    ("public_tencrop", "PublicTest (chosen epoch), ten crops"),
)


def probe_records(base, result):
    common = dict(
        base,
        dataset="FER2013",
        protocol=PROBE_PROTOCOL,
        recipe=result["recipe"],
        epochs=result["epochs_done"],
        epochs_planned=result["epochs_planned"],
        best_epoch=result["best_epoch"],
        params=result["params"],
        wall_s=result["wall_s"],
    )
    return [
        dict(
            common,
            split=split,
            metric="accuracy",
            value=result[key]["accuracy"],
            n=result[key]["n"],
        )
        for key, split in _PROBE_SPLITS
        if key in result
    ]


def _recipe_text(recipe):
    return ", ".join(f"{k}={v}" for k, v in recipe.items())


def probe_blocks(frame):
    """The recipe probes' table (PublicTest only)."""
    rows = []
    for name, exp in EXPERIMENTS.items():
        if exp.kind != "probe":
            continue
        recipe = _recipe_text(exp.extras["recipe"])
        r = find(frame, name, _PROBE_SPLITS[0][1])
        if r is None:
            rows.append([name, recipe, "not run", "", "", ""])
            continue
        cells = []
        for _, split in _PROBE_SPLITS:
            hit = find(frame, name, split)
            cells.append("n/a" if hit is None else _pct(hit["value"]))
        epochs = f"{r['epochs']}/{r['epochs_planned']} (best {r['best_epoch']})"
        if not r["complete"]:
            epochs += ", unfinished"
        rows.append([name, recipe, *cells, epochs])
    return [
        "## Recipe probes for the FER2013 ceiling (ours): Model 1 (accuracy %)",
        "",
        f"Protocol: {PROBE_PROTOCOL}. Recipes fixed before the runs; the "
        "study's augmentation; ten crops: the four corner and the centre "
        "windows, each mirrored (crop networks only).",
        "",
        table(
            ["probe", "recipe", "PublicTest", "flips", "ten crops", "epochs"],
            rows,
        ),
        "",
    ]


#: FER+ figures: (result key, split as reported, metrics)
_FERPLUS_SPLITS = (
    ("public", "FER+ PublicTest (chosen epoch)"),
    ("private", "FER+ PrivateTest"),
    ("public_tta", "FER+ PublicTest, flip TTA"),
    ("private_tta", "FER+ PrivateTest, flip TTA"),
    ("public_tencrop", "FER+ PublicTest, ten-crop TTA"),
    ("private_tencrop", "FER+ PrivateTest, ten-crop TTA"),
)
#: transfer-score suffix -> how the split says it
_TTA_TEXT = {"": "", "_tta": ", flip TTA", "_tencrop": ", ten-crop TTA"}
_FERPLUS_METRICS = (
    "accuracy",
    "macro_f1",
    "balanced_accuracy",
    "balanced_accuracy_7",
    "kl_divergence",
    "calibration_error",
)
_TRANSFER = (
    ("fer2013_private", "FER2013", "PrivateTest, FER2013 labels (7 classes)"),
    ("ckplus_7", "CK+", "all 981 images, 7 classes, no CK+ training"),
    ("ckplus_6", "CK+", "927 images, 6 classes (no contempt), no CK+ training"),
)


def ferplus_records(base, result):
    """One record per FER+ figure: FER+ splits, then the transfer scores."""
    common = dict(
        base,
        dataset="FER+",
        protocol=FERPLUS_PROTOCOL,
        epochs=result["epochs_done"],
        epochs_planned=result["epochs_planned"],
        best_epoch=result.get("best_epoch"),
        wall_s=result.get("wall_s"),
        source=result.get("source"),
    )
    out = []
    for key, split in _FERPLUS_SPLITS:
        if key not in result:  # ten crops: crop networks only
            continue
        scores = dict(result[key])
        if "balanced_accuracy_7" not in scores:  # evidence older than the figure
            scores["balanced_accuracy_7"] = shared_balanced_accuracy(
                scores["confusion"]
            )
        for metric in _FERPLUS_METRICS:
            out.append(
                dict(
                    common,
                    split=split,
                    metric=metric,
                    value=scores[metric],
                    n=scores["n"],
                )
            )
    for suffix, text in _TTA_TEXT.items():
        for key, dataset, split in _TRANSFER:
            scores = result.get(key + suffix)
            if scores is None:  # a FER2013 network: no contempt column
                continue
            out.append(
                dict(
                    common,
                    dataset=dataset,
                    split=split + text,
                    metric="accuracy",
                    value=scores["accuracy"],
                    n=scores["n"],
                )
            )
    return out


#: (experiment, network, what it was trained on); which one ships as what is
#: read from the weight cards
_FERPLUS_ROWS = (
    ("ferplus-v1-fer2013-scored", "v1", "FER2013 labels"),
    (
        "ferplus-v1-votes-balance-0",
        "v1 from v1-fer2013 (ours)",
        "FER+ votes, no class weights",
    ),
    (
        "ferplus-v1-votes-balance-0.5",
        "v1 from v1-fer2013 (ours)",
        "FER+ votes, balanced weights ^ 0.5",
    ),
    (
        "ferplus-v1-votes-balance-1",
        "v1 from v1-fer2013 (ours)",
        "FER+ votes, balanced weights",
    ),
    ("ferplus-v2-fer2013-scored", "v2", "FER2013 labels"),
    (
        "ferplus-v2-votes",
        "v2 from v2-fer2013 (ours)",
        "FER+ votes, balanced weights ^ 0.5",
    ),
    (
        "ferplus-v2-votes-balance-1",
        "v2 from v2-fer2013 (ours)",
        "FER+ votes, balanced weights",
    ),
    (
        "ferplus-v2-votes-long",
        "v2 from v2-fer2013 (ours)",
        "FER+ votes, balanced weights ^ 0.5, 8 epochs",
    ),
    (
        "ferplus-v2-votes-crop44",
        "v2 from v2-fer2013, crop 44 (ours)",
        "FER+ votes, balanced weights ^ 0.5, 8 epochs",
    ),
)


def _shipped_runs():
    """FER+ run -> the shipped model whose weights it holds, read once from
    the weight cards (a card's training command names its run; a scored run
    names its model)."""
    from ..inference import PRETRAINED_DIR, list_pretrained

    out = {}
    for model in list_pretrained():
        out[f"ferplus-{model}-scored"] = model
        card = (read_json(PRETRAINED_DIR / f"{model}.json") or {}).get("card", {})
        command = card.get("training_command", "").split()
        if len(command) > 2:
            out.setdefault(command[2], model)
    return out


def ferplus_points(records):
    """(run, FER+ PrivateTest accuracy, CK+ six-class accuracy, shipped as)
    of every FER+ run in ``records``: the trade-off figure's points."""
    frame = records_frame(records)
    shipped = _shipped_runs()
    points = []
    for name, _, _ in _FERPLUS_ROWS:
        acc = find(frame, name, "FER+ PrivateTest", "accuracy")
        ck = find(frame, name, _TRANSFER[2][2], "accuracy")
        if acc is None or ck is None:
            continue
        points.append((name, acc["value"], ck["value"], shipped.get(name)))
    return points


def ferplus_blocks(frame):
    """The FER+ table: agreement with annotators, balance, transfer."""
    private = "FER+ PrivateTest"
    rows = []
    shipped_runs = _shipped_runs()
    for name, model, trained in _FERPLUS_ROWS:
        shipped = shipped_runs.get(name)
        network = f"{model}, shipped as {shipped}" if shipped else model
        r = find(frame, name, private)
        if r is None:
            rows.append([network, trained, "not run", *[""] * 10])
            continue

        def get(metric, split=private, name=name):
            hit = find(frame, name, split, metric)
            return None if hit is None else hit["value"]

        transfer = {key: get("accuracy", split) for key, _, split in _TRANSFER}
        if r["epochs_planned"]:
            epochs = f"{r['epochs']}/{r['epochs_planned']} (best {r['best_epoch']})"
            if not r["complete"]:
                epochs += ", unfinished"
        else:
            epochs = "none (scored as shipped)"
        rows.append(
            [
                network,
                trained,
                _pct(r["value"]),
                " / ".join(
                    "n/a" if v is None else _pct(v)
                    for v in (
                        get("accuracy", "FER+ PrivateTest, flip TTA"),
                        get("accuracy", "FER+ PrivateTest, ten-crop TTA"),
                    )
                ),
                _pct(get("balanced_accuracy")),
                _pct(get("balanced_accuracy_7")),
                f"{get('macro_f1'):.3f}",
                f"{get('kl_divergence'):.3f}",
                _pct(get("calibration_error")),
                _pct(transfer["fer2013_private"]),
                "n/a" if transfer["ckplus_7"] is None else _pct(transfer["ckplus_7"]),
                _pct(transfer["ckplus_6"]),
                epochs,
            ]
        )
    n = find(frame, "ferplus-v2-fer2013-scored", private) or find(
        frame, "ferplus-v2-votes", private
    )
    return [
        "## FER+: agreement with ten annotators, and transfer (ours)",
        "",
        f"Protocol: {FERPLUS_PROTOCOL}"
        + (f" (PrivateTest n = {n['n']:,})" if n else "")
        + ". Eight classes (FER2013's seven and contempt; a FER2013 network "
        "cannot answer contempt). Balanced accuracy: mean recall over FER+'s "
        "eight classes, and over the seven FER2013 shares (comparable between "
        "FER2013 and FER+ networks). KL: from the annotators' vote shares to the "
        "network's probabilities, over the network's classes (nats, mean over "
        "images). ECE: expected "
        "calibration error of the raw softmax, 15 bins. FER2013: PrivateTest on "
        "FER2013's own labels, argmax over the seven shared classes. CK+: no CK+ "
        "image trained on; 7 classes (contempt included, FER+ networks only) and "
        "6 (contempt images left out). Class weights: scikit-learn's balanced "
        "weights raised to a power (FERClassifier's class_weight_power); ours, "
        "fixed before the runs. Our fine-tunes: Adam 2e-4, cosine decay, the "
        "study's augmentation, epoch chosen on FER+ PublicTest accuracy.",
        "",
        table(
            [
                "network",
                "trained on",
                "FER+ PrivateTest",
                "flips / ten crops",
                "balanced acc. (8)",
                "balanced acc. (7 shared)",
                "macro-F1",
                "KL",
                "ECE",
                "FER2013 PrivateTest",
                "CK+ (7)",
                "CK+ (6)",
                "epochs",
            ],
            rows,
        ),
        "",
    ]
