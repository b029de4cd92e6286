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

HOSTILE = [
    "1e10000000",
    "1e999999999",
    "9" * 100_000,
    "1/" + "9" * 5000,
    "1" + "0" * 5000,
    "1e309",
    "1e-400",
    "0",
    "0.0",
    "-0",
    "0/7",
    "1/0",
    "-3",
    "nan",
    "inf",
    "-inf",
    "１/３",
    "3\x00",
    "((((1))))",
    "1_000",
]


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


# Number literals as a client may send them: JSON has no infinity, but 1e309 parses to one.
HOSTILE_NUMBERS = ["1e309", "-1e400", "1e-400", "1" + "0" * 400, "-" + "9" * 4000, "0", "-0", "0.0"]


@pytest.mark.timeout(60)
def test_the_api_answers_400_naming_the_judgment(expert, membership, parent):
    url = reverse("v1:pairwise", args=[parent.evaluation_id, parent.pk])
    client = token_client(expert)
    strings = [f'"{value}"' for value in HOSTILE if '"' not in value]
    for literal in [*strings, *HOSTILE_NUMBERS]:
        value = literal.replace("\x00", "\\u0000")  # JSON's escape for a NUL character
        body = '{"judgments": [{"row": "U1", "col": "U2", "value": ' + value + "}]}"

        response = client.put(url, body, content_type="application/json")

        assert response.status_code == 400, (literal[:40], response.content)
        [error] = response.json()["errors"]
        assert error["field"].startswith("judgments"), literal[:40]
    assert not PairwiseBallot.objects.exists()
