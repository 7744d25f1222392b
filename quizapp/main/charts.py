"""Charts drawn on the server as SVG: the due forecast and the review heatmap.

Pure functions from data to a ``Chart`` (SVG geometry plus a text alternative); the templates
turn it into markup, so no script or remote library is involved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

from quizapp.humanize import plural

BAR_WIDTH = 14
BAR_GAP = 4
BAR_HEIGHT = 90
BAR_TOP = 16  # room above the tallest bar for the y-axis's name and top label
AXIS_DIGIT = 6  # the width of a digit of the y-axis's labels (9 px text)
AXIS_GAP = 6
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
class YTick:
    y: int
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
    y_ticks: tuple[YTick, ...] = ()  # the count axis, from 0 up (none when there is no axis)
    y_label: str = ""
    plot_left: int = 0  # where the bars start: the y-axis and its labels are left of it

    def cell_rects(self) -> Markup:
        """The heatmap's cells as SVG. Written here rather than in the template: half a year
        of cells, six escaped fields each, took a fifth of the home page's time there."""
        return Markup(
            "".join(
                f'<rect class="cell level-{c.level}" x="{c.x}" y="{c.y}" width="{c.size}"'
                f' height="{c.size}" rx="2"><title>{escape(c.label)}</title></rect>'
                for c in self.cells
            )
        )


def forecast_chart(points: Sequence[tuple[date, int]]) -> Chart:
    """A bar per day: how many reviews fall due that day."""
    peak = max((n for _, n in points), default=0)
    top = max(peak, 1)  # the axis's top: the busiest day (1 when nothing is due)
    label_width = AXIS_DIGIT * len(str(top))
    left = label_width + AXIS_GAP
    bars = []
    ticks = []
    for i, (day, count) in enumerate(points):
        height = round(BAR_HEIGHT * count / top)
        x = left + i * (BAR_WIDTH + BAR_GAP)
        label = f"{day:%a %d %b}: {plural(count, 'review')}"
        bars.append(
            Bar(
                x,
                BAR_TOP + BAR_HEIGHT - height,
                BAR_WIDTH,
                max(height, 1 if count else 0),
                label,
                count,
            )
        )
        if i % 7 == 0:
            ticks.append(Tick(x, f"{day:%d %b}"))
    total = sum(n for _, n in points)
    busiest = max(points, key=lambda p: p[1]) if points and peak else None
    summary = f"{plural(total, 'review')} due in the next {len(points)} days"
    if busiest is not None:
        summary += f"; the busiest day is {busiest[0]:%A %d %B} with {busiest[1]}"
    y_values = [0, top] if top < 4 else [0, top // 2, top]
    return Chart(
        width=left + max(1, len(points) * (BAR_WIDTH + BAR_GAP) - BAR_GAP),
        height=BAR_TOP + BAR_HEIGHT + 18,
        summary=summary + ".",
        bars=tuple(bars),
        ticks=tuple(ticks),
        rows=tuple((f"{d:%Y-%m-%d}", n) for d, n in points),
        y_ticks=tuple(
            YTick(BAR_TOP + BAR_HEIGHT - round(BAR_HEIGHT * v / top), str(v)) for v in y_values
        ),
        y_label="reviews",
        plot_left=left,
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
