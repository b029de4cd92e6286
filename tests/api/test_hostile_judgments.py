"""Hostile judgment values cost a pattern match, never a long computation or a 500 (issue 12).

Each value goes through every door a judgment has: the HTML form (save and submit), the
autosave endpoint and the API. Each answer is a 400 naming the pair, nothing is saved, and the
timeout turns a parser that computes before it checks (Fraction("1e10000000") held a process
for 5.7 s) into a failure instead of a hang. The timeout is a hang guard, not a speed target.
"""

import pytest
from django.urls import reverse

from surveys import services
from surveys.models import PairwiseBallot
from surveys.wording import parse_token
from tests.api.conftest import token_client
from tests.hostile import HOSTILE, HOSTILE_NUMBERS, json_strings


@pytest.fixture
def parent(open_evaluation):
    return open_evaluation.indicators.get(code="U")


def first_pair(parent) -> str:
    first, second = list(parent.children.all())[:2]
    return services.pair_key(first, second)


# One test per door, every value in it: the panel is built once per door, not per value.


@pytest.mark.timeout(10)
def test_the_text_parser_refuses_without_converting():
    for value in HOSTILE:
        parsed = parse_token(value)
        assert parsed == value or parsed <= 0, value  # refused, or a 0 the service refuses


@pytest.mark.timeout(60)
@pytest.mark.parametrize("action", ["save", "submit"])
def test_the_html_form_answers_400_naming_the_pair(client, expert, membership, parent, action):
    client.force_login(expert)
    url = reverse("pairwise-form", args=[parent.evaluation_id, parent.pk])
    for value in HOSTILE:
        response = client.post(url, {f"pair-{first_pair(parent)}": value, "action": action})

        assert response.status_code == 400, value
        assert first_pair(parent) in response.context["errors"], value
        # The refused value is quoted back cut short, not echoed whole.
        assert all(len(m) < 300 for m in response.context["errors"][first_pair(parent)]), value
    assert not PairwiseBallot.objects.filter(judgments__has_key=first_pair(parent)).exists()


@pytest.mark.timeout(60)
def test_the_autosave_answers_400_naming_the_pair(client, expert, membership, parent):
    client.force_login(expert)
    url = reverse("pairwise-autosave", args=[parent.evaluation_id, parent.pk])
    for value in HOSTILE:
        response = client.post(url, {f"pair-{first_pair(parent)}": value})

        assert response.status_code == 400, value
        assert first_pair(parent) in response.json()["errors"], value
    assert not PairwiseBallot.objects.exists()


@pytest.mark.timeout(60)
def test_the_api_answers_400_naming_the_judgment(expert, membership, parent):
    url = reverse("v1:pairwise", args=[parent.evaluation_id, parent.pk])
    client = token_client(expert)
    for literal in [*json_strings(), *HOSTILE_NUMBERS]:
        body = '{"judgments": [{"row": "U1", "col": "U2", "value": ' + literal + "}]}"

        response = client.put(url, body, content_type="application/json")

        assert response.status_code == 400, (literal[:40], response.content)
        [error] = response.json()["errors"]
        assert error["field"].startswith("judgments"), literal[:40]
    assert not PairwiseBallot.objects.exists()
