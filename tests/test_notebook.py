"""The example notebook runs from top to bottom (with its small settings)."""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "notebooks"


@pytest.mark.slow
def test_compare_classical_notebook_runs(tmp_path):
    notebook = nbformat.read(NOTEBOOK / "compare_classical.ipynb", as_version=4)
    # smaller settings than the notebook's own (700 faces, 8 epochs, 300
    # trees): the same code paths and checks in a fraction of the time
    first = notebook.cells[[c.cell_type for c in notebook.cells].index("code")]
    for old, new in (
        ("N_SAMPLES = 700", "N_SAMPLES = 420"),
        ("EPOCHS = 8", "EPOCHS = 5"),
        ("N_TREES = 300", "N_TREES = 60"),
    ):
        assert old in first.source
        first.source = first.source.replace(old, new)
    client = nbclient.NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    tables = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "execute_result"
        and "text/html" in output.get("data", {})
    ]
    assert any("HOG + linear SVM" in t["data"]["text/html"] for t in tables)
    images = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]
    assert images, "the bar chart was not drawn"
