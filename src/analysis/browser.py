"""Headless-Chromium checks of rendered reports over the Chrome DevTools Protocol (CDP).

No browser is downloaded: Debian's ``chromium`` (``make setup-browser``) or ``$CHROMIUM`` is used.
Chinese text must render even on machines without a system CJK font, so Chromium is started with
``FONTCONFIG_FILE`` pointing at a fonts.conf that includes the system configuration and adds the
directory of the CJK font bundled in the venv (``analysis.plots.cjk_font_path()``).

Public API:
- ``find_chromium() -> Path | None``
- ``inspect_page(html_path, width=1280, screenshot=None) -> PageReport``: console errors, uncaught
  exceptions, broken images, the platform fonts that actually drew the Chinese text, elements wider
  than the viewport, and an optional PNG screenshot.
- ``print_pdf(html_path, pdf_path)``: A4 PDF with backgrounds; CreationDate/ModDate are rewritten
  to FIXED_PDF_DATE (same length, so the xref table stays valid): the same HTML gives the same bytes.
- ``ensure_fontconfig()``: the fonts.conf (and, built once, a TrueType copy of the CJK face: Skia
  embeds CFF fonts only as unnamed Type 3 glyphs) in .venv/fontconfig/.
- ``Browser``: a context manager to reuse one Chromium for many pages (pass as ``browser=``).

Every CDP wait has a deadline (``CDPTimeout``); Chromium's whole process group is killed on exit.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CJK_FAMILY = "Noto Sans CJK SC"  # the face used from the bundled collection (as in analysis.plots)
CHROMIUM_CANDIDATES: tuple[str, ...] = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")

# Flags required in this environment (closed network, root, no GPU) plus quieter/determinism flags.
CHROMIUM_FLAGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
    "--font-render-hinting=none",
    "--remote-debugging-port=0",
)

DEFAULT_TIMEOUT = 30.0
FIXED_PDF_DATE = "20000101000000"  # replaces the 14 digits of D:YYYYMMDDHHmmSS (zone kept, length kept)
A4_INCHES = (8.27, 11.69)
PDF_MARGIN_INCHES = 0.6  # ~15 mm
MAX_SCREENSHOT_HEIGHT = 16_000  # Chromium's texture limit is 16384 px

# JavaScript run in the page; kept as constants so they can be read and tested on their own.
CJK_REGEX_JS = r"/[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/"

SETTLE_JS = """
(async () => {
  for (const img of document.images) { if (img.loading === 'lazy') img.loading = 'eager'; }
  const pending = Array.from(document.images).filter(img => !img.complete)
    .map(img => new Promise(r => { img.addEventListener('load', r); img.addEventListener('error', r); }));
  const timeout = ms => new Promise(r => setTimeout(r, ms));
  await Promise.race([Promise.all(pending), timeout(%d)]);
  await Promise.race([document.fonts.ready, timeout(%d)]);
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return document.readyState;
})()
"""

IMAGES_JS = """
Array.from(document.images).map(img => ({
  src: (img.currentSrc || img.src || '').slice(0, 200),
  complete: img.complete, naturalWidth: img.naturalWidth,
}))
"""

OVERFLOW_JS = """
((selector, width) => Array.from(document.querySelectorAll(selector))
  .map((el, i) => ({el, i, r: el.getBoundingClientRect()}))
  .filter(o => o.r.right > width + 0.5 && o.r.width > 0)
  .map(o => ({
    tag: o.el.tagName.toLowerCase(), index: o.i, id: o.el.id || '',
    cls: (typeof o.el.className === 'string' ? o.el.className : '').slice(0, 80),
    right: Math.round(o.r.right), width: Math.round(o.r.width),
    text: (o.el.innerText || '').trim().slice(0, 60),
  })))(%s, %d)
"""

# The first visible element of each tag whose own text contains CJK ideographs (at most %d).
CJK_NODES_JS = """
(() => {
  const re = %s, seen = new Set(), out = [];
  const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n && out.length < %d; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || !re.test(n.data) || seen.has(el.tagName)) continue;
    if (['SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT', 'TITLE'].includes(el.tagName)) continue;
    if (el.getClientRects().length === 0) continue;
    seen.add(el.tagName); out.push(el);
  }
  return out;
})()
"""


class BrowserError(RuntimeError):
    """Chromium could not be started, driven or shut down."""


class ChromiumNotFound(BrowserError):
    """No Chromium executable was found."""


class CDPTimeout(BrowserError):
    """A DevTools Protocol reply or event did not arrive in time."""


class CDPError(BrowserError):
    """The DevTools Protocol answered a command with an error."""


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

    @property
    def cjk_font_used(self) -> bool:
        """Whether a CJK font drew glyphs of the page's Chinese text."""
        return any(is_cjk_family(f.family) and f.glyphs > 0 for f in self.cjk_fonts)

    @property
    def fits_width(self) -> bool:
        """Whether no checked element and not the page itself is wider than the viewport."""
        return not self.wide_elements and self.scroll_width <= self.width

    def problems(self, require_cjk: bool = False) -> list[str]:
        """Readable list of everything wrong with the page (empty when it is fine)."""
        out = [f"console: {e}" for e in self.console_errors]
        out += [f"image did not load: {src}" for src in self.broken_images]
        out += [f"wider than {self.width}px: {w}" for w in self.wide_elements]
        if self.scroll_width > self.width:
            out.append(f"page scrollWidth {self.scroll_width}px > viewport {self.width}px")
        if require_cjk and not self.cjk_text_found:
            out.append("no visible Chinese text found")
        elif require_cjk and not self.cjk_font_used:
            used = ", ".join(f"{f.family} ({f.glyphs})" for f in self.cjk_fonts) or "none"
            out.append(f"Chinese text not drawn with a CJK font; fonts used: {used}")
        return out


# ----------------------------------------------------------------------------- locating Chromium


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


# ----------------------------------------------------------------------------- fonts


def fontconfig_xml(font_dirs: list[Path], base: str = "/etc/fonts/fonts.conf") -> str:
    """Return a fonts.conf that includes the system configuration and adds font_dirs."""
    dirs = "\n".join(f"  <dir>{_xml_escape(str(d))}</dir>" for d in font_dirs)
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        "<!-- Written by analysis.browser: system fonts plus the CJK font bundled in the venv. -->\n"
        f'<fontconfig>\n  <include ignore_missing="yes">{_xml_escape(base)}</include>\n{dirs}\n</fontconfig>\n'
    )


def _xml_escape(text: str) -> str:
    """Escape &, < and > for XML text content."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def bundled_cjk_font() -> Path:
    """Return the project's bundled Noto Sans CJK collection (.ttc)."""
    from analysis.plots import cjk_font_path

    return cjk_font_path()


def face_index(collection: Path, family: str = CJK_FAMILY) -> int:
    """Return the index of the face named family (name ID 1) inside a .ttc collection."""
    from fontTools.ttLib import TTCollection

    with TTCollection(str(collection), lazy=True) as ttc:
        for i, font in enumerate(ttc.fonts):
            if font["name"].getDebugName(1) == family:
                return i
    raise BrowserError(f"{family} not found in {collection}")


def truetype_name(source: Path, family: str = CJK_FAMILY) -> str:
    """Return the cache file name of the TrueType copy of source (changes when source changes)."""
    stat = source.stat()
    return f"{family.replace(' ', '')}-{stat.st_size}-{int(stat.st_mtime)}.ttf"


def convert_cff_to_truetype(source: Path, index: int, dest: Path, max_err: float = 1.0) -> Path:
    """Write face index of an OpenType/CFF collection as a TrueType (glyf) font (fontTools otf2ttf)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTCollection, newTable

    with TTCollection(str(source)) as ttc:
        font = ttc.fonts[index]
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
        font.recalcTimestamp = False  # keep head.modified: the same input gives the same bytes
        tmp = dest.with_suffix(f".tmp{os.getpid()}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        font.save(str(tmp))
    tmp.replace(dest)
    return dest


def truetype_cjk_font(cache_dir: Path) -> Path:
    """Return (building once, ~1-2 min) a TrueType copy of the bundled CJK face in cache_dir/fonts.

    Why: Chromium's PDF backend (Skia) cannot embed OpenType/CFF fonts such as Noto Sans CJK and
    draws them as unnamed Type 3 glyph procedures; from TrueType outlines it embeds a named CID
    subset (pdffonts shows ``NotoSansCJKsc-Regular``) and the PDF gets smaller.
    """
    source = bundled_cjk_font()
    dest = cache_dir / "fonts" / truetype_name(source)
    if dest.is_file():
        return dest
    for stale in dest.parent.glob("*.ttf"):
        stale.unlink(missing_ok=True)
    print(f"analysis.browser: converting {source.name} to TrueType for Chromium PDFs (once)...", file=sys.stderr)
    return convert_cff_to_truetype(source, face_index(source), dest)


def writable_cache_dir() -> Path:
    """Return .venv/fontconfig (or a temp-dir fallback), created and writable."""
    for directory in (Path(sys.prefix) / "fontconfig", Path(tempfile.gettempdir()) / "ningbo-315-fontconfig"):
        try:
            directory.mkdir(parents=True, exist_ok=True)
            if os.access(directory, os.W_OK):
                return directory
        except OSError:
            continue
    raise BrowserError("no writable directory for the Chromium fontconfig cache")


def ensure_fontconfig(cache_dir: Path | None = None, truetype: bool = True) -> Path:
    """Write (if changed) cache_dir/fonts.conf adding the CJK font for Chromium; return its path."""
    cache_dir = cache_dir or writable_cache_dir()
    font_dir = bundled_cjk_font().parent
    if truetype:
        try:
            font_dir = truetype_cjk_font(cache_dir).parent
        except Exception as exc:  # noqa: BLE001 - fall back to the .ttc (PDFs get Type 3 fonts)
            print(f"analysis.browser: TrueType conversion failed ({exc}); using the .ttc", file=sys.stderr)
    text = fontconfig_xml([font_dir])
    path = cache_dir / "fonts.conf"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        if shutil.which("fc-cache"):  # pre-build fontconfig's cache so each Chromium start is fast
            subprocess.run(["fc-cache", str(font_dir)], env={**os.environ, "FONTCONFIG_FILE": str(path)},
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, timeout=300)
    return path


def chromium_env(base: Mapping[str, str], fonts_conf: Path, config_home: Path) -> dict[str, str]:
    """Return Chromium's environment: FONTCONFIG_FILE, and XDG_CONFIG_HOME in our temp dir.

    The crash handler (chrome_crashpad_handler) leaves Chromium's process group and session; with
    its database under our temp dir its command line names that dir, so close() can find it.
    """
    return {**base, "FONTCONFIG_FILE": str(fonts_conf), "XDG_CONFIG_HOME": str(config_home)}


def chromium_command(executable: Path, profile_dir: Path, extra_flags: tuple[str, ...] = ()) -> list[str]:
    """Return the Chromium command line (headless, remote debugging on a free port)."""
    return [str(executable), *CHROMIUM_FLAGS, *extra_flags, f"--user-data-dir={profile_dir}", "about:blank"]


def parse_devtools_active_port(text: str) -> tuple[int, str] | None:
    """Parse the DevToolsActivePort file (port line, browser path line); None while incomplete."""
    lines = text.splitlines()
    if len(lines) < 2 or not lines[0].strip().isdigit() or not lines[1].startswith("/devtools/"):
        return None
    return int(lines[0]), lines[1].strip()


# ----------------------------------------------------------------------------- CDP client


class CDPConnection:
    """A minimal DevTools Protocol client on one browser websocket (flattened target sessions)."""

    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        import websocket  # websocket-client, installed as a Jupyter dependency

        self.timeout = timeout
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        try:
            self._ws = websocket.create_connection(url, timeout=timeout, suppress_origin=True, enable_multithread=False)
        except Exception as exc:  # noqa: BLE001 - any connection failure is a BrowserError
            raise BrowserError(f"cannot connect to Chromium DevTools at {url}: {exc}") from exc

    def close(self) -> None:
        """Close the websocket (ignoring errors)."""
        try:
            self._ws.close()
        except Exception:  # noqa: BLE001
            pass

    def _receive(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        """Read one message before the deadline, raising CDPTimeout/BrowserError."""
        import websocket

        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise CDPTimeout(f"timed out waiting for {waiting_for}")
        self._ws.settimeout(remaining)
        try:
            raw = self._ws.recv()
        except websocket.WebSocketTimeoutException as exc:
            raise CDPTimeout(f"timed out waiting for {waiting_for}") from exc
        except (websocket.WebSocketException, OSError) as exc:
            raise BrowserError(f"DevTools connection lost while waiting for {waiting_for}: {exc}") from exc
        return json.loads(raw)

    def send(self, method: str, params: Mapping[str, Any] | None = None, session_id: str | None = None,
             timeout: float | None = None) -> dict[str, Any]:
        """Send a command and return its result; events arriving meanwhile are kept in .events."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": dict(params or {})}
        if session_id:
            message["sessionId"] = session_id
        try:
            self._ws.send(json.dumps(message))
        except Exception as exc:  # noqa: BLE001
            raise BrowserError(f"cannot send {method}: {exc}") from exc
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            reply = self._receive(deadline, f"reply to {method}")
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    err = reply["error"]
                    raise CDPError(f"{method} failed: {err.get('message')} {err.get('data', '')}".strip())
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_event(self, method: str, session_id: str | None = None, since: int = 0,
                   timeout: float | None = None) -> dict[str, Any]:
        """Return the first event named method (from index since of .events), waiting until timeout."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        index = since
        while True:
            for event in self.events[index:]:
                if event.get("method") == method and (session_id is None or event.get("sessionId") == session_id):
                    return event
            index = len(self.events)
            message = self._receive(deadline, f"event {method}")
            if "method" in message:
                self.events.append(message)


# ----------------------------------------------------------------------------- browser process


class Browser:
    """A headless Chromium process with a fresh profile, driven over CDP; use as a context manager."""

    def __init__(self, executable: Path | None = None, timeout: float = DEFAULT_TIMEOUT,
                 extra_flags: tuple[str, ...] = ()) -> None:
        exe = executable or find_chromium()
        if exe is None:
            raise ChromiumNotFound("Chromium not installed: run `make setup-browser` (or set CHROMIUM=/path/to/chrome)")
        self.executable = Path(exe)
        self.timeout = timeout
        self.extra_flags = extra_flags
        self.tmp_dir: Path | None = None
        self.profile_dir: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.cdp: CDPConnection | None = None

    def __enter__(self) -> Browser:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start(self) -> None:
        """Launch Chromium and connect to its browser DevTools endpoint."""
        fonts_conf = ensure_fontconfig()
        self.tmp_dir = Path(tempfile.mkdtemp(prefix="ningbo-chromium-"))
        self.profile_dir = self.tmp_dir / "profile"
        self.profile_dir.mkdir()
        log = open(self.tmp_dir / "chromium.log", "wb")  # noqa: SIM115 - closed right after Popen
        try:
            self.process = subprocess.Popen(
                chromium_command(self.executable, self.profile_dir, self.extra_flags),
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env=chromium_env(os.environ, fonts_conf, self.tmp_dir / "config"), start_new_session=True,
            )
        except OSError as exc:
            self.close()
            raise BrowserError(f"cannot start {self.executable}: {exc}") from exc
        finally:
            log.close()
        try:
            port, path = self._wait_for_port()
            self.cdp = CDPConnection(f"ws://127.0.0.1:{port}{path}", timeout=self.timeout)
        except BaseException:
            self.close()
            raise

    def _log_tail(self, lines: int = 15) -> str:
        """Return the last lines of Chromium's stderr log."""
        try:
            text = (self.tmp_dir / "chromium.log").read_text(errors="replace")  # type: ignore[operator]
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def _wait_for_port(self) -> tuple[int, str]:
        """Poll the profile's DevToolsActivePort file until Chromium has written it."""
        assert self.process is not None and self.profile_dir is not None
        port_file = self.profile_dir / "DevToolsActivePort"
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BrowserError(f"Chromium exited with code {self.process.returncode} at start:\n{self._log_tail()}")
            try:
                parsed = parse_devtools_active_port(port_file.read_text())
            except OSError:
                parsed = None
            if parsed:
                return parsed
            time.sleep(0.05)
        raise CDPTimeout(f"Chromium did not open its DevTools port within {self.timeout:.0f}s:\n{self._log_tail()}")

    def close(self) -> None:
        """Ask Chromium to quit, then kill anything left in its process group and remove the profile."""
        if self.cdp is not None:
            try:
                self.cdp.send("Browser.close", timeout=5)
            except BrowserError:
                pass  # the socket usually closes before the reply
            self.cdp.close()
            self.cdp = None
        if self.process is not None:
            _stop_process_group(self.process)
            self.process = None
        if self.tmp_dir is not None:
            kill_pids(pids_mentioning(str(self.tmp_dir)))
            shutil.rmtree(self.tmp_dir, ignore_errors=True)
            self.tmp_dir = None

    def new_page(self, width: int = 1280, height: int = 800) -> Page:
        """Open a new blank tab with the given viewport and return it."""
        if self.cdp is None:
            raise BrowserError("browser is not running")
        target = self.cdp.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.cdp.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self.cdp, session, target, width, height)
        for domain in ("Page", "Runtime", "Log", "DOM", "CSS"):
            page.send(f"{domain}.enable")
        page.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        return page


def _exited_without_reaping(pid: int) -> bool:
    """Whether pid has exited, leaving it a zombie (so its pid and process group stay reserved)."""
    try:
        info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return True
    return info is not None


def _stop_process_group(process: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """Wait for Chromium to exit, SIGTERM/SIGKILL its process group if needed, then reap it."""
    pgid = process.pid  # start_new_session=True made Chromium the leader of its own group
    deadline = time.monotonic() + grace
    while not _exited_without_reaping(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)  # safe: the unreaped leader keeps the group id from being reused
        except (ProcessLookupError, PermissionError):
            break
        if sig == signal.SIGTERM:
            time.sleep(0.2)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired as exc:
        raise BrowserError(f"Chromium (pid {process.pid}) did not exit") from exc


def pids_mentioning(text: str) -> list[int]:
    """Return the live processes whose command line contains text (e.g. our temp dir)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if text.encode() in (entry / "cmdline").read_bytes():
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def _alive(pid: int) -> bool:
    """Whether pid exists and is not a zombie (zombies have an empty command line)."""
    try:
        return bool(Path(f"/proc/{pid}/cmdline").read_bytes())
    except OSError:
        return False


def kill_pids(pids: list[int], grace: float = 2.0) -> None:
    """SIGTERM the given processes, then SIGKILL those still alive after grace seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        while pids and time.monotonic() < deadline:
            pids = [p for p in pids if _alive(p)]
            time.sleep(0.05)
        if not pids:
            return


# ----------------------------------------------------------------------------- pages


class Page:
    """One tab, attached through a flattened CDP session."""

    def __init__(self, cdp: CDPConnection, session_id: str, target_id: str, width: int, height: int) -> None:
        self.cdp, self.session_id, self.target_id = cdp, session_id, target_id
        self.width, self.height = width, height
        self.events_start = len(cdp.events)

    def send(self, method: str, params: Mapping[str, Any] | None = None, timeout: float | None = None) -> dict[str, Any]:
        """Send a command to this tab."""
        return self.cdp.send(method, params, session_id=self.session_id, timeout=timeout)

    def evaluate(self, expression: str, await_promise: bool = False, by_value: bool = True,
                 timeout: float | None = None) -> Any:
        """Evaluate JavaScript; return its value (or the remote object when by_value is False)."""
        result = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": await_promise,
                                                "returnByValue": by_value}, timeout=timeout)
        if "exceptionDetails" in result:
            raise BrowserError(f"page script failed: {exception_text(result['exceptionDetails'])}")
        return result["result"].get("value") if by_value else result["result"]

    def load(self, html_path: Path, timeout: float | None = None) -> None:
        """Navigate to a local file, wait for the load event, images and fonts."""
        timeout = self.cdp.timeout if timeout is None else timeout
        since = len(self.cdp.events)
        nav = self.send("Page.navigate", {"url": Path(html_path).resolve().as_uri()}, timeout=timeout)
        if nav.get("errorText"):
            raise BrowserError(f"cannot open {html_path}: {nav['errorText']}")
        self.cdp.wait_event("Page.loadEventFired", self.session_id, since=since, timeout=timeout)
        wait_ms = int(timeout * 1000 / 3)
        self.evaluate(SETTLE_JS % (wait_ms, wait_ms), await_promise=True, timeout=timeout)

    def page_events(self) -> list[dict[str, Any]]:
        """Return the CDP events of this tab received so far."""
        return [e for e in self.cdp.events[self.events_start:] if e.get("sessionId") == self.session_id]

    def close(self) -> None:
        """Close the tab (ignoring errors)."""
        try:
            self.cdp.send("Target.closeTarget", {"targetId": self.target_id}, timeout=5)
        except BrowserError:
            pass


def exception_text(details: Mapping[str, Any]) -> str:
    """Return a one-line description of CDP exceptionDetails."""
    exc = details.get("exception") or {}
    text = exc.get("description") or details.get("text") or "exception"
    where = details.get("url", "")
    line = details.get("lineNumber")
    location = f" ({where}:{line + 1})" if where and line is not None else ""
    return text.splitlines()[0] + location


def console_errors(events: list[dict[str, Any]]) -> list[str]:
    """Extract console errors, uncaught exceptions and error log entries from CDP events."""
    out: list[str] = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            args = [str(a.get("value", a.get("description", ""))) for a in params.get("args", [])]
            out.append(f"console.{params['type']}: " + " ".join(args))
        elif method == "Runtime.exceptionThrown":
            out.append("uncaught: " + exception_text(params.get("exceptionDetails", {})))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            url = entry.get("url", "")
            out.append(f"{entry.get('source', 'log')}: {entry.get('text', '')}" + (f" ({url[:200]})" if url else ""))
    return out


def broken_images(images: list[Mapping[str, Any]]) -> list[str]:
    """Return the sources of images that are not complete or have no natural width."""
    return [img.get("src") or "<no src>" for img in images if not img.get("complete") or not img.get("naturalWidth")]


def describe_wide(elements: list[Mapping[str, Any]]) -> list[str]:
    """Return one readable line per element wider than the viewport."""
    out = []
    for el in elements:
        name = el["tag"] + (f"#{el['id']}" if el.get("id") else "") + (f".{el['cls'].split()[0]}" if el.get("cls") else "")
        out.append(f"{name} [{el['index']}] right={el['right']}px width={el['width']}px \"{el.get('text', '')[:40]}\"")
    return out


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


def cjk_platform_fonts(page: Page, max_nodes: int = 12) -> tuple[bool, tuple[FontUsage, ...]]:
    """Return whether visible CJK text exists and the platform fonts that drew it."""
    page.send("DOM.getDocument", {"depth": 0})  # required before DOM.requestNode
    array = page.evaluate(CJK_NODES_JS % (CJK_REGEX_JS, max_nodes), by_value=False)
    props = page.send("Runtime.getProperties", {"objectId": array["objectId"], "ownProperties": True})["result"]
    object_ids = [p["value"]["objectId"] for p in props if p["name"].isdigit() and "objectId" in p.get("value", {})]
    per_node = []
    for object_id in object_ids:
        node_id = page.send("DOM.requestNode", {"objectId": object_id})["nodeId"]
        per_node.append(page.send("CSS.getPlatformFontsForNode", {"nodeId": node_id}).get("fonts", []))
    page.send("Runtime.releaseObject", {"objectId": array["objectId"]})
    return bool(object_ids), merge_fonts(per_node)


def capture_png(page: Page, path: Path, full_page: bool = True) -> Path:
    """Save a PNG screenshot (full page up to MAX_SCREENSHOT_HEIGHT px, or the first screen)."""
    params: dict[str, Any] = {"format": "png"}
    if full_page:
        size = page.send("Page.getLayoutMetrics")["cssContentSize"]
        height = max(1, min(int(size["height"] + 0.999), MAX_SCREENSHOT_HEIGHT))
        params |= {"captureBeyondViewport": True,
                   "clip": {"x": 0, "y": 0, "width": page.width, "height": height, "scale": 1}}
    data = page.send("Page.captureScreenshot", params)["data"]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(data))
    return path


@contextmanager
def _browser(browser: Browser | None, timeout: float) -> Iterator[Browser]:
    """Yield the given browser, or a fresh one that is closed afterwards."""
    if browser is not None:
        yield browser
        return
    with Browser(timeout=timeout) as fresh:
        yield fresh


def inspect_page(html_path: str | Path, width: int = 1280, screenshot: str | Path | None = None, *,
                 height: int = 800, full_page: bool = True, wide_selector: str = "table",
                 browser: Browser | None = None, timeout: float = DEFAULT_TIMEOUT) -> PageReport:
    """Load an HTML file in headless Chromium and report errors, images, CJK fonts and overflow."""
    html_path = Path(html_path)
    if not html_path.is_file():
        raise FileNotFoundError(html_path)
    with _browser(browser, timeout) as b:
        page = b.new_page(width, height)
        try:
            page.load(html_path, timeout=timeout)
            images = page.evaluate(IMAGES_JS) or []
            wide = page.evaluate(OVERFLOW_JS % (json.dumps(wide_selector), width)) or []
            scroll_width = int(page.evaluate("document.documentElement.scrollWidth") or 0)
            cjk_found, fonts = cjk_platform_fonts(page)
            title = page.evaluate("document.title") or ""
            shot = capture_png(page, Path(screenshot), full_page) if screenshot else None
            errors = console_errors(page.page_events())
        finally:
            page.close()
    return PageReport(path=html_path, width=width, console_errors=tuple(errors), images=len(images),
                      broken_images=tuple(broken_images(images)), cjk_text_found=cjk_found, cjk_fonts=fonts,
                      wide_elements=tuple(describe_wide(wide)), scroll_width=scroll_width, screenshot=shot,
                      title=title)


# ----------------------------------------------------------------------------- PDF


def pdf_print_params(margin_inches: float = PDF_MARGIN_INCHES) -> dict[str, Any]:
    """Return Page.printToPDF parameters: A4 portrait, backgrounds, equal margins, CSS @page wins."""
    return {"paperWidth": A4_INCHES[0], "paperHeight": A4_INCHES[1], "landscape": False,
            "printBackground": True, "preferCSSPageSize": True, "displayHeaderFooter": False,
            "marginTop": margin_inches, "marginBottom": margin_inches,
            "marginLeft": margin_inches, "marginRight": margin_inches}


_PDF_DATE = re.compile(rb"(/(?:CreationDate|ModDate)\s*\(D:)(\d{14})")


def normalize_pdf(data: bytes) -> bytes:
    """Make a Chromium PDF reproducible: CreationDate/ModDate set to FIXED_PDF_DATE (same length)."""
    return _PDF_DATE.sub(lambda m: m.group(1) + FIXED_PDF_DATE.encode(), data)


def print_pdf(html_path: str | Path, pdf_path: str | Path, *, browser: Browser | None = None,
              timeout: float = DEFAULT_TIMEOUT, margin_inches: float = PDF_MARGIN_INCHES,
              deterministic: bool = True) -> Path:
    """Print an HTML file to an A4 PDF with headless Chromium (dates/ID fixed when deterministic)."""
    html_path, pdf_path = Path(html_path), Path(pdf_path)
    if not html_path.is_file():
        raise FileNotFoundError(html_path)
    with _browser(browser, timeout) as b:
        page = b.new_page()
        try:
            page.load(html_path, timeout=timeout)
            data = base64.b64decode(page.send("Page.printToPDF", pdf_print_params(margin_inches), timeout=timeout * 4)["data"])
        finally:
            page.close()
    if not data.startswith(b"%PDF"):
        raise BrowserError(f"Chromium returned no PDF for {html_path}")
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    pdf_path.write_bytes(normalize_pdf(data) if deterministic else data)
    return pdf_path
