"""The assessment rules, defined once: thresholds, status bands, qualifiers, comparators."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from analysis.data.schema import APPROX_QUALIFIERS, LOWER_BOUNDS, UPPER_BOUNDS  # noqa: F401 (the qualifiers, defined with the data)

PROGRESS_BANDS: tuple[tuple[str, float], ...] = (
    ("significant", 0.95),
    ("moderate", 0.60),
    ("insufficient", 0.0),
)


PROGRESS_BELOW = "away"  # R below the last band's lower edge


PROGRESS_CATEGORIES = ("significant", "moderate", "insufficient", "away", "achieved", "insufficient_data", "no_data")


RATIO_DECIMALS = 9


LEVEL_DIGITS = 12  # computed levels and sums (implied avg-growth level, 左右 edge, sum of flows): significant digits kept, so an exact edge survives floating point


STATUS_BANDS: tuple[tuple[str, float], ...] = (
    ("on_track", 0.90),
    ("likely", 0.66),
    ("uncertain", 0.33),
    ("unlikely", 0.10),
)


STATUS_BELOW = "off_track"  # P below the last band's lower edge


STATUSES = ("met", "on_track", "likely", "uncertain", "unlikely", "off_track", "insufficient_data", "no_data")


PAST_STATUSES = ("met", "missed", "probably_met", "outcome_uncertain", "probably_missed", "no_data")


ALL_STATUSES = STATUSES + tuple(s for s in PAST_STATUSES if s not in STATUSES)


FORWARD_STATUSES = ("on_track", "likely", "uncertain", "unlikely", "off_track")


# A past target inferred from the values around it (no target-year value published): the same edges
# as the likelihood words, so "probably met" is never said of a P the words would call a toss-up.
PAST_BANDS: tuple[tuple[str, float], ...] = (
    ("probably_met", 0.66),
    ("outcome_uncertain", 0.33),
)


PAST_BELOW = "probably_missed"


# One scale from P to words, for every page and both languages (IPCC calibrated likelihood,
# lower edges inclusive); the status bands above use the same edges.
LIKELIHOOD_BANDS: tuple[tuple[str, float], ...] = (
    ("virtually_certain", 0.99),
    ("very_likely", 0.90),
    ("likely", 0.66),
    ("about_as_likely", 0.33),
    ("unlikely", 0.10),
    ("very_unlikely", 0.01),
)


LIKELIHOOD_BELOW = "exceptionally_unlikely"


# The headline counts: Ningbo's own targets and those of its zones, each stated target once; the
# other regions' targets (Wenzhou's in the 2018 opinion) are listed in the annex, not counted.
COUNTED_REGIONS = ("ningbo", "yongjiang_sci_tech_zone", "ningbo_hightech_zone")


# A figure older than this many years before the target year, or than the target's stated base
# year when that is later, is stale: shown with its year marked, never as the standing.
PLAN_YEARS = 5


GROUPS = ("met", "at_risk", "on_track", "unjudged", "past")  # the risk register's groups, in the order a reader needs them


RECENT_PACE_YEARS = 3  # the recent pace: average change a year over the last three years (or fewer)


OUTCOME_STATUSES = ("official", "revised", "reported", "derived")  # a published target-year value decides a past target




ABOUT_TOLERANCE = 0.05  # 左右: within 5 % of the figure counts as reaching it


MIN_CONDITIONED_SHARE = 0.05  # fewer simulated paths than this share agree with the bounds: they are not used to condition


STORIES = (
    "interpolated_flows", "latest_is_bound", "achieved_may_fall_back", "projection_leans_on_prior", "recent_trend_slower",
    "recent_trend_faster", "base_estimated", "achieved_no_probability",
)


PRIOR_METHODS = ("growth_prior",)  # models' short-series method: the series' own slope shrunk towards a pooled growth


PRIOR_FLAGS = ("short_series", "peer_prior")


GOOD_PROGRESS = ("achieved", "significant")


POOR_PROGRESS = ("insufficient", "away")


GOOD_STATUS = ("met", "on_track", "likely", "probably_met")


JUDGED_STATUSES = ("met", "on_track", "likely", "uncertain", "unlikely", "off_track")  # a status that says where a target stands


POOR_STATUS = ("unlikely", "off_track", "missed", "probably_missed")




PROJECT_TO = 2035  # first_year_meeting is searched up to this year


MIN_POINTS_PROGRESS = 2  # base + one later year


MIN_RANK_POINTS = 5  # fewer ranks: no probability for a rank target


RANK_WITHIN_TARGET_STATUS = "on_track"  # rank target, < MIN_RANK_POINTS ranks, latest rank already within target


P_CHANGE = 0.10  # what_changed: a P(meet) move larger than this is reported


FINAL_STATUSES = ("official", "revised")  # observation statuses that count as final figures


RANK_HALF_STEP = 0.5  # ranks are integers: P(rank <= k) = P(Y <= k + 0.5)


DateLike = date | str | pd.Timestamp | None


def meets(value: float, comparator: str, target: float) -> bool:
    """Return whether a value satisfies ``value <comparator> target``."""
    if value is None or pd.isna(value):
        return False
    return {">=": value >= target, ">": value > target, "<=": value <= target, "<": value < target}[comparator]


def higher_is_better(comparator: str) -> bool:
    """Return whether the comparator asks for a higher value."""
    return comparator in (">=", ">")


def progress_category(ratio: float) -> str:
    """Return the progress band of a progress ratio (lower edges inclusive)."""
    if ratio is None or pd.isna(ratio):
        return "insufficient_data"
    for code, edge in PROGRESS_BANDS:
        if ratio >= edge:
            return code
    return PROGRESS_BELOW


def likelihood_band(p: float) -> str:
    """Return the likelihood band of a probability ('' for none): the key of its words in both languages."""
    if p is None or pd.isna(p):
        return ""
    for code, edge in LIKELIHOOD_BANDS:
        if p >= edge:
            return code
    return LIKELIHOOD_BELOW


def past_band(p: float) -> str:
    """Return the outcome word of a past target inferred with probability p of having been met."""
    for code, edge in PAST_BANDS:
        if p >= edge:
            return code
    return PAST_BELOW


def status_from_p(p: float) -> str:
    """Return the status word for a probability of meeting the target."""
    if p is None or pd.isna(p):
        return "insufficient_data"
    for code, edge in STATUS_BANDS:
        if p >= edge:
            return code
    return STATUS_BELOW


MIN_BRIDGE_STEPS = 3  # changes needed to estimate a series' year-to-year volatility for an interpolation


def is_bound(qualifier: str) -> bool:
    """Return whether a qualifier makes a figure a bound rather than a value."""
    return qualifier in LOWER_BOUNDS + UPPER_BOUNDS


def bound_decides(qualifier: str, value: float, comparator: str, threshold: float) -> bool | None:
    """Return True if a bounded figure proves the target met, False if it proves it missed, None if it cannot tell.

    A bound allows the values beyond its figure (``>``: above it, ``>=``: at or above it; ``<``, ``<=``
    likewise below): it proves the target met when every value it allows meets the target, missed when
    none does. On the threshold itself the strictness decides: ``>3000`` proves ``> 3000`` met and
    ``<3000`` proves ``>= 3000`` missed, while ``<=3000`` against ``>= 3000`` cannot tell.
    """
    lower = qualifier in LOWER_BOUNDS
    if not is_bound(qualifier):
        return meets(value, comparator, threshold)
    towards = lower == higher_is_better(comparator)  # the bound allows the values on the target's side
    if value == threshold:
        strict, inclusive = qualifier in (">", "<"), comparator in (">=", "<=")
        if towards:
            return True if strict or inclusive else None
        return False if strict or not inclusive else None
    beyond = meets(value, comparator, threshold)  # the figure itself is on the target's side
    if towards:
        return True if beyond else None
    return None if beyond else False


def round_sig(x: float, digits: int) -> float:
    """Round a number to significant digits (NaN and zero unchanged)."""
    if pd.isna(x) or x == 0:
        return x
    return float(f"{x:.{digits}g}")


def join_notes(*notes: str) -> str:
    """Join the non-empty notes with '; '."""
    return "; ".join(n for n in notes if n)


def fmt_num(x: float) -> str:
    """Format a number compactly for notes (4 significant digits)."""
    if pd.isna(x):
        return ""
    return f"{x:.0f}" if abs(x) >= 1e4 else f"{x:.4g}"


def sample_meets(values: np.ndarray, comparator: str, threshold: float) -> np.ndarray:
    """Return which simulated values satisfy the comparator."""
    return {">=": values >= threshold, ">": values > threshold, "<=": values <= threshold, "<": values < threshold}[comparator]
