"""The typed answers a set's learners gave that were marked wrong, most frequent first, and
accepting one of them.

An accepted answer joins the question's accepted answers (for a cloze, the one gap's), the
change is recorded (``QuestionChange``), and a background job grades every learner's answers
to the question again and replays their memory of it (``quizapp.study.regrade``). The answer
shown as correct stays first, so the question's answer digest, and learners' memory, stay.

Services add and flush; the view commits.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from quizapp.extensions import db
from quizapp.grading.registry import get_type
from quizapp.grading.textmatch import MatchRules, normalise
from quizapp.jobs import enqueue_after_commit
from quizapp.models import Question, QuestionChange, QuestionSet, ReviewLog, User
from quizapp.quizzes.jobs import REGRADE_QUIZ_ANSWERS_JOB
from quizapp.study.common import grading_context, grading_contexts, live_reviews
from quizapp.study.regrade import REGRADE_QUESTION_JOB

#: Wrong answers listed per question.
MOST_SHOWN = 5


class AcceptError(ValueError):
    """The answer cannot be accepted (the message says why)."""


@dataclass(frozen=True)
class WrongAnswer:
    """One response to one part (the whole answer, or a cloze's gap) graded wrong now."""

    part: int
    text: str  # the spelling given most often
    answers: int
    learners: int


@dataclass
class _Tally:
    answers: int = 0
    learners: set[int] = field(default_factory=set)
    spellings: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class QuestionWrongAnswers:
    """A typed question, its most frequent wrong answers, and the answers accepted so far in
    the app, newest first."""

    question: Question
    parts: int
    wrong: tuple[WrongAnswer, ...]
    changes: tuple[QuestionChange, ...]


def _typed_questions(question_set: QuestionSet) -> list[Question]:
    questions = db.session.scalars(
        sa.select(Question)
        .where(Question.set_id == question_set.id, Question.is_active.is_(True))
        .order_by(Question.position, Question.id)
    )
    return [q for q in questions if get_type(q.qtype).typed_parts(q.spec)]


def wrong_typed_answers(
    question_set: QuestionSet, most: int = MOST_SHOWN
) -> list[QuestionWrongAnswers]:
    """Per typed question of the set, in the set's order: the responses its learners typed
    that the question, as it is now, grades wrong, grouped as the grader compares them (case,
    spaces and punctuation aside), the most frequent first."""
    questions = _typed_questions(question_set)
    by_id = {q.id: q for q in questions}
    # Graded once per distinct (learner, response): a class types the same few answers.
    rows = db.session.execute(
        sa.select(ReviewLog.question_id, ReviewLog.user_id, ReviewLog.response, sa.func.count())
        .where(
            ReviewLog.question_id.in_(list(by_id)),
            ReviewLog.outcome != "correct",
            live_reviews(),
        )
        .group_by(ReviewLog.question_id, ReviewLog.user_id, ReviewLog.response)
    ).all()
    contexts = grading_contexts(questions)
    tallies: dict[int, dict[tuple[int, str], _Tally]] = defaultdict(dict)
    for question_id, user_id, response, count in rows:
        question = by_id[question_id]
        qtype = get_type(question.qtype)
        grade = qtype.grade(question.spec, response, **contexts[question_id].kw)
        rules = MatchRules.from_spec(question.spec.get("match"))
        for part in grade.parts:
            given = part.given.strip()
            if part.correct or not given or not qtype.is_typed_part(question.spec, part.index):
                continue
            key = (part.index, normalise(given, rules) or given)
            tally = tallies[question_id].setdefault(key, _Tally())
            tally.answers += count
            tally.learners.add(user_id)
            tally.spellings[given] += count
    changes: dict[int, list[QuestionChange]] = defaultdict(list)
    for change in db.session.scalars(
        sa.select(QuestionChange)
        .where(QuestionChange.question_id.in_(list(by_id)))
        .order_by(QuestionChange.changed_at.desc(), QuestionChange.id.desc())
    ):
        changes[change.question_id].append(change)
    out = []
    for question in questions:
        wrong = sorted(
            (
                WrongAnswer(part, t.spellings.most_common(1)[0][0], t.answers, len(t.learners))
                for (part, _), t in tallies[question.id].items()
            ),
            key=lambda w: (-w.answers, -w.learners, w.part, w.text),
        )
        if wrong or changes[question.id]:
            out.append(
                QuestionWrongAnswers(
                    question,
                    get_type(question.qtype).typed_parts(question.spec),
                    tuple(wrong[:most]),
                    tuple(changes[question.id]),
                )
            )
    return out


def accept_typed_answer(
    user: User, question: Question, part: int, answer: str, *, now: datetime
) -> QuestionChange:
    """Accept ``answer`` for ``part`` of ``question`` from now on, and have every learner's
    answers to it graded again (after the commit). Raises ``AcceptError``."""
    qtype = get_type(question.qtype)
    answer = " ".join(answer.split())
    if not answer:
        raise AcceptError("There is no answer to accept.")
    try:
        spec = qtype.with_accepted(question.spec, part, answer)
    except ValueError as exc:
        raise AcceptError(f"“{answer}” cannot be accepted: {exc}.") from None
    if spec is None:
        raise AcceptError(f"A {qtype.label.lower()} question has no typed answers to accept.")
    before = qtype.grade(
        question.spec,
        qtype.typed_response(question.spec, part, answer),
        **grading_context(question).kw,
    )
    if before.parts[part].correct:
        raise AcceptError(f"“{answer}” is accepted already.")
    problems = qtype.validate(spec)
    if problems:
        raise AcceptError(f"“{answer}” cannot be accepted: {problems[0].message}.")
    change = QuestionChange(
        question_id=question.id,
        changed_at=now,
        changed_by_id=user.id,
        change={"accepted": answer, "part": part},
        spec_before=dict(question.spec),
        spec_after=spec,
    )
    db.session.add(change)
    question.spec = spec
    question.answer_digest = qtype.answer_digest(spec)
    question.updated_at = now
    db.session.flush()
    enqueue_after_commit(REGRADE_QUESTION_JOB, question.id)
    enqueue_after_commit(REGRADE_QUIZ_ANSWERS_JOB, question.id)
    return change
