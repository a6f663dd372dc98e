"""Open the index page and a briefing in a real headless Chromium (Debian's), driven by Playwright
(the ``browser`` fixture of conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _open(browser, path: Path):
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, errors


DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _site_pages(root: Path) -> list[Path]:
    """Every HTML page of a quarter's site: national, province, reports, pack indexes."""
    return sorted(root.rglob("*.html"))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_link_of_the_site_resolves_without_console_errors(browser, small_batch,
                                                                viewport):
    """From the national page, every page of the site, every link: each one opens a file
    that exists (a page, a PDF, a pack file), on a desktop and a phone-sized window."""
    root = small_batch.output / "2026Q3"
    pages = _site_pages(root)
    assert root / "index.html" in pages and root / "index.en.html" in pages
    assert root / "nghe-an" / "index.html" in pages
    seen = 0
    for html in pages:
        page = browser.new_page(viewport=viewport)
        errors: list[str] = []
        page.on("console", lambda m, errors=errors: errors.append(m.text)
                if m.type == "error" else None)
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        page.goto(html.as_uri())
        page.wait_for_load_state("load")
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        for href in hrefs:
            assert "://" not in href, f"{html.name} links off the site: {href}"
            target = (html.parent / href).resolve()
            assert target.is_file(), f"{html.relative_to(root)} links to missing {href}"
            seen += 1
        assert errors == [], (html.name, errors)
        page.close()
    assert seen > 100


def test_the_province_page_sorts_and_searches_offline(browser, small_batch):
    page = browser.new_page(viewport=DESKTOP)
    page.route("**/*", lambda route: route.abort() if not route.request.url.startswith("file:")
               else route.continue_())  # nothing but the files themselves
    page.goto((small_batch.output / "2026Q3" / "nghe-an" / "index.html").as_uri())
    rows = "table.sortable tbody tr:not([hidden])"

    def names():
        return page.eval_on_selector_all(rows, "rs => rs.map(r => r.cells[0].textContent)")

    assert len(names()) == 3
    page.fill("input[type=search]", "tan ky")  # without diacritics, as typed on a phone
    assert names() == ["Xã Tân Kỳ"]
    assert "1/3" in page.text_content("#units-n")
    page.fill("input[type=search]", "")
    index_header = page.locator("thead th", has_text="Chỉ số").locator("button")
    index_header.click()
    values = page.eval_on_selector_all(rows, "rs => rs.map(r => parseFloat(r.cells[2].dataset.sort))")
    assert values == sorted(values)
    index_header.click()
    values = page.eval_on_selector_all(rows, "rs => rs.map(r => parseFloat(r.cells[2].dataset.sort))")
    assert values == sorted(values, reverse=True)
    page.close()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_briefing_layout_at_desktop_and_phone_width(browser, small_batch, lang):
    """No table wider than its column at 1,280 px, no card value overflowing its card, no
    class or quarter label broken across lines ("Xuất / sắc", "Quý / III/2026")."""
    folder = small_batch.output / "2026Q3" / "nghe-an"
    for html in [next(folder.glob(f"briefing-17266-*.{lang}.html")),
                 next(folder.glob(f"overview-*.{lang}.html"))]:
        for viewport in (DESKTOP, PHONE):
            page = browser.new_page(viewport=viewport)
            page.goto(html.as_uri())
            page.wait_for_load_state("load")
            assert page.evaluate("document.fonts.check('12px \"DejaVu Sans\"')")
            overflow = page.evaluate("""() => [...document.querySelectorAll('.figures li')]
                .filter(li => li.scrollWidth > li.clientWidth + 1)
                .map(li => li.textContent)""")
            assert overflow == [], (html.name, viewport, overflow)
            if viewport is DESKTOP:
                wide = page.evaluate("""() => [...document.querySelectorAll('.table-wrap')]
                    .filter(w => w.scrollWidth > w.clientWidth + 1)
                    .map(w => w.querySelector('caption').textContent)""")
                assert wide == [], (html.name, wide)
                assert page.evaluate("document.documentElement.scrollWidth") <= 1280
            broken = page.evaluate("""() => {
                const out = [];
                for (const el of document.querySelectorAll('td, th, .figures .value')) {
                  const t = el.textContent.trim();
                  if (!/^(Quý|Q[1-4]|Xuất|Trung bình|Excellent|Good|Fair|Average|Weak|Tốt|Khá|Yếu)/
                      .test(t) || t.length > 22) continue;
                  const r = document.createRange(); r.selectNodeContents(el);
                  const lines = new Set([...r.getClientRects()].map(x => Math.round(x.top)));
                  if (lines.size > 1) out.push(t);
                }
                return out; }""")
            assert broken == [], (html.name, viewport, broken)
            page.close()


def test_briefing_shows_its_charts_and_prints_to_a4(browser, small_batch, tmp_path):
    html = next((small_batch.output / "2026Q3").glob("*/briefing-17266-*.vi.html"))
    page, errors = _open(browser, html)
    charts = page.query_selector_all("figure.chart svg")
    assert len(charts) >= 3
    for chart in charts:
        assert chart.is_visible() and chart.bounding_box()["width"] > 300
        # the chart's text is text, drawn in the page's embedded font
        assert page.evaluate("c => getComputedStyle(c.querySelector('text')).fontFamily",
                             chart).startswith('"DejaVu Sans"')
    assert errors == []
    pdf = tmp_path / "printed.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    # A4 is 595.28 x 841.89 pt; Chromium rounds the page to whole CSS pixels (794 x 1123).
    assert abs(width - 595.28) < 1.5 and abs(height - 841.89) < 1.5, (width, height)
    assert "Tân Kỳ" in reader.pages[0].extract_text()
    page.close()
