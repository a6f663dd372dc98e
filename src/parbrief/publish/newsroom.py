"""The newsroom pack: each chart as PNG and SVG, each table as CSV, the lead paragraph as text."""

from __future__ import annotations

import base64
import csv
import io
import math
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from parbrief.core.files import DIR_MODE, atomic_write, replace_dir

_STEM_BAD = re.compile(r"[^A-Za-z0-9_-]+")


def _file_stem(name, default: str, taken: set[str]) -> str:
    """A safe, unique file stem: ASCII letters, digits, - and _ ("Điểm số" -> "Diem-so")."""
    text = unicodedata.normalize("NFKD", str(name or "").replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    stem = _STEM_BAD.sub("-", text).strip("-_") or default
    base, n = stem, 2
    while stem in taken:
        stem = f"{base}-{n}"
        n += 1
    taken.add(stem)
    return stem


def _csv_value(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if not isinstance(value, float) else repr(value)


def newsroom_files(found: Sequence[dict]) -> dict[str, bytes]:
    """File name -> bytes of a newsroom pack for the blocks of one language."""
    files: dict[str, bytes] = {}
    taken: set[str] = {"lead"}
    n_chart = n_table = 0
    for block in found:
        if block["kind"] == "chart":
            n_chart += 1
            stem = _file_stem(block.get("name"), f"chart-{n_chart}", taken)
            if block.get("svg"):
                files[f"{stem}.svg"] = block["svg"].encode("utf-8")
            if block.get("png"):
                files[f"{stem}.png"] = base64.b64decode(block["png"])
        elif block["kind"] == "table":
            n_table += 1
            stem = _file_stem(block.get("name"), f"table-{n_table}", taken)
            data = block.get("data") or {"columns": block.get("columns", []),
                                          "rows": block.get("rows", [])}
            buf = io.StringIO()
            writer = csv.writer(buf, lineterminator="\n")
            writer.writerow([str(c) for c in data.get("columns", [])])
            for row in data.get("rows", []):
                writer.writerow([_csv_value(v) for v in row])
            files[f"{stem}.csv"] = buf.getvalue().encode("utf-8")
        elif block["kind"] == "lead" and "lead.txt" not in files:
            files["lead.txt"] = (str(block.get("text", "")).strip() + "\n").encode("utf-8")
    return files


def write_newsroom(found: Sequence[dict], folder: Path) -> list[Path]:
    """Write a newsroom pack into ``folder``, replacing any earlier pack there as a whole."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    files = newsroom_files(found)
    built = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.new-"))
    try:
        for name, data in files.items():
            atomic_write(built / name, data)
        os.chmod(built, DIR_MODE)  # mkdtemp makes 0700
        replace_dir(built, folder)
    except BaseException:
        shutil.rmtree(built, ignore_errors=True)
        raise
    return [folder / name for name in files]
