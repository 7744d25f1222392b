"""The data model: accounts, question banks, memory states and the review log."""

from __future__ import annotations

import enum
import math
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, Session, WriteOnlyMapped, mapped_column, relationship

from quizapp.db import Base, JSONDoc, UTCDateTime, utcnow
from quizapp.scheduler.class_prior import item_prior

DEFAULT_TARGET_RETENTION = 0.9
DEFAULT_NEW_PER_DAY = 20


class Role(enum.StrEnum):
    """What an account may do; each role includes the powers of the ones before it."""

    LEARNER = "learner"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


def _enum_values(enum_cls: type[enum.Enum]) -> list[str]:
    return [str(member.value) for member in enum_cls]


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(
            "target_retention >= 0.7 AND target_retention <= 0.97", name="target_retention_range"
        ),
        sa.CheckConstraint("new_per_day >= 0 AND new_per_day <= 1000", name="new_per_day_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(
        sa.Enum(
            Role,
            name="role",
            native_enum=False,
            length=16,
            values_callable=_enum_values,
            create_constraint=True,
        ),
        default=Role.LEARNER,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Per-learner study settings.
    target_retention: Mapped[float] = mapped_column(default=DEFAULT_TARGET_RETENTION)
    new_per_day: Mapped[int] = mapped_column(default=DEFAULT_NEW_PER_DAY)
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    # Bumped to end every login of this user (logout everywhere, a new password): a session
    # cookie carries the version it was issued under.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    enrollments: Mapped[list[Enrollment]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    reviews: WriteOnlyMapped[ReviewLog] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    def has_role(self, role: Role) -> bool:
        return self.role.at_least(role)

    def get_id(self) -> str:
        """What the login cookie holds: the id and the session version it was issued under
        (``quizapp.auth.routes.load_user`` refuses a cookie whose version is not current)."""
        return f"{self.id}:{self.session_version or 0}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class QuestionSet(Base):
    """A bank of questions drawn from one source document."""

    __tablename__ = "question_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(sa.String(100), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    version: Mapped[str] = mapped_column(sa.String(40), default="1")
    # The language learners answer in (quizapp.grading.LANGUAGES): typed answers are
    # compared by its rules.
    language: Mapped[str] = mapped_column(sa.String(8), default="en", server_default="en")
    source_title: Mapped[str] = mapped_column(sa.String(300), default="")
    source_ref: Mapped[str] = mapped_column(sa.String(500), default="")
    source_text: Mapped[str | None] = mapped_column(sa.Text)
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    is_published: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Counts the flushes that changed the set's questions (see _count_question_changes).
    questions_revision: Mapped[int] = mapped_column(default=0, server_default="0")

    owner: Mapped[User | None] = relationship()
    topics: Mapped[list[Topic]] = relationship(
        back_populates="question_set", cascade="all, delete-orphan", order_by="Topic.position"
    )
    questions: WriteOnlyMapped[Question] = relationship(
        back_populates="question_set", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<QuestionSet {self.uid} v{self.version}>"


class Topic(Base):
    __tablename__ = "topics"
    __table_args__ = (sa.UniqueConstraint("set_id", "uid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(sa.ForeignKey("question_sets.id", ondelete="CASCADE"))
    uid: Mapped[str] = mapped_column(sa.String(100))
    title: Mapped[str] = mapped_column(sa.String(200))
    # The heading of this topic's part of the source document, if any.
    section: Mapped[str] = mapped_column(sa.String(300), default="")
    position: Mapped[int] = mapped_column(default=0)

    question_set: Mapped[QuestionSet] = relationship(back_populates="topics")

    def __repr__(self) -> str:
        return f"<Topic {self.uid}>"


class Question(Base):
    """One question. ``spec`` holds the type-specific part (choices, answers, tolerance...).

    Questions are never deleted while learners have history for them: a question dropped
    from its bank is retired (``is_active`` false) so its review log stays meaningful.
    """

    __tablename__ = "questions"
    __table_args__ = (
        sa.UniqueConstraint("set_id", "uid"),
        # The due counts, forecasts and queues join a learner's memory rows to the active
        # questions of their sets. These two answer that join alone, without reading the
        # question rows (prompts and specs): by set when the planner hashes every question of
        # the sets, by id when it probes the few that the learner's rows name.
        sa.Index("ix_questions_set_active", "set_id", "is_active", "id"),
        sa.Index("ix_questions_id_set_active", "id", "set_id", "is_active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(sa.ForeignKey("question_sets.id", ondelete="CASCADE"))
    topic_id: Mapped[int] = mapped_column(
        sa.ForeignKey("topics.id", ondelete="CASCADE"), index=True
    )
    uid: Mapped[str] = mapped_column(sa.String(100))
    qtype: Mapped[str] = mapped_column(sa.String(32))
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    prompt: Mapped[str] = mapped_column(sa.Text)
    spec: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    explanation: Mapped[str] = mapped_column(sa.Text, default="")
    source_section: Mapped[str] = mapped_column(sa.String(200), default="")
    source_quote: Mapped[str] = mapped_column(sa.Text, default="")
    tags: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    # Digest of the answer specification: when it changes, memory states start afresh.
    answer_digest: Mapped[str] = mapped_column(sa.String(64), default="")
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # What the class's first answers say of the question (quizapp.classmodel, which writes
    # them without touching the rest of the row): its easiness relative to its set's mean
    # (logits, shrunk toward it), that mean, and how many learners they rest on. Kept on the
    # row so that answering, which loads the question anyway, reads nothing more.
    class_easiness: Mapped[float | None]
    class_mean: Mapped[float | None]
    class_learners: Mapped[int] = mapped_column(default=0, server_default="0")

    question_set: Mapped[QuestionSet] = relationship(back_populates="questions")
    topic: Mapped[Topic] = relationship()

    @property
    def class_known(self) -> float | None:
        """The class's estimate that an average learner knows the question at first sight
        (guessing taken out), once enough learners answered it for the scheduler to use it."""
        prior = item_prior(self.class_easiness, self.class_mean, self.class_learners)
        if prior is None:
            return None
        return 1.0 / (1.0 + math.exp(-(prior.mean + prior.easiness)))

    def __repr__(self) -> str:
        return f"<Question {self.uid} {self.qtype}>"


class QuestionChange(Base):
    """One change of a stored question made in the app (not by loading a file): what it was
    before and after, who made it, when and why. The question's versions, oldest first."""

    __tablename__ = "question_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # What changed, as data: {"accepted": answer, "part": index} (rendered by the template).
    change: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    spec_before: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    spec_after: Mapped[dict[str, Any]] = mapped_column(JSONDoc)

    changed_by: Mapped[User | None] = relationship()


class QuestionFlag(Base):
    """A learner's note to the instructor that something is wrong with a question."""

    __tablename__ = "question_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class Enrollment(Base):
    """A learner studying a question set."""

    __tablename__ = "enrollments"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    set_id: Mapped[int] = mapped_column(
        sa.ForeignKey("question_sets.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The learner's exam on this set, if they gave one: the set's topics are planned for it.
    exam_date: Mapped[date | None] = mapped_column(sa.Date)

    user: Mapped[User] = relationship(back_populates="enrollments")
    question_set: Mapped[QuestionSet] = relationship()


class QuestionMemory(Base):
    """The scheduler's state for one learner and one question (FSRS card state)."""

    __tablename__ = "memory_states"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "question_id"),
        # "What is due for this learner now": range scan on (user_id, due).
        sa.Index("ix_memory_states_user_due", "user_id", "due"),
        # The few suspended questions (a class's leeches), without reading every state.
        sa.Index(
            "ix_memory_states_suspended",
            "question_id",
            "user_id",
            sqlite_where=sa.text("suspended_reason IS NOT NULL"),
            postgresql_where=sa.text("suspended_reason IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    # Denormalised from the question so that "this learner's state per topic" is one index scan.
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topics.id", ondelete="CASCADE"))
    stability: Mapped[float | None]
    difficulty: Mapped[float | None]
    state: Mapped[int] = mapped_column(default=1)
    # No default: the ORM puts a column's default in place of an explicit None, and a state
    # in REVIEW has no step (None), which a default of 0 would turn into step 0.
    step: Mapped[int | None]
    due: Mapped[datetime] = mapped_column(UTCDateTime)
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reps: Mapped[int] = mapped_column(default=0)
    lapses: Mapped[int] = mapped_column(default=0)
    # Held back from the learner's queues (quizapp.study.holds): suspended until they take it
    # back ("learner"), or by leech detection ("leech"); buried until the next local day.
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspended_reason: Mapped[str | None] = mapped_column(sa.String(16))
    buried_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    question: Mapped[Question] = relationship()


sa.Index("ix_memory_states_user_topic", QuestionMemory.user_id, QuestionMemory.topic_id)


class ReviewLog(Base):
    """One answer, appended and never rewritten (an undone answer is marked, not deleted)."""

    __tablename__ = "review_logs"
    __table_args__ = (
        sa.Index("ix_review_logs_user_time", "user_id", "reviewed_at"),
        sa.Index("ix_review_logs_user_question_time", "user_id", "question_id", "reviewed_at"),
        sa.CheckConstraint("score >= 0 AND score <= 1", name="score_range"),
        sa.CheckConstraint("rating >= 1 AND rating <= 4", name="rating_range"),
        # A session's step is answered once: a doubled or replayed post cannot add a second
        # live answer even if two requests got past the application's own check.
        sa.Index(
            "uq_review_logs_session_step",
            "session_id",
            "session_step",
            unique=True,
            sqlite_where=sa.text("undone_at IS NULL"),
            postgresql_where=sa.text("undone_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    response: Mapped[Any] = mapped_column(JSONDoc)
    # The grade the quiz gave: outcome is correct / partial / wrong, score in [0, 1].
    outcome: Mapped[str] = mapped_column(sa.String(16))
    score: Mapped[float]
    # What the scheduler was fed (FSRS rating 1-4): the rating the grade implied, the
    # learner's override if any, and the rating that counted.
    rating: Mapped[int]
    auto_rating: Mapped[int | None]
    override: Mapped[str | None] = mapped_column(sa.String(16))
    duration_ms: Mapped[int | None]
    # The memory state before this review, so that an undo restores it exactly.
    state_before: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the grade was changed after the fact (what counts as right changed since:
    # quizapp.study.regrade); the ratings and state_before were then replayed with it.
    regraded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The study session it was given in, and that session's queue before it (for undo).
    session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("study_sessions.id", ondelete="SET NULL"), index=True
    )
    session_before: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)
    # Which of the session's steps this answers (its ``answered`` count when the question
    # was shown): the answer form's one-time key.
    session_step: Mapped[int | None]
    # The learner's stored figures (quizapp.learners) before this review, for an exact undo.
    stats_before: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)

    user: Mapped[User] = relationship(back_populates="reviews")
    question: Mapped[Question] = relationship()


class StudySession(Base):
    """One sitting: its queue lives here so any worker can serve the next question."""

    __tablename__ = "study_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    mode: Mapped[str] = mapped_column(sa.String(16))
    topic_id: Mapped[int | None] = mapped_column(sa.ForeignKey("topics.id", ondelete="SET NULL"))
    # quizapp.scheduler.SessionQueue.to_dict()
    queue: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    current_question_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("questions.id", ondelete="SET NULL")
    )
    answered: Mapped[int] = mapped_column(default=0)
    # Predicted recall per topic id when the session started, for the summary.
    recall_before: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    topic: Mapped[Topic | None] = relationship()


class LearnerModelRecord(Base):
    """A learner's fitted recall model (quizapp.scheduler.LearnerModel.to_dict())."""

    __tablename__ = "learner_models"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    fitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    n_reviews: Mapped[int]
    # Bumped by every fit: the learner's stored item states name the version they follow.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDoc)


class MediaAsset(Base):
    """A file a set's questions show (an image from an imported package), served by the app."""

    __tablename__ = "media_assets"
    __table_args__ = (sa.UniqueConstraint("set_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(sa.ForeignKey("question_sets.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    question_set: Mapped[QuestionSet] = relationship()


class PendingImport(Base):
    """An uploaded question-set file between its preview and its publication."""

    __tablename__ = "pending_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    # The set id the instructor asked for ("" for the file's own).
    set_uid: Mapped[str] = mapped_column(sa.String(100), default="")
    # The set's title the instructor gave ("" for the file's own, or one made from its name).
    set_title: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    # The two large columns load only when read: a status poll needs neither.
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    # The set read from ``data`` and checked, with its media and warnings (or the file's
    # problems), as plain data (``quizapp.sets.imports``): the preview and the publication load
    # it without reading the file again. None until the check has run (and for uploads kept
    # before it was stored: those are read again).
    checked: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True, deferred=True)
    # The check runs as a background job for large files: 'checking' (``progress`` says which
    # step, 0-100), then 'ready' (``checked`` is stored) or 'failed' (``error`` says why).
    status: Mapped[str] = mapped_column(sa.String(16), default="ready", server_default="ready")
    progress: Mapped[int] = mapped_column(default=100, server_default="100")
    error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    # When ``status``/``progress`` last moved: a check that has not moved for long is redone.
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # What publishing would change, worked out by the check, with the state of the target set
    # it was worked out against (``quizapp.sets.imports``); None until then.
    report: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[User] = relationship()


@sa.event.listens_for(Session, "before_flush")
def _count_question_changes(session: Session, _context: object, _instances: object) -> None:
    """Bump ``questions_revision`` of every set whose questions this flush adds, changes or
    deletes: what is computed from a set's questions (a learner's topic totals) names the
    revision it saw, and is computed afresh once it moves."""
    changed: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(obj, Question):
            continue
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        set_id = obj.set_id if obj.set_id is not None else getattr(obj.question_set, "id", None)
        if set_id is not None:
            changed.add(set_id)
    for set_id in changed:
        question_set = session.get(QuestionSet, set_id)
        if question_set is not None:
            question_set.questions_revision = (question_set.questions_revision or 0) + 1
