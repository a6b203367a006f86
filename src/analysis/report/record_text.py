"""A record's fields as every page shows them, in zh or en: one function per field, so pages cannot differ.

Each function takes the assessment record of one target (an ``Assessment`` or a row of the status
table: anything with its attributes) and returns text; nothing here computes a number of its own.
The fields a page shows, and how, are listed in the README ("What each page shows").
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.assess.rules import MIN_RANK_POINTS
from analysis.data import loader
from analysis.report.i18n import t
from analysis.report.wording import (
    COMPARATOR_SIGNS,
    fmt_number,
    growth_text,
    indicator_kind,
    indicator_unit,
    indicator_unit_word,
    percent_text,
    projection_text,
    quantity,
    signed,
    status_label,
    year_text,
)


def field(row: object, name: str, default: object = None) -> object:
    """Return a record field, ``default`` when absent or missing (NaN, None, '')."""
    value = getattr(row, name, default)
    if value is None or (not isinstance(value, str) and not isinstance(value, (list, dict)) and pd.isna(value)):
        return default
    return value


def is_rank(dataset: loader.Dataset, row: object) -> bool:
    """Return whether a target is a rank (its figures are places, not amounts)."""
    return row.target_type == "rank" or indicator_unit(dataset, row.indicator_id) == "rank"


def counts_things(dataset: loader.Dataset, row: object) -> bool:
    """Return whether the indicator counts things (its figures and paces are whole numbers)."""
    return indicator_kind(dataset, row.indicator_id) == "count"


def unit_of(dataset: loader.Dataset, row: object, lang: str) -> str:
    """Return the target's unit in the reader's words (% for average growth)."""
    return "%" if row.target_type == "avg_growth" else indicator_unit_word(dataset, row.indicator_id, lang)


FINAL_FIGURES = ("official", "revised")  # statistics: the standing shows what else a figure is (estimate, media report ...)


def with_year(text: str, year: object, lang: str, stale: bool = False, kind: str = "") -> str:
    """Return a value followed by its year in brackets, with what the figure is when not a statistic, and 'stale'."""
    marks = [m for m in (t(f"obs.{kind}", lang) if kind and kind not in FINAL_FIGURES else "", t("standing.stale", lang) if stale else "") if m]
    if lang == "zh":
        return f"{text}（{year_text(year, lang)}{''.join('，' + m for m in marks)}）"
    return f"{text} ({year}{''.join(', ' + m for m in marks)})"


def latest_value(dataset: loader.Dataset, row: object, lang: str) -> str:
    """Return the figure shown as the standing, with its qualifier and unit: '≥10,000 firms', '前10位', '3.08%'."""
    value = field(row, "latest_value")
    if value is None:
        return ""
    unit = indicator_unit_word(dataset, row.indicator_id, lang)
    return quantity(value, unit, lang, str(field(row, "latest_qualifier", "")), is_rank(dataset, row))


def standing(dataset: loader.Dataset, row: object, lang: str) -> str:
    """Return the standing with its year: the running total for a cumulative target, else the latest figure.

    '≥15家（2020—2024年累计）' for a running total with unpublished years; '1,082家（2015年，旧数据）'
    for a stale figure; '' when there is no figure.
    """
    period = str(field(row, "latest_period", ""))
    if not period:
        return ""
    total = field(row, "running_total")
    if row.target_type == "cumulative" and total is not None:
        unit = indicator_unit_word(dataset, row.indicator_id, lang)
        shown = quantity(total, unit, lang, str(field(row, "running_total_qualifier", "")))
        return t("standing.running_total", lang, total=shown, from_year=int(field(row, "running_total_from")),
                 to_year=int(field(row, "running_total_to")))
    return with_year(latest_value(dataset, row, lang), period, lang, bool(field(row, "latest_stale", False)), str(field(row, "latest_status", "")))


def latest_flow(dataset: loader.Dataset, row: object, lang: str) -> str:
    """Return a cumulative target's latest annual flow with its year ('' for other targets)."""
    if row.target_type != "cumulative" or not field(row, "latest_period", ""):
        return ""
    return with_year(latest_value(dataset, row, lang), field(row, "latest_period"), lang)


def figure_kind(row: object, lang: str) -> str:
    """Return what the shown figure is (official statistic, preliminary, media report, estimate ...)."""
    status = str(field(row, "latest_status", ""))
    return t(f"obs.{status}", lang) if status else ""


PROJECTED = ("projection", "projection_missing_flows", "interpolated", "already_met")  # reasons whose value is a projection


def projection(dataset: loader.Dataset, row: object, lang: str) -> str:
    """Return the projection's median and 80 % interval in the target's terms: '23,900家（15,880–51,210）'."""
    value = field(row, "projected_value")
    if value is None or str(field(row, "status_reason", "")) not in PROJECTED and not field(row, "path", []):
        return ""
    unit = indicator_unit_word(dataset, row.indicator_id, lang)
    return projection_text(value, field(row, "lo80", math.nan), field(row, "hi80", math.nan), unit, lang,
                           is_rank(dataset, row), counts_things(dataset, row))


def basis(row: object, lang: str) -> str:
    """Return which values the projection rests on and which count less: 'The projection rests on 9 values (2010–2023);
    estimates count less: 2021 (weight 0.62).'; '' without a projection."""
    years = [y for y in str(field(row, "basis_years", "") or "").split(",") if y]
    if not years:
        return ""
    text = t("basis.rests_on", lang, n=len(years), first=years[0], last=years[-1])
    less = [part.split(":") for part in str(field(row, "basis_downweighted", "") or "").split(",") if part.count(":") == 2]
    if not less:
        return text + t("basis.all_final", lang)
    listed = ("、" if lang == "zh" else ", ").join(t("basis.point", lang, year=y, kind=t(f"basis.kind.{k}", lang), weight=w) for y, k, w in less)
    return text + t("basis.less", lang, points=listed)


def probability(row: object, lang: str) -> str:
    """Return P(meet) with its likelihood words on the one scale: '96%（很可能）', '≥70% (likely)'; '' without P."""
    p = field(row, "p_meet")
    if p is None:
        return ""
    words = t(f"likelihood.{field(row, 'likelihood', '')}", lang) if field(row, "likelihood", "") else ""
    sign = COMPARATOR_SIGNS.get(str(field(row, "p_meet_qualifier", "")), "")
    text = f"{sign}{percent_text(p)}"
    return text + (f"（{words}）" if lang == "zh" else f" ({words})") if words else text


def status(row: object, lang: str) -> str:
    """Return the status word."""
    return status_label(str(row.status), lang)


def status_with_p(row: object, lang: str) -> str:
    """Return the status word with P(meet) when the status rests on it: '进展顺利（96%）' / 'on track (96%)'."""
    word = status(row, lang)
    p = field(row, "p_meet")
    if p is None or row.status in ("met", "missed") and field(row, "status_reason", "") != "already_met":
        return word
    sign = COMPARATOR_SIGNS.get(str(field(row, "p_meet_qualifier", "")), "")
    return word + (f"（{sign}{percent_text(p)}）" if lang == "zh" else f" ({sign}{percent_text(p)})")


def pace_qualifier(code: str, lang: str) -> str:
    """Return 'at least ' / 'at most ' for a pace from a bound ('' for an exact one)."""
    return t("pace.at_least", lang) if code == ">=" else t("pace.at_most", lang) if code == "<=" else ""


def rank_qualifier(code: str, value: float) -> str:
    """Return the qualifier of a rank pace in words' terms: a rank change 'at most -2.75' is 'at least 2.75 places up'."""
    if not code:
        return ""
    return {">=": "<=", "<=": ">="}[code] if value < 0 else code


def recent_pace(dataset: loader.Dataset, row: object, lang: str) -> str:
    """Return the recent change a year: '+0.077个百分点', 'at least +1,554 firms', '年均+20.8%'."""
    pace = field(row, "recent_pace")
    if pace is None:
        return "–"
    if row.target_type == "avg_growth":
        return growth_text(pace, lang)
    rank = is_rank(dataset, row)
    code = str(field(row, "recent_pace_qualifier", ""))
    code = rank_qualifier(code, pace) if rank else code
    return pace_qualifier(code, lang) + signed(pace, unit_of(dataset, row, lang), lang, rank, counts_things(dataset, row))


def needed_pace(dataset: loader.Dataset, row: object, lang: str) -> str:
    """Return the change a year still needed ('reached' when the figure shown already meets the target)."""
    needed = field(row, "needed_pace")
    if row.target_type == "avg_growth":
        return growth_text(needed if needed is not None else math.nan, lang)
    if row.status == "met" or needed is None:
        return t("brief.reached", lang) if row.status == "met" else "–"
    higher = row.comparator in (">=", ">")
    if (needed <= 0) if higher else (needed >= 0):
        return t("brief.reached", lang)
    rank = is_rank(dataset, row)
    code = str(field(row, "needed_pace_qualifier", ""))
    code = rank_qualifier(code, needed) if rank else code
    return pace_qualifier(code, lang) + signed(needed, unit_of(dataset, row, lang), lang, rank, counts_things(dataset, row))


def at_recent_pace(dataset: loader.Dataset, row: object, lang: str) -> str:
    """Return 'at the recent pace, 2027 ≈ 3.39%' ('' when the pace or its target-year value is unknown)."""
    value = field(row, "at_recent_pace")
    if value is None:
        return ""
    unit = indicator_unit_word(dataset, row.indicator_id, lang)
    shown = quantity(value, unit, lang, "", is_rank(dataset, row)) if not counts_things(dataset, row) else quantity(
        float(math.floor(value + 0.5)), unit, lang, "", is_rank(dataset, row))
    return t("standing.at_recent_pace", lang, year=int(row.target_year), value=shown)


def milestone(dataset: loader.Dataset, row: object, lang: str) -> str:
    """Return the city's own milestone with its qualifier and year: '>8,500家（2024年）' ('' when none)."""
    value = field(row, "milestone_value")
    if value is None:
        return ""
    unit = indicator_unit_word(dataset, row.indicator_id, lang)
    return with_year(quantity(value, unit, lang, str(field(row, "milestone_qualifier", "")), is_rank(dataset, row)),
                     int(field(row, "milestone_year")), lang)


def reason(dataset: loader.Dataset, row: object, lang: str) -> str:
    """Return the one-line reason of the status, with the record's numbers ('' when there is none)."""
    code = str(field(row, "status_reason", ""))
    if not code:
        return ""
    years = str(field(row, "missing_years", "")).replace(",", "、" if lang == "zh" else ", ")
    fields = {
        "year": str(field(row, "latest_period", "")), "n": MIN_RANK_POINTS, "years": years,
        "p": probability(row, lang) or "–",
        "words": t(f"likelihood.{field(row, 'likelihood', '')}", lang) if field(row, "likelihood", "") else "",
        "p_interpolated": percent_text(field(row, "p_meet_interpolated", math.nan)) or "–",
        "total": quantity(field(row, "running_total", math.nan), indicator_unit_word(dataset, row.indicator_id, lang), lang),
    }
    if code == "projection":
        fields["p"] = percent_text(field(row, "p_meet", math.nan))
    return t(f"reason.{code}", lang, **fields)


def evidence_notes(row: object, lang: str) -> list[str]:
    """Return what a status rests on beyond published statistics: interpolated and estimated years."""
    notes = []
    interpolated = str(field(row, "interpolated_years", ""))
    if interpolated and row.target_type != "cumulative":  # a cumulative target's missing years are in its reason
        notes.append(t("gap.interpolated_years", lang, years=interpolated.replace(",", "、" if lang == "zh" else ", ")))
    estimated = str(field(row, "estimated_years", ""))
    if estimated:
        notes.append(t("evidence.estimated_years", lang, years=estimated.replace(",", "、" if lang == "zh" else ", ")))
    return notes


def target_value_text(dataset: loader.Dataset, row: object, lang: str) -> str:
    """Return the level the target asks for in its year (the implied level of an average-growth target)."""
    level = field(row, "target_level", row.target_value)
    unit = indicator_unit_word(dataset, row.indicator_id, lang)
    sign = "~" if bool(field(row, "about", False)) else row.comparator
    return quantity(level if row.target_type == "avg_growth" else row.target_value, unit, lang, sign, is_rank(dataset, row))


def number_text(value: float) -> str:
    """Return a number as the pages print it (thousands separators, 3 significant digits)."""
    return fmt_number(value)
