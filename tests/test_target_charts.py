"""The charts of targets draw the record and nothing else: the same median and intervals as the text, bounds as
bounds, ranks on an inverted axis, cumulative targets as running totals, the year on the last dot."""

from __future__ import annotations

import re

import pytest
from matplotlib.collections import PathCollection, PolyCollection

from analysis.assess import statuses
from analysis.assess.record import Assessment
from analysis.data import loader
from analysis.report import plots, target_charts

AS_OF = "2026-09-30"


@pytest.fixture(scope="module", autouse=True)
def style() -> None:
    plots.use_style()


@pytest.fixture(scope="module")
def records() -> dict[str, Assessment]:
    return {a.target_id: a for a in statuses.assessments(loader.load(), AS_OF)}


def path_of(years: list[int], median: list[float], spread: float) -> list[dict]:
    return [{"year": y, "median": m, "lo80": m - spread, "hi80": m + spread, "lo95": m - 2 * spread, "hi95": m + 2 * spread}
            for y, m in zip(years, median)]


def rank_record() -> Assessment:
    points = [{"year": y, "value": v, "qualifier": "", "status": "official", "source_id": "s"} for y, v in ((2021, 13), (2022, 12), (2023, 12))]
    points.append({"year": 2024, "value": 10, "qualifier": "<=", "status": "official", "source_id": "s"})
    return Assessment("t_rank", "high_tech_zone_rank", "ningbo", "rank", "<=", 2027, 10.0, "位", latest_period="2024", latest_value=10.0,
                      latest_qualifier="<=", base_year_used=2021, base_value=13.0, target_level=10.0, status="met", counted=True,
                      p_meet=0.75, points=points, path=path_of([2024, 2025, 2026, 2027], [10.5, 10.0, 9.5, 9.1], 2.0))


def test_a_rank_fan_is_inverted_with_its_bound_and_the_records_path() -> None:
    dataset = loader.load()
    panel = target_charts.fan_panel(dataset, rank_record(), "zh")
    fig = target_charts.fan_chart(panel, lang="zh")
    ax = fig.axes[0]
    assert ax.yaxis_inverted()  # first place on top
    triangles = [ln for ln in ax.get_lines() if ln.get_marker() in ("^", "v")]
    assert [(list(ln.get_xdata()), list(ln.get_ydata()), ln.get_marker(), ln.get_markerfacecolor()) for ln in triangles] == [
        ([2024], [10], "^", "white")]  # an upper bound on the rank number, pointing up (better) on the inverted axis
    dashed = next(ln for ln in ax.get_lines() if ln.get_linestyle() == "--")
    assert list(dashed.get_xdata())[-4:] == [2024, 2025, 2026, 2027] and list(dashed.get_ydata())[-1] == 9.1  # the record's median
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    spans = sorted((round(float(v[:, 1].min()), 6), round(float(v[:, 1].max()), 6)) for c in bands for v in [c.get_paths()[0].vertices])
    assert spans == [(5.1, 14.5), (7.1, 12.5)]  # 95 % and 80 % from the record's path, anchored on the last exact rank (12, 2023)
    assert "2023" in [t.get_text() for t in ax.texts]  # the year on the last exact dot
    data = fig.chart_data["targets"][0]
    assert data["projection"] == {"median": 9.1, "lo80": 7.1, "hi80": 11.1, "lo95": 5.1, "hi95": 13.1}
    assert data["bounds"] == [{"year": 2024, "value": 10, "qualifier": "<="}] and data["inverted"] is True


def test_a_cumulative_fan_draws_the_running_total_of_published_flows(records: dict) -> None:
    a = records["t001_high_skilled_talents_2027"]
    panel = target_charts.fan_panel(loader.load(), a, "en")
    flows = {p["year"]: p["value"] for p in a.points if p["qualifier"] == ""}
    assert panel["cumulative"] and list(panel["history"].index) == sorted(flows)
    assert panel["history"].iloc[-1] == a.running_total == sum(flows.values())  # 51,000 + 81,000
    assert list(panel["bands"].loc[a.target_year]) == [a.projected_value, a.lo80, a.hi80, a.lo95, a.hi95]
    assert panel["required"].iloc[0] == 0 and panel["required"].iloc[-1] == a.target_value  # the line to the target


def test_the_fan_of_every_judged_target_is_its_records_projection(records: dict) -> None:
    dataset = loader.load()
    panels = target_charts.judged_panels(dataset, list(records.values()), "zh")
    assert panels and all(records[p["target_id"]].p_meet == records[p["target_id"]].p_meet for p in panels)
    fig = target_charts.fan_multiples(panels, lang="zh")
    for data in fig.chart_data["targets"]:
        a = records[data["target_id"]]
        assert data["projection"] == {"median": a.projected_value, "lo80": a.lo80, "hi80": a.hi80, "lo95": a.lo95, "hi95": a.hi95}
        assert data["inverted"] == (a.target_type == "rank")
    zone = next(ax for ax, p in zip(fig.axes, panels) if p["target_id"] == "t001_high_tech_zone_rank_2027")
    assert zone.yaxis_inverted()


def test_the_standing_chart_draws_bounds_and_stale_figures_as_such(records: dict) -> None:
    dataset = loader.load()
    table = statuses.table_of(list(records.values()))
    frame = target_charts.standing_frame(dataset, table, {}, AS_OF, "en")
    fig = target_charts.standing_chart(frame, lang="en")
    drawn = {d["target_id"]: d for d in fig.chart_data["targets"]}
    enterprises = drawn["t001_high_tech_enterprises_2027"]
    assert enterprises["bound"] == ">" and enterprises["latest_pct"] == pytest.approx(100 * 10000 / 13000)
    assert drawn["t001_enterprise_rd_institutions_2027"]["stale"] is True
    talents = records["t001_high_skilled_talents_2027"]
    assert drawn["t001_high_skilled_talents_2027"]["latest_pct"] == pytest.approx(100 * talents.running_total / talents.target_value)
    ax = fig.axes[0]
    markers = {m for c in ax.collections if isinstance(c, PathCollection) for m in [c.get_paths()[0].vertices.shape[0]]}
    assert len(markers) >= 2  # circles and triangles
    counted_ahead = table[table["counted"] & (table["horizon_kind"] == "future") & (table["latest_period"] != "")
                          & (table["target_type"] != "avg_growth")]
    assert set(drawn) == set(counted_ahead["target_id"])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert not [label for label in labels if re.search(r"[\u3400-\u9fff]", label)]  # English names and units on the English chart


def test_chart_titles_never_break_inside_a_number_or_before_a_bracket() -> None:
    for text in ("国家高新区综合排名进入前10位（2027年）", "新增高技能人才累计≥200,000人（2027年）（人）", "研发经费投入强度≥3.75%（2027年）（%）"):
        for width in range(10, 40):
            lines = plots.wrap_label(text, width).split("\n")
            assert "".join(lines) == text
            for before, after in zip(lines, lines[1:]):
                assert not (before[-1].isdigit() and after[0].isdigit()), (width, lines)
                assert after[0] not in "）%,.年", (width, lines) and before[-1] not in "（"


def test_an_empty_path_draws_no_fan() -> None:
    a = rank_record()
    a.path = []
    panel = target_charts.fan_panel(loader.load(), a, "en")
    assert panel["bands"].empty
    fig = target_charts.fan_chart(panel, lang="en")
    assert not [c for c in fig.axes[0].collections if isinstance(c, PolyCollection)]
    assert fig.chart_data["targets"][0]["projection"] == {}
