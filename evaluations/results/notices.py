"""What the results pages say about input that is missing or thin: the snapshot's "missing"
reasons in the reader's language, and the leaves rated by fewer experts than the minimum
(evaluations/dont_know.py)."""

import re

from django.utils.translation import gettext as _

# The snapshot's "missing" reasons are English sentences; these turn them into the reader's
# language. Anything not matched is shown as written.
MISSING_PATTERNS = (
    (re.compile(r"^no submitted judgments for (?P<code>.+)$"), "no_judgments"),
    (re.compile(r"^no consistent judgments for (?P<code>.+)$"), "no_consistent"),
    # Codes hold no " for ", a subject's name may ("Toys for kids").
    (re.compile(r"^no ratings of (?P<codes>.+?) for (?P<subject>.+)$"), "no_ratings"),
    (re.compile(r"^no measured value of (?P<code>\S+) for (?P<subject>.+)$"), "no_value"),
    (re.compile(r"^no membership row of (?P<code>\S+) for (?P<subject>.+)$"), "no_row"),
    (
        re.compile(
            r"^the judgments for (?P<code>\S+) do not link all its elements: "
            r"comparing (?P<row>\S+) with (?P<col>\S+) would connect them$"
        ),
        "unlinked",
    ),
    (
        re.compile(
            r"^skipped comparisons for (?P<code>\S+) cannot be weighed "
            r"by the (?P<method>\S+) method$"
        ),
        "skipped_method",
    ),
)


def missing_in_words(reason: str, names: dict | None = None) -> str:
    """The reason in the reader's language; unrated leaves named by code and name."""
    for pattern, kind in MISSING_PATTERNS:
        found = pattern.match(reason)
        if not found:
            continue
        if kind == "no_judgments":
            return _("No submitted judgments for {code} yet.").format(**found.groupdict())
        if kind == "no_consistent":
            return _("No consistent judgments for {code}.").format(**found.groupdict())
        if kind == "unlinked":
            return _(
                "The judgments for {code} do not link all its sub-indicators (pairs were "
                "skipped): comparing {row} with {col} would connect them."
            ).format(**found.groupdict())
        if kind == "skipped_method":
            return _(
                "Skipped comparisons for {code} cannot be weighed by the chosen weighting "
                "method; choose the geometric or the eigenvector method."
            ).format(**found.groupdict())
        if kind == "no_value":
            return _("No measured value of {code} for {subject} yet.").format(**found.groupdict())
        if kind == "no_row":
            return _("No membership row of {code} for {subject} yet.").format(**found.groupdict())
        codes = found["codes"].split(", ")
        leaves = ", ".join(f"{code} {(names or {}).get(code, '')}".strip() for code in codes)
        return _("No ratings of {codes} for {subject} yet.").format(
            codes=leaves, subject=found["subject"]
        )
    return reason


def few_ratings(*, data: dict, names: dict) -> list[dict]:
    """The snapshot's `few_ratings` with each leaf's name (older snapshots have none)."""
    return [{**row, "leaf_name": names.get(row["leaf"], "")} for row in data.get("few_ratings", [])]


def dont_know_shown(*, data: dict) -> bool:
    if data["settings"].get("allow_dont_know"):
        return True
    return any(any(s.get("dont_know", {}).values()) for s in data["subjects"])
