"""Both sides of every rule of analysis.gap (issue 16 item 2), table-driven.

Each rule of the gap module docstring and method note is checked on both sides of its edge:
comparators (gap.meets, sample_meets, bound_decides), observation qualifiers (which figure is
chosen, how it is judged), target kinds (level, cumulative, avg_growth, rank, 每年, 左右), past and
future target years, lower-is-better targets, and the status and progress band edges.
Expected values come from an oracle written here (plain comparisons, sets of values a bound
allows), never from the function under test.
"""

from __future__ import annotations

import dataclasses
import math
import operator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import data, gap
from conftest import indicator, obs, target, tiny_tables, write_data_dir

COMPARE = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
COMPARATORS = tuple(COMPARE)
BOUND_QUALIFIERS = (">", ">=", "<", "<=")


# ----------------------------------------------------------------------------- comparators


@pytest.mark.parametrize("comparator", COMPARATORS)
@pytest.mark.parametrize("offset", [-1.0, -1e-9, 0.0, 1e-9, 1.0])
def test_meets_on_both_sides_of_the_target(comparator: str, offset: float) -> None:
    threshold = 100.0
    value = threshold + offset
    expected = COMPARE[comparator](value, threshold)
    assert gap.meets(value, comparator, threshold) is expected
    assert bool(gap.sample_meets(np.array([value]), comparator, threshold)[0]) is expected


@pytest.mark.parametrize("comparator", COMPARATORS)
def test_a_missing_value_meets_nothing(comparator: str) -> None:
    assert gap.meets(math.nan, comparator, 100.0) is False
    assert gap.meets(None, comparator, 100.0) is False


@pytest.mark.parametrize("comparator, higher", [(">=", True), (">", True), ("<=", False), ("<", False)])
def test_direction_comes_from_the_comparator(comparator: str, higher: bool) -> None:
    assert gap.higher_is_better(comparator) is higher


def bound_oracle(qualifier: str, value: float, comparator: str, threshold: float) -> bool | None:
    """Met when every value the bound allows meets the target, missed when none does, else None."""
    allows = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}[qualifier]
    eps = 1e-6
    candidates = {x + d for x in (value, threshold) for d in (-1.0, -eps, 0.0, eps, 1.0)}
    allowed = [x for x in sorted(candidates) if allows(x, value)]
    verdicts = [COMPARE[comparator](x, threshold) for x in allowed]
    return True if all(verdicts) else False if not any(verdicts) else None


@pytest.mark.parametrize("qualifier", BOUND_QUALIFIERS)
@pytest.mark.parametrize("comparator", COMPARATORS)
@pytest.mark.parametrize("offset", [-100.0, 0.0, 100.0])
def test_bound_decides_only_what_the_bound_proves(qualifier: str, comparator: str, offset: float) -> None:
    threshold = 3000.0
    value = threshold + offset
    assert gap.bound_decides(qualifier, value, comparator, threshold) is bound_oracle(qualifier, value, comparator, threshold)


@pytest.mark.parametrize("qualifier, value, comparator, expected", [
    # a lower bound can show a 'higher is better' target met, never missed
    (">", 3100, ">=", True), (">", 2900, ">=", None), (">=", 3000, ">=", True), (">=", 3000, ">", None), (">", 3000, ">", True),
    # an upper bound can show it missed, never met; on the threshold only a strict bound or target tells
    ("<", 2900, ">=", False), ("<", 3100, ">=", None), ("<=", 3000, ">=", None), ("<", 3000, ">=", False), ("<=", 3000, ">", False),
    # lower is better (a rank, a cost): the roles swap
    ("<=", 10, "<=", True), ("<", 10, "<", True), ("<=", 10, "<", None), ("<=", 12, "<=", None),
    (">", 12, "<=", False), (">", 10, "<=", False), (">=", 10, "<=", None), (">=", 10, "<", False), (">", 8, "<=", None),
])
def test_bound_decides_by_hand(qualifier: str, value: float, comparator: str, expected: bool | None) -> None:
    threshold = 3000.0 if value > 100 else 10.0
    assert gap.bound_decides(qualifier, float(value), comparator, threshold) is expected


@pytest.mark.parametrize("comparator", COMPARATORS)
@pytest.mark.parametrize("qualifier", ["", "~"])
def test_a_figure_that_is_not_a_bound_is_judged_as_a_value(comparator: str, qualifier: str) -> None:
    for value in (2999.0, 3000.0, 3001.0):
        assert gap.bound_decides(qualifier, value, comparator, 3000.0) is COMPARE[comparator](value, 3000.0)
