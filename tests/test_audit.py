"""The audit page's definition checks: every recorded decision shown, in the reader's language."""

from __future__ import annotations

from analysis.data import loader, schema
from analysis.report import audit

DATASET = loader.load()


def test_every_definition_decision_is_listed_with_its_reason_in_each_language() -> None:
    recorded = DATASET.definition_audit
    assert len(recorded) > 0
    for lang, reason, used in (("zh", "reason_zh", "采用"), ("en", "reason_en", "used")):
        shown = audit.definition_decisions(DATASET, lang)
        assert len(shown) == len(recorded)
        assert sorted(shown["audit.reason"]) == sorted(recorded[reason])
        assert (shown["audit.decision"] == used).sum() == (recorded["decision"] == "used").sum()
        assert set(shown["target_id"]) == set(recorded["target_id"])


def test_undecided_figures_names_a_figure_whose_decision_is_missing(tmp_path) -> None:
    import shutil

    copy = tmp_path / "data"
    shutil.copytree(schema.DEFAULT_DATA_DIR, copy)
    path = copy / "definition_audit.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    dropped = next(line for line in lines if line.startswith("t001_rd_gdp_ratio_2027,rd_gdp_ratio,ningbo,2015,"))
    path.write_text("".join(line for line in lines if line is not dropped), encoding="utf-8")
    assert audit.undecided_figures(loader.load(copy)) == [("t001_rd_gdp_ratio_2027", "rd_gdp_ratio", "ningbo", "2015")]
