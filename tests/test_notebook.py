"""The example notebook runs from top to bottom (with its small settings)."""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "notebooks"


@pytest.mark.slow
def test_compare_classical_notebook_runs(tmp_path):
    notebook = nbformat.read(NOTEBOOK / "compare_classical.ipynb", as_version=4)
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
