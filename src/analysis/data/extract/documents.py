"""Read a saved document (.txt, .html, .pdf): its title, year, region and sentences."""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from analysis.data.extract.patterns import BLOCK_TAGS, SENTENCE_END, YEAR
from analysis.data.extract.phrases import ExtractError, normalise


@dataclass(frozen=True)
class Document:
    """A saved page: its title, full text, and the date it was published (if known)."""

    title: str
    text: str
    published: dt.date | None = None


def read_document(path: Path, published: dt.date | None = None) -> Document:
    """Return the title and text of a saved .txt, .html/.htm or .pdf file."""
    if not path.is_file():
        raise ExtractError(f"{path}: file not found", exit_code=2)
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        title, text = html_title_text(decode(path.read_bytes(), path))
    elif suffix == ".pdf":
        title, text = pdf_title_text(path)
    elif suffix == ".txt":
        text = decode(path.read_bytes(), path)
        title = next((line.strip() for line in text.splitlines() if line.strip()), "")
    else:
        raise ExtractError(f"{path}: unsupported file type {suffix or '(none)'} (use .txt, .html or .pdf)", exit_code=2)
    if not text.strip():
        raise ExtractError(f"{path}: no text found (a scanned PDF needs OCR first)")
    if suffix != ".html" and suffix != ".htm":
        text = join_wrapped_lines(text)
    return Document(title=title, text=text, published=published)


def decode(raw: bytes, path: Path) -> str:
    """Return bytes as text: UTF-8 (with or without BOM), else GB18030 as used by many Chinese sites."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ExtractError(f"{path}: text is neither UTF-8 nor GB18030")


def html_title_text(html: str) -> tuple[str, str]:
    """Return the <title> (else the first <h1>) and the visible text of an HTML page."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "noscript", "template"]):
        hidden.decompose()
    heading = soup.title or soup.find("h1")
    title = heading.get_text(" ", strip=True) if heading else ""
    for tag in soup.find_all(BLOCK_TAGS):
        tag.insert_before("\n")
        tag.append("\n")
    for tag in soup.find_all(["td", "th"]):
        tag.append(" ")
    for tag in soup.find_all("br"):
        tag.replace_with("\n")
    body = soup.body or soup
    return title, body.get_text("")  # inline tags (<span>18147.7</span>亿元) stay inside their sentence


def pdf_title_text(path: Path) -> tuple[str, str]:
    """Return the first line and the text of every page of a PDF."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.CRITICAL)  # its warnings would break the one-line error
    try:
        reader = PdfReader(str(path))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PyPdfError, OSError, ValueError, KeyError, TypeError) as err:
        raise ExtractError(f"{path}: cannot read this PDF ({type(err).__name__}: {err})") from None
    finally:
        pypdf_log.setLevel(level)
    title = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return title, text


def sentences(text: str) -> list[str]:
    """Return the sentences of a text (split at 。！？, line breaks and English full stops)."""
    return [s.strip() for s in SENTENCE_END.split(text) if s and s.strip()]


def join_wrapped_lines(text: str) -> str:
    """Return text with hard line wraps inside sentences removed (PDF and plain-text layout):
    a line of 15 or more characters that does not end a sentence continues on the next line."""
    lines = text.splitlines()
    out: list[str] = []
    for number, line in enumerate(lines):
        line = line.strip()
        if number > 1 and out and len(out[-1]) >= 15 and not re.search(r"[。！？!?:：.]$", out[-1]) and line:
            glue = " " if re.search(r"[A-Za-z,]$", out[-1]) and re.match(r"[A-Za-z0-9]", line) else ""
            out[-1] = out[-1] + glue + line
        else:
            out.append(line)
    return "\n".join(out)


def document_year(doc: Document) -> int | None:
    """Return the year a document is about: the first year in its title, else its publication year."""
    m = YEAR.search(normalise(doc.title)) or re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", doc.title)
    if m:
        return int(m.group(1))
    return doc.published.year if doc.published else None
