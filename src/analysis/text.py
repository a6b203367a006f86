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
from analysis.i18n import has, t


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
    name = str(rows.iloc[0][name_column(lang)]) if len(rows) else indicator_id
    return zh_punctuation(name) if lang == "zh" else name


ZH_PUNCTUATION = {"(": "（", ")": "）", ",": "，", ":": "：", ";": "；"}


ZH_BESIDE = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "!": "！", "?": "？"}


def zh_typography(text: object) -> object:
    """Return text with ASCII punctuation that touches a Chinese character set full width (other text unchanged)."""
    if not isinstance(text, str):
        return text
    cjk = "\u4e00-\u9fff\u3000-\u303f\uff00-\uffef"
    text = re.sub(rf"\(([^()]*[{cjk}][^()]*)\)", r"（\1）", text)
    return re.sub(rf"(?<=[{cjk}]) ?[,:;!?]|[,:;!?] ?(?=[{cjk}])", lambda m: ZH_BESIDE[m.group(0).strip()], text)


def zh_punctuation(text: str) -> str:
    """Return Chinese text with ASCII brackets, commas, colons and semicolons set full width (numbers like 1,000 kept)."""
    text = re.sub(r"(?<!\d),|,(?!\d)", "，", text)
    return re.sub(r"[():;]", lambda m: ZH_PUNCTUATION[m.group(0)], text)


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


# ---------------------------------------------------------------------------
# Units, ranks and the words of the briefing

# English words for the Chinese units of indicators.csv (家 depends on what is counted).
UNIT_WORDS_EN = {
    "亿元": "CNY 100 million", "万元/人": "CNY 10,000 per person", "人": "people", "万人": "10,000 people",
    "人年": "person-years", "万人年": "10,000 person-years", "万人次": "10,000 visits", "件": "patents",
    "项": "projects", "个(项目)": "projects", "个": "", "种": "materials", "%": "%", "rank": "",
}


def unit_word(unit: str, lang: str, name_en: str = "") -> str:
    """Return the unit as a reader of ``lang`` writes it (家 → firms or institutions in English)."""
    if lang == "zh":
        return "" if unit == "rank" else unit.replace("(", "（").replace(")", "）")
    if unit == "家":
        return "firms" if re.search(r"enterprise|SME|firm|compan", name_en, re.I) else "institutions"
    return UNIT_WORDS_EN.get(unit, unit)


def indicator_unit_word(dataset: data.Dataset, indicator_id: str, lang: str) -> str:
    """Return an indicator's unit in the words of ``lang``."""
    return unit_word(indicator_unit(dataset, indicator_id), lang, indicator_name(dataset, indicator_id, "en"))


def ordinal(rank: float, lang: str) -> str:
    """Return a rank as an ordinal: 10th / 第10位 (one decimal kept for a projected rank)."""
    if rank is None or pd.isna(rank):
        return "–"
    number = fmt_number(rank) if rank != round(rank) else str(int(round(rank)))
    if lang == "zh":
        return f"第{number}位"
    if number.isdigit():
        n = int(number)
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}"
    return f"{number}th"


def quantity(value: float, unit_text: str, lang: str, qualifier: str = "", rank: bool = False) -> str:
    """Return a value with its qualifier and unit words, e.g. '≥13,000 firms', '3.08%', '第10位'."""
    if value is None or pd.isna(value):
        return "–"
    sign = COMPARATOR_SIGNS.get(qualifier, qualifier or "")
    if sign == "~":
        sign = "约" if lang == "zh" else "about "
    if rank:
        return sign + ordinal(value, lang)
    if lang == "en" and unit_text == HUNDRED_MILLION_CNY:
        return f"{sign}{billions(value)}"
    number = fmt_number(value)
    if not unit_text or unit_text == "%" or lang == "zh":
        return f"{sign}{number}{unit_text}"
    return f"{sign}{number} {unit_text}"


def projection_text(value: float, low: float, high: float, unit_text: str, lang: str, rank: bool = False, whole: bool = False) -> str:
    """Return a projection with its 80% interval, e.g. '33家（31–35）', '第9位（7–12）' ('' when missing).

    ``whole``: the indicator counts things, so the projection and its bounds are whole numbers (ranks always are).
    """
    if value is None or pd.isna(value):
        return ""
    if whole or rank:
        value, low, high = (v if pd.isna(v) else float(math.floor(float(v) + 0.5)) for v in (value, low, high))
    text = quantity(value, unit_text, lang, "", rank)
    if pd.isna(low) or pd.isna(high):
        return text
    bounds = f"{fmt_number(low)}–{fmt_number(high)}"
    return text + (f"（{bounds}）" if lang == "zh" else f" ({bounds})")


HUNDRED_MILLION_CNY = "CNY 100 million"  # 亿元 in English units; amounts read as billions


def billions(value: float, digits: int = 3) -> str:
    """Return an amount in 亿元 (CNY 100 million) as English readers say it: 22.15 → 'CNY 2.22 billion'."""
    return f"CNY {fmt_number(float(value) / 10, digits)} billion"


def year_text(year: object, lang: str) -> str:
    """Return a year as written in ``lang`` (2023年 / 2023)."""
    return f"{year}年" if lang == "zh" else str(year)


def target_phrase(dataset: data.Dataset, row: object, lang: str) -> str:
    """Return a target as a reader says it: '≥13,000 firms by 2027', '年均增长≥30%', 'about 60'."""
    unit_text = indicator_unit_word(dataset, row.indicator_id, lang)
    about = bool(getattr(row, "about", False)) if not pd.isna(getattr(row, "about", False)) else False
    sign = "~" if about else row.comparator
    if row.target_type == "avg_growth":
        value = quantity(row.target_value, "%", lang, sign)
        return f"年均增长{value}" if lang == "zh" else f"{value} a year on average"
    if row.target_type == "rank":
        place = ordinal(row.target_value, lang)
        return f"进入前{int(row.target_value)}位" if lang == "zh" else f"top {int(row.target_value)}"
    value = quantity(row.target_value, unit_text, lang, sign)
    if row.target_type == "cumulative":
        return f"累计{value}" if lang == "zh" else f"{value} in total"
    if bool(getattr(row, "per_year", False)) is True:
        return f"每年{value}" if lang == "zh" else f"{value} each year"
    return value


def target_label(dataset: data.Dataset, row: object, lang: str, with_year: bool = True) -> str:
    """Return a target's reader name: indicator name, region when not Ningbo, the target and its year."""
    name = indicator_name(dataset, row.indicator_id, lang)
    if row.region != "ningbo":
        name = f"{region_name(dataset, row.region, lang)}{'' if lang == 'zh' else ': '}{name}"
    phrase = target_phrase(dataset, row, lang)
    if not with_year:
        return f"{name}{phrase}" if lang == "zh" else f"{name} {phrase}"
    return f"{name}{phrase}（{int(row.target_year)}年）" if lang == "zh" else f"{name} {phrase} ({int(row.target_year)})"


def column(row: object, name: str, default: object = None) -> object:
    """Return a status-table field that other helpers may not have added yet (``default`` when absent)."""
    value = getattr(row, name, default)
    return default if value is None else value


def counted_targets(table: pd.DataFrame, as_of: date | str | None) -> pd.DataFrame:
    """Return the targets a headline counts: each stated target once (duplicates dropped), future ones only."""
    rows = table
    if "duplicate_of" in rows:
        rows = rows[rows["duplicate_of"].fillna("") == ""]
    else:
        rows = rows.drop_duplicates(["indicator_id", "region", "target_type", "comparator", "target_value", "target_year"])
    if "horizon_kind" in rows:
        return rows[rows["horizon_kind"] != "past"]
    return rows[rows["target_year"] >= as_of_date(as_of).year]


def summary_paragraph(table: pd.DataFrame, new_count: int, moved_count: int, as_of: date | str | None, lang: str) -> str:
    """Return the briefing's opening paragraph: what stands where, what changed, what is unknown."""
    rows = counted_targets(table, as_of)
    status = rows["status"]
    judged = rows[rows["p_meet"].notna() | status.isin(("met",))]
    good = int(judged["status"].isin(GOOD_STATUSES).sum())
    bad = int(judged["status"].isin(RISK_STATUSES).sum())
    partial = int((status == "insufficient_data").sum())
    nodata = int((status == "no_data").sum())
    past = table[table["target_year"] < as_of_date(as_of).year] if "horizon_kind" not in table else table[table["horizon_kind"] == "past"]
    stands = t(
        "brief.summary", lang, date=date_text(as_of_date(as_of), lang), n=len(rows), judged=len(judged), good=good, bad=bad,
        middle=len(judged) - good - bad, partial=partial, nodata=nodata,
    )
    changed = t("brief.changed", lang, new=new_count, moved=moved_count) if new_count or moved_count else t("brief.unchanged", lang)
    parts = [stands, changed] + ([t("brief.past", lang, past=len(past))] if len(past) else [])
    return ("" if lang == "zh" else " ").join(parts)


def date_text(day: date, lang: str) -> str:
    """Return a date as written in ``lang`` (2026年9月30日 / 30 September 2026)."""
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {day.strftime('%B')} {day.year}"


def story_sentence(row: object, lang: str) -> str:
    """Return the one sentence explaining why progress and status disagree ('' when they do not)."""
    code = column(row, "story", "")
    if not isinstance(code, str) or not code:
        return ""
    return t(f"story.{code}", lang) if has(f"story.{code}") else ""


def interpolated_sentence(row: object, lang: str) -> str:
    """Return a sentence naming the interpolated years of a cumulative target ('' when none)."""
    years = column(row, "interpolated_years", "")
    if not isinstance(years, str) or not years.strip():
        return ""
    joined = "、".join(years.split(",")) if lang == "zh" else ", ".join(years.split(","))
    return t("brief.interpolated", lang, years=joined)


def risk_sentences(dataset: data.Dataset, table: pd.DataFrame, as_of: date | str | None, lang: str, limit: int = 5) -> list[str]:
    """Return the top risks in plain sentences: the least likely judged targets, then early warnings in sub-annual data."""
    from analysis.tables import indicator_kind, needed_text, recent_and_needed

    rows = counted_targets(table, as_of)
    # every target not at least likely to be met (P < 0.66) is a risk worth a sentence
    risky = rows[rows["status"].isin(RISK_STATUSES + ("uncertain", "probably_missed", "missed"))]
    risky = risky.sort_values(["p_meet", "target_id"], na_position="last", kind="mergesort").drop_duplicates("indicator_id")
    sentences = []
    for r in risky.head(limit).itertuples(index=False):
        rank = r.target_type == "rank"
        unit_text = indicator_unit_word(dataset, r.indicator_id, lang)
        sentence = t(
            "brief.risk", lang, name=target_label(dataset, r, lang), latest=quantity(r.latest_value, unit_text, lang, column(r, "latest_qualifier", ""), rank),
            year=year_text(r.latest_period, lang), p=percent_text(r.p_meet), status=status_label(r.status, lang),
        )
        recent, needed = recent_and_needed(dataset, r, as_of)
        pace = ""
        if r.target_type not in ("avg_growth", "rank") and pd.notna(recent) and pd.notna(needed):
            whole = indicator_kind(dataset, r.indicator_id) == "count"
            pace = t("brief.risk_pace", lang, recent=signed(recent, unit_text, lang, False, whole),
                     needed=needed_text(needed, r, unit_text, lang, whole))
        extra = ("" if lang == "zh" else " ").join(filter(None, [pace, story_sentence(r, lang), interpolated_sentence(r, lang)]))
        sentences.append(sentence + (("" if lang == "zh" else " ") + extra if extra else ""))
    sentences.extend(warning_sentences(dataset, rows, as_of, lang))
    return sentences[: limit + 2]


def warning_sentences(dataset: data.Dataset, rows: pd.DataFrame, as_of: date | str | None, lang: str) -> list[str]:
    """Return sentences on sub-annual figures already below a target that has no annual value yet."""
    chosen = data.select_as_of(dataset.observations, as_of)
    sentences = []
    for r in rows[rows["status"] == "no_data"].itertuples(index=False):
        sub = chosen[(chosen["indicator_id"] == r.indicator_id) & (chosen["region"] == r.region) & ~chosen["is_annual"]]
        if sub.empty or r.target_type != "level":
            continue
        last = sub.sort_values("period", kind="mergesort").iloc[-1]
        higher = r.comparator in (">=", ">")
        if (last["value"] < r.target_value) if higher else (last["value"] > r.target_value):
            unit_text = indicator_unit_word(dataset, r.indicator_id, lang)
            sentences.append(t(
                "brief.warning", lang, name=indicator_name(dataset, r.indicator_id, lang), period=period_text(str(last["period"]), lang),
                value=quantity(last["value"], unit_text, lang, last["qualifier"]), target=target_phrase(dataset, r, lang),
            ))
    return sentences


def period_text(period: str, lang: str) -> str:
    """Return a period as written in ``lang``: 2025-03 → 2025年1—3月 / Jan–Mar 2025 (year to date), 2023 → 2023年."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", period)
    if not match:
        return year_text(period, lang)
    year, month = int(match.group(1)), int(match.group(2))
    if lang == "zh":
        return f"{year}年1—{month}月"
    return f"Jan–{date(year, month, 1).strftime('%b')} {year}"


def gap_groups(dataset: data.Dataset, table: pd.DataFrame, calendar: pd.DataFrame, period: str, as_of: date | str | None, lang: str) -> list[dict]:
    """Return the missing figures grouped by the publisher that releases them, with the usual release month."""
    rows = counted_targets(table, as_of)
    missing = rows[rows["status"].isin(DATA_GAP_STATUSES)].sort_values("target_id", kind="mergesort")
    publisher_of = {}
    for entry in calendar.itertuples(index=False):
        for indicator in str(entry.indicator_ids).split():
            publisher_of.setdefault(indicator, entry)
    upcoming = next_quarter_months(period)
    groups: dict[str, dict] = {}
    for r in missing.drop_duplicates("indicator_id").itertuples(index=False):
        entry = publisher_of.get(r.indicator_id)
        key = entry.publisher_id if entry is not None else "~unknown"
        if key not in groups:
            month = int(entry.usual_month) if entry is not None and str(entry.usual_month).strip() else None
            groups[key] = {
                "publisher": (entry.publisher_zh if lang == "zh" else entry.publisher_en) if entry is not None else t("brief.publisher_unknown", lang),
                "publication": (entry.publication_zh if lang == "zh" else entry.publication_en) if entry is not None else "",
                "month": month, "due": month in upcoming if month else False, "names": [],
            }
        label = indicator_name(dataset, r.indicator_id, lang)
        n_obs = int(r.n_obs) if pd.notna(column(r, "n_obs")) else 0
        if r.status == "insufficient_data" and n_obs > 0:  # no figure at all: nothing to add ("only 0 figures" reads wrong)
            label += t("brief.n_value", lang) if n_obs == 1 else t("brief.n_values", lang, n=n_obs)
        groups[key]["names"].append(label)
    return sorted(groups.values(), key=lambda g: (g["publisher"] == t("brief.publisher_unknown", lang), -len(g["names"]), g["publisher"]))


def next_quarter_months(period: str) -> tuple[int, ...]:
    """Return the months of the quarter after ``period`` (YYYYQn)."""
    quarter = int(period[-1]) % 4 + 1
    return tuple(range(3 * quarter - 2, 3 * quarter + 1))


GAP_NAMES_SHOWN = 4


def gap_list_markdown(groups: list[dict], period: str, lang: str, shown: int = GAP_NAMES_SHOWN) -> str:
    """Return the data gaps as a short Markdown list, one line per publisher (the first ``shown`` figures named)."""
    lines = []
    for g in groups:
        more = len(g["names"]) - shown
        names = g["names"][:shown]
        when = t("brief.month", lang, month=month_name(g["month"], lang)) if g["month"] else t("brief.month_unknown", lang)
        due = t("brief.due", lang) if g["due"] else ""
        publication = f"{'《' + g['publication'] + '》' if lang == 'zh' else '*' + md_text(g['publication']) + '*'}" if g["publication"] else ""
        head = f"**{md_text(g['publisher'])}**"
        sep = "、" if lang == "zh" else "; "
        listed = sep.join(names) + (t("brief.more", lang, n=len(g["names"]), rest=more) if more > 0 else "")
        if lang == "zh":
            lines.append(f"- {head}（{publication}{'，' if publication else ''}{when}{due}）：{md_text(listed)}")
        else:
            lines.append(f"- {head} ({publication}{', ' if publication else ''}{when}{due}): {md_text(listed)}")
    return "\n".join(lines)


def month_name(month: int, lang: str) -> str:
    """Return a month's name: 3月 / March."""
    return f"{month}月" if lang == "zh" else date(2000, month, 1).strftime("%B")


def pace_per_year(series: pd.Series, window: int = 3) -> float:
    """Return the average change a year over the last ``window`` years of an annual series (NaN with < 2 points)."""
    clean = series.dropna().sort_index()
    if len(clean) < 2:
        return math.nan
    last_year = int(clean.index.max())
    earlier = clean[clean.index >= last_year - window]
    first_year = int(earlier.index.min())
    if first_year == last_year:
        return math.nan
    return float((clean[last_year] - earlier[first_year]) / (last_year - first_year))


def pace_number(value: float, whole: bool = False) -> str:
    """Return the size of a change a year: whole units for counts and from 100 up, else 3 (from 10) or 2 significant digits."""
    size = abs(float(value))
    if size >= 100 or (whole and size >= 1):
        return f"{math.floor(size + 0.5):,}"  # half up, as a reader rounds
    return fmt_number(size, 3 if size >= 10 else 1 if whole else 2)


def signed(value: float, unit_text: str, lang: str, rank: bool = False, whole: bool = False) -> str:
    """Return a change a year with its sign and unit: '+0.077 points', '−1,200 firms', 'up 1 place'.

    ``whole``: the indicator counts things (firms, people): '+327 firms', not '+326.5 firms'.
    """
    if value is None or pd.isna(value):
        return "–"
    if rank:
        places = fmt_number(abs(value), 2)
        if lang == "zh":
            return f"上升{places}位" if value < 0 else f"下降{places}位" if value > 0 else "持平"
        noun = "place" if places == "1" else "places"
        return f"up {places} {noun}" if value < 0 else f"down {places} {noun}" if value > 0 else "no change"
    number = pace_number(value, whole)
    if lang == "en" and unit_text == HUNDRED_MILLION_CNY:
        return ("+" if value >= 0 else "−") + billions(abs(value), 2)
    if unit_text == "%":
        text = number + ("个百分点" if lang == "zh" else " points")
    else:
        text = f"{number}{'' if lang == 'zh' or not unit_text else ' '}{unit_text}"
    return ("+" if value >= 0 else "−") + text


def method_short(lang: str, annex_href: str) -> str:
    """Return the briefing's short method note with the link to the annex."""
    return t("brief.method", lang, annex=annex_href)


def heading(key: str, lang: str, level: int = 2, **fields: object) -> str:
    """Return a Markdown heading from an i18n label."""
    return "#" * level + " " + md_text(t(key, lang, **fields))


def bullets(lines: Sequence[str]) -> str:
    """Return sentences as a Markdown list (each escaped)."""
    return "\n".join(f"- {md_text(line)}" for line in lines)


def briefing_title(period: str, start: date, end: date, lang: str) -> str:
    """Return the briefing's title and period line as Markdown."""
    return heading("nb04.title", lang, 1, period=period) + "\n\n" + md_text(
        t("nb04.period_line", lang, start=date_text(start, lang), end=date_text(end, lang)))


def annex_href(lang: str) -> str:
    """Return the link from the briefing to its annex page (same folder)."""
    return f"annex.{lang}.html"


def briefing_href(lang: str) -> str:
    """Return the link from the annex back to the briefing (same folder)."""
    return f"briefing.{lang}.html"


def files_line(paths: Sequence[Path], lang: str) -> str:
    """Return download links to written files as Markdown (no log line)."""
    links = " · ".join(f"[{md_text(Path(p).suffix.lstrip('.').upper())}]({Path(p).name})" for p in paths)
    return md_text(t("nb03.download", lang)) + links


def annex_title(period: str, lang: str) -> str:
    """Return the annex's title, introduction and link back to the briefing as Markdown."""
    back = f"[{md_text(t('annex.back', lang))}]({briefing_href(lang)})"
    return heading("annex.title", lang, 1, period=period) + "\n\n" + md_text(t("annex.intro", lang)) + ("" if lang == "zh" else " ") + back


# ---------------------------------------------------------------------------
# Page wording of the notebooks (each cell shows one step; its words come from here)


def page_header(title_key: str, intro_key: str, as_of: date | str | None, lang: str) -> str:
    """Return a page's Markdown title, report date and introduction."""
    return f"{heading(title_key, lang, level=1)}\n\n{t('as_of', lang)}{'：' if lang == 'zh' else ': '}{as_of_date(as_of)}\n\n{t(intro_key, lang)}"


def section(key: str, lang: str, note_key: str | None = None, level: int = 2) -> str:
    """Return a section heading, with its explanatory note when given."""
    return heading(key, lang, level) + (f"\n\n{t(note_key, lang)}" if note_key else "")


def projection_header(dataset: data.Dataset, assessment: object, target: object, as_of: date | str | None, lang: str) -> str:
    """Return the projection page's title, region, report date and the target as the document words it."""
    name = indicator_name(dataset, assessment.indicator_id, lang)
    sep = "：" if lang == "zh" else ": "
    target_words = f"{target_text(assessment, lang)}" + (f"（{assessment.target_year}年）" if lang == "zh" else f" ({assessment.target_year})")
    return (
        f"# {md_text(t('nb02.title', lang, name=name))}\n\n"
        f"{t('region', lang)}{sep}{md_text(region_name(dataset, assessment.region, lang))} · {t('as_of', lang)}{sep}{as_of_date(as_of)}\n\n"
        + md_text(t("nb02.target_line", lang, target=target_words, doc=document_title(target), clause=target["source_clause"]))
    )


def projection_summary(dataset: data.Dataset, assessment: object, as_of: date | str | None, lang: str) -> str:
    """Return the projection page's summary: status, P(meet) and the plain-language paragraph."""
    sep = "：" if lang == "zh" else ": "
    return (
        f"{heading('nb02.summary', lang)}\n\n"
        f"{t('status', lang)}{sep}**{status_label(assessment.status, lang)}** · {t('p_meet', lang)}{sep}{percent_text(assessment.p_meet) or '–'}\n\n"
        + md_text(projection_paragraph(dataset, assessment, as_of, lang))
    )


def peer_chart_title(dataset: data.Dataset, indicator_id: str, lang: str) -> str:
    """Return the peer page's heading of one indicator, with its unit in the reader's words."""
    unit = indicator_unit_word(dataset, indicator_id, lang) or indicator_unit(dataset, indicator_id)
    return "### " + md_text(t("nb06.chart_title", lang, name=indicator_name(dataset, indicator_id, lang), unit=unit))


def retrospective_conclusion(retro: pd.DataFrame, then: Sequence[str], lang: str) -> str:
    """Return the retrospective page's conclusion section."""
    body = retrospective_summary(retro, then, lang) if len(retro) else t("nb05.no_targets", lang)
    return f"{heading('nb05.conclusion', lang)}\n\n{body}"


def document_title(target: object) -> str:
    """Return the policy document of a target as readers cite it: 《its title》 (its file name only without one)."""
    title = str(target.get("source_doc_title", "") or "").strip() if hasattr(target, "get") else ""
    return f"《{title}》" if title else str(target["source_doc"])
