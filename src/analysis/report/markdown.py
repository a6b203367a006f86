"""The pages' Markdown: titles, headings, lists, links between briefing and annex."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Sequence

import pandas as pd

from analysis.data import loader
from analysis.report.i18n import t
from analysis.report.periods import as_of_date
from analysis.report.text import projection_paragraph, retrospective_summary
from analysis.report.wording import (
    axis_unit,
    date_text,
    indicator_name,
    md_text,
    percent_text,
    quarter_text,
    region_name,
    status_label,
    target_phrase,
)


def method_short(lang: str, annex_href: str) -> str:
    """Return the briefing's short method note with the link to the annex (its numbers from the rule constants)."""
    from analysis.report import method

    rules = method.forecast_constants()
    return t("brief.method", lang, annex=annex_href, min_points=rules["min_points"], short_max=rules["full"] - 1)


def heading(key: str, lang: str, level: int = 2, **fields: object) -> str:
    """Return a Markdown heading from an i18n label."""
    return "#" * level + " " + md_text(t(key, lang, **fields))


def bullets(lines: Sequence[str]) -> str:
    """Return sentences as a Markdown list (each escaped)."""
    return "\n".join(f"- {md_text(line)}" for line in lines)


def briefing_title(period: str, start: date, end: date, lang: str, issued: date | None = None) -> str:
    """Return the briefing's title (the quarter in words: 2026年第三季度), its form line (issuing body, issue date,
    data cut-off = the report date) and its period line, as Markdown. ``issued``: the edition's date
    (``vintage.edition_date``); None = the cut-off. Never the clock: the same data give the same page."""
    day = end if issued is None else issued
    form = t("brief.form_line", lang, issuer=t("brief.issuer", lang), issued=date_text(day, lang).replace(" ", "\u00a0"),
              cutoff=date_text(end, lang).replace(" ", "\u00a0"))  # a date never breaks across lines
    return kept_bracket_heading(t("nb04.title", lang, period=quarter_text(period, lang))) + "\n\n" + md_text(form) + "\n\n" + md_text(
        t("nb04.period_line", lang, start=date_text(start, lang), end=date_text(end, lang)))


def kept_bracket_heading(title: str) -> str:
    """Return a level-1 Markdown heading whose final bracket ('（2026年第三季度）', '(Q3 2026)') never breaks across lines."""
    cut = max(title.rfind("（"), title.rfind(" ("))
    if cut <= 0:
        return "# " + md_text(title)
    return f'# {md_text(title[:cut])}<span style="white-space:nowrap">{md_text(title[cut:])}</span>'


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
    return heading("annex.title", lang, 1, period=quarter_text(period, lang)) + "\n\n" + md_text(t("annex.intro", lang)) + ("" if lang == "zh" else " ") + back


def page_header(title_key: str, intro_key: str, as_of: date | str | None, lang: str) -> str:
    """Return a page's Markdown title, report date and introduction."""
    return f"{heading(title_key, lang, level=1)}\n\n{t('as_of', lang)}{'：' if lang == 'zh' else ': '}{as_of_date(as_of)}\n\n{t(intro_key, lang)}"


def section(key: str, lang: str, note_key: str | None = None, level: int = 2) -> str:
    """Return a section heading, with its explanatory note when given."""
    return heading(key, lang, level) + (f"\n\n{t(note_key, lang)}" if note_key else "")


def projection_header(dataset: loader.Dataset, assessment: object, target: object, as_of: date | str | None, lang: str) -> str:
    """Return the projection page's title, region, report date and the target as the document words it."""
    name = indicator_name(dataset, assessment.indicator_id, lang)
    sep = "：" if lang == "zh" else ": "
    target_words = f"{target_phrase(dataset, assessment, lang)}" + (f"（{assessment.target_year}年）" if lang == "zh" else f" ({assessment.target_year})")
    return (
        f"# {md_text(t('nb02.title', lang, name=name))}\n\n"
        f"{t('region', lang)}{sep}{md_text(region_name(dataset, assessment.region, lang))} · {t('as_of', lang)}{sep}{as_of_date(as_of)}\n\n"
        + md_text(t("nb02.target_line", lang, target=target_words, doc=document_title(target), clause=target["source_clause"]))
    )


def projection_summary(dataset: loader.Dataset, assessment: object, as_of: date | str | None, lang: str) -> str:
    """Return the projection page's summary: status, P(meet) and the plain-language paragraph."""
    sep = "：" if lang == "zh" else ": "
    return (
        f"{heading('nb02.summary', lang)}\n\n"
        f"{t('status', lang)}{sep}**{status_label(assessment.status, lang)}** · {t('p_meet', lang)}{sep}{percent_text(assessment.p_meet) or '–'}\n\n"
        + md_text(projection_paragraph(dataset, assessment, as_of, lang))
    )


def peer_chart_title(dataset: loader.Dataset, indicator_id: str, lang: str) -> str:
    """Return the peer page's heading of one indicator, with its unit in the reader's words."""
    unit = axis_unit(dataset, indicator_id, lang)
    return "### " + md_text(t("nb06.chart_title", lang, name=indicator_name(dataset, indicator_id, lang), unit=unit))


def retrospective_conclusion(retro: pd.DataFrame, then: Sequence[str], lang: str) -> str:
    """Return the retrospective page's conclusion section."""
    body = retrospective_summary(retro, then, lang) if len(retro) else t("nb05.no_targets", lang)
    return f"{heading('nb05.conclusion', lang)}\n\n{body}"


def document_title(target: object) -> str:
    """Return the policy document of a target as readers cite it: 《its title》 (its file name only without one)."""
    title = str(target.get("source_doc_title", "") or "").strip() if hasattr(target, "get") else ""
    return f"《{title}》" if title else str(target["source_doc"])
