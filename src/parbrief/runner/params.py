"""Batch parameter files (``params/*.yaml``): read strictly, expand into jobs.

A params file names the parent unit (province, or a legacy district), the level of the units
to brief, the quarters, the report kinds, languages and formats, and where the data and the
reports are. ``load`` checks every key before anything runs: an unknown key, a wrong type, an
unknown locality, an unsupported language or format, or a path that leaves the project folder is
a ``ParameterError`` naming the file, the key and the fix. ``expand`` turns the parameters into
one ``Job`` per locality × quarter (+ one overview per quarter) and checks each job's parameters
against the parameters its notebook declares, so a mistake fails before any kernel starts.
"""

from __future__ import annotations

import ast
import difflib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

# ``register`` (pandas and the unit registers) is imported inside the functions that look
# units up: batch workers only unpickle jobs and must not pay for it.
from parbrief.core import safe_yaml
from parbrief.core.errors import ParameterError, ParbriefError
from parbrief.core.files import symlink_below
from parbrief.core.names import slug
from parbrief.core.periods import Quarter, is_quarter, parse_period

if TYPE_CHECKING:
    from parbrief.units import register

PROJECT_ROOT = Path(__file__).resolve().parents[3]  # the source checkout (notebooks/, params/)
NOTEBOOKS = {"briefing": PROJECT_ROOT / "notebooks" / "briefing.ipynb",
             "overview": PROJECT_ROOT / "notebooks" / "overview.ipynb",
             "annual_briefing": PROJECT_ROOT / "notebooks" / "annual_briefing.ipynb",
             "annual_overview": PROJECT_ROOT / "notebooks" / "annual_overview.ipynb",
             "methodology": PROJECT_ROOT / "notebooks" / "methodology.ipynb"}
# What a params file asks for; a briefing or an overview of a year (or a year to date) is made
# by the annual notebook of its kind (``notebook_kind``); the methodology document is one per
# batch, whatever the periods.
REPORTS = ("briefing", "overview", "methodology")
DEFAULT_REPORTS = ("briefing", "overview")
LANGUAGES = ("vi", "en")
FORMATS = ("html", "pdf", "docx")
EXECUTORS = ("warm", "strict", "dask")
APPORTIONMENTS = ("area", "default")
LEVELS = ("province", "district", "commune")
ALL = "all"  # province: all -> every province of the register (the national run)
DEFAULT_TIMEOUT = 600  # seconds per cell: a hung cell fails its job instead of the batch
MAX_TIMEOUT = 86_400
# Folders that mark a project's top (the params file's paths may not leave it).
ROOT_MARKERS = ("pyproject.toml", ".git")

KEYS = ("name", "province", "parent", "level", "periods", "localities", "data", "methodology",
        "reports", "languages", "formats", "output", "apportionment", "executor", "workers",
        "timeout", "notebooks", "committee")
EXAMPLES = {
    "name": 'name: nghe-an-latest', "province": 'province: "40"   # or all',
    "parent": 'parent: "40"',
    "level": "level: commune",
    "periods": 'periods: ["2026Q3"]   # or [latest], a year ["2025"], a year to date ["2026Q1-Q3"]',
    "localities": 'localities: ["17266", "16681"]', "data": "data: ../data/sample",
    "methodology": "methodology: par-commune", "reports": "reports: [briefing, overview]",
    "languages": "languages: [vi, en]", "formats": "formats: [html, pdf]",
    "output": "output: ../reports", "apportionment": "apportionment: area",
    "executor": "executor: warm", "workers": "workers: 2", "timeout": "timeout: 600",
    "notebooks": "notebooks: {briefing: ../notebooks/briefing.ipynb}",
    "committee": 'committee: {issuing_body: "SỞ NỘI VỤ", parent_body: "UBND TỈNH NGHỆ AN", '
                 'symbol: "BC-SNV", place: "Nghệ An"}',
}

# The committee edition (Decree 30/2020/NĐ-CP): what the issuing body writes in the document's
# frame. Every field may be left out or empty: the document then shows a marked blank ("…")
# for the secretariat to fill in, never an invented value.
COMMITTEE_FIELDS = {
    "issuing_body": "cơ quan, tổ chức ban hành văn bản, e.g. SỞ NỘI VỤ",
    "parent_body": "cơ quan chủ quản, e.g. UBND TỈNH NGHỆ AN",
    "symbol": "ký hiệu văn bản after 'Số: …/', e.g. BC-SNV",
    "place": "địa danh, e.g. Nghệ An",
    "signer_authority": "quyền hạn người ký, e.g. KT. GIÁM ĐỐC (empty when the head signs)",
    "signer_title": "chức vụ người ký, e.g. PHÓ GIÁM ĐỐC",
    "signer_name": "họ và tên người ký",
    "recipients": "nơi nhận, a list, e.g. [Ban Chỉ đạo CCHC tỉnh, \"Lưu: VT\"]",
    "appendix_to": "issue the report as an appendix to a named report (phụ lục); a mapping",
}
APPENDIX_FIELDS = {
    "appendix": "the appendix's number, e.g. I (Phụ lục I)",
    "report_number": "the number of the report it is attached to",
    "report_symbol": "that report's symbol, e.g. BC-UBND",
    "report_date": "that report's date, e.g. 15/10/2026",
    "issuer": "who issued that report, e.g. UBND tỉnh Nghệ An",
}


@dataclass(frozen=True)
class Params:
    """A validated params file. Paths are absolute; ``root`` is the project folder."""

    name: str
    parent: str  # the province (or legacy district) whose units are briefed, or "all"
    level: str
    periods: tuple[str, ...]
    localities: tuple[str, ...] | None
    data: Path | None  # None: a batch of the methodology document alone
    methodology: str  # a shipped id, an id of the data set's methodologies/, or a YAML file
    reports: tuple[str, ...]
    languages: tuple[str, ...]
    formats: tuple[str, ...]
    output: Path
    apportionment: str = "area"
    executor: str = "warm"
    workers: int | None = None
    timeout: int | None = DEFAULT_TIMEOUT
    notebooks: dict = field(default_factory=lambda: dict(NOTEBOOKS))
    committee: dict = field(default_factory=dict)  # the committee edition's frame (see below)
    root: Path = PROJECT_ROOT
    file: Path | None = None
    # quarters of the data that look mistyped (a handful of units, or far from the others)
    warnings: tuple[str, ...] = ()

    def public_path(self, path: Path | str) -> str:
        """A path as it may be published: relative to the project (never a user's home)."""
        return public_path(path, self.root)

    def kernel_path(self, path: Path | str) -> str:
        """A path as the notebook receives it (the kernel runs in the project folder)."""
        p = Path(path)
        try:
            return p.relative_to(self.root).as_posix() or "."
        except ValueError:
            return str(p)

    @property
    def methodology_param(self) -> str:
        return self.kernel_path(self.methodology) if is_yaml(self.methodology) else self.methodology

    @property
    def methodology_folders(self) -> list[Path]:
        """Where a methodology named by id may be besides the shipped ones: the data set's
        ``methodologies/`` folder."""
        from parbrief.scoring.methodology import folder_of

        return [f for f in [folder_of(self.data)] if f is not None]


@dataclass(frozen=True)
class Job:
    """One notebook execution: a briefing of one locality, or an overview, in one quarter."""

    kind: str  # briefing | overview
    notebook: Path
    parameters: dict  # as injected (paths relative to the project folder)
    period: str
    locality: str  # the locality's code (the parent's code for an overview)
    name: str  # the locality's name, with diacritics
    stem: str  # briefing-17266-xa-tan-ky
    out_dir: Path  # reports/2026Q3/nghe-an

    @property
    def id(self) -> str:
        return f"{self.period}/{self.out_dir.name}/{self.stem}"

    def path(self, suffix: str) -> Path:
        return self.out_dir / f"{self.stem}{suffix}"


# --------------------------------------------------------------------------- paths


def public_path(path: Path | str, root: Path) -> str:
    p = Path(path)
    if not p.is_absolute():
        return p.as_posix()
    try:
        return p.resolve().relative_to(root.resolve()).as_posix() or "."
    except ValueError:
        return p.name  # outside the project: the name only, never the folder it sits in


def file_in_the_way(folder: Path) -> Path | None:
    """The existing file (not folder) at ``folder`` or above it, which stops it being made."""
    for p in (folder, *folder.parents):
        if p.exists():
            return None if p.is_dir() else p
    return None


def project_root(start: Path) -> Path:
    """The project folder of a params file: the nearest folder above it holding
    ``pyproject.toml`` or ``.git``; failing that, the folder above ``params/`` (or the
    params file's own folder)."""
    folder = start.resolve()
    for candidate in (folder, *folder.parents):
        if any((candidate / m).exists() for m in ROOT_MARKERS):
            return candidate
    return folder.parent if folder.name == "params" else folder


def is_yaml(name: str) -> bool:
    return Path(str(name)).suffix.lower() in (".yaml", ".yml")


# --------------------------------------------------------------------------- reading


class _Checker:
    """Collects nothing: the first problem raises, naming the file and the key."""

    def __init__(self, file: str, contain: bool = True, options: dict | None = None):
        self.file = file
        self.contain = contain
        self.options = options or {}  # key -> command-line option that gave it

    def fail(self, key: str, message: str, example: bool = True) -> None:
        if key in self.options:
            raise ParameterError(f"{self.file}: {self.options[key]}: {message}")
        fix = f" (e.g. {EXAMPLES[key]})" if example and key in EXAMPLES else ""
        raise ParameterError(f"{self.file}: key '{key}': {message}{fix}")

    def string(self, raw: dict, key: str, default=None, required: bool = False) -> str | None:
        if key not in raw or raw[key] is None:
            if required:
                self.fail(key, "missing; it is required")
            return default
        value = raw[key]
        if isinstance(value, bool) or not isinstance(value, str):
            hint = " (write codes in quotes so that leading zeros survive)" \
                if isinstance(value, int) and not isinstance(value, bool) else ""
            self.fail(key, f"must be a string, got {value!r} ({type(value).__name__}){hint}")
        if not value.strip():
            self.fail(key, "must not be empty")
        return value.strip()

    def choice(self, raw: dict, key: str, allowed: tuple[str, ...], default: str) -> str:
        value = self.string(raw, key, default)
        if value not in allowed:
            close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.5)
            hint = f"did you mean {close[0]!r}? " if close else ""
            self.fail(key, f"{value!r} is not supported; {hint}use one of: {', '.join(allowed)}",
                      example=False)
        return value

    def str_list(self, raw: dict, key: str, default=None, allowed: tuple[str, ...] | None = None,
                 what: str = "value") -> list[str] | None:
        if key not in raw or raw[key] is None:
            return default
        value = raw[key]
        if not isinstance(value, list):
            self.fail(key, f"must be a list, got {value!r} ({type(value).__name__})")
        if not value:
            self.fail(key, "must not be an empty list")
        out: list[str] = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, str):
                hint = " (write codes in quotes so that leading zeros survive)" \
                    if isinstance(item, int) and not isinstance(item, bool) else ""
                self.fail(key, f"every item must be a string, got {item!r} "
                               f"({type(item).__name__}){hint}")
            item = item.strip()
            if allowed is not None and item not in allowed:
                close = difflib.get_close_matches(item, allowed, n=1, cutoff=0.5)
                hint = f"did you mean {close[0]!r}? " if close else ""
                self.fail(key, f"{what} {item!r} is not supported; {hint}"
                               f"supported: {', '.join(allowed)}", example=False)
            if item not in out:
                out.append(item)
        return out

    def number(self, raw: dict, key: str, default, integer: bool):
        if key not in raw or raw[key] is None:
            return default
        value = raw[key]
        ok = isinstance(value, int) if integer else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok or value <= 0:
            kind = "a positive whole number" if integer else "a positive number of seconds"
            self.fail(key, f"must be {kind}, got {value!r} ({type(value).__name__})")
        return int(value) if integer else float(value)

    def seconds(self, raw: dict, key: str, default: int) -> int:
        """A whole number of seconds (the kernel client takes no fractions), at most a day."""
        if key not in raw or raw[key] is None:
            return default
        value = raw[key]
        whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        if isinstance(value, bool) or not whole or value <= 0:
            self.fail(key, f"must be a positive whole number of seconds, got {value!r} "
                           f"({type(value).__name__})")
        if value > MAX_TIMEOUT:
            self.fail(key, f"{value!r} seconds is more than a day ({MAX_TIMEOUT}); a cell "
                           "that runs longer has hung")
        return int(value)

    def path(self, raw: dict, key: str, base: Path, root: Path, default: Path | None = None,
             must_exist: bool = False, output: bool = False) -> Path:
        if key not in raw or raw[key] is None:
            if default is None:
                self.fail(key, "missing; it is required")
            value, given = default, str(default)
        else:
            given = self.string(raw, key)
            value = Path(os.path.expanduser(given))
        candidate = value if value.is_absolute() else base / value
        resolved = Path(os.path.normpath(candidate.absolute()))
        real = candidate.resolve()
        root_real = root.resolve()
        for p in (resolved, real) if self.contain else ():
            try:
                p.relative_to(root_real if p is real else root)
            except ValueError:
                self.fail(key, f"{given!r} is outside the project folder {root} "
                               f"(it resolves to {real}); give a path inside the project")
        if output:
            try:
                link = symlink_below(resolved, root)
            except ValueError:  # outside the project (allowed on the command line)
                link = next((p for p in (resolved, *resolved.parents) if p.is_symlink()), None)
            if link is not None:
                self.fail(key, f"{given!r} goes through the symbolic link {link}; reports are "
                               "only written to real folders inside the project: remove the link "
                               "or give another folder")
            blocker = file_in_the_way(resolved)
            if blocker is not None:
                self.fail(key, f"{given!r} is not a folder: {public_path(blocker, root)} is a "
                               "file; give a folder for the reports")
        if must_exist and not real.exists():
            self.fail(key, f"{given!r} does not exist (looked for {real})")
        return resolved


def _read_yaml(path: Path) -> dict:
    try:
        raw = safe_yaml.load_file(path)
    except FileNotFoundError:
        raise ParameterError(f"params file {path} not found") from None
    except IsADirectoryError:
        raise ParameterError(f"{path} is a folder; give a params file (e.g. "
                             "params/nghe-an-latest.yaml)") from None
    except safe_yaml.YamlError as e:
        raise ParameterError(str(e)) from None
    if raw is None:
        raise ParameterError(f"{path}: the file is empty; see params/nghe-an-latest.yaml for an "
                             "example")
    if not isinstance(raw, dict):
        raise ParameterError(f"{path}: must be a mapping of keys (name:, province:, periods: ...), "
                             f"got a {type(raw).__name__}")
    return raw


def load(path: str | Path, overrides: dict | None = None) -> Params:
    """Read and check a params file. ``overrides`` (from the command line) replace its keys;
    ``output`` given there is relative to the current folder, not the file."""
    path = Path(path)
    raw = _read_yaml(path)
    return from_mapping(raw, file=path, overrides=overrides)


def from_mapping(raw: dict, file: Path | None = None, overrides: dict | None = None,
                 base: Path | None = None, root: Path | None = None, contain: bool = True,
                 display: str | None = None, options: dict | None = None) -> Params:
    """Check a mapping of parameters. Relative paths are relative to ``file`` (or ``base``).
    ``contain``: paths must stay inside the project folder (always for params files)."""
    display = display or (str(file) if file is not None else "parameters")
    check = _Checker(display, contain, options)
    for key in raw:
        if not isinstance(key, str) or key not in KEYS:
            close = difflib.get_close_matches(str(key), KEYS, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise ParameterError(f"{display}: unknown key '{key}'; {hint}"
                                 f"allowed keys: {', '.join(KEYS)}")
    base = (file.parent if file is not None else (base or Path.cwd())).resolve()
    root = (root or project_root(base)).resolve()

    name = check.string(raw, "name", file.stem if file is not None else "run")
    if "province" in raw and "parent" in raw:
        raise ParameterError(f"{display}: give either 'province' or 'parent', not both")
    parent_key = "parent" if "parent" in raw else "province"
    parent = check.string(raw, parent_key, required=True)
    level = check.choice(raw, "level", LEVELS, "commune")
    data = check.path(raw, "data", base, root, must_exist=True)
    methodology = check.string(raw, "methodology", "par-commune")
    if is_yaml(methodology):  # a file: confined to the project, as data and output are
        methodology = str(check.path(raw, "methodology", base, root, must_exist=True))
    _check_methodology(check, methodology, data, level)
    reports = check.str_list(raw, "reports", list(DEFAULT_REPORTS), REPORTS, "report kind")
    languages = check.str_list(raw, "languages", list(LANGUAGES), LANGUAGES, "language")
    formats = check.str_list(raw, "formats", list(FORMATS), FORMATS, "format")
    output = check.path(raw, "output", base, root, default=root / "reports", output=True)
    apportionment = check.choice(raw, "apportionment", APPORTIONMENTS, "area")
    executor = check.choice(raw, "executor", EXECUTORS, "warm")
    workers = check.number(raw, "workers", None, integer=True)
    timeout = check.seconds(raw, "timeout", DEFAULT_TIMEOUT)
    notebooks = dict(NOTEBOOKS)
    if raw.get("notebooks") is not None:
        if not isinstance(raw["notebooks"], dict):
            check.fail("notebooks", f"must be a mapping of report kind to notebook file, got "
                                    f"{raw['notebooks']!r}")
        for kind in raw["notebooks"]:
            if kind not in NOTEBOOKS:
                check.fail("notebooks", f"unknown report kind {kind!r}; use: "
                                        f"{', '.join(NOTEBOOKS)}")
            nb = check.path(raw["notebooks"], kind, base, root, must_exist=True)
            notebooks[kind] = nb

    committee = _committee(display, raw.get("committee"))
    from parbrief.ingest import coverage
    from parbrief.ingest.messages import messages

    reported = coverage.read_reports(data)
    shown_data = public_path(data, root)
    periods = _periods(check, raw, reported, parent_key, parent, level, shown_data)
    parent = _parent(check, parent_key, parent, periods)
    localities = check.str_list(raw, "localities", None)
    if localities is not None:
        for q in periods:
            _check_localities(check, localities, parent, level, q)
    else:
        for q in periods:
            _check_level(check, parent, level, q)
    held = coverage.under(reported, parent, level)
    for q in periods:
        if is_quarter(q):
            _check_coverage(check, reported, held, parent, level, q, shown_data)
        else:  # a year or a year to date: any figure or appraisal point of its units
            _check_span_coverage(check, data, parent, level, q, shown_data)
    warnings = tuple(f"{shown_data}: {messages.unlikely_quarter(u)}"
                     for u in coverage.unlikely_quarters(held).values())

    params = Params(name=name, parent=parent, level=level, periods=tuple(periods),
                    localities=tuple(localities) if localities else None, data=data,
                    methodology=methodology, reports=tuple(reports), languages=tuple(languages),
                    formats=tuple(formats), output=output, apportionment=apportionment,
                    executor=executor, workers=workers, timeout=timeout, notebooks=notebooks,
                    committee=committee, root=root, file=file, warnings=warnings)
    return override(params, overrides or {}, display) if overrides else params


def run_params(locality: str, period: str, data: str | Path = "data/sample",
               methodology: str = "par-commune", languages: list[str] | None = None,
               formats: list[str] | None = None, output: str | Path = "reports",
               executor: str = "warm", reports: tuple[str, ...] = ("briefing",)) -> Params:
    """Parameters of ``parbrief run``: one locality, one quarter; paths relative to the
    current folder (the command line may point anywhere)."""
    from parbrief.units import register

    display = "parbrief run"
    code = str(locality).strip()
    base = Path.cwd()
    if str(period).strip().lower() == "latest":
        data_path = Path(data) if Path(data).is_absolute() else base / data
        if not data_path.exists():
            raise ParameterError(f"{display}: --data {data} does not exist")
        period = latest_period(data_path)
    try:
        q = str(parse_period(period))  # a quarter, a year or a year to date
    except ParbriefError as e:
        raise ParameterError(f"{display}: --period: {e}") from None
    try:
        unit = register.get(code, q)
    except ParbriefError as e:
        raise ParameterError(f"{display}: --locality: {e}") from None
    parent = unit.parent_code or unit.code
    raw = {"name": f"run-{unit.code}-{q}", "parent": parent, "level": unit.level,
           "periods": [q], "data": str(data), "methodology": methodology,
           "reports": list(reports), "output": str(output), "executor": executor}
    if unit.parent_code is not None:
        raw["localities"] = [unit.code]
    else:  # a province on its own: its overview
        raw.update(level="commune" if register.register_for(q) == register.REG_2025
                   else "district", reports=["overview"])
    if languages is not None:
        raw["languages"] = languages
    if formats is not None:
        raw["formats"] = formats
    return from_mapping(raw, base=base, contain=False, display=display, options={
        "languages": "--lang", "formats": "--formats", "data": "--data",
        "methodology": "--methodology", "output": "--out", "executor": "--executor",
        "localities": "--locality", "parent": "--locality", "periods": "--period"})


def _committee_text(display: str, key: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ParameterError(f"{display}: key '{key}': must be text, got {value!r} "
                             f"({type(value).__name__}); write it in quotes")
    return str(value).strip()


def _unknown_field(display: str, key: str, name, allowed: dict) -> ParameterError:
    close = difflib.get_close_matches(str(name), list(allowed), n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return ParameterError(f"{display}: key '{key}': unknown field '{name}'; {hint}"
                          f"its fields are: {', '.join(allowed)}")


def _committee(display: str, raw) -> dict:
    """The ``committee:`` mapping, checked field by field; missing fields are empty (the
    document shows a marked blank)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ParameterError(f"{display}: key 'committee': must be a mapping of fields "
                             f"({', '.join(COMMITTEE_FIELDS)}), got {raw!r} "
                             f"(e.g. {EXAMPLES['committee']})")
    out: dict = {}
    for name, value in raw.items():
        if name not in COMMITTEE_FIELDS:
            raise _unknown_field(display, "committee", name, COMMITTEE_FIELDS)
        key = f"committee.{name}"
        if name == "recipients":
            if value is None:
                continue
            if not isinstance(value, list):
                raise ParameterError(f"{display}: key '{key}': must be a list of recipients, "
                                     f"got {value!r} (e.g. recipients: [\"Ban Chỉ đạo CCHC "
                                     f"tỉnh\", \"Lưu: VT\"])")
            items = [_committee_text(display, key, item) for item in value]
            if any(not item for item in items):
                raise ParameterError(f"{display}: key '{key}': a recipient is empty; remove it")
            out[name] = items
        elif name == "appendix_to":
            if value is None:
                continue
            if not isinstance(value, dict):
                raise ParameterError(f"{display}: key '{key}': must be a mapping of fields "
                                     f"({', '.join(APPENDIX_FIELDS)}), got {value!r}; write "
                                     "appendix_to: {} to leave every field blank")
            for sub in value:
                if sub not in APPENDIX_FIELDS:
                    raise _unknown_field(display, key, sub, APPENDIX_FIELDS)
            out[name] = {sub: _committee_text(display, f"{key}.{sub}", value.get(sub))
                         for sub in APPENDIX_FIELDS}
        else:
            out[name] = _committee_text(display, key, value)
    return out


def override(params: Params, overrides: dict, display: str) -> Params:
    from dataclasses import replace

    changes = {k: v for k, v in overrides.items() if v is not None}
    if "output" in changes:  # from the command line: relative to where the user stands
        out = Path(os.path.normpath(Path(changes["output"]).absolute()))
        link = None
        try:
            link = symlink_below(out, params.root)
        except ValueError:
            pass
        if link is not None:
            raise ParameterError(f"--out {changes['output']}: goes through the symbolic link "
                                 f"{link}; give a real folder")
        blocker = file_in_the_way(out)
        if blocker is not None:
            raise ParameterError(f"--out {changes['output']} is not a folder: {blocker} is a "
                                 "file; give a folder for the reports")
        changes["output"] = out
    for key in ("executor",):
        if key in changes and changes[key] not in EXECUTORS:
            raise ParameterError(f"--{key} {changes[key]!r}: use one of {', '.join(EXECUTORS)}")
    return replace(params, **changes)


def _check_methodology(check: _Checker, methodology: str, data: Path | None = None,
                       level: str | None = None) -> None:
    """A methodology parbrief knows (shipped, in the data set's ``methodologies/`` folder, or a
    file), that loads, and that scores units of ``level``."""
    from parbrief.scoring import methodology as methodologies

    try:
        method = methodologies.load(methodology, [methodologies.folder_of(data)])
    except ParbriefError as e:
        check.fail("methodology", str(e), example=False)
    if level is not None and not method.scores_level(level):
        check.fail("methodology", f"{method.id} is a methodology for {', '.join(method.levels)} "
                                  f"units; it cannot score the {_PLURAL[level]} this params file "
                                  "briefs (level: " + level + "): give a methodology for them",
                   example=False)


def latest_period(data: Path, parent: str | None = None, level: str | None = None) -> str:
    """The newest quarter the units (of ``level`` under ``parent``) reported: a quarter only a
    handful of them report, or far from the others (a mistyped year), is skipped."""
    from parbrief.ingest import coverage

    q = coverage.latest(coverage.under(coverage.read_reports(Path(data)), parent, level))
    if q is None:
        raise ParameterError(f"data set {data} has no figures with a valid period")
    return str(q)


def _periods(check: _Checker, raw: dict, reports, parent_key: str, parent: str, level: str,
             shown_data: str) -> list[str]:
    from parbrief.ingest import coverage

    if "periods" not in raw and "period" not in raw:
        check.fail("periods", "missing; it is required")
    values = check.str_list(raw, "periods", None)
    out: list[str] = []
    for value in values:
        if value.lower() == "latest":
            # The parent is looked up in the register of the data's newest quarter, then
            # "latest" is the newest quarter its units of that level reported.
            newest = coverage.latest(reports)
            if newest is None:
                check.fail("periods", f"'latest': data set {shown_data} has no figures with a "
                                      "valid period", example=False)
            code = _parent(check, parent_key, parent, [str(newest)])
            q = coverage.latest(coverage.under(reports, code, level))
            if q is None:
                q = newest  # nothing of that level: the coverage check says what there is
            q = str(q)
        else:
            try:
                q = str(parse_period(value))  # a quarter, a year or a year to date
            except ParbriefError as e:
                check.fail("periods", str(e))
        if q not in out:
            out.append(q)
    return out


def _span_units(data: Path, period: str) -> set[str]:
    """The codes with any row (figure or appraisal point) for a year or year to date, read
    cheaply."""
    from parbrief.ingest import dataset as datasets
    from parbrief.scoring.spans import row_periods

    wanted = set(row_periods(period))
    ds = datasets.load(data, validate=False)
    codes = set(ds.figures.locality_code[ds.figures.period.isin(wanted)])
    return codes | set(ds.appraisal.locality_code[ds.appraisal.period.isin(wanted)])


def _check_span_coverage(check: _Checker, data: Path, parent: str, level: str, period: str,
                         shown_data: str) -> None:
    """A year with no row of the units briefed would publish a "no points" report for each of
    them: refused, saying so."""
    units = _under(parent, period, level)
    if _span_units(data, period) & units:
        return
    from parbrief.units import register

    owner = "the whole country" if parent == ALL else \
        f"{parent} {register.get(parent, period).name}"
    check.fail("periods", f"data set {shown_data} has no figures and no appraisal points for "
                          f"{period} from the {_PLURAL[level]} of {owner}; give a period it holds "
                          "(appraisal rows of a year have the year as period, e.g. 2024)",
               example=False)


_PLURAL = {"province": "provinces", "district": "districts", "commune": "communes"}


def _check_coverage(check: _Checker, reports, held, parent: str, level: str, period: str,
                    shown_data: str) -> None:
    """A quarter (or a level) the data set has no figures for would publish a "did not report"
    briefing for every unit: refused, saying what the data set holds."""
    from parbrief.ingest import coverage
    from parbrief.units import register

    q = Quarter.parse(period)
    if held.get(q):
        return
    plural = _PLURAL[level]
    if parent == ALL:
        owner, its, scope, below = "the whole country", "the country's", None, LEVELS
    else:
        unit = register.get(parent, q) if register.exists(parent, q) else None
        owner = f"{parent} {unit.name}" if unit else parent
        its, scope = "its", parent
        below = LEVELS[LEVELS.index(unit.level) + 1:] if unit else LEVELS
    whose = f"the {plural} of {owner}"
    at_levels = [lvl for lvl in below if lvl != level
                 and coverage.under(reports, scope, lvl).get(q)]
    if at_levels:
        have = [x for x, c in held.items() if c]
        when = (f" (or a quarter it holds {plural} for: "
                f"{', '.join(coverage.span(a, b) for a, b in coverage.ranges(have))})"
                if have else "")
        check.fail("level", f"data set {shown_data} has no figures from {whose} in {period}, "
                            f"only from {its} {' or '.join(_PLURAL[x] for x in at_levels)}: use "
                            f"level: {at_levels[0]}{when}", example=False)
    holds = coverage.holdings(reports, scope)
    if not holds:
        key = "province" if parent != ALL else "level"
        check.fail("periods", f"data set {shown_data} has no figures for {period} from {whose}, "
                              f"nor for any other quarter: check 'data' and '{key}'",
                   example=False)
    check.fail("periods", f"data set {shown_data} has no figures for {period} from {whose}; "
                          f"for {owner} it holds figures of {holds}: give one of those "
                          "quarters, or periods: [latest]", example=False)


def _parent(check: _Checker, key: str, value: str, periods: list[str]) -> str:
    from parbrief.units import register

    if value.lower() == ALL:
        return ALL
    unit = None
    for q in periods:
        try:
            unit = register.get(value, q) if value.isdigit() else register.find(value, q)
        except ParbriefError as e:
            check.fail(key, str(e), example=False)
    return unit.code


def _check_level(check: _Checker, parent: str, level: str, period: str) -> None:
    from parbrief.units import register

    if level == "district" and register.register_for(period) == register.REG_2025:
        check.fail("level", f"districts were abolished on 1 July 2025, so {period} has none; use "
                            "level: commune (or periods before 2025Q3)", example=False)
    if parent == ALL:
        if level == "province":
            check.fail("level", "'province' is not below the whole country's provinces")
        return
    unit = register.get(parent, period)
    if LEVELS.index(level) <= LEVELS.index(unit.level):
        check.fail("level", f"{level!r} is not below {unit.code} {unit.name} ({unit.level})")
    if not register.children(parent, period, level=level):
        check.fail("level", f"{unit.code} {unit.name} has no unit of level {level!r} in {period}")


def _check_localities(check: _Checker, codes: list[str], parent: str, level: str,
                      period: str) -> None:
    from parbrief.units import register

    _check_level(check, parent, level, period)
    under = _under(parent, period, level)
    parent_unit = register.get(parent, period) if parent != ALL else None
    for code in codes:
        try:
            unit = register.get(code, period)
        except ParbriefError as e:
            check.fail("localities", str(e), example=False)
        if parent_unit is None and unit.level != level:
            check.fail("localities", f"{unit.code} {unit.name} is a {unit.level}, not a {level} "
                                     f"in {period}", example=False)
        if parent_unit is not None and unit.code not in under:
            check.fail("localities", f"{unit.code} {unit.name} is not a {level} of {parent} "
                                     f"{parent_unit.name} in {period}; remove it or change "
                                     "'province'", example=False)


# --------------------------------------------------------------------------- notebook parameters


def declared_parameters(notebook: Path) -> dict[str, str]:
    """Parameters the notebook's ``parameters`` cell declares, by name -> type name.

    papermill's inspector reads ``name: type = value  # help``; it skips a line whose comment
    holds a second ``=``, so the cell is also read with ``ast`` and both are merged.
    """
    import logging

    import nbformat
    from papermill.inspection import inspect_notebook

    papermill_log = logging.getLogger("papermill")
    level = papermill_log.level
    papermill_log.setLevel(logging.ERROR)  # its "unable to parse" warning is handled below
    try:
        found = {name: p.get("inferred_type_name", "None")
                 for name, p in inspect_notebook(str(notebook)).items()}
    finally:
        papermill_log.setLevel(level)
    nb = nbformat.read(str(notebook), as_version=4)
    ordered: dict[str, str] = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:
                break
            for node in tree.body:  # the cell's order; papermill's type where it read one
                if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                    ordered[node.target.id] = found.get(node.target.id,
                                                        ast.unparse(node.annotation))
                elif isinstance(node, ast.Assign):
                    for t in node.targets:
                        if isinstance(t, ast.Name):
                            ordered[t.id] = found.get(t.id, "None")
            break
    found = {**ordered, **{k: v for k, v in found.items() if k not in ordered}}
    return found


_TYPES = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,), "list": (list,),
          "dict": (dict,), "List[str]": (list,), "list[str]": (list,)}


def check_notebook_parameters(notebook: Path, parameters: dict,
                              declared: dict[str, str] | None = None) -> None:
    """An unknown parameter or a value of the wrong type is an error naming it."""
    declared = declared if declared is not None else declared_parameters(notebook)
    where = public_path(notebook, PROJECT_ROOT)
    if not declared:
        raise ParameterError(f"notebook {where} has no cell tagged 'parameters'")
    for name, value in parameters.items():
        if name not in declared:
            close = difflib.get_close_matches(name, list(declared), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise ParameterError(f"notebook {where} has no parameter '{name}'; {hint}"
                                 f"its parameters are: {', '.join(declared)}")
        wanted = declared[name]
        types = _TYPES.get(wanted)
        if types is None:
            continue  # no annotation: nothing to check against
        bad = not isinstance(value, types) or (isinstance(value, bool) and bool not in types)
        if bad:
            raise ParameterError(f"notebook {where}: parameter '{name}' must be {wanted}, got "
                                 f"{value!r} ({type(value).__name__})")


# --------------------------------------------------------------------------- jobs


def _under(parent: str, period: str, level: str) -> set[str]:
    from parbrief.units import register

    if parent == ALL:
        return {u.code for u in register.localities(period, level)}
    return {u.code for u in register.children(parent, period, level=level)}


def parents(params: Params, period: str) -> list[register.Locality]:
    """The parent units of a batch: one, or every province (``province: all``)."""
    from parbrief.units import register

    if params.parent == ALL:
        return register.localities(period, "province")
    return [register.get(params.parent, period)]


def out_folder(params: Params, period: str, parent: register.Locality) -> Path:
    """``reports/<period>/<parent slug>``, e.g. ``reports/2026Q3/nghe-an``."""
    return params.output / period / slug(parent.short_name or parent.name)


def notebook_kind(report: str, period: str) -> str:
    """The notebook a report of a period is made by: a year's (or a year to date's) briefing
    and overview by the annual ones."""
    if report in ("briefing", "overview") and not is_quarter(period):
        return f"annual_{report}"
    return report


def kinds(params: Params) -> list[str]:
    """Every notebook kind the batch runs."""
    out = []
    for report in params.reports:
        for period in (params.periods if report != "methodology" else ("",)):
            kind = notebook_kind(report, period) if period else report
            if kind not in out:
                out.append(kind)
    return out


def methodology_folder(params: Params) -> Path:
    """Where the methodology document goes: ``reports/methodology/``."""
    return params.output / "methodology"


def expand(params: Params) -> list[Job]:
    """One job per locality × period, one overview per parent and period (overviews first:
    they take longest, so they should not be the last ones a worker picks up), and the
    methodology document once. A year's (or year to date's) reports are the annual kinds."""
    from parbrief.runner.notebooks import check_template
    from parbrief.units import register

    used = kinds(params)
    for kind in used:  # a template edited in an editor is refused before any job
        check_template(params.notebooks[kind], params.public_path(params.notebooks[kind]))
    declared = {kind: declared_parameters(params.notebooks[kind]) for kind in used}
    languages = list(params.languages)
    data = params.kernel_path(params.data) if params.data is not None else ""
    documents: list[Job] = []
    overviews: list[Job] = []
    briefings: list[Job] = []
    if "methodology" in params.reports:
        from parbrief.core.names import slug as slugify
        from parbrief.scoring.methodology import load

        method = load(params.methodology, params.methodology_folders)
        parameters = {"methodology": params.methodology_param, "data": data,
                      "languages": languages}
        check_notebook_parameters(params.notebooks["methodology"], parameters,
                                  declared["methodology"])
        documents.append(Job("methodology", params.notebooks["methodology"], parameters,
                             "methodology", method.id, method.title["vi"],
                             f"methodology-{slugify(method.id)}", methodology_folder(params)))
    for period in params.periods:
        for parent in parents(params, period):
            out_dir = out_folder(params, period, parent)
            if "overview" in params.reports:
                kind = notebook_kind("overview", period)
                parameters = {"province": parent.code, "period": period, "data": data,
                              "methodology": params.methodology_param, "languages": languages}
                if kind == "annual_overview" and params.level != _default_level(period):
                    parameters["level"] = params.level
                check_notebook_parameters(params.notebooks[kind], parameters, declared[kind])
                overviews.append(Job(kind, params.notebooks[kind], parameters,
                                     period, parent.code, parent.name,
                                     f"overview-{parent.file_stem}", out_dir))
            if "briefing" not in params.reports:
                continue
            kind = notebook_kind("briefing", period)
            if params.localities:
                under = _under(parent.code, period, params.level)
                units = [register.get(c, period) for c in params.localities if c in under]
            else:
                units = register.children(parent.code, period, level=params.level)
            for unit in units:
                parameters = {"locality": unit.code, "period": period, "data": data,
                              "methodology": params.methodology_param, "languages": languages}
                if kind == "briefing":
                    parameters["apportionment"] = params.apportionment
                check_notebook_parameters(params.notebooks[kind], parameters, declared[kind])
                briefings.append(Job(kind, params.notebooks[kind], parameters,
                                     period, unit.code, unit.name, f"briefing-{unit.file_stem}",
                                     out_dir))
    return documents + overviews + briefings


def _default_level(period: str) -> str:
    from parbrief.units import register

    return "district" if register.register_for(period) == register.LEGACY else "commune"


def document_params(methodology: str, output: str | Path, languages: list[str] | None = None,
                    formats: list[str] | None = None, data: str | Path | None = None,
                    executor: str = "warm") -> Params:
    """Parameters of ``parbrief methodology document``: the methodology document alone
    (a shipped id, a file, or an id of the data set's ``methodologies/`` folder); paths
    relative to the current folder."""
    display = "parbrief methodology document"
    base = Path.cwd()
    check = _Checker(display, contain=False, options={
        "languages": "--lang", "formats": "--formats", "data": "--data",
        "methodology": "METHODOLOGY", "output": "--out"})
    raw = {"data": str(data)} if data else {}
    data_path = check.path(raw, "data", base, base, must_exist=True) if data else None
    if is_yaml(methodology):
        path = Path(methodology) if Path(methodology).is_absolute() else base / methodology
        if not path.is_file():
            check.fail("methodology", f"{methodology} does not exist", example=False)
        methodology = str(path.resolve())
    _check_methodology(check, methodology, data_path)
    raw = {"languages": languages, "formats": formats, "output": str(output)}
    langs = check.str_list(raw, "languages", list(LANGUAGES), LANGUAGES, "language")
    fmts = check.str_list(raw, "formats", list(FORMATS), FORMATS, "format")
    out = check.path(raw, "output", base, base, output=True)
    root = project_root(base)
    return Params(name="methodology-document", parent="", level="", periods=(),
                  localities=None, data=data_path, methodology=methodology,
                  reports=("methodology",), languages=tuple(langs), formats=tuple(fmts),
                  output=out, executor=executor, root=root if _inside(out, root) else base)


def _inside(path: Path, root: Path) -> bool:
    try:
        Path(path).resolve().relative_to(Path(root).resolve())
        return True
    except ValueError:
        return False


def describe(params: Params) -> dict:
    """The parameters as they may be published (paths relative to the project)."""
    return {
        "name": params.name, "parent": params.parent, "level": params.level,
        "periods": list(params.periods),
        "localities": list(params.localities) if params.localities else None,
        "data": params.public_path(params.data) if params.data is not None else None,
        "methodology": params.public_path(params.methodology) if is_yaml(params.methodology)
        else params.methodology,
        "reports": list(params.reports), "languages": list(params.languages),
        "formats": list(params.formats), "apportionment": params.apportionment,
        "committee": dict(params.committee),
    }


def dumps(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
