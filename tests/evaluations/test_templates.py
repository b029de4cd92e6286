import json

import pytest
from django.core.exceptions import ValidationError

from evaluations import services
from evaluations.models import Evaluation
from evaluations.services import lifecycle
from evaluations.templates_catalog import CATALOG_PATH, template_keys
from tests.conftest import REFERENCE_DIR


def shape(node: dict) -> tuple:
    return (node["code"], node["name"], tuple(shape(child) for child in node.get("children", [])))


def test_the_shipped_catalogue_has_the_reference_templates():
    reference = json.loads((REFERENCE_DIR / "hierarchy_templates.json").read_text())["templates"]
    shipped = json.loads(CATALOG_PATH.read_text())["templates"]

    assert [t["key"] for t in shipped] == [t["key"] for t in reference]
    for ours, theirs in zip(shipped, reference, strict=True):
        assert shape(ours["root"]) == shape(theirs["root"])
        assert ours["grades"] == theirs["grades"]


@pytest.mark.parametrize("key", template_keys())
def test_every_template_makes_an_evaluation(coordinator, key):
    evaluation = services.evaluation_create_from_template(
        owner=coordinator, template_key=key, subjects=["S"]
    )

    assert evaluation.indicators.filter(parent=None).get().code == "U"
    assert evaluation.grades.count() >= 2


def test_a_parent_with_a_tenth_child_is_refused_and_nothing_is_saved(coordinator, monkeypatch):
    wide = {
        "key": "wide",
        "title": "Wide",
        "grades": [["good", 2], ["bad", 1]],
        "root": {
            "code": "U",
            "name": "Goal",
            "children": [{"code": f"U{i}", "name": f"C{i}"} for i in range(1, 11)],
        },
    }
    monkeypatch.setattr(lifecycle, "template_get", lambda key: wide)

    with pytest.raises(ValidationError) as raised:
        services.evaluation_create_from_template(
            owner=coordinator, template_key="wide", subjects=["S"]
        )

    assert raised.value.message_dict["children"] == [
        services.ERROR_TOO_MANY_CHILDREN.format(code="U", count=10, limit=9)
    ]
    assert not Evaluation.objects.exists()


def test_an_unknown_template_is_refused_naming_the_field(coordinator):
    with pytest.raises(ValidationError) as raised:
        services.evaluation_create_from_template(
            owner=coordinator, template_key="nope", subjects=["S"]
        )

    assert raised.value.message_dict == {
        "template": [services.ERROR_UNKNOWN_TEMPLATE.format(key="nope")]
    }


def test_an_evaluation_needs_a_subject(coordinator):
    with pytest.raises(ValidationError) as raised:
        services.evaluation_create_from_template(
            owner=coordinator, template_key="sme-management-measures", subjects=[]
        )

    assert raised.value.message_dict == {"subjects": [services.ERROR_NO_SUBJECTS]}
