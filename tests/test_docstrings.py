"""Every public object has a numpydoc docstring whose parameters match its signature."""

import importlib
import inspect

import pytest

docscrape = pytest.importorskip("numpydoc.docscrape")

PUBLIC = {
    "skfer": ["FERClassifier"],
    "skfer.models": [
        "get_model",
        "get_model_builder",
        "list_models",
        "register_model",
        "model_v1",
        "model_v2",
    ],
    "skfer.losses": [
        "MulticlassHinge",
        "MulticlassSquaredHinge",
        "SmoothedCrossentropy",
        "get_loss",
    ],
    "skfer.datasets": [
        "load_fer2013",
        "load_ckplus",
        "load_image_folder",
        "make_faces",
        "get_data_home",
    ],
    "skfer.preprocessing": [
        "PixelScaler",
        "ToGrayscale",
        "Resize",
        "ImageReader",
        "FaceCropper",
    ],
    "skfer.features": ["CNNFeatureExtractor", "HOGFeatures", "make_baseline"],
    "skfer.inference": [
        "FERPredictor",
        "annotate",
        "export",
        "list_pretrained",
        "load_pretrained_file",
        "pretrained",
        "save_pretrained",
    ],
    "skfer.tuning": [
        "FERSearchCV",
        "default_search_space",
        "plot_optimization_history",
        "plot_param_importances",
    ],
    "skfer.reproduce": ["reproduce", "write_report"],
    "skfer.model_selection": [
        "OfficialSplit",
        "subject_kfold",
        "image_level_kfold",
        "find_duplicates",
        "evaluation_report",
    ],
}
OBJECTS = [(module, name) for module, names in PUBLIC.items() for name in names]


def _documented(doc):
    names = []
    for param in doc["Parameters"]:
        names += [n.strip().lstrip("*") for n in param.name.split(",")]
    return names


@pytest.mark.parametrize("module, name", OBJECTS)
def test_docstring_parameters_match_signature(module, name):
    obj = getattr(importlib.import_module(module), name)
    assert obj.__doc__, f"{module}.{name} has no docstring"
    if inspect.isclass(obj):
        doc = docscrape.ClassDoc(obj)
        signature = inspect.signature(obj.__init__)
    else:
        doc = docscrape.FunctionDoc(obj)
        signature = inspect.signature(obj)
    expected = [
        p.name
        for p in signature.parameters.values()
        if p.name != "self" and p.kind is not p.VAR_POSITIONAL
    ]
    expected = [n for n in expected if n != "kwargs"] + (
        ["kwargs"] if "kwargs" in _documented(doc) else []
    )
    assert _documented(doc) == expected
    assert doc["Examples"], f"{module}.{name} has no Examples section"


def test_every_listed_object_is_in_all():
    for module, names in PUBLIC.items():
        exported = getattr(importlib.import_module(module), "__all__", [])
        assert set(names) <= set(exported), module
