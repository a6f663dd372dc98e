"""Words shared by the sections: unit and index names, peer groups, classes, changes, quarters,
methodology and provenance notes. All wording comes from the message catalogues (``i18n``), all
numbers from ``formatting``."""

from __future__ import annotations

import re
from pathlib import Path

from babel.dates import format_date

from parbrief.core import formatting, i18n
from parbrief.core.catalogue import catalogue
from parbrief.core.errors import ParameterError
from parbrief.core.names import ascii_name, slug
from parbrief.core.periods import MERGER_QUARTER, Quarter
from parbrief.core.rounding import displayed_difference
from parbrief.model.sources import peers_of
from parbrief.present.blocks import note, number_or_none
from parbrief.scoring.metrics import METRICS, round_half_up
from parbrief.units import crosswalk, register


def index_label(method, lang: str) -> str:
    key = f"index_names.{method.id}"
    return i18n.t(key if key in i18n.catalogue(lang) else "index_names.default", lang)


def index_full_name(method, lang: str) -> str:
    """The index's name spelled out (a document's subject line): "Chỉ số cải cách hành
    chính"."""
    key = f"committee.index_full.{method.id}"
    return i18n.t(key if key in i18n.catalogue(lang) else "committee.index_full.default", lang)


def unit_noun(units: list[register.Locality], level: str, lang: str) -> str:
    """The peer group in words: "xã, phường" / "communes and wards", from the unit types present."""
    keys = []
    for u in units:
        key = f"units.{level}.{slug(u.unit_type).replace('-', '_') or 'other'}"
        if key not in i18n.catalogue(lang):
            key = f"units.{level}.other" if f"units.{level}.other" in i18n.catalogue(lang) \
                else "units.other"
        if key not in keys:
            keys.append(key)
    order = list(i18n.catalogue(lang))  # catalogue order: the order units are usually listed
    keys.sort(key=order.index)
    words = [i18n.t(k, lang) for k in keys] or [i18n.t("units.other", lang)]
    if len(words) == 1:
        return words[0]
    return i18n.t("words.unit_list", lang, head=", ".join(words[:-1]), last=words[-1])


def place_name(unit: register.Locality, lang: str) -> str:
    """A unit's name inside a sentence, in the house style of the language."""
    return place_name_en(unit) if lang == "en" else place_name_vi(unit)


def place_name_vi(unit: register.Locality, former: bool = False) -> str:
    """A unit's name in running Vietnamese text, as Decree 30/2020/NĐ-CP (Appendix II) writes
    it: the unit type in lower case, the proper name capitalised ("xã Tân Châu", "tỉnh Nghệ
    An"); a unit that no longer exists is marked "(cũ)" ("huyện Diễn Châu (cũ)")."""
    name = f"{unit.unit_type.lower()} {unit.short_name}" \
        if unit.unit_type and unit.short_name else unit.name
    return f"{name} (cũ)" if former else name


def name_in_text(unit: register.Locality, lang: str) -> str:
    """A briefing's unit inside a sentence, in each edition's house style: "xã Tân Châu" (vi),
    "Tân Châu commune" (en)."""
    return place_name(unit, lang)


def quarter_text(q: Quarter, lang: str) -> str:
    """A quarter inside a sentence: "quý III/2026" (a common noun, lower case in Vietnamese
    running text); "Q3 2026" in English. Column headers keep ``Quarter.label``."""
    label = q.label(lang)
    return label[:1].lower() + label[1:] if lang == "vi" else label


def quarter_cell(q: Quarter, lang: str) -> str:
    """A quarter in a table column headed "Quý": "IV/2024" (vi), "Q4 2024" (en)."""
    label = q.label(lang)
    return label.split(" ", 1)[1] if lang == "vi" and " " in label else label


def people_committee(unit: register.Locality, lang: str) -> str:
    """The People's Committee of a unit, whom recommendations address: "Ủy ban nhân dân
    xã Tân Châu"."""
    return i18n.t("words.people_committee", lang, unit=name_in_text(unit, lang))


def english_diacritics() -> bool:
    """Whether English names keep their diacritics (``english.diacritics`` in the news rules,
    ``resources/news.yaml``; on by default)."""
    from parbrief.model.news import rules

    return bool(rules().get("english", {}).get("diacritics", True))


def _type_key(unit: register.Locality) -> str:
    key = f"names.{unit.level}.{slug(unit.unit_type).replace('-', '_') or 'other'}"
    return key if key in i18n.catalogue("en") else f"names.{unit.level}.other" \
        if f"names.{unit.level}.other" in i18n.catalogue("en") else "names.other"


def place_name_en(unit: register.Locality, diacritics: bool | None = None) -> str:
    """The English desk's form: the name, then what it is, without the unit word in front:
    "Tân Châu commune", "Nghệ An province", "Vinh city"; "Tan Chau commune" when
    ``diacritics`` is off (default: the ``english.diacritics`` setting)."""
    name = unit.short_name or unit.name
    if not (english_diacritics() if diacritics is None else diacritics):
        name = ascii_name(name)
    return i18n.t(_type_key(unit), "en", name=name)


def ascii_or_not(name: str, lang: str) -> str:
    """A bare name in English without diacritics when the ``english.diacritics`` setting is
    off; Vietnamese always keeps them."""
    return name if lang == "vi" or english_diacritics() else ascii_name(name)


def former_place_name(unit: register.Locality, lang: str) -> str:
    """A unit abolished by the 2025 merger: "former Diễn Châu district" / "huyện Diễn Châu
    (cũ)"."""
    return i18n.t("names.former", lang, name=place_name(unit, lang))


def name_of(code: str, period: Quarter, lang: str, fallback: str = "") -> str:
    """The house-style name of the unit ``code`` in ``period`` (a table row's unit)."""
    try:
        return place_name(register.get(code, period), lang)
    except Exception:  # noqa: BLE001 - a unit the register does not know keeps its own name
        return fallback or str(code)


def table_name(code, name, period, lang: str) -> str:
    """A unit's name in a table cell or a card: the register's in Vietnamese ("Xã Tân Châu"),
    the English desk's in English ("Tân Châu commune")."""
    if lang == "vi":
        return str(name or code)
    return name_of(str(code), period, lang, fallback=str(name or ""))


def class_in_text(label: str, lang: str) -> str:
    """A class label inside a sentence: English running text lower-cases it as the press
    does ("classified as excellent", "group A"); Vietnamese keeps it ("xếp loại Xuất sắc")."""
    label = str(label)
    if lang == "en" and len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def parent_phrase(parent: register.Locality | None, lang: str) -> str:
    if parent is None:
        return i18n.t("lead.nationwide", lang)
    return i18n.t("lead.in_parent", lang, parent=place_name(parent, lang))


def peer_group_phrase(unit: register.Locality, period: Quarter, lang: str) -> str:
    parent = register.get(unit.parent_code, period) if unit.parent_code else None
    return i18n.t("lead.peer_group", lang, units=unit_noun(peers_of(unit, period), unit.level,
                                                            lang),
                  where=parent_phrase(parent, lang))


def classification_label(row: dict, method, lang: str) -> str:
    value = row.get("classification_vi" if lang == "vi" else "classification")
    if isinstance(value, str) and value:
        return value
    band = method.classify(number_or_none(row.get("index")))
    return band.label[lang] if band else formatting.MISSING[lang]


def merger_date(lang: str) -> str:
    """The day the 2025 merger took effect: "1/7/2025" / "1 July 2025"."""
    day = MERGER_QUARTER.start
    return format_date(day, "d/M/yyyy" if lang == "vi" else "d MMMM yyyy",
                       locale=formatting.LOCALES[lang])


def quarter_tick(q: Quarter, lang: str) -> str:
    """Two-line axis label: "Quý III" over "2026" / "Q3" over "2026"."""
    text = q.label(lang)
    sep = "/" if lang == "vi" else " "
    head, _, year = text.rpartition(sep)
    return f"{head}\n{year}"


def change_pp(value, lang: str) -> str:
    """A change of a rate, in percentage points (pass the difference of the values shown:
    ``difference``)."""
    if number_or_none(value) is None:
        return formatting.MISSING[lang]
    return i18n.t("figures.change_pp", lang, change=formatting.change(value, lang))


def signed_points(value, lang: str) -> str:
    """An index change with the two decimals indices are published with: "+5,00", "−0,40"."""
    v = round_half_up(float(value), 2)
    sign = "+" if v > 0 else "−" if v < 0 else ""
    return sign + formatting.points(abs(v), lang)


def cell_change(value, lang: str, rank: bool = False) -> str:
    """A change in a table cell, whose column header already names the unit."""
    if number_or_none(value) is None:
        return formatting.MISSING[lang]
    return formatting.change(value, lang, 0) if rank else signed_points(value, lang)


def change_points(value, lang: str) -> str:
    if number_or_none(value) is None:
        return formatting.MISSING[lang]
    return i18n.t("figures.change_points", lang, change=signed_points(value, lang))


def rank_move(value, lang: str) -> str:
    v = number_or_none(value)
    if v is None:
        return formatting.MISSING[lang]
    if v == 0:
        return i18n.t("figures.rank_same", lang)
    return i18n.t("figures.rank_up" if v > 0 else "figures.rank_down", lang,
                  places=formatting.integer(abs(v), lang))


def methodology_param(value: str) -> str:
    """A methodology given as a file is named by its file name: reports never carry paths."""
    p = Path(str(value))
    return p.name if p.suffix in (".yaml", ".yml") else str(value)


# x/y counts a newspaper quotes ("282/375 procedures publicly listed").
COUNT_PAIRS = (
    ("figures.on_time_count", "records_resolved_on_time", "records_resolved"),
    ("figures.published_count", "procedures_published", "procedures_total"),
    ("figures.plan_count", "plan_tasks_completed", "plan_tasks_assigned"),
)


def metric_value(metrics: dict, name: str):
    return number_or_none(metrics.get(name)) if metrics else None


def difference(a, b, decimals: int = 2):
    """A change as the reader computes it: the difference of the two values as shown
    (``core.rounding.displayed_difference``); None when either is missing."""
    return displayed_difference(number_or_none(a), number_or_none(b), decimals)


# The source the sample generator writes (``ingest.sample``): machine words, said in the
# reader's language instead.
SYNTHETIC_SOURCE = re.compile(r"^synthetic: parbrief sample --seed (\d+)$")


def year_to_date(metric: str) -> bool:
    """A rate over figures that accumulate from the start of the year (the plan's tasks done
    so far): compared with the same quarter last year, never with the previous quarter."""
    cat = catalogue()
    return any(cat[i].year_to_date for i in METRICS[metric].inputs if i in cat)


def source_lines(ds, codes: set[str], periods: set[str], lang: str) -> list[str]:
    """The data's sources, as the reader reads them: the synthetic sample's machine line is
    said in words ("Số liệu mô phỏng ..."); a source a locality gave is quoted as given."""
    out = []
    for frame in (ds.figures, ds.appraisal):
        if frame is None or not len(frame) or "source" not in frame.columns:
            continue
        sel = frame[frame.locality_code.isin(codes) & frame.period.isin(periods)]
        out += [s.strip() for s in sel.source.dropna().astype(str) if s.strip()]
    words = []
    for line in sorted(set(out)):
        synthetic = SYNTHETIC_SOURCE.match(line)
        words.append(i18n.t("notes.synthetic_source", lang, seed=synthetic.group(1))
                     if synthetic else line)
    return list(dict.fromkeys(words))


def methodology_basis(method, lang: str) -> str:
    """What the methodology rests on, in the reader's language (``basis_summary`` of the
    methodology file); a methodology without one in that language is named by its title."""
    summary = (getattr(method, "basis_summary", None) or {}).get(lang, "")
    return str(summary).strip().rstrip(".")


def methodology_notes(method, lang: str) -> list[dict]:
    """The methodology in words (title, version, what it is modelled on), the rounding rule,
    and how many of its values are assumptions."""
    basis = methodology_basis(method, lang)
    key = "notes.methodology" if basis else "notes.methodology_no_basis"
    out = [note(i18n.t(key, lang, title=method.title[lang], version=method.version,
                       basis=basis))]
    out.append(note(i18n.t("notes.rounding", lang)))
    # The assumptions themselves are listed in the methodology's documentation; a briefing
    # says how many there are.
    if getattr(method, "assumptions", ()):
        key = "notes.assumptions_one" if len(method.assumptions) == 1 else "notes.assumptions"
        out.append(note(i18n.t(key, lang,
                               count=formatting.integer(len(method.assumptions), lang))))
    return out


def colophon(provenance: dict, method, lang: str) -> dict:
    """The report's colophon: what it was made from, in plain words (the identifier of the
    inputs it read, the methodology's version, parbrief's version). Checksums in full, the
    code fingerprint and the parameters are in the report's manifest."""
    return note(i18n.t("notes.colophon", lang, inputs=str(provenance["inputs"])[:12],
                       methodology=method.title[lang],
                       methodology_version=provenance["methodology"]["version"],
                       version=provenance["parbrief"]))


def chart_source(ds, codes: set[str], period: Quarter, method, lang: str) -> str:
    """The "Nguồn:/Source:" line drawn inside a chart: the data's sources for these units in
    this quarter, and the methodology."""
    found = source_lines(ds, codes, {str(period)}, lang)
    if not found and ds is not None and len(ds.figures):
        # a unit without rows this quarter (it did not report): the sources of the rows the
        # report read, never a line that says the figures were reported
        found = source_lines(ds, set(ds.figures.locality_code), set(ds.figures.period), lang)
    sources = "; ".join(found[:2]) + ("; …" if len(found) > 2 else "") if found else \
        i18n.t("chart_text.source_default", lang, quarter=period.label(lang))
    return i18n.t("chart_text.source", lang, sources=sources, methodology=method.title[lang])


def unit_list(units: list[register.Locality], lang: str = "vi") -> str:
    """Units with their codes, as a list names them: "Xã Bình Chuẩn (mã 17230)" / "Bình
    Chuẩn commune (17230)"."""
    return ", ".join(i18n.t("words.unit_with_code", lang,
                            name=u.name if lang == "vi" else place_name_en(u), code=u.code)
                     for u in units)


def history_note(commune_code: str, lang: str = "en", apportionment: str = "area",
                 level: str = "district") -> str:
    """One sentence for a briefing: where a 2025 commune's pre-merger series comes from and how
    it is split. ``level`` is the legacy level the data set reports (``district`` or
    ``commune``). Former units are named as each edition's house style names them: "huyện Diễn
    Châu (cũ)" (Decree 30/2020/NĐ-CP, Appendix II) / "former Diễn Châu district"; shares with
    two decimals, as every rate."""
    if lang not in i18n.LANGS:
        raise ParameterError(f"unknown language {lang!r}: use one of {', '.join(i18n.LANGS)}")
    if level not in ("district", "commune"):
        raise ParameterError(f"unknown legacy level {level!r}: use district or commune")
    if apportionment not in crosswalk.APPORTIONMENT:
        raise ParameterError(f"unknown apportionment {apportionment!r}: use one of "
                             f"{', '.join(crosswalk.APPORTIONMENT)}")
    commune = register.get(str(commune_code).strip(), MERGER_QUARTER)
    shares = crosswalk.predecessors(commune.code, level, apportionment)
    before = MERGER_QUARTER.previous()
    note_text = crosswalk.APPORTIONMENT_NOTE[apportionment][lang]
    if lang == "vi":
        units = "; ".join(
            f"{place_name_vi(register.get(c, before), former=True)} (mã {c}; tỷ trọng "
            f"{formatting.percent(round_half_up(s * 100, 2), lang)})"
            for c, s in zip(shares.legacy_code, shares.share))
        how = (f", theo tỷ lệ số xã của mỗi huyện nay thuộc {place_name_vi(commune)}"
               if level == "district" else "")
        return (f"Số liệu trước {quarter_text(MERGER_QUARTER, lang)} của "
                f"{place_name_vi(commune)} được quy đổi từ số liệu của {units}{how}; "
                f"{note_text}.")
    units = "; ".join(
        f"{former_place_name(register.get(c, before), lang)} (code {c}; share "
        f"{formatting.percent(round_half_up(s * 100, 2), lang)})"
        for c, s in zip(shares.legacy_code, shares.share))
    name = place_name_en(commune)
    how = (f", each share being the part of the district's communes now in {name}"
           if level == "district" else "")
    return (f"Before {MERGER_QUARTER.label(lang)} the series of {name} is rebuilt from the "
            f"figures of the {units}{how}; {note_text}.")
