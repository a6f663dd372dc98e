"""The news in words: leads, headlines, rank histories and the press release.

What is news is computed in ``model.news``; which facts a lead opens on is configuration
(``resources/news.yaml``); every sentence comes from the message catalogues (keys ``news.*``).
"""

from __future__ import annotations

import math

import pandas as pd

from parbrief.core import formatting, i18n
from parbrief.core.periods import Quarter
from parbrief.model.news import RankPoint, UnitNews, rules
from parbrief.present.blocks import number_or_none
from parbrief.present.wording import class_in_text, name_of

CHANGE_OPENINGS = ("largest_rise", "largest_rise_shared", "rise", "largest_fall",
                   "largest_fall_shared", "fall")


def sentence_case(text: str) -> str:
    """The first letter upper case ("xã Quế Phong dẫn đầu" -> "Xã Quế Phong dẫn đầu")."""
    return text[:1].upper() + text[1:] if text else text


def quarter_in_text(q: Quarter, lang: str) -> str:
    """A quarter inside a Vietnamese sentence is lower case ("quý III/2026")."""
    label = q.label(lang)
    return label[:1].lower() + label[1:] if lang == "vi" else label


def rank_text(rank: int, of: int, lang: str, tied: bool = False,
              peer_group: str | None = None) -> str:
    """"52nd out of 129" / "52/129"; with the peer group when the sentence has not named it."""
    key = "news.rank_tied" if tied else "news.rank"
    values = {"ordinal": i18n.ordinal(rank, lang), "of": formatting.integer(of, lang)}
    if peer_group:
        key += "_in_group"
        values["peer_group"] = peer_group
    return i18n.t(key, lang, **values)


def _position_word(position: int, lang: str) -> str:
    key = f"news.position.{position}"
    return i18n.t(key, lang) if key in i18n.catalogue(lang) else i18n.ordinal(position, lang)


def briefing_opening(news: UnitNews) -> str:
    """Which fact the lead opens on (``briefing.openings`` in the news rules)."""
    r = rules()["briefing"]
    notable = int(r["notable_positions"])
    for key in r["openings"]:
        if key == "first" and news.first:
            return "first_tied" if news.tied else "first"
        if key == "last" and news.last:
            return "last"
        if key == "largest_rise" and news.rise_position == 1:
            return "largest_rise_shared" if news.shared_move else "largest_rise"
        if key == "largest_fall" and news.fall_position == 1:
            return "largest_fall_shared" if news.shared_move else "largest_fall"
        if key == "rise" and news.rise_position and news.rise_position <= notable:
            return "rise"
        if key == "fall" and news.fall_position and news.fall_position <= notable:
            return "fall"
        if key == "score":
            return "score"
    return "score"


def _position_of(news: UnitNews, opening: str) -> int | None:
    return news.rise_position if "rise" in opening else news.fall_position \
        if "fall" in opening else None


def rank_clause(news: UnitNews, rank: str, lang: str) -> str:
    """"climbing 38 places to 52nd out of 129" / "tăng 38 bậc, lên thứ 52/129"."""
    places = news.rank_change
    if places is None:
        return i18n.t("news.rank_clause.new", lang, rank=rank)
    if places == 0:
        return i18n.t("news.rank_clause.same", lang, rank=rank)
    if abs(places) < int(rules()["briefing"]["rank_move_min_places"]):
        return i18n.t("news.rank_clause.new", lang, rank=rank)
    direction = "climb" if places > 0 else "drop"
    if abs(places) == 1:
        return i18n.t(f"news.rank_clause.{direction}_one", lang, rank=rank)
    return i18n.t(f"news.rank_clause.{direction}", lang, rank=rank,
                  places=formatting.integer(abs(places), lang))


def class_clause(news: UnitNews, current: str, lang: str) -> str:
    """"moving up from fair to good" / "classified as good"."""
    step = news.class_step
    if step:
        column = "previous_classification_vi" if lang == "vi" else "previous_classification"
        previous = class_in_text(news.movement.get(column) or "", lang)
        return i18n.t(f"news.class_clause.{'up' if step > 0 else 'down'}", lang,
                      previous=previous, current=class_in_text(current, lang))
    return i18n.t("news.class_clause.same", lang, current=class_in_text(current, lang))


def history_points(news: UnitNews, period: Quarter) -> list[RankPoint]:
    """The earlier ranks a lead quotes: the same quarter of earlier years, then the previous
    quarter, at most ``briefing.history_in_lead`` of them, oldest first."""
    n = int(rules()["briefing"]["history_in_lead"])
    if n <= 0:
        return []
    earlier = [p for p in news.history if p.period < period and p.rank is not None]
    # a stated move of rank already tells the previous quarter: its published rank (among the
    # units that reported then) would sit beside a move counted among this quarter's reporters
    previous = [p for p in earlier if p.period == period.previous()] \
        if news.rank_change is None else []
    years = [p for p in earlier if p.period.quarter == period.quarter]
    chosen = (years[-(n - 1):] if n > 1 and years else []) + previous
    if not previous:
        chosen = years[-n:]
    unique = {p.period: p for p in chosen}
    return [unique[q] for q in sorted(unique, key=lambda q: q.index)]


def history_sentence(items: list[tuple[str, float | None, int, int, str | None]],
                     lang: str) -> str:
    """Rank over time as the press tells it: "In 2021 it scored 89.53 points, ranked 8th
    out of 13; in 2023 it scored 87.45 points, ranked 5th out of 13." Each item: (when,
    index, rank, of, class label or None)."""
    parts = []
    for when, index, rank, of, label in items:
        key = "news.history_item_class" if label else "news.history_item"
        values = {"quarter": when, "index": formatting.points(index, lang),
                  "rank": rank_text(rank, of, lang)}
        if label:
            values["classification"] = class_in_text(label, lang)
        parts.append(i18n.t(key, lang, **values))
    if not parts:
        return ""
    return sentence_case(i18n.t("news.history", lang, items="; ".join(parts)))


def lead_history(news: UnitNews, period: Quarter, lang: str) -> str:
    points = history_points(news, period)
    return history_sentence([(quarter_in_text(p.period, lang), p.index, p.rank, p.rank_of, None)
                             for p in points], lang)


def headline_text(news: UnitNews, opening: str, *, name: str, where: str, index_name: str,
                  rank: str, current_class: str, lang: str) -> str:
    """A headline on the lead's news: "Quế Phong commune posts the largest rise in Nghệ An
    province, climbs 38 places, moves up to good"."""
    values = {"name": name, "where": where, "index_name": index_name, "rank": rank,
              "position": ""}
    if opening in ("rise", "fall"):
        values["position"] = _position_word(_position_of(news, opening), lang)
    text = i18n.t(f"news.headline.{opening}", lang, **values)
    more = []
    places = news.rank_change
    if places and opening not in ("first", "first_tied") and \
            abs(places) >= max(int(rules()["briefing"]["rank_move_min_places"]), 2):
        more.append(i18n.t(f"news.headline_more.{'climb' if places > 0 else 'drop'}", lang,
                           places=formatting.integer(abs(places), lang)))
    if news.class_step:
        more.append(i18n.t(f"news.headline_more.{'class_up' if news.class_step > 0 else 'class_down'}",
                           lang, current=class_in_text(current_class, lang)))
    return sentence_case(", ".join([text] + more))


# ------------------------------------------------------------------------------ overview


def _row_name(row, period: Quarter, lang: str) -> str:
    return name_of(str(row["code"]), period, lang, fallback=str(row.get("name") or ""))


def rank_move_short(row, lang: str) -> str:
    """"up 38 places to 52nd" / "tăng 38 bậc, lên thứ 52"."""
    places = number_or_none(row.get("rank_change"))
    ordinal = i18n.ordinal(int(row["rank"]), lang)
    if places is None:
        return i18n.t("news.rank_move_short.new", lang, ordinal=ordinal)
    if places == 0:
        return i18n.t("news.rank_move_short.same", lang, ordinal=ordinal)
    return i18n.t(f"news.rank_move_short.{'climb' if places > 0 else 'drop'}", lang,
                  ordinal=ordinal, places=formatting.integer(abs(places), lang))


def classes_text(counts: pd.DataFrame, lang: str) -> str:
    """How many reached the top class, or, when none did, the best class anyone reached."""
    counts = counts.reset_index(drop=True)
    labels = [class_in_text(c, lang) for c in counts.classification]
    top_count = int(counts.localities.iloc[0])
    if top_count:
        return i18n.t("news.classes_top", lang, count=formatting.integer(top_count, lang),
                      band=labels[0])
    reached = counts.index[counts.localities > 0]
    if not len(reached):
        return ""
    first = int(reached[0])
    empty = labels[:first]
    top = empty[0] if len(empty) == 1 else i18n.t(
        "words.or_list", lang, head=", ".join(empty[:-1]), last=empty[-1])
    return i18n.t("news.classes_none_top", lang, top=top,
                  count=formatting.integer(int(counts.localities.iloc[first]), lang),
                  band=labels[first])


def signed(value, lang: str) -> str:
    """An index change with its sign: "+8.39" / "−6,65"."""
    v = number_or_none(value)
    if v is None or math.isnan(v):
        return formatting.MISSING[lang]
    return formatting.change(v, lang)


__all__ = [
    "CHANGE_OPENINGS",
    "briefing_opening",
    "class_clause",
    "classes_text",
    "headline_text",
    "history_points",
    "history_sentence",
    "lead_history",
    "quarter_in_text",
    "rank_clause",
    "rank_move_short",
    "rank_text",
    "sentence_case",
    "signed",
]
