"""The briefing's "what changed" tables: figures that changed (old → new) and targets that moved, with why."""

from __future__ import annotations

import math

import pandas as pd

from analysis.data import loader
from analysis.report.i18n import t
from analysis.report.record_text import with_year
from analysis.report.tables import relabel
from analysis.report.wording import (
    COMPARATOR_SIGNS,
    HUNDRED_MILLION_CNY,
    indicator_name,
    indicator_unit,
    indicator_unit_word,
    percent_text,
    period_text,
    quantity,
    region_name,
    status_label,
)

ARROW = " → "
MAX_DECIMALS = 6  # a revision smaller than this many decimals is shown at full precision anyway


def exact_quantity(value: float, unit_text: str, lang: str, qualifier: str, decimals: int) -> str:
    """Return a value with a fixed number of decimals and its unit words (when the rounded texts would not differ)."""
    sign = COMPARATOR_SIGNS.get(qualifier, qualifier or "")
    if sign == "~":
        sign = "约" if lang == "zh" else "about "
    if lang == "en" and unit_text == HUNDRED_MILLION_CNY:
        return f"{sign}CNY {float(value) / 10:,.{decimals + 1}f} billion"
    number = f"{float(value):,.{decimals}f}"
    return f"{sign}{number}{unit_text}" if not unit_text or unit_text == "%" or lang == "zh" else f"{sign}{number} {unit_text}"


def figure_pair(old: float, old_q: str, new: float, new_q: str, unit_text: str, lang: str, rank: bool) -> tuple[str, str]:
    """Return (old, new) as texts that differ: more decimals when the usual rounding would show the same text."""
    old_text = "–" if pd.isna(old) else quantity(old, unit_text, lang, old_q, rank)
    new_text = quantity(new, unit_text, lang, new_q, rank)
    decimals = 0
    while old_text == new_text and not pd.isna(old) and decimals <= MAX_DECIMALS:
        old_text, new_text = (exact_quantity(v, unit_text, lang, q, decimals) for v, q in ((old, old_q), (new, new_q)))
        decimals += 1
    return old_text, new_text


def reader_name(dataset: loader.Dataset, indicator_id: str, region: str, lang: str) -> str:
    """Return an indicator's reader name, prefixed with the region when not Ningbo."""
    name = indicator_name(dataset, indicator_id, lang)
    return name if region == "ningbo" else f"{region_name(dataset, region, lang)}{'' if lang == 'zh' else ': '}{name}"


def new_figures(dataset: loader.Dataset, figures: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the figures that changed this quarter (changes.figure_changes): indicator, year, old → new, why, figure, source."""
    rows = []
    for r in figures.itertuples(index=False):
        unit_text = indicator_unit_word(dataset, r.indicator_id, lang)
        rank = indicator_unit(dataset, r.indicator_id) == "rank"
        old, new = figure_pair(r.value_before, r.qualifier_before, r.value_after, r.qualifier_after, unit_text, lang, rank)
        rows.append({
            "indicator": reader_name(dataset, r.indicator_id, r.region, lang),
            "period": period_text(str(r.period), lang),
            "brief.col_old": old,
            "brief.col_new": new,
            "change.col_why": t(f"change.{r.kind}", lang),
            "obs_status": t(f"obs.{r.status}", lang),
            "source": "" if pd.isna(r.title) else r.title,
            "url": "" if pd.isna(r.url) else r.url,
        })
    frame = pd.DataFrame(rows, columns=["indicator", "period", "brief.col_old", "brief.col_new", "change.col_why", "obs_status", "source", "url"])
    return relabel(frame, lang)


def latest_change(dataset: loader.Dataset, r: object, lang: str) -> str:
    """Return a moved target's latest figure 'old (year) → new (year)', '' when the figure did not change."""
    same_period = str(r.latest_period_before) == str(r.latest_period_after)
    same_value = (pd.isna(r.latest_value_before) and pd.isna(r.latest_value_after)) or (
        not pd.isna(r.latest_value_before) and not pd.isna(r.latest_value_after)
        and math.isclose(float(r.latest_value_before), float(r.latest_value_after), rel_tol=1e-12))
    if (same_period and same_value and r.latest_qualifier_before == r.latest_qualifier_after) or pd.isna(r.latest_value_after):
        return ""
    unit_text = indicator_unit_word(dataset, r.indicator_id, lang)
    rank = indicator_unit(dataset, r.indicator_id) == "rank"
    old, new = figure_pair(r.latest_value_before, r.latest_qualifier_before, r.latest_value_after, r.latest_qualifier_after,
                           unit_text, lang, rank) if same_period else (
        "–" if pd.isna(r.latest_value_before) else quantity(r.latest_value_before, unit_text, lang, r.latest_qualifier_before, rank),
        quantity(r.latest_value_after, unit_text, lang, r.latest_qualifier_after, rank))
    old = old if old == "–" else with_year(old, r.latest_period_before, lang)
    return old + ARROW + with_year(new, r.latest_period_after, lang)


def move_text(old: str, new: str) -> str:
    """Return 'old → new', or the one text when both are the same (an unchanged value is never shown as a change)."""
    return new if old == new or not old else f"{old}{ARROW}{new}"


def why_text(r: object, lang: str) -> str:
    """Return why a target moved: new figure / revision (with years), or a refit on other inputs."""
    words = [t(f"change.{code}", lang) for code in str(r.why).split(",") if code]
    years = str(getattr(r, "why_years", "") or "")
    text = ("、" if lang == "zh" else ", ").join(words)
    return f"{text}（{years.replace(',', '、')}年）" if years and lang == "zh" else f"{text} ({years.replace(',', ', ')})" if years else text


def status_moves(dataset: loader.Dataset, changed: pd.DataFrame, table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the targets whose status or P(meet) moved: target, figure old → new, status, P(meet) and why."""
    from analysis.report.wording import target_label

    by_id = table.set_index("target_id")
    listed = set(changed["target_id"])
    rows = []
    for r in changed.itertuples(index=False):
        if r.target_id in by_id.index and by_id.at[r.target_id, "duplicate_of"] in listed:
            continue  # a target stated twice is listed once
        label = target_label(dataset, by_id.loc[r.target_id], lang) if r.target_id in by_id.index else indicator_name(dataset, r.indicator_id, lang)
        status_old = status_label(r.status_before, lang) if isinstance(r.status_before, str) else ""
        status_new = status_label(r.status_after, lang) if isinstance(r.status_after, str) else ""
        rows.append({
            "target": label,
            "change.col_figure": latest_change(dataset, r, lang),
            "status": move_text(status_old, status_new),
            "p_meet": move_text(percent_text(r.p_meet_before), percent_text(r.p_meet_after)),
            "change.col_why": why_text(r, lang),
        })
    return relabel(pd.DataFrame(rows, columns=["target", "change.col_figure", "status", "p_meet", "change.col_why"]), lang)
