"""Target arithmetic: base value, required path, progress category, P(meet), status.

Every number that compares data with a target is computed here, from the data a reader could
see on the report date (``data.select_as_of``), and every threshold is a module constant that
:func:`method_note` prints.

Progress category (Eurostat SDG monitoring; Statistics Canada / Open SDG progress calculation):
``R = observed annual growth since the base year / required annual growth from base to target``,
compound annual growth rates (CAGR) for geometric indicators, average annual change for linear
ones. Bands (lower edges inclusive): ``R >= 0.95`` significant, ``0.60 <= R < 0.95`` moderate,
``0 <= R < 0.60`` insufficient, ``R < 0`` movement away. Direction comes from the comparator
(``<=``/``<``: lower is better), which the ratio handles by itself: a falling value over a
falling required path gives a positive R. Zero and negative values follow Open SDG: when the
base, the latest value or the target is <= 0 the growth rate is undefined and absolute annual
change is used for both the observed and the required growth (noted); when the latest value
already satisfies the target the category is ``achieved`` (this includes the case where the
required growth is zero or negative because the base already met the target); when the base met
the target but the latest value no longer does, the category is ``away``. A ratio needs the base
and one later observation, else ``insufficient_data``. R is rounded to ``RATIO_DECIMALS`` before
banding so that an exact edge (e.g. 19/20 = 0.95) is not lost to floating-point error.

Status: ``met`` when a final value already satisfies a target that cannot be undone (a
cumulative sum of non-negative flows already reached, or the target year observed with an
official/revised value that satisfies it); else from P(meet) by ``STATUS_BANDS``;
``insufficient_data`` when there are data but no projection (fewer than ``models.MIN_POINTS``
points, no stated base for an average-growth target); ``no_data`` when no annual observation was
published by the report date. A target whose year is before the report's year gets an outcome
instead (``PAST_STATUSES``): met / missed from a published target-year value, probably_met /
probably_missed when inferred from the values around it (a projection's P, or for a year between
two observed ones the probability of a Brownian bridge on the growth form's scale:
:func:`interpolation_probability`), no_data otherwise.

Figures are what they say (issue 9): exact before approximate before bounds for each year
(:func:`choose_observations`), bounds never used as values (:func:`bound_decides`,
:func:`bound_mask`), derived indicators from ``derive`` (data/derived.csv), an unobserved base year
interpolated on the growth form and flagged (``base_estimated``), average-growth targets only from
their stated base year, 每年 targets year by year, 左右 within ``ABOUT_TOLERANCE``, a ``story`` code
when progress and status disagree, and duplicates (``duplicate_of``) counted once in headlines.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Sequence

import numpy as np
import pandas as pd

from analysis import data, i18n

# ---------------------------------------------------------------------------
# Thresholds and constants (defined once; printed by method_note)

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
PAST_STATUSES = ("met", "missed", "probably_met", "probably_missed", "no_data")
ALL_STATUSES = STATUSES + tuple(s for s in PAST_STATUSES if s not in STATUSES)
FORWARD_STATUSES = ("on_track", "likely", "uncertain", "unlikely", "off_track")
PROBABLY_EDGE = 0.5  # past target inferred from values around it: P >= this is probably_met
OUTCOME_STATUSES = ("official", "revised", "reported", "derived")  # a published target-year value decides a past target
LOWER_BOUNDS = (">", ">=")  # qualifiers: the true value is at least the figure
UPPER_BOUNDS = ("<", "<=")  # the true value is at most the figure
APPROX_QUALIFIERS = ("~",)
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
POOR_STATUS = ("unlikely", "off_track", "missed", "probably_missed")
PEER_REGIONS = ("zhejiang", "china")  # the same indicator there feeds a short series' growth prior

# IPCC calibrated-likelihood terms, one per status band (same lower edges as STATUS_BANDS).
LIKELIHOOD_WORDS: dict[str, dict[str, str]] = {
    "on_track": {"en": "very likely", "zh": "很可能"},
    "likely": {"en": "likely", "zh": "可能"},
    "uncertain": {"en": "about as likely as not", "zh": "可能性中等"},
    "unlikely": {"en": "unlikely", "zh": "不太可能"},
    "off_track": {"en": "very unlikely", "zh": "很不可能"},
}

GROWTH_FORMS: dict[str, dict[str, str]] = {
    "linear": {
        "en": "linear: equal annual steps from base to target (shares, ratios, rates, ranks); progress measured by average annual change",
        "zh": "线性：基期到目标值按相同年增量（比重、比率、增速、排名）；进展按年均变化量衡量",
    },
    "geometric": {
        "en": "geometric: constant annual growth rate from base to target (counts, amounts); progress measured by CAGR; linear when base, latest or target <= 0",
        "zh": "几何：基期到目标值按固定年增长率（数量、金额）；进展按年均复合增长率衡量；基期、最新值或目标值不大于0时改用线性",
    },
}

SEED = 0
LEVELS = (80, 95)
FORECAST_METHOD = "auto"
PROJECT_TO = 2035  # first_year_meeting is searched up to this year
MIN_POINTS_PROGRESS = 2  # base + one later year
MIN_POINTS_PROJECTION = 3  # fallback only: the real threshold is models.MIN_POINTS (see min_points)
MIN_RANK_POINTS = 5  # fewer ranks: no probability for a rank target
RANK_WITHIN_TARGET_STATUS = "on_track"  # rank target, < MIN_RANK_POINTS ranks, latest rank already within target
P_CHANGE = 0.10  # what_changed: a P(meet) move larger than this is reported
FINAL_STATUSES = ("official", "revised")  # observation statuses that count as final figures
RANK_HALF_STEP = 0.5  # ranks are integers: P(rank <= k) = P(Y <= k + 0.5)

STATUS_COLUMNS = [
    "target_id", "indicator_id", "region", "target_type", "comparator", "target_year", "target_value", "unit",
    "latest_period", "latest_value", "source_id", "base_year_used", "base_value", "required_value", "gap", "gap_pct",
    "progress_ratio", "progress_category", "projected_value", "lo80", "hi80", "lo95", "hi95", "p_meet",
    "first_year_meeting", "status", "note",
]
GAP_COLUMNS = [
    "horizon_kind", "base_estimated", "latest_qualifier", "interpolated_years", "story", "milestone_year",
    "milestone_value", "duplicate_of", "per_year", "about",
]
EXTRA_COLUMNS = GAP_COLUMNS + ["n_obs", "forecast_method", "forecast_flags"]
OUTPUT_COLUMNS = STATUS_COLUMNS + GAP_COLUMNS  # csv/json of `status`
INT_COLUMNS = ("target_year", "base_year_used", "first_year_meeting", "n_obs", "milestone_year")
BOOL_COLUMNS = ("base_estimated", "per_year", "about")
STRING_COLUMNS = (
    "target_id", "indicator_id", "region", "target_type", "comparator", "unit", "latest_period", "source_id",
    "progress_category", "status", "note", "forecast_method", "forecast_flags", "horizon_kind", "latest_qualifier",
    "interpolated_years", "story", "duplicate_of",
)
SIG_DIGITS = 4  # derived values in csv/json
SIG_COLUMNS = ("required_value", "gap", "projected_value", "lo80", "hi80", "lo95", "hi95")
DECIMALS = {"gap_pct": 1, "progress_ratio": 3, "p_meet": 3}

# Words for the codes live once, in i18n; these views keep gap's method note readable.
PROGRESS_LABELS: dict[str, dict[str, str]] = {
    code: {lang: i18n.LABELS[f"progress.{code}"][lang] for lang in i18n.LANGS} for code in PROGRESS_CATEGORIES
}
STATUS_LABELS: dict[str, dict[str, str]] = {
    code: {lang: i18n.LABELS[f"status.{code}"][lang] for lang in i18n.LANGS} for code in ALL_STATUSES
}

DateLike = date | str | pd.Timestamp | None


# ---------------------------------------------------------------------------
# Small pure helpers


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


def status_from_p(p: float) -> str:
    """Return the status word for a probability of meeting the target."""
    if p is None or pd.isna(p):
        return "insufficient_data"
    for code, edge in STATUS_BANDS:
        if p >= edge:
            return code
    return STATUS_BELOW


def likelihood_words(p: float, lang: str = "en") -> str:
    """Return the IPCC calibrated-likelihood phrase for a probability, in zh or en ('' for none)."""
    if p is None or pd.isna(p):
        return ""
    return LIKELIHOOD_WORDS[status_from_p(p)][lang]


def geometric_possible(*values: float) -> bool:
    """Return whether compound growth is defined between these values (all > 0)."""
    return all(v is not None and not pd.isna(v) and v > 0 for v in values)


def required_at(year: int, base_year: int, base: float, target_year: int, target: float, form: str) -> float:
    """Return the required-path value in a year, base to target by the growth form."""
    if target_year == base_year:
        return target
    share = (year - base_year) / (target_year - base_year)
    if form == "geometric" and geometric_possible(base, target):
        return base * (target / base) ** share
    return base + (target - base) * share


def annual_rates(base: float, value: float, target: float, years_obs: int, years_req: int, form: str) -> tuple[float, float, str]:
    """Return (observed, required) annual growth and the form used (CAGR or absolute change)."""
    if form == "geometric" and geometric_possible(base, value, target):
        observed = (value / base) ** (1 / years_obs) - 1
        required = (target / base) ** (1 / years_req) - 1
        return observed, required, "geometric"
    return (value - base) / years_obs, (target - base) / years_req, "linear"


def classify_progress(
    base_year: int, base: float, year: int, value: float, target_year: int, target: float, form: str, comparator: str
) -> tuple[float, str, str]:
    """Return (progress ratio, category, note) of the latest value against the target path."""
    if year is None or base_year is None or year <= base_year or pd.isna(base):
        if year is not None and meets(value, comparator, target):
            return math.nan, "achieved", "the latest value already meets the target (no ratio without a base and a later year)"
        return math.nan, "insufficient_data", "progress needs the base year and a later observation"
    years_req = max(target_year - base_year, 1)
    observed, required, used = annual_rates(base, value, target, year - base_year, years_req, form)
    note = "" if used == form else "growth undefined for values <= 0: absolute annual change used"
    ratio = round(observed / required, RATIO_DECIMALS) if required != 0 else math.nan
    direction = 1 if higher_is_better(comparator) else -1
    if meets(value, comparator, target):
        if direction * required <= 0:  # the base already met the target: no path to measure against
            return math.nan, "achieved", join_notes(note, "base already met the target")
        return (ratio if ratio >= 0 else math.nan), "achieved", note
    if direction * required <= 0:
        category = PROGRESS_BELOW if direction * observed < 0 else "insufficient"
        extra = "base already met the target; the latest value no longer does"
        return math.nan, category, "; ".join(x for x in (note, extra) if x)
    return ratio, progress_category(ratio), note


def interpolate_at(series: pd.Series, year: int, form: str) -> tuple[float, int, int]:
    """Return (value, year before, year after): a year's value between its nearest neighbours, on the growth form."""
    before, after = series[series.index < year], series[series.index > year]
    y0, v0, y1, v1 = int(before.index.max()), float(before.iloc[-1]), int(after.index.min()), float(after.iloc[0])
    share = (year - y0) / (y1 - y0)
    if form == "geometric" and geometric_possible(v0, v1):
        return float(math.exp(math.log(v0) + share * (math.log(v1) - math.log(v0)))), y0, y1
    return v0 + share * (v1 - v0), y0, y1


MIN_BRIDGE_STEPS = 3  # changes needed to estimate a series' year-to-year volatility for an interpolation


def interpolation_probability(series: pd.Series, year: int, form: str, comparator: str, threshold: float) -> float:
    """Return P(the unobserved value of a year satisfies the comparator), interpolated between its neighbours.

    The series is a random walk on its growth form's scale (log for geometric, the values otherwise);
    between two observed years the unobserved value is a Brownian bridge: mean the interpolation,
    variance sigma^2 (year - y0)(y1 - year) / (y1 - y0), sigma the standard deviation of the
    series' changes per sqrt(year) (never below models' pooled floor). NaN with fewer than
    MIN_BRIDGE_STEPS changes (the volatility cannot be estimated).
    """
    from scipy.stats import norm

    from analysis import models

    values = series.to_numpy(dtype=float)
    years = series.index.to_numpy(dtype=float)
    log = form == "geometric" and bool(np.all(values > 0)) and threshold > 0
    z = np.log(values) if log else values
    if len(z) - 1 < MIN_BRIDGE_STEPS:
        return math.nan
    gaps = np.diff(years)
    sigma = float(np.std(np.diff(z) / np.sqrt(gaps), ddof=1))
    unit = 1.0 if log else float(np.max(np.abs(values))) or 1.0
    sigma = max(sigma, models.SPREAD_FLOOR * unit)
    value, y0, y1 = interpolate_at(series, year, form)
    centre = math.log(value) if log else value
    sd = sigma * math.sqrt((year - y0) * (y1 - year) / (y1 - y0))
    edge = math.log(threshold) if log else threshold
    above = float(norm.sf((edge - centre) / sd))
    return above if higher_is_better(comparator) else 1.0 - above


def straddles(series: pd.Series, year: int) -> bool:
    """Return whether a series has values both before and after a year."""
    return bool((series.index < year).any() and (series.index > year).any())


def base_point(
    series: pd.Series, base_year: int | None, form: str = "linear", stated_only: bool = False
) -> tuple[int | None, float, str, bool]:
    """Return (year, value, note, estimated): the base year as observed or interpolated, else a stated fallback."""
    if series.empty:
        return None, math.nan, "", False
    if base_year is None or pd.isna(base_year):
        year = int(series.index.min())
        return year, float(series[year]), f"target has no base year: first observation ({year}) used", False
    base_year = int(base_year)
    if base_year in series.index:
        return base_year, float(series[base_year]), "", False
    if straddles(series, base_year):
        value, y0, y1 = interpolate_at(series, base_year, form)
        how = "log-linear" if form == "geometric" and geometric_possible(series[y0], series[y1]) else "linear"
        return base_year, value, f"base year {base_year} not observed: estimated {fmt_num(value)} ({how} interpolation between {y0} and {y1})", True
    if stated_only:
        return base_year, math.nan, f"base year {base_year} not observed and no values on both sides of it: the base cannot be estimated", False
    earlier = series[series.index < base_year]
    if not earlier.empty:
        year = int(earlier.index.max())
        return year, float(series[year]), f"base year {base_year} not observed: {year} used (nearest earlier year)", False
    year = int(series.index.min())
    return year, float(series[year]), f"base year {base_year} not observed, nothing earlier: {year} used (first later year)", False


def vintage_tier(qualifier: str, status: str) -> int:
    """Return how exact a figure is: 0 exact, 1 approximate or estimated (预计), 2 a bound."""
    if qualifier in LOWER_BOUNDS + UPPER_BOUNDS:
        return 2
    return 1 if qualifier in APPROX_QUALIFIERS or status == "estimate" else 0


def choose_observations(observations: pd.DataFrame, as_of: DateLike, formulas: Sequence[Any] = ()) -> pd.DataFrame:
    """Return one figure per (indicator, region, period) as of a date: preferred, then exact before approximate before bounds; plus derived values."""
    from analysis import derive

    visible = data.published_by(observations, as_of)
    tiers = np.array([vintage_tier(str(q or ""), str(st)) for q, st in zip(visible["qualifier"].fillna(""), visible["status"])], dtype=int)
    preferred = visible["preferred"].to_numpy(dtype=bool)
    # the curator's preferred flag first (as in data.select_as_of), then exactness, then data.select_as_of's order
    parts = [data.select_as_of(visible[(preferred == flag) & (tiers == tier)], as_of) for flag in (True, False) for tier in (0, 1, 2)]
    chosen = pd.concat([p for p in parts if not p.empty] or [parts[0]], ignore_index=True)
    chosen = chosen.drop_duplicates(["indicator_id", "region", "period"], keep="first")
    chosen = chosen.sort_values(["indicator_id", "region", "period"], kind="mergesort").reset_index(drop=True)
    return derive.with_derived(chosen, list(formulas))


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


def bound_mask(samples: np.ndarray, years: list[int], bounds: pd.DataFrame, slack: float = 0.0) -> np.ndarray:
    """Return which simulated paths agree with every bounded figure in the projected years."""
    mask = np.ones(samples.shape[0], dtype=bool)
    for row in bounds.itertuples(index=False):
        if int(row.year) not in years:
            continue
        column = samples[:, years.index(int(row.year))]
        value = float(row.value)
        mask &= column >= value - slack if row.qualifier in LOWER_BOUNDS else column <= value + slack
    return mask


def first_meeting(path: pd.Series, comparator: str, target: float, after: int | None = None) -> int | None:
    """Return the first year of a path (observed then projected) whose value meets the target."""
    for year, value in path.sort_index().items():
        if after is not None and year <= after:
            continue
        if meets(value, comparator, target):
            return int(year)
    return None


def probability(forecast: Any, year: int, comparator: str, threshold: float) -> float:
    """Return P(value in a year satisfies the comparator) from a forecast."""
    if higher_is_better(comparator):
        return float(forecast.prob_at_least(year, threshold))
    return float(forecast.prob_at_most(year, threshold))


def bounds_of(meta: pd.Series) -> tuple[float, float] | None:
    """Return the indicator's (lower, upper) bounds when both are set, else None."""
    low, high = meta["lower_bound"], meta["upper_bound"]
    if pd.isna(low) or pd.isna(high):
        return None
    return float(low), float(high)


def join_notes(*notes: str) -> str:
    """Join the non-empty notes with '; '."""
    return "; ".join(n for n in notes if n)


def fmt_num(x: float) -> str:
    """Format a number compactly for notes (4 significant digits)."""
    if pd.isna(x):
        return ""
    return f"{x:.0f}" if abs(x) >= 1e4 else f"{x:.4g}"


# ---------------------------------------------------------------------------
# Forecasting (one place to call models.forecast; tests may replace run_forecast)


def min_points() -> int:
    """Return the fewest annual points models.forecast projects from (models.MIN_POINTS)."""
    from analysis import models

    return int(getattr(models, "MIN_POINTS", MIN_POINTS_PROJECTION))


def run_forecast(series: pd.Series, horizon: int, bounds: tuple[float, float] | None, peers: Sequence[pd.Series] = ()) -> Any:
    """Return models.forecast of a series (method auto, fixed seed, LEVELS; peers when models takes them)."""
    import inspect

    from analysis import models

    kwargs: dict[str, Any] = {}
    if peers and "peers" in inspect.signature(models.forecast).parameters:
        kwargs["peers"] = tuple(peers)
    return models.forecast(series, horizon=horizon, method=FORECAST_METHOD, levels=LEVELS, bounds=bounds, seed=SEED, **kwargs)


def series_key(series: pd.Series) -> tuple:
    """Return a hashable key of a year-indexed series."""
    return (tuple(int(y) for y in series.index), tuple(float(v) for v in series.values))


def cached_forecast(
    cache: dict, series: pd.Series, horizon: int, bounds: tuple[float, float] | None, peers: Sequence[pd.Series] = ()
) -> Any:
    """Return a forecast, reusing one already computed for the same inputs; errors are cached too."""
    key = (series_key(series), int(horizon), bounds, tuple(series_key(p) for p in peers))
    if key not in cache:
        try:
            cache[key] = run_forecast(series, horizon, bounds, peers) if peers else run_forecast(series, horizon, bounds)
        except ValueError as err:  # models.SeriesTooShort and other unusable series
            cache[key] = err
    result = cache[key]
    if isinstance(result, Exception):
        raise result
    return result


# ---------------------------------------------------------------------------
# One target


@dataclass
class Assessment:
    """Every number of one target as of a date, with the forecast and the history used."""

    target_id: str
    indicator_id: str
    region: str
    target_type: str
    comparator: str
    target_year: int
    target_value: float
    unit: str
    latest_period: str = ""
    latest_value: float = math.nan
    source_id: str = ""
    base_year_used: int | None = None
    base_value: float = math.nan
    required_value: float = math.nan
    gap: float = math.nan
    gap_pct: float = math.nan
    progress_ratio: float = math.nan
    progress_category: str = "no_data"
    projected_value: float = math.nan
    lo80: float = math.nan
    hi80: float = math.nan
    lo95: float = math.nan
    hi95: float = math.nan
    p_meet: float = math.nan
    first_year_meeting: int | None = None
    status: str = "no_data"
    note: str = ""
    n_obs: int = 0
    forecast_method: str = ""
    forecast_flags: str = ""
    forecast: Any = field(default=None, repr=False)
    history: pd.Series | None = field(default=None, repr=False)
    target_level: float = math.nan  # the level compared in the target year (implied for avg_growth)
    horizon_kind: str = "future"
    base_estimated: bool = False
    latest_qualifier: str = ""
    interpolated_years: str = ""
    story: str = ""
    milestone_year: int | None = None
    milestone_value: float = math.nan
    duplicate_of: str = ""
    per_year: bool = False
    about: bool = False
    inferred: bool = False  # the outcome rests on a projection, an interpolation or a non-final figure
    outcome: bool | None = None  # a past target decided without a probability (True met, False missed)

    def add_note(self, *notes: str) -> None:
        """Append notes."""
        self.note = join_notes(self.note, *notes)

    def as_row(self) -> dict[str, Any]:
        """Return the status-table row (STATUS_COLUMNS + EXTRA_COLUMNS)."""
        return {name: getattr(self, name) for name in STATUS_COLUMNS + EXTRA_COLUMNS}


def annual_observations(chosen: pd.DataFrame, indicator_id: str, region: str) -> pd.DataFrame:
    """Return the chosen annual rows of one indicator and region, sorted by year."""
    rows = chosen[(chosen["indicator_id"] == indicator_id) & (chosen["region"] == region) & chosen["is_annual"]]
    return rows.sort_values("year").reset_index(drop=True)


def set_latest(a: Assessment, row: pd.Series) -> None:
    """Record the observation shown as the latest value, with its qualifier (and 预计 as ~)."""
    a.latest_period, a.latest_value, a.source_id = str(row["period"]), float(row["value"]), str(row["source_id"])
    qualifier = str(row.get("qualifier", "") or "")
    if not qualifier and str(row.get("status", "")) == "estimate":
        qualifier = "~"
    a.latest_qualifier = qualifier
    if qualifier:
        a.add_note(f"latest value is qualified ({qualifier}{fmt_num(row['value'])}{', an estimate' if row.get('status') == 'estimate' else ''})")
    if str(row.get("inputs", "") or ""):
        a.add_note(f"derived ({row.get('formula', '')}) from {row['inputs']}")


def set_projection_from_paths(a: Assessment, fc: Any, values: np.ndarray) -> None:
    """Copy the median and the 80/95 % ranges of the simulated target-year values kept (paths agreeing with bounds)."""
    a.forecast = fc
    a.forecast_method = str(getattr(fc, "method", ""))
    a.forecast_flags = ",".join(getattr(fc, "flags", ()) or ())
    a.projected_value = float(np.median(values))
    a.lo80, a.hi80, a.lo95, a.hi95 = (float(q) for q in np.percentile(values, [10, 90, 2.5, 97.5]))


def set_projection(a: Assessment, fc: Any, year: int) -> None:
    """Copy the central projection and intervals of a year from a forecast."""
    a.forecast = fc
    a.forecast_method = str(getattr(fc, "method", ""))
    a.forecast_flags = ",".join(getattr(fc, "flags", ()) or ())
    a.projected_value = float(fc.mean[year])
    a.lo80, a.hi80 = float(fc.lower(80)[year]), float(fc.upper(80)[year])
    a.lo95, a.hi95 = float(fc.lower(95)[year]), float(fc.upper(95)[year])


def set_gap(a: Assessment, base_year: int, base: float, year: int, value: float, form: str) -> None:
    """Compute the required path value in the latest year and the gap to it."""
    a.required_value = required_at(year, base_year, base, a.target_year, a.target_level, form)
    a.gap = value - a.required_value
    a.gap_pct = 100 * a.gap / abs(a.required_value) if a.required_value else math.nan


def final_status(a: Assessment, satisfied: bool, obs_status: str, what: str) -> None:
    """Set p_meet and status from an observed target-year value."""
    a.p_meet = 1.0 if satisfied else 0.0
    if satisfied and obs_status in FINAL_STATUSES:
        a.status = "met"
    else:
        a.status = status_from_p(a.p_meet)
        if obs_status not in FINAL_STATUSES:
            a.add_note(f"{what} is {obs_status}, not a final figure")


def sample_meets(values: np.ndarray, comparator: str, threshold: float) -> np.ndarray:
    """Return which simulated values satisfy the comparator."""
    return {">=": values >= threshold, ">": values > threshold, "<=": values <= threshold, "<": values < threshold}[comparator]


def assess_level(a: Assessment, rows: pd.DataFrame, series: pd.Series, meta: pd.Series, cache: dict, target: Any,
                 peers: Sequence[pd.Series] = ()) -> None:
    """Assess a level, avg_growth or rank target (compared with a level in the target year); bounds stay bounds."""
    avg = target.target_type == "avg_growth"
    form = meta["growth_form"] if not avg else "geometric"
    bounded = rows[[is_bound(str(q or "")) for q in rows["qualifier"]]]
    upto = rows[rows["year"] <= a.target_year]
    set_latest(a, upto.iloc[-1] if not upto.empty else rows.iloc[-1])
    if series.empty:
        a.progress_category = "insufficient_data"
        a.add_note("only bounds published (" + ", ".join(f"{y}: {q}{fmt_num(v)}" for y, q, v in zip(bounded["year"], bounded["qualifier"], bounded["value"])) + ")")
        judge_bound_only(a, bounded)
        return
    by, base, base_note, a.base_estimated = base_point(series, target.base_year, form, stated_only=avg)
    a.base_year_used, a.base_value = by, base
    a.add_note(base_note)
    if avg:
        if meta["kind"] == "rate":
            a.progress_category, a.status = "insufficient_data", "insufficient_data"
            a.add_note("average-growth target on a growth-rate indicator is not supported: attach it to the level indicator")
            return
        if not geometric_possible(base):
            a.progress_category, a.status = "insufficient_data", "insufficient_data"
            a.add_note("average-growth target needs a positive base value in its stated base year")
            return
        a.target_level = round_sig(base * (1 + target.target_value / 100) ** (a.target_year - by), LEVEL_DIGITS)
        a.add_note(f"implied {a.target_year} level = {fmt_num(base)} x (1+{fmt_num(target.target_value)}%)^{a.target_year - by} = {fmt_num(a.target_level)}")
    if a.about:
        a.target_level = round_sig(a.target_level * ((1 - ABOUT_TOLERANCE) if higher_is_better(a.comparator) else (1 + ABOUT_TOLERANCE)), LEVEL_DIGITS)
        a.add_note(f"about (左右): within {ABOUT_TOLERANCE:.0%} counts, compared with {fmt_num(a.target_level)}")
    points_upto = series[series.index <= a.target_year]
    year, value = (int(points_upto.index[-1]), float(points_upto.iloc[-1])) if not points_upto.empty else (int(series.index[0]), float(series.iloc[0]))
    if points_upto.empty:  # every exact value is after the target year: they say nothing about progress towards it
        a.progress_category = "insufficient_data"
    else:
        if by is not None and year > by:
            set_gap(a, by, base, year, value, form)
        a.progress_ratio, a.progress_category, note = classify_progress(by, base, year, value, a.target_year, a.target_level, form, a.comparator)
        a.add_note(note)
    later_bounds = bounded[(bounded["year"] > year) & (bounded["year"] <= a.target_year)]
    if not later_bounds.empty:
        last_bound = later_bounds.iloc[-1]
        b_year, b_value, b_qual = int(last_bound["year"]), float(last_bound["value"]), str(last_bound["qualifier"])
        favourable = (b_qual in LOWER_BOUNDS) == higher_is_better(a.comparator)
        if bound_decides(b_qual, b_value, a.comparator, a.target_level):
            a.progress_ratio, a.progress_category = math.nan, "achieved"
            a.add_note(f"the bound {b_qual}{fmt_num(b_value)} ({b_year}) already meets the target")
        elif favourable and by is not None and b_year > by and not pd.isna(base):
            ratio, category, note = classify_progress(by, base, b_year, b_value, a.target_year, a.target_level, form, a.comparator)
            if not pd.isna(ratio):  # the true value lies beyond the bound, towards the target: R is at least this
                a.progress_ratio, a.progress_category = ratio, category
                a.add_note(f"progress from the bound {b_qual}{fmt_num(b_value)} ({b_year}): R at least {ratio:.2f}", note)
    threshold = a.target_level
    slack = 0.0
    if target.target_type == "rank":
        slack = RANK_HALF_STEP
        threshold += RANK_HALF_STEP if a.comparator == "<=" else -RANK_HALF_STEP
        a.add_note("ranks " + ", ".join(f"{y}:{fmt_num(v)}" for y, v in series.items()))
    last_year = int(series.index.max())
    observed_path = series[series.index > by] if by is not None else series
    a.first_year_meeting = first_meeting(observed_path, a.comparator, a.target_level)
    if a.per_year:
        window = series[(series.index > (by or 0)) & (series.index <= a.target_year)]
        missed_years = [int(y) for y, v in window.items() if not meets(v, a.comparator, a.target_level)]
        a.add_note("each year: " + ", ".join(f"{y} {'met' if meets(v, a.comparator, a.target_level) else 'missed'}" for y, v in window.items()))
        if missed_years:
            a.p_meet, a.status = 0.0, status_from_p(0.0)
            a.outcome, a.inferred = False, any(str(r) not in OUTCOME_STATUSES for r in rows[rows["year"].isin(missed_years)]["status"])
            return
    target_bound = bounded[bounded["year"] == a.target_year]
    if a.target_year in series.index:
        row = rows[rows["year"] == a.target_year].iloc[0]
        a.projected_value = float(row["value"])
        satisfied = meets(a.projected_value, a.comparator, a.target_level)
        a.inferred = str(row["status"]) not in OUTCOME_STATUSES or str(row.get("qualifier", "") or "") in APPROX_QUALIFIERS
        a.outcome = satisfied
        final_status(a, satisfied, str(row["status"]), f"the {a.target_year} value")
        return
    if not target_bound.empty:
        row = target_bound.iloc[0]
        decided = bound_decides(str(row["qualifier"]), float(row["value"]), a.comparator, a.target_level)
        if decided is not None:
            a.outcome, a.inferred = decided, str(row["status"]) not in OUTCOME_STATUSES
            a.p_meet = 1.0 if decided else 0.0
            a.status = "met" if decided and not a.inferred else status_from_p(a.p_meet)
            a.add_note(f"the {a.target_year} figure {row['qualifier']}{fmt_num(row['value'])} is a bound that decides the target")
            return
    if last_year > a.target_year and not points_upto.empty:
        a.projected_value, y0, y1 = interpolate_at(series, a.target_year, form)
        a.interpolated_years = str(a.target_year)
        a.outcome, a.inferred = meets(a.projected_value, a.comparator, a.target_level), True
        a.p_meet = interpolation_probability(series, a.target_year, form, a.comparator, threshold)
        a.status = status_from_p(a.p_meet) if not pd.isna(a.p_meet) else "insufficient_data"
        a.add_note(f"{a.target_year} not observed: interpolated between {y0} and {y1}"
                   + ("" if not pd.isna(a.p_meet) else f" (no probability: fewer than {MIN_BRIDGE_STEPS} changes to measure the volatility)"))
        return
    if last_year > a.target_year:
        a.status = "insufficient_data"
        a.add_note(f"no observation at or before {a.target_year}")
        return
    if target.target_type == "rank" and len(series) < MIN_RANK_POINTS:
        if meets(value, a.comparator, a.target_level):
            a.status = RANK_WITHIN_TARGET_STATUS
            a.add_note(f"rank target: no probability (fewer than {MIN_RANK_POINTS} ranks); latest rank already within target")
        else:
            a.status = "insufficient_data"
            a.add_note(f"rank target: no probability (fewer than {MIN_RANK_POINTS} ranks)")
        return
    if len(series) < min_points():
        a.status = "insufficient_data"
        a.add_note(f"{len(series)} annual point(s): no projection (needs {min_points()})")
        return
    horizon = max(PROJECT_TO, a.target_year) - last_year
    try:
        fc = cached_forecast(cache, series, horizon, bounds_of(meta), peers)
    except ValueError as err:
        a.status = "insufficient_data"
        a.add_note(f"no projection: {err}")
        return
    a.inferred = True
    years = [int(y) for y in fc.years]
    samples = np.asarray(fc.samples)
    mask = bound_mask(samples, years, bounded[bounded["year"] > last_year], slack)
    conditioned = not mask.all() or not bounded[bounded["year"] > last_year].empty
    if conditioned and mask.sum() < MIN_CONDITIONED_SHARE * len(mask):
        a.add_note(f"only {int(mask.sum())} simulated paths agree with the published bounds: bounds not used")
        mask[:] = True
        conditioned = False
    if a.per_year:
        columns = [years.index(y) for y in range(last_year + 1, a.target_year + 1)]
        ok = np.all(sample_meets(samples[mask][:, columns], a.comparator, threshold), axis=1)
        set_projection_from_paths(a, fc, samples[mask][:, years.index(a.target_year)])
        a.p_meet = float(np.mean(ok))
    elif conditioned:
        kept = samples[mask][:, years.index(a.target_year)]
        set_projection_from_paths(a, fc, kept)
        a.p_meet = float(np.mean(sample_meets(kept, a.comparator, threshold)))
        a.add_note(f"projection conditioned on the published bounds ({int(mask.sum())} of {len(mask)} paths agree)")
    else:
        set_projection(a, fc, a.target_year)
        a.p_meet = probability(fc, a.target_year, a.comparator, threshold)
    a.status = status_from_p(a.p_meet)
    path = pd.concat([observed_path, fc.mean])
    a.first_year_meeting = first_meeting(path, a.comparator, a.target_level)
    if a.first_year_meeting is None:
        a.add_note(f"central projection does not meet the target by {max(PROJECT_TO, a.target_year)}")


def judge_bound_only(a: Assessment, bounded: pd.DataFrame) -> None:
    """Judge a target whose indicator has only bounded figures: a bound in the target year may decide it."""
    at = bounded[bounded["year"] == a.target_year]
    latest = bounded[bounded["year"] <= a.target_year]
    if not latest.empty and bound_decides(str(latest.iloc[-1]["qualifier"]), float(latest.iloc[-1]["value"]), a.comparator, a.target_level):
        a.progress_category = "achieved"
    if not at.empty:
        decided = bound_decides(str(at.iloc[0]["qualifier"]), float(at.iloc[0]["value"]), a.comparator, a.target_level)
        if decided is not None:
            a.outcome, a.inferred = decided, str(at.iloc[0]["status"]) not in OUTCOME_STATUSES
            a.p_meet = 1.0 if decided else 0.0
            a.status = "met" if decided and not a.inferred else status_from_p(a.p_meet)
            return
    a.status = "insufficient_data"


def assess_cumulative(a: Assessment, rows: pd.DataFrame, series: pd.Series, meta: pd.Series, cache: dict, target: Any,
                      peers: Sequence[pd.Series] = ()) -> None:
    """Assess a cumulative target: the sum of annual flows over base_year+1..target_year."""
    if target.base_year is None or pd.isna(target.base_year):
        a.progress_category, a.status = "insufficient_data", "insufficient_data"
        a.add_note("cumulative target needs a base year")
        return
    by = int(target.base_year)
    a.base_year_used, a.base_value = by, 0.0
    a.target_level = a.target_value
    window = list(range(by + 1, a.target_year + 1))
    last_year = int(series.index.max())
    upto = rows[rows["year"] <= a.target_year]
    latest = upto.iloc[-1] if not upto.empty else rows.iloc[-1]
    set_latest(a, latest)
    seen = [y for y in window if y <= last_year]
    observed = {y: float(series[y]) for y in seen if y in series.index}
    filled = {y: float(np.interp(y, series.index, series.values)) for y in seen if y not in series.index}
    if filled:
        a.interpolated_years = ",".join(str(y) for y in filled)
        a.add_note("flows interpolated for " + ", ".join(str(y) for y in filled))
    observed_sum = round_sig(sum(observed.values()), LEVEL_DIGITS)
    to_date = round_sig(observed_sum + sum(filled.values()), LEVEL_DIGITS)
    flows = pd.Series({**observed, **filled}, dtype=float).sort_index()
    cumulative = flows.cumsum()
    a.add_note(f"cumulative {by + 1}-{seen[-1]}: {fmt_num(to_date)}" if seen else f"no flow after {by} yet")
    if seen:
        eval_year = seen[-1]
        share = (eval_year - by) / (a.target_year - by)
        a.required_value = a.target_value * share
        a.gap = to_date - a.required_value
        a.gap_pct = 100 * a.gap / abs(a.required_value) if a.required_value else math.nan
        a.progress_ratio, a.progress_category, note = classify_progress(
            by, 0.0, eval_year, to_date, a.target_year, a.target_value, "linear", a.comparator
        )
        a.add_note(note)
    else:
        a.progress_category = "insufficient_data"
    reached = higher_is_better(a.comparator) and meets(observed_sum, a.comparator, a.target_value)
    a.first_year_meeting = first_meeting(cumulative, a.comparator, a.target_value)
    if reached:
        a.status, a.p_meet, a.projected_value = "met", 1.0, to_date
        a.add_note("cumulative target already reached by observed flows (flows are non-negative)")
        return
    if last_year >= a.target_year:
        a.projected_value = to_date
        final_rows = upto[upto["year"] > by]
        worst = "official" if final_rows["status"].isin(FINAL_STATUSES).all() and not filled else "estimate"
        a.outcome = meets(to_date, a.comparator, a.target_value)
        a.inferred = bool(filled) or not final_rows["status"].isin(OUTCOME_STATUSES).all()
        final_status(a, a.outcome, worst, "the cumulative sum")
        return
    if len(series) < min_points():
        a.status = "insufficient_data"
        a.add_note(f"{len(series)} annual point(s): no projection (needs {min_points()})")
        return
    horizon = max(PROJECT_TO, a.target_year) - last_year
    a.inferred = True
    try:
        fc = cached_forecast(cache, series, horizon, bounds_of(meta), peers)
    except ValueError as err:
        a.status = "insufficient_data"
        a.add_note(f"no projection: {err}")
        return
    future = [y for y in window if y > last_year]
    columns = [list(fc.years).index(y) for y in future]
    sums = to_date + np.asarray(fc.samples)[:, columns].sum(axis=1)
    a.forecast = fc
    a.forecast_method = str(getattr(fc, "method", ""))
    a.forecast_flags = ",".join(getattr(fc, "flags", ()) or ())
    a.projected_value = to_date + float(fc.mean[future].sum())
    a.lo80, a.hi80, a.lo95, a.hi95 = (float(q) for q in np.percentile(sums, [10, 90, 2.5, 97.5]))
    p_at_least = float(fc.prob_sum_at_least(future, a.target_value - to_date))
    a.p_meet = p_at_least if higher_is_better(a.comparator) else 1.0 - p_at_least
    a.status = status_from_p(a.p_meet)
    path = pd.concat([cumulative, to_date + fc.mean[[y for y in fc.years if y > last_year and y > by]].cumsum()])
    a.first_year_meeting = first_meeting(path, a.comparator, a.target_value)


def flag(target: Any, column: str) -> bool:
    """Return a true/false column of a target row (absent or empty: False)."""
    value = getattr(target, column, False)
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value) if value is not None and not pd.isna(value) else False


def peer_series(chosen: pd.DataFrame, indicator_id: str, region: str) -> tuple[pd.Series, ...]:
    """Return the exact annual series of the same indicator in the comparison regions (not the target's own)."""
    out = []
    for peer in PEER_REGIONS:
        if peer == region:
            continue
        rows = annual_observations(chosen, indicator_id, peer)
        rows = rows[[not is_bound(str(q or "")) for q in rows["qualifier"]]]
        if len(rows) >= 2:
            out.append(pd.Series(rows["value"].astype(float).values, index=rows["year"].astype(int).values, name=peer))
    return tuple(out)


def assess_target(dataset: data.Dataset, target: Any, chosen: pd.DataFrame, cache: dict, as_of: DateLike = None) -> Assessment:
    """Assess one target (a targets.csv row) from the as-of selection of observations."""
    a = Assessment(
        target_id=str(target.target_id), indicator_id=str(target.indicator_id), region=str(target.region),
        target_type=str(target.target_type), comparator=str(target.comparator), target_year=int(target.target_year),
        target_value=float(target.target_value), unit=str(target.unit),
    )
    a.target_level = a.target_value
    a.horizon_kind = "past" if a.target_year < data.to_timestamp(as_of).year else "future"
    dup = getattr(target, "duplicate_of", "")
    a.duplicate_of = "" if dup is None or (not isinstance(dup, str) and pd.isna(dup)) else str(dup)
    a.per_year, a.about = flag(target, "each_year"), flag(target, "approximate")
    set_milestone(a, dataset, as_of)
    meta = dataset.indicator(a.indicator_id)
    rows = annual_observations(chosen, a.indicator_id, a.region)
    if rows.empty:
        a.progress_category, a.status = "no_data", "no_data"
        subannual = chosen[(chosen["indicator_id"] == a.indicator_id) & (chosen["region"] == a.region)]
        where = str(meta.get("where_published", "") or "")
        a.add_note(
            "no annual observation published by the report date",
            "year-to-date values only" if not subannual.empty else "",
            f"published in: {where}" if where else "",
        )
        return finish(a)
    points = rows[[not is_bound(str(q or "")) for q in rows["qualifier"]]]
    series = pd.Series(points["value"].astype(float).values, index=points["year"].astype(int).values, name=a.indicator_id)
    a.history, a.n_obs = series, len(series)
    peers = peer_series(chosen, a.indicator_id, a.region)
    if a.target_type == "cumulative":
        if series.empty:
            set_latest(a, rows.iloc[-1])
            a.progress_category, a.status = "insufficient_data", "insufficient_data"
            a.add_note("only bounds published for the flows")
        else:
            bounded = rows[[is_bound(str(q or "")) for q in rows["qualifier"]]]
            if not bounded.empty:
                a.add_note("flows published only as bounds, not used as values: "
                           + ", ".join(f"{y}: {q}{fmt_num(v)}" for y, q, v in zip(bounded["year"], bounded["qualifier"], bounded["value"])))
            assess_cumulative(a, points.reset_index(drop=True), series, meta, cache, target, peers)
    else:
        assess_level(a, rows, series, meta, cache, target, peers)
    return finish(a)


def set_milestone(a: Assessment, dataset: data.Dataset, as_of: DateLike) -> None:
    """Record the city's latest own milestone for the indicator at or before the report year."""
    milestones = getattr(dataset, "milestones", None)
    if milestones is None or len(milestones) == 0 or not {"indicator_id", "region", "year", "value"} <= set(milestones.columns):
        return
    when = data.to_timestamp(as_of)
    rows = milestones[(milestones["indicator_id"] == a.indicator_id) & (milestones["region"] == a.region)]
    rows = rows[pd.to_numeric(rows["year"], errors="coerce") <= when.year]
    if "published" in rows.columns:
        rows = rows[pd.to_datetime(rows["published"], errors="coerce") <= when]
    if rows.empty:
        return
    last = rows.assign(_y=pd.to_numeric(rows["year"])).sort_values("_y", kind="mergesort").iloc[-1]
    a.milestone_year, a.milestone_value = int(last["_y"]), float(last["value"])


def past_status(a: Assessment) -> str:
    """Return the outcome word of a target whose year has passed."""
    if a.status == "met" and not a.inferred:
        return "met"
    if a.outcome is not None:
        return ("probably_met" if a.outcome else "probably_missed") if a.inferred else ("met" if a.outcome else "missed")
    if not pd.isna(a.p_meet):
        return "probably_met" if a.p_meet >= PROBABLY_EDGE else "probably_missed"
    return "no_data"


def story_of(a: Assessment) -> str:
    """Return the code of the sentence explaining why progress and status disagree ('' when they agree)."""
    good_progress, poor_progress = a.progress_category in GOOD_PROGRESS, a.progress_category in POOR_PROGRESS
    good_status, poor_status = a.status in GOOD_STATUS, a.status in POOR_STATUS
    if a.progress_category == "achieved" and a.status == "insufficient_data":
        return "achieved_no_probability"
    if not ((good_progress and poor_status) or (poor_progress and good_status)):
        return "base_estimated" if a.base_estimated else ""
    if a.interpolated_years and a.target_type == "cumulative":
        return "interpolated_flows"
    if a.latest_qualifier and is_bound(a.latest_qualifier):
        return "latest_is_bound"
    if a.progress_category == "achieved":
        return "achieved_may_fall_back"
    flags = set(str(a.forecast_flags).split(","))
    if a.forecast_method in PRIOR_METHODS or flags & set(PRIOR_FLAGS):
        return "projection_leans_on_prior"
    return "recent_trend_slower" if good_progress else "recent_trend_faster"


def finish(a: Assessment) -> Assessment:
    """Turn a past target's status into an outcome word and attach the story code."""
    if a.horizon_kind == "past":
        a.status = past_status(a)
    a.story = story_of(a)
    return a


def dataset_formulas(dataset: data.Dataset) -> list[Any]:
    """Return the derived-indicator formulas of the dataset (derive.dataset_formulas)."""
    from analysis import derive

    return derive.dataset_formulas(dataset)


def target_row(dataset: data.Dataset, target_id: str) -> Any:
    """Return one targets.csv row as a namedtuple."""
    rows = dataset.targets[dataset.targets["target_id"] == target_id]
    if rows.empty:
        raise KeyError(f"unknown target {target_id!r}")
    return next(rows.itertuples(index=False))


_CHOSEN: dict[tuple, pd.DataFrame] = {}
CHOSEN_CACHE_SIZE = 32


def chosen_as_of(dataset: data.Dataset, as_of: DateLike) -> pd.DataFrame:
    """Return choose_observations for a dataset and date, computed once per content and date.

    The key is a hash of the observation table's content (not its identity), so a notebook that
    edits observations in place gets a fresh selection; callers get a copy.
    """
    formulas = dataset_formulas(dataset)
    stamp = data.to_timestamp(as_of)
    content = int(pd.util.hash_pandas_object(dataset.observations, index=False).sum())
    key = (content, tuple(dataset.observations.columns), stamp, tuple(formulas))
    if key not in _CHOSEN:
        if len(_CHOSEN) >= CHOSEN_CACHE_SIZE:
            _CHOSEN.pop(next(iter(_CHOSEN)))
        _CHOSEN[key] = choose_observations(dataset.observations, stamp, formulas)
    return _CHOSEN[key].copy()


def assess(dataset: data.Dataset, target_id: str, as_of: DateLike = None) -> Assessment:
    """Assess one target as of a date (only data published by then)."""
    chosen = chosen_as_of(dataset, as_of)
    return assess_target(dataset, target_row(dataset, target_id), chosen, {}, as_of)


# ---------------------------------------------------------------------------
# The status table


def empty_status_table() -> pd.DataFrame:
    """Return a status table with no rows and the contracted columns."""
    return typed_status(pd.DataFrame(columns=STATUS_COLUMNS + EXTRA_COLUMNS))


def typed_status(table: pd.DataFrame) -> pd.DataFrame:
    """Give the status table its column types (Int64 years, float numbers, str text)."""
    out = table.copy()
    for column in out.columns:
        if column in INT_COLUMNS:
            out[column] = pd.array([None if v is None or pd.isna(v) else int(v) for v in out[column]], dtype="Int64")
        elif column in STRING_COLUMNS:
            out[column] = out[column].fillna("").astype(str)
        elif column in BOOL_COLUMNS:
            out[column] = out[column].fillna(False).astype(bool)
        else:
            out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    return out


def select_targets(dataset: data.Dataset, region: str | None) -> pd.DataFrame:
    """Return the targets of a region (None or 'all': every target), sorted by target_id."""
    targets = dataset.targets
    if region not in (None, "all"):
        targets = targets[targets["region"] == region]
    return targets.sort_values("target_id", kind="mergesort")


def status_table(dataset: data.Dataset, as_of: DateLike = None, region: str | None = "ningbo") -> pd.DataFrame:
    """Return one row per target with base, path, gap, progress, projection, P(meet) and status."""
    chosen = chosen_as_of(dataset, as_of)
    cache: dict = {}
    rows = [assess_target(dataset, t, chosen, cache, as_of).as_row() for t in select_targets(dataset, region).itertuples(index=False)]
    if not rows:
        return empty_status_table()
    return typed_status(pd.DataFrame(rows, columns=STATUS_COLUMNS + EXTRA_COLUMNS)).reset_index(drop=True)


# ---------------------------------------------------------------------------
# Output formats


def round_sig(x: float, digits: int = SIG_DIGITS) -> float:
    """Round a number to significant digits (NaN stays NaN)."""
    if pd.isna(x) or x == 0:
        return x
    return float(f"{x:.{digits}g}")


def rounded(table: pd.DataFrame) -> pd.DataFrame:
    """Round derived numbers for output: values to 4 significant digits, ratios and P to decimals."""
    out = table.copy()
    for column in SIG_COLUMNS:
        if column in out:
            out[column] = out[column].map(round_sig).astype(float)
    for column, decimals in DECIMALS.items():
        if column in out:
            out[column] = out[column].round(decimals)
    return out


def plain(value: Any) -> Any:
    """Return a JSON-ready Python value (NaN/NA -> None, numpy -> int/float)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return int(value) if float(value).is_integer() and abs(value) < 1e15 else float(value)
    return value


def render_cells(cells: list[str], widths: list[int]) -> str:
    """Return one fixed-width line of left-aligned cells."""
    return "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()


def text_table(table: pd.DataFrame) -> str:
    """Return a readable fixed-width text table of the main columns."""
    headers = ["target_id", "year", "target", "latest", "progress", "R", "projected", "P(meet)", "status", "why"]
    lines = []
    for r in table.itertuples(index=False):
        latest = f"{r.latest_period}: {fmt_num(r.latest_value)}" if r.latest_period else "-"
        comparator = "~" if getattr(r, "about", False) else r.comparator
        suffix = "%/yr" if r.target_type == "avg_growth" else ("/yr" if getattr(r, "per_year", False) else "")
        qualifier = getattr(r, "latest_qualifier", "") or ""
        latest = f"{r.latest_period}: {qualifier}{fmt_num(r.latest_value)}" if r.latest_period else "-"
        lines.append([
            r.target_id, str(r.target_year), f"{comparator}{fmt_num(r.target_value)}{suffix}",
            latest, r.progress_category, "" if pd.isna(r.progress_ratio) else f"{r.progress_ratio:.2f}",
            fmt_num(r.projected_value), "" if pd.isna(r.p_meet) else f"{r.p_meet:.2f}", r.status, why(r),
        ])
    widths = [max([len(h)] + [len(line[i]) for line in lines]) for i, h in enumerate(headers)]
    out = [render_cells(headers, widths), render_cells(["-" * w for w in widths], widths)]
    out += [render_cells(line, widths) for line in lines]
    out.append("")
    out += headline_counts(table)
    return "\n".join(out) + "\n"


def why(row: Any) -> str:
    """Return the short flags of a row for the text table: story code, estimated base, interpolated years, duplicate."""
    parts = [getattr(row, "story", "") or ""]
    if getattr(row, "base_estimated", False) and parts[0] != "base_estimated":
        parts.append("base_estimated")
    if getattr(row, "interpolated_years", ""):
        parts.append(f"interpolated {row.interpolated_years}")
    if getattr(row, "duplicate_of", ""):
        parts.append(f"= {row.duplicate_of}")
    return "; ".join(p for p in parts if p)


def counted_once(table: pd.DataFrame) -> pd.DataFrame:
    """Return the rows counted in headline figures: a target stated in two documents once."""
    if "duplicate_of" not in table:
        return table
    ids = set(table["target_id"])
    return table[[not (d and d in ids) for d in table["duplicate_of"].fillna("")]]


def status_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Return counts per (horizon_kind, status), each target counted once, future before past, statuses in order."""
    once = counted_once(table)
    kinds = once["horizon_kind"] if "horizon_kind" in once else pd.Series("future", index=once.index)
    rows = [
        {"horizon_kind": kind, "status": status, "count": int(((kinds == kind) & (once["status"] == status)).sum())}
        for kind in ("future", "past") for status in ALL_STATUSES
    ]
    return pd.DataFrame([r for r in rows if r["count"]], columns=["horizon_kind", "status", "count"])


def headline_counts(table: pd.DataFrame) -> list[str]:
    """Return the status counts, targets still ahead apart from past ones, each target counted once."""
    once = counted_once(table)
    kinds = once["horizon_kind"] if "horizon_kind" in once else pd.Series("future", index=once.index)
    lines = []
    for kind, label in (("future", "targets ahead"), ("past", "past targets")):
        part = once[kinds == kind]
        if part.empty:
            continue
        counts = part["status"].value_counts()
        with_p = int(part["p_meet"].notna().sum())
        lines.append(f"{label} ({len(part)}, {with_p} with P(meet)): " + "  ".join(f"{s}: {int(counts[s])}" for s in ALL_STATUSES if s in counts))
    return lines


def format_status(table: pd.DataFrame, fmt: str = "table") -> str:
    """Return the status table as text: 'table' (fixed width), 'csv' or 'json' (the contract)."""
    if fmt == "table":
        return text_table(table)
    columns = OUTPUT_COLUMNS
    out = rounded(table)[columns]
    if fmt == "csv":
        return out.to_csv(index=False, lineterminator="\n")
    if fmt == "json":
        records = [{c: plain(v) for c, v in zip(columns, row)} for row in out.itertuples(index=False)]
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    raise ValueError(f"unknown format {fmt!r} (use table, csv or json)")


# ---------------------------------------------------------------------------
# What changed between two report dates


@dataclass(frozen=True)
class WhatChanged:
    """New observations in (before, after] and targets whose status or P(meet) changed."""

    new_observations: pd.DataFrame
    changed_targets: pd.DataFrame


def new_observations(dataset: data.Dataset, before: DateLike, after: DateLike, region: str | None = "ningbo") -> pd.DataFrame:
    """Return observations first published in (before, after], with their source title."""
    obs = dataset.observations
    start, end = data.to_timestamp(before), data.to_timestamp(after)
    new = obs[(obs["published"] > start) & (obs["published"] <= end)]
    if region not in (None, "all"):
        new = new[new["region"] == region]
    new = data.with_sources(dataset, new)
    columns = ["published", "indicator_id", "region", "period", "value", "unit", "status", "source_id", "title", "url"]
    return new[columns].sort_values(["published", "indicator_id", "region", "period", "source_id"], kind="mergesort").reset_index(drop=True)


def what_changed(dataset: data.Dataset, before: DateLike, after: DateLike, region: str | None = "ningbo") -> WhatChanged:
    """Return what was newly published in (before, after] and which targets changed status or P."""
    old = status_table(dataset, before, region)[["target_id", "indicator_id", "status", "p_meet"]]
    new = status_table(dataset, after, region)[["target_id", "status", "p_meet"]]
    both = old.merge(new, on="target_id", suffixes=("_before", "_after"), how="outer")
    both["p_change"] = (both["p_meet_after"] - both["p_meet_before"]).round(RATIO_DECIMALS)
    moved = both["p_change"].abs() > P_CHANGE
    changed = both[(both["status_before"] != both["status_after"]) | moved]
    columns = ["target_id", "indicator_id", "status_before", "status_after", "p_meet_before", "p_meet_after", "p_change"]
    return WhatChanged(new_observations(dataset, before, after, region), changed[columns].sort_values("target_id").reset_index(drop=True))


# ---------------------------------------------------------------------------
# Method note


def n_paths() -> str:
    """Return the number of simulated paths used by models.forecast, if it says."""
    try:
        from analysis import models
    except ImportError:
        return "?"
    value = getattr(models, "N_PATHS", None) or getattr(models, "N_SAMPLES", None)
    return str(value) if value else "?"


def method_note(lang: str = "en") -> str:
    """Return the method note (every threshold, generated from the constants) in zh or en."""
    edges = [edge for _, edge in PROGRESS_BANDS]
    upper = [None] + edges[:-1]
    prog = []
    for (code, edge), high in zip(PROGRESS_BANDS, upper):
        label = PROGRESS_LABELS[code][lang]
        prog.append(f"R ≥ {edge:g}: {label}" if high is None else f"{edge:g} ≤ R < {high:g}: {label}")
    prog.append(f"R < {edges[-1]:g}: {PROGRESS_LABELS[PROGRESS_BELOW][lang]}")
    s_edges = [edge for _, edge in STATUS_BANDS]
    s_upper = [None] + s_edges[:-1]
    stat = []
    for (code, edge), high in zip(STATUS_BANDS, s_upper):
        words = LIKELIHOOD_WORDS[code][lang]
        cond = f"P ≥ {edge:.0%}" if high is None else f"{edge:.0%} ≤ P < {high:.0%}"
        stat.append(f"{cond}: {STATUS_LABELS[code][lang]} ({words})")
    stat.append(f"P < {s_edges[-1]:.0%}: {STATUS_LABELS[STATUS_BELOW][lang]} ({LIKELIHOOD_WORDS[STATUS_BELOW][lang]})")
    forms = [GROWTH_FORMS[f][lang] for f in ("linear", "geometric")]
    if lang == "zh":
        lines = [
            "方法说明",
            "进展比 R = 基期以来的实际年均增长 ÷ 基期到目标所需的年均增长（几何型指标用年均复合增长率，线性型用年均变化量；"
            "基期、最新值或目标值不大于0时改用年均变化量，参照加拿大统计局 Open SDG 方法）。分档（参照欧盟统计局 SDG 监测）："
            + "；".join(prog) + f"；最新值已满足目标：{PROGRESS_LABELS['achieved']['zh']}；基期之后不足一个观测值：{PROGRESS_LABELS['insufficient_data']['zh']}。",
            "路径形态：" + "；".join(forms) + "。",
            f"预测：models.forecast（方法 {FORECAST_METHOD}，{'/'.join(map(str, LEVELS))}% 区间，随机种子 {SEED}，模拟路径 {n_paths()} 条），"
            f"预测至目标年，首次达标年份搜索至 {PROJECT_TO} 年；少于 {MIN_POINTS_PROJECTION} 个年度数据不做预测；"
            f"排名目标少于 {MIN_RANK_POINTS} 个观测值不给概率。累计目标：已观测年份用实际值，其余年份用模拟路径求和。"
            "年均增长目标：换算为目标年水平 = 基期值 × (1+r)^年数。",
            "状态（按达标概率 P，参照 IPCC 校准可能性用语）：" + "；".join(stat)
            + f"；已实现：终值（{'/'.join(FINAL_STATUSES)}）已满足且不可逆；数据不足：有数据但无法预测；无数据：报告日前未发布年度数据。",
            f"“变化”：新发布的观测值，以及状态改变或 P 变动超过 {P_CHANGE * 100:.0f} 个百分点的目标。只使用报告日前已发布的数据。",
            "数值的确切程度：同一年份先用确切值，其次用约数或预计数，最后才用上下限（“超过”“突破”“前十”等）；预计数一经终值公布即被取代。"
            "上下限不当作确切值：下限只能证明“不低于”类目标已实现，不能证明未实现；上限同理；预测只用确切值，并只保留与已公布上下限相符的模拟路径"
            f"（相符路径少于 {MIN_CONDITIONED_SHARE:.0%} 时不作此限制）。",
            "基期：基期年份未公布时，若其前后均有数值，则按指标的路径形态插值估算并标注；年均增长目标始终以文件规定的基期计算，无法估算时不作判断，绝不改用其他年份。",
            f"目标年份已过的目标只给结果：目标年数值已公布时为“{STATUS_LABELS['met']['zh']}”或“{STATUS_LABELS['missed']['zh']}”；"
            f"须由前后数值插值或预测推断时为“{STATUS_LABELS['probably_met']['zh']}”或“{STATUS_LABELS['probably_missed']['zh']}”（P ≥ {PROBABLY_EDGE:.0%} 为前者）；否则为“无数据”。",
            f"“每年”目标逐年判断，任一年未达到即不能全部实现；“左右”目标以相差不超过 {ABOUT_TOLERANCE:.0%} 为达到；两份文件重复提出的同一目标在汇总数中只计一次，已到期目标与2027年目标分开计数。",
        ]
    else:
        lines = [
            "Method note",
            "Progress ratio R = observed annual growth since the base year ÷ annual growth required from base to target "
            "(compound annual growth rate for geometric indicators, average annual change for linear ones; absolute change "
            "when base, latest or target <= 0, after Statistics Canada's Open SDG method). Bands (after Eurostat SDG monitoring): "
            + "; ".join(prog) + f"; latest value already meets the target: {PROGRESS_LABELS['achieved']['en']}; "
            f"no observation after the base: {PROGRESS_LABELS['insufficient_data']['en']}.",
            "Required paths: " + "; ".join(forms) + ".",
            f"Projection: models.forecast (method {FORECAST_METHOD}, {'/'.join(map(str, LEVELS))}% intervals, seed {SEED}, "
            f"{n_paths()} simulated paths) to the target year; first year meeting the target searched to {PROJECT_TO}; "
            f"no projection with fewer than {MIN_POINTS_PROJECTION} annual points; no probability for rank targets with fewer "
            f"than {MIN_RANK_POINTS} ranks. Cumulative targets: observed years as observed, remaining years summed over "
            "simulated paths. Average-growth targets: converted to a target-year level = base × (1+r)^years.",
            "Status from P(meet) (IPCC calibrated likelihood): " + "; ".join(stat)
            + f"; met: a final ({'/'.join(FINAL_STATUSES)}) value already satisfies a target that cannot be undone; "
            "insufficient data: data but no projection; no data: no annual value published by the report date.",
            f"What changed: newly published observations, and targets whose status changed or whose P moved by more than "
            f"{P_CHANGE * 100:.0f} points. Only data published by the report date are used.",
            "Exactness: for each year an exact figure is used first, then an approximate or estimated (预计) one, a bound "
            "(超过, 突破, 前十 …) last; an estimate is superseded once the final figure is published. Bounds are never used as exact values: "
            "a lower bound can show a '>=' target met, never missed, and an upper bound likewise for '<='; projections use exact values "
            f"only and keep the simulated paths that agree with the published bounds (unless fewer than {MIN_CONDITIONED_SHARE:.0%} do).",
            "Base year: when the base year was not published but values exist on both sides of it, the base is interpolated on the "
            "indicator's growth form and flagged. Average-growth targets are always measured from their stated base year; when it "
            "cannot be estimated they are not judged, never moved to another year.",
            f"Targets whose year has passed get outcomes only: {STATUS_LABELS['met']['en']} or {STATUS_LABELS['missed']['en']} when the "
            f"target-year value is published; {STATUS_LABELS['probably_met']['en']} or {STATUS_LABELS['probably_missed']['en']} when it "
            f"is inferred from the values around it (interpolation or projection; P >= {PROBABLY_EDGE:.0%} for the former); no data otherwise.",
            f"'Each year' (每年) targets are judged year by year: one year missed means the target cannot be met in full. 'About' (左右) "
            f"targets count as reached within {ABOUT_TOLERANCE:.0%}. A target stated in two documents is counted once in every "
            "headline figure; past targets are counted apart from the 2027 ones.",
        ]
    return "\n".join(lines) + "\n"
