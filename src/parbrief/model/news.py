"""The news in a quarter's scores (tin chính): who moved, by how many places, who changed
class, who is first and last, and a unit's rank over the last quarters and years.

Computed once here from the peer group's score tables (the peer step a report declares,
``model.inputs.PeerGroup``, scored by ``sources.group_scores``); the leads,
headlines, class-change table and press release word it in ``present``. Which facts make a
lead, and the thresholds that make a move news, are configuration (``resources/news.yaml``).

Ranks compare only within one register: a 2025 commune has no rank before July 2025 (its
peers were other units), so its rank history starts at the merger.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from parbrief.core.periods import Quarter
from parbrief.model.news_rules import history_quarters, rules
from parbrief.units import crosswalk, register


def _number(x) -> float | None:
    if x is None:
        return None
    try:
        return None if pd.isna(x) else float(x)
    except (TypeError, ValueError):
        return None


def class_order(method) -> dict[str, int]:
    """Band position by English label: 0 is the best class."""
    return {band.label["en"]: i for i, band in enumerate(method.bands)}


def movements(tables: dict[Quarter, pd.DataFrame], method, period: Quarter) -> pd.DataFrame:
    """The peer group's scores (``tables``: the peer step's league table of each quarter) with
    what moved since the previous quarter: one row per reporting unit, sorted by rank.

    Columns: code, name, index, index_change, rank, rank_of, rank_change (places, + = up),
    previous_rank, previous_index, classification, classification_vi, previous_classification,
    previous_classification_vi, class_step (+n = up n classes, −n = down, NaN = no previous).
    """
    scores = tables.get(period, pd.DataFrame())
    if scores.empty:
        return pd.DataFrame()
    out = scores[["code", "name", "index", "index_change", "rank", "rank_of", "rank_change",
                  "classification", "classification_vi"]].copy()
    out["rank"] = out["rank"].astype("int64")
    previous = period.previous()
    prev = pd.DataFrame()
    if register.register_for(previous) == register.register_for(period):
        prev = tables.get(previous, pd.DataFrame())
    if len(prev):
        by_code = prev.set_index("code")
        out["previous_rank"] = out.code.map(by_code["rank"]).astype("float64")
        out["previous_index"] = out.code.map(by_code["index"]).astype("float64")
        out["previous_classification"] = out.code.map(by_code["classification"])
        out["previous_classification_vi"] = out.code.map(by_code["classification_vi"])
    else:
        out["previous_rank"] = math.nan
        out["previous_index"] = math.nan
        out["previous_classification"] = None
        out["previous_classification_vi"] = None
    order = class_order(method)
    out["class_step"] = [
        float(order[p] - order[c]) if isinstance(p, str) and p in order and c in order
        else math.nan
        for c, p in zip(out.classification, out.previous_classification)]
    return out.sort_values(["rank", "code"], kind="stable").reset_index(drop=True)


def _position(values: pd.Series, value: float, largest: bool) -> tuple[int, bool]:
    """(1-based position of ``value`` among ``values``, largest first or smallest first;
    whether another unit shares it)."""
    values = values.dropna()
    better = (values > value).sum() if largest else (values < value).sum()
    return int(better) + 1, int((values == value).sum()) > 1


@dataclass(frozen=True)
class RankPoint:
    """A unit's index, rank and class in one quarter (``rank`` None: it did not report)."""

    period: Quarter
    index: float | None
    rank: int | None
    rank_of: int | None
    classification: dict | None  # {"vi": ..., "en": ...}


def rank_history(tables: dict[Quarter, pd.DataFrame], unit: register.Locality,
                 period: Quarter) -> list[RankPoint]:
    """The unit's rank in each quarter of ``history_quarters`` where its peer group was
    scored, oldest first."""
    points = []
    for q in history_quarters(period):
        scores = tables.get(q, pd.DataFrame())
        if scores.empty:
            continue
        own = scores[scores.code == unit.code]
        if own.empty:
            points.append(RankPoint(q, None, None, int(len(scores)), None))
            continue
        r = own.iloc[0]
        points.append(RankPoint(q, _number(r["index"]), int(r["rank"]), int(r["rank_of"]),
                                {"vi": r["classification_vi"], "en": r["classification"]}))
    return points


@dataclass
class UnitNews:
    """What is news about one unit this quarter, among its peers."""

    movement: dict  # the unit's row of ``movements`` (empty: it did not report)
    first: bool = False
    last: bool = False
    tied: bool = False  # shares its rank
    rise_position: int | None = None  # 1: the largest rise of index in the peer group
    fall_position: int | None = None
    climb_position: int | None = None  # 1: the largest climb in places
    drop_position: int | None = None
    shared_move: bool = False  # another unit moved by exactly as much
    comparable: int = 0  # peers with a previous quarter to compare with
    history: list[RankPoint] = field(default_factory=list)

    @property
    def class_step(self) -> int:
        step = _number(self.movement.get("class_step"))
        return 0 if step is None else int(step)

    @property
    def rank_change(self) -> int | None:
        v = _number(self.movement.get("rank_change"))
        return None if v is None else int(v)

    @property
    def index_change(self) -> float | None:
        return _number(self.movement.get("index_change"))


def unit_news(tables: dict[Quarter, pd.DataFrame], method, unit: register.Locality,
              period: Quarter) -> UnitNews:
    """The news about ``unit`` in ``period``: its movement, whether it is first or last, the
    largest riser or faller, and its rank history (``tables``: the peer step's)."""
    moved = movements(tables, method, period)
    history = rank_history(tables, unit, period)
    if moved.empty or unit.code not in set(moved.code):
        return UnitNews(movement={}, history=history)
    row = moved[moved.code == unit.code].iloc[0].to_dict()
    rank = int(row["rank"])
    news = UnitNews(movement=row, first=rank == int(moved["rank"].min()),
                    last=rank == int(moved["rank"].max()) and len(moved) > 1,
                    tied=int((moved["rank"] == rank).sum()) > 1,
                    comparable=int(moved.index_change.notna().sum()), history=history)
    change = _number(row.get("index_change"))
    if change is not None:
        if change > 0:
            news.rise_position, news.shared_move = _position(moved.index_change, change, True)
        elif change < 0:
            news.fall_position, news.shared_move = _position(moved.index_change, change, False)
    places = _number(row.get("rank_change"))
    if places is not None:
        if places > 0:
            news.climb_position, _ = _position(moved.rank_change, places, True)
        elif places < 0:
            news.drop_position, _ = _position(moved.rank_change, places, False)
    return news


@dataclass
class ProvinceNews:
    """What is news in a peer group this quarter."""

    moved: pd.DataFrame  # ``movements``
    comparable: int  # units with a previous quarter to compare with
    risers: pd.DataFrame  # largest rises of index, largest first
    fallers: pd.DataFrame  # largest falls, largest first
    climbers: pd.DataFrame  # largest climbs in places
    droppers: pd.DataFrame
    class_up: pd.DataFrame  # units that moved up a class (or more), largest step first
    class_down: pd.DataFrame
    leaders: pd.DataFrame  # first place (ties included)
    last: pd.DataFrame
    previous_leaders: list[str] = field(default_factory=list)  # codes first last quarter

    @property
    def class_changes(self) -> pd.DataFrame:
        """Every unit that changed class: up first, then down, each by rank."""
        return pd.concat([self.class_up, self.class_down]) if len(self.moved) else self.moved


def province_news(tables: dict[Quarter, pd.DataFrame], method, period: Quarter
                  ) -> ProvinceNews:
    """What is news among a peer group's units this quarter (``tables``: the peer step's
    league tables of this quarter and the one before)."""
    moved = movements(tables, method, period)
    n = int(rules()["overview"]["movers"])
    if moved.empty:
        empty = moved
        return ProvinceNews(moved, 0, empty, empty, empty, empty, empty, empty, empty, empty)
    changed = moved.dropna(subset=["index_change"])
    risers = changed[changed.index_change > 0].sort_values(
        ["index_change", "rank", "code"], ascending=[False, True, True]).head(n)
    fallers = changed[changed.index_change < 0].sort_values(
        ["index_change", "rank", "code"], ascending=[True, True, True]).head(n)
    ranked = moved.dropna(subset=["rank_change"])
    climbers = ranked[ranked.rank_change > 0].sort_values(
        ["rank_change", "rank", "code"], ascending=[False, True, True]).head(n)
    droppers = ranked[ranked.rank_change < 0].sort_values(
        ["rank_change", "rank", "code"], ascending=[True, True, True]).head(n)
    stepped = moved.dropna(subset=["class_step"])
    class_up = stepped[stepped.class_step > 0].sort_values(["rank", "code"])
    class_down = stepped[stepped.class_step < 0].sort_values(["rank", "code"])
    leaders = moved[moved["rank"] == moved["rank"].min()]
    last = moved[moved["rank"] == moved["rank"].max()] if len(moved) > 1 else moved.iloc[:0]
    previous_leaders = sorted(moved.loc[moved.previous_rank == 1, "code"])
    return ProvinceNews(moved=moved, comparable=int(changed.shape[0]), risers=risers,
                        fallers=fallers, climbers=climbers, droppers=droppers,
                        class_up=class_up, class_down=class_down, leaders=leaders, last=last,
                        previous_leaders=previous_leaders)


def former_districts(codes) -> dict[str, str]:
    """The former (pre-2025) district most of each 2025 commune's area came from: the
    district whose communes give it the largest share of figures under area apportionment.
    Communes the crosswalk does not know are left out."""
    cw = crosswalk.district_crosswalk("area")
    mine = cw[cw.commune_code.isin([str(c) for c in codes])]
    if mine.empty:
        return {}
    best = mine.sort_values(["commune_code", "share", "legacy_district_code"],
                            ascending=[True, False, True]).drop_duplicates("commune_code")
    return dict(zip(best.commune_code, best.legacy_district_code))


__all__ = ["ProvinceNews", "RankPoint", "UnitNews", "class_order", "former_districts",
           "history_quarters", "movements", "province_news", "rank_history", "rules",
           "unit_news"]
