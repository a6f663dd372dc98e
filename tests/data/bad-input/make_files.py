"""Write the bad-input catalogue's example files (docs/bad-input.md), byte for byte.

Run from the repository root: ``.venv/bin/python tests/data/bad-input/make_files.py``.
Encodings are written as literal bytes (BOM, UTF-16, Windows-1258, TCVN3, VNI) so that the files
are exactly what old software produces; workbooks are written with openpyxl, then their XML is
patched where openpyxl cannot write a thing (a formula's saved value, an error value) and their
timestamps are fixed so that re-running the script gives the same bytes.
"""

from __future__ import annotations

import codecs
import os
import re
import shutil
import sys
import unicodedata
import zipfile
from pathlib import Path

# openpyxl writes its XML through lxml when lxml is installed, otherwise through its own
# writer, and the bytes differ: the files are written the same way on every machine.
os.environ["OPENPYXL_LXML"] = "False"
import openpyxl  # noqa: E402 - after the setting above

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[2] / "src"))

from parbrief.ingest import template  # noqa: E402 - the checkout's package, found above

HEADER = "locality_code,period,indicator,value,source"
REQUIRED = {"procedures_total": 375, "procedures_published": 282, "procedures_online_full": 150,
            "records_received": 1200, "records_resolved": 1100, "records_resolved_on_time": 1080,
            "records_resolved_late": 20, "records_submitted_online": 900,
            "records_digitised": 800, "plan_tasks_assigned": 133, "plan_tasks_completed": 39}
WIDE = ["locality_code", "locality_name", "parent_code", *REQUIRED]
SOURCE = "Báo cáo quý III/2026 của UBND xã Tân Kỳ"
# The same source as old software stored it (see the encoding tables in parbrief.ingest.dataset).
SOURCE_CP1258 = b"B\xe1o c\xe1o quy\xec III/2026 cu\xd2a UBND xa\xde T\xe2n Ky\xcc"
SOURCE_TCVN3 = b"B\xb8o c\xb8o qu\xfd III/2026 c\xf1a UBND x\xb7 T\xa9n K\xfa"
SOURCE_VNI = "Baùo caùo quyù III/2026 cuûa UBND xaõ Taân Kyø".encode("cp1252")
FIXED_TIME = (2026, 10, 1, 0, 0, 0)


def rows(code="17266", period="2026Q3", source="report Q3", changes=None, extra=(), drop=()):
    """Lines of a long table: the required figures of one locality, changed as asked."""
    values = {**REQUIRED, **(changes or {})}
    out = [f"{code},{period},{name},{value},{source}" for name, value in values.items()
           if name not in drop]
    out += [f"{code},{period},{name},{value},{source}" for name, value in extra]
    return out


def csv(name, lines, header=HEADER, encoding="utf-8"):
    (HERE / name).write_bytes("\n".join([header, *lines, ""]).encode(encoding))


def raw(name, data: bytes):
    (HERE / name).write_bytes(data)


def book(name, sheets, hidden=(), after=None):
    """A workbook: {title: [rows]}, the first row being the header."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, content in sheets.items():
        ws = wb.create_sheet(title)
        for row in content:
            ws.append(row)
        if title in hidden:
            ws.sheet_state = hidden[title]
    if after:
        after(wb)
    path = HERE / name
    wb.save(path)
    return path


def wide_row(code="17266", name="Xã Tân Kỳ", parent="40", **changes):
    return [code, name, parent, *{**REQUIRED, **changes}.values()]


def fix_zip(path: Path, patches=None):
    """Rewrite a workbook with fixed timestamps, applying text patches to its XML members."""
    with zipfile.ZipFile(path) as z:
        members = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            if name == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-10-01T00:00:00Z", data)
            for member, old, new in patches or ():
                if member == name:
                    assert old in data, (name, old)
                    data = data.replace(old, new)
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def main():
    for old in HERE.iterdir():
        if old.name != Path(__file__).name:
            old.unlink() if old.is_file() else shutil.rmtree(old)

    # ------------------------------------------------------------ files and encodings
    raw("01-empty.csv", b"")
    csv("02-header-only.csv", [])
    raw("03-utf8-bom.csv", codecs.BOM_UTF8 + "\n".join([HEADER, *rows(source=SOURCE), ""])
        .encode("utf-8"))
    raw("04-utf16-bom.csv", codecs.BOM_UTF16_LE + "\n".join([HEADER, *rows(source=SOURCE), ""])
        .encode("utf-16-le"))
    raw("05-utf16-tab-no-bom.csv", "\r\n".join(
        [HEADER.replace(",", "\t"), *[r.replace(",", "\t") for r in rows(source=SOURCE)], ""])
        .encode("utf-16-le"))
    lines = [HEADER.encode()] + [r.encode() + SOURCE_CP1258 for r in rows(source="")]
    raw("06-windows-1258.csv", b"\n".join(lines) + b"\n")
    lines = [HEADER.encode()] + [r.encode() + SOURCE_TCVN3 for r in rows(source="")]
    raw("07-tcvn3-bytes.csv", b"\n".join(lines) + b"\n")
    lines = [HEADER.encode()] + [r.encode() + SOURCE_VNI for r in rows(source="")]
    raw("08-vni-bytes.csv", b"\n".join(lines) + b"\n")
    def nfd(text: str) -> str:
        return unicodedata.normalize("NFD", text)

    csv("09-nfd-names.csv", [
        f"17266,{nfd('Xã Tân Kỳ')},{line.split(',', 1)[1]}"
        for line in rows(period=nfd("Quý III/2026"), source=nfd(SOURCE))],
        header="locality_code,locality_name,period,indicator,value,source")
    csv("10-tcvn3-text.csv", [f"17266,X· T©n Kú,{line.split(',', 1)[1]}" for line in rows()],
        header="locality_code,locality_name,period,indicator,value,source")
    path = book("11-vni-text.xlsx", {"2026Q3": [WIDE, wide_row(name="Xaõ Taân Kyø")]})
    fix_zip(path)
    csv("12-name-mismatch.csv", [f"17266,Xã Tân Phú,{line.split(',', 1)[1]}" for line in rows()],
        header="locality_code,locality_name,period,indicator,value,source")
    raw("13-western-ansi.csv", "\n".join([HEADER, *rows(source="báo cáo"), ""])
        .encode("cp1252"))
    raw("14-old-excel.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    csv("15-csv-named-xlsx.xlsx", rows())
    csv("16-missing-column.csv", [r.rsplit(",", 1)[0] for r in rows()],
        header="locality_code,period,indicator,value")
    csv("17-misspelt-column.csv", rows(), header="locality_code,period,indicator,valu,source")
    csv("18-unquoted-comma.csv", rows()[:4]
        + ["17266,2026Q3,records_resolved,1100,Báo cáo, quý III"] + rows()[5:])
    # Excel in a Vietnamese locale separates fields with semicolons (its decimal symbol is ",").
    csv("19-semicolons.csv", [r.replace(",", ";") for r in rows(source=SOURCE)],
        header=HEADER.replace(",", ";"))

    # ------------------------------------------------------------ workbooks
    def title_rows(wb):
        ws = wb["2026Q3"]
        ws.insert_rows(1, 3)
        ws["A1"] = "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN"
        ws["A2"] = "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ III/2026"
        ws.merge_cells("A1:N1")
        ws.merge_cells("A2:N2")

    def group_header(wb):
        ws = wb["2026Q3"]
        ws.insert_rows(1)
        for i, name in enumerate(WIDE[:3], start=1):
            ws.cell(row=1, column=i, value=name)
        ws["D1"] = "Thủ tục hành chính"
        ws.merge_cells("D1:F1")

    fix_zip(book("20-merged-header.xlsx", {"2026Q3": [WIDE, wide_row()]}, after=group_header))
    fix_zip(book("21-title-rows.xlsx", {"2026Q3": [WIDE, wide_row()]}, after=title_rows))
    fix_zip(book("22-merged-cells.xlsx",
                 {"2026Q3": [WIDE, wide_row(), wide_row("17272", "Xã Tân Phú")]},
                 after=lambda wb: wb["2026Q3"].merge_cells("C2:C3")))

    def formula(wb):
        wb["2026Q3"]["E2"] = "=1+1"

    path = book("23-formula-saved-value.xlsx", {"2026Q3": [WIDE, wide_row()]}, after=formula)
    # A spreadsheet program saves the formula's value next to it; this one says 282, which
    # evaluating "=1+1" would not give.
    fix_zip(path, [("xl/worksheets/sheet1.xml", b'<c r="E2"><f>1+1</f><v /></c>',
                    b'<c r="E2"><f>1+1</f><v>282</v></c>')])
    fix_zip(book("24-formula-no-saved-value.xlsx", {"2026Q3": [WIDE, wide_row()]},
                 after=formula))
    path = book("25-formula-error.xlsx", {"2026Q3": [WIDE, wide_row()]},
                after=lambda wb: wb["2026Q3"].__setitem__("E2", "=D2/0"))
    fix_zip(path, [("xl/worksheets/sheet1.xml", b'<c r="E2"><f>D2/0</f><v /></c>',
                    b'<c r="E2" t="e"><f>D2/0</f><v>#DIV/0!</v></c>')])
    fix_zip(book("26-hidden-sheet.xlsx", {"2026Q2": [WIDE, wide_row()],
                                          "2026Q3": [WIDE, wide_row()]},
                 hidden={"2026Q2": "hidden"}))
    fix_zip(book("27-very-hidden-sheet.xlsx", {"2026Q3": [WIDE, wide_row()],
                                               "DanhMuc": [["Xã Tân Kỳ"], ["Xã Tân Phú"]]},
                 hidden={"DanhMuc": "veryHidden"}))
    fix_zip(book("28-missing-quarter-sheet.xlsx", {"2026Q1": [WIDE, wide_row()],
                                                   "2026Q3": [WIDE, wide_row()]}))
    path = template.write_template("40", "2026Q3", HERE / "29-no-quarter-sheet.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.remove(wb["2026Q3"])
    wb.save(path)
    fix_zip(path)
    fix_zip(book("30-sheet-not-a-quarter.xlsx", {"2026Q3": [WIDE, wide_row()],
                                                 "Sheet1": [["ghi chú"], ["số liệu tạm"]]}))
    fix_zip(book("31-two-sheets-one-quarter.xlsx", {"2026Q3": [WIDE, wide_row()],
                                                    "Quý III-2026": [WIDE, wide_row()]}))
    fix_zip(book("32-duplicate-column.xlsx", {"2026Q3": [
        WIDE + ["records_received"], wide_row() + [1250]]}))
    fix_zip(book("33-code-as-number.xlsx", {"2026Q3": [
        WIDE, wide_row(), wide_row(4, "Phường Ba Đình", "01")]}))
    path = template.write_template("40", "2026Q3", HERE / "34-template-not-filled.xlsx")
    fix_zip(path)

    # ------------------------------------------------------------ numbers
    csv("35-count-thousands-dot.csv", rows(changes={"records_received": "1.234"}))
    csv("36-count-thousands-comma.csv", rows(changes={"records_received": '"1,234"'}))
    csv("37-percent-sign.csv", rows(extra=[("satisfaction_rate", '"75,2%"')]))
    csv("38-thousands-separators.csv", rows(changes={"records_received": "1.234.567"}))
    csv("39-decimal-comma.csv", rows(extra=[("satisfaction_rate", '"92,5"')]))
    csv("40-negative-count.csv", rows(changes={"records_resolved_late": -3}))
    csv("41-non-integer-count.csv", rows(changes={"records_resolved_late": 2.5}))
    csv("42-percent-out-of-range.csv", rows(extra=[("satisfaction_rate", 120)]))
    csv("43-boolean-not-0-1.csv", rows(extra=[("one_stop_shop_operational", 2)]))
    csv("44-blank-value.csv", rows(changes={"records_resolved_late": ""}))
    csv("45-excel-error-in-csv.csv", rows(changes={"records_digitised": "#DIV/0!"}))

    # ------------------------------------------------------------ periods
    spellings = ["2026Q3", "2026-Q3", "2026 Q3", "Q3/2026", "Q3-2026", "Quý III/2026",
                 "Quý 3/2026", "quý 3 năm 2026"]
    csv("46-period-spellings.csv", [line.replace("2026Q3", spellings[i % len(spellings)])
                                    for i, line in enumerate(rows())])
    for name, period in (("47-period-roman", "III/2026"), ("48-period-month-or-quarter", "3/2026"),
                         ("49-period-date", "30/09/2026"), ("50-period-malformed", "2026-13")):
        csv(f"{name}.csv", rows() + [f"17266,{period},satisfaction_rate,99.5,survey"])

    # ------------------------------------------------------------ localities
    csv("51-duplicate-row.csv", rows() + ["17266,2026Q3,records_received,1250,report Q3 (late)"])
    csv("52-duplicate-period-spellings.csv",
        rows() + ["17266,Q3/2026,records_received,1200,report Q3"])
    fix_zip(book("53-duplicate-locality-row.xlsx", {"2026Q3": [WIDE, wide_row(),
                                                               wide_row(records_received=1250)]}))
    path = template.write_template("40", "2026Q3", HERE / "54-template-other-province.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["2026Q3"]
    header = [c.value for c in ws[1]]
    ws.append(["00004", "Phường Ba Đình", None])
    for name, value in REQUIRED.items():
        ws.cell(row=ws.max_row, column=header.index(name) + 1, value=value)
    wb.save(path)
    fix_zip(path)
    csv("55-other-province.csv", rows() + rows(code="00004"))
    csv("56-merged-district.csv", rows(code="423"))
    csv("57-merged-commune.csv", rows(code="17269"))
    csv("58-code-before-it-existed.csv", rows(code="19742", period="2025Q2"))
    csv("59-code-reused-wrong-period.csv",
        [f"17266,Xã Tân Kỳ,{line.split(',', 1)[1]}" for line in rows(period="2025Q2")],
        header="locality_code,locality_name,period,indicator,value,source")
    csv("60-leading-zeros-lost.csv", rows(code="4"))
    csv("61-unknown-code.csv", rows(code="17267"))
    csv("62-wrong-parent.csv", [f"{line.rsplit(',', 1)[0]},41,report Q3" for line in rows()],
        header="locality_code,period,indicator,value,parent_code,source")

    # ------------------------------------------------------------ consistency
    csv("63-part-larger-than-whole.csv", rows(changes={"records_resolved_on_time": 1150}))
    csv("64-whole-missing.csv", rows(extra=[("payments_online", 40)]))
    csv("65-required-missing.csv", rows(drop=["records_digitised"]))
    csv("66-unknown-indicator.csv", rows(extra=[("apologies_isued", 3)]))

    # ------------------------------------------------------------ appraisal points
    head = "methodology,locality_code,period,criterion,points,source"
    csv("67-appraisal-above-maximum.csv", ["par-commune,17266,2026Q3,a1_leadership,3,council"],
        header=head)
    csv("68-appraisal-unknown-criterion.csv",
        ["par-commune,17266,2026Q3,a1_leadershp,2,council"], header=head)

    # ------------------------------------------------------------ methodology files
    toy = (HERE.parent / "methodologies" / "toy.yaml").read_text(encoding="utf-8")

    def methodology(name, old, new):
        text = toy.replace("id: toy\n", f"id: {name}\n", 1)
        assert old in text, old
        (HERE / f"{name}.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")

    methodology("69-unknown-rule", "rule: {type: proportional, metric: on_time_rate, target: 90}",
                "rule: {type: ratio, metric: on_time_rate, target: 90}")
    methodology("70-criterion-above-area", "max: 4\n", "max: 12\n")
    methodology("71-maximum-not-sum", "maximum: 20\n", "maximum: 25\n")
    methodology("72-area-not-sum", "    max: 10\n    criteria:\n      - id: on_time",
                "    max: 11\n    criteria:\n      - id: on_time")
    methodology("73-unknown-key", "        max: 3\n        rule:\n",
                "        max: 3\n        rules:\n")

    # ------------------------------------------------------------ careless and hostile input
    csv("74-parts-exceed-whole.csv", rows(changes={
        "records_resolved": 523, "records_resolved_on_time": 493, "records_resolved_late": 500}))
    # Twelve communes report 2026Q3; one commune's rows were typed 2036Q3.
    csv("75-mistyped-year.csv", [line for code in NGHE_AN_COMMUNES for line in rows(code=code)]
        + rows(code="17266", period="2036Q3"))
    csv("76-full-width-value.csv", rows(changes={"records_received": "１２００"}))
    csv("77-full-width-code.csv", rows(code="１７２６６"))
    csv("78-name-as-code.csv", [f"{line.rsplit(',', 1)[0]},40,report Q3"
                                for line in rows(code="Xã Tân Kỳ")],
        header="locality_code,period,indicator,value,parent_code,source")
    csv("79-bidi-control.csv", rows(source="Báo cáo quý III/2026 \u202eCBU\u202c của xã Tân Kỳ"))
    csv("80-source-too-long.csv", rows(source="Báo cáo quý III/2026 của UBND xã Tân Kỳ. " * 25))
    for folder, changes in (("quy2", {"records_resolved_late": -3}),
                            ("quy3", {"records_resolved_late": 2.5})):
        (HERE / "81-two-folders" / folder).mkdir(parents=True)
        csv(f"81-two-folders/{folder}/figures.csv", rows(changes=changes))
    too_many_rows()
    methodology("83-alias-bomb", "classification:", "\n".join(ALIAS_BOMB) + "\nclassification:")
    methodology("84-criteria-too-deep", DESK_CRITERION, DEEP_CRITERIA)
    methodology("85-nested-3000-deep", "classification:",
                "deep: " + "[" * 3000 + "]" * 3000 + "\nclassification:")
    methodology("86-text-too-long", 'basis: "test fixture"',
                'basis: "' + "Quyết định 876/QĐ-BNV, Phụ lục I. " * 80 + '"')
    # ------------------------------------------------------------ appraisal points
    points = "methodology,locality_code,period,criterion,points,source"
    csv("110-appraisal-methodology-path.csv",
        ["methodologies/ha-tinh-2026.yaml,17266,2026,a1_reports_on_time,1,Hội đồng thẩm định"],
        header=points)
    csv("111-appraisal-unknown-methodology.csv",
        ["ha-tinh-2026,17266,2026,a1_reports_on_time,1,Hội đồng thẩm định"], header=points)
    csv("112-appraisal-total-and-criteria.csv",
        ["par-commune,17266,2026,appraised-total,61.3,Bảng kết quả năm 2026",
         "par-commune,17266,2026,a1_reports_on_time,1,Hội đồng thẩm định"], header=points)
    csv("113-appraisal-total-above-maximum.csv",
        ["par-commune,17266,2026,survey-total,31.5,Bảng kết quả năm 2026"], header=points)
    csv("114-self-assessed-above-maximum.csv",
        ["par-commune,17266,2026,a1_reports_on_time,,Hội đồng thẩm định,1.5",
         "par-commune,17266,2026,a1_reports_quality,0.75,Hội đồng thẩm định,một"],
        header=points + ",self_assessed")
    params_project()


# Twelve Nghệ An communes (2025 register), for data sets where most units report.
NGHE_AN_COMMUNES = ["16681", "16690", "16702", "16708", "16732", "16738", "16744", "16750",
                    "16756", "16774", "16777", "17266"]
# Aliases of aliases (four levels of twenty): 160,000 values once expanded. The real "billion
# laughs" (nine levels of nine) is built by the tests themselves.
ALIAS_BOMB = ["laughs:", "  - &l0 [ha, ha, ha, ha, ha, ha, ha, ha, ha, ha, ha, ha, ha, ha, ha, "
              "ha, ha, ha, ha, ha]"] + [
    f"  - &l{i} [{', '.join([f'*l{i - 1}'] * 20)}]" for i in range(1, 5)]
DESK_CRITERION = """          - id: desk_quality
            name: {vi: "Chất lượng", en: "Quality"}
            max: 2
            rule: {type: appraisal}
"""
# desk (level 1) > desk_quality (2) > q3 > q4 > q5: five levels of criteria under the area.
DEEP_CRITERIA = """          - id: desk_quality
            name: {vi: "Chất lượng", en: "Quality"}
            max: 2
            criteria:
              - id: q3
                name: {vi: "Mức 3", en: "Level 3"}
                max: 2
                criteria:
                  - id: q4
                    name: {vi: "Mức 4", en: "Level 4"}
                    max: 2
                    criteria:
                      - id: q5
                        name: {vi: "Mức 5", en: "Level 5"}
                        max: 2
                        rule: {type: appraisal}
"""


def too_many_rows():
    """A workbook of 10,001 localities' rows (the limit is 10,000): small once zipped."""
    header = ["locality_code", "records_received"]
    path = book("82-too-many-rows.xlsx", {"2026Q3": [header]})
    data = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>17266</t></is></c>'
                   f'<c r="B{r}" t="n"><v>1200</v></c></row>' for r in range(2, 10_003))
    fix_zip(path, [("xl/worksheets/sheet1.xml", b"</row></sheetData>",
                    b"</row>" + data.encode("ascii") + b"</sheetData>")])


def params_project():
    """params-project/: a project folder (data/, params/) for the params file rows (90-102)."""
    project = HERE / "params-project"
    (project / "data").mkdir(parents=True)
    (project / "params").mkdir()
    # Xã Tân Kỳ in 2026Q3, and its district before the 2025 merger (Huyện Tân Kỳ, 2025Q2).
    raw("params-project/data/figures.csv", codecs.BOM_UTF8 + "\n".join(
        [HEADER, *rows(source=SOURCE), *rows(code="423", period="2025Q2", source=SOURCE), ""])
        .encode("utf-8"))
    base = ["name: example", 'province: "40"', "level: commune", 'periods: ["2026Q3"]',
            "data: ../data", "methodology: par-commune", "reports: [briefing]",
            "languages: [vi]", "formats: [html]", "output: ../reports"]

    def params(name, change=None, add=(), top=(), end=()):
        lines = list(base)
        if change:
            old, new = change
            lines[[i for i, line in enumerate(lines) if line.startswith(old)][0]] = new
        lines[7:7] = add
        lines[0:0] = top
        lines += end
        (project / "params" / f"{name}.yaml").write_text("\n".join(lines) + "\n",
                                                         encoding="utf-8")

    params("90-unknown-key", ("languages:", "langauges: [vi]"))
    params("91-wrong-type", add=["workers: two"])
    params("92-outside-project", ("output:", "output: /etc/parbrief"))
    params("93-methodology-outside", ("methodology:",
                                      "methodology: /srv/methodologies/par-commune.yaml"))
    params("94-timeout-fraction", add=["timeout: 90.5"])
    params("95-quarter-without-data", ("periods:", 'periods: ["1999Q1"]'))
    params("96-level-without-data", ("periods:", 'periods: ["2025Q2"]'))
    params("97-alias-bomb", ("name:", "name: *l4"), top=ALIAS_BOMB_PARAMS)
    params("98-duplicate-key", add=['periods: ["2026Q2"]'])
    params("99-output-a-file", ("output:", "output: ../data/figures.csv"))
    committee = ("formats:", "formats: [html, pdf, docx]")
    params("100-committee-unknown-field", committee,
           end=["committee:", '  place: "Nghệ An"', '  signer: "Nguyễn Văn A"'])
    params("101-committee-recipients-not-a-list", committee,
           end=["committee:", '  place: "Nghệ An"', '  recipients: "Ban Chỉ đạo CCHC tỉnh"'])
    params("102-committee-appendix-not-a-mapping", committee,
           end=["committee:", '  appendix_to: "Báo cáo số 12/BC-UBND"'])


ALIAS_BOMB_PARAMS = [line.replace("  - ", f"laughs{i}: ", 1)
                     for i, line in enumerate(ALIAS_BOMB[1:])]


if __name__ == "__main__":
    main()
