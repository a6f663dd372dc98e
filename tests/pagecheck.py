"""Reading a PDF's pages as a reader would: the text on each page with where it sits (pypdfium2's
text rectangles), overlapping text (one piece printed over another), and page images."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium


@dataclass(frozen=True)
class Box:
    page: int  # 1-based
    text: str
    left: float
    bottom: float
    right: float
    top: float

    @property
    def area(self) -> float:
        return max(self.right - self.left, 0) * max(self.top - self.bottom, 0)


def text_boxes(pdf: Path | bytes) -> list[Box]:
    """Every run of text on every page (pdfium's text rectangles: a line's words as laid out)."""
    doc = pdfium.PdfDocument(pdf if isinstance(pdf, bytes) else str(pdf))
    boxes = []
    try:
        for n in range(len(doc)):
            page = doc[n]
            textpage = page.get_textpage()
            for i in range(textpage.count_rects()):
                left, bottom, right, top = textpage.get_rect(i)
                text = textpage.get_text_bounded(left, bottom, right, top).strip()
                if text:
                    boxes.append(Box(n + 1, text, left, bottom, right, top))
            textpage.close()
            page.close()
    finally:
        doc.close()
    return boxes


def overlapping_text(pdf: Path | bytes, share: float = 0.3) -> list[tuple[Box, Box]]:
    """Pairs of text runs printed over each other: their rectangles share more than ``share``
    of the smaller one's area (lines of a paragraph touch at most through an accent or a
    descender, far less than that)."""
    found = []
    boxes = text_boxes(pdf)
    for page in sorted({b.page for b in boxes}):
        on_page = [b for b in boxes if b.page == page]
        for i, a in enumerate(on_page):
            for b in on_page[i + 1:]:
                w = min(a.right, b.right) - max(a.left, b.left)
                h = min(a.top, b.top) - max(a.bottom, b.bottom)
                if w <= 0 or h <= 0:
                    continue
                smaller = min(a.area, b.area)
                if smaller and w * h > share * smaller:
                    found.append((a, b))
    return found


def page_texts(pdf: Path | bytes) -> list[str]:
    """The text of each page."""
    doc = pdfium.PdfDocument(pdf if isinstance(pdf, bytes) else str(pdf))
    try:
        out = []
        for n in range(len(doc)):
            page = doc[n]
            textpage = page.get_textpage()
            out.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return out
    finally:
        doc.close()


def filled_share(pdf: Path | bytes, page: int) -> float:
    """How far down the text area a page's text reaches (0: empty, 1: full), from the
    lowest text run; the page number at the top is not counted."""
    doc = pdfium.PdfDocument(pdf if isinstance(pdf, bytes) else str(pdf))
    try:
        height = doc[page - 1].get_height()
    finally:
        doc.close()
    mm = 72 / 25.4
    top, bottom = height - 20 * mm, 20 * mm
    runs = [b for b in text_boxes(pdf) if b.page == page and b.top < top]
    if not runs:
        return 0.0
    lowest = min(b.bottom for b in runs)
    return (top - lowest) / (top - bottom)


def render_pages(pdf: Path, folder: Path, scale: float = 1.0) -> list[Path]:
    """PNG images of every page (72 dpi at scale 1)."""
    doc = pdfium.PdfDocument(str(pdf))
    out = []
    try:
        for n in range(len(doc)):
            image = doc[n].render(scale=scale).to_pil()
            path = folder / f"{pdf.stem}-{n + 1}.png"
            image.save(path)
            out.append(path)
    finally:
        doc.close()
    return out
