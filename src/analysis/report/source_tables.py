"""Tables of sources, observations, peers and the release calendar."""

from __future__ import annotations

import html
from datetime import date
from typing import Iterable, Sequence

import pandas as pd

from analysis.data import loader, schema, vintage
from analysis.report.i18n import t
from analysis.report.tables import html_table, relabel, safe_url
from analysis.report.wording import axis_unit, fmt_date, fmt_number, indicator_name, region_name


def source_rows(dataset: loader.Dataset, source_ids: Iterable[str], lang: str) -> pd.DataFrame:
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


def sources_html(dataset: loader.Dataset, source_ids: Iterable[str], lang: str) -> str:
    """Return the cited sources as an escaped HTML table with links on titles."""
    rows = source_rows(dataset, source_ids, lang)
    if rows.empty:
        return "<p>" + html.escape(t("sources.none", lang)) + "</p>"
    return html_table(relabel(rows, lang), links={t("title", lang): "url"})


def observation_rows(dataset: loader.Dataset, observations: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return observations with region, value, status and their source, ready to display."""
    joined = vintage.with_sources(dataset, observations)
    unit = joined["indicator_id"].map(lambda i: axis_unit(dataset, i, lang))  # the reader's words, never the code "rank"
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


def observations_html(dataset: loader.Dataset, observations: pd.DataFrame, lang: str, drop: Sequence[str] = ()) -> str:
    """Return observations with their sources as an escaped HTML table (title links to the source)."""
    rows = observation_rows(dataset, observations, lang).drop(columns=list(drop))
    return html_table(relabel(rows, lang), links={t("title", lang): "url"})


PEER_KINDS = ("city", "province", "country")


def shared_indicators(
    dataset: loader.Dataset, as_of: date | str | None, base: str = "ningbo", kinds: Sequence[str] = PEER_KINDS,
) -> pd.DataFrame:
    """Return indicators with annual values for ``base`` and at least one comparable region: id, n_regions."""
    chosen = vintage.select_as_of(dataset.observations, as_of)
    comparable = set(dataset.regions.loc[dataset.regions["kind"].isin(kinds), "region_id"]) | {base}
    annual = chosen[chosen["is_annual"] & chosen["region"].isin(comparable)]
    regions = annual.groupby("indicator_id")["region"].agg(lambda s: sorted(set(s)))
    shared = regions[regions.map(lambda rs: base in rs and len(rs) > 1)]
    return pd.DataFrame({"indicator_id": shared.index, "n_regions": shared.map(len).to_numpy()}).sort_values(
        ["n_regions", "indicator_id"], ascending=[False, True], kind="mergesort").reset_index(drop=True)


def peer_latest(
    dataset: loader.Dataset, indicator_id: str, as_of: date | str | None, lang: str, base: str = "ningbo",
    kinds: Sequence[str] = PEER_KINDS,
) -> pd.DataFrame:
    """Return each region's latest annual value of one indicator with its source (base region first).

    Only regions of ``kinds`` are compared (zones and city groups are not comparable to cities).
    """
    chosen = vintage.select_as_of(dataset.observations, as_of)
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


def shared_html(dataset: loader.Dataset, shared: pd.DataFrame, lang: str) -> str:
    """Return the shared indicators (name, unit, number of regions) as an escaped HTML table."""
    frame = pd.DataFrame({
        "indicator": [indicator_name(dataset, i, lang) for i in shared["indicator_id"]],
        "unit": [axis_unit(dataset, i, lang) for i in shared["indicator_id"]],
        "nb06.n_regions": shared["n_regions"].to_numpy(),
    })
    return html_table(relabel(frame, lang))


def read_table(path) -> pd.DataFrame:
    """Read a small configuration table (UTF-8 with or without BOM, any line ends) as text."""
    from pathlib import Path

    from analysis.data import csvfile

    return csvfile.read_text_table(Path(path))


def release_calendar(data_dir=None) -> pd.DataFrame:
    """Return data/release_calendar.csv: who publishes which indicators, and in which month."""
    from pathlib import Path

    folder = Path(schema.DEFAULT_DATA_DIR if data_dir is None else data_dir)
    path = folder / "release_calendar.csv"
    if not path.exists():
        return pd.DataFrame(columns=["publisher_id", "publisher_zh", "publisher_en", "publication_zh", "publication_en",
                                     "indicator_ids", "frequency", "usual_month", "evidence_source_id", "evidence_url", "notes"])
    return read_table(path)


def indicator_themes(data_dir=None) -> dict[str, str]:
    """Return indicator id → theme code from data/indicator_themes.csv ('other' when unlisted)."""
    from pathlib import Path

    path = Path(schema.DEFAULT_DATA_DIR if data_dir is None else data_dir) / "indicator_themes.csv"
    return dict(zip(*read_table(path)[["indicator_id", "theme"]].T.values)) if path.exists() else {}


def reader_sources(dataset: loader.Dataset, source_ids: Iterable[str], lang: str) -> pd.DataFrame:
    """Return the cited sources for a reader: title (linked), publisher, date, kind — no ids."""
    from analysis.report.wording import zh_typography

    rows = source_rows(dataset, source_ids, lang)[["title", "publisher", "published", "source_kind", "url"]]
    if lang == "zh":
        rows = rows.assign(title=rows["title"].map(zh_typography), publisher=rows["publisher"].map(zh_typography))
    return relabel(rows, lang)


def calendar_display(dataset: loader.Dataset, calendar: pd.DataFrame, lang: str, as_of: object = None) -> pd.DataFrame:
    """Return the release calendar for readers: publisher, publication, usual month, indicators (names).

    The evidence link is shown only when its source was published by `as_of` (a past report cites
    nothing published after its date).
    """
    from analysis.report.wording import month_name

    published = dict(zip(dataset.sources["source_id"], pd.to_datetime(dataset.sources["published"])))
    cutoff = None if as_of is None else vintage.to_timestamp(as_of)
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
