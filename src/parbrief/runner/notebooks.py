"""The batch's notebook templates (``notebooks/*.ipynb``): declared cells, no outputs; and the
analyst's working copies (``work/``).

JupyterLab saves whatever is open: an analyst who opened the template to try another locality
left it with outputs, a changed parameter and eight scratch cells, and the batch then published
them. So a template declares its cells in its metadata (``parbrief.cells``: each cell's id and
the checksum of its source) and the batch refuses a template that carries outputs, or cells it
does not declare, or declared cells whose source changed, naming each cell and the fix. A
deliberate change to a template is declared again with ``parbrief notebook declare``.

Analysts work in a copy of their own (``make lab`` makes ``work/briefing.ipynb`` from the
template, paired with a ``.py`` text form for reviewable diffs); the template stays as it is.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from parbrief.core.errors import ParameterError
from parbrief.core.files import atomic_write

DECLARATION = "parbrief"  # notebook metadata key
WORK = "work"  # the analysts' folder in the project (git-ignored)
SHOWN = 3  # cells named in a message, at most
# Paired text form of a working copy (jupytext): one .py file a reviewer reads as a diff.
PAIRED_FORMATS = "ipynb,py:percent"


def source_digest(source: str) -> str:
    return "sha256:" + hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def _read(path: Path):
    import nbformat

    try:
        return nbformat.read(str(path), as_version=4)
    except FileNotFoundError:
        raise ParameterError(f"notebook {path} not found") from None
    except Exception as e:  # noqa: BLE001 - a damaged file: say which and why
        raise ParameterError(f"notebook {path} cannot be read as a notebook ({e}); restore it "
                             "(git checkout -- <file>)") from None


def declare(path: Path | str) -> list[str]:
    """Declare a template's cells as they are now (after a deliberate, reviewed change):
    outputs and execution counts are cleared, each cell's id and source checksum recorded.
    Returns the declared cell ids."""
    import nbformat

    path = Path(path)
    nb = _read(path)
    cells = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
        cells[cell.id] = source_digest(cell.source)
    nb.metadata[DECLARATION] = {"template": path.stem, "cells": cells}
    atomic_write(path, (nbformat.writes(nb) + "\n").encode("utf-8"))
    return list(cells)


def _first_line(source: str) -> str:
    line = next((s for s in source.splitlines() if s.strip()), "")
    if not line.lstrip().startswith("#"):
        line = line.split("  #")[0]  # the code, not its comment
    return line if len(line) <= 60 else line[:57] + "..."


def _cells(numbers: list[tuple[int, str]]) -> str:
    shown = ", ".join(f"{n} ({_first_line(src)!r})" if _first_line(src) else f"{n}"
                      for n, src in numbers[:SHOWN])
    more = f" and {len(numbers) - SHOWN} more" if len(numbers) > SHOWN else ""
    return shown + more


def problems(nb) -> list[str]:
    """What is wrong with a template, one phrase per kind of problem (empty: it is clean)."""
    declared = (nb.metadata.get(DECLARATION) or {}).get("cells")
    if not isinstance(declared, dict):
        return ["it declares no cells (no 'parbrief.cells' in its metadata)"]
    with_outputs, undeclared, edited = [], [], []
    for n, cell in enumerate(nb.cells, 1):
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
            with_outputs.append((n, cell.source))
        if cell.get("id") not in declared:
            undeclared.append((n, cell.source))
        elif declared[cell.id] != source_digest(cell.source):
            edited.append((n, cell.source))
    found = []
    if with_outputs:
        found.append(f"outputs in cell {_cells(with_outputs)}")
    if undeclared:
        found.append(f"cells it does not declare: {_cells(undeclared)}")
    if edited:
        found.append(f"declared cells whose code changed: {_cells(edited)}")
    present = {cell.get("id") for cell in nb.cells}
    missing = [cid for cid in declared if cid not in present]
    if missing:
        found.append(f"{len(missing)} declared cell(s) removed ({', '.join(missing[:SHOWN])})")
    return found


def check_template(path: Path, shown_as: str | None = None) -> None:
    """Refuse a template that was edited in an editor: outputs, undeclared or changed cells.
    The message names the notebook, each kind of problem with its cells, and the fixes."""
    found = problems(_read(path))
    if not found:
        return
    where = shown_as or str(path)
    raise ParameterError(
        f"notebook {where} is a batch template and was changed outside a review: "
        + "; ".join(found) + ". The batch publishes exactly what the template declares. "
        f"Restore it (git checkout -- {where}) and make your changes in a working copy "
        f"({WORK}/{Path(where).name}, made by `make lab`); if the change is meant for every "
        f"report, declare it: parbrief notebook declare {where}")


# Cells a working copy has beyond its template: what an analyst asks of a briefing.
EXTRA_CELLS = {
    "briefing": (
        "# How each number came about (cách tính từng điểm): every criterion's rule, the figures\n"
        "# it read (file and line), value and points. One criterion or area:\n"
        '# sections.explain(b, "a3_on_time"); every peer: sections.peer_table(b)\n'
        "sections.explain(b)",
    ),
}


def write_jupytext_config(folder: Path) -> Path:
    """Every notebook saved in ``folder`` gets a paired ``.py`` text form."""
    path = folder / "jupytext.toml"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(path, ("# Notebooks here are saved with a .py twin (percent format): read "
                            "and review changes as text.\n"
                            f'formats = "{PAIRED_FORMATS}"\n').encode())
    return path


def working_copy(template: Path, folder: Path) -> Path:
    """The analyst's copy of a template in ``folder`` (made once, never overwritten): the same
    cells, without the template's declaration, paired with a ``.py`` text form."""
    import nbformat

    target = folder / template.name
    if target.exists():
        return target
    nb = _read(template)
    nb.metadata.pop(DECLARATION, None)
    nb.metadata["jupytext"] = {"formats": PAIRED_FORMATS}
    first = nb.cells[0] if nb.cells else None
    if first is not None and first.cell_type == "code":
        first.source = (
            f"# Your working copy of the {template.stem} (notebooks/{template.name} is the batch\n"
            "# template, which stays as it is). Change the parameters below and Run All; add\n"
            f"# cells, save: it is yours. {template.stem}.py beside it is the same notebook as\n"
            "# text (for reviewable diffs).")
    for source in EXTRA_CELLS.get(template.stem, ()):
        nb.cells.append(nbformat.v4.new_code_cell(source))
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write(target, (nbformat.writes(nb) + "\n").encode("utf-8"))
    return target


__all__ = ["DECLARATION", "EXTRA_CELLS", "PAIRED_FORMATS", "WORK", "check_template", "declare",
           "problems", "source_digest", "working_copy", "write_jupytext_config"]
