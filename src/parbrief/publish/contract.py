"""The display contract between a briefing notebook and the renderers.

An executed notebook carries, per language, ``display_data`` outputs holding a block dict under
``application/vnd.parbrief+json`` with metadata ``{"parbrief": {"lang", "section"}}``, plus one
language-neutral summary output. This module reads them back: the blocks of one language, the
summary, the title, and the notebook Quarto is given.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Sequence

import nbformat

from parbrief import PACKAGE_ROOT, __version__
from parbrief.core.periods import parse_period

BLOCK_MIME = "application/vnd.parbrief+json"


SUMMARY_MIME = "application/vnd.parbrief.summary+json"


LANGS = ("vi", "en")


KINDS = ("heading", "lead", "paragraph", "list", "figures", "table", "chart", "note")

# Paragraphs written as a newspaper's headline: set bold and large above the lead (the
# committee edition leaves them out).
HEADLINE_ROLES = frozenset({"headline", "press-release-headline"})


# Cells papermill (and the analyst) use for parameters: never published, not even empty.
PARAMETER_TAGS = frozenset({"parameters", "injected-parameters"})


class RenderError(ValueError):
    """A notebook that cannot be published as it is (says what is missing and how to fix it)."""


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")
    return lang


def parbrief_meta(output) -> dict:
    meta = (output.get("metadata") or {}).get("parbrief")
    return meta if isinstance(meta, dict) else {}


def _tags(cell) -> set[str]:
    return set((cell.get("metadata") or {}).get("tags") or ())


def published_cells(nb) -> Iterable:
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


def cell_block_outputs(cell, lang: str) -> list:
    return [output for output in cell.get("outputs", [])
            if output.get("output_type") in ("display_data", "execute_result")
            and parbrief_meta(output).get("lang") == lang
            and _json_data(output, BLOCK_MIME) is not None]


def _block_outputs(nb, lang: str) -> Iterable:
    for cell in published_cells(nb):
        yield from cell_block_outputs(cell, lang)


def _validate(block, where: str) -> None:
    if not isinstance(block, dict) or block.get("kind") not in KINDS:
        kind = block.get("kind") if isinstance(block, dict) else type(block).__name__
        raise RenderError(f"{where}: unknown block kind {kind!r}; parbrief.present.display makes "
                          f"only {', '.join(KINDS)}")


def block_of(output) -> dict:
    """The block dict of one output; a chart's pictures are stored once, as the output's
    image/svg+xml and image/png, and are put back into the block here."""
    block = _plain(_json_data(output, BLOCK_MIME))
    if block.get("kind") == "chart" and "svg" not in block:
        data = output.get("data", {})
        svg, png = data.get("image/svg+xml", ""), data.get("image/png", "")
        block["svg"] = "".join(svg) if isinstance(svg, list) else svg  # nbformat line lists
        block["png"] = "".join(png) if isinstance(png, list) else png
    _validate(block, f"section {parbrief_meta(output).get('section', '?')!r}")
    return block


def blocks(nb, lang: str) -> list[dict]:
    """The block dicts of one language, in notebook order (plain dicts)."""
    check_lang(lang)
    found = []
    for output in _block_outputs(nb, lang):
        found.append(block_of(output))
    return found


def summary(nb) -> dict:
    """The language-neutral summary output (``sections.summary``) of an executed notebook."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if parbrief_meta(output).get("summary"):
                data = _json_data(output, SUMMARY_MIME)
                if data is not None:
                    return _plain(data)
    raise RenderError("the notebook has no parbrief summary output: the cell calling "
                      "sections.summary(b) did not run or its output was cleared; execute "
                      "the notebook again")


def summary_or_none(nb) -> dict | None:
    try:
        return summary(nb)
    except RenderError:
        return None


def report_title(found: Sequence[dict], info: dict | None) -> str:
    for block in found:
        if block["kind"] == "heading" and block.get("level") == 1:
            return str(block.get("text", ""))
    if info and info.get("locality_name"):
        return str(info["locality_name"])
    return "parbrief"


def period_label(period, lang: str) -> str:
    try:
        return parse_period(period).label(lang)
    except Exception:  # noqa: BLE001 - an unusual period is shown as written
        return str(period)


_NUMERIC = re.compile(r"^[+\-−–]?\s?[\d.,\u00a0\u202f ]*\d[\d.,\u00a0\u202f ]*\s?%?$|^[–—…-]$"
                      r"|^\d+/\d+$")


def numeric_columns(columns: Sequence, rows: Sequence[Sequence]) -> list[bool]:
    """A column is numeric (right-aligned) when every non-empty cell reads as a number."""
    result = []
    for i in range(len(columns)):
        cells = [str(row[i]).strip() for row in rows if i < len(row) and str(row[i]).strip()]
        result.append(bool(cells) and all(_NUMERIC.match(c) for c in cells))
    return result


# Table text: 10.5 pt Liberation Serif / Times New Roman is about 1.9 mm a character (digits
# are half an em), plus the cell's padding.
TABLE_CHAR_MM = 2.0
TABLE_PAD_MM = 4.5  # Word's default cell margins are 1.9 mm a side
TEXT_WIDTH_MM = 165.0  # A4 less the 30 mm and 15 mm margins
SHORT_CELL = 16  # characters: a column whose cells are all this short is sized to fit them


def _word_chars(word: str) -> float:
    """A word's width in average characters: capitals are wider ("CCHC" in a bold header
    needs the room of about six lower-case letters), so a column never splits such a word."""
    return sum(1.45 if ch.isupper() else 1.0 for ch in word)


def column_widths(columns: Sequence, rows: Sequence[Sequence],
                  width_mm: float = TEXT_WIDTH_MM) -> list[float]:
    """Each column's width in mm. A numeric column, or one of short cells, is as wide as its
    longest value (numbers never wrap) and its header's longest word; the text columns share the rest in proportion
    to their text (their longest cell, capped, never less than their longest word), so that
    no column is squeezed until its words overprint the next one."""
    numeric = numeric_columns(list(columns), [list(r) for r in rows])
    need, weights = [], []
    for i in range(len(columns)):
        header = str(columns[i])
        cells = [str(r[i]) for r in rows if i < len(r)]
        longest_word = max((_word_chars(w) for c in [header, *cells] for w in c.split()),
                           default=1)
        longest_cell = max((len(c) for c in cells), default=0)
        if numeric[i] or longest_cell <= SHORT_CELL:
            # numbers and short words ("−1,98 điểm %", "giảm 20 bậc") never wrap
            chars = max(longest_cell, longest_word, len(header) / 2.5)
            need.append(chars * TABLE_CHAR_MM + TABLE_PAD_MM)
            weights.append(0.0)
        else:
            need.append(longest_word * TABLE_CHAR_MM + TABLE_PAD_MM)
            weights.append(float(max(min(longest_cell, 40), longest_word, 3)))
    fixed = sum(n for n, w in zip(need, weights) if not w)
    free = width_mm - fixed
    total = sum(weights)
    if not total or free <= sum(n for n, w in zip(need, weights) if w):
        scale = width_mm / sum(need)  # too wide: everything in proportion to what it needs
        return [n * scale for n in need]
    out = []
    for n, w in zip(need, weights):
        out.append(n if not w else max(n, free * w / total))
    excess = sum(out) - width_mm  # text columns raised to their longest word
    if excess > 1e-9:
        flexible = [i for i, (o, n, w) in enumerate(zip(out, need, weights)) if w and o > n]
        room = sum(out[i] - need[i] for i in flexible)
        for i in flexible:
            out[i] -= excess * (out[i] - need[i]) / room
    return out


def quarto_data(output) -> dict:
    """The displayable data of one block output as Quarto reads it: the Markdown form made
    from the block (Quarto renders Markdown natively in HTML, PDF and Word; the notebook does
    not store it), the pictures, HTML and plain text."""
    from parbrief.present.display import block_markdown

    keep = ("text/html", "text/markdown", "image/svg+xml", "image/png", "text/plain")
    data = {k: copy.deepcopy(v) for k, v in output["data"].items() if k in keep}
    if "text/markdown" not in data:
        markdown = block_markdown(block_of(output))
        if markdown:
            data["text/markdown"] = markdown
    return data


def published_notebook(nb, lang: str) -> nbformat.NotebookNode:
    """A new notebook holding only what is published in ``lang`` (what Quarto is given):
    code cells with empty sources whose outputs are the blocks' displayable data."""
    check_lang(lang)
    cells = []
    for cell in published_cells(nb):
        outputs = [nbformat.v4.new_output("display_data", data=quarto_data(o))
                   for o in cell_block_outputs(cell, lang)]
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


WORDS = {
    "vi": {"page": "Trang", "code": "mã", "data": "mã số liệu", "made": "lập bằng parbrief"},
    "en": {"page": "Page", "code": "", "data": "data", "made": "parbrief"},
}


def provenance(info: dict | None, lang: str) -> str:
    """One line saying what a report was made from (the HTML's footer), in the reader's
    words: "Xã Tân Châu (mã 17488) · Quý III/2026 · mã số liệu fb9448947a32 · lập bằng
    parbrief 0.1.0". The manifest holds the rest."""
    if not info:
        return ""
    words = WORDS[lang]
    # the report's own name for its unit in this language ("Tân Châu commune"), else the
    # register's
    own = info.get("name")
    name = str((own.get(lang) if isinstance(own, dict) else None) or info.get("locality_name")
               or "")
    code = str(info.get("locality_code") or "")
    parts = [f"{name} ({words['code']} {code})" if words["code"] and code else name, "" if
             words["code"] else code]
    if info.get("period"):
        parts.append(period_label(info["period"], lang))
    if lang != "vi" and info.get("methodology"):
        parts.append(f"methodology {info['methodology']}")
    checksum = str(info.get("inputs") or "")
    if checksum:
        parts.append(f"{words['data']} {checksum.split(':')[-1][:12]}")
    parts.append(f"{words['made']} {info.get('parbrief_version') or __version__}")
    return " · ".join(p for p in parts if p)


TEMPLATES = PACKAGE_ROOT / "resources" / "templates"


def numbered_caption(lang: str, what: str, n: int, block: dict) -> str | None:
    """"Bảng 2. Điểm theo lĩnh vực …" / "Hình 1. …": tables and charts numbered in order (the
    committee edition, PDF and Word). A chart that draws its own title in the image is given
    its number only."""
    from parbrief.core import i18n

    title = block.get("title")
    if not title:
        return None
    if block.get("framed"):
        return i18n.t(f"committee.{what}_number", lang, n=n)
    return i18n.t(f"committee.{what}", lang, n=n, title=title)
