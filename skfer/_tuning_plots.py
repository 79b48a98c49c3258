"""Optuna's matplotlib figures of a FERSearchCV or a study; public in
skfer.tuning."""

import warnings

from .exceptions import InvalidTypeError, InvalidValueError

__all__ = ["plot_optimization_history", "plot_param_importances"]


def _study_of(search_or_study):
    study = getattr(search_or_study, "study_", search_or_study)
    if not hasattr(study, "trials"):
        raise InvalidTypeError(
            "Pass a fitted FERSearchCV or an optuna Study; got "
            f"{type(search_or_study).__name__}."
        )
    return study


def plot_optimization_history(search_or_study):
    """Optuna's optimisation-history figure (matplotlib) of a search.

    Parameters
    ----------
    search_or_study : FERSearchCV or optuna.study.Study
        A fitted search, or a study (e.g. loaded from a storage).

    Returns
    -------
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import optuna
    >>> from skfer.tuning import plot_optimization_history
    >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
    >>> study = optuna.create_study(direction="maximize")
    >>> study.optimize(lambda t: -t.suggest_float("x", -1, 1) ** 2, n_trials=5)
    >>> plot_optimization_history(study).get_title()
    'Optimization History Plot'
    """
    return _optuna_figure("plot_optimization_history", _study_of(search_or_study))


def plot_param_importances(search_or_study):
    """Optuna's parameter-importance figure (matplotlib) of a search.

    Needs at least two completed trials.

    Parameters
    ----------
    search_or_study : FERSearchCV or optuna.study.Study

    Returns
    -------
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import optuna
    >>> from skfer.tuning import plot_param_importances
    >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
    >>> study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    >>> def f(t):
    ...     return t.suggest_float("x", -1, 1) ** 2 + 0.01 * t.suggest_float("y", 0, 1)
    >>> study.optimize(f, n_trials=10)
    >>> ax = plot_param_importances(study)
    >>> sorted(label.get_text() for label in ax.get_yticklabels())
    ['x', 'y']
    """
    import optuna

    study = _study_of(search_or_study)
    complete = study.get_trials(states=(optuna.trial.TrialState.COMPLETE,))
    if len(complete) < 2:
        raise InvalidValueError(
            f"Parameter importances need at least 2 completed trials; the study "
            f"has {len(complete)}. Run more trials."
        )
    return _optuna_figure("plot_param_importances", study)


def _optuna_figure(name, study):
    """Call one of Optuna's matplotlib figures (an experimental API) quietly."""
    import optuna

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        from optuna.visualization import matplotlib as figures

        return getattr(figures, name)(study)
