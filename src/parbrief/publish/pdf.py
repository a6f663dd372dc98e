"""PDF (văn bản cho Ban Chỉ đạo): Typst markup generated from the blocks (every data string
escaped), laid out by ``resources/templates/briefing.typ``."""

from __future__ import annotations

import base64
import datetime as _dt
import os
import re
from collections.abc import Sequence
from pathlib import Path

from parbrief.publish.contract import (
    TEMPLATES,
    WORDS,
    RenderError,
    numeric_columns,
    provenance,
    report_title,
)

TYPST_TEMPLATE = TEMPLATES / "briefing.typ"


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
    words = WORDS[lang]
    files: dict[str, bytes] = {}
    out = [
        '#import "briefing.typ": *',
        "#show: briefing.with(lang: {lang}, title: {title}, provenance: {prov}, "
        "page-label: {page}{date})".format(
            lang=typst_str(lang), title=typst_str(report_title(found, info)),
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
            # a chart that draws its own title (and source) needs no caption above it
            caption = None if block.get("framed") else block.get("title")
            out.append(f"#chart({_content_or_none(caption)}, {typst_str(name)}, "
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


def font_paths() -> list[str]:
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


def timestamp() -> _dt.datetime:
    """Typst's "now": SOURCE_DATE_EPOCH, else 1970-01-01. The PDF carries it as its creation
    and modification date only when SOURCE_DATE_EPOCH is set; otherwise it has no date."""
    return _dt.datetime.fromtimestamp(source_date_epoch() or 0, _dt.UTC)
