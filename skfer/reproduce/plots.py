"""The report's figures: confusion matrices and learning curves (matplotlib)."""

from pathlib import Path

import numpy as np

from .experiments import EXPERIMENTS
from .runner import public_evidence, read_result

__all__ = ["plot_runs"]


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
