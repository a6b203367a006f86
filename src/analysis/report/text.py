"""Sentences and paragraphs of the reports (no HTML): summary, risks, caveats, data gaps."""

from __future__ import annotations

import math
from datetime import date
from typing import Sequence

import pandas as pd

from analysis.data import coverage, loader, vintage
from analysis.report.i18n import has, t
from analysis.report.periods import as_of_date
from analysis.report.wording import (
    COMPARATOR_SIGNS,
    DATA_GAP_STATUSES,
    GOOD_STATUSES,
    NON_FINAL,
    RISK_STATUSES,
    column,
    date_text,
    fmt_number,
    fmt_unit,
    indicator_name,
    indicator_unit,
    indicator_unit_word,
    md_text,
    month_name,
    percent_text,
    period_text,
    quantity,
    signed,
    status_label,
    target_label,
    target_phrase,
    year_text,
)


def headline_sentence(table: pd.DataFrame, as_of: date | str | None, lang: str) -> str:
    """Return the briefing's one-sentence headline from the status counts."""
    status = table["status"]
    nodata = int(status.isin(DATA_GAP_STATUSES).sum())
    return t(
        "nb04.headline_sentence", lang, as_of=as_of_date(as_of).isoformat(), n=len(table), assessed=len(table) - nodata,
        good=int(status.isin(GOOD_STATUSES).sum()), bad=int(status.isin(RISK_STATUSES).sum()), nodata=nodata,
    )


def method_note_markdown(lang: str) -> str:
    """Return method.method_note as Markdown paragraphs (the first line, its title, dropped)."""
    from analysis.report import method

    lines = [line for line in method.method_note(lang).splitlines() if line.strip()]
    return "\n\n".join(md_text(line) for line in lines[1:])


def caveats(dataset: loader.Dataset, assessment: object, as_of: date | str | None, lang: str) -> list[str]:
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
            notes.append(t("caveat.gaps", lang, missing=coverage.format_years(missing)))
    rows = vintage.annual_rows(dataset, assessment.indicator_id, assessment.region, as_of)
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


def projection_paragraph(dataset: loader.Dataset, assessment: object, as_of: date | str | None, lang: str) -> str:
    """Return the plain-language paragraph of one target: projection with interval, P(meet) in IPCC words, caveats."""
    from analysis.report import method

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
            p=f"{100 * a.p_meet:.0f}", word=method.likelihood_words(a.p_meet, lang),
        ))
    elif a.status == "insufficient_data":
        parts.append(t("para.insufficient", lang, name=name, n=a.n_obs))
    notes = caveats(dataset, a, as_of, lang)
    separator = "；" if lang == "zh" else "; "
    parts.append(t("para.caveats", lang) + (separator.join(notes) + ("。" if lang == "zh" else ".") if notes else t("caveat.none", lang)))
    return (" " if lang == "en" else "").join(parts)


def latest_status(dataset: loader.Dataset, assessment: object, as_of: date | str | None) -> str:
    """Return the observation status (official, estimate...) of an assessment's latest value."""
    rows = vintage.annual_rows(dataset, assessment.indicator_id, assessment.region, as_of)
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


def risk_sentences(dataset: loader.Dataset, table: pd.DataFrame, as_of: date | str | None, lang: str, limit: int = 5) -> list[str]:
    """Return the top risks in plain sentences: the least likely judged targets, then early warnings in sub-annual data."""
    from analysis.report.pace import needed_text, recent_and_needed
    from analysis.report.wording import indicator_kind

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


def warning_sentences(dataset: loader.Dataset, rows: pd.DataFrame, as_of: date | str | None, lang: str) -> list[str]:
    """Return sentences on sub-annual figures already below a target that has no annual value yet."""
    chosen = vintage.select_as_of(dataset.observations, as_of)
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


def gap_groups(dataset: loader.Dataset, table: pd.DataFrame, calendar: pd.DataFrame, period: str, as_of: date | str | None, lang: str) -> list[dict]:
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
