"""Numbers said in English: how far away a review is, how long a session took, "3 reviews".

Services hand the pages numbers; the templates say them with these functions, registered as
Jinja filters of the same names (``quizapp.web``). Pure: no Flask, no database.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def plural(n: int, word: str) -> str:
    """``n`` and ``word``, with an "s" unless ``n`` is 1: '1 review', '0 reviews', '2 days'."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def percent(share: float | None) -> str:
    """A share as a whole percentage, '83%'; '—' for none (nothing to measure)."""
    return "—" if share is None else f"{share * 100:.0f}%"


def interval(days: float) -> str:
    """Say how far away a review is: '10 minutes', '3 hours', '4 days', '2 months'.

    Never less than '1 minute', so a review due about now still reads as a time to come.
    """
    minutes = days * 24 * 60
    if minutes < 60:
        return plural(max(1, round(minutes)), "minute")
    if minutes < 24 * 60:
        return plural(round(minutes / 60), "hour")
    if days < 60:
        return plural(round(days), "day")
    if days < 730:
        return plural(round(days / 30.4), "month")
    return plural(round(days / 365.25), "year")


def duration(seconds: float) -> str:
    """How long something took, to the whole second: '45 s', '3 min 05 s'."""
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def clock(seconds: int) -> str:
    """A running time as a stopwatch shows it: '0:07', '12:30'.

    The study timer in ``static/js/study.js`` goes on ticking in the same format, so both must
    change together.
    """
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}:{secs:02d}"


def localtime(moment: datetime | None, zone: str) -> str:
    """A moment as read in time zone ``zone`` (an IANA name), to the minute, with the zone:
    'Mon 2 Mar 2026, 09:00 (Europe/Paris)'."""
    if moment is None:
        return ""
    try:
        local = moment.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        local, zone = moment, "UTC"
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} ({zone})"
