"""Every label exists in Chinese and English; status words are distinct and agree with the glossary."""

from __future__ import annotations

import string

import pytest

from analysis.report import i18n


def fields(text: str) -> set[str]:
    """Return the names of the format fields in a template."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(i18n.LABELS))
def test_every_key_has_zh_and_en(key: str) -> None:
    labels = i18n.LABELS[key]
    assert set(labels) == set(i18n.LANGS)
    assert all(labels[lang].strip() for lang in i18n.LANGS)
    assert fields(labels["zh"]) == fields(labels["en"]), key


def test_t_formats_and_rejects_unknown() -> None:
    assert i18n.t("nb04.title", "en", period="2026Q3").endswith("(2026Q3)")
    with pytest.raises(KeyError):
        i18n.t("no.such.key", "zh")
    with pytest.raises(ValueError):
        i18n.t("year", "fr")


# English renderings of Chinese status words, copied from the project's sourced glossary
# (shared/glossary/glossary.csv, group=status: UNECA progress assessment, SDG Index, NDRC mid-term review).
GLOSSARY_STATUS = {
    "已达成": "achieved",
    "进展顺利": "on track",
    "有望实现": "likely to be achieved",
    "不确定": "uncertain",
    "难以实现": "off track (unlikely to be achieved)",
    "进度滞后": "behind schedule (lagging)",
    "数据不足": "insufficient data",
    "无数据": "no data",
}


def status_words(lang: str, prefix: str, codes: tuple[str, ...]) -> dict[str, str]:
    """Return the word a reader sees for each code in one language."""
    return {code: i18n.t(f"{prefix}.{code}", lang) for code in codes}


def test_status_words_translate_as_the_sourced_glossary_says() -> None:
    gap = pytest.importorskip("analysis.assess.rules")
    checked = []
    for prefix, codes in (("status", gap.STATUSES), ("progress", gap.PROGRESS_CATEGORIES)):
        zh, en = status_words("zh", prefix, codes), status_words("en", prefix, codes)
        for code in codes:
            if zh[code] in GLOSSARY_STATUS:
                assert en[code].lower() in GLOSSARY_STATUS[zh[code]], (code, zh[code], en[code])
                checked.append(code)
    assert {"on_track", "uncertain", "insufficient_data", "no_data"} <= set(checked)


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_every_status_gap_can_give_has_its_own_word(lang: str) -> None:
    gap = pytest.importorskip("analysis.assess.rules")
    words = status_words(lang, "status", gap.STATUSES)
    assert len(set(words.values())) == len(words), words
    has_cjk = [any("\u4e00" <= ch <= "\u9fff" for ch in word) for word in words.values()]
    assert all(has_cjk) if lang == "zh" else not any(has_cjk), words
