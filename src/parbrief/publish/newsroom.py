"""The newsroom pack (gói tư liệu báo chí): what a paper's data desk reuses.

Per language: each chart as a print-size PNG (at least 2,400 px wide, title and source line
in the image) and as an SVG with real text; each table as CSV (UTF-8 with a byte-order mark,
so Excel on Windows reads the diacritics; headers in the report's language; numbers rounded as
displayed; ranks as integers) and as .xlsx (numbers stay numbers whatever the reader's decimal
separator); the headline and lead (``lead.txt``), the press release of an overview
(``press-release.txt``) and an ``index.html`` listing the files.

Every text cell of every CSV and workbook is neutralised against formula injection: a cell
starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe
(and, in the workbook, is stored as text with Excel's quote prefix), so a name or a label can
never run as a formula when an editor opens the file.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import math
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from parbrief.core import i18n
from parbrief.core.files import DIR_MODE, atomic_write, replace_dir
from parbrief.core.periods import Quarter
from parbrief.core.rounding import round_half_up

_STEM_BAD = re.compile(r"[^A-Za-z0-9_-]+")
# What spreadsheet programs read as the start of a formula (full-width forms included: some
# versions convert them).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
PACK_INDEX = "index.html"


def _file_stem(name, default: str, taken: set[str]) -> str:
    """A safe, unique file stem: ASCII letters, digits, - and _ ("Điểm số" -> "Diem-so")."""
    text = unicodedata.normalize("NFKD", str(name or "").replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    stem = _STEM_BAD.sub("-", text).strip("-_") or default
    base, n = stem, 2
    while stem in taken:
        stem = f"{base}-{n}"
        n += 1
    taken.add(stem)
    return stem


def neutralise(text: str) -> str:
    """A text cell that cannot run as a formula: ``=1+2`` -> ``'=1+2``."""
    text = str(text)
    return "'" + text if text.startswith(FORMULA_START) else text


def _plain_number(value: float) -> int | float:
    """A number rounded as displayed (two decimals, half up); whole numbers as integers, so
    ranks read 3, not 3.0."""
    v = round_half_up(float(value), 2)
    if v == int(v):
        return int(v)
    return float(Decimal(repr(v)).normalize())


def cell_value(value, lang: str):
    """One cell as written: None for empty, a number, or neutralised text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return i18n.t("pack.answer_yes" if value else "pack.answer_no", lang)
    if isinstance(value, (int, float)):
        return _plain_number(value)
    return neutralise(str(value))


def column_header(column: str, lang: str) -> str:
    """A data column in the report's language ("on_time_rate" -> "Tỷ lệ ... (%)"); a quarter
    column as the quarter is written ("2026Q3" -> "Quý III/2026")."""
    key = f"pack.columns.{column}"
    if key in i18n.catalogue(lang):
        return i18n.t(key, lang)
    try:
        return Quarter.parse(column).label(lang)
    except Exception:  # noqa: BLE001 - any other column keeps its name
        return str(column)


def _indicator_label(name, lang: str):
    """Row labels of key-figure tables: indicator names in the report's language."""
    from parbrief.core.catalogue import catalogue, label
    from parbrief.scoring.metrics import METRICS

    if not isinstance(name, str):
        return name
    if name in METRICS:
        return METRICS[name].labels[lang] + " (%)"
    if name in catalogue():
        return label(name, lang)
    key = f"pack.columns.{name}"
    return i18n.t(key, lang) if key in i18n.catalogue(lang) else name


def table_rows(block: dict, lang: str) -> tuple[list[str], list[list]]:
    """(headers, rows) of a table block's data, as the pack writes them."""
    data = block.get("data") or {"columns": block.get("columns", []),
                                 "rows": block.get("rows", [])}
    columns = [str(c) for c in data.get("columns", [])]
    rows = []
    for row in data.get("rows", []):
        row = list(row)
        if columns and columns[0] == "indicator" and row:
            row[0] = _indicator_label(row[0], lang)
        rows.append([cell_value(v, lang) for v in row])
    return [neutralise(column_header(c, lang)) for c in columns], rows


def csv_bytes(headers: list[str], rows: list[list]) -> bytes:
    """CSV as Excel on Windows opens it: UTF-8 with a byte-order mark, CRLF line ends."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


# A fixed date for the workbook's zip entries and properties: the same table gives the same
# bytes (reports are reproducible).
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)
_CORE_DATES = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")


def xlsx_bytes(headers: list[str], rows: list[list], title: str = "") -> bytes:
    """The same table as an Excel workbook: numbers as numbers (two decimals shown where the
    value has decimals), text as text with the quote prefix on formula-like cells, the header
    row bold and frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "data"
    bold = Font(bold=True)
    start = 1
    if title:
        head = ws.cell(row=1, column=1)
        head.value = neutralise(title)
        head.data_type = "s"
        head.font = bold
        head.quotePrefix = head.value.startswith("'")
        start = 3
    for j, h in enumerate(headers, 1):
        c = ws.cell(row=start, column=j)
        c.value = h
        c.data_type = "s"
        c.font = bold
        if h.startswith("'"):
            c.quotePrefix = True
    for i, row in enumerate(rows, start + 1):
        for j, v in enumerate(row, 1):
            c = ws.cell(row=i, column=j)
            if v is None:
                continue
            c.value = v
            if isinstance(v, str):
                c.data_type = "s"  # never a formula, whatever it starts with
                if v.startswith("'"):
                    c.quotePrefix = True
            elif isinstance(v, float):
                c.number_format = "0.00"
    ws.freeze_panes = ws.cell(row=start + 1, column=1)
    for j, h in enumerate(headers, 1):
        width = max([len(str(h))] + [len(str(r[j - 1])) for r in rows if j - 1 < len(r)
                                     and r[j - 1] is not None])
        ws.column_dimensions[ws.cell(row=start, column=j).column_letter].width = \
            min(max(width + 2, 8), 60)
    raw = io.BytesIO()
    wb.save(raw)
    # same bytes for the same table: fixed zip dates, no creation/modification time
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _CORE_DATES.sub(b"", data)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, data)
    return out.getvalue()


def _lead_text(found: Sequence[dict]) -> str:
    lines = [b.get("text", "") for b in found if b["kind"] == "heading" and b.get("level") == 1]
    lines += [b.get("text", "") for b in found
              if b["kind"] == "paragraph" and b.get("role") == "headline"]
    lines += [b.get("text", "") for b in found if b["kind"] == "lead"]
    return "\n\n".join(str(t).strip() for t in lines if str(t).strip()) + "\n"


def _press_release(found: Sequence[dict]) -> str:
    parts = [str(b.get("text", "")).strip() for b in found if b["kind"] == "paragraph"
             and str(b.get("role", "")).startswith("press-release")]
    return "\n\n".join(p for p in parts if p) + "\n" if parts else ""


def newsroom_files(found: Sequence[dict], lang: str = "vi",
                   png: dict[str, bytes] | None = None,
                   links: dict | None = None) -> dict[str, bytes]:
    """File name -> bytes of a newsroom pack for the blocks of one language. ``png``: the
    print-size PNG of each chart by block name (else the block's own PNG, if any)."""
    files: dict[str, bytes] = {}
    listing: list[tuple[str, str, list[str]]] = []  # (kind, title, files)
    taken: set[str] = {"lead", "press-release", "index"}
    n_chart = n_table = 0
    if any(b["kind"] == "lead" for b in found):
        files["lead.txt"] = _lead_text(found).encode("utf-8")
        listing.append(("text", i18n.t("pack.lead", lang), ["lead.txt"]))
    release = _press_release(found)
    if release:
        files["press-release.txt"] = release.encode("utf-8")
        listing.append(("text", i18n.t("pack.press_release", lang), ["press-release.txt"]))
    for block in found:
        if block["kind"] == "chart":
            n_chart += 1
            stem = _file_stem(block.get("name"), f"chart-{n_chart}", taken)
            names = []
            image = (png or {}).get(block.get("name")) or (
                base64.b64decode(block["png"]) if block.get("png") else None)
            if image:
                files[f"{stem}.png"] = image
                names.append(f"{stem}.png")
            if block.get("svg"):
                files[f"{stem}.svg"] = block["svg"].encode("utf-8")
                names.append(f"{stem}.svg")
            listing.append(("chart", str(block.get("title") or stem), names))
        elif block["kind"] == "table":
            n_table += 1
            stem = _file_stem(block.get("name"), f"table-{n_table}", taken)
            headers, rows = table_rows(block, lang)
            files[f"{stem}.csv"] = csv_bytes(headers, rows)
            files[f"{stem}.xlsx"] = xlsx_bytes(headers, rows, str(block.get("title") or ""))
            listing.append(("table", str(block.get("title") or stem),
                            [f"{stem}.csv", f"{stem}.xlsx"]))
    files[PACK_INDEX] = pack_index(found, listing, lang, links)
    return files


def pack_index(found: Sequence[dict], listing, lang: str, links: dict | None = None) -> bytes:
    """``index.html`` of a pack: what each file is, with links (works from the files alone)."""
    e = html.escape
    title = next((str(b.get("text", "")) for b in found
                  if b["kind"] == "heading" and b.get("level") == 1), "")
    items = []
    for kind, what, names in listing:
        files = " · ".join(f'<a href="{e(n)}">{e(n.rsplit(".", 1)[-1].upper())}</a>'
                           for n in names)
        items.append(f"<li><span class=\"kind\">{e(i18n.t('pack.kind.' + kind, lang))}</span> "
                     f"{e(what)}: {files}</li>")
    back = " · ".join(f'<a href="{e(href)}">{e(i18n.t("pack.link_" + key, lang))}</a>'
                      for key, href in (links or {}).items())
    back = f"<p>{back}</p>" if back else ""
    page = f"""<!DOCTYPE html>
<html lang="{e(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(i18n.t("pack.title", lang))}: {e(title)}</title>
<style>
body {{ margin: 0 auto; max-width: 48rem; padding: 1.5rem 1rem; line-height: 1.5;
  font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; color: #1b1b1b; }}
h1 {{ font-size: 1.3rem; }} li {{ margin: .35rem 0; }} a {{ color: #8a1c1c; }}
.kind {{ display: inline-block; min-width: 6.5rem; color: #5a5a5a; font-size: .85rem; }}
</style>
</head>
<body>
{back}
<h1>{e(i18n.t("pack.title", lang))}: {e(title)}</h1>
<p>{e(i18n.t("pack.about", lang))}</p>
<ul>
{chr(10).join(items)}
</ul>
</body>
</html>
"""
    return page.encode("utf-8")


def write_newsroom(found: Sequence[dict], folder: Path, lang: str = "vi",
                   png: dict[str, bytes] | None = None,
                   links: dict | None = None) -> list[Path]:
    """Write a newsroom pack into ``folder``, replacing any earlier pack there as a whole."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    files = newsroom_files(found, lang, png, links)
    built = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.new-"))
    try:
        for name, data in files.items():
            atomic_write(built / name, data)
        os.chmod(built, DIR_MODE)  # mkdtemp makes 0700
        replace_dir(built, folder)
    except BaseException:
        shutil.rmtree(built, ignore_errors=True)
        raise
    return [folder / name for name in files]


__all__ = ["FORMULA_START", "PACK_INDEX", "cell_value", "column_header", "csv_bytes",
           "neutralise", "newsroom_files", "pack_index", "table_rows", "write_newsroom",
           "xlsx_bytes"]
