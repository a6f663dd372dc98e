"""HTML (bản tin cho báo chí) through nbconvert's ``HTMLExporter`` and the ``parbrief`` template
(``resources/templates/parbrief``). Only the blocks of one language are published: no code, no
prompts, no parameters cells, nothing without parbrief metadata, no notebook metadata. One file,
no external resources; the same notebook gives the same bytes."""

from __future__ import annotations

import base64
import io
import re
from functools import lru_cache
from pathlib import Path

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


NBSP = "\u00a0"


def keep_together(text) -> str:
    """A short label of two words ("Xuất sắc", "Quý III/2026", "Trung bình") never breaks
    across lines: its space becomes a no-break space. Longer headers still wrap."""
    text = str(text)
    words = text.split(" ")
    return NBSP.join(words) if len(words) == 2 and len(text) <= 22 else text


_SVG_ID = re.compile(r'\bid="([^"]+)"')
_XMLNS = re.compile(r'\s+xmlns(?::xlink)?="[^"]*"')


def inline_svg(block: dict, prefix: str) -> str:
    """A chart's SVG to place in the page itself (so its text uses the page's embedded font):
    every id made unique in the page with ``prefix``, and its references with it; described
    for screen readers by the block's alt text."""
    from html import escape

    svg = block["svg"]
    svg = svg[svg.find("<svg"):] if "<svg" in svg else svg  # no XML prolog inside HTML
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.DOTALL)
    # the HTML parser puts <svg> and xlink:href in their namespaces itself
    svg = _XMLNS.sub("", svg, count=2)
    ids = set(_SVG_ID.findall(svg))
    for old in sorted(ids, key=len, reverse=True):
        svg = svg.replace(f'id="{old}"', f'id="{prefix}{old}"') \
            .replace(f"url(#{old})", f"url(#{prefix}{old})") \
            .replace(f'href="#{old}"', f'href="#{prefix}{old}"')
    alt = escape(str(block.get("alt") or block.get("title") or ""), quote=True)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{alt}" class="chart-svg" ', 1)


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
                    block["columns"] = [keep_together(c) for c in block.get("columns", [])]
                    block["rows"] = [[keep_together(c) for c in row]
                                     for row in block.get("rows", [])]
                elif block["kind"] == "figures":
                    for item in block.get("items", []):
                        item["value"] = keep_together(item.get("value", ""))
                elif block["kind"] == "chart":
                    size = _svg_size(block.get("svg") or "")
                    block["width"], block["height"] = size if size else (None, None)
                    if block.get("svg"):
                        block["inline"] = inline_svg(block, f"c{len(found) + 1}-")
                    else:
                        block["src"] = _chart_src(block)
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


# The font the charts name, embedded in every page so that neither the charts' text nor the
# page depends on the reader's fonts: DejaVu Sans as matplotlib ships it (its licence allows
# embedding and subsetting), cut to Latin and Vietnamese, as WOFF2 (Brotli-compressed: a
# quarter smaller than WOFF; every current browser reads it).
FONT_FAMILY = "DejaVu Sans"
FONT_FILES = (("DejaVuSans.ttf", "normal"), ("DejaVuSans-Bold.ttf", "bold"))


def _font_characters() -> str:
    chars = {chr(c) for c in range(0x20, 0x7F)}
    # Vietnamese letters: those of Latin-1 and Latin Extended-A/B it uses, then the
    # precomposed block
    chars |= set("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư")
    chars |= {chr(c) for c in range(0x1EA0, 0x1EFA)}
    chars |= set("\u00a0\u202f\u2009–—−…·•°’‘“”×→▲▼●%")
    return "".join(sorted(chars))


@lru_cache(maxsize=1)
def font_css() -> str:
    """``@font-face`` rules embedding the charts' font (made once per process)."""
    import importlib.util

    from fontTools import subset
    from fontTools.ttLib import TTFont

    spec = importlib.util.find_spec("matplotlib")
    folder = Path(spec.submodule_search_locations[0]) / "mpl-data" / "fonts" / "ttf"
    rules = []
    for file, weight in FONT_FILES:
        options = subset.Options()
        options.flavor = "woff2"
        options.hinting = False
        options.name_IDs = ["*"]  # the family name and the licence travel with the font
        options.notdef_outline = True
        options.drop_tables += ["FFTM"]
        font = TTFont(folder / file, recalcTimestamp=False)  # same bytes every time
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=_font_characters())
        subsetter.subset(font)
        buf = io.BytesIO()
        font.flavor = "woff2"
        font.save(buf)
        data = base64.b64encode(buf.getvalue()).decode("ascii")
        rules.append(f'@font-face {{ font-family: "{FONT_FAMILY}"; font-style: normal; '
                     f"font-weight: {weight}; src: url(data:font/woff2;base64,{data}) "
                     f'format("woff2"); }}')
    return "\n".join(rules)


def site_page(lang: str, languages) -> str:
    """The file name of a site page (national or province) in ``lang``: ``index.html`` in the
    first language (Vietnamese when it is published), ``index.<lang>.html`` in the others."""
    languages = list(languages)
    primary = "vi" if "vi" in languages else (languages[0] if languages else lang)
    return "index.html" if lang == primary else f"index.{lang}.html"


def report_links(stem: str, languages, formats, site: bool) -> dict:
    """Where each language's page links to: the other languages, its PDF and DOCX, its
    newsroom pack and, in a site, the province page (same folder) and the national page."""
    from parbrief.core import i18n

    languages = list(languages)
    out = {}
    for lang in languages:
        nav = []
        if site:
            page = site_page(lang, languages)
            nav.append({"href": f"../{page}", "text": i18n.t("site.national", lang)})
            nav.append({"href": page, "text": i18n.t("site.province", lang)})
        if "html" in formats:
            for other in languages:
                if other != lang:
                    nav.append({"href": f"{stem}.{other}.html", "hreflang": other,
                                "text": i18n.t("site.language", other)})
        for fmt in ("pdf", "docx"):
            if fmt in formats:
                nav.append({"href": f"{stem}.{lang}.{fmt}", "text": fmt.upper()})
        if "newsroom" in formats:
            nav.append({"href": f"{stem}.{lang}.newsroom/index.html",
                        "text": i18n.t("site.pack", lang)})
        pack = {"report": f"../{stem}.{lang}.html"} if "html" in formats else {}
        if site:
            pack["province"] = f"../{site_page(lang, languages)}"
        out[lang] = {"nav": nav, "pack": pack}
    return out


class BriefingExporter(HTMLExporter):
    """nbconvert's HTMLExporter without its final BeautifulSoup pass.

    That pass re-parses the page to add alt text to images that lack it and tabindex to
    JupyterLab cells; a briefing has no such cells and every image carries its alt text, and
    the pass took two thirds of the render time.
    """

    def from_notebook_node(self, nb, resources=None, **kw):
        resources = self._init_resources(resources)
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)
