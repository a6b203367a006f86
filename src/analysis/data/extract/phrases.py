"""extract's configuration: indicator phrases (data/indicator_phrases.csv), units, regions."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from analysis.data import csvfile
from analysis.data.extract.patterns import CJK, GAP, INDICATOR_UNITS, LANGS, PHRASE_COLUMNS, PHRASES_FILE, TRADITIONAL, VALUE_KINDS


class ExtractError(Exception):
    """A problem with the input that ends the command (exit_code 1: bad input, 2: usage)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Phrase:
    """One declared phrase: its normalised parts (split at …) and the kind of value it expects."""

    indicator_id: str
    lang: str
    parts: tuple[str, ...]
    value_kind: str


@dataclass(frozen=True)
class Indicator:
    """The fields of indicators.csv the extractor needs."""

    indicator_id: str
    unit: str
    kind: str


@dataclass(frozen=True)
class Config:
    """Indicators, phrases and region names read from a data directory."""

    indicators: dict[str, Indicator]
    phrases: tuple[Phrase, ...]
    region_names: tuple[tuple[str, str], ...]  # (normalised name, region_id), longest first
    region_kinds: dict[str, str]
    level_parts: frozenset[tuple[str, ...]] = frozenset()  # phrases also declared for a level: a flow needs 新增 etc.


# CJK Radicals Supplement forms without a compatibility mapping that stand for a whole character in text
# (PDF fonts map these glyphs to the radical code points): the unified ideograph each stands for.
SIMPLIFIED_RADICALS = str.maketrans("⺠⻄⻅⻆⻉⻋⻓⻔⻘⻙⻚⻛⻜⻢⻣⻤⻥⻦⻧⻨⻩⻪⻬⻮⻰", "民西见角贝车长门青韦页风飞马骨鬼鱼鸟卤麦黄黾齐齿龙")


def standard_character(char: str) -> str:
    """Return the unified ideograph of a Kangxi radical (U+2F00–U+2FDF) or CJK radical supplement form
    (U+2E80–U+2EFF) by NFKC, else the character itself."""
    return unicodedata.normalize("NFKC", char) if "\u2e80" <= char <= "\u2fdf" else char


def standard_characters(text: str) -> str:
    """Return text with the radical lookalikes a PDF's fonts give (⼈⺠⽣ for 人民生) mapped to the standard
    characters, and nothing else changed (full-width ，（） stay full-width, as NFKC of the whole text would not)."""
    if not re.search("[\u2e80-\u2fdf]", text):
        return text
    return "".join(standard_character(char) for char in text).translate(SIMPLIFIED_RADICALS)


def normalise(text: str) -> str:
    """Return text in the form phrases and sentences are compared in (NFKC, lower case, no 的, tight spaces)."""
    text = unicodedata.normalize("NFKC", text).lower().translate(TRADITIONAL)
    text = re.sub("[的“”\"「」『』]", "", text).replace("\u3000", " ")
    text = re.sub(r"(?<![\d.])(\d{1,3}) (\d{3})(?![\d.])", r"\1\2", text)  # "1 000" thousands separator
    text = re.sub(rf"\s+(?=[{CJK}(%])|(?<=[{CJK})])\s+", "", text)
    return re.sub(r"\s+", " ", text)


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """Return the rows of a CSV (BOM and CRLF accepted) or raise ExtractError naming the file."""
    try:
        return csvfile.read_text_table(path).to_dict("records")
    except csvfile.DataValidationError as err:
        raise ExtractError(str(err.problems[0])) from None


def phrase_problems(rows: Sequence[dict[str, str]], indicators: dict[str, Indicator], name: str) -> list[str]:
    """Return `file:row:column: message` for every invalid row of indicator_phrases.csv."""
    problems, seen = [], set()
    for line, row in enumerate(rows, start=2):
        ind = indicators.get(row.get("indicator_id") or "")
        kind = row.get("value_kind") or ""
        phrase = (row.get("phrase") or "").strip()
        if ind is None:
            problems.append(f"{name}:{line}:indicator_id: unknown indicator {row.get('indicator_id')!r}")
            continue
        if row.get("lang") not in LANGS:
            problems.append(f"{name}:{line}:lang: must be one of {', '.join(LANGS)}")
        if not phrase or any(not part.strip() for part in phrase.split(GAP)):
            problems.append(f"{name}:{line}:phrase: empty phrase or empty part around {GAP}")
        if kind not in VALUE_KINDS:
            problems.append(f"{name}:{line}:value_kind: must be one of {', '.join(VALUE_KINDS)}")
        elif (kind == "growth") != (ind.kind == "rate"):
            problems.append(f"{name}:{line}:value_kind: 'growth' is for rate indicators only ({ind.indicator_id} is {ind.kind})")
        elif (kind in ("growth", "share")) != (ind.unit == "%"):
            problems.append(f"{name}:{line}:value_kind: {kind!r} does not fit unit {ind.unit!r} of {ind.indicator_id}")
        elif ind.unit not in INDICATOR_UNITS:
            problems.append(f"{name}:{line}:indicator_id: unit {ind.unit!r} of {ind.indicator_id} cannot be extracted")
        key = (row.get("indicator_id"), normalise(phrase), kind)
        if key in seen:
            problems.append(f"{name}:{line}:phrase: duplicate of an earlier row")
        seen.add(key)
    return problems


def region_aliases(name_zh: str, name_en: str, kind: str) -> list[str]:
    """Return the names a region goes by in text: its names, without 市/省, without 国家, and 我国/中国 for the country."""
    names = {name_zh, name_en.lower()}
    if kind in ("city", "province") and len(name_zh) > 2 and name_zh[-1] in "市省":
        names.add(name_zh[:-1])
    if kind == "zone" and "国家" in name_zh:
        names.add(name_zh.replace("国家", ""))
    if kind == "country":
        names |= {"我国", "中国", "国内", "nationwide", "national"}
    return sorted(normalise(n) for n in names if n)


def load_config(data_dir: Path) -> Config:
    """Read indicators.csv, regions.csv and indicator_phrases.csv, validating the phrases."""
    indicators = {r["indicator_id"]: Indicator(r["indicator_id"], r["unit"], r["kind"])
                  for r in read_csv_rows(data_dir / "indicators.csv")}
    rows = read_csv_rows(data_dir / PHRASES_FILE)
    if rows and tuple(rows[0].keys()) != PHRASE_COLUMNS:
        raise ExtractError(f"{PHRASES_FILE}:1: columns must be {','.join(PHRASE_COLUMNS)}")
    problems = phrase_problems(rows, indicators, PHRASES_FILE)
    if problems:
        raise ExtractError("\n".join(problems))
    phrases = tuple(Phrase(r["indicator_id"], r["lang"], tuple(normalise(p.strip()) for p in r["phrase"].split(GAP)), r["value_kind"])
                    for r in rows)
    regions = read_csv_rows(data_dir / "regions.csv")
    names = {(alias, r["region_id"]) for r in regions for alias in region_aliases(r["name_zh"], r["name_en"], r["kind"])}
    ordered = tuple(sorted(names, key=lambda pair: (-len(pair[0]), pair)))
    level_parts = frozenset(p.parts for p in phrases if p.value_kind == "level")
    return Config(indicators, phrases, ordered, {r["region_id"]: r["kind"] for r in regions}, level_parts)
