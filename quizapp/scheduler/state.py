"""The memory state of one (learner, question) pair, and its mapping to and from the
database row that keeps it (``quizapp.models.QuestionMemory``, whose columns these are)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

__all__ = ["LEARNING", "RELEARNING", "REVIEW", "MemoryState", "StateColumns", "as_utc"]

#: ``state`` value of a question in its first same-day steps (as ``fsrs.State.Learning``).
LEARNING = 1
#: ``state`` value of a question on day-scale intervals (as ``fsrs.State.Review``).
REVIEW = 2
#: ``state`` value of a question in its same-day steps after a lapse (``fsrs.State.Relearning``).
RELEARNING = 3


def as_utc(value: datetime | str) -> datetime:
    """Returns a timezone-aware UTC datetime.

    Args:
        value: a datetime or an ISO 8601 string. A naive value (as SQLite returns) is taken to
            be UTC already; an aware one is converted.

    Returns:
        The same instant with ``tzinfo=timezone.utc``.
    """
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class StateColumns(Protocol):
    """What keeps a state: one attribute per ``MemoryState`` field (a database row)."""

    stability: float | None
    difficulty: float | None
    state: int
    step: int | None
    due: datetime
    last_review: datetime | None
    reps: int
    lapses: int


def _require_utc(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC)")


@dataclass(frozen=True)
class MemoryState:
    """What the scheduler knows about one learner and one question.

    A question the learner has never answered has no ``MemoryState`` (``None``); use
    ``MemoryState.new`` to get the starting state when the first answer comes in.

    Attributes:
        stability: FSRS stability in days (interval at which recall falls to 90 %), None if new.
        difficulty: FSRS difficulty in [1, 10], None if new.
        state: ``LEARNING`` (1), ``REVIEW`` (2) or ``RELEARNING`` (3).
        step: index of the current (re)learning step, None in ``REVIEW``.
        due: when the question is next due (UTC).
        last_review: time of the last answer (UTC), None if new.
        reps: number of answers given.
        lapses: number of times the question was forgotten after it had graduated to ``REVIEW``.
    """

    stability: float | None
    difficulty: float | None
    state: int
    step: int | None
    due: datetime
    last_review: datetime | None
    reps: int = 0
    lapses: int = 0

    def __post_init__(self) -> None:
        if self.state not in (LEARNING, REVIEW, RELEARNING):
            raise ValueError(f"unknown state {self.state}")
        _require_utc(self.due, "due")
        if self.last_review is not None:
            _require_utc(self.last_review, "last_review")
        if (self.stability is None) != (self.difficulty is None):
            raise ValueError("stability and difficulty are both set or both None")
        if self.reps < 0 or self.lapses < 0:
            raise ValueError("reps and lapses cannot be negative")

    @classmethod
    def new(cls, now: datetime) -> MemoryState:
        """The state of a question never answered, due at ``now``.

        Args:
            now: the current time (UTC).

        Returns:
            A fresh state in ``LEARNING`` at step 0.
        """
        return cls(None, None, LEARNING, 0, as_utc(now), None, 0, 0)

    @property
    def is_new(self) -> bool:
        """Whether the question has never been answered."""
        return self.last_review is None

    def to_dict(self) -> dict[str, Any]:
        """Returns the state as plain values, one per database column.

        Returns:
            ``{"stability", "difficulty", "state", "step", "due", "last_review", "reps",
            "lapses"}`` with datetimes as aware ``datetime`` objects.
        """
        return {
            "stability": self.stability,
            "difficulty": self.difficulty,
            "state": self.state,
            "step": self.step,
            "due": self.due,
            "last_review": self.last_review,
            "reps": self.reps,
            "lapses": self.lapses,
        }

    def to_json_dict(self) -> dict[str, Any]:
        """Returns the state with datetimes as ISO 8601 strings (JSON-safe).

        Returns:
            The same keys as ``to_dict``.
        """
        out = self.to_dict()
        out["due"] = self.due.isoformat()
        out["last_review"] = None if self.last_review is None else self.last_review.isoformat()
        return out

    @classmethod
    def of_row(cls, row: StateColumns) -> MemoryState:
        """The state a row keeps (its datetimes may be naive UTC, as SQLite returns them)."""
        return cls.from_dict(
            {
                "stability": row.stability,
                "difficulty": row.difficulty,
                "state": row.state,
                "step": row.step,
                "due": row.due,
                "last_review": row.last_review,
                "reps": row.reps,
                "lapses": row.lapses,
            }
        )

    def write_to(self, row: StateColumns) -> None:
        """Keep this state in ``row``."""
        for name, value in self.to_dict().items():
            setattr(row, name, value)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MemoryState:
        """Builds a state from ``to_dict`` or ``to_json_dict`` output (or database columns).

        Args:
            data: the mapping; datetimes may be aware or naive-UTC datetimes or ISO strings.

        Returns:
            The state.
        """
        last = data.get("last_review")
        stability = data.get("stability")
        difficulty = data.get("difficulty")
        step = data.get("step")
        return cls(
            stability=None if stability is None else float(stability),
            difficulty=None if difficulty is None else float(difficulty),
            state=int(data["state"]),
            step=None if step is None else int(step),
            due=as_utc(data["due"]),
            last_review=None if last is None else as_utc(last),
            reps=int(data.get("reps", 0)),
            lapses=int(data.get("lapses", 0)),
        )
