"""The forecast chart has a labelled y-axis (issue 16)."""

from __future__ import annotations

from datetime import date, timedelta

from quizapp.main.charts import BAR_HEIGHT, BAR_TOP, forecast_chart
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
