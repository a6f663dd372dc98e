"""The sections of the annual briefing and the annual overview, as display blocks in one
language (what ``notebooks/annual_briefing.ipynb`` and ``annual_overview.ipynb`` show).

A locality's annual briefing: the headline and lead (the year's index, rank among its peers,
class, change on the previous year, and its results of earlier years, as the press reports
them), key results, rank over the years, points by area, its own points beside the council's,
the league table, notes. The province's annual overview: the table as a Department of Home
Affairs publishes it (appraised points, survey points, total, index, rank, class), classes,
notes. A unit whose criteria lack points is said to be not ranked, never scored 0.
"""

from __future__ import annotations

import pandas as pd

from parbrief import __version__
from parbrief.core import formatting, i18n
from parbrief.core.periods import Year
from parbrief.model.annual import AnnualBriefing, AnnualOverview
from parbrief.model.appraisal import unappraised
from parbrief.present import appraisal_sections as appraisal_wording
from parbrief.present import charts, display
from parbrief.present.blocks import heading, note, number_or_none, paragraph, table
from parbrief.present.sections import show
from parbrief.present.wording import (
    cell_change,
    class_in_text,
    classification_label,
    colophon,
    index_full_name,
    index_label,
    methodology_notes,
    name_in_text,
    parent_phrase,
    signed_points,
    source_lines,
    table_name,
    unit_list,
    unit_noun,
)
from parbrief.scoring.metrics import round_half_up
from parbrief.scoring.spans import row_periods
from parbrief.units import register

EARLIER_YEARS = 3  # earlier results the lead quotes, as the press does ("8th/13 in 2021")

BRIEFING_SECTIONS = ("headline", "key_results", "rank_history", "points_by_area",
                     "self_assessment", "league", "notes")
OVERVIEW_SECTIONS = ("overview_headline", "overview_league", "overview_classes",
                     "overview_notes")


# --------------------------------------------------------------------------- words


def _previous_label(period, lang: str) -> str:
    """"năm 2023" / "2023"; for a year to date, the same period last year."""
    previous = period.previous()
    if isinstance(period, Year):
        return previous.label(lang)
    return i18n.t("annual.same_period_last_year", lang, year=str(previous.year))


def _group(ab: AnnualBriefing, lang: str) -> str:
    unit = ab.locality
    peers = register.children(unit.parent_code, ab.period, level=unit.level) \
        if unit.parent_code else register.localities(ab.period, unit.level)
    parent = register.get(unit.parent_code, ab.period) if unit.parent_code else None
    return i18n.t("lead.peer_group", lang, units=unit_noun(peers, unit.level, lang),
                  where=parent_phrase(parent, lang))


def _change_text(ab: AnnualBriefing, lang: str) -> str:
    previous = _previous_label(ab.period, lang)
    index, before = number_or_none(ab.own.get("index")), number_or_none(ab.previous.get("index"))
    if index is None or before is None:
        return i18n.t("annual.no_previous", lang, previous=previous)
    change = round_half_up(index - before, 2)
    key = "up" if change > 0 else "down" if change < 0 else "same"
    text = i18n.t(f"annual.change_{key}", lang, points=formatting.points(abs(change), lang),
                  previous=previous)
    move = number_or_none(ab.own.get("rank_change"))
    if move is None:
        return text
    rank = i18n.t("annual.rank_same", lang) if move == 0 else i18n.t(
        "annual.rank_up" if move > 0 else "annual.rank_down", lang,
        places=formatting.integer(abs(move), lang))
    return i18n.t("annual.change_with_rank", lang, change=text, rank=rank)


def _earlier(ab: AnnualBriefing, lang: str) -> str:
    """Its ranked results of earlier years, most recent first (as seed articles tell them)."""
    rows = ab.history[(ab.history.period != str(ab.period)) & ab.history["rank"].notna()]
    rows = rows.iloc[::-1].head(EARLIER_YEARS)
    if not len(rows):
        return ""
    from parbrief.core.periods import parse_period

    items = "; ".join(i18n.t("annual.earlier_item", lang,
                             period=parse_period(r.period).label(lang),
                             index=formatting.points(r.index, lang),
                             ordinal=i18n.ordinal(int(r.rank), lang),
                             of=formatting.integer(r.rank_of, lang))
                      for r in rows.itertuples())
    return i18n.t("annual.earlier", lang, items=items)


def lead_text(ab: AnnualBriefing, lang: str) -> str:
    """The lead: "Năm 2024, Huyện Tiên Yên đạt 92,62 điểm Chỉ số CCHC, xếp thứ 3/13 …, xếp
    loại Xuất sắc; tăng 5,17 điểm so với năm 2023, tăng 2 bậc. Các năm trước: …" """
    i18n.check_lang(lang)
    unit, label = ab.locality, ab.period.label(lang)
    name = name_in_text(unit, lang)  # "huyện Tiên Yên" / "Tiên Yên district"
    group = _group(ab, lang)
    if not ab.reported:
        total = len(ab.scores) + len(ab.not_ranked) + len(ab.peers_not_reported)
        return appraisal_wording.capitalised(i18n.t(
            "annual.lead_not_reported", lang, period=appraisal_wording.capitalised(label),
            name=name, ranked=formatting.integer(len(ab.scores), lang),
            total=formatting.integer(total, lang), peer_group=group))
    if not ab.ranked:
        return appraisal_wording.capitalised(appraisal_wording.unranked_lead(
            name, label, ab.unappraised, len(ab.methodology.criteria()), lang))
    rank, of = int(ab.own["rank"]), int(ab.own["rank_of"])
    tied = int((ab.scores["rank"] == rank).sum()) > 1
    rank_phrase = i18n.t("annual.rank_phrase_tied" if tied else "annual.rank_phrase", lang,
                         ordinal=i18n.ordinal(rank, lang), of=formatting.integer(of, lang))
    text = i18n.t("annual.lead", lang, period=appraisal_wording.capitalised(label),
                  name=name, index=formatting.points(ab.own["index"], lang),
                  index_name=index_label(ab.methodology, lang), rank_phrase=rank_phrase,
                  peer_group=group, classification=class_in_text(
                      classification_label(ab.own, ab.methodology, lang), lang),
                  change=_change_text(ab, lang))
    earlier = _earlier(ab, lang)
    return f"{text} {earlier}" if earlier else text


# --------------------------------------------------------------------------- briefing


def headline(ab: AnnualBriefing, lang: str) -> list[dict]:
    title = i18n.t("annual.title", lang,
                   name=appraisal_wording.capitalised(name_in_text(ab.locality, lang)),
                   index_name=index_label(ab.methodology, lang), period=ab.period.label(lang))
    return [heading(title, 1), {"kind": "lead", "text": lead_text(ab, lang)}]


def _of_max(value, maximum, lang: str) -> str:
    if number_or_none(value) is None:
        return formatting.MISSING[lang]
    return formatting.points(value, lang) + i18n.t("annual.of_max", lang,
                                                   max=formatting.number(maximum, lang))


def key_results(ab: AnnualBriefing, lang: str) -> list[dict]:
    """Tiles and a table: index, rank, class, appraised and survey points, against the
    previous comparable period."""
    blocks = [heading(i18n.t("annual.figures_title", lang))]
    if not ab.reported:
        return blocks
    own, before = ab.own, ab.previous
    maxima = ab.methodology.component_maxima()
    index = number_or_none(own.get("index"))
    change = None
    if index is not None and number_or_none(before.get("index")) is not None:
        change = round_half_up(index - number_or_none(before["index"]), 2)
    tiles = [
        {"label": index_label(ab.methodology, lang), "value": formatting.points(index, lang),
         "change": signed_points(change, lang) if change is not None else ""},
        {"label": i18n.t("annual.rank", lang),
         "value": formatting.rank(own.get("rank"), own.get("rank_of"), lang),
         "change": cell_change(own.get("rank_change"), lang, rank=True)
         if number_or_none(own.get("rank_change")) is not None else ""},
        {"label": i18n.t("annual.classification", lang),
         "value": classification_label(own, ab.methodology, lang) if ab.ranked
         else formatting.MISSING[lang], "change": ""},
        {"label": i18n.t("annual.appraised", lang),
         "value": _of_max(own.get("appraised"), maxima["appraised"], lang), "change": ""},
    ]
    if maxima["survey"]:
        tiles.append({"label": i18n.t("annual.survey", lang),
                      "value": _of_max(own.get("survey"), maxima["survey"], lang), "change": ""})
    if not ab.ranked:
        tiles[0]["change"] = i18n.t("appraisal_rule.tile_missing", lang,
                                    missing=formatting.integer(ab.unappraised, lang))
        tiles[1]["change"] = i18n.t("appraisal_rule.tile_waiting", lang)
    blocks.append({"kind": "figures", "items": tiles})
    label, previous = ab.period.label(lang), _previous_label(ab.period, lang)
    rows, data = [], []
    for key, column, kind in (("index", "index", "points"), ("rank", "rank", "rank"),
                              ("appraised", "appraised", "points"),
                              ("survey", "survey", "points"), ("total", "total", "points")):
        if key == "survey" and not maxima["survey"]:
            continue
        now, then = number_or_none(own.get(column)), number_or_none(before.get(column))
        if kind == "rank":
            shown = [formatting.rank(now, own.get("rank_of"), lang),
                     formatting.rank(then, before.get("rank_of"), lang),
                     cell_change(own.get("rank_change"), lang, rank=True)]
            moved = number_or_none(own.get("rank_change"))
        else:
            now = None if now is None else round_half_up(now, 2)
            then = None if then is None else round_half_up(then, 2)
            moved = None if now is None or then is None else round_half_up(now - then, 2)
            shown = [formatting.points(now, lang), formatting.points(then, lang),
                     signed_points(moved, lang) if moved is not None
                     else formatting.MISSING[lang]]
        rows.append([i18n.t(f"annual.{key}", lang)] + shown)
        data.append([key, now, then, moved])
    blocks.append(table("key-results", i18n.t("annual.figures_table_title", lang,
                                              name=name_in_text(ab.locality, lang), period=label),
                        [i18n.t("annual.col_item", lang), appraisal_wording.capitalised(label),
                         appraisal_wording.capitalised(previous),
                         i18n.t("annual.col_change", lang)], rows,
                        data_columns=["item", str(ab.period), str(ab.period.previous()),
                                      "change"], data_rows=data))
    return blocks


def rank_history(ab: AnnualBriefing, lang: str) -> list[dict]:
    """Index, rank and class in every year available (the years of one register)."""
    from parbrief.core.periods import parse_period

    blocks = [heading(i18n.t("annual.history_title", lang))]
    rows = ab.history[ab.history["rank"].notna()]
    if not len(rows):
        return blocks + [paragraph(i18n.t("annual.history_none", lang, name=name_in_text(ab.locality, lang)))]
    periods = [parse_period(p) for p in rows.period]
    index_name = index_label(ab.methodology, lang)
    if len(rows) > 1:
        values = [float(v) for v in rows["index"]]
        items = "; ".join(f"{p.label(lang)} {formatting.points(v, lang)}"
                          for p, v in zip(periods, values))
        blocks.append(charts.trend(
            [str(p) if isinstance(p, Year) else p.label(lang) for p in periods],
            [(index_name, values)], [False] * len(values), lang, merger_at=None,
            title=i18n.t("annual.history_chart_title", lang, index_name=index_name,
                         name=name_in_text(ab.locality, lang)),
            alt=i18n.t("annual.history_alt", lang, index_name=index_name,
                       name=name_in_text(ab.locality, lang), items=items), name="rank-history"))
    column = "classification_vi" if lang == "vi" else "classification"
    table_rows = [[p.label(lang) if not isinstance(p, Year) else str(p),
                   formatting.points(r.index, lang), formatting.rank(r.rank, r.rank_of, lang),
                   getattr(r, column) or formatting.MISSING[lang]]
                  for p, r in zip(periods, rows.itertuples())]
    data = [[r.period, float(r.index), int(r.rank), int(r.rank_of), getattr(r, column)]
            for r in rows.itertuples()]
    blocks.append(table("rank-history", i18n.t("annual.history_table_title", lang,
                                               index_name=index_name, name=name_in_text(ab.locality, lang)),
                        [i18n.t("annual.col_period", lang), index_name,
                         i18n.t("annual.rank", lang), i18n.t("annual.classification", lang)],
                        table_rows, data_columns=["period", "index", "rank", "rank_of",
                                                  "classification"], data_rows=data,
                        highlight=len(table_rows) - 1
                        if rows.period.iloc[-1] == str(ab.period) else None))
    if len(rows) == 1 and rows.period.iloc[0] == str(ab.period):
        blocks.append(paragraph(i18n.t("annual.history_one", lang,
                                       period=ab.period.label(lang))))
    return blocks


def points_by_area(ab: AnnualBriefing, lang: str) -> list[dict]:
    """Points per area against the maximum (chart and table); where the table gives only the
    totals, the appraised and survey points against theirs."""
    blocks = [heading(i18n.t("annual.scorecard_title", lang))]
    if not ab.reported:
        return blocks
    method, own, label = ab.methodology, ab.own, ab.period.label(lang)
    name = name_in_text(ab.locality, lang)
    areas = [(a, number_or_none(own.get(f"points_{a.id}"))) for a in method.areas]
    head = [i18n.t("scorecard.col_area", lang), i18n.t("annual.col_points", lang),
            i18n.t("annual.col_max", lang), i18n.t("annual.col_share", lang)]
    if any(p is None for _, p in areas):  # totals given: no points by area
        maxima = method.component_maxima()
        rows, data = [], []
        for key in ("appraised", "survey"):
            if not maxima[key]:
                continue
            value = number_or_none(own.get(key))
            share = None if value is None else value / maxima[key] * 100
            rows.append([i18n.t(f"annual.{key}", lang), formatting.points(value, lang),
                         formatting.number(maxima[key], lang), formatting.percent(share, lang)])
            data.append([key, value, maxima[key], None if share is None else round(share, 6)])
        blocks.append(table("points-by-component", i18n.t(
            "annual.components_table_title", lang, name=name, period=label), head, rows,
            data_columns=["component", "points", "max", "share_percent"], data_rows=data))
        blocks.append(note(i18n.t("annual.components_note", lang)))
    else:
        names = [a.name[lang] for a, _ in areas]
        points = [round_half_up(p, 2) for _, p in areas]
        maxima = [float(a.max_points) for a, _ in areas]
        items = "; ".join(f"{n} {formatting.number(p, lang)}/{formatting.number(m, lang)}"
                          for n, p, m in zip(names, points, maxima))
        blocks.append(charts.scorecard(
            names, points, maxima, lang,
            title=i18n.t("annual.scorecard_chart_title", lang, name=name, period=label),
            alt=i18n.t("annual.scorecard_alt", lang, name=name, period=label, items=items)))
        rows = [[n, formatting.points(p, lang), formatting.number(m, lang),
                 formatting.percent(p / m * 100, lang)] for n, p, m in zip(names, points, maxima)]
        data = [[a.id, a.name[lang], p, m, round(p / m * 100, 6)]
                for (a, _), p, m in zip(areas, points, maxima)]
        adjustment = number_or_none(own.get("adjustment")) or 0.0
        if method.adjustments:
            rows.append([i18n.t("scorecard.adjustment", lang), signed_points(adjustment, lang),
                         formatting.MISSING[lang], ""])
            data.append(["adjustment", i18n.t("scorecard.adjustment", lang), adjustment, None,
                         None])
        total = round_half_up(sum(points) + round_half_up(adjustment, 2), 2)
        rows.append([i18n.t("scorecard.total", lang), formatting.points(total, lang),
                     formatting.number(method.maximum, lang),
                     formatting.percent(number_or_none(own.get("index")), lang)])
        data.append(["total", i18n.t("scorecard.total", lang), total, method.maximum,
                     number_or_none(own.get("index"))])
        blocks.append(table("points-by-area", i18n.t("annual.scorecard_table_title", lang,
                                                     name=name, period=label), head, rows,
                            data_columns=["area", "name", "points", "max", "share_percent"],
                            data_rows=data))
    if not ab.ranked:
        blocks += [n for n in [appraisal_wording.provisional_note(
            name, unappraised(ab.points), lang)] if n]
    return blocks


def self_assessment(ab: AnnualBriefing, lang: str) -> list[dict]:
    """Its own points (tự đánh giá) beside the council's (thẩm định), by area."""
    return appraisal_wording.self_assessment_blocks(ab.self_assessment,
                                                    name_in_text(ab.locality, lang),
                                                    ab.period.label(lang), lang, heading_level=2)


def _league_rows(scores: pd.DataFrame, waiting: pd.DataFrame, method, period, lang: str,
                 with_components: bool):
    rows, data = [], []
    for _, r in scores.iterrows():
        row = [formatting.integer(r["rank"], lang), table_name(r["code"], r["name"], period, lang)]
        if with_components:
            row += [formatting.points(r["appraised"], lang), formatting.points(r["survey"], lang),
                    formatting.points(r["total"], lang)]
        row += [formatting.points(r["index"], lang),
                classification_label(r.to_dict(), method, lang),
                cell_change(r.get("index_change"), lang),
                cell_change(r.get("rank_change"), lang, rank=True)]
        rows.append(row)
        data.append([int(r["rank"]), r["code"], table_name(r["code"], r["name"], period, lang),
                     number_or_none(r["appraised"]),
                     number_or_none(r["survey"]), number_or_none(r["total"]),
                     number_or_none(r["index"]),
                     r["classification_vi"] if lang == "vi" else r["classification"],
                     number_or_none(r.get("index_change")), number_or_none(r.get("rank_change")),
                     int(r["appraisal_missing"])])
    for _, r in waiting.iterrows():
        row = [formatting.MISSING[lang], table_name(r["code"], r["name"], period, lang)]
        if with_components:
            row += [formatting.MISSING[lang]] * 3
        row += [formatting.MISSING[lang], i18n.t("annual.not_ranked_row", lang),
                formatting.MISSING[lang], formatting.MISSING[lang]]
        rows.append(row)
        data.append([None, r["code"], table_name(r["code"], r["name"], period, lang), None, None,
                     None, None, None, None, None, int(r["appraisal_missing"])])
    return rows, data


LEAGUE_DATA = ["rank", "code", "name", "appraised", "survey", "total", "index", "classification",
               "index_change", "rank_change", "appraisal_missing"]


def _league_head(method, period, lang: str, with_components: bool) -> list[str]:
    head = [i18n.t("annual.col_rank", lang), i18n.t("annual.col_name", lang)]
    if with_components:
        head += [i18n.t("annual.col_appraised", lang), i18n.t("annual.col_survey", lang),
                 i18n.t("annual.total", lang)]
    return head + [i18n.t("annual.col_index", lang),
                   i18n.t("annual.col_class", lang),
                   i18n.t("annual.col_change_on", lang, previous=_previous_label(period, lang)),
                   i18n.t("annual.col_rank_change", lang)]


def league(ab: AnnualBriefing, lang: str) -> list[dict]:
    """The peer group's table for the period (the locality highlighted) and its chart."""
    unit, label = ab.locality, ab.period.label(lang)
    peers = register.children(unit.parent_code, ab.period, level=unit.level) \
        if unit.parent_code else register.localities(ab.period, unit.level)
    units = unit_noun(peers, unit.level, lang)
    blocks = [heading(i18n.t("annual.peers_title", lang, units=units))]
    scores = ab.scores
    if not len(scores):
        return blocks + [paragraph(i18n.t("annual.peers_none", lang, period=label))]
    index_name = index_label(ab.methodology, lang)
    highlight = int(scores.index[scores.code == unit.code][0]) if ab.ranked else None
    labels = [f"{int(r['rank'])}. {r['name']}" for _, r in scores.iterrows()]
    values = [float(v) for v in scores["index"]]
    blocks.append(charts.peers(
        labels, values, lang, highlight=highlight,
        title=i18n.t("annual.peers_chart_title", lang, index_name=index_name, units=units,
                     period=label),
        alt=i18n.t("annual.peers_alt", lang, index_name=index_name, units=units, period=label,
                   count=formatting.integer(len(scores), lang),
                   items="; ".join(f"{lb} {formatting.points(v, lang)}"
                                   for lb, v in zip(labels, values)))))
    # the published table's points are in the province's overview; here rank and change
    rows, data = _league_rows(scores, ab.not_ranked, ab.methodology, ab.period, lang, False)
    blocks.append(table("league-table", i18n.t("annual.peers_table_title", lang, units=units,
                                               period=label),
                        _league_head(ab.methodology, ab.period, lang, False), rows,
                        data_columns=LEAGUE_DATA, data_rows=data, highlight=highlight))
    waiting = appraisal_wording.waiting_note(ab.not_ranked, lang)
    if waiting:
        blocks.append(waiting)
    return blocks


def _how_notes(period, lang: str) -> list[dict]:
    out = [note(i18n.t("annual.how", lang))]
    if isinstance(period, Year):
        out.append(note(i18n.t("annual.how_year", lang, year=str(period.year))))
    else:
        out.append(note(i18n.t("annual.how_span", lang, period=period.label(lang))))
    return out


def notes(ab: AnnualBriefing, lang: str) -> list[dict]:
    """Sources, quarters not reported, the ranking rule, methodology and provenance."""
    blocks = [heading(i18n.t("annual.notes_title", lang))]
    label = ab.period.label(lang)
    found = source_lines(ab.dataset, {ab.locality.code}, set(row_periods(ab.period)), lang)
    if found:
        blocks.append(note(i18n.t("notes.sources", lang, sources="; ".join(found))))
    if ab.missing_quarters:
        blocks.append(note(appraisal_wording.capitalised(i18n.t(
            "annual.missing_quarters", lang, name=name_in_text(ab.locality, lang),
            quarters=", ".join(ab.missing_quarters), period=label))))
    if ab.other_register:
        blocks.append(note(i18n.t("annual.other_register", lang,
                                  quarters=", ".join(ab.other_register), period=label)))
    if ab.peers_not_reported:
        blocks.append(note(i18n.t("annual.peers_not_reported", lang, period=label,
                                  count=formatting.integer(len(ab.peers_not_reported), lang),
                                  items=unit_list(ab.peers_not_reported, lang))))
    blocks += _how_notes(ab.period, lang)
    blocks.append(appraisal_wording.rule_note(len(ab.scores), lang))
    blocks += methodology_notes(ab.methodology, lang)
    blocks.append(colophon(ab.provenance, ab.methodology, lang))
    return blocks


def summary_data(ab: AnnualBriefing) -> dict:
    """The language-neutral summary (batch manifests, the index page)."""
    own = ab.own if ab.reported else {}
    rank, of = number_or_none(own.get("rank")), number_or_none(own.get("rank_of"))
    return {
        "kind": "annual_briefing",
        "locality_code": ab.locality.code,
        "locality_name": ab.locality.name,
        "period": str(ab.period),
        "methodology": ab.methodology.id,
        "reported": bool(ab.reported),
        "ranked": bool(ab.ranked),
        "index": number_or_none(own.get("index")),
        "rank": None if rank is None else int(rank),
        "rank_of": None if of is None else int(of),
        "classification": ({"vi": classification_label(own, ab.methodology, "vi"),
                            "en": classification_label(own, ab.methodology, "en")}
                           if ab.ranked else None),
        "status_note": appraisal_wording.status_note(ab.unappraised)
        if ab.reported and not ab.ranked else None,
        "lead": {lang: lead_text(ab, lang) for lang in i18n.LANGS},
        "inputs": ab.provenance["inputs"],
        "parbrief_version": __version__,
        # the committee edition's subject line ("Kết quả Chỉ số cải cách hành chính năm 2024
        # của huyện Tiên Yên")
        "subject": {lang: i18n.t("committee.subject", lang, index_name=index_full_name(
            ab.methodology, lang), quarter=ab.period.label(lang),
            unit=name_in_text(ab.locality, lang)) for lang in i18n.LANGS},
    }


def summary(ab: AnnualBriefing, languages=("vi",)) -> None:
    data = summary_data(ab)
    lang = display.first_language(languages)
    display.show_summary(data, data["lead"][lang], lang)


# --------------------------------------------------------------------------- overview


def _overview_group(o: AnnualOverview, lang: str) -> str:
    return i18n.t("lead.peer_group", lang, units=unit_noun(o.units, o.level, lang),
                  where=parent_phrase(o.province, lang))


def overview_lead_text(o: AnnualOverview, lang: str) -> str:
    i18n.check_lang(lang)
    label = appraisal_wording.capitalised(o.period.label(lang))
    group, total = _overview_group(o, lang), len(o.units)
    s = o.scores
    if not len(s):
        return i18n.t("annual.overview_lead_none", lang, period=label, peer_group=group,
                      total=formatting.integer(total, lang))
    top, bottom = s[s["rank"] == s["rank"].min()], s[s["rank"] == s["rank"].max()]
    counts = o.class_counts(lang)
    items = [i18n.t("annual.classes_item", lang, count=formatting.integer(n, lang),
                    band=class_in_text(c, lang))
             for c, n in zip(counts.classification, counts.localities) if n]
    mean = round_half_up(float(s["index"].astype("float64").mean()), 2)
    return i18n.t("annual.overview_lead", lang, period=label,
                  ranked=formatting.integer(len(s), lang), total=formatting.integer(total, lang),
                  peer_group=group, index_name=index_label(o.methodology, lang),
                  mean=formatting.points(mean, lang),
                  top=appraisal_wording.capitalised(i18n.join(_names(top, o, lang), lang)),
                  top_index=formatting.points(top["index"].iloc[0], lang),
                  bottom=i18n.join(_names(bottom, o, lang), lang),
                  bottom_index=formatting.points(bottom["index"].iloc[0], lang),
                  classes=i18n.t("annual.classes_text", lang, items=i18n.join(items, lang)))


def _names(rows: pd.DataFrame, o: AnnualOverview, lang: str) -> list[str]:
    """Units of a table in running text, in the edition's house style."""
    by_code = {u.code: u for u in o.units}
    return [name_in_text(by_code[c], lang) if c in by_code else n
            for c, n in zip(rows.code, rows.name)]


def overview_headline(o: AnnualOverview, lang: str) -> list[dict]:
    title = i18n.t("annual.overview_title", lang, province=appraisal_wording.capitalised(
                       name_in_text(o.province, lang)),
                   index_name=index_label(o.methodology, lang), period=o.period.label(lang))
    return [heading(title, 1), {"kind": "lead", "text": overview_lead_text(o, lang)}]


def overview_league(o: AnnualOverview, lang: str) -> list[dict]:
    """The table as it is published: rank, unit, appraised and survey points, total, index,
    class, change on the previous year; then the units not yet ranked."""
    label, index_name = o.period.label(lang), index_label(o.methodology, lang)
    units = unit_noun(o.units, o.level, lang)
    blocks = [heading(i18n.t("annual.league_title", lang, index_name=index_name, period=label))]
    if not len(o.scores) and not len(o.not_ranked):
        return blocks + [paragraph(i18n.t("annual.peers_none", lang, period=label))]
    components = bool(o.methodology.component_maxima()["survey"])
    rows, data = _league_rows(o.scores, o.not_ranked, o.methodology, o.period, lang,
                               components)
    blocks.append(table("league-table", i18n.t("annual.league_table_title", lang,
                                               index_name=index_name, units=units,
                                               period=label),
                        _league_head(o.methodology, o.period, lang, components), rows,
                        data_columns=LEAGUE_DATA, data_rows=data))
    waiting = appraisal_wording.waiting_note(o.not_ranked, lang)
    if waiting:
        blocks.append(waiting)
    return blocks


def overview_classes(o: AnnualOverview, lang: str) -> list[dict]:
    label = o.period.label(lang)
    blocks = [heading(i18n.t("annual.classes_title", lang))]
    counts = o.class_counts(lang)
    rows = [[c, formatting.number(m, lang), formatting.integer(n, lang)]
            for c, m, n in zip(counts.classification, counts.minimum, counts.localities)]
    data = [[c, float(m), int(n)]
            for c, m, n in zip(counts.classification, counts.minimum, counts.localities)]
    blocks.append(table("classes", i18n.t("annual.classes_table_title", lang, period=label),
                        [i18n.t("annual.col_class", lang), i18n.t("annual.col_from", lang),
                         i18n.t("annual.col_localities", lang)], rows,
                        data_columns=["classification", "minimum", "localities"],
                        data_rows=data))
    return blocks


def overview_notes(o: AnnualOverview, lang: str) -> list[dict]:
    blocks = [heading(i18n.t("annual.notes_title", lang))]
    label = o.period.label(lang)
    found = source_lines(o.dataset, {u.code for u in o.units}, set(row_periods(o.period)), lang)
    if found:
        blocks.append(note(i18n.t("notes.sources", lang, sources="; ".join(found))))
    if o.not_reported:
        blocks.append(note(i18n.t("annual.peers_not_reported", lang, period=label,
                                  count=formatting.integer(len(o.not_reported), lang),
                                  items=unit_list(o.not_reported, lang))))
    if o.missing_quarters:
        by_code = {u.code: u for u in o.units}
        items = "; ".join(f"{by_code[c].name} ({', '.join(q)})"
                          for c, q in o.missing_quarters.items() if c in by_code)
        blocks.append(note(i18n.t("annual.missing_quarters_units", lang,
                                  count=formatting.integer(len(o.missing_quarters), lang),
                                  items=items)))
    if o.other_register:
        blocks.append(note(i18n.t("annual.other_register", lang,
                                  quarters=", ".join(o.other_register), period=label)))
    blocks += _how_notes(o.period, lang)
    blocks.append(appraisal_wording.rule_note(len(o.scores), lang))
    blocks += methodology_notes(o.methodology, lang)
    blocks.append(colophon(o.provenance, o.methodology, lang))
    return blocks


def overview_summary_data(o: AnnualOverview) -> dict:
    s = o.scores
    return {
        "kind": "annual_overview",
        "locality_code": o.province.code,
        "locality_name": o.province.name,
        "period": str(o.period),
        "methodology": o.methodology.id,
        "reported": len(s) + len(o.not_ranked),
        "index": round_half_up(float(s["index"].astype("float64").mean()), 2) if len(s) else None,
        "rank": None,
        "rank_of": len(s) if len(s) else None,
        "classification": None,
        "status_note": (f"{len(o.not_ranked)} units not ranked (criteria without points)"
                        if len(o.not_ranked) else None),
        "lead": {lang: overview_lead_text(o, lang) for lang in i18n.LANGS},
        "inputs": o.provenance["inputs"],
        "parbrief_version": __version__,
        "subject": {lang: i18n.t("committee.subject_overview", lang, index_name=index_full_name(
            o.methodology, lang), units=unit_noun(o.units, o.level, lang),
            where=parent_phrase(o.province, lang), quarter=o.period.label(lang))
            for lang in i18n.LANGS},
    }


def overview_summary(o: AnnualOverview, languages=("vi",)) -> None:
    data = overview_summary_data(o)
    lang = display.first_language(languages)
    display.show_summary(data, data["lead"][lang], lang)


__all__ = ["BRIEFING_SECTIONS", "OVERVIEW_SECTIONS", "headline", "key_results", "lead_text",
           "league", "notes", "overview_classes", "overview_headline", "overview_lead_text",
           "overview_league", "overview_notes", "overview_summary", "overview_summary_data",
           "points_by_area", "rank_history", "self_assessment", "show", "summary",
           "summary_data"]
