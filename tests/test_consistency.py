"""One target, one truth (issue 17): every page of a rendered quarter says what the assessment record says.

The quarter of the session's end-to-end render (conftest.rendered_quarter) is read back as a reader gets it
(HTML text, the dashboard's CSV and XLSX, the charts' data inside their SVG) and each field a page shows
(value, year, qualifier, projection median and 80 % interval, P and its words, status) is parsed from the text
and compared with the record in assessment.json. The expected text of a number is built here from the record's
value and the pages' number rule (written out below), not by the functions that render the pages. Which page
shows which field is listed in the README ("What each page shows").
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from conftest import E2E_PERIOD

from analysis.assess import statuses
from analysis.data import loader, schema
from analysis.report import i18n, periods, wording

pytestmark = pytest.mark.e2e

LANGS = ("zh", "en")
# the likelihood scale, written out: (lower edge, en, zh)
SCALE = [(0.99, "virtually certain", "几乎确定"), (0.90, "very likely", "很可能"), (0.66, "likely", "可能"),
         (0.33, "about as likely as not", "可能性中等"), (0.10, "unlikely", "不太可能"), (0.01, "very unlikely", "很不可能"),
         (0.0, "exceptionally unlikely", "几乎不可能")]


def words_of(p: float, lang: str) -> str:
    """The likelihood words of P on the scale above."""
    for edge, en, zh in SCALE:
        if p >= edge:
            return zh if lang == "zh" else en
    raise AssertionError(p)


def shown(x: float, whole: bool = False) -> str:
    """A number as the pages print it: thousands separators from 1,000, whole from 100 (one decimal if not whole), else 3 digits."""
    if whole:
        x = float(math.floor(x + 0.5))
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:.0f}" if x == round(x) else f"{x:.1f}"
    text = f"{x:.3g}"
    return text if "e" not in text else f"{x:.2f}"


@pytest.fixture(scope="module")
def period(rendered_quarter: Path) -> Path:
    return rendered_quarter / E2E_PERIOD


@pytest.fixture(scope="module")
def records(period: Path) -> dict:
    return {a.target_id: a for a in statuses.read_records(period / "assessment.json")}


@pytest.fixture(scope="module")
def dataset() -> loader.Dataset:
    return loader.load(schema.DEFAULT_DATA_DIR)


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def table_rows(page: BeautifulSoup, index: int) -> list[list[str]]:
    """The text of every cell of the page's index-th table, row by row (the header first)."""
    table = page.find_all("table")[index]
    return [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])] for tr in table.find_all("tr")]


def is_rank(dataset: loader.Dataset, a) -> bool:
    return a.target_type == "rank" or wording.indicator_unit(dataset, a.indicator_id) == "rank"


def whole(dataset: loader.Dataset, a) -> bool:
    return wording.indicator_kind(dataset, a.indicator_id) == "count" or is_rank(dataset, a)


def number_in(text: str, value: float, lang: str, is_whole: bool = False) -> bool:
    """Whether the text holds the value as printed (CNY billions in English for 亿元 amounts)."""
    candidates = {shown(value, is_whole)}
    if lang == "en":
        candidates.add(shown(value / 10, is_whole) + " billion")
    return any(c in text.replace("−", "-") for c in candidates)


def check_standing(dataset: loader.Dataset, a, cell: str, lang: str) -> None:
    """The cell shows the record's figure: value (or running total), year, qualifier, stale mark."""
    if not a.latest_period:
        assert cell == "", (a.target_id, cell)
        return
    year = str(a.running_total_to if a.target_type == "cumulative" else a.latest_period)
    assert year in cell, (a.target_id, cell, year)
    value = a.running_total if a.target_type == "cumulative" else a.latest_value
    qualifier = a.running_total_qualifier if a.target_type == "cumulative" else a.latest_qualifier
    if is_rank(dataset, a) and qualifier in ("<=", ">="):
        n = int(value) if qualifier == "<=" else int(value) - 1
        assert (f"前{n}位" if qualifier == "<=" else f"未进前{n}") in cell if lang == "zh" else (
            f"top {n}" if qualifier == "<=" else f"outside the top {n}") in cell, (a.target_id, cell)
    else:
        assert number_in(cell, value, lang, False), (a.target_id, cell, value)
        sign = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "~": "约" if lang == "zh" else "about"}.get(qualifier or "", "")
        if a.latest_status == "estimate" and not qualifier:
            sign = "约" if lang == "zh" else "about"
        assert sign in cell, (a.target_id, cell, sign)
    stale = "旧数据" if lang == "zh" else "stale"
    assert (stale in cell) == bool(a.latest_stale), (a.target_id, cell)


def check_projection(dataset: loader.Dataset, a, cell: str, lang: str) -> None:
    """The cell shows the record's projection median and 80 % interval, or nothing when the status rests on none."""
    if not cell:
        assert math.isnan(a.p_meet) or a.status_reason in ("target_year_value", "cumulative_reached"), (a.target_id, a.status_reason)
        return
    w = whole(dataset, a)
    assert number_in(cell, a.projected_value, lang, w) or (is_rank(dataset, a) and str(int(math.floor(a.projected_value + 0.5))) in cell), (
        a.target_id, cell, a.projected_value)
    if math.isnan(a.lo80):  # a past target's interpolated value: no interval
        assert "–" not in cell, (a.target_id, cell)
    else:
        assert f"{shown(a.lo80, w)}–{shown(a.hi80, w)}" in cell, (a.target_id, cell, a.lo80, a.hi80)


def check_p(a, cell: str, lang: str) -> None:
    """The cell shows P as a whole percentage with the words of its band, or nothing without P."""
    if math.isnan(a.p_meet):
        assert cell == "", (a.target_id, cell)
        return
    assert f"{100 * a.p_meet:.0f}%" in cell and words_of(a.p_meet, lang) in cell, (a.target_id, cell)


def status_word(a, lang: str) -> str:
    return i18n.LABELS[f"status.{a.status}"][lang]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page_name", ["annex", "dashboard"])
def test_the_status_table_of_every_target_is_its_record(page_name: str, lang: str, period: Path, records: dict, dataset) -> None:
    rows = table_rows(soup(period / f"{page_name}.{lang}.html"), 0 if page_name == "annex" else 1)
    by_label: dict[str, list] = {}
    for a in records.values():
        by_label.setdefault(wording.target_label(dataset, a, lang), []).append(a)
    body = rows[1:]
    shown_ids = records if page_name == "annex" else records  # both pages list every target
    assert len(body) == len(shown_ids)
    for target, standing, _progress, projection, p, status, _note in body:
        for a in by_label[target]:
            check_standing(dataset, a, standing, lang)
            check_projection(dataset, a, projection, lang)
            check_p(a, p, lang)
            assert status == status_word(a, lang), (a.target_id, status)


@pytest.mark.parametrize("lang", LANGS)
def test_the_dashboard_exports_hold_the_record(lang: str, period: Path, records: dict) -> None:
    csv = pd.read_csv(period / f"dashboard.{lang}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    book = openpyxl.load_workbook(period / f"dashboard.{lang}.xlsx")
    sheet = book.worksheets[0]
    xlsx = pd.DataFrame(list(sheet.iter_rows(min_row=2, values_only=True)), columns=[c.value for c in sheet[1]])
    for frame in (csv, xlsx):
        ids = frame.iloc[:, 0].astype(str)
        assert set(ids) == set(records)
        p_raw = i18n.t("export.raw", lang, label=i18n.t("p_meet", lang))
        status_raw = i18n.t("export.raw", lang, label=i18n.t("status", lang))
        for target_id, p, status in zip(ids, frame[p_raw], frame[status_raw]):
            a = records[target_id]
            assert str(status) == a.status, target_id
            if math.isnan(a.p_meet):
                assert p in ("", None) or (isinstance(p, float) and math.isnan(p)), (target_id, p)
            else:
                assert float(p) == a.p_meet, target_id  # the raw column: the record's number itself


@pytest.mark.parametrize("lang", LANGS)
def test_the_briefing_scorecard_and_risks_are_the_record(lang: str, period: Path, records: dict, dataset) -> None:
    page = soup(period / f"briefing.{lang}.html")
    labels = sorted(((wording.target_label(dataset, a, lang), a) for a in records.values() if a.counted), key=lambda la: -len(la[0]))
    rows = table_rows(page, 0)  # the risk register: group rows ("已实现（1项）"), then one row per judged target
    checked = 0
    for row in rows[1:]:
        a = next((a for label, a in labels if row[0].replace(" ", "").startswith(label.replace(" ", ""))), None)
        if a is None or len(row) < 5:
            continue  # a group heading, or the compact row of targets without a published figure
        assert row[4].startswith(status_word(a, lang)), (a.target_id, row[4])
        if not math.isnan(a.p_meet):
            assert f"{100 * a.p_meet:.0f}%" in row[4], (a.target_id, row[4])
        checked += 1
    assert checked, "the register lists the judged targets"
    risks = [li.get_text(" ", strip=True) for li in page.find_all("li")]
    at_risk = [a for a in records.values() if a.counted and a.group == "at_risk"]
    for a in at_risk:
        named = [r for r in risks if r.startswith(wording.target_label(dataset, a, lang))]
        if not named:  # one sentence per indicator: a target stated for the same indicator may stand for it
            continue
        assert status_word(a, lang) in named[0], (a.target_id, named[0])
        if not math.isnan(a.p_meet):
            assert f"{100 * a.p_meet:.0f}%" in named[0]


def chart_data(path: Path) -> list[dict]:
    """The data of every chart of a page (the JSON inside its SVG)."""
    return [json.loads(s.get_text()) for s in soup(path).select("script.chart-data")]


@pytest.mark.parametrize("lang", LANGS)
def test_the_charts_draw_the_record(lang: str, period: Path, records: dict) -> None:
    charts = {c["chart"]: c for c in chart_data(period / f"briefing.{lang}.html")}
    assert set(charts) == {"fan_multiples"}  # the standing of every target moved to the annex
    charts.update({c["chart"]: c for c in chart_data(period / f"annex.{lang}.html")})
    assert "standing" in charts
    for drawn in charts["fan_multiples"]["targets"]:
        a = records[drawn["target_id"]]
        assert drawn["projection"] == {"median": a.projected_value, "lo80": a.lo80, "hi80": a.hi80, "lo95": a.lo95, "hi95": a.hi95}
        assert drawn["inverted"] == (a.target_type == "rank")
        bounds = [p for p in a.points if p["qualifier"] in (">", ">=", "<", "<=")]
        assert len(drawn["bounds"]) == (0 if a.target_type == "cumulative" else len(bounds))
    for drawn in charts["standing"]["targets"]:
        a = records[drawn["target_id"]]
        value = a.running_total if a.target_type == "cumulative" else a.latest_value
        higher = a.comparator in (">=", ">")
        share = 100 * value / a.target_value if higher else 100 * a.target_value / value
        assert drawn["latest_pct"] == pytest.approx(share) and drawn["status"] == a.status and drawn["stale"] == a.latest_stale
        assert drawn["year"] == a.latest_period
        qualifier = a.running_total_qualifier if a.target_type == "cumulative" else a.latest_qualifier
        assert drawn["bound"] == (qualifier if qualifier in (">", ">=", "<", "<=") else "")


@pytest.mark.parametrize("lang", LANGS)
def test_every_projection_page_is_its_record(lang: str, period: Path, records: dict, dataset) -> None:
    pages = sorted((period / "projection").glob(f"*.{lang}.html"))
    assert pages
    for path in pages:
        a = records[path.name.split(".")[0]]
        text = soup(path).get_text(" ", strip=True)
        assert status_word(a, lang) in text, a.target_id
        if not math.isnan(a.p_meet):
            assert f"{100 * a.p_meet:.0f}%" in text and words_of(a.p_meet, lang) in text, a.target_id
        for drawn in [c for c in chart_data(path) if c["chart"] == "fan"]:
            (target,) = drawn["targets"]
            assert target["target_id"] == a.target_id and target["inverted"] == (a.target_type == "rank")
            if a.path and not math.isnan(a.p_meet):  # a projection the status rests on is drawn, another is not
                assert target["projection"]["median"] == a.projected_value and target["projection"]["lo80"] == a.lo80


def test_the_same_counts_on_every_page_and_in_status(period: Path, records: dict, rendered_quarter: Path) -> None:
    table = statuses.table_of(list(records.values()))
    c = statuses.counts(table)
    end = periods.quarter_end(E2E_PERIOD)
    for lang in LANGS:
        text = " ".join(p.get_text(" ", strip=True) for p in soup(period / f"briefing.{lang}.html").find_all("p"))
        expected = i18n.t("brief.summary", lang, date=wording.date_text(end, lang), n=c["targets"], judged=c["judged"], good=c["good"],
                          bad=c["at_risk"], middle=c["uncertain"], partial=c["future.insufficient_data"], nodata=c["future.no_data"])
        assert expected in text, (lang, expected)
        counts_table = table_rows(soup(period / f"dashboard.{lang}.html"), 0)
        total = dict((row[0], row[1]) for row in counts_table[1:])
        assert int(total[i18n.t("count.total", lang)]) == c["targets"] + c["past"]
    out = subprocess.run([sys.executable, "-m", "analysis", "status", "--as-of", end.isoformat()],
                         capture_output=True, text=True, check=True).stdout
    assert f"targets ahead ({c['targets']}," in out and f"past targets ({c['past']}," in out


def test_no_page_prints_a_unit_word_of_the_data_instead_of_words(period: Path) -> None:
    pages = sorted(period.rglob("*.html"))
    for path in pages:
        text = soup(path)
        for script in text.select("script, style"):
            script.decompose()
        visible = text.get_text(" ", strip=True)
        assert not re.search(r"\d\s?rank\b|≥第\d+位|≤第\d+位", visible), path.name  # "10rank", "≥第21位": a rank bound is words
