"""After a submit the expert goes on to the next form still to answer, or hears that all is
done; a refused submission is kept as a draft and its judgments to revise are flagged in the
form itself."""

import re

import pytest
from django.urls import reverse

from evaluations.engine import ahp
from evaluations.models import Evaluation
from surveys import services
from surveys.models import PairwiseBallot, RatingBallot
from surveys.services import pair_key
from surveys.wording import parse_token

CONSISTENT = {3: ["2", "4", "2"], 4: ["2", "4", "8", "2", "4", "2"]}
INCONSISTENT = ["9", "1/9", "9", "9", "1/9", "9"]


def pair_fields(parent, tokens):
    children = list(parent.children.all())
    keys = [pair_key(r, c) for x, r in enumerate(children) for c in children[x + 1 :]]
    return {f"pair-{key}": token for key, token in zip(keys, tokens, strict=True)}


def submit_pairwise(client, evaluation, code, **kwargs):
    parent = evaluation.indicators.get(code=code)
    tokens = CONSISTENT[parent.children.count()]
    url = reverse("pairwise-form", args=[evaluation.pk, parent.pk])
    return client.post(url, {**pair_fields(parent, tokens), "action": "submit"}, **kwargs)


def submit_rating(client, evaluation, subject, **kwargs):
    grade = evaluation.grades.first()
    fields = {
        f"grade-{leaf.pk}": str(grade.pk)
        for leaf in evaluation.indicators.filter(children__isnull=True)
    }
    url = reverse("rating-form", args=[evaluation.pk, subject.pk])
    return client.post(url, {**fields, "action": "submit"}, **kwargs)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_a_submit_goes_on_to_the_first_form_still_to_answer_and_says_what_was_submitted(
    expert_client, open_evaluation
):
    u = open_evaluation.indicators.get(code="U")

    response = submit_pairwise(expert_client, open_evaluation, "U1", follow=True)

    assert response.redirect_chain[-1][0] == reverse(
        "pairwise-form", args=[open_evaluation.pk, u.pk]
    )
    (message,) = messages_of(response)
    assert message.startswith("Submitted: your comparisons for U1 ")
    assert message.endswith(f"Next: U {u.name}.")


def test_ratings_come_after_every_pairwise_form(expert_client, open_evaluation):
    for code in ("U", "U1", "U2"):
        submit_pairwise(expert_client, open_evaluation, code)
    first_subject = open_evaluation.subjects.first()

    response = submit_pairwise(expert_client, open_evaluation, "U3")

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "rating-form", args=[open_evaluation.pk, first_subject.pk]
    )


def test_the_last_submit_says_all_done_on_the_panels_forms(expert_client, open_evaluation):
    for code in ("U", "U1", "U2", "U3"):
        submit_pairwise(expert_client, open_evaluation, code)
    first, last = list(open_evaluation.subjects.all())
    submit_rating(expert_client, open_evaluation, first)

    response = submit_rating(expert_client, open_evaluation, last, follow=True)

    assert response.redirect_chain[-1][0] == reverse("questionnaire", args=[open_evaluation.pk])
    message = messages_of(response)[-1]  # the earlier submits' messages were not shown
    assert f"Submitted: your ratings of {last.name}." in message
    assert "All done — thank you!" in message
    assert "you can revise your answers until the panel closes" in message
    assert "6 of 6 forms submitted." in response.content.decode()


def test_a_draft_on_top_of_submitted_answers_is_still_to_answer(
    expert_client, open_evaluation, membership
):
    for code in ("U", "U1", "U2", "U3"):
        submit_pairwise(expert_client, open_evaluation, code)
    u2 = open_evaluation.indicators.get(code="U2")
    services.pairwise_ballot_save(
        membership=membership,
        parent=u2,
        judgments={key: {"value": 1.0} for key in _keys(u2)},
        submit=False,
    )
    first, last = list(open_evaluation.subjects.all())
    submit_rating(expert_client, open_evaluation, first)

    response = submit_rating(expert_client, open_evaluation, last)

    assert response["Location"] == reverse("pairwise-form", args=[open_evaluation.pk, u2.pk])


def _keys(parent):
    children = list(parent.children.all())
    return [pair_key(r, c) for x, r in enumerate(children) for c in children[x + 1 :]]


def test_saving_a_draft_stays_on_the_form(expert_client, open_evaluation):
    u1 = open_evaluation.indicators.get(code="U1")
    url = reverse("pairwise-form", args=[open_evaluation.pk, u1.pk])

    response = expert_client.post(url, {**pair_fields(u1, CONSISTENT[4]), "action": "save"})

    assert response["Location"] == url


# --- a refused submission ----------------------------------------------------------------


def flagged_keys(page: str) -> list[str]:
    """The pair keys of the fieldsets marked as flagged, in the order of the form."""
    return re.findall(r'<fieldset class="pair card[^"]*\bflagged\b[^"]*" id="pair-([\d-]+)"', page)


def test_a_blocked_submit_keeps_a_draft_and_flags_the_pairs_the_engine_names(
    expert_client, open_evaluation
):
    u1 = open_evaluation.indicators.get(code="U1")
    url = reverse("pairwise-form", args=[open_evaluation.pk, u1.pk])

    response = expert_client.post(url, {**pair_fields(u1, INCONSISTENT), "action": "submit"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "Your answers were saved as a draft; they were not submitted because:" in page
    assert "Nothing was saved" not in page
    assert PairwiseBallot.objects.get().status == "draft"
    # the engine's diagnosis, worst first (the form shows the first three)
    children = list(u1.children.all())
    judgments = {key: {"value": parse_token(value)} for key, value in _tokens(u1).items()}
    matrix = services.pairwise_matrix(children, judgments)
    named = [pair_key(children[r.row], children[r.col]) for r in ahp.diagnose(matrix)[:3]]
    assert sorted(flagged_keys(page)) == sorted(named)
    for rank, key in enumerate(named, start=1):
        note = page.split(f'data-flag-for="{key}"', 1)[1].split("</div>", 1)[0]
        assert f"To revise: {rank} of 3" in note
        assert "Your other answers suggest" in note
        assert 'class="secondary use-suggestion"' in note
    # the error box points at them, worst first
    links = re.findall(r'<a href="#pair-([\d-]+)">', page.split('role="alert"', 1)[1])
    assert links[:3] == named


def _tokens(parent):
    return {key: token for key, token in zip(_keys(parent), INCONSISTENT, strict=True)}


def test_under_the_warn_policy_an_inconsistent_form_submits_and_moves_on(
    expert_client, open_evaluation
):
    open_evaluation.cr_policy = Evaluation.CRPolicy.WARN
    open_evaluation.save()
    u1 = open_evaluation.indicators.get(code="U1")
    url = reverse("pairwise-form", args=[open_evaluation.pk, u1.pk])

    response = expert_client.post(url, {**pair_fields(u1, INCONSISTENT), "action": "submit"})

    assert response.status_code == 302
    assert PairwiseBallot.objects.get().status == "submitted"


def test_a_consistent_form_has_no_flags(expert_client, open_evaluation):
    u1 = open_evaluation.indicators.get(code="U1")
    url = reverse("pairwise-form", args=[open_evaluation.pk, u1.pk])
    expert_client.post(url, {**pair_fields(u1, CONSISTENT[4]), "action": "save"})

    page = expert_client.get(url).content.decode()

    assert flagged_keys(page) == []
    assert "CR 0.0" in page  # the status line before the submit row


def test_autosave_answers_with_the_flags_and_the_short_summary(expert_client, open_evaluation):
    u1 = open_evaluation.indicators.get(code="U1")
    url = reverse("pairwise-autosave", args=[open_evaluation.pk, u1.pk])

    body = expert_client.post(url, pair_fields(u1, INCONSISTENT)).json()

    assert re.fullmatch(r"CR \d\.\d{3}, inconsistent", body["summary"])
    assert len(body["flags"]) == 3
    assert all("Use this value" in html for html in body["flags"].values())
    assert 'role="alert"' not in body["html"]  # announced once by the status line instead


@pytest.mark.parametrize("readonly", [False, True])
def test_the_consistency_panel_comes_before_the_submit_row(
    expert_client, open_evaluation, readonly
):
    if readonly:
        open_evaluation.status = Evaluation.Status.CLOSED
        open_evaluation.save()
    u1 = open_evaluation.indicators.get(code="U1")

    page = expert_client.get(reverse("pairwise-form", args=[open_evaluation.pk, u1.pk]))

    html = page.content.decode()
    assert html.index('id="consistency"') < html.index('value="submit"')
    assert 'aria-live="polite"' not in html.split('id="consistency"', 1)[1].split("</aside>")[0]


def test_the_panels_forms_count_drafts_apart_from_submitted_forms(
    expert_client, open_evaluation, membership
):
    submit_pairwise(expert_client, open_evaluation, "U1")
    u2 = open_evaluation.indicators.get(code="U2")
    services.pairwise_ballot_save(membership=membership, parent=u2, judgments={}, submit=False)
    RatingBallot.objects.create(membership=membership, subject=open_evaluation.subjects.first())

    page = expert_client.get(reverse("questionnaire", args=[open_evaluation.pk])).content.decode()

    assert "1 of 6 forms submitted." in page
    assert "2 drafts not submitted yet." in page
