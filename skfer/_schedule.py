"""Learning-rate schedules of FERClassifier, resumable by construction.

The learning rate of epoch ``e`` is a pure function of the settings and of
the validation accuracies of epochs ``0 .. e-1``, so a run resumed from a
checkpoint (which keeps the history) trains every later epoch with the same
rate as a run that never stopped.
"""

import math

from ._keras import keras
from .exceptions import InvalidValueError

__all__ = ["SCHEDULES", "EpochLearningRate", "learning_rate_at"]

SCHEDULES = ("constant", "plateau", "cosine")


def learning_rate_at(
    epoch,
    *,
    schedule,
    base,
    epochs,
    val_accuracy=(),
    factor=0.5,
    patience=3,
    min_factor=1e-3,
):
    """Learning rate of ``epoch`` (0-based).

    Parameters
    ----------
    epoch : int
        The epoch about to be trained, counted from 0.
    schedule : {"constant", "plateau", "cosine"}
        ``"constant"``: ``base`` throughout. ``"cosine"``: cosine decay from
        ``base`` at epoch 0 towards 0 at epoch ``epochs``, one value per epoch.
        ``"plateau"``: ``base`` multiplied by ``factor`` each time validation
        accuracy has not improved on its best for ``patience`` epochs (the
        counter restarts after each cut), never under ``base * min_factor``.
    base : float
        Initial learning rate.
    epochs : int
        Planned epochs of the run (cosine only).
    val_accuracy : sequence of float
        Validation accuracy of the finished epochs (plateau only; at least
        ``epoch`` values are read).
    factor, patience, min_factor
        Plateau settings.

    Returns
    -------
    float

    Examples
    --------
    >>> learning_rate_at(0, schedule="cosine", base=0.01, epochs=10)
    0.01
    >>> learning_rate_at(3, schedule="plateau", base=0.01, epochs=10,
    ...                  val_accuracy=[0.5, 0.4, 0.45], patience=2)
    0.005
    """
    if schedule == "constant":
        return float(base)
    if schedule == "cosine":
        progress = min(max(epoch, 0), epochs) / max(epochs, 1)
        return float(base) * 0.5 * (1.0 + math.cos(math.pi * progress))
    if schedule == "plateau":
        rate, best, wait = float(base), -math.inf, 0
        for accuracy in list(val_accuracy)[:epoch]:
            if accuracy > best:
                best, wait = accuracy, 0
                continue
            wait += 1
            if wait >= patience:
                rate = max(rate * factor, float(base) * min_factor)
                wait = 0
        return rate
    raise InvalidValueError(f"unknown schedule {schedule!r}")


class EpochLearningRate(keras.callbacks.Callback):
    """Set the optimizer's learning rate at the start of every epoch.

    ``history`` holds the validation accuracies of epochs trained before this
    ``fit`` call (a resumed checkpoint's), so the schedule continues where the
    interrupted run was. The rate used is logged as ``learning_rate``.
    """

    def __init__(self, schedule, base, epochs, history=(), **plateau):
        super().__init__()
        self.schedule = schedule
        self.base = float(base)
        self.epochs = int(epochs)
        self.val_accuracy = list(history)
        self.plateau = plateau
        self._rate = self.base

    def on_epoch_begin(self, epoch, logs=None):
        self._rate = learning_rate_at(
            epoch,
            schedule=self.schedule,
            base=self.base,
            epochs=self.epochs,
            val_accuracy=self.val_accuracy,
            **self.plateau,
        )
        self.model.optimizer.learning_rate.assign(self._rate)

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = self._rate
            if "val_accuracy" in logs:
                del self.val_accuracy[epoch:]
                self.val_accuracy.append(float(logs["val_accuracy"]))
