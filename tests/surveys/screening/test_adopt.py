"""Adopt: a screened survey becomes the evaluation's hierarchy, through the structure services,
all at once or not at all."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from evaluations.audit_wording import audit_entry_detail
from evaluations.models import MAX_CHILDREN, AuditEntry
from evaluations.services.structure import ERROR_STRUCTURE_LOCKED
from experts.models import PanelMembership
from surveys.models import PairwiseBallot, ScreeningItem
from surveys.screening import adopt, rounds, services

HIERARCHY = AuditEntry.Action.EDITED_HIERARCHY


def refusal(error: ValidationError) -> tuple[str, str]:
    ((field, messages),) = error.message_dict.items()
    return field, messages[0]


def tree(evaluation) -> list[tuple[str, str]]:
    return list(evaluation.indicators.order_by("code").values_list("code", "name"))


def snapshot(evaluation) -> tuple:
    indicators = evaluation.indicators.order_by("pk").values_list("pk", "parent_id", "code", "name")
    return list(indicators), evaluation.audit_entries.count()


def at(evaluation, code):
    return evaluation.indicators.get(code=code)


def named(question, name) -> ScreeningItem:
    return question.items.get(name=name)


def decide_all(round, coordinator, decisions: dict) -> None:
    """decisions: item → "keep" | "drop" | ("revise", new name) | ("merge", item)."""
    for item, decision in decisions.items():
        extra = {}
        if isinstance(decision, tuple):
            decision, argument = decision
            extra = {"new_name": argument} if decision == "revise" else {"merged_into": argument}
        rounds.decision_set(round=round, item=item, actor=coordinator, decision=decision, **extra)


@pytest.fixture
def closed_round(first_round, coordinator):
    return rounds.round_close(round=first_round, actor=coordinator)


def adopt_as_planned(survey, coordinator) -> adopt.AdoptSummary:
    """survey_adopt, after checking that its dry run writes nothing and says what it then does:
    the same summary, codes included, or the same first refusal (field, message and code)."""
    before = snapshot(survey.evaluation)
    plan = adopt.survey_adopt_plan(survey=survey)
    assert snapshot(survey.evaluation) == before
    try:
        summary = services.survey_adopt(survey=survey, actor=coordinator)
    except ValidationError as refused:
        assert plan.refusals, "survey_adopt refused what its plan allowed"
        first = plan.refusals[0]
        assert refusal(refused) == (first.field, first.message)
        assert refused.error_dict[first.field][0].code == first.code
        raise
    assert plan.refusals == []
    assert plan.summary() == summary
    return summary


def keep_everything(round, survey, coordinator) -> None:
    items = ScreeningItem.objects.filter(
        question__survey=survey, question__kind__in=["rating", "ranking"]
    )
    decide_all(round, coordinator, {item: "keep" for item in items})


# ---------------------------------------------------------------------------------------------
# End to end


def test_a_two_round_study_becomes_the_hierarchy(
    survey, evaluation, closed_round, rating_question, ranking_question, coordinator
):
    u1, root = at(evaluation, "U1"), at(evaluation, "U")
    u11, u12, u13, u14 = rating_question.items.all()
    credit, operational, market, legal = ranking_question.items.all()
    decide_all(
        closed_round,
        coordinator,
        {
            u11: "keep",
            u12: ("revise", "Purchase approval"),
            u13: "drop",
            u14: "keep",
            credit: "keep",
            operational: ("merge", credit),
            market: "drop",
            legal: "keep",
        },
    )
    logistics = rounds.suggested_item_add(
        round=closed_round,
        question=rating_question,
        actor=coordinator,
        name="Logistics control",
        place_under=u1,
    )
    second = rounds.round_open(survey=survey, actor=coordinator)
    rounds.round_close(round=second, actor=coordinator)
    decide_all(second, coordinator, {logistics: "keep", u12: "keep"})

    summary = adopt_as_planned(survey, coordinator)

    assert summary == adopt.AdoptSummary(
        added=["U14", "U4", "U5"], renamed=["U12"], deleted=["U13"]
    )
    assert tree(evaluation) == [
        ("U", root.name),
        ("U1", u1.name),
        ("U11", "Supplier selection"),
        ("U12", "Purchase approval"),
        ("U13", "Price control"),
        ("U14", "Logistics control"),
        ("U2", "Human resource management"),
        *[
            (f"U2{n}", name)
            for n, name in enumerate(
                [
                    "Talent reserve programmes",
                    "Performance appraisal",
                    "Retraining system",
                    "Incentive mechanism",
                ],
                start=1,
            )
        ],
        ("U3", "Information system management"),
        *[
            (f"U3{n}", name)
            for n, name in enumerate(
                [
                    "Security organisation and products",
                    "Access permissions and audit trail",
                    "Data backup and monitoring",
                    "Security technology updates",
                ],
                start=1,
            )
        ],
        ("U4", "Credit risk"),
        ("U5", "Legal risk"),
    ]
    # The new indicators are linked to their items, and each change is in the activity log.
    logistics.refresh_from_db()
    credit.refresh_from_db()
    assert (logistics.indicator.code, credit.indicator.code) == ("U14", "U4")
    details = list(
        evaluation.audit_entries.filter(action=HIERARCHY).values_list("detail", flat=True)
    )
    assert "deleted U13 Payment risk management" in details
    assert "edited U12 Purchase approval: name" in details
    assert "added U14 Logistics control" in details
    adopted = evaluation.audit_entries.get(action=HIERARCHY, params__change="adopted")
    assert adopted.params["added"] == ["U14", "U4", "U5"]
    assert adopted.actor == coordinator
    with translation.override("en"):
        worded = audit_entry_detail(adopted)
    assert worded.startswith("adopted the screening survey “Indicator screening”: added U14, U4")
    assert worded.endswith("deleted U13")


def test_adopting_again_changes_nothing(survey, evaluation, closed_round, coordinator):
    keep_everything(closed_round, survey, coordinator)
    adopt_as_planned(survey, coordinator)
    before = tree(evaluation)

    summary = adopt_as_planned(survey, coordinator)

    assert summary == adopt.AdoptSummary()
    assert tree(evaluation) == before


def test_deleted_siblings_are_logged_with_the_codes_they_had(
    survey, evaluation, closed_round, rating_question, coordinator
):
    keep_everything(closed_round, survey, coordinator)
    u11, u12, u13, u14 = rating_question.items.all()
    decide_all(closed_round, coordinator, {u12: "drop", u13: "drop"})

    summary = adopt_as_planned(survey, coordinator)

    assert summary.deleted == ["U13", "U12"]
    details = evaluation.audit_entries.filter(action=HIERARCHY).values_list("detail", flat=True)
    assert {"deleted U12 Procurement authorisation", "deleted U13 Payment risk management"} <= set(
        details
    )
    assert [code for code, _name in tree(evaluation) if code.startswith("U1")] == [
        "U1",
        "U11",
        "U12",
    ]


def test_a_dropped_indicator_goes_with_its_subtree(survey, evaluation, coordinator):
    question = services.question_add(
        survey=survey,
        actor=coordinator,
        kind="rating",
        text="Which areas?",
        levels=5,
        items_from=at(evaluation, "U"),
    )
    first = rounds.round_open(survey=survey, actor=coordinator)
    rounds.round_close(round=first, actor=coordinator)
    u1, u2, u3 = question.items.all()
    decide_all(first, coordinator, {u1: "drop", u2: "keep", u3: "keep"})

    summary = adopt_as_planned(survey, coordinator)

    assert summary.deleted == ["U1"]
    assert evaluation.indicators.count() == 1 + 2 * 5
    assert at(evaluation, "U1").name == "Human resource management"


def test_an_indicator_kept_by_one_question_stays_when_another_drops_it(
    survey, evaluation, rating_question, coordinator
):
    again = services.question_add(
        survey=survey,
        actor=coordinator,
        kind="rating",
        text="And on a 9-point scale?",
        levels=9,
        items_from=at(evaluation, "U1"),
    )
    first = rounds.round_open(survey=survey, actor=coordinator)
    rounds.round_close(round=first, actor=coordinator)
    keep_everything(first, survey, coordinator)
    decide_all(first, coordinator, {again.items.first(): "drop"})

    summary = adopt_as_planned(survey, coordinator)

    assert summary == adopt.AdoptSummary()
    assert at(evaluation, "U11").name == "Supplier selection"


# ---------------------------------------------------------------------------------------------
# Refusals change nothing


def test_a_parent_with_a_tenth_child_is_refused_naming_it(survey, evaluation, coordinator):
    u1 = at(evaluation, "U1")
    services.question_add(
        survey=survey,
        actor=coordinator,
        kind="ranking",
        text="Which controls?",
        items=[f"Control {letter}" for letter in "ABCDEF"],
        place_under=u1,
    )
    first = rounds.round_open(survey=survey, actor=coordinator)
    rounds.round_close(round=first, actor=coordinator)
    keep_everything(first, survey, coordinator)
    before = snapshot(evaluation)

    with pytest.raises(ValidationError) as refused:
        adopt_as_planned(survey, coordinator)

    message = _(adopt.ERROR_ADOPT_PARENT_FULL).format(
        code="U1", name=u1.name, count=10, limit=MAX_CHILDREN
    )
    assert refusal(refused.value) == ("place_under", message)
    assert snapshot(evaluation) == before
    assert not ScreeningItem.objects.filter(
        question__survey=survey, indicator__isnull=False
    ).exists()


def test_a_dropped_child_makes_room_for_a_ninth(survey, evaluation, coordinator):
    u1 = at(evaluation, "U1")
    rating = services.question_add(
        survey=survey, actor=coordinator, kind="rating", text="Keep?", levels=5, items_from=u1
    )
    services.question_add(
        survey=survey,
        actor=coordinator,
        kind="ranking",
        text="Which controls?",
        items=[f"Control {letter}" for letter in "ABCDEF"],
        place_under=u1,
    )
    first = rounds.round_open(survey=survey, actor=coordinator)
    rounds.round_close(round=first, actor=coordinator)
    keep_everything(first, survey, coordinator)
    decide_all(first, coordinator, {rating.items.first(): "drop"})

    summary = adopt_as_planned(survey, coordinator)

    assert summary.deleted == ["U11"]
    assert u1.children.count() == MAX_CHILDREN


def test_adopt_is_refused_once_a_ballot_exists(
    survey, evaluation, closed_round, rating_question, ranking_question, coordinator
):
    # Only a rename to do, which the structure services allow under ballots: Adopt still waits.
    keep_everything(closed_round, survey, coordinator)
    decide_all(closed_round, coordinator, {item: "drop" for item in ranking_question.items.all()})
    decide_all(closed_round, coordinator, {rating_question.items.first(): ("revise", "Sourcing")})
    membership = PanelMembership.objects.create(evaluation=evaluation, email="e@example.com")
    PairwiseBallot.objects.create(membership=membership, parent=at(evaluation, "U"))
    before = snapshot(evaluation)

    with pytest.raises(ValidationError) as refused:
        adopt_as_planned(survey, coordinator)

    assert refusal(refused.value) == ("structure", _(ERROR_STRUCTURE_LOCKED))
    assert snapshot(evaluation) == before


def test_adopt_waits_for_the_open_round(survey, first_round, coordinator):
    with pytest.raises(ValidationError) as refused:
        adopt_as_planned(survey, coordinator)

    assert refusal(refused.value) == ("round", _(adopt.ERROR_ADOPT_ROUND_OPEN).format(number=1))


def test_every_item_needs_a_decision_first(
    survey, evaluation, closed_round, ranking_question, coordinator
):
    keep_everything(closed_round, survey, coordinator)
    tax = rounds.suggested_item_add(
        round=closed_round, question=ranking_question, actor=coordinator, name="Tax risk"
    )
    before = snapshot(evaluation)

    with pytest.raises(ValidationError) as refused:
        adopt_as_planned(survey, coordinator)

    message = _(adopt.ERROR_ADOPT_UNDECIDED).format(names=f"“{tax.name}”")
    assert refusal(refused.value) == ("decisions", message)
    assert snapshot(evaluation) == before


def test_an_item_revised_and_asked_again_needs_a_new_decision(
    survey, closed_round, rating_question, coordinator
):
    keep_everything(closed_round, survey, coordinator)
    first = rating_question.items.first()
    decide_all(closed_round, coordinator, {first: ("revise", "Supplier choice")})
    second = rounds.round_open(survey=survey, actor=coordinator)
    rounds.round_close(round=second, actor=coordinator)

    with pytest.raises(ValidationError) as refused:
        adopt_as_planned(survey, coordinator)

    message = _(adopt.ERROR_ADOPT_UNDECIDED).format(names="“Supplier choice”")
    assert refusal(refused.value) == ("decisions", message)


def test_a_revision_after_the_last_round_is_adopted_as_kept(
    survey, evaluation, closed_round, rating_question, coordinator
):
    keep_everything(closed_round, survey, coordinator)
    decide_all(closed_round, coordinator, {rating_question.items.first(): ("revise", "Sourcing")})

    summary = adopt_as_planned(survey, coordinator)

    assert summary.renamed == ["U11"]
    assert at(evaluation, "U11").name == "Sourcing"


def test_a_kept_item_without_a_place_is_refused(
    survey, evaluation, closed_round, ranking_question, coordinator
):
    keep_everything(closed_round, survey, coordinator)
    ranking_question.items.filter(name="Legal risk").update(place_under=None)
    before = snapshot(evaluation)

    with pytest.raises(ValidationError) as refused:
        adopt_as_planned(survey, coordinator)

    message = _(adopt.ERROR_ADOPT_NO_PLACE).format(name="Legal risk")
    assert refusal(refused.value) == ("place_under", message)
    assert snapshot(evaluation) == before


def test_a_kept_item_placed_under_a_dropped_indicator_is_refused(
    survey, evaluation, closed_round, rating_question, ranking_question, coordinator
):
    keep_everything(closed_round, survey, coordinator)
    u12 = named(rating_question, "Procurement authorisation")
    decide_all(closed_round, coordinator, {u12: "drop"})
    ranking_question.items.filter(name="Legal risk").update(place_under=u12.indicator)

    with pytest.raises(ValidationError) as refused:
        adopt_as_planned(survey, coordinator)

    message = _(adopt.ERROR_ADOPT_UNDER_DELETED).format(
        name="Legal risk", code="U12", parent="Procurement authorisation"
    )
    assert refusal(refused.value) == ("place_under", message)


def test_one_indicator_kept_under_two_names_is_refused(
    survey, evaluation, closed_round, rating_question, coordinator
):
    keep_everything(closed_round, survey, coordinator)
    ScreeningItem.objects.create(
        question=rating_question,
        name="Choosing suppliers",
        source="hierarchy",
        indicator=at(evaluation, "U11"),
        status="kept",
    )

    with pytest.raises(ValidationError) as refused:
        adopt_as_planned(survey, coordinator)

    message = _(adopt.ERROR_ADOPT_TWO_NAMES).format(
        code="U11", first="Supplier selection", second="Choosing suppliers"
    )
    assert refusal(refused.value) == ("decisions", message)


def test_a_survey_without_candidate_indicators_has_nothing_to_adopt(
    survey, choice_question, coordinator
):
    with pytest.raises(ValidationError) as refused:
        adopt_as_planned(survey, coordinator)

    assert refusal(refused.value) == ("survey", _(adopt.ERROR_ADOPT_NOTHING))


# ---------------------------------------------------------------------------------------------
# The dry run: survey_adopt_plan


def outcomes(plan) -> dict[str, str]:
    return {row.item.name: row.outcome for row in plan.items}


def test_the_plan_says_what_each_item_becomes_before_adopt_does_it(
    survey, evaluation, closed_round, rating_question, ranking_question, coordinator
):
    u11, u12, u13, u14 = rating_question.items.all()
    credit, operational, market, legal = ranking_question.items.all()
    decide_all(
        closed_round,
        coordinator,
        {
            u11: "keep",
            u12: ("revise", "Purchase approval"),
            u13: "drop",
            u14: "keep",
            credit: "keep",
            operational: ("merge", credit),
            market: "drop",
            legal: "keep",
        },
    )

    plan = adopt.survey_adopt_plan(survey=survey)

    assert outcomes(plan) == {
        "Supplier selection": adopt.KEEP,
        "Purchase approval": adopt.RENAME,
        "Payment risk management": adopt.DELETE,
        "Price control": adopt.KEEP,
        "Credit risk": adopt.ADD,
        "Operational risk": adopt.LEAVE_OUT,
        "Market risk": adopt.LEAVE_OUT,
        "Legal risk": adopt.ADD,
    }
    assert [indicator.code for indicator in plan.keep] == ["U11", "U14"]
    # Renamed old → new; U12 keeps its code (the deleted U13 comes after it).
    assert [(r.indicator.code, r.indicator.name, r.name, r.code) for r in plan.rename] == [
        ("U12", "Procurement authorisation", "Purchase approval", "U12")
    ]
    assert [(a.parent.code, a.name, a.code) for a in plan.add] == [
        ("U", "Credit risk", "U4"),
        ("U", "Legal risk", "U5"),
    ]
    assert [indicator.code for indicator in plan.delete] == ["U13"]
    assert plan.refusals == []
    assert adopt_as_planned(survey, coordinator) == plan.summary()


def test_the_codes_planned_follow_the_deleted_siblings(survey, evaluation, coordinator):
    root = at(evaluation, "U")
    areas = services.question_add(
        survey=survey, actor=coordinator, kind="rating", text="Areas?", levels=5, items_from=root
    )
    services.question_add(
        survey=survey,
        actor=coordinator,
        kind="ranking",
        text="Which controls?",
        items=["Audit trail review", "Key rotation"],
        place_under=at(evaluation, "U3"),
    )
    first = rounds.round_open(survey=survey, actor=coordinator)
    rounds.round_close(round=first, actor=coordinator)
    keep_everything(first, survey, coordinator)
    u1, _u2, u3 = areas.items.all()
    decide_all(first, coordinator, {u1: "drop", u3: ("revise", "Information systems")})

    plan = adopt.survey_adopt_plan(survey=survey)

    # U1 goes, so U3 becomes U2 and its new children U25 and U26.
    assert [(r.indicator.code, r.code) for r in plan.rename] == [("U3", "U2")]
    assert [(a.parent.code, a.code) for a in plan.add] == [("U3", "U25"), ("U3", "U26")]
    summary = adopt_as_planned(survey, coordinator)
    assert summary == adopt.AdoptSummary(added=["U25", "U26"], renamed=["U2"], deleted=["U1"])


def test_a_dropped_item_whose_indicator_another_keeps_is_planned_to_stay(
    survey, evaluation, rating_question, coordinator
):
    again = services.question_add(
        survey=survey,
        actor=coordinator,
        kind="rating",
        text="And on a 9-point scale?",
        levels=9,
        items_from=at(evaluation, "U1"),
    )
    first = rounds.round_open(survey=survey, actor=coordinator)
    rounds.round_close(round=first, actor=coordinator)
    keep_everything(first, survey, coordinator)
    dropped = again.items.first()
    decide_all(first, coordinator, {dropped: "drop"})

    plan = adopt.survey_adopt_plan(survey=survey)

    (row,) = [row for row in plan.items if row.item.pk == dropped.pk]
    assert (row.outcome, row.indicator.code) == (adopt.STAYS, "U11")
    assert plan.delete == [] and plan.refusals == []


def test_the_plan_lists_every_refusal_with_its_field_while_adopt_raises_the_first(
    survey, evaluation, closed_round, rating_question, ranking_question, coordinator
):
    keep_everything(closed_round, survey, coordinator)
    tax = rounds.suggested_item_add(
        round=closed_round, question=ranking_question, actor=coordinator, name="Tax risk"
    )
    ranking_question.items.filter(name="Legal risk").update(place_under=None)
    u12 = named(rating_question, "Procurement authorisation")
    decide_all(closed_round, coordinator, {u12: "drop"})
    ranking_question.items.filter(name="Market risk").update(place_under=u12.indicator)

    plan = adopt.survey_adopt_plan(survey=survey)

    assert [(r.field, r.message) for r in plan.refusals] == [
        ("decisions", _(adopt.ERROR_ADOPT_UNDECIDED).format(names=f"“{tax.name}”")),
        (
            "place_under",
            _(adopt.ERROR_ADOPT_UNDER_DELETED).format(
                name="Market risk", code="U12", parent="Procurement authorisation"
            ),
        ),
        ("place_under", _(adopt.ERROR_ADOPT_NO_PLACE).format(name="Legal risk")),
    ]
    assert outcomes(plan)["Tax risk"] == adopt.UNDECIDED
    assert outcomes(plan)["Legal risk"] == adopt.NO_PLACE
    assert outcomes(plan)["Market risk"] == adopt.UNDER_DELETED
    # Refused, the plan gives no codes: Adopt would give none.
    assert [addition.code for addition in plan.add] == ["", ""]
    with pytest.raises(ValidationError):
        adopt_as_planned(survey, coordinator)


def test_the_plan_reads_the_same_few_queries_whatever_the_items(
    survey, evaluation, closed_round, coordinator, django_assert_num_queries
):
    keep_everything(closed_round, survey, coordinator)

    # The evaluation, its ballots (two kinds), the rounds, the items, their decisions, the tree.
    with django_assert_num_queries(7):
        adopt.survey_adopt_plan(survey=survey)
