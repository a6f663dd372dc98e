"""The site of a quarter: ``reports/<period>/index.html``, the national page (every province
with its key figures and links), and ``reports/<period>/<province>/index.html``, a page per
province (its overview's headline and lead, every briefing in a table that sorts and filters
in the page, with links to each report in each language and format and to its newsroom pack).

One page per language: ``index.html`` in the first language (Vietnamese when published),
``index.<lang>.html`` in the others. Pages work from the files alone, offline: the few lines of
script that sort and filter are in the page, nothing is fetched from anywhere.
"""

from __future__ import annotations

import html as _html
import math
import urllib.parse
from pathlib import Path

from parbrief import __version__
from parbrief.core import formatting, i18n
from parbrief.publish.contract import LANGS, period_label
from parbrief.publish.html import site_page

FORMAT_ORDER = ("html", "pdf", "docx", "newsroom")

e = _html.escape


def _link(path) -> str:
    p = Path(path)
    if p.is_absolute():
        raise ValueError(f"index links must be relative to the index page, got {path}")
    return urllib.parse.quote(p.as_posix(), safe="/-._~")


def _number(x) -> float | None:
    if x is None or isinstance(x, bool):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _entry_key(entry: dict):
    overview = 0 if entry.get("kind") == "overview" else 1
    rank = _number(entry.get("rank"))
    return (overview, math.inf if rank is None else rank, str(entry.get("locality_code") or ""),
            str(entry.get("locality_name") or ""))


def _by_lang(value, lang: str, default: str = "") -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("vi") or default)
    return str(value) if value not in (None, "") else default


SCRIPT = """
(function () {
  function fold(s) {
    return s.normalize('NFD').replace(/[\\u0300-\\u036f]/g, '').replace(/đ/g, 'd')
      .replace(/Đ/g, 'D').toLowerCase();
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var box = document.getElementById(table.dataset.search);
    var count = document.getElementById(table.dataset.count);
    function show() {
      var q = box ? fold(box.value.trim()) : '';
      var n = 0;
      rows.forEach(function (r) {
        var hit = !q || fold(r.dataset.text || r.textContent).indexOf(q) >= 0;
        r.hidden = !hit;
        if (hit) n++;
      });
      if (count) count.textContent = count.dataset.template
        .replace('{shown}', n).replace('{total}', rows.length);
    }
    if (box) box.addEventListener('input', show);
    table.querySelectorAll('thead th[data-type]').forEach(function (th, i) {
      var button = th.querySelector('button');
      button.addEventListener('click', function () {
        var type = th.dataset.type;
        var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
        table.querySelectorAll('thead th').forEach(function (o) {
          o.removeAttribute('aria-sort');
        });
        th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
        var col = th.cellIndex;
        rows.sort(function (a, b) {
          var x = a.cells[col].dataset.sort, y = b.cells[col].dataset.sort;
          if (type === 'number') {
            x = x === '' ? Infinity : parseFloat(x);
            y = y === '' ? Infinity : parseFloat(y);
            if (x === y) return 0;
            if (x === Infinity) return 1;
            if (y === Infinity) return -1;
            return (x - y) * dir;
          }
          return fold(x).localeCompare(fold(y)) * dir;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
    show();
  });
})();
"""

STYLE = """
body { margin: 0 auto; max-width: 72rem; padding: 1.2rem 1.25rem 3rem; color: #1b1b1b;
  font-family: "DejaVu Sans", "Noto Sans", "Segoe UI", Arial, sans-serif; line-height: 1.45; }
h1 { font-family: Georgia, "Noto Serif", "DejaVu Serif", serif; font-size: 1.7rem;
  border-bottom: 3px double #1b1b1b; padding-bottom: .5rem; margin: .4rem 0 .8rem; }
nav.site { display: flex; flex-wrap: wrap; gap: .3rem 1.1rem; font-size: .85rem;
  padding-bottom: .5rem; border-bottom: 1px solid #d8d4cc; }
p.headline { font-weight: bold; font-size: 1.15rem; color: #8a1c1c; margin: .6rem 0 .3rem; }
p.lead { font-family: Georgia, "Noto Serif", "DejaVu Serif", serif; font-size: 1.05rem; }
.controls { display: flex; flex-wrap: wrap; gap: .4rem 1rem; align-items: center;
  margin: 1rem 0 .5rem; font-size: .9rem; }
.controls input { font: inherit; padding: .3rem .5rem; min-width: 14rem; max-width: 100%; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .88rem;
  font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: .32rem .45rem; border-bottom: 1px solid #d8d4cc;
  vertical-align: top; }
thead th { border-bottom: 2px solid #1b1b1b; white-space: nowrap; }
th button { font: inherit; font-weight: bold; background: none; border: 0; padding: 0;
  cursor: pointer; color: inherit; text-align: inherit; }
th[aria-sort=ascending] button::after { content: " ▲"; }
th[aria-sort=descending] button::after { content: " ▼"; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.nowrap { white-space: nowrap; }
.links a { margin-right: .45rem; white-space: nowrap; }
.muted { color: #5a5a5a; font-size: .85rem; }
a { color: #8a1c1c; }
@media print { nav.site, .controls { display: none; } thead { display: table-header-group; }
  tr { break-inside: avoid; } body { max-width: none; padding: 0; } }
"""


def _page(lang: str, title: str, nav: list[tuple[str, str, str | None]], body: str) -> bytes:
    links = "\n".join(
        f'<a href="{e(_link(href))}"' + (f' hreflang="{e(hl)}" lang="{e(hl)}"' if hl else "")
        + f">{e(text)}</a>" for href, text, hl in nav)
    page = f"""<!DOCTYPE html>
<html lang="{e(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="parbrief {e(__version__)}">
<title>{e(title)}</title>
<style>{STYLE}</style>
</head>
<body>
{f'<nav class="site" aria-label="{e(i18n.t("site.nav", lang))}">{links}</nav>' if nav else ""}
<main>
<h1>{e(title)}</h1>
{body}
</main>
<script>{SCRIPT}</script>
</body>
</html>
"""
    return page.encode("utf-8")


def _other_languages(lang: str, languages, prefix: str = "") -> list[tuple[str, str, str]]:
    return [(prefix + site_page(other, languages), i18n.t("site.language", other), other)
            for other in languages if other != lang]


def _report_links(entry: dict, lang: str, folder: str = "") -> str:
    """HTML · PDF · DOCX · pack of the report in ``lang``, then the other languages' pages."""
    links = entry.get("links") or {}
    mine = links.get(lang) or {}
    parts = []
    for fmt in FORMAT_ORDER:
        if fmt in mine:
            text = i18n.t("site.pack", lang) if fmt == "newsroom" else fmt.upper()
            parts.append(f'<a href="{e(_link(folder + mine[fmt]))}">{e(text)}</a>')
    for other in sorted(links, key=lambda x: (LANGS.index(x) if x in LANGS else 9, x)):
        if other != lang and "html" in links[other]:
            parts.append(f'<a href="{e(_link(folder + links[other]["html"]))}" hreflang='
                         f'"{e(other)}" lang="{e(other)}">{e(other.upper())}</a>')
    return " ".join(parts)


def _th(text: str, kind: str | None, numeric: bool = False) -> str:
    cls = ' class="num"' if numeric else ""
    if kind is None:
        return f'<th scope="col"{cls}>{e(text)}</th>'
    return f'<th scope="col" data-type="{kind}"{cls}><button type="button">{e(text)}</button></th>'


def _td(text: str, sort=None, numeric: bool = False, nowrap: bool = False,
        raw: bool = False) -> str:
    cls = ' class="num"' if numeric else ' class="nowrap"' if nowrap else ""
    key = "" if sort is None else f' data-sort="{e(str(sort))}"'
    return f"<td{cls}{key}>{text if raw else e(text)}</td>"


def _controls(lang: str, table_id: str) -> str:
    return (f'<div class="controls"><label for="{table_id}-q">{e(i18n.t("site.search_label", lang))}'
            f'</label><input id="{table_id}-q" type="search" placeholder='
            f'"{e(i18n.t("site.search", lang))}" autocomplete="off">'
            f'<span id="{table_id}-n" class="muted" aria-live="polite" data-template='
            f'"{e(i18n.t("site.shown", lang, shown="{shown}", total="{total}"))}"></span>'
            f'<span class="muted">{e(i18n.t("site.sort_hint", lang))}</span></div>')


def province_page(period, lang: str, languages, overview: dict | None,
                  briefings: list[dict]) -> bytes:
    """A province's page in ``lang``: its overview's headline and lead, and every briefing."""
    quarter = period_label(period, lang)
    province = _by_lang((overview or {}).get("name"), lang,
                        str((overview or {}).get("locality_name") or ""))
    title = i18n.t("site.province_title", lang, province=province or "—", quarter=quarter)
    nav = [(f"../{site_page(lang, languages)}", i18n.t("site.national", lang), None)]
    nav += _other_languages(lang, languages)
    body = []
    if overview:
        headline = _by_lang(overview.get("headline"), lang)
        if headline:
            body.append(f'<p class="headline">{e(headline)}</p>')
        lead = _by_lang(overview.get("lead"), lang)
        if lead:
            body.append(f'<p class="lead">{e(lead)}</p>')
        links = _report_links(overview, lang)
        if links:
            body.append(f'<p class="links">{e(i18n.t("site.overview", lang))}: {links}</p>')
    else:
        body.append(f'<p class="muted">{e(i18n.t("site.no_overview", lang))}</p>')
    body.append(_controls(lang, "units"))
    head = "".join([
        _th(i18n.t("site.col_locality", lang), "text"), _th(i18n.t("site.col_code", lang), "text"),
        _th(i18n.t("site.col_index", lang), "number", True),
        _th(i18n.t("site.col_change", lang), "number", True),
        _th(i18n.t("site.col_rank", lang), "number", True),
        _th(i18n.t("site.col_rank_change", lang), "number", True),
        _th(i18n.t("site.col_class", lang), "text"), _th(i18n.t("site.col_links", lang), None)])
    rows = []
    for entry in sorted(briefings, key=_entry_key):
        name = _by_lang(entry.get("name"), lang, str(entry.get("locality_name") or ""))
        code = str(entry.get("locality_code") or "")
        index, change = _number(entry.get("index")), _number(entry.get("index_change"))
        rank, of = _number(entry.get("rank")), _number(entry.get("rank_of"))
        places = _number(entry.get("rank_change"))
        step = _number(entry.get("class_step"))
        cls = _by_lang(entry.get("classification"), lang, "–")
        if step:
            cls += " ▲" if step > 0 else " ▼"
        links = _report_links(entry, lang) or e(i18n.t("site.failed", lang))
        search = f"{name} {entry.get('locality_name') or ''} {code}"
        rows.append(
            f'<tr data-text="{e(search)}">'
            + _td(name, sort=name) + _td(code, sort=code)
            + _td(formatting.points(index, lang) if index is not None else "–",
                  sort="" if index is None else index, numeric=True)
            + _td(formatting.change(change, lang) if change is not None else "–",
                  sort="" if change is None else change, numeric=True)
            + _td(formatting.rank(rank, of, lang) if rank is not None and of is not None
                  else "–", sort="" if rank is None else int(rank), numeric=True)
            + _td(formatting.change(places, lang, 0) if places is not None else "–",
                  sort="" if places is None else places, numeric=True)
            + _td(cls, sort=cls, nowrap=True)
            + f'<td class="links">{links}</td></tr>')
    body.append(f'<div class="table-wrap"><table class="sortable" data-search="units-q" '
                f'data-count="units-n"><thead><tr>{head}</tr></thead><tbody>\n'
                + "\n".join(rows) + "\n</tbody></table></div>")
    return _page(lang, title, nav, "\n".join(body))


def national_page(period, lang: str, languages, provinces: list[dict]) -> bytes:
    """The national page in ``lang``: each province with its key figures and links. Each item
    of ``provinces``: folder (relative), overview (its entry or None), briefings (count)."""
    quarter = period_label(period, lang)
    title = i18n.t("site.national_title", lang, quarter=quarter)
    nav = _other_languages(lang, languages)
    head = "".join([
        _th(i18n.t("site.col_province", lang), "text"),
        _th(i18n.t("site.col_reported", lang), "number", True),
        _th(i18n.t("site.col_mean", lang), "number", True),
        _th(i18n.t("site.col_top", lang), "text"), _th(i18n.t("site.col_bottom", lang), "text"),
        _th(i18n.t("site.col_class_changes", lang), "number", True),
        _th(i18n.t("site.col_links", lang), None)])
    rows = []
    for p in sorted(provinces, key=lambda p: str(p["folder"])):
        ov = p.get("overview") or {}
        folder = str(p["folder"]).rstrip("/") + "/"
        name = _by_lang(ov.get("name"), lang, str(ov.get("locality_name") or p["folder"]))
        reported, total = _number(ov.get("reported")), _number(ov.get("total"))
        mean = _number(ov.get("index"))
        up, down = _number(ov.get("class_up")), _number(ov.get("class_down"))
        page = f'<a href="{e(_link(folder + site_page(lang, languages)))}">{e(name)}</a>'
        links = [f'<a href="{e(_link(folder + site_page(lang, languages)))}">'
                 f'{e(i18n.t("site.briefings", lang, count=formatting.integer(p.get("briefings", 0), lang)))}</a>']
        if ov:
            links.append(_report_links(ov, lang, folder))
        rows.append(
            f'<tr data-text="{e(name + " " + str(ov.get("locality_name") or ""))}">'
            + _td(page, sort=name, raw=True)
            + _td(f"{formatting.integer(reported, lang)}/{formatting.integer(total, lang)}"
                  if reported is not None and total is not None else "–",
                  sort="" if reported is None else reported, numeric=True)
            + _td(formatting.points(mean, lang) if mean is not None else "–",
                  sort="" if mean is None else mean, numeric=True)
            + _td(_by_lang(ov.get("first"), lang, "–")) + _td(_by_lang(ov.get("last"), lang, "–"))
            + _td(f"{formatting.integer(up, lang)}/{formatting.integer(down, lang)}"
                  if up is not None and down is not None else "–",
                  sort="" if up is None else up + (down or 0), numeric=True)
            + f'<td class="links">{" ".join(links)}</td></tr>')
    body = _controls(lang, "provinces") + (
        f'<div class="table-wrap"><table class="sortable" data-search="provinces-q" '
        f'data-count="provinces-n"><thead><tr>{head}</tr></thead><tbody>\n'
        + "\n".join(rows) + "\n</tbody></table></div>")
    return _page(lang, title, nav, body)


def index_page(period, entries: list[dict], title: str | None = None) -> bytes:
    """The national page in Vietnamese for entries of one folder layout (kept for callers
    that have entries only): provinces from the entries' ``folder``."""
    provinces: dict[str, dict] = {}
    for entry in entries:
        folder = str(entry.get("folder") or "")
        p = provinces.setdefault(folder, {"folder": folder, "overview": None, "briefings": 0})
        if entry.get("kind") == "overview":
            p["overview"] = entry
        else:
            p["briefings"] += 1
    return national_page(period, "vi", ["vi"], list(provinces.values()))


__all__ = ["index_page", "national_page", "province_page"]
