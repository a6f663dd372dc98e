"""Synthetic sample data (số liệu mẫu giả lập) on the real unit register.

``generate`` invents the quarterly figures every locality of a province (or of the whole
country) would report, and the appraisal council's points, so that notebooks, briefings and
tests have realistic data to run on. The data are SYNTHETIC: every row's ``source`` says so.

What makes them realistic:

* the real register: before 2025Q3 the province's legacy districts report, from 2025Q3 its
  2025 communes (the district level was abolished on 1 July 2025);
* every catalogue indicator, with its type (whole counts, percents 0-100, booleans 0/1) and its
  ``part_of`` constraints (a part never exceeds its whole);
* a persistent "quality" per locality, so that a locality's rates are correlated over time and
  across indicators; a 2025 commune inherits part of its predecessor districts' quality, so
  series continue plausibly across the merger;
* year-to-date plan completion (low in Q1, high in Q4) and a slow rise of online submission.

Planted problems (documented in the README written next to the data, with the codes):
late records without apology letters in the latest quarter; one locality per province with a
persistently low online share; one locality per province missing its latest submission.

Random numbers come from a counter-based hash of (seed, locality, draw, quarter) rather than
from a sequential generator, so a locality's figures do not depend on which other localities or
quarters were generated with it: Nghe An alone and Nghe An inside the national run agree.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from parbrief.core import safe_yaml
from parbrief.core.errors import MethodologyError, ParameterError
from parbrief.core.periods import MERGER_QUARTER, Quarter, quarter_range
from parbrief.units import crosswalk
from parbrief.units import register as reg

FIGURE_COLUMNS = ["locality_code", "period", "indicator", "value", "source"]
APPRAISAL_COLUMNS = ["methodology", "locality_code", "period", "criterion", "points", "source"]
ALL = "all"

# Legacy and 2025 codes overlap, so each (register, level) gets its own key range.
_KEY_OFFSET = {(reg.LEGACY, "district"): 1 << 40, (reg.REG_2025, "commune"): 2 << 40}
# Typical records received per quarter; a 2025 commune is far smaller than a legacy district.
_BASE_RECORDS = {"district": 5000.0, "commune": 1200.0}
_TYPE_SIZE = {"Thành phố": 1.8, "Quận": 1.6, "Thị xã": 1.2, "Huyện": 1.0,
              "Phường": 1.4, "Xã": 1.0, "Đặc khu": 0.6}
# Year-to-date share of the annual PAR plan completed at the end of each quarter.
_PLAN_BASE = (0.22, 0.48, 0.72, 0.93)
_SEASON = (0.85, 1.0, 1.05, 1.1)


def source_text(seed: int) -> str:
    return f"synthetic: parbrief sample --seed {seed}"


# --------------------------------------------------------------------------- random draws

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a fast, well-mixed 64-bit hash (wraps on purpose)."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _uniform(seed: int, keys: np.ndarray, name: str, *extra: int) -> np.ndarray:
    """Uniform numbers in (0, 1), one per key, fixed by (seed, key, name, extra)."""
    with np.errstate(over="ignore"):
        h = _mix(np.full(keys.shape, np.uint64(seed % 2**64)) + _GOLDEN)
        for k in (zlib.crc32(name.encode()), *extra):
            h = _mix(h ^ (np.uint64(k % 2**64) + _GOLDEN))
        h = _mix(h ^ keys)
    return ((h >> np.uint64(11)).astype(np.float64) + 0.5) / 2.0**53


def _normal(seed: int, keys: np.ndarray, name: str, *extra: int) -> np.ndarray:
    """Standard normal numbers (Box-Muller), clipped to +-3 so no draw runs away."""
    u1 = _uniform(seed, keys, name, 0, *extra)
    u2 = _uniform(seed, keys, name, 1, *extra)
    return np.clip(np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2), -3.0, 3.0)


def _poisson(lam: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Poisson counts by inverting the CDF (the rates here are small)."""
    lam = np.broadcast_to(np.asarray(lam, dtype=float), u.shape)
    k = np.zeros(u.shape)
    p = np.exp(-lam)
    cdf = p.copy()
    for i in range(1, 80):
        more = u > cdf
        if not more.any():
            break
        k += more
        p = p * lam / i
        cdf = cdf + p
    return k


def _sig(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


# --------------------------------------------------------------------------- catalogue, methodologies


@lru_cache(maxsize=1)
def _catalogue() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(name, type, part_of) of every indicator, in catalogue order."""
    text = resources.files("parbrief").joinpath("resources/indicators.yaml").read_text("utf-8")
    return tuple((e["name"], e["type"], tuple(e.get("part_of") or ()))
                 for e in safe_yaml.loads(text, "indicators.yaml")["indicators"])


@dataclass(frozen=True)
class _Methodology:
    id: str
    levels: tuple[str, ...]
    leaves: tuple[tuple[str, float], ...]  # (criterion id, max) of every appraisal leaf


def _appraisal_leaves(nodes: list, path: str) -> list[tuple[str, float]]:
    out = []
    for i, node in enumerate(nodes or []):
        where = f"{path}[{i}]"
        if node.get("criteria"):
            out += _appraisal_leaves(node["criteria"], f"{where}.criteria")
            continue
        rule = node.get("rule") or {}
        if rule.get("type") == "appraisal":
            if "id" not in node or "max" not in node:
                raise MethodologyError(f"{where}: an appraisal criterion needs an id and a max")
            out.append((str(node["id"]), float(node["max"])))
    return out


def read_methodologies(where: str | Path | list | None = None) -> list[_Methodology]:
    """The methodologies whose appraisal criteria get points, read straight from their YAML.

    ``where`` is a folder of ``<id>.yaml`` files (default: the package's methodologies), or a
    list of YAML files.
    """
    if where is None:
        folder = resources.files("parbrief").joinpath("resources/methodologies")
        files = sorted(Path(str(folder)).glob("*.yaml")) if folder.is_dir() else []
    elif isinstance(where, (list, tuple)):
        files = [Path(p) for p in where]
    else:
        files = sorted(Path(where).glob("*.yaml"))
    out = []
    for path in files:
        try:
            doc = safe_yaml.load_file(path, path.name) or {}
        except safe_yaml.YamlError as e:
            raise MethodologyError(str(e)) from None
        out.append(_Methodology(
            id=str(doc.get("id") or path.stem),
            levels=tuple(str(v) for v in (doc.get("level") if isinstance(doc.get("level"), list)
                                          else [doc.get("level", "")])),
            leaves=tuple(_appraisal_leaves(
                [c for a in doc.get("areas") or [] for c in (a.get("criteria") or [])],
                f"{path.name}:areas")),
        ))
    return out


# --------------------------------------------------------------------------- localities


@lru_cache(maxsize=1)
def _province_map() -> dict[str, str]:
    """Legacy province code -> the 2025 province that absorbed it."""
    cw = crosswalk.commune_crosswalk()
    pairs = cw[["legacy_province_code", "province_code"]].drop_duplicates()
    return dict(zip(pairs.legacy_province_code, pairs.province_code))


def resolve_province(province: str) -> str:
    """A 2025 province code, or ``all``; a legacy-only code names the province that absorbed it."""
    province = str(province).strip()
    if province.lower() == ALL:
        return ALL
    new = reg.table(reg.REG_2025)
    provinces = new[new.level == "province"]
    if province in set(provinces.code):
        return province
    legacy = reg.table(reg.LEGACY)
    old = legacy[(legacy.level == "province") & (legacy.code == province)]
    if not old.empty:
        into = _province_map().get(province)
        name = provinces.set_index("code").name.get(into, "")
        raise ParameterError(
            f"province {province!r} ({old.name.iloc[0]}) was merged into {into} {name} on 1 July "
            f"2025; use --province {into} (its sample covers the merged provinces' legacy "
            "districts before 2025Q3)")
    raise ParameterError(
        f"unknown province code {province!r}: give a 2025 province code such as 40 (Nghệ An) "
        "or 'all'")


@lru_cache(maxsize=4)
def _units(register: str, province: str) -> pd.DataFrame:
    """The reporting units of one register: legacy districts or 2025 communes.

    Columns: code, name, unit_type, level, province (always the 2025 province), key.
    """
    level = "district" if register == reg.LEGACY else "commune"
    df = reg.table(register)
    df = df[df.level == level]
    prov = df.province_code.map(_province_map()) if register == reg.LEGACY else df.province_code
    out = pd.DataFrame({"code": df.code, "name": df["name"], "unit_type": df.unit_type,
                        "level": level, "province": prov})
    if province != ALL:
        out = out[out.province == province]
    out = out.sort_values("code", kind="stable").reset_index(drop=True)
    out["key"] = out.code.astype("int64").astype("uint64") + np.uint64(_KEY_OFFSET[(register, level)])
    return out


@lru_cache(maxsize=4)
def _district_quality(seed: int) -> pd.Series:
    units = _units(reg.LEGACY, ALL)
    return pd.Series(_normal(seed, units.key.to_numpy(np.uint64), "quality"), index=units.code)


def _quality(seed: int, units: pd.DataFrame) -> np.ndarray:
    """Persistent quality (standard normal) of each unit.

    A 2025 commune inherits 60 % of the share-weighted quality of its predecessor districts,
    so that its reconstructed pre-merger series and its own series look like one locality.
    """
    keys = units.key.to_numpy(np.uint64)
    own = _normal(seed, keys, "quality")
    if len(units) == 0 or units.level.iloc[0] == "district":
        return own
    dc = crosswalk.district_crosswalk()
    dc = dc[dc.commune_code.isin(set(units.code))]
    q = dc.legacy_district_code.map(_district_quality(seed)).to_numpy() * dc.share.to_numpy()
    inherited = (pd.Series(q).groupby(dc.commune_code.to_numpy()).sum()
                 / dc.groupby("commune_code").share.sum())
    inherited = units.code.map(inherited).fillna(0.0).to_numpy()
    return 0.6 * inherited + 0.8 * own


# --------------------------------------------------------------------------- planted problems


@dataclass(frozen=True)
class Planted:
    """Where the sample's deliberate problems are (codes per period)."""

    low_online: dict[str, tuple[str, ...]]        # period -> codes with a low online share
    missing: dict[str, tuple[str, ...]]           # period -> codes with no rows at all
    late_without_apology: dict[str, tuple[str, ...]]  # period -> apologies < late records


def _pick(units: pd.DataFrame, u: np.ndarray, exclude: set[str], k) -> set[str]:
    """The ``k(n)`` units with the smallest draw in each province (deterministic)."""
    df = pd.DataFrame({"code": units.code, "province": units.province, "u": u})
    df = df[~df.code.isin(exclude)].sort_values(["province", "u", "code"], kind="stable")
    picked: set[str] = set()
    for _, group in df.groupby("province", sort=True):
        picked.update(group.code.iloc[: k(len(group))])
    return picked


def plant(province: str, quarters: list[Quarter], seed: int) -> Planted:
    """Choose the localities that carry the planted problems (one set per province)."""
    communes = _units(reg.REG_2025, province)
    u = _uniform(seed, communes.key.to_numpy(np.uint64), "plant-low-online")
    low_communes = _pick(communes, u, set(), lambda n: 1)
    # Before the merger the low online share belongs to the low commune's main predecessor
    # district, so the commune's series stays low across the merger.
    dc = crosswalk.district_crosswalk()
    dc = dc[dc.commune_code.isin(low_communes)].sort_values(
        ["commune_code", "share", "legacy_district_code"], ascending=[True, False, True])
    low_districts = set(dc.drop_duplicates("commune_code").legacy_district_code)

    latest = quarters[-1]
    register = reg.register_for(latest)
    units = _units(register, province)
    low = low_communes if register == reg.REG_2025 else low_districts
    keys = units.key.to_numpy(np.uint64)
    missing = _pick(units, _uniform(seed, keys, "plant-missing", latest.index), low, lambda n: 1)
    late = _pick(units, _uniform(seed, keys, "plant-apology", latest.index), low | missing,
                 lambda n: min(max(3, round(0.05 * n)), max(n - 1, 0)))
    return Planted(
        low_online={str(q): tuple(sorted(low_communes if reg.register_for(q) == reg.REG_2025
                                         else low_districts)) for q in quarters},
        missing={str(latest): tuple(sorted(missing))},
        late_without_apology={str(latest): tuple(sorted(late))},
    )


# --------------------------------------------------------------------------- one quarter


def _quarter_values(units: pd.DataFrame, quality: np.ndarray, q: Quarter, seed: int,
                    planted: Planted) -> dict[str, np.ndarray]:
    """Every indicator's value for every unit in one quarter (arrays aligned with ``units``)."""
    keys = units.key.to_numpy(np.uint64)
    n = len(units)
    level = units.level.iloc[0]
    district = level == "district"
    qi, yr = q.index, q.year

    def u(name: str, per: str = "quarter") -> np.ndarray:
        extra = {"quarter": (qi,), "year": (yr,), "fixed": ()}[per]
        return _uniform(seed, keys, name, *extra)

    def z(name: str, per: str = "quarter") -> np.ndarray:
        extra = {"quarter": (qi,), "year": (yr,), "fixed": ()}[per]
        return _normal(seed, keys, name, *extra)

    def pois(lam, name):
        return _poisson(lam, u(name))

    trend = yr - 2024 + (q.quarter - 1) / 4  # years since 2024: digital services keep growing
    type_size = units.unit_type.map(_TYPE_SIZE).fillna(1.0).to_numpy()
    size = np.exp(0.45 * z("size", "fixed")) * type_size
    v: dict[str, np.ndarray] = {}

    # Administrative procedures: a persistent list that changes a little each year.
    base_procs = 300 if district else 200
    total = base_procs + np.floor(70 * u("procedures", "year"))
    v["procedures_total"] = total
    v["procedures_published"] = np.round(
        total * (0.72 + 0.28 * _sig(1.0 + quality + 0.3 * z("published"))))
    full = np.round(total * (0.25 + 0.45 * _sig(0.8 * quality + 0.3 * trend + 0.2 * z("full"))))
    v["procedures_online_full"] = full
    v["procedures_online_partial"] = np.minimum(total - full,
                                                np.round(total * (0.1 + 0.2 * u("partial"))))
    v["procedures_at_one_stop_shop"] = np.round(
        total * (0.85 + 0.15 * _sig(1.0 + quality + 0.3 * z("one-stop"))))

    # Records: volume by size and season; on-time rate mostly 90-100 %.
    received = np.round(_BASE_RECORDS[level] * size * _SEASON[q.quarter - 1]
                        * (1.05 ** trend) * np.exp(0.08 * z("received")))
    resolved = np.round(received * (0.86 + 0.1 * _sig(quality + 0.5 * z("resolved"))))
    late_rate = 0.15 * _sig(-1.6 - quality + 0.6 * z("late"))
    late = np.round(resolved * late_rate)
    late[u("no-late") < 0.3 * _sig(quality)] = 0  # the best often have no late record at all
    pending = received - resolved
    overdue = np.round(pending * 0.08 * _sig(-1.0 - quality + 0.5 * z("overdue")))
    apologies = late.copy()

    codes = units.code.to_numpy()
    bad = np.isin(codes, planted.late_without_apology.get(str(q), ()))
    if bad.any():
        late[bad] = np.minimum(resolved[bad], np.maximum(late[bad], 3 + pois(3.0, "late-extra")[bad]))
        apologies[bad] = np.floor(late[bad] * (0.2 + 0.5 * u("apology-share")[bad]))
    v["records_received"] = received
    v["records_resolved"] = resolved
    v["records_resolved_on_time"] = resolved - late
    v["records_resolved_late"] = late
    v["records_pending"] = pending
    v["records_overdue"] = overdue
    v["apologies_issued"] = apologies

    # Online submission 20-90 %, rising over time; one planted locality stays very low.
    online_share = 0.2 + 0.7 * _sig(-0.3 + 0.8 * quality + 0.35 * trend + 0.35 * z("online"))
    low = np.isin(codes, planted.low_online.get(str(q), ()))
    online_share[low] = 0.03 + 0.04 * u("low-online")[low]
    v["records_submitted_online"] = np.round(received * online_share)
    payable = np.round(received * (0.15 + 0.2 * u("payable")))
    v["records_payable"] = payable
    v["payments_online"] = np.round(payable * online_share * (0.6 + 0.4 * u("paid-online")))
    v["records_digitised"] = np.round(
        received * (0.4 + 0.55 * _sig(0.3 + 0.8 * quality + 0.3 * trend + 0.3 * z("digitised"))))
    v["results_digitised"] = np.round(
        resolved * (0.3 + 0.6 * _sig(0.2 + 0.8 * quality + 0.3 * trend + 0.3 * z("results"))))
    v["complaints_received"] = pois(received * 0.0015 * np.exp(-0.5 * quality), "complaints")
    v["satisfaction_rate"] = np.round(85 + 15 * _sig(1.0 + 0.8 * quality + 0.4 * z("satisfied")), 2)

    # The annual PAR plan: the same tasks all year, completed year-to-date (Q1 low, Q4 high).
    assigned = (30 if district else 15) + np.floor((30 if district else 20) * u("plan", "year"))
    done = np.clip(_PLAN_BASE[q.quarter - 1] + 0.06 * np.tanh(quality)
                   + 0.03 * z("plan-pace", "year"), 0.0, 1.0)
    v["plan_tasks_assigned"] = assigned
    v["plan_tasks_completed"] = np.minimum(assigned, np.round(assigned * done))
    scale = 2.0 if district else 1.0
    v["directive_documents_issued"] = pois(4.0 * scale * np.exp(0.2 * quality), "directives")
    v["inspections_integrated"] = pois(0.8 * scale, "inspections")
    v["inspections_unscheduled"] = pois(0.3 * scale, "unscheduled")
    v["initiatives_registered"] = pois(0.4 * scale * np.exp(0.5 * quality), "initiatives")

    # Legal documents: issued (few, rarely with errors) and the periodic review.
    issued = pois(1.0 * scale, "legal-issued")
    v["legal_docs_issued"] = issued
    v["legal_docs_with_errors"] = np.where(u("legal-errors") < 0.12 * _sig(-quality),
                                           np.minimum(issued, 1), 0)
    reviewed = pois(4.0 * scale, "legal-reviewed")
    expired = np.floor(reviewed * 0.4 * u("expired"))
    valid = reviewed - expired
    amend = np.floor(valid * 0.3 * u("amend"))
    v["legal_docs_reviewed"] = reviewed
    v["legal_docs_expired"] = expired
    v["legal_docs_valid"] = valid
    v["legal_docs_to_amend"] = amend
    v["legal_docs_to_repeal"] = np.floor((valid - amend) * 0.2 * u("repeal"))

    # Civil service and apparatus.
    staff = np.round((120 if district else 45) * np.sqrt(size) * (1 + 0.1 * u("staff", "year")))
    v["civil_servants_total"] = staff
    v["civil_servants_trained"] = np.round(staff * (0.2 + 0.8 * u("trained")))
    v["civil_servants_disciplined"] = np.minimum(
        staff, pois(0.15 * staff / 50 * np.exp(-0.5 * quality), "disciplined"))
    reorganising = q in (Quarter(2025, 1), Quarter(2025, 2))  # run-up to the July 2025 merger
    v["units_merged_or_cut"] = pois(2.5 if reorganising else 0.2, "merged")

    # E-government.
    sent = np.round((2500 if district else 800) * size * np.exp(0.1 * z("sent")))
    electronic = np.round(sent * (0.9 + 0.1 * _sig(1.0 + quality + 0.3 * z("electronic"))))
    v["documents_sent"] = sent
    v["documents_sent_electronic"] = electronic
    v["documents_digitally_signed"] = np.round(
        electronic * (0.8 + 0.2 * _sig(0.5 + quality + 0.3 * z("signed"))))
    v["official_email_use"] = np.round(80 + 20 * _sig(1.5 + 0.8 * quality + 0.3 * z("email")), 2)
    v["one_stop_shop_operational"] = (u("one-stop-ok") >= 0.15 * _sig(-1.0 - quality)).astype(float)

    # Survey-based indices.
    v["survey_satisfaction_index"] = np.round(
        78 + 20 * _sig(0.5 + 0.7 * quality + 0.3 * z("sipas", "year")), 2)
    v["survey_par_impact"] = np.round(
        70 + 25 * _sig(0.3 + 0.7 * quality + 0.3 * z("impact", "year")), 2)

    missing = [name for name, _, _ in _catalogue() if name not in v]
    # A new catalogue indicator must get a rule here; fail loudly rather than emit a gap.
    assert not missing, f"sample.py has no generator for indicator(s) {missing}"
    assert all(arr.shape == (n,) for arr in v.values())
    return v


def _appraisal_points(units: pd.DataFrame, quality: np.ndarray, q: Quarter, seed: int,
                      methodology: _Methodology) -> np.ndarray:
    """Points for each (unit, appraisal leaf): in [0.5 max, max] by quality, on a 0.25 grid."""
    keys = units.key.to_numpy(np.uint64)
    out = np.empty((len(units), len(methodology.leaves)))
    for j, (criterion, maximum) in enumerate(methodology.leaves):
        name = f"appraisal:{methodology.id}:{criterion}"
        share = _sig(0.9 * quality + 0.6 * _normal(seed, keys, name, q.index))
        points = np.round(maximum * (0.5 + 0.5 * share) * 4) / 4
        out[:, j] = np.clip(points, np.ceil(maximum * 2) / 4, np.floor(maximum * 4) / 4)
    return out


def _levels_for(unit_level: str) -> set[str]:
    # The sample scores districts with the commune-level methodologies too.
    return {"district", "commune"} if unit_level == "district" else {"commune"}


# --------------------------------------------------------------------------- public API


def generate(province: str = "40", first: str | Quarter = "2023Q1",
             last: str | Quarter = "2026Q3", seed: int = 876,
             methodologies: str | Path | list | None = None,
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic figures and appraisal points for a province (code) or ``"all"``.

    Returns ``(figures, appraisal)`` in the long data-set form, rows ordered by period,
    locality code, then catalogue (or methodology) order.
    """
    province = resolve_province(province)
    quarters = quarter_range(first, last)
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ParameterError(f"seed must be a whole number >= 0, got {seed!r}")
    seed = int(seed)
    planted = plant(province, quarters, seed)
    methods = read_methodologies(methodologies)
    catalogue = _catalogue()
    names = np.array([name for name, _, _ in catalogue], dtype=object)
    src = source_text(seed)

    figure_parts, appraisal_parts = [], []
    quality_cache: dict[str, np.ndarray] = {}
    for q in quarters:
        register = reg.register_for(q)
        units = _units(register, province)
        if register not in quality_cache:
            quality_cache[register] = _quality(seed, units)
        quality = quality_cache[register]
        keep = ~units.code.isin(planted.missing.get(str(q), ())).to_numpy()
        values = _quarter_values(units, quality, q, seed, planted)
        matrix = np.column_stack([values[name] for name in names])[keep]
        codes = units.code.to_numpy()[keep]
        figure_parts.append(pd.DataFrame({
            "locality_code": np.repeat(codes, len(names)),
            "period": str(q),
            "indicator": np.tile(names, len(codes)),
            "value": matrix.ravel(),
        }))
        for m in methods:
            if not set(m.levels) & _levels_for(units.level.iloc[0]) or not m.leaves:
                continue
            points = _appraisal_points(units, quality, q, seed, m)[keep]
            appraisal_parts.append(pd.DataFrame({
                "methodology": m.id,
                "locality_code": np.repeat(codes, len(m.leaves)),
                "period": str(q),
                "criterion": np.tile(np.array([c for c, _ in m.leaves], dtype=object), len(codes)),
                "points": points.ravel(),
            }))

    figures = pd.concat(figure_parts, ignore_index=True)
    figures["source"] = src
    figures = figures.astype({"locality_code": "str", "period": "str", "indicator": "str",
                              "value": "float64", "source": "str"})[FIGURE_COLUMNS]
    if appraisal_parts:
        appraisal = pd.concat(appraisal_parts, ignore_index=True)
        # Methodology order inside a period and locality, as the files list them.
        order = {m.id: i for i, m in enumerate(methods)}
        appraisal["_m"] = appraisal.methodology.map(order)
        appraisal["_i"] = np.arange(len(appraisal))
        appraisal = appraisal.sort_values(["period", "locality_code", "_m", "_i"], kind="stable")
        appraisal["source"] = src
        appraisal = appraisal[APPRAISAL_COLUMNS].reset_index(drop=True)
    else:
        appraisal = pd.DataFrame({c: pd.Series([], dtype="float64" if c == "points" else "str")
                                  for c in APPRAISAL_COLUMNS})
    appraisal = appraisal.astype({"methodology": "str", "locality_code": "str", "period": "str",
                                  "criterion": "str", "points": "float64", "source": "str"})
    return figures, appraisal


def _figure_text(figures: pd.DataFrame) -> pd.Series:
    """Values as fixed text: counts and booleans as whole numbers, percents with 2 decimals."""
    kinds = {name: kind for name, kind, _ in _catalogue()}
    percent = figures.indicator.map(kinds).eq("percent").to_numpy()
    values = figures.value.to_numpy()
    text = np.empty(len(values), dtype=object)
    text[~percent] = values[~percent].astype(np.int64).astype(str)
    text[percent] = np.char.mod("%.2f", values[percent])
    return pd.Series(text, index=figures.index, dtype="str")


def _csv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def write_sample(out_dir: str | Path, province: str = "40", first: str | Quarter = "2023Q1",
                 last: str | Quarter = "2026Q3", seed: int = 876,
                 methodologies: str | Path | list | None = None) -> list[Path]:
    """Write ``figures.csv``, ``appraisal.csv`` and ``README.md`` into ``out_dir``.

    Same arguments -> byte-identical files. Returns the paths written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    province = resolve_province(province)
    quarters = quarter_range(first, last)
    figures, appraisal = generate(province, quarters[0], quarters[-1], seed, methodologies)
    fig = figures.copy()
    fig["value"] = _figure_text(fig)
    app = appraisal.copy()
    app["points"] = pd.Series(np.char.mod("%.2f", app.points.to_numpy()) if len(app) else [],
                              index=app.index, dtype="str")
    paths = [out / "figures.csv", out / "appraisal.csv", out / "README.md"]
    _csv(fig, paths[0])
    _csv(app, paths[1])
    readme = readme_text(province, quarters, seed, figures, appraisal,
                         plant(province, quarters, seed), read_methodologies(methodologies))
    paths[2].write_text(readme, encoding="utf-8", newline="\n")
    return paths


# --------------------------------------------------------------------------- README


def _name(code: str, period: str) -> str:
    return reg.get(code, period).name


def _code_list(codes, period: str) -> str:
    return ", ".join(f"{c} {_name(c, period)}" for c in codes)


def readme_text(province: str, quarters: list[Quarter], seed: int, figures: pd.DataFrame,
                appraisal: pd.DataFrame, planted: Planted, methods: list[_Methodology]) -> str:
    """The data set's README: SYNTHETIC on the first line, then what is in it and what is planted."""
    first, last = quarters[0], quarters[-1]
    where = "all 34 provinces" if province == ALL else \
        f"province {province} {reg.get(province, MERGER_QUARTER).name}"
    command = (f"parbrief sample --out DIR --province {province} --from {first} --to {last} "
               f"--seed {seed}")
    lines = [
        (f"# SYNTHETIC DATA: invented by `parbrief sample --seed {seed}`, not reported by any "
        "locality"),
        "",
        (f"Sample data set for {where}, {first} to {last}. Every figure and every appraisal point "
        "was generated at random on the real unit register; none of it describes a real "
        f"locality. Every row's `source` column says `{source_text(seed)}`."),
        "",
        f"Regenerate (byte-identical): `{command}`",
        "",
        "## Contents",
        "",
        (f"- `figures.csv`: {len(figures):,} rows (`locality_code,period,indicator,value,source`), "
        f"{figures.indicator.nunique()} indicators of the catalogue for every locality and "
        "quarter. Before 2025Q3 the legacy districts report; from 2025Q3 the 2025 communes."),
        f"- `appraisal.csv`: {len(appraisal):,} rows of appraisal-council points "
        "(`methodology,locality_code,period,criterion,points,source`), one per criterion whose "
        "rule is `appraisal`, between half and all of its maximum, on a 0.25 grid"
        + (" (methodologies: " + ", ".join(m.id for m in methods) + ")." if methods else
           " (no methodology was available when the sample was made)."),
        "",
        "Per quarter:",
        "",
        "| period | register | localities reporting |",
        "|---|---|---|",
    ]
    counts = figures.groupby("period").locality_code.nunique()
    for q in quarters:
        lines.append(f"| {q} | {reg.register_for(q)} | {counts.get(str(q), 0)} |")
    lines += [
        "",
        ("How values behave: each locality has a persistent quality, so its rates are correlated "
        "over time and across indicators (a 2025 commune inherits part of its predecessor "
        "districts' quality); on-time rates are mostly 90-100 %, online submission 20-90 % and "
        "rising, satisfaction 85-100 %; PAR plan completion is year-to-date (low in Q1, high in "
        "Q4); parts never exceed their wholes (`part_of` in the catalogue)."),
        "",
        "## Planted problems",
        "",
        ("These are deliberate, so that validation, findings and briefings have something to "
        "report. Codes are per period (codes are reused across registers)."),
        "",
    ]
    per_province = " (a few per province)" if province == ALL else ""
    one = " one per province:" if province == ALL else ""
    for period, codes in planted.late_without_apology.items():
        lines.append(f"- **Late records without apologies**, {period}: fewer apology letters "
                     f"than late records (`apologies_issued < records_resolved_late`) in "
                     f"{len(codes)} localities{per_province}: {_code_list(codes, period)}.")
    low_by_register: dict[str, tuple[tuple[str, ...], list[str]]] = {}
    for period, codes in planted.low_online.items():
        low_by_register.setdefault(reg.register_for(period), (codes, []))[1].append(period)
    for r, (codes, periods) in low_by_register.items():
        span = f"{periods[0]}-{periods[-1]}" if len(periods) > 1 else periods[0]
        why = (" (the main predecessor district of the low 2025 commune)"
               if r == reg.LEGACY else "")
        lines.append(f"- **Persistently low online share**, {span}:{one} "
                     f"{_code_list(codes, periods[0])}{why}: 3-7 % of records submitted online "
                     "in every quarter.")
    for period, codes in planted.missing.items():
        lines.append(f"- **Missing submission**, {period}:{one} {_code_list(codes, period)}: "
                     "no rows at all (figures or appraisal) in this quarter.")
    return "\n".join(lines) + "\n"
