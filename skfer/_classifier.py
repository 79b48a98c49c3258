"""FERClassifier: the study's CNNs as a scikit-learn classifier (on scikeras)."""

import inspect
import json
import numbers
import os
import warnings
import weakref

import numpy as np

# first: scikeras imports TensorFlow, which _keras starts quietly
from . import _keras  # noqa: F401

# isort: split
from scikeras.wrappers import BaseWrapper, KerasClassifier
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import DataConversionWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import ClassifierTags
from sklearn.utils.multiclass import check_classification_targets

from ._checkpoint import EpochCheckpoint, load_checkpoint
from ._compat import (
    HasMethods,
    Interval,
    StrOptions,
    check_feature_names,
    route_params,
    validate_parameter_constraints,
)
from ._compat import InvalidParameterError as SklearnInvalidParameterError
from ._crop_layer import CropWindow
from ._crops import TTA_MODES, cut, windows
from ._keras import AUGMENT_NAME, find_network, keras, skfer_call
from ._precision import PRECISIONS, resolve_precision, set_precision, warn_if_slow
from ._random import batches, make_epoch_streams, resolve_seed, seeded
from ._schedule import SCHEDULES, EpochLearningRate
from ._utils import as_image_batch, did_you_mean, scale_pixels, softmax
from .exceptions import (
    FileAccessError,
    FilePermissionError,
    InvalidParameterError,
    InvalidTypeError,
    InvalidValueError,
    NotFittedError,
)
from .losses import LOSSES, VoteCrossentropy, get_loss, vote_accuracy
from .models import get_model_builder

__all__ = ["FERClassifier"]


class _LabelEncoder(TransformerMixin, BaseEstimator):
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


def _weighted(net):
    return [layer for layer in net.layers if layer.weights]


def _copy_pretrained(clf, net):
    """Copy a pretrained network's weights into ``net`` (built, untrained)."""
    from ._pretrained import card_path, load_file

    name = clf.pretrained
    text = os.fspath(name)
    if isinstance(name, str) and not text.endswith(".json"):
        # a shipped model's name (unknown names: an error with suggestions)
        source = load_file(card_path(name), FERClassifier)
    else:
        source = load_file(text, FERClassifier)
    label = f"pretrained={text!r}"
    if tuple(source.image_shape_) != tuple(clf.image_shape_):
        have = "x".join(map(str, source.image_shape_))
        got = "x".join(map(str, clf.image_shape_))
        raise InvalidValueError(
            f"{label} was trained on {have} images; these are {got}. Resize them "
            f"(skfer.preprocessing.Resize) to {have}."
        )
    if getattr(source, "crop", None) != clf.crop:
        raise InvalidValueError(
            f"{label} reads {_window_text(source.crop)}; this estimator has "
            f"crop={clf.crop!r}. Use crop={source.crop!r} to fine-tune it."
        )
    if isinstance(clf.model, str) and source.model != clf.model:
        raise InvalidValueError(
            f"{label} is a {source.model!r} network; model={clf.model!r} was "
            f"asked. Use model={source.model!r} to fine-tune it."
        )
    src, dst = _weighted(find_network(source.model_)), _weighted(net)
    if len(src) != len(dst):
        raise InvalidValueError(
            f"{label} has {len(src)} layers with weights; model {clf.model!r} "
            f"has {len(dst)}: another architecture."
        )
    same_classes = len(source.classes_) == len(clf.classes_) and bool(
        np.all(np.asarray(source.classes_) == np.asarray(clf.classes_))
    )
    for i, (a, b) in enumerate(zip(src, dst)):
        head = i == len(dst) - 1
        if head and not same_classes:
            _copy_shared_classes(a, b, source.classes_, clf.classes_)
            break
        shapes_a = [tuple(w.shape) for w in a.weights]
        shapes_b = [tuple(w.shape) for w in b.weights]
        if shapes_a != shapes_b:
            raise InvalidValueError(
                f"{label}: layer {a.name!r} has weights of shapes {shapes_a} there "
                f"and {shapes_b} in model {clf.model!r} here: another "
                "architecture."
            )
        b.set_weights(a.get_weights())
    clf.pretrained_classes_ = np.asarray(source.classes_)


def _window_text(crop):
    return "whole images" if crop is None else f"{crop}x{crop} windows (crop={crop})"


def _copy_shared_classes(src, dst, src_classes, dst_classes):
    """Score layer for other classes: copy the columns of the classes both
    networks have (by value, as in ``classes_``); the others stay fresh."""
    shared = [
        (i, j)
        for j, c in enumerate(np.asarray(dst_classes).tolist())
        for i, d in enumerate(np.asarray(src_classes).tolist())
        if c == d
    ]
    a, b = src.get_weights(), dst.get_weights()
    dense = len(a) == len(b) == 2 and a[0].ndim == 2 and a[0].shape[0] == b[0].shape[0]
    if not shared or not dense:
        return
    for i, j in shared:
        b[0][:, j] = a[0][:, i]
        b[1][j] = a[1][i]
    dst.set_weights(b)


class _FreezeTrunk(keras.callbacks.Callback):
    """Train only the network's last layer for the first ``epochs`` epochs."""

    def __init__(self, epochs):
        super().__init__()
        self.epochs = int(epochs)

    def _layers(self):
        weighted = _weighted(find_network(self.model))
        return weighted[:-1]

    def on_train_begin(self, logs=None):
        optimizer = self.model.optimizer
        if not optimizer.built:  # slots for every layer, frozen or not
            optimizer.build(self.model.trainable_variables)

    def on_epoch_begin(self, epoch, logs=None):
        frozen = epoch < self.epochs
        changed = False
        for layer in self._layers():
            if layer.trainable == frozen:
                layer.trainable = not frozen
                changed = True
        if changed:
            self.model.make_train_function(force=True)

    def on_train_end(self, logs=None):
        for layer in self._layers():
            layer.trainable = True


#: Inputs up to this many images are scored by one compiled call of the
#: network (fixed signature, traced once per model) instead of
#: ``keras.Model.predict``, whose per-call data pipeline cost 80-100 ms for
#: one face.
_SMALL_BATCH = 64

_COMPILED = weakref.WeakKeyDictionary()


def _compiled_predict(model):
    """``images -> scores`` for ``model`` in inference mode, compiled once."""
    fn = _COMPILED.get(model)
    if fn is None:
        # a weak reference: the cache entry must not keep its key alive
        ref = weakref.ref(model)
        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            spec = tf.TensorSpec([None, *model.inputs[0].shape[1:]], tf.float32)

            @tf.function(input_signature=[spec], reduce_retracing=True)
            def traced(images):
                return ref()(images, training=False)

            def fn(images):
                return traced(images).numpy()

        else:  # JAX and others: Keras' own batch call, no pipeline either

            def fn(images):
                return keras.ops.convert_to_numpy(ref().predict_on_batch(images))

        _COMPILED[model] = fn
    return fn


def _compile_augmentation_on_jax(model):
    """On Keras' JAX backend, let the training step be compiled (jitted).

    Keras marks ``RandomTranslation`` as not supporting XLA, which makes
    Keras run the whole training step op by op on every backend. On JAX the
    layer compiles and trains (tests/test_backends.py), and op-by-op JAX was
    3.5 times slower on a small model, so the mark is lifted there. On
    TensorFlow nothing changes: skfer trains without XLA on purpose (it made
    CPU training slower).
    """
    if keras.backend.backend() != "jax":
        return model
    augmenting = (keras.layers.RandomTranslation, keras.layers.RandomFlip)
    for layer in model._flatten_layers():
        if isinstance(layer, augmenting):
            layer.supports_jit = True
    if getattr(model, "compiled", False) and not model.run_eagerly:
        model.jit_compile = True  # a model loaded from a checkpoint
    return model


class FERClassifier(KerasClassifier):
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
    beta_1 : float, default=0.9
        Adam's first-moment decay.
    dropout : float, default=0.25
        Dropout rate of the built-in models.
    l2 : float, default=0.0
        L2 kernel regularisation of the built-in models.
    svm_margin : float, default=1.0
        Margin of the ``"svm"`` and ``"hinge"`` losses.
    momentum : float, default=0.9
        Nesterov momentum of ``optimizer="sgd"`` (unused by Adam).
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
        After training, recompute every BatchNormalization layer's inference
        statistics from the training images with the final weights (one
        forward pass in batches of 256, the rule the shipped models were
        made with; at most 20,000 images). Keras' moving averages lag
        behind the weights when a run has few steps: Model 1 trained 20
        epochs on CK+ folds (~14 steps per epoch) scored 49.0% (mean of 10
        subject-grouped folds) with the moving averages and 83.3% with
        statistics recomputed in batches of 64 (``bench/precise_bn.py``). It
        runs after every ``fit`` and ``partial_fit`` call, on that call's
        images, and not after an interrupted fit. Per-epoch validation
        scores and checkpoint files keep Keras' own statistics.
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
        Seed for weight initialisation, shuffling, dropout and augmentation.
        With a fixed value, training on CPU is deterministic (TensorFlow op
        determinism is switched on for the duration of ``fit``, which made
        Model 1 training about a third slower here; see
        ``bench/wrapper_overhead.py``). None trains unseeded, at full speed.
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
        ``"adam"`` builds Adam from ``learning_rate`` and ``beta_1``;
        ``"sgd"`` builds SGD with Nesterov momentum ``momentum`` (plus routed
        ``optimizer__*`` for either); a Keras optimizer class or instance is
        resolved by scikeras.
    precision : {"auto", "float32", "bfloat16"}, default="auto"
        Arithmetic used while training. ``"bfloat16"`` is Keras' mixed
        bfloat16: convolutions and matrix products in bfloat16, weights,
        optimizer state, augmentation, class scores and loss in float32.
        ``"auto"`` picks it on a GPU or a CPU with AMX-BF16 or AVX512-BF16
        (about 1.5x faster for Model 2 on a 2-core AVX512-BF16 CPU,
        ``bench/training_precision.py``) and float32 elsewhere (where
        bfloat16 is many times slower). Only ``fit`` is affected: afterwards
        the network computes in float32 again, so prediction, pickling,
        saving and export are float32 whatever trained it, and Keras'
        global dtype policy is never changed. Per-epoch validation scores
        during a bfloat16 fit are computed in bfloat16. The precision used
        is in ``precision_``.
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
        architecture and the images the same size. Every layer is copied;
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
        Other scikeras parameters and routed parameters (``fit__*``,
        ``predict__*``, ``model__*``, ``optimizer__*``, ...).

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
    **Interruptions.** Ctrl-C (``KeyboardInterrupt``) during ``fit`` still
    stops your program, but the estimator stays usable: ``predict`` works
    with the weights reached so far, ``interrupted_`` is True, and
    ``history_``/``fit_epochs_`` count the finished epochs. With
    ``checkpoint_dir`` the last finished epoch is on disk (written
    atomically), so calling ``fit`` again, in this process or a new one,
    resumes from it; a killed process resumes the same way.

    **Determinism.** With an integer ``random_state`` on CPU, two fits on the
    same data give identical weights and predictions: weights, shuffling,
    dropout and augmentation are seeded and TensorFlow's op determinism is on
    during ``fit`` (it costs about a third of the training speed; the previous
    global random state is restored afterwards). ``random_state=None`` trains
    faster and differs between runs. GPUs and other TensorFlow versions may
    give other, still repeatable, results. Each epoch's batch order, dropout
    masks and augmentations are drawn from the seed and the epoch number, so
    a seeded run resumed from ``checkpoint_dir`` trains exactly the weights
    an uninterrupted run would.

    **Input.** ``X`` may be flat pixel rows ``(n, 2304)`` (a square grayscale
    image per row; pandas DataFrames of pixel columns too), ``(n, 48, 48)`` or
    ``(n, 48, 48, 1)``; other sizes work when all images share one.
    Pixels are scaled by skfer's one rule (:func:`skfer.preprocessing.scale_pixels`):
    integer grey levels 0-255 (``uint8``, as loaded by :mod:`skfer.datasets`)
    are divided by 255, as in the study; floats in [0, 1] (up to 1.1, a
    resize's overshoot) and centred floats (negative values) are used as
    given; non-negative floats above that are grey levels stored as floats
    and are divided by 255. Each image is judged by its own pixels, never by
    the other images of the batch.

    **Scores and probabilities.** ``decision_function`` returns the network's
    class scores; ``predict_proba`` is their softmax. For ``loss="svm"`` and
    ``loss="hinge"`` the scores are SVM margins and their softmax is *not* a
    calibrated probability: wrap the estimator in
    :class:`sklearn.calibration.CalibratedClassifierCV` when probabilities
    matter.

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
        "beta_1": [Interval(numbers.Real, 0, 1, closed="left")],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "l2": [Interval(numbers.Real, 0, None, closed="left")],
        "svm_margin": [Interval(numbers.Real, 0, None, closed="neither")],
        "momentum": [Interval(numbers.Real, 0, 1, closed="left")],
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
        beta_1=0.9,
        dropout=0.25,
        l2=0.0,
        svm_margin=1.0,
        momentum=0.9,
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
        self.learning_rate = learning_rate
        self.beta_1 = beta_1
        self.dropout = dropout
        self.l2 = l2
        self.svm_margin = svm_margin
        self.momentum = momentum
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
    #: integer parameters, where True/False would silently mean 1/0
    _INTEGER_PARAMS = (
        "crop",
        "epochs",
        "batch_size",
        "lr_patience",
        "early_stopping",
        "freeze_epochs",
    )
    #: scikeras parameters FERClassifier does not use: (default, what to use)
    _UNUSED_INHERITED = {
        "validation_split": (0.0, "validation_fraction (a stratified hold-out)"),
        "metrics": (None, "scoring= of scikit-learn's tools (fit reports accuracy)"),
        "build_fn": (None, "model= (a registered name or a builder function)"),
    }

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
        for name, (default, instead) in self._UNUSED_INHERITED.items():
            value = getattr(self, name, default)
            if not (value is default or value == default):
                raise InvalidParameterError(
                    f"{type(self).__name__} does not use scikeras' {name} "
                    f"(got {value!r}): use {instead}."
                )
        if self.shuffle is not True and self.random_state is not None:
            raise InvalidParameterError(
                "shuffle=False is not honoured by a seeded fit: each epoch's "
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
        tta = self.tta
        if not isinstance(tta, (bool, np.bool_)) and tta not in TTA_MODES:
            raise InvalidParameterError(
                f"tta must be True, False, 'flip' or 'ten-crop'; got {tta!r}."
                f"{did_you_mean(tta, TTA_MODES)}"
            )
        if tta == "ten-crop" and self.crop is None:
            raise InvalidParameterError(
                "tta='ten-crop' averages crop-sized windows, but this network "
                "reads whole images (crop=None). Train with crop=... (e.g. 44 "
                "for 48x48 faces), or use tta='flip'."
            )

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
        window = getattr(self, "_tta_window", None)
        if window is not None:  # test-time augmentation: one view of each image
            images = self._show_window(images, window)
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
    @property
    def target_encoder(self):
        return _LabelEncoder(categories=getattr(self, "classes_", None))

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
        params = self.get_params()
        if isinstance(self.optimizer, str):
            optimizer_params = route_params(
                params, destination="optimizer", pass_filter=set(), strict=True
            )
            if self.optimizer == "adam":
                defaults = {"learning_rate": self.learning_rate, "beta_1": self.beta_1}
                optimizer = keras.optimizers.Adam(**{**defaults, **optimizer_params})
            else:  # "sgd"
                defaults = {
                    "learning_rate": self.learning_rate,
                    "momentum": self.momentum,
                    "nesterov": True,
                }
                optimizer = keras.optimizers.SGD(**{**defaults, **optimizer_params})
        else:
            optimizer = super()._get_compile_kwargs()["optimizer"]
        compile_params = route_params(
            params, destination="compile", pass_filter=set(), strict=True
        )
        for key in ("optimizer", "loss"):
            if key in compile_params:
                raise InvalidParameterError(
                    f"compile__{key} is not routed: set {key}= on the estimator."
                )
        if getattr(self, "_votes", None) is not None:
            # soft labels: vote shares in training, integer labels in validation
            loss = VoteCrossentropy(self.label_smoothing)
            metric = keras.metrics.MeanMetricWrapper(vote_accuracy, name="accuracy")
        else:
            loss = get_loss(
                self.loss,
                svm_margin=self.svm_margin,
                label_smoothing=self.label_smoothing,
            )
            metric = keras.metrics.SparseCategoricalAccuracy(name="accuracy")
        return {
            "optimizer": optimizer,
            "loss": loss,
            "metrics": [metric],
            "run_eagerly": self.run_eagerly,
            **compile_params,
        }

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
            _copy_pretrained(self, net)
        _compile_augmentation_on_jax(model)
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
            X, X_val, y, y_val, sample_weight, votes = self._hold_out(
                X, y, sample_weight, votes
            )
            validation_data = (X_val, y_val)
        if votes is not None:
            y = votes  # the training targets: vote shares per class
        callbacks = list(self._fit_callbacks)
        if self.early_stopping is not None:
            if validation_data is None:
                raise InvalidValueError(
                    "early_stopping needs validation data: set "
                    "validation_fraction or call fit(X, y, validation_data=(X_val, "
                    "y_val))."
                )
            callbacks.append(
                keras.callbacks.EarlyStopping(
                    monitor="val_accuracy",
                    mode="max",
                    patience=self.early_stopping,
                    restore_best_weights=True,
                )
            )
        if self.lr_schedule == "plateau" and validation_data is None:
            raise InvalidValueError(
                "lr_schedule='plateau' lowers the learning rate when validation "
                "accuracy stops improving, so it needs validation data: set "
                "validation_fraction or call fit(X, y, validation_data=(X_val, "
                "y_val)), or use lr_schedule='constant' or 'cosine'."
            )
        history, best = {}, None
        if self.checkpoint_dir is not None:
            history, best, initial_epoch, epochs = self._resume(initial_epoch, epochs)
        if self.lr_schedule != "constant":
            prior = history.get("val_accuracy", [])
            if not prior and warm_start and initial_epoch:
                prior = getattr(self, "history_", {}).get("val_accuracy", [])
            callbacks.insert(
                0,
                EpochLearningRate(
                    self.lr_schedule,
                    self.learning_rate,
                    max(int(self.epochs), initial_epoch + epochs),
                    prior,
                    factor=self.lr_factor,
                    patience=self.lr_patience,
                ),
            )
        if self.freeze_epochs:
            if self.pretrained is None:
                raise InvalidValueError(
                    "freeze_epochs freezes the layers copied from a pretrained "
                    "network, so it needs pretrained=...; set freeze_epochs=0."
                )
            if keras.backend.backend() != "tensorflow":
                raise InvalidValueError(
                    "freeze_epochs needs Keras' TensorFlow backend (it retraces "
                    "the training step when the layers thaw)."
                )
            callbacks.insert(0, _FreezeTrunk(self.freeze_epochs))
        if self.checkpoint_dir is not None:
            callbacks.append(
                EpochCheckpoint(
                    self.checkpoint_dir, self._run_settings(), history, best
                )
            )
        fit_args = route_params(
            self.get_params(), destination="fit", pass_filter=self._fit_kwargs
        )
        fit_args = {k: v for k, v in fit_args.items() if not k.startswith("callbacks")}
        fit_args.update(
            sample_weight=sample_weight,
            epochs=initial_epoch + epochs,
            initial_epoch=initial_epoch,
            callbacks=callbacks,
            validation_data=validation_data,
        )
        fit_args.pop("validation_split", None)
        fit_args.update(kwargs)
        x_fit, y_fit = X, y
        if self._seed is not None and epochs > 0:
            # seeded: each epoch's order, dropout and augmentation depend on
            # the seed and the epoch only, so a resumed run equals a straight one
            batch_size = fit_args.pop("batch_size", None) or self.batch_size
            fit_args.setdefault("validation_batch_size", batch_size)
            fit_args["shuffle"] = False  # the dataset orders each epoch itself
            weights = fit_args.pop("sample_weight", None)
            x_fit, streams = make_epoch_streams(
                X, y, weights, batch_size=int(batch_size), seed=self._seed
            )
            y_fit = None
            fit_args["callbacks"] = [streams, *fit_args["callbacks"]]
        if validation_data is not None and keras.backend.backend() == "tensorflow":
            batch_size = (
                fit_args.pop("validation_batch_size", None)
                or fit_args.get("batch_size")
                or self.batch_size
            )
            # as ordered batches, not arrays: with the training batches coming
            # from a PyDataset (seeded fits), TensorFlow 2.21 logs an
            # ERROR-level line on the tf.data map Keras builds for arrays
            # ("NodeDef mentions attribute use_unbounded_threadpool ...") at the
            # first validation; the batches, and the figures, are the same
            fit_args["validation_data"] = batches(
                *validation_data, batch_size=int(batch_size)
            )
        new_history, interrupted = {}, False
        self.precision_ = resolve_precision(self.precision)
        if epochs > 0:
            warn_if_slow(self.precision)
            set_precision(self.model_, self.precision_)
            with seeded(self._seed):
                try:
                    new_history = self.model_.fit(x=x_fit, y=y_fit, **fit_args).history
                except KeyboardInterrupt:
                    # Ctrl-C: keep what was learnt, record the finished epochs,
                    # then let the interrupt stop the caller's program
                    interrupted = True
                    recorder = getattr(self.model_, "history", None)
                    new_history = dict(getattr(recorder, "history", {}) or {})
                finally:
                    # predict, save and export in float32
                    set_precision(self.model_, "float32")
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
            raise KeyboardInterrupt(
                f"fit interrupted after {self.fit_epochs_} finished epoch(s); the "
                "estimator keeps the weights reached so far"
                + (
                    f" and {self.checkpoint_dir!r} holds the last finished epoch: "
                    "call fit again to resume."
                    if self.checkpoint_dir is not None
                    else "."
                )
            )

    def _run_settings(self):
        """What a checkpoint must agree with to be resumed."""
        model = (
            self.model
            if isinstance(self.model, str)
            else getattr(self.model, "__qualname__", repr(self.model))
        )
        loss = self.loss
        if not isinstance(loss, str):  # a Keras loss object: its class and config
            config = json.dumps(loss.get_config(), sort_keys=True, default=repr)
            loss = f"{type(loss).__module__}.{type(loss).__qualname__}{config}"
        routed = {
            key: repr(value)
            for key, value in sorted(self.get_params().items())
            if key.startswith(("model__", "optimizer__", "compile__"))
        }
        pretrained = self.pretrained
        return {
            # identity 2: every setting that changes what an epoch does;
            # checkpoints without it recorded fewer (load_checkpoint)
            "identity": 2,
            "random_state": getattr(self, "_seed", None),
            "beta_1": float(self.beta_1),
            "pretrained": None if pretrained is None else os.fspath(pretrained),
            "freeze_epochs": int(self.freeze_epochs),
            "precision": resolve_precision(self.precision),
            "precise_bn": bool(self.precise_bn),
            "routed": routed,
            "model": model,
            "loss": loss,
            "svm_margin": float(self.svm_margin),
            "augment": bool(self.augment),
            "dropout": float(self.dropout),
            "l2": float(self.l2),
            "learning_rate": float(self.learning_rate),
            "batch_size": int(self.batch_size),
            "image_shape": list(self.image_shape_),
            "classes": [str(c) for c in self.classes_],
            **self._recipe_settings(),
        }

    def _recipe_settings(self):
        """Recipe settings that differ from the study's (older checkpoints
        have none of these keys and still resume)."""
        out = {}
        if isinstance(self.optimizer, str) and self.optimizer != "adam":
            out["optimizer"] = self.optimizer
            out["momentum"] = float(self.momentum)
        if self.lr_schedule != "constant":
            out["lr_schedule"] = self.lr_schedule
        if self.lr_schedule == "plateau":
            out["lr_factor"] = float(self.lr_factor)
            out["lr_patience"] = int(self.lr_patience)
        if self.lr_schedule == "cosine":
            out["epochs"] = int(self.epochs)
        if self.label_smoothing:
            out["label_smoothing"] = float(self.label_smoothing)
        if self.crop is not None:
            out["crop"] = int(self.crop)
        if getattr(self, "_votes", None) is not None:
            out["targets"] = "votes"
        cw = self.class_weight
        if isinstance(cw, str):
            out["class_weight"] = cw
            if self.class_weight_power != 1.0:
                out["class_weight_power"] = float(self.class_weight_power)
        elif cw is not None:
            out["class_weight"] = {str(k): float(v) for k, v in cw.items()}
        return out

    def _resume(self, initial_epoch, epochs):
        """Load the checkpoint in ``checkpoint_dir`` if there is one."""
        try:
            os.makedirs(self.checkpoint_dir, exist_ok=True)
        except OSError as exc:
            raise FileAccessError(
                f"checkpoint_dir {str(self.checkpoint_dir)!r} cannot be created "
                f"({exc.strerror}). Pass a folder you can write to."
            ) from exc
        if not os.access(self.checkpoint_dir, os.W_OK | os.X_OK):
            raise FilePermissionError(
                f"checkpoint_dir {str(self.checkpoint_dir)!r} is not writable. Pass "
                "a folder you can write to."
            )
        model, state = load_checkpoint(self.checkpoint_dir, self._run_settings())
        if model is None:
            return {}, None, initial_epoch, epochs
        self.model_ = _compile_augmentation_on_jax(model)
        done = int(state["epochs_done"])
        target = initial_epoch + epochs
        if self.verbose:
            print(
                f"Resuming from {self.checkpoint_dir}: {done} of {target} epochs "
                "already done."
            )
        return state["history"], state["best"], done, max(0, target - done)

    def _hold_out(self, X, y, sample_weight, votes=None):
        extra = [a for a in (sample_weight, votes) if a is not None]
        arrays = [X, y, *extra]
        try:
            parts = train_test_split(
                *arrays,
                test_size=self.validation_fraction,
                stratify=y,
                random_state=self._seed,
            )
        except ValueError:  # a class too small to stratify
            parts = train_test_split(
                *arrays, test_size=self.validation_fraction, random_state=self._seed
            )
        X_tr, X_val, y_tr, y_val = parts[:4]
        train_extra = iter(parts[4::2])
        w_tr = next(train_extra) if sample_weight is not None else None
        v_tr = next(train_extra) if votes is not None else None
        return X_tr, X_val, y_tr, y_val, w_tr, v_tr

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
        sample_weight = self._class_sample_weight(y, sample_weight)
        if votes is not None:
            self._votes = self._check_votes(votes, y)
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
        sample_weight = self._class_sample_weight(y, sample_weight)
        self.classes_ = (
            classes if classes is not None else getattr(self, "classes_", None)
        )
        with skfer_call():
            return BaseWrapper.partial_fit(
                self, X, y, sample_weight=sample_weight, **kwargs
            )

    def _class_sample_weight(self, y, sample_weight):
        """Per-image weights of ``class_weight`` (and ``class_weight_power``)
        times ``sample_weight``; a clear error for weights that cannot hold."""
        cw, power = self.class_weight, float(self.class_weight_power)
        if cw is None or (isinstance(cw, str) and power == 0.0):
            if cw is None and power != 1.0:
                raise InvalidParameterError(
                    f"class_weight_power={power!r} tempers class_weight='balanced' "
                    "and class_weight is None. Pass class_weight='balanced' too, "
                    "or leave class_weight_power at 1.0."
                )
            return sample_weight
        if isinstance(cw, dict) and power != 1.0:
            raise InvalidParameterError(
                f"class_weight_power={power!r} tempers the 'balanced' weights, "
                "but class_weight is a dict of your own weights. Raise your "
                "weights to that power yourself, or use class_weight='balanced'."
            )
        if y is None:
            return sample_weight
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataConversionWarning)
            y = self._validate_y(y)
        classes, index, counts = np.unique(
            y, return_inverse=True, return_counts=True
        )
        if isinstance(cw, dict):
            unknown = [k for k in cw if k not in set(classes.tolist())]
            if unknown:
                raise InvalidValueError(
                    f"class_weight names classes that y does not have: "
                    f"{sorted(map(str, unknown))}; y has {classes.tolist()}."
                )
            per_class = np.array([float(cw.get(c, 1.0)) for c in classes.tolist()])
            if not (np.isfinite(per_class).all() and (per_class >= 0).all()):
                raise InvalidValueError(
                    "class_weight values must be finite and >= 0; got "
                    f"{dict(zip(classes.tolist(), per_class.tolist()))}."
                )
        else:
            per_class = (len(y) / (len(classes) * counts)) ** power
        weights = per_class[index.ravel()]
        if sample_weight is None:
            return weights
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
        if sample_weight.shape != weights.shape:
            raise InvalidValueError(
                f"sample_weight must have shape (n_samples,) = ({len(y)},); got "
                f"{sample_weight.shape}."
            )
        return sample_weight * weights

    def _check_votes(self, votes, y):
        """Vote counts -> float32 rows summing to 1, or a clear error."""
        if self.loss != "crossentropy":
            raise InvalidValueError(
                f"votes (soft labels) are learnt with the cross-entropy loss; "
                f"loss={self.loss!r} has no probabilistic target. Use "
                "loss='crossentropy', or fit without votes."
            )
        if hasattr(votes, "to_numpy"):
            votes = votes.to_numpy()
        try:
            votes = np.asarray(votes, dtype=np.float64)
        except (TypeError, ValueError):
            raise InvalidValueError(
                "votes must be numeric counts of shape (n_samples, n_classes)."
            ) from None
        n_samples = len(y) if hasattr(y, "__len__") else None
        n_classes = len(np.unique(self._validate_y(y)))
        if votes.ndim != 2 or votes.shape != (n_samples, n_classes):
            raise InvalidValueError(
                f"votes must have shape (n_samples, n_classes) = ({n_samples}, "
                f"{n_classes}): one row per image, one column per class of y in "
                f"sorted order; got shape {votes.shape}."
            )
        if not np.isfinite(votes).all():
            raise InvalidValueError("votes holds NaN or infinite values.")
        if (votes < 0).any():
            raise InvalidValueError(
                "votes holds negative counts; counts or shares must be >= 0."
            )
        totals = votes.sum(axis=1)
        empty = np.flatnonzero(totals == 0)
        if empty.size:
            raise InvalidValueError(
                f"{empty.size} row(s) of votes have no vote for any class (first: "
                f"row {int(empty[0])}); drop those images or give them a label's "
                "one-hot row."
            )
        return (votes / totals[:, None]).astype(np.float32)

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
                self._tta_window = window
                try:
                    total = total + np.asarray(self._scores(X, **kwargs), np.float64)
                finally:
                    del self._tta_window
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
        return np.asarray(_compiled_predict(self.model_)(images))

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

    def _temperature(self):
        return float(getattr(self, "temperature_", 1.0))

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
