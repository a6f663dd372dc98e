"""The explain view in words: how each number of a briefing came about, in one language.

In a notebook::

    explain(b)                  # every criterion, area by area
    explain(b, "a3_on_time")    # one criterion (or one area: explain(b, "a3_procedures"))
    peer_table(b)               # every unit of the peer group, as a table (to_excel, to_csv)

``explain`` returns a view that JupyterLab shows as tables (``_repr_html_``) and a console as
text; its ``criteria`` and ``figures`` are the plain tables behind it.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from parbrief.core import formatting, i18n
from parbrief.core.catalogue import label as indicator_label
from parbrief.model import explain as model
from parbrief.model.briefing import Briefing
from parbrief.present import display
from parbrief.present.blocks import heading, note, number_or_none, paragraph, table
from parbrief.present.wording import classification_label, source_lines
from parbrief.scoring.methodology import Rule
from parbrief.scoring.metrics import METRICS

# The language the explain view and ``b`` are shown in when none is given: the notebook's
# (``sections.summary(b, languages)`` sets it to the first language shown).
shown_language = {"lang": "vi"}


def _bound(rule: Rule, value: float, lang: str) -> str:
    """A target or threshold as the methodology writes it ("98%"): a constant of the rule,
    not a measured rate, so no decimals it does not have."""
    return formatting.percent(value, lang, keep_zeros=False) if rule.metric \
        else formatting.number(value, lang)


def rule_text(rule: Rule, max_points: float, lang: str) -> str:
    """A criterion's rule in words: target, thresholds or scale, and the points."""
    top = formatting.number(max_points, lang)
    if rule.type == "proportional":
        key = "explain.rule_proportional_lower" if rule.direction == "lower" \
            else "explain.rule_proportional"
        return i18n.t(key, lang, target=_bound(rule, rule.target, lang), max=top)
    if rule.type == "thresholds":
        steps = "; ".join(i18n.t(f"explain.rule_step_{kind}", lang,
                                 bound=_bound(rule, bound, lang),
                                 points=formatting.number(points, lang))
                          for kind, bound, points in rule.steps)
        return i18n.t("explain.rule_thresholds", lang, steps=steps)
    if rule.type == "boolean":
        full = max_points if rule.points is None else min(rule.points, max_points)
        return i18n.t("explain.rule_boolean", lang, points=formatting.number(full, lang))
    if rule.type == "survey":
        return i18n.t("explain.rule_survey", lang, scale=formatting.number(rule.scale, lang),
                      max=top)
    return i18n.t("explain.rule_appraisal", lang, max=top)


def _value(rule: Rule, value, lang: str) -> str:
    if value is None:
        return i18n.t("explain.missing", lang)
    if rule.type == "appraisal":
        return formatting.points(value, lang)
    if rule.metric and rule.metric in METRICS:
        return formatting.percent(value, lang)
    return formatting.number(value, lang)


def _figure(row: dict, lang: str) -> str:
    name = row["indicator"]
    label = name if name == "appraisal points" else f"{indicator_label(name, lang)} ({name})"
    value = formatting.number(row["value"], lang) if number_or_none(row["value"]) is not None \
        else i18n.t("explain.missing", lang)
    if row.get("file") and row.get("column"):
        return i18n.t("explain.figure_cell", lang, indicator=label, value=value, file=row["file"],
                      line=row["line"], column=row["column"])
    if row.get("file"):
        return i18n.t("explain.figure_line", lang, indicator=label, value=value, file=row["file"],
                      line=row["line"])
    return i18n.t("explain.figure_unknown", lang, indicator=label, value=value)


class ExplainView:
    """One briefing's criteria in one language (all, one area or one criterion)."""

    def __init__(self, explanation: model.Explanation, lang: str, what: str | None = None):
        self.explanation = explanation
        self.lang = i18n.check_lang(lang)
        self.criteria = explanation.select(what)
        self.figures = explanation.figures[
            explanation.figures.criterion.isin(set(self.criteria.criterion))]

    def blocks(self) -> list[dict]:
        ex, lang = self.explanation, self.lang
        b = ex.briefing
        quarter = b.period.label(lang)
        out = [heading(i18n.t("explain.title", lang, name=b.locality.name, quarter=quarter)),
               paragraph(i18n.t("explain.intro", lang, method=b.methodology.title[lang]))]
        if not b.reported:
            return out + [paragraph(i18n.t("explain.not_reported", lang, name=b.locality.name,
                                           quarter=quarter))]
        name_col = "name_vi" if lang == "vi" else "name_en"
        figures_of = {c: [_figure(r, lang) for r in part.to_dict("records")]
                      for c, part in self.figures.groupby("criterion", sort=False)}
        for area_id, rows in self.criteria.groupby("area", sort=False):
            area = ex.areas[ex.areas.area == area_id].iloc[0]
            title = i18n.t("explain.area_total", lang, area=area[name_col],
                           points=formatting.points(number_or_none(area["points"]), lang),
                           max=formatting.number(area["max"], lang))
            cells, data = [], []
            for r in rows.to_dict("records"):
                rule = ex.rule(r["criterion"])
                read = figures_of.get(r["criterion"], [])
                cells.append([f"{r[name_col]} ({r['criterion']})", rule_text(rule, r["max"], lang),
                              _value(rule, r["value"], lang),
                              f"{formatting.points(r['points'], lang)}/"
                              f"{formatting.number(r['max'], lang)}"
                              if r["points"] is not None else i18n.t("explain.missing", lang),
                              "; ".join(read)])
                data.append([r["criterion"], r["rule"], r["value"], r["points"], r["max"]])
            out.append(table(
                f"explain-{area_id}", title,
                [i18n.t(f"explain.col_{k}", lang) for k in
                 ("criterion", "rule", "value", "points", "figures")],
                cells, data_columns=["criterion", "rule", "value", "points", "max"],
                data_rows=data))
        found = source_lines(b.dataset, {b.locality.code}, {str(b.period)}, lang)
        if found:
            out.append(note(i18n.t("explain.sources", lang, sources="; ".join(found))))
        out.append(note(i18n.t("explain.peers_hint", lang, count=formatting.integer(
            len(model.peer_table(b)), lang))))
        return out

    def _repr_html_(self) -> str:
        return "".join(display.block_html(block) for block in self.blocks())

    def __repr__(self) -> str:
        return "\n\n".join(display.block_text(block) for block in self.blocks())


def explain(b: Briefing, what: str | None = None, language: str | None = None) -> ExplainView:
    """How each number of ``b`` came about: every criterion, or one area or criterion by id."""
    return ExplainView(model.explain(b), language or shown_language["lang"], what)


def peer_table(b: Briefing) -> pd.DataFrame:
    """Every unit of ``b``'s peer group (those that did not report last), as a table."""
    return model.peer_table(b)


def briefing_html(b: Briefing, lang: str | None = None) -> str:
    """``b`` in a notebook: who, when, the result, the tables it carries and the calls that
    explain it (instead of every field at once)."""
    lang = lang or shown_language["lang"]
    title = i18n.t("explain.briefing_title", lang, name=b.locality.name,
                   quarter=b.period.label(lang), method=b.methodology.id)
    if b.reported:
        result = i18n.t("explain.briefing_result", lang,
                        index=formatting.points(b.own["index"], lang),
                        rank=formatting.rank(b.own["rank"], b.own["rank_of"], lang),
                        classification=classification_label(b.own, b.methodology, lang))
    else:
        result = i18n.t("explain.briefing_not_reported", lang)
    keys = {"b.scores": "table_scores", "b.points": "table_points", "b.trend": "table_trend",
            "b.figures[b.period]": "table_figures", "b.metrics[b.period]": "table_metrics"}
    rows = "".join(f"<tr><td><code>{escape(expr)}</code></td><td>{escape(size)}</td>"
                   f"<td>{escape(i18n.t('explain.' + keys[expr], lang) if expr in keys else what)}"
                   "</td></tr>" for expr, size, what in b.tables())
    return (f"<div class=\"parbrief-briefing\"><strong>{escape(title)}</strong>"
            f"<p>{escape(result)}</p><table><caption>{escape(i18n.t('explain.briefing_tables', lang))}"
            f"</caption>{rows}</table><p><small>{escape(i18n.t('explain.briefing_calls', lang))}"
            f"</small></p></div>")


__all__ = ["ExplainView", "briefing_html", "explain", "peer_table", "rule_text",
           "shown_language"]
