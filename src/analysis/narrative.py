"""Report text and display tables: plain-language paragraphs, period helpers, escaped HTML tables.

Nothing here computes a target's status or a forecast (that is ``gap`` and ``models``): these
functions only select, label and phrase what the data layer and ``gap`` return, in zh or en.
Every table meant for HTML goes through :func:`html_table`, which escapes every cell.
"""

from __future__ import annotations

import html
import math
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from analysis import data
from analysis.i18n import t

# ---------------------------------------------------------------------------
# Periods (quarters): the helpers live in analysis.pipeline (stdlib-only import)


def briefing_dates(period: str | None, as_of: date | str | None = None) -> tuple[str, date, date, date]:
    """Return (period, first day, report date, previous quarter's last day) of a briefing.

    ``period`` None means the latest quarter completed by ``as_of`` (default today); the report
    date is the quarter's last day, or ``as_of`` when that is earlier.
    """
    from analysis import periods as pipeline  # quarter arithmetic (pipeline split)

    reference = as_of_date(as_of)
    if period is None:
        period = pipeline.latest_completed_quarter(reference + timedelta(days=1))
    start, end = pipeline.quarter_bounds(period)
    if as_of is not None:
        end = min(end, reference)
    _, previous_end = pipeline.quarter_bounds(pipeline.previous_quarter(period))
    return period, start, end, previous_end


def as_of_date(as_of: date | str | None) -> date:
    """Return the report date: ``as_of`` or today."""
    return data.to_timestamp(as_of).date()


# ---------------------------------------------------------------------------
# Labels from the data tables


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


# ---------------------------------------------------------------------------
# Escaped HTML tables


def safe_url(url: object) -> str:
    """Return the URL when it is an http(s) link, else ''."""
    text = "" if url is None or (not isinstance(url, str) and pd.isna(url)) else str(url)
    return text if re.match(r"^https?://", text) else ""


def cell_html(value: object) -> str:
    """Return one cell as escaped HTML text."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, float):
        return html.escape(fmt_number(value, 4))
    if isinstance(value, pd.Timestamp):
        return fmt_date(value)
    return html.escape(str(value))


def html_table(frame: pd.DataFrame, links: dict[str, str] | None = None, max_rows: int | None = None) -> str:
    """Render a frame as an escaped HTML table; ``links`` maps a text column to its URL column."""
    links = links or {}
    hidden = set(links.values())
    columns = [c for c in frame.columns if c not in hidden]
    shown = frame if max_rows is None else frame.head(max_rows)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = []
    for _, row in shown.iterrows():
        cells = []
        for column in columns:
            text = cell_html(row[column])
            url = safe_url(row[links[column]]) if column in links else ""
            if url:
                text = f'<a href="{html.escape(url, quote=True)}" rel="noopener noreferrer">{text or html.escape(url)}</a>'
            cells.append(f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<table class="dataframe report-table"><thead><tr>' + head + "</tr></thead><tbody>"
        + "".join(body) + "</tbody></table>"
    )


def relabel(frame: pd.DataFrame, lang: str, keys: dict[str, str] | None = None) -> pd.DataFrame:
    """Rename columns to their i18n labels (column name = label key unless ``keys`` says otherwise)."""
    keys = keys or {}
    names = {}
    for column in frame.columns:
        key = keys.get(column, column)
        try:
            names[column] = t(key, lang)
        except KeyError:
            names[column] = column
    return frame.rename(columns=names)


# ---------------------------------------------------------------------------
# Sources and observations for display


def source_rows(dataset: data.Dataset, source_ids: Iterable[str], lang: str) -> pd.DataFrame:
    """Return the cited sources (id, title, publisher, published, kind, url) sorted by id."""
    wanted = sorted({s for s in source_ids if isinstance(s, str) and s})
    rows = dataset.sources[dataset.sources["source_id"].isin(wanted)].sort_values("source_id")
    return pd.DataFrame({
        "source_id": rows["source_id"],
        "title": rows["title"],
        "publisher": rows["publisher"],
        "published": rows["published"].map(fmt_date),
        "source_kind": rows["kind"].map(lambda k: t(f"kind.{k}", lang)),
        "weak": rows["weak"].map(lambda w: t("yes", lang) if w else ""),
        "url": rows["url"],
    }).reset_index(drop=True)


def sources_html(dataset: data.Dataset, source_ids: Iterable[str], lang: str) -> str:
    """Return the cited sources as an escaped HTML table with links on titles."""
    rows = source_rows(dataset, source_ids, lang)
    if rows.empty:
        return "<p>" + html.escape(t("sources.none", lang)) + "</p>"
    return html_table(relabel(rows, lang), links={t("title", lang): "url"})


def observation_rows(dataset: data.Dataset, observations: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return observations with region, value, status and their source, ready to display."""
    joined = data.with_sources(dataset, observations)
    unit = joined["unit"] if "unit" in joined else ""
    return pd.DataFrame({
        "indicator": joined["indicator_id"].map(lambda i: indicator_name(dataset, i, lang)),
        "region": joined["region"].map(lambda r: region_name(dataset, r, lang)),
        "period": joined["period"],
        "value": [f"{q}{fmt_number(v, 6)}" for q, v in zip(joined["qualifier"], joined["value"])],
        "unit": unit,
        "obs_status": joined["status"].map(lambda s: t(f"obs.{s}", lang)),
        "published": [fmt_date(p) + ("*" if e else "") for p, e in zip(joined["published"], joined["published_estimated"])],
        "source_id": joined["source_id"],
        "title": joined["title"],
        "publisher": joined["publisher"],
        "url": joined["url"],
    }).reset_index(drop=True)


def observations_html(dataset: data.Dataset, observations: pd.DataFrame, lang: str, drop: Sequence[str] = ()) -> str:
    """Return observations with their sources as an escaped HTML table (title links to the source)."""
    rows = observation_rows(dataset, observations, lang).drop(columns=list(drop))
    return html_table(relabel(rows, lang), links={t("title", lang): "url"})


# ---------------------------------------------------------------------------
# Data audit (notebook 01)


def validation_text(data_dir: Path | str, lang: str, limit: int = 30) -> tuple[bool, str, list[str]]:
    """Validate a data directory; return (valid, one-line summary, first problems as text)."""
    tables, problems = data.validate_dir(data_dir)
    if not problems:
        counts = ", ".join(t("nb01.table_counts", lang, n=len(frame), name=name) for name, frame in tables.items())
        return True, t("nb01.valid", lang, counts=counts), []
    shown = [str(p) for p in problems[:limit]]
    return False, t("nb01.invalid", lang, n=len(problems), shown=len(shown)), shown


def coverage_matrix(dataset: data.Dataset, region: str, as_of: date | str | None, lang: str) -> pd.DataFrame:
    """Return indicator × year counts of annual values published by ``as_of`` (targeted indicators always shown)."""
    visible = data.published_by(dataset.observations, as_of)
    annual = visible[(visible["region"] == region) & visible["is_annual"]]
    targeted = set(dataset.targets.loc[dataset.targets["region"] == region, "indicator_id"])
    indicators = sorted(set(annual["indicator_id"]) | targeted)
    counts = annual.groupby(["indicator_id", "year"]).size().unstack(fill_value=0) if len(annual) else pd.DataFrame()
    years = list(range(int(annual["year"].min()), int(annual["year"].max()) + 1)) if len(annual) else []
    matrix = counts.reindex(index=indicators, columns=years, fill_value=0).fillna(0).astype(int)
    order = sorted(indicators, key=lambda i: (-int((matrix.loc[i] > 0).sum()), i))
    matrix = matrix.loc[order]
    matrix.index = [indicator_name(dataset, i, lang) for i in indicators]
    matrix.columns = [str(y) for y in years]
    return matrix


def kind_status_counts(dataset: data.Dataset, as_of: date | str | None, lang: str) -> pd.DataFrame:
    """Return the number of values by source kind (rows) and observation status (columns), with totals."""
    joined = data.with_sources(dataset, data.published_by(dataset.observations, as_of))
    if joined.empty:
        return pd.DataFrame()
    table = pd.crosstab(joined["source_kind"], joined["status"], margins=True, margins_name=t("total", lang))
    statuses = [s for s in data.STATUSES if s in table.columns] + [t("total", lang)]
    kinds = [k for k in data.SOURCE_KINDS if k in table.index] + [t("total", lang)]
    table = table.reindex(index=kinds, columns=statuses)
    table.index = [t(f"kind.{k}", lang) if k in data.SOURCE_KINDS else k for k in table.index]
    table.columns = [t(f"obs.{s}", lang) if s in data.STATUSES else s for s in table.columns]
    table.index.name = t("source_kind", lang)
    return table


def conflicts(dataset: data.Dataset, as_of: date | str | None, lang: str) -> pd.DataFrame:
    """Return every vintage of each (indicator, region, period) with more than one, marking the one used."""
    visible = data.published_by(dataset.observations, as_of)
    key = ["indicator_id", "region", "period"]
    multi = visible[visible.duplicated(key, keep=False)]
    if multi.empty:
        return pd.DataFrame()
    chosen = data.select_as_of(multi, as_of)
    used = set(zip(chosen["indicator_id"], chosen["region"], chosen["period"], chosen["source_id"], chosen["value"]))
    ordered = multi.sort_values([*key, "published", "source_id"], kind="mergesort")
    rows = observation_rows(dataset, ordered, lang)
    rows.insert(7, "preferred", [t("yes", lang) if p else "" for p in ordered["preferred"]])
    rows.insert(8, "nb01.used", [
        "✓" if (r.indicator_id, r.region, r.period, r.source_id, r.value) in used else ""
        for r in ordered.itertuples()
    ])
    return rows


def weak_sources(dataset: data.Dataset, as_of: date | str | None, lang: str) -> pd.DataFrame:
    """Return the weak sources of the values published by ``as_of``, with how many values each provides."""
    visible = data.published_by(dataset.observations, as_of)
    counts = visible.groupby("source_id").size()
    weak = dataset.sources[dataset.sources["weak"] & dataset.sources["source_id"].isin(counts.index)].sort_values("source_id")
    rows = source_rows(dataset, weak["source_id"], lang).drop(columns="weak")
    rows["nb01.n_values"] = rows["source_id"].map(counts).fillna(0).astype(int)
    rows["notes"] = rows["source_id"].map(dataset.sources.set_index("source_id")["notes"])
    return rows


# ---------------------------------------------------------------------------
# Peer comparison (notebook 06)

PEER_KINDS = ("city", "province", "country")


def shared_indicators(
    dataset: data.Dataset, as_of: date | str | None, base: str = "ningbo", kinds: Sequence[str] = PEER_KINDS,
) -> pd.DataFrame:
    """Return indicators with annual values for ``base`` and at least one comparable region: id, n_regions."""
    chosen = data.select_as_of(dataset.observations, as_of)
    comparable = set(dataset.regions.loc[dataset.regions["kind"].isin(kinds), "region_id"]) | {base}
    annual = chosen[chosen["is_annual"] & chosen["region"].isin(comparable)]
    regions = annual.groupby("indicator_id")["region"].agg(lambda s: sorted(set(s)))
    shared = regions[regions.map(lambda rs: base in rs and len(rs) > 1)]
    return pd.DataFrame({"indicator_id": shared.index, "n_regions": shared.map(len).to_numpy()}).sort_values(
        ["n_regions", "indicator_id"], ascending=[False, True], kind="mergesort").reset_index(drop=True)


def peer_latest(
    dataset: data.Dataset, indicator_id: str, as_of: date | str | None, lang: str, base: str = "ningbo",
    kinds: Sequence[str] = PEER_KINDS,
) -> pd.DataFrame:
    """Return each region's latest annual value of one indicator with its source (base region first).

    Only regions of ``kinds`` are compared (zones and city groups are not comparable to cities).
    """
    chosen = data.select_as_of(dataset.observations, as_of)
    comparable = set(dataset.regions.loc[dataset.regions["kind"].isin(kinds), "region_id"]) | {base}
    annual = chosen[chosen["is_annual"] & (chosen["indicator_id"] == indicator_id) & chosen["region"].isin(comparable)]
    latest = annual.sort_values(["region", "year"], kind="mergesort").drop_duplicates("region", keep="last")
    latest = latest.assign(_other=latest["region"] != base).sort_values(["_other", "value"], ascending=[True, False], kind="mergesort")
    latest = latest.drop(columns="_other")
    rows = observation_rows(dataset, latest, lang).drop(columns="indicator")
    rows["notes"] = latest["notes"].to_numpy()
    rows["region_id"] = latest["region"].to_numpy()
    rows["numeric_value"] = latest["value"].to_numpy()
    return rows


def peer_table_html(rows: pd.DataFrame, lang: str) -> str:
    """Return :func:`peer_latest` rows as an escaped HTML table with linked source titles."""
    shown = rows.drop(columns=["region_id", "numeric_value"])
    return html_table(relabel(shown, lang), links={t("title", lang): "url"})


def peer_chart_frame(rows: pd.DataFrame, base: str = "ningbo") -> pd.DataFrame:
    """Return the columns plots.peer_chart needs from :func:`peer_latest` rows."""
    return pd.DataFrame({
        "label": rows["region"], "value": rows["numeric_value"], "period": rows["period"],
        "highlight": rows["region_id"] == base,
    })


def shared_html(dataset: data.Dataset, shared: pd.DataFrame, lang: str) -> str:
    """Return the shared indicators (name, unit, number of regions) as an escaped HTML table."""
    frame = pd.DataFrame({
        "indicator": [indicator_name(dataset, i, lang) for i in shared["indicator_id"]],
        "unit": [indicator_unit(dataset, i) for i in shared["indicator_id"]],
        "nb06.n_regions": shared["n_regions"].to_numpy(),
    })
    return html_table(relabel(frame, lang))


def definition_notes(dataset: data.Dataset, indicator_ids: Iterable[str], lang: str) -> pd.DataFrame:
    """Return each indicator's definition and where it is published, for definitional caveats."""
    ids = list(indicator_ids)
    meta = dataset.indicators.set_index("indicator_id").reindex(ids)
    return pd.DataFrame({
        "indicator": [indicator_name(dataset, i, lang) for i in ids],
        "unit": meta["unit"].to_numpy(),
        "definition": meta["definition"].to_numpy(),
        "where_published": meta["where_published"].to_numpy(),
    })


# ---------------------------------------------------------------------------
# Targets and their status (notebooks 02-05): labels and plain-language text from gap's numbers

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


def status_display(dataset: data.Dataset, table: pd.DataFrame, lang: str, clause: bool = True) -> pd.DataFrame:
    """Return gap.status_table rows labelled for reading: names, target text, values, status words, source."""
    targets = dataset.targets.set_index("target_id")
    sources = dataset.sources.set_index("source_id")
    units = dataset.indicators.set_index("indicator_id")["unit"]
    rows = []
    for r in table.itertuples(index=False):
        unit = units.get(r.indicator_id, r.unit)
        source = sources.loc[r.source_id] if r.source_id in sources.index else None
        row = {
            "target_id": r.target_id,
            "indicator": indicator_name(dataset, r.indicator_id, lang),
            "region": region_name(dataset, r.region, lang),
            "target": target_text(r, lang),
            "target_year": int(r.target_year),
            "latest_period": r.latest_period,
            "latest_value": value_text(r.latest_value, unit, lang) if r.latest_period else "",
            "required_value": value_text(r.required_value, unit, lang) if pd.notna(r.required_value) else "",
            "progress_category": progress_label(r.progress_category, lang),
            "projected_value": value_text(r.projected_value, unit, lang) if pd.notna(r.projected_value) else "",
            "interval80": interval_text(r.lo80, r.hi80),
            "p_meet": percent_text(r.p_meet),
            "status": status_label(r.status, lang),
            "title": "" if source is None else source["title"],
            "url": "" if source is None else source["url"],
        }
        if clause:
            row["source_clause"] = targets.at[r.target_id, "source_clause"] if r.target_id in targets.index else ""
        rows.append(row)
    return pd.DataFrame(rows)


def status_html(dataset: data.Dataset, table: pd.DataFrame, lang: str, clause: bool = True) -> str:
    """Return the status table as escaped HTML, latest-value source titles linked."""
    shown = relabel(status_display(dataset, table, lang, clause), lang, {"title": "source"})
    return html_table(shown, links={t("source", lang): "url"})


def export_frame(dataset: data.Dataset, table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the dashboard table for CSV/XLSX: readable labels beside the raw numbers of gap."""
    shown = status_display(dataset, table, lang)
    numbers = table[["target_id", "target_value", "latest_value", "required_value", "gap", "progress_ratio",
                     "projected_value", "lo80", "hi80", "p_meet", "source_id", "status"]]
    merged = shown.drop(columns=["status"]).merge(numbers.rename(columns=lambda c: c if c == "target_id" else f"{c}_raw"), on="target_id")
    merged.insert(merged.columns.get_loc("p_meet") + 1, "status", shown["status"].to_numpy())
    return merged


def status_counts(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the number of targets per status, in status order."""
    from analysis import gap

    counts = table["status"].value_counts()
    present = [s for s in gap.STATUSES if s in counts.index]
    return pd.DataFrame({t("status", lang): [status_label(s, lang) for s in present], t("count", lang): [int(counts[s]) for s in present]})


def headline_sentence(table: pd.DataFrame, as_of: date | str | None, lang: str) -> str:
    """Return the briefing's one-sentence headline from the status counts."""
    status = table["status"]
    nodata = int(status.isin(DATA_GAP_STATUSES).sum())
    return t(
        "nb04.headline_sentence", lang, as_of=as_of_date(as_of).isoformat(), n=len(table), assessed=len(table) - nodata,
        good=int(status.isin(GOOD_STATUSES).sum()), bad=int(status.isin(RISK_STATUSES).sum()), nodata=nodata,
    )


def top_risks(table: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """Return the targets rated unlikely or off track, largest shortfall to the path first."""
    risky = table[table["status"].isin(RISK_STATUSES)]
    return risky.sort_values(["p_meet", "gap_pct", "target_id"], na_position="last", kind="mergesort").head(n)


def data_gaps(dataset: data.Dataset, table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the targets without enough data, with what they need and where it is published."""
    missing = table[table["status"].isin(DATA_GAP_STATUSES)]
    meta = dataset.indicators.set_index("indicator_id")
    return pd.DataFrame({
        "indicator": [indicator_name(dataset, i, lang) for i in missing["indicator_id"]],
        "region": [region_name(dataset, r, lang) for r in missing["region"]],
        "target": [target_text(r, lang) for r in missing.itertuples(index=False)],
        "status": [status_label(s, lang) for s in missing["status"]],
        "n_years": missing["n_obs"].astype(int).to_numpy(),
        "unit": [meta.at[i, "unit"] if i in meta.index else "" for i in missing["indicator_id"]],
        "where_published": [
            (meta.at[i, "where_published"] if i in meta.index and meta.at[i, "where_published"] else t("not_identified", lang))
            for i in missing["indicator_id"]
        ],
    })


def new_data_display(dataset: data.Dataset, new: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return gap.what_changed new observations labelled for reading."""
    return pd.DataFrame({
        "published": new["published"].map(fmt_date),
        "indicator": [indicator_name(dataset, i, lang) for i in new["indicator_id"]],
        "region": [region_name(dataset, r, lang) for r in new["region"]],
        "period": new["period"],
        "value": [value_text(v, u, lang) for v, u in zip(new["value"], new["unit"])],
        "obs_status": [t(f"obs.{s}", lang) for s in new["status"]],
        "title": new["title"],
        "url": new["url"],
    })


def changes_display(dataset: data.Dataset, changed: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return gap.what_changed changed targets labelled for reading (before → after)."""
    targets = dataset.targets.set_index("target_id")
    return pd.DataFrame({
        "indicator": [indicator_name(dataset, i, lang) for i in changed["indicator_id"]],
        "target": [target_text(targets.loc[tid].rename(tid).to_frame().T.assign(target_id=tid).itertuples(index=False).__next__(), lang)
                   if tid in targets.index else tid for tid in changed["target_id"]],
        "nb04.before": [f"{status_label(s, lang)} {percent_text(p)}".strip() for s, p in zip(changed["status_before"].fillna(""), changed["p_meet_before"])],
        "nb04.after": [f"{status_label(s, lang)} {percent_text(p)}".strip() for s, p in zip(changed["status_after"].fillna(""), changed["p_meet_after"])],
    })


def headline_panels(dataset: data.Dataset, table: pd.DataFrame, as_of: date | str | None, lang: str, limit: int = 6) -> list[dict]:
    """Return small-multiple panels for the Ningbo targets with the longest series (one per indicator)."""
    candidates = table[(table["region"] == "ningbo") & (table["n_obs"] >= 3)]
    candidates = candidates.sort_values(["n_obs", "target_id"], ascending=[False, True], kind="mergesort")
    candidates = candidates.drop_duplicates("indicator_id").head(limit).sort_values("target_id", kind="mergesort")
    panels = []
    for r in candidates.itertuples(index=False):
        series = data.annual_series(dataset, r.indicator_id, r.region, as_of)
        target = (int(r.target_year), float(r.target_value)) if r.target_type in ("level", "rank") else None
        title = f"{indicator_name(dataset, r.indicator_id, lang)} ({indicator_unit(dataset, r.indicator_id)})"
        panels.append({"title": title, "series": series, "target": target, "invert": r.comparator in ("<=", "<")})
    return panels


def progress_frame(dataset: data.Dataset, table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return, per assessed level/rank/cumulative target, the current and required value as % of the target.

    Current = required + gap (the level, or the cumulative sum to date); lower-is-better targets use
    target ÷ value so that 100 % always means 'meets the target'. Average-growth targets are left out
    until gap exposes their implied target level.
    """
    rows = []
    for r in table.itertuples(index=False):
        if r.target_type == "avg_growth" or not r.latest_period or pd.isna(r.target_value) or r.target_value == 0:
            continue
        current = r.required_value + r.gap if pd.notna(r.gap) else r.latest_value
        higher = r.comparator in (">=", ">")
        latest_pct = 100 * current / r.target_value if higher else (100 * r.target_value / current if current else math.nan)
        required = r.required_value
        required_pct = (100 * required / r.target_value if higher else 100 * r.target_value / required) if pd.notna(required) and required else math.nan
        label = f"{indicator_name(dataset, r.indicator_id, lang)} {target_text(r, lang)} ({r.target_year})"
        if r.region != "ningbo":
            label = f"{region_name(dataset, r.region, lang)}: {label}"
        rows.append({"label": label, "latest_pct": latest_pct, "required_pct": required_pct, "status": r.status})
    frame = pd.DataFrame(rows, columns=["label", "latest_pct", "required_pct", "status"])
    return frame.drop_duplicates("label", keep="first").reset_index(drop=True)


def cited_source_ids(*frames: pd.DataFrame) -> list[str]:
    """Return the sorted source ids found in the ``source_id`` column of the frames."""
    ids: set[str] = set()
    for frame in frames:
        if frame is not None and "source_id" in frame:
            ids |= {s for s in frame["source_id"] if isinstance(s, str) and s}
    return sorted(ids)


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


# ---------------------------------------------------------------------------
# One target's projection (notebook 02)


def target_observations(dataset: data.Dataset, assessment: object, as_of: date | str | None) -> pd.DataFrame:
    """Return the annual observations an assessment used (one vintage per year), sorted by year."""
    chosen = data.select_as_of(dataset.observations, as_of)
    rows = chosen[(chosen["indicator_id"] == assessment.indicator_id) & (chosen["region"] == assessment.region) & chosen["is_annual"]]
    return rows.sort_values("year", kind="mergesort").reset_index(drop=True)


def required_path(dataset: data.Dataset, assessment: object) -> pd.Series:
    """Return the required path base year → target year of a level/rank/avg-growth assessment (empty otherwise)."""
    from analysis import gap

    a = assessment
    if a.target_type == "cumulative" or a.base_year_used is None or pd.isna(a.base_value) or pd.isna(a.target_level):
        return pd.Series(dtype=float)
    form = "geometric" if a.target_type == "avg_growth" else str(dataset.indicator(a.indicator_id)["growth_form"])
    years = range(int(a.base_year_used), int(a.target_year) + 1)
    return pd.Series([gap.required_at(y, int(a.base_year_used), a.base_value, a.target_year, a.target_level, form) for y in years],
                     index=list(years), dtype=float)


def fan_inputs(dataset: data.Dataset, assessment: object) -> dict:
    """Return the keyword arguments of plots.fan_chart for one assessment (bands cut at the target year)."""
    from analysis import plots

    a = assessment
    history = a.history if a.history is not None else pd.Series(dtype=float)
    bands = None
    if a.forecast is not None:
        bands = plots.forecast_bands(a.forecast)
        bands = bands[bands.index <= a.target_year]
    target = None if a.target_type == "cumulative" or pd.isna(a.target_level) else (int(a.target_year), float(a.target_level))
    return {"history": history, "bands": bands, "required": required_path(dataset, a), "target": target}


def backtest_result(dataset: data.Dataset, assessment: object, lang: str) -> tuple[pd.DataFrame | None, str]:
    """Return (backtest table, '') or (None, reason) for an assessment's history."""
    from analysis import gap

    try:
        from analysis import backtest
    except ImportError as err:  # the backtest module is optional for the rest of the report
        return None, t("nb02.backtest_none", lang, reason=str(err))
    history = assessment.history
    if history is None or len(history) < 4:
        return None, t("nb02.backtest_none", lang, reason=t("para.insufficient", lang, name=indicator_name(dataset, assessment.indicator_id, lang), n=0 if history is None else len(history)))
    try:
        table = backtest.backtest_table(history, bounds=gap.bounds_of(dataset.indicator(assessment.indicator_id)))
    except ValueError as err:
        return None, t("nb02.backtest_none", lang, reason=str(err))
    return table, ""


# ---------------------------------------------------------------------------
# Exports (notebook 03): CSV and XLSX, byte-identical for identical input

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FIXED_DOC_TIME = "2000-01-01T00:00:00Z"


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a frame as UTF-8 CSV with LF line ends."""
    path.write_text(frame.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    return path


def write_xlsx(frame: pd.DataFrame, path: Path, sheet: str = "dashboard") -> Path:
    """Write a frame as XLSX (openpyxl) with fixed document and zip timestamps (reproducible bytes)."""
    import io
    import zipfile
    from datetime import datetime

    from openpyxl import Workbook

    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    worksheet.append([str(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        worksheet.append([None if (not isinstance(v, str) and pd.isna(v)) else (v.item() if hasattr(v, "item") else v) for v in row])
    fixed = datetime(2000, 1, 1)
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    workbook.properties.creator = "analysis"
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(<)", rb"\g<1>" + FIXED_DOC_TIME.encode() + rb"\g<3>", content)
            fixed_info = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed_info.compress_type = zipfile.ZIP_DEFLATED
            fixed_info.external_attr = 0o600 << 16
            target.writestr(fixed_info, content)
    path.write_bytes(out.getvalue())
    return path


def write_dashboard(frame: pd.DataFrame, output_dir: Path | str, lang: str) -> list[Path]:
    """Write dashboard.<lang>.csv and dashboard.<lang>.xlsx into ``output_dir``; return the paths."""
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return [write_csv(frame, folder / f"dashboard.{lang}.csv"), write_xlsx(frame, folder / f"dashboard.{lang}.xlsx")]


# ---------------------------------------------------------------------------
# Retrospective (notebook 05)


def targets_for_year(dataset: data.Dataset, year: int) -> list[str]:
    """Return the ids of every target whose target year is ``year`` (sorted)."""
    targets = dataset.targets
    return sorted(targets.loc[targets["target_year"] == year, "target_id"])


def outcome(assessment: object) -> tuple[float, bool | None]:
    """Return (target-year value, met?) when the target year is observed or bracketed; (nan, None) otherwise."""
    a = assessment
    observed = a.history is not None and a.target_year in a.history.index
    if a.status == "met" or (pd.notna(a.p_meet) and a.forecast is None and pd.notna(a.projected_value) and a.p_meet in (0.0, 1.0)):
        return float(a.projected_value), bool(a.p_meet == 1.0) if pd.notna(a.p_meet) else True
    if observed:
        return float(a.history[a.target_year]), None
    return math.nan, None


def retrospective(dataset: data.Dataset, target_ids: Sequence[str], then: Sequence[str], now: date | str | None, lang: str) -> pd.DataFrame:
    """Return per target: the outcome as of ``now`` and what the method said on each date in ``then``."""
    from analysis import gap

    rows = []
    for target_id in target_ids:
        final = gap.assess(dataset, target_id, now)
        value, met = outcome(final)
        unit = indicator_unit(dataset, final.indicator_id)
        row = {
            "target_id": target_id,
            "indicator": indicator_name(dataset, final.indicator_id, lang),
            "region": region_name(dataset, final.region, lang),
            "target": target_text(final, lang),
            "nb05.outcome_col": value_text(value, unit, lang) if pd.notna(value) else "",
            "nb05.verdict": "" if met is None else status_label("met", lang) if met else status_label("off_track", lang),
        }
        for day in then:
            past = gap.assess(dataset, target_id, day)
            said = status_label(past.status, lang)
            if pd.notna(past.p_meet):
                said += f" ({t('p_meet', lang)} {percent_text(past.p_meet)})"
            if pd.notna(past.projected_value) and past.forecast is not None:
                said += f"; {t('projected_value', lang)} {value_text(past.projected_value, unit, lang)} [{interval_text(past.lo80, past.hi80)}]"
            row[f"{t('nb05.as_of_col', lang)} {day}"] = said
            row[f"_p_{day}"] = past.p_meet
        row["_met"] = met
        rows.append(row)
    return pd.DataFrame(rows)


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
