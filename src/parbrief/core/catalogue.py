"""The indicator catalogue (danh mục chỉ tiêu): every raw figure a locality reports each quarter.

Loaded once from ``resources/indicators.yaml``. Each indicator has a type that decides how its
values are checked: ``count`` (a non-negative whole number), ``percent`` (0-100) or ``boolean``
(0 or 1); ``part_of`` names the figures it can never exceed. ``sums`` lists parts that
together can never exceed their whole (on time + late <= resolved).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from parbrief.core import safe_yaml
from parbrief.core.errors import ParameterError

TYPES = ("count", "percent", "boolean")
# How a year's figure is made from its quarters, and the default for each type.
OVER_YEAR = ("sum", "last", "mean")
OVER_YEAR_DEFAULT = {"count": "sum", "percent": "mean", "boolean": "last"}
LANGS = ("vi", "en")


@dataclass(frozen=True)
class Indicator:
    """One raw figure, e.g. ``records_resolved_on_time`` (a count, part of ``records_resolved``)."""

    name: str
    type: str
    unit: str
    group: str
    required: bool = False
    part_of: tuple[str, ...] = ()
    # how a year's (or a year to date's) figure is made from its quarters: sum | last | mean
    over_year: str = "sum"
    # accumulates from the start of the year: compared with the same quarter last year
    year_to_date: bool = False
    # A dict is not hashable; the name already identifies the indicator.
    labels: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def label(self, lang: str = "en") -> str:
        if lang not in self.labels:
            raise ParameterError(
                f"no {lang!r} label for indicator {self.name}; use one of {', '.join(LANGS)}")
        return self.labels[lang]


@dataclass(frozen=True)
class SumOfParts:
    """Figures that never overlap, so that together they cannot exceed ``whole``."""

    whole: str
    parts: tuple[str, ...]


def _indicator(entry: dict) -> Indicator:
    return Indicator(
        name=entry["name"],
        type=entry["type"],
        unit=str(entry.get("unit", "")),
        group=entry.get("group", ""),
        required=bool(entry.get("required", False)),
        part_of=tuple(entry.get("part_of") or ()),
        over_year=entry.get("over_year") or OVER_YEAR_DEFAULT.get(entry["type"], "sum"),
        year_to_date=bool(entry.get("year_to_date", False)),
        labels=dict(entry.get("labels") or {}),
    )


@lru_cache(maxsize=1)
def _document() -> dict:
    text = resources.files("parbrief").joinpath("resources/indicators.yaml").read_text("utf-8")
    return safe_yaml.loads(text, "indicators.yaml")


@lru_cache(maxsize=1)
def _load() -> dict[str, Indicator]:
    entries = _document()["indicators"]
    out = {}
    for entry in entries:
        ind = _indicator(entry)
        # The catalogue ships with the package, so a broken entry is a programming error.
        assert ind.type in TYPES, f"indicator {ind.name}: unknown type {ind.type}"
        assert ind.over_year in OVER_YEAR, f"indicator {ind.name}: unknown over_year {ind.over_year}"
        assert ind.name not in out, f"indicator {ind.name} listed twice"
        out[ind.name] = ind
    for ind in out.values():
        for whole in ind.part_of:
            assert whole in out, f"indicator {ind.name}: part_of names unknown {whole}"
    return out


@lru_cache(maxsize=1)
def _sums() -> tuple[SumOfParts, ...]:
    cat = _load()
    out = []
    for entry in _document().get("sums") or ():
        group = SumOfParts(entry["whole"], tuple(entry["parts"]))
        # Shipped with the package, as the indicators: a broken group is a programming error.
        assert len(group.parts) >= 2, f"sums: {group.whole} needs two parts or more"
        for part in group.parts:
            assert group.whole in cat[part].part_of, f"sums: {part} is not part_of {group.whole}"
        out.append(group)
    return tuple(out)


def sums() -> tuple[SumOfParts, ...]:
    """Groups of parts that together never exceed their whole, in catalogue order."""
    return _sums()


def catalogue() -> dict[str, Indicator]:
    """All indicators by name, in catalogue order (the order of template columns)."""
    return dict(_load())


def names() -> list[str]:
    return list(_load())


def closest(name: str, n: int = 3) -> list[str]:
    """Catalogue names closest to a misspelt one (for "did you mean" hints)."""
    return difflib.get_close_matches(str(name).strip(), list(_load()), n=n, cutoff=0.6)


def get(name: str) -> Indicator:
    cat = _load()
    if name in cat:
        return cat[name]
    close = closest(name)
    hint = f"; did you mean {' or '.join(close)}?" if close else \
        "; see docs/data-format.md for the list of indicators"
    raise ParameterError(f"unknown indicator {name!r}{hint}")


def label(name: str, lang: str = "en") -> str:
    """The indicator's label in ``lang`` ("vi" or "en")."""
    return get(name).label(lang)
