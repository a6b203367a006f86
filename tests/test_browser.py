"""The reader's view in headless Chromium (Playwright): width, headers, embedded font, errors, images, PDF.

Chromium runs with a fontconfig that lists no CJK font, so Chinese text can only be drawn by the
font the page embeds (analysis.report.fonts.embed_cjk_subset). Each check is first shown to fail on a
small hand-made bad page, then run on a real render of one quarter in both languages (the
session's end-to-end render, conftest.rendered_quarter). Skipped, with the reason, when Chromium
is not installed (`make setup-browser`).
"""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from analysis.report import browser, fonts

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
needs_chromium = pytest.mark.skipif(
    browser.find_chromium() is None, reason="Chromium not installed: run `make setup-browser` (browser checks skipped)"
)
WIDTH = browser.A4_WIDTH_PX


def png_data_uri() -> str:
    """Return a tiny PNG as a data URI."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(1, 1))
    ax.plot([0, 1], [0, 1])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def page_html(body: str, embed: bool = True) -> str:
    """Return a small Chinese page around body, with the CJK subset embedded when embed."""
    text = ("<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'><title>测试</title></head>"
            f"<body><h1>宁波科技创新目标</h1><p>研发经费投入强度达到3.75%</p>{body}</body></html>")
    return fonts.embed_cjk_subset(text) if embed else text


def write_page(tmp_path: Path, body: str, embed: bool = True, name: str = "page.html") -> Path:
    """Write page_html(body) into tmp_path and return its path."""
    path = tmp_path / name
    path.write_text(page_html(body, embed), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    """One headless Chromium for the module, with every CJK system font hidden."""
    if browser.find_chromium() is None:
        pytest.skip("Chromium not installed: run `make setup-browser` (browser checks skipped)")
    conf = browser.fontconfig_without_cjk(tmp_path_factory.mktemp("fontconfig"))
    with browser.Browser(fontconfig=conf) as instance:
        yield instance


def inspect(path: Path, chromium, **kwargs) -> browser.PageReport:
    """Inspect path at A4 portrait width."""
    return browser.inspect_page(path, width=WIDTH, browser=chromium, **kwargs)


# ----------------------------------------------------------------------------- each check can fail


@needs_chromium
def test_clean_page_passes_every_check(tmp_path: Path, chromium) -> None:
    body = (f"<img src='{png_data_uri()}' alt='图'><table><tr><th>目标年份</th><th>Target year</th></tr>"
            "<tr><td>高新技术企业</td><td>13000</td></tr></table>")
    report = inspect(write_page(tmp_path, body), chromium, screenshot=tmp_path / "shot.png")
    assert report.problems(require_cjk=True) == []
    assert report.images == 1 and report.fits_width
    assert report.cjk_drawn_by_embedded_font, report.cjk_fonts
    assert (tmp_path / "shot.png").read_bytes().startswith(b"\x89PNG")


@needs_chromium
def test_english_page_draws_latin_with_a_system_font_and_chinese_with_the_embedded_one(tmp_path: Path, chromium) -> None:
    html = fonts.embed_cjk_subset("<html lang='en'><head><meta charset='utf-8'></head>"
                                  "<body><p>Ningbo (宁波) plan, issued by 宁波市人民政府</p></body></html>")
    (tmp_path / "en.html").write_text(html, encoding="utf-8")
    report = inspect(tmp_path / "en.html", chromium)
    assert report.cjk_characters == len("宁波") + len("宁波市人民政府")
    assert any(not f.custom for f in report.cjk_fonts)  # the Latin words
    assert report.cjk_drawn_by_embedded_font, report.cjk_fonts


@needs_chromium
def test_chinese_without_the_embedded_font_is_reported(tmp_path: Path, chromium) -> None:
    report = inspect(write_page(tmp_path, "<p>高价值发明专利</p>", embed=False), chromium)
    assert report.cjk_text_found
    assert not report.cjk_drawn_by_embedded_font, report.cjk_fonts
    assert not any(f.custom for f in report.cjk_fonts)
    assert any("not drawn by the embedded font" in p for p in report.problems(require_cjk=True))
    assert report.cjk_characters == len("宁波科技创新目标") + len("研发经费投入强度达到")  # first element of each tag


@needs_chromium
def test_wide_table_and_sideways_scrolling_box_are_reported(tmp_path: Path, chromium) -> None:
    wide = inspect(write_page(tmp_path, "<table style='width:1000px'><tr><td>太宽</td></tr></table>", name="w.html"), chromium)
    assert wide.wide_elements and wide.scroll_width > WIDTH and not wide.fits_width
    boxed = "<div style='overflow-x:auto'><table style='width:1000px'><tr><td>太宽</td></tr></table></div>"
    scrolling = inspect(write_page(tmp_path, boxed, name="s.html"), chromium)
    assert scrolling.scroll_width <= WIDTH  # the page itself does not scroll...
    assert scrolling.scrolling_boxes and not scrolling.fits_width  # ...but a box inside it does


@needs_chromium
def test_header_broken_inside_a_word_is_reported(tmp_path: Path, chromium) -> None:
    body = ("<table style='width:40px'><tr><th style='word-break:break-all'>Region</th>"
            "<th style='word-break:break-all'>目标年份</th></tr></table>")
    report = inspect(write_page(tmp_path, body), chromium)
    assert any('"Region"' in h for h in report.split_headers), report.split_headers
    assert any('"目标年份"' in h for h in report.split_headers), report.split_headers
    kept = inspect(write_page(tmp_path, "<table style='width:40px'><tr><th>Target year</th></tr></table>", name="k.html"),
                   chromium)
    assert kept.split_headers == ()  # broken at the space, not inside a word


@needs_chromium
def test_broken_image_script_error_and_console_error_are_reported(tmp_path: Path, chromium) -> None:
    body = "<img src='missing.png'><script>undefinedFunction()</script><script>console.error('bad')</script>"
    report = inspect(write_page(tmp_path, body), chromium)
    assert report.broken_images == (str((tmp_path / "missing.png").as_uri()),)
    assert any("undefinedFunction" in error for error in report.console_errors), report.console_errors
    assert any("bad" in error for error in report.console_errors), report.console_errors


def html_table_helper():
    """Return the project's escaped HTML table helper."""
    from analysis.report.tables import html_table

    return html_table


@needs_chromium
def test_markup_in_data_is_shown_as_text_not_run(tmp_path: Path, chromium) -> None:
    import pandas as pd

    hostile = "<img src=x onerror=\"console.error('ran')\"><script>console.error('ran')</script>标题"
    table = html_table_helper()(pd.DataFrame({"title": [hostile]}))
    report = inspect(write_page(tmp_path, table), chromium)
    assert report.console_errors == () and report.broken_images == ()
    raw = inspect(write_page(tmp_path, f"<p>{hostile}</p>", name="raw.html"), chromium)  # the check can fail
    assert any("ran" in error for error in raw.console_errors), raw.console_errors


@needs_chromium
def test_pdf_of_a_page_linking_its_annex_is_the_same_from_any_folder(tmp_path: Path, chromium) -> None:
    body = '<p>见<a href="annex.zh.html">附录</a>，来源：<a href="https://example.org/a">公报</a></p>'
    pdfs = []
    for folder in (tmp_path / ".tmp-2026Q3-1", tmp_path / "elsewhere" / ".tmp-2026Q3-2"):
        folder.mkdir(parents=True)
        pdfs.append(browser.print_pdf(write_page(folder, body), folder / "p.pdf", browser=chromium).read_bytes())
    assert pdfs[0] == pdfs[1]
    assert b"file:" not in pdfs[0] and b"https://example.org/a" in pdfs[0]


@needs_chromium
def test_pdf_is_reproducible_and_carries_the_embedded_font(tmp_path: Path, chromium) -> None:
    html_file = write_page(tmp_path, "<p>高价值发明专利 R&amp;D</p>")
    first = browser.print_pdf(html_file, tmp_path / "a.pdf", browser=chromium).read_bytes()
    second = browser.print_pdf(html_file, tmp_path / "b.pdf", browser=chromium).read_bytes()
    assert first.startswith(b"%PDF") and first == second
    assert f"D:{browser.FIXED_PDF_DATE}".encode() in first
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) not installed: font embedding not checked")
    listing = subprocess.run(["pdffonts", str(tmp_path / "a.pdf")], capture_output=True, text=True, check=True).stdout
    assert "NotoSansCJKsc-Regular" in listing and "CID TrueType" in listing, listing


def test_normalize_pdf_fixes_dates_and_ids_keeping_lengths() -> None:
    raw = b"<< /CreationDate (D:20261203064512+00'00') /ModDate (D:20261203064513) /ID [<0A1b> <FF00>] >>"
    fixed = browser.normalize_pdf(raw)
    assert fixed == (b"<< /CreationDate (D:20000101000000+00'00') /ModDate (D:20000101000000) "
                     b"/ID [<0000> <0000>] >>")
    assert len(fixed) == len(raw)


@needs_chromium
def test_screenshot_shows_the_first_printed_pages(tmp_path: Path, chromium) -> None:
    from PIL import Image

    long_page = write_page(tmp_path, "<p style='height:4000px'>长页面</p>")
    png = browser.screenshot(long_page, tmp_path / "shot.png", pages=2, browser=chromium)
    with Image.open(png) as image:
        assert image.size == (WIDTH, 2 * browser.A4_HEIGHT_PX)
    short = browser.screenshot(write_page(tmp_path, "", name="short.html"), tmp_path / "short.png", browser=chromium)
    with Image.open(short) as image:
        assert image.size[0] == WIDTH and image.size[1] <= browser.A4_HEIGHT_PX


# ----------------------------------------------------------------------------- the real render


REAL_PAGES = ["briefing.zh", "briefing.en", "dashboard.zh", "dashboard.en"]


@needs_chromium
@pytest.mark.parametrize("page_name", REAL_PAGES)
def test_real_report_reads_well_at_a4_width(page_name: str, chromium, rendered_quarter: Path, tmp_path: Path) -> None:
    from conftest import E2E_PERIOD

    html_file = rendered_quarter / E2E_PERIOD / f"{page_name}.html"
    assert fonts.embedded_font(html_file.read_text(encoding="utf-8")), "the page carries no embedded CJK font"
    report = inspect(html_file, chromium, screenshot=tmp_path / f"{page_name}.png")
    assert report.console_errors == (), report.console_errors
    charts = html_file.read_text(encoding="utf-8").count('<svg class="chart"')  # the charts are inline SVG, not images
    assert report.images + charts >= 1 and report.broken_images == (), report.broken_images
    if page_name.endswith(".zh"):
        assert report.cjk_text_found
    if report.cjk_text_found:
        assert report.cjk_drawn_by_embedded_font, report.cjk_fonts
    assert report.fits_width, report.problems()
    assert report.split_headers == (), report.split_headers


@needs_chromium
def test_every_real_page_draws_its_chinese_with_the_embedded_font(chromium, rendered_quarter: Path) -> None:
    from conftest import E2E_PERIOD

    pages = sorted((rendered_quarter / E2E_PERIOD).glob("*.html"))
    pages += sorted((rendered_quarter / E2E_PERIOD / "projection").glob("t001_rd_gdp_ratio_2027.*.html"))
    assert len(pages) >= 10
    failing = {}
    for html_file in pages:
        report = inspect(html_file, chromium)
        if report.cjk_text_found and not report.cjk_drawn_by_embedded_font:
            failing[html_file.name] = report.cjk_fonts
    assert not failing, failing


@needs_chromium
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_real_briefing_pdf_embeds_the_subset(lang: str, rendered_quarter: Path) -> None:
    from conftest import E2E_PERIOD

    pdf = rendered_quarter / E2E_PERIOD / f"briefing.{lang}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) not installed: font embedding not checked")
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "NotoSansCJKsc-Regular" in listing, listing
