"""Class labels <-> the network's integer outputs (FERClassifier's target
encoder)."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from .exceptions import InvalidValueError

__all__ = ["LabelEncoder"]


class LabelEncoder(TransformerMixin, BaseEstimator):
    """Class labels <-> integer indices; scores -> labels or probabilities."""

    def __init__(self, categories=None):
        self.categories = categories

    def fit(self, y):
        classes = (
            np.unique(y) if self.categories is None else np.asarray(self.categories)
        )
        if classes.size < 2:
            only = classes.tolist()[0] if classes.size else None
            raise InvalidValueError(
                f"y has only one class ({only!r}); a classifier needs at least 2 "
                "classes to learn from."
            )
        self.classes_ = classes
        self.n_classes_ = classes.size
        return self

    def transform(self, y):
        index = np.searchsorted(self.classes_, y)
        index = np.clip(index, 0, self.n_classes_ - 1)
        unknown = self.classes_[index] != y
        if unknown.any():
            raise InvalidValueError(
                f"y contains labels that fit did not see: "
                f"{sorted(set(np.asarray(y)[unknown].tolist()))[:10]}. "
                f"Known classes: {self.classes_.tolist()}."
            )
        return index.astype("int32")

    def get_metadata(self):
        return {
            "classes_": self.classes_,
            "n_classes_": self.n_classes_,
            "n_outputs_": 1,
            "n_outputs_expected_": 1,
        }
