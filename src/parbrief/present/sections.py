"""The sections of a briefing and of a province overview, as display blocks in one language.

Each section function takes a prepared ``Briefing`` (or ``Overview``) and a language and returns
a list of blocks (see ``display``); ``show`` displays a section once per language, tagging every
output with its language and section, so one notebook execution yields both the Vietnamese and
the English report. All wording comes from the message catalogues (``i18n``), all numbers from
``formatting``. A locality that did not report, a quarter without a previous one and a previous
quarter from before the July-2025 merger are ordinary cases here, never errors.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from babel.dates import format_date

from parbrief import __version__
from parbrief.core import formatting, i18n
from parbrief.core.catalogue import label as indicator_label
from parbrief.core.names import slug
from parbrief.core.periods import MERGER_QUARTER, Quarter
from parbrief.model.briefing import (
    KEY_METRICS,
    TREND_METRICS,
    Briefing,
    briefing_findings,
)
from parbrief.model.sources import peers_of
from parbrief.present import charts, display
from parbrief.scoring.metrics import METRICS, round_half_up
from parbrief.units import history, register

BRIEFING_SECTIONS = ("headline", "key_figures", "scorecard", "trend", "peers", "shortcomings",
                     "data_notes")
OVERVIEW_SECTIONS = ("overview_headline", "province_key_figures", "league_table",
                     "class_distribution", "biggest_movers", "dot_map", "overview_notes")
PEERS_ALL_UP_TO = 20  # up to this many peers the chart shows them all; beyond, an excerpt
PEERS_TOP, PEERS_AROUND, PEERS_BOTTOM = 5, 3, 3
MAP_LABELS = 3
# x/y counts a newspaper quotes ("282/375 procedures publicly listed").
COUNT_PAIRS = (
    ("figures.on_time_count", "records_resolved_on_time", "records_resolved"),
    ("figures.published_count", "procedures_published", "procedures_total"),
    ("figures.plan_count", "plan_tasks_completed", "plan_tasks_assigned"),
)


# ----------------------------------------------------------------------------- small helpers


def _num(x) -> float | None:
    """A plain float, or None for missing (NaN, NA, None)."""
    if x is None:
        return None
    try:
        if pd.isna(x):
            return None
    except (TypeError, ValueError):
        return None
    return float(x)


def _json(x):
    """A JSON-safe raw value for table data (CSV)."""
    if x is None or isinstance(x, (str, bool)):
        return x
    if isinstance(x, Quarter):
        return str(x)
    try:
        if pd.isna(x):
            return None
    except (TypeError, ValueError):
        pass
    return x.item() if hasattr(x, "item") else x  # numpy scalars -> Python numbers


def _languages(languages) -> list[str]:
    if isinstance(languages, str):
        languages = [s.strip() for s in languages.split(",") if s.strip()]
    out = [i18n.check_lang(lang) for lang in languages]
    if not out:
        raise ValueError("no language given: use languages=['vi', 'en'] (or one of them)")
    return out


def heading(text: str, level: int = 2) -> dict:
    return {"kind": "heading", "level": level, "text": text}


def paragraph(text: str) -> dict:
    return {"kind": "paragraph", "text": text}


def note(text: str) -> dict:
    return {"kind": "note", "text": text}


def bullet_list(items: list[str]) -> dict:
    return {"kind": "list", "items": list(items)}


def table(name: str, title: str, columns: list[str], rows: list[list[str]], *,
          data_columns: list[str], data_rows: list[list], highlight: int | None = None) -> dict:
    return {"kind": "table", "name": name, "title": title, "columns": columns,
            "rows": [[str(v) for v in r] for r in rows], "highlight": highlight,
            "data": {"columns": data_columns, "rows": [[_json(v) for v in r] for r in data_rows]}}


def _index_name(method, lang: str) -> str:
    key = f"index_names.{method.id}"
    return i18n.t(key if key in i18n.catalogue(lang) else "index_names.default", lang)


def _unit_noun(units: list[register.Locality], level: str, lang: str) -> str:
    """The peer group in words: "xã, phường" / "communes and wards", from the unit types present."""
    keys = []
    for u in units:
        key = f"units.{level}.{slug(u.unit_type).replace('-', '_') or 'other'}"
        if key not in i18n.catalogue(lang):
            key = f"units.{level}.other" if f"units.{level}.other" in i18n.catalogue(lang) \
                else "units.other"
        if key not in keys:
            keys.append(key)
    order = list(i18n.catalogue(lang))  # catalogue order: the order units are usually listed
    keys.sort(key=order.index)
    words = [i18n.t(k, lang) for k in keys] or [i18n.t("units.other", lang)]
    if len(words) == 1:
        return words[0]
    return i18n.t("words.unit_list", lang, head=", ".join(words[:-1]), last=words[-1])


def _place(unit: register.Locality, lang: str) -> str:
    """A unit's name inside a sentence: "tỉnh Nghệ An" (the unit type is lower case in running
    Vietnamese text) / "Nghệ An"."""
    if lang == "en":
        return unit.short_name or unit.name
    return f"{unit.unit_type.lower()} {unit.short_name}" if unit.unit_type else unit.name


def _parent_phrase(parent: register.Locality | None, lang: str) -> str:
    if parent is None:
        return i18n.t("lead.nationwide", lang)
    return i18n.t("lead.in_parent", lang, parent=_place(parent, lang))


def _peer_group(unit: register.Locality, period: Quarter, lang: str) -> str:
    parent = register.get(unit.parent_code, period) if unit.parent_code else None
    return i18n.t("lead.peer_group", lang, units=_unit_noun(peers_of(unit, period), unit.level,
                                                            lang),
                  where=_parent_phrase(parent, lang))


def _classification(row: dict, method, lang: str) -> str:
    value = row.get("classification_vi" if lang == "vi" else "classification")
    if isinstance(value, str) and value:
        return value
    band = method.classify(_num(row.get("index")))
    return band.label[lang] if band else formatting.MISSING[lang]


def merger_date(lang: str) -> str:
    """The day the 2025 merger took effect: "1/7/2025" / "1 July 2025"."""
    day = MERGER_QUARTER.start
    return format_date(day, "d/M/yyyy" if lang == "vi" else "d MMMM yyyy",
                       locale=formatting.LOCALES[lang])


def _tick(q: Quarter, lang: str) -> str:
    """Two-line axis label: "Quý III" over "2026" / "Q3" over "2026"."""
    text = q.label(lang)
    sep = "/" if lang == "vi" else " "
    head, _, year = text.rpartition(sep)
    return f"{head}\n{year}"


def _pp(value, lang: str) -> str:
    """A change of a rate, in percentage points."""
    if _num(value) is None:
        return formatting.MISSING[lang]
    return i18n.t("figures.change_pp", lang, change=formatting.change(value, lang))


def _signed_points(value, lang: str) -> str:
    """An index change with the two decimals indices are published with: "+5,00", "−0,40"."""
    v = round_half_up(float(value), 2)
    sign = "+" if v > 0 else "−" if v < 0 else ""
    return sign + formatting.points(abs(v), lang)


def _cell_change(value, lang: str, rank: bool = False) -> str:
    """A change in a table cell, whose column header already names the unit."""
    if _num(value) is None:
        return formatting.MISSING[lang]
    return formatting.change(value, lang, 0) if rank else _signed_points(value, lang)


def _pts(value, lang: str) -> str:
    if _num(value) is None:
        return formatting.MISSING[lang]
    return i18n.t("figures.change_points", lang, change=_signed_points(value, lang))


def _rank_move(value, lang: str) -> str:
    v = _num(value)
    if v is None:
        return formatting.MISSING[lang]
    if v == 0:
        return i18n.t("figures.rank_same", lang)
    return i18n.t("figures.rank_up" if v > 0 else "figures.rank_down", lang,
                  places=formatting.integer(abs(v), lang))


def _methodology_param(value: str) -> str:
    """A methodology given as a file is named by its file name: reports never carry paths."""
    p = Path(str(value))
    return p.name if p.suffix in (".yaml", ".yml") else str(value)


# ----------------------------------------------------------------------------- comparisons


def _trend_row(b: Briefing, q: Quarter) -> dict | None:
    if b.trend is None or not len(b.trend) or str(q) not in set(b.trend.period):
        return None
    return b.trend[b.trend.period == str(q)].iloc[0].to_dict()


def _comparisons(b: Briefing) -> dict:
    """Index change against the previous quarter and the same quarter last year, each with
    whether the earlier index was reconstructed from pre-merger units."""
    index = _num(b.own.get("index"))
    out = {"prev": None, "prev_reconstructed": False, "year": None, "year_reconstructed": False}
    if index is None:
        return out
    change = _num(b.own.get("index_change"))
    if change is not None:
        out["prev"] = change
    else:
        row = _trend_row(b, b.period.previous())
        if row and _num(row.get("index")) is not None:
            out["prev"] = round_half_up(index - row["index"], 2)
            out["prev_reconstructed"] = bool(row.get("reconstructed"))
    if b.last_year_index is not None:
        out["year"] = round_half_up(index - b.last_year_index, 2)
        row = _trend_row(b, b.period.same_quarter_last_year())
        out["year_reconstructed"] = bool(row and row.get("reconstructed"))
    return out


def _direction(v: float) -> str:
    v = round_half_up(v, 2)
    return "up" if v > 0 else "down" if v < 0 else "same"


def _changes_text(c: dict, lang: str) -> str:
    prev, year = c["prev"], c["year"]
    if prev is None and year is None:
        return i18n.t("lead.no_comparison", lang)
    prev_text = None
    if prev is not None:
        prev_text = i18n.t(f"lead.prev.{_direction(prev)}", lang,
                           value=formatting.points(abs(prev), lang))
    if year is None:
        return prev_text
    d_year = _direction(year)
    also = prev is not None and d_year != "same" and _direction(prev) == d_year
    year_text = i18n.t(f"lead.year.{d_year}{'_also' if also else ''}", lang,
                       value=formatting.points(abs(year), lang))
    if prev_text is None:
        return i18n.t("lead.year_without_prev", lang, year=year_text)
    contrast = {_direction(prev), d_year} == {"up", "down"}
    return i18n.t("lead.both_contrast" if contrast else "lead.both", lang, prev=prev_text,
                  year=year_text)


def lead_text(b: Briefing, lang: str) -> str:
    """The lead paragraph a newspaper prints, e.g. "Quý III/2026, Xã Tân Kỳ đạt 92,62 điểm
    Chỉ số CCHC, xếp thứ 3/130 xã, phường của tỉnh Nghệ An, xếp loại Xuất sắc; tăng 1,25 điểm
    so với quý trước và 3,10 điểm so với cùng kỳ năm trước." """
    i18n.check_lang(lang)
    unit, q = b.locality, b.period
    quarter = q.label(lang)
    group = _peer_group(unit, q, lang)
    if not b.reported:
        return i18n.t("lead.not_reported", lang, quarter=quarter, name=unit.name,
                      reported=formatting.integer(len(b.scores), lang),
                      total=formatting.integer(len(peers_of(unit, q)), lang), peer_group=group)
    rank, of = int(b.own["rank"]), int(b.own["rank_of"])
    tied = int((b.scores["rank"] == rank).sum()) > 1
    rank_phrase = i18n.t("lead.rank_tied" if tied else "lead.rank", lang,
                         rank=formatting.integer(rank, lang), ordinal=i18n.ordinal(rank, lang),
                         of=formatting.integer(of, lang))
    c = _comparisons(b)
    text = i18n.t("lead.reported", lang, quarter=quarter, name=unit.name,
                  index=formatting.points(b.own["index"], lang),
                  index_name=_index_name(b.methodology, lang), rank_phrase=rank_phrase,
                  peer_group=group, classification=_classification(b.own, b.methodology, lang),
                  changes=_changes_text(c, lang))
    which = [k for k in ("prev", "year") if c[k] is not None and c[f"{k}_reconstructed"]]
    if which:
        key = "both" if len(which) == 2 else which[0]
        text += " " + i18n.t(f"lead.reconstructed.{key}", lang, merger=merger_date(lang))
    return text


# ----------------------------------------------------------------------------- briefing sections


def headline(b: Briefing, lang: str) -> list[dict]:
    """Title (locality and quarter) and the lead paragraph."""
    title = i18n.t("headline.title", lang, name=b.locality.name, quarter=b.period.label(lang),
                   index_name=_index_name(b.methodology, lang))
    return [heading(title, 1), {"kind": "lead", "text": lead_text(b, lang)}]


def _metric_value(metrics: dict, name: str):
    return _num(metrics.get(name)) if metrics else None


def _pair(figures: dict, part: str, whole: str, lang: str) -> str:
    a, w = _num(figures.get(part)), _num(figures.get(whole))
    if a is None or w is None:
        return formatting.MISSING[lang]
    return f"{formatting.integer(a, lang)}/{formatting.integer(w, lang)}"


def _diff(a, b):
    a, b = _num(a), _num(b)
    return None if a is None or b is None else a - b


def key_figures(b: Briefing, lang: str) -> list[dict]:
    """Tiles: index, rank, class, the key rates (change in percentage points) and counts."""
    blocks = [heading(i18n.t("figures.title", lang))]
    if not b.reported:
        return blocks + [paragraph(i18n.t("figures.not_reported", lang, name=b.locality.name,
                                          quarter=b.period.label(lang)))]
    q, prev_q, year_q = b.period, b.period.previous(), b.period.same_quarter_last_year()
    cur, prev, year = b.metrics.get(q, {}), b.metrics.get(prev_q, {}), b.metrics.get(year_q, {})
    fig_cur, fig_prev = b.figures.get(q, {}), b.figures.get(prev_q, {})
    c = _comparisons(b)
    tiles = [
        {"label": _index_name(b.methodology, lang),
         "value": formatting.points(b.own["index"], lang), "change": _pts(c["prev"], lang)},
        {"label": i18n.t("figures.rank", lang),
         "value": formatting.rank(b.own["rank"], b.own["rank_of"], lang),
         "change": _rank_move(b.own.get("rank_change"), lang)},
        {"label": i18n.t("figures.classification", lang),
         "value": _classification(b.own, b.methodology, lang), "change": ""},
    ]
    rows, data = [], []
    rows.append([_index_name(b.methodology, lang), formatting.points(b.own["index"], lang),
                 formatting.points(_num(b.own["index"]) - c["prev"], lang)
                 if c["prev"] is not None else formatting.MISSING[lang],
                 _pts(c["prev"], lang),
                 formatting.points(b.last_year_index, lang)])
    data.append(["index", _num(b.own["index"]),
                 None if c["prev"] is None else round_half_up(_num(b.own["index"]) - c["prev"], 2),
                 c["prev"], b.last_year_index])
    for name in KEY_METRICS:
        label = METRICS[name].labels[lang]
        value, before = _metric_value(cur, name), _metric_value(prev, name)
        change = _diff(value, before)
        tiles.append({"label": label, "value": formatting.percent(value, lang),
                      "change": _pp(change, lang)})
        rows.append([label, formatting.percent(value, lang), formatting.percent(before, lang),
                     _pp(change, lang), formatting.percent(_metric_value(year, name), lang)])
        data.append([name, value, before, None if change is None else round(change, 6),
                     _metric_value(year, name)])
    received, received_before = _num(fig_cur.get("records_received")), \
        _num(fig_prev.get("records_received"))
    change = _diff(received, received_before)
    tiles.append({"label": indicator_label("records_received", lang),
                  "value": formatting.integer(received, lang),
                  "change": formatting.MISSING[lang] if change is None
                  else formatting.change(change, lang, 0)})
    rows.append([indicator_label("records_received", lang), formatting.integer(received, lang),
                 formatting.integer(received_before, lang),
                 formatting.MISSING[lang] if change is None else formatting.change(change, lang, 0),
                 formatting.integer(_num(b.figures.get(year_q, {}).get("records_received")),
                                    lang)])
    data.append(["records_received", received, received_before, change,
                 _num(b.figures.get(year_q, {}).get("records_received"))])
    for key, part, whole in COUNT_PAIRS:
        tiles.append({"label": i18n.t(key, lang), "value": _pair(fig_cur, part, whole, lang),
                      "change": ""})
    blocks.append({"kind": "figures", "items": tiles})
    explain = "figures.explain"
    if not prev:
        explain = "figures.explain_no_previous_register" \
            if register.register_for(prev_q) != b.locality.register \
            else "figures.explain_no_previous"
    blocks.append(note(i18n.t(explain, lang, previous=prev_q.label(lang))))
    blocks.append(table(
        "key-figures", i18n.t("figures.table_title", lang, name=b.locality.name,
                              quarter=q.label(lang)),
        [i18n.t("figures.col_indicator", lang), q.label(lang), prev_q.label(lang),
         i18n.t("figures.col_change", lang), year_q.label(lang)],
        rows, data_columns=["indicator", str(q), str(prev_q), "change", str(year_q)],
        data_rows=data))
    return blocks


def scorecard(b: Briefing, lang: str) -> list[dict]:
    """Points per area against the maximum: chart and table."""
    blocks = [heading(i18n.t("scorecard.title", lang))]
    if not b.reported:
        return blocks + [paragraph(i18n.t("scorecard.not_reported", lang, name=b.locality.name))]
    method, own = b.methodology, b.own
    names = [a.name[lang] for a in method.areas]
    points = [_num(own.get(f"points_{a.id}")) or 0.0 for a in method.areas]
    maxima = [float(a.max_points) for a in method.areas]
    shares = [p / m * 100 if m else None for p, m in zip(points, maxima)]
    quarter = b.period.label(lang)
    alt = i18n.t("scorecard.alt", lang, name=b.locality.name, quarter=quarter,
                 items="; ".join(f"{n} {formatting.number(p, lang)}/{formatting.number(m, lang)}"
                                 for n, p, m in zip(names, points, maxima)))
    blocks.append(charts.scorecard(
        names, points, maxima, lang,
        title=i18n.t("scorecard.chart_title", lang, name=b.locality.name, quarter=quarter),
        alt=alt))
    rows = [[n, formatting.points(p, lang), formatting.number(m, lang), formatting.percent(s, lang)]
            for n, p, m, s in zip(names, points, maxima, shares)]
    data = [[a.id, a.name[lang], p, m, None if s is None else round(s, 6)]
            for a, p, m, s in zip(method.areas, points, maxima, shares)]
    if method.adjustments:
        adj = _num(own.get("adjustment")) or 0.0
        rows.append([i18n.t("scorecard.adjustment", lang), _signed_points(adj, lang),
                     formatting.MISSING[lang], ""])
        data.append(["adjustment", i18n.t("scorecard.adjustment", lang), adj, None, None])
    rows.append([i18n.t("scorecard.total", lang), formatting.points(own["total"], lang),
                 formatting.number(own["maximum"], lang), formatting.percent(own["index"], lang)])
    data.append(["total", i18n.t("scorecard.total", lang), _num(own["total"]),
                 _num(own["maximum"]), _num(own["index"])])
    blocks.append(table("points-by-area", i18n.t("scorecard.table_title", lang,
                                                 name=b.locality.name,
                                            quarter=quarter),
                        [i18n.t("scorecard.col_area", lang), i18n.t("scorecard.col_points", lang),
                         i18n.t("scorecard.col_max", lang), i18n.t("scorecard.col_share", lang)],
                        rows, data_columns=["area", "name", "points", "max", "share_percent"],
                        data_rows=data))
    ranked = [(s, n) for s, n in zip(shares, names) if s is not None]
    if len(ranked) > 1:
        best = max(ranked, key=lambda x: x[0])
        worst = min(ranked, key=lambda x: x[0])
        if best[0] > worst[0]:
            blocks.append(paragraph(i18n.t("scorecard.best_worst", lang, best=best[1],
                                           best_share=formatting.percent(best[0], lang),
                                           worst=worst[1],
                                           worst_share=formatting.percent(worst[0], lang))))
    return blocks


def _legacy_level(b: Briefing, periods: list[str]) -> str:
    """Which legacy level (district or commune) the data set reported before the merger."""
    level, _ = history.predecessors_for(b.dataset.figures, b.locality.code, periods[0],
                                        b.apportionment)
    return level


def trend(b: Briefing, lang: str) -> list[dict]:
    """Index and key rates over eight quarters, with the merger marked."""
    blocks = [heading(i18n.t("trend.title", lang))]
    tr = b.trend
    if tr is None or not len(tr) or tr["index"].isna().all():
        return blocks + [paragraph(i18n.t("trend.none", lang, name=b.locality.name))]
    quarters = [Quarter.parse(p) for p in tr.period]
    reconstructed = [bool(x) for x in tr["reconstructed"]]
    index_label = _index_name(b.methodology, lang)
    series = [(index_label, [_num(v) for v in tr["index"]])]
    for m in TREND_METRICS:
        values = [_num(v) for v in tr[m]] if m in tr.columns else [None] * len(tr)
        series.append((METRICS[m].labels[lang], values))
    merger_at = next((i for i, q in enumerate(quarters) if q >= MERGER_QUARTER), None) \
        if quarters[0] < MERGER_QUARTER else None
    first, last = quarters[0].label(lang), quarters[-1].label(lang)
    known = [(q, v) for q, v in zip(quarters, series[0][1]) if v is not None]
    alt = i18n.t("trend.alt", lang, name=b.locality.name, first=first, last=last,
                 index_name=index_label,
                 items="; ".join(f"{q.label(lang)} {formatting.points(v, lang)}" for q, v in known))
    blocks.append(charts.trend(
        [_tick(q, lang) for q in quarters], series, reconstructed, lang, merger_at=merger_at,
        merger_label=i18n.t("chart.merger", lang, date=merger_date(lang)),
        title=i18n.t("trend.chart_title", lang, name=b.locality.name, first=first, last=last),
        alt=alt))
    cols = [i18n.t("trend.col_quarter", lang), index_label] + \
        [METRICS[m].labels[lang] for m in TREND_METRICS] + [i18n.t("trend.col_note", lang)]
    rows, data = [], []
    for i, q in enumerate(quarters):
        values = [s[1][i] for s in series]
        rows.append([q.label(lang), formatting.points(values[0], lang)]
                    + [formatting.percent(v, lang) for v in values[1:]]
                    + [i18n.t("trend.reconstructed", lang) if reconstructed[i] else ""])
        data.append([str(q)] + [None if v is None else round(v, 6) for v in values]
                    + [reconstructed[i]])
    blocks.append(table("quarterly-trend", i18n.t("trend.table_title", lang, name=b.locality.name,
                                         first=first, last=last), cols, rows,
                        data_columns=["period", "index", *TREND_METRICS, "reconstructed"],
                        data_rows=data))
    rebuilt = [str(q) for q, r, v in zip(quarters, reconstructed, series[0][1])
               if r and v is not None]
    if rebuilt:
        blocks.append(paragraph(history.history_note(
            b.locality.code, lang, b.apportionment, _legacy_level(b, rebuilt))))
    elif any(reconstructed):
        blocks.append(paragraph(i18n.t("trend.no_history", lang,
                                       merger=MERGER_QUARTER.label(lang))))
    return blocks


def _excerpt(n: int, own: int | None) -> list[int | None]:
    """Row positions shown in the peer chart: all of them for a small group, else the top, the
    locality's neighbourhood and the bottom, with ``None`` where rows are left out."""
    if n <= PEERS_ALL_UP_TO:
        return list(range(n))
    keep = set(range(PEERS_TOP)) | set(range(n - PEERS_BOTTOM, n))
    if own is not None:
        keep |= set(range(max(own - PEERS_AROUND, 0), min(own + PEERS_AROUND + 1, n)))
    out: list[int | None] = []
    for i in sorted(keep):
        if out and out[-1] is not None and i != out[-1] + 1:
            out.append(None)
        out.append(i)
    return out


def peers(b: Briefing, lang: str) -> list[dict]:
    """The locality among its peers: ranked bars (highlighted) and a table."""
    unit, q = b.locality, b.period
    group = _unit_noun(peers_of(unit, q), unit.level, lang)
    blocks = [heading(i18n.t("peers.title", lang, units=group))]
    scores = b.scores
    if scores is None or not len(scores):
        return blocks + [paragraph(i18n.t("peers.none", lang, quarter=q.label(lang)))]
    scores = scores.sort_values(["rank", "code"], kind="stable").reset_index(drop=True)
    own_pos = int(scores.index[scores.code == unit.code][0]) if b.reported else None
    picks = _excerpt(len(scores), own_pos)
    labels, values, rows = [], [], []
    highlight = None
    for pos in picks:
        if pos is None:
            labels.append("…")
            values.append(None)
            rows.append(["…", "…", "", "", ""])
            continue
        r = scores.iloc[pos]
        if pos == own_pos:
            highlight = len(labels)
        labels.append(f"{int(r['rank'])}. {r['name']}")
        values.append(_num(r["index"]))
        rows.append([formatting.integer(r["rank"], lang), r["name"],
                     formatting.points(r["index"], lang), _classification(r.to_dict(),
                                                                         b.methodology, lang),
                     _cell_change(r.get("index_change"), lang)])
    quarter = q.label(lang)
    index_name = _index_name(b.methodology, lang)
    excerpt = len(picks) < len(scores)
    alt = i18n.t("peers.alt", lang, index_name=index_name, units=group, quarter=quarter,
                 count=formatting.integer(len(scores), lang),
                 items="; ".join(f"{label} {formatting.points(v, lang)}"
                                 for label, v in zip(labels, values) if v is not None))
    title = i18n.t("peers.chart_title_excerpt" if excerpt else "peers.chart_title", lang,
                   index_name=index_name, units=group, quarter=quarter)
    blocks.append(charts.peers(labels, values, lang, highlight=highlight, title=title, alt=alt))
    data = [[int(r["rank"]), r["code"], r["name"], _num(r["index"]),
             r["classification_vi"] if lang == "vi" else r["classification"],
             _num(r.get("index_change")), _num(r.get("rank_change"))]
            for _, r in scores.iterrows()]
    blocks.append(table(
        "peer-ranking", i18n.t("peers.table_title_excerpt" if excerpt else "peers.table_title",
                               lang,
                        units=group, quarter=quarter),
        [i18n.t("peers.col_rank", lang), i18n.t("peers.col_name", lang), index_name,
         i18n.t("peers.col_class", lang), i18n.t("peers.col_change", lang)], rows,
        data_columns=["rank", "code", "name", "index", "classification", "index_change",
                      "rank_change"], data_rows=data, highlight=highlight))
    idx = scores["index"].astype("float64")
    stats = {"mean": formatting.points(round_half_up(float(idx.mean()), 2), lang),
                 "top": formatting.points(float(idx.max()), lang),
                 "bottom": formatting.points(float(idx.min()), lang), "units": group,
                 "count": formatting.integer(len(scores), lang)}
    if b.reported:
        blocks.append(paragraph(i18n.t("peers.summary", lang, name=unit.name,
                                       rank=formatting.rank(b.own["rank"], b.own["rank_of"], lang),
                                       **stats)))
    else:
        blocks.append(paragraph(i18n.t("peers.not_ranked", lang, name=unit.name, **stats)))
    return blocks


def shortcomings(b: Briefing, lang: str) -> list[dict]:
    """Shortcomings found by the rules (tồn tại, hạn chế) and recommendations (kiến nghị)."""
    blocks = [heading(i18n.t("shortcomings.title", lang))]
    quarter = b.period.label(lang)
    if not b.reported:
        return blocks + [paragraph(i18n.t("shortcomings.not_reported", lang, name=b.locality.name,
                                          quarter=quarter))]
    found = briefing_findings(b, lang)
    if not found:
        return blocks + [paragraph(i18n.t("shortcomings.none", lang, name=b.locality.name,
                                          quarter=quarter))]
    blocks.append(paragraph(i18n.t("shortcomings.intro", lang, name=b.locality.name,
                                   quarter=quarter)))
    blocks.append(bullet_list([f.text for f in found]))
    blocks.append(paragraph(i18n.t("shortcomings.recommendations", lang)))
    blocks.append(bullet_list(list(dict.fromkeys(f.recommendation for f in found))))
    return blocks


def _sources(ds, codes: set[str], periods: set[str]) -> list[str]:
    out = []
    for frame in (ds.figures, ds.appraisal):
        if frame is None or not len(frame) or "source" not in frame.columns:
            continue
        sel = frame[frame.locality_code.isin(codes) & frame.period.isin(periods)]
        out += [s for s in sel.source.dropna().astype(str) if s.strip()]
    return sorted(set(out))


def _method_notes(method, lang: str) -> list[dict]:
    out = [note(i18n.t("notes.methodology", lang, title=method.title[lang], id=method.id,
                       version=method.version, basis=str(method.basis).strip().rstrip(".")))]
    # The assumptions themselves are listed in the methodology file and its README; a briefing
    # says how many there are and where to read them.
    if getattr(method, "assumptions", ()):
        out.append(note(i18n.t("notes.assumptions", lang,
                               count=formatting.integer(len(method.assumptions), lang),
                               file=f"{method.id}.yaml")))
    return out


def _provenance(ds, method, parameters: dict, lang: str) -> dict:
    params = ", ".join(f"{k}={_methodology_param(v) if k == 'methodology' else v}"
                       for k, v in parameters.items())
    return note(i18n.t("notes.provenance", lang, data=ds.checksum[:12], methodology=method.id,
                       methodology_checksum=(method.checksum or "")[:12], version=__version__,
                       parameters=params))


def _unit_list(units: list[register.Locality]) -> str:
    return ", ".join(f"{u.name} ({u.code})" for u in units)


def data_notes(b: Briefing, lang: str) -> list[dict]:
    """Sources, missing figures, peers that did not report, methodology and provenance."""
    blocks = [heading(i18n.t("notes.title", lang))]
    quarter = b.period.label(lang)
    sources = _sources(b.dataset, {b.locality.code}, {str(b.period)})
    if sources:
        blocks.append(note(i18n.t("notes.sources", lang, sources="; ".join(sources))))
    if not b.reported:
        blocks.append(note(i18n.t("notes.not_reported", lang, name=b.locality.name,
                                  quarter=quarter)))
    if b.missing_figures:
        blocks.append(note(i18n.t("notes.missing_figures", lang,
                                  count=formatting.integer(len(b.missing_figures), lang),
                                  items="; ".join(indicator_label(n, lang)
                                                  for n in b.missing_figures))))
    if b.points is not None and len(b.points) and "missing" in b.points.columns:
        missing = b.points[b.points.missing.astype(bool)]
        if len(missing):
            col = "name_vi" if lang == "vi" else "name_en"
            blocks.append(note(i18n.t("notes.missing_criteria", lang,
                                      count=formatting.integer(len(missing), lang),
                                      items="; ".join(missing[col].astype(str)))))
    if b.peers_not_reported:
        others = [u for u in b.peers_not_reported if u.code != b.locality.code]
        if others:
            blocks.append(note(i18n.t("notes.peers_not_reported", lang, quarter=quarter,
                                      count=formatting.integer(len(others), lang),
                                      items=_unit_list(others))))
    blocks += _method_notes(b.methodology, lang)
    blocks.append(_provenance(b.dataset, b.methodology, b.parameters, lang))
    return blocks


# ----------------------------------------------------------------------------- display


def show(section_fn, report, languages=("vi", "en")) -> None:
    """Display one section in each language, every output tagged with language and section."""
    for lang in _languages(languages):
        display.show_blocks(section_fn(report, lang), lang, section_fn.__name__)


def summary_data(b: Briefing) -> dict:
    """The language-neutral summary of a briefing (read by batch manifests and the index)."""
    own = b.own if b.reported else {}
    rank, of = _num(own.get("rank")), _num(own.get("rank_of"))
    return {
        "kind": "briefing",
        "locality_code": b.locality.code,
        "locality_name": b.locality.name,
        "period": str(b.period),
        "methodology": b.methodology.id,
        "reported": bool(b.reported),
        "index": _num(own.get("index")),
        "rank": None if rank is None else int(rank),
        "rank_of": None if of is None else int(of),
        "classification": ({"vi": _classification(own, b.methodology, "vi"),
                            "en": _classification(own, b.methodology, "en")}
                           if b.reported else None),
        "lead": {lang: lead_text(b, lang) for lang in i18n.LANGS},
        "data_checksum": b.dataset.checksum,
        "parbrief_version": __version__,
    }


def summary(b: Briefing) -> None:
    """Display the briefing's language-neutral summary output."""
    data = summary_data(b)
    display.show_summary(data, data["lead"]["en"])


# ----------------------------------------------------------------------------- overview


def _ov_units(o) -> list[register.Locality]:
    return register.children(o.province.code, o.period, level=o.level)


def _ov_group(o, lang: str) -> str:
    return i18n.t("lead.peer_group", lang, units=_unit_noun(_ov_units(o), o.level, lang),
                  where=_parent_phrase(o.province, lang))


def _ov_scores(o) -> pd.DataFrame:
    s = o.scores
    if s is None or not len(s):
        return pd.DataFrame()
    return s.sort_values(["rank", "code"], kind="stable").reset_index(drop=True)


def _class_counts(o, lang: str) -> pd.DataFrame:
    """Localities per class, best first (the band order of the methodology)."""
    labels = [band.label[lang] for band in o.methodology.bands]
    s = _ov_scores(o)
    col = "classification_vi" if lang == "vi" else "classification"
    counts = s[col].value_counts() if len(s) else pd.Series(dtype="int64")
    return pd.DataFrame({"classification": labels,
                         "localities": [int(counts.get(lbl, 0)) for lbl in labels]})


def overview_lead_text(o, lang: str) -> str:
    i18n.check_lang(lang)
    s = _ov_scores(o)
    quarter = o.period.label(lang)
    total = len(_ov_units(o))
    group = _ov_group(o, lang)
    if not len(s):
        return i18n.t("overview.lead_none", lang, quarter=quarter, peer_group=group,
                      total=formatting.integer(total, lang))
    idx = s["index"].astype("float64")
    top = s[s["rank"] == s["rank"].min()]
    bottom = s[s["rank"] == s["rank"].max()]
    counts = _class_counts(o, lang)
    return i18n.t("overview.lead", lang, quarter=quarter, peer_group=group,
                  reported=formatting.integer(len(s), lang), total=formatting.integer(total, lang),
                  index_name=_index_name(o.methodology, lang),
                  mean=formatting.points(round_half_up(float(idx.mean()), 2), lang),
                  top=i18n.join(list(top.name), lang),
                  top_index=formatting.points(top["index"].iloc[0], lang),
                  bottom=i18n.join(list(bottom.name), lang),
                  bottom_index=formatting.points(bottom["index"].iloc[0], lang),
                  classes=_classes_text(counts, lang))


def _classes_text(counts: pd.DataFrame, lang: str) -> str:
    """How many reached the top class, or, when none did, the best class anyone reached."""
    counts = counts.reset_index(drop=True)
    top_label, top_count = counts.classification.iloc[0], int(counts.localities.iloc[0])
    if top_count:
        return i18n.t("overview.classes_top", lang, count=formatting.integer(top_count, lang),
                      band=top_label)
    reached = counts[counts.localities > 0]
    if not len(reached):
        return ""
    empty = list(counts.classification.iloc[:reached.index[0]])
    top = empty[0] if len(empty) == 1 else i18n.t(
        "words.or_list", lang, head=", ".join(empty[:-1]), last=empty[-1])
    return i18n.t("overview.classes_none_top", lang, top=top,
                  count=formatting.integer(int(reached.localities.iloc[0]), lang),
                  band=reached.classification.iloc[0])


def overview_headline(o, lang: str) -> list[dict]:
    title = i18n.t("overview.title", lang, province=o.province.name, quarter=o.period.label(lang),
                   index_name=_index_name(o.methodology, lang))
    return [heading(title, 1), {"kind": "lead", "text": overview_lead_text(o, lang)}]


def province_key_figures(o, lang: str) -> list[dict]:
    blocks = [heading(i18n.t("overview.figures_title", lang))]
    s = _ov_scores(o)
    total = len(_ov_units(o))
    tiles = [{"label": i18n.t("overview.reporting", lang),
              "value": f"{formatting.integer(len(s), lang)}/{formatting.integer(total, lang)}",
              "change": ""}]
    if len(s):
        idx = s["index"].astype("float64")
        mean_change = s["index_change"].astype("float64").dropna()
        tiles += [
            {"label": i18n.t("overview.mean_index", lang),
             "value": formatting.points(round_half_up(float(idx.mean()), 2), lang),
             "change": _pts(round_half_up(float(mean_change.mean()), 2), lang)
             if len(mean_change) else formatting.MISSING[lang]},
            {"label": i18n.t("overview.highest", lang), "value": formatting.points(idx.max(), lang),
             "change": s["name"].iloc[0]},
            {"label": i18n.t("overview.lowest", lang), "value": formatting.points(idx.min(), lang),
             "change": s["name"].iloc[-1]},
        ]
    rows, data = [], []
    for name in KEY_METRICS:
        label = METRICS[name].labels[lang]
        value, before = _metric_value(o.metrics, name), _metric_value(o.previous_metrics, name)
        change = _diff(value, before)
        tiles.append({"label": label, "value": formatting.percent(value, lang),
                      "change": _pp(change, lang)})
        rows.append([label, formatting.percent(value, lang), formatting.percent(before, lang),
                     _pp(change, lang)])
        data.append([name, value, before, None if change is None else round(change, 6)])
    figs = o.figures or {}
    tiles.append({"label": indicator_label("records_received", lang),
                  "value": formatting.integer(_num(figs.get("records_received")), lang),
                  "change": ""})
    # province totals are too long for an "x/y" tile: the part is the value, the whole below it
    for key, part, whole in COUNT_PAIRS[:2]:
        total = _num(figs.get(whole))
        tiles.append({"label": i18n.t(key, lang),
                      "value": formatting.integer(_num(figs.get(part)), lang),
                      "change": "" if total is None else i18n.t(
                          "overview.of_total", lang, total=formatting.integer(total, lang))})
    blocks.append({"kind": "figures", "items": tiles})
    prev_q = o.period.previous()
    blocks.append(note(i18n.t("overview.figures_explain", lang, previous=prev_q.label(lang))))
    blocks.append(table(
        "province-key-figures", i18n.t("overview.figures_table_title", lang,
                                       province=_place(o.province, lang),
                                       quarter=o.period.label(lang)),
        [i18n.t("figures.col_indicator", lang), o.period.label(lang), prev_q.label(lang),
         i18n.t("figures.col_change", lang)], rows,
        data_columns=["indicator", str(o.period), str(prev_q), "change"], data_rows=data))
    return blocks


def league_table(o, lang: str) -> list[dict]:
    blocks = [heading(i18n.t("overview.league_title", lang))]
    s = _ov_scores(o)
    if not len(s):
        return blocks + [paragraph(i18n.t("overview.nobody", lang, quarter=o.period.label(lang)))]
    index_name = _index_name(o.methodology, lang)
    rows, data = [], []
    for _, r in s.iterrows():
        row = r.to_dict()
        rows.append([formatting.integer(row["rank"], lang), row["name"], row["code"],
                     formatting.points(row["index"], lang),
                     _classification(row, o.methodology, lang),
                     _cell_change(row.get("index_change"), lang),
                     _cell_change(row.get("rank_change"), lang, rank=True)])
        data.append([int(row["rank"]), row["code"], row["name"], _num(row["index"]),
                     _classification(row, o.methodology, lang), _num(row.get("index_change")),
                     _num(row.get("rank_change"))])
    blocks.append(table(
        "league-table", i18n.t("overview.league_table_title", lang, units=_ov_group(o, lang),
                               quarter=o.period.label(lang)),
        [i18n.t("peers.col_rank", lang), i18n.t("peers.col_name", lang),
         i18n.t("overview.col_code", lang), index_name, i18n.t("peers.col_class", lang),
         i18n.t("peers.col_change", lang), i18n.t("overview.col_rank_change", lang)], rows,
        data_columns=["rank", "code", "name", "index", "classification", "index_change",
                      "rank_change"], data_rows=data))
    return blocks


def class_distribution(o, lang: str) -> list[dict]:
    blocks = [heading(i18n.t("overview.classes_title", lang))]
    counts = _class_counts(o, lang)
    total = int(counts.localities.sum())
    if not total:
        return blocks + [paragraph(i18n.t("overview.nobody", lang, quarter=o.period.label(lang)))]
    quarter = o.period.label(lang)
    labels, n = list(counts.classification), [int(x) for x in counts.localities]
    alt = i18n.t("overview.classes_alt", lang, quarter=quarter,
                 items="; ".join(f"{lbl} {formatting.integer(c, lang)}"
                                 for lbl, c in zip(labels, n)))
    blocks.append(charts.class_distribution(
        labels, n, lang, title=i18n.t("overview.classes_chart_title", lang,
                                      province=_place(o.province, lang), quarter=quarter), alt=alt))
    bands = o.methodology.bands
    rows = [[lbl, formatting.number(band.min, lang), formatting.integer(c, lang),
             formatting.percent(c / total * 100, lang)] for lbl, band, c in zip(labels, bands, n)]
    data = [[lbl, float(band.min), c, round(c / total * 100, 6)]
            for lbl, band, c in zip(labels, bands, n)]
    blocks.append(table("localities-by-class",
                        i18n.t("overview.classes_table_title", lang, quarter=quarter),
                        [i18n.t("peers.col_class", lang), i18n.t("overview.col_from", lang),
                         i18n.t("overview.col_localities", lang),
                         i18n.t("overview.col_share", lang)], rows,
                        data_columns=["classification", "min_index", "localities", "share_percent"],
                        data_rows=data))
    return blocks


def biggest_movers(o, lang: str) -> list[dict]:
    blocks = [heading(i18n.t("overview.movers_title", lang))]
    s = _ov_scores(o)
    if not len(s) or s["index_change"].isna().all():
        key = "overview.movers_merger" if register.register_for(o.period.previous()) != \
            register.register_for(o.period) else "overview.movers_none"
        return blocks + [paragraph(i18n.t(key, lang, previous=o.period.previous().label(lang)))]
    moved = s.dropna(subset=["index_change"])
    up = moved[moved.index_change > 0].sort_values(["index_change", "code"],
                                                    ascending=[False, True]).head(5)
    down = moved[moved.index_change < 0].sort_values(["index_change", "code"]).head(5)
    both = pd.concat([up, down.iloc[::-1]])
    if not len(both):
        return blocks + [paragraph(i18n.t("overview.movers_flat", lang))]
    quarter = o.period.label(lang)
    labels = list(both["name"])
    changes = [float(x) for x in both["index_change"]]
    alt = i18n.t("overview.movers_alt", lang, quarter=quarter,
                 items="; ".join(f"{n} {_signed_points(c, lang)}" for n, c in zip(labels, changes)))
    blocks.append(charts.movers(labels, changes, lang,
                                title=i18n.t("overview.movers_chart_title", lang, quarter=quarter,
                                             previous=o.period.previous().label(lang)), alt=alt))
    rows, data = [], []
    for _, r in both.iterrows():
        row = r.to_dict()
        rows.append([row["name"], formatting.points(row["index"], lang),
                     _cell_change(row["index_change"], lang),
                     formatting.rank(row["rank"], row["rank_of"], lang),
                     _cell_change(row.get("rank_change"), lang, rank=True)])
        data.append([row["code"], row["name"], _num(row["index"]), _num(row["index_change"]),
                     int(row["rank"]), _num(row.get("rank_change"))])
    blocks.append(table("largest-changes",
                        i18n.t("overview.movers_table_title", lang, quarter=quarter),
                        [i18n.t("peers.col_name", lang), _index_name(o.methodology, lang),
                         i18n.t("peers.col_change", lang), i18n.t("peers.col_rank", lang),
                         i18n.t("overview.col_rank_change", lang)], rows,
                        data_columns=["code", "name", "index", "index_change", "rank",
                                      "rank_change"], data_rows=data))
    return blocks


def dot_map(o, lang: str) -> list[dict]:
    blocks = [heading(i18n.t("overview.map_title", lang))]
    s = _ov_scores(o)
    if not len(s) or "lat" not in s.columns:
        return blocks + [paragraph(i18n.t("overview.nobody", lang, quarter=o.period.label(lang)))]
    placed = s[s.lat.notna() & s.lon.notna()].reset_index(drop=True)
    if not len(placed):
        return blocks + [paragraph(i18n.t("overview.map_no_coordinates", lang))]
    names = {}
    for pos in list(range(min(MAP_LABELS, len(placed)))) + \
            list(range(max(len(placed) - MAP_LABELS, 0), len(placed))):
        r = placed.iloc[pos]
        names[pos] = f"{r['name']} ({formatting.points(r['index'], lang)})"
    missing = [(u.lon, u.lat) for u in o.not_reported if u.lat is not None and u.lon is not None]
    quarter = o.period.label(lang)
    top = [placed.iloc[i]["name"] for i in range(min(MAP_LABELS, len(placed)))]
    bottom = [placed.iloc[i]["name"] for i in range(max(len(placed) - MAP_LABELS, 0),
                                                    len(placed))]
    alt = i18n.t("overview.map_alt", lang, units=_ov_group(o, lang), quarter=quarter,
                 index_name=_index_name(o.methodology, lang), top=i18n.join(top, lang),
                 bottom=i18n.join(bottom, lang))
    blocks.append(charts.dot_map(
        [float(x) for x in placed.lon], [float(x) for x in placed.lat],
        [float(x) for x in placed["index"]], names, lang, missing=missing,
        title=i18n.t("overview.map_chart_title", lang, province=_place(o.province, lang),
                     quarter=quarter,
                     index_name=_index_name(o.methodology, lang)), alt=alt))
    blocks.append(paragraph(i18n.t("overview.map_text", lang, top=i18n.join(top, lang),
                                   bottom=i18n.join(bottom, lang))))
    return blocks


def overview_notes(o, lang: str) -> list[dict]:
    blocks = [heading(i18n.t("notes.title", lang))]
    quarter = o.period.label(lang)
    codes = {u.code for u in _ov_units(o)}
    sources = _sources(o.dataset, codes, {str(o.period)})
    if sources:
        blocks.append(note(i18n.t("notes.sources", lang, sources="; ".join(sources))))
    if o.not_reported:
        blocks.append(note(i18n.t("notes.peers_not_reported", lang, quarter=quarter,
                                  count=formatting.integer(len(o.not_reported), lang),
                                  items=_unit_list(o.not_reported))))
    blocks.append(note(i18n.t("overview.totals_note", lang)))
    blocks += _method_notes(o.methodology, lang)
    blocks.append(_provenance(o.dataset, o.methodology, o.parameters, lang))
    return blocks


def overview_summary_data(o) -> dict:
    s = _ov_scores(o)
    return {
        "kind": "overview",
        "locality_code": o.province.code,
        "locality_name": o.province.name,
        "period": str(o.period),
        "methodology": o.methodology.id,
        "reported": len(s),
        "index": round_half_up(float(s["index"].astype("float64").mean()), 2) if len(s) else None,
        "rank": None,
        "rank_of": len(s) if len(s) else None,
        "classification": None,
        "lead": {lang: overview_lead_text(o, lang) for lang in i18n.LANGS},
        "data_checksum": o.dataset.checksum,
        "parbrief_version": __version__,
    }


def overview_summary(o) -> None:
    data = overview_summary_data(o)
    display.show_summary(data, data["lead"]["en"])


__all__ = [
    "BRIEFING_SECTIONS",
    "OVERVIEW_SECTIONS",
    "biggest_movers",
    "class_distribution",
    "data_notes",
    "dot_map",
    "headline",
    "key_figures",
    "lead_text",
    "league_table",
    "overview_headline",
    "overview_lead_text",
    "overview_notes",
    "overview_summary",
    "overview_summary_data",
    "peers",
    "province_key_figures",
    "scorecard",
    "shortcomings",
    "show",
    "summary",
    "summary_data",
    "trend",
]
