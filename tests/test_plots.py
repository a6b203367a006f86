"""Every figure renders from small frames, draws Chinese without missing glyphs, and saves reproducibly."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

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


def test_every_figure_function_returns_a_figure() -> None:
    from matplotlib.figure import Figure

    assert all(isinstance(fig, Figure) for fig in figures().values())


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
