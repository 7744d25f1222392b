"""What the learner's quiz pages show, built from the stored quiz and attempts (no writes but
"Quiz me" adding its quiz; the view commits)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa

from quizapp.courses.models import Course, CourseMember
from quizapp.extensions import db
from quizapp.grading.presenting import PartLine, Presented
from quizapp.grading.registry import get_type
from quizapp.models import Question, User
from quizapp.quizzes import attempts, rules
from quizapp.quizzes.models import Quiz, QuizAnswer, QuizAttempt
from quizapp.study.common import grading_contexts
from quizapp.study.progress import topic_views

UNSHUFFLED = frozenset({"single_choice", "multiple_response"})
"""Types whose choices a quiz may keep in the author's order (shuffling the right-hand
options of a matching question or the items of an ordering one is the question itself)."""
OWN_QUIZ_MAX = 50
OWN_QUIZ_MINUTES_MAX = 240


class FormError(ValueError):
    """A "Quiz me" form that cannot make a quiz, in words for the learner."""


@dataclass(frozen=True)
class QuizRow:
    quiz: Quiz
    course_title: str | None
    state: str  # upcoming, open, in_progress, done, closed
    seconds_left: int | None
    score: float | None  # the score that counts, when the learner may see it
    max_score: float | None
    open_attempt_id: int | None


def _score_shown(quiz: Quiz, made: Sequence[QuizAttempt], closed: bool) -> float | None:
    done = [a.score or 0.0 for a in made if not a.is_open]
    if not done or not rules.may_see(quiz.review, "score", True, closed):
        return None
    return rules.final_score(done, quiz.grading)


def quiz_rows(user: User, now: datetime) -> list[QuizRow]:
    """The quizzes of the learner's classes and their own, newest first, with their state."""
    quizzes = db.session.scalars(
        sa.select(Quiz)
        .where(
            sa.or_(
                Quiz.course_id.in_(
                    sa.select(CourseMember.course_id).where(CourseMember.user_id == user.id)
                ),
                sa.and_(Quiz.course_id.is_(None), Quiz.owner_id == user.id),
            )
        )
        .order_by(Quiz.created_at.desc(), Quiz.id.desc())
    ).all()
    mine: dict[int, list[QuizAttempt]] = {}
    if quizzes:
        for attempt in db.session.scalars(
            sa.select(QuizAttempt)
            .where(
                QuizAttempt.user_id == user.id,
                QuizAttempt.quiz_id.in_([q.id for q in quizzes]),
            )
            .order_by(QuizAttempt.number)
        ):
            mine.setdefault(attempt.quiz_id, []).append(attempt)
    titles = dict(
        db.session.execute(
            sa.select(Course.id, Course.title).where(
                Course.id.in_({q.course_id for q in quizzes if q.course_id})
            )
        ).all()
    )
    rows = []
    for quiz in quizzes:
        made = mine.get(quiz.id, [])
        open_attempt = next((a for a in made if a.is_open), None)
        when = rules.state(quiz.opens_at, quiz.closes_at, now)
        left = attempts.attempts_left(quiz, user.id, len(made))
        if open_attempt is not None:
            state = "in_progress"
        elif when == "open" and made and left == 0:
            state = "done"
        else:
            state = when if not (when == "closed" and made) else "done"
        ends = open_attempt.deadline if open_attempt else quiz.closes_at
        rows.append(
            QuizRow(
                quiz,
                titles.get(quiz.course_id) if quiz.course_id else None,
                state,
                rules.seconds_left(ends, now) if state in ("open", "in_progress") else None,
                _score_shown(quiz, made, when == "closed"),
                made[-1].max_score if made else None,
                open_attempt.id if open_attempt else None,
            )
        )
    return rows


@dataclass(frozen=True)
class QuizView:
    quiz: Quiz
    course_title: str | None
    timezone: str
    state: str
    questions: int
    attempts: list[QuizAttempt]
    attempts_left: int | None
    final: float | None
    open_attempt: QuizAttempt | None
    may_review: bool


def _question_count(quiz: Quiz) -> int:
    counts = 0
    for entry in quiz.draw:
        if "question_id" in entry:
            counts += 1
        else:
            available = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Question)
                .where(Question.topic_id == entry["topic_id"], Question.is_active.is_(True))
            )
            counts += min(int(entry.get("count", 0)), int(available or 0))
    return counts


def quiz_view(quiz: Quiz, user: User, now: datetime) -> QuizView:
    made = attempts.attempts_of(quiz, user.id)
    when = rules.state(quiz.opens_at, quiz.closes_at, now)
    course = db.session.get(Course, quiz.course_id) if quiz.course_id else None
    return QuizView(
        quiz,
        course.title if course else None,
        course.timezone if course else user.timezone,
        when,
        _question_count(quiz),
        made,
        attempts.attempts_left(quiz, user.id, len(made)),
        _score_shown(quiz, made, when == "closed"),
        next((a for a in made if a.is_open), None),
        any(rules.may_see(quiz.review, p, True, when == "closed") for p in rules.REVIEW_PARTS),
    )


def first_unanswered(attempt: QuizAttempt) -> int:
    answered = {
        q for q, a in attempts.answers_by_question(attempt).items() if a.response is not None
    }
    for n, question_id in enumerate(attempt.question_ids, start=1):
        if question_id not in answered:
            return n
    return 1


@dataclass(frozen=True)
class NavItem:
    n: int
    answered: bool
    flagged: bool
    current: bool


@dataclass(frozen=True)
class QuestionPage:
    attempt: QuizAttempt
    quiz: Quiz
    n: int
    total: int
    question: Question
    type_label: str
    presented: Presented
    given: dict[str, list[str]]
    flagged: bool
    nav: list[NavItem]
    seconds_left: int | None
    deadline_epoch_ms: int | None


def _nav(attempt: QuizAttempt, current: int) -> list[NavItem]:
    stored = attempts.answers_by_question(attempt)
    return [
        NavItem(
            n,
            question_id in stored and stored[question_id].response is not None,
            question_id in stored and stored[question_id].flagged,
            n == current,
        )
        for n, question_id in enumerate(attempt.question_ids, start=1)
    ]


def presented_for(quiz: Quiz, attempt: QuizAttempt, question: Question) -> Presented:
    """The answer area as this attempt shows it: options shuffled by the attempt's seed, or in
    the author's order when the quiz says so."""
    qtype = get_type(question.qtype)
    presented = qtype.present(question.spec, attempt.seed ^ question.id)
    if not quiz.shuffle_choices and question.qtype in UNSHUFFLED:
        presented = replace(
            presented, options=tuple(sorted(presented.options, key=lambda o: o.index))
        )
    return presented


def question_page(attempt: QuizAttempt, n: int, now: datetime) -> QuestionPage:
    question_id = attempt.question_ids[n - 1]
    question = db.session.get(Question, question_id)
    assert question is not None
    answer = db.session.get(QuizAnswer, (attempt.id, question_id))
    qtype = get_type(question.qtype)
    given: dict[str, list[str]] = {}
    if answer is not None and answer.response is not None:
        for name, value in qtype.form_fields(answer.response):
            given.setdefault(name, []).append(value)
    return QuestionPage(
        attempt,
        attempt.quiz,
        n,
        len(attempt.question_ids),
        question,
        qtype.label,
        presented_for(attempt.quiz, attempt, question),
        given,
        bool(answer and answer.flagged),
        _nav(attempt, n),
        rules.seconds_left(attempt.deadline, now),
        int(attempt.deadline.timestamp() * 1000) if attempt.deadline else None,
    )


@dataclass(frozen=True)
class SummaryPage:
    attempt: QuizAttempt
    quiz: Quiz
    nav: list[NavItem]
    unanswered: list[int]
    flagged: list[int]
    seconds_left: int | None
    deadline_epoch_ms: int | None


def summary_page(attempt: QuizAttempt, now: datetime) -> SummaryPage:
    nav = _nav(attempt, 0)
    return SummaryPage(
        attempt,
        attempt.quiz,
        nav,
        [item.n for item in nav if not item.answered],
        [item.n for item in nav if item.flagged],
        rules.seconds_left(attempt.deadline, now),
        int(attempt.deadline.timestamp() * 1000) if attempt.deadline else None,
    )


@dataclass(frozen=True)
class ReviewItem:
    n: int
    question: Question
    answered: bool
    your_answer: str
    outcome: str | None
    points: float | None
    correct_answer: str | None
    parts: tuple[PartLine, ...]
    feedback: tuple[str, ...]
    explanation: str | None
    source: str | None


@dataclass(frozen=True)
class ReviewPage:
    attempt: QuizAttempt
    quiz: Quiz
    learner: User
    show: dict[str, bool]
    items: list[ReviewItem]
    time_taken_seconds: int
    missed: int
    teacher: bool


def review_page(attempt: QuizAttempt, now: datetime, *, teacher: bool) -> ReviewPage:
    quiz = attempt.quiz
    closed = rules.state(quiz.opens_at, quiz.closes_at, now) == "closed"
    show = {
        part: rules.may_see(quiz.review, part, True, closed, teacher=teacher or quiz.is_own)
        for part in rules.REVIEW_PARTS
    }
    stored = attempts.answers_by_question(attempt)
    questions = {
        q.id: q
        for q in db.session.scalars(
            sa.select(Question).where(Question.id.in_(attempt.question_ids))
        )
    }
    contexts = grading_contexts(list(questions.values()))
    items = []
    for n, question_id in enumerate(attempt.question_ids, start=1):
        question = questions.get(question_id)
        if question is None:
            continue
        qtype = get_type(question.qtype)
        answer = stored.get(question_id)
        response = answer.response if answer else None
        grade = (
            qtype.grade(question.spec, response, **contexts[question_id].kw)
            if response is not None
            else None
        )
        items.append(
            ReviewItem(
                n,
                question,
                response is not None,
                qtype.describe(question.spec, response) if response is not None else "",
                answer.outcome if answer else "unanswered",
                quiz.points * (answer.score or 0.0) if answer else 0.0,
                qtype.correct_answer_text(question.spec),
                tuple(qtype.part_lines(question.spec, grade)) if grade else (),
                grade.feedback if grade else (),
                question.explanation or None,
                question.source_quote or None,
            )
        )
    end = attempt.submitted_at or now
    learner = db.session.get(User, attempt.user_id)
    assert learner is not None
    return ReviewPage(
        attempt,
        quiz,
        learner,
        show,
        items,
        max(0, int((end - attempt.started_at).total_seconds())),
        sum(1 for item in items if item.outcome != "correct"),
        teacher,
    )


def missed_ids(attempt: QuizAttempt) -> list[int]:
    """The questions of a submitted attempt not answered fully right, in the attempt's order."""
    stored = attempts.answers_by_question(attempt)
    return [q for q in attempt.question_ids if q not in stored or stored[q].outcome != "correct"]


@dataclass(frozen=True)
class TopicChoice:
    topic_id: int
    title: str
    set_title: str
    questions: int
    recall: float
    weak: bool


def own_quiz_choices(user: User, now: datetime) -> list[TopicChoice]:
    """The learner's topics for "Quiz me", weakest first (by expected recall)."""
    views = topic_views(user, now)
    return sorted(
        (
            TopicChoice(v.topic_id, v.title, v.set_title, v.questions, v.expected_recall, v.is_weak)
            for v in views
            if v.questions
        ),
        key=lambda c: (not c.weak, c.recall),
    )


def _whole(text: str, what: str, lowest: int, highest: int) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise FormError(f"{what}: give a whole number from {lowest} to {highest}.") from None
    if not lowest <= value <= highest:
        raise FormError(f"{what}: give a whole number from {lowest} to {highest}.")
    return value


def own_quiz(
    user: User,
    choices: Sequence[TopicChoice],
    topic_ids: Sequence[int],
    count_text: str,
    minutes_text: str,
) -> Quiz:
    """Add a quiz of the learner's own: ``count`` questions spread over the topics picked
    (of ``choices``), timed if minutes are given; everything shown right after it."""
    known = {c.topic_id: c for c in choices}
    picked = [t for t in dict.fromkeys(topic_ids) if t in known]
    if not picked:
        raise FormError("Pick at least one topic.")
    count = _whole(count_text, "Number of questions", 1, OWN_QUIZ_MAX)
    minutes = (
        _whole(minutes_text, "Minutes", 1, OWN_QUIZ_MINUTES_MAX) if minutes_text.strip() else None
    )
    share, extra = divmod(count, len(picked))
    draw = [
        {"topic_id": t, "count": share + (1 if i < extra else 0)}
        for i, t in enumerate(picked)
        if share + (1 if i < extra else 0)
    ]
    titles = [known[t].title for t in picked]
    quiz = Quiz(
        course_id=None,
        owner_id=user.id,
        title="Quiz me: " + _short_list(titles),
        draw=draw,
        shuffle_questions=True,
        shuffle_choices=True,
        time_limit_minutes=minutes,
        max_attempts=1,
        review=dict(rules.DEFAULT_REVIEW),
    )
    db.session.add(quiz)
    db.session.flush()
    return quiz


def _short_list(titles: Sequence[str]) -> str:
    if len(titles) <= 3:
        return ", ".join(titles)
    return f"{', '.join(titles[:2])} and {len(titles) - 2} more"
