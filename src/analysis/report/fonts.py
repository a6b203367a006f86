"""The CJK font in one place: the bundled Noto Sans CJK SC face, for figures and for pages.

Figures (matplotlib) use the face from the bundled collection (``cjk_font_path``/``cjk_font_name``).
Pages carry their own font: ``embed_cjk_subset(html)`` subsets the face to the characters the page
uses and embeds it as an ``@font-face`` WOFF data: URL, so any browser on any machine (with or
without Chinese system fonts) draws the same page, and Chromium's PDFs embed a named CID font.
Chinese pages take all their text from it (full-width punctuation, Latin and digits matching);
other pages only their CJK characters (``unicode-range``), so English keeps a Latin font and quotes.

Why a prepared TrueType copy: Chromium's PDF backend (Skia) embeds OpenType/CFF outlines only as
unnamed Type 3 glyphs, and subsetting the 65,000-glyph CFF face takes seconds per page. So
``make setup`` runs ``prepare_font()`` once: the face cut to the BMP ideographs, Latin, symbols and
punctuation (no vertical or Japanese/Korean forms), outlines converted to TrueType (quadratic) curves, cached in the venv. Pages subset
that copy (fast); a page with a character outside it is subset from the full face and converted
on the fly (slower, same result). WOFF (zlib), not WOFF2: brotli is not in the lock.
Only the Regular weight is shipped; Chromium synthesizes bold headings from it."""

from __future__ import annotations

import base64
import io
import os
import re
import string
import sys
import tempfile
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

CJK_FAMILY = "Noto Sans CJK SC"  # the face used from the bundled collection (name ID 1)


EMBEDDED_FAMILY = "Noto Sans CJK SC Embedded"  # the @font-face family of the pages


STYLE_ID = "embedded-cjk-font"


PREPARED_VERSION = 4  # bump when prepare_font's output changes


ALWAYS_INCLUDED = string.digits + string.punctuation + " \u00a0" + "，。、：；！？（）“”‘’《》【】—…·％"


# What the embedded face draws on a page that is not Chinese (Latin text and its quotes keep a Latin
# font there: the CJK face's quotes and dashes are full width). Also the @font-face unicode-range.
CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x2E80, 0x2FDF), (0x3000, 0x303F), (0x3040, 0x30FF), (0x3100, 0x312F), (0x31C0, 0x31EF),
    (0x3200, 0x33FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF), (0x20000, 0x3134F),
)


SKIPPED_TAGS = frozenset({"script", "style", "template", "noscript"})


MONO_FALLBACK = 'var(--jp-code-font-family, monospace), monospace'


# Latin text of non-Chinese pages (the embedded face covers only CJK there).
LATIN_FALLBACK = '"Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans", sans-serif'


class FontError(RuntimeError):
    """The bundled CJK font is missing or cannot be read."""


@lru_cache(maxsize=1)
def cjk_collection_path() -> Path:
    """Return the bundled Noto Sans CJK collection (.ttc) of the noto-cjk-sans-otc package."""
    import noto_cjk_sans_otc

    path = Path(str(noto_cjk_sans_otc.FONT_PATH))
    if not path.exists():
        raise FontError(f"CJK font missing: {path}; run `make setup`")
    return path


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """Return the bundled Noto Sans CJK font file, registered with matplotlib."""
    from matplotlib import font_manager

    path = cjk_collection_path()
    font_manager.fontManager.addfont(str(path))
    return path


def cjk_font_name() -> str:
    """Return the simplified-Chinese family of the bundled collection, as matplotlib names it."""
    from matplotlib import font_manager

    path = cjk_font_path()
    families = {entry.name for entry in font_manager.fontManager.ttflist if entry.fname == str(path)}
    if CJK_FAMILY not in families:
        raise FontError(f"{CJK_FAMILY} not found in {path} (faces: {sorted(families)})")
    return CJK_FAMILY


@lru_cache(maxsize=4)
def face_index(collection: Path, family: str = CJK_FAMILY) -> int:
    """Return the index of the face named family (name ID 1) inside a .ttc collection."""
    from fontTools.ttLib import TTCollection

    with TTCollection(str(collection), lazy=True) as ttc:
        for i, font in enumerate(ttc.fonts):
            if font["name"].getDebugName(1) == family:
                return i
    raise FontError(f"{family} not found in {collection}")


PREPARED_BLOCKS = (
    (0x20, 0x7E), (0xA0, 0x24F),  # Latin
    (0x370, 0x3FF),  # Greek
    (0x2000, 0x2BFF),  # punctuation, letterlike symbols, arrows, mathematical operators, shapes
    (0x3000, 0x30FF),  # CJK symbols and punctuation, kana
    (0x4E00, 0x9FFF),  # CJK unified ideographs (main block; extension A comes from the full face)
    (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),  # compatibility ideographs and forms, full width
)


def prepared_charset() -> str:
    """Return the characters of the prepared copy: Latin, punctuation, symbols and the BMP ideographs."""
    chars = {chr(c) for first, last in PREPARED_BLOCKS for c in range(first, last + 1)}
    return "".join(sorted(chars | set(ALWAYS_INCLUDED)))


def prepared_font_path(cache_dir: Path | None = None) -> Path:
    """Return where the prepared TrueType copy lives (changes with the source font and the version)."""
    source = cjk_collection_path()
    from fontTools import version as fonttools_version

    cache_dir = cache_dir or Path(sys.prefix) / "share" / "analysis-fonts"
    name = f"NotoSansCJKsc-prepared-v{PREPARED_VERSION}-{source.stat().st_size}-ft{fonttools_version}.ttf"
    return cache_dir / name


def subsetter_options(page: bool = False):  # noqa: ANN201 - fontTools.subset.Options
    """Return the subsetter options; for pages: horizontal text only (no GSUB, kerning kept)."""
    from fontTools import subset

    options = subset.Options()
    options.hinting = True  # nothing to keep (the TrueType copy has no instructions); not parsing glyphs is faster
    options.notdef_outline = True
    options.recalc_timestamp = False
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    if page:
        # Horizontal Chinese and Latin use the default glyphs: the GSUB closure (vertical, width and
        # locale forms) would add ~40 % glyphs nobody sees; kerning (GPOS) stays for Latin.
        options.layout_features = ["kern"]
        options.name_IDs = ["*"]  # a few records (licence included); skips a walk over every table
        options.drop_tables += ["GSUB", "BASE", "vhea", "vmtx", "VORG"]
    return options


def subset_face(font, text: str, page: bool = False):  # noqa: ANN001, ANN201 - fontTools TTFont in and out
    """Cut font (in place) to the glyphs of text (with their layout closure unless page); return it."""
    from fontTools import subset

    subsetter = subset.Subsetter(subsetter_options(page))
    subsetter.populate(text=text)
    subsetter.subset(font)
    return font


def to_truetype(font, max_err: float = 1.0):  # noqa: ANN001, ANN201 - fontTools TTFont
    """Convert a CFF-flavoured font (in place) to TrueType outlines (as fontTools' otf2ttf)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    if "CFF " not in font:
        return font
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["loca"], font["glyf"] = newTable("loca"), glyf
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        hmtx[name] = (hmtx[name][0], getattr(glyph, "xMin", 0))
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion, maxp.maxZones = 0x00010000, 1
    for attr in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.compile(font)
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 3.0, [], {}
    font.sfntVersion = "\x00\x01\x00\x00"
    return font


def open_face(lazy: bool = True):  # noqa: ANN201 - fontTools TTFont
    """Open the Noto Sans CJK SC face of the bundled collection."""
    from fontTools.ttLib import TTFont

    source = cjk_collection_path()
    font = TTFont(str(source), fontNumber=face_index(source), lazy=lazy)
    font.recalcTimestamp = False  # keep head.modified: the same input gives the same bytes
    return font


def prepare_font(cache_dir: Path | None = None, force: bool = False) -> Path:
    """Build (once, in `make setup`) the TrueType copy of the face cut to prepared_charset()."""
    dest = prepared_font_path(cache_dir)
    if dest.is_file() and not force:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    for stale in dest.parent.glob("NotoSansCJKsc-prepared-*.ttf"):
        stale.unlink(missing_ok=True)
    font = to_truetype(subset_face(open_face(lazy=False), prepared_charset(), page=True))
    fd, tmp = tempfile.mkstemp(dir=dest.parent, suffix=".tmp")
    os.close(fd)
    font.save(tmp)
    os.chmod(tmp, 0o644)
    Path(tmp).replace(dest)
    for cached in (_prepared_bytes, _prepared_glyph_order, _prepared_cmap):
        cached.cache_clear()
    return dest


@lru_cache(maxsize=1)
def _prepared_bytes(path: Path) -> bytes:
    """Return the prepared font's bytes (read once per process)."""
    return path.read_bytes()


@lru_cache(maxsize=1)
def _prepared_glyph_order(path: Path) -> tuple[str, ...]:
    """Return the prepared copy's glyph order (computed once per process)."""
    from fontTools.ttLib import TTFont

    with TTFont(io.BytesIO(_prepared_bytes(path)), lazy=True) as font:
        return tuple(font.getGlyphOrder())


@lru_cache(maxsize=1)
def _prepared_cmap(path: Path) -> frozenset[int]:
    """Return the code points of the prepared copy."""
    from fontTools.ttLib import TTFont

    with TTFont(io.BytesIO(_prepared_bytes(path)), lazy=True) as font:
        return frozenset(font.getBestCmap())


class _TextCollector(HTMLParser):
    """Collect the text a reader sees (no script/style), character references resolved."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self._skip += 1
        for name, value in attrs:  # alt/title/placeholder text can be drawn too
            if name in ("alt", "title", "placeholder", "value") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def page_text(html: str) -> str:
    """Return the characters a page can draw: its text (no scripts/styles) and short attributes."""
    parser = _TextCollector()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def font_characters(text: str, extras: str = ALWAYS_INCLUDED) -> str:
    """Return the sorted distinct characters of text plus extras, no control characters."""
    chars = {c for c in text + extras if c.isprintable() or c == "\u00a0"}
    return "".join(sorted(chars))


def subset_woff(text: str, cache_dir: Path | None = None, extras: str = ALWAYS_INCLUDED) -> bytes:
    """Return a WOFF of the face with exactly the glyphs text (and extras) need; same text, same bytes."""
    from fontTools.ttLib import TTFont

    chars = font_characters(text, extras)
    prepared = prepared_font_path(cache_dir)
    if prepared.is_file() and {ord(c) for c in chars} <= _prepared_cmap(prepared) | _unmapped(chars):
        # lazy, and bounding boxes kept from the prepared copy: glyph data is copied, not recompiled
        font = TTFont(io.BytesIO(_prepared_bytes(prepared)), lazy=True, recalcBBoxes=False)
        font.setGlyphOrder(list(_prepared_glyph_order(prepared)))  # else rebuilt from the cmap (~1 s)
    else:  # a rare character (or no `make setup`): cut the full face, then convert the few glyphs
        font = to_truetype(subset_face(open_face(lazy=True), chars, page=True))
        font = TTFont(_save(font))
    font.recalcTimestamp = False
    subset_face(font, chars, page=True)
    font.flavor = "woff"
    return _save(font).getvalue()


def _unmapped(chars: str) -> frozenset[int]:
    """Return the code points of chars that the full face does not map (they fall back anyway)."""
    return frozenset(ord(c) for c in chars) - _face_cmap()


@lru_cache(maxsize=1)
def _face_cmap() -> frozenset[int]:
    """Return the code points of the full face."""
    font = open_face(lazy=True)
    return frozenset(font.getBestCmap())


def _save(font) -> io.BytesIO:  # noqa: ANN001 - fontTools TTFont
    """Save font to a rewound in-memory buffer."""
    buffer = io.BytesIO()
    font.save(buffer)
    buffer.seek(0)
    return buffer


def is_cjk(char: str) -> bool:
    """Whether char lies in one of CJK_RANGES."""
    code = ord(char)
    return any(first <= code <= last for first, last in CJK_RANGES)


def unicode_range(ranges: tuple[tuple[int, int], ...] = CJK_RANGES) -> str:
    """Return ranges as a CSS unicode-range value."""
    return ", ".join(f"U+{first:X}-{last:X}" for first, last in ranges)


def font_face_css(woff: bytes, family: str = EMBEDDED_FAMILY, cjk_only: bool = False) -> str:
    """Return the <style> that declares the embedded face and puts it first for the page's text."""
    data = base64.b64encode(woff).decode("ascii")
    quoted = f'"{family}"'
    only = f"  unicode-range: {unicode_range()};\n" if cjk_only else ""
    return (
        f'<style id="{STYLE_ID}">\n'
        f"@font-face {{ font-family: {quoted}; font-style: normal; font-weight: 400; font-display: block;\n"
        f"{only}"
        f'  src: url(data:font/woff;base64,{data}) format("woff"); }}\n'
        f":root {{ --jp-content-font-family: {quoted}, sans-serif; --jp-ui-font-family: {quoted}, sans-serif; }}\n"
        # !important: a page rule such as `.code-toggle { font-family: sans-serif }` would otherwise win
        f"body, body *:not(pre, pre *, code, kbd, samp) {{ font-family: {quoted}, {LATIN_FALLBACK} !important; }}\n"
        f"pre, pre *, code, kbd, samp {{ font-family: {MONO_FALLBACK}, {quoted} !important; }}\n"
        "</style>\n"
    )


_EMBEDDED_STYLE = re.compile(rf'<style id="{STYLE_ID}">.*?</style>\n?', re.S)


_HTML_LANG = re.compile(r"<html[^>]*?\blang=[\"']?([A-Za-z-]+)", re.I)


def is_chinese_page(html: str) -> bool:
    """Whether the page's <html lang> is Chinese (or not given)."""
    match = _HTML_LANG.search(html)
    return match is None or match.group(1).lower().startswith("zh")


def embed_cjk_subset(html: str) -> str:
    """Return html with a subset of the CJK face for exactly its text embedded as a web font.

    A Chinese page (``<html lang="zh">`` or no lang) gets every character it uses from the face;
    another page its CJK characters (unicode-range) and the CJK punctuation, so every page carries
    its font even when today's data put no Chinese word on it (a few kB).
    """
    html = _EMBEDDED_STYLE.sub("", html)
    text = page_text(html)
    chinese = is_chinese_page(html)
    if not chinese:
        text = "".join(c for c in text if is_cjk(c))
    extras = ALWAYS_INCLUDED if chinese else "".join(c for c in ALWAYS_INCLUDED if is_cjk(c))
    style = font_face_css(subset_woff(text, extras=extras), cjk_only=not chinese)
    if "</head>" in html:
        return html.replace("</head>", style + "</head>", 1)
    match = re.search(r"<body[^>]*>", html, re.I)
    where = match.start() if match else 0
    return html[:where] + style + html[where:]


def embedded_font(html: str) -> bytes | None:
    """Return the WOFF bytes a page embeds with embed_cjk_subset, or None."""
    match = re.search(rf'<style id="{STYLE_ID}">.*?base64,([A-Za-z0-9+/=]+)\)', html, re.S)
    return base64.b64decode(match.group(1)) if match else None


def main() -> int:
    """Prepare the TrueType copy once (`make setup`) and say where it is."""
    import time

    start = time.perf_counter()
    existed = prepared_font_path().is_file()
    path = prepare_font()
    took = "already prepared" if existed else f"prepared in {time.perf_counter() - start:.1f}s"
    print(f"CJK web-font source: {path} ({path.stat().st_size / 1e6:.1f} MB, {took})")
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = [
    "CJK_FAMILY", "EMBEDDED_FAMILY", "FontError", "cjk_font_name", "cjk_font_path", "embed_cjk_subset",
    "embedded_font", "page_text", "prepare_font", "subset_woff",
]
