"""The English formatters of numbers, at the edges of their units."""

from __future__ import annotations

import pytest

from quizapp import humanize

MINUTE = 1 / (24 * 60)


@pytest.mark.parametrize(
    ("n", "word", "said"),
    [(1, "review", "1 review"), (0, "review", "0 reviews"), (2, "day", "2 days")],
)
def test_plural(n: int, word: str, said: str) -> None:
    assert humanize.plural(n, word) == said


@pytest.mark.parametrize(
    ("days", "said"),
    [
        (-1.0, "1 minute"),  # overdue still reads as a time to come
        (0.0, "1 minute"),
        (MINUTE, "1 minute"),
        (2 * MINUTE, "2 minutes"),
        (59 * MINUTE, "59 minutes"),
        (60 * MINUTE, "1 hour"),
        (23 / 24, "23 hours"),
        (1.0, "1 day"),
        (2.0, "2 days"),
        (59.0, "59 days"),
        (60.0, "2 months"),
        (365.0, "12 months"),
        (730.0, "2 years"),
    ],
)
def test_interval(days: float, said: str) -> None:
    assert humanize.interval(days) == said


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (0, "0 s"),
        (59.9, "59 s"),
        (60, "1 min 00 s"),
        (185, "3 min 05 s"),
        (3600, "60 min 00 s"),
    ],
)
def test_duration(seconds: float, said: str) -> None:
    assert humanize.duration(seconds) == said


@pytest.mark.parametrize(
    ("seconds", "said"), [(0, "0:00"), (7, "0:07"), (60, "1:00"), (750, "12:30"), (3600, "60:00")]
)
def test_clock(seconds: int, said: str) -> None:
    assert humanize.clock(seconds) == said


def test_percent_says_a_share_as_a_whole_percentage() -> None:
    assert humanize.percent(0.834) == "83%"
    assert humanize.percent(1.0) == "100%"
    assert humanize.percent(0.0) == "0%"
    assert humanize.percent(None) == "—"
