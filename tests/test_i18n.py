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


def test_invitations_to_a_chinese_questionnaire_are_written_in_chinese(
    coordinator, django_capture_on_commit_callbacks
):
    from django.core import mail

    from evaluations.services import evaluation_create_from_template
    from experts.services import panel_add_experts

    evaluation = evaluation_create_from_template(
        owner=coordinator,
        template_key="sme-management-measures",
        subjects=["甲企业"],
        language="zh-hans",
    )
    with django_capture_on_commit_callbacks(execute=True):
        panel_add_experts(
            evaluation=evaluation, actor=coordinator, text="li@example.com", base_url="http://x"
        )

    (message,) = mail.outbox
    assert not message.subject.isascii()
    assert "中小电子商务企业管理措施" in message.body
    assert "邀请" in message.subject + message.body
