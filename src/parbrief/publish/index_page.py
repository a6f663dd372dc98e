"""``reports/<period>/index.html``: every report of a quarter, overviews first."""

from __future__ import annotations

import html as _html
import math
import urllib.parse
from pathlib import Path

from parbrief import __version__
from parbrief.core import formatting
from parbrief.publish.contract import LANGS, period_label
from parbrief.publish.render import FORMATS


def _link(path) -> str:
    p = Path(path)
    if p.is_absolute():
        raise ValueError(f"index links must be relative to the index page, got {path}")
    return urllib.parse.quote(p.as_posix(), safe="/-._~")


def _entry_key(entry: dict):
    overview = 0 if entry.get("kind") == "overview" else 1
    rank = entry.get("rank")
    if not isinstance(rank, (int, float)) or math.isnan(rank):
        rank = math.inf
    return (overview, rank, str(entry.get("locality_code") or ""),
            str(entry.get("locality_name") or ""))


def index_page(period, entries: list[dict], title: str | None = None) -> bytes:
    """``reports/<period>/index.html``: every briefing of a period, overviews first.

    Each entry is a summary dict (``summary(nb)``: kind, locality_code, locality_name, index,
    rank, rank_of, classification {vi, en}) plus ``links``: {lang: {format: path relative to
    the index page}}.
    """
    e = _html.escape
    period_vi, period_en = period_label(period, "vi"), period_label(period, "en")
    heading = title or f"Chỉ số CCHC {period_vi} · PAR index {period_en}"
    rows = []
    for entry in sorted(entries, key=_entry_key):
        cls = entry.get("classification") or {}
        if isinstance(cls, dict):
            vi, en = cls.get("vi") or "", cls.get("en") or ""
            cls_text = vi if not en or en == vi else f"{vi} / {en}"
        else:
            cls_text = str(cls)
        kind = entry.get("kind") or "briefing"
        links = []
        for lang, fmts in sorted((entry.get("links") or {}).items(),
                                 key=lambda kv: (LANGS.index(kv[0]) if kv[0] in LANGS else 9,
                                                 kv[0])):
            parts = [f'<a href="{e(_link(p))}">{e(fmt.upper())}</a>'
                     for fmt, p in sorted(fmts.items(), key=lambda kv: (
                         FORMATS.index(kv[0]) if kv[0] in FORMATS else 9, kv[0]))]
            links.append(f'<span class="lang">{e(lang.upper())}</span> ' + " · ".join(parts))
        index = entry.get("index")
        rank = (formatting.rank(entry.get("rank"), entry.get("rank_of"))
                if entry.get("rank") is not None and entry.get("rank_of") is not None else "–")
        rows.append(
            f'<tr class="{e(kind)}"><td>{e(str(entry.get("locality_name") or ""))}'
            f'{" <small>(tổng quan / overview)</small>" if kind == "overview" else ""}</td>'
            f'<td>{e(str(entry.get("locality_code") or ""))}</td>'
            f'<td class="num">{e(formatting.points(index, "vi")) if index is not None else "–"}'
            f'</td><td class="num">{e(rank)}</td><td>{e(cls_text)}</td>'
            f'<td>{"<br>".join(links)}</td></tr>')
    page = f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="parbrief {e(__version__)}">
<title>{e(heading)}</title>
<style>
body {{ margin: 0 auto; max-width: 64rem; padding: 2rem 1.25rem;
  font-family: "Noto Sans", "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: #1b1b1b; }}
h1 {{ font-family: Georgia, "Noto Serif", "DejaVu Serif", serif; font-size: 1.8rem;
  border-bottom: 3px double #1b1b1b; padding-bottom: .5rem; }}
table {{ border-collapse: collapse; width: 100%; font-size: .92rem;
  font-variant-numeric: tabular-nums; }}
th, td {{ text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #d8d4cc;
  vertical-align: top; }}
thead th {{ border-bottom: 2px solid #1b1b1b; }}
td.num, th.num {{ text-align: right; white-space: nowrap; }}
tr.overview td {{ background: #f5f2ec; font-weight: bold; }}
.lang {{ color: #5a5a5a; font-size: .8rem; }}
a {{ color: #8a1c1c; }}
@page {{ size: A4; margin: 15mm; }}
@media print {{ body {{ max-width: none; padding: 0; }} thead {{ display: table-header-group; }}
  tr {{ break-inside: avoid; }} }}
</style>
</head>
<body>
<h1>{e(heading)}</h1>
<p>{len(rows)} báo cáo / reports</p>
<table>
<thead><tr><th scope="col">Đơn vị / Locality</th><th scope="col">Mã / Code</th>
<th scope="col" class="num">Chỉ số / Index</th><th scope="col" class="num">Xếp hạng / Rank</th>
<th scope="col">Xếp loại / Class</th><th scope="col">Bản tin / Briefing</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</body>
</html>
"""
    return page.encode("utf-8")
