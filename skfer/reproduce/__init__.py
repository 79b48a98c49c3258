"""Reproduce the study's tables under protocol-correct evaluation.

``skfer reproduce`` (or :func:`reproduce`) trains and evaluates the
experiments below on the real data, resumably, and writes a report folder:
``results.md`` (our figure beside the study's), ``results.json`` (one record
per figure) and PNG confusion matrices and learning curves.

Protocols
---------
FER2013
    Train on Training; choose the epoch on PublicTest (the checkpoint with the
    best PublicTest accuracy); report PrivateTest with those weights, on the
    whole PrivateTest and on the PrivateTest images that have no
    pixel-identical copy in Training. Nothing is chosen on PrivateTest.
CK+
    10-fold cross-validation, folds grouped by subject
    (:func:`skfer.model_selection.subject_kfold`); each fold trains a fixed
    number of epochs and is scored with its final weights, so the test fold
    chooses nothing (training never sees it; the learning curves are the
    training loss and accuracy). The
    image-level split the study likely used
    (:func:`skfer.model_selection.image_level_kfold`) is run for comparison.

Every run keeps a checkpoint per epoch (and per fold) in ``runs/<experiment>``:
re-running the same command resumes, and ``time_limit`` stops cleanly after
the epoch that crosses it. The report is rewritten from whatever is finished,
and figures from unfinished runs are marked as such.

Modules
-------
:mod:`skfer.reproduce.experiments`
    What is run: the experiments, their recipes and protocols, and the
    study's published figures.
:mod:`skfer.reproduce.runner`
    Running and resuming them: training, evaluation, checkpoints, the time
    limit, and each run's ``result.json`` (with ``_training``: the
    checkpointed classifier of a run; ``_evidence``: reading, writing and
    committing its JSON; ``_status``: where each run stands).
:mod:`skfer.reproduce.report`
    The report: records from the runs, the tables (built with pandas) and
    ``results.md``/``results.rst``/``results.json``.
:mod:`skfer.reproduce.plots`
    The report's figures (confusion matrices, learning curves; matplotlib).
"""

from .experiments import EXPERIMENTS, FINETUNE_RECIPE, OUR_EPOCHS, OUR_RECIPE, STUDY
from .report import outlook, write_report
from .runner import reproduce, run_status

__all__ = [
    "EXPERIMENTS",
    "STUDY",
    "OUR_RECIPE",
    "OUR_EPOCHS",
    "FINETUNE_RECIPE",
    "outlook",
    "reproduce",
    "run_status",
    "write_report",
]
