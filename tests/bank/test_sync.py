"""Loading sets into the database: idempotence, retirement and the history rule."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from quizapp.bank.model import QuestionDoc, SetDoc
from quizapp.bank.validate import InvalidSetError
from quizapp.bank.yamlformat import read_set
from quizapp.extensions import db
from quizapp.grading import REGISTRY
from quizapp.models import Question, QuestionMemory, QuestionSet, ReviewLog, Role, Topic, User
from quizapp.sets.loader import (
    Change,
    Counts,
    SetOwnershipError,
    load_bundled_bank,
    load_set,
)

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def demo() -> SetDoc:
    doc = read_set(FIXTURES / "demo.yaml").doc
    assert doc is not None
    return doc


def replace_question(doc: SetDoc, uid: str, **changes: Any) -> SetDoc:
    """Return ``doc`` with question ``uid`` changed."""
    questions = tuple(
        dataclasses.replace(q, **changes) if q.id == uid else q for q in doc.questions
    )
    return dataclasses.replace(doc, questions=questions)


def without_question(doc: SetDoc, uid: str) -> SetDoc:
    return dataclasses.replace(doc, questions=tuple(q for q in doc.questions if q.id != uid))


def question(uid: str) -> Question:
    row = db.session.scalar(sa.select(Question).where(Question.uid == uid))
    assert row is not None
    return row


def count(model: type[Any]) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def commit_load(doc: SetDoc, owner: User | None = None) -> Any:
    report = load_set(doc, owner)
    db.session.commit()
    return report


def give_history(user: User, row: Question) -> None:
    """Give ``user`` a memory state and one review on ``row``, as studying would."""
    db.session.add(
        QuestionMemory(
            user_id=user.id,
            question_id=row.id,
            topic_id=row.topic_id,
            stability=3.2,
            difficulty=5.0,
            state=2,
            due=NOW,
            last_review=NOW,
            reps=1,
        )
    )
    db.session.add(
        ReviewLog(
            user_id=user.id,
            question_id=row.id,
            reviewed_at=NOW,
            response=0,
            outcome="correct",
            score=1.0,
            rating=3,
        )
    )
    db.session.commit()


def test_first_load_creates_the_set_its_topics_and_questions(app: Flask, demo: SetDoc) -> None:
    report = commit_load(demo)
    assert report.set_change is Change.CREATED
    assert report.totals == Counts(created=4)
    assert report.topics == {"origins": Counts(created=2), "treatment": Counts(created=2)}
    assert report.types == {
        "single_choice": Counts(created=1),
        "numeric": Counts(created=1),
        "short_answer": Counts(created=1),
        "cloze": Counts(created=1),
    }
    qs = db.session.scalar(sa.select(QuestionSet))
    assert qs is not None
    assert (qs.uid, qs.title, qs.version, qs.source_ref) == (
        "demo",
        "Demo set",
        "2",
        "demo.source.txt",
    )
    assert qs.source_text == demo.source.text
    assert qs.owner is None
    assert [(t.uid, t.title, t.position) for t in qs.topics] == [
        ("origins", "Origins", 0),
        ("treatment", "Treatment", 1),
    ]
    origin = question("q-origin")
    assert origin.topic.uid == "origins"
    assert origin.spec == dict(demo.questions[0].spec)
    assert origin.answer_digest == REGISTRY["single_choice"].answer_digest(origin.spec)
    assert origin.source_quote == demo.questions[0].source.quote
    assert (origin.position, origin.is_active) == (0, True)
    steps = question("q-steps")
    assert steps.prompt == "CAR-T cells are _____ from the patient, then _____."
    assert steps.position == 3


def test_loading_twice_changes_nothing(app: Flask, demo: SetDoc) -> None:
    commit_load(demo)
    stamps = {q.uid: q.updated_at for q in db.session.scalars(sa.select(Question))}
    report = commit_load(demo)
    assert report.set_change is Change.UNCHANGED
    assert report.totals == Counts(unchanged=4)
    assert report.totals.created == report.totals.updated == report.totals.retired == 0
    assert not report.changed
    db.session.expire_all()
    assert {q.uid: q.updated_at for q in db.session.scalars(sa.select(Question))} == stamps
    assert count(Question) == 4
    assert count(Topic) == 2


def test_the_history_rule(app: Flask, demo: SetDoc, make_user: Callable[..., User]) -> None:
    learner = make_user(email="learner@example.org")
    commit_load(demo)
    origin = question("q-origin")
    original_id = origin.id
    give_history(learner, origin)

    # Rewording the prompt, the explanation and a feedback keeps every learner's history.
    spec = dict(demo.questions[0].spec)
    spec["choices"] = [{**c, "feedback": "Reworded."} for c in spec["choices"]]
    reworded = replace_question(
        demo, "q-origin", prompt="Where does myeloma start?", explanation="Said so.", spec=spec
    )
    report = commit_load(reworded)
    assert report.totals == Counts(updated=1, unchanged=3)
    assert report.topics["origins"] == Counts(updated=1, unchanged=1)
    assert report.memory_states_reset == 0
    db.session.expire_all()
    assert question("q-origin").id == original_id
    assert question("q-origin").prompt == "Where does myeloma start?"
    assert count(QuestionMemory) == 1
    assert count(ReviewLog) == 1

    # Changing the answer starts the memory afresh but keeps the review log.
    spec["choices"] = [{**c, "correct": not c.get("correct", False)} for c in spec["choices"]]
    spec["choices"] = spec["choices"][:2]
    changed = replace_question(reworded, "q-origin", spec=spec)
    report = commit_load(changed)
    assert report.totals == Counts(answer_changed=1, unchanged=3)
    assert report.types["single_choice"] == Counts(answer_changed=1)
    assert report.memory_states_reset == 1
    db.session.expire_all()
    assert question("q-origin").id == original_id
    assert question("q-origin").spec == spec
    assert count(QuestionMemory) == 0
    log = db.session.scalar(sa.select(ReviewLog))
    assert log is not None
    assert (log.question_id, log.user_id, log.score) == (original_id, learner.id, 1.0)

    # And loading the same again changes nothing.
    report = commit_load(changed)
    assert report.totals == Counts(unchanged=4)
    assert not report.changed
    assert count(ReviewLog) == 1


def test_an_answer_change_resets_only_that_question(
    app: Flask, demo: SetDoc, make_user: Callable[..., User]
) -> None:
    first, second = make_user(), make_user()
    commit_load(demo)
    for user in (first, second):
        give_history(user, question("q-count"))
        give_history(user, question("q-target"))
    spec = {"answer": 4, "tolerance": 0}
    report = commit_load(replace_question(demo, "q-count", spec=spec))
    assert report.memory_states_reset == 2
    remaining = db.session.scalars(sa.select(QuestionMemory.question_id)).all()
    assert sorted(remaining) == [question("q-target").id] * 2
    assert count(ReviewLog) == 4


def test_a_wider_tolerance_is_not_an_answer_change(
    app: Flask, demo: SetDoc, make_user: Callable[..., User]
) -> None:
    user = make_user()
    commit_load(demo)
    give_history(user, question("q-count"))
    report = commit_load(replace_question(demo, "q-count", spec={"answer": 3, "tolerance": 0.5}))
    assert report.totals == Counts(updated=1, unchanged=3)
    assert count(QuestionMemory) == 1


def test_dropped_questions_are_retired_not_deleted(
    app: Flask, demo: SetDoc, make_user: Callable[..., User]
) -> None:
    user = make_user()
    commit_load(demo)
    give_history(user, question("q-target"))
    report = commit_load(without_question(demo, "q-target"))
    assert report.totals == Counts(retired=1, unchanged=3)
    assert report.topics["treatment"] == Counts(retired=1, unchanged=1)
    assert report.types["short_answer"] == Counts(retired=1)
    db.session.expire_all()
    assert question("q-target").is_active is False
    assert (count(Question), count(QuestionMemory), count(ReviewLog)) == (4, 1, 1)

    again = commit_load(without_question(demo, "q-target"))
    assert again.totals == Counts(unchanged=3)

    back = commit_load(demo)
    assert back.totals == Counts(updated=1, unchanged=3)
    assert question("q-target").is_active is True
    assert count(QuestionMemory) == 1


def test_topics_are_kept_and_memory_follows_a_moved_question(
    app: Flask, demo: SetDoc, make_user: Callable[..., User]
) -> None:
    user = make_user()
    commit_load(demo)
    give_history(user, question("q-count"))
    origins_only = dataclasses.replace(
        demo,
        topics=demo.topics[:1],
        questions=tuple(
            dataclasses.replace(q, topic="origins", source=demo.questions[0].source)
            if q.topic == "treatment"
            else q
            for q in demo.questions
            if q.type != "cloze"
        ),
    )
    # The moved question now quotes the origins section; the cloze one is dropped.
    moved = replace_question(origins_only, "q-count", topic="origins")
    report = commit_load(moved)
    assert report.totals == Counts(updated=1, retired=1, unchanged=2)
    assert count(Topic) == 2
    new_topic = dataclasses.replace(demo.topics[1], id="therapy", title="Therapy")
    relabelled = dataclasses.replace(
        demo,
        topics=(demo.topics[0], new_topic),
        questions=tuple(
            dataclasses.replace(q, topic="therapy") if q.topic == "treatment" else q
            for q in demo.questions
        ),
    )
    relabelled = replace_question(relabelled, "q-count", topic="therapy")
    report = commit_load(relabelled)
    assert report.set_change is Change.UPDATED
    assert report.topics["therapy"] == Counts(updated=3)
    assert count(Topic) == 3
    state = db.session.scalar(sa.select(QuestionMemory))
    assert state is not None
    therapy = db.session.scalar(sa.select(Topic).where(Topic.uid == "therapy"))
    assert therapy is not None
    assert state.topic_id == therapy.id == question("q-count").topic_id


def test_reordering_questions_is_not_reported_as_a_change(app: Flask, demo: SetDoc) -> None:
    commit_load(demo)
    report = commit_load(dataclasses.replace(demo, questions=demo.questions[::-1]))
    assert report.totals == Counts(unchanged=4)
    assert question("q-steps").position == 0


def test_set_fields_are_updated(app: Flask, demo: SetDoc) -> None:
    commit_load(demo)
    report = commit_load(dataclasses.replace(demo, title="Renamed", version="3"))
    assert report.set_change is Change.UPDATED
    assert report.changed
    qs = db.session.scalar(sa.select(QuestionSet))
    assert qs is not None
    assert (qs.title, qs.version) == ("Renamed", "3")


def test_an_invalid_set_is_refused_and_nothing_is_written(app: Flask, demo: SetDoc) -> None:
    broken = replace_question(demo, "q-origin", type="essay")
    with pytest.raises(InvalidSetError) as caught:
        load_set(broken)
    assert [p.message.split(" (")[0] for p in caught.value.problems] == ["unknown type 'essay'"]
    assert count(QuestionSet) == 0


def test_loading_does_not_commit(app: Flask, demo: SetDoc) -> None:
    load_set(demo)
    assert count(Question) == 4
    db.session.rollback()
    assert count(Question) == 0
    assert count(QuestionSet) == 0


def test_owners_cannot_overwrite_sets_of_others(
    app: Flask, demo: SetDoc, make_user: Callable[..., User]
) -> None:
    alice = make_user(role=Role.INSTRUCTOR)
    bob = make_user(role=Role.INSTRUCTOR)
    commit_load(demo, owner=alice)
    assert commit_load(dataclasses.replace(demo, title="Alice's"), owner=alice).set_change == (
        Change.UPDATED
    )
    with pytest.raises(SetOwnershipError):
        load_set(demo, owner=bob)
    db.session.rollback()
    qs = db.session.scalar(sa.select(QuestionSet))
    assert qs is not None
    assert (qs.owner_id, qs.title) == (alice.id, "Alice's")


def test_load_bundled_bank_is_idempotent(app: Flask) -> None:
    reports = load_bundled_bank()
    db.session.commit()
    assert [r.set_id for r in reports] == ["car-t-myeloma"]
    report = reports[0]
    assert report.totals.created == count(Question) >= 25
    assert len(report.topics) == count(Topic) == 7
    assert all(counts.created >= 3 for counts in report.topics.values())
    # The review gives nothing honest to compute (numeric) or to pair (matching).
    assert set(report.types) == set(REGISTRY) - {"matching", "numeric"}
    again = load_bundled_bank()
    db.session.commit()
    assert again[0].totals == Counts(unchanged=report.totals.created)
    assert not again[0].changed


def test_question_docs_from_code_load_too(app: Flask, demo: SetDoc) -> None:
    """Specs built in code (tuples, no line numbers) are stored as plain JSON."""
    spec = {"items": ("Extracted", "Engineered", "Amplified", "Infused back")}
    extra = QuestionDoc(
        id="q-order",
        topic="treatment",
        type="ordering",
        prompt="Put the steps in order.",
        spec=spec,
        explanation="In this order.",
        source=demo.questions[3].source,
    )
    doc = dataclasses.replace(demo, questions=(*demo.questions, extra))
    commit_load(doc)
    assert question("q-order").spec == {"items": list(spec["items"])}
    assert commit_load(doc).totals == Counts(unchanged=5)


def test_a_sets_language_is_stored_exported_and_grades_its_answers(
    app: Flask, demo: SetDoc, make_user: Callable[..., User]
) -> None:
    from quizapp.sets.export import set_to_doc
    from quizapp.study import answering

    commit_load(dataclasses.replace(demo, language="fr"))
    stored = db.session.scalar(sa.select(QuestionSet).where(QuestionSet.uid == demo.id))
    assert stored is not None
    assert stored.language == "fr"
    assert set_to_doc(stored).language == "fr"
    typed = db.session.scalars(
        sa.select(Question).where(Question.set_id == stored.id, Question.qtype == "short_answer")
    ).first()
    assert typed is not None
    learner = make_user()
    key = typed.spec["answers"][0]
    result = answering.answer_question(learner, typed, f"la {key}", duration_ms=5000, now=NOW)
    assert result.grade.outcome == "correct"  # French: "la" is an article
    db.session.rollback()
    commit_load(demo)  # English again
    result = answering.answer_question(learner, typed, f"la {key}", duration_ms=5000, now=NOW)
    assert result.grade.outcome != "correct"
