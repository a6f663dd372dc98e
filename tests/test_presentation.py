"""The presentation layer: message catalogues, charts, display bundles and briefing sections.

The fast tests need no data set; the ones marked slow prepare real briefings from the bundled
sample (the unit register alone takes a few seconds to load).
"""

from __future__ import annotations

import dataclasses
import json
import re
import warnings
from pathlib import Path

import pytest

from parbrief.core import i18n
from parbrief.present import charts, display
from parbrief.publish import render

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = str(ROOT / "data" / "sample")
SCRIPT = "<script>alert('x')</script>"


# ----------------------------------------------------------------------------- catalogues


def test_catalogues_have_the_same_keys_and_the_same_fields_per_key():
    vi, en = i18n.catalogue("vi"), i18n.catalogue("en")
    assert sorted(vi) == sorted(en)
    different = {k: (i18n.fields(vi[k]), i18n.fields(en[k])) for k in vi
                 if i18n.fields(vi[k]) != i18n.fields(en[k])}
    assert different == {}
    assert len(vi) > 100


def test_a_missing_message_or_field_is_a_clear_error():
    with pytest.raises(i18n.MessageError, match=r"no message 'lead\.nope' in the vi catalogue"):
        i18n.t("lead.nope", "vi")
    with pytest.raises(i18n.MessageError, match=r"'lead\.prev\.up' \(en\) needs field\(s\) value"):
        i18n.t("lead.prev.up", "en")
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        i18n.t("lead.prev.up", "fr", value="1")
    assert i18n.t("lead.prev.up", "vi", value="1,25") == "tăng 1,25 điểm so với quý trước"


def test_english_ordinals_and_vietnamese_rank_numbers():
    assert [i18n.ordinal(n, "en") for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 103, 111)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "103rd", "111th"]
    assert i18n.ordinal(3, "vi") == "3"
    assert (i18n.ordinal(1234, "vi"), i18n.ordinal(1231, "en")) == ("1.234", "1,231st")
    assert i18n.join(["Xã A", "Xã B", "Xã C"], "vi") == "Xã A, Xã B và Xã C"
    assert i18n.join(["Xã A", "Xã B"], "en") == "Xã A and Xã B"


# ----------------------------------------------------------------------------- charts


def _trend_chart(lang="vi"):
    return charts.trend(
        ["Quý II\n2025", "Quý III\n2025", "Quý IV\n2025"],
        [("Chỉ số CCHC", [88.5, 90.25, 92.62]), ("Tỷ lệ hồ sơ đúng hạn", [95.0, None, 97.1])],
        [True, False, False], lang, merger_at=1, merger_label="Sáp nhập 1/7/2025",
        title="Xã Tân Kỳ", alt="Biểu đồ đường")


def test_charts_are_deterministic_byte_for_byte():
    first, second = _trend_chart(), _trend_chart()
    assert first["svg"] == second["svg"]
    assert first["png"] == second["png"]
    a = charts.peers(["1. Xã Tân Kỳ", "2. Phường Đô Lương"], [92.62, 80.1], "vi", highlight=0,
                     title="t", alt="a")
    b = charts.peers(["1. Xã Tân Kỳ", "2. Phường Đô Lương"], [92.62, 80.1], "vi", highlight=0,
                     title="t", alt="a")
    assert a == b
    assert "<dc:date>" not in a["svg"]
    assert render.png_bytes(a) == render.png_bytes(b)
    assert b"tIME" not in render.png_bytes(a)  # no PNG time chunk


def test_chart_blocks_carry_svg_with_real_text_and_a_print_size_png():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        block = charts.peers(["1. Xã Tân Kỳ", "2. Phường Đô Lương"], [92.62, 80.1], "vi",
                             highlight=0, title="Xếp hạng Chỉ số CCHC",
                             alt="Biểu đồ", source="Nguồn: Sở Nội vụ tỉnh Nghệ An")
    # a glyph DejaVu Sans lacked would be drawn as a box, with this warning
    assert not [w for w in caught if "missing from font" in str(w.message)]
    assert set(block) == {"kind", "name", "title", "alt", "svg", "png", "framed"}
    assert block["kind"] == "chart" and block["name"] == "peers"
    assert block["svg"].startswith("<svg")  # inline SVG: no XML prolog
    # text is text, in the named font: editable, searchable, and the page can embed the font
    texts = re.findall(r"<text [^>]*>([^<]*)</text>", block["svg"])
    assert {"1. Xã Tân Kỳ", "2. Phường Đô Lương", "92,62", "Xếp hạng Chỉ số CCHC",
            "Nguồn: Sở Nội vụ tỉnh Nghệ An"} <= set(texts)
    assert "font-family: 'DejaVu Sans'" in block["svg"]
    assert 'id="DejaVuSans-' not in block["svg"]  # no glyph outlines
    assert "<metadata>" not in block["svg"] and "\n " not in block["svg"]
    png = render.png_bytes(block)  # rasterised from the SVG
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert width == round(charts.WIDTH * render.PNG_PPI) >= 2400
    json.dumps(block)


def test_charts_read_in_grayscale():
    """Series and classes differ in lightness, not only in hue: the trend's index line is the
    darkest, and no two series or classes share a grey level."""
    def grey(hex_colour):
        r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
        return 0.299 * r + 0.587 * g + 0.114 * b

    levels = [grey(s["color"]) for s in charts.SERIES_STYLES]
    assert levels[0] == min(levels)
    assert min(abs(a - b) for i, a in enumerate(levels) for b in levels[i + 1:]) > 15
    assert len({s["linestyle"] for s in charts.SERIES_STYLES}) == len(charts.SERIES_STYLES)
    assert len({s["marker"] for s in charts.SERIES_STYLES}) == len(charts.SERIES_STYLES)
    ramp = [grey(c) for c in charts.CLASS_RAMP]
    assert ramp == sorted(ramp) and min(b - a for a, b in zip(ramp, ramp[1:])) > 15
    assert grey(charts.RISE) < grey(charts.FALL) - 60


def test_charts_leave_no_global_matplotlib_state():
    import matplotlib

    before = dict(matplotlib.rcParams)
    _trend_chart("en")
    assert dict(matplotlib.rcParams) == before
    import matplotlib.pyplot as plt

    assert plt.get_fignums() == []


# ----------------------------------------------------------------------------- display


def test_html_is_escaped_but_text_and_json_keep_the_value():
    blocks = [
        {"kind": "heading", "level": 1, "text": SCRIPT},
        {"kind": "lead", "text": f"{SCRIPT} đạt 92,62 điểm"},
        {"kind": "list", "items": [SCRIPT]},
        {"kind": "figures", "items": [{"label": SCRIPT, "value": "92,62", "change": "+1,25"}]},
        {"kind": "table", "name": "peers", "title": SCRIPT, "columns": ["Đơn vị"],
         "rows": [[SCRIPT]], "highlight": 0, "data": {"columns": ["name"], "rows": [[SCRIPT]]}},
        {"kind": "note", "text": SCRIPT},
        dict(charts.peers([SCRIPT], [50.0], "en", highlight=0, title=SCRIPT, alt=SCRIPT)),
    ]
    for block in blocks[:-1]:
        data = display.bundle(block)
        assert "<script>" not in data["text/html"], block["kind"]
        assert "&lt;script&gt;" in data["text/html"], block["kind"]
        assert data[display.BLOCK_MIME] is block
    # A chart is stored once as image/svg+xml and image/png; its block keeps only the words.
    words = display.bundle(blocks[-1])[display.BLOCK_MIME]
    assert words["title"] == SCRIPT and "svg" not in words and "png" not in words
    assert "text/html" not in display.bundle(blocks[-1])
    assert display.bundle(blocks[0])["text/plain"].startswith(SCRIPT)
    chart = display.bundle(blocks[-1])
    assert chart["image/svg+xml"] == blocks[-1]["svg"]
    assert "<script" not in chart["image/svg+xml"]  # matplotlib escapes text it writes
    table_html = display.bundle(blocks[4])["text/html"]
    assert 'class="parbrief-highlight"' in table_html
    assert display.metadata("vi", "peers") == {"parbrief": {"lang": "vi", "section": "peers"}}
    with pytest.raises(ValueError, match="kind 'image'"):
        display.bundle({"kind": "image"})


# ------------------------------------------------------------------ sections (real sample)


@pytest.fixture(scope="module")
def tan_ky():
    from parbrief.model import briefing

    return briefing.prepare("17266", "2026Q3", SAMPLE, "par-commune")


def _vi(x: float) -> str:
    return f"{x:.2f}".replace(".", ",")


def _kinds(blocks):
    return [b["kind"] for b in blocks]


@pytest.mark.slow
def test_briefing_sections_in_order_with_the_index_and_rank_of_the_score_table(tan_ky):
    from parbrief.present import sections

    b = tan_ky
    index, rank, of = float(b.own["index"]), int(b.own["rank"]), int(b.own["rank_of"])
    assert b.reported and of == 129  # Xã Bình Chuẩn did not report
    expected = {
        "headline": ["heading", "paragraph", "lead"],
        "rank_history": ["heading", "table", "note"],
        "key_figures": ["heading", "figures", "note", "table"],
        "scorecard": ["heading", "chart", "table", "paragraph"],
        "trend": ["heading", "chart", "table", "paragraph"],
        "peers": ["heading", "chart", "table", "paragraph"],
    }
    for lang in ("vi", "en"):
        got = {name: getattr(sections, name)(b, lang) for name in sections.BRIEFING_SECTIONS}
        for name, kinds in expected.items():
            assert _kinds(got[name]) == kinds, (lang, name)
        assert got["headline"][0] == {"kind": "heading", "level": 1,
                                      "text": "Xã Tân Kỳ: Chỉ số CCHC Quý III/2026" if lang == "vi"
                                      else "Tân Kỳ commune: PAR index, Q3 2026"}
        for blocks in got.values():
            json.dumps(blocks)
        tiles = got["key_figures"][1]["items"]
        assert tiles[0]["value"] == (_vi(index) if lang == "vi" else f"{index:.2f}")
        assert tiles[1]["value"] == f"{rank}/{of}"
        fig = b.figures[b.period]
        on_time = f"{int(fig['records_resolved_on_time'])}/{int(fig['records_resolved'])}"
        assert any(t["value"] == on_time for t in tiles)
        peers_table = got["peers"][2]
        row = peers_table["rows"][peers_table["highlight"]]
        assert row[:3] == [str(rank), "Xã Tân Kỳ" if lang == "vi" else "Tân Kỳ commune",
                           _vi(index) if lang == "vi" else f"{index:.2f}"]
        assert len(peers_table["data"]["rows"]) == of  # the CSV holds the whole ranking
        assert got["peers"][1]["name"] == "peers"
        scorecard = got["scorecard"][2]
        assert scorecard["rows"][-1][1] == (_vi(b.own["total"]) if lang == "vi"
                                            else f"{b.own['total']:.2f}")
        assert len(scorecard["data"]["rows"]) == len(b.methodology.areas) + \
            (1 if b.methodology.adjustments else 0) + 1
        trend_table = got["trend"][2]
        assert [r[0] for r in trend_table["data"]["rows"]][-1] == "2026Q3"
        assert trend_table["data"]["rows"][-1][1] == index


@pytest.mark.slow
def test_numbers_are_written_the_vietnamese_and_the_english_way(tan_ky):
    from parbrief.present import sections

    b = tan_ky
    index, rank, of = float(b.own["index"]), int(b.own["rank"]), int(b.own["rank_of"])
    vi, en = sections.lead_text(b, "vi"), sections.lead_text(b, "en")
    # Tân Kỳ is no extreme of the province: the lead opens on its score, rank and class
    assert b.news.rise_position is None or b.news.rise_position > 3
    places = int(b.own["rank_change"])
    assert places == 0  # 103rd of 130 in 2026Q2, 103rd of 129 now
    assert vi.startswith(f"Quý III/2026, xã Tân Kỳ đạt {_vi(index)} điểm Chỉ số CCHC; "
                         f"giữ nguyên thứ {rank}/{of} xã, phường của tỉnh Nghệ An và "
                         f"xếp loại {b.own['classification_vi']}. ")
    assert en.startswith(f"Tân Kỳ commune scored {index:.2f} points on the PAR index in Q3 2026, "
                         f"holding {i18n.ordinal(rank, 'en')} out of {of} "
                         f"communes and wards in Nghệ An province and classified as "
                         f"{b.own['classification'].lower()}. ")
    assert f"{index:.2f}" not in vi and _vi(index) not in en
    change = float(b.own["index_change"])
    word = {"vi": "tăng" if change > 0 else "giảm", "en": "up" if change > 0 else "down"}
    assert f"{word['vi']} {_vi(abs(change))} điểm so với quý trước" in vi
    assert f"{word['en']} {abs(change):.2f} points on the previous quarter" in en
    year = round(index - b.last_year_index, 2)
    assert f"{_vi(abs(year))} điểm so với cùng kỳ năm trước" in vi
    assert vi.endswith(".") and en.endswith(".")


@pytest.mark.slow
def test_shortcomings_and_data_notes(tan_ky):
    from parbrief.present import briefing_sections, sections

    b = tan_ky
    vi = sections.shortcomings(b, "vi")
    found = briefing_sections.briefing_shortcomings(b, "vi")
    assert found  # the sample commune has late records and unpublished procedures
    assert _kinds(vi) == ["heading", "paragraph", "list", "paragraph", "list"]
    assert vi[1]["text"] == ("Qua số liệu quý III/2026, công tác cải cách hành chính của "
                             "xã Tân Kỳ còn một số tồn tại, hạn chế:")
    assert vi[2]["items"] == [f.text for f in found]
    late = int(b.figures[b.period]["records_resolved_late"])
    assert any(f"còn {late} hồ sơ giải quyết quá hạn" in item for item in vi[2]["items"])
    assert not any("trễ hạn" in item for item in vi[2]["items"] + vi[4]["items"])
    # recommendations are addressed to the commune's People's Committee
    assert vi[3]["text"] == "Đề nghị Ủy ban nhân dân xã Tân Kỳ:"
    notes = [blk["text"] for blk in sections.data_notes(b, "vi")[1:]]
    assert notes[0] == ("Nguồn số liệu: số liệu mô phỏng do phần mềm tạo ra để thử nghiệm (lần "
                        "tạo số 876), không phải số liệu do đơn vị báo cáo.")
    assert "Đơn vị chưa gửi báo cáo quý III/2026 (1): Xã Bình Chuẩn (mã 17230)." in notes
    assert notes[-1] == (
        "Báo cáo được lập tự động bằng phần mềm parbrief, phiên bản 0.1.0, từ bộ số liệu có mã "
        f"nhận dạng {str(b.provenance['inputs'])[:12]}, theo Chỉ số cải cách hành chính cấp xã "
        "phiên bản 2025.1; thông tin truy xuất đầy đủ được lưu trong tệp kê khai kèm theo báo "
        "cáo.")
    assert any(n.startswith("Phương pháp đánh giá: Chỉ số cải cách hành chính cấp xã, phiên bản "
                            "2025.1. Bộ chỉ số được mô phỏng theo cấu trúc") and
               "không phải căn cứ pháp lý của báo cáo" in n for n in notes)
    assert any(n.startswith("Quy tắc làm tròn:") for n in notes)
    joined = " ".join(notes)
    for machine in ("sha256", "par-commune", "locality=", "synthetic", ".yaml", "Modelled"):
        assert machine not in joined
    assert str(ROOT) not in joined


@pytest.mark.slow
def test_a_script_in_a_name_is_escaped_in_every_section_html(tan_ky):
    from parbrief.present import sections

    unit = dataclasses.replace(tan_ky.locality, name=SCRIPT, short_name=SCRIPT)
    b = dataclasses.replace(tan_ky, locality=unit)
    for name in ("headline", "key_figures", "rank_history", "scorecard", "shortcomings"):
        for block in getattr(sections, name)(b, "vi"):
            html = display.bundle(block).get("text/html", display.block_html(block))
            assert "<script>" not in html
    lead = display.bundle(sections.headline(b, "en")[2])
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; commune scored" in \
        lead["text/html"]
    assert lead[display.BLOCK_MIME]["text"].startswith(f"{SCRIPT} commune scored")


@pytest.mark.slow
def test_summary_is_language_neutral(tan_ky):
    from parbrief.present import sections

    s = sections.summary_data(tan_ky)
    assert {"kind", "locality_code", "locality_name", "period", "methodology", "index", "rank",
            "rank_of", "classification", "lead", "inputs", "parbrief_version"} <= set(s)
    assert s["kind"] == "briefing" and s["locality_code"] == "17266"
    assert s["index"] == float(tan_ky.own["index"]) and s["rank"] == int(tan_ky.own["rank"])
    assert s["classification"] == {"vi": tan_ky.own["classification_vi"],
                                   "en": tan_ky.own["classification"]}
    assert s["lead"]["vi"] == sections.lead_text(tan_ky, "vi")
    json.dumps(s)


@pytest.mark.slow
def test_a_locality_that_did_not_report():
    from parbrief.model import briefing
    from parbrief.present import sections

    b = briefing.prepare("17230", "2026Q3", SAMPLE, "par-commune")
    assert not b.reported
    vi = sections.headline(b, "vi")[1]["text"]
    assert vi == ("Quý III/2026, xã Bình Chuẩn chưa gửi báo cáo số liệu cải cách hành chính nên "
                  "chưa được chấm điểm, xếp hạng; 129/130 xã, phường của tỉnh Nghệ An đã gửi "
                  "báo cáo.")
    assert _kinds(sections.scorecard(b, "en")) == ["heading", "paragraph"]
    # the quarters it did report still make its trend
    assert _kinds(sections.trend(b, "en")) == ["heading", "chart", "table", "paragraph"]
    peers = sections.peers(b, "en")
    assert _kinds(peers) == ["heading", "chart", "table", "paragraph"]
    assert peers[2]["highlight"] is None
    assert "Bình Chuẩn commune is not ranked" in peers[3]["text"]
    assert sections.summary_data(b)["index"] is None


@pytest.mark.slow
def test_previous_quarter_in_the_legacy_register_is_compared_through_the_reconstruction():
    from parbrief.model import briefing
    from parbrief.present import sections

    b = briefing.prepare("17266", "2025Q3", SAMPLE, "par-commune")
    assert b.reported and b.own["index_change"] != b.own["index_change"]  # NaN: not comparable
    prev = b.trend[b.trend.period == "2025Q2"].iloc[0]
    assert bool(prev.reconstructed)
    change = round(float(b.own["index"]) - float(prev["index"]), 2)
    en = sections.lead_text(b, "en")
    assert f"{abs(change):.2f} points on the previous quarter" in en
    assert en.endswith("reconstructed from the figures of the units that existed before the "
                       "administrative merger (effective 1 July 2025).")
    trend = sections.trend(b, "vi")
    assert trend[-1]["text"].startswith(
        "Số liệu trước quý III/2025 của xã Tân Kỳ được quy đổi từ số liệu của huyện Tân Kỳ (cũ) "
        "(mã 423; tỷ trọng 20,00%)")
    note = sections.key_figures(b, "vi")[2]["text"]
    assert note.startswith("Số liệu quý II/2025 thuộc giai đoạn trước khi sắp xếp đơn vị hành "
                           "chính")


@pytest.mark.slow
def test_overview_sections():
    from parbrief.model import overview
    from parbrief.present import sections

    o = overview.prepare("40", "2026Q3", SAMPLE, "par-commune")
    got = {lang: {name: getattr(sections, name)(o, lang) for name in sections.OVERVIEW_SECTIONS}
           for lang in ("vi", "en")}
    vi, en = got["vi"], got["en"]
    assert _kinds(vi["overview_headline"]) == ["heading", "paragraph", "lead"]
    assert vi["overview_headline"][2]["text"].startswith(
        "Quý III/2026, xã Quế Phong có Chỉ số CCHC tăng nhiều nhất trong các xã, phường của "
        "tỉnh Nghệ An (tăng 8,39 điểm, lên 86,24 điểm, tăng 38 bậc, lên thứ 52), xã Mường Lống "
        "giảm nhiều nhất (giảm 6,65 điểm, còn 89,75 điểm, giảm 27 bậc, xuống thứ 33).")
    league = en["league_table"][1]
    assert league["name"] == "league-table" and len(league["rows"]) == 129
    top = o.scores.sort_values(["rank", "code"]).iloc[0]
    # the English table names units as the English desk does; the Vietnamese one as the register
    assert top["name"] == "Xã Tân Châu"
    assert league["rows"][0][:4] == ["1", "Tân Châu commune", top["code"], f"{top['index']:.2f}"]
    assert vi["league_table"][1]["rows"][0][1] == "Xã Tân Châu"
    received = int(o.figures["records_received"])
    tiles = {t["label"]: t["value"] for t in vi["province_key_figures"][1]["items"]}
    assert tiles["Số hồ sơ tiếp nhận (kể cả kỳ trước chuyển sang)"] == \
        f"{received:,}".replace(",", ".")
    tiles_en = {t["label"]: t["value"] for t in en["province_key_figures"][1]["items"]}
    assert tiles_en["Records received (incl. carried over)"] == f"{received:,}"
    classes = en["class_distribution"][2]["data"]["rows"]
    assert classes[-1][:3] == ["total", None, 129]
    classes = classes[:-1]
    assert en["class_distribution"][3]["name"] == "class-changes"
    assert sum(r[2] for r in classes) == 129
    # shares shown add up to 100 % (largest remainder)
    assert round(sum(r[3] for r in classes), 2) == 100.0
    assert [r[0] for r in classes] == [band.label["en"] for band in o.methodology.bands]
    assert _kinds(en["biggest_movers"]) == ["heading", "chart", "table"]
    assert _kinds(en["former_districts"]) == ["heading", "chart", "paragraph"]
    assert _kinds(en["press_release"])[:2] == ["heading", "paragraph"]
    s = sections.overview_summary_data(o)
    assert s["kind"] == "overview" and s["locality_code"] == "40" and s["rank_of"] == 129


# ----------------------------------------------------------------------------- numbers as shown


@pytest.fixture(scope="module")
def anh_son():
    """Xã Anh Sơn, 2026Q3: 65th of 129, down 4,04 points and 19 places; 10 of 16 plan tasks."""
    from parbrief.model import briefing

    return briefing.prepare("17329", "2026Q3", str(ROOT / "data" / "sample"), "par-commune")


def test_rounding_rule():
    from parbrief.core import rounding

    assert rounding.displayed_difference(96.494, 98.466) == -1.98  # not the −1,97 of raw values
    assert rounding.displayed_share(5.5, 8) == 68.75
    parts = rounding.round_to_total([6.894, 4.5, 8, 3, 5.5, 3.25, 14.966, 10, 27.08], 83.19)
    assert parts == [6.89, 4.5, 8.0, 3.0, 5.5, 3.25, 14.97, 10.0, 27.08]
    assert rounding.round_to_total([1 / 3] * 3, 1) == [0.34, 0.33, 0.33]
    assert rounding.round_to_total([60.0, 50.0], 100) == [60.0, 50.0]  # a capped total
    assert rounding.displayed_difference(None, 1) is None


def test_key_figures_changes_are_differences_of_the_values_shown(anh_son):
    from parbrief.present import sections

    blocks = sections.key_figures(anh_son, "vi")
    table = blocks[-1]
    assert table["columns"] == ["Chỉ tiêu", "Quý III/2026", "Quý II/2026", "So với quý trước",
                                "Quý III/2025", "So với cùng kỳ năm trước"]
    rows = {r[0]: r[1:] for r in table["rows"]}
    assert rows["Chỉ số CCHC"] == ["83,19", "87,23", "−4,04 điểm", "85,04", "−1,85 điểm"]
    assert rows["Xếp hạng"] == ["65/129", "46/130", "giảm 19 bậc", "56/130", "–"]
    assert rows["Tỷ lệ hồ sơ giải quyết đúng hạn"] == [
        "96,49%", "98,47%", "−1,98 điểm %", "98,10%", "−1,61 điểm %"]
    # the plan is year to date: compared with the same quarter last year only
    assert rows["Tỷ lệ nhiệm vụ kế hoạch CCHC hoàn thành (lũy kế từ đầu năm)"] == [
        "62,50%", "43,75%", "–", "72,73%", "−10,23 điểm %"]
    tiles = {t["label"]: t for t in blocks[1]["items"]}
    assert tiles["Tỷ lệ nhiệm vụ kế hoạch CCHC hoàn thành"]["change"] == \
        "−10,23 điểm % so với cùng kỳ"
    assert tiles["Tỷ lệ hồ sơ giải quyết đúng hạn"]["change"] == "−1,98 điểm %"


def test_area_points_add_up_to_the_total_shown(anh_son):
    from parbrief.present import sections

    table = sections.scorecard(anh_son, "vi")[2]
    rows = table["rows"]
    number = lambda text: float(text.replace(",", "."))  # noqa: E731
    assert rows[-1][:2] == ["Tổng điểm", "83,19"]
    assert round(sum(number(r[1]) for r in rows[:-1]), 2) == 83.19
    shares = {r[0]: r[3] for r in rows}
    # 5,50 of 8 is 68,75 %, not the 68,71 % of the unrounded points
    assert shares["Xây dựng và nâng cao chất lượng đội ngũ cán bộ, công chức"] == "68,75%"


def test_shortcomings_list_the_falls_the_weakest_area_and_open_plan_tasks(anh_son):
    from parbrief.present import briefing_sections, sections

    blocks = sections.shortcomings(anh_son, "vi")
    items = blocks[2]["items"]
    assert items[:4] == [
        "Chỉ số CCHC giảm 4,04 điểm so với quý trước (từ 87,23 xuống 83,19 điểm).",
        "Thứ hạng giảm 19 bậc so với quý trước (từ thứ 46 xuống thứ 65/129).",
        "Lĩnh vực đạt tỷ lệ điểm thấp nhất là Xây dựng và nâng cao chất lượng đội ngũ cán bộ, "
        "công chức: 5,50/8 điểm (68,75%).",
        "Tiến độ thực hiện kế hoạch CCHC năm chậm: mới hoàn thành 10/16 nhiệm vụ (62,50%), còn "
        "6 nhiệm vụ chưa hoàn thành."]
    assert blocks[3]["text"] == "Đề nghị Ủy ban nhân dân xã Anh Sơn:"
    # every figure a shortcoming quotes is shown in the briefing's cards and tables
    shown = []
    for name in ("key_figures", "scorecard"):
        for block in getattr(sections, name)(anh_son, "vi"):
            if block["kind"] == "table":
                shown += [c for r in block["rows"] for c in r]
            elif block["kind"] == "figures":
                shown += [t["value"] for t in block["items"]]
    shown_text = " ".join(shown)
    for finding in briefing_sections.briefing_shortcomings(anh_son, "vi"):
        for number in re.findall(r"\d[\d.]*(?:,\d+)?", finding.text):
            assert number in shown_text or number == "6", (number, finding.text)
    # 6 open tasks: the difference of the two counts shown (16 − 10)
    assert "10/16" in shown_text


def test_a_fall_in_class_is_a_shortcoming():
    from parbrief.scoring import findings

    found = findings.evaluate({}, {}, "2026Q3", "vi", scores={
        "index": 79.5, "index_change": -2.1, "index_fall": 2.1, "previous_index": 81.6,
        "class": "Khá", "previous_class": "Tốt", "class_change": -1.0})
    assert [f.rule for f in found] == ["index_fell", "class_fell"]
    assert found[1].text == "Xếp loại giảm từ Tốt xuống Khá."
    assert found[1].recommendation.startswith("Đặt mục tiêu lấy lại mức xếp loại Tốt")
    assert ("score", "previous_class") in found[1].cites


def test_a_unit_that_did_not_report_names_the_sources_of_what_its_charts_show():
    """Xã Bình Chuẩn did not report for 2026Q3: its trend chart's source line names the
    sample's sources (as its data notes do), never "figures reported by the localities"."""
    import re

    from parbrief.model import briefing
    from parbrief.present import sections

    b = briefing.prepare("17230", "2026Q3", str(ROOT / "data" / "sample"), "par-commune")
    assert not b.reported
    for lang, words in (("en", "synthetic figures made by the software for testing (seed 876)"),
                        ("vi", "số liệu mô phỏng do phần mềm tạo ra để thử nghiệm (lần tạo số 876)")):
        chart = next(x for x in sections.trend(b, lang) if x["kind"] == "chart")
        text = " ".join(re.sub(r"<[^>]+>", " ", chart["svg"]).split())
        assert words in text.lower(), text[-300:]
