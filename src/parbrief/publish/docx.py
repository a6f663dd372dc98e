"""Word (.docx) for the secretariat, who draft and sign in Word: real paragraph styles and
tables, charts as pictures, and the fields they fill in before signing (number, date, signer
...) as Word content controls, highlighted so that none is missed.

The Vietnamese edition is the committee edition (``publish.committee``): the frame of Decree
30/2020/NĐ-CP, Appendix I (national heading, issuing body, "Số: …/BC-…", place and date, type
and subject, recipients and signature, or the "Phụ lục …" lines of an appendix), Times New
Roman 13 pt, margins 20/20/30/15 mm, page numbers top centre from page 2. The English edition
has the same typography and opens with its title.

The same blocks give the same bytes: the package's parts are zipped in a fixed order with a
fixed date, and the document carries no time unless SOURCE_DATE_EPOCH gives one.
"""

from __future__ import annotations

import datetime as _dt
import io
import weakref
import zipfile
from collections.abc import Callable, Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from parbrief.publish.committee import Field, Frame, body_blocks, roman
from parbrief.publish.contract import (
    HEADLINE_ROLES,
    column_widths,
    numbered_caption,
    numeric_columns,
    report_title,
)

# What Word calls the documents' font (Liberation Serif has its metrics where it is missing).
WORD_FONT = "Times New Roman"
BODY_PT, TABLE_PT, NOTE_PT, HEADLINE_PT = 13, 10.5, 11, 15
PAGE_W, PAGE_H = Mm(210), Mm(297)
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
TEXT_WIDTH = PAGE_W - MARGINS["left"] - MARGINS["right"]
TILE_FILL, MARK_FILL = "F0F0F0", "E1E1E1"
# every fill-in field's tag starts with this (tests and macros find them by it)
FIELD_TAG = "parbrief:"
FIXED_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


# --------------------------------------------------------------------------- styles


# Style ids by name, looked up once per document: python-docx looks a style up among all the
# document's styles each time one is assigned by name (most of a Word file's making time).
_STYLE_IDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _set_style(p, name: str) -> None:
    ids = _STYLE_IDS.setdefault(p.part, {})
    if name not in ids:
        ids[name] = p.part.styles[name].style_id
    p._p.style = ids[name]


def _paragraph(container, style: str, text: str = ""):
    """A new paragraph of ``container`` (the document or a table cell) in ``style``."""
    p = container.add_paragraph(text)
    _set_style(p, style)
    return p


def _font(style_or_run, size: float | None = None, bold: bool | None = None,
          italic: bool | None = None) -> None:
    """Times New Roman for every script (Word picks the East Asian and complex-script fonts
    separately), black."""
    font = style_or_run.font
    font.name = WORD_FONT
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), WORD_FONT)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)  # a theme font would win over Times New Roman
    font.color.rgb = RGBColor(0, 0, 0)
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic


def _styles(doc, lang: str) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    _font(normal, BODY_PT)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(6), 1.1
    fmt.first_line_indent = Mm(10)
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    lang_tag = OxmlElement("w:lang")
    lang_tag.set(qn("w:val"), "vi-VN" if lang == "vi" else "en-GB")
    normal.element.get_or_add_rPr().append(lang_tag)
    for name, size in (("Heading 1", 14), ("Heading 2", BODY_PT), ("Heading 3", BODY_PT)):
        style = styles[name]
        _font(style, size, bold=True, italic=name == "Heading 3")
        style.paragraph_format.space_before = Pt(0 if name == "Heading 1" else 12)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.first_line_indent = Mm(0 if name == "Heading 1" else 10)
        style.paragraph_format.keep_with_next = True
        if name == "Heading 1":
            style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption = styles["Caption"]
    _font(caption, NOTE_PT, bold=True, italic=False)
    caption.paragraph_format.first_line_indent = Mm(0)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.space_before, caption.paragraph_format.space_after = Pt(6), Pt(3)
    bullet = styles["List Bullet"]
    _font(bullet, BODY_PT)
    bullet.paragraph_format.first_line_indent = None
    bullet.paragraph_format.keep_together = True
    for name, size in (("Note", NOTE_PT), ("Table Text", TABLE_PT), ("Frame", BODY_PT)):
        style = styles.add_style(name, 1)  # 1: paragraph style
        style.base_style = normal
        _font(style, size)
        style.paragraph_format.first_line_indent = Mm(0)
        if name != "Note":
            style.paragraph_format.space_after = Pt(0)
            style.paragraph_format.line_spacing = 1.0
            style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    # a newspaper's headline above the lead (not in the committee edition): bold, unindented
    headline = styles.add_style("Headline", 1)
    headline.base_style = normal
    _font(headline, HEADLINE_PT, bold=True)
    headline.paragraph_format.first_line_indent = Mm(0)
    headline.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    headline.paragraph_format.keep_with_next = True


def _page(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_W, PAGE_H
    for side, value in MARGINS.items():
        setattr(section, f"{side}_margin", value)
    section.header_distance = Mm(10)
    # page numbers top centre from the second page
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Mm(0)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    p._p.append(field)


# --------------------------------------------------------------------------- runs and fields


def _run(p, text: str, size: float | None = None, bold: bool = False, italic: bool = False):
    """A run of text: its font and colour come from the paragraph's style (every style is Times
    New Roman, black); only what differs is set on the run."""
    run = p.add_run(text)
    if size is not None:
        run.font.size = Pt(size)
    if bold:
        run.font.bold = True
    if italic:
        run.font.italic = True
    return run


def _fill_in(p, f: Field, size: float | None = None, bold: bool = False, italic: bool = False,
             upper: bool = False) -> None:
    """A field's text; a blank becomes a Word content control titled with what to write,
    showing highlighted dots until the secretariat types over them."""
    if not f.blank:
        _run(p, f.text.upper() if upper else f.text, size, bold, italic)
        return
    run = _run(p, f.shown, size, bold, italic)
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    sdt = OxmlElement("w:sdt")
    props = OxmlElement("w:sdtPr")
    for tag, value in (("w:alias", f.name), ("w:tag", FIELD_TAG + f.name)):
        el = OxmlElement(tag)
        el.set(qn("w:val"), value)
        props.append(el)
    props.append(OxmlElement("w:showingPlcHdr"))
    props.append(OxmlElement("w:text"))
    content = OxmlElement("w:sdtContent")
    run._r.addprevious(sdt)
    content.append(run._r)
    sdt.append(props)
    sdt.append(content)


def _frame_paragraph(cell_or_doc, align=WD_ALIGN_PARAGRAPH.CENTER, after: float = 0):
    p = _paragraph(cell_or_doc, "Frame")
    p.alignment = align
    p.paragraph_format.space_after = Pt(after)
    p.paragraph_format.keep_with_next = True
    return p


def _short_rule(cell, share: float) -> None:
    """The short line under the issuing body and under the motto (a paragraph border,
    indented to the middle of the cell)."""
    p = _frame_paragraph(cell)
    indent = int(cell.width * (1 - share) / 2)
    p.paragraph_format.left_indent = indent
    p.paragraph_format.right_indent = indent
    p.paragraph_format.space_after = Pt(6)
    p_pr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for attr, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"),
                        ("w:color", "000000")):
        bottom.set(qn(attr), value)
    borders.append(bottom)
    p_pr.append(borders)
    _run(p, "", 4)


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    table._tbl.tblPr.append(borders)


def _widths(table, widths: Sequence[int]) -> None:
    table.autofit = False
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths):
        col.set(qn("w:w"), str(int(w / 635)))  # EMU -> twentieths of a point
    for row in table.rows:
        for cell, w in zip(row.cells, widths):
            cell.width = w


def _frame(doc, fr: Frame) -> None:
    if fr.is_appendix:
        a = fr.appendix
        p = _frame_paragraph(doc)
        _run(p, fr.words("appendix", appendix="").strip() + " ", 14, bold=True)
        _fill_in(p, a["appendix"], 14, bold=True)
        p = _frame_paragraph(doc)
        _run(p, fr.subject.upper(), 14, bold=True)
        p = _frame_paragraph(doc, after=12)
        _attached(p, fr)
        return
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    left_w = int(TEXT_WIDTH * 0.38)
    _widths(table, [left_w, TEXT_WIDTH - left_w])
    left, right = table.rows[0].cells
    left.paragraphs[0]._p.getparent().remove(left.paragraphs[0]._p)
    right.paragraphs[0]._p.getparent().remove(right.paragraphs[0]._p)
    if not fr.parent_body.blank:
        _fill_in(_frame_paragraph(left), fr.parent_body, 12, upper=True)
    _fill_in(_frame_paragraph(left), fr.issuing_body, 12, bold=True, upper=True)
    _short_rule(left, 0.35)
    p = _frame_paragraph(left)
    _run(p, fr.words("number", number="\0", symbol="\1").split("\0")[0], 13)
    _fill_in(p, fr.number, 13)
    _run(p, "/", 13)
    _fill_in(p, fr.symbol, 13)
    _run(_frame_paragraph(right), fr.words("nation"), 12, bold=True)
    _run(_frame_paragraph(right), fr.words("motto"), 13, bold=True)
    _short_rule(right, 0.55)
    p = _frame_paragraph(right)
    _place_date(p, fr)
    _paragraph(doc, "Frame").paragraph_format.space_after = Pt(6)
    p = _frame_paragraph(doc)
    _run(p, fr.words("report"), 14, bold=True)
    p = _frame_paragraph(doc, after=0)
    _run(p, fr.subject, 14, bold=True)
    rule = doc.add_table(rows=1, cols=1)
    _no_borders(rule)
    _widths(rule, [TEXT_WIDTH])
    cell = rule.rows[0].cells[0]
    cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    _short_rule(cell, 0.25)


def _place_date(p, fr: Frame) -> None:
    """"Nghệ An, ngày … tháng … năm …" with each blank a field of its own."""
    template = fr.words("place_date", place="\0place\0", day="\0day\0", month="\0month\0",
                        year="\0year\0")
    fields = {"place": fr.place, "day": fr.day, "month": fr.month, "year": fr.year}
    for i, piece in enumerate(template.split("\0")):
        if i % 2:
            _fill_in(p, fields[piece], 13, italic=True)
        elif piece:
            _run(p, piece, 13, italic=True)


def _attached(p, fr: Frame) -> None:
    a = fr.appendix
    template = fr.words("attached", number="\0report_number\0", symbol="\0report_symbol\0",
                        date="\0report_date\0", issuer="\0issuer\0")
    for i, piece in enumerate(template.split("\0")):
        if i % 2:
            _fill_in(p, a[piece], 13, italic=True)
        elif piece:
            _run(p, piece, 13, italic=True)


def _signature(doc, fr: Frame) -> None:
    if fr.is_appendix:
        return
    spacer = _paragraph(doc, "Frame")
    spacer.paragraph_format.space_after = Pt(6)
    spacer.paragraph_format.keep_with_next = True
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    half = int(TEXT_WIDTH / 2)
    _widths(table, [half, TEXT_WIDTH - half])
    row = table.rows[0]
    # a signature never starts on one page and ends on the next
    cant_split = OxmlElement("w:cantSplit")
    row._tr.get_or_add_trPr().append(cant_split)
    left, right = row.cells
    left.paragraphs[0]._p.getparent().remove(left.paragraphs[0]._p)
    right.paragraphs[0]._p.getparent().remove(right.paragraphs[0]._p)
    p = _frame_paragraph(left, WD_ALIGN_PARAGRAPH.LEFT)
    _run(p, fr.words("recipients"), 12, bold=True, italic=True)
    for r in fr.recipients:
        p = _frame_paragraph(left, WD_ALIGN_PARAGRAPH.LEFT)
        _run(p, "- ", 11)
        _fill_in(p, r, 11)
    if not fr.signer_authority.blank:
        _fill_in(_frame_paragraph(right), fr.signer_authority, 13, bold=True, upper=True)
    _fill_in(_frame_paragraph(right), fr.signer_title, 13, bold=True, upper=True)
    for _ in range(4):  # room for the signature and the seal
        _frame_paragraph(right)
    _fill_in(_frame_paragraph(right), fr.signer_name, 13, bold=True)


# --------------------------------------------------------------------------- blocks


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _tiles(doc, items: list[dict]) -> None:
    n = max(min(len(items), 4), 3)
    rows = -(-len(items) // n)
    table = doc.add_table(rows=rows, cols=n)
    _no_borders(table)
    _widths(table, [int(TEXT_WIDTH / n)] * n)
    for k, item in enumerate(items):
        cell = table.rows[k // n].cells[k % n]
        _shade(cell, TILE_FILL)
        p = cell.paragraphs[0]
        _set_style(p, "Table Text")
        _run(p, str(item.get("label", "")), 9.5)
        p = _paragraph(cell, "Table Text")
        _run(p, str(item.get("value", "")), 14, bold=True)
        if item.get("change"):
            p = _paragraph(cell, "Table Text")
            _run(p, str(item["change"]), 9.5)
    _paragraph(doc, "Frame").paragraph_format.space_after = Pt(4)


def _table(doc, block: dict, caption: str | None) -> None:
    columns = [str(c) for c in block.get("columns", [])]
    rows = [[str(c) for c in r] for r in block.get("rows", [])]
    ncols = max([len(columns)] + [len(r) for r in rows]) or 1
    columns += [""] * (ncols - len(columns))
    rows = [r + [""] * (ncols - len(r)) for r in rows]
    if caption:
        p = _paragraph(doc, "Caption", caption)
        p.paragraph_format.keep_with_next = True
    table = doc.add_table(rows=1 + len(rows), cols=ncols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, [int(Mm(w)) for w in column_widths(columns, rows)])
    numeric = numeric_columns(columns, rows)
    highlight = block.get("highlight")
    header = table.rows[0]
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeated on each page
    for i, text in enumerate(columns):
        p = header.cells[i].paragraphs[0]
        _set_style(p, "Table Text")
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(p, text, TABLE_PT, bold=True)
    for r, values in enumerate(rows):
        row = table.rows[r + 1]
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for i, text in enumerate(values):
            cell = row.cells[i]
            p = cell.paragraphs[0]
            _set_style(p, "Table Text")
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if numeric[i] else WD_ALIGN_PARAGRAPH.LEFT
            _run(p, text, TABLE_PT, bold=r == highlight)
            if r == highlight:
                _shade(cell, MARK_FILL)
    _paragraph(doc, "Frame").paragraph_format.space_after = Pt(4)


def _chart(doc, block: dict, caption: str | None, png: bytes) -> None:
    p = _paragraph(doc, "Frame")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.keep_with_next = bool(caption)
    run = p.add_run()
    run.add_picture(io.BytesIO(png), width=TEXT_WIDTH)
    # the picture's description, read aloud by screen readers
    for doc_pr in run._r.iter(qn("wp:docPr")):
        doc_pr.set("descr", str(block.get("alt") or block.get("title") or ""))
    if caption:
        _paragraph(doc, "Caption", caption)


def docx_bytes(found: Sequence[dict], lang: str, info: dict | None, fr: Frame | None,
               png_of: Callable[[dict], bytes], date: _dt.datetime | None = None) -> bytes:
    """The Word document of ``found`` (one language's blocks). ``fr``: the committee
    edition's frame, or None for a document that opens with its title. ``png_of``: a chart
    block's picture. ``date``: the document's creation date (None: none)."""
    doc = Document()
    _drop_template_extras(doc)
    _styles(doc, lang)
    _page(doc)
    body = doc.paragraphs[0]._p if doc.paragraphs else None
    if body is not None:  # the template's empty first paragraph
        body.getparent().remove(body)
    title = fr.subject if fr else report_title(found, info)
    blocks = list(found)
    if fr is not None:
        _frame(doc, fr)
        blocks = body_blocks(found)
    part = tables = charts = 0
    for i, block in enumerate(blocks):
        kind = block["kind"]
        following = blocks[i + 1]["kind"] if i + 1 < len(blocks) else None
        if kind == "heading":
            if block.get("level") == 1:
                _paragraph(doc, "Heading 1", str(block.get("text", "")))
            elif (block.get("level") or 2) >= 3:  # a part's sub-heading: not a numbered part
                _paragraph(doc, "Heading 3", str(block.get("text", "")))
            else:
                part += 1
                _paragraph(doc, "Heading 2", f"{roman(part)}. {block.get('text', '')}")
        elif kind in ("lead", "paragraph"):
            style = "Headline" if block.get("role") in HEADLINE_ROLES else "Normal"
            p = _paragraph(doc, style, str(block.get("text", "")))
            p.paragraph_format.keep_with_next = following == "list"
        elif kind == "note":
            p = _paragraph(doc, "Note", str(block.get("text", "")))
            # the last notes of a filed document keep the signature company on its page
            p.paragraph_format.keep_with_next = fr is not None and not fr.is_appendix and \
                i >= len(blocks) - 2 and all(b["kind"] == "note" for b in blocks[i:])
        elif kind == "list":
            items = list(block.get("items", []))
            for k, item in enumerate(items):
                p = _paragraph(doc, "List Bullet", str(item))
                # the first two items stay with what leads into the list
                p.paragraph_format.keep_with_next = k == 0 and len(items) > 1
        elif kind == "figures":
            _tiles(doc, list(block.get("items", [])))
        elif kind == "table":
            tables += 1
            _table(doc, block, numbered_caption(lang, "table", tables, block))
        elif kind == "chart":
            charts += 1
            _chart(doc, block, numbered_caption(lang, "figure", charts, block), png_of(block))
    if fr is not None:
        _signature(doc, fr)
    props = doc.core_properties
    props.title = title
    props.author = props.last_modified_by = ""
    props.comments = ""
    props.revision = 1
    props.created = props.modified = date or _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
    props.language = "vi-VN" if lang == "vi" else "en-GB"
    out = io.BytesIO()
    doc.save(out)
    return reproducible_zip(out.getvalue())


# Parts of python-docx's default template a document does not need: the template's own
# thumbnail (a picture of another document, shown by file browsers as this one's) and Word
# 2010's copy of the styles (later Words, and 2010 without it, read styles.xml).
TEMPLATE_EXTRAS = (
    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail",
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
)


def _drop_template_extras(doc) -> None:
    """Unlink the template's extra parts: a part nothing links to is not saved."""
    for rels in (doc.part.package.rels, doc.part.rels):
        for r_id in [r_id for r_id, rel in rels.items() if rel.reltype in TEMPLATE_EXTRAS]:
            rels.pop(r_id)


# Pictures are compressed already: deflating them again only costs time.
STORED = (".png", ".jpeg", ".jpg")


def reproducible_zip(data: bytes) -> bytes:
    """The same package with every part dated 1980-01-01, in the same order: the same
    document gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, FIXED_ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_STORED if info.filename.lower().endswith(STORED) \
                else zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


__all__ = ["FIELD_TAG", "WORD_FONT", "docx_bytes", "reproducible_zip"]
