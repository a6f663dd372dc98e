"""The sections of a briefing, as display blocks in one language: headline, key figures,
scorecard, trend, peers, shortcomings, data notes; and the briefing's summary."""

from __future__ import annotations

from parbrief import __version__
from parbrief.core import formatting, i18n
from parbrief.core.catalogue import catalogue
from parbrief.core.catalogue import label as indicator_label
from parbrief.core.periods import MERGER_QUARTER, Quarter
from parbrief.core.rounding import displayed, displayed_share, round_to_total
from parbrief.model import appraisal as appraisal_model
from parbrief.model.briefing import KEY_METRICS, TREND_METRICS, TREND_QUARTERS, Briefing
from parbrief.model.news import UnitNews
from parbrief.model.sources import peers_of
from parbrief.present import appraisal_sections as appraisal_wording
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
    colophon,
    difference,
    history_note,
    index_full_name,
    index_label,
    merger_date,
    methodology_notes,
    metric_value,
    name_in_text,
    peer_group_phrase,
    people_committee,
    place_name,
    quarter_cell,
    quarter_text,
    quarter_tick,
    rank_move,
    signed_points,
    source_lines,
    table_name,
    unit_list,
    unit_noun,
    year_to_date,
)
from parbrief.scoring import findings
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
    to 86.24, climbing 38 places to 52nd out of 129 and moving up from fair to good." Then the
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
    if not b.ranked:  # points missing: the rule, never a rank (present/appraisal_sections.py)
        return sentence_case(appraisal_wording.unranked_lead(
            name, quarter, b.unappraised, len(b.methodology.criteria()), lang))
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
    province, climbs 38 places, moves up to good"); empty for a unit that did not report, or
    is not ranked yet (its lead says why)."""
    if not b.ranked:
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


def shown_scores(b: Briefing, lang: str) -> dict:
    """The index, rank and class of the quarter and the previous one as the briefing shows
    them (the ``score`` source of the findings rules)."""
    if not b.reported:
        return {}
    own, method = b.own, b.methodology
    index = displayed(own.get("index"))
    change = displayed(number_or_none(own.get("index_change")))
    rank, of = number_or_none(own.get("rank")), number_or_none(own.get("rank_of"))
    rank_change = number_or_none(own.get("rank_change"))
    out = {"index": index, "index_change": change, "rank": rank, "rank_of": of,
           "rank_change": rank_change, "class": classification_label(own, method, lang)}
    if change is not None and index is not None:
        previous = displayed(index - change)
        out.update(previous_index=previous, index_fall=displayed(-change))
        before, now = method.classify(previous), method.classify(index)
        if before is not None and now is not None:
            bands = list(method.bands)
            out.update(previous_class=before.label[lang],
                       class_change=float(bands.index(before) - bands.index(now)))
    if rank_change is not None and rank is not None:
        out.update(previous_rank=rank + rank_change, places_down=-rank_change)
    return out


def _ranked_then(b: Briefing, period):
    """The unit's place in the rank history in ``period`` (None: not ranked then)."""
    return next((p for p in (b.news.history if b.news else []) or []
                 if p.period == period and p.rank is not None), None)


def _rank_then(b: Briefing, period, rank, lang: str) -> str:
    """The unit's rank in an earlier quarter as it was given then, out of as many as were
    ranked then (the rank history's "29/130"); ``rank``: the one the scores compare with."""
    then = _ranked_then(b, period)
    if then is not None and (rank is None or int(rank) == int(then.rank)):
        return formatting.rank(then.rank, then.rank_of, lang)
    return formatting.integer(rank, lang)


def shown_areas(b: Briefing, lang: str) -> list[dict]:
    """Each area's points as shown (largest remainder, so that the areas and the bonus and
    penalty points add up to the total shown), its maximum and its share of it, computed from
    the points shown."""
    method, own = b.methodology, b.own
    raw = [number_or_none(own.get(f"points_{a.id}")) or 0.0 for a in method.areas]
    adjustment = number_or_none(own.get("adjustment")) or 0.0
    parts = raw + ([adjustment] if method.adjustments else [])
    shown = round_to_total(parts, number_or_none(own.get("total")))
    return [{"id": a.id, "name": a.name[lang], "points": p, "max": float(a.max_points),
             "share": displayed_share(p, a.max_points)}
            for a, p in zip(method.areas, shown[:len(method.areas)])] + \
        ([{"id": "adjustment", "name": i18n.t("scorecard.adjustment", lang),
           "points": shown[-1], "max": None, "share": None}] if method.adjustments else [])


def weakest_area(b: Briefing, lang: str) -> dict:
    """The area with the lowest share of its maximum as shown (the ``area`` source); areas
    that tie at that share are named together (``weakest_count`` of them), as the points by
    area name them."""
    areas = [a for a in shown_areas(b, lang) if a["share"] is not None]
    if not areas:
        return {}
    lowest = min(a["share"] for a in areas)
    tied = [a for a in areas if a["share"] == lowest]
    worst = tied[0]
    return {"weakest_name": i18n.join([a["name"] for a in tied], lang),
            "weakest_points": worst["points"], "weakest_max": worst["max"],
            "weakest_share": worst["share"], "weakest_count": len(tied)}


def briefing_shortcomings(b: Briefing, lang: str) -> list[findings.Finding]:
    """The findings of the rules (``resources/findings.yaml``) over what the briefing shows."""
    if not b.reported:
        return []
    return findings.evaluate(b.figures[b.period], b.metrics[b.period], b.period, lang,
                             scores=shown_scores(b, lang), areas=weakest_area(b, lang))


def _change_pp_cell(value, before, lang: str) -> str:
    return change_pp(difference(value, before), lang)


def key_figures(b: Briefing, lang: str) -> list[dict]:
    """Tiles and a table: index, rank, class, the key rates and counts, against the previous
    quarter and the same quarter last year (year-to-date rates against last year only), and a
    row for every further figure a shortcoming quotes."""
    blocks = [heading(i18n.t("figures.title", lang))]
    if not b.reported:
        return blocks + [paragraph(i18n.t("figures.not_reported", lang, name=sentence_case(_house_name(b, lang)),
                                          quarter=quarter_text(b.period, lang)))]
    missing = formatting.MISSING[lang]
    q, prev_q, year_q = b.period, b.period.previous(), b.period.same_quarter_last_year()
    cur, prev, year = b.metrics.get(q, {}), b.metrics.get(prev_q, {}), b.metrics.get(year_q, {})
    fig_cur, fig_prev = b.figures.get(q, {}), b.figures.get(prev_q, {})
    fig_year = b.figures.get(year_q, {})
    c = _comparisons(b)
    s = shown_scores(b, lang)
    tiles = [
        {"label": index_label(b.methodology, lang),
         "value": formatting.points(b.own["index"], lang), "change": change_points(c["prev"], lang)},
        {"label": i18n.t("figures.rank", lang),
         "value": formatting.rank(b.own["rank"], b.own["rank_of"], lang),
         "change": rank_move(b.own.get("rank_change"), lang)
         if b.ranked else i18n.t("appraisal_rule.tile_waiting", lang)},
        {"label": i18n.t("figures.classification", lang),
         "value": classification_label(b.own, b.methodology, lang),
         "change": i18n.t("figures.class_before", lang, label=s["previous_class"])
         if s.get("previous_class") else ""},
    ]
    index = number_or_none(b.own["index"])
    year_change = difference(index, b.last_year_index)
    rows = [[index_label(b.methodology, lang), formatting.points(index, lang),
             formatting.points(s.get("previous_index"), lang), change_points(c["prev"], lang),
             formatting.points(b.last_year_index, lang), change_points(year_change, lang)],
            [i18n.t("figures.rank", lang), formatting.rank(b.own["rank"], b.own["rank_of"], lang),
             _rank_then(b, prev_q, s.get("previous_rank"), lang),
             rank_move(b.own.get("rank_change"), lang), _rank_then(b, year_q, None, lang),
             missing],
            [i18n.t("figures.classification", lang), s["class"],
             s.get("previous_class", missing), "", _class_of(b, b.last_year_index, lang), ""]]
    data = [["index", index, s.get("previous_index"), c["prev"], b.last_year_index, year_change],
            ["rank", s["rank"], s.get("previous_rank"), s.get("rank_change"),
             _ranked_then(b, year_q).rank if _ranked_then(b, year_q) else None, None],
            ["classification", s["class"], s.get("previous_class"), None,
             _class_of(b, b.last_year_index, lang, None), None]]
    shown_metrics: set[str] = set()

    def metric_row(name: str) -> None:
        label = METRICS[name].labels[lang]
        value, before, last = (metric_value(cur, name), metric_value(prev, name),
                               metric_value(year, name))
        ytd = year_to_date(name)
        change, change_year = difference(value, before), difference(value, last)
        rows.append([i18n.t("figures.year_to_date", lang, label=label) if ytd else label,
                     formatting.percent(value, lang), formatting.percent(before, lang),
                     missing if ytd else change_pp(change, lang),
                     formatting.percent(last, lang), change_pp(change_year, lang)])
        data.append([name, value, before, None if ytd else change, last, change_year])
        shown_metrics.add(name)

    def count_row(name: str) -> None:
        value, before = number_or_none(fig_cur.get(name)), number_or_none(fig_prev.get(name))
        last = number_or_none(fig_year.get(name))
        change, change_year = difference(value, before, 0), difference(value, last, 0)
        ytd = catalogue()[name].year_to_date
        label = indicator_label(name, lang)
        rows.append([i18n.t("figures.year_to_date", lang, label=label) if ytd else label,
                     formatting.integer(value, lang), formatting.integer(before, lang),
                     missing if ytd or change is None else formatting.change(change, lang, 0),
                     formatting.integer(last, lang),
                     missing if change_year is None else formatting.change(change_year, lang, 0)])
        data.append([name, value, before, None if ytd else change, last, change_year])
        shown_metrics.add(name)

    for name in KEY_METRICS:
        value, before = metric_value(cur, name), metric_value(prev, name)
        if year_to_date(name):
            change = difference(value, metric_value(year, name))
            tile_change = missing if change is None else \
                i18n.t("figures.change_pp_year", lang, change=formatting.change(change, lang))
        else:
            tile_change = change_pp(difference(value, before), lang)
        tiles.append({"label": METRICS[name].labels[lang],
                      "value": formatting.percent(value, lang), "change": tile_change})
        metric_row(name)
    received, received_before = number_or_none(fig_cur.get("records_received")), \
        number_or_none(fig_prev.get("records_received"))
    change = difference(received, received_before, 0)
    tiles.append({"label": indicator_label("records_received", lang),
                  "value": formatting.integer(received, lang),
                  "change": missing if change is None else formatting.change(change, lang, 0)})
    count_row("records_received")
    for key, part, whole in COUNT_PAIRS:
        tiles.append({"label": i18n.t(key, lang), "value": _pair(fig_cur, part, whole, lang),
                      "change": ""})
    # every figure a shortcoming quotes is shown here (the x/y pairs of the tiles count too)
    in_tiles = {n for _, part, whole in COUNT_PAIRS for n in (part, whole)}
    for finding in briefing_shortcomings(b, lang):
        for source, name in finding.cites:
            if name in shown_metrics or (source == "indicator" and name in in_tiles):
                continue
            if source == "metric":
                metric_row(name)
            elif source == "indicator":
                count_row(name)
    blocks.append({"kind": "figures", "items": tiles})
    explain = "figures.explain"
    if not prev:
        explain = "figures.explain_no_previous_register" \
            if register.register_for(prev_q) != b.locality.register \
            else "figures.explain_no_previous"
    blocks.append(note(i18n.t(explain, lang, previous=quarter_text(prev_q, lang),
                              last_year=quarter_text(year_q, lang))))
    blocks.append(table(
        "key-figures", i18n.t("figures.table_title", lang, name=name_in_text(b.locality, lang),
                              quarter=quarter_text(q, lang)),
        [i18n.t("figures.col_indicator", lang), q.label(lang), prev_q.label(lang),
         i18n.t("figures.col_change", lang), year_q.label(lang),
         i18n.t("figures.col_change_year", lang)],
        rows, data_columns=["indicator", str(q), str(prev_q), "change", str(year_q),
                            "change_year"],
        data_rows=data))
    return blocks


def _class_of(b: Briefing, index, lang: str, missing: str | None = "–"):
    band = b.methodology.classify(number_or_none(index)) if number_or_none(index) is not None \
        else None
    return band.label[lang] if band else missing


def scorecard(b: Briefing, lang: str) -> list[dict]:
    """Points per area against the maximum: chart and table. The points shown add up to the
    total shown; each share is computed from the points shown."""
    blocks = [heading(i18n.t("scorecard.title", lang))]
    name = name_in_text(b.locality, lang)
    if not b.reported:
        return blocks + [paragraph(i18n.t("scorecard.not_reported", lang, name=name))]
    method, own = b.methodology, b.own
    areas = shown_areas(b, lang)
    by_area = [a for a in areas if a["id"] != "adjustment"]
    names = [a["name"] for a in by_area]
    points = [a["points"] for a in by_area]
    maxima = [a["max"] for a in by_area]
    quarter = quarter_text(b.period, lang)
    alt = i18n.t("scorecard.alt", lang, name=name, quarter=quarter,
                 items="; ".join(f"{n} {formatting.points(p, lang)}/{formatting.number(m, lang)}"
                                 for n, p, m in zip(names, points, maxima)))
    blocks.append(charts.scorecard(
        names, points, maxima, lang,
        title=i18n.t("scorecard.chart_title", lang, name=name, quarter=quarter), alt=alt,
        source=chart_source(b.dataset, {b.locality.code}, b.period, method, lang)))
    rows = [[a["name"], formatting.points(a["points"], lang), formatting.number(a["max"], lang),
             formatting.percent(a["share"], lang)] for a in by_area]
    data = [[a["id"], a["name"], a["points"], a["max"], a["share"]] for a in by_area]
    if method.adjustments:
        adj = areas[-1]["points"]
        rows.append([i18n.t("scorecard.adjustment", lang), signed_points(adj, lang),
                     formatting.MISSING[lang], ""])
        data.append(["adjustment", i18n.t("scorecard.adjustment", lang), adj, None, None])
    rows.append([i18n.t("scorecard.total", lang), formatting.points(own["total"], lang),
                 formatting.number(own["maximum"], lang), formatting.percent(own["index"], lang)])
    data.append(["total", i18n.t("scorecard.total", lang), displayed(own["total"]),
                 number_or_none(own["maximum"]), number_or_none(own["index"])])
    blocks.append(table("points-by-area", i18n.t("scorecard.table_title", lang, name=name,
                                                 quarter=quarter),
                        [i18n.t("scorecard.col_area", lang), i18n.t("scorecard.col_points", lang),
                         i18n.t("scorecard.col_max", lang), i18n.t("scorecard.col_share", lang)],
                        rows, data_columns=["area", "name", "points", "max", "share_percent"],
                        data_rows=data))
    ranked = [a for a in by_area if a["share"] is not None]
    if len(ranked) > 1:
        blocks += _strongest_and_weakest(ranked, lang)
    if not b.ranked:  # provisional: which criteria still lack their points
        blocks += [n for n in [appraisal_wording.provisional_note(
            name, appraisal_model.unappraised(b.points), lang)] if n]
    blocks += appraisal_wording.self_assessment_blocks(b.self_assessment, name, quarter, lang)
    return blocks


def _strongest_and_weakest(ranked: list[dict], lang: str) -> list[dict]:
    """The strongest and the weakest area by share of points, as shown; areas that tie (six
    areas at 100,00%) are named together, never one of them picked as "the" strongest."""
    shown = [formatting.percent(a["share"], lang) for a in ranked]
    top, bottom = max(a["share"] for a in ranked), min(a["share"] for a in ranked)
    best = [a["name"] for a, s in zip(ranked, shown)
            if s == formatting.percent(top, lang)]
    worst = [a["name"] for a, s in zip(ranked, shown)
             if s == formatting.percent(bottom, lang)]
    if formatting.percent(top, lang) == formatting.percent(bottom, lang):
        return []  # every area alike: no strongest, no weakest

    def part(which: str, names: list[str], share: float) -> str:
        many = len(names) > 1
        return i18n.t(f"scorecard.{which}_{'many' if many else 'one'}", lang,
                      names=i18n.join(names, lang), count=formatting.integer(len(names), lang),
                      share=formatting.percent(share, lang))

    return [paragraph(i18n.t("scorecard.best_worst", lang, best=part("best", best, top),
                             worst=part("worst", worst, bottom)))]


def _legacy_level(b: Briefing, periods: list[str]) -> str:
    """Which legacy level (district or commune) the data set reported before the merger."""
    level, _ = history.predecessors_for(b.dataset.figures, b.locality.code, periods[0],
                                        b.apportionment)
    return level


def trend(b: Briefing, lang: str) -> list[dict]:
    """Index and key rates over eight quarters, with the merger marked."""
    blocks = [heading(i18n.t("trend.title", lang))]
    tr = b.trend
    name = name_in_text(b.locality, lang)
    if tr is None or not len(tr) or tr["index"].isna().all():
        return blocks + [paragraph(i18n.t("trend.none", lang, name=name))]
    quarters = [Quarter.parse(p) for p in tr.period]
    reconstructed = [bool(x) for x in tr["reconstructed"]]
    index_title = index_label(b.methodology, lang)
    series = [(index_title, [displayed(v) for v in tr["index"]])]
    for m in TREND_METRICS:
        values = [displayed(v) for v in tr[m]] if m in tr.columns else [None] * len(tr)
        series.append((METRICS[m].labels[lang], values))
    merger_at = next((i for i, q in enumerate(quarters) if q >= MERGER_QUARTER), None) \
        if quarters[0] < MERGER_QUARTER else None
    first, last = quarter_text(quarters[0], lang), quarter_text(quarters[-1], lang)
    known = [(q, v) for q, v in zip(quarters, series[0][1]) if v is not None]
    alt = i18n.t("trend.alt", lang, name=name, first=first, last=last,
                 index_name=index_title,
                 items="; ".join(f"{quarter_text(q, lang)} {formatting.points(v, lang)}"
                                 for q, v in known))
    blocks.append(charts.trend(
        [quarter_tick(q, lang) for q in quarters], series, reconstructed, lang, merger_at=merger_at,
        merger_label=i18n.t("chart.merger", lang, date=merger_date(lang)),
        title=i18n.t("trend.chart_title", lang, name=name, first=first, last=last),
        alt=alt, source=chart_source(b.dataset, {b.locality.code}, b.period, b.methodology,
                                     lang)))
    cols = [i18n.t("trend.col_quarter", lang), index_title] + \
        [METRICS[m].labels[lang] for m in TREND_METRICS] + [i18n.t("trend.col_note", lang)]
    rows, data = [], []
    for i, q in enumerate(quarters):
        values = [s[1][i] for s in series]
        rows.append([quarter_cell(q, lang), formatting.points(values[0], lang)]
                    + [formatting.percent(v, lang) for v in values[1:]]
                    + [i18n.t("trend.reconstructed", lang) if reconstructed[i] else ""])
        data.append([str(q)] + values + [reconstructed[i]])
    blocks.append(table("quarterly-trend", i18n.t("trend.table_title", lang, name=name,
                                                  first=first, last=last), cols, rows,
                        data_columns=["period", "index", *TREND_METRICS, "reconstructed"],
                        data_rows=data))
    rebuilt = [str(q) for q, r, v in zip(quarters, reconstructed, series[0][1])
               if r and v is not None]
    if rebuilt:
        blocks.append(paragraph(history_note(
            b.locality.code, lang, b.apportionment, _legacy_level(b, rebuilt))))
    elif any(reconstructed):
        blocks.append(paragraph(i18n.t("trend.no_history", lang,
                                       merger=quarter_text(MERGER_QUARTER, lang))))
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
    own_pos = int(scores.index[scores.code == unit.code][0]) if b.ranked else None
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
        # a table's cell keeps the register's name in Vietnamese; the English desk's form
        shown = table_name(r["code"], r["name"], q, lang)
        labels.append(f"{int(r['rank'])}. {shown}")
        values.append(number_or_none(r["index"]))
        rows.append([formatting.integer(r["rank"], lang), shown,
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
    data = [[int(r["rank"]), r["code"], table_name(r["code"], r["name"], q, lang),
             number_or_none(r["index"]),
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
    if b.ranked:
        blocks.append(paragraph(i18n.t("peers.summary", lang,
                                       name=sentence_case(name_in_text(unit, lang)),
                                       rank=formatting.rank(b.own["rank"], b.own["rank_of"], lang),
                                       **stats)))
    elif b.reported:  # reported, points missing: not ranked yet (the note below lists them)
        blocks.append(paragraph(i18n.t("appraisal_rule.peers", lang,
                                       name=sentence_case(name_in_text(unit, lang)), **stats)))
    else:
        blocks.append(paragraph(i18n.t("peers.not_ranked", lang,
                                       name=sentence_case(name_in_text(unit, lang)), **stats)))
    blocks += [n for n in [appraisal_wording.waiting_note(b.not_ranked, lang)] if n]
    return blocks


def shortcomings(b: Briefing, lang: str) -> list[dict]:
    """Shortcomings found by the rules (tồn tại, hạn chế) and recommendations (kiến nghị),
    addressed to the unit's People's Committee."""
    blocks = [heading(i18n.t("shortcomings.title", lang))]
    quarter = quarter_text(b.period, lang)
    name = name_in_text(b.locality, lang)
    if not b.reported:
        return blocks + [paragraph(i18n.t("shortcomings.not_reported", lang, name=name,
                                          quarter=quarter))]
    found = briefing_shortcomings(b, lang)
    if not found:
        return blocks + [paragraph(i18n.t("shortcomings.none", lang, name=name,
                                          quarter=quarter))]
    blocks.append(paragraph(i18n.t("shortcomings.intro", lang, name=name, quarter=quarter)))
    blocks.append(bullet_list([f.text for f in found]))
    blocks.append(paragraph(i18n.t("shortcomings.recommendations", lang,
                                   committee=people_committee(b.locality, lang))))
    blocks.append(bullet_list(list(dict.fromkeys(f.recommendation for f in found))))
    return blocks


def data_notes(b: Briefing, lang: str) -> list[dict]:
    """Sources, missing figures, peers that did not report, abbreviations, the methodology and
    the rounding rule, and the colophon (what the report was made from, in plain words)."""
    blocks = [heading(i18n.t("notes.title", lang))]
    quarter = quarter_text(b.period, lang)
    sources = source_lines(b.dataset, {b.locality.code}, {str(b.period)}, lang)
    if sources:
        blocks.append(note(i18n.t("notes.sources", lang, sources="; ".join(sources))))
    if not b.reported:
        blocks.append(note(i18n.t("notes.not_reported", lang, name=sentence_case(_house_name(b, lang)),
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
                                      items=unit_list(others, lang))))
    if i18n.t("notes.abbreviations", lang):
        blocks.append(note(i18n.t("notes.abbreviations", lang)))
    if (b.reported and not b.ranked) or len(b.not_ranked):
        blocks.append(appraisal_wording.rule_note(len(b.scores), lang))
    blocks += methodology_notes(b.methodology, lang)
    blocks.append(colophon(b.provenance, b.methodology, lang))
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
                           if b.ranked else None),
        "ranked": bool(b.ranked),
        "status_note": appraisal_wording.status_note(b.unappraised)
        if b.reported and not b.ranked else None,
        "lead": {lang: lead_text(b, lang) for lang in i18n.LANGS},
        # what the site's province page lists beside the rank
        "headline": {lang: headline_text(b, lang) for lang in i18n.LANGS},
        "name": {lang: sentence_case(_house_name(b, lang)) for lang in i18n.LANGS},
        "index_change": number_or_none(own.get("index_change")),
        "rank_change": number_or_none(own.get("rank_change")),
        "class_step": (b.news.class_step if b.news and b.ranked else None),
        "inputs": b.provenance["inputs"],
        "parbrief_version": __version__,
        # the committee edition's subject line ("Kết quả Chỉ số cải cách hành chính quý III/2026
        # của xã Tân Châu")
        "subject": {lang: i18n.t("committee.subject", lang, index_name=index_full_name(
            b.methodology, lang), quarter=quarter_text(b.period, lang),
            unit=name_in_text(b.locality, lang)) for lang in i18n.LANGS},
    }


def summary(b: Briefing, languages=("vi",)) -> None:
    """Display the briefing's language-neutral summary output; what JupyterLab shows of it is
    the lead in the first language shown, as a paragraph."""
    data = summary_data(b)
    lang = display.first_language(languages)
    from parbrief.present.explain import shown_language

    shown_language["lang"] = lang  # explain(b) and b speak the notebook's language
    display.show_summary(data, data["lead"][lang], lang)
