"""Plain-language helpers: units, ranks, punctuation, paces, gap groups (hand-computed expectations)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.assess import statuses
from analysis.report import record_text, text, wording
from analysis.report.i18n import t


@pytest.mark.parametrize(("rank", "lang", "expected"), [
    (1, "en", "1st"), (2, "en", "2nd"), (3, "en", "3rd"), (4, "en", "4th"), (10, "en", "10th"), (11, "en", "11th"),
    (12, "en", "12th"), (13, "en", "13th"), (21, "en", "21st"), (22, "en", "22nd"), (101, "en", "101st"), (10, "zh", "第10位"),
])
def test_ordinal(rank, lang, expected) -> None:
    assert wording.ordinal(rank, lang) == expected


def test_unit_words_translate_chinese_units() -> None:
    assert wording.unit_word("家", "en", "High-tech enterprises, certified stock") == "firms"
    assert wording.unit_word("家", "en", "Provincial new-type R&D institutions") == "institutions"
    assert wording.unit_word("亿元", "en") == "CNY 100 million"
    assert wording.unit_word("个(项目)", "zh") == "个（项目）"
    assert wording.unit_word("rank", "zh") == "" and wording.unit_word("rank", "en") == ""


def test_quantity_spacing_and_qualifiers() -> None:
    assert wording.quantity(13000, "firms", "en", ">=") == "≥13,000 firms"
    assert wording.quantity(13000, "家", "zh", ">=") == "≥13,000家"
    assert wording.quantity(3.08, "%", "en") == "3.08%"
    assert wording.quantity(60, "", "zh", "~") == "约60"
    assert wording.quantity(10, "", "zh", "", rank=True) == "第10位"
    assert wording.quantity(math.nan, "%", "en") == "–"


def test_zh_punctuation_keeps_thousands_separators() -> None:
    assert wording.zh_punctuation("高新技术企业数(存量)") == "高新技术企业数（存量）"
    assert wording.zh_punctuation("甲,乙:1,000") == "甲，乙：1,000"


def test_signed_changes() -> None:
    assert wording.signed(0.0767, "%", "zh") == "+0.077个百分点"
    assert wording.signed(0.0767, "%", "en") == "+0.077 points"
    assert wording.signed(-1200, "firms", "en") == "−1,200 firms"
    assert wording.signed(-1.2, "", "en", rank=True) == "up 1.2 places"
    assert wording.signed(-1, "", "en", rank=True) == "up 1 place"
    assert wording.signed(2, "", "zh", rank=True) == "下降2位"


def status_rows(rows: list[dict]) -> pd.DataFrame:
    """Return a minimal status table (record columns: counted, horizon by target year, group as given)."""
    base = {"region": "ningbo", "target_type": "level", "comparator": ">=", "target_value": 1.0, "target_year": 2027,
            "p_meet": math.nan, "n_obs": 0, "latest_period": "", "latest_value": math.nan, "duplicate_of": "", "counted": True,
            "latest_stale": False, "group": "unjudged"}
    table = pd.DataFrame([{**base, **row} for row in rows])
    table["horizon_kind"] = ["past" if y < 2026 else "future" for y in table["target_year"]]
    return table


def test_counted_targets_drop_duplicates_and_past_targets() -> None:
    table = status_rows([
        {"target_id": "a", "indicator_id": "x", "status": "uncertain"},
        {"target_id": "b", "indicator_id": "x", "status": "uncertain", "duplicate_of": "a", "counted": False},  # stated twice
        {"target_id": "c", "indicator_id": "y", "status": "no_data", "target_year": 2022},
        {"target_id": "d", "indicator_id": "z", "status": "no_data", "region": "wenzhou", "counted": False},  # another region's
    ])
    assert list(text.counted_targets(table, "2026-09-30")["target_id"]) == ["a"]


def test_summary_paragraph_counts() -> None:
    table = status_rows([
        {"target_id": "a", "indicator_id": "a", "status": "likely", "p_meet": 0.8},
        {"target_id": "b", "indicator_id": "b", "status": "off_track", "p_meet": 0.05},
        {"target_id": "c", "indicator_id": "c", "status": "uncertain", "p_meet": 0.5},
        {"target_id": "d", "indicator_id": "d", "status": "insufficient_data"},
        {"target_id": "e", "indicator_id": "e", "status": "no_data"},
        {"target_id": "g", "indicator_id": "g", "status": "met"},
        {"target_id": "f", "indicator_id": "f", "status": "no_data", "target_year": 2022},
        {"target_id": "h", "indicator_id": "a", "status": "likely", "p_meet": 0.8, "duplicate_of": "a", "counted": False},
    ])
    zh = text.summary_paragraph(table, 0, 0, "2026-09-30", "zh")
    assert zh.startswith("截至2026年9月30日，宁波及其科创区的6个量化目标（目标年尚未到期，重复提出的只计一次）中，4个已能判断：2个已实现或有望实现，"
                         "1个难以实现或明显滞后，1个可能性中等；1个数据不足以判断，1个尚无公开数据。")
    assert "本季度没有新增或修订的数据" in zh and "另有1个目标的期限已过" in zh
    en = text.summary_paragraph(table, 4, 2, "2026-09-30", "en")
    assert "4 of the 6 quantified targets" in en and "4 figures were new or revised" in en and "of 2 targets" in en


# ---------------------------------------------------------------------------
# paces and amounts as a reader writes them (issue 10: "+326.5 firms"; Chinese values split inside)

def test_paces_of_counts_are_whole_and_large_paces_have_no_decimals() -> None:
    from analysis.report import wording

    assert wording.signed(326.5, "firms", "en", whole=True) == "+327 firms"
    assert wording.signed(326.5, "家", "zh", whole=True) == "+327家"
    assert wording.signed(-1554.4, "家", "zh") == "−1,554家"
    assert wording.signed(0.4, "firms", "en", whole=True) == "+0.4 firms"  # below one a year: one digit
    assert wording.signed(0.0774, "%", "zh") == "+0.077个百分点"
    assert wording.signed(0.0774, "%", "en") == "+0.077 points"
    assert wording.signed(22.66, "亿元", "zh") == "+22.7亿元"


def test_projections_of_counts_and_ranks_are_whole() -> None:
    assert wording.projection_text(32.8, 31.4, 35.1, "家", "zh", whole=True) == "33家（31–35）"
    assert wording.projection_text(32.8, 31.4, 35.1, "institutions", "en", whole=True) == "33 institutions (31–35)"
    assert wording.projection_text(9.12, 6.73, 11.8, "", "zh", rank=True) == "第9位（7–12）"
    assert wording.projection_text(3.76, 3.4, 4.46, "%", "zh") == "3.76%（3.4–4.46）"
    assert wording.projection_text(math.nan, 1.0, 2.0, "%", "en") == ""


def test_english_amounts_read_as_billions() -> None:
    from analysis.report import wording

    assert wording.quantity(81000, "people", "en") == "81,000 people"
    assert wording.quantity(6500, "CNY 100 million", "en", ">=") == "≥CNY 650 billion"
    assert wording.quantity(22.16, "CNY 100 million", "en") == "CNY 2.22 billion"
    assert wording.quantity(22.15, "亿元", "zh") == "22.1亿元"
    assert wording.signed(326.5, "CNY 100 million", "en") == "+CNY 33 billion"


def test_scorecard_cells_do_not_break_inside_a_value() -> None:
    import pandas as pd

    from analysis.report import tables

    frame = pd.DataFrame({"目标": ["研发经费投入强度≥3.75%（2027年）"], "近年速度": ["+0.077个百分点"]})
    kept = tables.styler(frame, keep_together=True).to_html()
    assert "word-break: keep-all" in kept.split("</style>")[0].split("td:not(.col0)")[1]
    assert "td:not(.col0)" not in tables.styler(frame).to_html()


def test_every_target_at_risk_is_a_risk_with_its_pace(tiny_dataset) -> None:
    # the tiny data's records with their status and group set so that every side of the rule occurs (the rule is about
    # the sentences, not the models): a target of the group "at risk" is a risk; a likely one is not; past targets are
    # not listed; the least likely comes first; the paces are the record's (recent against needed, and the target year
    # at the recent pace), none for an average-growth target
    as_of = "2026-09-30"
    table = statuses.status_table(tiny_dataset, as_of)
    set_by_hand = {"t_rd_2027": ("uncertain", 0.50, "at_risk"), "t_firms_cum": ("uncertain", 0.40, "at_risk"),
                   "t_trade_growth": ("uncertain", 0.45, "at_risk"), "t_rank_2027": ("uncertain", 0.35, "at_risk"),
                   "t_gdp_2027": ("likely", 0.70, "on_track"), "t_rd_2022": ("probably_missed", 0.2, "past")}
    for target_id, (status, p, group) in set_by_hand.items():
        table.loc[table["target_id"] == target_id, ["status", "p_meet", "group"]] = [status, p, group]
    risky = ("t_rank_2027", "t_firms_cum", "t_trade_growth", "t_rd_2027")  # by P, lowest first
    by_id = table.set_index("target_id")
    for lang in ("zh", "en"):
        risks = text.risk_sentences(tiny_dataset, table, as_of, lang)
        named = {row.target_id: [r for r in risks if r.startswith(wording.target_label(tiny_dataset, row, lang))]
                 for row in table.itertuples(index=False)}
        assert [len(named[t]) for t in risky] == [1, 1, 1, 1]
        assert named["t_gdp_2027"] == [] and named["t_rd_2022"] == []
        order = [risks.index(named[t][0]) for t in risky]
        assert order == sorted(order)
        for target_id in ("t_firms_cum", "t_rd_2027", "t_rank_2027"):
            r = by_id.loc[target_id].copy()
            r["target_id"] = target_id
            row = next(table[table["target_id"] == target_id].itertuples(index=False))
            expected = t("brief.risk_pace", lang, recent=record_text.recent_pace(tiny_dataset, row, lang),
                         needed=record_text.needed_pace(tiny_dataset, row, lang), at_recent=record_text.at_recent_pace(tiny_dataset, row, lang))
            assert expected in named[target_id][0], (target_id, named[target_id][0])
        # cumulative: recent = mean of the last three published flows (900, 1100, 1200) = 1,067; needed = (5000 - 3200) / 2 = 900
        assert ("+1,067家" if lang == "zh" else "+1,067 firms") in named["t_firms_cum"][0]
        assert ("+900家" if lang == "zh" else "+900 firms") in named["t_firms_cum"][0]
        assert t("brief.risk_pace", lang, recent="", needed="", at_recent="")[:4] not in named["t_trade_growth"][0]


# ---------------------------------------------------------------------------
# the notebooks' page wording (cells call these; each cell shows one step)

def test_page_header_and_section_in_each_language() -> None:
    from analysis.report import markdown

    assert markdown.page_header("nb03.title", "nb03.intro", "2026-09-30", "zh").split("\n\n")[:2] == ["# 目标进展总表", "数据截至：2026-09-30"]
    assert markdown.page_header("nb03.title", "nb03.intro", "2026-09-30", "en").split("\n\n")[1] == "Data as of: 2026-09-30"
    assert markdown.section("nb01.coverage", "en", "nb01.coverage_note").startswith("## ")
    from analysis.report.i18n import t

    assert markdown.section("nb01.coverage", "en", "nb01.coverage_note").endswith(t("nb01.coverage_note", "en"))


def test_projection_header_cites_the_document_by_its_title() -> None:
    from analysis.assess import judge
    from analysis.data import loader
    from analysis.report import markdown

    dataset = loader.load()
    target = dataset.targets.set_index("target_id").loc["t001_rd_gdp_ratio_2027"]
    assessment = judge.assess(dataset, "t001_rd_gdp_ratio_2027", "2026-09-30")
    zh = markdown.projection_header(dataset, assessment, target, "2026-09-30", "zh")
    assert "目标：≥3.75%（2027年）（《宁波市“315”科技创新体系工程建设实施方案（2023—2027年）》：“" in zh
    assert "地区：宁波市 · 数据截至：2026-09-30" in zh and ".txt" not in zh
    en = markdown.projection_header(dataset, assessment, target, "2026-09-30", "en")
    assert "Region: Ningbo · Data as of: 2026-09-30" in en and "Target: ≥3.75% (2027) (《" in en
    assert markdown.document_title({"source_doc": "009_x.txt", "source_doc_title": ""}) == "009_x.txt"


def test_peer_heading_has_the_unit_in_the_readers_words() -> None:
    from analysis.data import loader
    from analysis.report import markdown

    dataset = loader.load()
    assert markdown.peer_chart_title(dataset, "gdp", "en").endswith("(CNY 100 million)")
    assert markdown.peer_chart_title(dataset, "gdp", "zh").endswith("（亿元）")
