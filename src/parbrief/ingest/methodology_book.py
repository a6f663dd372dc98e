"""A methodology as an Excel workbook, for analysts who author their criteria set in Excel.

``export_book`` writes a methodology (a shipped id, a file, or a data set's own) as a workbook;
``import_book`` reads one back, strictly, into the YAML file parbrief scores with. Sheets:

* ``methodology``: one row per field (``field``, ``value``): id, version, titles, level(s),
  maximum, basis, notes;
* ``criteria``: one row per area, criterion and sub-criterion, in order. ``parent`` is blank for
  an area and names the area or criterion a row belongs to; a row with a ``rule`` is scored by
  it, a row without one is the sum of the rows under it. Rule parameters have a column each
  (``metric`` or ``indicator``, ``target``, ``direction``, ``steps``, ``points``, ``per``,
  ``scale``); ``steps`` are written ``>=95: 3; >=90: 2.5`` (or ``<=2: 1.5; <=4: 1``);
* ``bonus_penalty``: one row per bonus or penalty item, with its ``cap``;
* ``classification``: one row per band (``min``, ``label_vi``, ``label_en``), highest first;
* ``lists`` (read-only): the rule types, metrics and indicators a rule may name; ``guide``
  (Hướng dẫn): what each column holds, in Vietnamese and English.

Import is strict: every problem of every cell is reported at once, as ``book.xlsx#sheet:row:
column: message`` with the fix; then the methodology's own checks (maxima that add up, a
criterion worth more than its area, bands in order...) are run and their messages placed on
the row and column they concern.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from parbrief.core import catalogue, safe_yaml
from parbrief.core.errors import MethodologyError, ParameterError, Problem, ValidationError
from parbrief.core.files import atomic_write
from parbrief.ingest import workbooks
from parbrief.scoring import methodology as methodologies
from parbrief.scoring.metrics import METRICS

SHEETS = ("methodology", "criteria", "bonus_penalty", "classification")
FIELDS = ("id", "version", "title_vi", "title_en", "level", "maximum", "basis",
          "basis_summary_vi", "basis_summary_en", "notes")
REQUIRED_FIELDS = ("id", "version", "title_vi", "title_en", "level", "maximum")
CRITERIA_COLUMNS = ("id", "parent", "name_vi", "name_en", "max", "rule", "metric", "indicator",
                    "target", "direction", "steps", "points", "per", "scale", "assumption",
                    "source")
BONUS_COLUMNS = ("id", "name_vi", "name_en", "rule", "metric", "indicator", "steps", "points",
                 "per", "cap", "assumption", "source")
CLASS_COLUMNS = ("min", "label_vi", "label_en")
COLUMNS = {"criteria": CRITERIA_COLUMNS, "bonus_penalty": BONUS_COLUMNS,
           "classification": CLASS_COLUMNS, "methodology": ("field", "value")}
NUMBERS = {"max", "target", "points", "per", "scale", "cap", "min"}
LISTS_SHEET, GUIDE_SHEET = "lists", "guide"
_STEP = re.compile(r"^\s*(>=|≥|<=|≤)\s*([-+]?\d+(?:[.,]\d+)?)\s*%?\s*:\s*([-+]?\d+(?:[.,]\d+)?)\s*$")

GUIDE = {
    "methodology": ("Thông tin chung: mỗi dòng một trường (field, value). level: province, "
                    "district hoặc commune (nhiều cấp: district, commune).",
                    "General fields, one per row (field, value). level: province, district or "
                    "commune (several: district, commune)."),
    "id": ("Mã: chữ thường, chữ số và dấu _ (tiêu chí); tên tệp YAML là <mã>.yaml.",
           "Id: lower-case letters, digits and _ (criteria); the YAML file is named <id>.yaml."),
    "parent": ("Để trống với lĩnh vực; với tiêu chí, ghi mã lĩnh vực; với tiêu chí thành phần, "
               "ghi mã tiêu chí.",
               "Blank for an area; an area's id for a criterion; a criterion's id for a "
               "sub-criterion."),
    "max": ("Điểm tối đa. Lĩnh vực bằng tổng các tiêu chí; tiêu chí có tiêu chí thành phần bằng "
            "tổng các tiêu chí thành phần.",
            "Maximum points. An area equals the sum of its criteria; a criterion with "
            "sub-criteria the sum of its sub-criteria."),
    "rule": ("Cách chấm: appraisal (Hội đồng thẩm định chấm), survey (điều tra xã hội học), "
             "proportional (tỷ lệ thuận với target), thresholds (theo ngưỡng, cột steps), "
             "boolean (có/không). Để trống nếu là tổng các tiêu chí thành phần.",
             "How it is scored: appraisal (by the council), survey (sociological survey), "
             "proportional (to a target), thresholds (steps column), boolean (yes/no). Blank "
             "for the sum of its sub-criteria."),
    "metric": ("Tỷ lệ tính từ số liệu (sheet lists); hoặc cột indicator: một chỉ tiêu báo cáo. "
               "Ghi một trong hai; survey không ghi cả hai nếu điểm do cơ quan điều tra công bố.",
               "A rate computed from the figures (lists sheet), or an indicator (a reported "
               "figure): one of the two; a survey with neither takes the published points."),
    "steps": ("Ngưỡng: >=95: 3; >=90: 2.5 (đạt từ 95 được 3 điểm...) hoặc <=2: 1.5; <=4: 1.",
              "Steps: >=95: 3; >=90: 2.5 (95 or more earns 3...) or <=2: 1.5; <=4: 1."),
    "target": ("proportional: mức đạt tối đa điểm (ví dụ 90 nghĩa là 90 %); direction: higher "
               "(cao hơn tốt hơn) hoặc lower.",
               "proportional: the value that earns full points (90 means 90 %); direction: "
               "higher (better) or lower."),
    "points": ("boolean: điểm khi đạt (mặc định bằng điểm tối đa); bonus_penalty: điểm cho mỗi "
               "'per' đơn vị (âm là điểm trừ).",
               "boolean: points when met (default: the maximum); bonus_penalty: points for "
               "every 'per' units (negative for a penalty)."),
    "cap": ("Giới hạn điểm thưởng (dương) hoặc điểm trừ (âm).",
            "The most a bonus adds (positive) or a penalty takes (negative)."),
    "classification": ("Xếp loại: mỗi dòng một mức, từ cao xuống thấp; mức cuối từ 0.",
                       "Classes, one per row, highest first; the last starts at 0."),
}


# --------------------------------------------------------------------------- export


def _number(value) -> float | int | None:
    if value is None:
        return None
    value = float(value)
    return int(value) if value.is_integer() else value


def _text_number(value) -> str:
    v = _number(value)
    return str(v)


def steps_text(rule: methodologies.Rule) -> str:
    """``>=95: 3; >=90: 2.5``: a thresholds rule's steps as one cell."""
    return "; ".join(f"{'>=' if kind == 'min' else '<='}{_text_number(bound)}: "
                     f"{_text_number(points)}" for kind, bound, points in rule.steps)


def _rule_cells(rule: methodologies.Rule | None) -> dict:
    if rule is None:
        return {}
    out = {"rule": rule.type, "metric": rule.metric, "indicator": rule.indicator}
    if rule.type == "proportional":
        out.update(target=_number(rule.target), direction=rule.direction)
    elif rule.type in ("thresholds",):
        out["steps"] = steps_text(rule)
    elif rule.type == "boolean":
        out["points"] = _number(rule.points)
    elif rule.type == "survey" and rule.source is not None:
        out["scale"] = _number(rule.scale)
    elif rule.type == "per_unit":
        out.update(points=_number(rule.points), per=_number(rule.per))
    return out


def _raw_top(method: methodologies.Methodology) -> dict:
    """Top-level fields the methodology object does not keep (notes)."""
    try:
        doc = safe_yaml.loads(Path(method.path).read_text(encoding="utf-8"), method.path) \
            if method.path else {}
    except (OSError, safe_yaml.YamlError):
        doc = {}
    return doc if isinstance(doc, dict) else {}


def export_book(method: methodologies.Methodology, out: str | Path) -> Path:
    """Write ``method`` as an Excel workbook (see the module's docstring)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise ParameterError(f"--out {out}: the methodology book is an Excel workbook; give a "
                             f"file name ending in .xlsx (e.g. {out.with_suffix('.xlsx').name})")
    raw = _raw_top(method)
    header_fill = PatternFill("solid", fgColor="DDE6F0")
    area_fill = PatternFill("solid", fgColor="EEF2F7")
    wb = Workbook()

    def header(ws, names, widths):
        ws.append(list(names))
        for i, width in enumerate(widths, start=1):
            cell = ws.cell(row=1, column=i)
            cell.font, cell.fill = Font(bold=True), header_fill
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"

    ws = wb.active
    ws.title = "methodology"
    header(ws, ("field", "value"), (14, 100))
    values = {"id": method.id, "version": method.version, "title_vi": method.title["vi"],
              "title_en": method.title["en"], "level": ", ".join(method.levels),
              "maximum": _number(method.maximum), "basis": method.basis or None,
              "basis_summary_vi": (getattr(method, "basis_summary", None) or {}).get("vi"),
              "basis_summary_en": (getattr(method, "basis_summary", None) or {}).get("en"),
              "notes": str(raw.get("notes")) if raw.get("notes") is not None else None}
    for name in FIELDS:
        ws.append([name, values[name]])
        ws.cell(row=ws.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")

    ws = wb.create_sheet("criteria")
    header(ws, CRITERIA_COLUMNS, (22, 22, 50, 44, 7, 13, 26, 26, 8, 9, 30, 8, 6, 7, 50, 40))

    def criterion(c: methodologies.Criterion, parent: str) -> None:
        cells = {"id": c.id, "parent": parent, "name_vi": c.name["vi"], "name_en": c.name["en"],
                 "max": _number(c.max_points), "assumption": c.assumption, "source": c.source,
                 **_rule_cells(c.rule)}
        ws.append([cells.get(k) for k in CRITERIA_COLUMNS])
        for sub in c.criteria:
            criterion(sub, c.id)

    for area in method.areas:
        ws.append([{"id": area.id, "name_vi": area.name["vi"], "name_en": area.name["en"],
                    "max": _number(area.max_points), "assumption": area.assumption,
                    "source": area.source}.get(k) for k in CRITERIA_COLUMNS])
        for cell in ws[ws.max_row]:
            cell.fill, cell.font = area_fill, Font(bold=True)
        for c in area.criteria:
            criterion(c, area.id)
    last = max(ws.max_row, 2) + 200  # room for rows the analyst adds
    rules = DataValidation(type="list", formula1='"' + ",".join(methodologies.RULE_TYPES) + '"',
                           allow_blank=True, showErrorMessage=True, errorTitle="rule",
                           error="appraisal, survey, proportional, thresholds, boolean")
    rules.add(f"F2:F{last}")
    ws.add_data_validation(rules)

    ws = wb.create_sheet("bonus_penalty")
    header(ws, BONUS_COLUMNS, (24, 44, 40, 12, 26, 26, 36, 8, 6, 7, 50, 40))
    for adj in method.adjustments:
        cells = {"id": adj.id, "name_vi": adj.name["vi"], "name_en": adj.name["en"],
                 "cap": _number(adj.cap), "assumption": adj.assumption, "source": adj.source,
                 **_rule_cells(adj.rule)}
        ws.append([cells.get(k) for k in BONUS_COLUMNS])

    ws = wb.create_sheet("classification")
    header(ws, CLASS_COLUMNS, (8, 24, 24))
    for band in method.bands:
        ws.append([_number(band.min), band.label["vi"], band.label["en"]])

    ws = wb.create_sheet(LISTS_SHEET)
    header(ws, ("kind", "name", "label_vi", "label_en"), (12, 32, 60, 60))
    for name in methodologies.RULE_TYPES:
        ws.append(["rule", name, None, None])
    for name, metric in METRICS.items():
        ws.append(["metric", name, metric.labels.get("vi"), metric.labels.get("en")])
    for name, ind in catalogue.catalogue().items():
        ws.append(["indicator", name, ind.labels.get("vi"), ind.labels.get("en")])

    ws = wb.create_sheet(GUIDE_SHEET)
    header(ws, ("column", "vi", "en"), (16, 80, 80))
    for name, (vi, en) in GUIDE.items():
        ws.append([name, vi, en])
        for cell in ws[ws.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    wb.properties.title = f"parbrief methodology {method.id}"
    wb.properties.creator = "parbrief"
    book = io.BytesIO()
    wb.save(book)
    return atomic_write(out, book.getvalue())


# --------------------------------------------------------------------------- import


class _Sheet:
    """One sheet's rows as {column: value}, with where each came from."""

    def __init__(self, file: str, title: str, rows: list[tuple[int, dict]]):
        self.file, self.title, self.rows = file, title, rows

    def where(self) -> str:
        return f"{self.file}#{self.title}"


class _Reader:
    def __init__(self, path: Path):
        self.path = path
        self.name = path.name
        self.problems: list[Problem] = []
        self.book = None

    def problem(self, sheet: str, row: int, column: str, message: str) -> None:
        self.problems.append(Problem(f"{self.name}#{sheet}" if sheet else self.name, row,
                                     column, message))

    def sheet(self, title: str, required: bool = True) -> _Sheet | None:
        found = {s.title.strip(): s for s in self.book.sheets}
        sheet = found.get(title)
        if sheet is None:
            if required:
                self.problem("", 0, "sheet", f"the sheet {title!r} is missing; the workbook needs "
                                             f"the sheets {', '.join(SHEETS)} (write one with "
                                             "parbrief methodology export)")
            return None
        content = self.book.read(sheet)
        expected = COLUMNS[title]
        if not content.rows:
            if required:
                self.problem(title, 1, "", f"the sheet is empty; row 1 must hold the headers "
                                           f"{', '.join(expected)}")
            return _Sheet(self.name, title, [])
        head = {c.column: str(c.value).strip() for c in content.rows[0]
                if c.row == 1 and c.value is not None}
        if content.rows[0][0].row != 1:
            head = {}
        names = list(head.values())
        for name in expected:
            if name not in names and name not in ("assumption", "source", "notes"):
                self.problem(title, 1, name, f"missing column {name}; row 1 must hold the headers "
                                             f"{', '.join(expected)}")
        for col, name in head.items():
            if name not in expected:
                import difflib

                close = difflib.get_close_matches(name, expected, n=1, cutoff=0.6)
                hint = f"rename it to {close[0]} or remove it" if close else "remove it"
                self.problem(title, 1, _letter(col) if not name else name,
                             f"unknown column {name!r}; {hint} (the columns are "
                             f"{', '.join(expected)})")
        rows = []
        for cells in content.rows[1:] if head else content.rows:
            values = {}
            for c in cells:
                name = head.get(c.column)
                if name is None:
                    if c.value not in (None, ""):
                        self.problem(title, c.row, _letter(c.column),
                                     f"column {_letter(c.column)} has a value but no "
                                     "header; write the column's name in row 1 or clear it")
                    continue
                if c.formula is not None and c.value is None:
                    self.problem(title, c.row, name, f"the cell holds a formula ({c.formula}) "
                                                     "with no saved value; open and save the "
                                                     "workbook in Excel, or type the value")
                    continue
                value = c.value
                if isinstance(value, (int, float)) and not isinstance(value, bool) and \
                        "%" in self.book.number_format(c):
                    value = value * 100  # a cell shown as 90 % holds 0.9
                values[name] = value
            if any(v not in (None, "") for v in values.values()):
                rows.append((cells[0].row, values))
        return _Sheet(self.name, title, rows)

    # ----------------------------------------------------------------- cells

    def text(self, sheet: str, row: int, values: dict, column: str, required: bool = False
             ) -> str | None:
        value = values.get(column)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(sheet, row, column, f"missing {column}; fill it in")
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def number(self, sheet: str, row: int, values: dict, column: str, required: bool = False
               ) -> float | None:
        value = values.get(column)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(sheet, row, column, f"missing {column}; write a number (e.g. 2.5)")
            return None
        if isinstance(value, bool):
            self.problem(sheet, row, column, f"{column} must be a number, got {value!r}")
            return None
        if isinstance(value, (int, float)):
            return _number(value)
        text = str(value).strip().rstrip("%").strip()
        if re.fullmatch(r"[-+]?\d+,\d+", text):
            self.problem(sheet, row, column, f"{column} {value!r} has a decimal comma; write "
                                             f"{text.replace(',', '.')} (or type it as a number "
                                             "in a cell formatted as a number)")
            return None
        try:
            return _number(float(text))
        except ValueError:
            self.problem(sheet, row, column, f"{column} must be a number, got {value!r}")
            return None

    def steps(self, sheet: str, row: int, values: dict) -> list[dict] | None:
        text = self.text(sheet, row, values, "steps")
        if text is None:
            return None
        out = []
        for part in [p for p in re.split(r"[;\n]", text) if p.strip()]:
            m = _STEP.match(part)
            if not m:
                self.problem(sheet, row, "steps", f"step {part.strip()!r} is not like '>=95: 3' "
                                                  "or '<=2: 1.5'; write each step as a bound "
                                                  "and its points, steps separated by ';'")
                return None
            kind = "min" if m.group(1) in (">=", "≥") else "max"
            out.append({kind: _number(float(m.group(2).replace(",", "."))),
                        "points": _number(float(m.group(3).replace(",", ".")))})
        return out

    def rule(self, sheet: str, row: int, values: dict, kinds: tuple[str, ...]) -> dict | None:
        kind = self.text(sheet, row, values, "rule")
        if kind is None:
            return None
        if kind not in kinds:
            import difflib

            close = difflib.get_close_matches(kind, kinds, n=1, cutoff=0.5)
            hint = f"did you mean {close[0]}? " if close else ""
            self.problem(sheet, row, "rule", f"unknown rule {kind!r}; {hint}use one of "
                                             f"{', '.join(kinds)}")
            return None
        out: dict = {"type": kind}
        for column in ("metric", "indicator"):
            name = self.text(sheet, row, values, column)
            if name is not None:
                known = METRICS if column == "metric" else catalogue.catalogue()
                if name not in known:
                    import difflib

                    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
                    hint = f"did you mean {close[0]}? " if close else ""
                    self.problem(sheet, row, column, f"unknown {column} {name!r}; {hint}use a "
                                                     f"name from the {LISTS_SHEET} sheet")
                out[column] = name
        allowed = methodologies.RULE_KEYS[kind]
        for column in ("target", "points", "per", "scale"):
            value = self.number(sheet, row, values, column)
            if value is not None:
                if column not in allowed:
                    self.problem(sheet, row, column, f"a {kind} rule takes no {column}; clear "
                                                     "the cell or change the rule")
                else:
                    out[column] = value
        direction = self.text(sheet, row, values, "direction")
        if direction is not None:
            if "direction" not in allowed:
                self.problem(sheet, row, "direction", f"a {kind} rule takes no direction; clear "
                                                      "the cell or change the rule")
            elif direction not in ("higher", "lower"):
                self.problem(sheet, row, "direction", f"direction {direction!r} must be higher "
                                                      "or lower")
            else:
                out["direction"] = direction
        written = self.text(sheet, row, values, "steps") is not None
        steps = self.steps(sheet, row, values)
        if steps is not None:
            if "steps" not in allowed:
                self.problem(sheet, row, "steps", f"a {kind} rule takes no steps; clear the cell "
                                                  "or change the rule to thresholds")
            else:
                out["steps"] = steps
        elif "steps" in allowed and not written:  # written but unreadable: said already
            self.problem(sheet, row, "steps", "a thresholds rule needs its steps, e.g. "
                                              ">=95: 3; >=90: 2.5")
        return out


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(min(column, 16384))


def _labels(vi: str | None, en: str | None) -> dict:
    return {"vi": vi or en or "", "en": en or vi or ""}


def read_book(path: str | Path) -> tuple[dict, dict]:
    """The YAML document a workbook describes, and where each part came from (for messages):
    ``{"id:<id>": (sheet, row), "band:<i>": (sheet, row), "field:<name>": (sheet, row)}``.
    Raises ``ValidationError`` with every problem of every cell."""
    import zipfile

    path = Path(path)
    reader = _Reader(path)
    try:
        reader.book = workbooks.open_workbook(path)
    except workbooks.WorkbookTooLarge as e:
        raise ValidationError([Problem(path.name, 0, "", str(e))]) from None
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as e:
        raise ValidationError([Problem(path.name, 0, "", (
            f"cannot read this workbook ({e}); save it as an Excel .xlsx file"))]) from None
    try:
        sheets = {t: reader.sheet(t, required=(t != "bonus_penalty")) for t in SHEETS}
    except workbooks.WorkbookTooLarge as e:
        raise ValidationError([Problem(f"{path.name}#{e.sheet}" if e.sheet else path.name,
                                       e.row, e.column, str(e))]) from None
    finally:
        reader.book.close()
    origin: dict[str, tuple[str, int]] = {}
    doc: dict = {}
    if sheets["methodology"] is not None:
        fields = {}
        for row, values in sheets["methodology"].rows:
            name = reader.text("methodology", row, values, "field")
            if name is None:
                reader.problem("methodology", row, "field", "missing field name; write one of "
                                                            f"{', '.join(FIELDS)}")
                continue
            if name not in FIELDS:
                reader.problem("methodology", row, "field", f"unknown field {name!r}; the fields "
                                                            f"are {', '.join(FIELDS)}")
                continue
            if name in fields:
                reader.problem("methodology", row, "field", f"field {name} is given twice (first "
                                                            f"on row {origin['field:' + name][1]})")
                continue
            origin[f"field:{name}"] = ("methodology", row)
            fields[name] = (row, values)
        for name in REQUIRED_FIELDS:
            if name not in fields:
                reader.problem("methodology", 0, "field", f"the field {name} is missing; add a "
                                                          f"row with field {name} and its value")
        def value(name, number=False):
            if name not in fields:
                return None
            row, values = fields[name]
            get = reader.number if number else reader.text
            return get("methodology", row, values, "value", required=name in REQUIRED_FIELDS)

        doc["id"] = value("id")
        doc["version"] = value("version")
        doc["title"] = _labels(value("title_vi"), value("title_en"))
        levels = [x.strip() for x in (value("level") or "").split(",") if x.strip()]
        doc["level"] = levels[0] if len(levels) == 1 else levels
        if value("basis"):
            doc["basis"] = value("basis")
        summary = {"vi": value("basis_summary_vi"), "en": value("basis_summary_en")}
        if any(summary.values()):  # what the set rests on, for readers, in each language
            doc["basis_summary"] = _labels(summary["vi"], summary["en"])
        doc["maximum"] = value("maximum", number=True)
        if value("notes"):
            doc["notes"] = value("notes")
    doc["areas"] = _criteria(reader, sheets["criteria"], origin)
    if sheets["bonus_penalty"] is not None and sheets["bonus_penalty"].rows:
        doc["bonus_penalty"] = _bonus(reader, sheets["bonus_penalty"], origin)
    bands = []
    if sheets["classification"] is not None:
        for i, (row, values) in enumerate(sheets["classification"].rows):
            origin[f"band:{i}"] = ("classification", row)
            bands.append({"min": reader.number("classification", row, values, "min", True),
                          "label": _labels(reader.text("classification", row, values,
                                                       "label_vi", True),
                                           reader.text("classification", row, values,
                                                       "label_en"))})
        if not bands:
            reader.problem("classification", 0, "", "no class; add one row per class (min, "
                                                    "label_vi, label_en), the last from 0")
    doc["classification"] = bands
    if reader.problems:
        raise ValidationError(reader.problems)
    return doc, origin


def _criteria(reader: _Reader, sheet: _Sheet | None, origin: dict) -> list[dict]:
    if sheet is None:
        return []
    nodes: dict[str, dict] = {}
    areas: list[dict] = []
    unreadable: set[str] = set()  # rows already reported: no second message about them
    title = "criteria"
    for row, values in sheet.rows:
        cid = reader.text(title, row, values, "id", required=True)
        if cid is None:
            continue
        if cid in nodes or f"id:{cid}" in origin:
            reader.problem(title, row, "id", f"id {cid} is used twice (first on row "
                                             f"{origin[f'id:{cid}'][1]}); ids must be unique")
            continue
        origin[f"id:{cid}"] = (title, row)
        node: dict = {"id": cid, "name": _labels(reader.text(title, row, values, "name_vi", True),
                                                 reader.text(title, row, values, "name_en")),
                      "max": reader.number(title, row, values, "max", required=True)}
        for column in ("assumption", "source"):
            text = reader.text(title, row, values, column)
            if text:
                node[column] = text
        parent = reader.text(title, row, values, "parent")
        rule = reader.rule(title, row, values, methodologies.RULE_TYPES)
        if rule is None and reader.text(title, row, values, "rule") is not None:
            unreadable.add(cid)  # an unknown rule: said already, not "no rule"
        if parent is None:
            if rule is not None:
                reader.problem(title, row, "rule", f"{cid} is an area (no parent), and an area "
                                                   "has no rule: its points are its criteria's; "
                                                   "give the row a parent, or clear its rule")
            node["criteria"] = []
            areas.append(node)
        elif parent not in nodes:
            reader.problem(title, row, "parent", f"parent {parent!r} is nowhere above this row; "
                                                 "a row's parent (the id of an area or a "
                                                 "criterion) must come above it")
            unreadable.add(cid)
            if rule is not None:
                node["rule"] = rule
        else:
            if rule is not None:
                node["rule"] = rule
            nodes[parent].setdefault("criteria", []).append(node)
        nodes[cid] = node
    for node in nodes.values():  # a criterion without rule and without parts
        if "rule" not in node and not node.get("criteria") and node not in areas \
                and node["id"] not in unreadable:
            row = origin[f"id:{node['id']}"][1]
            reader.problem(title, row, "rule", f"{node['id']} has no rule and no sub-criteria; "
                                               "give it a rule (appraisal, survey, proportional, "
                                               "thresholds, boolean) or rows below it")
    for area in areas:
        if not area["criteria"]:
            row = origin[f"id:{area['id']}"][1]
            reader.problem(title, row, "id", f"area {area['id']} has no criteria; add rows with "
                                             f"parent {area['id']}")
    if not areas and sheet.rows:
        reader.problem(title, 0, "parent", "no area: an area is a row with a blank parent")
    return areas


def _bonus(reader: _Reader, sheet: _Sheet, origin: dict) -> list[dict]:
    out = []
    title = "bonus_penalty"
    for row, values in sheet.rows:
        aid = reader.text(title, row, values, "id", required=True)
        if aid is None:
            continue
        if f"id:{aid}" in origin:
            first_sheet, first_row = origin[f"id:{aid}"]
            reader.problem(title, row, "id", f"id {aid} is used twice (also {first_sheet} row "
                                             f"{first_row}); ids must be unique")
            continue
        origin[f"id:{aid}"] = (title, row)
        node = {"id": aid, "name": _labels(reader.text(title, row, values, "name_vi", True),
                                           reader.text(title, row, values, "name_en")),
                "rule": reader.rule(title, row, values, methodologies.ADJUSTMENT_TYPES)
                or {"type": ""},
                "cap": reader.number(title, row, values, "cap", required=True)}
        for column in ("assumption", "source"):
            text = reader.text(title, row, values, column)
            if text:
                node[column] = text
        out.append(node)
    return out


# Where a methodology check's message goes: the key after the last "(id)" -> column.
_KEY_COLUMN = (("rule.steps", "steps"), ("rule.target", "target"), ("rule.metric", "metric"),
               ("rule.indicator", "indicator"), ("rule.direction", "direction"),
               ("rule.points", "points"), ("rule.per", "per"), ("rule.scale", "scale"),
               ("rule.type", "rule"), ("rule", "rule"), ("max", "max"), ("cap", "cap"),
               ("name", "name_vi"), ("id", "id"))


def _place(message: str, file: str, origin: dict) -> Problem:
    """A methodology check's message (``file: where: what``) on the cell it concerns."""
    body = message[len(file) + 2:] if message.startswith(f"{file}: ") else message
    where, _, what = body.partition(": ")
    ids = re.findall(r"\(([a-z0-9_]+)\)", where)
    if ids and f"id:{ids[-1]}" in origin:
        sheet, row = origin[f"id:{ids[-1]}"]
        rest = where[where.rindex(f"({ids[-1]})") + len(ids[-1]) + 2:].lstrip(".")
        column = next((c for key, c in _KEY_COLUMN if rest.startswith(key)), "id")
        if rest.startswith("criteria") or " criterion " in where:
            column = "max"
        return Problem(f"{file}#{sheet}", row, column, what)
    band = re.match(r"classification\[(\d+)\](?:\.(\w+))?", where)
    if band and f"band:{band.group(1)}" in origin:
        sheet, row = origin[f"band:{band.group(1)}"]
        return Problem(f"{file}#{sheet}", row, band.group(2) or "min", what)
    field = where.split(".")[0].split("[")[0].strip()
    if f"field:{field}" in origin or field in ("maximum", "id", "level", "title", "version"):
        name = {"title": "title_vi"}.get(field, field)
        sheet, row = origin.get(f"field:{name}", ("methodology", 0))
        return Problem(f"{file}#{sheet}", row, "value", what)
    if field.startswith("areas") and "criteria" not in where:
        return Problem(f"{file}#criteria", 0, "", what)
    return Problem(file, 0, "", body)


def methodology_yaml(doc: dict, source: str) -> str:
    """The YAML text of a methodology document, in the layout of the shipped files: names and
    rules on one line each."""
    head = (f"# Imported from {source} (parbrief methodology import). Edit the workbook and "
            "import it again,\n# or edit this file; `parbrief methodology check` checks either.\n")
    import yaml

    return head + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100,
                                 default_flow_style=None)


def import_book(path: str | Path, out: str | Path) -> methodologies.Methodology:
    """Read a methodology workbook strictly, check it as the scoring engine will, and write
    its YAML file (named ``<id>.yaml``). Nothing is written when anything is wrong."""
    path, out = Path(path), Path(out)
    if out.suffix.lower() not in (".yaml", ".yml"):
        raise ParameterError(f"--out {out}: a methodology file is YAML; give a file name "
                             f"ending in .yaml (e.g. {out.with_suffix('.yaml').name})")
    doc, origin = read_book(path)
    text = methodology_yaml(doc, path.name)
    try:
        method = methodologies.parse(text, path.name, "", "")
    except MethodologyError as e:
        raise ValidationError([_place(str(e), path.name, origin)]) from None
    if out.stem != method.id:
        raise ParameterError(f"--out {out}: a methodology file is named by its id: name it "
                             f"{method.id}.yaml (id {method.id} in the methodology sheet), or "
                             "change the id")
    atomic_write(out, text.encode("utf-8"))
    return methodologies.load(str(out))


def check_file(path: str | Path, folders=()) -> methodologies.Methodology:
    """A methodology file (YAML) or workbook (.xlsx) read and checked as ``import`` and the
    scoring engine would: the methodology, or every problem (``ValidationError``,
    ``MethodologyError``)."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        doc, origin = read_book(path)
        try:
            return methodologies.parse(methodology_yaml(doc, path.name), path.name, "", "")
        except MethodologyError as e:
            raise ValidationError([_place(str(e), path.name, origin)]) from None
    return methodologies.load(str(path), folders)


__all__ = ["CRITERIA_COLUMNS", "FIELDS", "SHEETS", "check_file", "export_book", "import_book",
           "methodology_yaml", "read_book", "steps_text"]
