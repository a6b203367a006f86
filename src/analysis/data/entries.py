"""One figure to add (from the command line or a filled row): its fields, its source (existing or new) and its options."""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analysis.data import batch

from analysis.data import cells, clock, csvfile, schema

SOURCE_FIELDS = ("source_title", "publisher", "url", "source_kind")


def observation_from_args(args: argparse.Namespace, units: dict[str, str]) -> dict[str, str]:
    """Return the new observation row (all strings) from command-line options."""
    missing = [name for name in ("indicator_id", "period", "value", "published") if not getattr(args, name)]
    if missing:
        raise ValueError("missing option(s): " + ", ".join("--" + m.replace("_id", "").replace("_", "-") for m in missing))
    if not args.source_id:
        raise ValueError("missing option --source-id (an existing id, or a new id with --source-title and --publisher)")
    return {
        "indicator_id": args.indicator_id, "region": args.region or "ningbo", "period": args.period, "value": args.value,
        "unit": args.unit or units.get(args.indicator_id, ""), "qualifier": args.qualifier or "", "status": args.status or "official",
        "source_id": args.source_id, "published": args.published,
        "published_estimated": "true" if args.published_estimated else "false", "preferred": "true",
        "quote": args.quote, "notes": args.notes,
    }


SOURCE_COLUMNS = {"title": "source_title", "kind": "source_kind", "url": "url", "publisher": "publisher", "source_id": "source_id",
                  "published": "published", "published_estimated": "published_estimated"}


GENERIC_HOST_LABELS = {"www", "gov", "cn", "com", "org", "net", "edu", "m", "en", "web", "news", "http", "https"}


@dataclass
class Entry:
    """One new observation: its fields, where it came from (None: the command line) and its choices."""

    fields: dict[str, str]
    origin: "batch.Row | None" = None
    prefer: bool | None = None  # the row's own choice on a conflict (None: the command line's)
    confirm: str = ""
    decision: str | None = None
    reasons: dict[str, str] | None = None
    source_fields: dict[str, str] | None = None  # title, publisher, url, source_kind given with the row
    new_source: bool = False
    line: int = 0  # its line in observations.csv once appended
    skipped: str = ""  # why it is not added (already recorded)

    def problem(self, column: str, message: str, observations_file: str) -> csvfile.Problem:
        """Return a problem at this entry's cell (a batch) or its line in observations.csv (the command line)."""
        if self.origin is not None:
            return self.origin.problem(column, message)
        return csvfile.Problem(observations_file, self.line, column, message)

    def label(self) -> str:
        return self.origin.label() if self.origin is not None else "the new observation"

    def other_label(self, other: "Entry") -> str:
        """Return where another entry is, as seen from this one ('row 5' on the same sheet)."""
        if self.origin is not None and other.origin is not None and other.origin.place == self.origin.place:
            return f"row {other.origin.row}"
        return other.label()

    def summary(self) -> str:
        """Return 'rd_gdp_ratio ningbo 2024 = 3.2 % (official, source x)'."""
        f = self.fields
        qualifier = f.get("qualifier", "")
        return (f"{f.get('indicator_id')} {f.get('region')} {f.get('period')} = {qualifier}{f.get('value')} {f.get('unit', '')}".rstrip()
                + f" ({f.get('status')}, source {f.get('source_id')}{' (new)' if self.new_source else ''}, published {f.get('published')}"
                + (", preferred" if f.get("preferred") == "true" else ", not preferred") + ")")


def merged_notes(own: str, extra: str) -> str:
    """Return a row's notes with the command line's --notes added (nothing given is dropped)."""
    own, extra = (own or "").strip(), (extra or "").strip()
    if own and extra and extra not in own:
        return f"{own}; {extra}"
    return own or extra


def entries_from_rows(rows: list, args: argparse.Namespace, units: dict[str, str]) -> list[Entry]:
    """Return the entries of a batch's rows: the row's fields, the command line's options for what a row leaves empty."""
    entries = []
    for row in rows:
        f = row.fields
        fields = {name: f.get(name, "") for name in schema.COLUMNS["observations"]}
        fields["region"] = fields["region"] or (args.region or "")
        fields["unit"] = fields["unit"] or units.get(fields["indicator_id"], "")
        fields["qualifier"] = fields["qualifier"] or (args.qualifier or "")
        fields["status"] = fields["status"] or (args.status or "")
        fields["source_id"] = fields["source_id"] or (args.source_id or "")
        fields["published"] = fields["published"] or (args.published or "")
        fields["published_estimated"] = (fields["published_estimated"] or ("true" if args.published_estimated else "false")).lower()
        fields["quote"] = fields["quote"] or (args.quote or "")
        fields["notes"] = merged_notes(fields["notes"], args.notes)
        choice = f.get("preferred", "")
        source = {"title": f.get("source_title", "") or (args.source_title or ""), "publisher": f.get("publisher", "") or (args.publisher or ""),
                  "url": f.get("url", "") or (args.url or ""), "kind": f.get("source_kind", "") or (args.source_kind or "")}
        entries.append(Entry(
            fields=fields, origin=row, prefer=None if choice == "" else choice == "true",
            confirm=f.get("confirm_unusual", "") or (args.confirm_unusual or ""),
            decision=f.get("decision", "") or None,
            reasons={"en": f.get("reason_en", ""), "zh": f.get("reason_zh", "")} if f.get("decision") else None,
            source_fields=source,
        ))
    return entries


def entry_from_args(args: argparse.Namespace, units: dict[str, str]) -> Entry:
    """Return the entry of a single add (raises ValueError for a missing option)."""
    fields = observation_from_args(args, units)
    source = {"title": args.source_title or "", "publisher": args.publisher or "", "url": args.url or "", "kind": args.source_kind or ""}
    return Entry(fields=fields, prefer=None, confirm=args.confirm_unusual or "", source_fields=source)


def source_slug(url: str) -> str:
    """Return a short lowercase id stem from a URL's host (kjj.ningbo.gov.cn -> kjjningbo), 'src' without one."""
    from urllib.parse import urlparse

    try:
        host = urlparse(url).hostname or ""
    except ValueError:
        host = ""
    labels = [label for label in host.lower().split(".") if label and label not in GENERIC_HOST_LABELS]
    return re.sub(r"[^a-z0-9]", "", "".join(labels[:2]))[:16] or "src"


def new_source_id(url: str, published: str, taken: set[str]) -> str:
    """Return a free source id in the data's style: <host>_<year>_<nn>."""
    year = published[:4] if re.fullmatch(r"\d{4}-\d{2}-\d{2}", published or "") else "undated"
    number = 1
    while f"{source_slug(url)}_{year}_{number:02d}" in taken:
        number += 1
    return f"{source_slug(url)}_{year}_{number:02d}"


def parsed_date(text: str):
    """Return a YYYY-MM-DD text as a date (None when it is not one; validation reports it)."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text or "") else None
    except ValueError:
        return None


def as_of_limit(args: argparse.Namespace):
    """Return the last date a value may have been published: today, or --as-of when earlier (raises ValueError)."""
    import datetime as dt

    today = clock.today()
    if not getattr(args, "as_of", None):
        return today, f"today ({today.isoformat()})"
    as_of = args.as_of if isinstance(args.as_of, dt.date) else dt.date.fromisoformat(args.as_of)
    return (as_of, f"--as-of {as_of.isoformat()}") if as_of <= today else (today, f"today ({today.isoformat()})")


def number_or_none(text: str) -> float | None:
    """Return a value text as a finite number (None when it is not one)."""
    import math

    if not re.fullmatch(cells.NUMBER_PATTERN, text or ""):
        return None
    number = float(text)
    return number if math.isfinite(number) else None


def resolve_source(entry: Entry, source_by_id: dict, source_by_url: dict[str, str], taken: set[str],
                   batch_sources: dict[tuple[str, str], str], where) -> None:
    """Give the entry its source id: an existing one, one found by URL, or a new source from the row's title and URL."""
    f, sf = entry.fields, entry.source_fields or {"title": "", "publisher": "", "url": "", "kind": ""}
    given = f["source_id"]
    cli = entry.origin is None
    if given and given in source_by_id:
        existing = source_by_id[given]
        for name, column in (("title", "source_title"), ("url", "url")):
            value = sf.get(name, "")
            if value and value != str(getattr(existing, name) or ""):
                option = "--source-title" if name == "title" else "--url"
                where(column if not cli else "source_id",
                      f"source {given!r} exists with {name} {str(getattr(existing, name) or '')!r}, not {value!r}: "
                      + (f"leave out {option}, or give a new source id" if cli else f"clear {column} or source_id (a new source is then added)"))
        return
    if given:  # a new id chosen by the user
        if not (sf.get("title") and sf.get("publisher")):
            if cli:
                where("source_id", f"source {given!r} is new: give --source-title and --publisher (and --url, --source-kind)")
            else:
                where("source_title", f"source {given!r} is new: give its title in source_title and its publisher in publisher")
            return
        entry.new_source = True
        taken.add(given)
        batch_sources[(sf["title"], sf.get("url", ""))] = given
        return
    if sf.get("url") and sf["url"] in source_by_url:
        f["source_id"] = source_by_url[sf["url"]]
        return
    if not sf.get("title"):
        where("source_title", "no source: give the title of the document holding the figure and its URL (or an existing source_id)")
        return
    if not sf.get("publisher"):
        where("publisher", f"the new source {sf['title']!r} needs its publisher (the body that issued it)")
        return
    known = batch_sources.get((sf["title"], sf.get("url", "")))
    if known:
        f["source_id"] = known
        entry.new_source = True
        return
    f["source_id"] = new_source_id(sf.get("url", ""), f["published"], taken)
    taken.add(f["source_id"])
    batch_sources[(sf["title"], sf.get("url", ""))] = f["source_id"]
    entry.new_source = True
