"""The reader's view in headless Chromium, driven by Playwright: PDFs, screenshots, page checks.

No browser is downloaded: Debian's ``chromium`` (``make setup-browser``) or ``$CHROMIUM`` is
started through Playwright's ``executable_path``. Pages carry their own CJK web font
(``analysis.report.fonts.embed_cjk_subset``), so Chromium needs no Chinese system font; ``Browser`` can be
given a ``fontconfig`` file to prove it (the tests hide every CJK system font that way).

Public API:
- ``find_chromium() -> Path | None``
- ``Browser(fontconfig=None)``: one Chromium for many pages (pass as ``browser=``); a context manager.
- ``inspect_page(html_path, width=1280, screenshot=None) -> PageReport``: console errors, broken
  images, the platform fonts that drew the Chinese text (via CDP ``CSS.getPlatformFontsForNode``),
  elements wider than the viewport, boxes that scroll sideways, table headers broken inside a word.
- ``print_pdf(html_path, pdf_path)``: A4 PDF with backgrounds; dates and ids normalised, so the same
  HTML gives the same bytes.
- ``screenshot(html_path, png_path, pages=2)``: PNG of the first printed pages (print CSS, A4 width)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHROMIUM_CANDIDATES: tuple[str, ...] = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")


# Required on this machine (root, no GPU, closed network: no background connections), plus quiet flags.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--font-render-hinting=none",
)


DEFAULT_TIMEOUT = 30.0


A4_WIDTH_PX = 794  # 210 mm at 96 CSS px per inch


A4_HEIGHT_PX = 1123  # 297 mm


PDF_MARGIN = "15mm"


FIXED_PDF_DATE = "20000101000000"  # replaces the 14 digits of D:YYYYMMDDHHmmSS (zone kept, length kept)


MAX_SCREENSHOT_HEIGHT = 16_000  # Chromium's texture limit is 16384 px


CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


SETTLE_JS = """
async (ms) => {
  for (const img of document.images) { if (img.loading === 'lazy') img.loading = 'eager'; }
  const pending = Array.from(document.images).filter(img => !img.complete)
    .map(img => new Promise(r => { img.addEventListener('load', r); img.addEventListener('error', r); }));
  const timeout = t => new Promise(r => setTimeout(r, t));
  await Promise.race([Promise.all(pending), timeout(ms)]);
  await Promise.race([document.fonts.ready, timeout(ms)]);
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
}
"""


IMAGES_JS = """
() => Array.from(document.images).map(img => ({
  src: (img.currentSrc || img.src || '').slice(0, 200), complete: img.complete, naturalWidth: img.naturalWidth,
}))
"""


# Elements whose box ends right of the viewport, and boxes that scroll sideways inside the page.
OVERFLOW_JS = """
([selector, width]) => {
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/)[0] : '');
  const text = el => (el.innerText || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
  const wide = Array.from(document.querySelectorAll(selector))
    .map(el => [el, el.getBoundingClientRect()])
    .filter(([el, r]) => r.right > width + 0.5 && r.width > 0)
    .map(([el, r]) => `${name(el)} right=${Math.round(r.right)}px "${text(el)}"`);
  const scrolling = Array.from(document.querySelectorAll('body *'))
    .filter(el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX) && el.scrollWidth > el.clientWidth + 1)
    .map(el => `${name(el)} scrolls ${el.scrollWidth}px in ${el.clientWidth}px "${text(el)}"`);
  return {wide, scrolling, scrollWidth: document.documentElement.scrollWidth};
}
"""


# Table headers in which a word (a run without spaces, slashes or brackets) is set on two lines.
SPLIT_HEADERS_JS = """
() => {
  const out = [];
  for (const th of document.querySelectorAll('th')) {
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (const m of n.data.matchAll(/[^\\s\\/()（）、，,:：;；·–—-]+/g)) {
        const range = document.createRange();
        range.setStart(n, m.index); range.setEnd(n, m.index + m[0].length);
        const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (tops.size > 1) out.push(`"${m[0]}" in "${th.innerText.trim().replace(/\\s+/g, ' ').slice(0, 60)}"`);
      }
    }
  }
  return out;
}
"""


# The first visible elements (one per tag) whose own text contains CJK ideographs.
CJK_NODES_JS = """
(max) => {
  const re = /[\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff]/, seen = new Set(), out = [];
  const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n && out.length < max; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || !re.test(n.data) || seen.has(el.tagName)) continue;
    if (['SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT', 'TITLE'].includes(el.tagName)) continue;
    if (el.getClientRects().length === 0) continue;
    seen.add(el.tagName); out.push(el);
  }
  return out;
}
"""


# The number of CJK characters in the direct text children of each element (what the fonts drew).
CJK_COUNT_JS = """
(elements) => elements.map(el => Array.from(el.childNodes).filter(n => n.nodeType === Node.TEXT_NODE)
  .map(n => (n.data.match(/[\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff]/g) || []).length).reduce((a, b) => a + b, 0))
"""


class BrowserError(RuntimeError):
    """Chromium could not be started or driven."""


class ChromiumNotFound(BrowserError):
    """No Chromium executable was found."""


@dataclass(frozen=True)
class FontUsage:
    """One platform font that drew text, with the number of glyphs it drew."""

    family: str
    glyphs: int
    postscript_name: str = ""
    custom: bool = False  # True for a web font (@font-face), False for a system/fontconfig font


@dataclass(frozen=True)
class PageReport:
    """What headless Chromium saw when it loaded one HTML file."""

    path: Path
    width: int
    console_errors: tuple[str, ...]
    images: int
    broken_images: tuple[str, ...]
    cjk_text_found: bool
    cjk_fonts: tuple[FontUsage, ...]
    wide_elements: tuple[str, ...]
    scroll_width: int
    screenshot: Path | None = None
    title: str = ""
    scrolling_boxes: tuple[str, ...] = ()
    split_headers: tuple[str, ...] = ()
    cjk_characters: int = 0  # CJK characters in the text the fonts in cjk_fonts drew

    @property
    def cjk_font_used(self) -> bool:
        """Whether a CJK font (system or web) drew glyphs of the page's Chinese text."""
        return any(is_cjk_family(f.family) and f.glyphs > 0 for f in self.cjk_fonts)

    @property
    def cjk_drawn_by_embedded_font(self) -> bool:
        """Whether every CJK character checked was drawn by an embedded (@font-face) CJK font.

        Latin text beside it may come from a system font: only a CJK system font, or fewer web-font
        glyphs than CJK characters (the rest drawn as boxes by some other font), fail the check.
        """
        web = sum(f.glyphs for f in self.cjk_fonts if f.custom and is_cjk_family(f.family))
        system_cjk = any(is_cjk_family(f.family) and not f.custom and f.glyphs for f in self.cjk_fonts)
        return self.cjk_characters > 0 and web >= self.cjk_characters and not system_cjk

    @property
    def fits_width(self) -> bool:
        """Whether nothing is wider than the viewport and nothing scrolls sideways."""
        return not self.wide_elements and not self.scrolling_boxes and self.scroll_width <= self.width

    def problems(self, require_cjk: bool = False) -> list[str]:
        """Readable list of everything wrong with the page (empty when it is fine)."""
        out = [f"console: {e}" for e in self.console_errors]
        out += [f"image did not load: {src}" for src in self.broken_images]
        out += [f"wider than {self.width}px: {w}" for w in self.wide_elements]
        out += [f"scrolls sideways: {s}" for s in self.scrolling_boxes]
        out += [f"header broken inside a word: {h}" for h in self.split_headers]
        if self.scroll_width > self.width:
            out.append(f"page scrollWidth {self.scroll_width}px > viewport {self.width}px")
        if require_cjk and not self.cjk_text_found:
            out.append("no visible Chinese text found")
        elif require_cjk and not self.cjk_drawn_by_embedded_font:
            used = ", ".join(f"{f.family} ({f.glyphs}{', web font' if f.custom else ''})" for f in self.cjk_fonts)
            out.append(f"Chinese text ({self.cjk_characters} characters) not drawn by the embedded font; "
                       f"fonts used: {used or 'none'}")
        return out


def find_chromium(env: Mapping[str, str] | None = None) -> Path | None:
    """Return the Chromium executable ($CHROMIUM, then the usual names), or None."""
    env = os.environ if env is None else env
    candidates = ([env["CHROMIUM"]] if env.get("CHROMIUM") else []) + list(CHROMIUM_CANDIDATES)
    for name in candidates:
        found = shutil.which(name, path=env.get("PATH", os.defpath)) if "/" not in name else name
        if found and os.path.isfile(found) and os.access(found, os.X_OK):
            return Path(found)
    return None


def is_cjk_family(family: str) -> bool:
    """Whether a font family name is a CJK font (Noto/Source Han CJK, WenQuanYi, ...)."""
    return bool(re.search(r"CJK|Source Han|WenQuanYi|Droid Sans Fallback|AR PL ", family, re.I))


def fontconfig_without_cjk(directory: Path, font_dirs: tuple[str, ...] = ("/usr/share/fonts/truetype/dejavu",)) -> Path:
    """Write a fonts.conf that lists only font_dirs (no CJK font) and the system aliases; return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    dirs = "\n".join(f"  <dir>{d}</dir>" for d in font_dirs)
    path = directory / "fonts.conf"
    aliases = '  <include ignore_missing="yes">/etc/fonts/conf.d</include>\n'  # sans-serif etc.; no font dirs
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
                    f"<fontconfig>\n{dirs}\n{aliases}  <cachedir>{directory / 'cache'}</cachedir>\n</fontconfig>\n",
                    encoding="utf-8")
    return path


class Browser:
    """A headless Chromium started by Playwright; use as a context manager."""

    def __init__(self, executable: Path | None = None, timeout: float = DEFAULT_TIMEOUT,
                 fontconfig: Path | None = None, extra_args: tuple[str, ...] = ()) -> None:
        exe = executable or find_chromium()
        if exe is None:
            raise ChromiumNotFound("Chromium not installed: run `make setup-browser` (or set CHROMIUM=/path/to/chrome)")
        self.executable, self.timeout, self.fontconfig, self.extra_args = Path(exe), timeout, fontconfig, extra_args
        self._playwright: Any = None
        self._browser: Any = None

    def __enter__(self) -> Browser:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start(self) -> None:
        """Launch Chromium through Playwright."""
        from playwright.sync_api import Error, sync_playwright

        env = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
        if self.fontconfig is not None:
            env["FONTCONFIG_FILE"] = str(self.fontconfig)
        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(
                executable_path=str(self.executable), args=[*CHROMIUM_ARGS, *self.extra_args], env=env,
                timeout=self.timeout * 1000,
            )
        except Error as exc:
            self.close()
            raise BrowserError(f"cannot start {self.executable}: {exc}") from exc

    def close(self) -> None:
        """Close Chromium and the Playwright driver."""
        if self._browser is not None:
            self._browser.close()
            self._browser = None
        if self._playwright is not None:
            self._playwright.stop()
            self._playwright = None

    def new_page(self, width: int = 1280, height: int = 800) -> Any:
        """Return a new Playwright page with the given viewport (in a fresh context)."""
        if self._browser is None:
            raise BrowserError("browser is not running")
        context = self._browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
        context.set_default_timeout(self.timeout * 1000)
        return context.new_page()


@contextmanager
def _browser(browser: Browser | None, timeout: float) -> Iterator[Browser]:
    """Yield the given browser, or a fresh one that is closed afterwards."""
    if browser is not None:
        yield browser
        return
    with Browser(timeout=timeout) as fresh:
        yield fresh


@contextmanager
def _loaded(browser: Browser, html_path: Path, width: int, height: int, timeout: float) -> Iterator[tuple[Any, list[str]]]:
    """Yield a page with html_path loaded (images and fonts settled) and its list of errors so far."""
    if not html_path.is_file():
        raise FileNotFoundError(html_path)
    page = browser.new_page(width, height)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type in ("error", "assert") else None)
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url[:200]} ({r.failure})"))
    try:
        page.goto(html_path.resolve().as_uri(), wait_until="load", timeout=timeout * 1000)
        page.evaluate(SETTLE_JS, int(timeout * 1000 / 3))
        yield page, errors
    finally:
        page.context.close()


def broken_images(images: list[Mapping[str, Any]]) -> list[str]:
    """Return the sources of images that are not complete or have no natural width."""
    return [img.get("src") or "<no src>" for img in images if not img.get("complete") or not img.get("naturalWidth")]


def merge_fonts(per_node: list[list[Mapping[str, Any]]]) -> tuple[FontUsage, ...]:
    """Sum CSS.getPlatformFontsForNode results by family, most glyphs first."""
    totals: dict[str, FontUsage] = {}
    for fonts in per_node:
        for f in fonts:
            name = f.get("familyName", "")
            old = totals.get(name)
            glyphs = int(f.get("glyphCount", 0)) + (old.glyphs if old else 0)
            totals[name] = FontUsage(name, glyphs, f.get("postScriptName", ""), bool(f.get("isCustomFont")))
    return tuple(sorted(totals.values(), key=lambda u: (-u.glyphs, u.family)))


def cjk_platform_fonts(page: Any, max_nodes: int = 12) -> tuple[int, tuple[FontUsage, ...]]:
    """Return the CJK characters of some visible elements and the fonts that drew their text (CDP)."""
    cdp = page.context.new_cdp_session(page)
    try:
        for domain in ("DOM", "CSS"):
            cdp.send(f"{domain}.enable")
        cdp.send("DOM.getDocument", {"depth": 0})
        array = cdp.send("Runtime.evaluate", {"expression": f"({CJK_NODES_JS})({max_nodes})"})["result"]
        props = cdp.send("Runtime.getProperties", {"objectId": array["objectId"], "ownProperties": True})["result"]
        object_ids = [p["value"]["objectId"] for p in props if p["name"].isdigit() and "objectId" in p.get("value", {})]
        per_node = []
        for object_id in object_ids:
            node_id = cdp.send("DOM.requestNode", {"objectId": object_id})["nodeId"]
            per_node.append(cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node_id}).get("fonts", []))
        handle = page.evaluate_handle(CJK_NODES_JS, max_nodes)
        try:
            count = sum(page.evaluate(CJK_COUNT_JS, handle))
        finally:
            handle.dispose()
        return count if object_ids else 0, merge_fonts(per_node)
    finally:
        cdp.detach()


def inspect_page(html_path: str | Path, width: int = 1280, screenshot: str | Path | None = None, *,
                 height: int = 800, full_page: bool = True, wide_selector: str = "body *",
                 browser: Browser | None = None, timeout: float = DEFAULT_TIMEOUT) -> PageReport:
    """Load an HTML file in headless Chromium and report errors, images, CJK fonts and overflow."""
    html_path = Path(html_path)
    with _browser(browser, timeout) as b, _loaded(b, html_path, width, height, timeout) as (page, errors):
        images = page.evaluate(IMAGES_JS) or []
        overflow = page.evaluate(OVERFLOW_JS, [wide_selector, width])
        split = page.evaluate(SPLIT_HEADERS_JS)
        cjk_count, fonts = cjk_platform_fonts(page)
        title = page.title()
        shot = None
        if screenshot:
            shot = Path(screenshot)
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot), full_page=full_page)
        errors = list(errors)
    return PageReport(path=html_path, width=width, console_errors=tuple(errors), images=len(images),
                      broken_images=tuple(broken_images(images)), cjk_text_found=cjk_count > 0, cjk_fonts=fonts,
                      wide_elements=tuple(overflow["wide"]), scroll_width=int(overflow["scrollWidth"]),
                      screenshot=shot, title=title, scrolling_boxes=tuple(overflow["scrolling"]),
                      split_headers=tuple(split), cjk_characters=cjk_count)


_PDF_DATE = re.compile(rb"(/(?:CreationDate|ModDate)\s*\(D:)(\d{14})")


_PDF_ID = re.compile(rb"(/ID\s*\[\s*<)([0-9A-Fa-f]+)(>\s*<)([0-9A-Fa-f]+)(>\s*\])")


def normalize_pdf(data: bytes) -> bytes:
    """Make a Chromium PDF reproducible: dates set to FIXED_PDF_DATE, any /ID zeroed (lengths kept)."""
    data = _PDF_DATE.sub(lambda m: m.group(1) + FIXED_PDF_DATE.encode(), data)
    return _PDF_ID.sub(lambda m: m.group(1) + b"0" * len(m.group(2)) + m.group(3) + b"0" * len(m.group(4)) + m.group(5), data)


# Links to the report's own files (the annex) would print as file:// URLs naming the render's
# temporary folder: different bytes every render, and dead on the reader's machine. In the PDF
# they become plain text; http(s) links stay.
UNLINK_LOCAL_JS = """
document.querySelectorAll('a[href]').forEach(a => {
  if (!/^https?:/i.test(a.getAttribute('href'))) a.removeAttribute('href');
});
"""


# Page numbers at the foot of every printed page ("2 / 4"): digits only, so no CJK font is needed in the margin
# (Chromium draws header and footer without the page's web font).
HEADER_TEMPLATE = "<span></span>"


FOOTER_TEMPLATE = ('<div style="width:100%;font-size:8px;color:#555;text-align:center;font-family:sans-serif">'
                   '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')


def print_pdf(html_path: str | Path, pdf_path: str | Path, *, browser: Browser | None = None,
              timeout: float = DEFAULT_TIMEOUT, margin: str = PDF_MARGIN, deterministic: bool = True) -> Path:
    """Print an HTML file to an A4 PDF with headless Chromium (dates/ids fixed when deterministic)."""
    html_path, pdf_path = Path(html_path), Path(pdf_path)
    with _browser(browser, timeout) as b, _loaded(b, html_path, 1280, 800, timeout) as (page, _errors):
        page.evaluate(UNLINK_LOCAL_JS)
        data = page.pdf(format="A4", print_background=True, prefer_css_page_size=True, display_header_footer=True,
                        header_template=HEADER_TEMPLATE, footer_template=FOOTER_TEMPLATE,
                        margin={"top": margin, "bottom": margin, "left": margin, "right": margin})
    if not data.startswith(b"%PDF"):
        raise BrowserError(f"Chromium returned no PDF for {html_path}")
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    pdf_path.write_bytes(normalize_pdf(data) if deterministic else data)
    return pdf_path


def screenshot(html_path: str | Path, png_path: str | Path, pages: int = 2, *, browser: Browser | None = None,
               timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Save a PNG of the first printed pages: print CSS, A4 width, `pages` A4 heights from the top."""
    html_path, png_path = Path(html_path), Path(png_path)
    with _browser(browser, timeout) as b, _loaded(b, html_path, A4_WIDTH_PX, A4_HEIGHT_PX, timeout) as (page, _errors):
        page.emulate_media(media="print")
        page.evaluate(SETTLE_JS, int(timeout * 1000 / 3))
        total = int(page.evaluate("document.documentElement.scrollHeight"))
        height = max(1, min(total, pages * A4_HEIGHT_PX, MAX_SCREENSHOT_HEIGHT))
        png_path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(png_path), full_page=True,
                        clip={"x": 0, "y": 0, "width": A4_WIDTH_PX, "height": height})
    return png_path
