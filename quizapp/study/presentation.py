"""Generic words and checks of the study pages (pure, Flask-free).

What differs by question type (the answer area, reading the form, describing a response, the
per-part feedback) belongs to the type: ``quizapp.grading.get_type(name)``.
"""

from __future__ import annotations


def is_blank(qtype: str, response: object) -> bool:
    """Whether the learner gave no answer at all (the form is then shown again)."""
    if response is None or response == "":
        return True
    if isinstance(response, list):
        return all(item in (None, "") for item in response) or not response
    return False


def humanize_interval(days: float) -> str:
    """Say how far away a review is: '10 minutes', '3 hours', '4 days', '2 months'."""
    minutes = days * 24 * 60
    if minutes < 60:
        n, unit = max(1, round(minutes)), "minute"
    elif minutes < 24 * 60:
        n, unit = round(minutes / 60), "hour"
    elif days < 60:
        n, unit = round(days), "day"
    elif days < 730:
        n, unit = round(days / 30.4), "month"
    else:
        n, unit = round(days / 365.25), "year"
    return f"{n} {unit}{'' if n == 1 else 's'}"
