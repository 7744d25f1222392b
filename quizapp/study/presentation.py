"""Generic checks of the study pages (pure, Flask-free).

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
