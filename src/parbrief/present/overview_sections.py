"""The sections of a province overview, as display blocks in one language: headline, key
figures, league table, classes, biggest movers, map, notes; and the overview's summary."""

from __future__ import annotations

import pandas as pd

from parbrief import __version__
from parbrief.core import formatting, i18n
from parbrief.core.catalogue import label as indicator_label
from parbrief.core.rounding import round_to_total
from parbrief.model.briefing import KEY_METRICS
from parbrief.present import charts, display
from parbrief.present.blocks import heading, note, number_or_none, paragraph, table
from parbrief.present.wording import (
    COUNT_PAIRS,
    cell_change,
    change_points,
    change_pp,
    classification_label,
    colophon,
    difference,
    index_full_name,
    index_label,
    methodology_notes,
    metric_value,
    parent_phrase,
    place_name,
    quarter_text,
    signed_points,
    source_lines,
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
    counts = o.class_counts(lang)
    return i18n.t("overview.lead", lang, quarter=quarter, peer_group=group,
                  reported=formatting.integer(len(s), lang), total=formatting.integer(total, lang),
                  index_name=index_label(o.methodology, lang),
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
                   index_name=index_label(o.methodology, lang))
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
             "change": change_points(round_half_up(float(mean_change.mean()), 2), lang)
             if len(mean_change) else formatting.MISSING[lang]},
            {"label": i18n.t("overview.highest", lang), "value": formatting.points(idx.max(), lang),
             "change": s["name"].iloc[0]},
            {"label": i18n.t("overview.lowest", lang), "value": formatting.points(idx.min(), lang),
             "change": s["name"].iloc[-1]},
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
        rows.append([formatting.integer(row["rank"], lang), row["name"], row["code"],
                     formatting.points(row["index"], lang),
                     classification_label(row, o.methodology, lang),
                     cell_change(row.get("index_change"), lang),
                     cell_change(row.get("rank_change"), lang, rank=True)])
        data.append([int(row["rank"]), row["code"], row["name"], number_or_none(row["index"]),
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
                                      province=place_name(o.province, lang), quarter=quarter), alt=alt))
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
    return blocks


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
    labels = list(both["name"])
    changes = [float(x) for x in both["index_change"]]
    alt = i18n.t("overview.movers_alt", lang, quarter=quarter,
                 items="; ".join(f"{n} {signed_points(c, lang)}" for n, c in zip(labels, changes)))
    blocks.append(charts.movers(labels, changes, lang,
                                title=i18n.t("overview.movers_chart_title", lang, quarter=quarter,
                                             previous=o.period.previous().label(lang)), alt=alt))
    rows, data = [], []
    for _, r in both.iterrows():
        row = r.to_dict()
        rows.append([row["name"], formatting.points(row["index"], lang),
                     cell_change(row["index_change"], lang),
                     formatting.rank(row["rank"], row["rank_of"], lang),
                     cell_change(row.get("rank_change"), lang, rank=True)])
        data.append([row["code"], row["name"], number_or_none(row["index"]), number_or_none(row["index_change"]),
                     int(row["rank"]), number_or_none(row.get("rank_change"))])
    blocks.append(table("largest-changes",
                        i18n.t("overview.movers_table_title", lang, quarter=quarter),
                        [i18n.t("peers.col_name", lang), index_label(o.methodology, lang),
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
                 index_name=index_label(o.methodology, lang), top=i18n.join(top, lang),
                 bottom=i18n.join(bottom, lang))
    blocks.append(charts.dot_map(
        [float(x) for x in placed.lon], [float(x) for x in placed.lat],
        [float(x) for x in placed["index"]], names, lang, missing=missing,
        title=i18n.t("overview.map_chart_title", lang, province=place_name(o.province, lang),
                     quarter=quarter,
                     index_name=index_label(o.methodology, lang)), alt=alt))
    blocks.append(paragraph(i18n.t("overview.map_text", lang, top=i18n.join(top, lang),
                                   bottom=i18n.join(bottom, lang))))
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
