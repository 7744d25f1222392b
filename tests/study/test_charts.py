"""The home page's charts: the forecast has a labelled y-axis (issue 16); the heatmap's cells
carry their day and count, escaped."""

from __future__ import annotations

from datetime import date, timedelta

from quizapp.main.charts import BAR_HEIGHT, BAR_TOP, Cell, Chart, forecast_chart, heatmap_chart
from tests.conftest import Browserless

START = date(2024, 3, 4)


def days(*counts: int) -> list[tuple[date, int]]:
    return [(START + timedelta(days=i), n) for i, n in enumerate(counts)]


def test_the_axis_runs_from_zero_to_the_busiest_day() -> None:
    chart = forecast_chart(days(0, 12, 3, 0, 7))
    assert [t.label for t in chart.y_ticks] == ["0", "6", "12"]
    assert [t.y for t in chart.y_ticks] == [BAR_TOP + BAR_HEIGHT, BAR_TOP + 45, BAR_TOP]
    assert chart.y_label == "reviews"
    # The bars start right of the labels, and the tallest reaches the top tick.
    assert all(b.x >= chart.plot_left for b in chart.bars)
    tallest = max(chart.bars, key=lambda b: b.count)
    assert tallest.y == chart.y_ticks[-1].y
    assert tallest.y + tallest.height == chart.y_ticks[0].y
    assert chart.width == chart.plot_left + 5 * 18 - 4
    # The text alternative is unchanged.
    assert chart.summary.startswith("22 reviews due in the next 5 days")


def test_small_and_empty_forecasts_have_two_ticks() -> None:
    assert [t.label for t in forecast_chart(days(1, 2)).y_ticks] == ["0", "2"]
    empty = forecast_chart(days(0, 0, 0))
    assert [t.label for t in empty.y_ticks] == ["0", "1"]
    assert all(b.height == 0 for b in empty.bars)


def test_the_home_page_draws_the_axis_inside_the_named_image(logged_in: Browserless) -> None:
    page = logged_in.get("/").get_data(as_text=True)
    svg = page.split('aria-labelledby="forecast-title"')[1].split("</svg>")[0]
    assert '<title id="forecast-title">' in svg
    assert 'class="tick axis-name"' in svg
    assert svg.count('class="tick y-tick"') >= 2
    assert ">0</text>" in svg


def test_heatmap_cells_are_one_rect_each_with_their_day() -> None:
    chart = heatmap_chart(days(0, 3, 9))
    rects = str(chart.cell_rects())
    assert rects.count("<rect ") == 3
    assert '<rect class="cell level-0" x="0" y="14"' in rects
    assert "<title>Tue 05 Mar 2024: 3 reviews</title>" in rects
    assert 'class="cell level-4"' in rects  # the busiest day


def test_heatmap_cell_labels_are_escaped() -> None:
    chart = Chart(width=1, height=1, summary="", cells=(Cell(0, 0, 12, 1, "<b>&</b>"),))
    assert "<title>&lt;b&gt;&amp;&lt;/b&gt;</title>" in str(chart.cell_rects())


def test_the_home_page_draws_the_heatmap_cells(logged_in: Browserless) -> None:
    page = logged_in.get("/").get_data(as_text=True)
    svg = page.split('aria-labelledby="heatmap-title"')[1].split("</svg>")[0]
    assert svg.count('<rect class="cell level-') == 182
