"""Geometry of the server-drawn SVG charts of the monitoring pages: plain numbers for the templates,
which carry no inline style (strict CSP). Each chart is shown beside a table of the same figures."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# Cambodia's extent, for the schematic map of provinces (no tiles: the gazetteer's centroids only).
LON_MIN, LON_MAX, LAT_MIN, LAT_MAX = 102.3, 107.7, 10.3, 14.75


def nice_top(value: float) -> float:
    """A round number at or above `value` for an axis's top (1, 2, 2.5 or 5 times a power of ten)."""
    if not value or value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


@dataclass
class LineChart:
    width: int
    height: int
    left: int
    top: int
    plot_height: int
    lines: list[str] = field(default_factory=list)  # "x,y x,y ..." polylines (a gap where a month has no value)
    dots: list[dict] = field(default_factory=list)
    y_top_label: str = ""
    first_label: str = ""
    last_label: str = ""
    bottom: int = 0
    right: int = 0


def line_chart(values: list[float | None], *, labels: list[str], top: float | None = None, fmt=str) -> LineChart:
    """A line over months. `top` (the axis's top) is shared when charts are compared, so that every
    province is drawn on one scale."""
    width, height, left, right, upper, lower = 320, 130, 44, 10, 10, 22
    top = top if top is not None else nice_top(max((v for v in values if v is not None), default=0))
    chart = LineChart(width, height, left, upper, height - upper - lower)
    chart.bottom, chart.right = height - lower, width - right
    span = (width - left - right) / max(1, len(values) - 1)
    current: list[str] = []
    for i, value in enumerate(values):
        if value is None:
            if current:
                chart.lines.append(" ".join(current))
            current = []
            continue
        x = round(left + i * span, 1)
        y = round(upper + (1 - min(value, top) / top) * chart.plot_height, 1)
        current.append(f"{x},{y}")
        chart.dots.append({"x": x, "y": y, "label": f"{labels[i]}: {fmt(value)}"})
    if current:
        chart.lines.append(" ".join(current))
    chart.y_top_label = fmt(top)
    chart.first_label, chart.last_label = (labels[0], labels[-1]) if labels else ("", "")
    return chart


@dataclass
class MapDot:
    code: str
    name: str
    x: float
    y: float
    r: float
    value: float | None
    text: str
    url: str


def province_map(rows: list[dict], *, width: int = 360, height: int = 300) -> list[MapDot]:
    """Circles at the provinces' centroids, their area proportional to the value: a schematic map.
    rows: {"code", "name", "lat", "lon", "value", "text", "url"}."""
    top = max((r["value"] or 0 for r in rows), default=0) or 1
    dots = []
    for r in rows:
        if r["lat"] is None or r["lon"] is None:
            continue
        x = (r["lon"] - LON_MIN) / (LON_MAX - LON_MIN) * width
        y = (LAT_MAX - r["lat"]) / (LAT_MAX - LAT_MIN) * height
        radius = 3 + 22 * math.sqrt((r["value"] or 0) / top)
        dots.append(
            MapDot(r["code"], r["name"], round(x, 1), round(y, 1), round(radius, 1), r["value"], r["text"], r["url"])
        )
    # Large circles first, so that small ones stay on top and can be reached.
    return sorted(dots, key=lambda d: -d.r)
