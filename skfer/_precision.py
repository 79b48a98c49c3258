"""Training precision: float32, or Keras' mixed bfloat16 where it is faster.

Mixed bfloat16 computes convolutions and matrix products in bfloat16 while
the weights, the optimizer state, the augmentation, the final class scores
and the loss stay float32. It pays only on hardware with bfloat16 arithmetic:
GPUs, and CPUs with AMX-BF16 or AVX512-BF16. Measured here
(``bench/training_precision.py``, Model 2 through ``FERClassifier.fit``):
about 1.5x the float32 speed on a 2-core AMD EPYC with AVX512-BF16 and no
AMX; TensorFlow's guide, and an earlier bench on a CPU without either flag,
put bfloat16 many times *slower* there, so ``"auto"`` keeps float32 then.

skfer never changes Keras' global dtype policy: the precision is set on the
layers of the estimator's own network for the duration of ``fit``, and the
network is switched back to float32 afterwards, so a trained model predicts,
pickles, saves and exports as a float32 model whatever precision trained it.
"""

import functools

from .exceptions import InvalidValueError

__all__ = [
    "PRECISIONS",
    "cpu_bf16_flags",
    "resolve_precision",
    "set_precision",
    "warn_if_slow",
]

PRECISIONS = ("auto", "float32", "bfloat16")

#: CPU flags (as in /proc/cpuinfo) that give bfloat16 arithmetic.
BF16_FLAGS = ("amx_bf16", "avx512_bf16")


def _cpuinfo(field):
    """``field`` of the first CPU in /proc/cpuinfo; None where unreadable."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith(field):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


@functools.lru_cache(maxsize=1)
def cpu_model():
    """This CPU's model name (``lscpu``'s), for speed records."""
    import platform

    return _cpuinfo("model name") or platform.processor() or "unknown CPU"


@functools.lru_cache(maxsize=1)
def cpu_bf16_flags():
    """The bfloat16 flags of this CPU (empty where they cannot be read)."""
    flags = set((_cpuinfo("flags") or "").split())
    return tuple(flag for flag in BF16_FLAGS if flag in flags)


def _has_gpu():
    from ._keras import keras

    backend = keras.backend.backend()
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            return bool(tf.config.list_physical_devices("GPU"))
        if backend == "jax":
            import jax

            return jax.default_backend() in ("gpu", "cuda", "rocm")
    except Exception:  # a broken driver counts as no GPU
        return False
    return False


def resolve_precision(precision):
    """``"float32"`` or ``"bfloat16"``: what ``precision`` means on this machine.

    ``"auto"`` is ``"bfloat16"`` on a GPU or a CPU with AMX-BF16 or
    AVX512-BF16, ``"float32"`` elsewhere.
    """
    if precision not in PRECISIONS:
        raise InvalidValueError(
            f"precision must be one of {', '.join(map(repr, PRECISIONS))}; got "
            f"{precision!r}."
        )
    if precision != "auto":
        return precision
    return "bfloat16" if _has_gpu() or cpu_bf16_flags() else "float32"


def warn_if_slow(precision):
    """Warn once per fit when bfloat16 was asked for where it is slow."""
    if precision != "bfloat16" or _has_gpu() or cpu_bf16_flags():
        return
    import warnings

    warnings.warn(
        "precision='bfloat16' on a CPU without bfloat16 arithmetic (no AMX-BF16 "
        "or AVX512-BF16 flag) and without a GPU: training runs, but many times "
        "slower than in float32. precision='auto' picks float32 here.",
        UserWarning,
        stacklevel=4,
    )


def set_precision(model, precision):
    """Set the compute precision of ``model``'s network in place.

    Every layer of the network except its last (the class scores) computes in
    ``precision``; the augmentation layers (a sub-model named ``"augment"``)
    and the outer model stay float32. Variables stay float32 either way, so
    weights move freely between the two. The model's compiled train, test
    and predict functions are traced again on their next use.
    """
    from ._keras import AUGMENT_NAME, find_network

    policy = "mixed_bfloat16" if precision == "bfloat16" else "float32"
    net = find_network(model, strict=False)
    keep = {id(layer) for layer in net.layers[-1:]}
    for layer in model.layers:
        if layer.name == AUGMENT_NAME:
            keep.add(id(layer))
            keep.update(map(id, layer._flatten_layers(include_self=False)))
    changed = False
    for layer in net._flatten_layers(include_self=False, recursive=True):
        if id(layer) in keep or layer.dtype_policy.name == policy:
            continue
        layer.dtype_policy = policy
        changed = True
    if changed:  # the traced train/test/predict functions hold the old dtypes
        for name in ("train_function", "test_function", "predict_function"):
            if hasattr(model, name):
                setattr(model, name, None)
    return model
