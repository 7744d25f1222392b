"""Charts drawn on the server as SVG: the due forecast and the review heatmap.

Pure functions from data to a ``Chart`` (SVG geometry plus a text alternative); the templates
turn it into markup, so no script or remote library is involved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from quizapp.humanize import plural

BAR_WIDTH = 14
BAR_GAP = 4
BAR_HEIGHT = 90
CELL = 12
CELL_GAP = 3


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    label: str
    count: int


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    size: int
    level: int  # 0 (none) to 4 (most)
    label: str


@dataclass(frozen=True)
class Tick:
    x: int
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    summary: str
    bars: tuple[Bar, ...] = ()
    cells: tuple[Cell, ...] = ()
    ticks: tuple[Tick, ...] = ()
    rows: tuple[tuple[str, int], ...] = ()  # the data as a table, for screen readers


def forecast_chart(points: Sequence[tuple[date, int]]) -> Chart:
    """A bar per day: how many reviews fall due that day."""
    peak = max((n for _, n in points), default=0)
    bars = []
    ticks = []
    for i, (day, count) in enumerate(points):
        height = round(BAR_HEIGHT * count / peak) if peak else 0
        x = i * (BAR_WIDTH + BAR_GAP)
        label = f"{day:%a %d %b}: {plural(count, 'review')}"
        bars.append(
            Bar(x, BAR_HEIGHT - height, BAR_WIDTH, max(height, 1 if count else 0), label, count)
        )
        if i % 7 == 0:
            ticks.append(Tick(x, f"{day:%d %b}"))
    total = sum(n for _, n in points)
    busiest = max(points, key=lambda p: p[1]) if points and peak else None
    summary = f"{plural(total, 'review')} due in the next {len(points)} days"
    if busiest is not None:
        summary += f"; the busiest day is {busiest[0]:%A %d %B} with {busiest[1]}"
    return Chart(
        width=max(1, len(points) * (BAR_WIDTH + BAR_GAP) - BAR_GAP),
        height=BAR_HEIGHT + 18,
        summary=summary + ".",
        bars=tuple(bars),
        ticks=tuple(ticks),
        rows=tuple((f"{d:%Y-%m-%d}", n) for d, n in points),
    )


def _level(count: int, peak: int) -> int:
    if count <= 0 or peak <= 0:
        return 0
    return min(4, 1 + (4 * (count - 1)) // peak)


def heatmap_chart(points: Sequence[tuple[date, int]]) -> Chart:
    """A GitHub-style calendar: one column per week, one row per weekday (Monday on top)."""
    if not points:
        return Chart(width=1, height=1, summary="No reviews yet.")
    first = points[0][0] - timedelta(days=points[0][0].weekday())
    peak = max(n for _, n in points)
    cells = []
    ticks = []
    last_month = None
    for day, count in points:
        week = (day - first).days // 7
        x = week * (CELL + CELL_GAP)
        cells.append(
            Cell(
                x,
                14 + day.weekday() * (CELL + CELL_GAP),
                CELL,
                _level(count, peak),
                f"{day:%a %d %b %Y}: {plural(count, 'review')}",
            )
        )
        if day.month != last_month and day.day <= 7:
            ticks.append(Tick(x, f"{day:%b}"))
            last_month = day.month
    weeks = (points[-1][0] - first).days // 7 + 1
    total = sum(n for _, n in points)
    active = sum(1 for _, n in points if n)
    return Chart(
        width=weeks * (CELL + CELL_GAP),
        height=14 + 7 * (CELL + CELL_GAP),
        summary=(
            f"{plural(total, 'review')} on {plural(active, 'day')} of the last {len(points)} days."
        ),
        cells=tuple(cells),
        ticks=tuple(ticks),
        rows=tuple((f"{d:%Y-%m-%d}", n) for d, n in points if n),
    )
