"""The charts of targets, drawn from the assessment record only (the same numbers as the text beside them).

- The fan of a target (:func:`fan_panel`, :func:`fan_chart`, :func:`fan_multiples`): published exact
  figures as dots with the year on the last one, bounds as open triangles pointing where the true
  value lies (an upper bound ▼ "at most", a lower bound ▲ "at least"), the record's projection path
  (its median and 80/95 % ranges per year, from the paths P(meet) is counted on), the required path
  and the target; a cumulative target as the running total of its published flows against the
  target line; ranks on an inverted axis (first place on top).
- Where every target stands (:func:`standing_frame`, :func:`standing_chart`): the figure shown as a
  share of the target (the running total for a cumulative target), bounds as open triangles, stale
  figures as hollow grey dots, the mark of the required path and the city's milestone.

Every figure carries ``chart_data`` (what it draws, by target id): plots.svg_text writes it into the
SVG, so a test can compare a chart with the record without reading pixels.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

from analysis.assess import base_path
from analysis.assess.rules import LOWER_BOUNDS, UPPER_BOUNDS
from analysis.data import loader
from analysis.report.i18n import t
from analysis.report.plots import ACCENT, HIGHLIGHT, MUTED, STATUS_COLORS, new_figure, number, panel_grid, wrap_label
from analysis.report.record_text import field, is_rank
from analysis.report.wording import indicator_name, indicator_unit, target_label, unit_word

THEMES = ("rd", "firms", "platforms", "talent", "outputs", "industry", "rankings", "other")


# ---------------------------------------------------------------------------
# One target's fan


def exact_points(a: object) -> pd.Series:
    """Return the record's exact annual figures by year (bounds left out)."""
    points = [(p["year"], p["value"]) for p in field(a, "points", []) if p["qualifier"] not in LOWER_BOUNDS + UPPER_BOUNDS]
    return pd.Series(dict(points), dtype=float).sort_index()


def bound_points(a: object) -> list[tuple[int, float, str]]:
    """Return the record's bounded figures: (year, value, qualifier)."""
    return [(p["year"], p["value"], p["qualifier"]) for p in field(a, "points", []) if p["qualifier"] in LOWER_BOUNDS + UPPER_BOUNDS]


def running_total(a: object) -> pd.Series:
    """Return the running total of a cumulative target's published flows from the year after its base year."""
    flows = exact_points(a)
    base = field(a, "base_year_used", None)
    flows = flows[flows.index > base] if base is not None else flows
    return flows.cumsum()


def path_frame(a: object) -> pd.DataFrame:
    """Return the record's projection path as a frame by year: median, lo80, hi80, lo95, hi95."""
    rows = field(a, "path", []) if a is not None else []
    if not rows:
        return pd.DataFrame(columns=["median", "lo80", "hi80", "lo95", "hi95"])
    return pd.DataFrame(rows).set_index("year")[["median", "lo80", "hi80", "lo95", "hi95"]]


def required_line(dataset: loader.Dataset, a: object) -> pd.Series:
    """Return the required path base year → target year (a straight line to the target for a cumulative target)."""
    base_year, base = field(a, "base_year_used", None), field(a, "base_value", math.nan)
    level = field(a, "target_level", math.nan)
    if base_year is None or pd.isna(base) or pd.isna(level):
        return pd.Series(dtype=float)
    years = range(int(base_year), int(a.target_year) + 1)
    form = "linear" if a.target_type in ("cumulative", "rank") else (
        "geometric" if a.target_type == "avg_growth" else str(dataset.indicator(a.indicator_id)["growth_form"]))
    values = [base_path.required_at(y, int(base_year), float(base), int(a.target_year), float(level), form) for y in years]
    return pd.Series(values, index=list(years), dtype=float)


def fan_panel(dataset: loader.Dataset, a: object, lang: str) -> dict:
    """Return what a fan of one target draws, all from its record."""
    cumulative = a.target_type == "cumulative"
    unit = "" if is_rank(dataset, a) else unit_word(indicator_unit(dataset, a.indicator_id), lang, indicator_name(dataset, a.indicator_id, "en"))
    title = target_label(dataset, a, lang) + (f"（{unit}）" if lang == "zh" and unit else f" ({unit})" if unit else "")
    return {
        "target_id": a.target_id, "title": title, "history": running_total(a) if cumulative else exact_points(a),
        # a projection the status does not rest on (no P) is not drawn: the chart says what the text says
        "bounds": [] if cumulative else bound_points(a), "bands": path_frame(a) if field(a, "p_meet") is not None else path_frame(None),
        "required": required_line(dataset, a),
        "target": (int(a.target_year), float(field(a, "target_level", a.target_value))), "invert": is_rank(dataset, a),
        "cumulative": cumulative, "status": str(a.status),
    }


def bound_marker(qualifier: str, inverted: bool) -> str:
    """Return the triangle that points where a bounded true value lies on the drawn axis."""
    up = qualifier in LOWER_BOUNDS  # the true value is at least the figure: higher on a normal axis
    return "^" if up != inverted else "v"


def draw_panel(ax: object, panel: Mapping, lang: str, small: bool = False) -> None:
    """Draw one target's history, bounds, projection fan, required path and target on ``ax``."""
    size = 3.5 if small else 6
    history, bands, invert = panel["history"], panel["bands"], panel["invert"]
    if len(history):
        ax.plot(history.index, history.values, "-o", color="#24292f", linewidth=1.2 if small else 1.5, markersize=size, zorder=3,
                label=t("fan.running_total" if panel["cumulative"] else "fan.history", lang))
        last_year, last_value = int(history.index[-1]), float(history.iloc[-1])
        ax.annotate(str(last_year), (last_year, last_value), textcoords="offset points", xytext=(-4, 6), fontsize=6.5 if small else 8,
                    ha="right", color="#24292f")
    for year, value, qualifier in panel["bounds"]:
        ax.plot([year], [value], bound_marker(qualifier, invert), markerfacecolor="white", color="#24292f", markersize=size + 1.5, zorder=4,
                label=t("fan.bound", lang))
    if panel["bounds"]:
        year, value, _ = panel["bounds"][-1]  # the year of the latest bound only: more would overlap
        ax.annotate(str(year), (year, value), textcoords="offset points", xytext=(4, 4), fontsize=6.5 if small else 8, color="#24292f")
    if len(bands):
        anchor = [(int(history.index[-1]), float(history.iloc[-1]))] if len(history) and int(history.index[-1]) < int(bands.index[0]) else []
        years = [y for y, _ in anchor] + bands.index.tolist()
        for level, alpha in ((95, 0.18), (80, 0.35)):
            low = [v for _, v in anchor] + bands[f"lo{level}"].tolist()
            high = [v for _, v in anchor] + bands[f"hi{level}"].tolist()
            ax.fill_between(years, low, high, color=HIGHLIGHT, alpha=alpha, linewidth=0, label=t(f"fan.band{level}", lang))
        ax.plot(years, [v for _, v in anchor] + bands["median"].tolist(), "--", color=HIGHLIGHT, label=t("fan.mean", lang), zorder=3)
    if len(panel["required"]):
        ax.plot(panel["required"].index, panel["required"].values, ":", color=ACCENT, linewidth=1.8, label=t("fan.required", lang))
    year, level = panel["target"]
    ax.scatter([year], [level], marker="*", s=110 if small else 220, color=ACCENT, zorder=4, label=t("fan.target", lang))
    ax.annotate(number(level), (year, level), textcoords="offset points", xytext=(6, 3), color=ACCENT, fontsize=7 if small else 9)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True) if small else MaxNLocator(integer=True))
    ax.ticklabel_format(axis="y", style="plain", useOffset=False)  # no '1e6' above the axis: the numbers as they are
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v)))
    if invert:
        ax.invert_yaxis()


def panel_data(panel: Mapping) -> dict:
    """Return what a panel draws, for the chart's data (compared with the record in the tests)."""
    bands = panel["bands"]
    last = {"last_year": int(panel["history"].index[-1]), "last_value": float(panel["history"].iloc[-1])} if len(panel["history"]) else {}
    at_target = bands.loc[panel["target"][0]].to_dict() if len(bands) and panel["target"][0] in bands.index else {}
    return {"target_id": panel["target_id"], **last, "projection": {k: float(v) for k, v in at_target.items()},
            "bounds": [{"year": y, "value": v, "qualifier": q} for y, v, q in panel["bounds"]], "inverted": bool(panel["invert"]),
            "cumulative": bool(panel["cumulative"]), "title": panel["title"]}


def fan_chart(panel: Mapping, ylabel: str = "", lang: str = "zh") -> Figure:
    """One target's fan (the projection page), with its title."""
    fig = new_figure()
    ax = fig.add_subplot()
    draw_panel(ax, panel, lang)
    ax.set_xlabel(t("year", lang))
    ax.set_ylabel(ylabel)
    dedupe_legend(ax)
    ax.set_title(wrap_label(panel["title"], 70), loc="left")
    fig.chart_data = {"chart": "fan", "targets": [panel_data(panel)]}
    return fig


def dedupe_legend(ax: object) -> None:
    """Draw the legend of ``ax`` with each label once."""
    handles, labels = [], []
    for handle, label in zip(*ax.get_legend_handles_labels()):
        if label not in labels:
            handles.append(handle)
            labels.append(label)
    ax.legend(handles, labels, loc="best", fontsize=8)


def judged_panels(dataset: loader.Dataset, records: Sequence[object], lang: str, limit: int = 6) -> list[dict]:
    """Return a fan panel per judged counted target ahead (a projection path in its record), one per indicator, least likely first."""
    judged = [a for a in records if a.counted and a.horizon_kind != "past" and field(a, "path", []) and field(a, "p_meet") is not None]
    judged.sort(key=lambda a: (field(a, "p_meet", 2.0), a.target_id))
    seen, panels = set(), []
    for a in judged:
        if a.indicator_id in seen:
            continue
        seen.add(a.indicator_id)
        panels.append(fan_panel(dataset, a, lang))
    return panels[:limit]


def fan_multiples(panels: Sequence[Mapping], lang: str = "zh", ncols: int = 3) -> Figure:
    """Small multiples of judged targets: each panel its record's history, fan, required path and target."""
    fig, axes, ncols = panel_grid(len(panels), ncols, panel_height=2.3)
    for ax, panel in zip(axes.flat, panels):
        draw_panel(ax, panel, lang, small=True)
        ax.set_title(wrap_label(str(panel["title"]), 96 // ncols), fontsize=7.5, loc="left")
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
    fig.chart_data = {"chart": "fan_multiples", "targets": [panel_data(p) for p in panels]}
    return fig


# ---------------------------------------------------------------------------
# Where every target stands


def share_of_target(value: float, target: float, higher: bool) -> float:
    """Return a figure as % of its target, 100 meaning it meets it (target ÷ value for lower-is-better targets)."""
    if value is None or pd.isna(value) or not value or not target:
        return math.nan
    return 100 * value / target if higher else 100 * target / value


def standing_frame(dataset: loader.Dataset, table: pd.DataFrame, themes: Mapping[str, str], as_of: object, lang: str) -> pd.DataFrame:
    """Return one row per counted target ahead: theme, label, the figure shown / required / milestone as % of the target, status."""
    rows = []
    for r in table[table["counted"] & (table["horizon_kind"] != "past")].itertuples(index=False):
        higher = r.comparator in (">=", ">")
        cumulative = r.target_type == "cumulative"
        current = math.nan
        if r.latest_period and r.target_type != "avg_growth":
            current = r.running_total if cumulative else r.latest_value
        qualifier = (r.running_total_qualifier if cumulative else r.latest_qualifier) or ""
        level = r.target_value if r.target_type != "avg_growth" else math.nan
        rows.append({
            "target_id": r.target_id, "theme": themes.get(r.indicator_id, "other"),
            "label": target_label(dataset, r, lang, with_year=r.target_year != 2027),
            "latest_pct": share_of_target(current, level, higher), "required_pct": share_of_target(r.required_value, level, higher),
            "milestone_pct": share_of_target(r.milestone_value, level, higher), "status": r.status, "has_value": pd.notna(current),
            "bound": qualifier if qualifier in LOWER_BOUNDS + UPPER_BOUNDS else "", "higher": higher, "stale": bool(r.latest_stale),
            "year": str(r.latest_period),
        })
    frame = pd.DataFrame(rows, columns=["target_id", "theme", "label", "latest_pct", "required_pct", "milestone_pct", "status", "has_value",
                                        "bound", "higher", "stale", "year"])
    order = {code: i for i, code in enumerate(THEMES)}
    frame["_order"] = frame["theme"].map(lambda c: order.get(c, len(order)))
    return frame.sort_values(["_order", "latest_pct", "label"], ascending=[True, False, True], kind="mergesort").drop(columns="_order").reset_index(drop=True)


def standing_marker(row: object) -> tuple[str, dict]:
    """Return the marker of a standing dot: a triangle for a bound (▶ at least, ◀ at most as a share), hollow grey when stale."""
    if row.stale:
        return "o", {"facecolor": "white", "edgecolor": MUTED}
    if row.bound:
        at_least = (row.bound in LOWER_BOUNDS) == row.higher  # the share of the target is at least the one drawn
        return (">" if at_least else "<"), {"facecolor": "white", "edgecolor": STATUS_COLORS.get(row.status, MUTED)}
    return "o", {"color": STATUS_COLORS.get(row.status, MUTED), "edgecolor": "white"}


def standing_chart(frame: pd.DataFrame, lang: str = "zh", clip: float = 150.0) -> Figure:
    """Every target in one chart, grouped by theme: the figure shown as % of the target (colour = status; ▷ a bound, ○ stale), | the path now, ◇ the milestone."""
    lines: list[tuple[str, object]] = []
    for theme in [th for th in THEMES if th in set(frame["theme"])]:
        part = frame[frame["theme"] == theme]
        without = int((~part["has_value"]).sum())
        lines.append(("head", t(f"theme.{theme}", lang) + (t("standing.without", lang, n=without) if without else "")))
        lines.extend(("row", row) for row in part[part["has_value"]].itertuples(index=False))
    fig = new_figure((8.0, 0.165 * len(lines) + 1.0))
    ax = fig.add_subplot()
    positions = np.arange(len(lines))[::-1]
    ax.axvline(100, color="#24292f", linewidth=1)
    labels, data = [], []
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
        marker, style = standing_marker(item)
        ax.scatter([value], [pos], s=40, marker=marker, zorder=3, **style)
        over = f"{item.latest_pct:.0f}% · " if item.latest_pct > clip else ""  # beyond the axis: the share itself, beside its year
        ax.annotate(over + item.year, (value, pos), textcoords="offset points", xytext=(6, -3), fontsize=5.5, color="#57606a")
        data.append({"target_id": item.target_id, "latest_pct": float(item.latest_pct), "required_pct": None if pd.isna(item.required_pct)
                     else float(item.required_pct), "status": item.status, "bound": item.bound, "stale": bool(item.stale), "year": item.year})
    ax.set_yticks(positions, labels, fontsize=7)
    for tick, (kind, _) in zip(ax.get_yticklabels(), lines):
        if kind == "head":  # the bundled CJK face has no bold weight: theme rows are set in the accent colour
            tick.set_color(HIGHLIGHT)
    ax.set_ylim(-0.6, len(lines) - 0.4)
    ax.set_xlim(0, clip + 16)
    ax.set_xlabel(t("bullet.xlabel", lang), fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.grid(axis="y", visible=False)
    shown = frame[frame["has_value"]]
    present = [s for s in STATUS_COLORS if s in set(shown.loc[~shown["stale"], "status"])]
    handles = [Line2D([], [], marker="o", linestyle="", color=STATUS_COLORS[s], label=t(f"status.{s}", lang)) for s in present]
    handles.append(Line2D([], [], marker="|", linestyle="", markersize=9, color="#24292f", label=t("bullet.required", lang)))
    if (shown["bound"] != "").any():
        handles.append(Line2D([], [], marker=">", linestyle="", markersize=5, markerfacecolor="white", color="#24292f", label=t("standing.bound", lang)))
    if shown["stale"].any():
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=5, markerfacecolor="white", color=MUTED, label=t("standing.stale_marker", lang)))
    if frame["milestone_pct"].notna().any():
        handles.append(Line2D([], [], marker="D", linestyle="", markersize=5, markerfacecolor="white", color="#6e40c9", label=t("standing.milestone", lang)))
    fig.legend(handles=handles, loc="outside lower center", ncol=min(4, len(handles)), fontsize=7, frameon=False)
    fig.chart_data = {"chart": "standing", "targets": data}
    return fig
