"""The sections of a briefing and of a province overview, as the notebooks call them.

The sections live in ``briefing_sections`` and ``overview_sections``. Each section function takes a prepared ``Briefing`` (or ``Overview``) and a language and returns
a list of blocks (see ``display``); ``show`` displays a section once per language, tagging every
output with its language and section, so one notebook execution yields both the Vietnamese and
the English report. All wording comes from the message catalogues (``i18n``), all numbers from
``formatting``. A locality that did not report, a quarter without a previous one and a previous
quarter from before the July-2025 merger are ordinary cases here, never errors.
"""

from __future__ import annotations

from parbrief.core import i18n
from parbrief.present import display, notebook
from parbrief.present import explain as explain_view
from parbrief.present.briefing_sections import (
    data_notes,
    headline,
    key_figures,
    lead_text,
    peers,
    rank_history,
    scorecard,
    shortcomings,
    summary,
    summary_data,
    trend,
)
from parbrief.present.overview_sections import (
    biggest_movers,
    class_distribution,
    former_districts,
    league_table,
    overview_headline,
    overview_lead_text,
    overview_notes,
    overview_summary,
    overview_summary_data,
    press_release,
    province_key_figures,
)

BRIEFING_SECTIONS = ("headline", "key_figures", "rank_history", "scorecard", "trend", "peers",
                     "shortcomings", "data_notes")
OVERVIEW_SECTIONS = ("overview_headline", "province_key_figures", "league_table",
                     "class_distribution", "biggest_movers", "former_districts", "press_release",
                     "overview_notes")


def _languages(languages) -> list[str]:
    if isinstance(languages, str):
        languages = [s.strip() for s in languages.split(",") if s.strip()]
    display.first_language(languages)  # a language parbrief has no words for is named
    return [i18n.check_lang(lang) for lang in languages]


# In a kernel: parbrief's errors as a short box, ``b`` as a compact summary.
notebook.register()

explain = explain_view.explain
peer_table = explain_view.peer_table


def show(section_fn, report, languages=("vi", "en")) -> None:
    """Display one section in each language, every output tagged with language and section."""
    for lang in _languages(languages):
        display.show_blocks(section_fn(report, lang), lang, section_fn.__name__)


__all__ = [
    "BRIEFING_SECTIONS",
    "OVERVIEW_SECTIONS",
    "biggest_movers",
    "class_distribution",
    "data_notes",
    "explain",
    "former_districts",
    "headline",
    "key_figures",
    "lead_text",
    "league_table",
    "overview_headline",
    "overview_lead_text",
    "overview_notes",
    "overview_summary",
    "overview_summary_data",
    "peer_table",
    "peers",
    "press_release",
    "province_key_figures",
    "rank_history",
    "scorecard",
    "shortcomings",
    "show",
    "summary",
    "summary_data",
    "trend",
]
