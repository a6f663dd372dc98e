"""The sections of a province overview, as display blocks in one language: headline, key
figures, league table, classes, biggest movers, map, notes; and the overview's summary."""

from __future__ import annotations

import pandas as pd

from parbrief import __version__
from parbrief.core import formatting, i18n
from parbrief.core.catalogue import label as indicator_label
from parbrief.core.periods import MERGER_QUARTER
from parbrief.core.rounding import round_to_total
from parbrief.model import news as news_model
from parbrief.model.briefing import KEY_METRICS
from parbrief.present import appraisal_sections as appraisal_wording
from parbrief.present import charts, display
from parbrief.present.blocks import heading, note, number_or_none, paragraph, table
from parbrief.present.news_wording import (
    classes_text,
    quarter_in_text,
    rank_move_short,
    sentence_case,
    signed,
)
from parbrief.present.wording import (
    COUNT_PAIRS,
    ascii_or_not,
    cell_change,
    change_points,
    change_pp,
    chart_source,
    class_in_text,
    classification_label,
    colophon,
    difference,
    former_place_name,
    index_full_name,
    index_label,
    methodology_notes,
    metric_value,
    name_of,
    parent_phrase,
    place_name,
    quarter_text,
    signed_points,
    source_lines,
    table_name,
    unit_list,
    unit_noun,
    year_to_date,
)
from parbrief.scoring.metrics import METRICS, round_half_up
from parbrief.units import register

MAP_LABELS = 3


def _ov_units(o) -> list[register.Locality]:
    return register.children(o.province.code, o.period, level=o.level)


def _ov_group(o, lang: str) -> str:
    return i18n.t("lead.peer_group", lang, units=unit_noun(_ov_units(o), o.level, lang),
                  where=parent_phrase(o.province, lang))


def _ov_scores(o) -> pd.DataFrame:
    s = o.scores
    if s is None or not len(s):
        return pd.DataFrame()
    return s.sort_values(["rank", "code"], kind="stable").reset_index(drop=True)


def _ov_name(row, o, lang: str) -> str:
    return name_of(str(row["code"]), o.period, lang, fallback=str(row.get("name") or ""))


def _ov_names(rows: pd.DataFrame, o, lang: str) -> str:
    return i18n.join([_ov_name(r, o, lang) for _, r in rows.iterrows()], lang)


def _ov_where(o, lang: str) -> str:
    return place_name(o.province, lang)


def overview_lead_text(o, lang: str) -> str:
    """The overview's lead, opening on who moved (rules: ``resources/news.yaml``): the largest
    rise and fall with their places, first and last (and whether first place changed hands),
    how many changed class, then how many reported and their mean."""
    i18n.check_lang(lang)
    s = _ov_scores(o)
    quarter = o.period.label(lang)
    total = len(_ov_units(o))
    group = _ov_group(o, lang)
    if not len(s):
        return i18n.t("overview.lead_none", lang, quarter=quarter, peer_group=group,
                      total=formatting.integer(total, lang))
    news = o.news
    index_name = index_label(o.methodology, lang)
    units = unit_noun(_ov_units(o), o.level, lang)
    top, bottom = _top_bottom(o)
    leader = {"top": _ov_names(top, o, lang),
              "top_index": formatting.points(top["index"].iloc[0], lang),
              "bottom": _ov_names(bottom, o, lang),
              "bottom_index": formatting.points(bottom["index"].iloc[0], lang)}
    sentences = []
    risers = news.risers if news is not None else s.iloc[:0]
    fallers = news.fallers if news is not None else s.iloc[:0]
    if len(risers) or len(fallers):
        values = {"peer_group": group, "index_name": index_name, "quarter": quarter}
        if len(risers):
            r = risers.iloc[0]
            values.update(riser=_ov_name(r, o, lang),
                          rise=formatting.points(abs(r["index_change"]), lang),
                          rise_index=formatting.points(r["index"], lang),
                          rise_rank=rank_move_short(r, lang))
        if len(fallers):
            f = fallers.iloc[0]
            values.update(faller=_ov_name(f, o, lang),
                          fall=formatting.points(abs(f["index_change"]), lang),
                          fall_index=formatting.points(f["index"], lang),
                          fall_rank=rank_move_short(f, lang))
        key = "news.overview_movers" if len(risers) and len(fallers) else \
            "news.overview_movers_rise" if len(risers) else "news.overview_movers_fall"
        sentences.append(sentence_case(i18n.t(key, lang, **values)))
        previous = [c for c in news.previous_leaders if c not in set(top.code)]
        if previous and not set(top.code) & set(news.previous_leaders):
            names = i18n.join([name_of(c, o.period, lang) for c in previous], lang)
            sentences.append(sentence_case(i18n.t("news.overview_new_leader", lang,
                                                  previous=names, **leader)))
        else:
            sentences.append(sentence_case(i18n.t("news.overview_leader", lang, **leader)))
    else:
        sentences.append(sentence_case(i18n.t("news.overview_leader_opening", lang,
                                              peer_group=group, index_name=index_name,
                                              quarter=quarter, **leader)))
    classes = classes_text(o.class_counts(lang), lang)
    if news is not None and news.comparable:
        up, down = len(news.class_up), len(news.class_down)
        if up + down:
            sentences.append(sentence_case(i18n.t(
                "news.overview_classes", lang, changed=formatting.integer(up + down, lang),
                units=units, up=formatting.integer(up, lang),
                down=formatting.integer(down, lang), classes=classes)))
        else:
            sentences.append(i18n.t("news.overview_no_class_change", lang, classes=classes))
    elif classes:
        sentences.append(i18n.t("news.overview_classes_only", lang,
                                classes_sentence=sentence_case(classes)))
    idx = s["index"].astype("float64")
    sentences.append(sentence_case(i18n.t(
        "news.overview_reporting", lang, reported=formatting.integer(len(s), lang),
        total=formatting.integer(total, lang), units=units,
        mean=formatting.points(round_half_up(float(idx.mean()), 2), lang))))
    return " ".join(sentences)


def _top_bottom(o) -> tuple[pd.DataFrame, pd.DataFrame]:
    s = _ov_scores(o)
    return s[s["rank"] == s["rank"].min()], s[s["rank"] == s["rank"].max()]


def overview_headline_text(o, lang: str) -> str:
    """"Tân Châu commune leads Nghệ An province; 20 communes and wards change class"."""
    s = _ov_scores(o)
    if not len(s):
        return ""
    top, _ = _top_bottom(o)
    values = {"leader": _ov_names(top, o, lang), "where": _ov_where(o, lang),
              "index_name": index_label(o.methodology, lang),
              "quarter": quarter_in_text(o.period, lang), "units": unit_noun(_ov_units(o), o.level, lang)}
    changed = len(o.news.class_changes) if o.news is not None and o.news.comparable else 0
    if changed:
        return sentence_case(i18n.t("news.overview_headline_classes", lang,
                                    changed=formatting.integer(changed, lang), **values))
    return sentence_case(i18n.t("news.overview_headline", lang, **values))


def overview_headline(o, lang: str) -> list[dict]:
    title = i18n.t("overview.title", lang, province=sentence_case(_ov_where(o, lang)),
                   quarter=o.period.label(lang), index_name=index_label(o.methodology, lang))
    blocks = [heading(title, 1)]
    news_line = overview_headline_text(o, lang)
    if news_line:
        blocks.append({"kind": "paragraph", "role": "headline", "text": news_line})
    return blocks + [{"kind": "lead", "text": overview_lead_text(o, lang)}]


def _mover_items(rows: pd.DataFrame, o, lang: str) -> str:
    return "; ".join(i18n.t("news.press_mover", lang, name=_ov_name(r, o, lang),
                            change=signed(r["index_change"], lang),
                            rank=rank_move_short(r, lang)) for _, r in rows.iterrows())


def _class_items(rows: pd.DataFrame, o, lang: str, key: str) -> str:
    prev_col = "previous_classification_vi" if lang == "vi" else "previous_classification"
    cur_col = "classification_vi" if lang == "vi" else "classification"
    return "; ".join(i18n.t(key, lang, name=_ov_name(r, o, lang),
                            previous=class_in_text(r[prev_col], lang),
                            current=class_in_text(r[cur_col], lang))
                     for _, r in rows.iterrows())


def press_release_paragraphs(o, lang: str) -> list[str]:
    """A short press release a paper could run: headline, lead, the largest rises and falls,
    the class changes, the top and bottom three, the source."""
    s = _ov_scores(o)
    out = [overview_headline_text(o, lang), overview_lead_text(o, lang)]
    if not len(s):
        return [p for p in out if p]
    news = o.news
    if news is not None and len(news.risers):
        out.append(i18n.t("news.press_risers", lang, items=_mover_items(news.risers, o, lang)))
    if news is not None and len(news.fallers):
        out.append(i18n.t("news.press_fallers", lang, items=_mover_items(news.fallers, o, lang)))
    if news is not None and len(news.class_up):
        out.append(i18n.t("news.press_class_up", lang,
                          count=formatting.integer(len(news.class_up), lang),
                          items=_class_items(news.class_up, o, lang, "news.press_class_item")))
    if news is not None and len(news.class_down):
        out.append(i18n.t("news.press_class_down", lang,
                          count=formatting.integer(len(news.class_down), lang),
                          items=_class_items(news.class_down, o, lang,
                                             "news.press_class_item_down")))
    if len(s) >= 6:
        def ranked(rows):
            return "; ".join(i18n.t("news.press_ranked", lang, name=_ov_name(r, o, lang),
                                    index=formatting.points(r["index"], lang))
                             for _, r in rows.iterrows())
        out.append(i18n.t("news.press_top", lang, items=ranked(s.head(3)),
                          bottom=ranked(s.tail(3))))
    codes = {u.code for u in _ov_units(o)}
    sources = source_lines(o.dataset, codes, {str(o.period)}, lang)
    out.append(i18n.t("news.press_source", lang,
                      sources="; ".join(sources) if sources else i18n.t(
                          "news.press_source_default", lang, quarter=o.period.label(lang)),
                      methodology=o.methodology.title[lang], version=o.methodology.version))
    return [p for p in out if p]


def press_release(o, lang: str) -> list[dict]:
    """The press release as blocks (each paragraph marked, so the newsroom pack writes it
    to press-release.txt)."""
    paragraphs = press_release_paragraphs(o, lang)
    blocks = [{**heading(i18n.t("news.press_title", lang)), "role": "press-release"}]
    for i, text in enumerate(paragraphs):
        blocks.append({"kind": "paragraph", "role": "press-release-headline" if i == 0
                       else "press-release", "text": text})
    return blocks


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
             "change": change_points(round_half_up(float(mean_change.mean()), 2), lang)
             if len(mean_change) else formatting.MISSING[lang]},
            {"label": i18n.t("overview.highest", lang), "value": formatting.points(idx.max(), lang),
             "change": table_name(s["code"].iloc[0], s["name"].iloc[0], o.period, lang)},
            {"label": i18n.t("overview.lowest", lang), "value": formatting.points(idx.min(), lang),
             "change": table_name(s["code"].iloc[-1], s["name"].iloc[-1], o.period, lang)},
        ]
    rows, data = [], []
    for name in KEY_METRICS:
        label = METRICS[name].labels[lang]
        value, before = metric_value(o.metrics, name), metric_value(o.previous_metrics, name)
        # a year-to-date rate is not compared with the previous quarter
        ytd = year_to_date(name)
        change = None if ytd else difference(value, before)
        tiles.append({"label": label, "value": formatting.percent(value, lang),
                      "change": change_pp(change, lang)})
        rows.append([i18n.t("figures.year_to_date", lang, label=label) if ytd else label,
                     formatting.percent(value, lang), formatting.percent(before, lang),
                     change_pp(change, lang)])
        data.append([name, value, before, change])
    figs = o.figures or {}
    tiles.append({"label": indicator_label("records_received", lang),
                  "value": formatting.integer(number_or_none(figs.get("records_received")), lang),
                  "change": ""})
    # province totals are too long for an "x/y" tile: the part is the value, the whole below it
    for key, part, whole in COUNT_PAIRS[:2]:
        total = number_or_none(figs.get(whole))
        tiles.append({"label": i18n.t(key, lang),
                      "value": formatting.integer(number_or_none(figs.get(part)), lang),
                      "change": "" if total is None else i18n.t(
                          "overview.of_total", lang, total=formatting.integer(total, lang))})
    blocks.append({"kind": "figures", "items": tiles})
    prev_q = o.period.previous()
    blocks.append(note(i18n.t("overview.figures_explain", lang, previous=prev_q.label(lang))))
    blocks.append(table(
        "province-key-figures", i18n.t("overview.figures_table_title", lang,
                                       province=place_name(o.province, lang),
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
    index_name = index_label(o.methodology, lang)
    rows, data = [], []
    for _, r in s.iterrows():
        row = r.to_dict()
        name = table_name(row["code"], row["name"], o.period, lang)
        rows.append([formatting.integer(row["rank"], lang), name, row["code"],
                     formatting.points(row["index"], lang),
                     classification_label(row, o.methodology, lang),
                     cell_change(row.get("index_change"), lang),
                     cell_change(row.get("rank_change"), lang, rank=True)])
        data.append([int(row["rank"]), row["code"], name, number_or_none(row["index"]),
                     classification_label(row, o.methodology, lang), number_or_none(row.get("index_change")),
                     number_or_none(row.get("rank_change"))])
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
    counts = o.class_counts(lang)
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
                                      province=place_name(o.province, lang), quarter=quarter),
        alt=alt, source=_ov_source(o, lang)))
    bands = o.methodology.bands
    # shares rounded by the largest remainder, so that they add up to 100,00%
    shares = round_to_total([c / total * 100 for c in n], 100.0)
    rows = [[lbl, formatting.number(band.min, lang), formatting.integer(c, lang),
             formatting.percent(share, lang)]
            for lbl, band, c, share in zip(labels, bands, n, shares)]
    data = [[lbl, float(band.min), c, share] for lbl, band, c, share in zip(labels, bands, n, shares)]
    rows.append([i18n.t("overview.total", lang), "", formatting.integer(total, lang),
                 formatting.percent(100, lang)])
    data.append(["total", None, total, 100.0])
    blocks.append(table("localities-by-class",
                        i18n.t("overview.classes_table_title", lang, quarter=quarter),
                        [i18n.t("peers.col_class", lang), i18n.t("overview.col_from", lang),
                         i18n.t("overview.col_localities", lang),
                         i18n.t("overview.col_share", lang)], rows,
                        data_columns=["classification", "min_index", "localities", "share_percent"],
                        data_rows=data))
    return blocks + class_changes(o, lang)


def class_changes(o, lang: str) -> list[dict]:
    """The units that changed class against the previous quarter: up first, then down."""
    previous = o.period.previous()
    values = {"quarter": o.period.label(lang), "previous": previous.label(lang)}
    news = o.news
    if news is None or not news.comparable:
        key = "news.class_changes_merger" if register.register_for(previous) != \
            register.register_for(o.period) else "news.class_changes_none"
        return [paragraph(i18n.t(key, lang, **values))]
    changed = news.class_changes
    if not len(changed):
        return [paragraph(i18n.t("news.class_changes_none", lang, **values))]
    prev_col = "previous_classification_vi" if lang == "vi" else "previous_classification"
    cur_col = "classification_vi" if lang == "vi" else "classification"
    rows, data = [], []
    for _, r in changed.iterrows():
        up = r["class_step"] > 0
        rows.append([_ov_name(r, o, lang), formatting.points(r["index"], lang),
                     cell_change(r["index_change"], lang), r[prev_col], r[cur_col],
                     i18n.t("news.direction_up" if up else "news.direction_down", lang),
                     formatting.rank(r["rank"], r["rank_of"], lang)])
        data.append([r["code"], _ov_name(r, o, lang), number_or_none(r["index"]),
                     number_or_none(r["index_change"]), r[prev_col], r[cur_col],
                     int(r["class_step"]), int(r["rank"])])
    return [table(
        "class-changes", i18n.t("news.class_changes_title", lang, **values),
        [i18n.t("peers.col_name", lang), index_label(o.methodology, lang),
         i18n.t("peers.col_change", lang), i18n.t("news.col_previous_class", lang, **values),
         i18n.t("news.col_class", lang, **values), i18n.t("news.col_direction", lang),
         i18n.t("peers.col_rank", lang)], rows,
        data_columns=["code", "name", "index", "index_change", "previous_classification",
                      "classification", "class_step", "rank"], data_rows=data)]


def _ov_source(o, lang: str) -> str:
    return chart_source(o.dataset, {u.code for u in _ov_units(o)}, o.period, o.methodology,
                        lang)


def biggest_movers(o, lang: str) -> list[dict]:
    blocks = [heading(i18n.t("overview.movers_title", lang))]
    s = _ov_scores(o)
    if not len(s) or s["index_change"].isna().all():
        key = "overview.movers_merger" if register.register_for(o.period.previous()) != \
            register.register_for(o.period) else "overview.movers_none"
        return blocks + [paragraph(i18n.t(key, lang, previous=o.period.previous().label(lang)))]
    up, down = o.movers()
    both = pd.concat([up, down.iloc[::-1]])
    if not len(both):
        return blocks + [paragraph(i18n.t("overview.movers_flat", lang))]
    quarter = o.period.label(lang)
    labels = [_ov_name(r, o, lang) for _, r in both.iterrows()]
    changes = [float(x) for x in both["index_change"]]
    alt = i18n.t("overview.movers_alt", lang, quarter=quarter,
                 items="; ".join(f"{n} {signed_points(c, lang)}" for n, c in zip(labels, changes)))
    blocks.append(charts.movers(labels, changes, lang,
                                title=i18n.t("overview.movers_chart_title", lang, quarter=quarter,
                                             previous=o.period.previous().label(lang)), alt=alt,
                                source=_ov_source(o, lang)))
    rows, data = [], []
    for _, r in both.iterrows():
        row = r.to_dict()
        rows.append([_ov_name(row, o, lang), formatting.points(row["index"], lang),
                     cell_change(row["index_change"], lang),
                     formatting.rank(row["rank"], row["rank_of"], lang),
                     cell_change(row.get("rank_change"), lang, rank=True)])
        data.append([row["code"], _ov_name(row, o, lang) if lang == "en" else row["name"],
                     number_or_none(row["index"]), number_or_none(row["index_change"]),
                     int(row["rank"]), number_or_none(row.get("rank_change"))])
    blocks.append(table("largest-changes",
                        i18n.t("overview.movers_table_title", lang, quarter=quarter),
                        [i18n.t("peers.col_name", lang), index_label(o.methodology, lang),
                         i18n.t("peers.col_change", lang), i18n.t("peers.col_rank", lang),
                         i18n.t("overview.col_rank_change", lang)], rows,
                        data_columns=["code", "name", "index", "index_change", "rank",
                                      "rank_change"], data_rows=data))
    return blocks


def former_districts(o, lang: str) -> list[dict]:
    """Where in the province the high and low scores are: the units grouped by the former
    district most of their area came from (a chart standing in for a map; no maintained
    package with a licence that allows it ships the province's outline)."""
    blocks = [heading(i18n.t("chart_text.former_districts_heading", lang))]
    s = _ov_scores(o)
    if not len(s):
        return blocks + [paragraph(i18n.t("overview.nobody", lang, quarter=o.period.label(lang)))]
    if register.register_for(o.period) != register.REG_2025 or o.level != "commune":
        return blocks + [paragraph(i18n.t("chart_text.former_districts_none", lang))]
    district_of = news_model.former_districts(list(s.code))
    groups: dict[str, list[float]] = {}
    for _, r in s.iterrows():
        if r["code"] in district_of:
            groups.setdefault(district_of[r["code"]], []).append(float(r["index"]))
    if not groups:
        return blocks + [paragraph(i18n.t("chart_text.former_districts_none", lang))]
    legacy = MERGER_QUARTER.previous()

    def median(v):
        v = sorted(v)
        return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2

    order = sorted(groups, key=lambda d: (-median(groups[d]), d))
    names = [name_of(d, legacy, lang) for d in order]
    short = [register.get(d, legacy).short_name if register.exists(d, legacy) else d
             for d in order]
    quarter = o.period.label(lang)
    index_name = index_label(o.methodology, lang)
    units = unit_noun(_ov_units(o), o.level, lang)
    alt = i18n.t("chart_text.former_districts_alt", lang, index_name=index_name, units=units,
                 quarter=quarter,
                 items="; ".join(f"{n} {formatting.number(median(groups[d]), lang, 1)}"
                                 for n, d in zip(names, order)))
    blocks.append(charts.by_group(
        [ascii_or_not(x, lang) for x in short], [groups[d] for d in order], lang,
        title=i18n.t("chart_text.former_districts_title", lang, index_name=index_name,
                     units=units, province=place_name(o.province, lang), quarter=quarter),
        alt=alt, source=_ov_source(o, lang)))
    top = f"{former_place_name(register.get(order[0], legacy), lang)} " \
          f"({formatting.number(median(groups[order[0]]), lang, 1)})"
    bottom = f"{former_place_name(register.get(order[-1], legacy), lang)} " \
             f"({formatting.number(median(groups[order[-1]]), lang, 1)})"
    blocks.append(paragraph(sentence_case(i18n.t("chart_text.former_districts_text", lang,
                                                 top=top, bottom=bottom))))
    return blocks


def overview_notes(o, lang: str) -> list[dict]:
    blocks = [heading(i18n.t("notes.title", lang))]
    quarter = o.period.label(lang)
    codes = {u.code for u in _ov_units(o)}
    sources = source_lines(o.dataset, codes, {str(o.period)}, lang)
    if sources:
        blocks.append(note(i18n.t("notes.sources", lang, sources="; ".join(sources))))
    if o.not_reported:
        blocks.append(note(i18n.t("notes.peers_not_reported", lang, quarter=quarter,
                                  count=formatting.integer(len(o.not_reported), lang),
                                  items=unit_list(o.not_reported, lang))))
    waiting = appraisal_wording.waiting_note(o.not_ranked, lang)
    if waiting:  # reported, not ranked for want of points: said, and the rule
        blocks += [waiting, appraisal_wording.rule_note(len(_ov_scores(o)), lang)]
    blocks.append(note(i18n.t("overview.totals_note", lang)))
    if i18n.t("notes.abbreviations", lang):
        blocks.append(note(i18n.t("notes.abbreviations", lang)))
    blocks += methodology_notes(o.methodology, lang)
    blocks.append(colophon(o.provenance, o.methodology, lang))
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
        # what the site's national page lists for the province
        "headline": {lang: overview_headline_text(o, lang) for lang in i18n.LANGS},
        "name": {lang: sentence_case(_ov_where(o, lang)) for lang in i18n.LANGS},
        "total": len(_ov_units(o)),
        "first": ({lang: sentence_case(_ov_names(_top_bottom(o)[0], o, lang))
                   for lang in i18n.LANGS}
                  if len(s) else None),
        "last": ({lang: sentence_case(_ov_names(_top_bottom(o)[1], o, lang))
                  for lang in i18n.LANGS}
                 if len(s) else None),
        "class_up": len(o.news.class_up) if o.news is not None and len(s) else None,
        "class_down": len(o.news.class_down) if o.news is not None and len(s) else None,
        "inputs": o.provenance["inputs"],
        "parbrief_version": __version__,
        "subject": {lang: i18n.t("committee.subject_overview", lang, index_name=index_full_name(
            o.methodology, lang), quarter=quarter_text(o.period, lang),
            units=unit_noun(_ov_units(o), o.level, lang),
            where=parent_phrase(o.province, lang)) for lang in i18n.LANGS},
    }


def overview_summary(o, languages=("vi",)) -> None:
    """Display the overview's summary output; its visible lead is in the first language shown."""
    data = overview_summary_data(o)
    lang = display.first_language(languages)
    display.show_summary(data, data["lead"][lang], lang)
