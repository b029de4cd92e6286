"""The Robustness tab's charts as inline SVG, drawn on the server like evaluations.charts and
with its helpers: every chart names itself (<title>, <desc>, aria-labelledby), prints its
numbers as text, tells series apart by dash pattern and marker as well as colour, and escapes
every text it places (subject and indicator names are user input).

- score_lines: every subject's total score as one criterion's local weight moves over [0, 1],
  the current weight and the flip points marked, and where two lines cross;
- interval_chart: the 5 / 50 / 95 % percentiles of the simulated global weights.
The probability heat maps are evaluations.charts.heat_map itself.
"""

import math
from collections.abc import Sequence

from django.utils.html import escape

from ..charts import FONT, SERIES_STYLES, _fit, _legend_entry, _marker, _svg, _text_width

AXIS_INK = "#5b6573"
GRID = "#e3e7ed"
MARKER_INK = "#1d2430"

# Score lines: the plot's frame inside the SVG. Room on the left for the score ticks, above
# for the labels of the marked weights (two staggered rows), below for the weight ticks.
LINES_WIDTH = 640
LINES_LEFT, LINES_RIGHT = 64, 24
LINES_TOP, LINES_PLOT = 66, 260
MARK_ROWS, MARK_ROW, MARK_FONT = 3, 17, 12
LEGEND_ROW = 22


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten apart) from at or below `low` to at
    or above `high`: the ends of an axis drawn with them are ticks."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low]
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    # The roundest step near the raw one (a little below it rather than far above).
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= 0.75 * raw - 1e-12)
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    return [round(n * step, 12) for n in range(first, last + 1)]


def _places(ticks: Sequence[float]) -> int:
    """Enough decimals to tell the ticks apart, at most four."""
    if len(ticks) < 2:
        return 2
    step = abs(ticks[1] - ticks[0])
    return min(4, max(0, -math.floor(math.log10(step)) if step else 2))


def crossings(
    x: Sequence[float], series: Sequence[Sequence[float | None]]
) -> list[tuple[int, int, float, float]]:
    """Where two polylines over the same x cross: (series a, series b, x, y) for each pair and
    each segment on which their difference changes sign. Two straight lines (two points) give
    their exact crossing; a touch at a shared point counts once; lines that coincide do not
    cross."""
    found = []
    for a in range(len(series)):
        for b in range(a + 1, len(series)):
            found.extend((a, b, cx, cy) for cx, cy in _pair_crossings(x, series[a], series[b]))
    return found


def _pair_crossings(x, first, second) -> list[tuple[float, float]]:
    diffs = [None if None in (a, b) else a - b for a, b in zip(first, second, strict=True)]
    if not any(diffs):
        return []  # the same line (or nothing known): nothing crosses
    points = []
    for i, d in enumerate(diffs):
        if d == 0 and (i == 0 or diffs[i - 1] != 0):
            # The lines meet on a point of x: a crossing if they change sides there; a touch,
            # or a meeting at an end of [0, 1], is not.
            before = _nonzero(diffs[i - 1 :: -1] if i else [])
            after = _nonzero(diffs[i + 1 :])
            if before is not None and after is not None and before * after < 0:
                points.append((x[i], first[i]))
        nxt = diffs[i + 1] if i + 1 < len(diffs) else None
        if d is not None and nxt is not None and d * nxt < 0:
            t = d / (d - nxt)
            y = first[i] + t * (first[i + 1] - first[i])
            points.append((x[i] + t * (x[i + 1] - x[i]), y))
    return points


def _nonzero(diffs) -> float | None:
    """The first known difference that is not zero, None if there is none."""
    return next((d for d in diffs if d), None)


def score_lines(
    x: Sequence[float],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    weight: float,
    marks: Sequence[tuple[str, float]],
    chart_id: str,
    title: str,
    description: str,
    weight_label: str,
    axis_label: str,
    score_label: str,
    crossing_label: str,
) -> str:
    """One line per subject (name, totals over x) against the weight x in [0, 1].

    The current weight is a solid vertical line, each of `marks` (label, weight) — the flip
    points — a dashed one, all labelled with their value above the plot; every crossing of two
    lines is an open circle whose <title> names the pair (`crossing_label` formats with
    {first}, {second}, {weight}). Returns "" without two points or a subject to draw."""
    known = [v for _name, values in series for v in values if v is not None]
    if len(x) < 2 or not known:
        return ""
    low, high = min(known), max(known)
    if high - low < 1e-9:
        low, high = low - 0.5, high + 0.5
    pad = (high - low) * 0.06
    ticks = nice_ticks(low - pad, high + pad)
    frame = _Frame(ticks[0], ticks[-1])
    parts = [_lines_axes(frame, ticks, axis_label, score_label)]
    for label, value, row, anchor in _mark_rows(frame, [(weight_label, weight), *marks]):
        parts.append(_weight_marker(frame, value, label, row, anchor, solid=label is weight_label))
    for index, (name, values) in enumerate(series):
        parts.append(_line_series(frame, index, name, x, values, weight))
    names = [name for name, _values in series]
    for a, b, cx, cy in crossings(x, [values for _name, values in series]):
        text = crossing_label.format(first=names[a], second=names[b], weight=f"{cx:.4f}")
        parts.append(
            f'<g class="crossing"><title>{escape(text)}</title><circle cx="{frame.x(cx):.1f}" '
            f'cy="{frame.y(cy):.1f}" r="5" fill="#fff" stroke="{MARKER_INK}" '
            f'stroke-width="1.5"/></g>'
        )
    legend_top = LINES_TOP + LINES_PLOT + 62
    for index, name in enumerate(names):
        parts.append(_legend_entry(index, name, LINES_LEFT, legend_top + index * LEGEND_ROW))
    height = legend_top + len(names) * LEGEND_ROW
    return _svg(chart_id, LINES_WIDTH, height, title, description, "".join(parts))


class _Frame:
    """Maps a weight in [0, 1] and a score in [bottom, top] to the plot's pixels."""

    def __init__(self, bottom: float, top: float):
        self.bottom, self.top = bottom, top
        self.width = LINES_WIDTH - LINES_LEFT - LINES_RIGHT

    def x(self, weight: float) -> float:
        return LINES_LEFT + self.width * min(max(weight, 0.0), 1.0)

    def y(self, score: float) -> float:
        share = (score - self.bottom) / (self.top - self.bottom)
        return LINES_TOP + LINES_PLOT * (1 - share)


def _lines_axes(frame: _Frame, ticks, axis_label: str, score_label: str) -> str:
    parts = []
    places = _places(ticks)
    for tick in ticks:
        y = frame.y(tick)
        parts.append(
            f'<line x1="{LINES_LEFT}" y1="{y:.1f}" x2="{frame.x(1):.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}"/><text x="{LINES_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'fill="{AXIS_INK}" font-size="11">{tick:.{places}f}</text>'
        )
    base = LINES_TOP + LINES_PLOT
    for step in range(11):
        weight = step / 10
        x = frame.x(weight)
        parts.append(
            f'<line x1="{x:.1f}" y1="{base}" x2="{x:.1f}" y2="{base + 5}" stroke="{AXIS_INK}"/>'
            f'<text x="{x:.1f}" y="{base + 18}" text-anchor="middle" fill="{AXIS_INK}" '
            f'font-size="11">{weight:.1f}</text>'
        )
    parts.append(
        f'<rect x="{LINES_LEFT}" y="{LINES_TOP}" width="{frame.width}" height="{LINES_PLOT}" '
        f'fill="none" stroke="{AXIS_INK}"/>'
        f'<text x="{LINES_LEFT + frame.width / 2:.1f}" y="{base + 38}" text-anchor="middle">'
        f"{escape(_fit(axis_label, frame.width / FONT))}</text>"
        f'<text x="14" y="{LINES_TOP + LINES_PLOT / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {LINES_TOP + LINES_PLOT / 2:.1f})">'
        f"{escape(_fit(score_label, LINES_PLOT / FONT))}</text>"
    )
    return "".join(parts)


def _mark_rows(frame: _Frame, marks) -> list[tuple[str, float, int, str]]:
    """A row above the plot (0 nearest) and a side (text-anchor) for each mark's label, so
    that no two labels print over each other: each takes the lowest row where it fits, to the
    right of its line unless that runs past the plot. Labels that fit nowhere share the top
    row (their values are in the table beside the chart as well)."""
    placed: list[tuple[str, float, int, str]] = []
    taken: list[list[tuple[float, float]]] = [[] for _row in range(MARK_ROWS)]
    for label, value in marks:
        x = frame.x(value)
        width = _text_width(f"{label} {value:.4f}") * MARK_FONT + 6
        anchor = "start" if x + width <= frame.x(1) + LINES_RIGHT else "end"
        span = (x, x + width) if anchor == "start" else (x - width, x)
        row = next(
            (
                r
                for r, spans in enumerate(taken)
                if all(span[1] < a or span[0] > b for a, b in spans)
            ),
            MARK_ROWS - 1,
        )
        taken[row].append(span)
        placed.append((label, value, row, anchor))
    return placed


def _weight_marker(
    frame: _Frame, value: float, label: str, row: int, anchor: str, solid: bool = False
) -> str:
    """A vertical line at a weight, its label and value printed above the plot in `row`."""
    x = frame.x(value)
    text = f"{label} {value:.4f}"
    shift = 3 if anchor == "start" else -3
    y = LINES_TOP - 8 - MARK_ROW * row
    dash = "" if solid else ' stroke-dasharray="5 3"'
    width = 2 if solid else 1.5
    return (
        f'<g class="weight-mark"><title>{escape(text)}</title>'
        f'<line x1="{x:.1f}" y1="{y + 4:.1f}" x2="{x:.1f}" y2="{LINES_TOP + LINES_PLOT}" '
        f'stroke="{MARKER_INK}" stroke-width="{width}"{dash}/>'
        f'<text x="{x + shift:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{MARK_FONT}">'
        f"{escape(text)}</text></g>"
    )


def _line_series(frame: _Frame, index: int, name: str, x, values, weight: float) -> str:
    colour, dash, marker = SERIES_STYLES[index % len(SERIES_STYLES)]
    points = [(frame.x(w), frame.y(v)) for w, v in zip(x, values, strict=True) if v is not None]
    if not points:
        return ""
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    ends = [v for v in (values[0], values[-1]) if v is not None]
    label = f"{name}: " + " → ".join(f"{v:.4f}" for v in ends)
    outline = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
    # The marker sits where the current weight is: the subject's score today.
    at = _value_at(x, values, weight)
    shape = "" if at is None else _marker(marker, frame.x(weight), frame.y(at), colour)
    return (
        f'<g class="score-line"><title>{escape(label)}</title>'
        f'<polyline points="{outline}" fill="none" stroke="{colour}" stroke-width="2"'
        f"{dash_attr}/>{shape}</g>"
    )


def _value_at(x: Sequence[float], values: Sequence[float | None], weight: float) -> float | None:
    """The polyline's value at `weight` (linear between its points)."""
    for i in range(len(x) - 1):
        if x[i] <= weight <= x[i + 1] and None not in (values[i], values[i + 1]):
            span = x[i + 1] - x[i]
            t = 0.0 if span == 0 else (weight - x[i]) / span
            return values[i] + t * (values[i + 1] - values[i])
    return None


# --- interval chart -------------------------------------------------------------------------


def interval_chart(
    rows: Sequence[tuple[str, float | None, Sequence[float]]],
    *,
    chart_id: str,
    title: str,
    description: str,
    legend: tuple[str, str, str],
    places: int = 3,
) -> str:
    """One row per indicator (label, current weight, (p5, p50, p95)): a bar from the 5 % to the
    95 % percentile, a tick at the median, an open diamond at the current weight, the numbers
    printed after the bar ("median (p5–p95)"). `legend` names the bar, the tick and the
    diamond. Returns "" without rows."""
    if not rows:
        return ""
    width, left, area, row_height, head = 640, 16, 400, 40, 30
    largest = max(max(p[2], current or 0) for _label, current, p in rows) or 1
    ticks = nice_ticks(0, largest, 5)
    scale_end = ticks[-1]

    def at(value: float) -> float:
        return left + area * min(max(value, 0), scale_end) / scale_end

    parts = [_interval_scale(ticks, at, head, len(rows) * row_height)]
    for position, (label, current, (p5, p50, p95)) in enumerate(rows):
        y = head + position * row_height
        shown = f"{p50:.{places}f} ({p5:.{places}f}–{p95:.{places}f})"
        now = "" if current is None else f"; {legend[2]} {current:.{places}f}"
        parts.append(
            f'<g class="interval"><title>{escape(label)}: {shown}{escape(now)}</title>'
            f'<text x="{left}" y="{y + 12}">{escape(_fit(label, width / FONT - 1))}</text>'
            f"{_range_bar(at(p5), at(p95), y + 25)}{_median_tick(at(p50), y + 25)}"
            f"{'' if current is None else _diamond(at(current), y + 25)}"
            f'<text x="{left + area + 12}" y="{y + 29}">{shown}</text></g>'
        )
    legend_y = head + len(rows) * row_height + 16
    parts.append(_interval_legend(left, legend_y, legend))
    return _svg(chart_id, width, legend_y + 3 * 22, title, description, "".join(parts))


def _interval_scale(ticks, at, head: int, height: int) -> str:
    parts = []
    places = _places(ticks)
    for tick in ticks:
        x = at(tick)
        parts.append(
            f'<line x1="{x:.1f}" y1="{head - 4}" x2="{x:.1f}" y2="{head + height}" '
            f'stroke="{GRID}"/><text x="{x:.1f}" y="{head - 8}" text-anchor="middle" '
            f'fill="{AXIS_INK}" font-size="11">{tick:.{places}f}</text>'
        )
    return "".join(parts)


def _range_bar(start: float, end: float, y: float) -> str:
    return (
        f'<line x1="{start:.1f}" y1="{y:.1f}" x2="{max(end, start + 1):.1f}" y2="{y:.1f}" '
        f'stroke="#1f5fa8" stroke-width="6"/>'
    )


def _median_tick(x: float, y: float) -> str:
    return (
        f'<line x1="{x:.1f}" y1="{y - 8:.1f}" x2="{x:.1f}" y2="{y + 8:.1f}" '
        f'stroke="{MARKER_INK}" stroke-width="2"/>'
    )


def _diamond(x: float, y: float) -> str:
    """An outline only, so that a narrow bar and the median tick show through it."""
    points = f"{x:.1f},{y - 6:.1f} {x + 6:.1f},{y:.1f} {x:.1f},{y + 6:.1f} {x - 6:.1f},{y:.1f}"
    return f'<polygon points="{points}" fill="none" stroke="#b3261e" stroke-width="2"/>'


def _interval_legend(left: float, y: float, legend: tuple[str, str, str]) -> str:
    """The bar, the tick and the diamond, each with what it stands for, one per line."""
    drawers = (
        lambda at: _range_bar(left, left + 24, at),
        lambda at: _median_tick(left + 12, at),
        lambda at: _diamond(left + 12, at),
    )
    return "".join(
        f'{draw(y + 22 * n)}<text x="{left + 34}" y="{y + 22 * n + 4:.1f}">'
        f"{escape(_fit(text, 44))}</text>"
        for n, (draw, text) in enumerate(zip(drawers, legend, strict=True))
    )
