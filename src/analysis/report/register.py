"""The risk register: the briefing's first table, one row per target ahead, grouped by status, from the record.

Each row: the target (with its clause), the standing with its year, qualifier and linked source, the
signals (assess.signals) labelled as signals, the gap to the target in its unit, the recent and
needed paces, the status with its reason, and the lead unit the plan names (data/responsible_units.csv,
read from the plan's "责任单位" clauses; blank where the plan names none). Nothing here computes a
number of its own: every figure is the record's.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Sequence

import pandas as pd

from analysis.assess.record import gap_to_target
from analysis.assess.signals import Signal
from analysis.data import loader, schema
from analysis.data.csvfile import DataValidationError, Problem, display_path, read_text_table
from analysis.report import record_text
from analysis.report.i18n import t
from analysis.report.tables import safe_url
from analysis.report.wording import (
    date_text,
    fmt_number,
    indicator_name,
    indicator_unit_word,
    period_text,
    quantity,
    target_label,
    zh_typography,
)

UNITS_FILE = "responsible_units.csv"


UNIT_COLUMNS = ["target_id", "lead_unit_zh", "lead_unit_en", "units_zh", "source_doc", "quote"]


GROUP_ORDER = ("met", "at_risk", "on_track", "unjudged")  # the reader's order: what is done, what needs action, the rest


def read_units(data_dir: str | Path | None, target_ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """Return target id → its lead unit (zh, en) from data/responsible_units.csv ({} when the file is absent).

    A target id the targets table does not hold, or a row without a lead unit, is an error naming file, row and column.
    """
    path = Path(schema.DEFAULT_DATA_DIR if data_dir is None else data_dir) / UNITS_FILE
    if not path.exists():
        return {}
    frame = read_text_table(path, UNIT_COLUMNS)
    known = set(target_ids)
    problems = []
    for row, r in enumerate(frame.itertuples(index=False), start=2):
        if r.target_id not in known:
            problems.append(Problem(display_path(path), row, "target_id", f"unknown target {r.target_id!r} (not in targets.csv)"))
        for column in ("lead_unit_zh", "lead_unit_en"):
            if not str(getattr(r, column) or "").strip():
                problems.append(Problem(display_path(path), row, column, "empty: every row names its lead unit"))
    if problems:
        raise DataValidationError(problems)
    return {r.target_id: {"zh": r.lead_unit_zh, "en": r.lead_unit_en} for r in frame.itertuples(index=False)}


def register_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Return the register's targets: counted targets ahead (not past), in group order, then by the record's P and id."""
    rows = table[table["counted"].astype(bool) & (table["group"].fillna("") != "past")].copy()
    rows["_group"] = rows["group"].fillna("").replace("", "unjudged").where(lambda g: g.isin(GROUP_ORDER), "unjudged")
    rows["_order"] = rows["_group"].map(GROUP_ORDER.index)
    rows["_has"] = rows["latest_period"].fillna("").astype(str) != ""
    rows = rows.sort_values(["_order", "_has", "p_meet", "target_id"], ascending=[True, False, True, True], na_position="last",
                            kind="mergesort")
    return rows.reset_index(drop=True)


def gap_text(dataset: loader.Dataset, row: object, lang: str) -> str:
    """Return the gap to the target in its unit: '差15家' / '15 institutions to go', 'reached'; '' when unknown."""
    gap = gap_to_target(row)
    if pd.isna(gap):
        return ""
    if gap == 0:
        return t("register.gap_reached", lang)
    rank = record_text.is_rank(dataset, row)
    cumulative = row.target_type == "cumulative" and not pd.isna(getattr(row, "running_total", float("nan")))
    bound = str(record_text.field(row, "running_total_qualifier" if cumulative else "latest_qualifier", "") or "")
    # the standing is at least X: the gap is at most (higher is better) or at least (a rank number) what it shows
    flip = {">=": "<=", ">": "<", "<=": ">=", "<": ">"}
    sign = "" if not bound or bound == "~" else (bound if rank or row.comparator in ("<=", "<") else flip[bound])
    if rank:
        places = int(round(gap))
        words = f"{places}位" if lang == "zh" else f"{places} {'place' if places == 1 else 'places'}"
        prefix = {"": "", ">=": "≥", ">": ">", "<=": "≤", "<": "<"}[sign] if lang == "zh" else {
            "": "", ">=": "at least ", ">": "more than ", "<=": "at most ", "<": "less than "}[sign]
        return t("register.gap_to_go", lang, gap=prefix + words)
    unit = indicator_unit_word(dataset, row.indicator_id, lang)
    if unit == "%":  # a gap between two percentages is in points
        signs = {"": "", "<=": "≤", "<": "<", ">=": "≥", ">": ">"}
        points = "个百分点" if lang == "zh" else " points"
        return t("register.gap_to_go", lang, gap=f"{signs[sign]}{fmt_number(float(gap))}{points}")
    shown = quantity(float(gap) if not record_text.counts_things(dataset, row) else float(int(gap + 0.5)), unit, lang, sign)
    return t("register.gap_to_go", lang, gap=shown)


def signal_text(dataset: loader.Dataset, row: object, signal: Signal, lang: str) -> str:
    """Return one signal as the register labels it: '信号：2025年1—3月 2.57%', 'Signal: fiscal S&T growth 2024 +20.8%'."""
    own = signal.indicator_id == row.indicator_id
    what = "" if own else indicator_name(dataset, signal.indicator_id, lang) + ("" if lang == "zh" else " ")
    if signal.kind == "growth":
        value = ("+" if signal.value >= 0 else "−") + fmt_number(abs(signal.value)) + "%"
    else:
        value = quantity(signal.value, indicator_unit_word(dataset, signal.indicator_id, lang), lang, signal.qualifier)
    return t("register.signal", lang, what=what, period=period_text(signal.period, lang), value=value)


NUMBER_RUN = re.compile(r"(?:[≥≤<>~+−–]|约|at (?:least|most) )?(?:CNY )?\d[\d,.]*(?:%| ?(?:个百分点|points|million|billion)|[万亿]?[元家个人件项次位年名种])?"
                        r"(?:（[^（）]{1,6}）| \([^()]{1,6}\))?")


def numbers_kept(text: str) -> str:
    """Return escaped text whose numbers, with their sign, unit and a short bracket after them, never break across lines (避头尾)."""
    out, last = [], 0
    for m in NUMBER_RUN.finditer(text):
        out += [html.escape(text[last:m.start()]), f'<span class="nw">{html.escape(m.group(0))}</span>']
        last = m.end()
    return "".join(out) + html.escape(text[last:])


def cell(text: str, url: str = "", keep: bool = False) -> str:
    """Return escaped cell text (numbers kept whole when ``keep``), linked when ``url`` is http(s)."""
    shown = numbers_kept(text) if keep else html.escape(text)
    target = safe_url(url)
    return f'<a href="{html.escape(target, quote=True)}" rel="noopener noreferrer">{shown}</a>' if target and shown else shown


def nowrap(text: str) -> str:
    """Return escaped text that never breaks inside (a number with its unit and bracket)."""
    return f'<span class="nw">{html.escape(text)}</span>' if text else ""


def row_html(dataset: loader.Dataset, r: object, units: dict, signals: dict, sources: pd.DataFrame, targets: pd.DataFrame,
             lang: str) -> str:
    """Return one register row as HTML (every text escaped)."""
    clause = str(zh_typography(str(targets.at[r.target_id, "source_clause"]))) if r.target_id in targets.index else ""
    has_figure = bool(str(record_text.field(r, "latest_period", "") or ""))
    target = cell(target_label(dataset, r, lang), keep=True)
    if clause and has_figure:  # a target without a figure: its clause is in the annex (the briefing stays within 4 pages)
        target += f'<br><span class="clause">{html.escape(clause)}</span>'
    unit = html.escape(short_unit(units.get(r.target_id, {}).get(lang, "")))
    if not has_figure:
        missing = t("register.no_figure", lang)
        found = [signal_text(dataset, r, s, lang) for s in signals.get(r.target_id, [])]
        latest = html.escape(missing) + "".join(f'<br><span class="signal">{numbers_kept(s)}</span>' for s in found)
        return f'<tr class="nofigure"><td>{target}</td><td colspan="4">{latest}</td><td>{unit}</td></tr>'
    url = sources.at[r.source_id, "url"] if r.source_id in sources.index else ""
    latest = cell(record_text.standing(dataset, r, lang), url, keep=True)
    latest += "".join(f'<br><span class="signal">{numbers_kept(signal_text(dataset, r, s, lang))}</span>' for s in signals.get(r.target_id, []))
    recent, needed = record_text.recent_pace(dataset, r, lang), record_text.needed_pace(dataset, r, lang)
    pace = "–" if recent == needed == "–" else t("register.pace", lang, recent=recent, needed=needed)
    reason = record_text.reason(dataset, r, lang)
    status = f"<b>{html.escape(record_text.status_with_p(r, lang))}</b>" + (f"<br>{html.escape(reason)}" if reason else "")
    return (f"<tr><td>{target}</td><td>{latest}</td><td>{numbers_kept(gap_text(dataset, r, lang))}</td><td>{html.escape(pace)}</td>"
            f"<td>{status}</td><td>{unit}</td></tr>")


def short_unit(name: str) -> str:
    """Return a lead unit's name as the register prints it: 'Ningbo Municipal' left out (every unit is the city's)."""
    return re.sub(r"^Ningbo (Municipal )?", "", name)


def no_figure_row(dataset: loader.Dataset, members: pd.DataFrame, units: dict, signals: dict, lang: str) -> str:
    """Return the targets without a published figure as one compact row: each target, its signals and lead unit."""
    items = []
    for r in members.itertuples(index=False):
        lead = units.get(r.target_id, {}).get(lang, "")
        extra = [signal_text(dataset, r, s, lang) for s in signals.get(r.target_id, [])] + ([short_unit(lead)] if lead else [])
        sep = "；" if lang == "zh" else "; "
        text = target_label(dataset, r, lang) + ((f"（{sep.join(extra)}）" if lang == "zh" else f" ({sep.join(extra)})") if extra else "")
        items.append(f'<span class="item">{numbers_kept(text)}</span>')
    label = t("register.no_figure_list", lang, n=len(members))
    joined = ("、" if lang == "zh" else " · ").join(items)
    return f'<tr class="nofigure"><td colspan="6"><b>{html.escape(label)}</b>{joined}</td></tr>'


REGISTER_CSS = (  # !important: the page's generic table rules (right-aligned, keep-all) do not apply to the register
    "<style>.jp-OutputArea-output:has(table.register),.jp-RenderedHTMLCommon:has(table.register){overflow:visible!important}"
    "table.register{line-break:strict;border-collapse:collapse;width:100%;table-layout:fixed;font-size:11px;line-height:1.3}"
    "table.register th,table.register td{text-align:left!important;vertical-align:top;padding:2px 4px;border-bottom:1px solid #ddd;"
    "word-break:normal!important;overflow-wrap:break-word!important;min-width:0!important;white-space:normal}"
    "table.register col.c-target{width:27%}table.register col.c-latest{width:18%}table.register col.c-gap{width:12%}"
    "table.register col.c-pace{width:15%}table.register col.c-status{width:17%}table.register col.c-unit{width:11%}"
    "table.register tr.group th{background:#eef2f6;padding-top:3px}"
    "table.register .clause{color:#666;font-size:0.9em}table.register .signal{color:#7a4b00}"
    "table.register tr.nofigure td{color:#444;padding-top:1px;padding-bottom:1px}table.register .nw{white-space:nowrap}"
    "table.register tr{break-inside:avoid}p.table-source{font-size:0.8em;color:#555;margin-top:2px}"
    "@media print{table.register{font-size:8.5px}.jp-OutputArea-child:has(table.register){break-inside:auto!important}}</style>"
)


COLUMN_CLASSES = ("c-target", "c-latest", "c-gap", "c-pace", "c-status", "c-unit")


COLGROUP = "".join(f'<col class="{c}">' for c in COLUMN_CLASSES)


def register_html(dataset: loader.Dataset, table: pd.DataFrame, signals: dict[str, list[Signal]], units: dict[str, dict[str, str]],
                  cutoff: object, lang: str) -> str:
    """Return the risk register as one HTML table with a row per group heading, and its source line."""
    rows = register_rows(table)
    sources = dataset.sources.set_index("source_id")
    targets = dataset.targets.set_index("target_id")
    head = "".join(f"<th>{html.escape(t(k, lang))}</th>" for k in (
        "register.col_target", "register.col_latest", "register.col_gap", "register.col_pace", "register.col_status", "register.col_unit"))
    body = []
    for group in GROUP_ORDER:
        members = rows[rows["_group"] == group]
        if not len(members):
            continue
        label = t("register.count_line", lang, group=t(f"register.group.{group}", lang), n=len(members))
        body.append(f'<tr class="group"><th colspan="6">{html.escape(label)}</th></tr>')
        with_figure = members[members["_has"]]
        body += [row_html(dataset, r, units, signals, sources, targets, lang) for r in with_figure.itertuples(index=False)]
        without = members[~members["_has"]]
        if len(without):
            body.append(no_figure_row(dataset, without, units, signals, lang))
    titles = [str(targets.at[i, "source_doc_title"]) for i in rows["target_id"] if i in targets.index]
    plan = "》《".join(dict.fromkeys(x for x in titles if x and x != "nan"))
    source = t("register.source_line", lang, cutoff=date_text(cutoff, lang), plan=plan)
    return (REGISTER_CSS + f'<table class="register"><colgroup>{COLGROUP}</colgroup><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
            f'<p class="table-source">{html.escape(source)}</p>')
