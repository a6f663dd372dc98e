"""The news rules (``resources/news.yaml``): which facts a lead carries, in which order, the
thresholds that make a move news, and which quarters a rank history shows (what a briefing's
peer step therefore reads)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from parbrief.core import safe_yaml
from parbrief.core.periods import Quarter
from parbrief.units import register

RULES_FILE = "news.yaml"


@lru_cache(maxsize=1)
def rules() -> dict:
    """The rules, read once."""
    path = resources.files("parbrief") / "resources" / RULES_FILE
    doc = safe_yaml.loads(path.read_text(encoding="utf-8"), RULES_FILE)
    if not isinstance(doc, dict) or not {"briefing", "overview", "history"} <= set(doc):
        raise ValueError(f"{path}: expected the sections briefing, overview and history")
    return doc


def history_quarters(period: Quarter) -> list[Quarter]:
    """The quarters a rank history shows, oldest first: the last ``history.quarters`` quarters
    and the same quarter of the ``history.years`` years before (within the same register:
    before the July-2025 merger a unit's peers were other units)."""
    h = rules()["history"]
    wanted = {period.previous(n) for n in range(int(h["quarters"]))}
    wanted |= {Quarter(period.year - n, period.quarter) for n in range(int(h["years"]) + 1)}
    same = register.register_for(period)
    return sorted((q for q in wanted if register.register_for(q) == same), key=lambda q: q.index)


__all__ = ["history_quarters", "rules"]
