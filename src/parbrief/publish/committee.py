"""The committee edition's frame (thể thức văn bản, Decree 30/2020/NĐ-CP, Appendix I): what
surrounds a Vietnamese briefing or overview when the secretariat files it.

A standalone report (BÁO CÁO) carries the issuing body under its parent at the top left, the
national heading and motto at the top right, "Số: …/BC-…", place and date, the document type
and subject, and at the end the recipients ("Nơi nhận:") and the signer's authority, title and
name. An appendix (``appendix_to``) carries "Phụ lục …", its subject in capitals and "(Kèm theo
Báo cáo số … ngày … của …)" instead, and no signature (the report it is attached to has one).

The fields come from the params file's ``committee:`` mapping (``runner.params``), which the
batch writes into the published notebook's metadata (``parbrief.committee``). A field left out
is a *blank*: "…" in the PDF, a marked fill-in field in the Word file; nothing is invented. The
number and the date of a document are always blank: the clerk gives them when it is issued.
"""

from __future__ import annotations

from dataclasses import dataclass

from parbrief.core import i18n
from parbrief.publish.contract import report_title, summary_or_none


@dataclass(frozen=True)
class Field:
    """One piece of the frame: its text, or a blank the secretariat fills in."""

    name: str  # what it is, in Vietnamese (the Word field's title)
    text: str = ""
    width: int = 3  # a blank's length in "…" characters

    @property
    def blank(self) -> bool:
        return not self.text

    @property
    def shown(self) -> str:
        """What is printed: the text, or dots where it is blank."""
        return self.text or "…" * self.width


@dataclass(frozen=True)
class Frame:
    lang: str
    kind: str  # briefing | overview
    subject: str  # "Kết quả Chỉ số cải cách hành chính quý III/2026 của xã Tân Châu"
    parent_body: Field
    issuing_body: Field
    number: Field
    symbol: Field
    place: Field
    day: Field
    month: Field
    year: Field
    signer_authority: Field
    signer_title: Field
    signer_name: Field
    recipients: tuple[Field, ...]
    appendix: dict | None  # {"appendix", "report_number", ...} as Fields, or None

    @property
    def is_appendix(self) -> bool:
        return self.appendix is not None

    def words(self, key: str, **values) -> str:
        return i18n.t(f"committee.{key}", self.lang, **values)


def committee_fields(nb) -> dict:
    """The ``committee:`` fields the batch put in the notebook's metadata ({} when none)."""
    meta = (nb.get("metadata") or {}).get("parbrief") or {}
    fields = meta.get("committee") if isinstance(meta, dict) else None
    return dict(fields) if isinstance(fields, dict) else {}


def frame(nb, lang: str, found: list[dict]) -> Frame:
    """The frame of the report in ``lang`` from the notebook's summary and metadata."""
    info = summary_or_none(nb) or {}
    given = committee_fields(nb)
    subject = (info.get("subject") or {}).get(lang) or report_title(found, info)

    def field(key: str, name: str, width: int = 3) -> Field:
        return Field(name, str(given.get(key) or "").strip(), width)

    recipients = tuple(Field("Nơi nhận", r) for r in given.get("recipients") or ()) or (
        Field("Nơi nhận", "", 12), Field("Nơi nhận", i18n.t("committee.archive", lang)))
    appendix = None
    if given.get("appendix_to") is not None:
        a = given["appendix_to"] or {}
        appendix = {
            "appendix": Field("Số phụ lục", str(a.get("appendix") or "").strip(), 1),
            "report_number": Field("Số báo cáo", str(a.get("report_number") or "").strip(), 3),
            "report_symbol": Field("Ký hiệu báo cáo", str(a.get("report_symbol") or "").strip(),
                                   4),
            "report_date": Field("Ngày báo cáo", str(a.get("report_date") or "").strip(), 4),
            "issuer": Field("Cơ quan ban hành báo cáo", str(a.get("issuer") or "").strip(), 8),
        }
    return Frame(
        lang=lang, kind=str(info.get("kind") or "briefing"), subject=subject,
        parent_body=field("parent_body", "Cơ quan chủ quản", 10),
        issuing_body=field("issuing_body", "Cơ quan ban hành", 10),
        # the number is given by the clerk when the document is issued: always blank
        number=Field("Số văn bản", "", 3),
        symbol=field("symbol", "Ký hiệu", 4),
        place=field("place", "Địa danh", 5),
        day=Field("Ngày", "", 2), month=Field("Tháng", "", 2), year=Field("Năm", "", 3),
        signer_authority=field("signer_authority", "Quyền hạn người ký", 0),
        signer_title=field("signer_title", "Chức vụ người ký", 10),
        signer_name=field("signer_name", "Họ và tên người ký", 10),
        recipients=recipients, appendix=appendix)


def roman(n: int) -> str:
    """1 -> "I", 4 -> "IV": the numbering of a report's parts."""
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                           (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                           (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + letters, n - value
    return out


# What is written for newspapers: a headline (the lead says the same in full sentences) and
# an overview's press release are no part of an administrative report.
FOR_THE_PRESS = frozenset({"headline", "press-release-headline", "press-release"})


def body_blocks(found: list[dict]) -> list[dict]:
    """The blocks a document's body shows: the report's own title (level-1 heading) gives
    way to the frame's subject line; what is written for the press is left out."""
    return [b for b in found if not (b["kind"] == "heading" and b.get("level") == 1)
            and b.get("role") not in FOR_THE_PRESS]


__all__ = ["Field", "Frame", "body_blocks", "committee_fields", "frame", "roman"]
