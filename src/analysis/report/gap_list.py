"""The briefing's data gaps: per publisher, the figures and years still wanted, overdue ones first.

The list is the request workbook's list (:func:`analysis.data.request.plan`), so the briefing and
``requests.<lang>.xlsx`` beside it name the same figures and years; the workbook is where a
bureau fills them in.
"""

from __future__ import annotations

import datetime as dt
from typing import Sequence

import pandas as pd

from analysis.data import loader, request
from analysis.report.i18n import t
from analysis.report.periods import as_of_date
from analysis.report.wording import indicator_name, md_text, month_name, region_name

GAP_NAMES_SHOWN = 3
GAP_PUBLISHERS_SHOWN = 4
HOME_REGION = "ningbo"


def workbook_name(lang: str) -> str:
    """Return the file name of the request workbook written beside a briefing."""
    return f"requests.{lang}.xlsx"


def year_runs(years: Sequence[int]) -> list[tuple[int, int]]:
    """Return sorted years as runs of consecutive years: [2021, 2022, 2024] -> [(2021, 2022), (2024, 2024)]."""
    runs: list[tuple[int, int]] = []
    for year in sorted(set(years)):
        if runs and year == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], year)
        else:
            runs.append((year, year))
    return runs


def years_text(years: Sequence[int], lang: str) -> str:
    """Return years as a reader writes them: '2022—2024年、2026年' / '2022–2024, 2026'."""
    if lang == "zh":
        return "、".join(f"{a}年" if a == b else f"{a}—{b}年" for a, b in year_runs(years))
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in year_runs(years))


def overdue_text(since: dt.date, lang: str) -> str:
    """Return the overdue mark of a year: '逾期（应于2026年6月前发布）' / 'overdue since June 2026'."""
    return t("gaps.overdue", lang, year=since.year, month=month_name(since.month, lang))


def figure_label(dataset: loader.Dataset, items: list[request.Wanted], lang: str) -> str:
    """Return one figure's line: its name, the overdue years marked, then the other years wanted."""
    first = items[0]
    name = indicator_name(dataset, first.indicator_id, lang)
    if first.region != HOME_REGION:
        name += f"（{region_name(dataset, first.region, lang)}）" if lang == "zh" else f" ({region_name(dataset, first.region, lang)})"
    space = "" if lang == "zh" else " "
    parts = []
    overdue = [i for i in items if i.state == "overdue"]
    if overdue:
        since = min(i.overdue_since for i in overdue if i.overdue_since is not None)
        parts.append(f"{years_text([i.year for i in overdue], lang)}{space}{overdue_text(since, lang)}")
    for state in ("inexact", "due"):
        years = [i.year for i in items if i.state == state]
        if years:
            parts.append(f"{years_text(years, lang)}{space}{t('gaps.' + state, lang)}")
    return f"{name} {('，' if lang == 'zh' else ', ').join(parts)}"


def unjudged_indicators(table: pd.DataFrame) -> set[tuple[str, str]]:
    """Return the (indicator, region) pairs of the targets that cannot yet be judged."""
    if table is None or table.empty or "group" not in table.columns:
        return set()
    rows = table[table["group"] == "unjudged"]
    region = rows["region"] if "region" in rows.columns else pd.Series(HOME_REGION, index=rows.index)
    return set(zip(rows["indicator_id"].astype(str), region.astype(str)))


def gap_groups(dataset: loader.Dataset, table: pd.DataFrame, calendar: pd.DataFrame, period: str,
               as_of: dt.date | str | None, lang: str) -> list[dict]:
    """Return the figures and years still wanted as of the report date, one group per publisher (the workbook's order)."""
    when = as_of_date(as_of)
    wanted = request.plan(dataset, calendar, when)
    blocking = unjudged_indicators(table)
    upcoming = next_quarter_months(period)
    groups: dict[str, dict] = {}
    for item in wanted:
        publisher = item.publisher
        if publisher.key not in groups:
            groups[publisher.key] = {
                "publisher": publisher.name_zh if lang == "zh" else publisher.name_en,
                "publication": publisher.document_zh if lang == "zh" else publisher.document_en,
                "month": publisher.month, "due": publisher.month in upcoming if publisher.month else False,
                "figures": {}, "n_years": 0, "n_overdue": 0, "workbook": workbook_name(lang),
            }
        group = groups[publisher.key]
        group["figures"].setdefault((item.indicator_id, item.region), []).append(item)
        group["n_years"] += 1
        group["n_overdue"] += item.state == "overdue"
    for group in groups.values():
        figures = group.pop("figures")
        order = sorted(figures, key=lambda k: (not any(i.state == "overdue" for i in figures[k]), k not in blocking))
        group["names"] = [figure_label(dataset, figures[key], lang) for key in order]
    return list(groups.values())


def next_quarter_months(period: str) -> tuple[int, ...]:
    """Return the months of the quarter after ``period`` (YYYYQn)."""
    quarter = int(period[-1]) % 4 + 1
    return tuple(range(3 * quarter - 2, 3 * quarter + 1))


def gap_list_markdown(groups: list[dict], period: str, lang: str, shown: int = GAP_NAMES_SHOWN,
                      publishers: int = GAP_PUBLISHERS_SHOWN) -> str:
    """Return the data gaps as a short Markdown list: the first ``publishers`` bodies, ``shown`` figures each; the rest counted."""
    lines = []
    for g in groups[:publishers]:
        more = len(g["names"]) - shown
        when = t("brief.month", lang, month=month_name(g["month"], lang)) if g["month"] else t("brief.month_unknown", lang)
        due = t("brief.due", lang) if g["due"] else ""
        publication = f"{'《' + g['publication'] + '》' if lang == 'zh' else '*' + md_text(g['publication']) + '*'}" if g["publication"] else ""
        head = f"**{md_text(g['publisher'])}**"
        sep = "；" if lang == "zh" else "; "
        listed = sep.join(g["names"][:shown]) + (t("gaps.more", lang, rest=more) if more > 0 else "")
        count = t("gaps.count", lang, n=g["n_years"], overdue=g["n_overdue"]) if g["n_overdue"] else t("gaps.count_none_overdue", lang, n=g["n_years"])
        if lang == "zh":
            lines.append(f"- {head}（{publication}{'，' if publication else ''}{when}{due}）{count}：{md_text(listed)}")
        else:
            lines.append(f"- {head} ({publication}{', ' if publication else ''}{when}{due}) {count}: {md_text(listed)}")
    rest = groups[publishers:]
    if rest:
        lines.append(t("gaps.more_publishers", lang, n=len(rest), years=sum(g["n_years"] for g in rest)))
    if groups:
        lines.append("")
        lines.append(t("gaps.workbook", lang, href=groups[0]["workbook"]))
    return "\n".join(lines)
