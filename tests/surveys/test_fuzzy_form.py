"""The expert's pairwise form under Chang's fuzzy method: a matrix whose weights come out 0
(the method's defect) has an infinite CR. The form, its autosave and the API say so, suggest
revisions from the root method's weights, and answer valid JSON (no Infinity)."""

import json

from django.urls import reverse

from evaluations.models import Evaluation
from tests.api.conftest import token_client

from .test_form_flow import pair_fields

# FuzzyAHP's vignette matrix: Chang's extent analysis weighs it (1, 0, 0).
VIGNETTE = ["9", "5", "1/3"]


def chang(evaluation, policy=Evaluation.CRPolicy.WARN):
    evaluation.weighting_method = Evaluation.WeightingMethod.FUZZY_CHANG
    evaluation.cr_policy = policy
    evaluation.save()


def test_the_form_and_its_autosave_say_the_cr_is_infinite(expert_client, open_evaluation):
    chang(open_evaluation)
    u = open_evaluation.indicators.get(code="U")
    autosave = reverse("pairwise-autosave", args=[open_evaluation.pk, u.pk])

    response = expert_client.post(autosave, pair_fields(u, VIGNETTE))

    assert response.status_code == 200
    body = json.loads(response.content)  # strict: "Infinity" would not parse in a browser
    assert body["summary"] == "CR infinite (a weight of 0), inconsistent"
    page = expert_client.get(reverse("pairwise-form", args=[open_evaluation.pk, u.pk]))
    assert page.status_code == 200


def test_the_block_policy_refuses_the_submission_with_cr_infinite(
    expert, open_evaluation, membership
):
    chang(open_evaluation, Evaluation.CRPolicy.BLOCK)
    u = open_evaluation.indicators.get(code="U")
    judgments = [
        {"row": "U1", "col": "U2", "value": 9},
        {"row": "U1", "col": "U3", "value": 5},
        {"row": "U2", "col": "U3", "value": "1/3"},
    ]
    url = f"/api/v1/panels/{open_evaluation.pk}/pairwise/{u.pk}/"
    client = token_client(expert)

    saved = client.put(url, {"judgments": judgments}, format="json")
    refused = client.put(url, {"judgments": judgments, "submit": True}, format="json")

    assert saved.status_code == 200, saved.content
    assert saved.json()["cr"] is None and saved.json()["consistent"] is False
    assert refused.status_code == 400
    assert "CR = ∞" in json.dumps(refused.json(), ensure_ascii=False)
