"""The briefing's data gaps name, per publisher, the missing and overdue years of the request
workbook's own list, and the workbooks are written beside each quarter's briefing (issue 18 item 5)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from analysis.assess import statuses
from analysis.data import loader, request
from analysis.report import gap_list, page_html, request_workbook, source_tables
from analysis.report.periods import quarter_end

ROOT = Path(__file__).resolve().parents[1]


def test_year_runs_and_their_text() -> None:
    assert gap_list.year_runs([2024, 2021, 2022, 2022, 2026]) == [(2021, 2022), (2024, 2024), (2026, 2026)]
    assert gap_list.years_text([2022, 2023, 2024, 2026], "zh") == "2022—2024年、2026年"
    assert gap_list.years_text([2022, 2023, 2024, 2026], "en") == "2022–2024, 2026"
    assert gap_list.years_text([2025], "en") == "2025"


def test_next_quarter_months() -> None:
    assert gap_list.next_quarter_months("2026Q3") == (10, 11, 12)
    assert gap_list.next_quarter_months("2026Q4") == (1, 2, 3)


@pytest.fixture(scope="module")
def dataset() -> loader.Dataset:
    return loader.load(ROOT / "data")


def groups_as_of(dataset: loader.Dataset, period: str, lang: str, end: dt.date | None = None) -> tuple[list[dict], list[request.Wanted]]:
    calendar = source_tables.release_calendar(None)
    end = end or quarter_end(period)
    table = statuses.status_table(dataset, end.isoformat(), region=None)
    return gap_list.gap_groups(dataset, table, calendar, period, end, lang), request.plan(dataset, calendar, end)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_list_counts_exactly_the_workbooks_figures(dataset, lang) -> None:
    groups, wanted = groups_as_of(dataset, "2026Q3", lang)
    assert sum(g["n_years"] for g in groups) == len(wanted)
    assert sum(g["n_overdue"] for g in groups) == sum(w.state == "overdue" for w in wanted)
    publishers = list(dict.fromkeys((w.publisher.name_zh if lang == "zh" else w.publisher.name_en) for w in wanted))
    assert [g["publisher"] for g in groups] == publishers  # the workbook's sheet order
    markdown = gap_list.gap_list_markdown(groups, "2026Q3", lang)
    assert f"](requests.{lang}.xlsx)" in markdown
    shown = gap_list.GAP_PUBLISHERS_SHOWN
    if len(groups) > shown:  # the rest counted, not dropped
        rest = sum(g["n_years"] for g in groups[shown:])
        assert str(rest) in markdown.splitlines()[shown]


def test_ningbo_rd_intensity_years_by_hand(dataset) -> None:
    # data/: Ningbo's R&D intensity has exact values for 2019, 2020, 2023; 2018 and 2021 only estimates
    # (预计) or a bound; 2022 and 2024 nothing. Its first exact 2023 figure came out in March 2025: a
    # lag of two years, so 2022's was due by March 2024 and overdue from May 2024 (one month of grace);
    # 2024's overdue from May 2026. On 2026-09-30 2025's (due March 2027) is not yet wanted.
    groups, _ = groups_as_of(dataset, "2026Q3", "zh")
    line = next(n for g in groups for n in g["names"] if n.startswith("研发经费投入强度 "))
    assert line == "研发经费投入强度 2022年、2024年（自2024年5月起逾期），2018年、2021年（仅有估计值或区间）"
    groups, _ = groups_as_of(dataset, "2026Q2", "en", dt.date(2026, 4, 15))  # due by March 2026, in its month of grace
    line = next(n for g in groups for n in g["names"] if n.startswith("R&D intensity"))
    assert "2022 (overdue since May 2024)" in line and "2024 (not yet overdue)" in line
    assert "2018, 2021 (only an estimate or a bound)" in line


def test_a_figure_handed_in_leaves_the_list(dataset, tmp_path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    with (data / "observations.csv").open("a", encoding="utf-8", newline="") as out:
        out.write("rd_gdp_ratio,ningbo,2024,3.2,%,,official,nbkjj_2025_01,2026-03-20,false,true,研发投入强度3.2%,test row\n")
    handed_in = loader.load(data)
    groups, wanted = groups_as_of(handed_in, "2026Q3", "zh")
    line = next(n for g in groups for n in g["names"] if n.startswith("研发经费投入强度 "))
    assert line.startswith("研发经费投入强度 2022年（自2024年5月起逾期）")
    assert not any(w.indicator_id == "rd_gdp_ratio" and w.region == "ningbo" and w.year == 2024 for w in wanted)
    before, _ = groups_as_of(handed_in, "2025Q4", "zh")  # the figure was published after that quarter: still wanted
    assert sum(g["n_years"] for g in before) == len(request.plan(handed_in, source_tables.release_calendar(None), quarter_end("2025Q4")))


@pytest.mark.e2e
def test_the_workbooks_sit_beside_the_briefing(rendered_quarter, dataset, tmp_path) -> None:
    period_dir = rendered_quarter / "2025Q4"
    end = quarter_end("2025Q4")
    calendar = request.read_calendar(ROOT / "data")
    for lang in ("zh", "en"):
        path = period_dir / f"requests.{lang}.xlsx"
        again = tmp_path / path.name  # a second, independent build and the render's normalisation
        request_workbook.write_beside(dataset, calendar, end, [lang], tmp_path)
        page_html.normalize_xlsx(again, end.isoformat() + "T00:00:00Z")
        assert path.read_bytes() == again.read_bytes(), path.name
        assert load_workbook(path).sheetnames[0] == request_workbook.w("instructions", lang)
        briefing = (period_dir / f"briefing.{lang}.html").read_text(encoding="utf-8")
        assert re.search(rf'href="requests\.{lang}\.xlsx"', briefing), f"briefing.{lang} does not link its workbook"
