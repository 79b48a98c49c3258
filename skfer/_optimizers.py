"""The optimizers FERClassifier builds by name, and their settings: the
defaults overridden by routed ``optimizer__*`` parameters (one owner for
the fit and the checkpoint identity)."""

from ._compat import route_params

__all__ = ["OPTIMIZER_DEFAULTS", "optimizer_settings"]

#: keyword defaults of each optimizer name, beside ``learning_rate``
OPTIMIZER_DEFAULTS = {
    "adam": {"beta_1": 0.9},
    "sgd": {"momentum": 0.9, "nesterov": True},
}


def optimizer_settings(clf):
    """Keyword arguments of the optimizer ``clf.optimizer`` names: its
    defaults, ``learning_rate`` and the routed ``optimizer__*`` values."""
    routed = route_params(
        clf.get_params(), destination="optimizer", pass_filter=set(), strict=True
    )
    return {
        **OPTIMIZER_DEFAULTS[clf.optimizer],
        "learning_rate": clf.learning_rate,
        **routed,
    }
