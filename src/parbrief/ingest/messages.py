"""Every message a data set's validation can give, in one place (documented in
docs/data-format.md and docs/bad-input.md)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from parbrief.core import catalogue
from parbrief.core.errors import PeriodError, UnknownLocalityError
from parbrief.core.periods import Quarter
from parbrief.ingest.encodings import EXCEL_ERRORS, LEGACY_ENCODINGS
from parbrief.units import register


def _fmt(x: float) -> str:
    """92.0 -> "92", 2.5 -> "2.5": figures shown as a user would type them."""
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def line_reference(file: str, row: int, other_file: str) -> str:
    return f"line {row}" if file == other_file else f"{file}:{row}"


class messages:
    """Every validation message in one place (documented in docs/data-format.md)."""

    @staticmethod
    def missing_column(column: str, expected: Sequence[str]) -> str:
        return f"missing column {column}; the header must be {','.join(expected)}"

    @staticmethod
    def extra_column(column: str, expected: Sequence[str], missing: Sequence[str]) -> str:
        import difflib

        close = difflib.get_close_matches(column, list(missing) or list(expected), n=1, cutoff=0.6)
        fix = f"rename it to {close[0]} or remove it" if close else "remove it"
        return f"unexpected column {column}; {fix} (the header must be {','.join(expected)})"

    @staticmethod
    def missing_wide_column(column: str) -> str:
        return (f"missing column {column}; row 1 of each sheet must start with locality_code, "
                "locality_name, parent_code, then the indicator names")

    @staticmethod
    def blank_header(letter: str) -> str:
        return f"column {letter} has values but no header; write the indicator name in row 1"

    @staticmethod
    def unknown_indicator(name: str) -> str:
        close = catalogue.closest(name)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        return (f"unknown indicator {name!r}; {hint}Use a name from the indicator catalogue "
                "(docs/data-format.md)")

    @staticmethod
    def blank(column: str, example: str) -> str:
        return f"missing {column}; write the {column} (e.g. {example})"

    @staticmethod
    def blank_value(indicator: str) -> str:
        return (f"missing value for {indicator}; write the figure, or delete the row if it was "
                "not reported")

    @staticmethod
    def non_numeric(text: str, indicator: str) -> str:
        return (f"non-numeric value {text!r} for {indicator}; write a plain number with a dot "
                "as decimal separator and no thousands separator (e.g. 1234 or 92.5)")

    @staticmethod
    def negative_count(value: float, indicator: str) -> str:
        return (f"negative count {_fmt(value)} for {indicator}; counts cannot be negative, "
                "correct the figure")

    @staticmethod
    def non_integer_count(value: float, indicator: str, text: str = "") -> str:
        hint = ""
        if _THOUSANDS.match(text or ""):
            hint = f" (if you meant {text.replace('.', '')}, write it without the dot)"
        return (f"non-integer count {_fmt(value)} for {indicator}; counts are whole numbers, "
                f"correct the figure{hint}")

    @staticmethod
    def percent_range(value: float, indicator: str) -> str:
        return (f"percent {_fmt(value)} for {indicator} is outside 0-100; write a percentage "
                "between 0 and 100 (e.g. 92.5)")

    @staticmethod
    def boolean(value: float, indicator: str) -> str:
        return (f"{indicator} is a yes/no figure and must be 0 or 1, got {_fmt(value)}; write 1 "
                "for yes and 0 for no")

    @staticmethod
    def part_larger(part: str, part_value: float, whole: str, whole_value: float, code: str,
                    period: str, where: str) -> str:
        return (f"{part} ({_fmt(part_value)}) is larger than {whole} ({_fmt(whole_value)}) for "
                f"{code} in {period}; a part cannot exceed its whole, correct one of them "
                f"({whole} is on {where})")

    @staticmethod
    def unlikely_quarter(u) -> str:
        """A quarter that looks mistyped (``parbrief.ingest.coverage.Unlikely``)."""
        shown = ", ".join(u.units[:3]) + (", ..." if len(u.units) > 3 else "")
        count = f"{len(u.units)} unit{'s' if len(u.units) != 1 else ''}"
        until = "until then, 'latest' in a params file skips this quarter"
        if u.far:
            first, last = u.others
            side = "after" if u.quarter > last else "before"
            others = str(first) if first == last else f"{first}-{last}"
            where = f"{u.quarter} comes {u.gap} quarters {side} the other figures ({others})"
            if u.sparse:
                return (f"{where} and only {count} report{'s' if len(u.units) == 1 else ''} it "
                        f"({shown}), against {u.best_units} in {u.best}: probably a mistyped "
                        f"period; correct it ({until})")
            return f"{where}: probably a mistyped period; correct it ({until})"
        return (f"only {count} report{'s' if len(u.units) == 1 else ''} {u.quarter} ({shown}), "
                f"against {u.best_units} in {u.best}: a mistyped period, or a quarter still "
                f"being collected; correct the period, or wait for the other units ({until})")

    @staticmethod
    def parts_exceed_whole(parts: list[tuple[str, float]], whole: str, whole_value: float,
                           code: str, period: str, where: str) -> str:
        names = " + ".join(p for p, _ in parts)
        values = " + ".join(_fmt(v) for _, v in parts)
        total = sum(v for _, v in parts)
        return (f"{names} ({values} = {_fmt(total)}) is larger than {whole} "
                f"({_fmt(whole_value)}) for {code} in {period}; these parts of {whole} do not "
                f"overlap, so together they cannot exceed it: correct one of them ({whole} is "
                f"on {where})")

    @staticmethod
    def duplicate(what: str, code: str, period: str, first: str, second: str) -> str:
        return (f"duplicate row: {what} for {code} in {period} is given on {first} and {second}; "
                "delete one of them")

    @staticmethod
    def duplicate_sheet_row(code: str, first_row: int, row: int) -> str:
        return (f"duplicate row: locality {code} is on rows {first_row} and {row}; "
                "delete one of them")

    @staticmethod
    def wrong_parent(unit: register.Locality, given: str, period: str) -> str:
        parent = unit.parent_code or ""
        name = _name(parent, period)
        return (f"{unit.code} {unit.name} belongs to {parent}{' ' + name if name else ''} in "
                f"{period}, not to {given}; correct parent_code or the locality code")

    @staticmethod
    def wrong_province(unit: register.Locality, province: str, period: str) -> str:
        return (f"{unit.code} {unit.name} is in province {unit.province_code} "
                f"{_name(unit.province_code, period)}, but this workbook was prepared for province "
                f"{province} {_name(province, period)}; move the row to that province's workbook "
                "or correct the code")

    @staticmethod
    def required_missing(indicator: str, code: str, period: str) -> str:
        return (f"required figure {indicator} is missing for {code} in {period}, which reports "
                "other figures for that period; add it")

    @staticmethod
    def numeric_code_hint() -> str:
        return (" The cell holds a number, so leading zeros may be lost: format the "
                "locality_code column as Text and retype the code.")

    @staticmethod
    def formula_without_value(formula: str) -> str:
        return (f"the cell holds a formula ({formula}) with no saved value; open and save the "
                "workbook in Excel or LibreOffice, or type the value")

    @staticmethod
    def non_numeric_points(text: str) -> str:
        return (f"non-numeric points {text!r}; write a plain number with a dot as decimal "
                "separator (e.g. 2.5)")

    @staticmethod
    def blank_points(criterion: str) -> str:
        return (f"missing points for criterion {criterion}; write the points awarded (0 if none), "
                "or delete the row")

    @staticmethod
    def negative_points(value: float, criterion: str) -> str:
        return (f"negative points {_fmt(value)} for criterion {criterion}; points cannot be "
                "negative, correct them")

    @staticmethod
    def unknown_methodology(name: str, error: str) -> str:
        # The loader's message already names the methodology and the shipped ones.
        return error if error.startswith("unknown methodology") else \
            f"unknown methodology {name!r}: {error}"

    @staticmethod
    def methodology_path(name: str, found_id: str | None) -> str:
        id_hint = f" ({found_id}, the id: in that file)" if found_id else " (the id: in its file)"
        return (f"{name!r} is a file name; the methodology column takes the methodology's "
                f"id{id_hint}: put the file in the data set's methodologies/ folder, or give it "
                "with --methodology (or methodology: in the params file)")

    @staticmethod
    def total_and_criteria(component: str, methodology: str, code: str, period: str,
                           singles: Sequence[str]) -> str:
        shown = ", ".join(list(singles)[:3]) + (f" and {len(singles) - 3} more"
                                                if len(singles) > 3 else "")
        return (f"{code} in {period} has the total of its {component} points and points for "
                f"single {component} criteria of {methodology} ({shown}); give the total or "
                "the criteria, not both")

    @staticmethod
    def unknown_criterion(criterion: str, methodology: str, known: Sequence[str]) -> str:
        import difflib

        close = difflib.get_close_matches(criterion, list(known), n=3, cutoff=0.5)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        return (f"unknown criterion {criterion!r} in methodology {methodology}; {hint}use a "
                f"criterion id of {methodology}")

    @staticmethod
    def points_above_maximum(value: float, criterion: str, maximum: float) -> str:
        return (f"points {_fmt(value)} for criterion {criterion} exceed its maximum "
                f"{_fmt(maximum)}; correct them")

    # ----------------------------------------------------------------- reading files

    @staticmethod
    def not_utf8(encoding: str = "", shown: str = "", reads: str = "") -> str:
        base = "the file is not UTF-8 text"
        save = "save it as \"CSV UTF-8\" (Excel) or with UTF-8 encoding"
        if not encoding:
            return f"{base}; {save}"
        if encoding == "Windows-1258":
            return (f"{base}: it looks like Windows-1258 (Vietnamese ANSI), in which this line "
                    f"reads {reads!r}; {save}")
        what, how = LEGACY_ENCODINGS[encoding]
        return (f"{base}: it looks like {what} ({shown!r} for {reads!r} on this line); convert it "
                f"to Unicode (e.g. Unikey's converter, Ctrl+Shift+F6: {how}), then {save}")

    @staticmethod
    def legacy_text(text: str, encoding: str, reads: str, workbook: bool) -> str:
        what, how = LEGACY_ENCODINGS[encoding]
        where = ("copy the cells, convert the clipboard and paste them back" if workbook else
                 "convert the file, then save it as \"CSV UTF-8\"")
        return (f"{text!r} looks like {what}; it reads {reads!r}. Convert it to Unicode "
                f"(e.g. Unikey's converter, Ctrl+Shift+F6: {how}; {where})")

    @staticmethod
    def unreadable_line(error: str) -> str:
        return (f"cannot read this line ({error}); open the file in a text editor, remove the "
                "stray character or close the quote, and save it as \"CSV UTF-8\"")

    @staticmethod
    def unreadable(error: Exception) -> str:
        return (f"cannot read this file ({type(error).__name__}: {error}); save it again as "
                "\"CSV UTF-8\" or as an Excel .xlsx workbook, and if it still fails, report it "
                "with the file")

    @staticmethod
    def unsupported_file(suffix: str) -> str:
        suffix = suffix.lower()
        if suffix == ".xls":
            return ("an Excel 97-2003 workbook (.xls) is not read; open it in Excel and save it "
                    "as \"Excel Workbook (.xlsx)\"")
        if suffix in (".ods", ".xlsb", ".numbers"):
            return (f"a {suffix} workbook is not read; save it as \"Excel Workbook (.xlsx)\" or "
                    "as \"CSV UTF-8\"")
        return (f"unsupported file type {suffix or '(none)'}; give a .csv, .parquet or .xlsx "
                "figures file, or a data set folder")

    @staticmethod
    def not_a_workbook(kind: str) -> str:
        what = {
            "ole": "an Excel 97-2003 workbook, or a workbook protected by a password, with an "
                   ".xlsx name; remove the password (File → Info → Protect Workbook) and save "
                   "it as \"Excel Workbook (.xlsx)\"",
            "html": "a web page (HTML) with an .xlsx name, as some systems export; open it in "
                    "Excel and save it as \"Excel Workbook (.xlsx)\"",
            "text": "text (probably CSV) with an .xlsx name; rename it to .csv, or open it in "
                    "Excel and save it as \"Excel Workbook (.xlsx)\"",
            "damaged": "a damaged or incomplete workbook (cut short, as by an interrupted copy "
                       "or download); ask for it again, or open it in Excel and save it again",
        }.get(kind, "not an Excel .xlsx workbook; save it as \"Excel Workbook (.xlsx)\"")
        return f"the file is {what}"

    @staticmethod
    def no_figures() -> str:
        return ("the file has a header but no figures; add one row per figure below the "
                "header, or remove the file")

    # ----------------------------------------------------------------- workbooks

    @staticmethod
    def sheet_not_a_quarter(period_error: str) -> str:
        return f"{period_error}; name each sheet by its quarter (e.g. 2026Q3), or remove the sheet"

    @staticmethod
    def hidden_sheet(state: str, quarter: bool) -> str:
        if state == "veryHidden":
            how = "very hidden (Excel lists it only in the VBA editor)"
            show = "in the VBA editor, Alt+F11, set the sheet's Visible property to xlSheetVisible"
        else:
            how, show = "hidden", "right-click a sheet tab → Unhide"
        if not quarter:
            return (f"the sheet is {how} and not named by a quarter, so it was not read; show it "
                    f"({show}) and delete it")
        return (f"the sheet is {how}, so its figures were not read; show it ({show}) if they "
                "count, or delete the sheet")

    @staticmethod
    def same_quarter_sheets(title: str, first: str, period: str) -> str:
        return (f"sheet {title!r} is for the same quarter ({period}) as sheet {first!r}, so it "
                "was not read; keep one sheet per quarter: move its rows to that sheet and "
                "delete it")

    @staticmethod
    def missing_quarter_sheet(period: str, first: str, last: str) -> str:
        return (f"no sheet for {period}, between the sheets for {first} and {last}; add a sheet "
                f"named {period} with that quarter's figures (parbrief template writes one), or "
                "keep only consecutive quarters in the workbook")

    @staticmethod
    def no_quarter_sheet(template_period: str = "") -> str:
        made = (f"this workbook was prepared for {template_period}, but " if template_period
                else "")
        example = template_period or "2026Q3"
        return (f"{made}no sheet is named by a quarter, so no figures were read; the figures go "
                f"in a sheet named by their quarter ({example}), as parbrief template writes it")

    @staticmethod
    def empty_sheet() -> str:
        return ("the sheet has no figures (every indicator cell is blank); fill in the figures, "
                "or delete the sheet")

    @staticmethod
    def header_not_first(row: int) -> str:
        above = "row 1" if row == 2 else f"rows 1-{row - 1}"
        return (f"the header (locality_code, ...) is on row {row}, not row 1; delete {above} "
                "(titles) so that row 1 holds the header, as in the template")

    @staticmethod
    def merged_header(coord: str, text: str) -> str:
        shown = f" ({text!r})" if text else ""
        return (f"header cells {coord} are merged{shown}; row 1 must hold one name per column: "
                "unmerge them (Home → Merge & Center) and write each column's locality_code, "
                "locality_name, parent_code or indicator name, with no group row above")

    @staticmethod
    def merged_cells(coord: str) -> str:
        return (f"cells {coord} are merged, so only the first holds a value; unmerge them "
                "(Home → Merge & Center) and fill in every row's own value")

    @staticmethod
    def duplicate_column(name: str, first: str, second: str) -> str:
        return (f"column {name} appears twice in row 1 (columns {first} and {second}); keep one "
                f"of them (column {second} was not read)")

    @staticmethod
    def excel_error(code: str, formula: str | None = None) -> str:
        if formula:
            return (f"the cell shows the error {code} from its formula ({formula}); correct the "
                    "formula or type the figure")
        return (f"the value is the Excel error {code}, not a figure; correct the formula that "
                "gave it in the workbook and export the file again, or type the figure")

    # ----------------------------------------------------------------- numbers

    @staticmethod
    def not_a_number(text: str, indicator: str, type_: str = "") -> str:
        """Why ``text`` is not a plain number, naming its readings when it has several."""
        t = text.strip()
        if t in EXCEL_ERRORS:
            return messages.excel_error(t)
        plain = unicodedata.normalize("NFKC", t)
        if plain != t and plain.isascii() and re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", plain):
            return (f"value {t!r} for {indicator} is typed in full-width digits (an input "
                    f"method's full-width mode); type it with ordinary digits: {plain}")
        m = re.fullmatch(r"([+-]?\d+(?:[.,]\d+)?)\s*%", t)
        if m and type_ == "percent":
            number = m.group(1).replace(",", ".")
            return (f"percent written as {t!r} for {indicator}; write the number alone, with a "
                    f"dot as decimal separator: {number}")
        if re.fullmatch(r"\d{1,3}(,\d{3})+", t):
            plain, decimal = t.replace(",", ""), t.replace(",", ".")
            return (f"ambiguous number {t!r} for {indicator}: it reads {plain} if the comma "
                    f"separates thousands, or {decimal} if it is a decimal comma (Vietnamese "
                    f"style); write it as a plain number with a dot as decimal separator and no "
                    f"thousands separator ({plain} or {decimal})")
        for pattern, thousands, decimal in ((r"\d{1,3}(\.\d{3})+(,\d+)?", ".", ","),
                                            (r"\d{1,3}(,\d{3})+(\.\d+)?", ",", "."),
                                            (r"\d{1,3}([ \u00a0\u202f]\d{3})+([.,]\d+)?", " ", ",")):
            if re.fullmatch(pattern, t):
                plain = re.sub(r"[ \u00a0\u202f]" if thousands == " " else re.escape(thousands),
                               "", t).replace(decimal, ".")
                return (f"value {t!r} for {indicator} has thousands separators; write a plain "
                        f"number with a dot as decimal separator and no thousands separator: "
                        f"{plain}")
        return messages.non_numeric(text, indicator)

    # ----------------------------------------------------------------- periods

    @staticmethod
    def period(text: str) -> str:
        """The period error, with what a near miss most likely means."""
        try:
            Quarter.parse(text)
            return ""
        except PeriodError as e:
            return str(e) + _period_hint(str(text).strip())

    # ----------------------------------------------------------------- localities

    @staticmethod
    def leading_zeros(code: str, register_name: str, period: str,
                      units: Sequence[register.Locality]) -> str:
        options = " or ".join(f"{u.code} {u.name}" for u in units)
        return (f"unknown locality code {code!r} in the {register_name} register (period "
                f"{period}). Leading zeros were probably lost (Excel drops them when it opens a "
                f"CSV file): did you mean {options}? Write the code with its zeros and keep the "
                "column as text")

    @staticmethod
    def full_width_code(code: str, register_name: str, period: str,
                        unit: register.Locality) -> str:
        return (f"unknown locality code {code!r} in the {register_name} register (period "
                f"{period}). The code is typed in full-width digits (an input method's "
                f"full-width mode): did you mean {unit.code} {unit.name}? Type it with ordinary "
                "digits")

    @staticmethod
    def name_as_code(code: str, register_name: str, period: str,
                     units: Sequence[register.Locality]) -> str:
        if len(units) == 1:
            which = f"{units[0].name} has the code {units[0].code}"
        else:
            which = "it names " + ", ".join(
                f"{u.code} {u.name} (in {u.province_code})" for u in units[:3]) + \
                (", ..." if len(units) > 3 else "")
        return (f"unknown locality code {code!r} in the {register_name} register (period "
                f"{period}). It is a name, not a code: {which}; write the code in "
                "locality_code (the name may go in a locality_name column)")

    @staticmethod
    def text_too_long(column: str, length: int, limit: int) -> str:
        what = ("a source names the document a figure comes from" if column == "source" else
                "a locality name is the unit's name")
        example = ("e.g. 'Báo cáo số 123/BC-UBND ngày 15/9/2026 của UBND xã Tân Kỳ'"
                   if column == "source" else "e.g. 'Xã Tân Kỳ'")
        return (f"{column} of {length:,} characters; {what} in at most {limit} characters "
                f"({example}): shorten it")

    @staticmethod
    def bidi_control(column: str, text: str, position: int) -> str:
        import unicodedata

        char = text[position]
        # the text with its invisible controls shown, so that the reader can find them
        shown = re.sub("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]",
                       lambda m: f"<U+{ord(m.group()):04X}>", text)
        return (f"{column} holds an invisible character that reorders how text is shown "
                f"(U+{ord(char):04X} {unicodedata.name(char, 'bidirectional control')}) at "
                f"character {position + 1}" + (f" of '{shown}'" if len(text) <= 100 else "")
                + "; delete it (retype the text, or paste it as plain text)")

    @staticmethod
    def name_mismatch(name: str, unit: register.Locality, period: str, hint: str = "") -> str:
        return (f"locality_name {name!r} does not match {unit.code} {unit.name}, the unit with "
                f"this code in {period}{hint}; correct the code or the name")

    @staticmethod
    def wrong_scope(unit: register.Locality, province: str, period: str) -> str:
        return (f"{unit.code} {unit.name} is in province {unit.province_code} "
                f"{_name(unit.province_code, period)}, but this data set is checked for province "
                f"{province} {_name(province, period)} only; remove the row, or correct the code")

    @staticmethod
    def whole_missing(part: str, whole: str, code: str, period: str) -> str:
        return (f"{part} is given for {code} in {period} without {whole}, the figure it is part "
                f"of; add {whole} (a part cannot be checked or turned into a rate without its "
                f"whole), or delete {part}")


# "1.234" typed by someone used to Vietnamese number formats means 1234, not 1.234.
_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")


_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}


def _date_quarter(day: int, month: int, year: int) -> Quarter | None:
    from datetime import date

    try:
        return Quarter.containing(date(year, month, day))
    except ValueError:
        return None


def _period_hint(text: str) -> str:
    """What a period that does not parse most likely means (appended to the period error)."""
    s = text.strip()
    m = re.fullmatch(r"(?:q|quý|quy)?\s*(I{1,3}|IV)\s*[/.\-\s]\s*(?:năm|nam)?\s*(\d{4})", s, re.IGNORECASE)
    if m:
        q = _ROMAN[m.group(1).upper()]
        return f"; did you mean {m.group(2)}Q{q} (Quý {m.group(1).upper()}/{m.group(2)})?"
    m = re.fullmatch(r"(\d{4})\s*[/.\s]\s*(?:q|quý|quy)\s*([1-4])|(?:q|quý|quy)\s*([1-4])"
                     r"\s*[.\s]\s*(\d{4})", s, re.IGNORECASE)
    if m:
        year, q = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        return f"; did you mean {year}Q{q}?"
    m = re.fullmatch(r"(\d{1,2})\s*[/.\-]\s*(\d{4})", s)
    if m and 1 <= int(m.group(1)) <= 12:
        n, year = int(m.group(1)), m.group(2)
        by_month = f"{year}Q{(n - 1) // 3 + 1}"
        if n <= 4 and by_month != f"{year}Q{n}":
            return (f"; {s!r} could be quarter {n} ({year}Q{n}) or month {n} ({by_month}): "
                    f"write {year}Q{n} or {by_month}, whichever you mean")
        return f"; {s!r} looks like a month: write the quarter it falls in, {by_month}"
    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", s) or \
        re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?", s)
    if m:
        a, b, c = (int(g) for g in m.groups())
        if c > 31:  # day/month/year, as Vietnamese dates are written (or month/day/year)
            readings = {q for q in (_date_quarter(a, b, c), _date_quarter(b, a, c)) if q}
        else:  # ISO year-month-day
            readings = {q for q in (_date_quarter(c, b, a),) if q}
        if len(readings) == 1:
            return f"; {s!r} looks like a date: write the quarter it falls in, {readings.pop()}"
        if len(readings) == 2:
            dm, md = _date_quarter(a, b, c), _date_quarter(b, a, c)
            return (f"; {s!r} looks like a date, in {dm} read as day/month or in {md} read as "
                    f"month/day: write {dm} or {md}, whichever you mean")
    if re.fullmatch(r"\d{4}", s):
        return f"; {s} is a year: write one of its quarters, e.g. {s}Q1"
    m = re.fullmatch(r"(?:q|quý|quy)\s*([1-4]|I{1,3}|IV)", s, re.IGNORECASE)
    if m:
        q = _ROMAN.get(m.group(1).upper()) or int(m.group(1))
        return f"; the year is missing: write e.g. 2026Q{q}"
    return ""


def _name(code: str, period: str) -> str:
    try:
        return register.get(code, period).name
    except UnknownLocalityError:
        return ""
