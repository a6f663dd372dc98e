"""HTML (bản tin cho báo chí) through nbconvert's ``HTMLExporter`` and the ``parbrief`` template
(``resources/templates/parbrief``). Only the blocks of one language are published: no code, no
prompts, no parameters cells, nothing without parbrief metadata, no notebook metadata. One file,
no external resources; the same notebook gives the same bytes."""

from __future__ import annotations

import base64
import re

import nbformat
from nbconvert import HTMLExporter
from nbconvert.exporters import TemplateExporter
from nbconvert.preprocessors import Preprocessor

from parbrief.publish.contract import (
    BLOCK_MIME,
    RenderError,
    block_of,
    cell_block_outputs,
    numeric_columns,
    published_cells,
    report_title,
)

HTML_TEMPLATE = "parbrief"


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
        for cell in published_cells(nb):
            outputs = []
            for output in cell_block_outputs(cell, lang):
                block = block_of(output)
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
        pb["title"] = report_title(found, pb.get("summary"))
        return nb, resources


_EXTERNAL = re.compile(
    r"""(?:\b(?:src|href|srcset|poster|action|data|xlink:href)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)|(?:@import\b)""",
    re.IGNORECASE)


def external_references(page: str | bytes) -> list[str]:
    """Every attribute or CSS reference to a network resource (an empty list is self-contained)."""
    text = page.decode("utf-8") if isinstance(page, bytes) else page
    return [m.group(0) for m in _EXTERNAL.finditer(text)]


class BriefingExporter(HTMLExporter):
    """nbconvert's HTMLExporter without its final BeautifulSoup pass.

    That pass re-parses the page to add alt text to images that lack it and tabindex to
    JupyterLab cells; a briefing has no such cells and every image carries its alt text, and
    the pass took two thirds of the render time.
    """

    def from_notebook_node(self, nb, resources=None, **kw):
        resources = self._init_resources(resources)
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)
