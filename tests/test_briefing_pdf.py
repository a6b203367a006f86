"""The rendered briefing (e2e): at most 4 A4 pages in each language, the register first, page numbers, form line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pypdf = pytest.importorskip("pypdf")

REPORTS = Path(os.environ.get("BRIEFING_REPORTS", "/tmp/briefing-reports")) / "2026Q3"


@pytest.mark.e2e
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_briefing_pdf_form(lang: str) -> None:
    pdf = REPORTS / f"briefing.{lang}.pdf"
    if not pdf.exists():
        import subprocess
        import sys
        subprocess.run([sys.executable, "-m", "analysis", "reports", "--period", "2026Q3", "--lang", "zh,en", "--out", str(REPORTS.parent)],
                       check=True)
    pages = pypdf.PdfReader(str(pdf)).pages
    assert len(pages) <= 4
    text = [p.extract_text() for p in pages]
    assert all(f"{i} / {len(pages)}" in t for i, t in enumerate(text, 1))  # page numbers
    html = (REPORTS / f"briefing.{lang}.html").read_text(encoding="utf-8")
    register_at, table_at = html.find('class="register"'), html.find("<table")
    assert register_at != -1 and html.find("<table", 0) >= html.find("<table class=\"register\"")
    assert table_at == html.find('<table class="register"')
    assert ("数据截至" in html and "2026年第三季度" in html) if lang == "zh" else ("Data cut-off" in html and "Q3 2026" in html)
    assert "\\_" not in html
