"""Print the extractor's recall and wrong-value rate on the quotes of data/observations.csv.

Every quote is a sentence from a real source; given the quote (and the row's period when the
quote has no year, the row's region as the document's own), the extractor should propose the
row's indicator with the row's value. Rows count when their indicator has phrases in
data/indicator_phrases.csv. "half A"/"half B" split the indicators by a hash of their id.

    .venv/bin/python scripts/extract_recall.py [--data-dir data] [--failures failures.csv]
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from analysis.data import schema
from analysis.data.extract import phrases, recall


def main() -> int:
    """Print the score; optionally write the missed rows to a CSV."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=schema.DEFAULT_DATA_DIR)
    parser.add_argument("--failures", type=Path, help="write the rows not recovered (with what was proposed) to this CSV")
    args = parser.parse_args()
    try:
        sys.stdout.write(recall.score_report(args.data_dir))
        if args.failures:
            config = phrases.load_config(args.data_dir)
            _, failures = recall.score_rows(phrases.read_csv_rows(args.data_dir / "observations.csv"), config)
            with args.failures.open("w", encoding="utf-8", newline="") as handle:
                columns = ["indicator_id", "region", "period", "value", "proposed", "wrong", "quote"]
                writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
                writer.writeheader()
                writer.writerows(failures)
    except phrases.ExtractError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
