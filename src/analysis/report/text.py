"""Sentences and paragraphs of the reports (no HTML): summary, risks, caveats, data gaps."""

from __future__ import annotations

from datetime import date
from typing import Sequence

import pandas as pd

from analysis.assess import statuses
from analysis.data import coverage, loader, vintage
from analysis.report import record_text
from analysis.report.gap_list import gap_groups, gap_list_markdown  # noqa: F401 - the briefing calls them as text.*
from analysis.report.i18n import has, t
from analysis.report.periods import as_of_date
from analysis.report.wording import (
    column,
    date_text,
    indicator_name,
    indicator_unit_word,
    md_text,
    period_text,
    quantity,
    target_label,
    target_phrase,
)


def method_note_markdown(lang: str) -> str:
    """Return method.method_note as Markdown paragraphs (the first line, its title, dropped)."""
    from analysis.report import method

    lines = [line for line in method.method_note(lang).splitlines() if line.strip()]
    return "\n\n".join(md_text(line) for line in lines[1:])


def caveats(dataset: loader.Dataset, assessment: object, as_of: date | str | None, lang: str) -> list[str]:
    """Return the data caveats of one record: short series, gaps, what the figures are, weak sources, staleness."""
    a = assessment
    notes = []
    history = a.history if a.history is not None else pd.Series(dtype=float)
    flags = set(filter(None, str(a.forecast_flags).split(",")))
    n = len(history)
    if n and (n < 5 or "short_series" in flags):
        notes.append(t("caveat.short_series", lang, n=n))
    if n >= 2:
        years = set(int(y) for y in history.index)
        missing = [y for y in range(min(years), max(years) + 1) if y not in years]
        if missing:
            notes.append(t("caveat.gaps", lang, missing=coverage.format_years(missing)))
    notes.extend(record_text.evidence_notes(a, lang))
    weak_sources = set(dataset.sources.loc[dataset.sources["weak"].fillna(False).astype(bool), "source_id"])
    weak = sum(1 for p in getattr(a, "points", []) if p["source_id"] in weak_sources)
    if weak:
        notes.append(t("caveat.weak", lang, n=weak))
    if "bounded_logit" in flags:
        notes.append(t("caveat.bounded", lang))
    return notes


def projection_paragraph(dataset: loader.Dataset, assessment: object, as_of: date | str | None, lang: str) -> str:
    """Return the plain-language paragraph of one target, every number from its record: standing, projection, P, pace, reason."""
    a = assessment
    name = indicator_name(dataset, a.indicator_id, lang)
    if a.status == "no_data":
        meta = dataset.indicators.set_index("indicator_id")
        where = meta.at[a.indicator_id, "where_published"] if a.indicator_id in meta.index else ""
        return t("para.no_data", lang, name=name, where=where or t("not_identified", lang))
    sep = "" if lang == "zh" else " "
    parts = [t("para.standing", lang, name=name, standing=record_text.standing(dataset, a, lang), figure=record_text.figure_kind(a, lang))]
    projection = record_text.projection(dataset, a, lang)
    if projection and not pd.isna(a.p_meet):
        parts.append(t("para.projection", lang, year=a.target_year, projection=projection, target=record_text.target_value_text(dataset, a, lang),
                       p=record_text.probability(a, lang)))
        rests = record_text.basis(a, lang)
        if rests:
            parts.append(rests)
    pace = record_text.at_recent_pace(dataset, a, lang)
    if pace:
        parts.append(t("para.pace", lang, recent=record_text.recent_pace(dataset, a, lang), needed=record_text.needed_pace(dataset, a, lang),
                       at_recent=pace))
    parts.append(t("para.status", lang, status=record_text.status(a, lang), reason=record_text.reason(dataset, a, lang)))
    notes = caveats(dataset, a, as_of, lang)
    separator = "；" if lang == "zh" else "; "
    parts.append(t("para.caveats", lang) + (separator.join(notes) + ("。" if lang == "zh" else ".") if notes else t("caveat.none", lang)))
    return sep.join(parts)


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


def counted_targets(table: pd.DataFrame, as_of: date | str | None = None) -> pd.DataFrame:
    """Return the targets a headline counts (the record's ``counted``), those still ahead only."""
    rows = statuses.counted_once(table)
    return rows[rows["horizon_kind"] != "past"]


def summary_paragraph(table: pd.DataFrame, new_count: int, moved_count: int, as_of: date | str | None, lang: str) -> str:
    """Return the briefing's opening paragraph from the headline counts: what stands where, what changed, what is unknown."""
    c = statuses.counts(table)
    stands = t(
        "brief.summary", lang, date=date_text(as_of_date(as_of), lang), n=c["targets"], judged=c["judged"], good=c["good"],
        bad=c["at_risk"], middle=c["uncertain"], partial=c["future.insufficient_data"], nodata=c["future.no_data"],
    )
    changed = t("brief.changed", lang, new=new_count, moved=moved_count) if new_count or moved_count else t("brief.unchanged", lang)
    parts = [stands, changed] + ([t("brief.past", lang, past=c["past"])] if c["past"] else [])
    return ("" if lang == "zh" else " ").join(parts)


def story_sentence(row: object, lang: str) -> str:
    """Return the one sentence explaining why progress and status disagree ('' when they do not)."""
    code = column(row, "story", "")
    if not isinstance(code, str) or not code:
        return ""
    return t(f"story.{code}", lang) if has(f"story.{code}") else ""


def interpolated_sentence(row: object, lang: str) -> str:
    """Return a sentence naming the interpolated years of a record ('' when none; a cumulative target says it in its reason)."""
    years = column(row, "interpolated_years", "")
    if not isinstance(years, str) or not years.strip() or row.target_type == "cumulative":
        return ""
    joined = "、".join(years.split(",")) if lang == "zh" else ", ".join(years.split(","))
    return t("brief.interpolated", lang, years=joined)


def risk_sentences(dataset: loader.Dataset, table: pd.DataFrame, as_of: date | str | None, lang: str, limit: int = 5) -> list[str]:
    """Return the top risks in plain sentences, from the record: every counted target of the group 'at risk'."""
    rows = counted_targets(table, as_of)
    risky = rows[rows["group"] == "at_risk"]
    risky = risky.sort_values(["p_meet", "target_id"], na_position="last", kind="mergesort").drop_duplicates("indicator_id")
    sentences = []
    sep = "" if lang == "zh" else " "
    for r in risky.head(limit).itertuples(index=False):
        parts = [t("brief.risk", lang, name=target_label(dataset, r, lang), standing=record_text.standing(dataset, r, lang),
                   status=record_text.status_with_p(r, lang))]
        pace = record_text.at_recent_pace(dataset, r, lang)
        if pace:
            parts.append(t("brief.risk_pace", lang, recent=record_text.recent_pace(dataset, r, lang),
                           needed=record_text.needed_pace(dataset, r, lang), at_recent=pace))
        if pd.isna(r.p_meet):  # no probability: the reason says what is known and what is missing
            parts.append(record_text.reason(dataset, r, lang) + ("。" if lang == "zh" else "."))
        parts.extend(filter(None, [story_sentence(r, lang)]))
        sentences.append(sep.join(parts))
    sentences.extend(warning_sentences(dataset, rows, as_of, lang))
    return sentences[: limit + 2]


def excluded_figures(dataset: loader.Dataset) -> set[tuple[str, str, str]]:
    """Return the (indicator, region, period) figures the definition audit excludes from every page."""
    audit = getattr(dataset, "definition_audit", None)
    if audit is None or len(audit) == 0 or "decision" not in audit:
        return set()
    rows = audit[audit["decision"] == "excluded"]
    return set(zip(rows["indicator_id"], rows["region"], rows["period"].astype(str)))


def warning_sentences(dataset: loader.Dataset, rows: pd.DataFrame, as_of: date | str | None, lang: str) -> list[str]:
    """Return sentences on sub-annual figures already below a target that has no annual value yet (not the excluded ones)."""
    chosen = vintage.select_as_of(dataset.observations, as_of)
    excluded = excluded_figures(dataset)
    sentences = []
    for r in rows[rows["status"] == "no_data"].itertuples(index=False):
        sub = chosen[(chosen["indicator_id"] == r.indicator_id) & (chosen["region"] == r.region) & ~chosen["is_annual"]]
        sub = sub[[(i, g, str(p)) not in excluded for i, g, p in zip(sub["indicator_id"], sub["region"], sub["period"])]]
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
