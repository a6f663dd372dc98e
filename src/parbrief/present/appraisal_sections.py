"""Wording for the council's points, shared by the quarterly and the annual briefings: the rule
for units not yet (fully) appraised, and the locality's own points beside the council's.

The rule (``model.appraisal``): a unit with criteria still without points is not ranked and not
classified until it has them, and is never scored 0 for them. Reports say so where it matters:
in the headline (the lead), beside the points by area, in the peer table and in the notes.
"""

from __future__ import annotations

import pandas as pd

from parbrief.core import formatting, i18n
from parbrief.present.blocks import heading, note, paragraph, table
from parbrief.present.wording import signed_points


def capitalised(text: str) -> str:
    """A period label at the start of a sentence ("năm 2025" -> "Năm 2025")."""
    return text[:1].upper() + text[1:] if text else text


def unranked_lead(name: str, period_label: str, missing: int, criteria: int, lang: str) -> str:
    """The lead of a unit not yet ranked: what is missing and the rule, never a rank."""
    return i18n.t("appraisal_rule.lead", lang, period=capitalised(period_label), name=name,
                  missing=formatting.integer(missing, lang),
                  criteria=formatting.integer(criteria, lang))


def rule_note(ranked: int, lang: str) -> dict:
    return note(i18n.t("appraisal_rule.rule", lang, ranked=formatting.integer(ranked, lang)))


def waiting_note(not_ranked: pd.DataFrame, lang: str) -> dict | None:
    """The peers not ranked for want of points, with how many criteria each lacks."""
    if not_ranked is None or not len(not_ranked):
        return None
    items = "; ".join(i18n.t("appraisal_rule.waiting_item", lang, name=r["name"],
                             missing=formatting.integer(r["appraisal_missing"], lang))
                      for _, r in not_ranked.iterrows())
    return note(i18n.t("appraisal_rule.waiting", lang,
                       count=formatting.integer(len(not_ranked), lang), items=items))


def provisional_note(name: str, unscored: pd.DataFrame, lang: str) -> dict | None:
    """Beside points by area of a unit not yet ranked: they are provisional, and which
    criteria have no points."""
    if unscored is None or not len(unscored):
        return None
    column = "name_vi" if lang == "vi" else "name_en"
    return note(i18n.t("appraisal_rule.provisional", lang, name=name,
                       count=formatting.integer(len(unscored), lang),
                       items="; ".join(unscored[column].astype(str))))


def status_note(missing: int) -> str:
    """The batch status line of a report made for a unit not yet ranked (English, as the
    console is)."""
    return f"not ranked: {missing} criteria without points (appraisal pending)"


def self_assessment_blocks(frame: pd.DataFrame, name: str, period_label: str, lang: str,
                           heading_level: int = 3) -> list[dict]:
    """The locality's own points beside the council's, by area (and by total where the table
    gives totals): a table and the gap in words. Nothing when no criterion has both."""
    if frame is None or not len(frame):
        return []
    blocks = [heading(i18n.t("self_assessment.title", lang), heading_level)]
    column = "name_vi" if lang == "vi" else "name_en"
    rows, data = [], []
    for _, r in frame.iterrows():
        label = r[column] if r["kind"] == "area" else i18n.t(f"self_assessment.{r['key']}", lang)
        rows.append([label, formatting.integer(r["criteria"], lang),
                     formatting.points(r["self_assessed"], lang),
                     formatting.points(r["appraised"], lang), signed_points(r["difference"], lang)])
        data.append([r["key"], label, int(r["criteria"]), float(r["self_assessed"]),
                     float(r["appraised"]), float(r["difference"])])
    own = round(float(frame.self_assessed.sum()), 2)
    council = round(float(frame.appraised.sum()), 2)
    difference = round(council - own, 2)
    criteria = int(frame.criteria.sum())
    if len(frame) > 1:
        rows.append([i18n.t("self_assessment.total_row", lang), formatting.integer(criteria, lang),
                     formatting.points(own, lang), formatting.points(council, lang),
                     signed_points(difference, lang)])
        data.append(["total", i18n.t("self_assessment.total_row", lang), criteria, own, council,
                     difference])
    blocks.append(table(
        "self-assessment", i18n.t("self_assessment.table_title", lang, name=name,
                                  period=period_label),
        [i18n.t(f"self_assessment.{c}", lang) for c in ("col_area", "col_criteria", "col_self",
                                                          "col_appraised", "col_difference")],
        rows, data_columns=["key", "name", "criteria", "self_assessed", "appraised",
                            "difference"], data_rows=data))
    blocks.append(paragraph(i18n.t("self_assessment.summary", lang,
                                   criteria=formatting.integer(criteria, lang), name=name,
                                   self=formatting.points(own, lang),
                                   appraised=formatting.points(council, lang),
                                   difference=signed_points(difference, lang))))
    gaps = frame[frame.difference != 0]
    if len(gaps) > 1:
        worst = gaps.loc[gaps.difference.abs().idxmax()]
        label = worst[column] if worst["kind"] == "area" else \
            i18n.t(f"self_assessment.{worst['key']}", lang)
        blocks.append(paragraph(i18n.t("self_assessment.largest", lang, area=label,
                                       difference=signed_points(worst["difference"], lang))))
    return blocks


__all__ = ["capitalised", "provisional_note", "rule_note", "self_assessment_blocks",
           "status_note", "unranked_lead", "waiting_note"]
