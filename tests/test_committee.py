"""The committee edition, read as the steering committee's secretariat reads it: the Vietnamese
PDF and Word files of a top, a middle and a bottom commune and of the province overview, made by
a real batch; the Word file read back with python-docx and converted with LibreOffice (Debian's
libreoffice-writer, installed when missing, as the browser tests install chromium)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import docx
import nbformat
import pytest
from conftest import make_project
from docx.oxml.ns import qn
from pagecheck import filled_share, overlapping_text, page_texts, text_boxes
from pypdf import PdfReader

from parbrief.core import i18n
from parbrief.publish import committee, contract, render
from parbrief.publish.docx import FIELD_TAG
from parbrief.runner.params import load

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PERIOD = "2026Q3"
TOP, MIDDLE, BOTTOM = "17488", "17329", "17284"  # ranked 1st, 65th and 129th of 129
STEMS = {TOP: "briefing-17488-xa-tan-chau", MIDDLE: "briefing-17329-xa-anh-son",
         BOTTOM: "briefing-17284-xa-nghia-dong"}
OVERVIEW = "overview-40-tinh-nghe-an"
COMMITTEE = {"issuing_body": "Sở Nội vụ", "parent_body": "UBND tỉnh Nghệ An",
             "symbol": "BC-SNV", "place": "Nghệ An", "signer_authority": "KT. Giám đốc",
             "signer_title": "Phó Giám đốc",
             "recipients": ["Ban Chỉ đạo CCHC tỉnh", "Lưu: VT, CCHC"]}
MM = 72 / 25.4


@pytest.fixture(scope="module")
def committee_batch(tmp_path_factory):
    from parbrief.runner.batch import report, run_batch

    project = tmp_path_factory.mktemp("committee")
    params = make_project(project, "committee", localities=list(STEMS),
                          formats=("html", "pdf", "docx"), extra={"committee": COMMITTEE})
    result = run_batch(params, workers=2, progress=False, echo=False)
    assert result.exit_code == 0, report(result)
    return project / "reports" / PERIOD / "nghe-an"


def _pdf(folder: Path, stem: str, lang: str = "vi") -> Path:
    return folder / f"{stem}.{lang}.pdf"


def _docx_text(document) -> list[str]:
    """Every paragraph's text, fill-in fields (content controls) included, tables too."""
    return ["".join(t.text or "" for t in p.iter(qn("w:t")))
            for p in document.element.body.iter(qn("w:p"))]


# ----------------------------------------------------------------------------- params


def test_committee_fields_are_read_from_the_params_file(tmp_path):
    params = load(make_project(tmp_path, extra={"committee": dict(
        COMMITTEE, appendix_to={"appendix": "I", "issuer": "UBND tỉnh Nghệ An"})}))
    assert params.committee["signer_title"] == "Phó Giám đốc"
    assert params.committee["recipients"] == ["Ban Chỉ đạo CCHC tỉnh", "Lưu: VT, CCHC"]
    assert params.committee["appendix_to"] == {
        "appendix": "I", "report_number": "", "report_symbol": "", "report_date": "",
        "issuer": "UBND tỉnh Nghệ An"}
    assert load(make_project(tmp_path / "plain")).committee == {}
    assert load(ROOT / "params" / "nghe-an-latest.yaml").committee == {"place": "Nghệ An"}
    assert "docx" in load(ROOT / "params" / "nghe-an-latest.yaml").formats


# ----------------------------------------------------------------------------- PDF


def test_vietnamese_pdf_carries_the_decree_frame(committee_batch):
    pages = page_texts(_pdf(committee_batch, STEMS[MIDDLE]))
    first = " ".join(pages[0].split())
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                  "UBND TỈNH NGHỆ AN", "SỞ NỘI VỤ", "Số: ………/BC-SNV",
                  "Nghệ An, ngày …… tháng …… năm ………", "BÁO CÁO",
                  "Kết quả Chỉ số cải cách hành chính quý III/2026 của xã Anh Sơn"):
        assert words in first, words
    last = " ".join(pages[-1].split())
    for words in ("Nơi nhận:", "- Ban Chỉ đạo CCHC tỉnh", "- Lưu: VT, CCHC", "KT. GIÁM ĐỐC",
                  "PHÓ GIÁM ĐỐC"):
        assert words in last, words
    # the signer's name was not given: a blank, never a name made up
    assert last.rstrip().endswith("…" * 10)
    # page numbers top centre from page 2
    assert not re.match(r"\s*1\s", pages[0])
    for n, text in enumerate(pages[1:], 2):
        assert text.lstrip().startswith(str(n)), (n, text[:20])


def test_vietnamese_pdf_typography_follows_the_decree(committee_batch):
    path = _pdf(committee_batch, STEMS[TOP])
    reader = PdfReader(path)
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    fonts = {str(f["/BaseFont"]) for p in reader.pages
             for f in (p["/Resources"].get("/Font") or {}).values()
             if "/BaseFont" in f.get_object()}
    assert any("LiberationSerif" in f for f in fonts), fonts
    # the text is Liberation Serif; the charts' own text is DejaVu Sans (their house font,
    # real text in the SVG the newsroom pack shares); no other font
    families = {re.sub(r"^/[A-Z]{6}\+", "", f).split("-")[0] for f in fonts}
    assert families == {"LiberationSerif", "DejaVuSans"}, fonts
    boxes = text_boxes(path)
    # margins: left 30 mm, right 15 mm, top and bottom 20 mm (the page number sits above)
    assert min(b.left for b in boxes) >= 30 * MM - 1
    assert max(b.right for b in boxes) <= (210 - 15 + 2) * MM  # glyphs overhang a little
    body = [b for b in boxes if b.top < (297 - 20) * MM]
    assert min(b.bottom for b in body) >= 20 * MM - 1
    # body text at 13 pt: most of the text (counted in characters: a chart's many short
    # labels are small by design) is in runs about 13 pt high
    heights = sorted(h for b in boxes for h in [round(b.top - b.bottom)] * len(b.text))
    assert 9 <= heights[len(heights) // 2] <= 16


@pytest.mark.parametrize("which", [TOP, MIDDLE, BOTTOM, "overview"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_pdf_pages_have_no_overlapping_text_and_no_near_empty_page(committee_batch, which,
                                                                    lang):
    path = _pdf(committee_batch, OVERVIEW if which == "overview" else STEMS[which], lang)
    assert overlapping_text(path) == []
    n = len(PdfReader(path).pages)
    for page in range(1, n):
        assert filled_share(path, page) > 0.5, f"page {page} of {path.name} is half empty"
    # the last page holds more than a signature: the closing notes go with it
    last = " ".join(page_texts(path)[-1].split())
    assert len(last) > 250, last


def test_trend_table_first_column_and_overview_names_do_not_wrap(committee_batch):
    text = "\n".join(page_texts(_pdf(committee_batch, STEMS[MIDDLE])))
    # "Quý" heads the column; each row starts with its quarter and its index on one line
    for quarter in ("IV/2024", "I/2025", "II/2025", "III/2025", "IV/2025", "I/2026", "II/2026",
                    "III/2026"):
        assert re.search(rf"^{re.escape(quarter)} \d+,\d\d ", text, re.M), quarter
    overview = "\n".join(page_texts(_pdf(committee_batch, OVERVIEW)))
    for name in ("Xã Tương Dương", "Phường Thành Vinh", "Xã Hưng Nguyên Nam"):
        assert name in overview, name


def test_key_figure_cards_have_equal_heights(committee_batch):
    """Cards of a row are cells of one grid row: their shaded boxes share top and bottom."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(_pdf(committee_batch, STEMS[TOP])))
    page = doc[0]
    fills = []
    for obj in page.get_objects():
        if obj.type == pdfium.raw.FPDF_PAGEOBJ_PATH:
            left, bottom, right, top = obj.get_bounds()
            if right - left > 60 and 20 < top - bottom < 120:
                fills.append((round(bottom), round(top)))
    doc.close()
    rows: dict[int, set] = {}
    for bottom, top in fills:
        rows.setdefault(top, set()).add(bottom)
    full = [bottoms for bottoms in rows.values()]
    assert len(full) >= 3  # at least three rows of cards
    assert all(len(bottoms) == 1 for bottoms in full), rows


def _english_words() -> set[str]:
    """Words of the English wording that Vietnamese never uses."""
    words: set[str] = set()
    for value in i18n.catalogue("en").values():
        words |= set(re.findall(r"[A-Za-z]{4,}", str(value)))
    words |= {"synthetic", "sha256", "Modelled", "parameters", "locality", "methodology",
              "seed", "data"}
    vietnamese = " ".join(str(v) for v in i18n.catalogue("vi").values())
    return {w.lower() for w in words} - {w.lower() for w in re.findall(r"[A-Za-z]+", vietnamese)}


@pytest.mark.parametrize("which", [TOP, MIDDLE, BOTTOM, "overview"])
def test_vietnamese_pdf_has_no_english(committee_batch, which):
    path = _pdf(committee_batch, OVERVIEW if which == "overview" else STEMS[which])
    text = " ".join(page_texts(path))
    english = _english_words()
    found = sorted({w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in english})
    assert found == []
    for machine in ("sha256", "par-commune", "locality=", "period=", "synthetic:", ".yaml",
                    "trễ hạn", "Trang 1/"):
        assert machine not in text


def test_vietnamese_pdf_writes_units_and_terms_as_the_decree_does(committee_batch):
    text = " ".join(" ".join(page_texts(_pdf(committee_batch, STEMS[MIDDLE]))).split())
    assert "Bảng 1. Số liệu chính của xã Anh Sơn, quý III/2026" in text
    assert "quy đổi từ số liệu của huyện Anh Sơn (cũ) (mã 424; tỷ trọng 15,79%)" in text
    assert "Chữ viết tắt: CCHC – cải cách hành chính; TTHC – thủ tục hành chính" in text
    assert "Đề nghị Ủy ban nhân dân xã Anh Sơn:" in text
    assert "Xã Anh Sơn" not in text.split("Số liệu chính của", 1)[1][:20]


# ----------------------------------------------------------------------------- Word


def test_word_file_is_editable_with_styles_tables_pictures_and_fields(committee_batch):
    path = committee_batch / f"{STEMS[MIDDLE]}.vi.docx"
    document = docx.Document(str(path))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin,
                                  section.left_margin, section.right_margin)] == [20, 20, 30, 15]
    assert section.different_first_page_header_footer
    header = section.header._element.xml
    assert 'w:instr="PAGE"' in header
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == 13
    styles = {p.style.name for p in document.paragraphs}
    assert {"Heading 2", "List Bullet", "Caption", "Note"} <= styles
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings[:4] == ["I. Số liệu chính", "II. Thứ hạng qua các quý, các năm",
                            "III. Điểm theo lĩnh vực", "IV. Diễn biến qua các quý"]
    text = _docx_text(document)
    joined = " ".join(text)
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                  "SỞ NỘI VỤ", "BÁO CÁO", "Nơi nhận:", "PHÓ GIÁM ĐỐC",
                  "Kết quả Chỉ số cải cách hành chính quý III/2026 của xã Anh Sơn"):
        assert words in joined, words
    # the secretariat's fields: Word content controls, named, highlighted
    fields = {el.find(qn("w:sdtPr")).find(qn("w:alias")).get(qn("w:val"))
              for el in document.element.body.iter(qn("w:sdt"))}
    assert fields == {"Số văn bản", "Ngày", "Tháng", "Năm", "Họ và tên người ký"}
    tags = [el.get(qn("w:val")) for el in document.element.body.iter(qn("w:tag"))]
    assert all(t.startswith(FIELD_TAG) for t in tags)
    # real tables: the key figures as a Word table with a repeated header row
    key = next(t for t in document.tables if t.rows[0].cells[0].text == "Chỉ tiêu")
    assert [c.text for c in key.rows[0].cells] == [
        "Chỉ tiêu", "Quý III/2026", "Quý II/2026", "So với quý trước", "Quý III/2025",
        "So với cùng kỳ năm trước"]
    assert key.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [c.text for c in key.rows[1].cells][:4] == ["Chỉ số CCHC", "83,19", "87,23",
                                                       "−4,04 điểm"]
    # the charts as pictures
    assert len(document.inline_shapes) == 3


def test_word_file_is_byte_identical_for_the_same_notebook(committee_batch):
    nb = nbformat.read(str(committee_batch / f"{STEMS[TOP]}.ipynb"), as_version=4)
    renderer = render.Renderer()
    assert renderer.docx(nb, "vi") == (committee_batch / f"{STEMS[TOP]}.vi.docx").read_bytes()


def test_the_english_edition_sets_its_headline_as_a_headline(committee_batch):
    """The English edition (not filed) keeps the newspaper's headline above the lead: in Word
    in its own style (bold, unindented), in the PDF in a larger type than the lead's."""
    nb = nbformat.read(str(committee_batch / f"{STEMS[TOP]}.ipynb"), as_version=4)
    headline = next(b["text"] for b in contract.blocks(nb, "en") if b.get("role") == "headline")
    document = docx.Document(str(committee_batch / f"{STEMS[TOP]}.en.docx"))
    styled = [p for p in document.paragraphs if p.style.name == "Headline"]
    assert [p.text for p in styled] == [headline]
    assert styled[0].style.font.bold and styled[0].style.paragraph_format.first_line_indent == 0
    lead = next(b["text"] for b in contract.blocks(nb, "en") if b["kind"] == "lead")
    boxes = [b for b in text_boxes(_pdf(committee_batch, STEMS[TOP], "en")) if b.page == 1]
    line = next(b for b in boxes if headline.startswith(b.text[:30]))
    body = next(b for b in boxes if lead.startswith(b.text[:30]))
    assert line.top - line.bottom > 1.1 * (body.top - body.bottom)
    # the Vietnamese (committee) edition has none
    vi = docx.Document(str(committee_batch / f"{STEMS[TOP]}.vi.docx"))
    assert not [p for p in vi.paragraphs if p.style.name == "Headline"]


def test_appendix_edition_names_the_report_it_is_attached_to(committee_batch):
    nb = nbformat.read(str(committee_batch / f"{STEMS[TOP]}.ipynb"), as_version=4)
    nb.metadata["parbrief"]["committee"] = {
        "appendix_to": {"appendix": "II", "report_symbol": "BC-UBND",
                        "issuer": "UBND tỉnh Nghệ An"}}
    renderer = render.Renderer()
    first = " ".join(page_texts(renderer.pdf(nb, "vi"))[0].split())
    assert first.startswith("Phụ lục II KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH QUÝ III/2026 CỦA XÃ "
                            "TÂN CHÂU (Kèm theo Báo cáo số ………/BC-UBND ngày ………… của UBND tỉnh "
                            "Nghệ An)")
    assert "CỘNG HÒA" not in first
    every = " ".join(page_texts(renderer.pdf(nb, "vi")))
    assert "Nơi nhận" not in every
    document = docx.Document(__import__("io").BytesIO(renderer.docx(nb, "vi")))
    text = " ".join(_docx_text(document))
    assert "Phụ lục II" in text and "(Kèm theo Báo cáo số ………/BC-UBND ngày ………… của UBND " \
        "tỉnh Nghệ An)" in text
    assert "Nơi nhận" not in text


def test_frame_fields_left_out_are_blanks_never_invented():
    nb = nbformat.v4.new_notebook()
    fr = committee.frame(nb, "vi", [])
    assert fr.issuing_body.blank and fr.signer_name.blank and fr.number.blank
    assert [r.shown for r in fr.recipients] == ["…" * 12, "Lưu: VT"]
    assert not fr.is_appendix
    assert committee.roman(4) == "IV" and committee.roman(9) == "IX"


def _libreoffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="module")
def soffice() -> str:
    path = _libreoffice()
    if path is None and os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                        "libreoffice-writer", "fonts-liberation2"], env=env, capture_output=True,
                       timeout=1800)
        path = _libreoffice()
    if path is None:
        pytest.skip("Debian's libreoffice-writer is not installed and cannot be installed here "
                    "(needs root and apt-get): apt-get install libreoffice-writer")
    return path


@pytest.mark.parametrize("which", [TOP, MIDDLE, BOTTOM, "overview"])
def test_word_file_converts_with_libreoffice_into_clean_pages(committee_batch, soffice, which,
                                                               tmp_path):
    stem = OVERVIEW if which == "overview" else STEMS[which]
    source = committee_batch / f"{stem}.vi.docx"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=300)
    pdf = tmp_path / f"{stem}.vi.pdf"
    pages = page_texts(pdf)
    text = " ".join(" ".join(pages).split())
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Nơi nhận:" in text
    assert overlapping_text(pdf) == []
    assert 3 <= len(pages) <= 10
    # the signature keeps the closing notes company on the last page
    assert len(" ".join(pages[-1].split())) > 250, pages[-1]
    reader = PdfReader(pdf)
    fonts = {str(f["/BaseFont"]) for p in reader.pages
             for f in (p["/Resources"].get("/Font") or {}).values()}
    # Times New Roman is found as its metric twin, with every Vietnamese letter
    assert any("LiberationSerif" in f or "TimesNewRoman" in f for f in fonts), fonts
    # what Word shows is what the Typst PDF shows
    typst = " ".join(" ".join(page_texts(_pdf(committee_batch, stem))).split())
    for needle in re.findall(r"Bảng \d+\. [^,]+", typst):
        assert needle in text, needle


def test_contract_column_widths_fit_the_page():
    widths = contract.column_widths(
        ["Quý", "Chỉ số CCHC", "Tỷ lệ hồ sơ giải quyết đúng hạn", "Ghi chú"],
        [["IV/2024", "86,84", "97,48%", "quy đổi từ đơn vị cũ"]])
    assert abs(sum(widths) - contract.TEXT_WIDTH_MM) < 0.01
    assert widths[0] >= len("IV/2024") * contract.TABLE_CHAR_MM  # never wraps


@pytest.mark.skipif(shutil.which("quarto") is None,
                    reason="quarto is not installed (.ci/run installs it from ../shared)")
def test_quarto_renders_html_pdf_and_word_that_read_like_the_html(committee_batch, tmp_path):
    """Quarto reads each block's Markdown form: its PDF and Word file show headings, lists and
    real tables, not the monospace text of text/plain."""
    nb = nbformat.read(str(committee_batch / f"{STEMS[MIDDLE]}.ipynb"), as_version=4)
    written = render.render_report(nb, tmp_path, "q", ["vi"], ["html", "pdf", "docx"],
                                   renderer="quarto")
    assert {"vi.html", "vi.pdf", "vi.docx"} <= set(written)
    html_page = written["vi.html"].read_text(encoding="utf-8")
    assert "Số liệu chính của xã Anh Sơn, quý III/2026" in html_page
    reader = PdfReader(written["vi.pdf"])
    fonts = {str(f["/BaseFont"]) for p in reader.pages
             for f in (p["/Resources"].get("/Font") or {}).values()}
    assert any("LiberationSerif" in f for f in fonts), fonts
    assert not any("Mono" in f or "Courier" in f for f in fonts), fonts
    text = " ".join(" ".join(page_texts(written["vi.pdf"])).split())
    assert "Số liệu chính" in text and "Tồn tại, hạn chế và kiến nghị" in text
    assert "Chỉ số CCHC 83,19 87,23 −4,04 điểm 85,04 −1,85 điểm" in text  # a table row
    assert "| " not in text and "**" not in text  # Markdown rendered, not printed
    document = docx.Document(str(written["vi.docx"]))
    assert len(document.tables) >= 5 and len(document.inline_shapes) == 3
    assert any(p.style.name.startswith("Heading") for p in document.paragraphs)


def test_displayed_numbers_add_up_in_every_report(committee_batch):
    """bench/check_displayed_numbers.py over the batch: parts add up to totals, changes are
    differences of the values shown, rates have two decimals."""
    import sys

    run = subprocess.run([sys.executable, str(ROOT / "bench" / "check_displayed_numbers.py"),
                          str(committee_batch.parent)], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "reports checked: 4 (3 briefings, 1 overviews)" in run.stdout
    assert "mismatches: 0 in 0 reports" in run.stdout
    assert "areas add up to the total: 6 checked, 0 wrong" in run.stdout
    # the ranks of earlier quarters in the key figures are the rank history's
    assert "rank shown = rank history: 18 checked, 0 wrong" in run.stdout
