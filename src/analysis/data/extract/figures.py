"""Find phrases, figures, regions and years in a sentence and convert figures to the indicator's unit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Sequence

from analysis.data.extract.documents import Document
from analysis.data.extract.patterns import (
    CLAUSE_BREAK,
    COUNT_FAMILIES,
    ESTIMATE,
    FLOW,
    FULL_DATE_AFTER_YEAR,
    GENERIC_COUNTERS,
    GROWTH,
    GROWTH_TO,
    INDICATOR_UNITS,
    MAX_GAP,
    MONTH_MARKERS,
    MONTH_RANGE,
    MULTIPLIERS,
    NOT_A_VALUE_AFTER,
    NOT_A_VALUE_BEFORE,
    NUMBER,
    OTHER_PLACES,
    OWN_REGION,
    PER_HEAD_AFTER,
    PER_HEAD_BEFORE,
    PLAN_PERIOD_END,
    PREFIX_QUALIFIERS,
    PRELIMINARY,
    PROVINCES,
    PUBLISHER,
    RELATIVE_YEARS,
    REVISED,
    ROW_PLACE,
    STOCK,
    STOCK_DATE_BEFORE,
    SUBSET_BEFORE,
    SUFFIX_QUALIFIERS,
    TABLE_PLACE,
    TABLE_ROW,
    TRAIL_GROWTH,
    UNIT_WORDS,
    YEAR,
    YEAR_EN,
)
from analysis.data.extract.phrases import Config, Indicator, Phrase, normalise


@dataclass(frozen=True)
class Match:
    """A phrase found in a normalised sentence."""

    start: int
    end: int
    phrase: Phrase


@dataclass(frozen=True)
class Figure:
    """A number with its unit family, scale to base units, and qualifier marks."""

    start: int
    end: int
    value: Decimal
    family: str
    qualifier: str
    scaled: bool = False  # written with a multiplier word (万, 亿, billion …)


NOT_THIS = Phrase("", "", ("",), "level")  # a phrase under 人均/企业 …: its figures belong to no indicator


def find_phrases(sentence: str, phrases: Iterable[Phrase]) -> list[Match]:
    """Return every phrase occurrence in a normalised sentence (a gapped phrase's parts in order, close together)."""
    found, per_head = [], []
    for phrase in phrases:
        first = phrase.parts[0]
        for hit in re.finditer(re.escape(first), sentence):
            if phrase.lang == "en" and not word_bounded(sentence, hit.start(), hit.end()):
                continue
            before = sentence[:hit.start()]
            rd_of_firms = first.startswith(("r&d", "研发", "研究与试验")) and before.endswith("企业")  # 工业企业R&D经费
            if PER_HEAD_BEFORE.search(before) or SUBSET_BEFORE.search(before) or rd_of_firms:
                per_head.append((hit.start(), hit.end()))  # 人均地区生产总值 is not 地区生产总值 (nor 生产总值)
                continue
            end = hit.end()
            for part in phrase.parts[1:]:
                nxt = sentence.find(part, end, end + MAX_GAP + len(part))
                if nxt < 0 or re.search(r"[。!?;]", sentence[end:nxt]):
                    end = -1
                    break
                end = nxt + len(part)
            if end > 0 and not PER_HEAD_AFTER.match(sentence[end:]):
                found.append(Match(hit.start(), end, phrase))
    kept = [m for m in found if not any(a <= m.start and m.end <= b for a, b in per_head)]
    return kept + [Match(a, b, NOT_THIS) for a, b in per_head]  # still binds its figures, so they go nowhere


def word_bounded(text: str, start: int, end: int) -> bool:
    """Return whether an English phrase stands as whole words."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())


def find_figures(sentence: str) -> list[Figure]:
    """Return the numbers of a normalised sentence that can be values (not years, dates, ranks or multiples)."""
    figures = []
    for m in NUMBER.finditer(sentence):
        after, before = sentence[m.end():], sentence[:m.start()]
        if NOT_A_VALUE_AFTER.match(after) or NOT_A_VALUE_BEFORE.search(before):
            continue
        digits = m.group("num").replace(",", "")
        unit = m.group("unit") or ""
        mult = m.group("mult") or ""
        if not unit and not mult and re.fullmatch(r"(19|20)\d{2}", m.group("num")):
            continue  # a bare year
        family = UNIT_WORDS.get(unit, "bare")
        if m.group("pre") and m.group("pre").strip() == "$":
            family = "usd"
        elif m.group("pre") and family == "bare":
            family = "yuan"
        if family in ("pct", "pp", "usd") and mult:
            family = "bare" if family != "usd" else "usd"
        value = Decimal(digits) * MULTIPLIERS.get(mult, Decimal(1))
        marks = [m.group("approx1"), m.group("approx2"), m.group("post")]
        qualifier = next((SUFFIX_QUALIFIERS[x] for x in marks if x), "")
        figures.append(Figure(m.start(), m.end(), value, family, qualifier, bool(mult)))
    return drop_table_runs(figures, sentence)


def drop_table_runs(figures: list[Figure], sentence: str) -> list[Figure]:
    """Return figures without runs of three or more numbers separated only by spaces (table rows: which column is which is unknown)."""
    keep = [True] * len(figures)
    start = 0
    for i in range(1, len(figures) + 1):
        joined = i < len(figures) and not sentence[figures[i - 1].end:figures[i].start].strip()
        if not joined:
            if i - start >= 3:
                keep[start:i] = [False] * (i - start)
            start = i
    return [f for f, k in zip(figures, keep) if k]


def find_regions(sentence: str, config: Config, with_publishers: bool = False) -> list[tuple[int, int, str]]:
    """Return (start, end, region_id) for region names in a normalised sentence; "" for the document's own region, "?" for another."""
    taken: list[tuple[int, int, str]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e, _ in taken)

    for hit in ([] if with_publishers else PUBLISHER.finditer(sentence)):
        taken.append((hit.start(), hit.end(), "publisher"))
    for name, region_id in config.region_names:
        pattern = rf"\b{re.escape(name)}\b" if name.isascii() else re.escape(name)
        for hit in re.finditer(pattern, sentence):
            if free(hit.start(), hit.end()):
                taken.append((hit.start(), hit.end(), region_id))
    for hit in OWN_REGION.finditer(sentence):
        named_just_before = any(0 <= hit.start() - e <= 1 for _, e, _ in taken)  # "杭州全市": 全市 is Hangzhou
        if free(hit.start(), hit.end()) and not named_just_before:
            taken.append((hit.start(), hit.end(), ""))
    for name in PROVINCES + OTHER_PLACES:
        for hit in re.finditer(name, sentence):
            if free(hit.start(), hit.end()):
                taken.append((hit.start(), hit.end(), "?"))
    row = [ROW_PLACE.match(sentence)] if TABLE_ROW.fullmatch(sentence) else []
    for hit in [*TABLE_PLACE.finditer(sentence), *filter(None, row)]:
        if free(hit.start(), hit.end()):
            taken.append((hit.start(), hit.end(), "?"))  # a table's row of a place regions.csv does not name
    for hit in re.finditer(r"全省", sentence):
        if free(hit.start(), hit.end()):
            taken.append((hit.start(), hit.end(), "province"))
    return sorted(t for t in taken if t[2] != "publisher")


def years_in(sentence: str, doc_year: int | None) -> list[tuple[int, int, int, bool]]:
    """Return (start, end, year, only_next) for year mentions; only_next when the year is glued to one figure ("2010年的1.6%")."""
    found = []
    for m in YEAR.finditer(sentence):
        if FULL_DATE_AFTER_YEAR.match(sentence[m.end():]) and not STOCK_DATE_BEFORE.search(sentence[:m.start()]):
            continue  # "2024年3月20日,市统计局发布": the day of an event, not the year of the figures ("截至2023年12月31日" is)
        glued = bool(re.match(r"\s?[\d¥$]", sentence[m.end():])) and not re.match(r"\s?\d{1,2}\s?月", sentence[m.end():])
        found.append((m.start(), m.end(), int(m.group(1)), glued))
    for m in YEAR_EN.finditer(sentence):
        if not any(s <= m.start() < e for s, e, _, _ in found) and re.search(r"[a-z]", sentence):
            found.append((m.start(), m.end(), int(m.group(1)), False))
    if doc_year is not None:
        for word, offset in RELATIVE_YEARS.items():
            for m in re.finditer(word, sentence):
                found.append((m.start(), m.end(), doc_year + offset, False))
    for word, year in PLAN_PERIOD_END.items():
        for m in re.finditer(word + r"\"?(?:末|期间|时期)", sentence):
            found.append((m.start(), m.end(), year, False))
    return sorted(found)


def document_region(doc: Document, config: Config, fallback: str) -> str:
    """Return the region a document belongs to: the first named in its title, else in its text, else fallback."""
    for text in (doc.title, doc.text[:2000]):
        mentions = [r for r in find_regions(normalise(text), config, with_publishers=True) if r[2] not in ("", "?", "province")]
        if mentions:
            return mentions[0][2]
    return fallback


def convert(figure: Figure, indicator: Indicator, paren_unit: tuple[str, Decimal] | None, english: bool) -> Decimal | None:
    """Return a figure's value in the indicator's unit, or None when the units do not fit."""
    family, scale = INDICATOR_UNITS[indicator.unit]
    value = figure.value
    if figure.family == "bare":
        if paren_unit and paren_unit[0] == family:
            return value * paren_unit[1] / scale
        if english and family in COUNT_FAMILIES:
            return value / scale
        if english and family == "yuan" and figure.value >= Decimal("1e6") and figure.value == figure.value.to_integral_value() \
                and figure.scaled:
            return value / scale
        return None
    if GENERIC_COUNTERS.get(figure.family, figure.family) != GENERIC_COUNTERS.get(family, family):
        return None
    return value / scale


def fits_kind(value_kind: str, lead: str, before_phrase: str, trail: str = "", flow_needs_marker: bool = True) -> bool:
    """Return whether the words around a figure fit the kind of value a phrase expects.

    lead: the words between the phrase (or the previous figure) and the figure, within its clause;
    before_phrase: the clause up to the phrase's end, when this is the phrase's first figure;
    trail: the words right after the figure (English "a 4.7 percent increase").
    """
    growth = (bool(GROWTH.search(lead)) and not GROWTH_TO.search(lead)) or bool(TRAIL_GROWTH.match(trail))
    flow = bool(FLOW.search(lead) or FLOW.search(before_phrase))
    stock = bool(STOCK.search(lead))
    if value_kind == "growth":
        return growth
    if value_kind == "share":
        return not growth
    if value_kind == "flow":
        return not growth and not stock and (flow or not flow_needs_marker)
    return not growth and not (flow and not stock)


def qualifier_of(figure: Figure, lead: str) -> str:
    """Return the qualifier of a figure from the words right before it (超过 → >, 近/约 → ~) or its suffix (以上 → >=)."""
    for pattern, mark in PREFIX_QUALIFIERS:
        if pattern.search(lead[-14:]):
            return mark
    return figure.qualifier


def status_of(sentence: str, default: str) -> str:
    """Return 'estimate' for 预计/有望, 'preliminary' for 初步核算, 'revised' for 修订, else the default."""
    if ESTIMATE.search(sentence):
        return "estimate"
    if PRELIMINARY.search(sentence):
        return "preliminary"
    if REVISED.search(sentence):
        return "revised"
    return default


def month_of(sentence: str) -> int | None:
    """Return the last month of a year-to-date period named in a sentence (上半年 → 6, 1-9月 → 9), else None."""
    if "全年" in sentence:
        return None
    m = MONTH_RANGE.search(sentence)
    if m and 1 <= int(m.group(1)) <= 11:
        return int(m.group(1))
    for pattern, month in MONTH_MARKERS:
        if pattern.search(sentence):
            return month
    return None


def format_value(value: Decimal) -> str:
    """Return a Decimal as plain text without exponent or trailing zeros."""
    return format(value.normalize(), "f")


def region_at(position: int, span: tuple[int, int], mentions: Sequence[tuple[int, int, str]], own: str, config: Config,
              text: str) -> str:
    """Return the region of a figure at position bound to a phrase at span: the last region named before the
    phrase or in the figure's own clause, else the document's region."""
    clause = clause_start(text, position)
    before = [m for m in mentions if m[1] <= min(span[0], position) or clause <= m[0] < position]
    if not before:
        return own
    region = before[-1][2]
    if region == "":
        return own
    if region == "province":
        return own if config.region_kinds.get(own) == "province" else "?"
    return region


def year_at(position: int, years: Sequence[tuple[int, int, int, bool]], default: int | None) -> int | None:
    """Return the year of a figure: the last year mention before it (a glued one only for the figure it touches)."""
    for start, end, year, glued in reversed(years):
        if end > position:
            continue
        if glued and position - end > 2:
            continue
        return year
    return default


def clause_start(text: str, position: int) -> int:
    """Return where the clause holding position begins (after the last , ; : before it)."""
    return max([m.end() for m in CLAUSE_BREAK.finditer(text, 0, position)] or [0])
