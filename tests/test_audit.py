"""The audit page's definition checks: every recorded decision shown, in the reader's language."""

from __future__ import annotations

from analysis import audit, data

DATASET = data.load()


def test_every_definition_decision_is_listed_with_its_reason_in_each_language() -> None:
    recorded = DATASET.definition_audit
    assert len(recorded) > 0
    for lang, reason, used in (("zh", "reason_zh", "采用"), ("en", "reason_en", "used")):
        shown = audit.definition_decisions(DATASET, lang)
        assert len(shown) == len(recorded)
        assert sorted(shown["audit.reason"]) == sorted(recorded[reason])
        assert (shown["audit.decision"] == used).sum() == (recorded["decision"] == "used").sum()
        assert set(shown["target_id"]) == set(recorded["target_id"])
