"""Plausibility of a new value before it lands (``add`` and ``add --from``).

Validation (:mod:`analysis.data`) checks that a value is a number within the indicator's
bounds; this module checks that it is near what is already known of its series, so that a
slip of the decimal point, a share typed for a percent (0.033 for 3.3 %) or a figure left in
万 (1.35 for 13,500 firms) stops with the series' recent values and the likely intended value.

The rule (distances are log10 of the ratio of two values, so a factor of 10 is 1.0):

1. The same period already has vintages: the new value must be within a factor of
   ``SAME_PERIOD_FACTOR`` (2) of one of them. Revisions in the data are far smaller (the
   largest ratio between two vintages of one figure in data/ is below 1.5); a slip by 10 or
   100 is far larger. Growth rates (kind ``rate``, in %, may cross zero) compare the ratio
   when both have the same sign, and also pass within ``RATE_ABSOLUTE`` (1 percentage point).
2. Otherwise the nearest years of the same series (up to two before and two after, at most
   ``MAX_GAP`` years away, values of the same batch included) are its neighbours; the value
   passes when it is close enough to at least one of them: ``base + per_year × min(years, 3)``
   with (base, per_year) by kind in ``TOLERANCE`` (shares and ratios 0.3 + 0.05 a year: a
   factor of 2 to 3.2; counts and amounts 0.6 + 0.1 a year: 4 to 8; ranks 0.5 + 0.1). A factor
   of 10 is therefore always stopped. Growth rates pass unless their size exceeds
   ``3 × the largest neighbour + 5`` (a growth rate of 0.05 % is possible, so a rate divided by
   100 cannot be told from a real one; a rate ten times too large is stopped).
3. A series without any value is compared with the level targets and milestones of the same
   indicator and region (coarsely: within a factor of 10^0.9 ≈ 8).
4. Nothing to compare with, or a value of zero or below (left to validation): not judged.

Measured on data/ (tests/test_plausibility.py): every value re-added as a new vintage passes, and
its ×10, ×100 and ÷100 are stopped (rule 1). Leave-one-out (each period's values removed and added
back as the only value, so rules 2 and 3 decide): of 783 values with something to compare with, 3
are stopped (sizes of single funds, 10 against 50 a year apart), ×10 passes for 15 (fast-growing
series with gaps of several years, year-to-date figures), ÷100 passes only for growth rates.

A stopped value goes in only with ``--confirm-unusual REASON`` (a ``confirm_unusual`` column in
a batch), recorded in the observation's notes. The likely slip is found by trying the value
times 10^k (k = ±1, ±2, ±3, ±4, ±8): the first that passes is suggested ("did you mean 3.3?").
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import pandas as pd

SAME_PERIOD_FACTOR = 2.0
RATE_ABSOLUTE = 1.0
TOLERANCE = {  # kind -> (log10 distance allowed one year away, added per further year)
    "share": (0.3, 0.05),
    "ratio": (0.3, 0.05),
    "rank": (0.5, 0.1),
    "count": (0.35, 0.1),
    "amount": (0.35, 0.1),
}
FLOW_BASE = 0.6  # flows (ids ending _new) and year-to-date figures swing more than stocks
YEARS_CAP = 3
MAX_GAP = 8
NEIGHBOURS_EACH_SIDE = 2
REFERENCE_ALLOWANCE = 0.8
RATE_FACTOR, RATE_SLACK = 3.0, 5.0
SLIP_POWERS = (1, -1, 2, -2, 3, -3, 4, -4, 8, -8)
RECENT_SHOWN = 5


@dataclass(frozen=True)
class Series:
    """What is known of one figure's series when a new value arrives."""

    kind: str
    unit: str
    same_period: tuple[float, ...] = ()
    neighbours: tuple[tuple[int, float], ...] = ()  # (years away, value)
    flow: bool = False  # a flow (added in the year) or a year-to-date figure
    references: tuple[float, ...] = ()  # level targets and milestones of the indicator and region
    recent: tuple[tuple[str, str], ...] = field(default=(), compare=False)  # (period, shown value) for messages


@dataclass(frozen=True)
class Finding:
    """Why a value looks wrong, and the value probably meant."""

    reason: str
    suggestion: float | None = None
    hint: str = ""

    def text(self, value: float, unit: str) -> str:
        """Return the finding as one sentence with the likely slip."""
        shown = f"{fmt(value)} {unit}".strip()
        guess = ""
        if self.suggestion is not None:
            guess = f"; did you mean {fmt(self.suggestion)}?" + (f" ({self.hint})" if self.hint else "")
        return f"{shown} is unusual: {self.reason}{guess}"


def fmt(value: float) -> str:
    """Return a number as a person types it (no exponent for ordinary sizes, no trailing zeros)."""
    if value == 0:
        return "0"
    if 1e-6 <= abs(value) < 1e15:
        return f"{value:.10f}".rstrip("0").rstrip(".")
    return f"{value:g}"


def distance(a: float, b: float) -> float:
    """Return |log10(a / b)| for two positive numbers (inf otherwise)."""
    if a <= 0 or b <= 0:
        return math.inf
    return abs(math.log10(a / b))


def near_same_period(value: float, existing: float, kind: str) -> bool:
    """Return whether a new vintage is within a revision's reach of an existing one."""
    if value == existing:
        return True
    if kind == "rate":
        if abs(value - existing) <= RATE_ABSOLUTE:
            return True
        return value * existing > 0 and distance(abs(value), abs(existing)) <= math.log10(SAME_PERIOD_FACTOR)
    return distance(value, existing) <= math.log10(SAME_PERIOD_FACTOR) + 1e-12


def allowance(kind: str, years: int, base: float | None = None) -> float:
    """Return the log10 distance allowed to a neighbour ``years`` away (``base`` overrides the kind's)."""
    kind_base, per_year = TOLERANCE.get(kind, TOLERANCE["amount"])
    return (kind_base if base is None else max(base, kind_base)) + per_year * min(max(abs(years), 1), YEARS_CAP)


def nearest(neighbours: Iterable[tuple[int, float]]) -> list[tuple[int, float]]:
    """Return up to two neighbours on each side, the closest first, within MAX_GAP years."""
    before = sorted((n for n in neighbours if -MAX_GAP <= n[0] < 0), key=lambda n: -n[0])[:NEIGHBOURS_EACH_SIDE]
    after = sorted((n for n in neighbours if 0 < n[0] <= MAX_GAP), key=lambda n: n[0])[:NEIGHBOURS_EACH_SIDE]
    return before + after


def passes(value: float, series: Series) -> tuple[bool, str]:
    """Return (plausible, the reason when not) for a value against what is known of its series."""
    if not math.isfinite(value):
        return True, ""
    if series.same_period:
        if any(near_same_period(value, s, series.kind) for s in series.same_period):
            return True, ""
        closest = min(series.same_period, key=lambda s: abs(math.log10(abs(value) / abs(s))) if value and s else math.inf)
        return False, f"the same period already has {fmt(closest)} (off by {factor_text(value, closest)})"
    if value <= 0 and series.kind != "rate":
        return True, ""  # zero or negative: validation's bounds decide
    around = nearest(series.neighbours)
    if around:
        if series.kind == "rate":
            largest = max(abs(v) for _, v in around)
            if abs(value) <= RATE_FACTOR * largest + RATE_SLACK:
                return True, ""
            return False, f"a growth rate more than {fmt(RATE_FACTOR)}× the largest of its neighbours ({fmt(largest)})"
        base = FLOW_BASE if series.flow else None
        before = [n for n in around if n[0] < 0]
        after = [n for n in around if n[0] > 0]
        if before and after:  # between two known years: the log-linear interpolation
            (t0, v0), (t1, v1) = before[0], after[0]
            expected = 10 ** (math.log10(v0) + (math.log10(v1) - math.log10(v0)) * (-t0) / (t1 - t0))
            years = min(-t0, t1)
            if distance(value, expected) <= allowance(series.kind, years, base) + 1e-12:
                return True, ""
            return False, (f"off by {factor_text(value, expected)} from {fmt(round_sig(expected, 4))}, between its neighbours "
                           f"{fmt(v0)} ({-t0} year(s) before) and {fmt(v1)} ({t1} year(s) after)")
        years, closest = around[0]
        if distance(value, closest) <= allowance(series.kind, years, base) + 1e-12:
            return True, ""
        return False, f"off by {factor_text(value, closest)} from the value {abs(years)} year(s) {'before' if years < 0 else 'after'} ({fmt(closest)})"
    if series.references and series.kind != "rate":
        if any(distance(value, r) <= REFERENCE_ALLOWANCE for r in series.references):
            return True, ""
        closest = min(series.references, key=lambda r: distance(value, r))
        return False, f"no value of the series yet, and off by {factor_text(value, closest)} from its target {fmt(closest)}"
    return True, ""


def factor_text(value: float, other: float) -> str:
    """Return how far apart two numbers are, as a factor (×12, ÷100)."""
    if value == 0 or other == 0 or value * other < 0:
        return "a change of sign" if value * other < 0 else "zero against a non-zero value"
    ratio = value / other
    return f"×{fmt(round_sig(ratio))}" if ratio >= 1 else f"÷{fmt(round_sig(1 / ratio))}"


def round_sig(x: float, digits: int = 2) -> float:
    """Round to significant digits."""
    return float(f"{x:.{digits}g}")


def slip_hint(power: int, unit: str, value: float) -> str:
    """Return the likely slip when the intended value is the typed ``value`` × 10^power."""
    meant = fmt(round_sig(value * 10.0 ** power, 12))
    typed = fmt(value)
    if power == 2 and unit == "%":
        return f"a share typed for a percent: {typed} = {meant} %, and the unit is already %"
    if power in (1, -1):
        return "a misplaced decimal point"
    if power == 4 and unit == "亿元":
        return f"a figure in 万亿元: {typed}万亿元 = {meant} 亿元"
    if power == -4 and unit == "亿元":
        return f"a figure in 万元: {typed} 万元 = {meant} 亿元 (÷ 10000)"
    if power == -4 and unit.startswith("万"):
        return f"a figure in {unit[1:] or 'units'}: {typed} ÷ 10000 = {meant} {unit}"
    if power == 4 and not unit.startswith("万"):
        return f"a figure left in 万: {typed}万 = {meant} {unit}".rstrip()
    if power == 8:
        return f"a figure left in 亿: {typed}亿 = {meant} {unit}".rstrip()
    return f"{typed} × 10^{power} = {meant}" if power > 0 else f"{typed} ÷ 10^{-power} = {meant}"


def judge(value: float, series: Series) -> Finding | None:
    """Return a Finding when ``value`` looks wrong for its series (None when plausible or not judged)."""
    ok, reason = passes(value, series)
    if ok:
        return None
    candidates = [(gap(value * 10.0 ** power, series), abs(power), power) for power in SLIP_POWERS
                  if passes(value * 10.0 ** power, series)[0]]
    if candidates:
        power = min(candidates)[2]
        return Finding(reason + recent_text(series), round_sig(value * 10.0 ** power, 12), slip_hint(power, series.unit, value))
    return Finding(reason + recent_text(series))


def gap(value: float, series: Series) -> float:
    """Return the log10 distance of a value to what its series leads one to expect (to rank candidate slips)."""
    if series.same_period:
        return min(distance(abs(value), abs(s)) for s in series.same_period)
    around = nearest(series.neighbours)
    if around:
        before = [n for n in around if n[0] < 0]
        after = [n for n in around if n[0] > 0]
        if series.kind != "rate" and before and after and before[0][1] > 0 and after[0][1] > 0:
            (t0, v0), (t1, v1) = before[0], after[0]
            return distance(value, 10 ** (math.log10(v0) + (math.log10(v1) - math.log10(v0)) * (-t0) / (t1 - t0)))
        return distance(abs(value), abs(around[0][1]))
    return min((distance(value, r) for r in series.references), default=math.inf)


def recent_text(series: Series) -> str:
    """Return '; recent values: 2021 3919, 2022 5337' (empty without values)."""
    if not series.recent:
        return ""
    return "; recent values: " + ", ".join(f"{period} {shown}" for period, shown in series.recent)


# ---------------------------------------------------------------------------
# The series of a figure, from the validated tables of a data directory


def period_year(period: str) -> int | None:
    """Return the year of a period string (YYYY or YYYY-MM), None when malformed."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", str(period))
    return int(match.group(1)) if match else None


def series_of(tables: dict[str, pd.DataFrame], indicator_id: str, region: str, period: str,
              extra: Sequence[tuple[str, float]] = ()) -> Series | None:
    """Return what the tables know of a figure's series (None for an unknown indicator or a malformed period).

    ``extra``: (period, value) of the other new rows of the same indicator and region in the batch.
    Sub-annual periods (YYYY-MM) are compared only with the same month of other years.
    """
    indicators = tables["indicators"]
    found = indicators[indicators["indicator_id"] == indicator_id]
    year = period_year(period)
    if found.empty or year is None:
        return None
    meta = found.iloc[0]
    observations = tables["observations"]
    rows = observations[(observations["indicator_id"] == indicator_id) & (observations["region"] == region)]
    month = period[5:] if len(period) == 7 else ""
    same = rows[rows["period"] == period]
    similar = rows[(rows["period"].str.len() == len(period)) & (rows["period"].str.slice(5) == month) & (rows["period"] != period)]
    by_period: dict[str, list[float]] = {}
    shown: dict[str, str] = {}
    for row in similar.sort_values(["period", "published"], kind="mergesort").itertuples(index=False):
        by_period.setdefault(row.period, []).append(float(row.value))
        if row.period not in shown or str(getattr(row, "preferred", "")).lower() == "true":  # shown: the preferred vintage
            shown[row.period] = f"{row.qualifier}{fmt(float(row.value))}"
    for other, value in extra:
        if other != period and len(other) == len(period) and other[5:] == month and period_year(other) is not None:
            by_period.setdefault(other, []).append(float(value))
            shown.setdefault(other, f"{fmt(float(value))} (this batch)")
    neighbours = tuple((period_year(p) - year, float(pd.Series(values).median())) for p, values in sorted(by_period.items()))
    references: list[float] = []
    if not neighbours and not len(same):
        targets = tables["targets"]
        level = targets[(targets["indicator_id"] == indicator_id) & (targets["region"] == region) & (targets["target_type"] == "level")]
        references += [float(v) for v in level["target_value"]]
        milestones = tables.get("milestones")
        if milestones is not None and len(milestones):
            own = milestones[(milestones["indicator_id"] == indicator_id) & (milestones["region"] == region)]
            references += [float(v) for v in own["value"]]
    recent_periods = sorted(shown, key=lambda p: (abs(period_year(p) - year), p))[:RECENT_SHOWN]
    recent = [(p, shown[p]) for p in sorted(recent_periods)]
    recent += [(f"{period} (existing)", f"{row.qualifier}{fmt(float(row.value))}") for row in same.itertuples(index=False)][:3]
    return Series(
        kind=str(meta["kind"]), unit=str(meta["unit"]),
        same_period=tuple(float(v) for v in same["value"]),
        neighbours=neighbours, references=tuple(references), recent=tuple(recent),
        flow=indicator_id.endswith("_new") or len(period) == 7,
    )


def check(tables: dict[str, pd.DataFrame], indicator_id: str, region: str, period: str, value: str | float,
          extra: Sequence[tuple[str, float]] = ()) -> str | None:
    """Return why a new value looks wrong (a sentence with the likely slip), or None.

    A value that is not a finite number is left to validation (None).
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number):
        return None
    series = series_of(tables, indicator_id, region, period, extra)
    if series is None:
        return None
    finding = judge(number, series)
    return finding.text(number, series.unit) if finding else None


def closest_ids(word: str, known: Iterable[str], n: int = 3) -> list[str]:
    """Return the known ids closest to a mistyped one (difflib), best first."""
    known = sorted(set(known))
    found = difflib.get_close_matches(word, known, n=n, cutoff=0.6)
    if not found:  # a part of the id (e.g. 'rd_ratio' for rd_gdp_ratio)
        parts = [p for p in re.split(r"[_\W]+", word.lower()) if len(p) > 1]
        scored = sorted(known, key=lambda k: (-sum(p in k.split("_") for p in parts), k))
        found = [k for k in scored[:n] if parts and sum(p in k.split("_") for p in parts) >= max(1, len(parts) - 1)]
    return found


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """Return ': did you mean a, b or c?' (empty when nothing is close)."""
    found = closest_ids(word, known)
    if not found:
        return ""
    listed = found[0] if len(found) == 1 else ", ".join(found[:-1]) + " or " + found[-1]
    return f"; did you mean {listed}?"
