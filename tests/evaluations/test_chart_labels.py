"""Chart labels show whole names: the longest names of every template, in English and Chinese,
wrap onto more lines instead of being cut."""

import xml.etree.ElementTree as ET

import pytest

from evaluations import charts
from evaluations.templates_catalog import template_get, template_keys

SVG = "{http://www.w3.org/2000/svg}"


def _nodes(node: dict):
    yield node
    for child in node.get("children", []):
        yield from _nodes(child)


def _longest(language_field: str, first_level: bool) -> list[tuple[str, str]]:
    """(code, name) of the five widest names across the templates."""
    found = []
    for key in template_keys():
        root = template_get(key)["root"]
        nodes = root["children"] if first_level else list(_nodes(root))[1:]
        found += [(node["code"], node[language_field]) for node in nodes]
    return sorted(found, key=lambda item: -charts._text_width(item[1]))[:5]


def _label_texts(markup: str) -> list[str]:
    """Each <text>'s content with its lines joined, whitespace removed."""
    root = ET.fromstring(markup)
    return ["".join("".join(text.itertext()).split()) for text in root.iter(f"{SVG}text")]


def _squeezed(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("field", ["name", "name_zh"])
def test_the_radar_shows_the_longest_first_level_names_whole(field):
    axes = _longest(field, first_level=True)[:5]
    markup = charts.radar(
        axes,
        [("Shop", [2.0] * len(axes))],
        low=1,
        high=4,
        chart_id="r",
        title="t",
        description="d",
    )

    shown = _label_texts(markup)
    for code, name in axes:
        assert _squeezed(code + name) in shown, name
    assert "…" not in "".join(shown)


@pytest.mark.parametrize("field", ["name", "name_zh"])
def test_the_heat_map_shows_the_longest_leaf_names_whole(field):
    rows = [f"{code} {name}" for code, name in _longest(field, first_level=False)]
    markup = charts.heat_map(
        rows,
        ["very strong", "strong", "general", "poor"],
        [[0.25, 0.25, 0.25, 0.25]] * len(rows),
        chart_id="h",
        title="t",
        description="d",
    )

    shown = _label_texts(markup)
    for row in rows:
        assert _squeezed(row) in shown, row


@pytest.mark.parametrize("field", ["name", "name_zh"])
def test_the_weight_bars_show_the_longest_leaf_names_whole(field):
    items = [(f"{code} {name}", 0.1) for code, name in _longest(field, first_level=False)]
    markup = charts.bar_chart(items, chart_id="w", title="t", description="d")

    shown = _label_texts(markup)
    for label, _value in items:
        assert _squeezed(label) in shown, label


def test_a_wrapped_line_never_exceeds_its_width():
    for width in (8, 12, 20):
        for line in charts._wrap("Human resource management and 人力资源管理 planning", width):
            assert charts._text_width(line) <= width
