"""FERClassifier's class scores: small batches through one compiled call,
test-time augmentation as the mean over views (a mixin)."""

import contextvars

import numpy as np

from ._crops import windows
from ._keras import compiled_predict, skfer_call
from .exceptions import NotFittedError

__all__ = ["WindowedPrediction"]

#: Inputs up to this many images are scored by one compiled call of the
#: network (fixed signature, traced once per model) instead of
#: ``keras.Model.predict``, whose per-call data pipeline cost 80-100 ms for
#: one face.
_SMALL_BATCH = 64

#: ``(estimator id, window)`` of the test-time view being scored, read by
#: ``_validate_X``: a context variable, so that threads (and asyncio tasks)
#: predicting with one estimator at once each see their own view
TTA_WINDOW = contextvars.ContextVar("skfer_tta_window", default=None)


class WindowedPrediction:
    """The raw class scores of FERClassifier: the mean over the views of
    ``tta`` (the model crops the centre window itself); inputs of up to
    ``_SMALL_BATCH`` images skip Keras' per-call data pipeline."""

    def _predict_raw(self, X, **kwargs):
        if not self.__sklearn_is_fitted__():
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call "
                "'fit' with training data first, or load a trained model."
            )
        self._check_tta()
        views = windows(self.image_shape_[:2], self.crop, self.tta)
        with skfer_call():
            if len(views) == 1:  # the model reads the centre window itself
                return self._scores(X, **kwargs)
            total = 0.0
            for window in views:
                # the same input once per view, shown by _validate_X
                token = TTA_WINDOW.set((id(self), window))
                try:
                    total = total + np.asarray(self._scores(X, **kwargs), np.float64)
                finally:
                    TTA_WINDOW.reset(token)
        return total / len(views)

    def _scores(self, X, **kwargs):
        """Raw scores; small inputs skip Keras' per-call data pipeline."""
        n = X.shape[0] if hasattr(X, "shape") else None
        if kwargs or n is None or n > _SMALL_BATCH:
            return super()._predict_raw(X, **kwargs)
        images, _ = self._validate_data(X=X, y=None)
        images = self.feature_encoder_.transform(images)
        if len(images) == 0:
            return super()._predict_raw(X, **kwargs)
        return np.asarray(compiled_predict(self.model_)(images))

    def _temperature(self):
        return float(getattr(self, "temperature_", 1.0))
