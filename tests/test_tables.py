"""Reader tables (pandas Styler): escaping, links, alignment, fixed ids."""

from __future__ import annotations

import re

import pandas as pd

from analysis.report import tables


def test_html_table_escapes_data_and_links_only_http() -> None:
    frame = pd.DataFrame({"title": ["<script>x</script>", "ok"], "url": ["javascript:alert(1)", "https://a.example/?q=\"1\""]})
    out = tables.html_table(frame, links={"title": "url"})
    assert "<script>" not in out and "javascript:" not in out
    assert "&lt;script&gt;x&lt;/script&gt;" in out
    assert 'href="https://a.example/?q=&quot;1&quot;"' in out
    assert ">url<" not in out  # the URL column is hidden


def test_number_columns_are_right_aligned_and_text_is_not() -> None:
    frame = pd.DataFrame({"Indicator": ["R&D", "专利"], "Latest (%)": ["3.08", "≥2.5"], "Year": [2023, 2024]})
    out = tables.html_table(frame)
    assert re.search(r'class="data row0 col1 num"', out) and re.search(r'class="data row1 col2 num"', out)
    assert not re.search(r'class="data row0 col0 num"', out)
    assert "word-break: keep-all" in out


def test_same_table_same_bytes_and_different_tables_different_ids() -> None:
    one = pd.DataFrame({"a": [1.5], "b": ["x"]})
    two = pd.DataFrame({"c": [1.5], "b": ["x"]})
    assert tables.html_table(one) == tables.html_table(one.copy())
    first_id = re.search(r'id="(T_\w+)"', tables.html_table(one)).group(1)
    assert first_id not in tables.html_table(two)


def test_is_number_text() -> None:
    assert tables.is_number_text("13,000") and tables.is_number_text("≥3.75%") and tables.is_number_text(2.5)
    assert not tables.is_number_text("2023年") and not tables.is_number_text("on track") and not tables.is_number_text(True)
