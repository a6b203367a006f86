"""Propose candidate observations from a saved bulletin, work report or news page (``analysis extract``).

The document (.txt, .html, .pdf) is split into sentences. In each sentence the phrases of
``data/indicator_phrases.csv`` are looked up; every figure (number with its unit) is bound to the
nearest phrase before it (in English also to a phrase right after it), converted to the
indicator's unit and kept only when its kind fits the phrase's ``value_kind``:

- ``level``: a level or stock; a change (增长, 增加, 提高, 新增 … not followed by 到/至) is rejected;
- ``flow``: added in the year; when the same phrase also names a level, needs 新增, 新认定, 净增, new …;
- ``growth``: a growth rate in %; needs a marker such as 增长, 同比, growth, up;
- ``share``: a share or ratio in %; a change is rejected (a 个百分点 difference never fits).

Each figure belongs to the region named last before its phrase or in its own clause (a
publisher such as 辽宁省统计局 is not a region); 全市/我市/本市 and sentences naming no region
belong to the document's own region (named in its title, else first in its text, else the region
asked for); 全省 in a city's document is another region. Lists "A、B分别X、Y" pair in order;
other lists of figures, table rows, per-head figures (人均) and narrower scopes (企业R&D经费) are
left out. The output rows have the columns of
``data/templates/observations_template.csv`` and are meant to be checked by a person before
``python -m analysis add --from`` (``preferred`` is left empty: a value that differs from an existing
vintage needs a choice, ``true`` or ``false`` in that column or ``--prefer``/``--keep-existing``).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import logging
import os
import re
import tempfile
import sys
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Sequence

from analysis import data

PHRASES_FILE = "indicator_phrases.csv"
PHRASE_COLUMNS = ("indicator_id", "lang", "phrase", "value_kind")
VALUE_KINDS = ("level", "flow", "growth", "share")
LANGS = ("zh", "en")
GAP = "…"
MAX_GAP = 30  # characters allowed inside a gapped phrase ("研发…占GDP")
MAX_REACH = 40  # characters allowed between a phrase and its figure
OUTPUT_COLUMNS = ("indicator_id", "region", "period", "value", "unit", "qualifier", "status", "source_id",
                  "published", "published_estimated", "preferred", "quote", "notes")

# Units of indicators.csv the extractor can fill: unit -> (family, scale in the family's base unit).
INDICATOR_UNITS = {
    "亿元": ("yuan", Decimal("1e8")), "万元": ("yuan", Decimal("1e4")), "%": ("pct", Decimal(1)),
    "家": ("家", Decimal(1)), "件": ("件", Decimal(1)), "人": ("人", Decimal(1)), "万人": ("人", Decimal("1e4")),
    "人年": ("人年", Decimal(1)), "万人年": ("人年", Decimal("1e4")), "个": ("个", Decimal(1)),
    "个(项目)": ("个", Decimal(1)), "项": ("项", Decimal(1)), "种": ("种", Decimal(1)),
    "万人次": ("人次", Decimal("1e4")), "人次": ("人次", Decimal(1)), "万元/人": ("元/人", Decimal("1e4")),
}
GENERIC_COUNTERS = {"项": "个"}  # 350多个重大专项 and 350项 count the same things
COUNT_FAMILIES = frozenset({"家", "件", "人", "个", "项", "种", "人年", "人次"})

MULTIPLIERS = {"万亿": Decimal("1e12"), "亿": Decimal("1e8"), "万": Decimal("1e4"), "千": Decimal("1e3"),
               "trillion": Decimal("1e12"), "billion": Decimal("1e9"), "million": Decimal("1e6"), "thousand": Decimal("1e3")}
UNIT_WORDS = {"元/人": "元/人", "元": "yuan", "yuan": "yuan", "rmb": "yuan", "美元": "usd", "dollars": "usd", "%": "pct", "percent": "pct",
              "个百分点": "pp", "percentage points": "pp", "家": "家", "件": "件", "人年": "人年", "人次": "人次",
              "人": "人", "名": "人", "个": "个", "项": "项", "种": "种"}
PAREN_UNITS = {"亿元": ("yuan", Decimal("1e8")), "万元": ("yuan", Decimal("1e4")), "%": ("pct", Decimal(1)),
               "家": ("家", Decimal(1)), "件": ("件", Decimal(1)), "人": ("人", Decimal(1)), "万人": ("人", Decimal("1e4")),
               "个": ("个", Decimal(1)), "项": ("项", Decimal(1))}

NUMBER = re.compile(
    r"(?P<pre>[¥$]\s?)?(?<![\d.])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<approx1>余|多)?\s?(?P<mult>万亿|亿|万|千|trillion|billion|million|thousand)?(?P<approx2>余|多)?\s?"
    r"(?P<unit>个百分点|percentage points|美元|元/人|元|yuan|rmb|dollars|%|percent|人年|人次|家|件|人|名|个|项|种)?"
    r"(?P<post>以上|左右|多)?")
NOT_A_VALUE_AFTER = re.compile(r"^\s?(年|月|日|季度|倍|周年|届|批|位|名次|强|th\b|st\b|nd\b|rd\b|-\d|/\d)")
NOT_A_VALUE_BEFORE = re.compile(r"(第|no\.|top|前|\d-|per|每)\s?$")
YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s?年(?:度|末|底|初)?")
YEAR_EN = re.compile(r"(?<![\d,.])((?:19|20)\d{2})(?![\d%])(?!\s?(?:年|亿|万|家|件|人|个|项|元|yuan|billion|million|percent))")
RELATIVE_YEARS = {"过去一年": -1, "去年": -1, "上年末": -1, "今年": 0, "本年": 0}
PLAN_PERIOD_END = {"十二五": 2015, "十三五": 2020, "十四五": 2025}
MONTH_MARKERS = ((re.compile(r"上半年|first half"), 6), (re.compile(r"前三季度|first three quarters"), 9),
                 (re.compile(r"(?<!前)(?:第)?一季度|first quarter"), 3))
MONTH_RANGE = re.compile(r"1\s?(?:-|—|–|至|~)\s?(\d{1,2})\s?月")

PREFIX_QUALIFIERS = (
    (re.compile(r"(不低于|不少于|至少|at least)\s?$"), ">="),
    (re.compile(r"(超过|超出|突破|逾|多于|高于|超|more than|over|exceeding|exceeded|exceeds|exceed|above)\s?$"), ">"),
    (re.compile(r"(接近|近|约|大约|nearly|almost|about|around|approximately|roughly|close to)\s?$"), "~"),
)
SUFFIX_QUALIFIERS = {"以上": ">=", "左右": "~", "余": ">", "多": ">"}

GROWTH = re.compile(r"增长|增速|增幅|同比|比上年|较上年|上升|下降|提高|提升|增加|减少|回落|growth|increase|grew|rose|up by|up\b|down|decline")
GROWTH_TO = re.compile(r"(增长|增加|提高|提升|上升)(了)?(到|至|为)|(rose|grew|increased|risen|up) to")
FLOW = re.compile(r"新增|新认定|净增|新培育|新引进|新入选|新获批|新建|\bnew\b|\bnewly\b")
STOCK = re.compile(r"累计|总数|总量|总计|共有|拥有|有效|in total|total")
ESTIMATE = re.compile(r"预计|有望|将(?:突破|达|超)|estimated|expected|projected|forecast")
PRELIMINARY = re.compile(r"初步核算|初步测算|初步数|preliminary")
REVISED = re.compile(r"修订|revised")
OWN_REGION = re.compile(r"全市|我市|本市|该市|the city's|the city|our city")
CLAUSE_BREAK = re.compile(r"[,;:，；：]")
SENTENCE_END = re.compile(r"(?<=[。！？!?])|\n|(?<=[a-z)%]\.)\s+(?=[A-Z])")
CJK = r"\u3400-\u9fff"
# Province-level divisions of China: a figure after one of these (not in regions.csv) is another region's.
PROVINCES = ("北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽", "福建",
             "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏",
             "陕西", "甘肃", "青海", "宁夏", "新疆", "台湾", "香港", "澳门")
# A place named as a publisher ("辽宁省统计局统一核算") is not the place a figure belongs to.
PUBLISHER = re.compile(rf"[{CJK}]{{2,4}}(?:省|市)?(?:统计局|科技局|科技厅|经信局|人民政府|政府|发改委|发展改革委|知识产权局|市场监督管理局|市场监管局|财政局|财政厅)")
STARTING_POINT = re.compile(r"(由|从|from)\s?$")
PER_HEAD_BEFORE = re.compile(r"(人均|平均每|每家|户均|亩均|万元)$")
# A narrower scope written right before a phrase ("企业R&D经费支出", "民营高新技术企业") is another quantity.
SUBSET_BEFORE = re.compile(r"((?<!工业)企业|高校|高等学校|科研机构|研究与开发机构|政府属|基础研究|应用研究|服务业|外资|民营|国有|"
                           r"business|enterprise|university|government)\s?$")
PER_HEAD_AFTER = re.compile(r"\s?(per capita|per head|per person|per \d)")
FALL = re.compile(r"(下降|减少|回落|降低|down|decline|declined|fell|decrease|decreased)[^增长升]{0,3}$")
BLOCK_TAGS = ["p", "div", "li", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "title",
              "blockquote", "pre", "dd", "dt"]
LIST_SEPARATOR = r"(?:、|,|和|及|与|以及| and |, and )"
TRAIL_GROWTH = re.compile(r"^\s?(increase|growth|rise|higher|up)\b")


# Traditional characters common in statistical text, mapped to simplified (phrases are written in simplified).
TRADITIONAL = str.maketrans("寧國區術業規總數為萬億級專創發選實經濟產達長進與會學擁權費設計劃價額現預並務單點據對於這類個員場門開關當應環際態鄉縣兩動號標準質統報結構體電資營稅驗較幾佔約餘將續紀錄歷強項頭領導車線網絡紹極優勢傳醫藥療衛護廣東灣臺華復後裡裏團隊職稱獎勵們組織廠農貿買賣運輸銀險證檢測認範圍齊備維內輔紐書雜歐亞屬沒還邊遠過種樣讓從來時間問題處說話語讀寫記離難雙鏈氣熱養層壓廢勞榮鄰顯積節圖繼畝億財務審議綜評價揭曉榜億項幣",
                            "宁国区术业规总数为万亿级专创发选实经济产达长进与会学拥权费设计划价额现预并务单点据对于这类个员场门开关当应环际态乡县两动号标准质统报结构体电资营税验较几占约余将续纪录历强项头领导车线网络绍极优势传医药疗卫护广东湾台华复后里里团队职称奖励们组织厂农贸买卖运输银险证检测认范围齐备维内辅纽书杂欧亚属没还边远过种样让从来时间问题处说话语读写记离难双链气热养层压废劳荣邻显积节图继亩亿财务审议综评价揭晓榜亿项币")


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


@dataclass(frozen=True)
class Document:
    """A saved page: its title, full text, and the date it was published (if known)."""

    title: str
    text: str
    published: dt.date | None = None


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


NOT_THIS = Phrase("", "", ("",), "level")  # a phrase under 人均/企业 …: its figures belong to no indicator


# ----------------------------------------------------------------------------------- configuration

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
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))
    except FileNotFoundError:
        raise ExtractError(f"{data.display_path(path)}: file not found") from None
    except UnicodeDecodeError as err:
        raise ExtractError(f"{data.display_path(path)}: not UTF-8 ({err.reason})") from None


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


# ----------------------------------------------------------------------------------- reading documents

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


# ----------------------------------------------------------------------------------- finding things

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
    for name in PROVINCES:
        for hit in re.finditer(name, sentence):
            if free(hit.start(), hit.end()):
                taken.append((hit.start(), hit.end(), "?"))
    for hit in re.finditer(r"全省", sentence):
        if free(hit.start(), hit.end()):
            taken.append((hit.start(), hit.end(), "province"))
    return sorted(t for t in taken if t[2] != "publisher")


def years_in(sentence: str, doc_year: int | None) -> list[tuple[int, int, int, bool]]:
    """Return (start, end, year, only_next) for year mentions; only_next when the year is glued to one figure ("2010年的1.6%")."""
    found = []
    for m in YEAR.finditer(sentence):
        glued = bool(re.match(r"\s?[\d¥$]", sentence[m.end():]))
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


def document_year(doc: Document) -> int | None:
    """Return the year a document is about: the first year in its title, else its publication year."""
    m = YEAR.search(normalise(doc.title)) or re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", doc.title)
    if m:
        return int(m.group(1))
    return doc.published.year if doc.published else None


def document_region(doc: Document, config: Config, fallback: str) -> str:
    """Return the region a document belongs to: the first named in its title, else in its text, else fallback."""
    for text in (doc.title, doc.text[:2000]):
        mentions = [r for r in find_regions(normalise(text), config, with_publishers=True) if r[2] not in ("", "?", "province")]
        if mentions:
            return mentions[0][2]
    return fallback


# ----------------------------------------------------------------------------------- judging a figure

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


# ----------------------------------------------------------------------------------- the extractor

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
                             raw.strip(), (fig.start, option.span[0]))
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


def clause_start(text: str, position: int) -> int:
    """Return where the clause holding position begins (after the last , ; : before it)."""
    return max([m.end() for m in CLAUSE_BREAK.finditer(text, 0, position)] or [0])


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
    for raw in sentences(doc.text):
        for cand in sentence_candidates(raw, config, region, own, doc_year, default_status):
            key = (cand.indicator_id, cand.region, cand.period, cand.value, cand.qualifier)
            if key not in seen:
                seen.add(key)
                out.append(cand)
    return out


def candidate_rows(candidates: Sequence[Candidate], source_id: str, published: str, origin: str) -> list[dict[str, str]]:
    """Return candidates as rows of the add --from template."""
    return [{
        "indicator_id": c.indicator_id, "region": c.region, "period": c.period, "value": c.value, "unit": c.unit,
        "qualifier": c.qualifier, "status": c.status, "source_id": source_id, "published": published,
        "published_estimated": "false", "preferred": "", "quote": c.quote,
        "notes": f"proposed by extract from {origin}; check before adding",
    } for c in candidates]


def csv_text(rows: Sequence[dict[str, str]]) -> str:
    """Return rows as CSV text (UTF-8, LF) with the template's columns."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=OUTPUT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


# ----------------------------------------------------------------------------------- scoring on the quotes

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


# ----------------------------------------------------------------------------------- command line

def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of the extract command."""
    parser.add_argument("file", type=Path, nargs="?", help="saved page: .txt, .html/.htm or .pdf")
    parser.add_argument("--region", help="region id of regions.csv the figures must belong to")
    parser.add_argument("--published", help="YYYY-MM-DD the document was published (its year is used when the title has none)")
    parser.add_argument("--source-id", default="", help="source id to write in every row (existing, or new in sources.csv)")
    parser.add_argument("--status", default="reported", help="status for rows without 预计/初步核算/修订 (official for a bureau's own bulletin)")
    parser.add_argument("--output", type=Path, help="CSV to write (default: standard output)")
    parser.add_argument("--score-quotes", action="store_true", help="print recall and wrong-value rates on the quotes of observations.csv")


def write_atomically(path: Path, text: str) -> None:
    """Write text to path through a temporary sibling (no half-written file, no leftover on failure)."""
    if path.is_dir():
        raise ExtractError(f"{path}: is a directory; give a file name for --output", exit_code=2)
    handle, temp = tempfile.mkstemp(dir=path.parent if path.parent.exists() else None, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temp, path)
    except OSError as err:
        Path(temp).unlink(missing_ok=True)
        raise ExtractError(f"{path}: cannot write ({err.strerror})") from None


def parse_date(text: str | None) -> dt.date | None:
    """Return a YYYY-MM-DD date or raise a usage ExtractError."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ExtractError(f"--published {text!r}: expected YYYY-MM-DD", exit_code=2) from None


def main(args: argparse.Namespace) -> int:
    """Run the extract command; return the exit code."""
    try:
        if args.score_quotes:
            sys.stdout.write(score_report(Path(args.data_dir)))
            return 0
        if args.file is None or not args.region:
            raise ExtractError("extract needs FILE and --region (or --score-quotes)", exit_code=2)
        published = parse_date(args.published)
        config = load_config(Path(args.data_dir))
        if args.region not in config.region_kinds:
            raise ExtractError(f"unknown region {args.region!r} (regions.csv has: {', '.join(sorted(config.region_kinds))})", exit_code=2)
        if args.status not in data.STATUSES:
            raise ExtractError(f"--status {args.status!r} is not a status of observations.csv", exit_code=2)
        doc = read_document(args.file, published)
        candidates = extract(doc, args.region, config, default_status=args.status)
        rows = candidate_rows(candidates, args.source_id, args.published or "", args.file.name)
        text = csv_text(rows)
        if args.output:
            write_atomically(args.output, text)
        else:
            sys.stdout.write(text)
        print(f"{len(rows)} candidate observation(s) for {args.region} from {args.file}; check every row before "
              f"python -m analysis add --from", file=sys.stderr)
        return 0
    except ExtractError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
