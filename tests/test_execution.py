"""The warm executor reuses a kernel but no state leaks from one notebook to the next,
and it writes the same notebook as the strict (fresh kernel) path."""

from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import DeadKernelError
from papermill.exceptions import PapermillExecutionError

from parbrief.runner.execution import execute

pytestmark = pytest.mark.slow
NOTEBOOK = Path(__file__).parent / "notebooks" / "isolation.ipynb"


def _comparable(nb) -> list:
    """Cells' sources and outputs, without the timing metadata that always differs."""
    return [(c.source, c.get("execution_count"), c.get("outputs")) for c in nb.cells]


def test_no_state_leaks_between_notebooks_on_a_warm_kernel(tmp_path):
    first = execute(NOTEBOOK, tmp_path / "a.ipynb", {"locality": "17266"}, executor="warm")
    second = execute(NOTEBOOK, tmp_path / "b.ipynb", {"locality": "16681"}, executor="warm")
    # the first notebook set a variable and a matplotlib setting; the second sees neither
    assert first.cells[2].outputs[0]["text"] == "leaked: None 1.5\n"
    assert second.cells[2].outputs[0]["text"] == "leaked: None 1.5\n"
    assert second.cells[3].outputs[0]["data"]["text/plain"] == "'1668116681'"


def test_warm_and_strict_paths_write_the_same_notebook(tmp_path):
    execute(NOTEBOOK, tmp_path / "warmup.ipynb", {"locality": "00004"}, executor="warm")
    warm = execute(NOTEBOOK, tmp_path / "warm.ipynb", {"locality": "17266"}, executor="warm")
    strict = execute(NOTEBOOK, tmp_path / "strict.ipynb", {"locality": "17266"}, executor="strict")
    assert _comparable(warm) == _comparable(strict)
    on_disk = nbformat.read(tmp_path / "warm.ipynb", as_version=4)
    assert on_disk.cells[3].outputs[0]["data"]["text/plain"] == "'1726617266'"


def test_a_failing_notebook_marks_its_cell_and_the_warm_kernel_keeps_working(tmp_path):
    with pytest.raises(PapermillExecutionError) as e:
        execute(NOTEBOOK, tmp_path / "fail.ipynb", {"locality": "17266", "fail": True},
                executor="warm")
    assert e.value.ename == "ValueError"
    assert e.value.evalue == "planted failure for 17266"
    failed = nbformat.read(tmp_path / "fail.ipynb", as_version=4)
    assert any("papermill-error-cell-tag" in c.metadata.get("tags", []) for c in failed.cells)
    after = execute(NOTEBOOK, tmp_path / "after.ipynb", {"locality": "16681"}, executor="warm")
    assert after.cells[2].outputs[0]["text"] == "leaked: None 1.5\n"


def test_a_notebook_that_kills_its_kernel_does_not_break_the_next(tmp_path):
    killer = nbformat.read(NOTEBOOK, as_version=4)
    killer.cells[3].source = "import os\nif fail:\n    os._exit(1)"
    path = tmp_path / "killer.ipynb"
    nbformat.write(killer, path)
    with pytest.raises(DeadKernelError):
        execute(path, tmp_path / "killed.ipynb", {"fail": True}, executor="warm", timeout=60)
    after = execute(NOTEBOOK, tmp_path / "after.ipynb", {"locality": "16681"}, executor="warm")
    assert after.cells[3].outputs[0]["data"]["text/plain"] == "'1668116681'"
