"""A published annual table (bảng kết quả Chỉ số CCHC) fed in as appraisal points, and checked
against what it published.

A Department of Home Affairs publishes, per unit: appraised points (điểm thẩm định), survey
points (điểm điều tra xã hội học), often the total, the index and the rank. ``from_table``
reads such a table saved as CSV (units by name or code; numbers with a dot or, as Vietnamese
tables print them, a decimal comma), writes its points as the rows of ``appraisal.csv`` (two per
unit: ``appraised-total`` and ``survey-total``), scores them under the methodology (index = points
÷ maximum × 100, two decimals, half up; ties share a rank) and compares the index and rank with
the published ones when the table gives them.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from parbrief.core.columns import APPRAISAL_TABLE_COLUMNS
from parbrief.core.errors import ParbriefError, Problem, ValidationError
from parbrief.core.files import atomic_write
from parbrief.core.names import match_key
from parbrief.core.periods import Year, parse_period
from parbrief.ingest import dataset as datasets
from parbrief.ingest.readers import read_csv_rows
from parbrief.scoring import engine as scoring
from parbrief.scoring import methodology as methodologies
from parbrief.units import register

# A column's role -> the headers it is known by (compared without case, diacritics or spaces).
HEADERS = {
    "code": ("locality_code", "code", "mã", "mã đơn vị", "ma don vi"),
    "unit": ("unit", "locality", "locality_name", "name", "đơn vị", "tên đơn vị", "địa phương"),
    "appraised": ("appraised", "appraised points", "điểm thẩm định", "thẩm định",
                  "điểm đánh giá, thẩm định", "điểm tự đánh giá, thẩm định"),
    "survey": ("survey", "survey points", "điểm điều tra xhh", "điều tra xhh",
               "điểm điều tra xã hội học", "điều tra xã hội học", "điểm đtxhh"),
    "self_assessed": ("self_assessed", "self-assessed", "tự đánh giá", "điểm tự đánh giá"),
    "total": ("total", "tổng điểm", "tổng"),
    "index": ("index", "chỉ số", "chỉ số cchc", "chỉ số (%)", "chỉ số cchc (%)", "par index"),
    "rank": ("rank", "xếp hạng", "thứ hạng", "hạng"),
}
_PREFIXES = ("thanh pho", "tp.", "tp", "thi xa", "tx.", "tx", "huyen", "h.", "quan", "q.",
             "thi tran", "tt.", "tt", "xa", "x.", "phuong", "p.", "dac khu", "tinh")


def _key(text: str) -> str:
    text = unicodedata.normalize("NFC", str(text)).strip().lower()
    return re.sub(r"\s+", " ", text)


ROLE = {_key(h): role for role, names in HEADERS.items() for h in names}
ROLE.update({match_key(h): role for role, names in HEADERS.items() for h in names})


@dataclass
class Converted:
    rows: pd.DataFrame  # the appraisal rows written
    table: pd.DataFrame  # the league table they score to
    checked: list[str] = field(default_factory=list)  # published index/rank comparison
    differences: list[str] = field(default_factory=list)


def _number(text: str, file: str, row: int, column: str, problems: list) -> float | None:
    s = str(text).strip().replace("\u00a0", "")
    if s == "":
        return None
    if re.fullmatch(r"[-+]?\d+,\d+", s):  # 75,74 as Vietnamese tables print it
        s = s.replace(",", ".")
    try:
        return float(s)
    except ValueError:
        problems.append(Problem(file, row, column, f"{column} {text!r} is not a number; write "
                                                   "the points as printed (75.74 or 75,74)"))
        return None


def read_table(path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """The table's rows as text, and which column plays which role; ``ValidationError`` when
    the columns a table needs are not there."""
    frame, problems = read_csv_rows(Path(path))
    if problems:
        raise ValidationError(problems)
    roles: dict[str, str] = {}
    for column in frame.columns:
        if column.startswith("_"):
            continue
        role = ROLE.get(_key(column)) or ROLE.get(match_key(column))
        if role and role not in roles:
            roles[role] = column
    missing = [r for r in ("appraised", "survey") if r not in roles]
    if "code" not in roles and "unit" not in roles:
        missing.insert(0, "unit (or locality_code)")
    if missing:
        found = ", ".join(c for c in frame.columns if not c.startswith("_"))
        raise ValidationError([Problem(Path(path).name, 1, m, (
            f"no {m} column; the table needs the unit (name or locality_code), its appraised "
            f"points and its survey points, with headers such as Đơn vị, Điểm thẩm định, Điểm "
            f"điều tra XHH (found: {found})")) for m in missing])
    return frame, roles


def _unit(text: str, code: str, period, parent: register.Locality | None, level: str
          ) -> register.Locality | None:
    """The unit a table's row names: by code, or by name among ``parent``'s units of
    ``level`` (with or without its type, or the type's abbreviation: "TP. Hạ Long")."""
    within = parent.code if parent is not None else None
    if code:
        if not register.exists(code, period):
            return None
        unit = register.get(code, period)
        return unit if unit.level == level else None
    try:
        return register.find(text, period, level=level, parent=within)
    except ParbriefError:
        key = match_key(text)
        for prefix in _PREFIXES:
            if key.startswith(prefix + " ") or (prefix.endswith(".") and key.startswith(prefix)):
                try:
                    return register.find(key[len(prefix):].strip(), period, level=level,
                                         parent=within)
                except ParbriefError:
                    continue
    return None


def _level(parent: register.Locality | None, period, level: str | None) -> str:
    """The units a table ranks: the parent's districts before July 2025 and communes after,
    a district's communes, the country's provinces."""
    if level:
        return level
    if parent is None:
        return "province"
    if parent.level == "province" and register.register_for(period) == register.LEGACY:
        return "district"
    return "commune"


def from_table(path: str | Path, methodology: str, period: str, parent: str | None = None,
               level: str | None = None, data: str | Path | None = None) -> Converted:
    """Read a published table and make its appraisal rows (see the module's docstring).
    ``parent``: the province (or district) whose units the table ranks; none for a table of
    the country's provinces."""
    path = Path(path)
    p = parse_period(period)
    if not isinstance(p, Year):
        raise ParbriefError(f"--period {period}: a published annual table is of a year; give "
                            "the year, e.g. --period 2024")
    method = methodologies.load(methodology, [methodologies.folder_of(data)])
    parent_unit = register.get(parent, p) if parent else None
    level = _level(parent_unit, p, level)
    if not method.scores_level(level):
        raise ParbriefError(f"{method.id} is a methodology for {', '.join(method.levels)} "
                            f"units; the table ranks {level} units: give their methodology")
    where = f"{parent_unit.code} {parent_unit.name}" if parent_unit else "the country"
    frame, roles = read_table(path)
    file = path.name
    problems: list[Problem] = []
    rows, published = [], {}
    seen: dict[str, int] = {}
    source = f"{file} (bảng kết quả {p})"
    for _, r in frame.iterrows():
        line = int(r["_row"])
        name = str(r.get(roles.get("unit", ""), "") or "").strip()
        code = str(r.get(roles.get("code", ""), "") or "").strip()
        unit = _unit(name, code, p, parent_unit, level)
        if unit is None:
            shown = code or name
            column = roles.get("code") or roles.get("unit")
            problems.append(Problem(file, line, column, (
                f"no {level} of {where} in {p} is {'coded' if code else 'named'} {shown!r}; "
                "correct it, or give the code in a locality_code column (`parbrief locality "
                "NAME` looks codes up)")))
            continue
        if unit.code in seen:
            problems.append(Problem(file, line, roles.get("unit") or roles.get("code"), (
                f"{unit.code} {unit.name} is also on line {seen[unit.code]}; keep one row")))
            continue
        seen[unit.code] = line
        values = {role: _number(r[roles[role]], file, line, roles[role], problems)
                  for role in ("appraised", "survey", "self_assessed", "index", "rank")
                  if role in roles}
        for role, total in (("appraised", "appraised-total"), ("survey", "survey-total")):
            if values.get(role) is None:
                problems.append(Problem(file, line, roles[role], f"missing {role} points for "
                                                                 f"{unit.name}; fill them in"))
                continue
            rows.append({"methodology": method.id, "locality_code": unit.code,
                         "period": str(p), "criterion": total,
                         "points": _text(values[role]), "source": f"{source}, dòng {line}",
                         "self_assessed": _text(values["self_assessed"])
                         if role == "appraised" and values.get("self_assessed") is not None
                         else ""})
        published[unit.code] = (values.get("index"), values.get("rank"), line)
    if problems:
        raise ValidationError(problems)
    out = pd.DataFrame(rows, columns=APPRAISAL_TABLE_COLUMNS)
    # checked as any appraisal table is (points above a component's maximum...)
    from parbrief.ingest.validation import validate_appraisal

    given = [Path(method.path)] if method.path and \
        Path(method.path) not in methodologies.shipped().values() else []
    found = validate_appraisal(out.astype(str), "appraisal rows", list(range(2, len(out) + 2)),
                               methodology_files=given)
    if found:
        raise ValidationError([Problem(file, _line(out, p.row), p.column, p.message)
                               for p in found])
    typed = out.assign(points=out.points.astype(float),
                       self_assessed=pd.to_numeric(out.self_assessed, errors="coerce"))
    ds = datasets.Dataset(figures=datasets.empty().figures, appraisal=typed, path=path,
                          checksum="")
    units = [register.get(c, p) for c in published]
    table = scoring.score_table(ds, method, p, units)
    converted = Converted(rows=out, table=table)
    _compare(converted, published)
    return converted


def _line(out: pd.DataFrame, row: int) -> int:
    """The table's line an appraisal row (numbered from 2) came from."""
    i = row - 2
    if 0 <= i < len(out):
        m = re.search(r"dòng (\d+)$", str(out.source.iloc[i]))
        if m:
            return int(m.group(1))
    return 0


def _text(value: float | None) -> str:
    return "" if value is None else f"{float(value):.10g}"


def _compare(converted: Converted, published: dict) -> None:
    table = converted.table.set_index("code")
    have_index = any(v[0] is not None for v in published.values())
    have_rank = any(v[1] is not None for v in published.values())
    if not have_index and not have_rank:
        return
    same = 0
    for code, (index, rank, line) in published.items():
        row = table.loc[code]
        got_index = None if pd.isna(row["index"]) else float(row["index"])
        got_rank = None if pd.isna(row["rank"]) else int(row["rank"])
        wrong = []
        if index is not None and (got_index is None or abs(got_index - index) > 1e-9):
            wrong.append(f"index {got_index} (published {index:g})")
        if rank is not None and got_rank != int(rank):
            wrong.append(f"rank {got_rank} (published {int(rank)})")
        if wrong:
            converted.differences.append(f"line {line}: {code} {row['name']}: "
                                         + "; ".join(wrong))
        else:
            same += 1
    what = " and ".join(w for w, h in (("index", have_index), ("rank", have_rank)) if h)
    converted.checked.append(f"{same} of {len(published)} units: {what} as published")


def write(converted: Converted, out: str | Path) -> Path:
    """Write the rows to ``out``; an existing appraisal table keeps its other rows (those of
    another methodology or period), and this table's rows replace the same methodology's
    rows of the period."""
    out = Path(out)
    new = converted.rows
    if out.exists():
        frame, problems = read_csv_rows(out)
        if problems:
            raise ValidationError(problems)
        extra = [c for c in frame.columns if not c.startswith("_")
                 and c not in APPRAISAL_TABLE_COLUMNS]
        if extra or "methodology" not in frame:
            raise ParbriefError(f"{out} is not an appraisal table (its columns: "
                                f"{', '.join(c for c in frame.columns if not c.startswith('_'))}"
                                "); give --out another file")
        method, period = new.methodology.iloc[0], new.period.iloc[0]
        keep = frame[~((frame.methodology == method) & (frame.period == period))]
        keep = keep[[c for c in APPRAISAL_TABLE_COLUMNS if c in keep.columns]]
        new = pd.concat([keep, new], ignore_index=True).fillna("")
    buffer = io.StringIO()
    new[APPRAISAL_TABLE_COLUMNS].to_csv(buffer, index=False, lineterminator="\n",
                                        quoting=csv.QUOTE_MINIMAL)
    return atomic_write(out, buffer.getvalue().encode("utf-8"))


__all__ = ["Converted", "HEADERS", "from_table", "read_table", "write"]
