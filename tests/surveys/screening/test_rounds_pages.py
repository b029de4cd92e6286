"""The coordinator's rounds page (surveys.screening.views_rounds): two rounds side by side with
their tables and chart, in English and Chinese; the decision and suggested-item forms; opening
and closing rounds; the exports; and 404 for anyone else."""

import csv
import io
import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from surveys.models import ItemDecision, ScreeningItem, ScreeningRound
from surveys.screening import rounds
from surveys.screening.statistics import round_statistics
from tests.conftest import accepted_membership
from tests.surveys.screening.test_statistics import merged, ranked, rated, respond

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://example.com","x")'


@pytest.fixture
def experts(evaluation, make_user):
    return [accepted_membership(evaluation, make_user(f"expert{n}")) for n in range(1, 4)]


@pytest.fixture
def two_rounds(
    survey, first_round, rating_question, ranking_question, choice_question, suggestion_question,
    coordinator, experts,
):  # fmt: skip
    """Round 1 (three experts, closed, U14 revised), round 2 (two experts, one changes U11
    with a reason), closed; a suggestion and an "other" text that look like formulas."""
    stock, *_rest, other = list(choice_question.items.values_list("pk", flat=True))
    levels = [(5, 4, 4, 2), (3, 4, 4, 2), (4, 4, 5, 2)]
    for membership, row in zip(experts, levels, strict=True):
        respond(
            first_round,
            merged(
                rated(rating_question, row),
                ranked(ranking_question, (0, 1, 2, 3)),
                {str(choice_question.pk): {"selected": [stock]}},
                {str(suggestion_question.pk): {"text": "Delivery speed"}},
            ),
            membership=membership,
        )
    respond(
        first_round,
        {
            str(choice_question.pk): {"selected": [other], "other": FORMULA},
            str(suggestion_question.pk): {"text": FORMULA},
        },
        key="visitor",
    )
    rounds.round_close(round=first_round, actor=coordinator)
    price = rating_question.items.get(name="Price control")
    rounds.decision_set(
        round=first_round, item=price, actor=coordinator, decision="revise",
        new_name="Price and discount control", note="Discounts belong here", rule_verdict="drop",
    )  # fmt: skip
    second = rounds.round_open(survey=survey, actor=coordinator)
    for membership, row in zip(experts, [(5, 4, 4, 2), (4, 4, 4, 2)], strict=False):
        reasons = {str(rating_question.items.get(name="Supplier selection").pk): "Saw the median"}
        respond(
            second,
            merged(rated(rating_question, row), ranked(ranking_question, (0, 1, 2, 3))),
            membership=membership,
            reasons=reasons if row[0] == 4 else {},
        )
    rounds.round_close(round=second, actor=coordinator)
    return first_round, second


def page_url(survey) -> str:
    return reverse(
        "screening-rounds", kwargs={"evaluation_id": survey.evaluation_id, "survey_id": survey.pk}
    )


def round_url(name: str, survey, number: int, **extra) -> str:
    kwargs = {"evaluation_id": survey.evaluation_id, "survey_id": survey.pk, "round_number": number}
    return reverse(name, kwargs={**kwargs, **extra})


def export_url(survey, number: int, fmt: str) -> str:
    return round_url("screening-round-export", survey, number, fmt=fmt)


# --- the page ------------------------------------------------------------------------------


def test_the_page_shows_the_rounds_side_by_side_with_a_chart(
    coordinator_client, survey, two_rounds
):
    response = coordinator_client.get(page_url(survey))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Round 1" in html and "Round 2" in html
    assert "Descriptive statistics" in html and "Kendall" in html
    # Supplier selection in round 1: 5, 3, 4 → mean 4.000, SD 1.000; in round 2: 5, 4 → 4.500.
    assert "4.000" in html and "4.500" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in html
    assert "Threshold" in html  # the mean rule's line, 0.8 × 5
    # What changed and why: the decision with its note and names, the respondent's reason.
    assert "Price control" in html and "Price and discount control" in html
    assert "Discounts belong here" in html and "Saw the median" in html
    # Choice and suggestion tables; text is escaped, never markup.
    assert "Stock" in html and "Delivery speed" in html
    assert "&quot;http://example.com&quot;" in html


def test_the_page_renders_in_chinese(coordinator_client, survey, two_rounds):
    coordinator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    response = coordinator_client.get(page_url(survey))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "4.500" in html and "<svg" in html and "Supplier selection" in html


def test_a_survey_without_rounds_offers_round_1(coordinator_client, survey, rating_question):
    response = coordinator_client.get(page_url(survey))

    assert response.status_code == 200
    assert (
        reverse(
            "screening-round-open",
            kwargs={"evaluation_id": survey.evaluation_id, "survey_id": survey.pk},
        )
        in response.content.decode()
    )


def test_the_page_reads_in_a_bounded_number_of_queries(
    coordinator_client, survey, two_rounds, django_assert_max_num_queries
):
    # The session and user, the survey, the statistics of both rounds (9), the hierarchy for
    # the parent picker: no query per item, response or form.
    with django_assert_max_num_queries(13):
        assert coordinator_client.get(page_url(survey)).status_code == 200


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_an_outsider_gets_404_everywhere(outsider_client, survey, two_rounds, fmt):
    assert outsider_client.get(page_url(survey)).status_code == 404
    assert outsider_client.get(export_url(survey, 1, fmt)).status_code == 404
    close = round_url("screening-round-close", survey, 2)
    assert outsider_client.post(close).status_code == 404
    opened = reverse(
        "screening-round-open",
        kwargs={"evaluation_id": survey.evaluation_id, "survey_id": survey.pk},
    )
    assert outsider_client.post(opened).status_code == 404
    assert survey.rounds.count() == 2


def test_a_survey_of_another_evaluation_is_404(coordinator_client, survey, two_rounds):
    url = reverse("screening-rounds", kwargs={"evaluation_id": 999999, "survey_id": survey.pk})

    assert coordinator_client.get(url).status_code == 404


# --- opening and closing -------------------------------------------------------------------


def test_a_round_is_closed_and_the_next_opened_with_posts(coordinator_client, survey, first_round):
    closed = coordinator_client.post(round_url("screening-round-close", survey, 1), follow=True)

    assert closed.status_code == 200 and "Round 1 is closed." in closed.content.decode()
    first_round.refresh_from_db()
    assert first_round.status == ScreeningRound.Status.CLOSED

    url = reverse(
        "screening-round-open",
        kwargs={"evaluation_id": survey.evaluation_id, "survey_id": survey.pk},
    )
    opened = coordinator_client.post(url, follow=True)

    assert "Round 2 is open." in opened.content.decode()
    assert survey.rounds.get(number=2).status == ScreeningRound.Status.OPEN


def test_a_refusal_by_the_rounds_state_is_a_message_and_changes_nothing(
    coordinator_client, survey, first_round
):
    url = reverse(
        "screening-round-open",
        kwargs={"evaluation_id": survey.evaluation_id, "survey_id": survey.pk},
    )

    response = coordinator_client.post(url, follow=True)

    assert "Round 1 is still open" in response.content.decode()
    assert survey.rounds.count() == 1


def test_changes_are_posts_with_a_csrf_token(coordinator, survey, first_round):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(coordinator)
    close = round_url("screening-round-close", survey, 1)

    assert browser.get(close).status_code == 405
    assert browser.post(close).status_code == 403
    first_round.refresh_from_db()
    assert first_round.status == ScreeningRound.Status.OPEN


# --- decisions and suggested items ---------------------------------------------------------


def test_a_decision_is_saved_with_the_rules_verdict(
    coordinator_client, survey, two_rounds, rating_question
):
    item = rating_question.items.get(name="Supplier selection")
    url = round_url("screening-round-decision", survey, 2, item_id=item.pk)

    response = coordinator_client.post(url, {"decision": "keep", "note": "Core indicator"})

    assert response.status_code == 302
    decision = ItemDecision.objects.get(round__number=2, item=item)
    expected = round_statistics(round=two_rounds[1]).item(item.pk).verdict
    assert (decision.decision, decision.note, decision.rule_verdict) == (
        "keep", "Core indicator", expected,
    )  # fmt: skip
    item.refresh_from_db()
    assert item.status == ScreeningItem.Status.KEPT


def test_a_refused_decision_shows_the_form_again_with_400(
    coordinator_client, survey, two_rounds, rating_question
):
    item = rating_question.items.get(name="Supplier selection")
    url = round_url("screening-round-decision", survey, 2, item_id=item.pk)

    response = coordinator_client.post(url, {"decision": "revise", "new_name": ""})

    assert response.status_code == 400
    assert "Not saved" in response.content.decode()
    assert not ItemDecision.objects.filter(round__number=2, item=item).exists()
    assert ScreeningItem.objects.get(pk=item.pk).name == "Supplier selection"


def test_an_unknown_decision_is_refused_naming_the_field(
    coordinator_client, survey, two_rounds, rating_question
):
    item = rating_question.items.get(name="Supplier selection")
    url = round_url("screening-round-decision", survey, 2, item_id=item.pk)

    response = coordinator_client.post(url, {"decision": "burn"})

    assert response.status_code == 400
    assert f'href="#decision-{item.pk}-decision"' in response.content.decode()


def test_an_item_merges_into_another_of_its_question(
    coordinator_client, survey, two_rounds, rating_question
):
    source = rating_question.items.get(name="Procurement authorisation")
    target = rating_question.items.get(name="Supplier selection")
    url = round_url("screening-round-decision", survey, 2, item_id=source.pk)

    response = coordinator_client.post(url, {"decision": "merge", "merged_into": target.pk})

    assert response.status_code == 302
    source.refresh_from_db()
    assert (source.status, source.merged_into_id) == (ScreeningItem.Status.MERGED, target.pk)


def test_a_decision_on_a_round_that_is_not_the_latest_is_a_message(
    coordinator_client, survey, two_rounds, rating_question
):
    item = rating_question.items.get(name="Supplier selection")
    url = round_url("screening-round-decision", survey, 1, item_id=item.pk)

    response = coordinator_client.post(url, {"decision": "drop"}, follow=True)

    assert "is final" in response.content.decode()
    assert not ItemDecision.objects.filter(round__number=1, item=item).exists()


def test_a_suggestion_is_added_as_an_item_of_the_next_round(
    coordinator_client, survey, two_rounds, rating_question, evaluation
):
    parent = evaluation.indicators.get(code="U1")
    url = round_url("screening-round-suggested", survey, 2)

    response = coordinator_client.post(
        url,
        {"key": "1", "question": rating_question.pk, "name": "Delivery speed",
         "place_under": parent.pk},
    )  # fmt: skip

    assert response.status_code == 302
    item = rating_question.items.get(name="Delivery speed")
    assert (item.source, item.first_round, item.place_under_id) == ("suggested", 3, parent.pk)


def test_a_refused_suggested_item_shows_its_form_open_with_400(
    coordinator_client, survey, two_rounds, rating_question
):
    url = round_url("screening-round-suggested", survey, 2)
    count = ScreeningItem.objects.count()

    response = coordinator_client.post(
        url, {"key": "1", "question": rating_question.pk, "name": "Supplier selection"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "listed twice" in html and '<details class="node-form" open>' in html
    assert ScreeningItem.objects.count() == count


def test_the_decision_and_suggestion_forms_wait_for_a_closed_round(
    coordinator_client, survey, first_round
):
    html = coordinator_client.get(page_url(survey)).content.decode()

    assert 'id="decide"' not in html and 'id="suggestions"' not in html


# --- exports -------------------------------------------------------------------------------


def test_the_csv_has_a_bom_and_neutralised_text(coordinator_client, survey, two_rounds):
    response = coordinator_client.get(export_url(survey, 1, "csv"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert "'" + FORMULA in cells and FORMULA not in cells
    assert "Supplier selection" in cells


def test_the_workbook_keeps_numbers_as_numbers_and_neutralises_text(
    coordinator_client, survey, two_rounds
):
    response = coordinator_client.get(export_url(survey, 1, "xlsx"))

    workbook = load_workbook(io.BytesIO(response.content))
    values = [
        cell for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row
    ]
    assert "'" + FORMULA in values and FORMULA not in values
    rating = next(
        sheet for sheet in workbook if sheet["A1"].value == "How important is each indicator?"
    )
    header = [c.value for c in rating[3]]
    supplier = next(
        row for row in rating.iter_rows(values_only=True) if row[1] == "Supplier selection"
    )
    assert supplier[header.index("Mean")] == pytest.approx(4.0)
    assert isinstance(supplier[header.index("Valid N")], int)


def test_the_json_carries_the_pages_figures(
    coordinator_client, survey, two_rounds, rating_question
):
    response = coordinator_client.get(export_url(survey, 2, "json"))

    payload = json.loads(response.content)
    statistics = round_statistics(round=two_rounds[1])
    assert (payload["survey"], payload["round"]) == (survey.pk, 2)
    question = next(
        q for q in payload["statistics"]["questions"] if q["question_id"] == rating_question.pk
    )
    expected = statistics.question(rating_question.pk)
    assert [i["mean"] for i in question["items"]] == pytest.approx([i.mean for i in expected.items])
    assert question["items"][0]["reasons"][0]["text"] == "Saw the median"
    assert payload["statistics"]["overall_changed_share"] == pytest.approx(1 / 16)


def test_an_unknown_format_or_round_is_404(coordinator_client, survey, two_rounds):
    assert coordinator_client.get(export_url(survey, 1, "pdf")).status_code == 404
    assert coordinator_client.get(export_url(survey, 7, "csv")).status_code == 404


# --- the chart -----------------------------------------------------------------------------


def test_the_chart_escapes_names_and_draws_each_rounds_threshold():
    from surveys.screening.charts import means_chart

    svg = means_chart(
        [("<b>Credit</b> & risk", [3.75, 3.5]), ("Legal risk", [1.5, None])],
        series=["Round 1", "Round 2"],
        thresholds=[("Threshold, round 1", 3.2), ("Threshold, round 2", 2.4)],
        top=4,
        chart_id="chart-test",
        title="Means",
        description="Bars",
    )

    assert "<b>" not in svg and "&lt;b&gt;Credit&lt;/b&gt; &amp; risk" in svg
    assert "Threshold, round 1: 3.20" in svg and "Threshold, round 2: 2.40" in svg
    assert svg.count("stroke-dasharray") == 2
    assert "Round 2 –" in svg  # no mean, no bar, the gap said in text
    assert 'aria-labelledby="chart-test-title chart-test-desc"' in svg


def test_nothing_to_draw_gives_no_chart():
    from surveys.screening.charts import means_chart

    assert means_chart([], series=["Round 1"], thresholds=[], top=5, chart_id="c", title="t",
                       description="d") == ""  # fmt: skip
