"""Time the charts of a briefing and an overview as the notebooks draw them (prints figures).

Draws every chart section of a few Nghệ An briefings and of the province overview, in
Vietnamese and English, ``--repeat`` times, and prints the seconds per chart section and per
briefing, the SVG bytes per chart, and the time to rasterise the newsroom PNGs (Typst).

    python bench/chart_time.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCALITIES = ("17266", "16738", "16831", "16681")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    from parbrief.model import briefing, overview
    from parbrief.present import sections

    data = str(ROOT / "data" / "sample")
    prepared = [briefing.prepare(code, "2026Q3", data, "par-commune") for code in LOCALITIES]
    ov = overview.prepare("40", "2026Q3", data, "par-commune")
    chart_sections = [getattr(sections, n) for n in ("scorecard", "trend", "peers")]
    ov_sections = [getattr(sections, n) for n in ("class_distribution", "biggest_movers",
                                                 "dot_map") if hasattr(sections, n)]
    ov_sections += [getattr(sections, n) for n in ("former_districts",) if hasattr(sections, n)]
    for fn in chart_sections + ov_sections:  # warm-up: fonts, caches
        fn(prepared[0] if fn in chart_sections else ov, "vi")
    timings: dict[str, list[float]] = {}
    sizes: dict[str, list[int]] = {}
    charts = []
    for _ in range(args.repeat):
        for b in prepared:
            for fn in chart_sections:
                for lang in ("vi", "en"):
                    t = time.perf_counter()
                    blocks = fn(b, lang)
                    timings.setdefault(fn.__name__, []).append(time.perf_counter() - t)
                    for blk in blocks:
                        if blk["kind"] == "chart":
                            sizes.setdefault(fn.__name__, []).append(len(blk["svg"]))
                            charts.append(blk)
        for fn in ov_sections:
            for lang in ("vi", "en"):
                t = time.perf_counter()
                blocks = fn(ov, lang)
                timings.setdefault(fn.__name__, []).append(time.perf_counter() - t)
                for blk in blocks:
                    if blk["kind"] == "chart":
                        sizes.setdefault(fn.__name__, []).append(len(blk["svg"]))
    print(f"charts per section, {args.repeat} repeats, vi + en (median seconds, median SVG bytes)")
    for name, ts in timings.items():
        print(f"  {name:20s} {statistics.median(ts):.4f} s  "
              f"{int(statistics.median(sizes.get(name, [0]))):>7d} bytes")
    per_briefing = sum(statistics.median(timings[fn.__name__]) for fn in chart_sections) * 2
    print(f"briefing charts, both languages: {per_briefing:.3f} s per briefing")
    from parbrief.publish import render

    r = render.default_renderer()
    sample = charts[: 2 * len(chart_sections)]  # one briefing's charts, both languages
    r.png(sample[0]["svg"])  # warm-up
    t = time.perf_counter()
    pngs = [r.png(c["svg"]) for c in sample]
    took = time.perf_counter() - t
    import io

    from PIL import Image

    widths = sorted({Image.open(io.BytesIO(p)).size[0] for p in pngs})
    print(f"newsroom PNGs of one briefing ({len(sample)} charts): {took:.3f} s, "
          f"{sum(map(len, pngs)) // 1024} KiB, widths {widths} px")
    return 0


if __name__ == "__main__":
    sys.exit(main())
