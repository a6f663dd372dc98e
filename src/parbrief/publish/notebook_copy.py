"""The published notebook as JupyterLab shows it without trust, and its file.

A notebook the reader did not run is untrusted, and JupyterLab then shows no SVG: the charts of
a published report came up as their alt text. Each chart output of the published ``.ipynb``
also gets a PNG at screen resolution (JupyterLab shows a PNG without trust; with trust it still
prefers the SVG). The PNG is small (``publish.pictures.SCREEN``): 96 ppi, 64 colours, about
15 KB a chart.

The file is nbformat's JSON without its indentation: one line per value as nbformat writes it
(multi-line text split into lines, keys sorted), an eighth smaller. JupyterLab reads it as any
notebook and writes it back indented when the analyst saves.
"""

from __future__ import annotations

import base64
import json

from parbrief.publish.pictures import SCREEN


def screen_png(svg: str, renderer) -> bytes:
    """A chart's SVG as a small PNG for the screen (the renderer's rasteriser, Typst)."""
    return renderer.picture(svg, SCREEN)


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


def notebook_bytes(nb) -> bytes:
    """The published ``.ipynb`` file of ``nb`` (validated and normalised by nbformat)."""
    import nbformat

    text = nbformat.writes(nb)
    return json.dumps(json.loads(text), ensure_ascii=False, sort_keys=True, indent=0,
                      separators=(",", ":")).encode("utf-8")


__all__ = ["notebook_bytes", "screen_png", "viewable_without_trust"]
