"""Errors a user can cause. Each one says what, where and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass


class ParbriefError(Exception):
    """Base class for errors caused by input (data, parameters, methodology files).

    ``where`` (a parameter, a file, a cell) and ``fix`` (what to do), when given, are kept apart
    from the message so a notebook can show them on lines of their own (``short_report``);
    ``str()`` still says all three, for the command line and logs.
    """

    def __init__(self, *args, where: str | None = None, fix: str | None = None):
        super().__init__(*args)
        self.where = where
        self.fix = fix

    @property
    def what(self) -> str:
        return super().__str__()

    def __str__(self) -> str:
        what = self.what
        if self.where:
            what = f"{self.where}: {what}"
        if not self.fix:
            return what
        return f"{what}{'' if what.endswith(('.', '?', '!')) else '.'} Fix: {self.fix}"


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in an input file, printed as ``file:row:column: message``.

    ``row`` is the 1-based line of a CSV file (the header is line 1) or the Excel row number;
    0 means "the whole file". ``column`` is the column name or the YAML key path. A
    ``warning`` (a quarter that looks mistyped) is printed but does not stop the data set from
    being used: it may be right.
    """

    file: str
    row: int
    column: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        return f"{self.file}:{self.row}:{self.column}: {kind}{self.message}"


class ValidationError(ParbriefError):
    """Raised with every problem found, so a user can fix them all in one pass."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(p for p in problems if not p.warning)
        super().__init__("\n".join(str(p) for p in self.problems))


class UnknownLocalityError(ParbriefError, KeyError):
    @property
    def what(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class PeriodError(ParbriefError, ValueError):
    pass


class MethodologyError(ParbriefError, ValueError):
    pass


class ParameterError(ParbriefError, ValueError):
    pass


class NothingToScoreError(ParbriefError, ValueError):
    """A request that would score no unit: it says why (no rows for the period, a methodology
    for another level, no unit of that level under the parent)."""


# --------------------------------------------------------------------------- short reports

TITLES = {
    "ValidationError": "the data has problems",
    "UnknownLocalityError": "unknown locality",
    "PeriodError": "no such quarter",
    "MethodologyError": "methodology",
    "ParameterError": "parameter",
    "NothingToScoreError": "nothing to score",
}
PROBLEMS_SHOWN = 8


def short_report(error: ParbriefError) -> tuple[str, list[str]]:
    """An error a user caused, as a title and a few lines: what, where, how to fix it (no
    traceback: the code that found it is not what the user needs to change)."""
    title = next((TITLES[c.__name__] for c in type(error).__mro__ if c.__name__ in TITLES),
                 "input")
    if isinstance(error, ValidationError):
        problems = [str(p) for p in error.problems]
        lines = [f"{len(problems)} problem(s) found in the data:" if len(problems) != 1
                 else "1 problem found in the data:"]
        lines += [f"  {p}" for p in problems[:PROBLEMS_SHOWN]]
        if len(problems) > PROBLEMS_SHOWN:
            lines.append(f"  ... and {len(problems) - PROBLEMS_SHOWN} more: "
                         "`parbrief validate <data>` lists them all")
        lines.append("Fix: correct these rows in the file (file:row:column: message), save it "
                     "and run the cell again")
        return title, lines
    lines = [error.what]
    if error.where:
        lines.append(f"Where: {error.where}")
    if error.fix:
        lines.append(f"Fix: {error.fix}")
    return title, lines
