"""One definition of a weak topic, for every page that names one (the home page, the
weak-topics session, a class's learners falling behind).

Recall just after a review is always near 100 %, even after a wrong answer, so a topic's
figure that means something is its recall at a *horizon*: a week from now, or the day of
the learner's exam. A topic is weak when the learner's predicted recall of it at the horizon
(the studied questions' recall then and the estimate for the rest, weighted by coverage) is
below their target. Weak topics are ranked by how far below the target they are, then by how
many of their questions a review would work on (those predicted below target then, and
those not studied yet).

Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from quizapp.scheduler.topics import Key, TopicSummary

HORIZON_DAYS = 7
"""The horizon when the learner has no exam date: what they will still know in a week."""


@dataclass(frozen=True)
class Outlook:
    """A topic's recall now and at the horizon.

    Attributes:
        summary: the topic's figures now.
        horizon: the day the ``then`` figures are for.
        exam: whether the horizon is the learner's exam day (else a week from now).
        recall_then: mean predicted recall of the studied questions at the horizon.
        below_then: studied questions predicted below the target at the horizon.
        strength_days: mean memory stability of the studied questions, in days.
    """

    summary: TopicSummary
    horizon: date
    exam: bool
    recall_then: float | None
    below_then: int
    strength_days: float | None

    @property
    def topic_id(self) -> Key:
        return self.summary.topic_id

    @property
    def expected_then(self) -> float:
        """Recall of the whole topic at the horizon: studied and estimated by coverage."""
        s = self.summary
        return s.coverage * (self.recall_then or 0.0) + (1.0 - s.coverage) * s.estimate_unstudied

    @property
    def to_work(self) -> int:
        """The questions a review would work on: below target then, or not studied yet."""
        return self.below_then + (self.summary.questions - self.summary.studied)


@dataclass(frozen=True)
class Weakness:
    """Why a topic is weak, in numbers and in words."""

    outlook: Outlook

    @property
    def topic_id(self) -> Key:
        return self.outlook.topic_id

    @property
    def gap(self) -> float:
        return self.outlook.summary.target - self.outlook.expected_then

    @property
    def reason(self) -> str:
        """E.g. "3 of 8 questions studied; expected recall in a week 61 % against your
        target 85 %"."""
        o, s = self.outlook, self.outlook.summary
        when = f"on your exam day ({o.horizon:%d %b})" if o.exam else "in a week"
        studied = (
            f"{s.studied} of {s.questions} questions studied"
            if s.studied < s.questions
            else f"all {s.questions} questions studied"
        )
        return (
            f"{studied}; expected recall {when} {o.expected_then:.0%} "
            f"against your target {s.target:.0%}"
        ).replace("%", " %")


def weakness(outlook: Outlook) -> Weakness | None:
    """The topic's weakness, or None when it is predicted at or above target at the horizon
    (a topic never started is not weak: it is new)."""
    if outlook.summary.studied == 0:
        return None
    if outlook.expected_then >= outlook.summary.target:
        return None
    return Weakness(outlook)


def weak_topics(outlooks: Iterable[Outlook], limit: int | None = None) -> tuple[Weakness, ...]:
    """The weak topics, weakest first: by gap to the target, then by questions to work on."""
    found = [w for o in outlooks if (w := weakness(o)) is not None]
    found.sort(key=lambda w: (-round(w.gap, 6), -w.outlook.to_work, str(w.topic_id)))
    return tuple(found if limit is None else found[:limit])
