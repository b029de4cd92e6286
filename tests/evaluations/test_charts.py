"""Server-side SVG charts: well-formed, labelled for screen readers, user text escaped."""

import xml.etree.ElementTree as ET

import pytest

from evaluations import charts

SVG = "{http://www.w3.org/2000/svg}"
EVIL = "<script>alert('x')</script> & co"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def texts(root: ET.Element) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def bars(**kwargs):
    items = [("U11 Supplier selection", 0.2524), ("U12 Procurement authorisation", 0.1494)]
    return charts.bar_chart(
        kwargs.pop("items", items), chart_id="w", title="Weights", description="Bars", **kwargs
    )


def heat(rows=("U11 Supplier selection", "U12 Procurement authorisation")):
    return charts.heat_map(
        list(rows),
        ["very strong", "strong", "general", "poor"],
        [[0.2, 0.4, 0.3, 0.1], [0.0, 0.1, 0.3, 0.6]][: len(rows)],
        chart_id="h",
        title="Membership",
        description="Grid",
    )


def radar(series=(("Enterprise A", [3.1, 2.5, 2.0]), ("Enterprise B", [2.2, 3.4, 3.9]))):
    return charts.radar(
        [("U1", "Procurement"), ("U2", "Human resources"), ("U3", "Information systems")],
        list(series),
        low=1,
        high=4,
        rings=[1, 2, 3, 4],
        chart_id="r",
        title="Scores",
        description="Outlines",
    )


@pytest.mark.parametrize("draw", [bars, heat, radar])
def test_every_chart_is_well_formed_svg_with_a_title_and_a_description(draw):
    root = parse(draw())

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}desc").get("id") == desc_id


def test_the_bar_chart_prints_each_value_beside_its_label():
    shown = texts(parse(bars()))

    assert "U11 Supplier selection" in shown
    assert "0.2524" in shown and "0.1494" in shown


def test_the_longest_bar_fills_the_bar_area_and_the_others_are_proportional():
    root = parse(bars())
    widths = [float(rect.get("width")) for rect in root.iter(f"{SVG}rect")]

    assert widths[1] / widths[0] == pytest.approx(0.1494 / 0.2524, rel=1e-3)


def test_the_heat_map_prints_the_value_in_every_cell():
    shown = texts(parse(heat()))

    for value in ("0.20", "0.40", "0.30", "0.10", "0.00", "0.60"):
        assert value in shown
    assert "poor" in shown


def test_the_radar_has_a_legend_entry_and_an_outline_per_subject():
    root = parse(radar())
    shown = texts(root)

    assert "Enterprise A" in shown and "Enterprise B" in shown
    outlines = [g for g in root.iter(f"{SVG}g") if g.get("aria-label")]
    assert len(outlines) == 2
    assert outlines[0].get("aria-label") == "Enterprise A: U1 3.10, U2 2.50, U3 2.00"


def test_the_radar_needs_three_axes():
    markup = charts.radar(
        [("U1", "a"), ("U2", "b")],
        [("A", [1, 2])],
        low=1,
        high=4,
        chart_id="r",
        title="t",
        description="d",
    )

    assert markup == ""


def test_user_text_in_a_chart_stays_text():
    markups = [
        bars(items=[(EVIL, 0.5)]),
        heat(rows=[EVIL]),
        radar(series=[(EVIL, [1.5, 2.5, 3.5])]),
        charts.bar_chart([("x", 1.0)], chart_id="e", title=EVIL, description=EVIL),
    ]

    for markup in markups:
        assert "<script" not in markup
        root = parse(markup)  # escaped, so still well-formed
        assert not list(root.iter(f"{SVG}script"))
        assert any("<script>" in "".join(e.itertext()) for e in root.iter())


def test_a_long_label_is_shortened_and_kept_whole_in_its_tooltip():
    long = "U11 " + "a very long indicator name " * 5
    root = parse(bars(items=[(long, 0.3)]))

    assert any(text.endswith("…") for text in texts(root))
    assert any(title.text == f"{long}: 0.3000" for title in root.iter(f"{SVG}title"))


def test_chinese_labels_are_shortened_by_their_width():
    label = "中小电子商务企业管理水平" * 6
    shortened = charts._fit(label, 20)

    assert shortened.endswith("…")
    assert len(shortened) <= 20
