"""PDF (văn bản cho Ban Chỉ đạo): Typst markup generated from the blocks (every data string
escaped), laid out by ``resources/templates/briefing.typ``."""

from __future__ import annotations

import base64
import datetime as _dt
import functools
import os
import re
from collections.abc import Sequence
from pathlib import Path

from parbrief.publish.committee import body_blocks, roman
from parbrief.publish.contract import (
    HEADLINE_ROLES,
    TEMPLATES,
    RenderError,
    column_widths,
    numbered_caption,
    numeric_columns,
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


def _blank(f) -> str:
    """A frame field as Typst content: its text, or the dots of a blank."""
    return _content(f.shown)


def frame_source(fr) -> list[str]:
    """The Typst calls of a committee edition's frame (top)."""
    words = fr.words
    if fr.is_appendix:
        a = fr.appendix
        label = words("appendix", appendix=a["appendix"].text).strip()
        attached = words("attached", number=a["report_number"].shown,
                         symbol=a["report_symbol"].shown, date=a["report_date"].shown,
                         issuer=a["issuer"].shown)
        return [f"#appendix-frame({_content(label)}, {_content(fr.subject)}, "
                f"{_content(attached)})"]
    parent = _content(fr.parent_body.text) if not fr.parent_body.blank else "none"
    number = words("number", number=fr.number.shown, symbol=fr.symbol.shown)
    place_date = words("place_date", place=fr.place.shown, day=fr.day.shown,
                       month=fr.month.shown, year=fr.year.shown)
    return [f"#frame({parent}, {_blank(fr.issuing_body)}, {_content(number)}, "
            f"{_content(words('nation'))}, {_content(words('motto'))}, {_content(place_date)}, "
            f"{_content(words('report'))}, {_content(fr.subject)})"]


def signature_source(fr) -> list[str]:
    """The Typst call of a committee edition's end: recipients and signer."""
    if fr.is_appendix:
        return []
    recipients = ", ".join(_blank(r) for r in fr.recipients) + ","
    authority = _content(fr.signer_authority.text) if not fr.signer_authority.blank else "none"
    return [f"#signature({_content(fr.words('recipients'))}, ({recipients}), {authority}, "
            f"{_blank(fr.signer_title)}, {_blank(fr.signer_name)})"]


def typst_source(found: Sequence[dict], lang: str, info: dict | None = None,
                 dated: bool = False, fr=None) -> tuple[str, dict[str, bytes]]:
    """``main.typ`` for the blocks and the image files it refers to. ``dated``: the PDF's
    creation date is Typst's clock (set from SOURCE_DATE_EPOCH); otherwise it has none.
    ``fr``: the committee edition's frame (``publish.committee.frame``): the document opens
    with it and ends with the signature; without it, the report opens with its title."""
    files: dict[str, bytes] = {}
    out = [
        '#import "briefing.typ": *',
        "#show: briefing.with(lang: {lang}, title: {title}{date})".format(
            lang=typst_str(lang), title=typst_str(fr.subject if fr else report_title(found, info)),
            date=", date: auto" if dated else ""),
        "",
    ]
    body = list(found)
    if fr is not None:
        out += frame_source(fr)
        body = body_blocks(found)
    part = tables = charts = 0
    for i, block in enumerate(body):
        kind = block["kind"]
        following = body[i + 1]["kind"] if i + 1 < len(body) else None
        if kind == "heading":
            if block.get("level") == 1:
                out.append(f"#heading(level: 1){_content(block.get('text', ''))}")
            elif (block.get("level") or 2) >= 3:  # a part's sub-heading: not a numbered part
                out.append(f"#heading(level: 3){_content(block.get('text', ''))}")
            else:
                part += 1
                out.append(f"#heading(level: 2){_content(f'{roman(part)}. ' + block.get('text', ''))}")
        elif kind == "lead":
            out.append(f"#lead{_content(block.get('text', ''))}")
        elif kind == "paragraph" and block.get("role") in HEADLINE_ROLES:
            out.append(f"#headline{_content(block.get('text', ''))}")
        elif kind == "paragraph":
            call = "lead-in" if following == "list" else "par"
            out.append(f"#{call}{_content(block.get('text', ''))}")
        elif kind == "note":
            # the last notes of a filed document keep the signature company
            closing = fr is not None and not fr.is_appendix and i >= len(body) - 2 and all(
                b["kind"] == "note" for b in body[i:])
            out.append(f"#{'closing' if closing else 'note'}{_content(block.get('text', ''))}")
        elif kind == "list":
            items = "".join(_content(i) + ", " for i in block.get("items", []))
            out.append(f"#list({items})")
        elif kind == "figures":
            tiles = ", ".join(
                f"tile({_content(f.get('label', ''))}, {_content(f.get('value', ''))}, "
                f"{_content_or_none(f.get('change'))})" for f in block.get("items", []))
            out.append(f"#tiles({tiles})")
        elif kind == "table":
            tables += 1
            out.append(_typst_table(block, numbered_caption(lang, "table", tables, block)))
        elif kind == "chart":
            charts += 1
            name = f"chart-{charts}.svg"
            if block.get("svg"):
                files[name] = block["svg"].encode("utf-8")
            elif block.get("png"):
                files[name] = _png_as_svg(block["png"])
            else:
                raise RenderError(f"chart {block.get('name')!r} has neither an SVG nor a PNG")
            caption = numbered_caption(lang, "figure", charts, block)
            out.append(f"#chart({_content_or_none(caption)}, {typst_str(name)}, "
                       f"{typst_str(block.get('alt') or block.get('title') or '')})")
        out.append("")
    if fr is not None:
        out += signature_source(fr)
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


def _typst_table(block: dict, caption: str | None = None) -> str:
    columns = list(block.get("columns", []))
    rows = [list(r) for r in block.get("rows", [])]
    ncols = max([len(columns)] + [len(r) for r in rows]) or 1
    columns += [""] * (ncols - len(columns))
    rows = [r + [""] * (ncols - len(r)) for r in rows]
    numeric = numeric_columns(columns, rows)
    widths = ", ".join(f"{w:.2f}mm" for w in column_widths(columns, rows)) + ","
    hl = block.get("highlight")
    hl = str(int(hl)) if isinstance(hl, (int, float)) and not isinstance(hl, bool) else "none"
    header = ", ".join(_content(c) for c in columns)
    cells = ",\n  ".join(", ".join(_content(c) for c in r) for r in rows)
    flags = ", ".join("true" if f else "false" for f in numeric) + ","
    return (f"#datatable({_content_or_none(caption)}, {hl}, ({widths}), ({flags}),\n"
            f"  table.header({header}),\n  {cells}\n)")


# The documents' font: Liberation Serif 2 (SIL Open Font License 1.1), metric-compatible with
# Times New Roman (what Decree 30/2020/NĐ-CP's documents use in practice) and covering every
# Vietnamese letter (TCVN 6909:2001, Unicode). Debian ships it as fonts-liberation2, which
# `make setup` installs; PARBRIEF_FONT_DIR names another folder holding LiberationSerif-*.ttf.
DOCUMENT_FONT = "Liberation Serif"
FONT_PACKAGE = "fonts-liberation2"
FONT_FILE = "LiberationSerif-Regular.ttf"
FONT_DIRS = ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation",
             "/usr/share/fonts/liberation-serif", "/usr/share/fonts/TTF")
# Letters an older Liberation Serif (1.x) lacks: a font without them prints Vietnamese with holes.
VIETNAMESE_PROBE = "ẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹƠơƯưĐđ"


def covers_vietnamese(font: Path) -> bool:
    """Whether a font file has a glyph for every Vietnamese letter."""
    from fontTools.ttLib import TTFont

    try:
        cmap = TTFont(str(font), lazy=True).getBestCmap() or {}
    except Exception:  # noqa: BLE001 - an unreadable font covers nothing
        return False
    return all(ord(ch) in cmap for ch in VIETNAMESE_PROBE)


@functools.lru_cache(maxsize=1)
def document_font_dir() -> Path:
    """The folder holding the documents' font (see ``DOCUMENT_FONT``), or a RenderError that
    says how to install it."""
    import shutil
    import subprocess

    candidates = [Path(os.environ["PARBRIEF_FONT_DIR"])] \
        if os.environ.get("PARBRIEF_FONT_DIR") else []
    candidates += [Path(d) for d in FONT_DIRS]
    if shutil.which("fc-match"):
        found = subprocess.run(["fc-match", "-f", "%{file}", f"{DOCUMENT_FONT}:style=Regular"],
                               capture_output=True, text=True, check=False).stdout.strip()
        if found:
            candidates.append(Path(found).parent)
    for folder in candidates:
        font = folder / FONT_FILE
        if font.is_file() and covers_vietnamese(font):
            return folder
    raise RenderError(
        f"the documents' font {DOCUMENT_FONT} 2 (with Vietnamese letters) is not installed: "
        f"install Debian's {FONT_PACKAGE} (`apt-get install {FONT_PACKAGE}`, which `make setup` "
        f"does when run as root) or set PARBRIEF_FONT_DIR to a folder holding {FONT_FILE}")


def font_paths() -> list[str]:
    """The documents' font folder, and DejaVu Sans as matplotlib ships it (the charts' font),
    found without importing matplotlib: a worker that only renders does not need its 30 MB."""
    import importlib.util

    spec = importlib.util.find_spec("matplotlib")
    return [str(document_font_dir()),
            str(Path(spec.submodule_search_locations[0]) / "mpl-data" / "fonts" / "ttf")]


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


def compact_pdf(pdf: bytes) -> bytes:
    """The same PDF with its objects packed into compressed object streams (PDF 1.5), by
    qpdf (pikepdf). Typst writes each object on its own, uncompressed: the tags that let a
    screen reader follow the document (a structure element per paragraph, cell and figure)
    were two fifths of the file. Nothing a reader sees or a tool reads changes; the document
    ID is computed from the content, so the same PDF gives the same bytes."""
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        out = io.BytesIO()
        document.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                      compress_streams=True, recompress_flate=False, deterministic_id=True)
    return out.getvalue()
