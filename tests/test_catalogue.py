import pytest

from parbrief.core import catalogue
from parbrief.core.errors import ParameterError


def test_catalogue_has_43_indicators_in_file_order():
    cat = catalogue.catalogue()
    assert len(cat) == 43
    assert list(cat)[:3] == ["procedures_total", "procedures_published", "procedures_online_full"]
    assert {ind.type for ind in cat.values()} == {"count", "percent", "boolean"}


def test_an_indicator_carries_type_unit_group_required_parts_and_labels():
    ind = catalogue.catalogue()["records_resolved_on_time"]
    assert (ind.name, ind.type, ind.unit, ind.group, ind.required, ind.part_of) == (
        "records_resolved_on_time", "count", "records", "records", True, ("records_resolved",))
    assert ind.labels == {"vi": "Số hồ sơ giải quyết đúng và trước hạn",
                          "en": "Records resolved on or before the promised date"}
    assert catalogue.catalogue()["satisfaction_rate"].required is False
    assert catalogue.catalogue()["satisfaction_rate"].part_of == ()


def test_every_part_of_names_a_catalogue_indicator():
    cat = catalogue.catalogue()
    assert all(whole in cat for ind in cat.values() for whole in ind.part_of)


def test_label_in_both_languages():
    assert catalogue.label("procedures_published", "vi") == "Số TTHC được công khai"
    assert catalogue.label("procedures_published", "en") == "Number of procedures publicly listed"


def test_loaded_once_and_callers_cannot_corrupt_it():
    first = catalogue.catalogue()
    first.pop("procedures_total")
    assert "procedures_total" in catalogue.catalogue()
    assert catalogue._load() is catalogue._load()


def test_unknown_indicator_or_language_says_what_to_use():
    with pytest.raises(ParameterError) as e:
        catalogue.label("records_recieved")
    assert str(e.value) == ("unknown indicator 'records_recieved'; did you mean records_received "
                            "or records_resolved or records_overdue?")
    with pytest.raises(ParameterError) as e:
        catalogue.label("records_received", "fr")
    assert str(e.value) == "no 'fr' label for indicator records_received; use one of vi, en"


def test_data_format_doc_lists_every_indicator():
    from pathlib import Path

    doc = (Path(__file__).parents[1] / "docs" / "data-format.md").read_text(encoding="utf-8")
    assert all(f"| `{name}` |" in doc for name in catalogue.names())


def test_no_count_shares_its_label_with_a_rate():
    """A table that shows a rate and the count it is made of names them apart ("Records
    resolved late" 5.74% and "Number of records resolved late" 30), in both languages."""
    from parbrief.scoring.metrics import METRICS

    for lang in ("vi", "en"):
        rates = {m.labels[lang].lower() for m in METRICS.values()}
        same = [n for n, i in catalogue.catalogue().items()
                if i.type == "count" and i.labels[lang].lower() in rates]
        assert same == [], lang
