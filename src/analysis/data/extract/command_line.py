"""`python -m analysis extract`: the command line."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

from analysis.data import clock, schema, workbook
from analysis.data.extract.candidates import candidate_rows, csv_text, extract
from analysis.data.extract.documents import read_document
from analysis.data.extract.phrases import ExtractError, load_config
from analysis.data.extract.proposals import proposals_workbook, resolve_source
from analysis.data.extract.recall import score_report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of the extract command."""
    parser.add_argument("file", type=Path, nargs="?", help="saved page: .txt, .html/.htm or .pdf")
    parser.add_argument("--region", help="region id of regions.csv the figures must belong to")
    parser.add_argument("--published", help="YYYY-MM-DD the document was published (its year is used when the title has none)")
    parser.add_argument("--source-id", default="", help="source id to write in every row (existing, or new in sources.csv)")
    parser.add_argument("--status", default="reported", help="status for rows without 预计/初步核算/修订 (official for a bureau's own bulletin)")
    parser.add_argument("--output", type=Path, help="file to write: proposals.xlsx (the request workbook's layout, a column to "
                        "accept or reject each row, for add --from) or a CSV (default: CSV on standard output)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the proposals workbook's labels")
    parser.add_argument("--source-title", help="title of a new source (default: the document's title)")
    parser.add_argument("--url", default="", help="URL of a new source (written into the proposals workbook)")
    parser.add_argument("--publisher", default="", help="publisher of a new source (written into the proposals workbook)")
    parser.add_argument("--source-kind", choices=schema.SOURCE_KINDS, default="",
                        help="kind of a new source (default: from the title, bulletin for a 公报)")
    parser.add_argument("--score-quotes", action="store_true", help="print recall and wrong-value rates on the quotes of observations.csv")


def write_atomically(path: Path, text: str) -> None:
    """Write text to path through a temporary sibling (no half-written file, no leftover on failure)."""
    if path.is_dir():
        raise ExtractError(f"{path}: is a directory; give a file name for --output", exit_code=2)
    handle, temp = tempfile.mkstemp(dir=path.parent if path.parent.exists() else None, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temp, path)
    except OSError as err:
        Path(temp).unlink(missing_ok=True)
        raise ExtractError(f"{path}: cannot write ({err.strerror})") from None


def write_bytes(path: Path, content: bytes) -> None:
    """Write the workbook atomically, or raise ExtractError naming the file."""
    if path.is_dir():
        raise ExtractError(f"{path}: is a directory; give a file name for --output", exit_code=2)
    try:
        workbook.write_bytes_atomically(path, content)
    except OSError as err:
        raise ExtractError(f"{path}: cannot write ({err.strerror})") from None


def parse_date(text: str | None) -> dt.date | None:
    """Return a YYYY-MM-DD date or raise a usage ExtractError."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ExtractError(f"--published {text!r}: expected YYYY-MM-DD", exit_code=2) from None


def main(args: argparse.Namespace) -> int:
    """Run the extract command; return the exit code."""
    try:
        if args.score_quotes:
            sys.stdout.write(score_report(Path(args.data_dir)))
            return 0
        if args.file is None or not args.region:
            raise ExtractError("extract needs FILE and --region (or --score-quotes)", exit_code=2)
        published = parse_date(args.published)
        config = load_config(Path(args.data_dir))
        if args.region not in config.region_kinds:
            raise ExtractError(f"unknown region {args.region!r} (regions.csv has: {', '.join(sorted(config.region_kinds))})", exit_code=2)
        if args.status not in schema.STATUSES:
            raise ExtractError(f"--status {args.status!r} is not a status of observations.csv", exit_code=2)
        doc = read_document(args.file, published)
        candidates = extract(doc, args.region, config, default_status=args.status)
        if args.output and args.output.suffix.lower() == ".xlsx":
            source = resolve_source(Path(args.data_dir), args.source_id, args.source_title or doc.title, args.url, args.publisher,
                                    args.source_kind)
            content = proposals_workbook(candidates, Path(args.data_dir), doc.title, args.file.name, source, published,
                                         published or clock.today(), args.lang, args.output.name)
            write_bytes(args.output, content)
            print(f"{len(candidates)} proposal(s) for {args.region} from {args.file} in {args.output}: mark each accept or reject "
                  f"in column accept, then python -m analysis add --from {args.output.name} --dry-run", file=sys.stderr)
            return 0
        rows = candidate_rows(candidates, args.source_id, args.published or "", args.file.name)
        text = csv_text(rows)
        if args.output:
            write_atomically(args.output, text)
        else:
            sys.stdout.write(text)
        print(f"{len(rows)} candidate observation(s) for {args.region} from {args.file}; check every row before "
              f"python -m analysis add --from", file=sys.stderr)
        return 0
    except ExtractError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
