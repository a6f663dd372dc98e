"""Rendering an executed briefing notebook: self-contained HTML, A4 PDF, newsroom pack.

Input is a notebook executed by papermill whose outputs follow the display contract: per
language, ``display_data`` outputs carrying a block dict under ``application/vnd.parbrief+json``
with metadata ``{"parbrief": {"lang", "section"}}``, plus one summary output.

* HTML (bản tin cho báo chí): nbconvert's ``HTMLExporter`` with the ``parbrief`` template
  (``resources/templates/parbrief``). Only the blocks of one language are published: no code,
  no prompts, no parameters cells, nothing without parbrief metadata, no notebook metadata.
  One file, no external resources; the same notebook gives the same bytes.
* PDF (văn bản cho Ban Chỉ đạo): Typst markup generated from the blocks (every data string
  escaped) laid out by ``resources/templates/briefing.typ``, DejaVu Sans from matplotlib.
* Newsroom pack: each chart as PNG and SVG, each table as CSV, the lead paragraph as text.

A :class:`Renderer` holds the exporter and the Typst compiler; make one per worker process and
reuse it (``default_renderer()`` does that). Every file is written atomically.
"""

from __future__ import annotations

import base64
import copy
import csv
import datetime as _dt
import html as _html
import io
import json
import math
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

import nbformat
from nbconvert import HTMLExporter
from nbconvert.exporters import TemplateExporter
from nbconvert.preprocessors import Preprocessor

from parbrief import PACKAGE_ROOT, __version__
from parbrief.core import formatting
from parbrief.core.periods import Quarter

BLOCK_MIME = "application/vnd.parbrief+json"
SUMMARY_MIME = "application/vnd.parbrief.summary+json"
LANGS = ("vi", "en")
KINDS = ("heading", "lead", "paragraph", "list", "figures", "table", "chart", "note")
FORMATS = ("html", "pdf", "newsroom")
# Cells papermill (and the analyst) use for parameters: never published, not even empty.
PARAMETER_TAGS = frozenset({"parameters", "injected-parameters"})
TEMPLATES = PACKAGE_ROOT / "resources" / "templates"
HTML_TEMPLATE = "parbrief"
TYPST_TEMPLATE = TEMPLATES / "briefing.typ"

_WORDS = {
    "vi": {"page": "Trang", "methodology": "phương pháp", "data": "dữ liệu"},
    "en": {"page": "Page", "methodology": "methodology", "data": "data"},
}


class RenderError(ValueError):
    """A notebook that cannot be published as it is (says what is missing and how to fix it)."""


# --------------------------------------------------------------------------------------------
# Reading the display contract
# --------------------------------------------------------------------------------------------

def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")
    return lang


def _parbrief_meta(output) -> dict:
    meta = (output.get("metadata") or {}).get("parbrief")
    return meta if isinstance(meta, dict) else {}


def _tags(cell) -> set[str]:
    return set((cell.get("metadata") or {}).get("tags") or ())


def _published_cells(nb) -> Iterable:
    """Code cells that may carry published outputs (parameters cells never do)."""
    for cell in nb.cells:
        if cell.get("cell_type") == "code" and not (_tags(cell) & PARAMETER_TAGS):
            yield cell


def _plain(value):
    """NotebookNode -> plain dict/list, so callers get ordinary JSON values."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _json_data(output, mime: str):
    data = (output.get("data") or {}).get(mime)
    if isinstance(data, str):  # some writers keep JSON mimetypes as text
        data = json.loads(data)
    return data


def _cell_block_outputs(cell, lang: str) -> list:
    return [output for output in cell.get("outputs", [])
            if output.get("output_type") in ("display_data", "execute_result")
            and _parbrief_meta(output).get("lang") == lang
            and _json_data(output, BLOCK_MIME) is not None]


def _block_outputs(nb, lang: str) -> Iterable:
    for cell in _published_cells(nb):
        yield from _cell_block_outputs(cell, lang)


def _validate(block, where: str) -> None:
    if not isinstance(block, dict) or block.get("kind") not in KINDS:
        kind = block.get("kind") if isinstance(block, dict) else type(block).__name__
        raise RenderError(f"{where}: unknown block kind {kind!r}; parbrief.present.display makes "
                          f"only {', '.join(KINDS)}")


def _block_of(output) -> dict:
    """The block dict of one output; a chart's pictures are stored once, as the output's
    image/svg+xml and image/png, and are put back into the block here."""
    block = _plain(_json_data(output, BLOCK_MIME))
    if block.get("kind") == "chart" and "svg" not in block:
        data = output.get("data", {})
        svg, png = data.get("image/svg+xml", ""), data.get("image/png", "")
        block["svg"] = "".join(svg) if isinstance(svg, list) else svg  # nbformat line lists
        block["png"] = "".join(png) if isinstance(png, list) else png
    _validate(block, f"section {_parbrief_meta(output).get('section', '?')!r}")
    return block


def blocks(nb, lang: str) -> list[dict]:
    """The block dicts of one language, in notebook order (plain dicts)."""
    _check_lang(lang)
    found = []
    for output in _block_outputs(nb, lang):
        found.append(_block_of(output))
    return found


def summary(nb) -> dict:
    """The language-neutral summary output (``sections.summary``) of an executed notebook."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if _parbrief_meta(output).get("summary"):
                data = _json_data(output, SUMMARY_MIME)
                if data is not None:
                    return _plain(data)
    raise RenderError("the notebook has no parbrief summary output: the cell calling "
                      "sections.summary(b) did not run or its output was cleared; execute "
                      "the notebook again")


def _summary_or_none(nb) -> dict | None:
    try:
        return summary(nb)
    except RenderError:
        return None


def _title(found: Sequence[dict], info: dict | None) -> str:
    for block in found:
        if block["kind"] == "heading" and block.get("level") == 1:
            return str(block.get("text", ""))
    if info and info.get("locality_name"):
        return str(info["locality_name"])
    return "parbrief"


def _period_label(period, lang: str) -> str:
    try:
        return Quarter.parse(period).label(lang)
    except Exception:  # noqa: BLE001 - an unusual period is shown as written
        return str(period)


def provenance(info: dict | None, lang: str) -> str:
    """One line saying what a briefing was made from (footer of the HTML and the PDF)."""
    if not info:
        return ""
    words = _WORDS[lang]
    parts = [str(info.get("locality_name") or ""), str(info.get("locality_code") or "")]
    if info.get("period"):
        parts.append(_period_label(info["period"], lang))
    if info.get("methodology"):
        parts.append(f"{words['methodology']} {info['methodology']}")
    checksum = str(info.get("data_checksum") or "")
    if checksum:
        parts.append(f"{words['data']} {checksum.split(':')[-1][:12]}")
    parts.append(f"parbrief {info.get('parbrief_version') or __version__}")
    return " · ".join(p for p in parts if p)


_NUMERIC = re.compile(r"^[+\-−–]?\s?[\d.,\u00a0\u202f ]*\d[\d.,\u00a0\u202f ]*\s?%?$|^[–—-]$"
                      r"|^\d+/\d+$")


def numeric_columns(columns: Sequence, rows: Sequence[Sequence]) -> list[bool]:
    """A column is numeric (right-aligned) when every non-empty cell reads as a number."""
    result = []
    for i in range(len(columns)):
        cells = [str(row[i]).strip() for row in rows if i < len(row) and str(row[i]).strip()]
        result.append(bool(cells) and all(_NUMERIC.match(c) for c in cells))
    return result


# --------------------------------------------------------------------------------------------
# HTML through nbconvert
# --------------------------------------------------------------------------------------------

_SVG_SIZE = re.compile(
    r"<svg\b[^>]*?\bwidth=\"([\d.]+)(pt|px)?\"[^>]*?\bheight=\"([\d.]+)(pt|px)?\"", re.DOTALL)


def _svg_size(svg: str) -> tuple[int, int] | None:
    m = _SVG_SIZE.search(svg[:4000])
    if not m:
        return None
    scale = 4 / 3 if m.group(2) == "pt" else 1.0
    return round(float(m.group(1)) * scale), round(float(m.group(3)) * scale)


def _chart_src(block: dict) -> str:
    # Charts are embedded as data: URIs in <img>, not as inline <svg> elements: several
    # matplotlib SVGs in one page would repeat element ids (glyphs, clip paths), and an <img>
    # carries the alt text. Base64 keeps even the SVG's namespace URLs out of the page.
    if block.get("svg"):
        return "data:image/svg+xml;base64," + base64.b64encode(
            block["svg"].encode("utf-8")).decode("ascii")
    if block.get("png"):
        return "data:image/png;base64," + "".join(str(block["png"]).split())
    raise RenderError(f"chart {block.get('name')!r} has neither an SVG nor a PNG image")


class PublishedCopy(Preprocessor):
    """Reduce a notebook to what is published in one language.

    Keeps code cells that are not parameters cells, and in them only the outputs with
    parbrief metadata of ``resources["parbrief"]["lang"]``; empties sources and metadata so no
    code, path or papermill parameter can reach the page whatever the template does.
    """

    def preprocess(self, nb, resources):
        pb = resources["parbrief"]
        lang = pb["lang"]
        cells = []
        found = []
        for cell in _published_cells(nb):
            outputs = []
            for output in _cell_block_outputs(cell, lang):
                block = _block_of(output)
                if block["kind"] == "table":
                    block["highlight"] = block.get("highlight")
                    block["numeric"] = numeric_columns(block.get("columns", []),
                                                       block.get("rows", []))
                elif block["kind"] == "chart":
                    block["src"] = _chart_src(block)
                    size = _svg_size(block.get("svg") or "")
                    block["width"], block["height"] = size if size else (None, None)
                found.append(block)
                outputs.append(nbformat.from_dict({
                    "output_type": "display_data", "metadata": {},
                    "data": {BLOCK_MIME: block},
                }))
            if outputs:
                cells.append(nbformat.from_dict({
                    "id": f"published-{len(cells) + 1}",
                    "cell_type": "code", "metadata": {}, "source": "",
                    "execution_count": None, "outputs": outputs,
                }))
        if not found:
            raise RenderError(
                f"the notebook has no parbrief outputs in language {lang!r}: run it with "
                f"languages including {lang!r} (parameter `languages`)")
        nb.cells = cells
        nb.metadata = nbformat.from_dict({})
        pb["title"] = _title(found, pb.get("summary"))
        return nb, resources


def published_notebook(nb, lang: str) -> nbformat.NotebookNode:
    """A new notebook holding only what is published in ``lang`` (what Quarto is given):
    code cells with empty sources whose outputs are the blocks' displayable data."""
    _check_lang(lang)
    keep = ("text/html", "image/svg+xml", "image/png", "text/plain")
    cells = []
    for cell in _published_cells(nb):
        outputs = [nbformat.v4.new_output(
            "display_data", data={k: copy.deepcopy(v) for k, v in o["data"].items() if k in keep})
            for o in _cell_block_outputs(cell, lang)]
        if outputs:
            cells.append(nbformat.v4.new_code_cell(source="", outputs=outputs))
    if not cells:
        raise RenderError(
            f"the notebook has no parbrief outputs in language {lang!r}: run it with "
            f"languages including {lang!r} (parameter `languages`)")
    for n, cell in enumerate(cells, 1):
        cell["id"] = f"published-{n}"  # not random: two copies of one notebook are equal
    return nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })


_EXTERNAL = re.compile(
    r"""(?:\b(?:src|href|srcset|poster|action|data|xlink:href)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)|(?:@import\b)""",
    re.IGNORECASE)


def external_references(page: str | bytes) -> list[str]:
    """Every attribute or CSS reference to a network resource (an empty list is self-contained)."""
    text = page.decode("utf-8") if isinstance(page, bytes) else page
    return [m.group(0) for m in _EXTERNAL.finditer(text)]


# --------------------------------------------------------------------------------------------
# Typst
# --------------------------------------------------------------------------------------------

# Characters with a meaning in Typst markup (markers, shorthands like -- ... ~ and smart
# quotes, comments //, auto-links http://, labels <x>, references @x). A backslash before
# any of them prints it literally.
_TYPST_SPECIAL = frozenset("\\#$*_`<>@[]{}=-+/~.:'\"")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def typst_escape(text) -> str:
    """Escape a data string for Typst markup: it prints literally, whatever it contains.

    Newlines and tabs become spaces (every block string is one paragraph); other control
    characters are dropped.
    """
    s = _CONTROL.sub("", str(text)).replace("\r\n", " ").replace("\r", " ")
    s = s.replace("\n", " ").replace("\t", " ")
    return "".join("\\" + ch if ch in _TYPST_SPECIAL else ch for ch in s)


def typst_str(text) -> str:
    """A Typst string literal (code mode) for ``text``."""
    s = _CONTROL.sub("", str(text))
    s = s.replace("\\", "\\\\").replace('"', '\\"')
    s = s.replace("\r", "").replace("\n", "\\n").replace("\t", "\\t")
    return f'"{s}"'


def _content(text) -> str:
    return "[" + typst_escape(text) + "]"


def _content_or_none(text) -> str:
    return _content(text) if text not in (None, "") else "none"


def typst_source(found: Sequence[dict], lang: str, info: dict | None = None,
                 dated: bool = False) -> tuple[str, dict[str, bytes]]:
    """``main.typ`` for the blocks and the image files it refers to. ``dated``: the PDF's
    creation date is Typst's clock (set from SOURCE_DATE_EPOCH); otherwise it has none."""
    words = _WORDS[lang]
    files: dict[str, bytes] = {}
    out = [
        '#import "briefing.typ": *',
        "#show: briefing.with(lang: {lang}, title: {title}, provenance: {prov}, "
        "page-label: {page}{date})".format(
            lang=typst_str(lang), title=typst_str(_title(found, info)),
            prov=_content(provenance(info, lang)), page=typst_str(words["page"]),
            date=", date: auto" if dated else ""),
        "",
    ]
    for block in found:
        kind = block["kind"]
        if kind == "heading":
            level = 1 if block.get("level") == 1 else 2
            out.append(f"#heading(level: {level}){_content(block.get('text', ''))}")
        elif kind == "lead":
            out.append(f"#lead{_content(block.get('text', ''))}")
        elif kind == "paragraph":
            out.append(f"#par{_content(block.get('text', ''))}")
        elif kind == "note":
            out.append(f"#note{_content(block.get('text', ''))}")
        elif kind == "list":
            items = ", ".join(_content(i) for i in block.get("items", []))
            out.append(f"#list({items})")
        elif kind == "figures":
            tiles = ", ".join(
                f"tile({_content(f.get('label', ''))}, {_content(f.get('value', ''))}, "
                f"{_content_or_none(f.get('change'))})" for f in block.get("items", []))
            out.append(f"#tiles({tiles})")
        elif kind == "table":
            out.append(_typst_table(block))
        elif kind == "chart":
            n = sum(1 for name in files if name.startswith("chart-")) + 1
            if block.get("svg"):
                name = f"chart-{n}.svg"
                files[name] = block["svg"].encode("utf-8")
            elif block.get("png"):
                name = f"chart-{n}.svg"
                files[name] = _png_as_svg(block["png"])
            else:
                raise RenderError(f"chart {block.get('name')!r} has neither an SVG nor a PNG")
            out.append(f"#chart({_content_or_none(block.get('title'))}, {typst_str(name)}, "
                       f"{typst_str(block.get('alt') or block.get('title') or '')})")
        out.append("")
    return "\n".join(out), files


def _png_as_svg(png_b64: str, dpi: float = 150) -> bytes:
    """Wrap a PNG in an SVG: typst's in-memory files must be UTF-8 text, and its SVG reader
    accepts an embedded data: image. Sized as printed at ``dpi`` (the contract's 150)."""
    b64 = "".join(str(png_b64).split())
    head = base64.b64decode(b64[:44])  # signature + IHDR: width and height at bytes 16-24
    width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    w, h = width * 72 / dpi, height * 72 / dpi
    return (f'<svg xmlns="http://www.w3.org/2000/svg" '
            f'xmlns:xlink="http://www.w3.org/1999/xlink" width="{w:.2f}pt" height="{h:.2f}pt" '
            f'viewBox="0 0 {width} {height}"><image width="{width}" height="{height}" '
            f'xlink:href="data:image/png;base64,{b64}"/></svg>').encode("ascii")


def _typst_table(block: dict) -> str:
    columns = list(block.get("columns", []))
    rows = [list(r) for r in block.get("rows", [])]
    ncols = max([len(columns)] + [len(r) for r in rows]) or 1
    numeric = numeric_columns(columns + [""] * (ncols - len(columns)),
                              [r + [""] * (ncols - len(r)) for r in rows])
    # The first text column takes the free width (unit or criterion names), the rest fit.
    wide = next((i for i, is_num in enumerate(numeric) if not is_num), None)
    widths = ", ".join("1fr" if i == wide else "auto" for i in range(ncols)) + ","
    hl = block.get("highlight")
    hl = str(int(hl)) if isinstance(hl, (int, float)) and not isinstance(hl, bool) else "none"
    header = ", ".join(_content(c) for c in columns + [""] * (ncols - len(columns)))
    cells = ",\n  ".join(
        ", ".join(_content(c) for c in r + [""] * (ncols - len(r))) for r in rows)
    flags = ", ".join("true" if f else "false" for f in numeric) + ","
    return (f"#datatable({_content_or_none(block.get('title'))}, {hl}, ({widths}), ({flags}),\n"
            f"  table.header({header}),\n  {cells}\n)")


def _font_paths() -> list[str]:
    """DejaVu Sans as matplotlib ships it (the charts' font), found without importing
    matplotlib: a worker that only renders does not need its 30 MB."""
    import importlib.util

    spec = importlib.util.find_spec("matplotlib")
    return [str(Path(spec.submodule_search_locations[0]) / "mpl-data" / "fonts" / "ttf")]


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` (reproducible-builds.org): seconds since 1970-01-01 UTC, or None
    when it is not set. A value that is not a whole number is refused, not ignored."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise RenderError(f"SOURCE_DATE_EPOCH={value!r} is not a whole number of seconds since "
                          "1970-01-01 UTC (e.g. 1767225600 for 2026-01-01): correct or unset it")
    return int(value)


def _timestamp() -> _dt.datetime:
    """Typst's "now": SOURCE_DATE_EPOCH, else 1970-01-01. The PDF carries it as its creation
    and modification date only when SOURCE_DATE_EPOCH is set; otherwise it has no date."""
    return _dt.datetime.fromtimestamp(source_date_epoch() or 0, _dt.UTC)


# --------------------------------------------------------------------------------------------
# Newsroom pack
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# Atomic writes
# --------------------------------------------------------------------------------------------

def _read_umask() -> int:
    mask = os.umask(0o022)  # the only way to read it; set back at once, at import
    os.umask(mask)
    return mask


_UMASK = _read_umask()
_FILE_MODE = 0o666 & ~_UMASK
_DIR_MODE = 0o777 & ~_UMASK


def atomic_write(path: Path, data: bytes | Callable[[BinaryIO], None]) -> Path:
    """Write ``data`` (bytes, or a callable writing to a binary file) to ``path`` atomically.

    The bytes go to a temporary file in the same folder, are flushed to disk, and replace
    ``path`` in one rename: a reader sees the old file or the new one, never half of one, and
    if writing fails the old file is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            if callable(data):
                data(fh)
            else:
                fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _FILE_MODE)  # mkstemp makes 0600; reports are for readers
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(path.parent)
    return path


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # not possible on every platform; the rename is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _replace_dir(built: Path, target: Path) -> None:
    """Put the fully written folder ``built`` in place of ``target``."""
    if target.exists():
        old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old-"))
        os.replace(target, old / target.name)
        os.replace(built, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(built, target)
    _fsync_dir(target.parent)


def write_newsroom(found: Sequence[dict], folder: Path) -> list[Path]:
    """Write a newsroom pack into ``folder``, replacing any earlier pack there as a whole."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    files = newsroom_files(found)
    built = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.new-"))
    try:
        for name, data in files.items():
            atomic_write(built / name, data)
        os.chmod(built, _DIR_MODE)  # mkdtemp makes 0700
        _replace_dir(built, folder)
    except BaseException:
        shutil.rmtree(built, ignore_errors=True)
        raise
    return [folder / name for name in files]


# --------------------------------------------------------------------------------------------
# The renderer
# --------------------------------------------------------------------------------------------

class BriefingExporter(HTMLExporter):
    """nbconvert's HTMLExporter without its final BeautifulSoup pass.

    That pass re-parses the page to add alt text to images that lack it and tabindex to
    JupyterLab cells; a briefing has no such cells and every image carries its alt text, and
    the pass took two thirds of the render time.
    """

    def from_notebook_node(self, nb, resources=None, **kw):
        resources = self._init_resources(resources)
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


# Newsroom PNGs: print quality at a newspaper column's width.
PNG_PPI = 150


class Renderer:
    """One per worker process: the nbconvert exporter and the Typst compiler are made once."""

    def __init__(self) -> None:
        import typst

        self.exporter = BriefingExporter(
            template_name=HTML_TEMPLATE,
            extra_template_basedirs=[str(TEMPLATES)],
            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
            exclude_markdown=True, exclude_raw=True, exclude_unknown=True,
            # Only our preprocessor: the defaults (pygments CSS, attachments) add nothing here.
            default_preprocessors=[],
        )
        self.exporter.register_preprocessor(PublishedCopy, enabled=True)
        self.font_paths = _font_paths()
        self._typst = typst
        self.compiler = typst.Compiler(font_paths=self.font_paths, ignore_system_fonts=True)
        self.typst_template = TYPST_TEMPLATE.read_bytes()

    def html(self, nb, lang: str) -> bytes:
        """The self-contained HTML page of one language."""
        _check_lang(lang)
        resources = {"parbrief": {"lang": lang, "mime": BLOCK_MIME, "version": __version__,
                                  "summary": (info := _summary_or_none(nb)),
                                  "provenance": provenance(info, lang)}}
        body, _ = self.exporter.from_notebook_node(nb, resources=resources)
        return body.encode("utf-8")

    def typst_files(self, nb, lang: str) -> dict[str, bytes]:
        """The Typst project (main.typ, layout, images) for one language."""
        found = blocks(nb, lang)
        if not found:
            raise RenderError(
                f"the notebook has no parbrief outputs in language {lang!r}: run it with "
                f"languages including {lang!r} (parameter `languages`)")
        main, images = typst_source(found, lang, _summary_or_none(nb),
                                    dated=source_date_epoch() is not None)
        return {"main.typ": main.encode("utf-8"), "briefing.typ": self.typst_template, **images}

    def pdf(self, nb, lang: str) -> bytes:
        """The A4 PDF of one language."""
        files = self.typst_files(nb, lang)
        try:
            return self.compiler.compile(input=files, format="pdf", timestamp=_timestamp())
        except self._typst.TypstError as exc:
            raise RenderError(f"Typst could not typeset the {lang} briefing: {exc}") from exc

    def newsroom(self, nb, lang: str, folder: Path) -> list[Path]:
        """Charts (PNG, SVG), tables (CSV) and the lead (lead.txt) in ``folder``."""
        found = blocks(nb, lang)
        for block in found:
            if block["kind"] == "chart" and block.get("svg") and not block.get("png"):
                block["png"] = base64.b64encode(self.png(block["svg"])).decode("ascii")
        return write_newsroom(found, Path(folder))

    def png(self, svg: str, ppi: float = PNG_PPI) -> bytes:
        """A chart's SVG rasterised by Typst (the same drawing the HTML and PDF show)."""
        files = {"main.typ": b'#set page(width: auto, height: auto, margin: 0pt)\n'
                             b'#image("chart.svg")\n',
                 "chart.svg": svg.encode("utf-8")}
        try:
            return self.compiler.compile(input=files, format="png", ppi=ppi)
        except self._typst.TypstError as exc:
            raise RenderError(f"Typst could not rasterise a chart: {exc}") from exc


def svg_to_png(svg: str, ppi: float = PNG_PPI) -> bytes:
    return default_renderer().png(svg, ppi)


_RENDERER: tuple[int, Renderer] | None = None


def default_renderer() -> Renderer:
    """The Renderer of this process (made on first use, again after a fork)."""
    global _RENDERER
    if _RENDERER is None or _RENDERER[0] != os.getpid():
        _RENDERER = (os.getpid(), Renderer())
    return _RENDERER[1]


def expand_formats(formats: Iterable[str]) -> list[str]:
    """Check output formats; the newsroom pack comes with the HTML (the newspaper copy)."""
    wanted = [str(f).strip().lower() for f in formats]
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown output format {unknown[0]!r}: use any of {', '.join(FORMATS)}")
    if "html" in wanted and "newsroom" not in wanted:
        wanted.append("newsroom")
    return [f for f in FORMATS if f in wanted]


def render_report(nb, out_dir: Path, stem: str, languages: Iterable[str] = LANGS,
                  formats: Iterable[str] = ("html", "pdf"),
                  renderer: Renderer | str | None = None) -> dict[str, Path]:
    """Write ``<stem>.<lang>.html``, ``<stem>.<lang>.pdf`` and ``<stem>.<lang>.newsroom/``.

    Returns the paths written keyed ``"<lang>.<format>"`` (e.g. ``"vi.pdf"``).
    ``renderer``: a :class:`Renderer` (reuse one per process), None for this process's
    default, or ``"quarto"`` to have Quarto render HTML and PDF (Typst) from the notebook.
    """
    out_dir = Path(out_dir)
    if not stem or "/" in stem or os.sep in stem or stem.startswith("."):
        raise ValueError(f"bad report file stem {stem!r}: a file name without folders")
    languages = [_check_lang(lang) for lang in languages]
    fmts = expand_formats(formats)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    if renderer == "quarto":
        for lang in languages:
            pub = published_notebook(nb, lang)
            with tempfile.TemporaryDirectory(dir=out_dir, prefix=f".{stem}.quarto-") as tmp:
                src = Path(tmp) / f"{stem}.{lang}.ipynb"
                nbformat.write(pub, str(src))
                got = render_with_quarto(src, out_dir, [f for f in fmts if f != "newsroom"])
            for fmt, path in got.items():
                written[f"{lang}.{fmt}"] = path
            if "newsroom" in fmts:
                folder = out_dir / f"{stem}.{lang}.newsroom"
                write_newsroom(blocks(nb, lang), folder)
                written[f"{lang}.newsroom"] = folder
        return written
    if renderer is not None and not isinstance(renderer, Renderer):
        raise ValueError(f"unknown renderer {renderer!r}: pass a Renderer, None or 'quarto'")
    r = renderer or default_renderer()
    for lang in languages:
        if "html" in fmts:
            written[f"{lang}.html"] = atomic_write(out_dir / f"{stem}.{lang}.html",
                                                   r.html(nb, lang))
        if "pdf" in fmts:
            written[f"{lang}.pdf"] = atomic_write(out_dir / f"{stem}.{lang}.pdf", r.pdf(nb, lang))
        if "newsroom" in fmts:
            folder = out_dir / f"{stem}.{lang}.newsroom"
            r.newsroom(nb, lang, folder)
            written[f"{lang}.newsroom"] = folder
    return written


# --------------------------------------------------------------------------------------------
# Quarto (optional)
# --------------------------------------------------------------------------------------------

def quarto_available() -> str | None:
    """Path of the ``quarto`` command, or None."""
    return shutil.which("quarto")


def render_with_quarto(executed_ipynb_path: Path, out_dir: Path,
                       formats: Iterable[str] = ("html", "pdf"),
                       timeout: float = 300) -> dict[str, Path]:
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
    targets = {"html": ("html", ".html"), "pdf": ("typst", ".pdf")}
    written: dict[str, Path] = {}
    for fmt in formats:
        if fmt not in targets:
            raise ValueError(f"quarto renders html or pdf, not {fmt!r}")
        to, suffix = targets[fmt]
        with tempfile.TemporaryDirectory(dir=out_dir, prefix=f".{src.stem}.{fmt}-") as tmp:
            work = Path(tmp) / src.name
            shutil.copyfile(src, work)
            cmd = [quarto, "render", work.name, "--to", to, "--no-execute",
                   "-M", "echo:false", "-M", "warning:false"]
            if fmt == "html":
                cmd += ["-M", "embed-resources:true"]
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


# --------------------------------------------------------------------------------------------
# Index page
# --------------------------------------------------------------------------------------------

def _link(path) -> str:
    p = Path(path)
    if p.is_absolute():
        raise ValueError(f"index links must be relative to the index page, got {path}")
    return urllib.parse.quote(p.as_posix(), safe="/-._~")


def _entry_key(entry: dict):
    overview = 0 if entry.get("kind") == "overview" else 1
    rank = entry.get("rank")
    if not isinstance(rank, (int, float)) or math.isnan(rank):
        rank = math.inf
    return (overview, rank, str(entry.get("locality_code") or ""),
            str(entry.get("locality_name") or ""))


def index_page(period, entries: list[dict], title: str | None = None) -> bytes:
    """``reports/<period>/index.html``: every briefing of a period, overviews first.

    Each entry is a summary dict (``summary(nb)``: kind, locality_code, locality_name, index,
    rank, rank_of, classification {vi, en}) plus ``links``: {lang: {format: path relative to
    the index page}}.
    """
    e = _html.escape
    period_vi, period_en = _period_label(period, "vi"), _period_label(period, "en")
    heading = title or f"Chỉ số CCHC {period_vi} · PAR index {period_en}"
    rows = []
    for entry in sorted(entries, key=_entry_key):
        cls = entry.get("classification") or {}
        if isinstance(cls, dict):
            vi, en = cls.get("vi") or "", cls.get("en") or ""
            cls_text = vi if not en or en == vi else f"{vi} / {en}"
        else:
            cls_text = str(cls)
        kind = entry.get("kind") or "briefing"
        links = []
        for lang, fmts in sorted((entry.get("links") or {}).items(),
                                 key=lambda kv: (LANGS.index(kv[0]) if kv[0] in LANGS else 9,
                                                 kv[0])):
            parts = [f'<a href="{e(_link(p))}">{e(fmt.upper())}</a>'
                     for fmt, p in sorted(fmts.items(), key=lambda kv: (
                         FORMATS.index(kv[0]) if kv[0] in FORMATS else 9, kv[0]))]
            links.append(f'<span class="lang">{e(lang.upper())}</span> ' + " · ".join(parts))
        index = entry.get("index")
        rank = (formatting.rank(entry.get("rank"), entry.get("rank_of"))
                if entry.get("rank") is not None and entry.get("rank_of") is not None else "–")
        rows.append(
            f'<tr class="{e(kind)}"><td>{e(str(entry.get("locality_name") or ""))}'
            f'{" <small>(tổng quan / overview)</small>" if kind == "overview" else ""}</td>'
            f'<td>{e(str(entry.get("locality_code") or ""))}</td>'
            f'<td class="num">{e(formatting.points(index, "vi")) if index is not None else "–"}'
            f'</td><td class="num">{e(rank)}</td><td>{e(cls_text)}</td>'
            f'<td>{"<br>".join(links)}</td></tr>')
    page = f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="parbrief {e(__version__)}">
<title>{e(heading)}</title>
<style>
body {{ margin: 0 auto; max-width: 64rem; padding: 2rem 1.25rem;
  font-family: "Noto Sans", "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: #1b1b1b; }}
h1 {{ font-family: Georgia, "Noto Serif", "DejaVu Serif", serif; font-size: 1.8rem;
  border-bottom: 3px double #1b1b1b; padding-bottom: .5rem; }}
table {{ border-collapse: collapse; width: 100%; font-size: .92rem;
  font-variant-numeric: tabular-nums; }}
th, td {{ text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #d8d4cc;
  vertical-align: top; }}
thead th {{ border-bottom: 2px solid #1b1b1b; }}
td.num, th.num {{ text-align: right; white-space: nowrap; }}
tr.overview td {{ background: #f5f2ec; font-weight: bold; }}
.lang {{ color: #5a5a5a; font-size: .8rem; }}
a {{ color: #8a1c1c; }}
@page {{ size: A4; margin: 15mm; }}
@media print {{ body {{ max-width: none; padding: 0; }} thead {{ display: table-header-group; }}
  tr {{ break-inside: avoid; }} }}
</style>
</head>
<body>
<h1>{e(heading)}</h1>
<p>{len(rows)} báo cáo / reports</p>
<table>
<thead><tr><th scope="col">Đơn vị / Locality</th><th scope="col">Mã / Code</th>
<th scope="col" class="num">Chỉ số / Index</th><th scope="col" class="num">Xếp hạng / Rank</th>
<th scope="col">Xếp loại / Class</th><th scope="col">Bản tin / Briefing</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</body>
</html>
"""
    return page.encode("utf-8")


__all__ = [
    "BLOCK_MIME",
    "FORMATS",
    "LANGS",
    "SUMMARY_MIME",
    "RenderError",
    "Renderer",
    "atomic_write",
    "blocks",
    "default_renderer",
    "expand_formats",
    "external_references",
    "index_page",
    "newsroom_files",
    "numeric_columns",
    "provenance",
    "published_notebook",
    "quarto_available",
    "render_report",
    "render_with_quarto",
    "summary",
    "typst_escape",
    "typst_source",
    "typst_str",
    "write_newsroom",
]
