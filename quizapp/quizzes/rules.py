"""A quiz's rules, pure and Flask-free: which questions an attempt draws, when it must end,
what a learner may see, and which attempts count for the grade."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Literal

GRADINGS = {"highest": "Highest attempt", "last": "Last attempt", "average": "Average of attempts"}
REVIEW_PARTS = {
    "score": "The score",
    "answers": "Their answers, each marked right or wrong",
    "correct": "The correct answers",
    "feedback": "Feedback and explanations",
    "source": "The source passages",
}
REVIEW_WHEN = {
    "after_attempt": "Right after the attempt",
    "after_close": "After the quiz closes",
    "never": "Never",
}
DEFAULT_REVIEW = dict.fromkeys(REVIEW_PARTS, "after_attempt")
State = Literal["upcoming", "open", "closed"]


def draw_questions(
    draw: Sequence[Mapping[str, int]],
    pool_by_topic: Mapping[int, Sequence[int]],
    active: frozenset[int] | set[int],
    seed: int,
    shuffle: bool,
) -> list[int]:
    """The questions of one attempt, reproducible from ``seed``.

    ``draw`` entries take ``count`` random questions of ``topic_id`` (all of them when it
    has fewer) or one fixed ``question_id`` (left out when it is no longer ``active``).
    Questions keep the draw's order unless ``shuffle``; no question is drawn twice.
    """
    rng = random.Random(seed)
    chosen: list[int] = []
    seen: set[int] = set()
    for entry in draw:
        if "question_id" in entry:
            picked = [entry["question_id"]] if entry["question_id"] in active else []
        else:
            pool = sorted(q for q in pool_by_topic.get(entry["topic_id"], ()) if q not in seen)
            picked = rng.sample(pool, min(entry.get("count", 0), len(pool)))
        for question_id in picked:
            if question_id not in seen:
                seen.add(question_id)
                chosen.append(question_id)
    if shuffle:
        rng.shuffle(chosen)
    return chosen


def deadline(
    started_at: datetime,
    time_limit_minutes: int | None,
    extra_minutes: int,
    closes_at: datetime | None,
) -> datetime | None:
    """When an attempt must end: its time limit (plus any extra time) from its start, and
    never after the quiz closes; None when neither applies."""
    ends = []
    if time_limit_minutes:
        ends.append(started_at + timedelta(minutes=time_limit_minutes + extra_minutes))
    if closes_at is not None:
        ends.append(closes_at)
    return min(ends) if ends else None


def state(opens_at: datetime | None, closes_at: datetime | None, now: datetime) -> State:
    if opens_at is not None and now < opens_at:
        return "upcoming"
    if closes_at is not None and now >= closes_at:
        return "closed"
    return "open"


def attempts_allowed(max_attempts: int, extra_attempts: int) -> int | None:
    """How many attempts a learner may make (None: no limit)."""
    return None if max_attempts <= 0 else max_attempts + extra_attempts


def final_score(scores: Sequence[float], grading: str) -> float | None:
    """The score that counts, from the submitted attempts' scores in order."""
    if not scores:
        return None
    if grading == "last":
        return scores[-1]
    if grading == "average":
        return sum(scores) / len(scores)
    return max(scores)


def may_see(
    review: Mapping[str, str], part: str, submitted: bool, closed: bool, *, teacher: bool = False
) -> bool:
    """Whether a submitted attempt's ``part`` (see ``REVIEW_PARTS``) is shown to its learner
    (an instructor sees everything)."""
    if teacher:
        return True
    when = review.get(part, DEFAULT_REVIEW[part])
    if not submitted or when == "never":
        return False
    return when == "after_attempt" or closed


def seconds_left(ends: datetime | None, now: datetime) -> int | None:
    return None if ends is None else max(0, int((ends - now).total_seconds()))
