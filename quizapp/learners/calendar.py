"""The learner's calendar: days are the learner's local days, in their time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from quizapp.models import User


def zone_named(name: str) -> ZoneInfo:
    """The time zone called ``name``; UTC for a name that is not one."""
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def zone(user: User) -> ZoneInfo:
    return zone_named(user.timezone)


def local_date(user: User, moment: datetime) -> date:
    """The calendar day of ``moment`` in the learner's time zone."""
    return moment.astimezone(zone(user)).date()


def start_of_local_day(user: User, now: datetime) -> datetime:
    local = now.astimezone(zone(user))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)
