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
AS_OF = "2026-06-30"  # targets of 2025 and before are past, 2026 and later are future


def one_target(tmp_path: Path, values: dict[int, float], *, kind: str = "amount", form: str = "geometric",
               target_type: str = "level", comparator: str = ">=", target_value: float = 100.0, base_year: int = 2020,
               target_year: int = 2024, low: str = "0", qualifier: dict[int, str] | None = None,
               status: dict[int, str] | None = None, each_year: bool = False, approximate: bool = False) -> pd.Series:
    """Assess one target 't' on one indicator 'x' (annual values published on 1 March of the next year); return its row."""
    tables = tiny_tables()
    tables["sources"] += [{"source_id": f"bulletin_{y}", "title": f"{y - 1}年统计公报", "publisher": "宁波市统计局",
                           "published": f"{y}-03-01", "kind": "bulletin"} for y in range(2010, 2018)]
    tables["indicators"] = [indicator("x", "u", kind, form, higher=comparator in (">=", ">"), low=low)]
    tables["targets"] = [target("t", "x", target_type, comparator, target_value, "%" if target_type == "avg_growth" else "u",
                                base_year, target_year)
                         | {"each_year": str(each_year).lower(), "approximate": str(approximate).lower()}]
    qualifier, status = qualifier or {}, status or {}
    tables["observations"] = [
        obs("x", y, v, "u", f"bulletin_{y + 1}", f"{y + 1}-03-01", qualifier=qualifier.get(y, ""), status=status.get(y, "official"))
        for y, v in values.items()
    ]
    folder = tmp_path / f"d{len(list(tmp_path.glob('d*')))}"
    dataset = data.load(write_data_dir(folder, tables))
    return gap.status_table(dataset, AS_OF, region=None).set_index("target_id").loc["t"]


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


# ----------------------------------------------------------------------------- exact edges of computed levels


@pytest.mark.parametrize("last, expected", [(146.41, "met"), (146.40, "missed")])
def test_average_growth_exactly_on_the_required_rate_is_met(tmp_path: Path, last: float, expected: str) -> None:
    # 10 % a year from 100 (2020) to 2024: the implied level is 146.41 exactly (100 x 1.1^4 is 146.41000000000005 in floats)
    row = one_target(tmp_path, {2020: 100, 2021: 110, 2022: 121, 2023: 133.1, 2024: last}, target_type="avg_growth", target_value=10)
    assert row.status == expected


@pytest.mark.parametrize("comparator, target_value, value, expected", [
    (">=", 8.3, 7.885, "met"), (">=", 8.3, 7.884, "missed"),  # 左右: 5 % below counts (8.3 x 0.95 is 7.885000000000001 in floats)
    ("<=", 1.9, 1.995, "met"), ("<=", 1.9, 1.996, "missed"),  # lower is better: 5 % above counts (1.9 x 1.05 is 1.9949999999999999)
])
def test_about_target_counts_exactly_the_tolerance(tmp_path: Path, comparator: str, target_value: float, value: float, expected: str) -> None:
    row = one_target(tmp_path, {2020: value * 0.9 if comparator == ">=" else value * 1.1, 2024: value}, kind="ratio", form="linear",
                     comparator=comparator, target_value=target_value, approximate=True)
    assert row.status == expected


@pytest.mark.parametrize("comparator, flows, target_value, expected", [
    (">=", (1234.1, 2345.7), 3579.8, "met"), (">=", (1234.1, 2345.6), 3579.8, "missed"),  # 1234.1 + 2345.7 is 3579.7999999999997 in floats
    ("<=", (1234.1, 2345.7), 3579.8, "met"), ("<=", (1234.1, 2345.8), 3579.8, "missed"),
])
def test_cumulative_sum_exactly_on_the_target(tmp_path: Path, comparator: str, flows: tuple, target_value: float, expected: str) -> None:
    row = one_target(tmp_path, {2021: 1000.0, 2023: flows[0], 2024: flows[1]}, target_type="cumulative", comparator=comparator,
                     target_value=target_value, base_year=2022, target_year=2024)
    assert row.status == expected
