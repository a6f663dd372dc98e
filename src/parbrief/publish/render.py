"""Rendering an executed briefing notebook into the files that are published.

* HTML (``publish.html``), A4 PDF through Typst (``publish.pdf``), Word (``publish.docx``),
  the newsroom pack (``publish.newsroom``), or HTML, PDF and Word through Quarto
  (``publish.quarto``). The Vietnamese PDF and Word files are the committee edition
  (``publish.committee``): the frame of a document the secretariat files and signs.

A :class:`Renderer` holds the exporter and the Typst compiler; make one per worker process and
reuse it (``default_renderer()`` does that). Every file is written atomically.
"""

from __future__ import annotations

import base64
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import nbformat

from parbrief import __version__
from parbrief.core import i18n
from parbrief.core.files import atomic_write
from parbrief.publish.committee import frame
from parbrief.publish.contract import (
    BLOCK_MIME,
    LANGS,
    TEMPLATES,
    RenderError,
    blocks,
    check_lang,
    provenance,
    published_notebook,
    summary_or_none,
)
from parbrief.publish.docx import docx_bytes
from parbrief.publish.html import (
    HTML_TEMPLATE,
    BriefingExporter,
    PublishedCopy,
    font_css,
    report_links,
)
from parbrief.publish.newsroom import write_newsroom
from parbrief.publish.pdf import (
    TYPST_TEMPLATE,
    compact_pdf,
    font_paths,
    source_date_epoch,
    timestamp,
    typst_source,
)
from parbrief.publish.pictures import PRINT, WORD, PictureSize, compact, rasterise_ppi
from parbrief.publish.quarto import render_with_quarto

FORMATS = ("html", "pdf", "docx", "newsroom")

# The language whose PDF and Word files are the committee edition (Decree 30/2020/NĐ-CP).
COMMITTEE_LANG = "vi"


# Newsroom PNGs at print size (``publish.pictures``): a chart is 7 in wide, so 350 ppi gives
# 2,450 px.
PNG_PPI = PRINT.ppi


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
        self.font_paths = font_paths()
        self._typst = typst
        self.compiler = typst.Compiler(font_paths=self.font_paths, ignore_system_fonts=True)
        self.typst_template = TYPST_TEMPLATE.read_bytes()

    def html(self, nb, lang: str, links: dict | None = None) -> bytes:
        """The self-contained HTML page of one language (``links``: its navigation)."""
        check_lang(lang)
        resources = {"parbrief": {"lang": lang, "mime": BLOCK_MIME, "version": __version__,
                                  "summary": (info := summary_or_none(nb)),
                                  "provenance": provenance(info, lang),
                                  "links": links or {}, "font_css": font_css(),
                                  "nav_label": i18n.t("site.nav", lang)}}
        body, _ = self.exporter.from_notebook_node(nb, resources=resources)
        return body.encode("utf-8")

    def typst_files(self, nb, lang: str) -> dict[str, bytes]:
        """The Typst project (main.typ, layout, images) for one language."""
        found = blocks(nb, lang)
        if not found:
            raise RenderError(
                f"the notebook has no parbrief outputs in language {lang!r}: run it with "
                f"languages including {lang!r} (parameter `languages`)")
        main, images = typst_source(found, lang, summary_or_none(nb),
                                    dated=source_date_epoch() is not None,
                                    fr=committee_frame(nb, lang, found))
        return {"main.typ": main.encode("utf-8"), "briefing.typ": self.typst_template, **images}

    def pdf(self, nb, lang: str) -> bytes:
        """The A4 PDF of one language."""
        files = self.typst_files(nb, lang)
        try:
            pdf = self.compiler.compile(input=files, format="pdf", timestamp=timestamp())
        except self._typst.TypstError as exc:
            raise RenderError(f"Typst could not typeset the {lang} briefing: {exc}") from exc
        return compact_pdf(pdf)

    def docx(self, nb, lang: str) -> bytes:
        """The Word document of one language (the committee edition in Vietnamese)."""
        found = blocks(nb, lang)
        if not found:
            raise RenderError(
                f"the notebook has no parbrief outputs in language {lang!r}: run it with "
                f"languages including {lang!r} (parameter `languages`)")
        epoch = source_date_epoch()
        return docx_bytes(found, lang, summary_or_none(nb), committee_frame(nb, lang, found),
                          self.chart_png, None if epoch is None else timestamp())

    def chart_png(self, block: dict) -> bytes:
        """A chart block's picture in a Word file: its SVG rasterised at Word's resolution
        (a published notebook's PNG is the screen's, for JupyterLab); a chart with only a PNG,
        that."""
        if block.get("svg"):
            return self.picture(block["svg"], WORD)
        return base64.b64decode(block["png"])

    def newsroom(self, nb, lang: str, folder: Path, links: dict | None = None) -> list[Path]:
        """Charts (print-size PNG, SVG), tables (CSV, XLSX), the lead (lead.txt), an
        overview's press release and an index page in ``folder``."""
        found = blocks(nb, lang)
        pngs = {block.get("name"): self.picture(block["svg"], PRINT)
                for block in found if block["kind"] == "chart" and block.get("svg")}
        return write_newsroom(found, Path(folder), lang, pngs, links)

    name = "typst"
    formats = frozenset(FORMATS)

    def render(self, nb, lang: str, formats: list[str], out_dir: Path, stem: str,
               links: dict | None = None) -> dict[str, Path]:
        """The files of one language in ``out_dir``: ``{format: path}``. ``links``: where the
        page links to (``html.report_links``), for reports published as part of a site."""
        written: dict[str, Path] = {}
        mine = (links or {}).get(lang)
        if "html" in formats:
            written["html"] = atomic_write(out_dir / f"{stem}.{lang}.html",
                                           self.html(nb, lang, mine))
        if "pdf" in formats:
            written["pdf"] = atomic_write(out_dir / f"{stem}.{lang}.pdf", self.pdf(nb, lang))
        if "docx" in formats:
            written["docx"] = atomic_write(out_dir / f"{stem}.{lang}.docx", self.docx(nb, lang))
        if "newsroom" in formats:
            written["newsroom"] = out_dir / f"{stem}.{lang}.newsroom"
            self.newsroom(nb, lang, written["newsroom"], (mine or {}).get("pack"))
        return written

    def png(self, svg: str, ppi: float = PNG_PPI) -> bytes:
        """A chart's SVG rasterised by Typst (the same drawing the HTML and PDF show) on a
        white page, as Typst writes it (RGBA, opaque)."""
        files = {"main.typ": b'#set page(width: auto, height: auto, margin: 0pt, fill: white)\n'
                             b'#image("chart.svg")\n',
                 "chart.svg": svg.encode("utf-8")}
        try:
            return self.compiler.compile(input=files, format="png", ppi=ppi)
        except self._typst.TypstError as exc:
            raise RenderError(f"Typst could not rasterise a chart: {exc}") from exc

    def picture(self, svg: str, size: PictureSize) -> bytes:
        """A chart's picture as a published file carries it (``publish.pictures``): the pack's
        print-size PNG, the Word file's, the notebook's screen PNG, each rasterised at its
        own resolution."""
        return compact(self.png(svg, rasterise_ppi(svg, size)), size)


def committee_frame(nb, lang: str, found: list[dict]):
    """The committee edition's frame for a Vietnamese report; None in another language."""
    return frame(nb, lang, found) if lang == COMMITTEE_LANG else None


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


class QuartoRenderer:
    """Quarto renders each language's published notebook (``contract.published_notebook``)
    without executing it again; the newsroom pack is parbrief's own."""

    name = "quarto"
    formats = frozenset({"html", "pdf", "docx"})

    def render(self, nb, lang: str, formats: list[str], out_dir: Path, stem: str
               ) -> dict[str, Path]:
        pub = published_notebook(nb, lang)
        with tempfile.TemporaryDirectory(dir=out_dir, prefix=f".{stem}.quarto-") as tmp:
            src = Path(tmp) / f"{stem}.{lang}.ipynb"
            nbformat.write(pub, str(src))
            return render_with_quarto(src, out_dir, formats, lang=lang)


def _parbrief_renderer() -> Renderer:
    return default_renderer()


# Renderers by the name ``--renderer`` takes. Each has ``formats`` and
# ``render(nb, lang, formats, out_dir, stem) -> {format: path}``; a format a renderer does not
# make is made by parbrief's own renderer ("typst").
RENDERERS = {"typst": _parbrief_renderer, "quarto": QuartoRenderer}


def renderer_named(name: str):
    """The renderer registered under ``name``."""
    if name not in RENDERERS:
        raise ValueError(f"unknown renderer {name!r}: use one of {', '.join(RENDERERS)}")
    return RENDERERS[name]()


def render_report(nb, out_dir: Path, stem: str, languages: Iterable[str] = LANGS,
                  formats: Iterable[str] = ("html", "pdf"),
                  renderer: Renderer | QuartoRenderer | str | None = None,
                  site: bool = False) -> dict[str, Path]:
    """Write ``<stem>.<lang>.html``, ``<stem>.<lang>.pdf`` and ``<stem>.<lang>.newsroom/``.

    Returns the paths written keyed ``"<lang>.<format>"`` (e.g. ``"vi.pdf"``).
    ``renderer``: a renderer object (reuse one per process), a name in ``RENDERERS``, or None
    for this process's own. ``site``: the report is published in a batch's site (its folder
    has the province page, the folder above the national page): its pages link to them, to
    the other language, to the PDF and DOCX and to the newsroom pack.
    """
    out_dir = Path(out_dir)
    if not stem or "/" in stem or os.sep in stem or stem.startswith("."):
        raise ValueError(f"bad report file stem {stem!r}: a file name without folders")
    languages = [check_lang(lang) for lang in languages]
    fmts = expand_formats(formats)
    chosen = renderer_named(renderer) if isinstance(renderer, str) \
        else renderer or default_renderer()
    own = chosen if isinstance(chosen, Renderer) else default_renderer()
    out_dir.mkdir(parents=True, exist_ok=True)
    links = report_links(stem, languages, fmts, site)
    written: dict[str, Path] = {}
    for lang in languages:
        theirs = [f for f in fmts if f in chosen.formats]
        mine = [f for f in fmts if f not in theirs]
        for r, wanted in ((chosen, theirs), (own, mine)):
            if wanted:
                made = r.render(nb, lang, wanted, out_dir, stem, links=links) \
                    if isinstance(r, Renderer) else r.render(nb, lang, wanted, out_dir, stem)
                for fmt, path in made.items():
                    written[f"{lang}.{fmt}"] = path
    return written


def png_bytes(block: dict) -> bytes:
    """A chart block as a PNG at its print resolution: the block's own, or rasterised from its SVG."""
    if block.get("png"):
        return base64.b64decode(block["png"])
    return svg_to_png(block["svg"])


__all__ = ["FORMATS", "PNG_PPI", "RENDERERS", "QuartoRenderer", "Renderer", "default_renderer",
           "expand_formats", "png_bytes", "render_report", "renderer_named", "svg_to_png"]
