"""Direct membership (issue 15 §2) through the services, the coordinator's page and the
results: a leaf set to measured or given, its inputs, refusals that change nothing."""

import pytest
from django.urls import reverse

from evaluations.direct_membership import services
from evaluations.direct_membership.services import InputRow, SourceSettings
from evaluations.models import AuditEntry, LeafInput
from evaluations.services.results import results_recompute

from .test_results_pages import panel_results

MEASURED = SourceSettings(source="measured", better="lower", thresholds=[2, 5, 10], unit="%")


@pytest.fixture
def leaf(evaluation):
    return evaluation.indicators.get(code="U11")


def test_a_leaf_is_set_to_measured_and_audited(evaluation, leaf, coordinator):
    services.leaf_source_set(indicator=leaf, actor=coordinator, settings=MEASURED)
    leaf.refresh_from_db()
    assert (leaf.membership_source, leaf.better, leaf.thresholds, leaf.unit) == (
        "measured",
        "lower",
        [2.0, 5.0, 10.0],
        "%",
    )
    entry = evaluation.audit_entries.filter(action=AuditEntry.Action.EDITED_HIERARCHY).first()
    assert entry.params["code"] == "U11" and "membership_source" in entry.params["fields"]


@pytest.mark.parametrize(
    ("settings", "field", "words"),
    [
        (SourceSettings(source="measured"), "thresholds", "needs 3 thresholds"),
        (SourceSettings(source="measured", thresholds=[1, 2]), "thresholds", "give 3"),
        (SourceSettings(source="measured", thresholds=[1, 3, 2]), "thresholds", "strictly"),
        (SourceSettings(source="measured", thresholds=[1, 1e13, 2]), "thresholds", "between"),
        (
            SourceSettings(source="measured", thresholds=[1, float("nan"), 2]),
            "thresholds",
            "between",
        ),
        (SourceSettings(source="polled"), "membership_source", "not one of the choices"),
        (SourceSettings(better="sideways"), "better", "not one of the choices"),
        (SourceSettings(unit="x" * 21), "unit", "at most 20"),
    ],
)
def test_bad_source_settings_are_refused_and_change_nothing(
    leaf, coordinator, settings, field, words
):
    with pytest.raises(services.ValidationError) as refused:
        services.leaf_source_set(indicator=leaf, actor=coordinator, settings=settings)
    assert field in refused.value.message_dict
    assert words in " ".join(refused.value.message_dict[field])
    assert "U11" in " ".join(refused.value.message_dict[field])
    leaf.refresh_from_db()
    assert leaf.membership_source == "votes" and leaf.thresholds == []


def test_a_parent_cannot_be_measured(evaluation, coordinator):
    parent = evaluation.indicators.get(code="U1")
    with pytest.raises(services.ValidationError, match="only a leaf"):
        services.leaf_source_set(indicator=parent, actor=coordinator, settings=MEASURED)


def test_inputs_are_stored_with_given_rows_rescaled(evaluation, leaf, coordinator):
    a, b = evaluation.subjects.all()
    services.leaf_inputs_replace(
        indicator=leaf,
        actor=coordinator,
        inputs=[
            InputRow(subject=None, row=[0.33, 0.33, 0.33, 0.0]),
            InputRow(subject=a.pk, value=3.2),
            InputRow(subject=b.pk, row=[0, 0, 0.5, 0.5], value=12),
        ],
    )
    stored = {i.subject_id: (i.row, i.value) for i in LeafInput.objects.filter(indicator=leaf)}
    assert stored[None][0] == pytest.approx([1 / 3, 1 / 3, 1 / 3, 0])
    assert stored[a.pk] == (None, 3.2)
    assert stored[b.pk] == ([0, 0, 0.5, 0.5], 12.0)


@pytest.mark.parametrize(
    ("item", "words"),
    [
        (InputRow(subject=None, value=3.0), "belongs to one subject"),
        (InputRow(subject=10**9, value=3.0), "not part of this evaluation"),
        (InputRow(subject="A", value=float("inf")), "a number between"),
        (InputRow(subject="A", row=[0.5, 0.4, 0, 0]), "sum to 1 (within 0.01); they sum to 0.9"),
        (InputRow(subject="A", row=[1.5, -0.5, 0, 0]), "from 0 to 1"),
        (InputRow(subject="A", row=[0.5, 0.5]), "one degree per grade"),
    ],
)
def test_bad_inputs_are_refused_naming_the_subject_and_change_nothing(
    evaluation, leaf, coordinator, item, words
):
    a = evaluation.subjects.first()
    subject = a.pk if item.subject == "A" else item.subject
    item = InputRow(subject=subject, row=item.row, value=item.value)
    LeafInput.objects.create(indicator=leaf, subject=a, value=1.0)
    with pytest.raises(services.ValidationError) as refused:
        services.leaf_inputs_replace(indicator=leaf, actor=coordinator, inputs=[item])
    text = " ".join(refused.value.messages)
    assert words in text and "U11" in text
    if item.subject == a.pk and item.row is not None:
        assert "Enterprise A" in text
    assert list(LeafInput.objects.filter(indicator=leaf).values_list("value", flat=True)) == [1.0]


def test_the_results_use_the_measured_row_and_ignore_the_stored_votes(
    evaluation, leaf, coordinator
):
    before = panel_results(evaluation).data
    a, b = evaluation.subjects.all()
    services.leaf_source_set(
        indicator=leaf, actor=coordinator, settings=SourceSettings(
            source="measured", better="lower", thresholds=[2, 5, 10], shape="linear")
    )  # fmt: skip
    services.leaf_inputs_replace(
        indicator=leaf, actor=coordinator, inputs=[InputRow(subject=a.pk, value=3.2)]
    )
    data = results_recompute(evaluation_id=evaluation.pk).data
    first, second = data["subjects"]
    assert first["membership"]["U11"] == pytest.approx([0.2, 0.8, 0, 0])
    assert first["membership_source"]["U11"] == "measured"
    assert first["measured"] == {"U11": 3.2}
    assert first["counts"]["U11"] == [0, 0, 0, 0]  # votes stay stored, but do not count
    assert first["score"] != before["subjects"][0]["score"]
    assert second["score"] is None
    assert "no measured value of U11 for Enterprise B" in data["missing"]
    # Back to votes: the experts' stored votes count again, the numbers are as before.
    services.leaf_source_set(indicator=leaf, actor=coordinator, settings=SourceSettings())
    again = results_recompute(evaluation_id=evaluation.pk).data
    assert again["subjects"][0]["score"] == pytest.approx(before["subjects"][0]["score"])
    assert again["subjects"][0]["membership_source"] == {}


def page(evaluation, leaf):
    return reverse("direct-membership-edit", args=[evaluation.pk, leaf.pk])


def test_the_page_saves_the_source_and_the_inputs(coordinator_client, evaluation, leaf):
    a, b = evaluation.subjects.all()
    listing = coordinator_client.get(reverse("direct-membership", args=[evaluation.pk]))
    assert listing.status_code == 200 and "U11" in listing.content.decode()
    response = coordinator_client.post(
        page(evaluation, leaf),
        {"form": "source", "membership_source": "measured", "better": "lower",
         "thresholds": "2; 5, 10", "threshold_shape": "crisp", "unit": "%"},
    )  # fmt: skip
    assert response.status_code == 302
    response = coordinator_client.post(
        page(evaluation, leaf),
        {"form": "inputs", "row_all": "", f"value_{a.pk}": "3.2", f"row_{a.pk}": "",
         f"value_{b.pk}": "", f"row_{b.pk}": "0 0 0.5 0.5"},
    )  # fmt: skip
    assert response.status_code == 302
    leaf.refresh_from_db()
    assert leaf.thresholds == [2, 5, 10]
    assert LeafInput.objects.get(indicator=leaf, subject=a).value == 3.2
    shown = coordinator_client.get(page(evaluation, leaf)).content.decode()
    assert 'value="2 5 10"' in shown and 'value="3.2"' in shown


@pytest.mark.parametrize(
    "data",
    [
        {
            "form": "source",
            "membership_source": "measured",
            "better": "lower",
            "thresholds": "2 5 " + "9" * 5000,
            "threshold_shape": "crisp",
            "unit": "",
        },
        {
            "form": "source",
            "membership_source": "measured",
            "better": "lower",
            "thresholds": "2 5 1e999",
            "threshold_shape": "crisp",
            "unit": "",
        },
        {
            "form": "source",
            "membership_source": "measured",
            "better": "lower",
            "thresholds": "2 nan 10",
            "threshold_shape": "crisp",
            "unit": "",
        },
        {
            "form": "source",
            "membership_source": "measured",
            "better": "lower",
            "thresholds": "10 5 7",
            "threshold_shape": "crisp",
            "unit": "",
        },
        {
            "form": "source",
            "membership_source": "<script>",
            "better": "lower",
            "thresholds": "",
            "threshold_shape": "crisp",
            "unit": "",
        },
        {"form": "inputs", "row_all": "0.5 0.4 0 0"},
        {"form": "inputs", "row_all": "1 " * 2000},
    ],
)
def test_the_page_refuses_hostile_input_with_a_400(coordinator_client, evaluation, leaf, data):
    response = coordinator_client.post(page(evaluation, leaf), data)
    assert response.status_code == 400
    leaf.refresh_from_db()
    assert leaf.membership_source == "votes" and not leaf.inputs.exists()


def test_the_page_is_the_owners_only(outsider_client, evaluation, leaf):
    assert outsider_client.get(page(evaluation, leaf)).status_code == 404
    parent = evaluation.indicators.get(code="U1")
    assert outsider_client.get(page(evaluation, parent)).status_code == 404


@pytest.fixture
def measured_results(evaluation, leaf, coordinator):
    """The panel's ballots, then U11 measured: Enterprise A 3.2 %, Enterprise B no value."""
    panel_results(evaluation)
    a = evaluation.subjects.first()
    services.leaf_source_set(indicator=leaf, actor=coordinator, settings=MEASURED)
    services.leaf_inputs_replace(
        indicator=leaf, actor=coordinator, inputs=[InputRow(subject=a.pk, value=3.2)]
    )
    return results_recompute(evaluation_id=evaluation.pk)


def test_the_results_page_shows_the_measured_value_and_its_grade(
    coordinator_client, evaluation, measured_results
):
    page = coordinator_client.get(reverse("results", args=[evaluation.pk])).content.decode()
    strong = list(evaluation.grades.all())[1].name
    assert f"measured: 3.2 % → {strong}" in page  # crisp: 2 < 3.2 ≤ 5
    assert "No measured value of U11 for Enterprise B yet." in page


def test_the_exports_show_the_source_and_the_value(
    coordinator_client, evaluation, measured_results
):
    base = reverse("results-export", args=[evaluation.pk, "csv"]).removesuffix("csv")
    csv = coordinator_client.get(base + "csv").content.decode("utf-8-sig")
    assert "Membership from,Measured value" in csv
    lines = csv.splitlines()
    start = lines.index("Membership matrix R: Enterprise A")
    u11 = next(line for line in lines[start:] if line.startswith("U1,U11,"))
    assert ",measured,3.2000," in u11  # the value, then the weight
    # No votes; r = (0, 1, 0, 0); then nobody rated it and nobody answered "don't know".
    assert u11.endswith(",,0.0000,,1.0000,,0.0000,,0.0000,0,0")
    assert ",votes,," in next(line for line in lines[start:] if line.startswith("U1,U12,"))
    data = coordinator_client.get(base + "json").json()["data"]
    assert data["subjects"][0]["membership_source"] == {"U11": "measured"}
    assert data["subjects"][0]["measured"] == {"U11": 3.2}
    xlsx = coordinator_client.get(base + "xlsx")
    assert xlsx.status_code == 200


def test_an_evaluation_of_voted_leaves_keeps_its_export_columns(coordinator_client, evaluation):
    panel_results(evaluation)
    base = reverse("results-export", args=[evaluation.pk, "csv"])
    assert "Membership from" not in coordinator_client.get(base).content.decode("utf-8-sig")


def test_the_activity_log_words_both_edits(coordinator_client, evaluation, leaf, coordinator):
    services.leaf_source_set(indicator=leaf, actor=coordinator, settings=MEASURED)
    a = evaluation.subjects.first()
    services.leaf_inputs_replace(
        indicator=leaf, actor=coordinator, inputs=[InputRow(subject=a.pk, value=3.2)]
    )
    page = coordinator_client.get(reverse("evaluation-detail", args=[evaluation.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "edited the measured values or membership rows of U11" in text
    assert "membership source, better values, grade thresholds, unit" in text


def test_a_copy_keeps_the_leafs_source_and_inputs(evaluation, leaf, coordinator):
    from evaluations.services.lifecycle import evaluation_copy

    a = evaluation.subjects.first()
    services.leaf_source_set(indicator=leaf, actor=coordinator, settings=MEASURED)
    services.leaf_inputs_replace(
        indicator=leaf,
        actor=coordinator,
        inputs=[InputRow(subject=None, row=[1, 0, 0, 0]), InputRow(subject=a.pk, value=3.2)],
    )
    copy = evaluation_copy(owner=coordinator, source=evaluation)
    copied = copy.indicators.get(code="U11")
    assert (copied.membership_source, copied.thresholds) == ("measured", [2, 5, 10])
    inputs = {(i.subject.name if i.subject else None, i.value) for i in copied.inputs.all()}
    assert inputs == {(None, None), ("Enterprise A", 3.2)}
    assert LeafInput.objects.filter(indicator__evaluation=evaluation).count() == 2


def test_the_hierarchy_page_marks_a_measured_leaf(
    coordinator_client, evaluation, leaf, coordinator
):
    url = reverse("hierarchy-edit", args=[evaluation.pk])
    edit = reverse("direct-membership-edit", args=[evaluation.pk, leaf.pk])
    assert edit not in coordinator_client.get(url).content.decode()
    services.leaf_source_set(indicator=leaf, actor=coordinator, settings=MEASURED)
    assert edit in coordinator_client.get(url).content.decode()
