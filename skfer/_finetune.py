"""Fine-tuning: a pretrained network's weights copied into a new one, and
the first epochs trained with the copied layers frozen (FERClassifier's
``pretrained`` and ``freeze_epochs``)."""

import os

import numpy as np

from ._keras import find_network, keras
from .exceptions import InvalidValueError

__all__ = ["copy_pretrained", "FreezeTrunk"]


def _weighted(net):
    return [layer for layer in net.layers if layer.weights]


def copy_pretrained(clf, net):
    """Copy a pretrained network's weights into ``net`` (built, untrained)."""
    from ._pretrained import card_path, load_file

    name = clf.pretrained
    text = os.fspath(name)
    if isinstance(name, str) and not text.endswith(".json"):
        # a shipped model's name (unknown names: an error with suggestions)
        source = load_file(card_path(name), type(clf))
    else:
        source = load_file(text, type(clf))
    label = f"pretrained={text!r}"
    if tuple(source.image_shape_) != tuple(clf.image_shape_):
        have = "x".join(map(str, source.image_shape_))
        got = "x".join(map(str, clf.image_shape_))
        raise InvalidValueError(
            f"{label} was trained on {have} images; these are {got}. Resize them "
            f"(skfer.preprocessing.Resize) to {have}."
        )
    # another window is fine where every weight keeps its shape (Model 2's
    # last feature map is 2x2 for 48, 44 and 40 pixels): the copied layers
    # then see the faces through the new window
    other_window = getattr(source, "crop", None) != clf.crop
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
                f"and {shapes_b} in model {clf.model!r} here: "
                + (
                    f"it reads {_window_text(source.crop)}, this estimator "
                    f"{_window_text(clf.crop)}, and the feature map before the "
                    f"dense layers differs. Use crop={source.crop!r}."
                    if other_window
                    else "another architecture."
                )
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


class FreezeTrunk(keras.callbacks.Callback):
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
