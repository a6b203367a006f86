"""Labels and numbers with units in zh or en: names, quantities, ordinals, signed paces."""

from __future__ import annotations

import html
import math
import re
from datetime import date

import pandas as pd

from analysis.data import loader
from analysis.report.i18n import t


def name_column(lang: str) -> str:
    """Return the data-table column holding names in ``lang``."""
    return "name_zh" if lang == "zh" else "name_en"


def indicator_name(dataset: loader.Dataset, indicator_id: str, lang: str) -> str:
    """Return an indicator's name in ``lang`` from indicators.csv (the id when unknown)."""
    rows = dataset.indicators[dataset.indicators["indicator_id"] == indicator_id]
    name = str(rows.iloc[0][name_column(lang)]) if len(rows) else indicator_id
    return zh_punctuation(name) if lang == "zh" else name


ZH_PUNCTUATION = {"(": "（", ")": "）", ",": "，", ":": "：", ";": "；"}


ZH_BESIDE = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "!": "！", "?": "？"}


def zh_typography(text: object) -> object:
    """Return text with ASCII punctuation that touches a Chinese character set full width (other text unchanged)."""
    if not isinstance(text, str):
        return text
    cjk = "\u4e00-\u9fff\u3000-\u303f\uff00-\uffef"
    text = re.sub(rf"\(([^()]*[{cjk}][^()]*)\)", r"（\1）", text)
    return re.sub(rf"(?<=[{cjk}]) ?[,:;!?]|[,:;!?] ?(?=[{cjk}])", lambda m: ZH_BESIDE[m.group(0).strip()], text)


def zh_punctuation(text: str) -> str:
    """Return Chinese text with ASCII brackets, commas, colons and semicolons set full width (numbers like 1,000 kept)."""
    text = re.sub(r"(?<!\d),|,(?!\d)", "，", text)
    return re.sub(r"[():;]", lambda m: ZH_PUNCTUATION[m.group(0)], text)


def region_name(dataset: loader.Dataset, region_id: str, lang: str) -> str:
    """Return a region's name in ``lang`` from regions.csv (the id when unknown)."""
    rows = dataset.regions[dataset.regions["region_id"] == region_id]
    return str(rows.iloc[0][name_column(lang)]) if len(rows) else region_id


def indicator_unit(dataset: loader.Dataset, indicator_id: str) -> str:
    """Return an indicator's unit."""
    rows = dataset.indicators[dataset.indicators["indicator_id"] == indicator_id]
    return str(rows.iloc[0]["unit"]) if len(rows) else ""


def fmt_number(value: float | None, digits: int = 3) -> str:
    """Format a number for text: thousands separators, up to ``digits`` significant digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "–"
    value = float(value)
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}" if value == round(value) else f"{value:.1f}"
    text = f"{value:.{digits}g}"
    return text if "e" not in text else f"{value:.2f}"


def fmt_unit(unit: str, lang: str) -> str:
    """Return the unit with the spacing of ``lang`` (none in Chinese, a space in English)."""
    return unit if lang == "zh" or unit in ("%",) else f" {unit}"


def fmt_date(value: object) -> str:
    """Format a date-like value as YYYY-MM-DD ('' when missing)."""
    if value is None or pd.isna(value):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def md_text(text: object) -> str:
    """Escape text from data for safe inclusion in Markdown (HTML and Markdown markup)."""
    escaped = html.escape("" if text is None or (not isinstance(text, str) and pd.isna(text)) else str(text), quote=False)
    escaped = re.sub(r"([\\`*_\[\]|])", r"\\\1", escaped)
    return "\\" + escaped if escaped.startswith(("#", "-", "+", ">")) else escaped


COMPARATOR_SIGNS = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}


GOOD_STATUSES = ("met", "on_track", "likely")


RISK_STATUSES = ("unlikely", "off_track")


DATA_GAP_STATUSES = ("no_data", "insufficient_data")


NON_FINAL = ("estimate", "derived", "reported", "preliminary")


def status_label(code: str, lang: str) -> str:
    """Return a target status word in ``lang`` (the code itself when unknown)."""
    return t(f"status.{code}", lang) if code else ""


def progress_label(code: str, lang: str) -> str:
    """Return a progress category in ``lang`` (the code itself when unknown)."""
    return t(f"progress.{code}", lang) if code else ""


def target_text(row: object, lang: str) -> str:
    """Return a target as text, e.g. '≥3.75%' or '年均增长≥30%'."""
    sign = COMPARATOR_SIGNS.get(row.comparator, row.comparator)
    value = fmt_number(row.target_value, 6)
    if row.target_type == "avg_growth":
        return f"年均增长{sign}{value}%" if lang == "zh" else f"{sign}{value}% a year (average growth)"
    if row.target_type == "rank":
        return f"排名{sign}{value}" if lang == "zh" else f"rank {sign}{value}"
    text = f"{sign}{value}{fmt_unit(row.unit, lang)}"
    if row.target_type == "cumulative":
        return f"累计{text}" if lang == "zh" else f"{text} cumulative"
    return text


def value_text(value: float, unit: str, lang: str) -> str:
    """Return a value with its unit ('–' when missing)."""
    return "–" if pd.isna(value) else f"{fmt_number(value)}{fmt_unit(unit, lang)}"


def interval_text(low: float, high: float) -> str:
    """Return an interval 'low–high' ('' when missing)."""
    return "" if pd.isna(low) or pd.isna(high) else f"{fmt_number(low)}–{fmt_number(high)}"


def percent_text(p: float) -> str:
    """Return a probability as a whole percentage ('' when missing)."""
    return "" if pd.isna(p) else f"{100 * p:.0f}%"


# English words for the Chinese units of indicators.csv (家 depends on what is counted).
UNIT_WORDS_EN = {
    "亿元": "CNY 100 million", "万元/人": "CNY 10,000 per person", "人": "people", "万人": "10,000 people",
    "人年": "person-years", "万人年": "10,000 person-years", "万人次": "10,000 visits", "件": "patents",
    "项": "projects", "个(项目)": "projects", "个": "", "种": "materials", "%": "%", "rank": "",
}


def unit_word(unit: str, lang: str, name_en: str = "") -> str:
    """Return the unit as a reader of ``lang`` writes it (家 → firms or institutions in English)."""
    if lang == "zh":
        return "" if unit == "rank" else unit.replace("(", "（").replace(")", "）")
    if unit == "家":  # "Enterprise R&D institutions" are institutions: what is counted is the last noun
        return "institutions" if re.search(r"\binstitution|\bcent(?:re|er)s?\b|\bbases?\b|\blab", name_en, re.I) or not re.search(
            r"enterprise|SME|firm|compan", name_en, re.I) else "firms"
    if unit == "万元/人" and re.search(r"productivity", name_en, re.I):
        return "CNY 10,000 per employed person"
    return UNIT_WORDS_EN.get(unit, unit)


# English units counted in 10,000s (万): a reader writes the number out ("CNY 280,000 per employed person", "12 million visits").
SCALED_UNITS_EN = {
    "CNY 10,000 per person": ("CNY ", " per person"), "CNY 10,000 per employed person": ("CNY ", " per employed person"),
    "10,000 people": ("", " people"), "10,000 visits": ("", " visits"), "10,000 person-years": ("", " person-years"),
}


def scaled_number(value: float) -> str:
    """Return a number counted in 10,000s written out: 28 → '280,000', 1200 → '12 million'."""
    whole = float(value) * 10_000
    if abs(whole) >= 1_000_000:
        return f"{fmt_number(whole / 1_000_000)} million"
    return f"{whole:,.0f}"


def scaled_quantity(sign: str, value: float, unit_text: str) -> str:
    """Return an English quantity of a 万 unit written out: '≥CNY 280,000 per employed person', '≥12 million visits'."""
    prefix, suffix = SCALED_UNITS_EN[unit_text]
    return f"{sign}{prefix}{scaled_number(value)}{suffix}"


RANK_AXIS = {"zh": "位次（1为第一）", "en": "place (1 = first)"}  # a rank's axis and unit column in words, never "rank"


def axis_unit(dataset: loader.Dataset, indicator_id: str, lang: str) -> str:
    """Return an indicator's unit as an axis label or a table's unit column in the reader's words."""
    unit = indicator_unit(dataset, indicator_id)
    if unit == "rank":
        return RANK_AXIS[lang]
    return unit_word(unit, lang, indicator_name(dataset, indicator_id, "en")) or unit


def indicator_unit_word(dataset: loader.Dataset, indicator_id: str, lang: str) -> str:
    """Return an indicator's unit in the words of ``lang``."""
    return unit_word(indicator_unit(dataset, indicator_id), lang, indicator_name(dataset, indicator_id, "en"))


def ordinal(rank: float, lang: str) -> str:
    """Return a rank as an ordinal: 10th / 第10位 (one decimal kept for a projected rank)."""
    if rank is None or pd.isna(rank):
        return "–"
    number = fmt_number(rank) if rank != round(rank) else str(int(round(rank)))
    if lang == "zh":
        return f"第{number}位"
    if number.isdigit():
        n = int(number)
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}"
    return f"{number}th"


def quantity(value: float, unit_text: str, lang: str, qualifier: str = "", rank: bool = False) -> str:
    """Return a value with its qualifier and unit words, e.g. '≥13,000 firms', '3.08%', '第10位'."""
    if value is None or pd.isna(value):
        return "–"
    if rank and qualifier in RANK_BOUND_WORDS:
        return rank_bound(value, qualifier, lang)
    sign = COMPARATOR_SIGNS.get(qualifier, qualifier or "")
    if sign == "~":
        sign = "约" if lang == "zh" else "about "
    if rank:
        return sign + ordinal(value, lang)
    if lang == "en" and unit_text == HUNDRED_MILLION_CNY:
        return f"{sign}{billions(value)}"
    if lang == "en" and unit_text in SCALED_UNITS_EN:
        return scaled_quantity(sign, value, unit_text)
    number = fmt_number(value)
    if not unit_text or unit_text == "%" or lang == "zh":
        return f"{sign}{number}{unit_text}"
    return f"{sign}{number} {unit_text}"


# A bounded rank in words (a rank number of at least 21 is "outside the top 20", never "≥21st").
RANK_BOUND_WORDS = {"<=": ("rank.top", 0), "<": ("rank.top", -1), ">=": ("rank.outside_top", -1), ">": ("rank.outside_top", 0)}


def rank_bound(value: float, qualifier: str, lang: str) -> str:
    """Return a bounded rank as a reader says it: ≤10 → 前10位 / top 10, ≥21 → 未进前20 / outside the top 20."""
    key, shift = RANK_BOUND_WORDS[qualifier]
    return t(key, lang, n=int(round(float(value))) + shift)


def projection_text(value: float, low: float, high: float, unit_text: str, lang: str, rank: bool = False, whole: bool = False) -> str:
    """Return a projection with its 80% interval, e.g. '33家（31–35）', '第9位（7–12）' ('' when missing).

    ``whole``: the indicator counts things, so the projection and its bounds are whole numbers (ranks always are).
    """
    if value is None or pd.isna(value):
        return ""
    if whole or rank:
        value, low, high = (v if pd.isna(v) else float(math.floor(float(v) + 0.5)) for v in (value, low, high))
    text = quantity(value, unit_text, lang, "", rank)
    if pd.isna(low) or pd.isna(high):
        return text
    if lang == "en" and unit_text in SCALED_UNITS_EN:
        bounds = f"{scaled_number(low)}–{scaled_number(high)}"
    else:
        bounds = f"{fmt_number(low)}–{fmt_number(high)}"
    return text + (f"（{bounds}）" if lang == "zh" else f" ({bounds})")


HUNDRED_MILLION_CNY = "CNY 100 million"  # 亿元 in English units; amounts read as billions


def billions(value: float, digits: int = 3) -> str:
    """Return an amount in 亿元 (CNY 100 million) as English readers say it: 22.15 → 'CNY 2.22 billion'."""
    return f"CNY {fmt_number(float(value) / 10, digits)} billion"


def year_text(year: object, lang: str) -> str:
    """Return a year as written in ``lang`` (2023年 / 2023)."""
    return f"{year}年" if lang == "zh" else str(year)


def target_phrase(dataset: loader.Dataset, row: object, lang: str) -> str:
    """Return a target as a reader says it: '≥13,000 firms by 2027', '年均增长≥30%', 'about 60'."""
    unit_text = indicator_unit_word(dataset, row.indicator_id, lang)
    about = bool(getattr(row, "about", False)) if not pd.isna(getattr(row, "about", False)) else False
    sign = "~" if about else row.comparator
    if row.target_type == "avg_growth":
        value = quantity(row.target_value, "%", lang, sign)
        return f"年均增长{value}" if lang == "zh" else f"{value} a year on average"
    if row.target_type == "rank":
        return rank_target(row.target_value, row.comparator, lang)
    value = quantity(row.target_value, unit_text, lang, sign)
    if row.target_type == "cumulative":
        return f"累计{value}" if lang == "zh" else f"{value} in total"
    if bool(getattr(row, "per_year", False)) is True:
        return f"每年{value}" if lang == "zh" else f"{value} each year"
    return value


def rank_target(value: float, comparator: str, lang: str) -> str:
    """Return a rank target in words: ≤10 → 进入前10位 / top 10 (a rank target asks for a place or better)."""
    n = int(round(float(value))) - (1 if comparator == "<" else 0)
    return f"进入前{n}位" if lang == "zh" else f"top {n}"


def target_label(dataset: loader.Dataset, row: object, lang: str, with_year: bool = True) -> str:
    """Return a target's reader name: indicator name, region when not Ningbo, the target and its year."""
    name = indicator_name(dataset, row.indicator_id, lang)
    if row.region != "ningbo":
        name = f"{region_name(dataset, row.region, lang)}{'' if lang == 'zh' else ': '}{name}"
    phrase = target_phrase(dataset, row, lang)
    if not with_year:
        return f"{name}{phrase}" if lang == "zh" else f"{name} {phrase}"
    return f"{name}{phrase}（{int(row.target_year)}年）" if lang == "zh" else f"{name} {phrase} ({int(row.target_year)})"


def column(row: object, name: str, default: object = None) -> object:
    """Return a status-table field that other helpers may not have added yet (``default`` when absent)."""
    value = getattr(row, name, default)
    return default if value is None else value


def date_text(day: date, lang: str) -> str:
    """Return a date as written in ``lang`` (2026年9月30日 / 30 September 2026)."""
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {day.strftime('%B')} {day.year}"


def period_text(period: str, lang: str) -> str:
    """Return a period as written in ``lang``: 2025-03 → 2025年1—3月 / Jan–Mar 2025 (year to date), 2023 → 2023年."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", period)
    if not match:
        return year_text(period, lang)
    year, month = int(match.group(1)), int(match.group(2))
    if lang == "zh":
        return f"{year}年1—{month}月"
    return f"Jan–{date(year, month, 1).strftime('%b')} {year}"


def quarter_text(period: str, lang: str) -> str:
    """Return a quarter as written in ``lang``: 2026Q3 → 2026年第三季度 / Q3 2026."""
    year, quarter = str(period).split("Q")
    return f"{year}年第{'一二三四'[int(quarter) - 1]}季度" if lang == "zh" else f"Q{quarter} {year}"


def month_name(month: int, lang: str) -> str:
    """Return a month's name: 3月 / March."""
    return f"{month}月" if lang == "zh" else date(2000, month, 1).strftime("%B")


def pace_number(value: float, whole: bool = False) -> str:
    """Return the size of a change a year: whole units for counts and from 100 up, else 3 (from 10) or 2 significant digits."""
    size = abs(float(value))
    if size >= 100 or (whole and size >= 1):
        return f"{math.floor(size + 0.5):,}"  # half up, as a reader rounds
    return fmt_number(size, 3 if size >= 10 else 1 if whole else 2)


def signed(value: float, unit_text: str, lang: str, rank: bool = False, whole: bool = False) -> str:
    """Return a change a year with its sign and unit: '+0.077 points', '−1,200 firms', 'up 1 place'.

    ``whole``: the indicator counts things (firms, people): '+327 firms', not '+326.5 firms'.
    """
    if value is None or pd.isna(value):
        return "–"
    if rank:
        places = fmt_number(abs(value), 2)
        if lang == "zh":
            return f"上升{places}位" if value < 0 else f"下降{places}位" if value > 0 else "持平"
        noun = "place" if places == "1" else "places"
        return f"up {places} {noun}" if value < 0 else f"down {places} {noun}" if value > 0 else "no change"
    number = pace_number(value, whole)
    if lang == "en" and unit_text == HUNDRED_MILLION_CNY:
        return ("+" if value >= 0 else "−") + billions(abs(value), 2)
    if lang == "en" and unit_text in SCALED_UNITS_EN:
        return scaled_quantity("+" if value >= 0 else "−", abs(value), unit_text)
    if unit_text == "%":
        text = number + ("个百分点" if lang == "zh" else " points")
    else:
        text = f"{number}{'' if lang == 'zh' or not unit_text else ' '}{unit_text}"
    return ("+" if value >= 0 else "−") + text


def indicator_kind(dataset: loader.Dataset, indicator_id: str) -> str:
    """Return an indicator's kind (count, amount, share, ratio, rate, rank) from indicators.csv."""
    rows = dataset.indicators[dataset.indicators["indicator_id"] == indicator_id]
    return str(rows.iloc[0]["kind"]) if len(rows) else ""


def growth_text(value: float, lang: str) -> str:
    """Return a growth rate a year: '+20.8%/yr' / '年均+20.8%'."""
    if value is None or pd.isna(value):
        return "–"
    return f"年均{'+' if value >= 0 else '−'}{fmt_number(abs(value))}%" if lang == "zh" else f"{'+' if value >= 0 else '−'}{fmt_number(abs(value))}% a year"
