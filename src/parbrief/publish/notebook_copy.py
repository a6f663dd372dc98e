"""The published notebook as JupyterLab shows it without trust.

A notebook the reader did not run is untrusted, and JupyterLab then shows no SVG: the charts of
a published report came up as their alt text. Each chart output of the published ``.ipynb``
also gets a PNG at screen resolution (JupyterLab shows a PNG without trust; with trust it still
prefers the SVG). The PNG is small, a palette image: 96 ppi, 64 colours, about 12 KB a chart.
"""

from __future__ import annotations

import base64
import io

SCREEN_PPI = 96
COLOURS = 64


def screen_png(svg: str, renderer) -> bytes:
    """A chart's SVG as a small PNG for the screen (the renderer's rasteriser, Typst)."""
    from PIL import Image

    image = Image.open(io.BytesIO(renderer.png(svg, SCREEN_PPI))).convert("RGB")
    # a chart has few colours: a palette keeps the file small without visible loss
    palette = image.quantize(colors=COLOURS, method=Image.Quantize.FASTOCTREE,
                             dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, "PNG")
    return out.getvalue()


def viewable_without_trust(nb, renderer) -> int:
    """Add a screen PNG to every chart output that has only its SVG; returns how many."""
    added = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data") or {}
            svg = data.get("image/svg+xml")
            if not svg or data.get("image/png"):
                continue
            svg = "".join(svg) if isinstance(svg, list) else svg
            data["image/png"] = base64.b64encode(screen_png(svg, renderer)).decode("ascii")
            added += 1
    return added


__all__ = ["COLOURS", "SCREEN_PPI", "screen_png", "viewable_without_trust"]
