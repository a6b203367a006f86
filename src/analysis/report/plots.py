"""Every figure of the reports, in one style, with a font that renders Chinese."""

from __future__ import annotations

import io
import math

import matplotlib
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from analysis.report.fonts import CJK_FAMILY, cjk_font_name, cjk_font_path  # noqa: F401 - the font lives in fonts.py
from analysis.report.i18n import t

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
    "reported": "P",
    "derived": "h",
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


SVG_METADATA: dict[str, None] = {"Date": None, "Creator": None}  # no timestamp, no version: byte-identical reruns


def configure_inline() -> None:
    """In IPython, emit figures as SVG (vector in print, text as text) with their chart data inside."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of the kernel only
        return
    shell = get_ipython()
    if shell is None:
        return
    formatters = shell.display_formatter.formatters
    formatters["image/png"].pop(Figure, None)
    formatters["image/svg+xml"].for_type(Figure, svg_text)


def svg_text(fig: Figure) -> str:
    """Return the figure as SVG, its text as text (drawn with the page's font), with the chart's data as a JSON script.

    ``fig.chart_data`` (set by the chart functions: what they draw, by target id) goes into
    ``<script type="application/json" class="chart-data">`` so tests compare charts with the record.
    """
    import json

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", metadata=dict(SVG_METADATA))
    svg = buffer.getvalue().replace("<svg ", '<svg class="chart" ', 1)
    data = getattr(fig, "chart_data", None)
    if data is None:
        return svg
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True, allow_nan=False).replace("</", "<\\/")
    return svg.replace("</svg>", f'<script type="application/json" class="chart-data">{payload}</script>\n</svg>', 1)


def png_bytes(fig: Figure) -> bytes:
    """Return the figure as PNG bytes without timestamps or software metadata."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata=dict(PNG_METADATA))
    return buffer.getvalue()


NO_LINE_START = set("，。、；：？！）》」』】〕…%％,.;:?!)]}·—–-")  # 避头: never at the start of a line
NO_LINE_END = set("（《「『【〔([{")  # 避尾: never at the end of a line


def label_units(text: str) -> list[str]:
    """Split a label into the pieces a line may break between: a CJK character, or a run of Latin letters, digits and signs.

    An opening bracket sticks to what follows it, closing punctuation to what precedes it, and a
    number to the character after it, so a line never breaks inside a number ('20 / 27年'), between a
    number and its unit, or next to a bracket on the wrong side.
    """
    units: list[str] = []
    for char in text:
        cjk = ord(char) >= 0x2E80 and char not in NO_LINE_START | NO_LINE_END
        # 2027年, 13家, 20万人: a number keeps its measure words
        after_number = units and (units[-1][-1].isdigit() or units[-1][-1] in MEASURE_WORDS and any(c.isdigit() for c in units[-1]))
        after_number = after_number and (char in MEASURE_WORDS or not cjk)
        if units and (char in NO_LINE_START or units[-1][-1] in NO_LINE_END or after_number
                      or (not cjk and not char.isspace() and not (ord(units[-1][-1]) >= 0x2E80 or units[-1][-1].isspace()))):
            units[-1] += char
        else:
            units.append(char)
    return bracket_groups(units)


MEASURE_WORDS = set("万亿千百元家个人件项次位年月日名种所座支%％")  # what follows a number as its unit


BRACKETS = {"（": "）", "(": ")", "《": "》", "〔": "〕", "【": "】"}


MAX_BRACKET_GROUP = 12  # columns: a bracket group up to this wide is never broken ("（2027年）")


def bracket_groups(units: list[str]) -> list[str]:
    """Join the pieces of each short bracketed group into one, so a line never breaks inside '（2027年）'."""
    out: list[str] = []
    i = 0
    while i < len(units):
        opener = units[i][:1]
        close = BRACKETS.get(opener)
        if close and close not in units[i]:
            j, width = i, 0
            while j < len(units) and close not in units[j]:
                width += sum(2 if ord(c) >= 0x2E80 else 1 for c in units[j])
                j += 1
            if j < len(units) and width <= MAX_BRACKET_GROUP:
                out.append("".join(units[i:j + 1]))
                i = j + 1
                continue
        out.append(units[i])
        i += 1
    return out


def latin_groups(words: list[str], width: int) -> list[str]:
    """Join the words of each bracketed group no wider than ``width`` into one, so '(R&D expenditure as % of GDP)' stays on one line."""
    out: list[str] = []
    i = 0
    while i < len(words):
        if words[i].startswith("(") and ")" not in words[i]:
            j = next((k for k in range(i, len(words)) if ")" in words[k]), None)
            if j is not None and len(" ".join(words[i:j + 1])) <= width:
                out.append(" ".join(words[i:j + 1]))
                i = j + 1
                continue
        out.append(words[i])
        i += 1
    return out


def wrap_label(text: str, width: int) -> str:
    """Wrap a label to lines of about ``width`` columns (a CJK character counts as two), never inside a number or a word."""
    import textwrap

    if all(ord(c) < 0x2E80 for c in text):
        words = latin_groups(text.split(), width)
        return textwrap.fill(" ".join(w.replace(" ", "\u00a0") for w in words), width, break_long_words=False,
                             break_on_hyphens=False).replace("\u00a0", " ")
    lines, line, size = [], "", 0
    for unit in label_units(text):
        step = sum(2 if ord(c) >= 0x2E80 else 1 for c in unit)
        if size + step > width and line.strip():
            lines.append(line.rstrip())
            line, size = unit.lstrip(), step
            continue
        line += unit
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


def history_chart(rows: pd.DataFrame, title: str = "", ylabel: str = "", lang: str = "zh", invert: bool = False) -> Figure:
    """Line of annual values with one marker per observation status; rows need year, value, status (ranks: ``invert``)."""
    fig = new_figure()
    ax = fig.add_subplot()
    ordered = rows.sort_values("year")
    qualifier = ordered["qualifier"].fillna("").astype(str) if "qualifier" in ordered else pd.Series("", index=ordered.index)
    bound = qualifier.isin([">", ">=", "<", "<="])
    exact = ordered[~bound]
    ax.plot(exact["year"], exact["value"], color=MUTED, linewidth=1.2, zorder=1)  # the line joins exact figures only
    for status, marker in OBS_MARKERS.items():
        part = exact[exact["status"] == status]
        if part.empty:
            continue
        ax.scatter(part["year"], part["value"], marker=marker, s=55, zorder=2, label=t(f"obs.{status}", lang),
                   color=HIGHLIGHT if status in ("official", "revised") else "#bf8700")
    for q, part in ordered[bound].groupby(qualifier[bound]):
        up = (q in (">", ">=")) != invert  # the triangle points where the true value lies on the drawn axis
        ax.scatter(part["year"], part["value"], marker="^" if up else "v", s=60, zorder=2, facecolor="white", edgecolor="#24292f",
                   label=t("fan.bound", lang))
    if len(ordered):
        ax.legend(title=t("obs_status", lang), loc="best", fontsize=8, title_fontsize=8)
    integer_years(ax)
    if invert:
        ax.invert_yaxis()
    ax.set_xlabel(t("year", lang))
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, loc="left")
    return fig


def integer_years(ax: object) -> None:
    """Show only whole years on the x axis."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


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


def peer_chart_frame(rows: pd.DataFrame, base: str = "ningbo") -> pd.DataFrame:
    """Return the columns plots.peer_chart needs from :func:`peer_latest` rows."""
    return pd.DataFrame({
        "label": rows["region"], "value": rows["numeric_value"], "period": rows["period"],
        "highlight": rows["region_id"] == base,
    })
