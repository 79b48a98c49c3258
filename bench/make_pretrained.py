"""Turn a bench/train_fer2013.py run into a pretrained model shipped with skfer.

Usage:
  python bench/make_pretrained.py --run-dir ~/skfer_runs/v1-crossentropy-aug \\
      --name v1-fer2013 [--data ../shared/data/fer2013.npz]

Takes the run's best.keras (the epoch with the best PublicTest accuracy),
recomputes its BatchNormalization statistics on the Training images (as
``FERClassifier(precise_bn=True).fit`` does; ``--keras-bn`` keeps Keras'
moving averages instead), writes its weights and card to
skfer/weights/<name>.{weights.h5,json},
then loads them back with skfer.inference.pretrained(name) and measures, on
FER2013 PrivateTest (never used for any choice): accuracy and macro-F1, on
the whole PrivateTest and on the PrivateTest images that have no
pixel-identical copy in Training. Writes docs/model_cards/<name>.rst.
"""

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def main():
    default = ROOT.parent / "shared" / "data" / "fer2013.npz"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run-dir", help="the run folder (not with --card-only)")
    parser.add_argument("--name", required=True)
    parser.add_argument("--data", default=str(default))
    parser.add_argument(
        "--training-command",
        help="the command that trained the run (default: bench/train_fer2013.py's)",
    )
    parser.add_argument(
        "--labels",
        choices=("fer2013", "ferplus"),
        default="fer2013",
        help="the labels the run was trained and is scored on (default: fer2013); "
        "ferplus: FER+ majority labels, eight classes",
    )
    parser.add_argument(
        "--selection-rule",
        help="how this run was chosen over others (written into the card)",
    )
    parser.add_argument(
        "--card-only",
        action="store_true",
        help="rewrite the card of the shipped model --name from its JSON (and "
        "--selection-rule), adding figures derived from it; weights untouched",
    )
    parser.add_argument(
        "--keras-bn",
        action="store_true",
        help="keep Keras' moving-average BatchNormalization statistics",
    )
    args = parser.parse_args()
    if args.card_only:
        return rewrite_card(args)
    if not args.run_dir:
        parser.error("--run-dir is required (unless --card-only)")

    import keras
    import tensorflow as tf

    import skfer
    from skfer.datasets import load_fer2013
    from skfer.inference import pretrained, save_pretrained
    from skfer.model_selection import evaluation_report, find_duplicates
    from skfer.reproduce.runner import classifier_from_run

    run_dir = Path(args.run_dir).expanduser()
    data = load_fer2013(args.data, labels=args.labels)
    label_names = [str(n) for n in data.target_names]
    n_classes = len(label_names)
    train = data.usage == "Training"
    # the best-PublicTest checkpoint, its statistics recomputed on Training
    clf, state = classifier_from_run(
        run_dir, n_classes, None if args.keras_bn else data.data[train]
    )
    settings = state["settings"]
    public = data.usage == "PublicTest"
    public_accuracy = float(
        (clf.predict(data.data[public]) == data.target[public]).mean()
    )

    history = state["history"]
    n_train = int(train.sum())
    if args.labels == "ferplus":
        data_text = (
            "FER2013's images (Goodfellow et al., 2013) with FER+ labels (Barsoum "
            "et al., 2016, microsoft/FERPlus, MIT licence): ten annotators' votes "
            "per image, eight classes; research-only terms of the images"
        )
        protocol = (
            f"trained on the Training images with a FER+ majority label "
            f"({n_train:,} images); epoch chosen by PublicTest accuracy on FER+ "
            "majority labels; PrivateTest (FER+ majority) reported once, never "
            "used for a choice"
        )
    else:
        data_text = (
            "FER2013 (Goodfellow et al., 2013): 48x48 grayscale faces, "
            "research-only terms of the dataset"
        )
        protocol = (
            f"trained on Training ({n_train:,} images); epoch chosen by "
            "PublicTest accuracy; PrivateTest reported once, never used for a "
            "choice"
        )
    card = {
        "label_names": label_names,
        "labels": args.labels,
        "data": data_text,
        "protocol": protocol,
        "settings": settings,
        "epochs_trained": state["epochs_done"],
        "best_epoch": state["best"]["epoch"],
        # PublicTest accuracy when the epoch was chosen (Keras' statistics)
        "public_accuracy": state["best"]["val_accuracy"],
        "batchnorm": "Keras moving averages"
        if args.keras_bn
        else "recomputed on Training (skfer precise_bn: one forward pass over "
        "at most 20,000 Training images, no augmentation or dropout)",
        "public_accuracy_shipped": public_accuracy,
        "history": history,
        "training_command": args.training_command
        or f"python bench/train_fer2013.py --model "
        f"{settings['model']} --loss {settings['loss']} --epochs "
        f"{state['epochs_done']} --run-dir "
        f"{args.run_dir}"
        + ("" if settings["augment"] else " --no-augment"),
        "card_command": " ".join(["python"] + sys.argv),
        "versions": {
            "skfer": skfer.__version__,
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "python": platform.python_version(),
        },
    }
    save_pretrained(clf, ROOT / "skfer" / "weights", args.name, card)

    loaded = pretrained(args.name)
    private = data.usage == "PrivateTest"
    X_private, y_private = data.data[private], data.target[private]
    start = time.perf_counter()
    pred = loaded.predict(X_private)
    seconds = time.perf_counter() - start
    # the shipped file must predict exactly like the in-memory network
    assert (pred == clf.predict(X_private)).all()
    dup = find_duplicates(data.data[train], X_private)
    rows = {}
    for label, mask in (("all", np.ones(len(pred), bool)), ("dedup", ~dup)):
        report = evaluation_report(
            y_private[mask],
            pred[mask],
            labels=range(n_classes),
            target_names=label_names,
        )
        rows[label] = {
            "n": int(mask.sum()),
            "accuracy": float(report["summary"]["accuracy"].iloc[0]),
            "macro_f1": float(report["summary"]["macro_f1"].iloc[0]),
        }
    per_class = evaluation_report(
        y_private, pred, labels=range(n_classes), target_names=label_names
    )["per_class"]
    card["private"] = rows
    # test-time flip (FERClassifier(tta=True)): the mean of a face and its mirror
    loaded.set_params(tta=True)
    tta_pred = loaded.predict(X_private)
    loaded.set_params(tta=False)
    card["private_tta"] = {
        label: float((tta_pred[mask] == y_private[mask]).mean())
        for label, mask in (("all", np.ones(len(pred), bool)), ("dedup", ~dup))
    }
    card["private_per_class"] = per_class.reset_index().to_dict(orient="records")
    if args.labels == "ferplus":
        card["transfer"] = transfer(loaded, args)
        add_balanced_accuracy(card)
    if args.selection_rule:
        card["selection_rule"] = args.selection_rule
    save_pretrained(clf, ROOT / "skfer" / "weights", args.name, card)
    print(json.dumps({"private": rows, "predict_s": seconds}, indent=1))
    write_card(args.name, card, per_class)


def add_balanced_accuracy(card):
    """FER+ balanced accuracy on PrivateTest from the card's per-class
    recall: over the eight classes, and over the seven FER2013 shares."""
    recall = [row["recall"] for row in card["private_per_class"]]
    card["private"]["all"]["balanced_accuracy"] = float(np.mean(recall))
    card["private"]["all"]["balanced_accuracy_7"] = float(np.mean(recall[:7]))


def rewrite_card(args):
    """--card-only: the card of a shipped model, rewritten from its JSON."""
    import pandas as pd

    path = ROOT / "skfer" / "weights" / f"{args.name}.json"
    meta = json.loads(path.read_text("utf-8"))
    card = meta["card"]
    if card.get("labels") == "ferplus":
        add_balanced_accuracy(card)
    if args.selection_rule:
        card["selection_rule"] = args.selection_rule
    meta["card"] = card
    from skfer._checkpoint import atomic_write_text

    atomic_write_text(path, json.dumps(meta, indent=1))
    per_class = pd.DataFrame(card["private_per_class"]).set_index("class")
    write_card(args.name, card, per_class)


def transfer(clf, args):
    """FER2013 PrivateTest on its own labels and CK+ without CK+ training."""
    from skfer.datasets import load_ckplus, load_fer2013
    from skfer.reproduce._ferplus import transfer_scores

    ckplus = Path(args.data).with_name("ckplus48.npz")
    return transfer_scores(
        load_fer2013(args.data),
        load_ckplus(ckplus) if ckplus.exists() else None,
        clf.predict_proba,
    )


def sample_command(name):
    """The main job's command with this model (the default needs no flag)."""
    from skfer.inference import DEFAULT_PRETRAINED

    flag = "" if name == DEFAULT_PRETRAINED else f" --model {name}"
    return f"skfer predict --sample{flag}"


def write_card(name, card, per_class):
    settings = card["settings"]
    lines = [
        f"Model card: ``{name}``",
        "=" * (len(name) + 16),
        "",
        "Load it offline with ``skfer.inference.pretrained("
        f'"{name}")`` (a fitted :class:`~skfer.FERClassifier`) or run '
        f"``{sample_command(name)}``.",
        "",
        f"- **Network**: ``{settings['model']}`` (the study's Model "
        f"{settings['model'][1:]}), ``{settings['loss']}`` loss, augmentation "
        f"{'on' if settings['augment'] else 'off'} (10% shifts, horizontal flip), "
        f"Adam, learning rate {settings['learning_rate']}"
        + (
            f" with {settings['lr_schedule']} decay over {settings['epochs']} epochs"
            if settings.get("lr_schedule", "constant") != "constant"
            else ""
        )
        + f", batch {settings['batch_size']}, dropout {settings['dropout']}.",
        f"- **Data**: {card['data']}. The weights inherit the dataset's "
        "research-only terms: do not use them commercially.",
        f"- **Protocol**: {card['protocol']}.",
        f"- **Training budget**: {card['epochs_trained']} epochs on 2 CPU cores; "
        f"best PublicTest accuracy {card['public_accuracy']:.4f} at epoch "
        f"{card['best_epoch']} (the chosen checkpoint).",
        f"- **BatchNormalization statistics**: {card['batchnorm']}; PublicTest "
        f"accuracy of the shipped weights {card['public_accuracy_shipped']:.4f}.",
        "- **Input**: 48x48 grayscale face crops, uint8 0-255 (or floats in [0, 1]).",
        f"- **Label order** (``classes_`` 0-{len(card['label_names']) - 1}): "
        + ", ".join(f"{i} {n}" for i, n in enumerate(card["label_names"]))
        + ".",
        "",
        "PrivateTest results"
        + (", FER+ majority labels" if card.get("labels") == "ferplus" else "")
        + " (measured by ``"
        + card["card_command"]
        + "``):",
        "",
        "=========================================  ======  ========  ========",
        "split                                      images  accuracy  macro-F1",
        "=========================================  ======  ========  ========",
    ]
    for key, label in (
        ("all", "PrivateTest"),
        ("dedup", "PrivateTest without Training duplicates"),
    ):
        row = card["private"][key]
        lines.append(
            f"{label:<41}  {row['n']:>6}  {row['accuracy']:.4f}    "
            f"{row['macro_f1']:.4f}"
        )
    lines += [
        "=========================================  ======  ========  ========",
        "",
    ]
    everything = card["private"]["all"]
    if "balanced_accuracy_7" in everything:
        lines += [
            "Balanced accuracy on PrivateTest (the mean recall of the classes, "
            "so that rare expressions count as much as common ones): "
            f"{everything['balanced_accuracy']:.4f} over the eight FER+ classes, "
            f"{everything['balanced_accuracy_7']:.4f} over the seven FER2013 "
            "shares (comparable with the FER2013 models).",
            "",
        ]
    if card.get("selection_rule"):
        lines += [f"**How this run was chosen.** {card['selection_rule']}", ""]
    if "private_tta" in card:
        lines += [
            "With test-time flips (``tta=True``: the mean of the scores of each "
            f"face and its mirror): PrivateTest {card['private_tta']['all']:.4f}, "
            f"without Training duplicates {card['private_tta']['dedup']:.4f}.",
            "",
        ]
    moved = card.get("transfer")
    if moved:
        ck7, ck6 = moved.get("ckplus_7"), moved.get("ckplus_6")
        lines += [
            "**Beyond FER+.** On FER2013 PrivateTest with FER2013's own labels "
            "(arg-max over the seven shared classes): "
            f"{moved['fer2013_private']['accuracy']:.4f} "
            f"(n = {moved['fer2013_private']['n']})."
            + (
                f" On CK+48 with no CK+ training: {ck7['accuracy']:.4f} on its seven "
                f"classes (n = {ck7['n']}), {ck6['accuracy']:.4f} on the six "
                f"without contempt (n = {ck6['n']}; neutral answered for "
                f"{ck6['answered_neutral']:.1%} of those posed faces)."
                if ck7
                else ""
            ),
            "",
        ]
    calibration = card.get("calibration")
    if calibration:
        before, after = calibration["private_before"], calibration["private_after"]
        lines += [
            "**Calibrated probabilities.** ``predict_proba`` (and "
            "``FERPredictor``) divide the class scores by the temperature "
            f"T = {calibration['temperature']:.3f} before the softmax "
            f"({calibration['method']}; fitted on {calibration['fitted_on']}); "
            "``decision_function`` and the predicted classes are unchanged. On "
            f"PrivateTest (n = {calibration['private_n']}): expected calibration "
            f"error {before['ece']:.2%} before, {after['ece']:.2%} after (15 "
            f"bins); mean confidence {before['mean_confidence']:.3f} before, "
            f"{after['mean_confidence']:.3f} after, against accuracy "
            f"{after['accuracy']:.3f}; log loss {before['log_loss']:.3f} before, "
            f"{after['log_loss']:.3f} after. Measured by "
            f"``{calibration['command']}``.",
            "",
        ]
    lines += [
        "Per class on PrivateTest:",
        "",
        ".. code-block:: text",
        "",
    ]
    lines += ["   " + line for line in per_class.round(3).to_string().splitlines()]
    lines += [
        "",
        "Learning curve (PublicTest accuracy per epoch): "
        + ", ".join(f"{v:.3f}" for v in card["history"]["val_accuracy"])
        + ".",
        "",
        f"Training command: ``{card['training_command']}``.",
        "",
    ]
    out = ROOT / "docs" / "model_cards" / f"{name}.rst"
    out.parent.mkdir(parents=True, exist_ok=True)
    from skfer._checkpoint import atomic_write_text

    atomic_write_text(out, "\n".join(lines))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
