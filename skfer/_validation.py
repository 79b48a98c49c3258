"""FERClassifier's checks of its parameters and its inputs (a mixin)."""

import warnings

import numpy as np
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.multiclass import check_classification_targets

from ._compat import InvalidParameterError as SklearnInvalidParameterError
from ._compat import check_feature_names, validate_parameter_constraints
from ._crops import cut, tta_problem, windows
from ._predicting import TTA_WINDOW
from ._utils import as_image_batch, scale_pixels
from .exceptions import InvalidParameterError, InvalidTypeError, InvalidValueError
from .models import get_model_builder

__all__ = ["InputValidation", "UNUSED_INHERITED", "FOLDED", "refuse_unused"]

#: scikeras parameters that are not FERClassifier's: what to use instead
UNUSED_INHERITED = {
    "build_fn": "model= (a registered name or a builder function)",
    "metrics": "scoring= of scikit-learn's tools (fit reports accuracy)",
    "validation_split": "validation_fraction= (a stratified hold-out)",
    "run_eagerly": "the routed compile__run_eagerly=",
    "shuffle": "the routed fit__shuffle=",
    "validation_batch_size": "the routed fit__validation_batch_size=",
}
#: parameters of earlier FERClassifier versions, now routed
FOLDED = {"beta_1": "optimizer__beta_1", "momentum": "optimizer__momentum"}


def refuse_unused(owner, name):
    """Refuse a parameter ``owner`` does not take any more, naming the
    replacement (constructor and ``set_params``)."""
    if name in UNUSED_INHERITED:
        raise InvalidTypeError(
            f"{owner} does not take scikeras' {name}: use {UNUSED_INHERITED[name]}."
        )
    if name in FOLDED:
        raise InvalidTypeError(
            f"{owner} routes {name} to the optimizer now: pass "
            f"{FOLDED[name]}=... instead of {name}=... (the default is "
            "unchanged)."
        )


class InputValidation:
    """Parameter and input checks of FERClassifier: integers that are not
    booleans, an order a seeded fit cannot keep, the parameter
    constraints, ``tta`` against ``crop``; images to float32 batches (and the
    view of them a test-time augmentation asks for); labels to 1-d arrays."""

    #: integer parameters, where True/False would silently mean 1/0
    _INTEGER_PARAMS = (
        "crop",
        "epochs",
        "batch_size",
        "lr_patience",
        "early_stopping",
        "freeze_epochs",
    )

    # scikeras' parameters that are not FERClassifier's (refused by name):
    # class attributes, so scikeras' code reads its defaults
    build_fn = None
    metrics = None
    validation_split = 0.0
    run_eagerly = False
    shuffle = True
    validation_batch_size = None

    def set_params(self, **params):
        """Set the estimator's parameters.

        Routed parameters (``optimizer__*``, ``fit__*``, ...) are set as in
        scikeras; names FERClassifier does not take (scikeras' ``build_fn``,
        ``metrics``, ``validation_split``, and the folded ``beta_1``,
        ``momentum``, ``run_eagerly``, ``shuffle``,
        ``validation_batch_size``) are refused, naming their replacement.

        Parameters
        ----------
        **params : dict
            Parameter names and values.

        Returns
        -------
        self : FERClassifier
            The estimator.
        """
        for key in params:
            refuse_unused(type(self).__name__, key)
        return super().set_params(**params)

    def _validate_params(self):
        for name in self._INTEGER_PARAMS:
            value = getattr(self, name)
            if isinstance(value, (bool, np.bool_)):
                raise InvalidParameterError(
                    f"{name} must be an integer; got {value!r}, which would be read "
                    f"as {int(value)}."
                    + (
                        " early_stopping is the patience in epochs, e.g. "
                        "early_stopping=5."
                        if name == "early_stopping"
                        else ""
                    )
                )
        if self.get_params().get("fit__shuffle", True) is not True and (
            self.random_state is not None
        ):
            raise InvalidParameterError(
                "fit__shuffle=False is not honoured by a seeded fit: each epoch's "
                "order is drawn from random_state and the epoch (so a resumed "
                "run equals an uninterrupted one). Use random_state=None to "
                "train in the given order."
            )
        try:
            validate_parameter_constraints(
                self._parameter_constraints,
                {key: getattr(self, key) for key in self._parameter_constraints},
                caller_name=type(self).__name__,
            )
        except SklearnInvalidParameterError as exc:
            raise InvalidParameterError(str(exc)) from None
        self._check_tta()
        if isinstance(self.model, str):
            get_model_builder(self.model)  # unknown names fail before any work

    def _check_tta(self):
        """``tta`` is valid with this ``crop`` (also when set after fit)."""
        problem = tta_problem(self.tta, self.crop)
        if problem:
            raise InvalidParameterError(problem)

    def _validate_data(self, X=None, y=None, reset=False, y_numeric=False):
        if y is not None:
            y = self._validate_y(y)
            if reset:
                check_classification_targets(y)
        if X is not None:
            X = self._validate_X(X, reset=reset)
        if y is not None:
            if X is not None and X.shape[0] != y.shape[0]:
                raise InvalidValueError(
                    f"X and y have different numbers of samples: X has "
                    f"{X.shape[0]}, y has {y.shape[0]}."
                )
        return X, y

    def _validate_X(self, X, reset):
        if not (hasattr(X, "toarray") or hasattr(X, "to_numpy")):
            X = np.asarray(X)
        check_feature_names(self, X, reset=reset)
        image_shape = None if reset else self.image_shape_
        if not reset and len(X.shape) == 2:
            n_features = X.shape[1]
            if n_features != self.n_features_in_:
                h, w, c = self.image_shape_
                raise InvalidValueError(
                    f"X has {n_features} features, but {type(self).__name__} is "
                    f"expecting {self.n_features_in_} features as input "
                    f"({h}x{w}{'' if c == 1 else f'x{c}'} pixels). Resize with "
                    "skfer.preprocessing.Resize."
                )
        layout = self.image_shape
        images = as_image_batch(
            X,
            image_shape=image_shape,
            flat_layout="square" if layout == "auto" else layout,
        )
        images = scale_pixels(images)
        view = TTA_WINDOW.get()
        if view is not None and view[0] == id(self):  # one test-time view
            images = self._show_window(images, view[1])
        if reset:
            self.image_shape_ = tuple(int(d) for d in images.shape[1:])
            self.n_features_in_ = int(np.prod(self.image_shape_))
            self.X_dtype_ = np.dtype(np.float32)
            self.X_shape_ = images.shape
        return images

    def _show_window(self, images, window):
        """The images as the model shows ``window`` of them: cut out (and
        mirrored), then, for a crop network, placed where its centre window
        reads (the model itself crops the centre)."""
        view = cut(images, window, self.crop)
        if self.crop is None:
            return view
        top, left, _ = windows(images.shape[1:3], self.crop, False)[0]
        canvas = np.zeros_like(images)
        canvas[:, top : top + self.crop, left : left + self.crop] = view
        return canvas

    def _network_input(self, images):
        """Validated images as the network reads them at prediction: the
        centre window with ``crop``, else the images themselves."""
        if self.crop is None:
            return images
        return cut(images, windows(images.shape[1:3], self.crop, False)[0], self.crop)

    @staticmethod
    def _validate_y(y):
        if hasattr(y, "to_numpy"):
            y = y.to_numpy()
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected; it was "
                "flattened with y.ravel().",
                DataConversionWarning,
                stacklevel=4,
            )
            y = y.ravel()
        if y.ndim != 1:
            raise InvalidValueError(
                f"y must be a 1-D array of class labels; got shape {y.shape}. "
                "For one-hot targets pass y.argmax(axis=1)."
            )
        if y.shape[0] == 0:
            raise InvalidValueError(
                "y is empty (0 labels): fit needs images and their labels, with at "
                "least 2 classes."
            )
        return y

    # ----------------------------------------------------- scikeras hooks
