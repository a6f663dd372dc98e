"""Chart pictures (ảnh biểu đồ): a chart's SVG as the PNG each published file carries.

* ``PRINT``: the newsroom pack's PNG, 350 ppi (2,450 px for a 7-inch chart: two newspaper
  columns and more at 300 ppi).
* ``WORD``: the Word file's picture, 220 ppi at the width Word shows it (the text width,
  165 mm: 1,429 px), Word's own default resolution for pictures in a document; a print-size
  picture there would be a third of the file for no visible gain on paper.
* ``SCREEN``: the published notebook's PNG, 96 ppi, shown by JupyterLab in a notebook the
  reader has not trusted (``publish.notebook_copy``).

Each is rasterised from the SVG by Typst (the drawing the HTML and the PDF show) at its own
resolution: a picture scaled down from the print-size one has more in-between shades on its
text edges and comes out larger. The colours are then cut to a palette: print and Word to a
fixed palette of the charts' own colours and their blends with white (the anti-aliased edges),
which covers every pixel of a chart, so nothing visible changes; the screen picture to the 64
colours it uses most (at 96 ppi the fixed palette's steps make it a quarter larger). Pillow
writes the PNG
(zlib, level 6, no time chunk): the same chart always gives the same bytes. A stronger encoder
was measured and left out: oxipng's libdeflate made the print picture 5% smaller for half as
much time again, zlib's level 9 10% smaller for four times the time.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache

from parbrief.publish.contract import TEXT_WIDTH_MM


@dataclass(frozen=True)
class PictureSize:
    """One kind of picture: its resolution and how its colours are cut."""

    name: str
    ppi: float  # pixels per inch of the chart as drawn (SVG size), or at ``width_mm``
    width_mm: float | None = None  # the picture is shown this wide (else at the chart's size)
    colours: int | None = None  # an adaptive palette of this many colours; None: the fixed one


PRINT = PictureSize("print", 350)
WORD = PictureSize("word", 220, width_mm=TEXT_WIDTH_MM)
SCREEN = PictureSize("screen", 96, colours=64)
SIZES = {size.name: size for size in (PRINT, WORD, SCREEN)}

_WIDTH = re.compile(r'<svg\b[^>]*?\bwidth="([\d.]+)(pt|px|in)?"')
_UNIT_PER_INCH = {"pt": 72.0, None: 72.0, "px": 96.0, "in": 1.0}


def svg_width_in(svg: str) -> float | None:
    """The width of a chart's SVG in inches (matplotlib writes it in points), or None."""
    match = _WIDTH.search(svg[:2000])
    if not match:
        return None
    return float(match.group(1)) / _UNIT_PER_INCH[match.group(2)]


def rasterise_ppi(svg: str, size: PictureSize) -> float:
    """The resolution to rasterise ``svg`` at for ``size``."""
    if size.width_mm is None:
        return size.ppi
    width = svg_width_in(svg)
    if not width:
        return size.ppi
    return size.ppi * (size.width_mm / 25.4) / width


# Pillow maps a pixel to the palette through a cache of colour boxes a few levels wide, so a
# shade this close to white would take white's place: the background came out #fdfdfd.
NEAR_WHITE = 249


@lru_cache(maxsize=1)
def chart_palette():
    """The fixed palette: 32 greys, white, and each chart colour blended with white in eight
    steps (none so pale that it could be taken for white)."""
    from PIL import Image

    from parbrief.present.charts import PALETTE

    colours = [(g, g, g) for g in range(0, 256, 8)]
    for hex_colour in PALETTE:
        r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
        for k in range(1, 9):
            a = k / 8
            colours.append(tuple(round(c * a + 255 * (1 - a)) for c in (r, g, b)))
    colours = [(255, 255, 255)] + [c for c in dict.fromkeys(colours) if min(c) < NEAR_WHITE]
    colours = colours[:256]
    palette = Image.new("P", (1, 1))
    palette.putpalette([v for c in colours for v in c] + [0] * (768 - 3 * len(colours)))
    return palette


def on_white(png: bytes):
    """A chart Typst rasterised (on its white page: every pixel opaque) as an RGB image."""
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    return image.convert("RGB")


def encode(image) -> bytes:
    """A palette image as a PNG."""
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=6)
    return out.getvalue()


def compact(png: bytes, size: PictureSize = PRINT) -> bytes:
    """A rasterised chart in 8-bit colour, as ``size`` cuts its colours."""
    from PIL import Image

    image = on_white(png)
    if size.colours is None:
        cut = image.quantize(palette=chart_palette(), dither=Image.Dither.NONE)
    else:
        cut = image.quantize(colors=size.colours, method=Image.Quantize.FASTOCTREE,
                             dither=Image.Dither.NONE)
    return encode(cut)


__all__ = ["PRINT", "SCREEN", "SIZES", "WORD", "PictureSize", "chart_palette",
           "compact", "encode", "on_white", "rasterise_ppi", "svg_width_in"]
