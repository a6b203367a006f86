"""Bind figures to indicator phrases and turn them into candidate observation rows."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Sequence

from analysis.data.extract.documents import Document, document_year, sentence_spans
from analysis.data.extract.figures import (
    NOT_THIS,
    Figure,
    Match,
    clause_start,
    convert,
    document_region,
    find_figures,
    find_phrases,
    find_regions,
    fits_kind,
    format_value,
    month_of,
    qualifier_of,
    region_at,
    status_of,
    year_at,
    years_in,
)
from analysis.data.extract.patterns import CJK, COUNT_FAMILIES, FALL, LIST_SEPARATOR, MAX_REACH, OUTPUT_COLUMNS, PAREN_UNITS, STARTING_POINT, YEAR
from analysis.data.extract.phrases import Config, ExtractError, Indicator, Phrase, normalise, standard_characters


@dataclass(frozen=True)
class Candidate:
    """One proposed observation."""

    indicator_id: str
    region: str
    period: str
    value: str
    unit: str
    qualifier: str
    status: str
    quote: str
    position: tuple[int, int] = field(default=(0, 0), compare=False)
    location: str = field(default="", compare=False)  # where the quote is in the document ("p. 3" in a PDF)


@dataclass(frozen=True)
class Option:
    """A phrase a figure may belong to, with the words around the figure that decide whether it fits."""

    span: tuple[int, int]
    phrase: Phrase
    lead: str
    before_phrase: str
    qualifier_lead: str
    paren_unit: tuple[str, Decimal] | None
    year: int | None = None  # a year that holds for a whole list ("从2015年的37%、22.7%")


def sentence_candidates(raw: str, config: Config, region: str, own_region: str, doc_year: int | None,
                        default_status: str) -> list[Candidate]:
    """Return the candidates one sentence gives for a region."""
    text = normalise(raw)
    english = not re.search(rf"[{CJK}]", text)
    matches = find_phrases(text, config.phrases)
    if not matches:
        return []
    figures = [f for f in find_figures(text)  # "per 10,000 people" inside a phrase is no figure
               if not any(m.start <= f.start and f.end <= m.end and len(m.phrase.parts) == 1 for m in matches)]
    paired, blocked = pair_respectively(text, matches, figures, config)
    mentions = find_regions(text, config)
    years = years_in(text, doc_year)
    month = month_of(text)
    out: list[Candidate] = []
    used: dict[tuple[tuple[int, int], str, str], int] = {}
    for index, fig in enumerate(figures):
        if index in blocked and index not in paired:
            continue
        if STARTING_POINT.search(text[:fig.start]):
            continue  # "由1.31万亿元增加到1.87万亿元": the starting value belongs to an earlier, unnamed year
        options = paired[index] if index in paired else binding_options(index, figures, matches, text, english)
        trail = text[fig.end:fig.end + 14]
        for option in options:
            chosen = choose(fig, option.phrase, config, option.lead, option.before_phrase, trail, option.paren_unit, english)
            if chosen is None:
                continue
            indicator, value = chosen
            if option.phrase.value_kind == "growth" and FALL.search(option.lead.rstrip()):
                value = -value  # 下降2.1% is a growth of -2.1 %
            year = option.year or year_at(fig.start, years, doc_year if not english else None)
            if year is None and english:
                year = next((y for start, _, y, _ in years if start >= fig.end), doc_year)  # "… 1.2 trillion yuan in 2019"
            if region_at(fig.start, option.span, mentions, own_region, config, text) != region or year is None:
                break
            period = f"{year}-{month:02d}" if month else str(year)
            cand = Candidate(indicator.indicator_id, region, period, format_value(value), indicator.unit,
                             qualifier_of(fig, option.qualifier_lead), status_of(text[:fig.end] + parenthesis_after(text, fig.end), default_status),
                             standard_characters(raw.strip()), (fig.start, option.span[0]))
            key = (option.span, indicator.indicator_id, period)
            if key not in used:
                used[key] = len(out)
                out.append(cand)
            elif out[used[key]].qualifier and not cand.qualifier:
                out[used[key]] = cand  # "突破3.3万亿元,达到33357.1亿元": the exact figure replaces the bound
            break
    return out


def parenthesis_after(text: str, position: int) -> str:
    """Return a bracketed remark right after a figure ("2.4万亿元(预计数,下同)"), else ""."""
    m = re.match(r"\([^()]{0,12}\)", text[position:])
    return m.group(0) if m else ""


def paren_unit_after(text: str, position: int) -> tuple[str, Decimal] | None:
    """Return the unit a phrase declares in brackets right after it ("研发费用(亿元) 316.2"), else None."""
    paren = re.match(r"\s?\((亿元|万元|%|家|件|人|万人|个|项)\)", text[position:])
    return PAREN_UNITS[paren.group(1)] if paren else None


def binding_options(index: int, figures: Sequence[Figure], matches: Sequence[Match], text: str, english: bool) -> list[Option]:
    """Return the phrases a figure may belong to, best first: one right after it ("1479家高新技术企业",
    "3,102 high-tech enterprises"), then those ending nearest before it."""
    fig = figures[index]
    own_clause = max(clause_start(text, fig.start), max([f.end for f in figures[:index]] or [0]))
    options: list[Option] = []
    filler = r"\s?(?:(?:new|newly|more|of|certified|registered|national)\s)*" if english else ""
    after = [m for m in matches if m.start >= fig.end and re.fullmatch(filler, text[fig.end:m.start])]
    if after and (english or fig.family in COUNT_FAMILIES):
        first = min(m.start for m in after)
        group = sorted((m for m in after if m.start == first), key=lambda m: (-(m.end - m.start), m.phrase.indicator_id))
        lead = text[own_clause:fig.start] + " " + text[fig.end:first]
        options += [Option((m.start, m.end), m.phrase, lead, lead, text[own_clause:fig.start], None) for m in group]
    reach = MAX_REACH + (20 if english else 0)
    before = [m for m in matches if m.end <= fig.start and fig.start - m.end <= reach]
    if before:
        nearest = max(m.end for m in before)
        group = sorted((m for m in before if m.end == nearest), key=lambda m: (-(m.end - m.start), m.phrase.indicator_id))
        prev_end = max([f.end for f in figures[:index] if f.start >= nearest] or [nearest])
        lead = text[max(prev_end, clause_start(text, fig.start)):fig.start]
        for m in group:
            before_phrase = text[clause_start(text, m.start):m.end] if prev_end == nearest else ""
            options.append(Option((m.start, m.end), m.phrase, lead, before_phrase, text[prev_end:fig.start],
                                  paren_unit_after(text, m.end)))
    return options


def pair_respectively(text: str, matches: Sequence[Match], figures: list[Figure],
                      config: Config) -> tuple[dict[int, list[Option]], set[int]]:
    """Return options for the figures of "A、B分别X、Y" (A with X, B with Y) and the figures of every such list.

    An item without a phrase of its own borrows the start of the first item
    ("高新技术产业产值、增加值" → 高新技术产业增加值). Lists that do not pair up are returned as blocked only.
    """
    paired: dict[int, list[Option]] = {}
    blocked = list_runs(text, figures)
    for hit in re.finditer("分别", text):
        after = [i for i, f in enumerate(figures) if f.start >= hit.end()]
        if not after or figures[after[0]].start - hit.end() > 12:
            continue
        run = [after[0]]
        for i in after[1:]:
            if not re.fullmatch(rf"\s?{LIST_SEPARATOR}\s?", text[figures[run[-1]].end:figures[i].start]):
                break
            run.append(i)
        blocked.update(run)
        last = figures[run[-1]]
        for i in run:
            if figures[i].family == "bare" and last.family != "bare":
                f = figures[i]
                figures[i] = Figure(f.start, f.end, f.value * (Decimal("1e4") if last.scaled and last.value >= 10000 and f.value < 10000 else 1),
                                    last.family, f.qualifier, f.scaled)
        start = clause_start(text, hit.start())
        items, offset = [], start
        for piece in re.split(r"(、|和|及|与)", text[start:hit.start()]):
            if piece not in ("、", "和", "及", "与"):
                items.append((offset, offset + len(piece)))
            offset += len(piece)
        if len(items) != len(run):
            continue
        runs = [run]
        later = [i for i in range(run[-1] + 1, len(figures)) if i not in run]
        if len(later) >= len(run) and re.fullmatch(r"[^,;。]{0,6}(到|至)", text[figures[run[-1]].end:figures[later[0]].start]) \
                and all(re.fullmatch(rf"\s?{LIST_SEPARATOR}\s?", text[figures[a].end:figures[b].start])
                        for a, b in zip(later[:len(run) - 1], later[1:len(run)])):
            runs.append(later[:len(run)])  # "分别从A1、B1提高到A2、B2": the second list pairs the same way
            blocked.update(runs[-1])
        for this in runs:
            lead = text[hit.start() if this is run else figures[run[-1]].end:figures[this[0]].start]
            glued = YEAR.search(lead[-8:])
            list_year = int(glued.group(1)) if glued and lead.endswith(glued.group(0)) else None
            for number, ((a, b), i) in enumerate(zip(items, this)):
                phrases = item_phrases(text, a, b, items[0] if number else (a, a), matches, config, items[-1])
                paired[i] = [Option((a, b), p, lead, text[start:b], lead, None, list_year) for p in phrases]
    return paired, blocked


def list_runs(text: str, figures: Sequence[Figure]) -> set[int]:
    """Return the figures of every run "X、Y" / "X和Y" (two or more figures joined only by list words): without 分别 their owners are unknown."""
    runs: set[int] = set()
    for i in range(1, len(figures)):
        if re.fullmatch(rf"\s?{LIST_SEPARATOR}\s?", text[figures[i - 1].end:figures[i].start]):
            runs.update((i - 1, i))
    return runs


def item_phrases(text: str, a: int, b: int, first: tuple[int, int], matches: Sequence[Match], config: Config,
                 last: tuple[int, int] | None = None) -> list[Phrase]:
    """Return the phrases of one list item: the longest inside it, else the first item's start plus the item
    ("产值、增加值" → 高新技术产业增加值), else the item plus the last item's end ("高新技术产业、战略性新兴产业增加值")."""
    inside = [m for m in matches if a <= m.start and m.end <= b]
    if inside:
        longest = max(m.end - m.start for m in inside)
        return [m.phrase for m in sorted(inside, key=lambda m: m.phrase.indicator_id) if m.end - m.start == longest]
    item = text[a:b]
    for cut in range(first[1] - first[0] - 1, 0, -1):
        joined = text[first[0]:first[0] + cut] + item
        found = [m for m in find_phrases(joined, config.phrases) if m.start == 0 and m.end > cut]
        if found:
            longest = max(m.end for m in found)
            return [m.phrase for m in sorted(found, key=lambda m: m.phrase.indicator_id) if m.end == longest]
    if last and last != (a, b):
        tail = text[last[0]:last[1]]
        for cut in range(1, len(tail)):
            found = [m for m in find_phrases(item + tail[cut:], config.phrases) if m.start == 0 and m.end > len(item)]
            if found:
                longest = max(m.end for m in found)
                return [m.phrase for m in sorted(found, key=lambda m: m.phrase.indicator_id) if m.end == longest]
    return []


def choose(fig: Figure, phrase: Phrase, config: Config, lead: str, before_phrase: str, trail: str,
           paren_unit: tuple[str, Decimal] | None, english: bool) -> tuple[Indicator, Decimal] | None:
    """Return the indicator of a phrase that this figure fits, with the converted value, or None."""
    if fig.family == "pp" or phrase is NOT_THIS:
        return None
    indicator = config.indicators[phrase.indicator_id]
    value = convert(fig, indicator, paren_unit, english)
    needs_marker = phrase.parts in config.level_parts
    if value is None or not fits_kind(phrase.value_kind, lead, before_phrase, trail, needs_marker):
        return None
    return indicator, value


def extract(doc: Document, region: str, config: Config, default_status: str = "reported",
            own_region: str | None = None, year: int | None = None) -> list[Candidate]:
    """Return the candidate observations of a document for one region, in document order, without repeats."""
    if region not in config.region_kinds:
        raise ExtractError(f"unknown region {region!r} (regions.csv has: {', '.join(sorted(config.region_kinds))})", exit_code=2)
    own = own_region or document_region(doc, config, region)
    doc_year = year if year is not None else document_year(doc)
    out: list[Candidate] = []
    seen = set()
    for offset, raw in sentence_spans(doc.text):
        for cand in sentence_candidates(raw, config, region, own, doc_year, default_status):
            key = (cand.indicator_id, cand.region, cand.period, cand.value, cand.qualifier)
            if key not in seen:
                seen.add(key)
                out.append(replace(cand, location=doc.location(offset)))
    return out


def candidate_rows(candidates: Sequence[Candidate], source_id: str, published: str, origin: str) -> list[dict[str, str]]:
    """Return candidates as rows of the add --from template."""
    return [{
        "indicator_id": c.indicator_id, "region": c.region, "period": c.period, "value": c.value, "unit": c.unit,
        "qualifier": c.qualifier, "status": c.status, "source_id": source_id, "published": published,
        "published_estimated": "false", "preferred": "", "quote": c.quote,
        "notes": f"proposed by extract from {' '.join(filter(None, (origin, c.location)))}; check before adding",
    } for c in candidates]


def csv_text(rows: Sequence[dict[str, str]]) -> str:
    """Return rows as CSV text (UTF-8, LF) with the template's columns."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=OUTPUT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
