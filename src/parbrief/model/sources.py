"""What the briefing and overview models read: data sets (validated, cut to a province), the
methodology, and a peer group's scores, each cached while its files are unchanged."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from parbrief import __version__
from parbrief.core.fingerprint import report_code
from parbrief.core.periods import MERGER_QUARTER, Quarter
from parbrief.ingest.validated import load_validated
from parbrief.scoring import engine as scoring
from parbrief.scoring import methodology as methodologies
from parbrief.units import crosswalk, register


def file_signature(path: str) -> tuple:
    """Names, sizes and modification times: a cached input is reloaded as soon as it changes
    (an analyst fixes a figure in JupyterLab and re-runs the notebook)."""
    p = Path(path)
    files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
    return tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files if f.exists())


@lru_cache(maxsize=8)
def _load_dataset_cached(path: str, signature: tuple):
    return load_validated(path)


def load_dataset(path: str):
    return _load_dataset_cached(path, file_signature(path))


@lru_cache(maxsize=1)
def province_units(province: str) -> frozenset[str]:
    """Every unit a 2025 commune briefing of this province reads: the province, its communes
    (the peer group) and their legacy communes and districts (history before the merger)."""
    communes = {u.code for u in register.children(province, MERGER_QUARTER, level="commune")}
    codes = {province} | communes
    for apportionment in crosswalk.APPORTIONMENT:
        cw = crosswalk.commune_crosswalk(apportionment)
        mine = cw[cw.commune_code.isin(communes)]
        codes |= set(mine.legacy_commune_code) | set(mine.legacy_district_code)
    return frozenset(codes)


@lru_cache(maxsize=1)
def _province_dataset_cached(path: str, province: str, signature: tuple):
    return load_validated(path, only=province_units(province))


def province_dataset(path: str, province: str):
    """The data set cut to one 2025 province's units.

    A national data set holds about a million rows; a kernel running a province's commune
    briefings keeps only that province's, some thirty times fewer, and every selection a
    briefing makes scans that many fewer. Jobs run province by province, so one is kept.
    """
    return _province_dataset_cached(path, province, file_signature(path))


def dataset_for(path: str, parent: str | None, level: str, period: Quarter):
    """The rows a peer group of 2025 communes can read: its province's; else all."""
    if parent and level == "commune" and register.register_for(period) == register.REG_2025:
        return province_dataset(path, register.get(parent, period).province_code)
    return load_dataset(path)


@lru_cache(maxsize=8)
def _load_methodology_cached(name: str, signature: tuple):
    return methodologies.load(name)


def load_methodology(name: str):
    signature = file_signature(name) if Path(name).suffix in (".yaml", ".yml") else ()
    return _load_methodology_cached(name, signature)


def peers_of(unit: register.Locality, period: Quarter) -> list[register.Locality]:
    """Units of the same level under the same parent: the group a locality is ranked in."""
    if unit.parent_code is None:
        return register.localities(period, unit.level)
    return register.children(unit.parent_code, period, level=unit.level)


def reported_codes(ds, period: Quarter) -> set[str]:
    return set(ds.figures.loc[ds.figures.period == str(period), "locality_code"])


def peer_scores(data: str, method_name: str, parent: str | None, level: str,
                 period: Quarter) -> pd.DataFrame:
    """Scores of every reporting unit in the peer group (cached: all briefings of a batch share it)."""
    signature = file_signature(data) + (file_signature(method_name)
                                         if Path(method_name).suffix in (".yaml", ".yml") else ())
    return _peer_scores_cached(data, method_name, parent, level, period, signature)


@lru_cache(maxsize=64)
def _peer_scores_cached(data: str, method_name: str, parent: str | None, level: str,
                        period: Quarter, signature: tuple) -> pd.DataFrame:
    ds = dataset_for(data, parent, level, period)
    method = load_methodology(method_name)
    units = (register.children(parent, period, level=level) if parent
             else register.localities(period, level))
    reported = reported_codes(ds, period)
    units = [u for u in units if u.code in reported]
    if not units:
        return pd.DataFrame()
    return scoring.score_table(ds, method, period, units)



def provenance(ds, method, parameters: dict) -> dict:
    """What a report was made from, as its data notes and its manifest state it: ``inputs``
    identifies what the report read; the data set, the methodology and parbrief's code are
    named alongside."""
    return {
        "inputs": ds.checksum,
        "data_set": ds.checksum,
        "methodology": {"id": method.id, "version": method.version, "checksum": method.checksum},
        "code": report_code(),
        "parbrief": __version__,
        "parameters": dict(parameters),
    }

def forget() -> None:
    """Forget every data set, methodology and score table loaded so far."""
    for cached in (_load_dataset_cached, _province_dataset_cached, _peer_scores_cached,
                   _load_methodology_cached):
        cached.cache_clear()
