"""The news in the data (model/news.py) and its wording (leads, headlines, rank history,
class changes, press release), on the bundled Nghệ An sample; the rank history's phrasing is
checked against the press's own (seed 002, Tiên Yên district)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from parbrief.core.periods import Quarter
from parbrief.model import briefing, news, overview, sources
from parbrief.present import news_wording, sections, wording
from parbrief.units import register

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = str(ROOT / "data" / "sample")
Q = "2026Q3"
QUE_PHONG, MUONG_LONG, TAN_CHAU = "16738", "16831", "17488"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def que_phong():
    return briefing.prepare(QUE_PHONG, Q, SAMPLE, "par-commune")


@pytest.fixture(scope="module")
def muong_long():
    return briefing.prepare(MUONG_LONG, Q, SAMPLE, "par-commune")


@pytest.fixture(scope="module")
def nghe_an():
    return overview.prepare("40", Q, SAMPLE, "par-commune")


def test_the_largest_rise_leads_with_its_places_and_its_class(que_phong):
    n = que_phong.news
    assert (n.rise_position, n.rank_change, n.class_step) == (1, 38, 1)
    assert n.movement["previous_classification_vi"] == "Khá"
    assert sections.lead_text(que_phong, "vi").startswith(
        "Quý III/2026, xã Quế Phong có Chỉ số CCHC tăng nhiều nhất trong các xã, phường của "
        "tỉnh Nghệ An: tăng 8,39 điểm, lên 86,24 điểm; tăng 38 bậc, lên thứ 52/129 và xếp loại "
        "tăng từ Khá lên Tốt. So với cùng kỳ năm trước, chỉ số tăng 2,99 điểm. Các kỳ trước: "
        "quý III/2025 đạt 83,25 điểm, xếp thứ 63/130.")
    assert sections.lead_text(que_phong, "en").startswith(
        "Quế Phong commune posted the largest rise among the communes and wards in Nghệ An "
        "province on the PAR index in Q3 2026, gaining 8.39 points to 86.24, climbing 38 places "
        "to 52nd out of 129 and moving up from fair to good. Against the same quarter last "
        "year its index is up 2.99 points. In Q3 2025 it scored 83.25 points, ranked 63rd out "
        "of 130.")
    assert sections.headline(que_phong, "en")[1] == {
        "kind": "paragraph", "role": "headline",
        "text": "Quế Phong commune posts the largest rise in Nghệ An province, climbs 38 places, "
                "moves up to good"}


def test_the_largest_fall_leads_with_its_places_and_its_class(muong_long):
    assert (muong_long.news.fall_position, muong_long.news.rank_change) == (1, -27)
    assert sections.lead_text(muong_long, "en").startswith(
        "Mường Lống commune recorded the largest fall among the communes and wards in Nghệ An "
        "province on the PAR index in Q3 2026, losing 6.65 points to 89.75, dropping 27 places "
        "to 33rd out of 129 and slipping from excellent to good.")
    assert "giảm 27 bậc, xuống thứ 33/129 và xếp loại giảm từ Xuất sắc xuống Tốt." in \
        sections.lead_text(muong_long, "vi")


def test_the_leader_of_the_province_opens_on_first_place():
    b = briefing.prepare(TAN_CHAU, Q, SAMPLE, "par-commune")
    assert b.news.first and int(b.own["rank"]) == 1
    assert sections.lead_text(b, "en").startswith(
        "Tân Châu commune led the communes and wards in Nghệ An province on the PAR index in "
        "Q3 2026 with 98.09 points")
    assert sections.headline(b, "vi")[1]["text"] == \
        "Xã Tân Châu dẫn đầu Chỉ số CCHC tỉnh Nghệ An"


def test_the_lead_follows_the_rules_file(que_phong, monkeypatch):
    rules = news.rules()
    plain = {**rules, "briefing": {**rules["briefing"], "openings": ["score"]}}
    monkeypatch.setattr(news_wording, "rules", lambda: plain)
    assert sections.lead_text(que_phong, "en").startswith(
        "Quế Phong commune scored 86.24 points on the PAR index in Q3 2026, climbing 38 places "
        "to 52nd out of 129 communes and wards in Nghệ An province and moving up from fair to "
        "good. Its index is up 8.39 points on the previous quarter and 2.99 points on the same "
        "quarter last year.")


def test_rank_history_over_the_quarters_since_the_merger(que_phong):
    history = que_phong.news.history
    assert [str(p.period) for p in history] == ["2025Q3", "2025Q4", "2026Q1", "2026Q2",
                                                "2026Q3"]
    # the last eight quarters and the same quarter of the four years before, one register
    assert news.history_quarters(Quarter.parse("2024Q4")) == [
        Quarter.parse(q) for q in ("2020Q4", "2021Q4", "2022Q4", "2023Q1", "2023Q2", "2023Q3",
                                   "2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4")]
    blocks = sections.rank_history(que_phong, "en")
    assert [b["kind"] for b in blocks] == ["heading", "table", "note"]
    table = blocks[1]
    assert table["rows"][0] == ["Q3 2026", "86.24", "52/129", "Good"]
    assert table["rows"][1] == ["Q2 2026", "77.85", "90/130", "Fair"]
    assert [r[0] for r in table["data"]["rows"]] == ["2026Q3", "2026Q2", "2026Q1", "2025Q4",
                                                     "2025Q3"]
    assert blocks[2]["text"].startswith("Quế Phong commune was formed by the administrative "
                                        "merger of 1 July 2025: it has ranks from Q3 2025 on")


def test_rank_over_the_years_reads_as_the_press_writes_it():
    """Seed 002 (Báo Quảng Ninh): "in 2021, Tien Yen district achieved 89.53 points, ranked
    8th/13 localities; in 2023, the district achieved 87.45 points, ranked 5th/13 localities;
    in 2024, the district achieved 92.62 points, ranked 3rd/13 localities and was classified
    as excellent"."""
    items = [("2021", 89.53, 8, 13, None), ("2023", 87.45, 5, 13, None),
             ("2024", 92.62, 3, 13, "Excellent")]
    assert news_wording.history_sentence(items, "en") == (
        "In 2021 it scored 89.53 points, ranked 8th out of 13; in 2023 it scored 87.45 points, "
        "ranked 5th out of 13; in 2024 it scored 92.62 points, ranked 3rd out of 13 and "
        "classified as excellent.")
    assert news_wording.history_sentence(items, "vi") == (
        "Các kỳ trước: 2021 đạt 89,53 điểm, xếp thứ 8/13; 2023 đạt 87,45 điểm, xếp thứ 5/13; "
        "2024 đạt 92,62 điểm, xếp thứ 3/13, xếp loại Excellent.")


def test_english_names_in_house_style_with_diacritics_per_the_setting(monkeypatch):
    tan_chau = register.get(TAN_CHAU, Quarter.parse(Q))
    province = register.get("40", Quarter.parse(Q))
    dien_chau = register.get("425", Quarter.parse("2025Q2"))
    assert wording.place_name_en(tan_chau) == "Tân Châu commune"
    assert wording.place_name_en(province) == "Nghệ An province"
    assert wording.former_place_name(dien_chau, "en") == "former Diễn Châu district"
    assert wording.former_place_name(dien_chau, "vi") == "huyện Diễn Châu (cũ)"
    assert wording.place_name_en(register.get("16681", Quarter.parse(Q))) == "Thành Vinh ward"
    monkeypatch.setattr(wording, "english_diacritics", lambda: False)
    assert wording.place_name_en(tan_chau) == "Tan Chau commune"
    assert wording.place_name_en(province) == "Nghe An province"
    assert wording.former_place_name(dien_chau, "en") == "former Dien Chau district"


def test_province_news_who_moved_and_who_changed_class(nghe_an):
    n = nghe_an.news
    assert n.comparable == 129
    assert (len(n.class_up), len(n.class_down)) == (15, 5)
    assert n.risers.iloc[0]["code"] == QUE_PHONG and n.fallers.iloc[0]["code"] == MUONG_LONG
    assert n.leaders["code"].tolist() == [TAN_CHAU]
    lead = sections.overview_lead_text(nghe_an, "en")
    assert lead.startswith(
        "Quế Phong commune posted the largest rise among the communes and wards in Nghệ An "
        "province on the PAR index in Q3 2026, gaining 8.39 points to 86.24 (up 38 places to "
        "52nd), and Mường Lống commune the largest fall, losing 6.65 points to 89.75 (down 27 "
        "places to 33rd).")
    # no sentence opens on a numeral (house style)
    assert "In all, 20 communes and wards changed class, 15 up and 5 down; 31 are classified " \
           "as excellent." in lead
    assert lead.endswith("Of the 130 communes and wards, 129 reported; their mean index was "
                         "82.49 points.")
    assert not re.search(r"(^|\. )\d", lead)
    assert "average" not in lead.lower()  # "Average" is a class: the mean is called the mean


def test_class_change_table_and_press_release(nghe_an):
    blocks = sections.class_distribution(nghe_an, "vi")
    table = blocks[-1]
    assert table["name"] == "class-changes" and len(table["rows"]) == 20
    up = [r for r in table["data"]["rows"] if r[6] > 0]
    assert len(up) == 15 and up[0][1] == "xã Cát Ngạn" and up[0][4:6] == ["Tốt", "Xuất sắc"]
    assert table["columns"][3:5] == ["Xếp loại Quý II/2026", "Xếp loại Quý III/2026"]
    release = sections.press_release(nghe_an, "en")
    text = [b["text"] for b in release[1:]]
    assert text[0] == ("PAR index, Q3 2026: Tân Châu commune leads Nghệ An province; 20 "
                       "communes and wards change class")
    assert text[2].startswith("The largest rises: Quế Phong commune (+8.39 points, up 38 "
                              "places to 52nd); Bạch Hà commune (+6.41 points")
    assert text[4].startswith("Moved up a class (15): Cát Ngạn commune (good to excellent);")
    assert text[-1].startswith("Source: synthetic figures made by the software for testing "
                               "(seed 876), not figures reported by the units. Index computed "
                               "under the methodology Commune-level public administration "
                               "reform index (version 2025.1)")
    assert {b["role"] for b in release[1:]} == {"press-release-headline", "press-release"}


def test_former_districts_stand_in_for_the_map(nghe_an):
    blocks = sections.former_districts(nghe_an, "en")
    chart = blocks[1]
    groups = news.former_districts(list(nghe_an.scores.code))
    assert len(groups) == 129 and set(groups.values()) <= {
        u.code for u in register.children("40", Quarter.parse("2025Q2"), level="district")}
    assert "°E" not in chart["svg"] and "°N" not in chart["svg"]  # no latitude/longitude axes
    assert blocks[2]["text"].startswith("Highest median: former ")


def test_a_briefing_is_run_again_when_an_earlier_quarter_of_its_peers_changes(tmp_path):
    """The rank history reads the peer group's earlier quarters: a figure changed two
    quarters back for another commune changes the briefing's fingerprint."""
    from parbrief.ingest import dataset as datasets
    from parbrief.model import inputs
    from parbrief.scoring import methodology as methodologies

    data = tmp_path / "sample"
    shutil.copytree(SAMPLE, data)
    method = methodologies.load("par-commune")
    declared = inputs.declare_briefing("17266", Q, method)
    assert Quarter.parse("2026Q1") in declared.peers.quarters

    def fingerprint_and_index():
        ds = datasets.load(data)
        tables = sources.group_scores(declared.peers, ds, method)
        index = tables[Quarter.parse("2026Q1")].set_index("code").loc[TAN_CHAU, "index"]
        return inputs.digests(declared, ds, method)["inputs"], index

    before, before_index = fingerprint_and_index()
    figures = pd.read_csv(data / "figures.csv", dtype={"locality_code": str})
    row = (figures.locality_code == TAN_CHAU) & (figures.period == "2026Q1") & \
        (figures.indicator == "records_resolved_on_time")
    assert row.sum() == 1
    figures.loc[row, "value"] = (figures.loc[row, "value"] / 2).round()  # its index falls
    figures.to_csv(data / "figures.csv", index=False, lineterminator="\n")
    after, after_index = fingerprint_and_index()
    assert after_index != before_index
    assert after != before


def test_hostile_labels_of_a_methodology_never_reach_a_csv_as_formulas(tmp_path):
    """A methodology whose area is named =HYPERLINK(...) and whose classes are "=1+2" and
    "@SUM(1+1)": the score table and a briefing's pack write them as text."""
    import csv
    import io

    from typer.testing import CliRunner

    from parbrief.cli import app
    from parbrief.publish import newsroom

    source = ROOT / "src" / "parbrief" / "resources" / "methodologies" / "par-commune.yaml"
    text = source.read_text(encoding="utf-8")
    text = text.replace('en: "Direction and administration of PAR"',
                        'en: "=HYPERLINK(\\"http://example.invalid\\",\\"Bấm vào đây\\")"')
    text = text.replace('label: {vi: "Trung bình", en: "Average"}', 'label: {vi: "@SUM(1+1)", en: "=1+2"}')
    text = text.replace('label: {vi: "Yếu", en: "Weak"}', 'label: {vi: "-2+3", en: "+4"}')
    text = text.replace("id: par-commune", "id: hostile", 1)
    # bands that some of the sample's communes fall in, down to the last one
    text = text.replace('{min: 80, label: {vi: "Tốt"', '{min: 85, label: {vi: "Tốt"')
    text = text.replace("{min: 65, label", "{min: 80, label").replace("{min: 50, label",
                                                                      "{min: 75, label")
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(text, encoding="utf-8")
    # the sample's appraisal points under its id (without them no unit is ranked or classified)
    import shutil

    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    points = (data / "appraisal.csv").read_text(encoding="utf-8")
    (data / "appraisal.csv").write_text(points.replace("\npar-commune,", "\nhostile,"),
                                        encoding="utf-8")
    out = tmp_path / "scores.csv"
    result = CliRunner().invoke(app, ["score", "--data", data, "--methodology", str(hostile),
                                      "--period", Q, "--parent", "40", "--level", "commune",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    labels = {r["classification"] for r in rows} | {r["classification_vi"] for r in rows}
    assert {"'=1+2", "'@SUM(1+1)", "'+4", "'-2+3"} <= labels
    assert not [v for r in rows for v in r.values() if v and v[:1] in "=+-@" and
                not v.lstrip("-").replace(".", "").isdigit()]
    b = briefing.prepare("17266", Q, str(data), str(hostile))
    found = [blk for name in ("scorecard", "peers") for blk in getattr(sections, name)(b, "en")]
    files = newsroom.newsroom_files(found, "en")
    for name, data in files.items():
        if name.endswith(".csv"):
            for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))):
                for cell in row:
                    assert cell[:1] not in ("=", "+", "@") or cell.startswith("'"), (name, cell)
                    assert not cell.startswith("-") or \
                        cell.lstrip("-").replace(".", "").isdigit(), (name, cell)
    assert any('\'=HYPERLINK' in d.decode("utf-8-sig") for n, d in files.items()
               if n.endswith(".csv"))


def test_card_labels_are_distinct_in_both_languages(que_phong):
    """A rate and a count are never labelled alike ("Records resolved on time" twice)."""
    for lang in ("vi", "en"):
        labels = [t["label"] for t in sections.key_figures(que_phong, lang)[1]["items"]]
        assert len(labels) == len(set(labels)), labels
