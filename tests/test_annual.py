"""A province's own index (issue 14): its criteria set, its appraisal council, its annual results.

Each finding of the issue has its test here: a methodology of the province's own known by its
id; a data set of points only; a unit not yet appraised is not ranked, never scored 0; scoring
with a methodology of another level (or nothing to score) says why; years and years to date.
Then what was built on them: a published annual table fed in and reproduced, the annual
briefing and overview, the locality's own points beside the council's, the Excel workbook of a
methodology, the methodology document.
"""

from __future__ import annotations

import csv
import dataclasses
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import annual_data
import openpyxl
import pandas as pd
import pytest
from conftest import ROOT, SAMPLE
from typer.testing import CliRunner

from parbrief.cli import app
from parbrief.core.errors import NothingToScoreError
from parbrief.core.periods import Quarter, Year, YearToDate, parse_period, sort_key
from parbrief.ingest import dataset as datasets
from parbrief.ingest import methodology_book
from parbrief.ingest.validation import validate_paths
from parbrief.model import annual, briefing, inputs, methodology_document, scores
from parbrief.present import annual_sections, sections
from parbrief.present import methodology_document as document_sections
from parbrief.scoring import engine, spans
from parbrief.scoring import methodology as methodologies

ANNUAL = ROOT / "data" / "annual-sample"
QN_METHOD = ANNUAL / "methodologies" / "quang-ninh-district-2024.yaml"
PUBLISHED = ROOT / "tests" / "data" / "annual" / "quang-ninh-2024-published.csv"
RUN = CliRunner()


def invoke(*args):
    return RUN.invoke(app, [str(a) for a in args])


def own_copy(tmp_path: Path, new_id: str = "ha-tinh-2026") -> Path:
    """par-commune as a province's own file: the same criteria under another id."""
    text = methodologies.locate("par-commune").read_text(encoding="utf-8")
    path = tmp_path / f"{new_id}.yaml"
    path.write_text(text.replace("id: par-commune", f"id: {new_id}", 1), encoding="utf-8")
    return path


def renamed_sample(tmp_path: Path, methodology: str, folder: bool) -> Path:
    """The sample whose appraisal rows name ``methodology`` (and, with ``folder``, hold its
    file in the data set's methodologies/)."""
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    appraisal = data / "appraisal.csv"
    lines = appraisal.read_text(encoding="utf-8").splitlines()
    lines = [lines[0]] + [methodology + line[len("par-commune"):] for line in lines[1:]]
    appraisal.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if folder:
        (data / "methodologies").mkdir()
        own_copy(data / "methodologies", methodology)
    return data


# --------------------------------------------------------------------------- periods


def test_years_and_years_to_date_are_periods():
    assert parse_period("2025") == Year(2025)
    for text in ("2026Q1-Q3", "2026Q1-2026Q3", "YTD 2026Q3", "2026Q3 ytd"):
        assert parse_period(text) == YearToDate(2026, 3), text
    assert parse_period("Quý III/2026") == Quarter(2026, 3)
    assert str(YearToDate(2026, 3)) == "2026Q1-Q3" and str(Year(2025)) == "2025"
    assert YearToDate(2026, 3).previous() == YearToDate(2025, 3)
    assert Year(2025).previous() == Year(2024)
    assert [str(q) for q in YearToDate(2026, 2).quarters()] == ["2026Q1", "2026Q2"]
    assert YearToDate(2026, 3).label("vi") == "9 tháng đầu năm 2026"
    assert YearToDate(2026, 3).label("en") == "the first nine months of 2026"
    assert Year(2024).label("vi") == "năm 2024" and Year(2024).label("en") == "2024"
    assert sorted(["2025", "2025Q4", "2025Q1-Q4", "2025Q3"], key=sort_key) == \
        ["2025Q3", "2025Q4", "2025Q1-Q4", "2025"]
    with pytest.raises(Exception) as e:
        parse_period("2026Q2-Q3")
    assert str(e.value) == ("malformed period '2026Q2-Q3': write a quarter as 2026Q3, a year "
                            "as 2026, or a year to date as 2026Q1-Q3")


def test_a_year_to_date_adds_up_its_quarters_as_the_catalogue_says():
    """Flows summed, stocks (and figures counted from January) from the last quarter, rates
    averaged; checked by hand on one commune's raw rows."""
    raw = pd.read_csv(SAMPLE / "figures.csv", dtype={"locality_code": str})
    mine = raw[(raw.locality_code == "17266") & raw.period.isin(["2026Q1", "2026Q2", "2026Q3"])]
    by = {(p, i): v for p, i, v in zip(mine.period, mine.indicator, mine.value)}
    ds = datasets.load(SAMPLE)
    got = spans.span_figures(ds.figures[ds.figures.locality_code == "17266"], "2026Q1-Q3")
    got = dict(zip(got.indicator, got.value))
    quarters = ("2026Q1", "2026Q2", "2026Q3")
    assert got["records_received"] == sum(by[(q, "records_received")] for q in quarters)
    assert got["procedures_total"] == by[("2026Q3", "procedures_total")]
    assert got["plan_tasks_completed"] == by[("2026Q3", "plan_tasks_completed")]
    assert got["satisfaction_rate"] == pytest.approx(
        sum(by[(q, "satisfaction_rate")] for q in quarters) / 3)
    assert set(pd.unique(spans.span_figures(ds.figures, "2026Q1-Q3").period)) == {"2026Q1-Q3"}


def test_year_to_date_points_are_each_criterions_latest_quarter():
    rows = pd.DataFrame({
        "methodology": ["m"] * 3, "locality_code": ["1"] * 3,
        "period": ["2026Q1", "2026Q2", "2026Q1"], "criterion": ["a", "a", "b"],
        "points": [1.0, 2.0, 3.0], "source": [""] * 3, "self_assessed": [None] * 3})
    got = spans.span_points(rows, "2026Q1-Q3").set_index("criterion")
    assert got.points.to_dict() == {"a": 2.0, "b": 3.0}
    assert set(got.period) == {"2026Q1-Q3"}
    assert spans.span_points(rows, "2026").empty  # a year's points are the annual ones


# --------------------------------------------------------------------------- finding 1


def test_a_provinces_own_methodology_in_the_data_set_is_known_by_its_id(tmp_path):
    """The sample's points under a province's own id, its file in the data set's
    methodologies/ folder: validation knows the id, and every index is par-commune's
    (17266: 75.11, not 59.61 with the points ignored)."""
    data = renamed_sample(tmp_path, "ha-tinh-2026", folder=True)
    assert validate_paths([data]) == []
    own = scores.league_table(data, "ha-tinh-2026", "2026Q3", "commune", "40").table
    shipped = pd.read_csv(ROOT / "tests" / "expected" / "scores-par-commune-40-2026Q3.csv",
                          dtype={"code": str})
    assert own.set_index("code")["index"].to_dict() == \
        shipped.set_index("code")["index"].to_dict()
    assert own.set_index("code").loc["17266", "index"] == 75.11
    assert (own.appraisal_missing == 0).all()


def test_a_methodology_given_by_path_is_known_and_an_unknown_id_lists_the_known(tmp_path):
    data = renamed_sample(tmp_path, "ha-tinh-2026", folder=False)
    own = own_copy(tmp_path / "data")  # inside the data folder, not in methodologies/
    found = validate_paths([data])
    assert len(found) == 11_037
    assert str(found[0]) == (
        "appraisal.csv:2:methodology: unknown methodology 'ha-tinh-2026': the methodologies "
        "known are shipped: par-commune, par-province-876, service-766. A province's own "
        "methodology is named by the id: in its file, kept in the data set's methodologies/ "
        "folder or given by path")
    assert validate_paths([data], methodologies=[own]) == []
    out = invoke("validate", data, "--methodology", own)
    assert out.exit_code == 0, out.output
    result = invoke("score", "--data", data, "--methodology", own, "--period", "2026Q3",
                    "--parent", "40", "--out", tmp_path / "s.csv")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "s.csv", dtype={"code": str}).set_index("code")
    assert table.loc["17266", "index"] == 75.11 and table.loc["17266", "rank"] == 103


def test_two_files_with_one_id_and_a_broken_one_are_named(tmp_path):
    data = renamed_sample(tmp_path, "ha-tinh-2026", folder=True)
    clash = data / "methodologies" / "par-commune.yaml"
    clash.write_text(own_copy(tmp_path, "x").read_text(encoding="utf-8").replace(
        "id: x", "id: par-commune").replace("max: 9\n", "max: 9.0\n", 1), encoding="utf-8")
    found = [str(p) for p in validate_paths([data])]
    assert found == [
        "methodologies/par-commune.yaml:0:: methodology id 'par-commune' is shipped with "
        "parbrief; two different files cannot have one id: give this one an id of its own "
        "(id: and file name, e.g. par-commune-data)"]
    clash.unlink()
    (data / "methodologies" / "broken.yaml").write_text("id: broken\n", encoding="utf-8")
    found = [str(p) for p in validate_paths([data])]
    assert found == ["methodologies/broken.yaml:0:: top level: missing key 'version'"]


# --------------------------------------------------------------------------- finding 2


def test_a_data_set_of_points_only_is_scored(tmp_path):
    """appraisal.csv alone (or beside a figures file left with its header) is a data set."""
    data = tmp_path / "points"
    data.mkdir()
    shutil.copy(ANNUAL / "appraisal.csv", data)
    shutil.copytree(ANNUAL / "methodologies", data / "methodologies")
    assert validate_paths([data]) == []
    (data / "figures.csv").write_text("locality_code,period,indicator,value,source\n",
                                      encoding="utf-8")
    assert validate_paths([data]) == []
    table = scores.league_table(data, "quang-ninh-district-2024", "2024", None, "22").table
    expected = annual_data.expected("2024")
    assert {c: (i, int(r)) for c, i, r in zip(table.code, table["index"], table["rank"])} == \
        expected
    assert table.set_index("code").loc["199", "classification_vi"] == "Xuất sắc"


def test_the_annual_sample_is_what_annual_data_writes(tmp_path):
    annual_data.write(tmp_path, methodologies.load(str(QN_METHOD)))
    assert (tmp_path / "appraisal.csv").read_bytes() == (ANNUAL / "appraisal.csv").read_bytes()


# --------------------------------------------------------------------------- published table


def _published() -> dict[str, tuple[float, int]]:
    """The published index and rank by name, read here with the csv module."""
    with PUBLISHED.open(encoding="utf-8") as f:
        return {r["Đơn vị"]: (float(r["Chỉ số CCHC (%)"].replace(",", ".")),
                              int(r["Xếp hạng"])) for r in csv.DictReader(f)}


def test_a_published_annual_table_reproduces_its_index_and_rank(tmp_path):
    """The table as published (names, decimal commas, a tie, a total ending in 5 at the third
    decimal) goes in with `parbrief appraisal from-table`; `parbrief score` gives its index
    and rank exactly."""
    data = tmp_path / "data"
    shutil.copytree(ANNUAL / "methodologies", data / "methodologies")
    made = invoke("appraisal", "from-table", PUBLISHED, "--methodology",
                  "quang-ninh-district-2024", "--data", data, "--period", "2024", "--parent",
                  "22", "--out", data / "appraisal.csv")
    assert made.exit_code == 0, made.output
    assert "checked: 13 of 13 units: index and rank as published" in made.output
    rows = pd.read_csv(data / "appraisal.csv", dtype=str)
    assert set(rows.criterion) == {"appraised-total", "survey-total"} and len(rows) == 26
    scored = invoke("score", "--data", data, "--methodology", "quang-ninh-district-2024",
                    "--period", "2024", "--parent", "22", "--out", tmp_path / "scores.csv")
    assert scored.exit_code == 0, scored.output
    table = pd.read_csv(tmp_path / "scores.csv", dtype={"code": str})
    published = _published()
    by_name = {"TP. Cẩm Phả": "Thành phố Cẩm Phả", "TX. Quảng Yên": "Thị xã Quảng Yên"}
    got = {n: (i, r) for n, i, r in zip(table.name, table["index"], table["rank"])}
    assert {by_name.get(n, n): v for n, v in published.items()} == got
    assert got["Thành phố Cẩm Phả"] == (91.41, 4)  # 72.99 + 18.415 = 91.405, half up
    assert got["Huyện Hải Hà"] == got["Huyện Ba Chẽ"] == (86.90, 8)  # a tie; next is 10th
    assert got["Huyện Vân Đồn"] == (85.05, 10)


def test_a_published_table_with_a_name_nobody_has_is_refused(tmp_path):
    table = tmp_path / "table.csv"
    table.write_text(PUBLISHED.read_text(encoding="utf-8").replace("Huyện Cô Tô", "Huyện Hoành Bồ"),
                     encoding="utf-8")
    out = invoke("appraisal", "from-table", table, "--methodology", QN_METHOD, "--period",
                 "2024", "--parent", "22", "--out", tmp_path / "appraisal.csv")
    assert out.exit_code == 1
    assert out.output.splitlines()[0] == (
        "table.csv:14:Đơn vị: no district of 22 Tỉnh Quảng Ninh in 2024 is named 'Huyện Hoành Bồ'; "
        "correct it, or give the code in a locality_code column (`parbrief locality NAME` looks "
        "codes up)")
    assert not (tmp_path / "appraisal.csv").exists()


def test_a_published_table_that_parbrief_does_not_reproduce_says_where(tmp_path):
    table = tmp_path / "table.csv"
    table.write_text(PUBLISHED.read_text(encoding="utf-8").replace(
        '"92,62","92,62",3', '"92,62","92,63",3'), encoding="utf-8")
    out = invoke("appraisal", "from-table", table, "--methodology", QN_METHOD, "--period",
                 "2024", "--parent", "22", "--out", tmp_path / "appraisal.csv")
    assert out.exit_code == 1
    assert "differs: line 4: 199 Huyện Tiên Yên: index 92.62 (published 92.63)" in out.output


# --------------------------------------------------------------------------- finding 3


def _unappraised(tmp_path: Path, code: str = "17266") -> Path:
    data = tmp_path / "unappraised"
    shutil.copytree(SAMPLE, data)
    lines = (SAMPLE / "appraisal.csv").read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not line.startswith(f"par-commune,{code},2026Q3,")]
    assert len(lines) - len(kept) == 13
    (data / "appraisal.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    return data


def test_a_commune_not_yet_appraised_is_not_ranked_and_never_scored_zero(tmp_path):
    """The council has not met for Tân Kỳ: no index, no rank, no class, and the lead says why;
    the others are ranked among themselves (128), in their own order."""
    data = _unappraised(tmp_path)
    table = scores.league_table(data, "par-commune", "2026Q3", "commune", "40")
    t = table.table.set_index("code")
    assert pd.isna(t.loc["17266", "rank"]) and pd.isna(t.loc["17266", "index"])
    assert t.loc["17266", "appraisal_missing"] == 13
    assert t.loc["17266", "classification"] is None or pd.isna(t.loc["17266", "classification"])
    assert (t.drop("17266").rank_of == 128).all()
    before = pd.read_csv(ROOT / "tests" / "expected" / "scores-par-commune-40-2026Q3.csv",
                         dtype={"code": str}).set_index("code").drop("17266")
    order = before.sort_values(["index"], ascending=False)["index"]
    assert t.drop("17266").loc[order.index, "index"].tolist() == order.tolist()
    assert table.notes[0].startswith("1 of 129 units not ranked: criteria without points")
    b = briefing.prepare("17266", "2026Q3", str(data), "par-commune")
    assert not b.ranked and b.unappraised == 13
    assert sections.lead_text(b, "vi") == (
        "Quý III/2026, xã Tân Kỳ chưa được xếp hạng, xếp loại: còn 13/36 tiêu chí chưa có điểm "
        "(Hội đồng thẩm định chưa chấm điểm hoặc đơn vị chưa báo cáo số liệu). Theo nguyên tắc "
        "xếp hạng, đơn vị chỉ được xếp hạng, xếp loại khi tất cả các tiêu chí đã có điểm; các "
        "tiêu chí chưa chấm không bị tính 0 điểm.")
    assert sections.lead_text(b, "en").startswith(
        "Tân Kỳ commune is not yet ranked or classified for Q3 2026: 13 of its 36 criteria have no "
        "points yet")
    summary = sections.summary_data(b)
    assert summary["rank"] is None and summary["index"] is None
    assert summary["status_note"] == "not ranked: 13 criteria without points (appraisal pending)"
    other = briefing.prepare("16681", "2026Q3", str(data), "par-commune")
    assert other.own["rank_of"] == 128
    waiting = [bl["text"] for bl in sections.peers(other, "vi") if bl["kind"] == "note"]
    assert waiting == ["Chưa xếp hạng do chưa có đủ điểm (1): Xã Tân Kỳ (13 tiêu chí)."]


def test_blank_council_points_beside_the_localitys_own_mean_not_yet_appraised(tmp_path):
    data = tmp_path / "points"
    data.mkdir()
    shutil.copytree(ANNUAL / "methodologies", data / "methodologies")
    text = (ANNUAL / "appraisal.csv").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith(
        "quang-ninh-district-2024,207,2024,a1_plan,"))
    cells = line.split(",")
    pending = ",".join(cells[:4] + ["", cells[5], "1.9"])
    (data / "appraisal.csv").write_text(text.replace(line, pending), encoding="utf-8")
    assert validate_paths([data]) == []
    t = scores.league_table(data, "quang-ninh-district-2024", "2024", None, "22").table
    t = t.set_index("code")
    assert pd.isna(t.loc["207", "rank"]) and t.loc["207", "appraisal_missing"] == 1
    assert t.loc["199", "rank"] == 3 and t.loc["199", "rank_of"] == 12


# --------------------------------------------------------------------------- finding 4


def test_scoring_with_a_methodology_of_another_level_says_why(tmp_path):
    out = tmp_path / "scores.csv"
    result = invoke("score", "--data", SAMPLE, "--methodology", "par-province-876", "--period",
                    "2026Q3", "--out", out)
    assert result.exit_code == 1 and not out.exists()
    assert result.output.strip() == (
        "error: par-province-876 scores province units, and the data set's rows for 2026Q3 are "
        "of 129 communes: nothing of the methodology's level to score. Fix: score commune units "
        "with a methodology for them (par-commune, or the province's own file) (the data set "
        "holds 129 communes)")
    result = invoke("score", "--data", SAMPLE, "--methodology", "par-province-876", "--period",
                    "2026Q3", "--level", "commune", "--out", out)
    assert result.exit_code == 1
    assert result.output.startswith(
        "error: par-province-876 is a methodology for province units; it cannot score commune "
        "units.")


@pytest.mark.parametrize(("args", "message"), [
    (["--methodology", "par-commune", "--period", "2027Q3"],
     "error: the data set {data} holds no figures and no appraisal points for 2027Q3 (Q3 2027); "
     "it holds 15 periods, 2023Q1 to 2026Q3. Fix: choose a period it holds, e.g. --period "
     "2026Q3"),
    (["--methodology", "par-commune", "--period", "2026Q3", "--parent", "01"],
     "error: no commune unit under 01 has figures or par-commune points for 2026Q3. Fix: check "
     "--parent, --level and --methodology against the data set (it holds 15 periods, 2023Q1 to "
     "2026Q3)"),
    (["--methodology", "par-commune", "--period", "2026Q3", "--level", "district"],
     "error: districts were abolished on 1 July 2025, so 2026Q3 has none. Fix: use --level "
     "commune, or a period before 2025Q3"),
])
def test_every_nothing_to_score_case_is_an_error_that_says_why(tmp_path, args, message):
    out = tmp_path / "scores.csv"
    result = invoke("score", "--data", SAMPLE, *args, "--out", out)
    assert result.exit_code == 1 and not out.exists()
    assert result.output.strip() == message.format(data=SAMPLE)


def test_points_of_another_methodology_only_are_named(tmp_path):
    data = renamed_sample(tmp_path, "ha-tinh-2026", folder=True)
    table = scores.league_table(data, "par-commune", "2026Q3", "commune", "40")
    assert (table.table.appraisal_missing == 13).all()
    assert table.notes[-1] == ("the appraisal points for 2026Q3 are for ha-tinh-2026, not "
                               "par-commune: none of them counts here")
    with pytest.raises(NothingToScoreError):
        scores.league_table(ANNUAL, "par-commune", "2024", None, "22")


# --------------------------------------------------------------------------- self-assessment


def test_the_localitys_own_points_beside_the_councils_by_area():
    ab = annual.prepare_briefing("199", "2024", str(ANNUAL), "quang-ninh-district-2024")
    rows = pd.read_csv(ANNUAL / "appraisal.csv", dtype=str)
    rows = rows[(rows.locality_code == "199") & (rows.period == "2024")
                & rows.self_assessed.notna()]
    method = methodologies.load(str(QN_METHOD))
    area = {cid: c.area_id for cid, c in method.criteria().items()}
    by_area = rows.assign(area=rows.criterion.map(area), own=rows.self_assessed.astype(float),
                          council=rows.points.astype(float)).groupby("area", sort=False)
    frame = ab.self_assessment.set_index("key")
    for area_id, part in by_area:
        assert frame.loc[area_id, "self_assessed"] == round(part.own.sum(), 2)
        assert frame.loc[area_id, "appraised"] == round(part.council.sum(), 2)
        assert frame.loc[area_id, "difference"] == round(
            round(part.council.sum(), 2) - round(part.own.sum(), 2), 2)
    blocks = annual_sections.self_assessment(ab, "vi")
    table = next(b for b in blocks if b["kind"] == "table")
    assert table["columns"] == ["Lĩnh vực", "Số tiêu chí", "Tự đánh giá", "Thẩm định",
                                "Chênh lệch"]
    total = table["rows"][-1]
    assert total[0] == "Cộng" and total[1] == str(len(rows))


# --------------------------------------------------------------------------- annual reports


def test_the_annual_briefing_says_what_the_press_said():
    """Seed 002: "in 2021 the district achieved 89.53 points, ranked 8th/13; in 2023, 87.45,
    5th/13; in 2024, 92.62, 3rd/13, excellent"."""
    ab = annual.prepare_briefing("Huyện Tiên Yên", "2024", str(ANNUAL),
                                 "quang-ninh-district-2024")
    assert ab.ranked and (ab.own["index"], ab.own["rank"], ab.own["rank_of"]) == (92.62, 3, 13)
    assert ab.history[["period", "index", "rank", "rank_of"]].values.tolist() == [
        ["2021", 89.53, 8, 13], ["2023", 87.45, 5, 13], ["2024", 92.62, 3, 13]]
    assert annual_sections.lead_text(ab, "vi") == (
        "Năm 2024, huyện Tiên Yên đạt 92,62 điểm Chỉ số CCHC, xếp thứ 3/13 huyện, thị xã, thành "
        "phố của tỉnh Quảng Ninh, xếp loại Xuất sắc; tăng 5,17 điểm so với năm 2023, tăng 2 bậc. "
        "Các năm trước: năm 2023 đạt 87,45 điểm, xếp thứ 5/13; năm 2021 đạt 89,53 điểm, xếp thứ "
        "8/13.")
    assert annual_sections.lead_text(ab, "en") == (
        "In 2024, Tiên Yên district scored 92.62 points on the PAR index, ranking 3rd of 13 "
        "districts, towns and cities in Quảng Ninh province, classified excellent; up 5.17 "
        "points on 2023, up 2 places. In earlier years: 87.45 points, 5th of 13, in 2023; 89.53 "
        "points, 8th of 13, in 2021.")
    first = annual.prepare_briefing("199", "2021", str(ANNUAL), "quang-ninh-district-2024")
    assert "chưa có kết quả năm 2020 để so sánh" in annual_sections.lead_text(first, "vi")


def test_every_annual_section_in_both_languages():
    ab = annual.prepare_briefing("207", "2024", str(ANNUAL), "quang-ninh-district-2024")
    o = annual.prepare_overview("22", "2024", str(ANNUAL), "quang-ninh-district-2024")
    for lang in ("vi", "en"):
        for name in annual_sections.BRIEFING_SECTIONS:
            assert getattr(annual_sections, name)(ab, lang), name
        for name in annual_sections.OVERVIEW_SECTIONS:
            assert getattr(annual_sections, name)(o, lang), name
    league = next(b for b in annual_sections.overview_league(o, "vi") if b["kind"] == "table")
    assert league["columns"] == ["Hạng", "Đơn vị", "Thẩm định", "Điều tra XHH", "Tổng điểm",
                                 "Chỉ số", "Xếp loại", "So với năm 2023", "± hạng"]
    expected = annual_data.expected("2024")
    rows = league["data"]["rows"]
    assert [(r[1], r[6], r[0]) for r in rows] == sorted(
        ((c, i, r) for c, (i, r) in expected.items()), key=lambda x: (x[2], x[0]))
    assert annual_sections.overview_lead_text(o, "vi").startswith(
        "Năm 2024, 13/13 huyện, thị xã, thành phố của tỉnh Quảng Ninh được xếp hạng Chỉ số "
        "CCHC; chỉ số bình quân đạt ")


def test_an_annual_briefing_reads_nothing_outside_its_declared_inputs(tmp_path):
    """Points of a year its rank history does not cover, and another province's, are changed:
    the briefing says exactly what it said."""
    data = tmp_path / "data"
    shutil.copytree(ANNUAL, data)
    method = methodologies.load(str(QN_METHOD))
    declared = inputs.declare_annual_briefing("199", "2023", method)
    assert [str(p) for p in declared.peers.quarters] == ["2018", "2019", "2020", "2021",
                                                         "2022", "2023"]
    before = annual.prepare_briefing("199", "2023", str(data), "quang-ninh-district-2024")
    rows = pd.read_csv(data / "appraisal.csv", dtype=str, keep_default_na=False)
    later = rows.period == "2024"
    assert later.sum() > 300
    rows.loc[later, "points"] = "0"
    rows.to_csv(data / "appraisal.csv", index=False, lineterminator="\n")
    after = annual.prepare_briefing("199", "2023", str(data), "quang-ninh-district-2024")
    assert after.provenance["inputs"] == before.provenance["inputs"]
    assert after.provenance["data_set"] != before.provenance["data_set"]
    for name in annual_sections.BRIEFING_SECTIONS:
        for lang in ("vi", "en"):
            assert getattr(annual_sections, name)(after, lang) == \
                getattr(annual_sections, name)(before, lang), name


def test_a_quarter_is_not_an_annual_period():
    with pytest.raises(Exception) as e:
        annual.prepare_briefing("199", "2024Q4", str(ANNUAL), "quang-ninh-district-2024")
    assert str(e.value) == ("2024Q4 is a quarter; an annual report takes a year (2025) or a year "
                            "to date (2024Q1-Q4); the quarterly briefing takes quarters")


def test_a_year_to_date_briefing_from_the_quarterly_sample():
    ab = annual.prepare_briefing("17266", "2026Q1-Q3", str(SAMPLE), "par-commune")
    assert ab.ranked and ab.own["rank_of"] == 130
    table = engine.score_table(datasets.load(SAMPLE), methodologies.load("par-commune"),
                               "2026Q1-Q3", [ab.locality])
    assert table.iloc[0]["total"] == ab.own["total"]
    lead = annual_sections.lead_text(ab, "vi")
    assert lead.startswith("9 tháng đầu năm 2026, xã Tân Kỳ đạt ")
    # 2025Q1-Q3 was mostly reported by the former districts: nothing to compare with
    assert "chưa có kết quả cùng kỳ năm 2025 để so sánh" in lead


# --------------------------------------------------------------------------- Excel


@pytest.mark.parametrize("name", ["par-commune", "par-province-876", "service-766",
                                  str(QN_METHOD)])
def test_every_methodology_survives_the_excel_workbook(tmp_path, name):
    method = methodologies.load(name)
    book = methodology_book.export_book(method, tmp_path / "book.xlsx")
    back = methodology_book.import_book(book, tmp_path / f"{method.id}.yaml")

    def essence(m):
        d = dataclasses.asdict(m)
        return {k: v for k, v in d.items() if k not in ("path", "checksum")}

    assert essence(back) == essence(method)


def _book(tmp_path: Path, edit) -> Path:
    book = methodology_book.export_book(methodologies.load("par-commune"), tmp_path / "pc.xlsx")
    wb = openpyxl.load_workbook(book)
    ws = wb["criteria"]
    column = {c.value: c.column for c in ws[1]}
    edit(ws, column)
    wb.save(book)
    return book


def test_import_reports_every_wrong_cell_at_once(tmp_path):
    def edit(ws, col):
        ws.cell(row=4, column=col["steps"]).value = ">=2 -> 1"
        ws.cell(row=5, column=col["parent"]).value = "a1_nowhere"
        ws.cell(row=8, column=col["rule"]).value = "apraisal"
        ws.cell(row=9, column=col["max"]).value = "1,5"
        ws.cell(row=3, column=col["metric"]).value = "plan_completion"

    book = _book(tmp_path, edit)
    out = invoke("methodology", "import", book, "--out", tmp_path / "par-commune.yaml")
    assert out.exit_code == 1 and not (tmp_path / "par-commune.yaml").exists()
    assert out.stdout.splitlines() == [
        "pc.xlsx#criteria:3:metric: unknown metric 'plan_completion'; did you mean "
        "plan_completion_rate? use a name from the lists sheet",
        "pc.xlsx#criteria:4:steps: step '>=2 -> 1' is not like '>=95: 3' or '<=2: 1.5'; write "
        "each step as a bound and its points, steps separated by ';'",
        "pc.xlsx#criteria:5:parent: parent 'a1_nowhere' is nowhere above this row; a row's "
        "parent (the id of an area or a criterion) must come above it",
        "pc.xlsx#criteria:8:rule: unknown rule 'apraisal'; did you mean appraisal? use one of "
        "proportional, thresholds, boolean, appraisal, survey",
        "pc.xlsx#criteria:9:max: max '1,5' has a decimal comma; write 1.5 (or type it as a "
        "number in a cell formatted as a number)"]


def test_import_places_the_methodologys_own_checks_on_their_cell(tmp_path):
    book = _book(tmp_path, lambda ws, col: setattr(ws.cell(row=3, column=col["max"]), "value",
                                                   3))
    out = invoke("methodology", "import", book, "--out", tmp_path / "par-commune.yaml")
    assert out.exit_code == 1
    assert out.stdout.splitlines() == [
        "pc.xlsx#criteria:2:max: max is 9 but its criteria add up to 10; make them equal"]
    book = _book(tmp_path, lambda ws, col: None)
    out = invoke("methodology", "import", book, "--out", tmp_path / "other-name.yaml")
    assert out.exit_code == 1
    assert out.output.strip() == (
        f"error: --out {tmp_path / 'other-name.yaml'}: a methodology file is named by its id: "
        "name it par-commune.yaml (id par-commune in the methodology sheet), or change the id")


def test_check_prints_the_shape_of_a_file_or_a_workbook(tmp_path):
    out = invoke("methodology", "check", QN_METHOD)
    assert out.exit_code == 0, out.output
    assert out.stdout.splitlines()[:5] == [
        "ok: quang-ninh-district-2024 version 2024: District-level public administration "
        "reform index (Bộ tiêu chí xác định Chỉ số cải cách hành chính cấp huyện)",
        "  levels: district",
        "  8 areas, 24 criteria, 2 sub-criteria (25 scored); maximum 100 = 80 appraised + 20 "
        "survey points",
        "  17 criteria take their points from the appraisal table (council or survey); 8 are "
        "computed from figures unless the table gives their points",
        "  bonus and penalty items: 0; classes: Excellent (Xuất sắc) from 90, Good (Tốt) from "
        "80, Fair (Khá) from 70, Average (Trung bình) from 50, Weak (Yếu) from 0"]
    book = methodology_book.export_book(methodologies.load(str(QN_METHOD)), tmp_path / "b.xlsx")
    assert invoke("methodology", "check", book).stdout == out.stdout


# --------------------------------------------------------------------------- the document


def test_the_methodology_document_lists_every_criterion_with_its_maximum_and_rule():
    d = methodology_document.prepare(str(QN_METHOD))
    method = d.methodology
    for lang in ("vi", "en"):
        blocks = [b for name in document_sections.SECTIONS
                  for b in getattr(document_sections, name)(d, lang)]
        tables = [b for b in blocks if b["kind"] == "table" and b["name"].startswith("criteria-")]
        listed = {r[1]: r[3] for t in tables for r in t["data"]["rows"]}
        nodes = {cid: n for cid, n in method.nodes().items()
                 if cid not in {a.id for a in method.areas}}
        assert listed == {cid: n.max_points for cid, n in nodes.items()}
        overview = next(b for b in blocks if b["kind"] == "table" and b["name"] ==
                        "points-by-area")
        assert overview["data"]["rows"][-1][3:] == [100, 80, 20]
    vi = [b for name in document_sections.SECTIONS
          for b in getattr(document_sections, name)(d, "vi")]
    lines = [i for b in vi if b["kind"] == "list" for i in b["items"]]
    assert "1.1. Hội đồng thẩm định chấm điểm, tối đa 2 điểm (nguồn: Kế hoạch CCHC năm của UBND " \
        "huyện)" in lines
    assert "8.1. điểm điều tra xã hội học do cơ quan điều tra công bố, tối đa 10 điểm (nguồn: " \
        "Kết quả điều tra xã hội học do Sở Nội vụ công bố)" in lines
    rules = next(b for b in vi if b["kind"] == "list" and b["items"][0].startswith("Chỉ số ="))
    assert any(i.startswith("Đơn vị còn tiêu chí chưa có điểm") for i in rules["items"])


# --------------------------------------------------------------------------- end to end


def _summary(project: Path, stem: str) -> dict:
    import json

    path = next((project / "reports").rglob(f"{stem}.manifest.json"))
    return json.loads(path.read_text(encoding="utf-8"))["summary"]


def _by_hand(appraisal: Path, year: str) -> dict[str, tuple[float, int]]:
    """Index and rank of each unit from the appraisal table itself: its points added up,
    ÷ 100 × 100, rounded half up to two decimals; ties share a rank."""
    totals: dict[str, Decimal] = {}
    with appraisal.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["period"] == year:
                totals[row["locality_code"]] = totals.get(row["locality_code"], Decimal(0)) \
                    + Decimal(row["points"])
    index = {c: float(t.quantize(Decimal("0.01"), ROUND_HALF_UP)) for c, t in totals.items()}
    return {c: (v, 1 + sum(1 for w in index.values() if w > v)) for c, v in index.items()}


@pytest.mark.slow
def test_a_provinces_methodology_from_excel_to_annual_briefings(tmp_path):
    """The province's criteria set is exported to Excel, edited there by an analyst (a
    maximum moved between two criteria, a name, a band edge, a new id for the new year),
    imported, kept in the data set with the council's points, and the annual briefings,
    the province's table and the methodology document are made by a real batch."""
    from parbrief.runner.batch import run_batch

    project = tmp_path / "project"
    data = project / "data" / "quang-ninh"
    (project / "params").mkdir(parents=True)
    (project / "pyproject.toml").write_text("", encoding="utf-8")
    book = tmp_path / "bo-tieu-chi.xlsx"
    assert invoke("methodology", "export", QN_METHOD, "--out", book).exit_code == 0

    wb = openpyxl.load_workbook(book)  # what an analyst does in Excel
    general = {r[0].value: r[1] for r in wb["methodology"].iter_rows(min_row=2)}
    general["id"].value = "quang-ninh-district-2025"
    general["version"].value = "2025"
    ws = wb["criteria"]
    column = {c.value: c.column for c in ws[1]}
    rows = {ws.cell(row=r, column=column["id"]).value: r for r in range(2, ws.max_row + 1)}
    ws.cell(row=rows["a1_plan"], column=column["max"]).value = 2.5
    ws.cell(row=rows["a1_initiatives"], column=column["max"]).value = 1.5
    ws.cell(row=rows["a1_plan"], column=column["name_vi"]).value = \
        "Ban hành và tổ chức thực hiện kế hoạch CCHC năm"
    bands = wb["classification"]
    good = next(r for r in bands.iter_rows(min_row=2) if r[1].value == "Tốt")
    good[0].value = 85
    wb.save(book)

    own = data / "methodologies" / "quang-ninh-district-2025.yaml"
    own.parent.mkdir(parents=True)
    imported = invoke("methodology", "import", book, "--out", own)
    assert imported.exit_code == 0, imported.output
    assert invoke("methodology", "check", own).exit_code == 0
    method = methodologies.load(str(own))
    assert method.criteria()["a1_plan"].max_points == 2.5
    assert method.classify(84.99).label["vi"] == "Khá"
    annual_data.write(data, method)  # the council's points, against the edited maxima

    params = project / "params" / "quang-ninh-2024.yaml"
    params.write_text(
        'name: quang-ninh-2024\nprovince: "22"\nlevel: district\nperiods: ["2024"]\n'
        'localities: ["199", "207"]\ndata: ../data/quang-ninh\n'
        "methodology: quang-ninh-district-2025\nreports: [briefing, overview, methodology]\n"
        "languages: [vi, en]\nformats: [html, pdf]\noutput: ../reports\n", encoding="utf-8")
    result = run_batch(params, workers=2, progress=False, echo=False)
    assert {r.stem: r.status for r in result.results} == {
        "methodology-quang-ninh-district-2025": "ok", "overview-22-tinh-quang-ninh": "ok",
        "briefing-199-huyen-tien-yen": "ok", "briefing-207-huyen-co-to": "ok"}, \
        [r.detail for r in result.results]

    expected = _by_hand(data / "appraisal.csv", "2024")
    assert expected["199"] == (92.62, 3) and expected["207"] == (82.33, 13)
    for code, stem, band in (("199", "briefing-199-huyen-tien-yen", "Xuất sắc"),
                             ("207", "briefing-207-huyen-co-to", "Khá")):
        summary = _summary(project, stem)
        assert (summary["index"], summary["rank"], summary["rank_of"]) == \
            (*expected[code], 13)
        assert summary["classification"]["vi"] == band  # the band edge moved in Excel
    folder = project / "reports" / "2024" / "quang-ninh"
    html = (folder / "briefing-199-huyen-tien-yen.vi.html").read_text(encoding="utf-8")
    assert ("Năm 2024, huyện Tiên Yên đạt 92,62 điểm Chỉ số CCHC, xếp thứ 3/13 huyện, thị xã, "
            "thành phố của tỉnh Quảng Ninh, xếp loại Xuất sắc") in html
    assert "năm 2021 đạt 89,53 điểm, xếp thứ 8/13" in html
    assert (folder / "briefing-199-huyen-tien-yen.en.pdf").read_bytes()[:5] == b"%PDF-"
    document = (project / "reports" / "methodology" /
                "methodology-quang-ninh-district-2025.vi.html").read_text(encoding="utf-8")
    assert "Ban hành và tổ chức thực hiện kế hoạch CCHC năm" in document
    # the document has a folder of its own: every page it links to is there
    import re

    methodology_folder = project / "reports" / "methodology"
    links = re.findall(r'href="([^"#:]+)"', document)
    assert links and all((methodology_folder / link).is_file() for link in links), links
    assert (project / "reports" / "methodology" /
            "methodology-quang-ninh-district-2025.vi.pdf").is_file()
    overview = _summary(project, "overview-22-tinh-quang-ninh")
    assert overview["rank_of"] == 13
    verified = invoke("verify", folder / "briefing-199-huyen-tien-yen.manifest.json")
    assert verified.exit_code == 0, verified.output

    # The council has not scored one of Cô Tô's criteria yet (its own points are in): it is
    # not ranked, the batch status says so, the others are ranked among twelve.
    appraisal = data / "appraisal.csv"
    lines = appraisal.read_text(encoding="utf-8").splitlines()
    i = next(n for n, line in enumerate(lines)
             if line.startswith("quang-ninh-district-2025,207,2024,a1_plan,"))
    cells = lines[i].split(",")
    lines[i] = ",".join(cells[:4] + [""] + cells[5:6] + ["2.5"])
    appraisal.write_text("\n".join(lines) + "\n", encoding="utf-8")
    again = run_batch(params, workers=2, progress=False, echo=False)
    by_stem = again.by_stem()
    assert by_stem["briefing-207-huyen-co-to"].status == "ok"
    assert by_stem["briefing-207-huyen-co-to"].detail == \
        "not ranked: 1 criteria without points (appraisal pending)"
    assert by_stem["overview-22-tinh-quang-ninh"].detail == \
        "1 units not ranked (criteria without points)"
    assert by_stem["methodology-quang-ninh-district-2025"].status == "skipped"
    assert _summary(project, "briefing-199-huyen-tien-yen")["rank_of"] == 12
    html = (folder / "briefing-207-huyen-co-to.vi.html").read_text(encoding="utf-8")
    assert "Năm 2024, huyện Cô Tô chưa được xếp hạng, xếp loại: còn 1/25 tiêu chí chưa có " \
        "điểm" in html


@pytest.mark.slow
def test_a_quarterly_briefing_of_a_commune_not_yet_appraised_says_so_in_the_batch(tmp_path):
    from conftest import make_project

    from parbrief.runner.batch import run_batch

    params = make_project(tmp_path, "unappraised", localities=["17266"], languages=["vi"],
                          formats=["html"], reports=["briefing"])
    shutil.copy(_unappraised(tmp_path / "x") / "appraisal.csv",
                tmp_path / "data" / "sample" / "appraisal.csv")
    result = run_batch(params, workers=1, progress=False, echo=False)
    [job] = result.results
    assert job.status == "ok"
    assert job.detail == "not ranked: 13 criteria without points (appraisal pending)"
    assert "not ranked: 13 criteria without points" in \
        __import__("parbrief.runner.batch", fromlist=["report"]).report(result)
