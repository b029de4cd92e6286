"""English and Simplified Chinese ship together: every message translated and compiled."""

import ast
import gettext
import re

from tests.conftest import REPO_ROOT

LOCALE = REPO_ROOT / "locale" / "zh_Hans" / "LC_MESSAGES"


def po_entries() -> dict[str, str]:
    """msgid → msgstr from the .po file (the subset of the format makemessages writes)."""
    entries = {}
    for block in LOCALE.joinpath("django.po").read_text(encoding="utf-8").split("\n\n"):
        if "#, fuzzy" in block and 'msgid ""\nmsgstr ""' not in block:
            entries[f"FUZZY: {block}"] = ""
        found = re.search(r'^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)', block, re.M)
        if found:
            msgid, msgstr = (
                "".join(ast.literal_eval(line) for line in part.split("\n") if line)
                for part in found.groups()
            )
            if msgid:
                entries[msgid] = msgstr
    return entries


def test_every_message_has_a_simplified_chinese_translation():
    entries = po_entries()

    assert len(entries) > 50
    assert [msgid for msgid, msgstr in entries.items() if not msgstr] == []


def test_the_compiled_catalogue_matches_the_po_file():
    with LOCALE.joinpath("django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)

    stale = [m for m, s in po_entries().items() if compiled.gettext(m) != s]
    assert stale == [], "run `manage.py compilemessages` after editing the .po file"
