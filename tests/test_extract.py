"""Tests of ``analysis.extract``: one rule per test (units, qualifiers, years, regions, growth rates,
lists), the phrase table's validation, end to end on .txt/.html/.pdf files written here, the
round trip through ``add --from-csv --dry-run``, and the recall on the repository's own quotes.

Expected values are worked out by hand from the sentences (e.g. 2.186万亿元 = 21860 亿元).
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.data import schema
from analysis.data.extract import candidates, documents, figures, patterns, phrases, recall

DATA = schema.DEFAULT_DATA_DIR


@pytest.fixture(scope="module")
def config() -> phrases.Config:
    return phrases.load_config(DATA)


def found(config: phrases.Config, sentence: str, region: str = "ningbo", year: int | None = 2024,
          own: str | None = None) -> list[tuple[str, str, str, str]]:
    """Return (indicator, value, period, qualifier) proposed for one sentence of a document of `own` region."""
    doc = documents.Document(title="", text=sentence)
    cands = candidates.extract(doc, region, config, own_region=own or region, year=year)
    return [(c.indicator_id, c.value, c.period, c.qualifier) for c in cands]


# ------------------------------------------------------------------------------------------- units

@pytest.mark.parametrize("sentence, indicator, value", [
    ("地区生产总值达到2.186万亿元。", "gdp", "21860"),                       # 万亿元 → 亿元
    ("全市实现地区生产总值12408.7亿元。", "gdp", "12408.7"),
    ("GDP totaled 1.24087 trillion yuan in 2020.", "gdp", "12408.7"),     # trillion yuan → 亿元
    ("the GDP amounted to 512,582 million yuan.", "gdp", "5125.82"),      # million yuan → 亿元
    ("全市国家高新技术企业数量高达1.44万家。", "high_tech_enterprises", "14400"),  # 万家 → 家
    ("年末全市常住人口977.7万人。", "resident_population", "977.7"),       # 万人 stays 万人
    ("全市常住人口为9404283人。", "resident_population", "940.4283"),      # 人 → 万人
    ("新增高技能人才8.1万人。", "high_skilled_talents_new", "81000"),       # 万人 → 人
    ("技术合同成交额为22398.4亿元。", "tech_contract_value", "22398.4"),
])
def test_values_are_converted_to_the_indicator_unit(config, sentence, indicator, value):
    assert (indicator, value) in [(i, v) for i, v, _, _ in found(config, sentence)]


def test_money_in_dollars_is_not_taken_for_yuan(config):
    assert found(config, "GDP totaled 173.69 billion dollars in 2019.") == []


def test_a_unit_in_brackets_after_the_phrase_applies_to_a_bare_number(config):
    assert ("industrial_rd_expense", "316.2") in [(i, v) for i, v, _, _ in
                                                   found(config, "规模以上工业企业研发费用(亿元) 316.2")]


# ------------------------------------------------------------------------------------------- qualifiers

@pytest.mark.parametrize("sentence, qualifier", [
    ("全市高新技术企业总数突破7000家。", ">"),
    ("全市高新技术企业超过7000家。", ">"),
    ("全市有效高新技术企业7000余家。", ">"),
    ("全市高新技术企业7000家以上。", ">="),
    ("全市高新技术企业不低于7000家。", ">="),
    ("全市高新技术企业约7000家。", "~"),
    ("全市高新技术企业7000家左右。", "~"),
    ("全市高新技术企业达到7000家。", ""),  # an observed 达到 X is the value itself (data/README.md)
    ("the city housed more than 7,000 high-tech enterprises.", ">"),
])
def test_qualifier_words(config, sentence, qualifier):
    assert found(config, sentence) == [("high_tech_enterprises", "7000", "2024", qualifier)]


def test_exact_figure_replaces_a_bound_in_the_same_sentence(config):
    sentence = "2023年我国研究与试验发展(R&D)经费投入总量突破3.3万亿元,达到33357.1亿元"
    assert found(config, sentence, region="china") == [("rd_expenditure", "33357.1", "2023", "")]


@pytest.mark.parametrize("sentence, status", [
    ("预计全年研发经费支出231.5亿元。", "estimate"),
    ("初步核算,全年地区生产总值1260582亿元。", "preliminary"),
    ("全年研发经费支出231.5亿元。", "reported"),
])
def test_status_from_the_sentence(config, sentence, status):
    doc = documents.Document(title="", text=sentence)
    assert [c.status for c in candidates.extract(doc, "ningbo", config, own_region="ningbo", year=2017)] == [status]


def test_estimate_applies_only_after_the_word(config):
    doc = documents.Document(title="", text="其中,每万人口发明专利拥有量达到40.1件,预计全年新增高新技术企业1500家")
    cands = candidates.extract(doc, "ningbo", config, own_region="ningbo", year=2024)
    assert [(c.indicator_id, c.status) for c in cands] == [("invention_patents_per_10k", "reported"),
                                                            ("high_tech_enterprises_new", "estimate")]


# ------------------------------------------------------------------------------------------- years

def test_year_from_the_sentence_beats_the_document_year(config):
    assert found(config, "2019年,全市地区生产总值11985亿元。", year=2024) == [("gdp", "11985", "2019", "")]


def test_document_year_when_the_sentence_has_none(config):
    assert found(config, "全市地区生产总值11985亿元。", year=2019) == [("gdp", "11985", "2019", "")]


def test_a_year_glued_to_a_figure_binds_only_that_figure(config):
    sentence = "2015年全社会R&D投入占GDP比重由2010年的1.6%上升到2.4%"
    assert found(config, sentence) == [("rd_gdp_ratio", "1.6", "2010", ""), ("rd_gdp_ratio", "2.4", "2015", "")]


def test_last_year_is_relative_to_the_document(config):
    assert found(config, "去年,我市新认定高新技术企业618家", year=2019) == [("high_tech_enterprises_new", "618", "2018", "")]


def test_year_to_date_periods(config):
    assert found(config, "1-9月,全市规上工业增加值3905.8亿元,同比增长5.7%", year=2023) == [
        ("above_scale_industrial_va", "3905.8", "2023-09", ""), ("above_scale_industrial_va_yoy", "5.7", "2023-09", "")]


def test_document_year_from_title_then_date(config):
    assert documents.document_year(documents.Document("2024年宁波市国民经济和社会发展统计公报", "")) == 2024
    import datetime as dt

    assert documents.document_year(documents.Document("统计公报", "", dt.date(2025, 3, 1))) == 2024  # a bulletin: the year before
    assert documents.document_year(documents.Document("市科技局召开会议", "", dt.date(2025, 3, 1))) == 2025
    assert documents.document_year(documents.Document("统计公报", "")) is None


def test_no_year_at_all_proposes_nothing(config):
    assert found(config, "全市地区生产总值11985亿元。", year=None) == []


# ------------------------------------------------------------------------------------------- regions

def test_figures_of_another_named_region_are_not_proposed(config):
    sentence = "2022年,杭州全市生产总值18753亿元。"
    assert found(config, sentence, region="ningbo") == []
    assert found(config, sentence, region="hangzhou", own="ningbo") == [("gdp", "18753", "2022", "")]


def test_city_words_mean_the_documents_own_region(config):
    sentence = "2024年全市地区生产总值18147.7亿元"
    assert found(config, sentence, region="ningbo", own="ningbo") == [("gdp", "18147.7", "2024", "")]
    assert found(config, sentence, region="ningbo", own="wenzhou") == []


def test_province_word_in_a_city_document_is_another_region(config):
    assert found(config, "2024年全省地区生产总值90131亿元", region="ningbo", own="ningbo") == []
    assert found(config, "2024年全省地区生产总值90131亿元", region="zhejiang", own="zhejiang") == [("gdp", "90131", "2024", "")]


def test_each_figure_takes_the_region_named_before_it(config):
    sentence = "2014年,福建省比重是1.48%;厦门市研发投入强度达到了2.94%"
    assert found(config, sentence, region="xiamen", own="ningbo") == [("rd_gdp_ratio", "2.94", "2014", "")]


def test_a_publisher_is_not_the_region(config):
    sentence = "经辽宁省统计局统一核算,全年地区生产总值8752.9亿元"
    assert found(config, sentence, region="dalian", year=2023) == [("gdp", "8752.9", "2023", "")]


def test_english_and_traditional_names(config):
    assert found(config, "Ningbo's GDP totaled 1.1985 trillion yuan in 2019.", region="ningbo", own="zhejiang") == [
        ("gdp", "11985", "2019", "")]
    assert found(config, "寧波市2015年常住人口總數為858.2萬人", region="ningbo", own="zhejiang") == [
        ("resident_population", "858.2", "2015", "")]


def test_document_region_from_title(config):
    doc = documents.Document("2024年温州市国民经济和社会发展统计公报", "全市地区生产总值9718.8亿元。")
    assert figures.document_region(doc, config, "ningbo") == "wenzhou"
    assert candidates.extract(doc, "ningbo", config) == []


# ------------------------------------------------------------------------------------------- kinds of value

def test_growth_rate_is_not_a_level(config):
    assert found(config, "全市地区生产总值18147.7亿元,比上年增长5.4%") == [("gdp", "18147.7", "2024", "")]


def test_growth_rate_fills_a_rate_indicator(config):
    assert ("rd_expenditure_yoy", "12", "2024", "") in found(config, "研发经费支出231.5亿元,同比增长12%")


def test_share_rejects_changes_but_accepts_rising_to(config):
    assert found(config, "研发投入强度比上年提高0.16个百分点") == []
    assert found(config, "研发投入强度比上年提高0.2%") == []
    assert found(config, "全社会研发投入强度提高到3.1%") == [("rd_gdp_ratio", "3.1", "2024", "")]


def test_change_of_a_stock_is_not_the_stock(config):
    assert found(config, "年末全市常住人口977.7万人,比上年末增加8.0万人") == [("resident_population", "977.7", "2024", "")]


def test_flow_and_stock_of_the_same_phrase(config):
    assert found(config, "全年净增高新技术企业691家,总数达2039家") == [
        ("high_tech_enterprises_new", "691", "2024", ""), ("high_tech_enterprises", "2039", "2024", "")]


def test_respectively_pairs_items_with_figures(config):
    assert found(config, "发明专利申请量、授权量分别为18497件、5382件") == [
        ("invention_patent_applications", "18497", "2024", ""), ("invention_patents_granted", "5382", "2024", "")]


def test_unpaired_lists_are_not_guessed(config):
    sentence = "新能源产业、战略性新兴产业、高新技术、高端装备等规上制造业增加值分别增长24.7%、10.1%、8.0%"
    assert found(config, sentence) == []


def test_table_rows_are_not_guessed(config):
    assert found(config, "研究与试验发展经费支出 (亿元) 248.73 274.00 302.19") == []


# ------------------------------------------------------------------------------------------- phrase table

def test_phrases_are_validated_with_file_row_column(tmp_path):
    shutil.copytree(DATA, tmp_path / "data")
    path = tmp_path / "data" / patterns.PHRASES_FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "no_such_indicator,zh,某某,level\ngdp,zh,生产总值,growth\n", encoding="utf-8")
    with pytest.raises(phrases.ExtractError) as err:
        phrases.load_config(tmp_path / "data")
    lines = str(err.value).splitlines()
    n = text.count("\n") + 1
    assert lines == [f"indicator_phrases.csv:{n}:indicator_id: unknown indicator 'no_such_indicator'",
                     f"indicator_phrases.csv:{n + 1}:value_kind: 'growth' is for rate indicators only (gdp is amount)"]


def test_phrase_table_accepts_excel_bom_and_crlf(tmp_path):
    shutil.copytree(DATA, tmp_path / "data")
    path = tmp_path / "data" / patterns.PHRASES_FILE
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert phrases.load_config(tmp_path / "data").phrases == phrases.load_config(DATA).phrases


def test_every_phrase_indicator_exists_and_phrases_are_not_quotes(config):
    quotes = [r["quote"] for r in phrases.read_csv_rows(DATA / "observations.csv")]
    long_phrases = ["".join(p.parts) for p in config.phrases if len("".join(p.parts)) > 25]
    assert not [p for p in long_phrases if any(phrases.normalise(q) == p for q in quotes)]


# ------------------------------------------------------------------------------------------- end to end

SENTENCES = ("2024年宁波市国民经济和社会发展统计公报\n"
             "全年全市实现地区生产总值18147.7亿元,比上年增长5.4%。"
             "年末全市有效高新技术企业突破8800家。"
             "杭州市地区生产总值21860亿元。")
EXPECTED = [
    ["gdp", "ningbo", "2024", "18147.7", "亿元", "", "official"],
    ["high_tech_enterprises", "ningbo", "2024", "8800", "家", ">", "official"],
]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True, timeout=120)


def output_rows(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(patterns.OUTPUT_COLUMNS)
    assert list(patterns.OUTPUT_COLUMNS) == next(csv.reader(open(DATA / "templates" / "observations_template.csv", encoding="utf-8")))
    return [row[:7] for row in rows[1:]]


def write_pdf(path: Path, lines: list[str]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.font_manager import FontProperties

    from analysis.report import plots

    font = FontProperties(fname=str(plots.cjk_font_path()))
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(path) as pdf:
        fig = plt.figure(figsize=(9, 3))
        for i, line in enumerate(lines):
            fig.text(0.02, 0.85 - 0.2 * i, line, fontproperties=font, fontsize=10)
        pdf.savefig(fig)
        plt.close(fig)


@pytest.mark.parametrize("kind", ["txt", "html", "pdf"])
def test_end_to_end_on_saved_files(tmp_path, kind):
    title, *body = SENTENCES.split("\n")
    path = tmp_path / f"bulletin.{kind}"
    if kind == "txt":
        path.write_text(SENTENCES, encoding="utf-8")
    elif kind == "html":
        path.write_text(f"<html><head><title>{title}</title><script>var x='地区生产总值1亿元';</script></head>"
                        f"<body><p>{body[0]}</p></body></html>", encoding="utf-8")
    else:
        write_pdf(path, [title, *[s + "。" for s in body[0].split("。") if s]])
    out = tmp_path / "out.csv"
    result = run_cli("extract", str(path), "--region", "ningbo", "--status", "official", "--output", str(out),
                     "--source-id", "x", "--published", "2025-03-01")
    assert result.returncode == 0, result.stderr
    assert output_rows(out.read_text(encoding="utf-8")) == EXPECTED


def test_output_is_deterministic(tmp_path):
    path = tmp_path / "b.txt"
    path.write_text(SENTENCES, encoding="utf-8")
    first, second = run_cli("extract", str(path), "--region", "ningbo"), run_cli("extract", str(path), "--region", "ningbo")
    assert first.returncode == 0 and first.stdout == second.stdout and first.stdout.count("\n") == 3


def test_output_round_trips_through_add_dry_run(tmp_path):
    shutil.copytree(DATA, tmp_path / "data")
    source = phrases.read_csv_rows(DATA / "sources.csv")[0]["source_id"]
    path = tmp_path / "b.txt"
    path.write_text("2026年宁波市统计公报\n全年全市实现地区生产总值30000.5亿元。年末全市有效高新技术企业突破18800家。",
                    encoding="utf-8")
    out = tmp_path / "out.csv"
    result = run_cli("extract", str(path), "--region", "ningbo", "--data-dir", str(tmp_path / "data"),
                     "--source-id", source, "--published", "2026-11-01", "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert len(output_rows(out.read_text(encoding="utf-8"))) == 2
    before = {p.relative_to(tmp_path): p.read_bytes() for p in sorted((tmp_path / "data").rglob("*")) if p.is_file()}
    added = run_cli("add", "--from-csv", str(out), "--data-dir", str(tmp_path / "data"), "--dry-run")
    assert added.returncode == 0, added.stderr
    assert "2 observation(s) would be added" in added.stdout
    after = {p.relative_to(tmp_path): p.read_bytes() for p in sorted((tmp_path / "data").rglob("*")) if p.is_file()}
    assert after == before  # the dry run wrote nothing


@pytest.mark.parametrize("make, args, code, message", [
    (None, ["missing.txt", "--region", "ningbo"], 2, "file not found"),
    ("txt", ["--region", "atlantis"], 2, "unknown region 'atlantis'"),
    ("pdf", ["--region", "ningbo"], 1, "cannot read this PDF"),
    ("doc", ["--region", "ningbo"], 2, "unsupported file type .doc"),
    ("txt", ["--region", "ningbo", "--published", "2025-13-01"], 2, "expected YYYY-MM-DD"),
])
def test_errors_are_one_line_without_traceback(tmp_path, make, args, code, message):
    argv = ["extract"]
    if make:
        path = tmp_path / f"x.{make}"
        path.write_bytes(b"%PDF-1.4 garbage" if make == "pdf" else "地区生产总值1亿元".encode())
        argv.append(str(path))
    result = run_cli(*argv, *[str(tmp_path / a) if a == "missing.txt" else a for a in args])
    assert result.returncode == code
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------------------------------------- the quotes corpus

def test_recall_on_the_repository_quotes(config):
    rows = [r for r in phrases.read_csv_rows(DATA / "observations.csv") if not recall.is_table_excerpt(r["quote"])]
    score, _ = recall.score_rows(rows, config)
    assert score.rows >= 200
    assert score.recovered / score.rows >= 0.80
    assert score.wrong / score.rows <= 0.02


def test_table_excerpts_are_recognised():
    assert recall.is_table_excerpt("Ningbo | 4842 | 39.9%")
    assert recall.is_table_excerpt("研究与试验发展经费支出 (亿元) ... 248.73 274.00 302.19")
    assert recall.is_table_excerpt("2010.0,深圳市,科学技术支出_万元_全市=998426.0")
    assert recall.is_table_excerpt("杭州 2015年 10050.21")
    assert not recall.is_table_excerpt("2023年全市地区生产总值修订为17146.6亿元")
    assert not recall.is_table_excerpt("GDP totaled 1.24087 trillion yuan ($190.9 billion) in 2020")


def test_html_inline_tags_stay_in_their_sentence_and_blocks_split():
    title, text = documents.html_title_text("<html><head><title>公报</title></head><body><p>全年全市实现地区生产总值"
                                          "<span>18147.7</span>亿元</p><p>年末常住人口<b>977.7</b>万人</p></body></html>")
    assert title == "公报"
    assert documents.sentences(text) == ["全年全市实现地区生产总值18147.7亿元", "年末常住人口977.7万人"]


def test_wrapped_pdf_lines_are_joined_but_short_title_lines_are_not():
    text = "2024年宁波市统计公报\n全年全市实现地区生产总值181\n47.7亿元,比上年增长5.4%。\n年末常住人口977.7万人。"
    assert documents.sentences(documents.join_wrapped_lines(text)) == [
        "2024年宁波市统计公报", "全年全市实现地区生产总值18147.7亿元,比上年增长5.4%。", "年末常住人口977.7万人。"]


def test_quotation_marks_do_not_hide_a_phrase(config):
    assert found(config, '累计认定国家级专精特新"小巨人"企业380家,其中新增62家') == [
        ("specialized_little_giants", "380", "2024", ""), ("specialized_little_giants_new", "62", "2024", "")]


def test_per_head_figures_are_not_totals(config):
    assert found(config, "人均地区生产总值18.6万元,比上年增长4.5%") == []
    assert found(config, "GDP per capita reached 186,000 yuan.") == []


def test_a_fall_is_a_negative_growth_rate(config):
    assert found(config, "规上工业增加值比上年下降2.1%") == [("above_scale_industrial_va_yoy", "-2.1", "2024", "")]
    assert found(config, "规上工业增加值比上年增长2.1%") == [("above_scale_industrial_va_yoy", "2.1", "2024", "")]


def test_a_narrower_scope_is_not_the_total(config):
    sentence = "全市R&D经费支出400.2亿元,其中企业R&D经费支出350.1亿元"
    assert found(config, sentence) == [("rd_expenditure", "400.2", "2024", "")]
    assert found(config, "全市民营高新技术企业5000家") == []


def test_an_unnamed_starting_point_is_not_the_documents_year(config):
    assert found(config, "地区生产总值由1.31万亿元增加到1.87万亿元") == [("gdp", "18700", "2024", "")]
    assert found(config, "R&D经费支出占GDP比重从2015年的2.41%提升到2020年的2.85%") == [
        ("rd_gdp_ratio", "2.41", "2015", ""), ("rd_gdp_ratio", "2.85", "2020", "")]


def test_generic_counters_are_interchangeable(config):
    assert found(config, "部署350多个科技创新2025重大专项") == [("sci_tech_projects", "350", "2024", ">")]


def test_respectively_from_one_list_to_another(config):
    sentence = "高新技术产业、战略性新兴产业增加值占规上工业增加值比重分别从2015年的37%、22.7%提高到53.7%、28.1%"
    assert found(config, sentence, year=2019) == [
        ("high_tech_industry_va_share", "37", "2015", ""), ("strategic_emerging_industry_share", "22.7", "2015", ""),
        ("high_tech_industry_va_share", "53.7", "2019", ""), ("strategic_emerging_industry_share", "28.1", "2019", "")]


def test_a_government_as_publisher_in_the_title_names_the_documents_region(config):
    doc = documents.Document("2026年宁波市人民政府工作报告", "过去一年,杭州等城市……全市规上工业增加值增长7.2%。")
    assert figures.document_region(doc, config, "china") == "ningbo"
    assert [(c.indicator_id, c.period, c.value) for c in candidates.extract(doc, "ningbo", config)] == [
        ("above_scale_industrial_va_yoy", "2025", "7.2")]


def test_figures_after_a_narrower_scope_belong_to_it(config):
    assert found(config, "全市R&D经费支出首次突破600亿元,其中企业R&D经费支出520亿元") == [("rd_expenditure", "600", "2024", ">")]


def test_plan_period_end_year(config):
    assert found(config, "“十四五”期间,全市地区生产总值从1.24万亿元增加到1.9万亿元", year=2026) == [("gdp", "19000", "2025", "")]


def test_a_denominator_is_not_a_figure(config):
    assert found(config, "Invention patents per 10,000 people reached 55.2.") == [("invention_patents_per_10k", "55.2", "2024", "")]
    assert found(config, "Invention patents per 10,000 residents were 55.2 and design patents granted per 10,000 were 3.") == [
        ("invention_patents_per_10k", "55.2", "2024", "")]


def test_output_errors_leave_no_file(tmp_path):
    path = tmp_path / "b.txt"
    path.write_text(SENTENCES, encoding="utf-8")
    result = run_cli("extract", str(path), "--region", "ningbo", "--output", str(tmp_path))
    assert result.returncode == 2 and "is a directory" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.txt"]


def test_score_quotes_prints_recall_lines():
    result = run_cli("extract", "--score-quotes")
    assert result.returncode == 0
    assert result.stdout.startswith("all quotes: ") and "prose quotes, indicator half B" in result.stdout


def test_firms_rd_is_not_the_citys_rd(config):
    assert found(config, "全市规模以上工业企业R&D经费支出350.2亿元") == []
    assert found(config, "全市规上工业高新技术企业1479家") == [("high_tech_enterprises_survey", "1479", "2024", "")]


def test_abbreviation_inside_another_word_is_not_a_phrase(config):
    assert found(config, "提高企业研发费用加计扣除比例至100%,惠及企业3000家") == []


@settings(max_examples=60, deadline=None)
@given(cents=st.integers(min_value=1, max_value=99_999_999),
       unit=st.sampled_from([("万亿元", Decimal(10000)), ("亿元", Decimal(1)), ("万元", Decimal("0.0001"))]))
def test_any_amount_converts_exactly(config, cents, unit):
    number = Decimal(cents) / 100
    word, factor = unit
    got = found(config, f"全市地区生产总值{number}{word}")
    assert [(i, Decimal(v)) for i, v, _, _ in got] == [("gdp", number * factor)]


@settings(max_examples=40, deadline=None)
@given(count=st.integers(min_value=1, max_value=9_999_999), grouped=st.booleans())
def test_any_count_in_english_with_or_without_thousands_commas(config, count, grouped):
    text = f"{count:,}" if grouped else str(count)
    if not grouped and 1900 <= count <= 2099:
        text = f"{count:,}"  # a bare 19xx/20xx reads as a year
    got = found(config, f"The city had {text} high-tech enterprises.")
    assert got == [("high_tech_enterprises", str(count), "2024", "")]
