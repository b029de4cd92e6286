"""Refresh the repository's copy of the reference data from an upstream folder.

    python -m tests.reference.refresh <upstream folder>     (or: make refresh-reference FROM=…)

Every upstream *.json file is copied over tests/reference/. The app's hierarchy catalogue
(evaluations/data/hierarchy_templates.json) is rebuilt from the upstream templates, keeping the
project's own additions (Chinese texts, descriptions, improvement recommendations) by template
key and indicator code. Nothing here runs at test or run time: the tests and the app read only
the copies inside the repository.
"""

import argparse
import json
import shutil
import sys
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent
CATALOG_PATH = REFERENCE_DIR.parents[1] / "evaluations" / "data" / "hierarchy_templates.json"

# Fields the project adds to upstream items. Upstream wins where it has a value of its own.
TEMPLATE_ADDITIONS = ("title_zh", "grades_zh", "description", "description_zh")
INDICATOR_ADDITIONS = (
    "name_zh",
    "description",
    "description_zh",
    "recommendation",
    "recommendation_zh",
)


def merge_catalog(upstream: dict, catalog: dict) -> tuple[dict, list[str]]:
    """The upstream templates with the catalogue's additions, and notes for the maintainer."""
    ours = {template["key"]: template for template in catalog.get("templates", [])}
    notes: list[str] = []
    merged = []
    for template in upstream["templates"]:
        previous = ours.pop(template["key"], None)
        if previous is None:
            notes.append(f"new template {template['key']}: add its Chinese texts")
            merged.append(template)
            continue
        result = _with_additions(template, previous, TEMPLATE_ADDITIONS)
        result["root"] = _merge_node(template["root"], _by_code(previous["root"]), notes)
        merged.append(result)
    for key, template in ours.items():
        notes.append(f"template {key} is the project's own (not upstream): kept")
        merged.append(template)
    result = {key: value for key, value in upstream.items() if key != "templates"}
    result["templates"] = merged
    return result, notes


def _with_additions(item: dict, previous: dict, fields: tuple[str, ...]) -> dict:
    result = {key: value for key, value in item.items() if key != "children"}
    for field in fields:
        if not result.get(field) and previous.get(field):
            result[field] = previous[field]
    return result


def _merge_node(node: dict, previous_by_code: dict[str, dict], notes: list[str]) -> dict:
    previous = previous_by_code.get(node["code"])
    if previous is None:
        notes.append(f"new indicator {node['code']} {node['name']}: add its additions")
        result = {key: value for key, value in node.items() if key != "children"}
    else:
        if previous.get("name") != node["name"] and previous.get("name_zh"):
            notes.append(f"{node['code']} renamed upstream to “{node['name']}”: check name_zh")
        result = _with_additions(node, previous, INDICATOR_ADDITIONS)
    children = node.get("children", [])
    if children:
        result["children"] = [_merge_node(child, previous_by_code, notes) for child in children]
    return result


def _by_code(node: dict) -> dict[str, dict]:
    found = {node["code"]: node}
    for child in node.get("children", []):
        found.update(_by_code(child))
    return found


def refresh(upstream_dir: Path, reference_dir: Path, catalog_path: Path) -> list[str]:
    sources = sorted(upstream_dir.glob("*.json"))
    if not sources:
        raise SystemExit(f"no *.json files in {upstream_dir}")
    for source in sources:
        shutil.copyfile(source, reference_dir / source.name)
    notes = [f"copied {source.name}" for source in sources]
    templates = upstream_dir / "hierarchy_templates.json"
    if templates.exists():
        upstream = json.loads(templates.read_text(encoding="utf-8"))
        catalog = json.loads(catalog_path.read_text(encoding="utf-8"))
        merged, merge_notes = merge_catalog(upstream, catalog)
        text = json.dumps(merged, ensure_ascii=False, indent=1) + "\n"
        catalog_path.write_text(text, encoding="utf-8")
        notes += merge_notes
    return notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("upstream", type=Path, help="folder holding the upstream *.json files")
    args = parser.parse_args(argv)
    for note in refresh(args.upstream, REFERENCE_DIR, CATALOG_PATH):
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
