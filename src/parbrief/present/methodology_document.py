"""The methodology document as display blocks in one language: what ``notebooks/
methodology.ipynb`` shows and the renderers publish (HTML, PDF, and any format the renderers
make, Word included): title and scope, points by area, every criterion with its maximum and how
it is scored, bonus and penalty items, classes, the rules of the index and of ranking, notes.
"""

from __future__ import annotations

from pathlib import Path

from parbrief import __version__
from parbrief.core import formatting, i18n
from parbrief.core.catalogue import label as indicator_label
from parbrief.model.methodology_document import MethodologyDocument, Row, roman
from parbrief.present import display
from parbrief.present.blocks import bullet_list, heading, note, paragraph, table
from parbrief.present.explain import rule_text
from parbrief.present.sections import show
from parbrief.present.wording import methodology_basis
from parbrief.scoring.methodology import Criterion, Rule
from parbrief.scoring.metrics import METRICS

SECTIONS = ("title", "overview", "criteria", "bonus_penalty", "classification", "rules",
            "notes")


def _n(value, lang: str) -> str:
    return formatting.number(value, lang)


def source_label(rule: Rule, lang: str) -> str:
    """What a rule reads, in words: a metric's label or an indicator's."""
    if rule.metric:
        return METRICS[rule.metric].labels[lang] if rule.metric in METRICS else rule.metric
    return indicator_label(rule.indicator, lang) if rule.indicator else ""


def how_scored(c: Criterion, lang: str) -> str:
    """A criterion's rule in words (a criterion with sub-criteria: the sum of its parts)."""
    if c.criteria:
        return i18n.t("methodology_doc.sum_of_parts", lang)
    rule, top = c.rule, _n(c.max_points, lang)
    if rule.type == "appraisal":
        return i18n.t("methodology_doc.how_appraisal", lang, max=top)
    if rule.type == "survey":
        if rule.source is None:
            return i18n.t("methodology_doc.how_survey_given", lang, max=top)
        return i18n.t("methodology_doc.how_survey", lang, source=source_label(rule, lang),
                      scale=_n(rule.scale, lang), max=top)
    return i18n.t("methodology_doc.how_measured", lang, source=source_label(rule, lang),
                  rule=rule_text(rule, c.max_points, lang))


def _notes_of(node, lang: str) -> str:
    parts = []
    if getattr(node, "source", None):
        parts.append(i18n.t("methodology_doc.source", lang, text=node.source))
    if getattr(node, "assumption", None):
        parts.append(i18n.t("methodology_doc.assumption", lang, text=node.assumption))
    return "; ".join(parts)


def title(d: MethodologyDocument, lang: str) -> list[dict]:
    m, counts = d.methodology, d.counts
    parts = m.component_maxima()
    levels = i18n.join([i18n.t(f"methodology_doc.level.{lvl}", lang) for lvl in m.levels], lang)
    key = "methodology_doc.lead" if parts["survey"] else "methodology_doc.lead_no_survey"
    blocks = [heading(m.title[lang], 1),
              {"kind": "lead", "text": i18n.t(key, lang, levels=levels,
                                              areas=formatting.integer(counts["areas"], lang),
                                              criteria=formatting.integer(counts["criteria"], lang),
                                              subcriteria=formatting.integer(counts["subcriteria"],
                                                                             lang),
                                              maximum=_n(m.maximum, lang),
                                              appraised=_n(parts["appraised"], lang),
                                              survey=_n(parts["survey"], lang))},
              paragraph(i18n.t("methodology_doc.version", lang, id=m.id, version=m.version))]
    # what the set rests on in the reader's language (basis_summary); else its own basis
    basis = methodology_basis(m, lang) or str(m.basis).strip()
    if basis:
        blocks.append(paragraph(i18n.t("methodology_doc.basis", lang, basis=basis.rstrip("."))))
    return blocks


def overview(d: MethodologyDocument, lang: str) -> list[dict]:
    """Points by area: maximum, appraised and survey parts, number of criteria."""
    m = d.methodology
    blocks = [heading(i18n.t("methodology_doc.overview_title", lang))]
    rows, data = [], []
    totals = {"appraised": 0.0, "survey": 0.0, "criteria": 0}
    for i, area in enumerate(m.areas, 1):
        leaves = area.leaves()
        appraised = sum(c.max_points for c in leaves if c.component == "appraised")
        survey = sum(c.max_points for c in leaves if c.component == "survey")
        totals["appraised"] += appraised
        totals["survey"] += survey
        totals["criteria"] += len(area.criteria)
        rows.append([f"{roman(i)}. {area.name[lang]}",
                     formatting.integer(len(area.criteria), lang),
                     _n(area.max_points, lang), _n(appraised, lang), _n(survey, lang)])
        data.append([area.id, area.name[lang], len(area.criteria), area.max_points,
                     round(appraised, 6), round(survey, 6)])
    rows.append([i18n.t("methodology_doc.total", lang),
                 formatting.integer(totals["criteria"], lang), _n(m.maximum, lang),
                 _n(totals["appraised"], lang), _n(totals["survey"], lang)])
    data.append(["total", i18n.t("methodology_doc.total", lang), totals["criteria"], m.maximum,
                 round(totals["appraised"], 6), round(totals["survey"], 6)])
    blocks.append(table("points-by-area", i18n.t("methodology_doc.overview_table_title", lang,
                                                 title=m.title[lang]),
                        [i18n.t(f"methodology_doc.{c}", lang) for c in (
                            "col_area", "col_criteria_count", "col_max",
                            "col_appraised", "col_survey")], rows,
                        data_columns=["area", "name", "criteria", "max", "appraised", "survey"],
                        data_rows=data))
    return blocks


def _how_line(row: Row, lang: str) -> str:
    """"1.2. <how it is scored> (<its notes>)": a line of the area's list."""
    c = row.node
    notes = _notes_of(c, lang)
    return f"{row.number}. {how_scored(c, lang)}" + (f" ({notes})" if notes else "")


def criteria(d: MethodologyDocument, lang: str) -> list[dict]:
    """Each area: a table of its criteria (number, name, maximum), then how each is scored,
    with its notes (a list: long texts read better there than in narrow columns). The table's
    data (its CSV) holds the rule and the notes as columns too."""
    blocks = [heading(i18n.t("methodology_doc.criteria_title", lang))]
    head = [i18n.t(f"methodology_doc.{c}", lang) for c in ("col_criterion", "col_max")]
    current: list[Row] = []

    def flush() -> None:
        if not current:
            return
        area_row, members = current[0], current[1:]
        area = area_row.node
        blocks.append(heading(i18n.t("methodology_doc.area_heading", lang,
                                     number=area_row.number, name=area.name[lang],
                                     max=_n(area.max_points, lang)), 3))
        if _notes_of(area, lang):
            blocks.append(note(_notes_of(area, lang)))
        rows = [[f"{r.number}. {r.node.name[lang]}", _n(r.node.max_points, lang)]
                for r in members]
        data = [[r.number, r.node.id, r.node.name[lang], r.node.max_points,
                 r.node.rule.type if r.node.rule else "criteria",
                 r.node.component if r.node.rule else None, how_scored(r.node, lang),
                 _notes_of(r.node, lang)] for r in members]
        blocks.append(table(f"criteria-{area.id}", i18n.t(
            "methodology_doc.area_table_title", lang, number=area_row.number,
            name=area.name[lang]), head, rows,
            data_columns=["number", "id", "name", "max", "rule", "component", "how", "notes"],
            data_rows=data))
        blocks.append(paragraph(i18n.t("methodology_doc.how_title", lang)))
        blocks.append(bullet_list([_how_line(r, lang) for r in members]))

    for row in d.rows:
        if row.depth == 0:
            flush()
            current = [row]
        else:
            current.append(row)
    flush()
    return blocks


def bonus_penalty(d: MethodologyDocument, lang: str) -> list[dict]:
    m = d.methodology
    if not m.adjustments:
        return []
    blocks = [heading(i18n.t("methodology_doc.bonus_title", lang))]
    rows, data, lines = [], [], []
    for adj in m.adjustments:
        rule = adj.rule
        if rule.type == "per_unit":
            how = i18n.t("methodology_doc.how_per_unit", lang, source=source_label(rule, lang),
                         points=formatting.change(rule.points, lang), per=_n(rule.per, lang))
        else:
            how = i18n.t("methodology_doc.how_measured", lang, source=source_label(rule, lang),
                         rule=rule_text(rule, abs(adj.cap), lang))
        cap = i18n.t("methodology_doc.cap_bonus" if adj.cap > 0 else "methodology_doc.cap_penalty",
                     lang, cap=_n(abs(adj.cap), lang))
        rows.append([adj.name[lang], cap])
        data.append([adj.id, adj.name[lang], rule.type, adj.cap, how, _notes_of(adj, lang)])
        notes = _notes_of(adj, lang)
        lines.append(f"{adj.name[lang]}: {how}" + (f" ({notes})" if notes else ""))
    blocks.append(table("bonus-penalty", i18n.t("methodology_doc.bonus_table_title", lang,
                                                title=m.title[lang]),
                        [i18n.t(f"methodology_doc.{c}", lang) for c in ("col_item", "col_cap")],
                        rows, data_columns=["id", "name", "rule", "cap", "how", "notes"],
                        data_rows=data))
    blocks += [paragraph(i18n.t("methodology_doc.how_title", lang)), bullet_list(lines)]
    return blocks


def classification(d: MethodologyDocument, lang: str) -> list[dict]:
    m = d.methodology
    blocks = [heading(i18n.t("methodology_doc.classes_title", lang))]
    rows, data = [], []
    upper = None
    for band in m.bands:
        rows.append([band.label[lang], _n(band.min, lang),
                     _n(upper, lang) if upper is not None else formatting.MISSING[lang]])
        data.append([band.label[lang], band.min, upper])
        upper = band.min
    blocks.append(table("classes", i18n.t("methodology_doc.classes_table_title", lang,
                                          title=m.title[lang]),
                        [i18n.t(f"methodology_doc.{c}", lang) for c in (
                            "col_class", "col_from", "col_below")], rows,
                        data_columns=["class", "from", "below"], data_rows=data))
    return blocks


def rules(d: MethodologyDocument, lang: str) -> list[dict]:
    """The rules of the index and of ranking, the missing-appraisal rule among them: what the
    committee approves with the criteria."""
    m = d.methodology
    parts = m.component_maxima()
    items = [i18n.t("methodology_doc.rule_index", lang, maximum=_n(m.maximum, lang)),
             i18n.t("methodology_doc.rule_components", lang, appraised=_n(parts["appraised"], lang),
                    survey=_n(parts["survey"], lang)),
             i18n.t("methodology_doc.rule_ties", lang),
             i18n.t("methodology_doc.rule_appraisal", lang),
             i18n.t("methodology_doc.rule_missing", lang),
             i18n.t("methodology_doc.rule_year", lang),
             i18n.t("methodology_doc.rule_totals", lang)]
    return [heading(i18n.t("methodology_doc.rules_title", lang)), bullet_list(items)]


def notes(d: MethodologyDocument, lang: str) -> list[dict]:
    m = d.methodology
    blocks = [heading(i18n.t("methodology_doc.notes_title", lang))]
    if m.assumptions:
        key = "methodology_doc.assumptions_one" if len(m.assumptions) == 1 \
            else "methodology_doc.assumptions"
        blocks.append(note(i18n.t(key, lang,
                                  count=formatting.integer(len(m.assumptions), lang))))
    blocks.append(note(i18n.t("methodology_doc.provenance", lang, id=m.id, version=m.version,
                              file=Path(m.path).name if m.path else m.id,
                              checksum=m.checksum[:12], parbrief=__version__)))
    return blocks


def summary_data(d: MethodologyDocument) -> dict:
    m = d.methodology
    lead = {lang: title(d, lang)[1]["text"] for lang in i18n.LANGS}
    return {"kind": "methodology", "locality_code": m.id, "locality_name": m.title["vi"],
            "period": m.version, "methodology": m.id, "reported": True, "index": None,
            "rank": None, "rank_of": None, "classification": None, "lead": lead,
            "inputs": d.provenance["inputs"], "parbrief_version": __version__,
            # the committee edition's subject line: the criteria set's title
            "subject": {lang: m.title[lang] for lang in i18n.LANGS}}


def summary(d: MethodologyDocument, languages=("vi",)) -> None:
    data = summary_data(d)
    lang = display.first_language(languages)
    display.show_summary(data, data["lead"][lang], lang)


__all__ = ["SECTIONS", "bonus_penalty", "classification", "criteria", "how_scored", "notes",
           "overview", "rules", "show", "source_label", "summary", "summary_data", "title"]
