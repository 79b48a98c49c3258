"""One error family: every error skfer raises is an SkferError and a builtin."""

import ast
import builtins as builtins_module
import inspect
from pathlib import Path

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError as SklearnNotFittedError

import skfer
from skfer import FERClassifier, exceptions
from skfer.exceptions import (
    InvalidParameterError,
    InvalidTypeError,
    InvalidValueError,
    NotFittedError,
    SkferError,
)
from skfer.features import CNNFeatureExtractor, HOGFeatures
from skfer.preprocessing import PixelScaler

SOURCE = Path(skfer.__file__).parent

# raised on purpose as Python's own protocol, not as skfer errors
PROTOCOL = {"AttributeError", "KeyboardInterrupt", "StopIteration", "SystemExit"}


def _raised_names():
    """(file, line, exception name) of every ``raise Name(...)`` in skfer/."""
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                func = node.exc.func
                name = func.id if isinstance(func, ast.Name) else None
                if name is not None:
                    yield path.relative_to(SOURCE), node.lineno, name


def test_no_module_raises_a_bare_builtin_error():
    builtins = {
        name
        for name, value in vars(builtins_module).items()
        if isinstance(value, type) and issubclass(value, BaseException)
    }
    bare = [
        f"{path}:{line} raises {name}"
        for path, line, name in _raised_names()
        if name in builtins and name not in PROTOCOL
    ]
    assert not bare, "\n".join(bare)


def test_every_skfer_exception_is_also_the_builtin_callers_expect():
    for name in exceptions.__all__:
        error = getattr(exceptions, name)
        assert issubclass(error, SkferError)
        if error is not SkferError:
            assert len(inspect.getmro(error)) > 3, name  # something besides SkferError
    assert issubclass(InvalidValueError, ValueError)
    assert issubclass(InvalidTypeError, TypeError)
    assert issubclass(InvalidParameterError, (ValueError, TypeError))
    assert issubclass(NotFittedError, SklearnNotFittedError)


@pytest.mark.parametrize(
    "use_unfitted",
    [
        lambda X: HOGFeatures().get_feature_names_out(),
        lambda X: PixelScaler().get_feature_names_out(),
        lambda X: CNNFeatureExtractor(FERClassifier()).transform(X),
        lambda X: FERClassifier().predict(X),
    ],
    ids=["HOGFeatures", "PixelScaler", "CNNFeatureExtractor", "FERClassifier"],
)
def test_not_fitted_is_skfers_own_in_every_module(use_unfitted):
    with pytest.raises(NotFittedError):
        use_unfitted(np.zeros((2, 48, 48), np.uint8))


def test_parameter_errors_are_skfer_errors_and_sklearns(small_faces):
    X, y = small_faces
    with pytest.raises(InvalidParameterError, match="dropout") as info:
        FERClassifier(model="tiny", dropout=1.5).fit(X, y)
    assert isinstance(info.value, ValueError)


def test_loss_routing_is_refused_and_compile_routing_reaches_keras(small_faces):
    with pytest.raises(TypeError, match="does not route 'loss__margin'.*svm_margin"):
        FERClassifier(loss__margin=2)
    X, y = small_faces
    clf = FERClassifier(
        model="tiny", epochs=1, augment=False, compile__steps_per_execution=3
    ).fit(X, y)
    assert clf.model_.steps_per_execution == 3
    with pytest.raises(InvalidParameterError, match="compile__loss is not routed"):
        FERClassifier(model="tiny", epochs=1, compile__loss="mse").fit(X, y)
