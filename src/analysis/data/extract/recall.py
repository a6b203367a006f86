"""Recall of extract over the curated quotes (scripts/extract_recall.py)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Sequence

from analysis.data.extract.candidates import extract
from analysis.data.extract.documents import Document
from analysis.data.extract.patterns import CJK
from analysis.data.extract.phrases import Config, load_config, read_csv_rows


@dataclass(frozen=True)
class Score:
    """Recall and wrong-value counts over the observation quotes of indicators with phrases."""

    rows: int
    recovered: int
    wrong: int
    wrong_same_year: int

    def line(self, label: str) -> str:
        """Return a one-line summary."""
        if not self.rows:
            return f"{label}: no rows"
        return (f"{label}: {self.rows} rows, recall {self.recovered / self.rows:.1%} ({self.recovered}), "
                f"wrong value {self.wrong / self.rows:.1%} ({self.wrong}), "
                f"any other value for the same indicator and year {self.wrong_same_year / self.rows:.1%} ({self.wrong_same_year})")


def is_table_excerpt(quote: str) -> bool:
    """Return whether a quote is a table cell excerpt or database record rather than prose: it has | or [,
    a run of three numbers, a record of four or more comma fields two of them numbers, or under six letters."""
    if any(mark in quote for mark in ("|", "[", "\t", "=", "_", "('", "', '")):
        return True
    if re.search(r"\d[\d.]*%?(?:[\s,]+\d[\d.]*%?){2,}", re.sub(r"(?<=\d),(?=\d{3}\b)", "", quote)):
        return True
    fields = [f.strip() for f in quote.split(",")]
    if len(fields) >= 4 and sum(bool(re.fullmatch(r"-?[\d.]+", f)) for f in fields) >= 2:
        return True
    return len(re.findall(rf"[A-Za-z{CJK}]", re.sub(r"(?<=\d)年", "", quote))) < 6


def split_of(indicator_id: str) -> str:
    """Return 'A' or 'B': a fixed half of the indicators (by MD5 of the id) for held-out measurement."""
    return "A" if hashlib.md5(indicator_id.encode()).digest()[0] % 2 == 0 else "B"


def score_rows(rows: Sequence[dict[str, str]], config: Config) -> tuple[Score, list[dict[str, str]]]:
    """Return the score of the extractor on observation rows and the rows it missed or got wrong.

    Rows of indicators without phrases and derived rows (computed values, whose quote shows the inputs) do not count.
    """
    covered = {p.indicator_id for p in config.phrases}
    rows = [r for r in rows if r["indicator_id"] in covered and r["region"] in config.region_kinds and r["status"] != "derived"]
    recovered = wrong = wrong_year = 0
    failures = []
    for row in rows:
        year = int(row["period"][:4])
        doc = Document(title="", text=row["quote"])
        cands = [c for c in extract(doc, row["region"], config, own_region=row["region"], year=year)
                 if c.indicator_id == row["indicator_id"]]
        target = Decimal(row["value"])
        hit = any(Decimal(c.value) == target for c in cands)
        recovered += hit
        bad = bool(cands) and not hit
        wrong += bad
        wrong_year += any(Decimal(c.value) != target and c.period[:4] == row["period"][:4] for c in cands)
        if not hit:
            failures.append({**row, "proposed": "; ".join(f"{c.value}@{c.period}" for c in cands), "wrong": str(bad)})
    return Score(len(rows), recovered, wrong, wrong_year), failures


def score_report(data_dir: Path) -> str:
    """Return recall and wrong-value rates on the quotes of observations.csv, overall and per held-out half."""
    config = load_config(data_dir)
    rows = read_csv_rows(data_dir / "observations.csv")
    prose = [r for r in rows if not is_table_excerpt(r["quote"])]
    lines = [score_rows(rows, config)[0].line("all quotes"), score_rows(prose, config)[0].line("prose quotes")]
    for half in ("A", "B"):
        part = [r for r in prose if split_of(r["indicator_id"]) == half]
        lines.append(score_rows(part, config)[0].line(f"prose quotes, indicator half {half}"))
    return "\n".join(lines) + "\n"
