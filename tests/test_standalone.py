"""The repository stands alone: its code and tests read only files inside it."""

import json
import re
import subprocess
import sys

import pytest

from tests import standalone
from tests.conftest import REFERENCE_DIR, REPO_ROOT
from tests.reference import refresh

# A file in a folder beside the repository (it need not exist: the guard refuses the open).
# The names are assembled here so that this file does not itself name a path outside.
UP = ".."
SIBLING = REPO_ROOT.joinpath(UP, "upstream-reference", "cases.json")

# Ways a file can name a folder beside the repository: a parent-folder path in a string or a
# command, or a path built from the parent of the repository's root (of ROOT, or of a
# parents[n] that reaches it).
OUTSIDE_PATTERNS = [
    re.compile(r"""["']\.\./"""),
    re.compile(r"""(?<![\w.])\.\./[A-Za-z_]"""),
    re.compile(r"""(?:ROOT|root|parents\[\d+\])\.parent\s*/"""),
]
SCANNED_SUFFIXES = {".py", ".toml", ".cfg", ".ini", ".txt", ".yml", ".yaml", ".sh", ".js", ".html"}
SCANNED_NAMES = {"Makefile", "Dockerfile", "run", "services"}
# Outside git (an exported tree), what the project's own commands generate is left out too.
SKIPPED_DIRS = {
    ".venv", ".git", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache",
    ".hypothesis", "staticfiles", "test-artifacts",
}  # fmt: skip


def project_files():
    """The files of the project: those git tracks or would (not ignored), not what builds
    and runs leave behind (collected third-party static files name their own paths)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO_ROOT,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return [
            path
            for path in REPO_ROOT.rglob("*")
            if not SKIPPED_DIRS.intersection(path.relative_to(REPO_ROOT).parts)
        ]
    return [REPO_ROOT / name for name in listed.decode().split("\0") if name]


def scanned_files():
    for path in project_files():
        if not path.is_file():
            continue
        if path.suffix in SCANNED_SUFFIXES or path.name in SCANNED_NAMES:
            yield path


def test_no_source_or_test_names_a_folder_beside_the_repository():
    offenders = []
    for path in scanned_files():
        if path == REPO_ROOT / "tests" / "test_standalone.py":
            continue  # the patterns themselves
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if any(pattern.search(line) for pattern in OUTSIDE_PATTERNS):
                offenders.append(f"{path.relative_to(REPO_ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_scan_would_catch_the_old_way_of_reading_the_reference_data():
    parent = "REPO_ROOT." + "parent"
    old = f'REFERENCE_DIR = {parent} / "upstream" / "reference"'
    assert any(pattern.search(old) for pattern in OUTSIDE_PATTERNS)
    opened = f'open("{UP}/upstream/reference/cases.json")'
    assert any(pattern.search(opened) for pattern in OUTSIDE_PATTERNS)
    from_file = "Path(__file__).resolve().parents[2]." + 'parent / "upstream"'
    assert any(pattern.search(from_file) for pattern in OUTSIDE_PATTERNS)
    inside = 'Path(__file__).resolve().parent / "data"'  # the app's own data folder
    assert not any(pattern.search(inside) for pattern in OUTSIDE_PATTERNS)


def test_opening_a_file_beside_the_repository_fails_during_the_tests():
    with pytest.raises(standalone.OutsideRepository):
        open(SIBLING, encoding="utf-8")


def test_files_inside_the_repository_and_system_files_open_as_usual():
    assert json.loads((REFERENCE_DIR / "ri_tables.json").read_text())["paper"]["3"] == 0.57
    assert not standalone.outside_repository(sys.executable)
    assert not standalone.outside_repository("/etc/hostname")


def test_a_subprocess_of_the_suite_is_guarded_too_when_it_imports_the_guard():
    code = f"from tests import standalone; standalone.install()\nopen({str(SIBLING)!r})\n"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "OutsideRepository" in done.stderr


def test_the_reference_copy_has_every_file_the_tests_read():
    names = {path.name for path in REFERENCE_DIR.glob("*.json")}
    assert {"cases.json", "ri_tables.json", "hierarchy_templates.json", "screening.json"} <= names
    assert (REFERENCE_DIR / "README.md").exists()


# --- refreshing the copy from upstream ------------------------------------------------------


def _template(name_u1="Purchasing", extra_child=False):
    children = [{"code": "U11", "name": "Suppliers"}]
    if extra_child:
        children.append({"code": "U12", "name": "Contracts"})
    return {
        "_about": "upstream",
        "templates": [
            {
                "key": "t",
                "title": "T",
                "grades": [["good", 2], ["bad", 1]],
                "root": {
                    "code": "U",
                    "name": "Goal",
                    "children": [{"code": "U1", "name": name_u1, "children": children}],
                },
            }
        ],
    }


def test_a_refresh_keeps_the_projects_additions_by_indicator_code():
    catalog = _template()
    catalog["templates"][0]["title_zh"] = "模板"
    leaf = catalog["templates"][0]["root"]["children"][0]["children"][0]
    leaf.update(
        name_zh="供应商", recommendation="Compare suppliers.", recommendation_zh="比较供应商。"
    )

    merged, notes = refresh.merge_catalog(_template(extra_child=True), catalog)

    template = merged["templates"][0]
    assert template["title_zh"] == "模板"
    first, second = template["root"]["children"][0]["children"]
    assert first["recommendation"] == "Compare suppliers."
    assert first["recommendation_zh"] == "比较供应商。"
    assert first["name_zh"] == "供应商"
    assert "recommendation" not in second
    assert any("U12" in note for note in notes)


def test_a_refresh_takes_upstreams_own_texts_and_flags_renamed_indicators():
    catalog = _template()
    catalog["templates"][0]["root"]["children"][0]["name_zh"] = "采购"
    upstream = _template(name_u1="Procurement")
    upstream["templates"][0]["root"]["children"][0]["children"][0]["recommendation"] = "Upstream."
    ours_leaf = catalog["templates"][0]["root"]["children"][0]["children"][0]
    ours_leaf["recommendation"] = "Ours."

    merged, notes = refresh.merge_catalog(upstream, catalog)

    branch = merged["templates"][0]["root"]["children"][0]
    assert branch["name"] == "Procurement"
    assert branch["children"][0]["recommendation"] == "Upstream."
    assert any("U1 renamed" in note for note in notes)


def test_a_refresh_copies_the_upstream_files_and_rewrites_the_catalogue(tmp_path):
    upstream, reference, catalog = tmp_path / "up", tmp_path / "ref", tmp_path / "catalog.json"
    upstream.mkdir()
    reference.mkdir()
    (upstream / "cases.json").write_text('{"new": true}')
    (upstream / "hierarchy_templates.json").write_text(json.dumps(_template()))
    catalog.write_text(json.dumps({"templates": []}))

    refresh.refresh(upstream, reference, catalog)

    assert json.loads((reference / "cases.json").read_text()) == {"new": True}
    assert [t["key"] for t in json.loads(catalog.read_text())["templates"]] == ["t"]
