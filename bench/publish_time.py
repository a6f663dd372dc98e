"""Time the publishing steps of a few briefings (prints figures): each format per language
(HTML, PDF, Word, newsroom pack with its print-size PNGs) and the published notebook (screen
PNGs, writing the .ipynb), as the batch worker runs them after execution.

    python bench/publish_time.py [reports/2026Q3] [--briefings 4] [--repeat 3]

Reads the executed notebooks a batch published (run `make briefings` first) and takes their
screen PNGs out again, so each step starts from what the worker has after execution. Prints the
best of ``--repeat`` runs (seconds, wall clock) per step, summed over the briefings' languages,
for the formats `make bench` publishes (HTML with its pack, PDF) and for `make briefings`
(Word as well).
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def before_rendering(nb):
    """The notebook as the worker renders it: chart outputs without their screen PNG."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data") or {}
            if "image/svg+xml" in data:
                data.pop("image/png", None)
    return nb


def clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def since(start: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = clock()
    return wall - start[0], cpu - start[1]


def add(store: dict, name: str, seconds: tuple[float, float]) -> None:
    wall, cpu = store.get(name, (0.0, 0.0))
    store[name] = (wall + seconds[0], cpu + seconds[1])


def timed(store: dict, name: str, fn):
    def run(*args, **kwargs):
        start = clock()
        try:
            return fn(*args, **kwargs)
        finally:
            add(store, name, since(start))
    return run


def publish_once(base, nb, out: Path, stem: str, formats: list[str]) -> dict[str, float]:
    """One briefing published as the worker does it; seconds per step. ``base``: a Renderer
    whose templates are loaded (a copy of it: each run wraps its own methods)."""
    from parbrief.publish import notebook_copy, render

    steps: dict[str, tuple[float, float]] = {}
    renderer = copy.copy(base)
    for name in ("html", "pdf", "docx", "newsroom"):
        setattr(renderer, name, timed(steps, name, getattr(renderer, name)))
    renderer.png = timed(steps, "  of which rasterising (Typst)", renderer.png)
    nb = copy.deepcopy(nb)
    render.render_report(nb, out, stem, ["vi", "en"], formats, renderer, site=True)
    start = clock()
    notebook_copy.viewable_without_trust(nb, renderer)
    add(steps, "notebook: screen PNGs", since(start))
    start = clock()
    (out / f"{stem}.ipynb").write_bytes(notebook_copy.notebook_bytes(nb))
    add(steps, "notebook: writing", since(start))
    return steps


def main(argv=None) -> int:
    import tempfile

    import nbformat

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default=None,
                    help="a quarter's output folder (default: the newest under reports/)")
    ap.add_argument("--briefings", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    folder = Path(args.folder) if args.folder else max(
        (p for p in (ROOT / "reports").glob("*Q*") if p.is_dir()), default=None)
    notebooks = sorted(folder.glob("*/briefing-*.ipynb"))[:args.briefings] if folder else []
    if not notebooks:
        print("no published briefing notebooks: run `make briefings` first, or name the folder")
        return 1
    loaded = [(p.stem, before_rendering(nbformat.read(str(p), as_version=4)))
              for p in notebooks]
    from parbrief.publish import render

    base = render.Renderer()
    for label, formats in (("make bench (html + pack, pdf)", ["html", "pdf"]),
                           ("make briefings (html + pack, pdf, docx)", ["html", "pdf", "docx"])):
        best: dict[str, tuple[float, float]] = {}
        with tempfile.TemporaryDirectory() as tmp:
            publish_once(base, loaded[0][1], Path(tmp), loaded[0][0], formats)  # warm-up
            for _ in range(args.repeat):
                total: dict[str, tuple[float, float]] = {}
                for stem, nb in loaded:
                    for step, s in publish_once(base, nb, Path(tmp), stem, formats).items():
                        add(total, step, s)
                for step, (wall, cpu) in total.items():
                    old = best.get(step, (wall, cpu))
                    best[step] = (min(old[0], wall), min(old[1], cpu))
        n = len(loaded)
        print(f"{label}: {n} briefings, vi + en, best of {args.repeat} "
              "(seconds per briefing: wall clock, CPU of this process)")
        for step, (wall, cpu) in best.items():
            print(f"  {step:34s} {wall / n:6.3f} {cpu / n:6.3f}")
        tops = [v for k, v in best.items() if not k.startswith(" ")]
        print(f"  {'total':34s} {sum(v[0] for v in tops) / n:6.3f} "
              f"{sum(v[1] for v in tops) / n:6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
