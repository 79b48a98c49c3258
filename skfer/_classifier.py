"""FERClassifier: the study's CNNs as a scikit-learn classifier (on scikeras)."""

import inspect
import numbers
import os

import numpy as np

# first: scikeras imports TensorFlow, which _keras starts quietly
from . import _keras  # noqa: F401

# isort: split
from scikeras.wrappers import BaseWrapper, KerasClassifier
from sklearn.utils import ClassifierTags

from ._compat import (
    HasMethods,
    Interval,
    StrOptions,
    route_params,
)
from ._crop_layer import CropWindow
from ._crops import TTA_MODES
from ._finetune import copy_pretrained
from ._fit_loop import (
    compile_kwargs,
    fit_arguments,
    fit_callbacks,
    hold_out,
    interrupted_error,
    run_fit,
)
from ._keras import (
    AUGMENT_NAME,
    compile_augmentation_on_jax,
    find_network,
    keras,
    skfer_call,
)
from ._labels import LabelEncoder
from ._precision import PRECISIONS
from ._predicting import WindowedPrediction
from ._random import resolve_seed, seeded
from ._sample_weights import class_sample_weight, vote_shares
from ._schedule import SCHEDULES
from ._utils import did_you_mean, softmax
from ._validation import UNUSED_INHERITED, InputValidation, refuse_unused
from .exceptions import (
    InvalidTypeError,
    InvalidValueError,
)
from .losses import LOSSES
from .models import get_model_builder

__all__ = ["FERClassifier"]


class FERClassifier(InputValidation, WindowedPrediction, KerasClassifier):
    """Facial-expression CNN (Model 1 / Model 2 of the study) as an estimator.

    A scikit-learn classifier built on :class:`scikeras.wrappers.KerasClassifier`:
    it works in ``Pipeline``, ``GridSearchCV``, ``cross_validate`` (with
    stratified folds), ``VotingClassifier``, ``CalibratedClassifierCV`` and
    ``BaggingClassifier``, clones, pickles and routes scikeras parameters
    (``fit__*``, ``predict__*``, ``model__*``, ``optimizer__*``, ``callbacks``).

    Parameters
    ----------
    model : str or callable, default="v2"
        A registered model name (``"v1"`` is Model 1, ``"v2"`` is Model 2; see
        :func:`skfer.models.list_models`) or a builder
        ``f(input_shape, n_classes, *, dropout, l2, **model__params)`` that
        returns an uncompiled ``keras.Model`` giving one raw score per class.
    loss : {"crossentropy", "svm", "hinge"}, default="crossentropy"
        ``"crossentropy"``: softmax + cross-entropy. ``"svm"``: the study's
        L2 multiclass SVM loss (squared hinge) on a linear head.
        ``"hinge"`` (ours, not the study's): the same hinge not squared, whose
        gradient is bounded; it trails cross-entropy less than ``"svm"`` in
        early epochs on FER2013 (see :mod:`skfer.losses`). Or a
        ``keras.losses.Loss`` instance, which receives the integer class
        indices ``(n,)`` and the raw class scores (e.g.
        ``keras.losses.SparseCategoricalCrossentropy(from_logits=True)``);
        ``predict_proba`` is the softmax of the scores.
    epochs : int, default=30
        Training epochs (an upper bound when ``early_stopping`` is set).
    batch_size : int, default=64
        Mini-batch size for training and prediction.
    learning_rate : float, default=1e-3
        Initial learning rate of the optimizer (the study: Adam, 1e-3).
    dropout : float, default=0.25
        Dropout rate of the built-in models.
    l2 : float, default=0.0
        L2 kernel regularisation of the built-in models.
    svm_margin : float, default=1.0
        Margin of the ``"svm"`` and ``"hinge"`` losses.
    lr_schedule : {"constant", "plateau", "cosine"}, default="constant"
        How the learning rate changes from epoch to epoch. ``"constant"``
        (the study's recipe). ``"plateau"``: multiplied by ``lr_factor``
        whenever validation accuracy has not improved for ``lr_patience``
        epochs (needs validation data: ``validation_fraction`` or
        ``validation_data``, e.g. FER2013 PublicTest). ``"cosine"``: cosine
        decay from ``learning_rate`` towards 0 over ``epochs``, one step per
        epoch. The schedule is a function of the epoch and the validation
        history, so a resumed checkpoint continues it exactly; the rate of
        each epoch is in ``history_["learning_rate"]``.
    lr_factor : float, default=0.5
        Factor of each ``"plateau"`` cut.
    lr_patience : int, default=3
        Epochs without a new best validation accuracy before a
        ``"plateau"`` cut.
    label_smoothing : float, default=0.0
        Label smoothing of the cross-entropy loss
        (:class:`skfer.losses.SmoothedCrossentropy`); not defined for the
        SVM losses (fit says so).
    augment : bool, default=True
        Random 10% width/height shifts and horizontal flips, done by Keras
        preprocessing layers inside the model; active only while training.
    precise_bn : bool, default=True
        After every ``fit`` and ``partial_fit`` (not an interrupted one),
        recompute every BatchNormalization layer's inference statistics from
        that call's training images with the final weights (batches of 256,
        at most 20,000 images): Keras' moving averages lag behind the weights
        when a run has few steps, as on CK+ (see the models guide).
        Per-epoch validation scores and checkpoints keep Keras' statistics.
    validation_fraction : float, default=0.0
        Fraction of the training data held out (stratified) to report
        ``val_loss``/``val_accuracy`` per epoch. Ignored when ``fit`` gets
        ``validation_data``.
    early_stopping : int or None, default=None
        Patience in epochs: stop when validation accuracy has not improved
        for that many epochs and restore the weights of the best epoch.
        Needs validation data (``validation_fraction`` or ``validation_data``).
    class_weight : dict, "balanced" or None, default=None
        Class weights, as in scikit-learn: each training image's loss is
        multiplied by its class's weight (with ``votes``, by the weight of
        its label in ``y``). ``"balanced"`` weights class ``c`` by
        ``n_samples / (n_classes * count_c)``; a dict gives the weights of
        the classes it names (the others 1) and may only name classes that
        ``y`` has.
    class_weight_power : float in [0, 1], default=1.0
        How far toward ``class_weight="balanced"`` to go: the balanced
        weights raised to this power. 0 weights nothing, 0.5 is the square
        root of the balanced weights, 1 is ``"balanced"`` itself. Only with
        ``class_weight="balanced"`` (other values would be silently
        meaningless, so they are refused). On FER+ (few disgust, fear and
        contempt images) this trades plain accuracy against balanced
        accuracy and transfer to posed faces: see the models guide.
    random_state : int, RandomState instance or None, default=None
        Seed for weight initialisation, shuffling, dropout and augmentation:
        with a fixed value, training on CPU is deterministic (see Notes).
        None trains unseeded, at full speed.
    verbose : int, default=0
        0 is silent; 1 shows Keras' progress bar; 2 prints one line an epoch.
    callbacks : list of keras.callbacks.Callback, optional
        Extra Keras callbacks (routed as in scikeras).
    image_shape : "auto", "row" or tuple of int, default="auto"
        How flat pixel rows become images: ``"auto"`` reads each row as a
        square grayscale image (2304 -> 48x48x1) and rejects other lengths;
        a tuple ``(h, w, c)`` gives the shape; ``"row"`` reads any row as a
        1 x n strip (only useful with custom models, e.g. on non-image
        features). Image-shaped input ``(n, h, w[, c])`` is used as is.
    checkpoint_dir : str or path-like, optional
        Folder for per-epoch checkpoints: after every epoch the model and
        optimizer state (``last.keras``), the best epoch by validation
        accuracy (``best.keras``) and the history (``state.json``) are written
        atomically. A later ``fit`` with the same settings resumes from the
        last finished epoch (so a killed or interrupted run loses at most one
        epoch) and trains up to ``epochs`` in all. Early stopping's patience
        counter restarts on resume.
    optimizer : {"adam", "sgd"} or keras optimizer, default="adam"
        ``"adam"`` builds Adam from ``learning_rate``; ``"sgd"`` builds SGD
        with Nesterov momentum 0.9. Their other settings are routed
        ``optimizer__*`` parameters, e.g. ``optimizer__beta_1=0.5`` (Adam's
        first-moment decay, default 0.9) or ``optimizer__momentum=0.95``. A
        Keras optimizer class or instance is resolved by scikeras.
    precision : {"auto", "float32", "bfloat16"}, default="auto"
        Arithmetic used while training: Keras' mixed bfloat16, or float32.
        ``"auto"`` picks bfloat16 on a GPU or a CPU with AMX-BF16 or
        AVX512-BF16 and float32 elsewhere (where bfloat16 is many times
        slower). Only ``fit`` is affected: prediction, pickling, saving and
        export are float32 whatever trained, and Keras' global dtype policy
        is never changed (see the models guide).
    tta : bool, "flip" or "ten-crop", default=False
        Test-time augmentation: ``predict``, ``predict_proba`` and
        ``decision_function`` average the class scores of several views of
        each image (then take the arg-max or the softmax of that average, so
        the three stay consistent). True or ``"flip"``: the image and its
        left-right mirror image (twice the prediction cost). ``"ten-crop"``
        (needs ``crop``): the four corner windows and the centre one, each
        also mirrored (ten times the cost). Training is unchanged. Set it
        after fitting too: ``clf.set_params(tta="flip")``.
    pretrained : str, path-like or None, default=None
        Fine-tuning: start from a pretrained network instead of random
        weights. A name from :func:`skfer.inference.list_pretrained` (e.g.
        ``"v1-fer2013"``, offline) or the ``.json`` card written by
        :func:`skfer.inference.save_pretrained`. ``model`` must be the same
        architecture and the images the same size; ``crop`` may differ from
        the pretrained network's where every weight keeps its shape (Model 2:
        whole 48x48 images, ``crop=44`` and ``crop=40``; Model 1: whole
        images and ``crop=44``), otherwise fit says which window to use.
        Every layer is copied;
        the last one (the class scores) only when the classes are the same
        (by value, as in ``classes_``), otherwise it is trained from scratch
        for the new classes, keeping the columns of the classes both have
        (e.g. FER+'s eight classes from a FER2013 network: the seven shared
        ones are copied, contempt starts fresh). Resuming from
        ``checkpoint_dir`` takes the checkpoint's weights instead.
    freeze_epochs : int, default=0
        With ``pretrained``: for this many first epochs only the last layer
        trains (the copied layers are frozen, their BatchNormalization in
        inference mode); then every layer trains. TensorFlow backend.
    crop : int or None, default=None
        Crop training (not the study's): the network is built for ``crop`` x
        ``crop`` windows of the images; each training image is read through
        its own random window (after ``augment``'s shifts and flips), and
        prediction reads the centre window, or several windows with
        ``tta="ten-crop"``. E.g. 44 for 48x48 faces. None: whole images.
    **kwargs
        Routed parameters, as in scikeras: ``optimizer__*`` (e.g.
        ``optimizer__beta_1``, ``optimizer__momentum``), ``model__*`` (the
        builder's keywords), ``compile__*`` (e.g. ``compile__run_eagerly``),
        ``fit__*`` (e.g. ``fit__shuffle``, ``fit__validation_batch_size``),
        ``predict__*`` and ``callbacks__*``. scikeras' ``build_fn``,
        ``metrics`` and ``validation_split`` are not used (refused, naming
        what to use).

    Attributes
    ----------
    model_ : keras.Model
        The trained network (augmentation layers, the crop window with
        ``crop``, then the registry network).
    history_ : dict of list
        Per-epoch ``loss``, ``accuracy`` and, with validation data,
        ``val_loss`` and ``val_accuracy``.
    classes_ : ndarray
        Class labels, sorted.
    n_features_in_ : int
        Pixels per image (height x width x channels).
    image_shape_ : tuple of int
        ``(height, width, channels)`` the model was built for.
    precision_ : {"float32", "bfloat16"}
        Precision the last ``fit`` trained in (``precision`` resolved on
        this machine).
    fit_epochs_ : int
        Epochs actually trained by the last ``fit`` (not counting epochs
        restored from a checkpoint).
    checkpoint_best_ : dict or None
        With ``checkpoint_dir``: ``{"epoch", "val_accuracy"}`` of the best
        epoch so far (None without validation data).
    interrupted_ : bool
        True when the last ``fit`` was stopped by Ctrl-C.
    temperature_ : float
        Only on a calibrated network (a shipped model, or one given
        :func:`skfer.inference.calibrate`): ``predict_proba`` is the softmax
        of the class scores divided by it (temperature scaling);
        ``decision_function`` and ``predict`` are unchanged. ``fit`` removes
        it.

    Notes
    -----
    Ctrl-C during ``fit`` leaves a usable estimator (``interrupted_`` is
    True) and, with ``checkpoint_dir``, a run that the next ``fit``
    resumes. With an integer ``random_state`` on CPU two fits give identical
    weights, and a resumed seeded run equals an uninterrupted one. Input
    layouts, the pixel rule, interruptions and determinism: see the models
    guide.

    Examples
    --------
    >>> from skfer import FERClassifier
    >>> from skfer.datasets import make_faces
    >>> X, y = make_faces(n_samples=60, random_state=0)
    >>> clf = FERClassifier(model="v1", epochs=1, random_state=0).fit(X, y)
    >>> clf.predict(X[:3]).shape
    (3,)
    >>> clf.predict_proba(X[:3]).shape
    (3, 7)
    """

    _parameter_constraints = {
        "model": [str, callable],
        "loss": [StrOptions(set(LOSSES)), HasMethods(["call", "get_config"])],
        "epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "l2": [Interval(numbers.Real, 0, None, closed="left")],
        "svm_margin": [Interval(numbers.Real, 0, None, closed="neither")],
        "lr_schedule": [StrOptions(set(SCHEDULES))],
        "lr_factor": [Interval(numbers.Real, 0, 1, closed="neither")],
        "lr_patience": [Interval(numbers.Integral, 1, None, closed="left")],
        "label_smoothing": [Interval(numbers.Real, 0, 1, closed="left")],
        "optimizer": [StrOptions({"adam", "sgd"}), HasMethods(["apply_gradients"])],
        "augment": ["boolean"],
        "precise_bn": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="left")],
        "early_stopping": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "class_weight_power": [Interval(numbers.Real, 0, 1, closed="both")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "image_shape": [StrOptions({"auto", "row"}), tuple],
        "checkpoint_dir": [str, os.PathLike, None],
        "precision": [StrOptions(set(PRECISIONS))],
        "tta": ["boolean", StrOptions(set(TTA_MODES))],
        "crop": [Interval(numbers.Integral, 8, None, closed="left"), None],
        "pretrained": [str, os.PathLike, None],
        "freeze_epochs": [Interval(numbers.Integral, 0, None, closed="left")],
    }

    def __init__(
        self,
        model="v2",
        *,
        loss="crossentropy",
        epochs=30,
        batch_size=64,
        learning_rate=1e-3,
        dropout=0.25,
        l2=0.0,
        svm_margin=1.0,
        lr_schedule="constant",
        lr_factor=0.5,
        lr_patience=3,
        label_smoothing=0.0,
        augment=True,
        precise_bn=True,
        validation_fraction=0.0,
        early_stopping=None,
        class_weight=None,
        class_weight_power=1.0,
        random_state=None,
        verbose=0,
        callbacks=None,
        image_shape="auto",
        checkpoint_dir=None,
        optimizer="adam",
        precision="auto",
        tta=False,
        pretrained=None,
        freeze_epochs=0,
        crop=None,
        **kwargs,
    ):
        for key in kwargs:
            refuse_unused(type(self).__name__, key)
            prefix = key.split("__", 1)[0]
            if prefix == "loss" and "__" in key:
                raise InvalidTypeError(
                    f"{type(self).__name__} does not route {key!r}: the losses "
                    "take their settings as parameters of their own (svm_margin, "
                    "label_smoothing). For another loss, pass a keras.losses.Loss "
                    "object as loss."
                )
            if "__" not in key or prefix not in self._routing_prefixes | {
                "callbacks",
                "score",
            }:
                if key not in inspect.signature(KerasClassifier.__init__).parameters:
                    known = [
                        p
                        for p in inspect.signature(type(self).__init__).parameters
                        if p not in ("self", "kwargs")
                    ]
                    raise InvalidTypeError(
                        f"{type(self).__name__} got an unknown parameter {key!r}."
                        f"{did_you_mean(key, known)} Routed parameters start with "
                        "one of fit__, predict__, model__, optimizer__, "
                        "compile__, callbacks__."
                    )
        super().__init__(
            model=model,
            loss=loss,
            epochs=epochs,
            batch_size=batch_size,
            class_weight=class_weight,
            random_state=random_state,
            verbose=verbose,
            callbacks=callbacks,
            optimizer=optimizer,
            **kwargs,
        )
        for name in UNUSED_INHERITED:  # class attributes give scikeras its defaults
            self.__dict__.pop(name, None)
        self.learning_rate = learning_rate
        self.dropout = dropout
        self.l2 = l2
        self.svm_margin = svm_margin
        self.lr_schedule = lr_schedule
        self.lr_factor = lr_factor
        self.lr_patience = lr_patience
        self.label_smoothing = label_smoothing
        self.augment = augment
        self.precise_bn = precise_bn
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.image_shape = image_shape
        self.checkpoint_dir = checkpoint_dir
        self.precision = precision
        self.tta = tta
        self.pretrained = pretrained
        self.freeze_epochs = freeze_epochs
        self.class_weight_power = class_weight_power
        self.crop = crop

    # ------------------------------------------------------------------ tags
    def __sklearn_tags__(self):
        # scikeras lists ClassifierMixin after BaseEstimator, so the base's
        # tags win and sklearn (>= 1.6) would not see a classifier.
        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags(poor_score=True)
        tags.target_tags.required = True
        tags.input_tags.three_d_array = True
        tags.non_deterministic = self.random_state is None
        return tags

    def __sklearn_is_fitted__(self):
        return hasattr(self, "model_")

    # ------------------------------------------------------- validation
    @property
    def target_encoder(self):
        return LabelEncoder(categories=getattr(self, "classes_", None))

    def _check_model_param(self):
        model = self.model
        if isinstance(model, str):
            return get_model_builder(model)
        if isinstance(model, keras.Model):
            raise InvalidTypeError(
                "model must be a registered name or a builder function "
                "f(input_shape, n_classes, **kwargs) returning a keras.Model; "
                "got a built keras.Model, which cannot be cloned. Wrap it: "
                "model=lambda input_shape, n_classes, **kw: my_model."
            )
        if callable(model):
            return model
        raise InvalidTypeError(
            f"model must be a registered name or a builder function; got "
            f"{type(model).__name__}."
        )

    def _get_compile_kwargs(self):
        return compile_kwargs(self, super()._get_compile_kwargs)

    def _build_keras_model(self):
        builder = self._check_model_param()
        params = self.get_params()
        model_kwargs = route_params(
            params, destination="model", pass_filter=set(), strict=True
        )
        accepted = inspect.signature(builder).parameters
        takes_any = any(p.kind is p.VAR_KEYWORD for p in accepted.values())
        for key in ("dropout", "l2"):
            if takes_any or key in accepted:
                model_kwargs.setdefault(key, getattr(self, key))
        net_shape = self.image_shape_
        if self.crop is not None:
            h, w, c = self.image_shape_
            if self.crop > min(h, w):
                raise InvalidValueError(
                    f"crop={self.crop} is larger than the {h}x{w} images."
                )
            net_shape = (self.crop, self.crop, c)
        with seeded(self._seed):
            net = builder(net_shape, self.n_classes_, **model_kwargs)
            if not isinstance(net, keras.Model):
                raise InvalidTypeError(
                    f"The model builder must return a keras.Model; got "
                    f"{type(net).__name__}."
                )
            inputs = keras.Input(self.image_shape_, name="image")
            x = inputs
            if self.augment:
                x = keras.Sequential(
                    [
                        keras.layers.RandomTranslation(0.1, 0.1, fill_mode="nearest"),
                        keras.layers.RandomFlip("horizontal"),
                    ],
                    name=AUGMENT_NAME,
                )(x)
            if self.crop is not None:
                x = CropWindow(self.crop, name="crop")(x)
            outputs = net(x)
            model = keras.Model(inputs, outputs, name=f"FERClassifier_{net.name}")
        if self.pretrained is not None:
            copy_pretrained(self, net)
        compile_augmentation_on_jax(model)
        model.compile(**self._get_compile_kwargs())
        return model

    def _check_model_compatibility(self, y):
        n_out = self.model_.outputs[0].shape[-1]
        if len(self.model_.outputs) != 1 or n_out != self.n_classes_:
            raise InvalidValueError(
                f"The model must output one score per class ({self.n_classes_}); "
                f"it outputs {n_out}. Use the n_classes argument of the builder."
            )

    def _initialize(self, X, y=None):
        self._validate_params()
        self._seed = resolve_seed(self.random_state)
        self._random_state = self._seed
        return super()._initialize(X, y)

    def _fit_keras_model(
        self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs
    ):
        validation_data = kwargs.pop("validation_data", None)
        if validation_data is not None:
            X_val, y_val = validation_data
            X_val, y_val = self._validate_data(X_val, y_val)
            validation_data = (X_val, self.target_encoder_.transform(y_val))
        votes = getattr(self, "_votes", None)
        if validation_data is None and self.validation_fraction:
            X, X_val, y, y_val, sample_weight, votes = hold_out(
                self, X, y, sample_weight, votes
            )
            validation_data = (X_val, y_val)
        if votes is not None:
            y = votes  # the training targets: vote shares per class
        callbacks, history, best, initial_epoch, epochs = fit_callbacks(
            self, validation_data, warm_start, initial_epoch, epochs
        )
        x_fit, y_fit, fit_args = fit_arguments(
            self,
            X,
            y,
            sample_weight,
            validation_data,
            callbacks,
            initial_epoch,
            epochs,
            kwargs,
        )
        new_history, interrupted = run_fit(self, x_fit, y_fit, fit_args, epochs)
        if not warm_start or not hasattr(self, "history_") or initial_epoch == 0:
            self.history_ = {}
        if history:  # resumed from a checkpoint: its epochs come first
            self.history_ = {key: list(values) for key, values in history.items()}
        for key, values in new_history.items():
            self.history_.setdefault(key, []).extend(float(v) for v in values)
        self.fit_epochs_ = len(new_history.get("loss", []))
        self.interrupted_ = interrupted
        if self.precise_bn and not interrupted:
            from ._batchnorm import recalibrate_batchnorm

            # the network after the augmentation layers: statistics of clean images
            recalibrate_batchnorm(
                find_network(self.model_, strict=False), self._network_input(X)
            )
        if self.checkpoint_dir is not None:
            self.checkpoint_best_ = callbacks[-1].best
        if interrupted:
            raise interrupted_error(self)

    # ------------------------------------------------------------ public
    def fit(self, X, y, sample_weight=None, votes=None, **kwargs):
        """Train a new network on images ``X`` and labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n, h*w), (n, h, w) or (n, h, w, 1)
            Training images (see the class notes on pixel scaling).
        y : array-like of shape (n,)
            Class labels of any type (ints, strings, ...). They define
            ``classes_`` (and ``class_weight``) even when ``votes`` are given.
        sample_weight : array-like of shape (n,), optional
            Per-sample weights.
        votes : array-like of shape (n, n_classes), optional
            Soft labels: per image, how many annotators chose each class
            (columns in the order of ``classes_``, i.e. of the sorted labels
            of ``y``; any non-negative counts or shares). The network is then
            trained on the cross-entropy to each row's normalised votes
            (:class:`skfer.losses.VoteCrossentropy`) instead of to ``y``;
            validation and ``accuracy`` still use hard labels. Needs
            ``loss="crossentropy"``. FER+:
            ``fit(bunch.data, bunch.target, votes=bunch.votes[:, :8])`` with
            ``bunch = load_fer2013(..., labels="ferplus")``. It is fit
            metadata: inside ``Pipeline``, ``cross_validate`` or
            ``GridSearchCV`` with scikit-learn's metadata routing on, request
            it with ``set_fit_request(votes=True)``; folds get their rows.
        **kwargs
            ``validation_data=(X_val, y_val)`` for per-epoch validation
            (e.g. FER2013 PublicTest) and early stopping; other keys go to
            ``keras.Model.fit``.

        Returns
        -------
        self : FERClassifier
            The fitted estimator.
        """
        self._validate_params()
        if y is None:
            raise InvalidValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None. Pass the class labels of X."
            )
        # a new network: a temperature fitted to the old one does not apply
        self.__dict__.pop("temperature_", None)
        sample_weight = class_sample_weight(self, y, sample_weight)
        if votes is not None:
            self._votes = vote_shares(self, votes, y)
        try:
            # scikeras' KerasClassifier.fit would weight the classes again
            # (and multiply the caller's sample_weight array in place)
            self.classes_ = None
            with skfer_call():
                return BaseWrapper.fit(
                    self, X, y, sample_weight=sample_weight, **kwargs
                )
        finally:
            self.__dict__.pop("_votes", None)

    def partial_fit(self, X, y, classes=None, sample_weight=None, **kwargs):
        """Train the current network for one more epoch on ``X`` and ``y``.

        As scikeras' ``partial_fit``; ``class_weight="balanced"`` (and its
        ``class_weight_power``) is computed from this call's labels.
        """
        self._validate_params()
        self.__dict__.pop("temperature_", None)
        sample_weight = class_sample_weight(self, y, sample_weight)
        self.classes_ = (
            classes if classes is not None else getattr(self, "classes_", None)
        )
        with skfer_call():
            return BaseWrapper.partial_fit(
                self, X, y, sample_weight=sample_weight, **kwargs
            )

    def decision_function(self, X):
        """Class scores of the network (logits, or SVM margins).

        Parameters
        ----------
        X : array-like
            Images, as for ``fit``.

        Returns
        -------
        scores : ndarray of shape (n, n_classes), or (n,) for two classes
            Raw scores; for two classes, the score of ``classes_[1]`` minus
            that of ``classes_[0]`` (scikit-learn's convention).
        """
        scores = np.asarray(self._predict_raw(X), dtype=np.float64)
        if scores.shape[1] == 2:
            return scores[:, 1] - scores[:, 0]
        return scores

    def predict_proba(self, X, **kwargs):
        """Softmax of the class scores, divided by ``temperature_`` if set.

        For ``loss="svm"`` or ``"hinge"`` these are not calibrated
        probabilities; use :class:`sklearn.calibration.CalibratedClassifierCV`
        for those.

        Parameters
        ----------
        X : array-like
            Images, as for ``fit``.
        **kwargs
            Passed to ``keras.Model.predict``.

        Returns
        -------
        proba : ndarray of shape (n, n_classes)
            Rows sum to 1; columns follow ``classes_``.
        """
        return softmax(self._predict_raw(X, **kwargs) / self._temperature())

    def predict(self, X, **kwargs):
        """Predicted class labels (arg-max of the class scores).

        Parameters
        ----------
        X : array-like
            Images, as for ``fit``.
        **kwargs
            Passed to ``keras.Model.predict``.

        Returns
        -------
        labels : ndarray of shape (n,)
            Labels from ``classes_``.
        """
        scores = self._predict_raw(X, **kwargs)
        return self.classes_[np.argmax(scores, axis=1)]
