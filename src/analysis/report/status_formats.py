"""The status table as text, CSV and JSON (the `status` command's formats) and the `coverage` command's text.

By default the text fits a terminal (terminal.WIDTH columns, wide characters counted as two): targets
by name with units, in the chosen language. ``wide`` prints every column with ids, as before.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from analysis.assess import rules
from analysis.assess.record import OUTPUT_COLUMNS
from analysis.assess.rules import fmt_num
from analysis.assess.statuses import headline_counts
from analysis.report import terminal

SIG_DIGITS = 4  # derived values in csv/json


SIG_COLUMNS = ("required_value", "gap", "projected_value", "lo80", "hi80", "lo95", "hi95")


DECIMALS = {"gap_pct": 1, "progress_ratio": 3, "p_meet": 3}


def round_sig(x: float, digits: int = SIG_DIGITS) -> float:
    """Round a number to significant digits for output (NaN stays NaN)."""
    return rules.round_sig(x, digits)


def rounded(table: pd.DataFrame) -> pd.DataFrame:
    """Round derived numbers for output: values to 4 significant digits, ratios and P to decimals."""
    out = table.copy()
    for column in SIG_COLUMNS:
        if column in out:
            out[column] = out[column].map(round_sig).astype(float)
    for column, decimals in DECIMALS.items():
        if column in out:
            out[column] = out[column].round(decimals)
    return out


def plain(value: Any) -> Any:
    """Return a JSON-ready Python value (NaN/NA -> None, numpy -> int/float)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return int(value) if float(value).is_integer() and abs(value) < 1e15 else float(value)
    return value


def render_cells(cells: list[str], widths: list[int]) -> str:
    """Return one fixed-width line of left-aligned cells."""
    return "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()


def text_table(table: pd.DataFrame) -> str:
    """Return a readable fixed-width text table of the main columns."""
    headers = ["target_id", "year", "target", "latest", "progress", "R", "projected", "P(meet)", "status", "why"]
    lines = []
    for r in table.itertuples(index=False):
        latest = f"{r.latest_period}: {fmt_num(r.latest_value)}" if r.latest_period else "-"
        comparator = "~" if getattr(r, "about", False) else r.comparator
        suffix = "%/yr" if r.target_type == "avg_growth" else ("/yr" if getattr(r, "per_year", False) else "")
        qualifier = getattr(r, "latest_qualifier", "") or ""
        latest = f"{r.latest_period}: {qualifier}{fmt_num(r.latest_value)}" if r.latest_period else "-"
        lines.append([
            r.target_id, str(r.target_year), f"{comparator}{fmt_num(r.target_value)}{suffix}",
            latest, r.progress_category, "" if pd.isna(r.progress_ratio) else f"{r.progress_ratio:.2f}",
            fmt_num(r.projected_value), "" if pd.isna(r.p_meet) else f"{r.p_meet:.2f}", r.status, why(r),
        ])
    widths = [max([len(h)] + [len(line[i]) for line in lines]) for i, h in enumerate(headers)]
    out = [render_cells(headers, widths), render_cells(["-" * w for w in widths], widths)]
    out += [render_cells(line, widths) for line in lines]
    out.append("")
    out += headline_counts(table)
    return "\n".join(out) + "\n"


def why(row: Any) -> str:
    """Return the short flags of a row for the text table: story code, estimated base, interpolated years, duplicate."""
    parts = [getattr(row, "story", "") or ""]
    if getattr(row, "base_estimated", False) and parts[0] != "base_estimated":
        parts.append("base_estimated")
    if getattr(row, "interpolated_years", ""):
        parts.append(f"interpolated {row.interpolated_years}")
    if getattr(row, "duplicate_of", ""):
        parts.append(f"= {row.duplicate_of}")
    return "; ".join(p for p in parts if p)


def status_rows(dataset: Any, table: pd.DataFrame, lang: str) -> tuple[list[str], list[list[str]]]:
    """Return the terminal status table: target by name (with unit and year), latest figure (year), status (P); projections in --wide."""
    from analysis.report import record_text
    from analysis.report.i18n import t
    from analysis.report.wording import target_label

    headers = [t("brief.col_target", lang), t("brief.col_latest", lang), t("brief.col_status", lang)]
    rows = [[target_label(dataset, r, lang), record_text.standing(dataset, r, lang) or "–", record_text.status_with_p(r, lang)]
            for r in table.itertuples(index=False)]
    return headers, rows


def counts_lines(table: pd.DataFrame, lang: str) -> list[str]:
    """Return the headline counts in words: targets ahead and past targets by status, each target counted once."""
    from analysis.assess.statuses import counted_once
    from analysis.report.i18n import t
    from analysis.report.wording import status_label

    once = counted_once(table)
    kinds = once["horizon_kind"] if "horizon_kind" in once else pd.Series("future", index=once.index)
    lines = []
    for kind in ("future", "past"):
        part = once[kinds == kind]
        if part.empty:
            continue
        counts = part["status"].value_counts()
        words = ("，" if lang == "zh" else ", ").join(f"{status_label(s, lang)} {int(counts[s])}" for s in rules.ALL_STATUSES if s in counts)
        lines.append(t(f"cli.counts_{kind}", lang, n=len(part), with_p=int(part["p_meet"].notna().sum()), counts=words))
    return lines


def terminal_status(dataset: Any, table: pd.DataFrame, lang: str, width: int = terminal.WIDTH) -> str:
    """Return the status table for a terminal: every line at most ``width`` columns, names and units, in ``lang``."""
    headers, rows = status_rows(dataset, table, lang)
    if not rows:
        from analysis.report.i18n import t

        return t("cli.no_targets", lang) + "\n"
    lines = terminal.table_lines(headers, rows, width) + [""]
    lines += [line for text in counts_lines(table, lang) for line in terminal.wrapped_lines(text, width)]
    return "\n".join(lines) + "\n"


def format_status(table: pd.DataFrame, fmt: str = "table", dataset: Any = None, lang: str = "en", wide: bool = False) -> str:
    """Return the status table as text: 'table' (fits a terminal; every column with ``wide`` or without a dataset), 'csv' or 'json'."""
    if fmt == "table":
        return text_table(table) if wide or dataset is None else terminal_status(dataset, table, lang)
    columns = OUTPUT_COLUMNS
    out = rounded(table)[columns]
    if fmt == "csv":
        return out.to_csv(index=False, lineterminator="\n")
    if fmt == "json":
        records = [{c: plain(v) for c, v in zip(columns, row)} for row in out.itertuples(index=False)]
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    raise ValueError(f"unknown format {fmt!r} (use table, csv or json)")


def coverage_wide(table: pd.DataFrame, region: str) -> str:
    """Return the coverage as before: every column with ids, and where each missing figure is published."""
    with_data, without = table[table["n_years"] > 0], table[table["n_years"] == 0]
    shown = with_data[["target_id", "region", "indicator_id", "years", "latest_period", "latest_shown", "latest_status", "source_id"]]
    out = []
    if len(with_data):
        out.append(shown.rename(columns={"latest_shown": "latest", "latest_status": "status"}).to_string(index=False) + "\n")
    out.append(f"{len(with_data)} of {len(table)} targets have data (region: {region}).")
    if len(without):
        out.append(f"No data for {len(without)} targets (where the figures are published):")
        out += [f"  {r.target_id} [{r.indicator_id}]: {r.where_published or 'publication not yet identified'}" for r in without.itertuples()]
    return "\n".join(out) + "\n"


def coverage_latest(dataset: Any, row: Any, lang: str) -> str:
    """Return a coverage row's latest figure with its unit, year and what it is: '3.08% (2024)', '约7,000家（2023年，预计）'."""
    from analysis.report.record_text import with_year
    from analysis.report.wording import indicator_unit, indicator_unit_word, quantity

    unit = indicator_unit_word(dataset, row.indicator_id, lang)
    value = quantity(row.latest_value, unit, lang, str(row.latest_qualifier or ""), indicator_unit(dataset, row.indicator_id) == "rank")
    return with_year(value, row.latest_period, lang, kind=str(row.latest_status or ""))


def coverage_text(dataset: Any, table: pd.DataFrame, region: str, lang: str = "en", wide: bool = False,
                  width: int = terminal.WIDTH) -> str:
    """Return the `coverage` output: targets by name with years and latest figure, then where missing figures are published."""
    if wide:
        return coverage_wide(table, region)
    from analysis.report.i18n import t
    from analysis.report.wording import region_name, target_label

    targets = {r.target_id: r for r in dataset.targets.itertuples(index=False)}
    with_data, without = table[table["n_years"] > 0], table[table["n_years"] == 0]
    place = t("cli.all_regions", lang) if region in ("all", "", None) else region_name(dataset, region, lang)
    lines = []
    if len(with_data):
        rows = [[target_label(dataset, targets[r.target_id], lang), r.years, coverage_latest(dataset, r, lang)]
                for r in with_data.itertuples(index=False)]
        headers = [t("brief.col_target", lang), t("cli.col_years", lang), t("brief.col_latest", lang)]
        lines += terminal.table_lines(headers, rows, width) + [""]
    lines += terminal.wrapped_lines(t("cli.coverage_summary", lang, n=len(with_data), total=len(table), region=place), width)
    if len(without):
        lines += terminal.wrapped_lines(t("cli.coverage_without", lang, n=len(without)), width)
        for r in without.itertuples(index=False):
            where = r.where_published or t("not_identified", lang)
            label = target_label(dataset, targets[r.target_id], lang)
            lines += terminal.wrapped_lines(f"{label}{'：' if lang == 'zh' else ': '}{where}", width, indent="  ")
    return "\n".join(lines) + "\n"
