"""Sphinx configuration of the skfer documentation."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))

import skfer  # noqa: E402

project = "skfer"
author = "the skfer developers"
release = version = skfer.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
autosummary_generate = True
autodoc_default_options = {
    "members": True,
    "inherited-members": False,
    # scikit-learn's generated metadata-routing setters reference its own
    # glossary, which does not exist here
    "exclude-members": ",".join(
        f"set_{method}_request"
        for method in (
            "fit",
            "partial_fit",
            "predict",
            "predict_proba",
            "score",
            "transform",
            "decision_function",
        )
    ),
}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# The build runs offline (CI reaches only package registries), so there is
# no intersphinx inventory to fetch; links to sklearn/Keras/Optuna are plain.
templates_path = []
# docs/results/*.rst are fragments written by bench scripts and pulled in
# with ``.. include::``; they are not pages of their own
exclude_patterns = [
    "_build",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "results/*.rst",
]
html_theme = "alabaster"
html_static_path = []

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
}
