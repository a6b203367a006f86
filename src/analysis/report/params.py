"""Checks of a notebook's parameters (its first cell) and of the report languages.

Light on purpose: notebooks import ``check_parameters`` from here without importing the renderer."""

from __future__ import annotations

from datetime import date
from typing import Any, Sequence

from analysis.report.periods import parse_period

LANGS = ("zh", "en")


def check_parameters(target_ids: Sequence[str], lang: str, as_of: Any = None, period: str | None = None,
                     target_id: str | None = None) -> None:
    """Raise ValueError, naming the valid choices, for a bad notebook parameter (first cell of every notebook)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: choose from {', '.join(LANGS)}")
    if as_of is not None:
        try:
            date.fromisoformat(str(as_of))
        except ValueError:
            raise ValueError(f"as_of {as_of!r} is not a date: use YYYY-MM-DD, or None for today") from None
    if period is not None:
        parse_period(period)
    known = sorted(set(target_ids))
    if target_id is not None and target_id not in known:
        close = [t for t in known if t.split("_")[0] == str(target_id).split("_")[0]] or known
        raise ValueError(f"unknown target_id {target_id!r}: choose one of {', '.join(close[:12])}"
                         f"{' ...' if len(close) > 12 else ''} ({len(known)} targets in data/targets.csv)")


def parse_langs(text: str) -> list[str]:
    """Return the languages of a comma list like 'zh,en' (order kept, duplicates dropped)."""
    langs = [part.strip() for part in str(text).split(",") if part.strip()]
    unknown = [lang for lang in langs if lang not in LANGS]
    if unknown or not langs:
        raise ValueError(f"unknown language {','.join(unknown) or repr(text)}: choose from {', '.join(LANGS)}")
    return list(dict.fromkeys(langs))
