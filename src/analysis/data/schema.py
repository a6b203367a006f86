"""The data tables' contract: files, columns, types, vocabularies, keys and foreign keys."""

from __future__ import annotations

from pathlib import Path

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[3] / "data"


TABLE_FILES = {
    "regions": "regions.csv",
    "indicators": "indicators.csv",
    "targets": "targets.csv",
    "sources": "sources.csv",
    "observations": "observations.csv",
    "milestones": "milestones.csv",
    "definition_audit": "definition_audit.csv",
}


# Tables that may be absent from a data directory (loaded as empty frames with their columns).
OPTIONAL_TABLES = ("milestones", "definition_audit")


DECISIONS = ("used", "related", "excluded")


INDICATOR_KINDS = ("share", "ratio", "count", "amount", "rate", "rank")


GROWTH_FORMS = ("linear", "geometric")


TARGET_TYPES = ("level", "cumulative", "avg_growth", "rank")


COMPARATORS = (">=", ">", "<=", "<")


SOURCE_KINDS = ("bulletin", "yearbook", "bureau", "government_report", "news", "paper", "policy", "aggregator", "other")


STATUSES = ("official", "revised", "preliminary", "reported", "derived", "estimate")


QUALIFIERS = ("", ">", ">=", "<", "<=", "~")
LOWER_BOUNDS = (">", ">=")  # qualifiers: the true value is at least the figure
UPPER_BOUNDS = ("<", "<=")  # the true value is at most the figure
APPROX_QUALIFIERS = ("~",)  # about the figure (左右, 约)


# Lower rank = more authoritative; used only to break ties between equally recent vintages.
STATUS_RANK = {status: rank for rank, status in enumerate(STATUSES)}


PERIOD_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2]))?$"


DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


ID_PATTERN = r"^[a-z0-9][a-z0-9_]*$"


YEAR_MIN, YEAR_MAX = 1978, 2035


BOOL_VALUES = {"true": True, "false": False}


COLUMNS = {
    "regions": ["region_id", "name_zh", "name_en", "kind", "notes"],
    "indicators": [
        "indicator_id", "name_zh", "name_en", "unit", "kind", "lower_bound", "upper_bound",
        "growth_form", "higher_is_better", "definition", "where_published",
    ],
    "targets": [
        "target_id", "indicator_id", "region", "target_type", "comparator", "target_value", "unit",
        "base_year", "target_year", "source_doc", "source_doc_title", "source_clause", "notes",
        "duplicate_of", "each_year", "approximate", "where_published",
    ],
    "sources": ["source_id", "title", "publisher", "url", "published", "published_estimated", "kind", "weak", "notes"],
    "observations": [
        "indicator_id", "region", "period", "value", "unit", "qualifier", "status", "source_id",
        "published", "published_estimated", "preferred", "quote", "notes",
    ],
    "milestones": [
        "milestone_id", "indicator_id", "region", "year", "comparator", "value", "unit", "source_id",
        "published", "quote", "notes",
    ],
    "definition_audit": ["target_id", "indicator_id", "region", "period", "decision", "reason_en", "reason_zh"],
}


# Columns that may be left empty; every other column needs a value in every row.
OPTIONAL = {
    "regions": {"notes"},
    "indicators": {"lower_bound", "upper_bound", "definition", "where_published"},
    "targets": {"base_year", "source_doc_title", "notes", "duplicate_of", "where_published"},
    "sources": {"url", "published", "notes"},
    "observations": {"qualifier", "quote", "notes"},
    "milestones": {"quote", "notes"},
    "definition_audit": set(),
}


NUMERIC = {
    "indicators": {"lower_bound": float, "upper_bound": float},
    "targets": {"target_value": float, "base_year": int, "target_year": int},
    "observations": {"value": float},
    "milestones": {"year": int, "value": float},
}


BOOLEAN = {
    "indicators": ("higher_is_better",),
    "sources": ("published_estimated", "weak"),
    "observations": ("published_estimated", "preferred"),
    "targets": ("each_year", "approximate"),
}


DATES = {"sources": ("published",), "observations": ("published",), "milestones": ("published",)}


KEYS = {
    "regions": ["region_id"],
    "indicators": ["indicator_id"],
    "targets": ["target_id"],
    "sources": ["source_id"],
    "observations": ["indicator_id", "region", "period", "source_id", "value"],
    "milestones": ["milestone_id"],
    "definition_audit": ["target_id", "indicator_id", "region", "period"],
}


ENUMS = {
    ("indicators", "kind"): INDICATOR_KINDS,
    ("indicators", "growth_form"): GROWTH_FORMS,
    ("targets", "target_type"): TARGET_TYPES,
    ("targets", "comparator"): COMPARATORS,
    ("sources", "kind"): SOURCE_KINDS,
    ("observations", "status"): STATUSES,
    ("observations", "qualifier"): QUALIFIERS,
    ("milestones", "comparator"): COMPARATORS,
    ("definition_audit", "decision"): DECISIONS,
}


FOREIGN_KEYS = {
    "indicators": [],
    "regions": [],
    "sources": [],
    "targets": [("indicator_id", "indicators", "indicator_id"), ("region", "regions", "region_id")],
    "observations": [
        ("indicator_id", "indicators", "indicator_id"),
        ("region", "regions", "region_id"),
        ("source_id", "sources", "source_id"),
    ],
    "milestones": [
        ("indicator_id", "indicators", "indicator_id"),
        ("region", "regions", "region_id"),
        ("source_id", "sources", "source_id"),
    ],
    "definition_audit": [
        ("target_id", "targets", "target_id"),
        ("indicator_id", "indicators", "indicator_id"),
        ("region", "regions", "region_id"),
    ],
}
