"""Plain-language text of the reports: labels, numbers with units, sentences and paragraphs (no HTML).

Nothing here computes a status or a forecast (that is ``gap`` and ``models``): these functions
only select, label and phrase what the data layer and ``gap`` return, in zh or en. The words
themselves live in :mod:`analysis.i18n`.
"""

from __future__ import annotations

import html
import math
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Sequence

import pandas as pd

from analysis import data
from analysis.i18n import t


def _quarters():
    """Return the module holding quarter arithmetic (periods after the pipeline split, else pipeline)."""
    try:
        from analysis import periods
    except ImportError:
        from analysis import pipeline as periods
    return periods


def as_of_date(as_of: date | str | None) -> date:
    """Return the report date: ``as_of`` or today."""
    return data.to_timestamp(as_of).date()


def briefing_dates(period: str | None, as_of: date | str | None = None) -> tuple[str, date, date, date]:
    """Return (period, first day, report date, previous quarter's last day) of a briefing.

    ``period`` None means the latest quarter completed by ``as_of`` (default today); the report
    date is the quarter's last day, or ``as_of`` when that is earlier.
    """
    pipeline = _quarters()
    reference = as_of_date(as_of)
    if period is None:
        period = pipeline.latest_completed_quarter(reference + timedelta(days=1))
    start, end = pipeline.quarter_bounds(period)
    if as_of is not None:
        end = min(end, reference)
    _, previous_end = pipeline.quarter_bounds(pipeline.previous_quarter(period))
    return period, start, end, previous_end


def name_column(lang: str) -> str:
    """Return the data-table column holding names in ``lang``."""
    return "name_zh" if lang == "zh" else "name_en"


def indicator_name(dataset: data.Dataset, indicator_id: str, lang: str) -> str:
    """Return an indicator's name in ``lang`` from indicators.csv (the id when unknown)."""
    rows = dataset.indicators[dataset.indicators["indicator_id"] == indicator_id]
    return str(rows.iloc[0][name_column(lang)]) if len(rows) else indicator_id


def region_name(dataset: data.Dataset, region_id: str, lang: str) -> str:
    """Return a region's name in ``lang`` from regions.csv (the id when unknown)."""
    rows = dataset.regions[dataset.regions["region_id"] == region_id]
    return str(rows.iloc[0][name_column(lang)]) if len(rows) else region_id


def indicator_unit(dataset: data.Dataset, indicator_id: str) -> str:
    """Return an indicator's unit."""
    rows = dataset.indicators[dataset.indicators["indicator_id"] == indicator_id]
    return str(rows.iloc[0]["unit"]) if len(rows) else ""


def fmt_number(value: float | None, digits: int = 3) -> str:
    """Format a number for text: thousands separators, up to ``digits`` significant digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "–"
    value = float(value)
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}" if value == round(value) else f"{value:.1f}"
    text = f"{value:.{digits}g}"
    return text if "e" not in text else f"{value:.2f}"


def fmt_unit(unit: str, lang: str) -> str:
    """Return the unit with the spacing of ``lang`` (none in Chinese, a space in English)."""
    return unit if lang == "zh" or unit in ("%",) else f" {unit}"


def fmt_date(value: object) -> str:
    """Format a date-like value as YYYY-MM-DD ('' when missing)."""
    if value is None or pd.isna(value):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def md_text(text: object) -> str:
    """Escape text from data for safe inclusion in Markdown (HTML and Markdown markup)."""
    escaped = html.escape("" if text is None or (not isinstance(text, str) and pd.isna(text)) else str(text), quote=False)
    escaped = re.sub(r"([\\`*_\[\]|])", r"\\\1", escaped)
    return "\\" + escaped if escaped.startswith(("#", "-", "+", ">")) else escaped


COMPARATOR_SIGNS = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}


GOOD_STATUSES = ("met", "on_track", "likely")


RISK_STATUSES = ("unlikely", "off_track")


DATA_GAP_STATUSES = ("no_data", "insufficient_data")


NON_FINAL = ("estimate", "derived", "reported", "preliminary")


def status_label(code: str, lang: str) -> str:
    """Return a target status word in ``lang`` (the code itself when unknown)."""
    return t(f"status.{code}", lang) if code else ""


def progress_label(code: str, lang: str) -> str:
    """Return a progress category in ``lang`` (the code itself when unknown)."""
    return t(f"progress.{code}", lang) if code else ""


def target_text(row: object, lang: str) -> str:
    """Return a target as text, e.g. '≥3.75%' or '年均增长≥30%'."""
    sign = COMPARATOR_SIGNS.get(row.comparator, row.comparator)
    value = fmt_number(row.target_value, 6)
    if row.target_type == "avg_growth":
        return f"年均增长{sign}{value}%" if lang == "zh" else f"{sign}{value}% a year (average growth)"
    if row.target_type == "rank":
        return f"排名{sign}{value}" if lang == "zh" else f"rank {sign}{value}"
    text = f"{sign}{value}{fmt_unit(row.unit, lang)}"
    if row.target_type == "cumulative":
        return f"累计{text}" if lang == "zh" else f"{text} cumulative"
    return text


def value_text(value: float, unit: str, lang: str) -> str:
    """Return a value with its unit ('–' when missing)."""
    return "–" if pd.isna(value) else f"{fmt_number(value)}{fmt_unit(unit, lang)}"


def interval_text(low: float, high: float) -> str:
    """Return an interval 'low–high' ('' when missing)."""
    return "" if pd.isna(low) or pd.isna(high) else f"{fmt_number(low)}–{fmt_number(high)}"


def percent_text(p: float) -> str:
    """Return a probability as a whole percentage ('' when missing)."""
    return "" if pd.isna(p) else f"{100 * p:.0f}%"


def headline_sentence(table: pd.DataFrame, as_of: date | str | None, lang: str) -> str:
    """Return the briefing's one-sentence headline from the status counts."""
    status = table["status"]
    nodata = int(status.isin(DATA_GAP_STATUSES).sum())
    return t(
        "nb04.headline_sentence", lang, as_of=as_of_date(as_of).isoformat(), n=len(table), assessed=len(table) - nodata,
        good=int(status.isin(GOOD_STATUSES).sum()), bad=int(status.isin(RISK_STATUSES).sum()), nodata=nodata,
    )


def method_note_markdown(lang: str) -> str:
    """Return gap.method_note as Markdown paragraphs (the first line, its title, dropped)."""
    from analysis import gap

    lines = [line for line in gap.method_note(lang).splitlines() if line.strip()]
    return "\n\n".join(md_text(line) for line in lines[1:])


def caveats(dataset: data.Dataset, assessment: object, as_of: date | str | None, lang: str) -> list[str]:
    """Return the data caveats of one assessment: short series, gaps, estimates, weak sources, staleness."""
    notes = []
    history = assessment.history if assessment.history is not None else pd.Series(dtype=float)
    flags = set(filter(None, str(assessment.forecast_flags).split(",")))
    n = len(history)
    if n and (n < 5 or "short_series" in flags):
        notes.append(t("caveat.short_series", lang, n=n))
    if n >= 2:
        years = set(int(y) for y in history.index)
        missing = [y for y in range(min(years), max(years) + 1) if y not in years]
        if missing:
            notes.append(t("caveat.gaps", lang, missing=data.format_years(missing)))
    rows = data.annual_rows(dataset, assessment.indicator_id, assessment.region, as_of)
    weaker = int(rows["status"].isin(NON_FINAL).sum()) if len(rows) else 0
    if weaker:
        notes.append(t("caveat.estimates", lang, n=weaker))
    weak = int(rows["weak"].fillna(False).astype(bool).sum()) if len(rows) else 0
    if weak:
        notes.append(t("caveat.weak", lang, n=weak))
    if n and assessment.target_year - int(history.index.max()) >= 3:
        notes.append(t("caveat.stale", lang, year=int(history.index.max()), n=assessment.target_year - int(history.index.max())))
    if "bounded_logit" in flags:
        notes.append(t("caveat.bounded", lang))
    return notes


def projection_paragraph(dataset: data.Dataset, assessment: object, as_of: date | str | None, lang: str) -> str:
    """Return the plain-language paragraph of one target: projection with interval, P(meet) in IPCC words, caveats."""
    from analysis import gap

    a = assessment
    name = indicator_name(dataset, a.indicator_id, lang)
    unit = indicator_unit(dataset, a.indicator_id)
    u = fmt_unit(unit, lang)
    if a.status == "no_data":
        meta = dataset.indicators.set_index("indicator_id")
        where = meta.at[a.indicator_id, "where_published"] if a.indicator_id in meta.index else ""
        return t("para.no_data", lang, name=name, where=where or t("not_identified", lang))
    parts = []
    required = (t("para.required", lang, required=fmt_number(a.required_value), unit=u) if pd.notna(a.required_value)
                else t("para.no_required", lang))
    parts.append(t("para.latest", lang, period=a.latest_period, value=fmt_number(a.latest_value), unit=u,
                   status=t(f"obs.{latest_status(dataset, a, as_of)}", lang), required_clause=required))
    if a.status == "met":
        parts.append(t("para.met", lang))
    elif pd.notna(a.p_meet) and pd.notna(a.lo80):
        comparator = COMPARATOR_SIGNS.get(a.comparator, a.comparator)
        target = a.target_level if pd.notna(getattr(a, "target_level", math.nan)) else a.target_value
        parts.append(t(
            "para.projection", lang, name=name, year=a.target_year, mean=fmt_number(a.projected_value), unit=u,
            lo=fmt_number(a.lo80), hi=fmt_number(a.hi80), comparator=comparator, target=fmt_number(target),
            p=f"{100 * a.p_meet:.0f}", word=gap.likelihood_words(a.p_meet, lang),
        ))
    elif a.status == "insufficient_data":
        parts.append(t("para.insufficient", lang, name=name, n=a.n_obs))
    notes = caveats(dataset, a, as_of, lang)
    separator = "；" if lang == "zh" else "; "
    parts.append(t("para.caveats", lang) + (separator.join(notes) + ("。" if lang == "zh" else ".") if notes else t("caveat.none", lang)))
    return (" " if lang == "en" else "").join(parts)


def latest_status(dataset: data.Dataset, assessment: object, as_of: date | str | None) -> str:
    """Return the observation status (official, estimate...) of an assessment's latest value."""
    rows = data.annual_rows(dataset, assessment.indicator_id, assessment.region, as_of)
    rows = rows[rows["period"] == assessment.latest_period]
    return str(rows.iloc[0]["status"]) if len(rows) else "reported"


def retrospective_summary(table: pd.DataFrame, then: Sequence[str], lang: str) -> str:
    """Return one sentence: how many 2022 targets were met, and how often the earlier calls agreed."""
    known = table[table["_met"].notna()] if len(table) else table
    met = int((known["_met"] == True).sum()) if len(known) else 0  # noqa: E712
    right = compared = 0
    for day in then:
        column = f"_p_{day}"
        for p, was_met in zip(known.get(column, []), known.get("_met", [])):
            if pd.notna(p):
                compared += 1
                right += int((p >= 0.5) == bool(was_met))
    return t("nb05.summary", lang, n=len(table), with_outcome=len(known), met=met, missed=len(known) - met, right=right, compared=compared)
