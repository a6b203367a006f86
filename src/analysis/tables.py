"""Reader tables: data selected and labelled for display, rendered as escaped HTML by pandas' Styler.

Every table meant for a page goes through :func:`html_table` (pandas ``Styler``, already in the
lock through pandas and Jinja2): every cell escaped, links only for http(s) URLs, numbers
right-aligned, headers never broken inside a word, and a fixed table id so that reruns give the
same bytes.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
from datetime import date
from typing import Iterable, Sequence

import pandas as pd

from analysis import data
from analysis.i18n import t
from analysis.text import (
    DATA_GAP_STATUSES, RISK_STATUSES, fmt_date, fmt_number, indicator_name, indicator_unit, interval_text,
    percent_text, progress_label, region_name, status_label, target_text, value_text,
)

# Headers wrap between words only (CJK headers between characters is fine: keep-all keeps them whole).
TABLE_CSS = [
    {"selector": "", "props": "border-collapse: collapse; font-size: 0.9em; width: 100%; table-layout: auto;"},
    {"selector": "th", "props": "word-break: keep-all; overflow-wrap: normal; hyphens: none; text-align: left; vertical-align: bottom; padding: 2px 6px;"},
    {"selector": "td", "props": "text-align: left; word-break: normal; overflow-wrap: normal; hyphens: none; vertical-align: top; padding: 2px 6px;"},
    {"selector": "td.col0", "props": "width: 30%; min-width: 12em;"},
    {"selector": "th.col0", "props": "width: 30%;"},
    {"selector": "td.num", "props": "text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums;"},
]
NUMBER_PATTERN = re.compile(r"^[–\-+≥≤<>~约about ]*[\d.,]+\s*(%|‰)?$")


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


def is_number_text(value: object) -> bool:
    """Return whether a cell shows a number (right-aligned in tables)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    return isinstance(value, str) and bool(NUMBER_PATTERN.match(value.strip()))


def numeric_columns(frame: pd.DataFrame) -> list[str]:
    """Return the columns whose non-empty cells are all numbers (or number texts)."""
    columns = []
    for column in frame.columns:
        cells = [v for v in frame[column] if not (v is None or (not isinstance(v, str) and pd.isna(v)) or v == "")]
        if cells and all(is_number_text(v) for v in cells):
            columns.append(column)
    return columns


def link_html(text: object, url: object) -> str:
    """Return escaped cell text, linked when ``url`` is an http(s) URL."""
    shown = cell_html(text)
    target = safe_url(url)
    if not target:
        return shown
    return f'<a href="{html.escape(target, quote=True)}" rel="noopener noreferrer">{shown or html.escape(target)}</a>'


def table_uuid(frame: pd.DataFrame, key: str = "") -> str:
    """Return a short id fixed by the table's columns and ``key`` (same table, same bytes)."""
    digest = hashlib.sha1(("\x1f".join(map(str, frame.columns)) + "\x1e" + key).encode("utf-8")).hexdigest()
    return digest[:10]


KEEP_TOGETHER_CSS = [
    {"selector": "td:not(.col0)", "props": "word-break: keep-all;"},
    {"selector": "", "props": "font-size: 0.8em;"},  # unbreakable values need the room: the table stays within A4
]


def styler(frame: pd.DataFrame, links: dict[str, str] | None = None, max_rows: int | None = None, key: str = "",
           keep_together: bool = False):
    """Return a pandas Styler of ``frame``: escaped cells, http(s) links, numbers right-aligned, no index.

    ``keep_together``: cells after the first break only at spaces and punctuation, never inside a
    run such as "+0.08个百分点" or "2023年" (for short value cells; long texts need normal breaking).
    """
    links = links or {}
    hidden = set(links.values())
    shown = (frame if max_rows is None else frame.head(max_rows)).reset_index(drop=True)
    cells = pd.DataFrame({
        column: [link_html(v, shown.at[i, links[column]]) if column in links else cell_html(v) for i, v in enumerate(shown[column])]
        for column in shown.columns if column not in hidden
    }, columns=[c for c in shown.columns if c not in hidden])
    numbers = set(numeric_columns(shown[[c for c in shown.columns if c not in hidden]]))
    from pandas.io.formats.style import Styler

    style = Styler(cells, cell_ids=False).hide(axis="index").set_uuid(table_uuid(cells, key)).set_table_attributes('class="dataframe report-table"')
    style = style.format(lambda v: v, escape=None)  # cells are escaped above (links need raw <a>)
    style = style.set_table_styles(TABLE_CSS + (KEEP_TOGETHER_CSS if keep_together else []), overwrite=True)
    positions = [i for i, c in enumerate(cells.columns) if c in numbers]
    if positions:
        style = style.set_td_classes(pd.DataFrame(
            [["num" if j in positions else "" for j in range(len(cells.columns))] for _ in range(len(cells))],
            index=cells.index, columns=cells.columns))
        style = style.set_table_styles(
            {cells.columns[j]: [{"selector": "th.col_heading", "props": "text-align: right;"}] for j in positions}, overwrite=False)
    return style


def html_table(frame: pd.DataFrame, links: dict[str, str] | None = None, max_rows: int | None = None, key: str = "") -> str:
    """Render a frame as an escaped HTML table (Styler); ``links`` maps a text column to its URL column."""
    return styler(frame, links, max_rows, key).to_html(doctype_html=False)


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
    rows = observation_rows(dataset, latest, lang).drop(columns="indicator")  # no notes: they are curation notes
    rows["region_id"] = latest["region"].to_numpy()
    rows["numeric_value"] = latest["value"].to_numpy()
    return rows


def peer_table_html(rows: pd.DataFrame, lang: str) -> str:
    """Return :func:`peer_latest` rows as an escaped HTML table with linked source titles."""
    shown = rows.drop(columns=["region_id", "numeric_value"])
    return html_table(relabel(shown, lang), links={t("title", lang): "url"})


def shared_html(dataset: data.Dataset, shared: pd.DataFrame, lang: str) -> str:
    """Return the shared indicators (name, unit, number of regions) as an escaped HTML table."""
    frame = pd.DataFrame({
        "indicator": [indicator_name(dataset, i, lang) for i in shared["indicator_id"]],
        "unit": [indicator_unit(dataset, i) for i in shared["indicator_id"]],
        "nb06.n_regions": shared["n_regions"].to_numpy(),
    })
    return html_table(relabel(frame, lang))


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


def status_counts(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the number of targets per status, in status order."""
    from analysis import gap

    counts = table["status"].value_counts()
    present = [s for s in gap.STATUSES if s in counts.index]
    return pd.DataFrame({t("status", lang): [status_label(s, lang) for s in present], t("count", lang): [int(counts[s]) for s in present]})


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


def cited_source_ids(*frames: pd.DataFrame) -> list[str]:
    """Return the sorted source ids found in the ``source_id`` column of the frames."""
    ids: set[str] = set()
    for frame in frames:
        if frame is not None and "source_id" in frame:
            ids |= {s for s in frame["source_id"] if isinstance(s, str) and s}
    return sorted(ids)


def target_observations(dataset: data.Dataset, assessment: object, as_of: date | str | None) -> pd.DataFrame:
    """Return the annual observations an assessment used (one vintage per year), sorted by year."""
    chosen = data.select_as_of(dataset.observations, as_of)
    rows = chosen[(chosen["indicator_id"] == assessment.indicator_id) & (chosen["region"] == assessment.region) & chosen["is_annual"]]
    return rows.sort_values("year", kind="mergesort").reset_index(drop=True)


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


# ---------------------------------------------------------------------------
# The briefing's tables (at most 7 columns, names not ids)

from analysis.text import (  # noqa: E402  (briefing helpers, kept apart from the generic ones above)
    column, counted_targets, indicator_unit_word, pace_per_year, projection_text, quantity, signed, target_label, year_text,
)

HEADLINE_LIMIT = 8


def read_table(path) -> pd.DataFrame:
    """Read a small configuration table (UTF-8 with or without BOM, any line ends) as text."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def release_calendar(data_dir=None) -> pd.DataFrame:
    """Return data/release_calendar.csv: who publishes which indicators, and in which month."""
    from pathlib import Path

    folder = Path(data.DEFAULT_DATA_DIR if data_dir is None else data_dir)
    path = folder / "release_calendar.csv"
    if not path.exists():
        return pd.DataFrame(columns=["publisher_id", "publisher_zh", "publisher_en", "publication_zh", "publication_en",
                                     "indicator_ids", "frequency", "usual_month", "evidence_source_id", "evidence_url", "notes"])
    return read_table(path)


def indicator_themes(data_dir=None) -> dict[str, str]:
    """Return indicator id → theme code from data/indicator_themes.csv ('other' when unlisted)."""
    from pathlib import Path

    path = Path(data.DEFAULT_DATA_DIR if data_dir is None else data_dir) / "indicator_themes.csv"
    return dict(zip(*read_table(path)[["indicator_id", "theme"]].T.values)) if path.exists() else {}


def milestone_of(dataset: data.Dataset, row: object, as_of_year: int) -> tuple[float, float]:
    """Return (year, value) of the city's latest milestone for a target's indicator, from gap's columns or Dataset.milestones."""
    year, value = column(row, "milestone_year", math.nan), column(row, "milestone_value", math.nan)
    if pd.notna(value):
        return year, value
    milestones = getattr(dataset, "milestones", None)
    if milestones is None or len(milestones) == 0:
        return math.nan, math.nan
    rows = milestones[(milestones["indicator_id"] == row.indicator_id) & (milestones["region"] == row.region)]
    rows = rows[pd.to_numeric(rows["year"], errors="coerce") <= max(as_of_year, int(row.latest_period or 0) + 1)]
    if rows.empty:
        return math.nan, math.nan
    last = rows.assign(_y=pd.to_numeric(rows["year"])).sort_values("_y", kind="mergesort").iloc[-1]
    return int(last["_y"]), float(last["value"])


def headline_targets(table: pd.DataFrame, as_of) -> pd.DataFrame:
    """Return the scorecard's targets: counted future targets with a value, one per indicator, best-documented first."""
    rows = counted_targets(table, as_of)
    rows = rows[rows["latest_period"].astype(str) != ""]
    rows = rows.assign(_judged=rows["p_meet"].notna()).sort_values(["_judged", "n_obs", "target_id"], ascending=[False, False, True], kind="mergesort")
    return rows.drop_duplicates("indicator_id").head(HEADLINE_LIMIT).drop(columns="_judged")


def recent_and_needed(dataset: data.Dataset, row: object, as_of) -> tuple[float, float]:
    """Return (recent change a year, change a year needed to reach the target) in the target's own terms."""
    series = data.annual_series(dataset, row.indicator_id, row.region, as_of)
    if series.empty or not row.latest_period:
        return math.nan, math.nan
    latest_year = int(row.latest_period)
    years_left = int(row.target_year) - latest_year
    if row.target_type == "avg_growth":
        clean = series.dropna().sort_index()
        recent = clean[clean.index >= latest_year - 3]
        span = int(recent.index.max()) - int(recent.index.min()) if len(recent) > 1 else 0
        growth = 100 * ((recent.iloc[-1] / recent.iloc[0]) ** (1 / span) - 1) if span and recent.iloc[0] > 0 else math.nan
        return growth, float(row.target_value)
    if row.target_type == "cumulative":
        done = row.required_value + row.gap if pd.notna(row.gap) else math.nan
        recent = float(series.dropna().sort_index().tail(3).mean())
        return recent, (row.target_value - done) / years_left if years_left > 0 and pd.notna(done) else math.nan
    return pace_per_year(series), (row.target_value - row.latest_value) / years_left if years_left > 0 else math.nan


def scorecard(dataset: data.Dataset, table: pd.DataFrame, as_of, lang: str) -> pd.DataFrame:
    """Return the headline scorecard: target, latest value (year, status of the figure), pace, milestone, status."""
    from analysis.text import as_of_date, latest_status

    year = as_of_date(as_of).year
    rows = []
    for r in headline_targets(table, as_of).itertuples(index=False):
        rank = r.target_type == "rank"
        unit_text = indicator_unit_word(dataset, r.indicator_id, lang)
        recent, needed = recent_and_needed(dataset, r, as_of)
        pace_unit = "%" if r.target_type == "avg_growth" else unit_text
        whole = indicator_kind(dataset, r.indicator_id) == "count"
        m_year, m_value = milestone_of(dataset, r, year)
        status = status_label(r.status, lang)
        if pd.notna(r.p_meet):
            status += f"（{percent_text(r.p_meet)}）" if lang == "zh" else f" ({percent_text(r.p_meet)})"
        rows.append({
            "brief.col_target": target_label(dataset, r, lang),
            "brief.col_latest": f"{quantity(r.latest_value, unit_text, lang, column(r, 'latest_qualifier', ''), rank)}" + (
                f"（{year_text(r.latest_period, lang)}）" if lang == "zh" else f" ({r.latest_period})"),
            "brief.col_figure": t(f"obs.{latest_status(dataset, r, as_of)}", lang),
            "brief.col_recent": growth_text(recent, lang) if r.target_type == "avg_growth" else signed(recent, pace_unit, lang, rank, whole),
            "brief.col_needed": needed_text(needed, r, pace_unit, lang, whole),
            "brief.col_milestone": "" if pd.isna(m_value) else quantity(m_value, unit_text, lang, "", rank) + (
                f"（{int(m_year)}年）" if lang == "zh" else f" ({int(m_year)})"),
            "brief.col_status": status,
        })
    frame = pd.DataFrame(rows)
    if len(frame) and (frame["brief.col_milestone"] == "").all():
        frame = frame.drop(columns="brief.col_milestone")
    return relabel(frame, lang)


def needed_text(needed: float, row: object, unit_text: str, lang: str, whole: bool = False) -> str:
    """Return the pace a target still needs ('reached' when the latest value already meets it)."""
    if row.target_type == "avg_growth":
        return growth_text(needed, lang)
    higher = row.comparator in (">=", ">")
    if pd.notna(needed) and ((needed <= 0) if higher else (needed >= 0)):
        return t("brief.reached", lang)
    return signed(needed, unit_text, lang, row.target_type == "rank", whole)


def indicator_kind(dataset: data.Dataset, indicator_id: str) -> str:
    """Return an indicator's kind (count, amount, share, ratio, rate, rank) from indicators.csv."""
    rows = dataset.indicators[dataset.indicators["indicator_id"] == indicator_id]
    return str(rows.iloc[0]["kind"]) if len(rows) else ""


def growth_text(value: float, lang: str) -> str:
    """Return a growth rate a year: '+20.8%/yr' / '年均+20.8%'."""
    if value is None or pd.isna(value):
        return "–"
    return f"年均{'+' if value >= 0 else '−'}{fmt_number(abs(value))}%" if lang == "zh" else f"{'+' if value >= 0 else '−'}{fmt_number(abs(value))}% a year"


def new_figures(dataset: data.Dataset, new: pd.DataFrame, previous_end, lang: str) -> pd.DataFrame:
    """Return the figures published this quarter: indicator, period, old → new value, status of the figure, source."""
    before = data.select_as_of(dataset.observations, previous_end)
    old = {(r.indicator_id, r.region, r.period): (r.value, r.qualifier) for r in before.itertuples(index=False)}
    rows = []
    for r in new.sort_values(["published", "indicator_id", "period"], kind="mergesort").itertuples(index=False):
        unit_text = indicator_unit_word(dataset, r.indicator_id, lang)
        rank = indicator_unit(dataset, r.indicator_id) == "rank"
        previous = old.get((r.indicator_id, r.region, r.period))
        name = indicator_name(dataset, r.indicator_id, lang)
        if r.region != "ningbo":
            name = f"{region_name(dataset, r.region, lang)}{'' if lang == 'zh' else ': '}{name}"
        rows.append({
            "indicator": name,
            "period": str(r.period),
            "brief.col_old": quantity(previous[0], unit_text, lang, previous[1], rank) if previous else "–",
            "brief.col_new": quantity(r.value, unit_text, lang, getattr(r, "qualifier", ""), rank),
            "obs_status": t(f"obs.{r.status}", lang),
            "source": r.title,
            "url": r.url,
        })
    frame = pd.DataFrame(rows, columns=["indicator", "period", "brief.col_old", "brief.col_new", "obs_status", "source", "url"])
    return relabel(frame, lang)


def status_moves(dataset: data.Dataset, changed: pd.DataFrame, table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the targets whose status moved: target name, before, now."""
    by_id = table.set_index("target_id")
    rows = []
    for r in changed.itertuples(index=False):
        label = target_label(dataset, by_id.loc[r.target_id], lang) if r.target_id in by_id.index else indicator_name(dataset, r.indicator_id, lang)
        rows.append({
            "target": label,
            "nb04.before": f"{status_label(r.status_before, lang) if isinstance(r.status_before, str) else ''} {percent_text(r.p_meet_before)}".strip(),
            "nb04.after": f"{status_label(r.status_after, lang) if isinstance(r.status_after, str) else ''} {percent_text(r.p_meet_after)}".strip(),
        })
    return relabel(pd.DataFrame(rows, columns=["target", "nb04.before", "nb04.after"]), lang)


def annex_status(dataset: data.Dataset, table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return every target for the annex: name and target, latest value, projection, P(meet), status (7 columns)."""
    rows = []
    for r in table.itertuples(index=False):
        rank = r.target_type == "rank"
        unit_text = indicator_unit_word(dataset, r.indicator_id, lang)
        whole = indicator_kind(dataset, r.indicator_id) == "count"
        projected = projection_text(r.projected_value, r.lo80, r.hi80, unit_text, lang, rank, whole)
        note = " ".join(filter(None, [story_of(r, lang)]))
        rows.append({
            "brief.col_target": target_label(dataset, r, lang),
            "brief.col_latest": "" if not r.latest_period else quantity(r.latest_value, unit_text, lang, column(r, "latest_qualifier", ""), rank)
            + (f"（{year_text(r.latest_period, lang)}）" if lang == "zh" else f" ({r.latest_period})"),
            "progress_category": progress_label(r.progress_category, lang),
            "brief.col_projected": projected,
            "p_meet": percent_text(r.p_meet),
            "status": status_label(r.status, lang),
            "brief.col_note": note,
        })
    return relabel(pd.DataFrame(rows), lang)


def story_of(row: object, lang: str) -> str:
    """Return the story and interpolation sentences of a row ('' when none)."""
    from analysis.text import interpolated_sentence, story_sentence

    return " ".join(filter(None, [story_sentence(row, lang), interpolated_sentence(row, lang)]))


def reader_sources(dataset: data.Dataset, source_ids: Iterable[str], lang: str) -> pd.DataFrame:
    """Return the cited sources for a reader: title (linked), publisher, date, kind — no ids."""
    from analysis.text import zh_typography

    rows = source_rows(dataset, source_ids, lang)[["title", "publisher", "published", "source_kind", "url"]]
    if lang == "zh":
        rows = rows.assign(title=rows["title"].map(zh_typography), publisher=rows["publisher"].map(zh_typography))
    return relabel(rows, lang)


def calendar_display(dataset: data.Dataset, calendar: pd.DataFrame, lang: str, as_of: object = None) -> pd.DataFrame:
    """Return the release calendar for readers: publisher, publication, usual month, indicators (names).

    The evidence link is shown only when its source was published by `as_of` (a past report cites
    nothing published after its date).
    """
    from analysis.text import month_name

    published = dict(zip(dataset.sources["source_id"], pd.to_datetime(dataset.sources["published"])))
    cutoff = None if as_of is None else data.to_timestamp(as_of)
    rows = []
    for entry in calendar.itertuples(index=False):
        evidence_date = published.get(str(entry.evidence_source_id))
        too_late = cutoff is not None and (evidence_date is None or evidence_date > cutoff)
        month = str(entry.usual_month).strip()
        sep = "、" if lang == "zh" else "; "
        rows.append({
            "calendar.publisher": entry.publisher_zh if lang == "zh" else entry.publisher_en,
            "calendar.publication": entry.publication_zh if lang == "zh" else entry.publication_en,
            "calendar.month": month_name(int(month), lang) if month else t("unknown", lang),
            "calendar.indicators": sep.join(indicator_name(dataset, i, lang) for i in str(entry.indicator_ids).split()),
            "url": "" if too_late else safe_url(entry.evidence_url),
        })
    frame = pd.DataFrame(rows, columns=["calendar.publisher", "calendar.publication", "calendar.month", "calendar.indicators", "url"])
    return relabel(frame, lang)
