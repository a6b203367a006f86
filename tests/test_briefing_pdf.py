"""The rendered briefing (e2e): at most 4 A4 pages in each language, the register first, page numbers, form line."""

from __future__ import annotations

import html
import os
import re
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


CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.e2e
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chart_titles_in_svg_never_split_a_number_or_bracket(lang: str) -> None:
    page = (REPORTS / f"briefing.{lang}.html").read_text(encoding="utf-8")
    svgs = re.findall(r"<svg.*?</svg>", page, re.S)
    assert svgs, "the briefing draws its charts as inline SVG"
    checked = 0
    for svg in svgs:
        lines = [html.unescape(x) for x in re.findall(r"<text[^>]*>([^<]+)</text>", svg)]
        words = [x for x in lines if CJK.search(x) or re.search(r"[A-Za-z]{3}", x)]  # title and legend lines, not tick numbers
        for a, b in zip(words, words[1:]):
            assert not (a[-1].isdigit() and (b[0].isdigit() or b[0] in ",.%万家人个")), (a, b)
            assert a[-1] not in "（(" and b[0] not in "）)，,", (a, b)
            checked += 1
        for line in words:
            assert line.count("（") == line.count("）") and line.count("(") == line.count(")"), line
    assert checked


@pytest.mark.e2e
def test_english_briefing_units_and_register_signals() -> None:
    page = (REPORTS / "briefing.en.html").read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert "CNY 280,000 per employed person" in text and "10,000 per person" not in text and "10,000 visits" not in text
    assert "Signal: " in text and "to go" in text and "Cannot yet be judged" in text
    assert "firms" not in re.sub(r"\s+", " ", text).split("Enterprise R&D institutions at municipal level")[1][:80]
