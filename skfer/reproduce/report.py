"""The report: records from the runs, tables, ``results.md``/``.rst``/``.json``."""

from pathlib import Path

import numpy as np

from ._evidence import _pct, read_json, read_result, write_json
from ._records import find as _find
from ._records import missing as _missing
from ._records import records_frame
from ._records import table as _table
from ._report_ferplus import (
    ferplus_blocks,
    ferplus_points,
    ferplus_records,
    probe_blocks,
    probe_records,
)
from .experiments import (
    BASELINE_PROTOCOL,
    EXPERIMENTS,
    FEATURES_PROTOCOL,
    FER_PROTOCOL,
    IMAGE_PROTOCOL,
    STUDY,
    SUBJECT_PROTOCOL,
)

__all__ = ["collect_records", "outlook", "write_report"]


def collect_records(runs, evidence=None):
    """One record per figure, from each experiment's ``result.json``.

    Parameters
    ----------
    runs : path-like
        The runs folder of :func:`~skfer.reproduce.reproduce`.
    evidence : path-like, optional
        A folder of committed evidence (``<name>/result.json``), read for the
        experiments that ``runs`` has no result for.

    Returns
    -------
    records : list of dict
    """
    records = []
    for name, exp in EXPERIMENTS.items():
        result = read_result(runs, name, evidence)
        if result is None:
            continue
        base = {
            "experiment": name,
            "table": list(exp.tables),
            "model": exp.model or None,
            "loss": exp.loss if exp.kind in ("fer2013", "ckplus") else None,
            "augment": exp.augment if exp.kind in ("fer2013", "ckplus") else None,
            "seed": result.get("seed"),
            "command": result.get("command"),
            "versions": result.get("versions"),
            "complete": result.get("complete", True),
        }
        if exp.kind == "fer2013":
            common = dict(
                base,
                dataset="FER2013",
                protocol=FER_PROTOCOL,
                epochs=result["epochs_done"],
                epochs_planned=result["epochs_planned"],
                best_epoch=result["best_epoch"],
                params=result["params"],
                wall_s=result["wall_s"],
            )
            records.append(
                dict(
                    common,
                    split="PublicTest (chosen epoch)",
                    metric="accuracy",
                    value=result["public"]["accuracy"],
                    # what the epoch was chosen on: Keras' moving BN statistics
                    value_at_selection=result.get("public_at_selection"),
                )
            )
            splits = [
                ("PrivateTest", "private"),
                ("PrivateTest without Training duplicates", "private_dedup"),
            ]
            for suffix, text in (("_tta", "flips"), ("_tencrop", "ten crops")):
                if "public" + suffix in result:  # test-time augmentation
                    splits += [
                        (f"PublicTest (chosen epoch), {text}", "public" + suffix),
                        (f"PrivateTest, {text}", "private" + suffix),
                    ]
            for split, key in splits:
                for metric in ("accuracy", "macro_f1"):
                    records.append(
                        dict(
                            common,
                            split=split,
                            metric=metric,
                            value=result[key][metric],
                            n=result[key]["n"],
                        )
                    )
        elif exp.kind == "ckplus":
            common = dict(
                base,
                dataset="CK+",
                protocol=SUBJECT_PROTOCOL if exp.split == "subject" else IMAGE_PROTOCOL,
                split=f"{result.get('folds_planned', result['folds'])}-fold CV, "
                f"{result['folds']} test folds (mean ± std over folds)",
                epochs=result["epochs_done"],
                params=result["params"],
                wall_s=result["wall_s"],
                folds=result["folds"],
                folds_planned=result.get("folds_planned", result["folds"]),
            )
            for metric in ("accuracy", "macro_f1"):
                records.append(
                    dict(
                        common,
                        metric=metric,
                        value=result[f"{metric}_mean"],
                        std=result[f"{metric}_std"],
                    )
                )
        elif exp.kind == "ferplus":
            records.extend(ferplus_records(base, result))
        elif exp.kind == "probe":
            records.extend(probe_records(base, result))
        else:
            protocol = (
                FEATURES_PROTOCOL if exp.kind == "features" else BASELINE_PROTOCOL
            )
            for row in result["rows"]:
                for metric in ("accuracy", "macro_f1"):
                    records.append(
                        dict(
                            base,
                            dataset="FER2013",
                            protocol=protocol,
                            classifier=row["classifier"],
                            split=row["split"],
                            metric=metric,
                            value=row[metric],
                            epochs=result.get("source_epochs"),
                            epochs_planned=result.get("source_epochs_planned"),
                            wall_s=row["wall_s"],
                        )
                    )
        for record in records:
            record.setdefault("study", _study(record))
    return records


def _study(record):
    for table in record["table"]:
        key = (
            table,
            record["dataset"],
            record["model"],
            record["loss"],
            record["augment"],
        )
        if key in STUDY:
            return STUDY[key]
    return None


def _num(value):
    return "" if value is None else f"{value:.2f}"




def _fer_cell(frame, name):
    r = _find(frame, name, "PrivateTest")
    if r is None:
        return "not run", "", "", ""
    dedup = _find(frame, name, "PrivateTest without Training duplicates")
    public = _find(frame, name, "PublicTest (chosen epoch)")
    epochs = f"{r['epochs']}/{r['epochs_planned']} (best {r['best_epoch']})"
    if not r["complete"]:
        epochs += ", unfinished"
    return _pct(r["value"]), _pct(dedup["value"]), _pct(public["value"]), epochs


def _ck_fer_columns(frame, name):
    """A CK+ result in the FER2013 tables' columns (no dedup or PublicTest)."""
    acc, epochs = _ck_cell(frame, name)
    return [acc, "", "", epochs]


def _ck_cell(frame, name):
    r = _find(frame, name)
    if r is None:
        return "not run", ""
    epochs = f"{r['epochs']} per fold"
    if not r["complete"]:
        epochs += f", unfinished: {r['folds']} of {r['folds_planned']} folds"
    return f"{_pct(r['value'])} ± {_pct(r['std'])}", epochs


#: the columns of our figures in Tables B and C (FER2013 and CK+ rows)
_OURS_COLUMNS = [
    "ours (PrivateTest / CK+ subject CV)",
    "PrivateTest dedup",
    "PublicTest",
    "epochs",
]


def _is_table(block):
    return hasattr(block, "columns")


def _render_md(blocks):
    out = []
    for block in blocks:
        if _is_table(block):
            header = [str(c) for c in block.columns]
            out += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            out += [
                "| " + " | ".join(str(c) for c in row) + " |"
                for row in block.itertuples(index=False)
            ]
        else:
            out.append(block)
    return "\n".join(out) + "\n"


def _render_rst(blocks, image_dir):
    """The same report as reStructuredText, for the Sphinx docs."""
    import re

    out = []
    for block in blocks:
        if _is_table(block):
            rows = [list(block.columns), *block.itertuples(index=False)]
            out += [".. list-table::", "   :header-rows: 1", ""]
            for row in rows:
                cells = [str(c) if str(c) else " " for c in row]
                out.append(("   * - " + cells[0]).rstrip())
                out += [f"     - {c}".rstrip() for c in cells[1:]]
            continue
        line = re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", block)
        image = re.fullmatch(r"!\[(.*)\]\((.*)\)", line)
        if image:
            out += [
                f".. image:: {image_dir}/{image.group(2)}",
                f"   :alt: {image.group(1)}",
                "",
            ]
        elif line.startswith("## "):
            out += [line[3:], "-" * len(line[3:])]
        elif line.startswith("# "):
            continue  # the including page has the title
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def _blocks(records, pngs, outlook=()):
    frame = records_frame(records)
    fer = "fer2013-{}-{}-{}"
    ck = "ckplus-{}-{}-aug-{}"
    out = [
        "# skfer: the study's tables, reproduced",
        "",
        "Written by `skfer reproduce`; every figure is in `results.json` with the "
        "command that measured it, its protocol, epochs, wall time and versions. "
        "The study's figure is beside ours; the study's figures are *test* "
        "accuracies under its own (unstated or leaky) splits.",
        "",
        f'- **FER2013 protocol:** {FER_PROTOCOL}. "dedup" is PrivateTest without '
        "the images that have a pixel-identical copy in Training "
        "(`skfer.model_selection.find_duplicates`).",
        f"- **CK+ protocol:** {SUBJECT_PROTOCOL}; figures are mean ± std over the "
        "folds.",
        '- "not run" means the experiment has no result yet; "unfinished" means '
        "its run stopped before its planned epochs (budget) and the figure is its "
        "best epoch so far.",
        "",
        "## Table A: augmentation, Model 2, cross-entropy, FER2013 (accuracy %)",
        "",
    ]
    rows = []
    for augment in (False, True):
        name = fer.format("v2", "crossentropy", "aug" if augment else "noaug")
        cells = _fer_cell(frame, name)
        study = _num(STUDY[("A", "FER2013", "v2", "crossentropy", augment)])
        rows.append(["on" if augment else "off", study, *cells])
    out += [
        _table(
            [
                "augmentation",
                "study (test)",
                "PrivateTest",
                "PrivateTest dedup",
                "PublicTest",
                "epochs",
            ],
            rows,
        ),
        "",
        "## Table B: loss, Model 2 (accuracy %)",
        "",
    ]
    rows = []
    for loss in ("crossentropy", "svm"):
        cells = _fer_cell(frame, fer.format("v2", loss, "aug"))
        rows.append(
            ["FER2013", loss, _num(STUDY[("B", "FER2013", "v2", loss, True)]), *cells]
        )
    for loss in ("crossentropy", "svm"):
        cells = _ck_fer_columns(frame, ck.format("v2", loss, "subject"))
        rows.append(["CK+", loss, _num(STUDY[("B", "CK+", "v2", loss, True)]), *cells])
    out += [
        _table(
            ["dataset", "loss", "study (test)", *_OURS_COLUMNS],
            rows,
        ),
        "",
        "## Table C: Model 1 vs Model 2, cross-entropy (accuracy %)",
        "",
    ]
    rows = []
    for model in ("v1", "v2"):
        name = fer.format(model, "crossentropy", "aug")
        cells = _fer_cell(frame, name)
        r = _find(frame, name) or _find(
            frame, ck.format(model, "crossentropy", "subject")
        )
        params = f"{r['params']:,}" if r else ""
        rows.append(
            [
                "FER2013",
                model,
                params,
                _num(STUDY[("C", "FER2013", model, "crossentropy", True)]),
                *cells,
            ]
        )
    # our recipe, labelled as ours, beside the study's rows
    ours = _find(frame, "fer2013-v2-ours")
    rows.append(
        [
            "FER2013",
            "v2, our recipe (Adam + cosine decay)",
            f"{ours['params']:,}" if ours else "",
            "",
            *_fer_cell(frame, "fer2013-v2-ours"),
        ]
    )
    crop = _find(frame, "fer2013-v2-crop44-finetuned")
    rows.append(
        [
            "FER2013",
            "v2, ours: fine-tuned from v2-fer2013 into 44x44 windows (centre)",
            f"{crop['params']:,}" if crop else "",
            "",
            *_fer_cell(frame, "fer2013-v2-crop44-finetuned"),
        ]
    )
    for model in ("v1", "v2"):
        name = ck.format(model, "crossentropy", "subject")
        r = _find(frame, name)
        study = _num(STUDY[("C", "CK+", model, "crossentropy", True)])
        params = f"{r['params']:,}" if r else ""
        rows.append(["CK+", model, params, study, *_ck_fer_columns(frame, name)])
    out += [
        _table(
            ["dataset", "model", "parameters", "study (test)", *_OURS_COLUMNS],
            rows,
        ),
        "",
        "## CK+: subject-grouped vs image-level 10-fold CV (accuracy %, mean ± std)",
        "",
    ]
    rows = []
    for model in ("v1", "v2"):
        sub, epochs = _ck_cell(frame, ck.format(model, "crossentropy", "subject"))
        img, img_epochs = _ck_cell(frame, ck.format(model, "crossentropy", "image"))
        if "unfinished" in img_epochs:
            img += " (" + img_epochs.split(", ", 1)[1] + ")"
        tuned, tuned_epochs = _ck_cell(frame, f"ckplus-{model}-finetuned-subject")
        # the columns may have been trained for different numbers of epochs
        per_column = {
            "subject-grouped": epochs,
            "image-level": img_epochs,
            "fine-tuned": tuned_epochs,
        }
        counts = {k: v.split(" ", 1)[0] for k, v in per_column.items() if v}
        if len(set(counts.values())) > 1:
            epochs = ", ".join(f"{k} {n}" for k, n in counts.items()) + " per fold"
        rows.append(
            [
                model,
                _num(STUDY[("C", "CK+", model, "crossentropy", True)]),
                sub,
                img,
                tuned,
                epochs,
            ]
        )
    out += [
        _table(
            [
                "model",
                "study (test)",
                "subject-grouped (honest)",
                "image-level (leaky)",
                "subject-grouped, fine-tuned from FER2013 (ours)",
                "epochs",
            ],
            rows,
        ),
        "",
        f"Image-level protocol: {IMAGE_PROTOCOL}.",
        "",
        "## Table D: CNN features vs the CNN's head vs classical baselines, "
        "FER2013 (accuracy %)",
        "",
        f"Protocol: {FEATURES_PROTOCOL}; baselines: {BASELINE_PROTOCOL}. The study "
        "found a random forest on top of the CNN hurt.",
        "",
    ]
    rows = []
    for name in ("features-v1", "features-v2", "baselines"):
        mine = frame[frame["experiment"] == name]
        if mine.empty:
            rows.append([name, "not run", "", "", ""])
            continue
        # one row per classifier, in the order of the records; splits as columns
        accuracy = mine[mine["metric"] == "accuracy"].pivot_table(
            index="classifier", columns="split", values="value", sort=False
        )
        private = mine[mine["split"] == "PrivateTest"].set_index(
            ["classifier", "metric"]
        )
        source = {"features-v1": "Model 1", "features-v2": "Model 2"}.get(
            name, "pixels"
        )
        for clf, splits in accuracy.iterrows():
            first = private.loc[(clf, "accuracy"), "record"]
            epochs, planned = first.get("epochs"), first.get("epochs_planned")
            if planned and epochs < planned:
                epochs = f"{epochs} of {planned} epochs, unfinished"
            else:
                epochs = f"{epochs} epochs"
            f1 = private["value"].get((clf, "macro_f1"))
            rows.append(
                [
                    source if name == "baselines" else f"{source} ({epochs})",
                    clf,
                    _pct(splits["PublicTest"]),
                    _pct(splits["PrivateTest"]),
                    "" if _missing(f1) else f"{f1:.3f}",
                ]
            )
    out += [
        _table(
            [
                "input",
                "classifier",
                "PublicTest",
                "PrivateTest",
                "PrivateTest macro-F1",
            ],
            rows,
        ),
        "",
        *ferplus_blocks(frame),
        *probe_blocks(frame),
        "## Figures",
        "",
    ]
    for p in pngs:
        out += [f"![{p.stem}]({p.name})", ""]
    if not pngs:
        out.append("(none yet)")
    done = set(frame["experiment"].dropna())
    unfinished = sorted(
        set(frame.loc[frame["complete"] == False, "experiment"])  # noqa: E712
        if "complete" in frame
        else ()
    )
    missing = [n for n in EXPERIMENTS if n not in done]
    out += ["", "## Status", ""]
    out.append(
        "- unfinished (budget): " + (", ".join(unfinished) if unfinished else "none")
    )
    out.append("- not run: " + (", ".join(missing) if missing else "none"))
    if outlook:
        out += ["", "## Where the unfinished runs were heading", ""]
        out += [f"- {line}" for line in outlook]
    commands = sorted(
        set(frame["command"].dropna()) - {""} if "command" in frame else ()
    )
    out += ["", "## Commands", ""] + [f"- `{c}`" for c in commands]
    return out


def outlook(runs, evidence=None):
    """What the learning curves of unfinished FER2013 runs suggest.

    An unfinished run (stopped by its budget) is set beside a finished run of
    the other model with the same loss and augmentation: its best PublicTest
    accuracy by the same epoch, and the finished run's best over all its
    epochs. If the unfinished run kept its lead (or gap) at that epoch, a
    full run would reach about the finished run's best plus that lead (and its
    PrivateTest, the finished run's PrivateTest plus that lead). This is
    an extrapolation, not a measurement, and is worded as one; it uses the
    per-epoch PublicTest scores of training (Keras' moving BatchNormalization
    statistics) for both runs, the scores the epoch is chosen on.

    Parameters
    ----------
    runs : path-like
        The runs folder of :func:`reproduce`.
    evidence : path-like, optional
        Committed evidence read for experiments ``runs`` has no result for.

    Returns
    -------
    lines : list of str
        One sentence per unfinished FER2013 run with a finished partner; empty
        when there is none.

    Examples
    --------
    >>> import tempfile
    >>> from skfer.reproduce import outlook
    >>> outlook(tempfile.mkdtemp())
    []
    """
    results = {
        name: read_result(Path(runs).expanduser(), name, evidence)
        for name, exp in EXPERIMENTS.items()
        if exp.kind == "fer2013"
    }
    lines = []
    for name, result in results.items():
        if result is None or result.get("complete", True):
            continue
        exp, done = EXPERIMENTS[name], result["epochs_done"]
        for other, ref in results.items():
            o = EXPERIMENTS[other]
            if (
                ref is None
                or not ref.get("complete", True)
                or other == name
                or (o.loss, o.augment) != (exp.loss, exp.augment)
                or ref["epochs_done"] < done
            ):
                continue
            mine = np.asarray(result["history"]["val_accuracy"][:done])
            ref_curve = np.asarray(ref["history"]["val_accuracy"])
            lead = mine.max() - ref_curve[:done].max()
            best = int(np.argmax(ref_curve))
            word = "lead" if lead >= 0 else "gap"
            lines.append(
                f"{name} stopped after {done} of {result['epochs_planned']} "
                f"epochs; its best PublicTest by then was {_pct(mine.max())}% "
                f"(epoch {int(np.argmax(mine)) + 1}), against "
                f"{_pct(ref_curve[:done].max())}% for {other} by the same "
                f"epoch, which went on to {_pct(ref_curve[best])}% at its best "
                f"(epoch {best + 1} of {ref['epochs_done']}). If the "
                f"{word} of {abs(lead) * 100:.1f} "
                f"points held, a full run would reach about "
                f"{_pct(ref_curve[best] + lead)}% PublicTest (and about "
                f"{_pct(ref['private']['accuracy'] + lead)}% PrivateTest, "
                f"{other}'s {_pct(ref['private']['accuracy'])}% with the same "
                f"{word}): an extrapolation, not a measurement (PublicTest scores "
                "of training, with Keras' moving BatchNormalization statistics)."
            )
    return lines


def write_report(runs, output):
    """Rewrite ``results.json``, ``results.md`` and the PNGs from ``runs``.

    ``results.rst`` (the same tables, images under ``/results``) is written
    too, for ``docs/results.rst`` to include. An experiment with no result
    in ``runs`` is read from the committed evidence in ``<output>/runs``
    (see :func:`~skfer.reproduce.runner.keep_evidence`), so the report can
    be rebuilt on a machine that did not train it; an experiment with
    neither keeps its records (and figures) from the ``results.json`` being
    rewritten, so no figure is lost.

    Parameters
    ----------
    runs : path-like
        The runs folder of :func:`reproduce`.
    output : path-like
        The report folder.

    Returns
    -------
    records : list of dict

    Examples
    --------
    >>> import os, tempfile
    >>> from skfer.reproduce import write_report
    >>> root = tempfile.mkdtemp()
    >>> write_report(os.path.join(root, "runs"), os.path.join(root, "report"))
    []
    >>> sorted(os.listdir(os.path.join(root, "report")))
    ['results.json', 'results.md', 'results.rst']
    """
    runs, output = Path(runs).expanduser(), Path(output).expanduser()
    output.mkdir(parents=True, exist_ok=True)
    evidence = output / "runs"
    records = collect_records(runs, evidence)
    # figures of earlier machines whose result.json was never committed: keep
    # their records (and figures) from the report being rewritten
    have = {r["experiment"] for r in records}
    earlier = read_json(output / "results.json") or []
    kept = [r for r in earlier if r.get("experiment") not in have]
    records = kept + records
    order = {name: i for i, name in enumerate(EXPERIMENTS)}
    records.sort(key=lambda r: order.get(r["experiment"], len(order)))
    from .plots import plot_ferplus_tradeoff, plot_runs

    pngs = plot_runs(runs, output, evidence)
    tradeoff = plot_ferplus_tradeoff(ferplus_points(records), output)
    if tradeoff is not None:
        pngs.append(tradeoff)
    for name in dict.fromkeys(r["experiment"] for r in kept):
        for kind in ("confusion", "learning_curve"):
            png = output / f"{kind}_{name}.png"
            if png.is_file() and png not in pngs:
                pngs.append(png)
    write_json(output / "results.json", records)
    from .._checkpoint import atomic_write_text

    blocks = _blocks(records, pngs, outlook(runs, evidence))
    atomic_write_text(output / "results.md", _render_md(blocks))
    atomic_write_text(output / "results.rst", _render_rst(blocks, "/results"))
    return records
