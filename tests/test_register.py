"""The risk register (report.register), English units written out and chart titles wrapped without splitting numbers."""

from __future__ import annotations

import re
from datetime import date

import pytest

from analysis.assess import signals, statuses
from analysis.data import loader
from analysis.report import register
from analysis.report.plots import wrap_label
from analysis.report.wording import quantity, quarter_text, signed, unit_word


@pytest.fixture(scope="module")
def dataset():
    return loader.load()


@pytest.fixture(scope="module")
def table(dataset):
    return statuses.table_of(statuses.assessments(dataset, "2026-09-30"))


def test_english_units_written_out() -> None:
    assert quantity(28, unit_word("万元/人", "en", "Overall labor productivity"), "en", ">=") == "≥CNY 280,000 per employed person"
    assert quantity(1200, unit_word("万人次", "en", "Annual visits"), "en", ">=") == "≥12 million visits"
    assert signed(2, unit_word("万人", "en", "Employed persons"), "en") == "+20,000 people"
    assert unit_word("家", "en", "Enterprise R&D institutions at municipal level") == "institutions"
    assert unit_word("家", "en", "High-tech enterprises") == "firms"


def test_quarter_in_words() -> None:
    assert quarter_text("2026Q3", "zh") == "2026年第三季度" and quarter_text("2026Q3", "en") == "Q3 2026"


@pytest.mark.parametrize("width", [8, 10, 12, 14, 18, 24])
def test_wrapped_titles_never_split_a_number_or_bracket(width: int) -> None:
    for title in ("新增高技能人才累计≥20万人（2027年）（万人）", "国家高新区综合排名进入前10位（2027年）", "高新技术企业≥13,000家（2027年）"):
        lines = wrap_label(title, width).split("\n")
        for a, b in zip(lines, lines[1:]):
            assert not (a[-1].isdigit() and (b[0].isdigit() or b[0] in ",.万家人%")), (title, lines)
            assert a[-1] not in "（(" and b[0] not in "）),，。", (title, lines)
        for line in lines:
            assert line.count("（") == line.count("）") or len(line) > 12, (title, lines)


@pytest.mark.parametrize("width", [30, 32, 40])  # a group wider than the line must break: the charts' widths are 32 and up
def test_wrapped_english_titles_keep_a_bracket_whole(width: int) -> None:
    lines = wrap_label("R&D intensity (R&D expenditure as % of GDP) ≥3.75% (2027)", width).split("\n")
    assert all(line.count("(") == line.count(")") for line in lines), lines
    assert any("(R&D expenditure as % of GDP)" in line for line in lines), lines


def test_register_grouped_with_gap_in_units_and_signals(dataset, table) -> None:
    units = register.read_units(None, dataset.targets["target_id"])
    found = signals.signals_by_target(dataset, table, "2026-09-30")
    for lang, labels in (("zh", ("已实现", "有风险", "进展顺利", "尚不能判断")), ("en", ("Met", "At risk", "On track", "Cannot yet be judged"))):
        page = register.register_html(dataset, table, found, units, date(2026, 9, 30), lang)
        groups = re.findall(r'<tr class="group"><th colspan="6">([^<(（]+)', page)
        assert [g.strip() for g in groups] == list(labels)
        text = re.sub(r"<[^>]+>", "", page)
        if lang == "en":
            assert "68,000 people to go" in text and "at least 11 places to go" in text and "0.67 points to go" in text
            assert "Signal: Growth of fiscal expenditure on science and technology 2024 +20.8%" in text
            assert "Signal: Jan–Mar 2025 2.57%" in text
        else:
            assert "差68,000人" in text and "信号：2025年1—3月 2.57%" in text
        assert "Source" in text or "来源" in text


def test_units_file_names_an_unknown_target(tmp_path) -> None:
    (tmp_path / "responsible_units.csv").write_text(
        "target_id,lead_unit_zh,lead_unit_en,units_zh,source_doc,quote\nt_nope,市科技局,Bureau,市科技局,001.txt,责任单位:市科技局\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"responsible_units.csv:2:target_id"):
        register.read_units(tmp_path, ["t_real"])
