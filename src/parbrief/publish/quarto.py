"""Quarto as a renderer: an executed notebook rendered without executing it again."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from parbrief.core.files import atomic_write
from parbrief.publish.contract import RenderError


def quarto_available() -> str | None:
    """Path of the ``quarto`` command, or None."""
    return shutil.which("quarto")


def render_with_quarto(executed_ipynb_path: Path, out_dir: Path,
                       formats: Iterable[str] = ("html", "pdf"),
                       timeout: float = 300, lang: str | None = None) -> dict[str, Path]:
    """Render an executed notebook with Quarto without executing it again.

    Each render happens in its own scratch folder (Quarto's ``*_files`` folders of parallel
    renders would otherwise overwrite each other); the result is moved atomically to
    ``out_dir/<notebook stem>.html|.pdf``. Pass a notebook made by :func:`published_notebook`
    to publish one language only.
    """
    quarto = quarto_available()
    if quarto is None:
        raise RuntimeError("quarto is not installed (https://quarto.org/docs/get-started/); "
                           "render without renderer='quarto' to use parbrief's own renderer")
    src = Path(executed_ipynb_path).resolve()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = {"html": ("html", ".html"), "pdf": ("typst", ".pdf"), "docx": ("docx", ".docx")}
    written: dict[str, Path] = {}
    for fmt in formats:
        if fmt not in targets:
            raise ValueError(f"quarto renders html, pdf or docx, not {fmt!r}")
        to, suffix = targets[fmt]
        with tempfile.TemporaryDirectory(dir=out_dir, prefix=f".{src.stem}.{fmt}-") as tmp:
            work = Path(tmp) / src.name
            shutil.copyfile(src, work)
            cmd = [quarto, "render", work.name, "--to", to, "--no-execute",
                   "-M", "echo:false", "-M", "warning:false"]
            if lang:
                cmd += ["-M", f"lang:{lang}"]
            if fmt == "html":
                cmd += ["-M", "embed-resources:true"]
            if fmt == "pdf":  # the documents' font (Vietnamese letters), as parbrief's own PDF
                from parbrief.publish.pdf import DOCUMENT_FONT, document_font_dir

                cmd += ["-M", f"mainfont:{DOCUMENT_FONT}", "-M",
                        f"font-paths:{document_font_dir()}", "-M", "fontsize:12pt",
                        "-M", "papersize:a4"]
            proc = subprocess.run(cmd, check=False, cwd=tmp, capture_output=True, text=True,
                                  timeout=timeout,
                                  env=dict(os.environ, QUARTO_LOG_LEVEL="WARNING"))
            result = Path(tmp) / (src.stem + suffix)
            if proc.returncode != 0 or not result.is_file():
                tail = (proc.stderr or proc.stdout or "").strip()[-2000:]
                raise RenderError(f"quarto render {src.name} --to {to} failed "
                                  f"(exit {proc.returncode}): {tail}")
            written[fmt] = atomic_write(out_dir / (src.stem + suffix), result.read_bytes())
    return written
