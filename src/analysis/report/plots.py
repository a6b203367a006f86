"""Every figure of the reports, in one style, with a font that renders Chinese."""

from __future__ import annotations

import io
import math
from typing import Mapping, Sequence

import matplotlib
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from analysis.data import loader
from analysis.report.fonts import CJK_FAMILY, cjk_font_name, cjk_font_path  # noqa: F401 - the font lives in fonts.py
from analysis.report.i18n import t
from analysis.report.wording import indicator_name, indicator_unit, target_label

FIGSIZE = (8.0, 4.5)


DPI = 110


PNG_METADATA: dict[str, None] = {"Software": None}


# One colour per target status (gap statuses), colour-blind-safe where possible, ordered best to worst.
STATUS_COLORS = {
    "met": "#1a7f37",
    "on_track": "#2da44e",
    "likely": "#8ccf7e",
    "uncertain": "#e3b341",
    "unlikely": "#f0883e",
    "off_track": "#cf222e",
    "insufficient_data": "#8c959f",
    "no_data": "#d0d7de",
    # outcomes of targets whose year has passed (rules.PAST_STATUSES)
    "probably_met": "#4ac26b",
    "missed": "#a40e26",
    "probably_missed": "#fb8f44",
}


STATUS_ORDER = tuple(STATUS_COLORS)


# Marker per observation status: filled = official statistics, open/other = weaker.
OBS_MARKERS = {
    "official": "o",
    "revised": "D",
    "preliminary": "s",
    "reported": "^",
    "derived": "v",
    "estimate": "X",
}


HIGHLIGHT, MUTED, ACCENT = "#0969da", "#8c959f", "#cf222e"


def use_style() -> None:
    """Set the seaborn theme, the CJK font and deterministic PNG output (also inline)."""
    name = cjk_font_name()
    sns.set_theme(style="whitegrid", context="notebook", palette="colorblind")
    matplotlib.rcParams.update({
        "font.family": "sans-serif",
        "font.sans-serif": [name, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "figure.figsize": FIGSIZE,
        "figure.dpi": DPI,
        "savefig.dpi": DPI,
        "savefig.bbox": None,  # figures use constrained layout; "tight" would draw each figure twice
        "svg.hashsalt": "ningbo-315",
        "pdf.compression": 6,
    })
    configure_inline()


def configure_inline() -> None:
    """In IPython, emit PNG figures without the Software metadata (byte-identical reruns)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of the kernel only
        return
    shell = get_ipython()
    if shell is None:
        return
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("png", bbox_inches=None, metadata=dict(PNG_METADATA))


def png_bytes(fig: Figure) -> bytes:
    """Return the figure as PNG bytes without timestamps or software metadata."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata=dict(PNG_METADATA))
    return buffer.getvalue()


def wrap_label(text: str, width: int) -> str:
    """Wrap a label to lines of about ``width`` columns (by words; a CJK character counts as two)."""
    import textwrap

    if all(ord(c) < 0x2E80 for c in text):
        return textwrap.fill(text, width)
    lines, line, size = [], "", 0
    for char in text:
        step = 2 if ord(char) >= 0x2E80 else 1
        if size + step > width and line:
            lines.append(line)
            line, size = "", 0
        line += char
        size += step
    return "\n".join([*lines, line])


def new_figure(figsize: tuple[float, float] = FIGSIZE) -> Figure:
    """Return a Figure not managed by pyplot (shown once in notebooks, no global state)."""
    return Figure(figsize=figsize, dpi=DPI, layout="constrained")


def number(value: float, digits: int = 3) -> str:
    """Format a number compactly for labels (3 significant digits, thousands separators)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    return f"{value:.{digits}g}"


def coverage_heatmap(matrix: pd.DataFrame, title: str = "", lang: str = "zh") -> Figure:
    """Heatmap of data coverage: rows = indicator labels, columns = years, cells = number of values."""
    rows = max(len(matrix.index), 1)
    fig = new_figure((max(8.0, 0.3 * len(matrix.columns) + 3.5), max(3.0, 0.22 * rows + 1.2)))
    ax = fig.add_subplot()
    if matrix.empty:
        ax.text(0.5, 0.5, t("none", lang), ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    shown = matrix.astype(float).where(matrix > 0)
    sns.heatmap(
        shown, ax=ax, cmap="Blues", vmin=0, vmax=max(3.0, float(np.nanmax(shown.to_numpy()))) if shown.notna().any().any() else 3.0,
        annot=matrix.map(lambda v: str(int(v)) if v > 0 else ""), fmt="",
        linewidths=0.5, linecolor="#eaeef2", cbar_kws={"label": t("chart.coverage_cbar", lang), "shrink": min(0.6, 6.0 / rows), "aspect": 12},
        annot_kws={"fontsize": 7},
        # every label is drawn (rows are few): "auto" would measure every label for overlap (~1 s a page)
        xticklabels=True, yticklabels=True,
    )
    ax.grid(False)
    ax.set_xlabel(t("year", lang))
    ax.set_ylabel("")
    ax.tick_params(axis="x", labelsize=8, rotation=90)
    ax.tick_params(axis="y", labelsize=8)
    if title:
        ax.set_title(title, loc="left")
    return fig


def history_chart(rows: pd.DataFrame, title: str = "", ylabel: str = "", lang: str = "zh") -> Figure:
    """Line of annual values with one marker per observation status; rows need year, value, status."""
    fig = new_figure()
    ax = fig.add_subplot()
    ordered = rows.sort_values("year")
    ax.plot(ordered["year"], ordered["value"], color=MUTED, linewidth=1.2, zorder=1)
    for status, marker in OBS_MARKERS.items():
        part = ordered[ordered["status"] == status]
        if part.empty:
            continue
        ax.scatter(part["year"], part["value"], marker=marker, s=55, zorder=2, label=t(f"obs.{status}", lang),
                   color=HIGHLIGHT if status in ("official", "revised") else "#bf8700")
    if len(ordered):
        ax.legend(title=t("obs_status", lang), loc="best", fontsize=8, title_fontsize=8)
    integer_years(ax)
    ax.set_xlabel(t("year", lang))
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, loc="left")
    return fig


def integer_years(ax: object) -> None:
    """Show only whole years on the x axis."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def forecast_bands(forecast: object, levels: Sequence[int] = (80, 95)) -> pd.DataFrame:
    """Return a models.Forecast as a frame indexed by year: mean, lo80, hi80, lo95, hi95."""
    frame = pd.DataFrame({"mean": forecast.mean})
    for level in levels:
        frame[f"lo{level}"] = forecast.lower(level)
        frame[f"hi{level}"] = forecast.upper(level)
    frame.index = frame.index.astype(int)
    return frame


def fan_chart(
    history: pd.Series,
    bands: pd.DataFrame | None,
    required: pd.Series | None = None,
    target: tuple[int, float] | None = None,
    title: str = "",
    ylabel: str = "",
    lang: str = "zh",
) -> Figure:
    """History, the projection with 80/95 % bands, the required path and the target point."""
    fig = new_figure()
    ax = fig.add_subplot()
    draw_fan(ax, history, bands, required, target, lang)
    ax.set_xlabel(t("year", lang))
    ax.set_ylabel(ylabel)
    ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title, loc="left")
    return fig


def draw_fan(
    ax: object, history: pd.Series, bands: pd.DataFrame | None, required: pd.Series | None = None,
    target: tuple[int, float] | None = None, lang: str = "zh", interpolated: Sequence[int] = (), small: bool = False,
) -> None:
    """Draw history (interpolated years as open markers), the 80/95 % fan, the required path and the target on ``ax``."""
    size = 3.5 if small else 6
    ax.plot(history.index, history.values, "-", color="#24292f", linewidth=1.2 if small else 1.5, zorder=3)
    filled = history[~history.index.isin(list(interpolated))]
    ax.plot(filled.index, filled.values, "o", color="#24292f", markersize=size, label=t("fan.history", lang), zorder=3)
    guessed = history[history.index.isin(list(interpolated))]
    if len(guessed):
        ax.plot(guessed.index, guessed.values, "o", markerfacecolor="white", color="#24292f", markersize=size, label=t("fan.interpolated", lang), zorder=3)
    if bands is not None and len(bands) and len(history):
        anchor_year, anchor = int(history.index[-1]), float(history.iloc[-1])
        years = [anchor_year, *bands.index.tolist()]
        for level, alpha in ((95, 0.18), (80, 0.35)):
            if f"lo{level}" in bands:
                low = [anchor, *bands[f"lo{level}"].tolist()]
                high = [anchor, *bands[f"hi{level}"].tolist()]
                ax.fill_between(years, low, high, color=HIGHLIGHT, alpha=alpha, linewidth=0, label=t(f"fan.band{level}", lang))
        ax.plot(years, [anchor, *bands["mean"].tolist()], "--", color=HIGHLIGHT, label=t("fan.mean", lang), zorder=3)
    if required is not None and len(required):
        ax.plot(required.index, required.values, ":", color=ACCENT, linewidth=1.8, label=t("fan.required", lang))
    if target is not None:
        ax.scatter([target[0]], [target[1]], marker="*", s=110 if small else 220, color=ACCENT, zorder=4, label=t("fan.target", lang))
        ax.annotate(number(target[1]), target, textcoords="offset points", xytext=(6, 3), color=ACCENT, fontsize=7 if small else 9)
    integer_years(ax)
    if small:  # a panel a quarter of the page wide has room for about four year labels
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))


def progress_bullet_chart(frame: pd.DataFrame, title: str = "", lang: str = "zh", clip: float = 200.0) -> Figure:
    """Dot per target: latest value as % of target (colour = status), with a tick at the % required now.

    ``frame`` columns: label, latest_pct, required_pct (NaN allowed), status.
    """
    rows = max(len(frame), 1)
    fig = new_figure((8.0, max(2.5, 0.34 * rows + 1.3)))
    ax = fig.add_subplot()
    ordered = frame.reset_index(drop=True)
    positions = np.arange(len(ordered))[::-1]
    ax.axvline(100, color="#24292f", linewidth=1)
    for pos, row in zip(positions, ordered.itertuples(index=False)):
        ax.plot([0, min(clip, row.latest_pct) if pd.notna(row.latest_pct) else 0], [pos, pos], color="#eaeef2", linewidth=6, zorder=1, solid_capstyle="butt")
        if pd.notna(row.required_pct):
            ax.scatter([min(clip, row.required_pct)], [pos], marker="|", s=260, color="#24292f", zorder=2)
        if pd.notna(row.latest_pct):
            ax.scatter([min(clip, row.latest_pct)], [pos], s=70, color=STATUS_COLORS.get(row.status, MUTED), edgecolor="white", zorder=3)
            if row.latest_pct > clip:
                ax.annotate(f"{row.latest_pct:.0f}%", (clip, pos), textcoords="offset points", xytext=(6, -3), fontsize=8)
    ax.set_yticks(positions, ordered["label"].tolist(), fontsize=8)
    ax.set_xlim(0, clip + 15)
    ax.set_xlabel(t("bullet.xlabel", lang))
    present = [s for s in STATUS_ORDER if s in set(ordered["status"])]
    handles = [Line2D([], [], marker="o", linestyle="", color=STATUS_COLORS[s], label=t(f"status.{s}", lang)) for s in present]
    handles.append(Line2D([], [], marker="|", linestyle="", markersize=12, color="#24292f", label=t("bullet.required", lang)))
    fig.legend(handles=handles, loc="outside lower center", ncol=min(5, len(handles)), fontsize=8, frameon=False)
    ax.grid(axis="y", visible=False)
    if title:
        ax.set_title(title, loc="left")
    return fig


def panel_grid(count: int, ncols: int, panel_height: float) -> tuple[Figure, object, int]:
    """Return a figure with a grid of axes for `count` panels, the axes array and the columns used."""
    count = max(count, 1)
    ncols = min(ncols, count)
    nrows = math.ceil(count / ncols)
    fig = new_figure((8.0, panel_height * nrows + 0.6))
    return fig, fig.subplots(nrows, ncols, squeeze=False), ncols


def peer_chart(frame: pd.DataFrame, title: str = "", xlabel: str = "", lang: str = "zh") -> Figure:
    """Horizontal bars of the latest value per region; ``frame``: label, value, period, highlight (bool)."""
    ordered = frame.sort_values("value", ascending=True).reset_index(drop=True)
    fig = new_figure((8.0, max(2.5, 0.36 * len(ordered) + 1.2)))
    ax = fig.add_subplot()
    colors = [HIGHLIGHT if flag else MUTED for flag in ordered["highlight"]]
    ax.barh(ordered["label"], ordered["value"], color=colors)
    for pos, row in enumerate(ordered.itertuples(index=False)):
        ax.annotate(f"{number(row.value)} ({row.period})", (row.value, pos), textcoords="offset points", xytext=(4, -3), fontsize=8)
    if len(ordered):
        ax.set_xlim(0, float(ordered["value"].max()) * 1.25 if ordered["value"].max() > 0 else 1)
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    if title:
        ax.set_title(title, loc="left")
    return fig


def progress_frame(dataset: loader.Dataset, table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return, per assessed level/rank/cumulative target, the current and required value as % of the target.

    Current = required + gap (the level, or the cumulative sum to date); lower-is-better targets use
    target ÷ value so that 100 % always means 'meets the target'. Average-growth targets are left out
    until gap exposes their implied target level.
    """
    rows = []
    for r in table.itertuples(index=False):
        if r.target_type == "avg_growth" or not r.latest_period or pd.isna(r.target_value) or r.target_value == 0:
            continue
        current = r.required_value + r.gap if pd.notna(r.gap) else r.latest_value
        higher = r.comparator in (">=", ">")
        latest_pct = 100 * current / r.target_value if higher else (100 * r.target_value / current if current else math.nan)
        required = r.required_value
        required_pct = (100 * required / r.target_value if higher else 100 * r.target_value / required) if pd.notna(required) and required else math.nan
        label = target_label(dataset, r, lang)
        rows.append({"label": label, "latest_pct": latest_pct, "required_pct": required_pct, "status": r.status})
    frame = pd.DataFrame(rows, columns=["label", "latest_pct", "required_pct", "status"])
    return frame.drop_duplicates("label", keep="first").reset_index(drop=True)


def required_path(dataset: loader.Dataset, assessment: object) -> pd.Series:
    """Return the required path base year → target year of a level/rank/avg-growth assessment (empty otherwise)."""
    from analysis.assess import base_path

    a = assessment
    if a.target_type == "cumulative" or a.base_year_used is None or pd.isna(a.base_value) or pd.isna(a.target_level):
        return pd.Series(dtype=float)
    form = "geometric" if a.target_type == "avg_growth" else str(dataset.indicator(a.indicator_id)["growth_form"])
    years = range(int(a.base_year_used), int(a.target_year) + 1)
    return pd.Series([base_path.required_at(y, int(a.base_year_used), a.base_value, a.target_year, a.target_level, form) for y in years],
                     index=list(years), dtype=float)


def fan_inputs(dataset: loader.Dataset, assessment: object) -> dict:
    """Return the keyword arguments of plots.fan_chart for one assessment (bands cut at the target year)."""

    a = assessment
    history = a.history if a.history is not None else pd.Series(dtype=float)
    bands = None
    if a.forecast is not None:
        bands = forecast_bands(a.forecast)
        bands = bands[bands.index <= a.target_year]
    target = None if a.target_type == "cumulative" or pd.isna(a.target_level) else (int(a.target_year), float(a.target_level))
    return {"history": history, "bands": bands, "required": required_path(dataset, a), "target": target}


def peer_chart_frame(rows: pd.DataFrame, base: str = "ningbo") -> pd.DataFrame:
    """Return the columns plots.peer_chart needs from :func:`peer_latest` rows."""
    return pd.DataFrame({
        "label": rows["region"], "value": rows["numeric_value"], "period": rows["period"],
        "highlight": rows["region_id"] == base,
    })


def standing_frame(dataset: loader.Dataset, table: pd.DataFrame, themes: Mapping[str, str], as_of: object, lang: str) -> pd.DataFrame:
    """Return one row per counted target: theme, label, latest/required/milestone as % of the target, status, has_value."""
    from analysis.report.pace import milestone_of
    from analysis.report.periods import as_of_date
    from analysis.report.text import counted_targets
    from analysis.report.wording import target_label

    year = as_of_date(as_of).year
    rows = []
    for r in counted_targets(table, as_of).itertuples(index=False):
        higher = r.comparator in (">=", ">")
        share = lambda v: math.nan if pd.isna(v) or not v or not r.target_value else (100 * v / r.target_value if higher else 100 * r.target_value / v)
        current = math.nan
        if r.latest_period and r.target_type != "avg_growth":
            current = r.required_value + r.gap if r.target_type == "cumulative" and pd.notna(r.gap) else r.latest_value
        _, milestone = milestone_of(dataset, r, year)
        rows.append({
            "theme": themes.get(r.indicator_id, "other"), "label": target_label(dataset, r, lang, with_year=r.target_year != 2027),
            "latest_pct": share(current), "required_pct": share(r.required_value), "milestone_pct": share(milestone),
            "status": r.status, "has_value": pd.notna(current),
        })
    frame = pd.DataFrame(rows, columns=["theme", "label", "latest_pct", "required_pct", "milestone_pct", "status", "has_value"])
    order = {code: i for i, code in enumerate(THEMES)}
    frame["_order"] = frame["theme"].map(lambda c: order.get(c, len(order)))
    return frame.sort_values(["_order", "latest_pct", "label"], ascending=[True, False, True], kind="mergesort").drop(columns="_order").reset_index(drop=True)


THEMES = ("rd", "firms", "platforms", "talent", "outputs", "industry", "rankings", "other")


def standing_chart(frame: pd.DataFrame, lang: str = "zh", clip: float = 150.0) -> Figure:
    """Every target in one chart: grouped by theme, dot = latest value as % of target (colour = status), | = required now, ◆ = city milestone."""
    lines: list[tuple[str, object]] = []
    for theme in [th for th in THEMES if th in set(frame["theme"])]:
        part = frame[frame["theme"] == theme]
        without = int((~part["has_value"]).sum())
        head = t(f"theme.{theme}", lang) + (t("standing.without", lang, n=without) if without else "")
        lines.append(("head", head))
        lines.extend(("row", row) for row in part[part["has_value"]].itertuples(index=False))
    fig = new_figure((8.0, 0.165 * len(lines) + 1.0))
    ax = fig.add_subplot()
    positions = np.arange(len(lines))[::-1]
    ax.axvline(100, color="#24292f", linewidth=1)
    labels = []
    for pos, (kind, item) in zip(positions, lines):
        if kind == "head":
            labels.append(item)
            ax.axhspan(pos - 0.5, pos + 0.5, color="#f6f8fa", zorder=0)
            continue
        labels.append(wrap_label(str(item.label), 58).replace("\n", " "))
        value = min(clip, item.latest_pct)
        ax.plot([0, value], [pos, pos], color="#eaeef2", linewidth=5, zorder=1, solid_capstyle="butt")
        if pd.notna(item.required_pct):
            ax.scatter([min(clip, item.required_pct)], [pos], marker="|", s=120, color="#24292f", zorder=2)
        if pd.notna(item.milestone_pct):
            ax.scatter([min(clip, item.milestone_pct)], [pos], marker="D", s=22, facecolor="white", edgecolor="#6e40c9", zorder=2)
        ax.scatter([value], [pos], s=40, color=STATUS_COLORS.get(item.status, MUTED), edgecolor="white", zorder=3)
        if item.latest_pct > clip:
            ax.annotate(f"{item.latest_pct:.0f}%", (clip, pos), textcoords="offset points", xytext=(5, -3), fontsize=6.5)
    ax.set_yticks(positions, labels, fontsize=7)
    for tick, (kind, _) in zip(ax.get_yticklabels(), lines):
        if kind == "head":  # the bundled CJK face has no bold weight: theme rows are set in the accent colour
            tick.set_color(HIGHLIGHT)
    ax.set_ylim(-0.6, len(lines) - 0.4)
    ax.set_xlim(0, clip + 12)
    ax.set_xlabel(t("bullet.xlabel", lang), fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.grid(axis="y", visible=False)
    present = [s for s in STATUS_COLORS if s in set(frame.loc[frame["has_value"], "status"])]
    handles = [Line2D([], [], marker="o", linestyle="", color=STATUS_COLORS[s], label=t(f"status.{s}", lang)) for s in present]
    handles.append(Line2D([], [], marker="|", linestyle="", markersize=9, color="#24292f", label=t("bullet.required", lang)))
    if frame["milestone_pct"].notna().any():
        handles.append(Line2D([], [], marker="D", linestyle="", markersize=5, markerfacecolor="white", color="#6e40c9", label=t("standing.milestone", lang)))
    fig.legend(handles=handles, loc="outside lower center", ncol=min(4, len(handles)), fontsize=7, frameon=False)
    return fig


def judged_panels(dataset: loader.Dataset, table: pd.DataFrame, as_of: object, lang: str, limit: int = 6) -> list[dict]:
    """Return a fan panel (history, bands, required path, target, interpolated years) per judged target, one per indicator."""
    from analysis.assess import judge
    from analysis.report.text import counted_targets
    from analysis.report.wording import target_label

    judged = counted_targets(table, as_of)
    judged = judged[judged["p_meet"].notna()].sort_values(["p_meet", "target_id"], kind="mergesort").drop_duplicates("indicator_id").head(limit)
    panels = []
    for r in judged.itertuples(index=False):
        assessment = judge.assess(dataset, r.target_id, as_of)
        inputs = fan_inputs(dataset, assessment)
        years = str(getattr(r, "interpolated_years", "") or "")
        unit = indicator_unit(dataset, r.indicator_id)
        from analysis.report.wording import unit_word

        unit_text = unit_word(unit, lang, indicator_name(dataset, r.indicator_id, "en"))
        title = target_label(dataset, r, lang) + (f"（{unit_text}）" if lang == "zh" and unit_text else f" ({unit_text})" if unit_text else "")
        panels.append({**inputs, "title": title, "interpolated": [int(y) for y in years.split(",") if y.strip().isdigit()],
                       "invert": r.comparator in ("<=", "<")})
    return panels


def fan_multiples(panels: Sequence[Mapping[str, object]], lang: str = "zh", ncols: int = 4) -> Figure:
    """Small multiples of judged targets: history, 80/95 % fan, required path and target in each panel."""
    fig, axes, ncols = panel_grid(len(panels), ncols, panel_height=2.0)
    for ax, panel in zip(axes.flat, panels):
        draw_fan(ax, panel["history"], panel["bands"], panel["required"], panel["target"], lang, panel.get("interpolated", ()), small=True)
        if panel.get("invert"):
            ax.invert_yaxis()
        ax.set_title(wrap_label(str(panel["title"]), 84 // ncols), fontsize=7.5, loc="left")
        ax.tick_params(labelsize=6.5)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_axis_off()
    handles, labels = [], []
    for ax in axes.flat:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    fig.legend(handles, labels, loc="outside lower center", ncol=min(4, len(labels)), fontsize=7, frameon=False)
    return fig
