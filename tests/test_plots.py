"""Every figure renders from small frames, draws Chinese without missing glyphs, and saves reproducibly."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection, QuadMesh
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from analysis.report import plots


@pytest.fixture(scope="module", autouse=True)
def style() -> None:
    plots.use_style()


def figures() -> dict[str, object]:
    """Return one small figure of each kind, with Chinese labels."""
    history = pd.Series([2.8, 2.85, 3.0, 3.08], index=[2019, 2020, 2021, 2023])
    rows = pd.DataFrame({"year": [2019, 2020, 2021, 2023], "value": history.to_numpy(),
                         "status": ["official", "estimate", "reported", "revised"]})
    matrix = pd.DataFrame([[1, 0, 2], [0, 0, 0]], index=["研发投入强度", "高新技术企业数"], columns=["2021", "2022", "2023"])
    peers = pd.DataFrame({"label": ["宁波", "杭州", "全国"], "value": [3.08, 3.86, 2.8], "period": ["2023", "2023", "2025"],
                          "highlight": [True, False, False]})
    return {
        "coverage_heatmap": plots.coverage_heatmap(matrix, title="数据覆盖", lang="zh"),
        "history_chart": plots.history_chart(rows, title="研发投入强度(宁波)", ylabel="%", lang="zh"),
        "history_rank": plots.history_chart(rows.assign(value=[14, 12, 11, 10]), title="排名", lang="zh", invert=True),
        "peer_chart": plots.peer_chart(peers, title="研发投入强度", xlabel="%", lang="zh"),
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

    assert figs["history_rank"].axes[0].yaxis_inverted() and not history.yaxis_inverted()  # ranks: first place on top

    peers = figs["peer_chart"].axes[0]
    assert [p.get_width() for p in peers.patches] == [2.8, 3.08, 3.86]  # sorted bars
    assert [to_hex(p.get_facecolor()) for p in peers.patches].count(plots.HIGHLIGHT.lower()) == 1  # Ningbo highlighted
    assert texts(peers) == ["2.8 (2025)", "3.08 (2023)", "3.86 (2023)"]

    empty = figs["empty_heatmap"].axes[0]
    assert texts(empty) == ["none"] and not empty.axison


def test_svg_is_vector_text_without_stamps_and_carries_its_data() -> None:
    import json

    fig = figures()["history_chart"]
    fig.chart_data = {"chart": "test", "targets": [{"target_id": "t", "note": "</script>"}]}
    first, second = plots.svg_text(fig), plots.svg_text(fig)
    assert first == second and first.startswith("<?xml") and '<svg class="chart" ' in first
    assert "<dc:date>" not in first and "Matplotlib v" not in first  # no timestamp, no version: same bytes every run
    assert "研发投入强度" in first  # text as text (drawn by the page's embedded font), not glyph outlines
    data = first.split('<script type="application/json" class="chart-data">')[1].split("</script>")[0]
    assert json.loads(data) == fig.chart_data  # "</script>" inside the data cannot end the script early


def test_use_style_sets_the_cjk_font() -> None:
    import matplotlib

    assert matplotlib.rcParams["font.sans-serif"][:2] == [plots.cjk_font_name(), "DejaVu Sans"]
