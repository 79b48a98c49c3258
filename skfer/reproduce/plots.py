"""The report's figures: confusion matrices and learning curves (matplotlib)."""

from pathlib import Path

import numpy as np

from ._evidence import public_evidence, read_result
from .experiments import EXPERIMENTS

__all__ = ["plot_ferplus_tradeoff", "plot_runs"]


def plot_runs(runs, output, evidence=None):
    # figures of their own, drawn off-screen: neither pyplot's state nor the
    # caller's backend (a notebook's) is touched
    from matplotlib.figure import Figure
    from sklearn.metrics import ConfusionMatrixDisplay

    pngs = []
    for name, exp in EXPERIMENTS.items():
        if exp.kind not in ("fer2013", "ckplus"):
            continue
        result = read_result(runs, name, evidence)
        if result is None:
            continue
        if exp.kind == "fer2013":
            where = f"FER2013 PrivateTest, best-PublicTest epoch {result['best_epoch']}"
            held = "PublicTest"
        else:
            where = f"CK+ {result['folds']} test folds pooled ({exp.split}-level)"
            held = "held-out fold (monitored only)"
        fig = Figure(figsize=(6.4, 5.6))
        ax = fig.subplots()
        counts = np.asarray(
            public_evidence(result, len(result["label_names"]))["confusion"], float
        )
        rows = counts.sum(axis=1, keepdims=True)
        ConfusionMatrixDisplay(
            np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0),
            display_labels=result["label_names"],
        ).plot(values_format=".2f", cmap="Blues", ax=ax, colorbar=False)
        ax.set_title(f"{name}\n{where}", fontsize=9)
        for label in ax.get_xticklabels():
            label.set_rotation(45)
            label.set_horizontalalignment("right")
        fig.tight_layout()
        path = Path(output) / f"confusion_{name}.png"
        fig.savefig(path, dpi=100)
        pngs.append(path)
        history = result["history"]
        epochs = np.arange(1, len(history["loss"]) + 1)
        fig = Figure(figsize=(9, 3.6))
        axes = fig.subplots(1, 2)
        for ax, key in zip(axes, ("loss", "accuracy")):
            ax.plot(
                epochs,
                history[key],
                label="training (augmented)" if exp.augment else "training",
            )
            if f"val_{key}" in history:
                ax.plot(epochs, history[f"val_{key}"], label=held)
            ax.set_xlabel("epoch")
            ax.set_ylabel(key)
            ax.grid(alpha=0.3)
        axes[0].legend(fontsize=8)
        suffix = "" if exp.kind == "fer2013" else f", mean of {result['folds']} folds"
        fig.suptitle(f"{name}{suffix}", fontsize=9)
        fig.tight_layout()
        path = Path(output) / f"learning_curve_{name}.png"
        fig.savefig(path, dpi=100)
        pngs.append(path)
    return pngs


def plot_ferplus_tradeoff(points, output):
    """FER+ PrivateTest accuracy against CK+ six-class transfer, one point per
    FER+ run (``report.ferplus_points``); shipped models marked. Returns the
    PNG's path, or None without points."""
    from matplotlib.figure import Figure

    if not points:
        return None
    fig = Figure(figsize=(7.2, 5.2))
    ax = fig.subplots()
    for name, accuracy, transfer, shipped in points:
        x, y = 100 * transfer, 100 * accuracy
        if shipped:
            ax.scatter(x, y, s=140, marker="*", color="tab:red", zorder=3)
            label = shipped
        else:
            ax.scatter(x, y, s=40, color="tab:blue", zorder=3)
            label = name.replace("ferplus-", "")
        ax.annotate(
            label, (x, y), xytext=(5, 4), textcoords="offset points", fontsize=8
        )
    ax.axhline(85, color="grey", lw=0.8, ls="--")
    ax.axvline(80, color="grey", lw=0.8, ls="--")
    ax.text(
        79.8, 85.2, "targets: 85% FER+, 80% CK+", fontsize=7, color="grey", ha="right"
    )
    xs = [100 * p[2] for p in points]
    ys = [100 * p[1] for p in points]
    ax.set_xlim(min(xs) - 2, max(max(xs), 80) + 3)
    ax.set_ylim(min(ys) - 2, max(max(ys), 85) + 2)
    ax.set_xlabel("CK+ six classes, no CK+ training (%)")
    ax.set_ylabel("FER+ PrivateTest accuracy, majority labels (%)")
    ax.set_title(
        "Agreement with annotators against transfer to posed faces\n"
        "(red stars: shipped models; blue: our probes)",
        fontsize=9,
    )
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path = Path(output) / "ferplus_tradeoff.png"
    fig.savefig(path, dpi=100)
    return path
