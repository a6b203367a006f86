"""Every figure of the reports, in one style, with a font that renders Chinese."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """Return the bundled Noto Sans CJK font file, registered with matplotlib."""
    import noto_cjk_sans_otc

    path = Path(str(noto_cjk_sans_otc.FONT_PATH))
    if not path.exists():
        raise FileNotFoundError(f"CJK font missing: {path}; run `make setup`")
    font_manager.fontManager.addfont(str(path))
    return path


CJK_FAMILY = "Noto Sans CJK SC"


def cjk_font_name() -> str:
    """Return the simplified-Chinese family of the bundled Noto Sans CJK collection."""
    path = cjk_font_path()
    families = {entry.name for entry in font_manager.fontManager.ttflist if entry.fname == str(path)}
    if CJK_FAMILY not in families:
        raise RuntimeError(f"{CJK_FAMILY} not found in {path} (faces: {sorted(families)})")
    return CJK_FAMILY
