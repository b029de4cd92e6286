"""Charts as inline SVG, drawn on the server: no script, nothing from the internet, printable.

Pure functions: data and already-translated texts in, an SVG string out. Every chart names
itself (<title>, <desc>, aria-labelledby) and prints its numbers as text, so it reads without
colour and in black-and-white print. Every text placed in the markup is escaped: indicator and
subject names are user input.
"""

import math
from collections.abc import Sequence

from django.utils.html import escape

FONT = 13
BAR_COLOUR = "#1f5fa8"
# Series are told apart by dash pattern and marker shape as well as by colour.
SERIES_STYLES = (
    ("#1f5fa8", "", "circle"),
    ("#b3261e", "7 4", "square"),
    ("#1e7a46", "2 3", "triangle"),
    ("#9a5b00", "9 3 2 3", "diamond"),
    ("#5b3fa8", "4 2", "circle"),
    ("#333333", "1 2", "square"),
)


def _text_width(text: str) -> float:
    """A rough width in ems: CJK characters are about twice as wide as Latin ones."""
    return sum(1.0 if ord(ch) > 0x2E80 else 0.62 for ch in text)


def _fit(text: str, ems: float) -> str:
    """Shorten `text` to about `ems` wide with an ellipsis (the full text goes in a <title>)."""
    if _text_width(text) <= ems:
        return text
    kept = ""
    for ch in text:
        if _text_width(kept + ch + "…") > ems:
            break
        kept += ch
    return kept + "…"


def _is_wide(ch: str) -> bool:
    return ord(ch) > 0x2E80


def _wrap(text: str, ems: float, max_lines: int = 3) -> list[str]:
    """`text` broken into lines of about `ems` wide: between words, and between any two
    characters of Chinese text (which has no spaces). A text longer than `max_lines` lines
    ends in an ellipsis (the full text goes in a <title>)."""
    tokens: list[str] = []
    for word in text.split():
        # Each CJK character is a token of its own; Latin runs inside stay whole words.
        run = ""
        for ch in word:
            if _is_wide(ch):
                if run:
                    tokens.append(run)
                    run = ""
                tokens.append(ch)
            else:
                run += ch
        if run:
            tokens.append(run)
        tokens.append(" ")
    lines: list[str] = []
    line = ""
    for token in tokens:
        if token == " ":
            line += " " if line else ""
            continue
        if line.strip() and _text_width(line + token) > ems:
            lines.append(line.rstrip())
            line = ""
        line += token
    if line.strip():
        lines.append(line.rstrip())
    lines = [_fit(line, ems) for line in lines] or [""]
    if len(lines) > max_lines:
        lines = lines[: max_lines - 1] + [_fit(" ".join(lines[max_lines - 1 :]), ems)]
    return lines


def _text_lines(lines: list[str], x: float, y: float, anchor: str = "start", dy: int = 15):
    """A <text> of one <tspan> per line, the first at (x, y), each next `dy` below."""
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if n == 0 else dy}">{escape(line)}</tspan>'
        for n, line in enumerate(lines)
    )
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{spans}</text>'


def _svg(chart_id: str, width: float, height: float, title: str, description: str, body: str):
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width:.0f} '
        f'{height:.0f}" width="{width:.0f}" height="{height:.0f}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-size="{FONT}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>{body}</svg>'
    )


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    chart_id: str,
    title: str,
    description: str,
    places: int = 4,
) -> str:
    """Horizontal bars, largest first as given; each label above its bar, the value after it."""
    width, bar_area, row = 560, 440, 38
    top = 8
    largest = max((value for _label, value in items), default=0) or 1
    parts = []
    for position, (label, value) in enumerate(items):
        y = top + position * row
        length = max(bar_area * value / largest, 1)
        shown = f"{value:.{places}f}"
        parts.append(
            f'<g aria-label="{escape(label)}: {shown}"><title>{escape(label)}: {shown}</title>'
            f'<text x="0" y="{y + 12}">{escape(_fit(label, width / FONT - 1))}</text>'
            f'<rect x="0" y="{y + 17}" width="{length:.1f}" height="14" fill="{BAR_COLOUR}"/>'
            f'<text x="{length + 6:.1f}" y="{y + 29}">{shown}</text></g>'
        )
    height = top + len(items) * row + 4
    return _svg(chart_id, width, height, title, description, "".join(parts))


def heat_map(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    chart_id: str,
    title: str,
    description: str,
    places: int = 2,
) -> str:
    """A grid of values in [0, 1] (membership degrees): darker is larger, each value printed.

    Row labels wrap onto a second line rather than being cut; such a row is taller."""
    label_width, cell_w, cell_h, head = 290, 92, 26, 34
    width = label_width + cell_w * len(columns)
    parts = []
    for x, column in enumerate(columns):
        centre = label_width + x * cell_w + cell_w / 2
        parts.append(
            f"<g><title>{escape(column)}</title>"
            f'<text x="{centre:.1f}" y="{head - 10}" text-anchor="middle">'
            f"{escape(_fit(column, cell_w / FONT))}</text></g>"
        )
    top = head
    for label, row in zip(rows, values, strict=True):
        lines = _wrap(label, label_width / FONT - 0.8, max_lines=2)
        height = cell_h + 14 * (len(lines) - 1)
        first = top + 17 + (height - cell_h) / 2 - 7 * (len(lines) - 1)
        parts.append(f"<g><title>{escape(label)}</title>{_text_lines(lines, 0, first, dy=14)}</g>")
        for x, value in enumerate(row):
            parts.append(_heat_cell(label_width + x * cell_w, top, cell_w, height, value, places))
        top += height
    height = top + 2
    return _svg(chart_id, width, height, title, description, "".join(parts))


def _heat_cell(x: float, y: float, w: float, h: float, value: float | None, places: int) -> str:
    baseline = y + h / 2 + 4
    if value is None:
        return (
            f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="#fff" stroke="#d9dee5"/>'
            f'<text x="{x + w / 2}" y="{baseline}" text-anchor="middle">–</text>'
        )
    # Light blue to dark blue; the number switches to white where the cell gets dark.
    shade = max(0.0, min(1.0, value))
    red, green, blue = (
        round(a + (b - a) * shade) for a, b in zip((239, 245, 252), (20, 70, 140), strict=True)
    )
    ink = "#fff" if shade > 0.5 else "#1d2430"
    return (
        f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="rgb({red},{green},{blue})" '
        f'stroke="#fff"/><text x="{x + w / 2}" y="{baseline}" text-anchor="middle" '
        f'fill="{ink}">{value:.{places}f}</text>'
    )


def radar(
    axes: Sequence[tuple[str, str]],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    low: float,
    high: float,
    chart_id: str,
    title: str,
    description: str,
    rings: Sequence[float] = (),
) -> str:
    """Scores per axis (code, name) — the first-level indicators — one closed outline per series
    (subject), with a legend. Needs three axes to enclose an area; returns "" otherwise."""
    if len(axes) < 3 or high <= low:
        return ""
    # Wide enough that the side labels wrap onto a few lines rather than being cut.
    width, radius = 600, 150
    centre_x, centre_y = width / 2, radius * 1.1 + 60

    def point(k: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * k / len(axes)
        r = radius * (value - low) / (high - low)
        return centre_x + r * math.cos(angle), centre_y + r * math.sin(angle)

    parts = [_radar_grid(axes, rings or (low, high), point, low, high, width)]
    for index, (name, values) in enumerate(series):
        parts.append(_radar_series(index, name, values, axes, point))
    lowest = max(point(k, high + (high - low) * 0.1)[1] for k in range(len(axes)))
    legend_top = lowest + 80  # below a lower label of the code and three lines
    for index, (name, _values) in enumerate(series):
        parts.append(_legend_entry(index, name, 16, legend_top + index * 22))
    height = legend_top + len(series) * 22
    return _svg(chart_id, width, height, title, description, "".join(parts))


def _radar_grid(axes, rings, point, low, high, width) -> str:
    parts = []
    for ring in rings:
        corners = " ".join(
            f"{x:.1f},{y:.1f}" for x, y in (point(k, ring) for k in range(len(axes)))
        )
        parts.append(f'<polygon points="{corners}" fill="none" stroke="#d9dee5"/>')
        x, y = point(0, ring)
        parts.append(
            f'<text x="{x + 4:.1f}" y="{y + 4:.1f}" fill="#5b6573" font-size="11">{ring:g}</text>'
        )
    for k, (code, name) in enumerate(axes):
        x0, y0 = point(k, low)
        x, y = point(k, high)
        parts.append(
            f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#aab2bd"/>'
        )
        parts.append(_axis_label(code, name, point(k, high + (high - low) * 0.1), x0, y0, width))
    return "".join(parts)


def _axis_label(code: str, name: str, at: tuple[float, float], x0: float, y0: float, width):
    """The code over the name, growing away from the chart, the name wrapped to the room
    left (at most three lines)."""
    x, y = at
    if abs(x - x0) < 20:
        anchor, room = "middle", min(width, 260)
    elif x > x0:
        anchor, room = "start", width - x - 4
    else:
        anchor, room = "end", x - 4
    lines = _wrap(name, room / FONT - 0.3, max_lines=3)
    # The upper labels grow upwards, the lower ones downwards.
    top = y - 3 - 15 * len(lines) if y < y0 else y + 2
    names = "".join(f'<tspan x="{x:.1f}" dy="15">{escape(line)}</tspan>' for line in lines)
    return (
        f"<g><title>{escape(code)} {escape(name)}</title>"
        f'<text x="{x:.1f}" y="{top:.1f}" text-anchor="{anchor}">'
        f'<tspan font-weight="bold">{escape(code)}</tspan>{names}</text></g>'
    )


def _radar_series(index, name, values, axes, point) -> str:
    colour, dash, marker = SERIES_STYLES[index % len(SERIES_STYLES)]
    known = [(k, v) for k, v in enumerate(values) if v is not None]
    if not known:
        return ""
    corners = [point(k, v) for k, v in known]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    label = escape(name) + ": " + ", ".join(f"{escape(axes[k][0])} {v:.2f}" for k, v in known)
    shape = "".join(_marker(marker, x, y, colour) for x, y in corners)
    outline = " ".join(f"{x:.1f},{y:.1f}" for x, y in corners)
    return (
        f'<g aria-label="{label}"><title>{label}</title>'
        f'<polygon points="{outline}" fill="{colour}" fill-opacity="0.08" stroke="{colour}" '
        f'stroke-width="2"{dash_attr}/>{shape}</g>'
    )


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if kind == "triangle":
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if kind == "diamond":
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def _legend_entry(index: int, name: str, x: float, y: float) -> str:
    colour, dash, marker = SERIES_STYLES[index % len(SERIES_STYLES)]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{x}" y1="{y}" x2="{x + 36}" y2="{y}" stroke="{colour}" stroke-width="2"'
        f"{dash_attr}/>{_marker(marker, x + 18, y, colour)}"
        f'<text x="{x + 46}" y="{y + 4}">{escape(_fit(name, 34))}</text>'
    )
