"""Stage 3, assess: target arithmetic (base value, required path, progress category, P(meet), status).

Every number that compares data with a target is computed here, from the data a reader could
see on the report date (``analysis.assess.evidence.chosen_as_of``), and every threshold is a
constant of :mod:`analysis.assess.rules` that the method note (:mod:`analysis.report.method`) prints.

Modules, in the order an assessment uses them: ``rules`` (thresholds, comparators, qualifiers),
``evidence`` (one figure per year as of a date), ``base_path`` (base value, required path),
``progress`` (progress ratio and category), ``projection`` (P(meet) from forecast paths, bound
conditioning, the Brownian bridge), ``record`` (the assessment record), ``level`` and
``cumulative`` (the two kinds of target), ``judge`` (one target as of a date), ``statuses`` (the
status table and its counts), ``changes`` (what changed between two report dates).

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
``projection.interpolation_probability``), no_data otherwise.

Figures are what they say: exact before approximate before bounds for each year
(``evidence.choose_observations``), bounds never used as values (``rules.bound_decides``,
``projection.bound_mask``), derived indicators from ``analysis.data.derive`` (data/derived.csv), an
unobserved base year interpolated on the growth form and flagged (``base_estimated``),
average-growth targets only from their stated base year, 每年 targets year by year, 左右 within
``ABOUT_TOLERANCE``, a ``story`` code when progress and status disagree, and duplicates
(``duplicate_of``) counted once in headlines.
"""
