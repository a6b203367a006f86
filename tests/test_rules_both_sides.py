"""Both sides of every rule of analysis.assess (issue 16 item 2), table-driven.

Each rule of the gap module docstring and method note is checked on both sides of its edge:
comparators (gap.meets, sample_meets, bound_decides), observation qualifiers (which figure is
chosen, how it is judged), target kinds (level, cumulative, avg_growth, rank, 每年, 左右), past and
future target years, lower-is-better targets, and the status and progress band edges.
Expected values come from an oracle written here (plain comparisons, sets of values a bound
allows), never from the function under test.
"""

from __future__ import annotations

import math
import operator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import indicator, obs, target, tiny_tables, write_data_dir

from analysis.assess import evidence, progress, record, rules, statuses
from analysis.assess import judge as judge_module
from analysis.data import loader

COMPARE = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
COMPARATORS = tuple(COMPARE)
BOUND_QUALIFIERS = (">", ">=", "<", "<=")
AS_OF = "2026-06-30"  # targets of 2025 and before are past, 2026 and later are future


def spec(values: dict[int, float], *, kind: str = "amount", form: str = "geometric", target_type: str = "level",
         comparator: str = ">=", target_value: float = 100.0, base_year: int = 2020, target_year: int = 2024, low: str = "0",
         qualifier: dict[int, str] | None = None, status: dict[int, str] | None = None, each_year: bool = False,
         approximate: bool = False) -> dict:
    """One case: an indicator with these annual values (published 1 March of the next year) and one target on it."""
    return dict(values=values, kind=kind, form=form, target_type=target_type, comparator=comparator, target_value=target_value,
                base_year=base_year, target_year=target_year, low=low, qualifier=qualifier or {}, status=status or {},
                each_year=each_year, approximate=approximate)


def assess_cases(folder: Path, cases: list[dict]) -> list[pd.Series]:
    """Assess every case (indicator x<i>, target t<i>) in one data directory as of AS_OF; return their status rows."""
    tables = tiny_tables()
    tables["sources"] += [{"source_id": f"bulletin_{y}", "title": f"{y - 1}年统计公报", "publisher": "宁波市统计局",
                           "published": f"{y}-03-01", "kind": "bulletin"} for y in range(2010, 2018)]
    tables["indicators"], tables["targets"], tables["observations"] = [], [], []
    for i, c in enumerate(cases):
        x = f"x{i}"
        tables["indicators"].append(indicator(x, "u", c["kind"], c["form"], higher=c["comparator"] in (">=", ">"), low=c["low"]))
        unit = "%" if c["target_type"] == "avg_growth" else "u"
        tables["targets"].append(target(f"t{i}", x, c["target_type"], c["comparator"], c["target_value"], unit, c["base_year"],
                                        c["target_year"])
                                 | {"each_year": str(c["each_year"]).lower(), "approximate": str(c["approximate"]).lower()})
        tables["observations"] += [
            obs(x, y, v, "u", f"bulletin_{y + 1}", f"{y + 1}-03-01", qualifier=c["qualifier"].get(y, ""),
                status=c["status"].get(y, "official"))
            for y, v in c["values"].items()
        ]
    dataset = loader.load(write_data_dir(folder, tables))
    table = statuses.status_table(dataset, AS_OF, region=None).set_index("target_id")
    return [table.loc[f"t{i}"] for i in range(len(cases))]


@pytest.fixture(scope="module")
def judge(tmp_path_factory: pytest.TempPathFactory):
    """judge(make, cases, case): the status row(s) of make(case); all cases of a table are assessed together, once."""
    done: dict[str, list] = {}

    def run(make, cases: list, case: tuple):
        key = make.__qualname__
        if key not in done:
            made = [make(*c) for c in cases]
            flat = [s for m in made for s in (m if isinstance(m, list) else [m])]
            rows = iter(assess_cases(tmp_path_factory.mktemp(key.replace(".", "_")), flat))
            done[key] = [[next(rows) for _ in m] if isinstance(m, list) else next(rows) for m in made]
        return done[key][cases.index(case)]

    return run


# ----------------------------------------------------------------------------- comparators


@pytest.mark.parametrize("comparator", COMPARATORS)
@pytest.mark.parametrize("offset", [-1.0, -1e-9, 0.0, 1e-9, 1.0])
def test_meets_on_both_sides_of_the_target(comparator: str, offset: float) -> None:
    threshold = 100.0
    value = threshold + offset
    expected = COMPARE[comparator](value, threshold)
    assert rules.meets(value, comparator, threshold) is expected
    assert bool(rules.sample_meets(np.array([value]), comparator, threshold)[0]) is expected


@pytest.mark.parametrize("comparator", COMPARATORS)
def test_a_missing_value_meets_nothing(comparator: str) -> None:
    assert rules.meets(math.nan, comparator, 100.0) is False
    assert rules.meets(None, comparator, 100.0) is False


@pytest.mark.parametrize("comparator, higher", [(">=", True), (">", True), ("<=", False), ("<", False)])
def test_direction_comes_from_the_comparator(comparator: str, higher: bool) -> None:
    assert rules.higher_is_better(comparator) is higher


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
    assert rules.bound_decides(qualifier, value, comparator, threshold) is bound_oracle(qualifier, value, comparator, threshold)


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
    assert rules.bound_decides(qualifier, float(value), comparator, threshold) is expected


@pytest.mark.parametrize("comparator", COMPARATORS)
@pytest.mark.parametrize("qualifier", ["", "~"])
def test_a_figure_that_is_not_a_bound_is_judged_as_a_value(comparator: str, qualifier: str) -> None:
    for value in (2999.0, 3000.0, 3001.0):
        assert rules.bound_decides(qualifier, value, comparator, 3000.0) is COMPARE[comparator](value, 3000.0)


# ----------------------------------------------------------------------------- exact edges of computed levels

AVG_EDGE = [(146.41, "met"), (146.40, "missed")]


def avg_edge(last: float, expected: str) -> dict:
    return spec({2020: 100, 2021: 110, 2022: 121, 2023: 133.1, 2024: last}, target_type="avg_growth", target_value=10)


@pytest.mark.parametrize("case", AVG_EDGE, ids=str)
def test_average_growth_exactly_on_the_required_rate_is_met(judge, case: tuple) -> None:
    # 10 % a year from 100 (2020) to 2024: the implied level is 146.41 exactly (100 x 1.1^4 is 146.41000000000005 in floats)
    assert judge(avg_edge, AVG_EDGE, case).status == case[-1]


ABOUT_EDGE = [
    (">=", 8.3, 7.885, "met"), (">=", 8.3, 7.884, "missed"),  # 左右: 5 % below counts (8.3 x 0.95 is 7.885000000000001 in floats)
    ("<=", 1.9, 1.995, "met"), ("<=", 1.9, 1.996, "missed"),  # lower is better: 5 % above counts (1.9 x 1.05 is 1.9949999999999999)
]


def about_edge(comparator: str, target_value: float, value: float, expected: str) -> dict:
    return spec({2020: value * 0.9 if comparator == ">=" else value * 1.1, 2024: value}, kind="ratio", form="linear",
                comparator=comparator, target_value=target_value, approximate=True)


@pytest.mark.parametrize("case", ABOUT_EDGE, ids=str)
def test_about_target_counts_exactly_the_tolerance(judge, case: tuple) -> None:
    assert judge(about_edge, ABOUT_EDGE, case).status == case[-1]


CUMULATIVE_EDGE = [
    # 1234.1 + 2345.7 is 3579.7999999999997 in floats; in 2024 (past) and already reached before 2027 (future)
    (">=", (1234.1, 2345.7), 2024, "met"), (">=", (1234.1, 2345.6), 2024, "missed"),
    (">=", (1234.1, 2345.7), 2027, "met"), (">=", (1234.1, 2345.6), 2027, set(rules.FORWARD_STATUSES)),
    ("<=", (1234.1, 2345.7), 2024, "met"), ("<=", (1234.1, 2345.8), 2024, "missed"),
]


def cumulative_edge(comparator: str, flows: tuple, target_year: int, expected: str | set) -> dict:
    return spec({2021: 1000.0, 2023: flows[0], 2024: flows[1]}, target_type="cumulative", comparator=comparator,
                target_value=3579.8, base_year=2022, target_year=target_year)


@pytest.mark.parametrize("case", CUMULATIVE_EDGE, ids=str)
def test_cumulative_sum_exactly_on_the_target(judge, case: tuple) -> None:
    expected = case[-1] if isinstance(case[-1], set) else {case[-1]}
    assert judge(cumulative_edge, CUMULATIVE_EDGE, case).status in expected


# An unpublished flow is never evidence: the published flows (1234.1 + 1234.1 = 2468.2) reach a target of
# 2468.2 exactly (met), and no target above it can be judged on an interpolated 2024 (no outcome, only what is known).
INTERPOLATED_FLOWS = [(2468.2, "met"), (3702.3, "no_data"), (3702.4, "no_data")]


def interpolated_flows(target_value: float, expected: str) -> dict:
    # 2024 not published: interpolated as 1234.1, so the sum 3 x 1234.1 is 3702.2999999999997 in floats; an inferred outcome
    return spec({2021: 1000.0, 2023: 1234.1, 2025: 1234.1}, target_type="cumulative", target_value=target_value, base_year=2022,
                target_year=2025)


@pytest.mark.parametrize("case", INTERPOLATED_FLOWS, ids=str)
def test_cumulative_sum_with_an_interpolated_flow_exactly_on_the_target(judge, case: tuple) -> None:
    row = judge(interpolated_flows, INTERPOLATED_FLOWS, case)
    assert (row.interpolated_years, row.missing_years, row.running_total_qualifier, row.status) == ("2024", "2024", ">=", case[-1])
    assert row.running_total == 2468.2
    if case[-1] == "no_data":
        assert row.status_reason == "missing_flows"


# ----------------------------------------------------------------------------- band edges


def below(x: float) -> float:
    """The largest float below x."""
    return float(np.nextafter(x, -math.inf))


STATUS_EDGES = [("on_track", 0.90, "likely"), ("likely", 0.66, "uncertain"), ("uncertain", 0.33, "unlikely"), ("unlikely", 0.10, "off_track")]
PROGRESS_EDGES = [("significant", 0.95, "moderate"), ("moderate", 0.60, "insufficient"), ("insufficient", 0.0, "away")]


@pytest.mark.parametrize("band, edge, band_below", STATUS_EDGES)
def test_status_band_edge_on_both_sides(band: str, edge: float, band_below: str) -> None:
    assert rules.status_from_p(edge) == band  # lower edges are inclusive
    assert rules.status_from_p(below(edge)) == band_below
    assert dict(rules.STATUS_BANDS)[band] == edge


LIKELIHOOD_EDGES = [("virtually_certain", 0.99, "very_likely"), ("very_likely", 0.90, "likely"), ("likely", 0.66, "about_as_likely"),
                    ("about_as_likely", 0.33, "unlikely"), ("unlikely", 0.10, "very_unlikely"), ("very_unlikely", 0.01, "exceptionally_unlikely")]


@pytest.mark.parametrize("band, edge, band_below", LIKELIHOOD_EDGES)
def test_likelihood_words_edge_on_both_sides(band: str, edge: float, band_below: str) -> None:
    assert rules.likelihood_band(edge) == band  # the words of P on every page: lower edges inclusive
    assert rules.likelihood_band(below(edge)) == band_below
    assert dict(rules.LIKELIHOOD_BANDS)[band] == edge


@pytest.mark.parametrize("band, edge, band_below", PROGRESS_EDGES)
def test_progress_band_edge_on_both_sides(band: str, edge: float, band_below: str) -> None:
    assert rules.progress_category(edge) == band
    assert rules.progress_category(below(edge)) == band_below
    assert dict(rules.PROGRESS_BANDS)[band] == edge


@pytest.mark.parametrize("comparator, base, latest, target_value, expected", [
    # linear path base -> target over 5 years, one year observed: R = observed change / required change a year
    (">=", 100.0, 119.0, 200.0, "significant"), (">=", 100.0, 118.99, 200.0, "moderate"),  # R = 0.95 / 0.9495
    (">=", 100.0, 112.0, 200.0, "moderate"), (">=", 100.0, 111.99, 200.0, "insufficient"),  # R = 0.60 / 0.5995
    (">=", 100.0, 100.0, 200.0, "insufficient"), (">=", 100.0, 99.99, 200.0, "away"),  # R = 0 / < 0
    # edges hit in decimal but not in floats (0.285 / 0.3 is 0.9499999999999886): R is rounded before banding
    (">=", 100.0, 100.285, 101.5, "significant"), (">=", 100.0, 100.284, 101.5, "moderate"),
    (">=", 100.0, 100.24, 102.0, "moderate"), (">=", 100.0, 100.239, 102.0, "insufficient"),
    # lower is better: a fall towards the target is progress, the same edges apply
    ("<=", 200.0, 181.0, 100.0, "significant"), ("<=", 200.0, 181.01, 100.0, "moderate"),
    ("<=", 200.0, 188.0, 100.0, "moderate"), ("<=", 200.0, 188.01, 100.0, "insufficient"),
    ("<=", 200.0, 200.0, 100.0, "insufficient"), ("<=", 200.0, 200.01, 100.0, "away"),
    # the latest value meets the target: achieved, on both sides of the target
    (">=", 100.0, 200.0, 200.0, "achieved"), (">", 100.0, 200.0, 200.0, "significant"),
    ("<=", 200.0, 100.0, 100.0, "achieved"), ("<", 200.0, 100.0, 100.0, "significant"),
    # the base already met the target: achieved while the latest still does, away once it no longer does
    (">=", 250.0, 240.0, 200.0, "achieved"), (">=", 250.0, 190.0, 200.0, "away"),
    ("<=", 90.0, 95.0, 100.0, "achieved"), ("<=", 90.0, 110.0, 100.0, "away"),
])
def test_progress_category_from_data_on_both_sides(comparator: str, base: float, latest: float, target_value: float, expected: str) -> None:
    _, category, _ = progress.classify_progress(2022, base, 2023, latest, 2027, target_value, "linear", comparator)
    assert category == expected


@pytest.mark.parametrize("p, expected", [
    (0.66, "probably_met"), (below(0.66), "outcome_uncertain"), (0.33, "outcome_uncertain"), (below(0.33), "probably_missed"),
    (1.0, "probably_met"), (0.0, "probably_missed"),
])
def test_probably_edge_of_a_past_target_on_both_sides(p: float, expected: str) -> None:
    a = record.Assessment("t", "x", "ningbo", "level", ">=", 2022, 1.0, "u", p_meet=p, horizon_kind="past", status_reason="interpolated")
    assert judge_module.past_status(a) == expected
    assert dict(rules.PAST_BANDS) == {"probably_met": 0.66, "outcome_uncertain": 0.33}  # the likelihood scale's edges


# ----------------------------------------------------------------------------- which figure is chosen

CHOICES = [
    # two figures for the same year: (value, qualifier, status, published, preferred) each, the report date, the value chosen
    ((10.0, "", "official", "2025-03-01", "false"), (11.0, "~", "official", "2025-06-01", "false"), "2025-12-31", 10.0),  # exact before about
    ((10.0, "~", "official", "2025-03-01", "false"), (11.0, "", "official", "2025-06-01", "false"), "2025-12-31", 11.0),
    ((10.0, "", "official", "2025-03-01", "false"), (11.0, ">", "official", "2025-06-01", "false"), "2025-12-31", 10.0),  # exact before a bound
    ((10.0, ">", "official", "2025-03-01", "false"), (11.0, "", "official", "2025-06-01", "false"), "2025-12-31", 11.0),
    ((10.0, "~", "official", "2025-03-01", "false"), (11.0, ">=", "official", "2025-06-01", "false"), "2025-12-31", 10.0),  # about before a bound
    ((10.0, "<", "official", "2025-03-01", "false"), (11.0, "~", "official", "2025-06-01", "false"), "2025-12-31", 11.0),
    ((10.0, "", "estimate", "2025-03-01", "false"), (11.0, "<=", "official", "2025-06-01", "false"), "2025-12-31", 10.0),  # 预计 before a bound
    ((10.0, "", "official", "2025-03-01", "false"), (11.0, "", "estimate", "2025-06-01", "false"), "2025-12-31", 10.0),  # final before 预计
    ((10.0, "", "estimate", "2025-03-01", "false"), (11.0, "", "official", "2025-06-01", "false"), "2025-12-31", 11.0),
    ((10.0, "", "official", "2025-03-01", "false"), (11.0, "", "revised", "2025-06-01", "false"), "2025-12-31", 11.0),  # same tier: the later
    ((10.0, "", "official", "2025-06-01", "false"), (11.0, "", "revised", "2025-03-01", "false"), "2025-12-31", 10.0),
    ((10.0, "", "official", "2025-03-01", "false"), (11.0, ">", "official", "2025-06-01", "true"), "2025-12-31", 11.0),  # preferred first
    ((10.0, "", "official", "2025-06-01", "false"), (11.0, ">", "official", "2025-03-01", "false"), "2025-04-30", 11.0),  # as of a date
    ((10.0, "", "official", "2025-06-01", "false"), (11.0, ">", "official", "2025-03-01", "false"), "2025-06-01", 10.0),
]


@pytest.fixture(scope="module")
def choice_observations(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The observations of every CHOICES case (indicator x<i>), loaded and typed."""
    tables = tiny_tables()
    tables["indicators"] = [indicator(f"x{i}", "u", "amount", "geometric", low="0") for i in range(len(CHOICES))]
    tables["targets"] = [target("t", "x0", "level", ">=", 20, "u", 2022, 2027)]
    tables["observations"] = [
        obs(f"x{i}", 2024, value, "u", "bulletin_2025" if published < "2025-06-01" else "news_2025", published, qualifier=qualifier,
            status=status, preferred=preferred)
        for i, case in enumerate(CHOICES) for value, qualifier, status, published, preferred in case[:2]
    ]
    return loader.load(write_data_dir(tmp_path_factory.mktemp("choices"), tables)).observations


@pytest.mark.parametrize("case", CHOICES, ids=str)
def test_one_figure_per_year_exact_before_about_before_bound(choice_observations: pd.DataFrame, case: tuple) -> None:
    x = f"x{CHOICES.index(case)}"
    chosen = evidence.choose_observations(choice_observations[choice_observations["indicator_id"] == x], case[2])
    assert chosen["value"].tolist() == [case[3]]


# ----------------------------------------------------------------------------- how a figure is judged

EXACT_BEFORE = {2019: 60.0, 2020: 70.0, 2021: 80.0, 2022: 90.0, 2023: 95.0}
PAST_LEVEL = [(c, offset) for c in COMPARATORS for offset in (-1.0, 0.0, 1.0)]


def past_level(comparator: str, offset: float) -> dict:
    return spec({**EXACT_BEFORE, 2024: 100.0 + offset}, comparator=comparator, target_value=100.0)


@pytest.mark.parametrize("case", PAST_LEVEL, ids=str)
def test_past_level_target_with_its_year_published(judge, case: tuple) -> None:
    comparator, offset = case
    row = judge(past_level, PAST_LEVEL, case)
    assert row.horizon_kind == "past"
    assert row.status == ("met" if COMPARE[comparator](100.0 + offset, 100.0) else "missed")
    assert row.p_meet == (1.0 if row.status == "met" else 0.0)


UNDECIDED = {"probably_met", "probably_missed"}
PAST_FIGURE = [
    # a lower bound: can show a '>=' target met, never missed
    (">", "official", ">=", 101.0, {"met"}), (">", "official", ">=", 99.0, UNDECIDED),
    (">=", "official", ">=", 100.0, {"met"}), (">=", "official", ">", 100.0, UNDECIDED),
    # an upper bound: can show a '>=' target missed, never met
    ("<", "official", ">=", 99.0, {"missed"}), ("<", "official", ">=", 101.0, UNDECIDED),
    # lower is better (a cost): an upper bound can show it met, a lower bound missed
    ("<=", "official", "<=", 100.0, {"met"}), ("<=", "official", "<=", 101.0, UNDECIDED),
    (">", "official", "<=", 100.0, {"missed"}), (">", "official", "<=", 99.0, UNDECIDED),
    # a bound from a figure that is not an outcome (preliminary, 预计) decides only as an inference; a reported one decides
    (">", "estimate", ">=", 101.0, {"probably_met"}), ("<", "preliminary", ">=", 99.0, {"probably_missed"}),
    (">", "reported", ">=", 101.0, {"met"}), ("<", "reported", ">=", 99.0, {"missed"}),
    # about (~) and 预计 figures are values, but not final: inferred outcomes on both sides
    ("~", "official", ">=", 100.0, {"probably_met"}), ("~", "official", ">=", 99.0, {"probably_missed"}),
    ("", "estimate", ">=", 100.0, {"probably_met"}), ("", "estimate", ">=", 99.0, {"probably_missed"}),
    ("", "estimate", "<=", 100.0, {"probably_met"}), ("", "estimate", "<=", 101.0, {"probably_missed"}),
    ("", "preliminary", ">=", 100.0, {"probably_met"}), ("", "preliminary", ">=", 99.0, {"probably_missed"}),
    ("", "revised", ">=", 100.0, {"met"}), ("", "revised", ">=", 99.0, {"missed"}),
    ("", "reported", ">=", 100.0, {"met"}), ("", "reported", ">=", 99.0, {"missed"}),
]


def past_figure(qualifier: str, status: str, comparator: str, value: float, expected: set) -> dict:
    before = EXACT_BEFORE if comparator in (">=", ">") else {y: 200.0 - v for y, v in EXACT_BEFORE.items()}
    return spec({**before, 2024: value}, comparator=comparator, target_value=100.0, qualifier={2024: qualifier}, status={2024: status})


@pytest.mark.parametrize("case", PAST_FIGURE, ids=str)
def test_past_target_year_figure_by_qualifier_and_status(judge, case: tuple) -> None:
    qualifier, status, comparator, value, expected = case
    row = judge(past_figure, PAST_FIGURE, case)
    assert row.status in expected
    shown = qualifier or ("~" if status == "estimate" else "")
    assert (row.latest_period, row.latest_value, row.latest_qualifier) == ("2024", value, shown)
    assert row.n_obs == (5 if qualifier in BOUND_QUALIFIERS else 6)  # a bound is never a value of the series


RISING = {2015 + i: 100.0 + 10 * i for i in range(10)}  # 100 .. 190 by 2024
FALLING = {2015 + i: 200.0 - 10 * i for i in range(10)}  # 200 .. 110 by 2024
LATER_BOUND = [(">", ">="), ("<", ">="), ("<", "<="), (">", "<=")]
CENTRE_2025 = {">=": 200.0, "<=": 100.0}  # the 2025 bound sits where the projection is (drift: one more step)


def later_bound(qualifier: str, comparator: str) -> list[dict]:
    values = RISING if comparator == ">=" else FALLING
    target_value = 230.0 if comparator == ">=" else 70.0
    free = spec(values, comparator=comparator, target_value=target_value, base_year=2022, target_year=2027)
    bounded = spec({**values, 2025: CENTRE_2025[comparator]}, comparator=comparator, target_value=target_value, base_year=2022,
                   target_year=2027, qualifier={2025: qualifier})
    return [free, bounded]


@pytest.mark.parametrize("case", LATER_BOUND, ids=str)
def test_a_later_bound_moves_the_probability_its_own_way(judge, case: tuple) -> None:
    qualifier, comparator = case
    free, bounded = judge(later_bound, LATER_BOUND, case)
    assert "conditioned on the published bounds" in bounded.note
    favourable = (qualifier == ">") == (comparator == ">=")
    assert (bounded.p_meet > free.p_meet) if favourable else (bounded.p_meet < free.p_meet)
    assert (bounded.projected_value > free.projected_value) == (qualifier == ">")


# ----------------------------------------------------------------------------- target kinds, past and future

FUTURE_LEVEL = [
    # a published figure that already meets the target (190 against >= 120, 110 against <= 150) makes it met; P says it holds
    (">=", "rising", 120.0, "met"), (">=", "rising", 1000.0, "off_track"), (">", "rising", 120.0, "met"), (">", "rising", 1000.0, "off_track"),
    ("<=", "falling", 150.0, "met"), ("<=", "falling", 20.0, "off_track"), ("<", "falling", 150.0, "met"), ("<", "falling", 20.0, "off_track"),
]


def future_level(comparator: str, values: str, target_value: float, expected: str) -> dict:
    return spec(RISING if values == "rising" else FALLING, comparator=comparator, target_value=target_value, target_year=2027)


@pytest.mark.parametrize("case", FUTURE_LEVEL, ids=str)
def test_future_level_target_far_on_either_side(judge, case: tuple) -> None:
    expected = case[-1]
    row = judge(future_level, FUTURE_LEVEL, case)
    assert (row.horizon_kind, row.status) == ("future", expected)
    assert (row.p_meet >= 0.9) if expected == "met" else (row.p_meet < 0.1)
    assert row.status_reason == ("already_met" if expected == "met" else "projection")


CUMULATIVE = [
    # higher is better: non-negative flows cannot undo a sum already reached, in the future as in the past
    (">=", (600.0, 500.0), 2027, "met"), (">=", (600.0, 300.0), 2024, "missed"),
    (">=", (600.0, 400.0), 2024, "met"), (">", (600.0, 400.0), 2024, "missed"), (">", (600.0, 401.0), 2024, "met"),
    # lower is better (a cap): over the cap cannot be undone; at or under it in the target year is met
    ("<=", (600.0, 500.0), 2027, "off_track"), ("<=", (600.0, 400.0), 2024, "met"), ("<=", (600.0, 401.0), 2024, "missed"),
    ("<=", (300.0, 200.0), 2027, set(rules.FORWARD_STATUSES)),  # under the cap so far: not met before the target year
    ("<", (600.0, 400.0), 2024, "missed"), ("<", (600.0, 399.0), 2024, "met"),
]


def cumulative(comparator: str, flows: tuple, target_year: int, expected: str) -> dict:
    return spec({2021: 500.0, 2023: flows[0], 2024: flows[1]}, target_type="cumulative", comparator=comparator, target_value=1000.0,
                base_year=2022, target_year=target_year)


@pytest.mark.parametrize("case", CUMULATIVE, ids=str)
def test_cumulative_target_on_both_sides(judge, case: tuple) -> None:
    row = judge(cumulative, CUMULATIVE, case)
    assert row.status in (case[-1] if isinstance(case[-1], set) else {case[-1]})
    assert row.horizon_kind == ("past" if case[2] <= 2025 else "future")


PAST_AVG = [
    (">=", 10.0, 146.41, "met"), (">=", 10.0, 146.4, "missed"), (">", 10.0, 146.41, "missed"), (">", 10.0, 146.42, "met"),
    # lower is better: a required fall of 3 % a year from 100 (2020) is 88.529281 in 2024
    ("<=", -3.0, 88.52, "met"), ("<=", -3.0, 88.53, "missed"), ("<", -3.0, 88.529281, "missed"), ("<", -3.0, 88.5292, "met"),
]


def past_avg(comparator: str, rate: float, last: float, expected: str) -> dict:
    path = {2020 + i: 100.0 * (1 + rate / 100) ** i for i in range(4)}
    return spec({**path, 2024: last}, target_type="avg_growth", comparator=comparator, target_value=rate)


@pytest.mark.parametrize("case", PAST_AVG, ids=str)
def test_past_average_growth_target_on_both_sides(judge, case: tuple) -> None:
    row = judge(past_avg, PAST_AVG, case)
    assert row.status == case[-1]
    assert row.base_value == 100.0


FUTURE_AVG = [(2.0, True), (40.0, False)]


def future_avg(rate: float, likely: bool) -> dict:
    return spec({2015 + i: 100.0 * 1.1 ** i for i in range(10)}, target_type="avg_growth", target_value=rate, base_year=2022,
                target_year=2027)


@pytest.mark.parametrize("case", FUTURE_AVG, ids=str)
def test_future_average_growth_target_on_both_sides(judge, case: tuple) -> None:
    # a series growing 10 % a year against 2 % a year (likely met) and 40 % a year (very unlikely)
    likely = case[1]
    row = judge(future_avg, FUTURE_AVG, case)
    assert row.status in (("on_track", "likely") if likely else ("off_track",))
    assert (row.p_meet >= 0.66) if likely else (row.p_meet < 0.1)


RANKS = [
    # past (2024) targets
    ("<=", (14, 12, 11, 10), 2024, "met"), ("<=", (14, 12, 11, 11), 2024, "missed"),
    ("<", (14, 12, 11, 10), 2024, "missed"), ("<", (14, 12, 11, 9), 2024, "met"),
    # future targets with fewer than 5 ranks: no probability; within the target already or not
    ("<=", (13, 12, 11, 10), 2027, "met"), ("<=", (14, 13, 12, 11), 2027, "insufficient_data"),
]


def rank(comparator: str, ranks: tuple, target_year: int, expected: str) -> dict:
    return spec(dict(zip(range(2021, 2025), ranks)), kind="rank", form="linear", target_type="rank", comparator=comparator,
                target_value=10, low="1", base_year=2021, target_year=target_year)


@pytest.mark.parametrize("case", RANKS, ids=str)
def test_rank_target_on_both_sides(judge, case: tuple) -> None:
    row = judge(rank, RANKS, case)
    assert row.status == case[-1]
    if case[2] > 2025:
        assert math.isnan(row.p_meet)


RANK_COUNT = [(4, False), (5, True)]


def rank_count(n_ranks: int, has_probability: bool) -> dict:
    return spec({2024 - i: 11 + i for i in range(n_ranks)}, kind="rank", form="linear", target_type="rank", comparator="<=",
                target_value=10, low="1", base_year=2022, target_year=2027)


@pytest.mark.parametrize("case", RANK_COUNT, ids=str)
def test_rank_probability_needs_five_ranks(judge, case: tuple) -> None:
    row = judge(rank_count, RANK_COUNT, case)
    assert rules.MIN_RANK_POINTS == 5
    assert (not math.isnan(row.p_meet)) is case[1]


# Ranks are whole places (validate allows only <= and < on them): "< k" is "<= k-1", so each pair
# must give the same P (a projected rank is continuous; the half place on the correct side makes them agree).
RANK_PAIRS = [("<", 10, "<=", 9), ("<=", 10, "<", 11)]
RANK_SERIES = {2016 + i: r for i, r in enumerate((18, 16, 15, 13, 12, 11, 10, 10, 9))}


def rank_pair(comparator: str, k: int, other: str, other_k: int) -> list[dict]:
    return [spec(RANK_SERIES, kind="rank", form="linear", target_type="rank", comparator=c, target_value=v, low="1",
                 base_year=2020, target_year=2027) for c, v in ((comparator, k), (other, other_k))]


@pytest.mark.parametrize("case", RANK_PAIRS, ids=str)
def test_a_rank_target_and_its_whole_place_twin_have_the_same_probability(judge, case: tuple) -> None:
    first, second = judge(rank_pair, RANK_PAIRS, case)
    assert 0.02 < first.p_meet < 0.98  # the series ends near k: the half place matters
    assert first.p_meet == second.p_meet


EACH_YEAR = [
    # 每年: every year after the base must meet the target; one miss decides, on either side
    (">=", (90.0, 100.0, 105.0, 101.0, 100.0), 2024, "met"),
    (">=", (90.0, 100.0, 99.0, 120.0, 130.0), 2024, "missed"),  # 2022 missed, the rest met
    ("<=", (110.0, 100.0, 95.0, 99.0, 100.0), 2024, "met"),
    ("<=", (110.0, 100.0, 101.0, 80.0, 70.0), 2024, "missed"),
    (">=", (90.0, 100.0, 99.0, 150.0, 160.0), 2027, "off_track"),  # future, a year already missed
    (">=", (90.0, 100.0, 140.0, 150.0, 160.0), 2027, "on_track"),  # future, every year so far met, far above
]


def each_year(comparator: str, values: tuple, target_year: int, expected: str) -> list[dict]:
    series = dict(zip(range(2020, 2025), values))
    return [spec(series, comparator=comparator, target_value=100.0, target_year=target_year, each_year=True),
            spec(series, comparator=comparator, target_value=100.0, target_year=target_year)]


@pytest.mark.parametrize("case", EACH_YEAR, ids=str)
def test_each_year_target_on_both_sides(judge, case: tuple) -> None:
    expected = case[-1]
    each, plain = judge(each_year, EACH_YEAR, case)
    assert bool(each.per_year) and not bool(plain.per_year)
    assert each.status == expected
    if expected in ("missed", "off_track"):
        assert plain.status not in ("missed", "off_track")  # judged on the last year alone, it would pass


EACH_YEAR_FUTURE = [(">=", 200.0), ("<=", 100.0)]


def each_year_future(comparator: str, target_value: float) -> list[dict]:
    # base 2024: every year of the target (2025-2027) is still to come
    values = RISING if comparator == ">=" else FALLING
    return [spec(values, comparator=comparator, target_value=target_value, base_year=2024, target_year=2027, each_year=True),
            spec(values, comparator=comparator, target_value=target_value, base_year=2024, target_year=2027)]


@pytest.mark.parametrize("case", EACH_YEAR_FUTURE, ids=str)
def test_future_each_year_probability_is_below_the_last_years(judge, case: tuple) -> None:
    each, last = judge(each_year_future, EACH_YEAR_FUTURE, case)
    assert 0 < each.p_meet < last.p_meet  # the joint event 2025 and 2026 and 2027 is rarer than 2027 alone


ABOUT = [
    (">=", 95.0, True, "met"), (">=", 94.9, True, "missed"), (">=", 95.0, False, "missed"),
    (">", 95.0, True, "missed"), (">", 95.1, True, "met"),
    ("<=", 105.0, True, "met"), ("<=", 105.1, True, "missed"), ("<=", 105.0, False, "missed"),
    ("<", 105.0, True, "missed"), ("<", 104.9, True, "met"),
]


def about(comparator: str, value: float, approximate: bool, expected: str) -> dict:
    start = 80.0 if comparator in (">=", ">") else 120.0
    return spec({2020: start, 2024: value}, kind="ratio", form="linear", comparator=comparator, target_value=100.0,
                approximate=approximate)


@pytest.mark.parametrize("case", ABOUT, ids=str)
def test_about_tolerance_on_both_sides_and_for_lower_is_better(judge, case: tuple) -> None:
    row = judge(about, ABOUT, case)
    assert bool(row.about) is case[2] and row.status == case[-1]


ABOUT_FUTURE = [(">=", 215.0), ("<=", 85.0)]


def about_future(comparator: str, target_value: float) -> list[dict]:
    values = RISING if comparator == ">=" else FALLING
    return [spec(values, comparator=comparator, target_value=target_value, base_year=2022, target_year=2027),
            spec(values, comparator=comparator, target_value=target_value, base_year=2022, target_year=2027, approximate=True)]


@pytest.mark.parametrize("case", ABOUT_FUTURE, ids=str)
def test_about_raises_the_probability_of_a_future_target(judge, case: tuple) -> None:
    exact, approximate = judge(about_future, ABOUT_FUTURE, case)
    assert approximate.p_meet > exact.p_meet  # 5 % below a '>=' target, 5 % above a '<=' one: easier either way


HORIZON = [(2025, "past"), (2026, "future"), (2027, "future")]


def horizon(target_year: int, kind: str) -> dict:
    return spec(RISING, target_value=300.0, base_year=2020, target_year=target_year)


@pytest.mark.parametrize("case", HORIZON, ids=str)
def test_past_and_future_by_the_report_year(judge, case: tuple) -> None:
    row = judge(horizon, HORIZON, case)
    assert row.horizon_kind == case[1]
    assert row.status in (rules.PAST_STATUSES if case[1] == "past" else rules.STATUSES)


# ----------------------------------------------------------------------------- thresholds on the number of values

POINTS = [(1, False), (2, True)]


def points(n: int, projected: bool) -> dict:
    return spec({2024: 150.0} if n == 1 else {2023: 140.0, 2024: 150.0}, target_value=200.0, base_year=2022, target_year=2027)


@pytest.mark.parametrize("case", POINTS, ids=str)
def test_a_projection_needs_two_values(judge, case: tuple) -> None:
    row = judge(points, POINTS, case)
    assert (not math.isnan(row.p_meet)) is case[1]
    assert (row.status == "insufficient_data") is (not case[1])


BRIDGE = [(2, False), (3, True)]


def bridge(changes: int, has_probability: bool) -> dict:
    values = {2018: 2.0, 2019: 2.2, 2021: 2.5} if changes == 2 else {2017: 1.9, 2018: 2.0, 2019: 2.2, 2021: 2.5}
    return spec(values, kind="ratio", form="linear", target_value=2.3, base_year=2017, target_year=2020)


@pytest.mark.parametrize("case", BRIDGE, ids=str)
def test_interpolated_past_target_needs_three_changes(judge, case: tuple) -> None:
    row = judge(bridge, BRIDGE, case)
    assert row.interpolated_years == "2020"
    assert (not math.isnan(row.p_meet)) is case[1]
    assert row.status in ("probably_met", "probably_missed")
