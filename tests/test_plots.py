"""Every figure renders from small frames, draws Chinese without missing glyphs, and saves reproducibly."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection, PolyCollection, QuadMesh
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from analysis.report import plots


@pytest.fixture(scope="module", autouse=True)
def style() -> None:
    plots.use_style()


class FakeForecast:
    """The part of models.Forecast that plots.forecast_bands reads."""

    mean = pd.Series([3.2, 3.3, 3.4], index=[2024, 2025, 2026])

    def lower(self, level: int) -> pd.Series:
        return self.mean - level / 100

    def upper(self, level: int) -> pd.Series:
        return self.mean + level / 100


def figures() -> dict[str, object]:
    """Return one small figure of each kind, with Chinese labels."""
    history = pd.Series([2.8, 2.85, 3.0, 3.08], index=[2019, 2020, 2021, 2023])
    rows = pd.DataFrame({"year": [2019, 2020, 2021, 2023], "value": history.to_numpy(),
                         "status": ["official", "estimate", "reported", "revised"]})
    matrix = pd.DataFrame([[1, 0, 2], [0, 0, 0]], index=["研发投入强度", "高新技术企业数"], columns=["2021", "2022", "2023"])
    progress = pd.DataFrame({"label": ["研发投入强度 ≥3.75% (2027)", "高新技术企业 ≥1.3万家", "排名≤10"],
                             "latest_pct": [82.0, 250.0, np.nan], "required_pct": [87.0, np.nan, 90.0],
                             "status": ["unlikely", "on_track", "no_data"]})
    peers = pd.DataFrame({"label": ["宁波", "杭州", "全国"], "value": [3.08, 3.86, 2.8], "period": ["2023", "2023", "2025"],
                          "highlight": [True, False, False]})
    return {
        "coverage_heatmap": plots.coverage_heatmap(matrix, title="数据覆盖", lang="zh"),
        "history_chart": plots.history_chart(rows, title="研发投入强度(宁波)", ylabel="%", lang="zh"),
        "fan_chart": plots.fan_chart(history, plots.forecast_bands(FakeForecast()), required=pd.Series([3.0, 3.75], index=[2021, 2027]),
                                     target=(2027, 3.75), title="研发投入强度", ylabel="%", lang="zh"),
        "progress_bullet_chart": plots.progress_bullet_chart(progress, title="各目标进度", lang="zh"),
        "peer_chart": plots.peer_chart(peers, title="研发投入强度", xlabel="%", lang="zh"),
        "fan_chart_en": plots.fan_chart(history, None, title="R&D intensity", lang="en"),
        "empty_heatmap": plots.coverage_heatmap(pd.DataFrame(), lang="en"),
    }


def test_chinese_glyphs_are_not_missing() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for figure in figures().values():
            plots.png_bytes(figure)
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert missing == []


def test_png_bytes_are_identical_twice() -> None:
    first = {name: plots.png_bytes(fig) for name, fig in figures().items()}
    second = {name: plots.png_bytes(fig) for name, fig in figures().items()}
    for name in first:
        assert first[name][:8] == b"\x89PNG\r\n\x1a\n"
        assert first[name] == second[name], name
        assert b"Software" not in first[name] and b"matplotlib" not in first[name].lower()


def points(ax: object) -> list[tuple[float, float]]:
    """The (x, y) of every scatter point drawn on an axes."""
    return [tuple(map(float, xy)) for c in ax.collections if isinstance(c, PathCollection) for xy in c.get_offsets()]


def texts(ax: object) -> list[str]:
    return sorted(t.get_text() for t in ax.texts)


def test_every_figure_function_returns_a_figure() -> None:
    figs = figures()
    assert all(isinstance(fig, Figure) for fig in figs.values())

    heat = figs["coverage_heatmap"].axes[0]  # (the second axes is the colour bar)
    (mesh,) = [c for c in heat.collections if isinstance(c, QuadMesh)]
    assert int(np.ma.count(mesh.get_array())) == 2  # the two cells with values; zero cells stay empty
    assert texts(heat) == ["1", "2"] and heat.get_title(loc="left") == "数据覆盖"
    assert [t.get_text() for t in heat.get_yticklabels()] == ["研发投入强度", "高新技术企业数"]
    assert [t.get_text() for t in heat.get_xticklabels()] == ["2021", "2022", "2023"]

    history = figs["history_chart"].axes[0]
    (line,) = history.get_lines()
    assert list(line.get_xdata()) == [2019, 2020, 2021, 2023] and list(line.get_ydata()) == [2.8, 2.85, 3.0, 3.08]
    assert sorted(points(history)) == [(2019.0, 2.8), (2020.0, 2.85), (2021.0, 3.0), (2023.0, 3.08)]  # one marker per status
    assert len(history.get_legend().get_texts()) == 4

    fan = figs["fan_chart"].axes[0]
    by_style = {ln.get_linestyle(): ln for ln in fan.get_lines() if ln.get_linestyle() != "None"}
    assert list(by_style["-"].get_xdata()) == [2019, 2020, 2021, 2023]  # the history
    assert list(by_style["--"].get_xdata()) == [2023, 2024, 2025, 2026]  # the projection, from the last value
    assert list(by_style["--"].get_ydata()) == pytest.approx([3.08, 3.2, 3.3, 3.4])
    assert list(by_style[":"].get_xdata()) == [2021, 2027] and list(by_style[":"].get_ydata()) == [3.0, 3.75]  # required path
    bands = [c for c in fan.collections if isinstance(c, PolyCollection)]
    spans = sorted((round(float(v[:, 1].min()), 6), round(float(v[:, 1].max()), 6)) for c in bands for v in [c.get_paths()[0].vertices])
    assert spans == [(2.25, 4.35), (2.4, 4.2)]  # 95 % and 80 % fans: the fake's mean -/+ 0.95 and 0.80 (low 2024, high 2026)
    assert points(fan) == [(2027.0, 3.75)] and texts(fan) == ["3.75"]  # the target star and its label

    bullet = figs["progress_bullet_chart"].axes[0]
    assert sorted(points(bullet)) == [(82.0, 2.0), (87.0, 2.0), (90.0, 0.0), (200.0, 1.0)]  # dots and ticks; 250 % clipped
    assert texts(bullet) == ["250%"]
    assert any(list(ln.get_xdata()) == [100, 100] for ln in bullet.get_lines())  # the 100 % line
    assert [t.get_text() for t in bullet.get_yticklabels()] == ["研发投入强度 ≥3.75% (2027)", "高新技术企业 ≥1.3万家", "排名≤10"]

    peers = figs["peer_chart"].axes[0]
    assert [p.get_width() for p in peers.patches] == [2.8, 3.08, 3.86]  # sorted bars
    assert [to_hex(p.get_facecolor()) for p in peers.patches].count(plots.HIGHLIGHT.lower()) == 1  # Ningbo highlighted
    assert texts(peers) == ["2.8 (2025)", "3.08 (2023)", "3.86 (2023)"]

    bare = figs["fan_chart_en"].axes[0]
    assert len(bare.get_lines()) == 2 and not [c for c in bare.collections if isinstance(c, PolyCollection)]
    assert bare.get_title(loc="left") == "R&D intensity"

    empty = figs["empty_heatmap"].axes[0]
    assert texts(empty) == ["none"] and not empty.axison


def test_fan_multiples_invert_the_axis_of_lower_is_better_targets() -> None:
    history = pd.Series([14.0, 12.0, 11.0], index=[2021, 2022, 2023])
    bands = plots.forecast_bands(FakeForecast())
    panels = [
        {"history": history * 0.3, "bands": bands, "required": None, "target": (2027, 3.75), "title": "研发投入强度", "invert": False},
        {"history": history, "bands": None, "required": pd.Series([13.0, 10.0], index=[2022, 2027]), "target": (2027, 10.0),
         "title": "排名", "interpolated": [2022], "invert": True},
    ]
    fig = plots.fan_multiples(panels, lang="zh")
    level, rank = fig.axes[:2]
    assert (level.yaxis_inverted(), rank.yaxis_inverted()) == (False, True)  # rank 1 at the top
    assert [ax.get_title(loc="left") for ax in (level, rank)] == ["研发投入强度", "排名"]
    assert len([c for c in level.collections if isinstance(c, PolyCollection)]) == 2 and points(rank) == [(2027.0, 10.0)]
    open_markers = [ln for ln in rank.get_lines() if ln.get_marker() == "o" and ln.get_markerfacecolor() == "white"]
    assert [list(ln.get_xdata()) for ln in open_markers] == [[2022]]  # the interpolated year drawn open


def test_use_style_sets_the_cjk_font() -> None:
    import matplotlib

    assert matplotlib.rcParams["font.sans-serif"][:2] == [plots.cjk_font_name(), "DejaVu Sans"]


def standing_table() -> pd.DataFrame:
    """Return a hand-made status table: a level, a rank, a cumulative target and one without data."""
    base = {"region": "ningbo", "target_year": 2027, "p_meet": np.nan, "n_obs": 3, "gap": np.nan, "required_value": np.nan}
    return pd.DataFrame([
        {**base, "target_id": "a", "indicator_id": "x_level", "target_type": "level", "comparator": ">=", "target_value": 4.0,
         "latest_period": "2024", "latest_value": 3.0, "required_value": 3.5, "status": "uncertain"},
        {**base, "target_id": "b", "indicator_id": "x_rank", "target_type": "rank", "comparator": "<=", "target_value": 10.0,
         "latest_period": "2024", "latest_value": 16.0, "status": "insufficient_data"},
        {**base, "target_id": "c", "indicator_id": "x_cum", "target_type": "cumulative", "comparator": ">=", "target_value": 30.0,
         "latest_period": "2024", "latest_value": 3.0, "required_value": 18.0, "gap": 6.0, "status": "off_track"},
        {**base, "target_id": "d", "indicator_id": "x_none", "target_type": "level", "comparator": ">=", "target_value": 5.0,
         "latest_period": "", "latest_value": np.nan, "status": "no_data", "n_obs": 0},
    ])


def test_standing_frame_shares_of_target(tiny_dataset) -> None:
    themes = {"x_level": "rd", "x_rank": "rankings", "x_cum": "firms"}
    frame = plots.standing_frame(tiny_dataset, standing_table(), themes, "2026-09-30", "en").set_index("theme")
    assert frame.loc["rd", "latest_pct"] == pytest.approx(75.0) and frame.loc["rd", "required_pct"] == pytest.approx(87.5)
    assert frame.loc["rankings", "latest_pct"] == pytest.approx(62.5)  # 10 / 16: lower is better
    assert frame.loc["firms", "latest_pct"] == pytest.approx(80.0)  # cumulative to date = required + gap = 24 of 30
    assert not frame.loc["other", "has_value"] and list(frame.index) == ["rd", "firms", "rankings", "other"]


def test_standing_chart_counts_targets_without_data(tiny_dataset) -> None:
    frame = plots.standing_frame(tiny_dataset, standing_table(), {"x_none": "rd", "x_level": "rd"}, "2026-09-30", "en")
    fig = plots.standing_chart(frame, lang="en")
    labels = [label.get_text() for label in fig.axes[0].get_yticklabels()]
    assert "R&D input (+1 without data)" in labels
    assert len(labels) == len(set(frame["theme"])) + int(frame["has_value"].sum())


def test_dashboard_labels_are_in_the_readers_language() -> None:
    from analysis.assess import statuses
    from analysis.data import loader

    dataset = loader.load()
    table = statuses.status_table(dataset, "2026-09-30", region="all")
    english = plots.progress_frame(dataset, table, "en")
    assert len(english) > 10
    cjk = [label for label in english["label"] if re.search(r"[\u3400-\u9fff]", label)]
    assert cjk == []  # units and names in English (firms, CNY 100 million), not 家 or 亿元
    chinese = plots.progress_frame(dataset, table, "zh")
    assert any("家" in label for label in chinese["label"])
