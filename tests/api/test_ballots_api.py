"""Experts through the API: their panels and ballots, saved by the same services as the forms."""

import json

from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluations.models import Evaluation
from surveys.models import PairwiseBallot, RatingBallot
from tests.api.conftest import token_client

CONSISTENT_U = [  # U1 vs U2, U1 vs U3, U2 vs U3: weights 4 : 2 : 1
    {"row": "U1", "col": "U2", "value": 2},
    {"row": "U1", "col": "U3", "value": "4"},
    {"row": "U2", "col": "U3", "value": 2.0},
]


def pairwise_url(evaluation, code: str) -> str:
    parent = evaluation.indicators.get(code=code)
    return reverse("v1:pairwise", args=[evaluation.pk, parent.pk])


def test_an_expert_lists_their_panels_with_what_is_asked(expert, membership, open_evaluation):
    [panel] = token_client(expert).get(reverse("v1:panel-list")).json()

    assert panel["evaluation"] == open_evaluation.pk
    assert [m["parent"] for m in panel["matrices"]] == ["U", "U1", "U2", "U3"]
    assert len(panel["subjects"]) == 2 and len(panel["grades"]) == 4


def test_submitting_a_consistent_matrix_saves_it_and_marks_results_stale(
    expert, membership, open_evaluation
):
    client = token_client(expert)

    response = client.put(
        pairwise_url(open_evaluation, "U"),
        {"judgments": CONSISTENT_U, "submit": True},
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "submitted" and body["consistent"] is True
    assert body["cr"] < 1e-9
    assert {(j["row"], j["col"], j["value"]) for j in body["judgments"]} == {
        ("U1", "U2", 2.0), ("U1", "U3", 4.0), ("U2", "U3", 2.0)
    }  # fmt: skip
    open_evaluation.refresh_from_db()
    assert open_evaluation.input_version == 1
    assert client.get(pairwise_url(open_evaluation, "U")).json() == body


def test_an_inconsistent_matrix_is_refused_under_the_block_policy(
    expert, membership, open_evaluation
):
    judgments = [dict(j) for j in CONSISTENT_U]
    judgments[2]["value"] = "1/9"  # U2 far below U3, yet U1 > U2 and U1 > U3 moderately

    response = token_client(expert).put(
        pairwise_url(open_evaluation, "U"), {"judgments": judgments, "submit": True}, format="json"
    )

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "judgments" and "CR" in error["message"]
    assert not PairwiseBallot.objects.exists()


def test_a_missing_judgment_is_named_by_its_pair(expert, membership, open_evaluation):
    response = token_client(expert).put(
        pairwise_url(open_evaluation, "U"),
        {"judgments": CONSISTENT_U[:2], "submit": True},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "judgments.U2-U3"


def test_ratings_are_saved_and_unknown_grades_named(expert, membership, open_evaluation):
    client = token_client(expert)
    subject = open_evaluation.subjects.first()
    grade = open_evaluation.grades.first()
    leaves = open_evaluation.indicators.filter(children__isnull=True).order_by("code")
    url = reverse("v1:ratings", args=[open_evaluation.pk, subject.pk])
    ratings = [{"indicator": leaf.code, "grade": grade.pk} for leaf in leaves]

    bad = client.put(url, {"ratings": [*ratings[:-1], {"indicator": leaves.last().code,
                                                       "grade": 999999}], "submit": True},
                     format="json")  # fmt: skip
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == f"ratings.{leaves.last().code}"
    assert not RatingBallot.objects.exists()

    good = client.put(url, {"ratings": ratings, "submit": True}, format="json")
    assert good.status_code == 200
    assert good.json()["status"] == "submitted" and len(good.json()["ratings"]) == 12


def test_a_closed_panel_refuses_ballots(expert, membership, open_evaluation):
    Evaluation.objects.filter(pk=open_evaluation.pk).update(status=Evaluation.Status.CLOSED)

    response = token_client(expert).put(
        pairwise_url(open_evaluation, "U"),
        {"judgments": CONSISTENT_U, "submit": True},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "status"


def test_only_the_panels_experts_reach_its_ballots(
    outsider, coordinator, membership, open_evaluation
):
    url = pairwise_url(open_evaluation, "U")
    for user in (outsider, coordinator):
        client = token_client(user)
        assert client.get(url).status_code == 404
        assert client.put(url, {"judgments": CONSISTENT_U}, format="json").status_code == 404


def test_a_read_only_token_cannot_submit(expert, membership, open_evaluation):
    client = token_client(expert, read_only=True)

    response = client.put(
        pairwise_url(open_evaluation, "U"),
        {"judgments": CONSISTENT_U, "submit": True},
        format="json",
    )

    assert response.status_code == 403
    assert not PairwiseBallot.objects.exists()


# --- hostile input -------------------------------------------------------------------------

values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.sampled_from([0, -1, 10, 1 / 10, "1/0", "0", "-3", "nine", "", "1/3", "9", True]),
    st.text(max_size=20),
    st.none(),
    st.lists(st.integers(), max_size=2),
)
codes = st.sampled_from(["U1", "U2", "U3", "U", "U11", "X", "", "U1-U2"])
judgment = st.fixed_dictionaries(
    {"row": codes, "col": codes, "value": values},
    optional={"comment": st.one_of(st.text(max_size=30), st.integers())},
)
bodies = st.one_of(
    st.fixed_dictionaries(
        {"judgments": st.lists(judgment, max_size=8)},
        optional={"submit": st.one_of(st.booleans(), st.text(max_size=3))},
    ),
    st.dictionaries(st.text(max_size=10), st.integers(), max_size=3),
    st.lists(st.integers(), max_size=3),
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies)
def test_hostile_pairwise_input_gets_a_clear_400_and_changes_nothing(
    expert, membership, open_evaluation, body
):
    url = pairwise_url(open_evaluation, "U")
    before = list(PairwiseBallot.objects.values("judgments", "status"))
    # Sent as raw JSON so NaN and Infinity reach the server as they would from a sloppy client.
    raw = json.dumps(body, allow_nan=True)

    response = token_client(expert).put(url, raw, content_type="application/json")

    if response.status_code == 200:  # hypothesis found a valid ballot: it must be stored as sent
        stored = PairwiseBallot.objects.get().judgments
        last = {(j["row"], j["col"]): j for j in body["judgments"]}
        answered = [  # an empty answer (no value, no comment) is not kept, as in the form
            j for j in last.values()
            if j["value"] is not None or str(j.get("comment", "")).strip()
        ]  # fmt: skip
        assert len(stored) == len(answered)
        PairwiseBallot.objects.all().delete()
        return
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert errors and all(e["rule"] and e["message"] for e in errors)
    assert list(PairwiseBallot.objects.values("judgments", "status")) == before


rating = st.fixed_dictionaries(
    {
        "indicator": st.sampled_from(["U11", "U12", "U1", "U", "X", "", "U11 "]),
        "grade": st.one_of(
            st.integers(min_value=-(10**12), max_value=10**12),
            st.floats(allow_nan=True, allow_infinity=True),
            st.text(max_size=5),
            st.none(),
            st.booleans(),
        ),
    },
    optional={
        "comment": st.one_of(st.text(max_size=30), st.none()),
        # "Don't know" is off on this evaluation, and only JSON's true and false say it.
        "dont_know": st.one_of(st.booleans(), st.text(max_size=3), st.integers(), st.none()),
    },
)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ratings=st.lists(rating, max_size=6), submit=st.booleans())
def test_hostile_rating_input_gets_a_clear_400_and_changes_nothing(
    expert, membership, open_evaluation, ratings, submit
):
    subject = open_evaluation.subjects.first()
    url = reverse("v1:ratings", args=[open_evaluation.pk, subject.pk])
    body = json.dumps({"ratings": ratings, "submit": submit}, allow_nan=True)

    response = token_client(expert).put(url, body, content_type="application/json")

    if response.status_code == 200:  # only drafts of real grades, or nothing, can pass
        assert not submit
        RatingBallot.objects.all().delete()
        return
    assert response.status_code == 400, response.content
    assert all(e["rule"] and e["message"] for e in response.json()["errors"])
    assert not RatingBallot.objects.exists()
