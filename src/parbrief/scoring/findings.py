"""Shortcomings and recommendations (tồn tại, hạn chế và kiến nghị) derived by rules.

The rules live in ``resources/findings.yaml``: conditions over what a briefing shows (a rate,
a raw figure, the index, rank and class against the previous quarter, the weakest area), the
values quoted and the wording in Vietnamese and English. The engine interprets them as data;
nothing in the file is evaluated as code.

A value comes from one of four sources:

* ``metric``: a rate of the quarter (``parbrief.scoring.metrics``);
* ``indicator``: a raw figure of the quarter; with ``minus: <indicator>``, their difference
  (plan tasks assigned minus completed: the tasks still open);
* ``score``: the index, rank and class and their changes on the previous quarter, as shown
  (``index``, ``previous_index``, ``index_change``, ``index_fall``, ``rank``, ``rank_of``,
  ``previous_rank``, ``rank_change``, ``places_down``, ``class``, ``previous_class``,
  ``class_change``: negative when the class fell);
* ``area``: the area with the lowest share of its maximum (``weakest_name``,
  ``weakest_points``, ``weakest_max``, ``weakest_share``), from the points as shown; areas
  that tie at that share are named together and counted (``weakest_count``).

Every value a finding quotes is recorded in ``Finding.cites``, so a briefing can show each one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from parbrief.core import safe_yaml
from parbrief.core.errors import MethodologyError
from parbrief.core.periods import Quarter

COMPARISONS = ("below", "above", "at_least", "at_most", "below_expected_for_quarter")
SOURCES = ("metric", "indicator", "score", "area")
FORMATS = ("percent", "integer", "count", "points", "number", "text")
RULE_KEYS = {"id", "when", "and", "unless", "values", "text", "recommendation"}


@dataclass(frozen=True)
class Finding:
    rule: str
    text: str
    recommendation: str
    # (source, name) of every value the text quotes, e.g. ("metric", "on_time_rate")
    cites: tuple[tuple[str, str], ...] = field(default=())


def _rules_path() -> Path:
    return Path(str(resources.files("parbrief") / "resources" / "findings.yaml"))


@lru_cache(maxsize=4)
def load_rules(path: str | None = None) -> tuple[dict, ...]:
    """Read and check the rules file; a typo names the rule and the key."""
    file = Path(path) if path else _rules_path()
    try:
        doc = safe_yaml.load_file(file)
    except safe_yaml.YamlError as e:
        raise MethodologyError(str(e)) from None
    rules = doc.get("rules") if isinstance(doc, dict) else None
    if not isinstance(rules, list):
        raise MethodologyError(f"{file}: expected a top-level 'rules:' list")
    ids = [rule.get("id") for rule in rules if isinstance(rule, dict)]
    for i, rule in enumerate(rules):
        where = f"{file}: rules[{i}] ({rule.get('id', '?')})"
        unknown = set(rule) - RULE_KEYS
        if unknown:
            raise MethodologyError(f"{where}: unknown key {sorted(unknown)[0]!r}; "
                                   f"valid keys: {', '.join(sorted(RULE_KEYS))}")
        for cond in [rule["when"], *rule.get("and", [])]:
            _check_condition(cond, where)
        for name, spec in (rule.get("values") or {}).items():
            _check_value(spec, f"{where}: values.{name}")
        for other in rule.get("unless", []):
            if other not in ids[:i]:
                raise MethodologyError(f"{where}: unless {other!r} names no rule listed before it")
        for lang in ("vi", "en"):
            if lang not in rule["text"] or lang not in rule["recommendation"]:
                raise MethodologyError(f"{where}: text and recommendation need both 'vi' and 'en'")
    return tuple(rules)


def _source_keys(spec: dict, where: str) -> str:
    sources = [k for k in SOURCES if k in spec]
    if len(sources) != 1:
        raise MethodologyError(f"{where}: needs exactly one of {', '.join(SOURCES)}; "
                               f"got {sorted(spec)}")
    if "minus" in spec and sources[0] != "indicator":
        raise MethodologyError(f"{where}: 'minus' subtracts one indicator from another; use it "
                               "with 'indicator'")
    return sources[0]


def _check_condition(cond: dict, where: str) -> None:
    _source_keys(cond, where)
    ops = [k for k in cond if k in COMPARISONS]
    allowed = set(SOURCES) | {"minus"} | set(COMPARISONS)
    if len(ops) != 1 or set(cond) - allowed:
        raise MethodologyError(f"{where}: a condition needs one of {', '.join(SOURCES)} and one "
                               f"of {', '.join(COMPARISONS)}; got {sorted(cond)}")


def _check_value(spec: dict, where: str) -> None:
    _source_keys(spec, where)
    unknown = set(spec) - set(SOURCES) - {"minus", "format"}
    if unknown:
        raise MethodologyError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    if spec.get("format", "percent") not in FORMATS:
        raise MethodologyError(f"{where}: format {spec['format']!r}; use one of "
                               f"{', '.join(FORMATS)}")


def _number(x) -> float | None:
    if x is None or isinstance(x, str):
        return None
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def _raw(spec: dict, context: dict):
    source = next(k for k in SOURCES if k in spec)
    values = context.get(source) or {}
    x = values.get(spec[source])
    if "minus" in spec:
        a, b = _number(x), _number(values.get(spec["minus"]))
        return None if a is None or b is None else a - b
    return x


def _holds(cond: dict, context: dict, period: Quarter) -> bool:
    x = _number(_raw(cond, context))
    if x is None:  # a missing figure is reported in the data notes, not as a shortcoming
        return False
    if "below" in cond:
        return x < cond["below"]
    if "above" in cond:
        return x > cond["above"]
    if "at_least" in cond:
        return x >= cond["at_least"]
    if "at_most" in cond:
        return x <= cond["at_most"]
    expected = 25 * period.quarter - cond["below_expected_for_quarter"]
    return x < expected


def _formatted(spec: dict, context: dict, lang: str) -> str:
    from parbrief.core import formatting

    x = _raw(spec, context)
    kind = spec.get("format", "percent")
    if kind == "text":
        return "—" if x in (None, "") else str(x)
    x = _number(x)
    if x is None:
        return "—"
    if kind == "integer":
        return formatting.integer(x, lang)
    if kind == "count":  # a count in running text: "two areas" (en)
        return formatting.count(x, lang)
    if kind == "points":
        return formatting.points(x, lang)
    if kind == "number":  # a maximum as the tables show it: "8", "1,5"
        return formatting.number(x, lang)
    return formatting.percent(x, lang)


def _cites(spec: dict) -> list[tuple[str, str]]:
    source = next(k for k in SOURCES if k in spec)
    out = [(source, spec[source])]
    if "minus" in spec:
        out.append((source, spec["minus"]))
    return out


def evaluate(figures: dict, metrics: dict, period: Quarter | str, lang: str,
             rules_path: str | None = None, scores: dict | None = None,
             areas: dict | None = None) -> list[Finding]:
    """Findings for one locality and period, in the order of the rules file. ``scores`` and
    ``areas`` hold the values of the ``score`` and ``area`` sources, as the briefing shows
    them (class names in ``lang``)."""
    period = Quarter.parse(period)
    context = {"metric": metrics or {}, "indicator": figures or {}, "score": scores or {},
               "area": areas or {}}
    out: list[Finding] = []
    fired: set[str] = set()
    for rule in load_rules(rules_path):
        conditions = [rule["when"], *rule.get("and", [])]
        if not all(_holds(c, context, period) for c in conditions):
            continue
        if fired & set(rule.get("unless", [])):
            continue
        specs = rule.get("values") or {}
        values = {name: _formatted(spec, context, lang) for name, spec in specs.items()}
        cites = tuple(dict.fromkeys(c for spec in specs.values() for c in _cites(spec)))
        fired.add(rule["id"])
        out.append(Finding(rule["id"], rule["text"][lang].format(**values),
                           rule["recommendation"][lang].format(**values), cites))
    return out
