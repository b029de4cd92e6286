"""The indicator-hierarchy templates coordinators can start from.

The catalogue ships with the app (evaluations/data/hierarchy_templates.json); a test keeps it
identical in structure to the project's reference file.
"""

import json
from functools import cache
from pathlib import Path

CATALOG_PATH = Path(__file__).resolve().parent / "data" / "hierarchy_templates.json"


@cache
def _catalog() -> dict[str, dict]:
    data = json.loads(CATALOG_PATH.read_text(encoding="utf-8"))
    return {template["key"]: template for template in data["templates"]}


def template_keys() -> list[str]:
    return list(_catalog())


def template_get(key: str) -> dict:
    """The template with this key; KeyError for an unknown key."""
    return _catalog()[key]


def localized(item: dict, field: str, language: str) -> str:
    """The item's text in `language`: "<field>_zh" for Simplified Chinese when it has one."""
    if language == "zh-hans" and item.get(f"{field}_zh"):
        return item[f"{field}_zh"]
    return item.get(field, "")
