"""Check, over every published briefing and overview of a quarter, that the numbers a reader
checks with a calculator add up as displayed.

Reads each report's published notebook (``<stem>.ipynb``, the blocks exactly as every output
shows them) and checks, in each language:

* points by area: the areas (and bonus/penalty points) add up to the total shown, each share
  is the points shown ÷ the maximum shown, and the total's share is the index;
* key figures (briefing and province): each change equals the difference of the two values
  shown (current − previous quarter, current − same quarter last year), ranks included;
  a card's change is the table's;
* localities by class (overview): the shares add up to 100 %, each is its count ÷ the total;
* every rate (a value ending in %) is shown with two decimals.

Usage: python bench/check_displayed_numbers.py [REPORTS_FOLDER] (default: the newest quarter
under reports/). Prints the checks made and every mismatch; exits 1 if there is one.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import nbformat

from parbrief.publish.contract import blocks

ROOT = Path(__file__).resolve().parents[1]
NUMBER = re.compile(r"[+\-−–]?\d[\d.,]*")


def parse(text: str, lang: str) -> Decimal | None:
    """A number as shown ("−1,98 điểm %", "1.306", "+0.49 pp", "giảm 20 bậc") or None."""
    text = str(text).strip()
    if not text or text in ("–", "—", "…"):
        return None
    match = NUMBER.search(text)
    if not match:
        return None
    raw = match.group(0).replace("−", "-").replace("–", "-")
    raw = raw.replace(".", "").replace(",", ".") if lang == "vi" else raw.replace(",", "")
    value = Decimal(raw)
    if re.search(r"\b(giảm|down)\b", text):
        value = -abs(value)
    return value


class Checker:
    def __init__(self) -> None:
        self.checks: Counter = Counter()
        self.problems: list[str] = []
        self.reports = 0

    def check(self, kind: str, ok: bool, where: str, detail: str) -> None:
        self.checks[kind] += 1
        if not ok:
            self.problems.append(f"{where}: {kind}: {detail}")

    # ------------------------------------------------------------------ blocks

    def rates_two_decimals(self, found: list[dict], lang: str, where: str) -> None:
        sep = "," if lang == "vi" else "."
        two = re.compile(rf"^[+\-−]?\d[\d.,]*{re.escape(sep)}\d\d$")
        values = []
        for block in found:
            if block["kind"] == "table":
                values += [c for r in block["rows"] for c in r]
            elif block["kind"] == "figures":
                values += [i.get("value", "") for i in block["items"]]
        for value in values:
            value = str(value).strip()
            # a rate ("96,49%") or a change of one ("−1,98 điểm %", "+0.49 pp")
            if value.endswith("%") or value.endswith(" pp"):
                number = NUMBER.search(value)
                if number:
                    self.check("rate shown with two decimals", bool(two.match(number.group(0))),
                               where, f"{value!r}")

    def scorecard(self, table: dict, lang: str, where: str) -> None:
        rows = table["rows"]
        total_row, parts = rows[-1], rows[:-1]
        total = parse(total_row[1], lang)
        shown = [parse(r[1], lang) for r in parts]
        self.check("areas add up to the total", sum(p for p in shown if p is not None) == total,
                   where, f"{' + '.join(r[1] for r in parts)} = "
                          f"{sum(p for p in shown if p is not None)}, shown {total_row[1]}")
        for r, points in zip(parts, shown):
            maximum, share = parse(r[2], lang), parse(r[3], lang)
            if maximum is None or share is None or points is None:
                continue
            expected = (points / maximum * 100).quantize(Decimal("0.01"), "ROUND_HALF_UP")
            self.check("area share = points shown ÷ maximum", expected == share, where,
                       f"{r[0]}: {r[1]}/{r[2]} = {expected}%, shown {r[3]}")
        maximum, index = parse(total_row[2], lang), parse(total_row[3], lang)
        if maximum and total is not None and index is not None:
            expected = (total / maximum * 100).quantize(Decimal("0.01"), "ROUND_HALF_UP")
            self.check("total share = index", expected == index, where,
                       f"{total_row[1]}/{total_row[2]} = {expected}, shown {total_row[3]}")

    def changes(self, table: dict, lang: str, where: str) -> dict[str, str]:
        """Changes against the previous quarter and last year; returns row -> change shown."""
        cols = [str(c) for c in table["columns"]]
        previous_change = next((i for i, c in enumerate(cols)
                                if c in ("Thay đổi", "Change", "So với quý trước",
                                         "Change on previous quarter")), None)
        year_change = next((i for i, c in enumerate(cols)
                            if c in ("So với cùng kỳ năm trước", "Change on a year earlier")),
                           None)
        pairs = []
        if previous_change is not None:
            pairs.append((previous_change, 1, 2))
        if year_change is not None:
            pairs.append((year_change, 1, year_change - 1))
        shown_changes = {}
        for row in table["rows"]:
            if previous_change is not None:
                shown_changes[row[0]] = row[previous_change]
            for change_col, now_col, before_col in pairs:
                change = row[change_col]
                now, before = row[now_col], row[before_col]
                is_rank = bool(re.search(r"bậc|places|ranking", str(change)))
                if is_rank:  # ranks shown "38/129": the place is before the slash
                    now, before = str(now).split("/")[0], str(before).split("/")[0]
                if parse(change, lang) is None or "/" in str(before):
                    continue
                a, b = parse(now, lang), parse(before, lang)
                if a is None or b is None:
                    continue
                if is_rank:  # a fall is a rise
                    expected = b - a
                else:
                    expected = a - b
                self.check("change = difference of values shown", expected == parse(change, lang),
                           where, f"{row[0]}: {now} − {before} = {expected}, shown {change}")
        return shown_changes

    def ranks_match_history(self, figures: dict, history: dict, where: str) -> None:
        """A rank the key figures show for an earlier quarter is the one the rank history
        shows for it (both as published then, "29/130")."""
        shown = {str(r[0]): r[2] for r in history["rows"]}
        rank_row = figures["rows"][1]
        for column, cell in zip(figures["columns"][1:], rank_row[1:]):
            then = shown.get(str(column))
            if then is not None and "/" in str(then) and re.match(r"\d", str(cell)):
                same = cell == then if "/" in str(cell) else cell == str(then).split("/")[0]
                self.check("rank shown = rank history", same, where,
                           f"{column}: key figures {cell!r}, rank history {shown[str(column)]!r}")

    def tiles_match(self, tiles: dict, changes: dict[str, str], where: str) -> None:
        for item in tiles["items"]:
            label, change = item.get("label"), str(item.get("change") or "")
            table = changes.get(label, "")
            # the same kind of change (a card of counts "x/y" or "of 192,905" is not one)
            if change and table not in ("–", "") and NUMBER.sub("", change) == NUMBER.sub("", table):
                self.check("card change = table change", change == table, where,
                           f"{label}: card {change!r}, table {table!r}")

    def classes(self, table: dict, lang: str, where: str) -> None:
        rows = [r for r in table["rows"] if r[1] != ""]  # the total row has no "from"
        counts = [parse(r[2], lang) for r in rows]
        shares = [parse(r[3], lang) for r in rows]
        total = sum(c for c in counts if c is not None)
        self.check("class shares add up to 100 %", sum(s for s in shares if s) == 100, where,
                   f"{' + '.join(r[3] for r in rows)}")
        for r, c, s in zip(rows, counts, shares):
            if total and c is not None and s is not None:
                expected = (c / total * 100).quantize(Decimal("0.01"), "ROUND_HALF_UP")
                # largest-remainder rounding may move a share by one unit of the last decimal
                self.check("class share = count ÷ total (±0,01)", abs(expected - s) <=
                           Decimal("0.01"), where, f"{r[0]}: {r[2]}/{total} = {expected}, "
                                                   f"shown {r[3]}")

    def report(self, nb, where: str) -> None:
        self.reports += 1
        for lang in ("vi", "en"):
            found = blocks(nb, lang)
            if not found:
                continue
            here = f"{where} [{lang}]"
            self.rates_two_decimals(found, lang, here)
            tables = {b.get("name"): b for b in found if b["kind"] == "table"}
            tiles = next((b for b in found if b["kind"] == "figures"), None)
            if "points-by-area" in tables:
                self.scorecard(tables["points-by-area"], lang, here)
            for name in ("key-figures", "province-key-figures"):
                if name in tables:
                    changes = self.changes(tables[name], lang, here)
                    if tiles is not None:
                        self.tiles_match(tiles, changes, here)
            if "key-figures" in tables and "rank-history" in tables:
                self.ranks_match_history(tables["key-figures"], tables["rank-history"], here)
            if "localities-by-class" in tables:
                self.classes(tables["localities-by-class"], lang, here)


def newest_quarter(reports: Path) -> Path:
    quarters = sorted(p for p in reports.iterdir() if p.is_dir() and re.match(r"\d{4}Q\d", p.name))
    if not quarters:
        raise SystemExit(f"no quarter folder under {reports}: run `make briefings` first")
    return quarters[-1]


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else newest_quarter(ROOT / "reports")
    checker = Checker()
    notebooks = sorted(folder.rglob("*.ipynb"))
    notebooks = [p for p in notebooks if "_failed" not in p.parts and not p.name.startswith(".")]
    for path in notebooks:
        checker.report(nbformat.read(str(path), as_version=4), path.stem)
    briefings = sum(1 for p in notebooks if p.name.startswith("briefing-"))
    print(f"reports checked: {checker.reports} ({briefings} briefings, "
          f"{checker.reports - briefings} overviews) in {folder}")
    for kind, n in sorted(checker.checks.items()):
        bad = sum(1 for p in checker.problems if f": {kind}: " in p)
        print(f"  {kind}: {n} checked, {bad} wrong")
    reports_with_problems = {p.split(" [", 1)[0] for p in checker.problems}
    print(f"mismatches: {len(checker.problems)} in {len(reports_with_problems)} reports")
    for problem in checker.problems[:40]:
        print(f"  {problem}")
    if len(checker.problems) > 40:
        print(f"  … and {len(checker.problems) - 40} more")
    return 1 if checker.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
