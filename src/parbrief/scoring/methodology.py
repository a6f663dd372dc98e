"""Scoring methodologies (bộ chỉ số) read from YAML: areas -> criteria (-> sub-criteria).

A methodology file is data. The engine in ``scoring`` interprets a closed set of rule types;
nothing in a file is evaluated as code. Loading is strict: an unknown key, an unknown rule
type, metric or indicator, maxima that do not add up, a criterion worth more than its area, or
bands out of order are errors that name the file, the path inside it and the fix.

Where methodologies come from: the ones parbrief ships (by id), a YAML file given by path, and
the files a data set keeps in its ``methodologies/`` folder (by id). Appraisal rows name a
methodology by its ``id``; ``known`` lists every id in reach, and two files claiming one id is
an error.

Every leaf criterion belongs to one of the two components a published annual table gives
(``COMPONENTS``): the appraised points (điểm thẩm định: every criterion but the survey's) and
the survey points (điểm điều tra xã hội học). A criterion whose points are given rather than
computed from figures is *judged* (``Rule.given``): an appraisal criterion, or a survey
criterion that names no figure (its points come from the survey's published results).
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from parbrief.core import safe_yaml
from parbrief.core.errors import MethodologyError

RULE_TYPES = ("proportional", "thresholds", "boolean", "appraisal", "survey")
ADJUSTMENT_TYPES = ("per_unit", "thresholds", "boolean")
LEVELS = ("province", "district", "commune")
TOP_KEYS = {"id", "version", "title", "level", "basis", "basis_summary", "maximum", "areas",
            "bonus_penalty", "classification", "notes"}
AREA_KEYS = {"id", "name", "max", "criteria", "assumption", "source"}
CRITERION_KEYS = {"id", "name", "max", "rule", "criteria", "assumption", "source"}
ADJUSTMENT_KEYS = {"id", "name", "rule", "cap", "assumption", "source"}
BAND_KEYS = {"min", "label"}
RULE_KEYS = {
    "proportional": {"type", "metric", "indicator", "target", "direction"},
    "thresholds": {"type", "metric", "indicator", "steps"},
    "boolean": {"type", "indicator", "metric", "points"},
    "appraisal": {"type"},
    "survey": {"type", "metric", "indicator", "scale"},
    "per_unit": {"type", "metric", "indicator", "points", "per"},
}
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_]*$")
TOLERANCE = 1e-9
# The two parts of a published annual table, and the names their totals take in the criterion
# column of an appraisal table (a hyphen, which no criterion id has, so they never clash).
COMPONENTS = ("appraised", "survey")
TOTALS = {"appraised-total": "appraised", "survey-total": "survey"}
# Where a data set keeps its own methodology files.
FOLDER = "methodologies"
# Limits no real criteria set comes near (Decision 876: areas, criteria, sub-criteria; the
# longest text shipped is 419 characters): a file beyond them is a mistake, or an attack that
# would otherwise end in a RecursionError or a briefing hundreds of pages long.
MAX_CRITERIA_DEPTH = 4  # levels of criteria under an area
MAX_TEXT = 2000  # characters of any name, label, assumption, basis or note


@dataclass(frozen=True)
class Rule:
    type: str
    metric: str | None = None
    indicator: str | None = None
    target: float | None = None
    direction: str = "higher"
    steps: tuple[tuple[str, float, float], ...] = ()  # (min|max, bound, points)
    points: float | None = None
    per: float = 1.0
    scale: float = 100.0

    @property
    def source(self) -> str | None:
        return self.metric or self.indicator

    @property
    def given(self) -> bool:
        """Points are given (by the council, or the survey's results), not computed from
        figures: what must be in the appraisal table before the unit can be ranked."""
        return self.type == "appraisal" or (self.type == "survey" and self.source is None)


@dataclass(frozen=True)
class Criterion:
    id: str
    name: dict
    max_points: float
    area_id: str
    rule: Rule | None = None
    criteria: tuple[Criterion, ...] = ()
    assumption: str | None = None
    source: str | None = None

    def leaves(self) -> list[Criterion]:
        if not self.criteria:
            return [self]
        return [leaf for c in self.criteria for leaf in c.leaves()]

    @property
    def component(self) -> str:
        """``survey`` for a survey criterion, ``appraised`` for every other (``COMPONENTS``)."""
        return "survey" if self.rule is not None and self.rule.type == "survey" else "appraised"


@dataclass(frozen=True)
class Area:
    id: str
    name: dict
    max_points: float
    criteria: tuple[Criterion, ...]
    assumption: str | None = None
    source: str | None = None

    def leaves(self) -> list[Criterion]:
        return [leaf for c in self.criteria for leaf in c.leaves()]


@dataclass(frozen=True)
class Adjustment:
    id: str
    name: dict
    rule: Rule
    cap: float
    assumption: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Band:
    min: float
    label: dict


@dataclass(frozen=True)
class Methodology:
    id: str
    version: str
    title: dict
    levels: tuple[str, ...]
    basis: str
    maximum: float
    areas: tuple[Area, ...]
    adjustments: tuple[Adjustment, ...]
    bands: tuple[Band, ...]
    path: str
    checksum: str
    assumptions: tuple[str, ...] = field(default=())
    # What the set rests on, in each language, for readers ("modelled on ..., not the legal
    # basis"); ``basis`` is the maintainers' full statement.
    basis_summary: dict = field(default_factory=dict)

    def criteria(self) -> dict[str, Criterion]:
        """Every leaf criterion (the ones that carry a rule) by id, in file order."""
        return {c.id: c for a in self.areas for c in a.leaves()}

    def area(self, area_id: str) -> Area:
        for a in self.areas:
            if a.id == area_id:
                return a
        raise KeyError(area_id)

    def classify(self, index: float) -> Band | None:
        if index is None or index != index:
            return None
        for band in self.bands:
            if index >= band.min - TOLERANCE:
                return band
        return None

    def rules(self) -> list[Rule]:
        """Every rule that turns figures into points: the leaf criteria's and the bonus and
        penalty adjustments'."""
        return [c.rule for c in self.criteria().values() if c.rule] + \
            [a.rule for a in self.adjustments]

    def appraisal_criteria(self) -> list[Criterion]:
        return [c for c in self.criteria().values() if c.rule and c.rule.type == "appraisal"]

    def scores_level(self, level: str) -> bool:
        """Whether this methodology scores units of ``level``: a province-level set scores
        provinces; a district- or commune-level set scores local units of either level (a
        province's commune set scored its districts before the district level was abolished)."""
        local = ("district", "commune")
        if level == "province":
            return "province" in self.levels
        return any(lvl in local for lvl in self.levels)

    def given_criteria(self) -> list[Criterion]:
        """The leaf criteria whose points are given, not computed (``Rule.given``)."""
        return [c for c in self.criteria().values() if c.rule and c.rule.given]

    def component_maxima(self) -> dict[str, float]:
        """The maximum of the appraised points and of the survey points (``COMPONENTS``)."""
        out = dict.fromkeys(COMPONENTS, 0.0)
        for c in self.criteria().values():
            out[c.component] += c.max_points
        return {k: round(v, 9) for k, v in out.items()}

    def nodes(self) -> dict[str, Area | Criterion]:
        """Every area and criterion (sub-criteria included) by id, in file order."""
        out: dict[str, Area | Criterion] = {}

        def walk(c: Criterion) -> None:
            out[c.id] = c
            for sub in c.criteria:
                walk(sub)

        for a in self.areas:
            out[a.id] = a
            for c in a.criteria:
                walk(c)
        return out


# --------------------------------------------------------------------------- locating files


def shipped() -> dict[str, Path]:
    """The methodologies that come with parbrief, by id."""
    folder = Path(str(resources.files("parbrief").joinpath("resources/methodologies")))
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def is_file_name(name: str) -> bool:
    return Path(str(name)).suffix.lower() in (".yaml", ".yml")


def folder_of(data: str | Path | None) -> Path | None:
    """A data set's ``methodologies/`` folder (None for a single file or no folder)."""
    if data is None:
        return None
    folder = Path(data) / FOLDER
    return folder if folder.is_dir() else None


def _folder_files(folders) -> list[Path]:
    out = []
    for folder in folders:
        if folder is not None and Path(folder).is_dir():
            out += sorted(p for p in Path(folder).iterdir()
                          if p.suffix.lower() in (".yaml", ".yml") and p.is_file())
    return out


def known(folders=(), files=()) -> dict[str, Path]:
    """Every methodology in reach by id: shipped, in ``folders`` (a data set's
    ``methodologies/``) and ``files`` given by path. A file's id is its name (the loader
    checks the two agree). Two different files claiming one id is an error naming both."""
    out = dict(shipped())
    for path in _folder_files(folders) + [Path(f) for f in files]:
        mid = path.stem
        other = out.get(mid)
        if other is not None and other.resolve() != path.resolve() \
                and other.read_bytes() != path.read_bytes():
            where = "is shipped with parbrief" if other in shipped().values() \
                else f"is also {other}"
            raise MethodologyError(
                f"{path}: methodology id {mid!r} {where}; two different files cannot have "
                f"one id: give this one an id of its own (id: and file name, e.g. "
                f"{mid}-{path.parent.parent.name or 'own'})")
        out.setdefault(mid, path)
    return out


def locate(name: str, folders=()) -> Path:
    """A shipped id (``par-commune``), the id of a file in ``folders``, or a path to a YAML
    file."""
    name = str(name)
    if is_file_name(name):
        path = Path(name)
        if not path.is_file():
            raise MethodologyError(f"methodology file {name} not found; give an existing YAML "
                                   f"file or one of: {', '.join(known(folders))}")
        return path
    ids = known(folders)
    if name in ids:
        return ids[name]
    raise unknown(name, ids)


def unknown(name: str, ids: dict[str, Path]) -> MethodologyError:
    """An id that matches no methodology in reach: the error lists the ids known."""
    close = difflib.get_close_matches(name, list(ids), n=3, cutoff=0.5)
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    own = [i for i, p in ids.items() if p not in shipped().values()]
    where = f"shipped: {', '.join(shipped())}" + (f"; the data set's or given: {', '.join(own)}"
                                                  if own else "")
    return MethodologyError(
        f"unknown methodology {name!r}: {hint}the methodologies known are {where}. A "
        f"province's own methodology is named by the id: in its file, kept in the data set's "
        f"{FOLDER}/ folder or given by path")


def load(name: str, folders=()) -> Methodology:
    path = locate(str(name), folders)
    text = path.read_bytes()
    return _load_cached(str(path), hashlib.sha256(text).hexdigest())


@lru_cache(maxsize=16)
def _load_cached(path: str, checksum: str) -> Methodology:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise MethodologyError(f"{Path(path).name}: not UTF-8 text ({e.reason} at byte "
                               f"{e.start}); save it as UTF-8") from None
    return parse(text, Path(path).name, path, checksum)


# --------------------------------------------------------------------------- strict parsing


class _Reader:
    def __init__(self, file: str):
        self.file = file

    def fail(self, where: str, message: str) -> None:
        raise MethodologyError(f"{self.file}: {where}: {message}")

    def keys(self, node, allowed: set[str], where: str, required: tuple[str, ...] = ()) -> dict:
        if not isinstance(node, dict):
            self.fail(where, f"expected a mapping of keys ({', '.join(sorted(allowed))}), "
                             f"got {type(node).__name__}")
        for key in node:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), sorted(allowed), n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.fail(where, f"unknown key {key!r}{hint} Valid keys: "
                                 f"{', '.join(sorted(allowed))}")
        for key in required:
            if key not in node:
                self.fail(where, f"missing key {key!r}")
        return node

    def number(self, value, where: str, positive: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(where, f"expected a number, got {value!r}")
        if positive and value <= 0:
            self.fail(where, f"must be greater than 0, got {value!r}")
        return float(value)

    def labels(self, value, where: str) -> dict:
        if isinstance(value, str):
            return {"vi": value, "en": value}
        if not isinstance(value, dict) or not {"vi", "en"} <= set(value):
            self.fail(where, "expected labels {vi: ..., en: ...}")
        return {"vi": str(value["vi"]), "en": str(value["en"])}

    def ident(self, value, where: str, seen: set[str]) -> str:
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.fail(where, f"id {value!r} must be lowercase letters, digits and _")
        if value in seen:
            self.fail(where, f"id {value!r} is used twice; ids must be unique in the file")
        seen.add(value)
        return value


def _known_sources() -> tuple[set[str], set[str]]:
    from parbrief.core.catalogue import names
    from parbrief.scoring.metrics import METRICS

    return set(METRICS), set(names())


def _rule(r: _Reader, node, where: str, allowed_types: tuple[str, ...], max_points: float | None,
          ) -> Rule:
    if not isinstance(node, dict) or "type" not in node:
        r.fail(where, f"a rule needs a type: one of {', '.join(allowed_types)}")
    kind = node["type"]
    if kind not in allowed_types:
        close = difflib.get_close_matches(str(kind), allowed_types, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ";"
        r.fail(f"{where}.type", f"unknown rule type {kind!r}{hint} rule types are "
                                f"{', '.join(allowed_types)}")
    r.keys(node, RULE_KEYS[kind], where)
    metrics, indicators = _known_sources()
    metric, indicator = node.get("metric"), node.get("indicator")
    if metric is not None and metric not in metrics:
        close = difflib.get_close_matches(str(metric), sorted(metrics), n=2, cutoff=0.5)
        r.fail(f"{where}.metric", f"unknown metric {metric!r}"
               + (f"; did you mean {' or '.join(close)}?" if close else ""))
    if indicator is not None and indicator not in indicators:
        close = difflib.get_close_matches(str(indicator), sorted(indicators), n=2, cutoff=0.5)
        r.fail(f"{where}.indicator", f"unknown indicator {indicator!r}"
               + (f"; did you mean {' or '.join(close)}?" if close else ""))
    if metric is not None and indicator is not None:
        r.fail(where, f"a {kind} rule reads one of 'metric' or 'indicator', not both")
    # a survey rule without a figure takes the survey's published points from the appraisal table
    if kind not in ("appraisal", "survey") and metric is None and indicator is None:
        r.fail(where, f"a {kind} rule needs exactly one of 'metric' or 'indicator'")
    if kind == "proportional":
        target = r.number(node.get("target"), f"{where}.target", positive=True)
        direction = node.get("direction", "higher")
        if direction not in ("higher", "lower"):
            r.fail(f"{where}.direction", f"direction must be higher or lower, got {direction!r}")
        if direction == "lower" and target >= 100:
            r.fail(f"{where}.target", "a lower-is-better target must be under 100")
        return Rule(kind, metric, indicator, target=target, direction=direction)
    if kind == "thresholds":
        steps = node.get("steps")
        if not isinstance(steps, list) or not steps:
            r.fail(f"{where}.steps", "expected a list of {min: value, points: n} steps")
        parsed = []
        for i, step in enumerate(steps):
            w = f"{where}.steps[{i}]"
            if not isinstance(step, dict):
                r.fail(w, "expected {min: value, points: n} or {max: value, points: n}")
            bound_key = [k for k in ("min", "max") if k in step]
            r.keys(step, {"min", "max", "points"}, w, ("points",))
            if len(bound_key) != 1:
                r.fail(w, "a step needs exactly one of 'min' or 'max'")
            pts = r.number(step["points"], f"{w}.points")
            if max_points is not None and (pts > max_points + TOLERANCE or pts < 0):
                r.fail(f"{w}.points", f"{pts:g} points is outside 0..{max_points:g}, "
                                      "the criterion's max")
            parsed.append((bound_key[0], r.number(step[bound_key[0]], w), pts))
        if len({k for k, _, _ in parsed}) > 1:
            r.fail(f"{where}.steps", "mix of 'min' and 'max' steps; use one kind per rule")
        return Rule(kind, metric, indicator, steps=tuple(parsed))
    if kind == "survey":
        if metric is None and indicator is None and "scale" in node:
            r.fail(f"{where}.scale", "a survey rule without 'metric' or 'indicator' takes its "
                                     "points as given (appraisal table); remove 'scale' or name "
                                     "the figure it scales")
        return Rule(kind, metric, indicator,
                    scale=r.number(node.get("scale", 100), f"{where}.scale", positive=True))
    if kind == "per_unit":
        return Rule(kind, metric, indicator, points=r.number(node.get("points"), f"{where}.points"),
                    per=r.number(node.get("per", 1), f"{where}.per", positive=True))
    if kind == "boolean":
        pts = node.get("points")
        if pts is not None and max_points is not None and not 0 <= pts <= max_points:
            r.fail(f"{where}.points", f"{pts!r} points is outside 0..{max_points:g}, "
                                      "the criterion's max")
        return Rule(kind, metric, indicator,
                    points=None if pts is None else r.number(pts, f"{where}.points"))
    return Rule(kind)


def _criterion(r: _Reader, node, where: str, area_id: str, seen: set[str],
               assumptions: list[str], depth: int = 1) -> Criterion:
    if depth > MAX_CRITERIA_DEPTH:
        r.fail(where, f"criteria nested {depth} levels deep under their area; a methodology has "
                      f"at most {MAX_CRITERIA_DEPTH} (criteria, sub-criteria and their parts): "
                      "flatten the criteria")
    r.keys(node, CRITERION_KEYS, where, ("id", "name", "max"))
    cid = r.ident(node["id"], f"{where}.id", seen)
    where = f"{where} ({cid})"
    max_points = r.number(node["max"], f"{where}.max", positive=True)
    if node.get("assumption"):
        assumptions.append(f"{cid}: {node['assumption']}")
    children = node.get("criteria")
    if children and "rule" in node:
        r.fail(where, "a criterion has either a rule or sub-criteria, not both")
    if children:
        subs = tuple(_criterion(r, c, f"{where}.criteria[{i}]", area_id, seen, assumptions,
                                depth + 1) for i, c in enumerate(children))
        total = sum(c.max_points for c in subs)
        if abs(total - max_points) > TOLERANCE:
            r.fail(f"{where}.max", f"max is {max_points:g} but its sub-criteria add up to "
                                   f"{total:g}; make them equal")
        return Criterion(cid, r.labels(node["name"], f"{where}.name"), max_points, area_id,
                         None, subs, node.get("assumption"), _text(node.get("source")))
    if "rule" not in node:
        r.fail(where, "missing key 'rule' (or 'criteria' for sub-criteria)")
    rule = _rule(r, node["rule"], f"{where}.rule", RULE_TYPES, max_points)
    return Criterion(cid, r.labels(node["name"], f"{where}.name"), max_points, area_id, rule,
                     (), node.get("assumption"), _text(node.get("source")))


def _text(value) -> str | None:
    return None if value is None else str(value)


def _check_texts(r: _Reader, node, where: str) -> None:
    """Every text of the file within ``MAX_TEXT`` characters (names and assumptions are
    printed in every briefing)."""
    if isinstance(node, dict):
        for key, value in node.items():
            _check_texts(r, value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _check_texts(r, value, f"{where}[{i}]")
    elif isinstance(node, str) and len(node) > MAX_TEXT:
        r.fail(where or "top level", f"a text of {len(node):,} characters; names, labels, "
                                     f"assumptions and notes are at most {MAX_TEXT:,}: shorten "
                                     "it (cite the document rather than copy it)")


def _rule_point_values(rule: Rule) -> list[float]:
    return [p for _, _, p in rule.steps] + ([rule.points] if rule.points is not None else [])


def parse(text: str, file: str = "<methodology>", path: str = "", checksum: str = "") -> Methodology:
    r = _Reader(file)
    try:
        doc = safe_yaml.loads(text, file)
    except safe_yaml.YamlError as e:
        raise MethodologyError(str(e)) from None
    _check_texts(r, doc, "")
    r.keys(doc, TOP_KEYS, "top level", ("id", "version", "title", "level", "maximum", "areas",
                                        "classification"))
    levels = doc["level"] if isinstance(doc["level"], list) else [doc["level"]]
    for lvl in levels:
        if lvl not in LEVELS:
            r.fail("level", f"unknown level {lvl!r}; use {', '.join(LEVELS)}")
    maximum = r.number(doc["maximum"], "maximum", positive=True)
    seen: set[str] = set()
    assumptions: list[str] = []
    areas = []
    if not isinstance(doc["areas"], list) or not doc["areas"]:
        r.fail("areas", "expected a list of areas")
    for i, node in enumerate(doc["areas"]):
        where = f"areas[{i}]"
        r.keys(node, AREA_KEYS, where, ("id", "name", "max", "criteria"))
        aid = r.ident(node["id"], f"{where}.id", seen)
        where = f"areas[{i}] ({aid})"
        amax = r.number(node["max"], f"{where}.max", positive=True)
        if node.get("assumption"):
            assumptions.append(f"{aid}: {node['assumption']}")
        if not isinstance(node["criteria"], list) or not node["criteria"]:
            r.fail(f"{where}.criteria", "expected a list of criteria")
        criteria = tuple(_criterion(r, c, f"{where}.criteria[{j}]", aid, seen, assumptions)
                         for j, c in enumerate(node["criteria"]))
        for c in criteria:
            if c.max_points > amax + TOLERANCE:
                r.fail(f"{where} criterion {c.id}", f"max {c.max_points:g} exceeds its area's "
                                                    f"max {amax:g}; lower the criterion's max "
                                                    "or raise the area's")
        total = sum(c.max_points for c in criteria)
        if abs(total - amax) > TOLERANCE:
            r.fail(f"{where}.max", f"max is {amax:g} but its criteria add up to {total:g}; "
                                   "make them equal")
        areas.append(Area(aid, r.labels(node["name"], f"{where}.name"), amax, criteria,
                          node.get("assumption"), _text(node.get("source"))))
    total = sum(a.max_points for a in areas)
    if abs(total - maximum) > TOLERANCE:
        r.fail("maximum", f"maximum is {maximum:g} but the areas add up to {total:g}; "
                          "make them equal")
    adjustments = []
    for i, node in enumerate(doc.get("bonus_penalty") or []):
        where = f"bonus_penalty[{i}]"
        r.keys(node, ADJUSTMENT_KEYS, where, ("id", "name", "rule", "cap"))
        aid = r.ident(node["id"], f"{where}.id", seen)
        rule = _rule(r, node["rule"], f"{where} ({aid}).rule", ADJUSTMENT_TYPES, None)
        cap = r.number(node["cap"], f"{where} ({aid}).cap")
        if cap == 0:
            r.fail(f"{where} ({aid}).cap", "a cap of 0 makes the item useless")
        signs = {p > 0 for p in _rule_point_values(rule) if p != 0}
        if signs and signs != {cap > 0}:
            r.fail(f"{where} ({aid}).cap", f"cap {cap:g} has the opposite sign of the rule's "
                                           "points; a penalty needs a negative cap, a bonus a "
                                           "positive one")
        if node.get("assumption"):
            assumptions.append(f"{aid}: {node['assumption']}")
        adjustments.append(Adjustment(aid, r.labels(node["name"], f"{where}.name"), rule, cap,
                                      node.get("assumption"), _text(node.get("source"))))
    bands = []
    if not isinstance(doc["classification"], list) or not doc["classification"]:
        r.fail("classification", "expected a list of {min, label} bands")
    for i, node in enumerate(doc["classification"]):
        where = f"classification[{i}]"
        r.keys(node, BAND_KEYS, where, ("min", "label"))
        bands.append(Band(r.number(node["min"], f"{where}.min"),
                          r.labels(node["label"], f"{where}.label")))
    for i in range(1, len(bands)):
        if bands[i].min >= bands[i - 1].min:
            r.fail(f"classification[{i}].min", "bands must be listed from the highest min down")
    if bands[-1].min > 0:
        r.fail(f"classification[{len(bands) - 1}].min",
               "the last band must start at 0 so that every index gets a class")
    stem = Path(path).stem if path else doc["id"]
    if path and doc["id"] != stem:
        r.fail("id", f"id {doc['id']!r} differs from the file name {stem!r}; make them equal")
    title = r.labels(doc["title"], "title")
    return Methodology(
        id=str(doc["id"]), version=str(doc["version"]), title=title, levels=tuple(levels),
        basis=str(doc.get("basis", "")), maximum=maximum, areas=tuple(areas),
        adjustments=tuple(adjustments), bands=tuple(bands), path=path,
        checksum=checksum or hashlib.sha256(text.encode()).hexdigest(),
        assumptions=tuple(assumptions),
        basis_summary=r.labels(doc["basis_summary"], "basis_summary")
        if doc.get("basis_summary") is not None else {})


__all__ = ["COMPONENTS", "FOLDER", "Methodology", "Area", "Criterion", "Rule", "Adjustment",
           "Band", "TOTALS", "folder_of", "is_file_name", "known", "load", "parse", "shipped", "locate", "unknown",
           "RULE_TYPES"]
