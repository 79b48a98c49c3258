"""FERSearchCV's search spaces: the default one over FERClassifier's
training parameters, and a user's given as Optuna distributions or lists."""

from .exceptions import InvalidTypeError

__all__ = ["as_distributions", "default_search_space", "suggest"]


def default_search_space(prefix=""):
    """The default Optuna search space for :class:`~skfer.FERClassifier`.

    Learning rate log-uniform in [1e-4, 3e-3], dropout in [0, 0.5], L2
    log-uniform in [1e-6, 1e-2], batch size 32/64/128, model v1/v2, loss
    cross-entropy/L2-SVM, augmentation on/off.

    Parameters
    ----------
    prefix : str, default=""
        Prepended to every name, e.g. ``"fer__"`` when the classifier is the
        pipeline step named ``fer``.

    Returns
    -------
    space : dict of str to optuna distribution

    Examples
    --------
    >>> from skfer.tuning import default_search_space
    >>> sorted(default_search_space())[:3]
    ['augment', 'batch_size', 'dropout']
    >>> sorted(default_search_space("fer__"))[0]
    'fer__augment'
    """
    from optuna.distributions import CategoricalDistribution, FloatDistribution

    space = {
        "learning_rate": FloatDistribution(1e-4, 3e-3, log=True),
        "dropout": FloatDistribution(0.0, 0.5),
        "l2": FloatDistribution(1e-6, 1e-2, log=True),
        "batch_size": CategoricalDistribution([32, 64, 128]),
        "model": CategoricalDistribution(["v1", "v2"]),
        "loss": CategoricalDistribution(["crossentropy", "svm"]),
        "augment": CategoricalDistribution([True, False]),
    }
    return {prefix + name: dist for name, dist in space.items()}


def as_distributions(param_distributions):
    from optuna.distributions import BaseDistribution, CategoricalDistribution

    space = {}
    for name, dist in param_distributions.items():
        if isinstance(dist, BaseDistribution):
            space[name] = dist
        elif isinstance(dist, (list, tuple)) and len(dist) > 0:
            space[name] = CategoricalDistribution(list(dist))
        else:
            raise InvalidTypeError(
                f"param_distributions[{name!r}] must be an optuna distribution "
                "(e.g. optuna.distributions.FloatDistribution(1e-4, 1e-2, "
                f"log=True)) or a non-empty list of choices; got {dist!r}."
            )
    return space


def suggest(trial, name, dist):
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    if isinstance(dist, CategoricalDistribution):
        return trial.suggest_categorical(name, dist.choices)
    if isinstance(dist, FloatDistribution):
        return trial.suggest_float(
            name, dist.low, dist.high, log=dist.log, step=dist.step
        )
    if isinstance(dist, IntDistribution):
        return trial.suggest_int(
            name, dist.low, dist.high, log=dist.log, step=dist.step
        )
    raise InvalidTypeError(f"Unsupported distribution for {name!r}: {dist!r}.")
