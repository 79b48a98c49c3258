"""The bad-input suite: every case gets an error of the right type whose message
names the problem and the fix, before any expensive work starts.

``python tests/test_errors.py`` prints each case with the message it gives.
"""

import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError as SklearnNotFittedError

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import _register_tiny  # noqa: E402

_register_tiny()

from skfer import FERClassifier  # noqa: E402
from skfer.datasets import load_fer2013, make_faces  # noqa: E402
from skfer.exceptions import (  # noqa: E402
    DataFormatError,
    DatasetNotFoundError,
    FaceNotFoundError,
    SkferError,
)
from skfer.preprocessing import (  # noqa: E402
    FaceCropper,
    ImageReader,
    PixelScaler,
    Resize,
    ToGrayscale,
)

X, y = make_faces(n_samples=28, random_state=0)
FAST = dict(model="tiny", epochs=1, augment=False, random_state=0)


def untrained(**params):
    return FERClassifier(**{**FAST, **params})


_FITTED = {}


def fitted():
    if "clf" not in _FITTED:
        _FITTED["clf"] = untrained().fit(X, y)
    return _FITTED["clf"]


def files(tmp):
    """Broken files of the kinds users meet."""
    from PIL import Image

    Image.fromarray(np.zeros((48, 48), np.uint8)).save(tmp / "good.png")
    good = (tmp / "good.png").read_bytes()
    (tmp / "truncated.png").write_bytes(good[: len(good) // 2])
    (tmp / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"junk" * 10)
    (tmp / "short.csv").write_text("emotion,pixels,Usage\n0,1 2 3,Training\n")
    pixels = " ".join(["0"] * 2304)
    (tmp / "label.csv").write_text(f"emotion,pixels,Usage\nx,{pixels},Training\n")
    (tmp / "video.mp4").write_bytes(b"\x00not a video" * 10)
    return tmp


def cli(*argv):
    """Run `skfer ...` in-process; raise what it prints on stderr."""
    import contextlib
    import io

    from skfer.cli import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(list(argv))
    if code != 0:
        raise SystemExit(f"exit {code}: {err.getvalue().strip()}")


def fit_bad(X_bad, y_bad=None, **params):
    """Fit a fresh estimator on bad data; the network must not have been built."""
    clf = untrained(**params)
    try:
        clf.fit(X_bad, y if y_bad is None else y_bad)
    finally:
        assert not hasattr(clf, "model_"), "the error came after building the model"


# (case, callable(tmp_path), expected type, message pattern)
CASES = [
    # -- estimator ---------------------------------------------------------
    (
        "pixel count that is no square image",
        lambda t: fit_bad(np.zeros((28, 2303))),
        ValueError,
        r"2303 values per row, which is not a square .*Resize",
    ),
    (
        "wrong pixel count at predict",
        lambda t: fitted().predict(np.zeros((2, 2500))),
        ValueError,
        r"2500 features, .*expecting 2304 .*Resize",
    ),
    (
        "five dimensions",
        lambda t: fit_bad(np.zeros((28, 48, 48, 1, 1))),
        ValueError,
        r"5 dimension\(s\) .*Reshape",
    ),
    (
        "colour where grayscale is expected",
        lambda t: fitted().predict(np.zeros((2, 48, 48, 3))),
        ValueError,
        r"1 channel\(s\); got 48x48 with 3 .*ToGrayscale",
    ),
    (
        "non-numeric pixels",
        lambda t: fit_bad(np.full((28, 2304), "a")),
        TypeError,
        r"must hold numbers .*ImageReader",
    ),
    (
        "NaN pixels",
        lambda t: fit_bad(np.full((28, 2304), np.nan)),
        ValueError,
        r"NaN or infinity.*Impute or drop",
    ),
    (
        "infinite pixels",
        lambda t: fit_bad(np.full((28, 2304), np.inf)),
        ValueError,
        r"NaN or infinity",
    ),
    (
        "empty input",
        lambda t: fit_bad(np.zeros((0, 2304)), np.zeros(0)),
        ValueError,
        r"empty",
    ),
    (
        "a single class",
        lambda t: fit_bad(X, np.zeros(len(X))),
        ValueError,
        r"only one class.*at least 2 classes",
    ),
    (
        "labels that fit never saw (validation data)",
        lambda t: untrained().fit(X, y % 3, validation_data=(X, y)),
        ValueError,
        r"labels that fit did not see: \[3, 4, 5, 6\]",
    ),
    (
        "X and y of different lengths",
        lambda t: fit_bad(X, y[:-1]),
        ValueError,
        r"different numbers of samples: X has 28, y has 27",
    ),
    (
        "predict before fit",
        lambda t: untrained().predict(X),
        SklearnNotFittedError,
        r"not fitted yet\. Call 'fit'",
    ),
    (
        "unknown model name",
        lambda t: fit_bad(X, model="v3"),
        ValueError,
        r"Unknown model 'v3'.*register_model",
    ),
    (
        "unknown loss name",
        lambda t: fit_bad(X, loss="squared_hinge"),
        ValueError,
        r"'loss' parameter .*(?=.*'svm')(?=.*'crossentropy')(?=.*'hinge')",
    ),
    (
        "negative epochs",
        lambda t: fit_bad(X, epochs=-1),
        ValueError,
        r"'epochs' parameter .*range \[1, inf\)",
    ),
    (
        "dropout of 1",
        lambda t: fit_bad(X, dropout=1.0),
        ValueError,
        r"'dropout' parameter .*\[0.0, 1.0\)",
    ),
    (
        "misspelt parameter",
        lambda t: FERClassifier(learnig_rate=0.1),
        TypeError,
        r"Did you mean 'learning_rate'",
    ),
    (
        "checkpoint folder that cannot be created",
        lambda t: untrained(checkpoint_dir="/proc/skfer/run").fit(X, y),
        OSError,
        r"checkpoint_dir '/proc/skfer/run' cannot be created",
    ),
    # -- transformers ------------------------------------------------------
    (
        "pixel values above 255",
        lambda t: PixelScaler().fit_transform(np.full((2, 2304), 300.0)),
        ValueError,
        r"grey levels in 0..255 or floats scaled to \[0, 1\]; got values from 300",
    ),
    (
        "resize to zero pixels",
        lambda t: Resize(size=(0, 48)).fit_transform(X),
        ValueError,
        r"two positive ints; got \(0, 48\)",
    ),
    (
        "five colour channels",
        lambda t: ToGrayscale().fit_transform(np.zeros((2, 48, 48, 5))),
        ValueError,
        r"1, 3 \(RGB\) or 4 \(RGBA\) channels; got 5",
    ),
    (
        "no face where one is required",
        lambda t: FaceCropper(on_missing="raise").fit_transform(
            [np.full((60, 60), 128, np.uint8)]
        ),
        FaceNotFoundError,
        r"No face found in image 0 .*on_missing='keep'",
    ),
    # -- loaders -----------------------------------------------------------
    (
        "corrupt image file",
        lambda t: ImageReader().fit_transform([str(files(t) / "corrupt.png")]),
        DataFormatError,
        r"corrupt, truncated or not an image",
    ),
    (
        "truncated image file",
        lambda t: ImageReader().fit_transform([str(files(t) / "truncated.png")]),
        DataFormatError,
        r"truncated",
    ),
    (
        "missing image file",
        lambda t: ImageReader().fit_transform([str(t / "absent.png")]),
        FileNotFoundError,
        r"1 image file\(s\) not found",
    ),
    (
        "csv row with too few pixels",
        lambda t: load_fer2013(files(t) / "short.csv"),
        DataFormatError,
        r"line 2: the row has 3 pixels, expected 2304.*on_error='skip'",
    ),
    (
        "csv row with a bad label",
        lambda t: load_fer2013(files(t) / "label.csv"),
        DataFormatError,
        r"line 2: the row emotion 'x' is not an integer 0..6",
    ),
    (
        "missing dataset",
        lambda t: load_fer2013(t / "fer2013.csv"),
        DatasetNotFoundError,
        r"FER2013 not found .*does not download it",
    ),
    (
        "misspelt usage",
        lambda t: load_fer2013(files(t) / "label.csv", subset="Trainig"),
        ValueError,
        r"Did you mean 'Training'",
    ),
    # -- prediction, export, CLI, storage ------------------------------------
    (
        "faces of the wrong size",
        lambda t: (
            __import__("skfer.inference")
            .inference.FERPredictor(fitted())
            .predict_proba(np.zeros((2, 40, 40), np.uint8))
        ),
        ValueError,
        r"faces must be \(n, 48, 48\).*FaceCropper",
    ),
    (
        "export into a missing folder",
        lambda t: __import__("skfer.inference").inference.export(
            fitted(), t / "no" / "net.keras", format="keras"
        ),
        FileNotFoundError,
        r"does not exist",
    ),
    (
        "CLI: missing input file",
        lambda t: cli("predict", str(t / "absent.png")),
        SystemExit,
        r"exit 2: skfer predict: error: No such image, folder or video",
    ),
    (
        "CLI: unwritable output path",
        lambda t: cli("predict", "--sample", "--output", "/proc/skfer/out.csv"),
        SystemExit,
        r"exit 2: .*--output '/proc/skfer/out.csv': its folder does not exist",
    ),
    (
        "CLI: a video that cannot be opened",
        lambda t: cli("predict", str(files(t) / "video.mp4")),
        SystemExit,
        r"exit 2: .*OpenCV cannot open the video",
    ),
    (
        "CLI: a camera that cannot be opened",
        lambda t: cli("predict", "--webcam", "9", "--max-frames", "1"),
        SystemExit,
        r"exit 2: .*cannot open the webcam 9",
    ),
    (
        "CLI: a study without a storage",
        lambda t: cli("tune", "--study", "s"),
        SystemExit,
        r"2",  # argparse: usage line and "--study needs --storage"
    ),
    (
        "CLI: an experiment skfer reproduce does not have",
        lambda t: cli("reproduce", "fer2013-v3", "--runs", str(t), "--output", str(t)),
        SystemExit,
        r"exit 2: .*Unknown experiment 'fer2013-v3'\. Did you mean",
    ),
    (
        "CLI: skfer reproduce without the dataset it needs",
        lambda t: cli(
            "reproduce",
            "ckplus-v1-crossentropy-aug-subject",
            "--ckplus",
            str(t / "missing"),
            "--runs",
            str(t),
            "--output",
            str(t),
        ),
        SystemExit,
        r"exit 2: .*missing",
    ),
    (
        "storage URL that cannot be reached",
        lambda t: (
            __import__("skfer.tuning")
            .tuning.FERSearchCV(
                untrained(),
                storage="postgresql://nobody@127.0.0.1:9/none",
                study_name="s",
            )
            .fit(X, y)
        ),
        ConnectionError,
        r"Cannot open the Optuna storage .*server is running",
    ),
]


@pytest.mark.parametrize(
    "case, make_error, error, match", CASES, ids=[case[0] for case in CASES]
)
def test_bad_input(case, make_error, error, match, tmp_path, capsys):
    with pytest.raises(error, match=f"(?s){match}") as info:
        make_error(tmp_path)
    assert "Traceback" not in str(info.value)
    # one error family: except SkferError catches every error skfer raises
    # (the command line reports them and exits with status 2 instead)
    if error is not SystemExit:
        assert isinstance(info.value, SkferError), type(info.value).__mro__


def test_the_suite_has_at_least_25_cases():
    assert len(CASES) >= 25
    assert len({case[0] for case in CASES}) == len(CASES)


if __name__ == "__main__":  # print each case and its message, for the docs
    import tempfile

    for case, make_error, _error, _ in CASES:
        try:
            make_error(Path(tempfile.mkdtemp()))
        except BaseException as exc:  # noqa: BLE001 - we print whatever it is
            print(f"- {case}: {type(exc).__name__}: {exc}")
        else:
            print(f"- {case}: NO ERROR")


@pytest.mark.parametrize(
    "params, match",
    [
        ({"early_stopping": True}, "early_stopping must be an integer.*=5"),
        ({"epochs": True}, "epochs must be an integer"),
        ({"freeze_epochs": False}, "freeze_epochs must be an integer"),
        ({"fit__shuffle": False, "random_state": 0}, "shuffle=False is not honoured"),
    ],
)
def test_parameters_that_would_be_ignored_are_refused(params, match):
    """An order a seeded fit cannot keep, and booleans read as 1 or 0
    (issue 33): refused at fit, naming the way."""
    from skfer import FERClassifier
    from skfer.datasets import make_faces

    X, y = make_faces(20, random_state=0)
    with pytest.raises(ValueError, match=match):
        FERClassifier(**{"model": "v1", "epochs": 1, **params}).fit(X, y)


@pytest.mark.parametrize(
    "name, value, match",
    [
        ("validation_split", 0.25, "validation_split: use validation_fraction="),
        ("metrics", ["accuracy"], "metrics: use scoring="),
        ("build_fn", len, "build_fn: use model="),
        ("run_eagerly", True, "run_eagerly: use the routed compile__run_eagerly="),
        ("shuffle", False, "shuffle: use the routed fit__shuffle="),
        ("validation_batch_size", 32, "use the routed fit__validation_batch_size="),
        ("beta_1", 0.5, "pass optimizer__beta_1=... instead of beta_1="),
        ("momentum", 0.95, "pass optimizer__momentum=... instead of momentum="),
    ],
)
def test_parameters_outside_the_surface_are_refused_with_their_replacement(
    name, value, match
):
    """scikeras parameters FERClassifier does not use, and the optimizer
    settings folded into routed ``optimizer__*`` (issue 33): refused by the
    constructor and by ``set_params``, naming the replacement; none is in
    ``get_params``."""
    from skfer import FERClassifier
    from skfer.exceptions import InvalidTypeError

    with pytest.raises(InvalidTypeError, match=match):
        FERClassifier(**{name: value})
    with pytest.raises(InvalidTypeError, match=match):
        FERClassifier().set_params(**{name: value})
    assert name not in FERClassifier().get_params()


def test_routed_replacements_reach_keras():
    """What the refusals point to works: the optimizer gets the routed
    settings and the compiled model the eager flag; fit takes the routed
    order and validation batch size (an unseeded fit)."""
    from skfer import FERClassifier
    from skfer.datasets import make_faces

    X, y = make_faces(40, random_state=0)
    clf = FERClassifier(
        model="v1",
        epochs=1,
        optimizer="sgd",
        optimizer__momentum=0.5,
        compile__run_eagerly=True,
        fit__shuffle=False,
        fit__validation_batch_size=7,
        validation_fraction=0.25,
    ).fit(X, y)
    assert float(clf.model_.optimizer.momentum) == pytest.approx(0.5)
    assert clf.model_.optimizer.nesterov and clf.model_.run_eagerly
    adam = FERClassifier(model="v1", epochs=1, optimizer__beta_1=0.5).fit(X, y)
    assert float(adam.model_.optimizer.beta_1) == pytest.approx(0.5)
