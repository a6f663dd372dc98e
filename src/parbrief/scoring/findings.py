"""Shortcomings and recommendations (tồn tại, hạn chế và kiến nghị) derived by rules.

The rules live in ``resources/findings.yaml``: a condition over a metric or a raw indicator,
the values quoted and the wording in Vietnamese and English. The engine interprets them as
data; nothing in the file is evaluated as code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from parbrief.core import safe_yaml
from parbrief.core.errors import MethodologyError
from parbrief.core.periods import Quarter

COMPARISONS = ("below", "above", "at_least", "at_most", "below_expected_for_quarter")
RULE_KEYS = {"id", "when", "and", "values", "text", "recommendation"}


@dataclass(frozen=True)
class Finding:
    rule: str
    text: str
    recommendation: str


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
    for i, rule in enumerate(rules):
        where = f"{file}: rules[{i}] ({rule.get('id', '?')})"
        unknown = set(rule) - RULE_KEYS
        if unknown:
            raise MethodologyError(f"{where}: unknown key {sorted(unknown)[0]!r}; "
                                   f"valid keys: {', '.join(sorted(RULE_KEYS))}")
        for cond in [rule["when"], *rule.get("and", [])]:
            _check_condition(cond, where)
        for lang in ("vi", "en"):
            if lang not in rule["text"] or lang not in rule["recommendation"]:
                raise MethodologyError(f"{where}: text and recommendation need both 'vi' and 'en'")
    return tuple(rules)


def _check_condition(cond: dict, where: str) -> None:
    sources = [k for k in ("metric", "indicator") if k in cond]
    ops = [k for k in cond if k in COMPARISONS]
    if len(sources) != 1 or len(ops) != 1 or len(cond) != 2:
        raise MethodologyError(f"{where}: a condition needs one of metric/indicator and one of "
                               f"{', '.join(COMPARISONS)}; got {sorted(cond)}")


def _value(source: dict, figures: dict, metrics: dict) -> float | None:
    x = metrics.get(source["metric"]) if "metric" in source else figures.get(source["indicator"])
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return float(x)


def _holds(cond: dict, figures: dict, metrics: dict, period: Quarter) -> bool:
    x = _value(cond, figures, metrics)
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


def evaluate(figures: dict, metrics: dict, period: Quarter | str, lang: str,
             rules_path: str | None = None) -> list[Finding]:
    """Findings for one locality and period, in the order of the rules file."""
    from parbrief.core import formatting

    period = Quarter.parse(period)
    out = []
    for rule in load_rules(rules_path):
        conditions = [rule["when"], *rule.get("and", [])]
        if not all(_holds(c, figures, metrics, period) for c in conditions):
            continue
        values = {}
        for name, spec in rule.get("values", {}).items():
            x = _value(spec, figures, metrics)
            if x is None:
                values[name] = "—"
            elif spec.get("format") == "integer":
                values[name] = formatting.integer(round(x), lang)
            else:
                values[name] = formatting.percent(x, lang)
        out.append(Finding(rule["id"], rule["text"][lang].format(**values),
                           rule["recommendation"][lang].format(**values)))
    return out
