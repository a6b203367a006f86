"""The reader's view in headless Chromium: console errors, images, CJK fonts, table widths, PDF.

Skipped, with the reason, when Chromium is not installed (`make setup-browser` installs it).
The checks are exercised on small pages that break each rule, so each can fail, then on a real
rendered quarter (the reports end-to-end render, or reports/ when it holds one).
"""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from analysis import browser

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
needs_chromium = pytest.mark.skipif(
    browser.find_chromium() is None, reason="Chromium not installed: run `make setup-browser` (browser checks skipped)"
)


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


def page(tmp_path: Path, body: str, name: str = "page.html") -> Path:
    """Write a small Chinese page and return its path."""
    path = tmp_path / name
    path.write_text(
        "<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'><title>测试</title></head>"
        f"<body><h1>宁波科技创新目标</h1><p>研发经费投入强度达到3.75%</p>{body}</body></html>",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium for the module."""
    if browser.find_chromium() is None:
        pytest.skip("Chromium not installed: run `make setup-browser` (browser checks skipped)")
    with browser.Browser() as instance:
        yield instance


@needs_chromium
def test_clean_page_passes_every_check(tmp_path: Path, chromium) -> None:
    html_file = page(tmp_path, f"<img src='{png_data_uri()}'><table><tr><td>高新技术企业</td><td>13000</td></tr></table>")
    report = browser.inspect_page(html_file, screenshot=tmp_path / "shot.png", browser=chromium)
    assert report.console_errors == ()
    assert report.images == 1 and report.broken_images == ()
    assert report.wide_elements == () and report.scroll_width <= 1280
    assert report.cjk_text_found
    assert any("CJK" in font.family for font in report.cjk_fonts), report.cjk_fonts
    assert (tmp_path / "shot.png").read_bytes().startswith(b"\x89PNG")


@needs_chromium
def test_broken_image_script_error_and_wide_table_are_reported(tmp_path: Path, chromium) -> None:
    body = ("<img src='missing.png'><script>undefinedFunction()</script>"
            "<table style='width:2000px'><tr><td>太宽</td></tr></table>")
    report = browser.inspect_page(page(tmp_path, body), browser=chromium)
    assert report.broken_images
    assert any("undefinedFunction" in error for error in report.console_errors)
    assert report.wide_elements and report.scroll_width > 1280


@needs_chromium
def test_script_in_data_is_shown_as_text(tmp_path: Path, chromium) -> None:
    import html

    title = "<script>alert(1)</script>"
    report = browser.inspect_page(page(tmp_path, f"<p id='t'>{html.escape(title)}</p>"), browser=chromium)
    assert report.console_errors == ()


@needs_chromium
def test_pdf_embeds_a_cjk_font(tmp_path: Path, chromium) -> None:
    pdf = browser.print_pdf(page(tmp_path, "<p>高价值发明专利</p>"), tmp_path / "page.pdf", browser=chromium)
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) not installed: CJK font embedding not checked")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts, fonts


@needs_chromium
@pytest.mark.parametrize("page_name", ["briefing.zh", "briefing.en", "dashboard.zh", "dashboard.en"])
def test_real_report_reads_well(page_name: str, chromium, rendered_quarter: Path, tmp_path: Path) -> None:
    from conftest import E2E_PERIOD

    period_dir = rendered_quarter / E2E_PERIOD
    assert (period_dir / "screenshot.briefing.zh.png").read_bytes().startswith(b"\x89PNG")
    html_file = period_dir / f"{page_name}.html"
    report = browser.inspect_page(html_file, screenshot=tmp_path / f"{page_name}.png", browser=chromium)
    assert report.console_errors == (), report.console_errors
    assert report.images >= 1 and report.broken_images == ()
    assert report.wide_elements == (), report.wide_elements
    if page_name.endswith(".zh"):
        assert any("CJK" in font.family for font in report.cjk_fonts), report.cjk_fonts
    if page_name.startswith("briefing"):
        assert (period_dir / f"{page_name}.pdf").read_bytes().startswith(b"%PDF")
