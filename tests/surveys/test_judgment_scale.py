"""Finer judgments (issue 15 §1): what each judgment scale accepts and refuses, through the
ballot service and the expert's form, the wording of finer values, and narrowing the scale
while ballots hold values the narrower scale does not allow."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations.models import AuditEntry
from evaluations.services.lifecycle import evaluation_update_settings
from surveys import scales, services, wording
from surveys.models import PairwiseBallot
from tests.hostile import HOSTILE

VERBAL, INTERMEDIATE, CONTINUOUS = "verbal", "intermediate", "continuous"
SCALES = (VERBAL, INTERMEDIATE, CONTINUOUS)


def judgments_for(parent, values):
    children = list(parent.children.all())
    keys = [services.pair_key(r, c) for x, r in enumerate(children) for c in children[x + 1 :]]
    return {key: {"value": value, "comment": ""} for key, value in zip(keys, values, strict=True)}


def use_scale(evaluation, judgment_scale):
    evaluation_update_settings(
        evaluation=evaluation, actor=evaluation.owner, judgment_scale=judgment_scale
    )
    evaluation.refresh_from_db()
    assert evaluation.judgment_scale == judgment_scale


def save(membership, parent, values, *, submit=False):
    return services.pairwise_ballot_save(
        membership=membership, parent=parent, judgments=judgments_for(parent, values), submit=submit
    )


# --- parsing per scale ---------------------------------------------------------------------

ACCEPTED = {
    # text or number: (verbal, intermediate, continuous); None where the scale refuses it
    "3": (3.0, 3.0, 3.0),
    "1/3": (1 / 3, 1 / 3, 1 / 3),
    "0.3333333": (1 / 3, 1 / 3, 1 / 3),  # a decimal for a rung is the rung
    "2.5": (None, 2.5, 2.5),
    "1/2.5": (None, 0.4, 0.4),
    "0.4": (None, 0.4, 0.4),
    "8.5": (None, 8.5, 8.5),
    "0.8": (None, None, 0.8),
    "1/1.25": (None, None, 0.8),
    "2.37": (None, None, 2.37),
    " 9 ": (9.0, 9.0, 9.0),
    "1/9": (1 / 9, 1 / 9, 1 / 9),
    0.8: (None, None, 0.8),
    2.5: (None, 2.5, 2.5),
    7: (7.0, 7.0, 7.0),
    "12": (None, None, None),
    "9.5": (None, None, None),
    "1/9.5": (None, None, None),
    "0.1": (None, None, None),
    "1/2.5000001": (None, None, None),  # a 7-decimal denominator: past the grammar
    "2.5/3": (None, None, None),  # the numerator is a whole number
    "2,5": (None, None, None),
    True: (None, None, None),
    10**400: (None, None, None),
}


@pytest.mark.parametrize("value", list(ACCEPTED), ids=repr)
def test_each_scale_accepts_its_values_and_refuses_the_rest(value):
    for judgment_scale, expected in zip(SCALES, ACCEPTED[value], strict=True):
        got = scales.scale_value(value, judgment_scale)
        if expected is None:
            assert got is None, (judgment_scale, value)
        else:
            assert got == pytest.approx(expected, rel=1e-12), (judgment_scale, value)


@pytest.mark.timeout(10)
@pytest.mark.parametrize("judgment_scale", [VERBAL, INTERMEDIATE, CONTINUOUS])
def test_hostile_text_is_refused_on_every_scale_without_converting(judgment_scale):
    for value in [*HOSTILE, "1/0.0", "1/0.000000", "1e-400", "1/1e5", "0x10", "+3", ".5"]:
        assert scales.scale_value(value, judgment_scale) is None, value


def test_the_fraction_grammar_takes_a_short_decimal_denominator():
    assert wording.parse_token("1/2.5") == pytest.approx(0.4, rel=1e-15)
    assert wording.parse_token("3/1.5") == 2.0
    assert wording.parse_token("1/0.0") == "1/0.0"  # no division by zero
    assert wording.parse_token("1/" + "2" * 40) == "1/" + "2" * 40  # past the length limit


# --- the service, scale by scale -------------------------------------------------------------


def test_the_default_verbal_scale_refuses_2_5_naming_the_pair_and_the_rule(
    membership, open_evaluation
):
    u1 = open_evaluation.indicators.get(code="U1")
    assert open_evaluation.judgment_scale == VERBAL

    with pytest.raises(ValidationError) as refused:
        save(membership, u1, [2.5, 1, 1, 1, 1, 1])

    [[message]] = refused.value.message_dict.values()
    assert message == "U11 vs U12: 2.5 is not on the 1–9 scale (1 to 9 or 1/2 to 1/9)."
    assert not PairwiseBallot.objects.exists()


def test_the_intermediate_scale_takes_half_steps_and_refuses_0_8(membership, open_evaluation):
    use_scale(open_evaluation, INTERMEDIATE)
    u1 = open_evaluation.indicators.get(code="U1")

    ballot = save(membership, u1, ["2.5", "1/2.5", 1, 1, 1, 1])
    assert [a["value"] for a in ballot.judgments.values()][:2] == [2.5, 0.4]

    with pytest.raises(ValidationError) as refused:
        save(membership, u1, [0.8, 1, 1, 1, 1, 1])
    [[message]] = refused.value.message_dict.values()
    assert message.startswith("U11 vs U12: 0.8 is not on the intermediate scale (1 to 9 in half")


def test_the_continuous_scale_takes_any_value_from_a_ninth_to_nine(membership, open_evaluation):
    use_scale(open_evaluation, CONTINUOUS)
    u1 = open_evaluation.indicators.get(code="U1")

    draft = save(membership, u1, ["0.8", "1/2.37", 2.37, 9, "1/9", 1])
    values = [a["value"] for a in draft.judgments.values()]
    assert values == pytest.approx([0.8, 1 / 2.37, 2.37, 9, 1 / 9, 1], rel=1e-12)
    # Weights (1, 1.25, 0.4, 0.5) give these judgments exactly: CR 0, so it can be submitted.
    ballot = save(membership, u1, ["0.8", "2.5", "2", "3.125", "1/0.4", "1/1.25"], submit=True)

    values = [a["value"] for a in ballot.submitted_judgments.values()]
    assert values == pytest.approx([0.8, 2.5, 2, 3.125, 2.5, 0.8], rel=1e-12)
    assert ballot.submitted_cr == pytest.approx(0, abs=1e-12)


@pytest.mark.parametrize("value", ["12", 12, "0.1", "1/10"])
def test_the_continuous_scale_refuses_values_outside_its_range(membership, open_evaluation, value):
    use_scale(open_evaluation, CONTINUOUS)
    u1 = open_evaluation.indicators.get(code="U1")

    with pytest.raises(ValidationError) as refused:
        save(membership, u1, [value, 1, 1, 1, 1, 1])

    [[message]] = refused.value.message_dict.values()
    assert message.startswith(f"U11 vs U12: {value} is outside 1/9–9")


def test_a_refusal_quotes_a_long_value_cut_short(membership, open_evaluation):
    use_scale(open_evaluation, CONTINUOUS)
    u1 = open_evaluation.indicators.get(code="U1")
    with pytest.raises(ValidationError) as refused:
        save(membership, u1, ["9" * 5000, 1, 1, 1, 1, 1])
    [[message]] = refused.value.message_dict.values()
    assert len(message) < 200 and "…" in message


def test_inconsistent_finer_judgments_get_suggestions_on_the_same_scale(
    membership, open_evaluation
):
    use_scale(open_evaluation, CONTINUOUS)
    u1 = open_evaluation.indicators.get(code="U1")
    children = list(u1.children.all())
    # 4 elements, judgments far from any weights: the block policy refuses, naming revisions.
    judgments = judgments_for(u1, [0.8, 7.3, 1 / 6.4, 5.5, 0.15, 8.2])

    check = services.pairwise_consistency(
        evaluation=open_evaluation, children=children, judgments=judgments
    )

    assert check.consistent is False and check.revisions
    for revision in check.revisions:
        ratio = revision.suggested if revision.suggested >= 1 else 1 / revision.suggested
        assert ratio == pytest.approx(round(ratio, 1), abs=1e-9)  # tenths, not verbal rungs
    assert any(round(r.suggested) != r.suggested for r in check.revisions)


# --- narrowing the scale --------------------------------------------------------------------


def test_narrowing_is_refused_while_ballots_hold_values_it_does_not_allow(
    membership, open_evaluation
):
    use_scale(open_evaluation, CONTINUOUS)
    u1 = open_evaluation.indicators.get(code="U1")
    u2 = open_evaluation.indicators.get(code="U2")
    save(membership, u1, [0.8, 2.5, 1, 1, 1, 1], submit=True)
    save(membership, u1, [0.8, 2.5, 3, 1, 1, 1])  # a draft on top: the same pairs count once
    pairs = u2.children.count() * (u2.children.count() - 1) // 2
    save(membership, u2, [1.5] + [1] * (pairs - 1))
    entries = AuditEntry.objects.count()

    with pytest.raises(ValidationError) as to_verbal:
        use_scale(open_evaluation, VERBAL)
    [message] = to_verbal.value.message_dict["judgment_scale"]
    assert message.startswith("The judgment scale cannot become “Verbal 1–9 scale")
    assert "3 stored judgments are not on it (for example " in message
    assert "in 2 of the panel's ballots. Ask the experts to revise them" in message

    with pytest.raises(ValidationError) as to_intermediate:
        use_scale(open_evaluation, INTERMEDIATE)
    [message] = to_intermediate.value.message_dict["judgment_scale"]
    assert "1 stored judgment is not on it (0.8, in 1 of the panel's ballots)" in message

    open_evaluation.refresh_from_db()
    assert open_evaluation.judgment_scale == CONTINUOUS  # nothing changed
    assert AuditEntry.objects.count() == entries


def test_narrowing_is_allowed_once_the_values_fit(membership, open_evaluation):
    use_scale(open_evaluation, CONTINUOUS)
    u1 = open_evaluation.indicators.get(code="U1")
    save(membership, u1, [2.5, 2, 1, 1, 1, 1], submit=True)
    use_scale(open_evaluation, INTERMEDIATE)  # 2.5 is a half step
    with pytest.raises(ValidationError):
        use_scale(open_evaluation, VERBAL)
    save(membership, u1, [3, 2, 1, 1, 1, 1], submit=True)  # the expert revises
    use_scale(open_evaluation, VERBAL)
    use_scale(open_evaluation, CONTINUOUS)  # widening is always allowed


# --- words and tokens -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (9.0, "9"),
        (1 / 3, "1/3"),
        (2.5, "2.5"),
        (0.4, "1/2.5"),
        (0.8, "0.8"),
        (1 / 2.37, "1/2.37"),
        (1.25, "1.25"),
        (0.0, ""),
        (1e-300, "1e-300"),
    ],
)
def test_a_value_travels_in_forms_as_its_shortest_exact_spelling(value, text):
    assert wording.token(value) == text
    if text and value > 1e-3:
        assert wording.parse_token(text) == pytest.approx(value, rel=1e-12)


def test_finer_judgments_are_worded_with_their_own_number():
    assert wording.describe("A", "B", 2.5) == "A is moderately more important than B (2.5)"
    assert wording.describe("A", "B", 0.8) == "B is slightly more important than A (1.25)"
    assert wording.describe("A", "B", 3.0) == "A is moderately more important than B (3)"


def test_the_intermediate_form_offers_33_choices():
    options = wording.scale_options(INTERMEDIATE)
    assert [o["token"] for o in options][:4] == ["9", "8.5", "8", "7.5"]
    assert len(options) == 33 and sum(o["half"] for o in options) == 16
    assert [o["token"] for o in options][15:18] == ["1.5", "1", "1/1.5"]
    assert options[16]["side"] == "equal" and options[17].get("first_right")
    assert len(wording.scale_options()) == 17


# --- the expert's form ------------------------------------------------------------------------


def form_url(evaluation, parent):
    return reverse("pairwise-form", args=[evaluation.pk, parent.pk])


def pair_fields(parent, values):
    keys = judgments_for(parent, values)
    return {f"pair-{key}": value for key, value in zip(keys, values, strict=True)}


def test_the_intermediate_form_shows_half_steps_and_keeps_a_chosen_one(
    expert_client, open_evaluation
):
    use_scale(open_evaluation, INTERMEDIATE)
    u1 = open_evaluation.indicators.get(code="U1")
    fields = pair_fields(u1, ["2.5", "1/2.5", "1", "1", "1", "1"])

    response = expert_client.post(form_url(open_evaluation, u1), {**fields, "action": "save"})

    assert response.status_code == 302
    page = expert_client.get(form_url(open_evaluation, u1)).content.decode()
    first = next(iter(fields))
    assert f'name="{first}" value="2.5" checked' in page
    assert page.count('type="radio"') == 6 * 33


def test_the_continuous_form_has_a_number_box_and_a_slider(expert_client, open_evaluation):
    use_scale(open_evaluation, CONTINUOUS)
    u1 = open_evaluation.indicators.get(code="U1")
    fields = pair_fields(u1, ["0.8", "1/2.5", "2.37", "1", "1", "1"])

    response = expert_client.post(form_url(open_evaluation, u1), {**fields, "action": "save"})

    assert response.status_code == 302
    page = expert_client.get(form_url(open_evaluation, u1)).content.decode()
    assert 'type="radio"' not in page
    assert page.count('class="judgment-slider"') == 6
    first, second, third = list(fields)[:3]
    assert f'name="{first}" value="0.8"' in page
    assert f'name="{second}" value="1/2.5"' in page
    assert f'name="{third}" value="2.37"' in page
    assert "judgment_slider.js" in page


def test_the_continuous_form_refuses_12_naming_the_pair_and_the_range(
    expert_client, open_evaluation
):
    use_scale(open_evaluation, CONTINUOUS)
    u1 = open_evaluation.indicators.get(code="U1")
    fields = pair_fields(u1, ["12", "1", "1", "1", "1", "1"])

    response = expert_client.post(form_url(open_evaluation, u1), {**fields, "action": "save"})

    assert response.status_code == 400
    assert "U11 vs U12: 12 is outside 1/9–9" in response.content.decode()
    assert not PairwiseBallot.objects.exists()


def test_the_autosave_takes_a_finer_value_and_redraws_the_consistency(
    expert_client, open_evaluation
):
    use_scale(open_evaluation, CONTINUOUS)
    u1 = open_evaluation.indicators.get(code="U1")
    fields = pair_fields(u1, ["0.8", "2.5", "2", "3", "2.5", "1.25"])
    url = reverse("pairwise-autosave", args=[open_evaluation.pk, u1.pk])

    response = expert_client.post(url, fields)

    assert response.status_code == 200 and response.json()["saved"] is True
    assert "CR" in response.json()["summary"]
    ballot = PairwiseBallot.objects.get()
    assert [a["value"] for a in ballot.judgments.values()] == pytest.approx(
        [0.8, 2.5, 2, 3, 2.5, 1.25]
    )


def test_the_settings_page_offers_the_scale_and_names_a_refused_narrowing(
    coordinator_client, membership, open_evaluation
):
    from tests.evaluations.test_editor_pages import settings_data

    url = reverse("evaluation-settings", args=[open_evaluation.pk])
    page = coordinator_client.get(url).content.decode()
    assert 'name="judgment_scale"' in page and 'value="continuous"' in page

    response = coordinator_client.post(url, settings_data(judgment_scale="continuous"))
    assert response.status_code == 302
    open_evaluation.refresh_from_db()
    assert open_evaluation.judgment_scale == CONTINUOUS
    save(membership, open_evaluation.indicators.get(code="U1"), [0.8, 1, 1, 1, 1, 1])

    response = coordinator_client.post(url, settings_data(judgment_scale="verbal"))

    assert response.status_code == 400
    page = response.content.decode().replace("&#x27;", "'")
    assert "1 stored judgment is not on it (0.8, in 1 of the panel's ballots)" in page
    open_evaluation.refresh_from_db()
    assert open_evaluation.judgment_scale == CONTINUOUS
    # A client posting the older settings only (no judgment_scale) keeps the scale.
    response = coordinator_client.post(url, settings_data())
    assert response.status_code == 302
    open_evaluation.refresh_from_db()
    assert open_evaluation.judgment_scale == CONTINUOUS
