"""The results page explains what could puzzle a reader: a better grade ranked lower, and
fractional votes when experts carry weights. The workbook uses the page's symbols."""

import io
import re

from django.urls import reverse
from openpyxl import load_workbook

from evaluations.results_selectors import grade_rank_inversions
from evaluations.services.results import results_recompute
from tests.evaluations.test_results_pages import (
    add_experts,
    open_for_ballots,
    panel_results,
    submit_judgments,
    submit_ratings,
)

NOTE = 'class="note grade-rank-note"'


def _page(client, evaluation) -> str:
    return client.get(reverse("results", args=[evaluation.pk])).content.decode()


def _weighted_results(evaluation):
    open_for_ballots(evaluation)
    memberships = add_experts(evaluation)
    memberships[0].weight = 2.5
    memberships[0].save()
    submit_judgments(evaluation, memberships)
    submit_ratings(evaluation, memberships)
    return results_recompute(evaluation_id=evaluation.pk)


def test_equal_experts_give_whole_votes_labelled_votes(coordinator_client, evaluation):
    panel_results(evaluation)

    html = _page(coordinator_client, evaluation)

    assert "weighted votes" not in html
    assert re.findall(r'<td class="num votes">(\d+)</td>', html)
    assert not re.findall(r'<td class="num votes">\d+\.0</td>', html)


def test_weighted_experts_give_weighted_votes(coordinator_client, evaluation):
    _weighted_results(evaluation)

    html = _page(coordinator_client, evaluation)
    workbook = load_workbook(
        io.BytesIO(
            coordinator_client.get(reverse("results-export", args=[evaluation.pk, "xlsx"])).content
        )
    )

    assert "weighted votes" in html
    votes = re.findall(r'<td class="num votes">([0-9.]+)</td>', html)
    assert "2.5" in votes or "3.5" in votes
    sheet = workbook[next(name for name in workbook.sheetnames if name.startswith("R "))]
    headers = [cell.value for cell in next(sheet.iter_rows(min_row=3))]
    assert any(str(header).endswith(": weighted votes") for header in headers), headers


def test_a_better_grade_ranked_lower_is_explained(coordinator_client, evaluation):
    snapshot = panel_results(evaluation)
    first, second = snapshot.data["ranking"][:2]
    subjects = {subject["id"]: subject for subject in snapshot.data["subjects"]}
    subjects[first]["grade"], subjects[second]["grade"] = 2, 1  # lower rank, better grade
    snapshot.save(update_fields=["data"])
    html = _page(coordinator_client, evaluation)

    assert NOTE in html
    assert "maximum membership principle" in html[html.index(NOTE) :]
    assert subjects[second]["name"] in html[html.index(NOTE) :][:400]


def test_inversions_are_every_pair_where_a_lower_rank_has_a_better_grade():
    data = {
        "grades": [{"name": "very strong"}, {"name": "strong"}, {"name": "general"}],
        "subjects": [
            {"id": 1, "name": "A", "grade": 1},
            {"id": 2, "name": "B", "grade": 0},
            {"id": 3, "name": "C", "grade": 2},
            {"id": 4, "name": "D", "grade": None},
        ],
        "ranking": [1, 2, 3, 4],
    }

    assert grade_rank_inversions(data=data) == [
        {"higher": "A", "higher_grade": "strong", "lower": "B", "lower_grade": "very strong"}
    ]


def test_the_workbook_names_the_composition_with_the_pages_symbols(coordinator_client, evaluation):
    panel_results(evaluation)

    response = coordinator_client.get(reverse("results-export", args=[evaluation.pk, "xlsx"]))
    names = load_workbook(io.BytesIO(response.content)).sheetnames

    assert "G = D·R and E = F·G" in names
    assert not [name for name in names if "B = W" in name]
