"""Every template's indicators have Chinese names and, at the leaves, an improvement
recommendation in both languages: weak points of any template come with advice."""

import re

import pytest

from evaluations import services
from evaluations.templates_catalog import template_get, template_keys

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def nodes(node: dict):
    yield node
    for child in node.get("children", []):
        yield from nodes(child)


def leaves(node: dict) -> list[dict]:
    return [item for item in nodes(node) if not item.get("children")]


@pytest.mark.parametrize("key", template_keys())
def test_every_indicator_has_a_chinese_name(key):
    for node in nodes(template_get(key)["root"]):
        assert CHINESE.search(node.get("name_zh", "")), (key, node["code"])


@pytest.mark.parametrize("key", template_keys())
def test_every_leaf_has_a_recommendation_in_english_and_chinese(key):
    for leaf in leaves(template_get(key)["root"]):
        english = leaf.get("recommendation", "")
        chinese = leaf.get("recommendation_zh", "")
        assert len(english.split()) >= 8 and english.endswith("."), (key, leaf["code"], english)
        assert not CHINESE.search(english), (key, leaf["code"])
        assert len(CHINESE.findall(chinese)) >= 12 and chinese.endswith("。"), (key, leaf["code"])


@pytest.mark.parametrize("key", template_keys())
def test_no_two_leaves_of_a_template_share_a_recommendation(key):
    texts = [leaf["recommendation"] for leaf in leaves(template_get(key)["root"])]
    assert len(set(texts)) == len(texts)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("key", template_keys())
def test_an_evaluation_from_any_template_carries_the_recommendations(coordinator, key, language):
    evaluation = services.evaluation_create_from_template(
        owner=coordinator, template_key=key, subjects=["S"], language=language
    )

    leaves_ = evaluation.indicators.filter(children__isnull=True)
    assert leaves_.exists()
    for indicator in leaves_:
        assert indicator.recommendation, indicator.code
        assert bool(CHINESE.search(indicator.recommendation)) == (language == "zh-hans")
