"""The sections of a briefing, as display blocks in one language: headline, key figures,
scorecard, trend, peers, shortcomings, data notes; and the briefing's summary."""

from __future__ import annotations

from parbrief import __version__
from parbrief.core import formatting, i18n
from parbrief.core.catalogue import label as indicator_label
from parbrief.core.periods import MERGER_QUARTER, Quarter
from parbrief.model.briefing import (
    KEY_METRICS,
    TREND_METRICS,
    TREND_QUARTERS,
    Briefing,
    briefing_findings,
)
from parbrief.model.news import UnitNews
from parbrief.model.sources import peers_of
from parbrief.present import charts, display
from parbrief.present.blocks import bullet_list, heading, note, number_or_none, paragraph, table
from parbrief.present.news_wording import (
    CHANGE_OPENINGS,
    briefing_opening,
    class_clause,
    lead_history,
    rank_clause,
    rank_text,
    sentence_case,
)
from parbrief.present.news_wording import headline_text as news_headline
from parbrief.present.wording import (
    COUNT_PAIRS,
    cell_change,
    change_points,
    change_pp,
    chart_source,
    classification_label,
    difference,
    index_label,
    merger_date,
    methodology_notes,
    metric_value,
    peer_group_phrase,
    place_name,
    provenance_note,
    quarter_tick,
    rank_move,
    signed_points,
    source_lines,
    unit_list,
    unit_noun,
)
from parbrief.scoring.metrics import METRICS, round_half_up
from parbrief.units import history, register

PEERS_TOP, PEERS_AROUND, PEERS_BOTTOM = 5, 3, 3
PEERS_ALL_UP_TO = 20  # up to this many peers the chart shows them all; beyond, an excerpt


def _trend_row(b: Briefing, q: Quarter) -> dict | None:
    if b.trend is None or not len(b.trend) or str(q) not in set(b.trend.period):
        return None
    return b.trend[b.trend.period == str(q)].iloc[0].to_dict()


def _comparisons(b: Briefing) -> dict:
    """Index change against the previous quarter and the same quarter last year, each with
    whether the earlier index was reconstructed from pre-merger units."""
    index = number_or_none(b.own.get("index"))
    out = {"prev": None, "prev_reconstructed": False, "year": None, "year_reconstructed": False}
    if index is None:
        return out
    change = number_or_none(b.own.get("index_change"))
    if change is not None:
        out["prev"] = change
    else:
        row = _trend_row(b, b.period.previous())
        if row and number_or_none(row.get("index")) is not None:
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


def _house_name(b: Briefing, lang: str) -> str:
    return place_name(b.locality, lang)


def lead_text(b: Briefing, lang: str) -> str:
    """The lead paragraph a newspaper prints, opening on the news (rules:
    ``resources/news.yaml``), e.g. "Quế Phong commune posted the largest rise among the
    communes and wards in Nghệ An province on the PAR index in Q3 2026, gaining 8.39 points
    to 86.24, climbing 37 places to 52nd out of 129 and moving up from fair to good." Then the
    comparison with the same quarter last year, the rank in earlier quarters, and whether an
    earlier index is reconstructed from pre-merger units."""
    i18n.check_lang(lang)
    unit, q = b.locality, b.period
    quarter = q.label(lang)
    group = peer_group_phrase(unit, q, lang)
    name = _house_name(b, lang)
    if not b.reported:
        return sentence_case(i18n.t(
            "lead.not_reported", lang, quarter=quarter, name=name,
            reported=formatting.integer(len(b.scores), lang),
            total=formatting.integer(len(peers_of(unit, q)), lang), peer_group=group))
    news = b.news or UnitNews(movement={})
    opening = briefing_opening(news)
    c = _comparisons(b)
    rank, of = int(b.own["rank"]), int(b.own["rank_of"])
    tied = int((b.scores["rank"] == rank).sum()) > 1
    index = formatting.points(b.own["index"], lang)
    values = {"name": name, "peer_group": group, "index_name": index_label(b.methodology, lang),
              "quarter": quarter, "index": index, "position": ""}
    if opening in CHANGE_OPENINGS:
        values["change"] = formatting.points(abs(news.index_change), lang)
        if opening in ("rise", "fall"):
            position = news.rise_position if opening == "rise" else news.fall_position
            key = f"news.position.{position}"
            values["position"] = i18n.t(key, lang) if key in i18n.catalogue(lang) \
                else i18n.ordinal(position, lang)
    clauses = []
    if opening not in ("first", "first_tied") or (news.rank_change or 0) > 0:
        ranked = rank_text(rank, of, lang, tied=tied,
                           peer_group=group if opening == "score" else None)
        clauses.append(rank_clause(news, ranked, lang))
    clauses.append(class_clause(news, classification_label(b.own, b.methodology, lang), lang))
    sentences = [sentence_case(i18n.t("news.lead", lang, opening=i18n.t(
        f"news.opening.{opening}", lang, **values), clauses=i18n.join(clauses, lang)))]
    if opening in CHANGE_OPENINGS:
        if c["year"] is not None:
            sentences.append(i18n.t(f"news.year.{_direction(c['year'])}", lang,
                                    value=formatting.points(abs(c["year"]), lang)))
    elif c["prev"] is not None or c["year"] is not None:
        sentences.append(i18n.t("news.changes", lang, changes=_changes_text(c, lang)))
    history = lead_history(news, q, lang)
    if history:
        sentences.append(history)
    which = [k for k in ("prev", "year") if c[k] is not None and c[f"{k}_reconstructed"]]
    if which:
        key = "both" if len(which) == 2 else which[0]
        sentences.append(i18n.t(f"lead.reconstructed.{key}", lang, merger=merger_date(lang)))
    return " ".join(sentences)


def headline_text(b: Briefing, lang: str) -> str:
    """The news headline above the lead ("Quế Phong commune posts the largest rise in Nghệ An
    province, climbs 37 places, moves up to good"); empty for a unit that did not report."""
    if not b.reported:
        return ""
    news = b.news or UnitNews(movement={})
    parent = b.parent
    where = place_name(parent, lang) if parent else i18n.t("lead.nationwide", lang)
    rank = rank_text(int(b.own["rank"]), int(b.own["rank_of"]), lang)
    return news_headline(news, briefing_opening(news), name=_house_name(b, lang), where=where,
                         index_name=index_label(b.methodology, lang), rank=rank,
                         current_class=classification_label(b.own, b.methodology, lang),
                         lang=lang)


def headline(b: Briefing, lang: str) -> list[dict]:
    """Title (locality and quarter), the news headline and the lead paragraph."""
    title = i18n.t("headline.title", lang, name=sentence_case(_house_name(b, lang)),
                   quarter=b.period.label(lang), index_name=index_label(b.methodology, lang))
    blocks = [heading(title, 1)]
    news_line = headline_text(b, lang)
    if news_line:
        blocks.append({"kind": "paragraph", "role": "headline", "text": news_line})
    return blocks + [{"kind": "lead", "text": lead_text(b, lang)}]


def rank_history(b: Briefing, lang: str) -> list[dict]:
    """Rank over the last quarters and the same quarter of earlier years: index, rank, class."""
    title = i18n.t("news.history_title", lang)
    name = sentence_case(_house_name(b, lang))
    history = (b.news.history if b.news else []) or []
    shown = [p for p in history if p.rank is not None or p.period == b.period]
    blocks = [heading(title)]
    if len([p for p in shown if p.rank is not None]) < 2:
        blocks.append(paragraph(i18n.t("news.history_none", lang, name=name)))
    if shown and len([p for p in shown if p.rank is not None]) >= 1:
        first, last = shown[0].period.label(lang), shown[-1].period.label(lang)
        rows, data = [], []
        for p in reversed(shown):  # newest first, as a league table is read
            label = (p.classification or {}).get(lang) if p.classification else None
            rows.append([p.period.label(lang), formatting.points(p.index, lang),
                         formatting.rank(p.rank, p.rank_of, lang) if p.rank is not None
                         else i18n.t("news.history_not_reported", lang),
                         label or formatting.MISSING[lang]])
            data.append([str(p.period), p.index, p.rank, p.rank_of, label])
        blocks.append(table(
            "rank-history", i18n.t("news.history_table_title", lang, name=name, first=first,
                                   last=last),
            [i18n.t("news.history_col_quarter", lang), index_label(b.methodology, lang),
             i18n.t("news.history_col_rank", lang), i18n.t("peers.col_class", lang)],
            rows, data_columns=["period", "index", "rank", "rank_of", "classification"],
            data_rows=data, highlight=0))
    earliest = min((p.period for p in history), default=b.period)
    if b.locality.register == register.REG_2025 and \
            b.period.previous(TREND_QUARTERS - 1) < MERGER_QUARTER <= earliest:
        blocks.append(note(i18n.t("news.history_merger", lang, name=name,
                                  merger=merger_date(lang),
                                  first=MERGER_QUARTER.label(lang))))
    return blocks


def _pair(figures: dict, part: str, whole: str, lang: str) -> str:
    a, w = number_or_none(figures.get(part)), number_or_none(figures.get(whole))
    if a is None or w is None:
        return formatting.MISSING[lang]
    return f"{formatting.integer(a, lang)}/{formatting.integer(w, lang)}"


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
        {"label": index_label(b.methodology, lang),
         "value": formatting.points(b.own["index"], lang), "change": change_points(c["prev"], lang)},
        {"label": i18n.t("figures.rank", lang),
         "value": formatting.rank(b.own["rank"], b.own["rank_of"], lang),
         "change": rank_move(b.own.get("rank_change"), lang)},
        {"label": i18n.t("figures.classification", lang),
         "value": classification_label(b.own, b.methodology, lang), "change": ""},
    ]
    rows, data = [], []
    rows.append([index_label(b.methodology, lang), formatting.points(b.own["index"], lang),
                 formatting.points(number_or_none(b.own["index"]) - c["prev"], lang)
                 if c["prev"] is not None else formatting.MISSING[lang],
                 change_points(c["prev"], lang),
                 formatting.points(b.last_year_index, lang)])
    data.append(["index", number_or_none(b.own["index"]),
                 None if c["prev"] is None else round_half_up(number_or_none(b.own["index"]) - c["prev"], 2),
                 c["prev"], b.last_year_index])
    for name in KEY_METRICS:
        label = METRICS[name].labels[lang]
        value, before = metric_value(cur, name), metric_value(prev, name)
        change = difference(value, before)
        tiles.append({"label": label, "value": formatting.percent(value, lang),
                      "change": change_pp(change, lang)})
        rows.append([label, formatting.percent(value, lang), formatting.percent(before, lang),
                     change_pp(change, lang), formatting.percent(metric_value(year, name), lang)])
        data.append([name, value, before, None if change is None else round(change, 6),
                     metric_value(year, name)])
    received, received_before = number_or_none(fig_cur.get("records_received")), \
        number_or_none(fig_prev.get("records_received"))
    change = difference(received, received_before)
    tiles.append({"label": indicator_label("records_received", lang),
                  "value": formatting.integer(received, lang),
                  "change": formatting.MISSING[lang] if change is None
                  else formatting.change(change, lang, 0)})
    rows.append([indicator_label("records_received", lang), formatting.integer(received, lang),
                 formatting.integer(received_before, lang),
                 formatting.MISSING[lang] if change is None else formatting.change(change, lang, 0),
                 formatting.integer(number_or_none(b.figures.get(year_q, {}).get("records_received")),
                                    lang)])
    data.append(["records_received", received, received_before, change,
                 number_or_none(b.figures.get(year_q, {}).get("records_received"))])
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
    points = [number_or_none(own.get(f"points_{a.id}")) or 0.0 for a in method.areas]
    maxima = [float(a.max_points) for a in method.areas]
    shares = [p / m * 100 if m else None for p, m in zip(points, maxima)]
    quarter = b.period.label(lang)
    alt = i18n.t("scorecard.alt", lang, name=b.locality.name, quarter=quarter,
                 items="; ".join(f"{n} {formatting.number(p, lang)}/{formatting.number(m, lang)}"
                                 for n, p, m in zip(names, points, maxima)))
    blocks.append(charts.scorecard(
        names, points, maxima, lang,
        title=i18n.t("scorecard.chart_title", lang, name=b.locality.name, quarter=quarter),
        alt=alt, source=chart_source(b.dataset, {b.locality.code}, b.period, method, lang)))
    rows = [[n, formatting.points(p, lang), formatting.number(m, lang), formatting.percent(s, lang)]
            for n, p, m, s in zip(names, points, maxima, shares)]
    data = [[a.id, a.name[lang], p, m, None if s is None else round(s, 6)]
            for a, p, m, s in zip(method.areas, points, maxima, shares)]
    if method.adjustments:
        adj = number_or_none(own.get("adjustment")) or 0.0
        rows.append([i18n.t("scorecard.adjustment", lang), signed_points(adj, lang),
                     formatting.MISSING[lang], ""])
        data.append(["adjustment", i18n.t("scorecard.adjustment", lang), adj, None, None])
    rows.append([i18n.t("scorecard.total", lang), formatting.points(own["total"], lang),
                 formatting.number(own["maximum"], lang), formatting.percent(own["index"], lang)])
    data.append(["total", i18n.t("scorecard.total", lang), number_or_none(own["total"]),
                 number_or_none(own["maximum"]), number_or_none(own["index"])])
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
    index_title = index_label(b.methodology, lang)
    series = [(index_title, [number_or_none(v) for v in tr["index"]])]
    for m in TREND_METRICS:
        values = [number_or_none(v) for v in tr[m]] if m in tr.columns else [None] * len(tr)
        series.append((METRICS[m].labels[lang], values))
    merger_at = next((i for i, q in enumerate(quarters) if q >= MERGER_QUARTER), None) \
        if quarters[0] < MERGER_QUARTER else None
    first, last = quarters[0].label(lang), quarters[-1].label(lang)
    known = [(q, v) for q, v in zip(quarters, series[0][1]) if v is not None]
    alt = i18n.t("trend.alt", lang, name=b.locality.name, first=first, last=last,
                 index_name=index_title,
                 items="; ".join(f"{q.label(lang)} {formatting.points(v, lang)}" for q, v in known))
    blocks.append(charts.trend(
        [quarter_tick(q, lang) for q in quarters], series, reconstructed, lang, merger_at=merger_at,
        merger_label=i18n.t("chart.merger", lang, date=merger_date(lang)),
        title=i18n.t("trend.chart_title", lang, name=b.locality.name, first=first, last=last),
        alt=alt, source=chart_source(b.dataset, {b.locality.code}, b.period, b.methodology,
                                     lang)))
    cols = [i18n.t("trend.col_quarter", lang), index_title] + \
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
    group = unit_noun(peers_of(unit, q), unit.level, lang)
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
        values.append(number_or_none(r["index"]))
        rows.append([formatting.integer(r["rank"], lang), r["name"],
                     formatting.points(r["index"], lang), classification_label(r.to_dict(),
                                                                         b.methodology, lang),
                     cell_change(r.get("index_change"), lang)])
    quarter = q.label(lang)
    index_name = index_label(b.methodology, lang)
    excerpt = len(picks) < len(scores)
    alt = i18n.t("peers.alt", lang, index_name=index_name, units=group, quarter=quarter,
                 count=formatting.integer(len(scores), lang),
                 items="; ".join(f"{label} {formatting.points(v, lang)}"
                                 for label, v in zip(labels, values) if v is not None))
    title = i18n.t("peers.chart_title_excerpt" if excerpt else "peers.chart_title", lang,
                   index_name=index_name, units=group, quarter=quarter)
    blocks.append(charts.peers(labels, values, lang, highlight=highlight, title=title, alt=alt,
                               source=chart_source(b.dataset, set(scores.code), q,
                                                   b.methodology, lang)))
    data = [[int(r["rank"]), r["code"], r["name"], number_or_none(r["index"]),
             r["classification_vi"] if lang == "vi" else r["classification"],
             number_or_none(r.get("index_change")), number_or_none(r.get("rank_change"))]
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


def data_notes(b: Briefing, lang: str) -> list[dict]:
    """Sources, missing figures, peers that did not report, methodology and provenance."""
    blocks = [heading(i18n.t("notes.title", lang))]
    quarter = b.period.label(lang)
    sources = source_lines(b.dataset, {b.locality.code}, {str(b.period)})
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
                                      items=unit_list(others))))
    blocks += methodology_notes(b.methodology, lang)
    blocks.append(provenance_note(b.provenance, lang))
    return blocks


def summary_data(b: Briefing) -> dict:
    """The language-neutral summary of a briefing (read by batch manifests and the index)."""
    own = b.own if b.reported else {}
    rank, of = number_or_none(own.get("rank")), number_or_none(own.get("rank_of"))
    return {
        "kind": "briefing",
        "locality_code": b.locality.code,
        "locality_name": b.locality.name,
        "period": str(b.period),
        "methodology": b.methodology.id,
        "reported": bool(b.reported),
        "index": number_or_none(own.get("index")),
        "rank": None if rank is None else int(rank),
        "rank_of": None if of is None else int(of),
        "classification": ({"vi": classification_label(own, b.methodology, "vi"),
                            "en": classification_label(own, b.methodology, "en")}
                           if b.reported else None),
        "lead": {lang: lead_text(b, lang) for lang in i18n.LANGS},
        # what the site's province page lists beside the rank
        "headline": {lang: headline_text(b, lang) for lang in i18n.LANGS},
        "name": {lang: sentence_case(_house_name(b, lang)) for lang in i18n.LANGS},
        "index_change": number_or_none(own.get("index_change")),
        "rank_change": number_or_none(own.get("rank_change")),
        "class_step": (b.news.class_step if b.news and b.reported else None),
        "inputs": b.provenance["inputs"],
        "parbrief_version": __version__,
    }


def summary(b: Briefing) -> None:
    """Display the briefing's language-neutral summary output."""
    data = summary_data(b)
    display.show_summary(data, data["lead"]["en"])
