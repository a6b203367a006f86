"""The Frictionless Data Package descriptor of data/ (datapackage.json)."""

from __future__ import annotations

from analysis.data.schema import BOOLEAN, COLUMNS, DATES, ENUMS, FOREIGN_KEYS, KEYS, NUMERIC, OPTIONAL, PERIOD_PATTERN, TABLE_FILES


def field_descriptor(name: str, column: str) -> dict:
    """Return the Table Schema field of one column."""
    kind = NUMERIC.get(name, {}).get(column)
    if kind is int:
        ftype = "integer"
    elif kind is float:
        ftype = "number"
    elif column in BOOLEAN.get(name, ()):
        ftype = "boolean"
    elif column in DATES.get(name, ()):
        ftype = "date"
    else:
        ftype = "string"
    field: dict = {"name": column, "type": ftype}
    if ftype == "boolean":
        field["trueValues"], field["falseValues"] = ["true"], ["false"]
    constraints: dict = {}
    if column not in OPTIONAL[name]:
        constraints["required"] = True
    if (name, column) in ENUMS:
        constraints["enum"] = [v for v in ENUMS[(name, column)] if v != ""]
    if name in ("observations", "definition_audit") and column == "period":
        constraints["pattern"] = PERIOD_PATTERN.strip("^$")
    if constraints:
        field["constraints"] = constraints
    return field


def datapackage_descriptor() -> dict:
    """Return the Frictionless Data Package descriptor of every table."""
    resources = []
    for name, filename in TABLE_FILES.items():
        schema = {
            "fields": [field_descriptor(name, column) for column in COLUMNS[name]],
            "missingValues": [""],
        }
        if len(KEYS[name]) == 1:
            schema["primaryKey"] = KEYS[name]
        schema["foreignKeys"] = [
            {"fields": column, "reference": {"resource": resource, "fields": ref}}
            for column, resource, ref in FOREIGN_KEYS[name]
        ]
        resources.append({
            "name": name, "path": filename, "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "schema": schema,
        })
    return {
        "profile": "tabular-data-package",
        "name": "ningbo-315-targets",
        "title": "Ningbo 2027 sci-tech innovation targets and sourced statistics",
        "description": "Targets of Ningbo's 315 sci-tech innovation plan (2023-2027) and related decisions, "
        "each traced to its clause, with sourced observations of the indicators; see data/README.md.",
        "resources": resources,
    }


def datapackage_json() -> str:
    """Return the descriptor as the exact text stored in data/datapackage.json."""
    import json

    return json.dumps(datapackage_descriptor(), ensure_ascii=False, indent=2) + "\n"
