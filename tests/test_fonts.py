"""The CJK web font a page carries: exactly its characters, the same bytes for the same page."""

from __future__ import annotations

import io

import pytest
from fontTools.ttLib import TTFont

from analysis.report import fonts


def embedded_cmap(page: str) -> set[str]:
    """Return the characters the font embedded in page maps."""
    data = fonts.embedded_font(page)
    assert data is not None, "no embedded font"
    with TTFont(io.BytesIO(data)) as font:
        assert font.flavor == "woff"
        return {chr(code) for code in font.getBestCmap()}


def page(body: str, head: str = "") -> str:
    """Return a minimal HTML page."""
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


def test_page_text_is_what_a_reader_sees() -> None:
    html = page("<p>宁波&amp;舟山 &#x6D59;</p><script>var 脚本 = 1;</script><img alt='图表'>",
                "<style>.x::after { content: '样式'; }</style><title>标题</title>")
    text = fonts.page_text(html)
    assert "宁波&舟山 浙" in text and "图表" in text and "标题" in text
    assert "脚本" not in text and "样式" not in text


def test_subset_holds_exactly_the_page_characters_plus_digits_and_punctuation() -> None:
    embedded = fonts.embed_cjk_subset(page("<h1>研发投入</h1><p>Ningbo 强度</p>"))
    cmap = embedded_cmap(embedded)
    expected = set("研发投入Ningbo强度") | set(fonts.ALWAYS_INCLUDED)
    assert cmap == expected
    assert f'font-family: "{fonts.EMBEDDED_FAMILY}"' in embedded


def test_english_page_embeds_only_its_chinese_characters() -> None:
    html = "<html lang=\"en\"><head></head><body><p>Ningbo \u201c315\u201d plan (\u5b81\u6ce2\u5e02\uff0c2023)</p></body></html>"
    embedded = fonts.embed_cjk_subset(html)
    punctuation = {c for c in fonts.ALWAYS_INCLUDED if fonts.is_cjk(c)}
    assert embedded_cmap(embedded) == set("\u5b81\u6ce2\u5e02\uff0c") | punctuation  # no Latin glyph
    assert "unicode-range: U+2E80-2FDF" in embedded
    english_only = "<html lang='en'><head></head><body><p>No Chinese here.</p></body></html>"
    assert embedded_cmap(fonts.embed_cjk_subset(english_only)) == punctuation


def test_same_page_gives_same_bytes_and_embedding_twice_changes_nothing() -> None:
    html = page("<p>高新技术企业13000家，2027年</p>")
    once = fonts.embed_cjk_subset(html)
    assert fonts.embed_cjk_subset(html) == once
    assert fonts.embed_cjk_subset(once) == once
    assert once.count(f'<style id="{fonts.STYLE_ID}">') == 1


def test_a_character_outside_the_prepared_copy_comes_from_the_full_face() -> None:
    rare = "\u3400"  # CJK extension A: not in the prepared copy, but in the face
    assert ord(rare) not in {ord(c) for c in fonts.prepared_charset()}
    assert rare in embedded_cmap(fonts.embed_cjk_subset(page(f"<p>宁波{rare}</p>")))


def test_font_is_truetype_so_pdfs_embed_a_named_font() -> None:
    data = fonts.embedded_font(fonts.embed_cjk_subset(page("<p>宁波</p>")))
    with TTFont(io.BytesIO(data)) as font:
        assert "glyf" in font and "CFF " not in font
        assert font["name"].getDebugName(6) == "NotoSansCJKsc-Regular"


def test_page_without_head_still_gets_the_font() -> None:
    embedded = fonts.embed_cjk_subset("<body><p>宁波</p></body>")
    assert embedded.index(fonts.STYLE_ID) < embedded.index("<p>")
    assert "宁" in embedded_cmap(embedded)


@pytest.mark.parametrize("name", ["cjk_font_path", "cjk_font_name"])
def test_plots_uses_the_font_from_fonts(name: str) -> None:
    from analysis.report import plots

    assert getattr(plots, name) is getattr(fonts, name)


def test_a_page_without_chinese_still_carries_its_cjk_font() -> None:
    page = "<!DOCTYPE html><html lang='en'><head><title>t</title></head><body><p>R&amp;D intensity 3.08%</p></body></html>"
    embedded = fonts.embed_cjk_subset(page)
    woff = fonts.embedded_font(embedded)
    assert woff is not None and len(woff) < 20_000
    assert "unicode-range" in embedded  # Latin text keeps its own font
