"""The expert weights per first-level criterion a snapshot was computed with, for the results
page and the exports (the snapshot's expert_criterion_weights; experts.criterion_weights)."""

from django.utils.translation import gettext as _


def criterion_weights_report(*, data: dict, names: dict) -> list[dict]:
    """The experts weighted per first-level criterion, each with their overall weight and
    their weight for each criterion that has one, named as the matrices name them (aliases for
    experts reading shared results)."""
    named = {
        str(expert["membership"]): expert["name"]
        for matrix in data.get("matrices", [])
        for expert in matrix.get("per_expert") or []
    }
    overall = data.get("expert_weights", {})
    return [
        {
            "name": named.get(membership, _("An expert without judgments")),
            "weight": overall.get(membership),
            "criteria": [
                {"code": code, "name": names.get(code, ""), "weight": weight}
                for code, weight in by_criterion.items()
            ],
        }
        for membership, by_criterion in data.get("expert_criterion_weights", {}).items()
    ]
