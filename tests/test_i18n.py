"""Every label exists in Chinese and English, and status words match gap's."""

from __future__ import annotations

import string

import pytest

from analysis import i18n


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


def test_status_and_progress_words_match_gap() -> None:
    gap = pytest.importorskip("analysis.gap")
    for code in gap.STATUSES:
        for lang in i18n.LANGS:
            assert i18n.t(f"status.{code}", lang) == gap.STATUS_LABELS[code][lang]
    for code in gap.PROGRESS_CATEGORIES:
        for lang in i18n.LANGS:
            assert i18n.t(f"progress.{code}", lang) == gap.PROGRESS_LABELS[code][lang]
