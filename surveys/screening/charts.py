"""The rounds page's chart: each item's mean, round by round, against the screening threshold.

Server-side SVG like evaluations/charts.py (whose frame, fitting and series styles it uses):
no script, nothing from the internet, every text escaped (item names are user input), every
number printed so the chart reads without colour.
"""

from collections.abc import Sequence

from django.utils.html import escape

from evaluations.charts import FONT, SERIES_STYLES, _fit, _svg

WIDTH, LEFT, BAR_AREA = 560, 4, 430
BAR, GAP, LABEL = 12, 4, 18


def _x(value: float, top: float) -> float:
    return LEFT + BAR_AREA * max(0.0, min(value, top)) / top


def means_chart(
    items: Sequence[tuple[str, Sequence[float | None]]],
    *,
    series: Sequence[str],
    thresholds: Sequence[tuple[str, float]],
    top: float,
    chart_id: str,
    title: str,
    description: str,
) -> str:
    """Horizontal bars from 0 to the full score `top`: per item (its label above), one bar per
    series (round) with the mean printed after it ("–" where there is none), and a dashed
    vertical line per threshold, labelled at the top. "" when there is nothing to draw."""
    if not items or not series or top <= 0:
        return ""
    head = 6 + 15 * len(thresholds)
    row = LABEL + len(series) * (BAR + GAP) + 8
    parts = [_grid(top, head, head + row * len(items))]
    for position, (label, means) in enumerate(items):
        parts.append(_item(label, means, series, head + position * row, top))
    bottom = head + row * len(items)
    parts += [
        _threshold(index, name, value, top, head, bottom)
        for index, (name, value) in enumerate(thresholds)
    ]
    height = bottom + 22
    if len(series) > 1:
        for index, name in enumerate(series):
            parts.append(_legend(index, name, bottom + 26 + 20 * index))
        height += 20 * len(series) + 8
    return _svg(chart_id, WIDTH, height, title, description, "".join(parts))


def _ticks(top: float) -> list[float]:
    if top <= 10 and float(top).is_integer():
        return [float(v) for v in range(int(top) + 1)]
    return [top * k / 4 for k in range(5)]


def _grid(top: float, y0: float, y1: float) -> str:
    parts = []
    for tick in _ticks(top):
        x = _x(tick, top)
        parts.append(
            f'<line x1="{x:.1f}" y1="{y0:.1f}" x2="{x:.1f}" y2="{y1:.1f}" stroke="#e4e8ee"/>'
            f'<text x="{x:.1f}" y="{y1 + 15:.1f}" text-anchor="middle" fill="#5b6573" '
            f'font-size="11">{tick:g}</text>'
        )
    return "".join(parts)


def _item(label: str, means: Sequence[float | None], series: Sequence[str], y, top) -> str:
    parts = [f'<text x="{LEFT}" y="{y + 13:.1f}">{escape(_fit(label, WIDTH / FONT - 1))}</text>']
    for index, (name, mean) in enumerate(zip(series, means, strict=True)):
        colour = SERIES_STYLES[index % len(SERIES_STYLES)][0]
        bar_y = y + LABEL + index * (BAR + GAP)
        shown = "–" if mean is None else f"{mean:.2f}"
        prefix = f"{name} " if len(series) > 1 else ""
        end = LEFT if mean is None else _x(mean, top)
        bar = (
            ""
            if mean is None
            else f'<rect x="{LEFT}" y="{bar_y:.1f}" width="{max(end - LEFT, 1):.1f}" '
            f'height="{BAR}" fill="{colour}"/>'
        )
        parts.append(
            f'<g aria-label="{escape(label)}, {escape(name)}: {shown}">'
            f"<title>{escape(label)}, {escape(name)}: {shown}</title>{bar}"
            f'<text x="{end + 6:.1f}" y="{bar_y + BAR - 1:.1f}" font-size="11">'
            f"{escape(prefix)}{shown}</text></g>"
        )
    return "".join(parts)


def _threshold(index: int, name: str, value: float, top: float, y0: float, y1: float) -> str:
    colour, dash, _marker = SERIES_STYLES[index % len(SERIES_STYLES)]
    x = _x(value, top)
    label = f"{name}: {value:.2f}"
    anchor = "end" if x > WIDTH / 2 else "start"
    return (
        f'<g aria-label="{escape(label)}"><title>{escape(label)}</title>'
        f'<line x1="{x:.1f}" y1="{y0 - 4:.1f}" x2="{x:.1f}" y2="{y1:.1f}" stroke="{colour}" '
        f'stroke-width="2" stroke-dasharray="{dash or "6 3"}"/>'
        f'<text x="{x + (-4 if anchor == "end" else 4):.1f}" y="{4 + 15 * index + 8:.1f}" '
        f'text-anchor="{anchor}" font-size="11">{escape(_fit(label, 30))}</text></g>'
    )


def _legend(index: int, name: str, y: float) -> str:
    colour = SERIES_STYLES[index % len(SERIES_STYLES)][0]
    return (
        f'<rect x="{LEFT}" y="{y - 10:.1f}" width="24" height="{BAR}" fill="{colour}"/>'
        f'<text x="{LEFT + 32}" y="{y:.1f}">{escape(_fit(name, 34))}</text>'
    )
