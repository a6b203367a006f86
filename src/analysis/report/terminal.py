"""Text for a terminal: display width (East Asian wide characters count 2), wrapping, tables that fit a width."""

from __future__ import annotations

import re
import unicodedata
from typing import Sequence

try:
    from wcwidth import wcswidth, wcwidth
except ImportError:  # pragma: no cover - wcwidth comes with the pinned environment; the fallback keeps the rule
    wcswidth = wcwidth = None

WIDTH = 100  # columns every line fits by default (`status`, `coverage`)
GAP = "  "  # between columns


def char_width(char: str) -> int:
    """Return the columns one character takes: 2 for East Asian wide and fullwidth, 0 for combining marks, else 1."""
    if wcwidth is not None:
        w = wcwidth(char)
        if w >= 0:
            return w
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Return the columns a text takes on a terminal."""
    if wcswidth is not None:
        w = wcswidth(text)
        if w >= 0:
            return w
    return sum(char_width(c) for c in text)


def pad(text: str, width: int) -> str:
    """Return text padded with spaces to a display width."""
    return text + " " * max(0, width - display_width(text))


CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
OPENERS = "（《“‘"  # never at a line's end
CLOSERS = "）》”’，。、：；！？"  # never at a line's start (避头尾)
# a token: opening marks, then one Chinese character or a run of other letters, then closing marks
TOKEN_RE = re.compile(rf"[{OPENERS}]*(?:[{CJK}]|[^\s{CJK}{OPENERS}{CLOSERS}]+)[{CLOSERS}]*|[{OPENERS}{CLOSERS}]+|\s+")


def wrap(text: str, width: int) -> list[str]:
    """Return text broken into lines of at most ``width`` columns: at spaces, between Chinese characters, else inside a word."""
    width = max(1, width)
    lines: list[str] = []
    line = ""
    for token in TOKEN_RE.findall(text):
        if token.isspace():
            if line and display_width(line) + 1 <= width:
                line += " "
            continue
        while display_width(token) > width:  # a word longer than the column: cut it
            room = width - display_width(line)
            if room <= 0:
                lines.append(line.rstrip())
                line, room = "", width
            cut, used = 0, 0
            while cut < len(token) and used + char_width(token[cut]) <= room:
                used += char_width(token[cut])
                cut += 1
            if cut == 0:
                lines.append(line.rstrip())
                line = ""
                continue
            line += token[:cut]
            token = token[cut:]
            lines.append(line.rstrip())
            line = ""
        if display_width(line) + display_width(token) > width:
            lines.append(line.rstrip())
            line = ""
        line += token
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def fit_widths(natural: Sequence[int], limit: int, first: int = 0, floor: int = 20, minimum: int = 6) -> list[int]:
    """Return column widths that fit ``limit`` columns with their gaps: the others narrowed to ``floor`` before column ``first``, then the widest."""
    widths = list(natural)
    room = limit - len(GAP) * (len(widths) - 1)
    for bottom, skip in ((floor, first), (minimum, None)):
        while sum(widths) > room:
            candidates = [i for i in range(len(widths)) if i != skip and widths[i] > bottom]
            if not candidates:
                break
            widest = max(candidates, key=lambda i: widths[i])
            widths[widest] -= 1
    return widths


def table_lines(headers: Sequence[str], rows: Sequence[Sequence[str]], limit: int = WIDTH) -> list[str]:
    """Return a table as lines of at most ``limit`` columns: a header, a rule, each row with its cells wrapped."""
    natural = [max([display_width(h)] + [display_width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    widths = fit_widths(natural, limit)
    out = []
    for cells in [list(headers)] + [list(r) for r in rows]:
        wrapped = [wrap(c, w) for c, w in zip(cells, widths)]
        for k in range(max(len(w) for w in wrapped)):
            out.append(GAP.join(pad(w[k] if k < len(w) else "", width) for w, width in zip(wrapped, widths)).rstrip())
        if len(out) == 1:
            out.append(GAP.join("-" * w for w in widths))
    return out


def wrapped_lines(text: str, limit: int = WIDTH, indent: str = "") -> list[str]:
    """Return a paragraph wrapped to ``limit`` columns, continuation lines indented by ``indent`` plus two spaces."""
    follow = indent + "  "
    first, *rest = wrap(text, limit - display_width(follow))
    return [indent + first] + [follow + line for line in rest]
