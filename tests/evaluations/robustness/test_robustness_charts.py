"""The Robustness tab's SVG charts: well-formed, named for screen readers, user text escaped,
numbers printed, and the crossings and marked weights drawn where they are."""

import xml.etree.ElementTree as ET

import pytest

from evaluations.robustness import charts
from evaluations.robustness.charts import LINES_LEFT, LINES_RIGHT, LINES_WIDTH

SVG = "{http://www.w3.org/2000/svg}"
EVIL = "<script>alert('x')</script> & \"co\""
PLOT_WIDTH = LINES_WIDTH - LINES_LEFT - LINES_RIGHT


def texts(root: ET.Element) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def titles(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}title")]


def pixel(weight: float) -> float:
    return LINES_LEFT + PLOT_WIDTH * weight


def lines(series=None, x=(0.0, 1.0), weight=0.4, marks=(("order changes", 0.5),), **kwargs):
    # A rises 2 → 4, B falls 3.5 → 2.5: they cross where 2 + 2x = 3.5 - x, at x = 0.5.
    series = series or [("Enterprise A", [2.0, 4.0]), ("Enterprise B", [3.5, 2.5])]
    return charts.score_lines(
        list(x),
        series,
        weight=weight,
        marks=list(marks),
        chart_id=kwargs.pop("chart_id", "lines"),
        title=kwargs.pop("title", "Scores against the weight of U12"),
        description="One line per subject",
        weight_label="current",
        axis_label="Local weight of U12",
        score_label="Score",
        crossing_label="{first} and {second} cross at {weight}",
    )


def intervals(rows=None, **kwargs):
    rows = (
        rows
        if rows is not None
        else [
            ("U11 Supplier selection", 0.252, (0.201, 0.249, 0.298)),
            ("U12 Procurement authorisation", 0.149, (0.100, 0.151, 0.180)),
        ]
    )
    return charts.interval_chart(
        rows,
        chart_id=kwargs.pop("chart_id", "weights"),
        title="Global weights under judgment noise",
        description="5 to 95 % per indicator",
        legend=("from 5 % to 95 %", "median", "current weight"),
    )


# --- score lines ------------------------------------------------------------------------------


def test_the_score_lines_are_well_formed_and_name_themselves():
    root = ET.fromstring(lines())

    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "lines-title lines-desc"
    assert root.find(f"{SVG}title").get("id") == "lines-title"
    assert root.find(f"{SVG}title").text == "Scores against the weight of U12"
    assert root.find(f"{SVG}desc").get("id") == "lines-desc"


def test_two_straight_lines_cross_where_their_equations_meet():
    root = ET.fromstring(lines())
    circles = [
        circle
        for group in root.iter(f"{SVG}g")
        if group.get("class") == "crossing"
        for circle in group.iter(f"{SVG}circle")
    ]

    assert len(circles) == 1
    assert float(circles[0].get("cx")) == pytest.approx(pixel(0.5), abs=0.1)
    assert "Enterprise A and Enterprise B cross at 0.5000" in titles(root)


def test_the_current_weight_and_each_flip_point_are_vertical_lines_at_their_x_with_the_value():
    root = ET.fromstring(lines(weight=0.4, marks=[("order changes", 0.5), ("top changes", 0.8)]))
    marks = [g for g in root.iter(f"{SVG}g") if g.get("class") == "weight-mark"]
    drawn = {g.find(f"{SVG}title").text: float(g.find(f"{SVG}line").get("x1")) for g in marks}

    assert drawn == {
        "current 0.4000": pytest.approx(pixel(0.4), abs=0.1),
        "order changes 0.5000": pytest.approx(pixel(0.5), abs=0.1),
        "top changes 0.8000": pytest.approx(pixel(0.8), abs=0.1),
    }
    assert {"current 0.4000", "order changes 0.5000", "top changes 0.8000"} <= set(texts(root))


def test_close_marks_print_their_labels_on_different_rows():
    root = ET.fromstring(lines(weight=0.50, marks=[("order changes", 0.51), ("top changes", 0.52)]))
    marks = [g for g in root.iter(f"{SVG}g") if g.get("class") == "weight-mark"]
    rows = {float(g.find(f"{SVG}text").get("y")) for g in marks}

    assert len(rows) == 3


def test_polylines_cross_between_their_points_and_a_touch_is_not_a_crossing():
    x = [0.0, 0.5, 1.0]
    # A - B is 1, 1, -1: they cross halfway between 0.5 and 1. C meets A at x = 0 only and
    # stays above: meeting at an end of [0, 1] is no crossing.
    found = charts.crossings(x, [[1.0, 2.0, 2.0], [0.0, 1.0, 3.0], [1.0, 3.0, 4.0]])

    assert [(a, b, round(cx, 6), round(cy, 6)) for a, b, cx, cy in found] == [(0, 1, 0.75, 2.0)]
    touch = charts.crossings(x, [[1.0, 2.0, 1.0], [0.0, 2.0, 0.0]])
    assert touch == []  # they meet at x = 0.5 but A stays above B on both sides


def test_polylines_that_meet_on_a_point_and_change_sides_cross_there_once():
    found = charts.crossings([0.0, 0.5, 1.0], [[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])

    assert found == [(0, 1, 0.5, 2.0)]


def test_lines_that_coincide_are_not_marked_as_crossing():
    assert charts.crossings([0.0, 1.0], [[1.0, 2.0], [1.0, 2.0]]) == []


def test_a_missing_score_is_left_out_of_the_line_and_of_the_crossings():
    x = [0.0, 0.5, 1.0]

    assert charts.crossings(x, [[1.0, None, 0.0], [0.0, 0.5, 1.0]]) == []
    root = ET.fromstring(lines(series=[("A", [1.0, None, 0.0]), ("B", [0.0, 0.5, 1.0])], x=x))
    points = [p.get("points") for p in root.iter(f"{SVG}polyline")]
    assert len(points[0].split()) == 2 and len(points[1].split()) == 3


def test_every_subjects_line_has_its_own_dash_pattern_or_marker():
    series = [(f"Subject {n}", [n / 10, 1 - n / 10]) for n in range(4)]
    root = ET.fromstring(lines(series=series))
    styles = [(p.get("stroke"), p.get("stroke-dasharray")) for p in root.iter(f"{SVG}polyline")]

    assert len(set(styles)) == 4
    assert {f"Subject {n}" for n in range(4)} <= set(texts(root))  # the legend


def test_nothing_to_draw_is_no_chart():
    assert lines(series=[("A", [None, None])]) == ""
    assert lines(x=[0.0], series=[("A", [1.0])]) == ""


def test_hostile_names_are_escaped_in_the_score_lines():
    markup = lines(
        series=[(EVIL, [2.0, 4.0]), ("B", [3.5, 2.5])],
        marks=[(EVIL, 0.5)],
        title=EVIL,
        chart_id="lines",
    )
    root = ET.fromstring(markup)

    assert "<script>" not in markup
    assert EVIL in titles(root)
    assert f"{EVIL} and B cross at 0.5000" in titles(root)
    assert not root.findall(f".//{SVG}script")


def test_identical_scores_still_draw_with_a_readable_scale():
    root = ET.fromstring(lines(series=[("A", [3.0, 3.0]), ("B", [3.0, 3.0])]))

    assert len(list(root.iter(f"{SVG}polyline"))) == 2
    assert not [g for g in root.iter(f"{SVG}g") if g.get("class") == "crossing"]


# --- interval chart ---------------------------------------------------------------------------


def test_the_interval_chart_is_well_formed_and_prints_its_numbers():
    root = ET.fromstring(intervals())

    assert root.get("aria-labelledby") == "weights-title weights-desc"
    assert "0.249 (0.201–0.298)" in texts(root)
    assert "0.151 (0.100–0.180)" in texts(root)
    assert {"from 5 % to 95 %", "median", "current weight"} <= set(texts(root))


def test_the_interval_bar_runs_from_the_5_to_the_95_percent_percentile():
    root = ET.fromstring(intervals())
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "interval")
    bar, median = list(group.iter(f"{SVG}line"))[:2]
    scale = {text: float(t.get("x")) for t in root.iter(f"{SVG}text") if (text := t.text)}
    # The scale's ticks are printed: read the pixels of 0 and 0.3 from them.
    zero, top = scale["0.0"], scale["0.3"]

    def at(value):
        return zero + (top - zero) * value / 0.3

    assert float(bar.get("x1")) == pytest.approx(at(0.201), abs=0.1)
    assert float(bar.get("x2")) == pytest.approx(at(0.298), abs=0.1)
    assert float(median.get("x1")) == pytest.approx(at(0.249), abs=0.1)
    diamond = group.find(f"{SVG}polygon").get("points").split()[0]
    assert float(diamond.split(",")[0]) == pytest.approx(at(0.252), abs=0.1)


def test_hostile_indicator_names_are_escaped_in_the_interval_chart():
    markup = intervals(rows=[(EVIL, None, (0.1, 0.2, 0.3))])
    root = ET.fromstring(markup)

    assert "<script>" not in markup
    assert any(title.startswith(EVIL) for title in titles(root))
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "interval")
    assert group.find(f"{SVG}polygon") is None  # no current weight, no diamond


def test_no_rows_is_no_interval_chart():
    assert intervals(rows=[]) == ""


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        (2.37, 3.12, [2.2, 2.4, 2.6, 2.8, 3.0, 3.2]),
        (0, 0.298, [0, 0.1, 0.2, 0.3]),
        (0.0012, 0.0049, None),
    ],
)
def test_nice_ticks_are_round_and_cover_the_range(low, high, expected):
    ticks = charts.nice_ticks(low, high)

    if expected is not None:
        assert ticks == pytest.approx(expected)
    assert ticks[0] <= low + 1e-12 and ticks[-1] >= high - 1e-12
    assert len(ticks) <= 8
    assert all(abs(t * 10**4 - round(t * 10**4)) < 1e-6 for t in ticks)  # round numbers
