"""Optuna hyper-parameter search as a scikit-learn estimator.

Optuna is imported when a search is fitted, not when this module is imported.
Pruning needs ``optuna-integration`` and the PostgreSQL storage a driver:
``pip install "skfer[tune]"`` brings both.
"""

import numbers
import os
import socket
import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import indexable

from ._optuna_storage import open_storage, optuna_quiet
from ._search_space import as_distributions, default_search_space, suggest
from ._tuning_plots import plot_optimization_history, plot_param_importances
from ._utils import check_dense, check_fitted
from .exceptions import (
    InvalidTypeError,
    InvalidValueError,
    NoCompletedTrialError,
    NotFittedError,
)

__all__ = [
    "FERSearchCV",
    "default_search_space",
    "plot_optimization_history",
    "plot_param_importances",
]


def _fer_step(estimator):
    """Return (prefix, FERClassifier) when ``estimator`` is one or ends in one."""
    from ._classifier import FERClassifier

    if isinstance(estimator, FERClassifier):
        return "", estimator
    steps = getattr(estimator, "steps", None)
    if steps and isinstance(steps[-1][1], FERClassifier):
        return steps[-1][0] + "__", steps[-1][1]
    return None, None


class FERSearchCV(MetaEstimatorMixin, BaseEstimator):
    """Hyper-parameter search with Optuna, used like ``GridSearchCV``.

    Each trial samples parameters, fits a clone of ``estimator`` on every
    training fold and scores it on the matching held-out fold; the trial's
    value is the mean fold score. The folds are computed once per ``fit``, so
    every trial (and every worker sharing a study) sees the same splits.

    Guarding against two leaks of ``optuna_integration.OptunaSearchCV``:

    - Each ``fit`` creates a new study (in memory, or a new uniquely named one
      in ``storage``) unless you pass ``study`` or ``study_name``: a search
      inside ``cross_validate`` never carries trials from one outer fold to
      the next.
    - Pruning compares trials on the same data only: when the estimator is a
      :class:`~skfer.FERClassifier` (or a pipeline ending in one), the first
      fold's held-out part is passed as ``validation_data`` and its
      ``val_accuracy`` is reported to Optuna after every epoch. The folds are
      fixed for the whole search, never re-shuffled per trial. For other
      estimators trials are not pruned.

    Parameters
    ----------
    estimator : estimator
        A classifier: a :class:`~skfer.FERClassifier`, a pipeline, or any
        scikit-learn classifier.
    param_distributions : dict or callable, optional
        Names (as in ``estimator.get_params()``) to optuna distributions or
        lists of choices; or ``callable(trial) -> dict`` of parameters. None:
        :func:`default_search_space` for a FERClassifier or a pipeline ending
        in one.
    n_trials : int, default=10
        Finished (complete or pruned) trials the study should hold. With a
        shared ``storage`` the count is over all workers, so a resumed search
        only runs the trials still missing. Concurrent workers may overshoot
        by the trials they have in flight.
    cv : int, cross-validation generator or iterable, default=3
        As in ``GridSearchCV`` (an int means ``StratifiedKFold``). Use
        :class:`~skfer.model_selection.OfficialSplit` for FER2013 and
        :func:`~skfer.model_selection.subject_kfold` with ``groups`` for CK+.
    scoring : str or callable, optional
        Scorer (higher is better); None: the estimator's ``score``
        (accuracy).
    refit : bool, default=True
        Refit the best parameters on all of ``X`` as ``best_estimator_``.
    storage : str or optuna storage, optional
        None: in memory. A URL such as ``"sqlite:///search.db"`` or
        ``"postgresql://user@host/db"`` makes the search resumable and lets
        several processes work on one study.
    study_name : str, optional
        Name of the study in ``storage``. A name that exists is loaded and
        continued (resume, or more workers); without a name each ``fit``
        starts a new study.
    study : optuna.study.Study, optional
        Use this study as is (its trials carry over between fits).
    sampler : optuna sampler, optional
        Default: ``TPESampler(seed=random_state)``.
    pruner : "median", optuna pruner or None, default="median"
        ``"median"``: ``MedianPruner(n_startup_trials=3, n_warmup_steps=1)``.
        None: no pruning.
    timeout : float, optional
        Stop starting new trials after this many seconds.
    random_state : int or None, default=None
        Seed of the default sampler.
    verbose : int, default=0
        1: Optuna's log lines and a progress bar.

    Attributes
    ----------
    study_ : optuna.study.Study
        The study (all its trials, from every worker).
    best_params_ : dict
        Best parameters, as ``estimator.set_params`` takes them.
    best_score_ : float
        Mean held-out score of the best trial.
    best_index_ : int
        Row of the best trial in ``cv_results_``.
    best_estimator_ : estimator
        ``estimator`` with ``best_params_`` refitted on all data (``refit``).
    cv_results_ : dict of numpy arrays
        One row per trial: ``params``, ``param_<name>``, ``split<k>_test_score``,
        ``mean_test_score``, ``std_test_score``, ``rank_test_score``,
        ``mean_fit_time``, ``state`` and ``number`` (the Optuna trial number).
        Each trial also records its folds' scores and fit times and the
        ``host:pid`` of the worker that ran it as Optuna user attributes.
    n_splits_ : int
        Number of folds.
    n_trials_ : int
        Trials in the study.
    refit_time_ : float
        Seconds spent refitting the best parameters.
    scorer_ : callable
        The scorer used.

    See Also
    --------
    default_search_space : The search space used when none is given.
    plot_optimization_history, plot_param_importances : Figures of a search.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skfer.datasets import make_faces
    >>> from skfer.tuning import FERSearchCV
    >>> X, y = make_faces(n_samples=140, image_size=16, random_state=0)
    >>> search = FERSearchCV(
    ...     LogisticRegression(max_iter=1000),
    ...     {"C": [0.001, 0.01, 0.1]},
    ...     n_trials=3,
    ...     random_state=0,
    ... ).fit(X / 255, y)
    >>> len(search.cv_results_["mean_test_score"])
    3
    >>> search.best_params_["C"] in (0.001, 0.01, 0.1)
    True
    """

    def __init__(
        self,
        estimator,
        param_distributions=None,
        *,
        n_trials=10,
        cv=3,
        scoring=None,
        refit=True,
        storage=None,
        study_name=None,
        study=None,
        sampler=None,
        pruner="median",
        timeout=None,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.n_trials = n_trials
        self.cv = cv
        self.scoring = scoring
        self.refit = refit
        self.storage = storage
        self.study_name = study_name
        self.study = study
        self.sampler = sampler
        self.pruner = pruner
        self.timeout = timeout
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = self.estimator.__sklearn_tags__()
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = inner.classifier_tags
        tags.input_tags = inner.input_tags
        tags.input_tags.sparse = False  # the folds are cut from dense arrays
        return tags

    # -- set-up ---------------------------------------------------------------

    def _check_params(self):
        if not isinstance(self.n_trials, numbers.Integral) or self.n_trials < 1:
            raise InvalidValueError(
                f"n_trials must be a positive integer; got {self.n_trials!r}."
            )
        if self.timeout is not None and not (
            isinstance(self.timeout, numbers.Real) and self.timeout > 0
        ):
            raise InvalidValueError(
                f"timeout must be a positive number of seconds or None; got "
                f"{self.timeout!r}."
            )
        if self.study is not None and (
            self.storage is not None or self.study_name is not None
        ):
            raise InvalidValueError(
                "Pass either study, or storage/study_name to create or load one; "
                "not both."
            )
        if self.study_name is not None and self.storage is None:
            raise InvalidValueError(
                f"study_name={self.study_name!r} needs a storage to live in, e.g. "
                "storage='sqlite:///search.db'; an in-memory study is never "
                "shared or resumed."
            )
        if not is_classifier(self.estimator):
            raise InvalidTypeError(
                f"FERSearchCV tunes classifiers; {type(self.estimator).__name__} "
                "is not one."
            )

    def _space(self):
        if callable(self.param_distributions):
            return self.param_distributions
        if self.param_distributions is None:
            prefix, fer = _fer_step(self.estimator)
            if fer is None:
                raise InvalidValueError(
                    "param_distributions is required unless the estimator is a "
                    "FERClassifier or a pipeline ending in one (the default space "
                    "is skfer.tuning.default_search_space())."
                )
            space = default_search_space(prefix)
        else:
            if not isinstance(self.param_distributions, dict):
                raise InvalidTypeError(
                    "param_distributions must be a dict of name -> distribution, "
                    "a callable(trial) -> dict, or None; got "
                    f"{type(self.param_distributions).__name__}."
                )
            space = as_distributions(self.param_distributions)
        valid = self.estimator.get_params()
        for name in space:
            if name not in valid:
                from ._utils import did_you_mean

                raise InvalidValueError(
                    f"{name!r} is not a parameter of "
                    f"{type(self.estimator).__name__}.{did_you_mean(name, valid)} "
                    "Pipeline parameters are named <step>__<parameter>."
                )
        return space

    def _create_study(self):
        import optuna

        if self.study is not None:
            return self.study
        sampler = (
            self.sampler
            if self.sampler is not None
            else optuna.samplers.TPESampler(seed=self.random_state)
        )
        if isinstance(self.pruner, str):
            if self.pruner != "median":
                raise InvalidValueError(
                    f"pruner must be 'median', an optuna pruner or None; got "
                    f"{self.pruner!r}."
                )
            pruner = optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=1)
        elif self.pruner is None:
            pruner = optuna.pruners.NopPruner()
        else:
            pruner = self.pruner
        return optuna.create_study(
            storage=open_storage(self.storage),
            study_name=self.study_name,
            direction="maximize",
            sampler=sampler,
            pruner=pruner,
            load_if_exists=self.study_name is not None,
        )

    # -- the search -----------------------------------------------------------

    def _fit_fold(self, estimator, X, y, train, test, callbacks, fit_params=None):
        """Fit on one fold; with ``callbacks``, report val_accuracy per epoch."""
        X_train, y_train = _take(X, train), _take(y, train)
        n = len(y)
        fold_params = {
            key: _take(value, train) if _num_samples_or_none(value) == n else value
            for key, value in (fit_params or {}).items()
        }
        if not callbacks:
            return estimator.fit(X_train, y_train, **fold_params)
        X_val, y_val = _take(X, test), _take(y, test)
        prefix, fer = _fer_step(estimator)
        fer.set_params(callbacks=list(fer.callbacks or []) + callbacks)
        if prefix:
            # fit the pipeline's transformers first so that the validation
            # images reach the network transformed exactly as the training ones
            head = estimator[:-1]
            X_train = head.fit_transform(X_train, y_train)
            X_val = head.transform(X_val)
        # the metadata goes to the classifier (the preprocessing steps of a
        # FER pipeline take none)
        fer.fit(X_train, y_train, validation_data=(X_val, y_val), **fold_params)
        return estimator

    def _objective(self, X, y, folds, space, prune, fit_params):
        import optuna

        worker = f"{socket.gethostname()}:{os.getpid()}"

        def objective(trial):
            trial.set_user_attr("worker", worker)
            if callable(space):
                # the callable's names may differ from the suggest() names:
                # keep what it returned, for best_params_
                params = space(trial)
                trial.set_user_attr("estimator_params", params)
            else:
                params = {name: suggest(trial, name, d) for name, d in space.items()}
            split_scores, fit_times = [], []
            for k, (train, test) in enumerate(folds):
                estimator = clone(self.estimator).set_params(**params)
                callbacks = None
                if prune and k == 0:
                    from optuna_integration import KerasPruningCallback

                    callbacks = [KerasPruningCallback(trial, "val_accuracy")]
                start = time.perf_counter()
                estimator = self._fit_fold(
                    estimator, X, y, train, test, callbacks, fit_params
                )
                fit_times.append(time.perf_counter() - start)
                split_scores.append(
                    float(self.scorer_(estimator, _take(X, test), _take(y, test)))
                )
                trial.set_user_attr("split_scores", split_scores)
                trial.set_user_attr("fit_times", fit_times)
            score = float(np.mean(split_scores))
            if not np.isfinite(score):
                raise optuna.TrialPruned("the held-out score is not finite")
            return score

        return objective

    def get_metadata_routing(self):
        """Where fit metadata goes: to the estimator's ``fit``.

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRouter
        """
        from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping

        return MetadataRouter(owner=self).add(
            estimator=self.estimator,
            method_mapping=MethodMapping().add(caller="fit", callee="fit"),
        )

    def _fit_params(self, params):
        """The estimator's share of ``fit``'s metadata."""
        if not params:
            return {}
        import sklearn

        if sklearn.get_config().get("enable_metadata_routing"):
            from sklearn.utils.metadata_routing import process_routing

            return dict(process_routing(self, "fit", **params).estimator.fit)
        return dict(params)

    def fit(self, X, y, groups=None, **params):
        """Run the search, then refit the best parameters on all data.

        Parameters
        ----------
        X : array-like
            Images in any layout the estimator accepts.
        y : array-like of shape (n_samples,)
            Labels.
        groups : array-like, optional
            Group labels for the splitter (subject ids for CK+, the usage
            column for :class:`~skfer.model_selection.OfficialSplit`).
        **params
            Fit metadata for the estimator, e.g. ``votes`` of
            :meth:`skfer.FERClassifier.fit`: each fold gets the rows of its
            training images (arrays of length ``n_samples``; others are passed
            as they are). With scikit-learn's metadata routing on, only what
            the estimator requests reaches it (``set_fit_request``);
            otherwise everything goes to the estimator's ``fit``.

        Returns
        -------
        self : FERSearchCV
        """
        import optuna
        from optuna.study import MaxTrialsCallback
        from optuna.trial import TrialState

        self._check_params()
        check_dense(X, "FERSearchCV takes dense images or pixel rows")
        space = self._space()
        X, y, groups = indexable(X, y, groups)
        cv = check_cv(self.cv, y, classifier=True)
        shuffled = (
            getattr(cv, "shuffle", False)
            or hasattr(cv, "n_splits")
            and ("Shuffle" in type(cv).__name__)
        )
        if (
            (self.study_name is not None or self.study is not None)
            and shuffled
            and getattr(cv, "random_state", 0) is None
        ):
            raise InvalidValueError(
                f"{type(cv).__name__} shuffles without a random_state, so each "
                "fit (and each worker on a shared study) would draw other folds "
                "and trials would be compared, and pruned, on different data. "
                "Set random_state on the splitter."
            )
        fit_params = self._fit_params(params)
        folds = list(cv.split(X, y, groups))
        self.n_splits_ = len(folds)
        self.scorer_ = check_scoring(self.estimator, scoring=self.scoring)
        prefix, fer = _fer_step(self.estimator)
        prune = (
            self.pruner is not None
            and not isinstance(self.pruner, optuna.pruners.NopPruner)
            and fer is not None
        )
        if prune and fer.early_stopping is not None:
            raise InvalidValueError(
                "Pruning reports the first fold's held-out accuracy every epoch; "
                "early_stopping would then choose epochs on that same held-out "
                "part and inflate the score. Use pruner=None or set "
                f"{prefix}early_stopping=None."
            )
        with optuna_quiet(self.verbose), warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            study = self._create_study()
            finished = (TrialState.COMPLETE, TrialState.PRUNED)
            missing = self.n_trials - len(study.get_trials(states=finished))
            if missing > 0:
                study.optimize(
                    self._objective(X, y, folds, space, prune, fit_params),
                    n_trials=missing,
                    timeout=self.timeout,
                    callbacks=[MaxTrialsCallback(self.n_trials, states=finished)],
                    show_progress_bar=bool(self.verbose),
                    gc_after_trial=True,
                )
        self.study_ = study
        self._store_results(study)
        if self.refit:
            start = time.perf_counter()
            self.best_estimator_ = (
                clone(self.estimator)
                .set_params(**self.best_params_)
                .fit(X, y, **fit_params)
            )
            self.refit_time_ = time.perf_counter() - start
            for name in ("classes_", "n_features_in_", "feature_names_in_"):
                if hasattr(self.best_estimator_, name):
                    setattr(self, name, getattr(self.best_estimator_, name))
        return self

    def _store_results(self, study):
        from optuna.trial import TrialState

        trials = study.get_trials(deepcopy=False)
        self.n_trials_ = len(trials)
        complete = [t for t in trials if t.state == TrialState.COMPLETE]
        if not complete:
            raise NoCompletedTrialError(
                f"None of the study's {len(trials)} trials completed (states: "
                f"{sorted({t.state.name for t in trials})}); nothing to choose from. "
                "Check the estimator on a small sample, or raise n_trials."
            )
        names = sorted({name for t in trials for name in t.params})
        n_splits = self.n_splits_
        results = {
            "number": np.array([t.number for t in trials]),
            "state": np.array([t.state.name for t in trials]),
            "params": [dict(t.params) for t in trials],
        }
        for name in names:
            results[f"param_{name}"] = np.ma.masked_array(
                [t.params.get(name) for t in trials],
                mask=[name not in t.params for t in trials],
                dtype=object,
            )
        splits = np.full((len(trials), n_splits), np.nan)
        fit_time = np.full(len(trials), np.nan)
        for i, t in enumerate(trials):
            scores = t.user_attrs.get("split_scores", [])
            splits[i, : len(scores)] = scores[:n_splits]
            times = t.user_attrs.get("fit_times", [])
            if times:
                fit_time[i] = np.mean(times)
        done = np.array([t.state == TrialState.COMPLETE for t in trials])
        for k in range(n_splits):
            results[f"split{k}_test_score"] = np.where(done, splits[:, k], np.nan)
        mean = np.array([t.value if d else np.nan for t, d in zip(trials, done)])
        results["mean_test_score"] = mean
        results["std_test_score"] = np.where(
            done, np.nanstd(np.where(done[:, None], splits, 0.0), axis=1), np.nan
        )
        order = np.argsort(np.where(done, -mean, np.inf), kind="stable")
        rank = np.empty(len(trials), dtype=np.int32)
        rank[order] = np.arange(1, len(trials) + 1)
        results["rank_test_score"] = rank
        results["mean_fit_time"] = fit_time
        self.cv_results_ = results
        best = study.best_trial
        self.best_index_ = int(np.flatnonzero(results["number"] == best.number)[0])
        self.best_score_ = float(best.value)
        self.best_params_ = dict(best.user_attrs.get("estimator_params", best.params))
        self.best_trial_ = best

    # -- results --------------------------------------------------------------

    def trials_dataframe(self):
        """All trials of the study as a pandas DataFrame (Optuna's layout).

        Returns
        -------
        df : pandas.DataFrame
        """
        self._check_fitted()
        return self.study_.trials_dataframe()

    def _check_fitted(self):
        check_fitted(self, "study_")

    def _refitted(self):
        if not getattr(self, "refit", True):
            raise AttributeError("refit=False: no best_estimator_ to predict with.")
        return True

    @available_if(_refitted)
    def predict(self, X):
        """Predict with ``best_estimator_``.

        Parameters
        ----------
        X : array-like

        Returns
        -------
        y : ndarray
        """
        return self._best().predict(X)

    @available_if(_refitted)
    def predict_proba(self, X):
        """Class probabilities from ``best_estimator_``.

        Parameters
        ----------
        X : array-like

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        return self._best().predict_proba(X)

    @available_if(_refitted)
    def score(self, X, y):
        """Score ``best_estimator_`` with ``scorer_``.

        Parameters
        ----------
        X : array-like
        y : array-like

        Returns
        -------
        score : float
        """
        best = self._best()
        return float(self.scorer_(best, X, y))

    def _best(self):
        if not hasattr(self, "best_estimator_"):
            raise NotFittedError(
                "This FERSearchCV has no best_estimator_: call fit(X, y) first "
                "(with refit=True)."
            )
        return self.best_estimator_


def _num_samples_or_none(value):
    """Rows of an array-like (``len``), or None for scalars and the like."""
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__len__"):
        return None
    try:
        return len(value)
    except TypeError:
        return None


def _take(a, idx):
    if hasattr(a, "iloc"):
        return a.iloc[idx]
    return np.asarray(a)[idx] if not isinstance(a, np.ndarray) else a[idx]


