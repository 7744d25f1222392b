"""A class with a set of three topics, four questions each, a teacher and two learners."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask

from quizapp.courses.models import Course, CourseMember, CourseSet
from quizapp.extensions import db
from quizapp.models import Question, QuestionSet, Role, Topic, User
from quizapp.quizzes.models import Quiz


@dataclass
class Class:
    teacher: User
    learners: list[User]
    course: Course
    question_set: QuestionSet
    topics: list[Topic]
    questions: dict[int, list[Question]]  # by topic id


@pytest.fixture
def klass(app: Flask, make_user: Callable[..., User]) -> Class:
    teacher = make_user("teacher@example.org", role=Role.INSTRUCTOR, name="Ms Teacher")
    learners = [make_user(f"learner{n}@example.org", name=f"Learner {n}") for n in (1, 2)]
    qs = QuestionSet(uid="capitals", title="Capitals", owner_id=teacher.id)
    db.session.add(qs)
    db.session.flush()
    topics: list[Topic] = []
    questions: dict[int, list[Question]] = {}
    for t, name in enumerate(("Europe", "Asia", "Africa")):
        topic = Topic(set_id=qs.id, uid=name.lower(), title=name, position=t)
        db.session.add(topic)
        db.session.flush()
        topics.append(topic)
        questions[topic.id] = []
        for n in range(4):
            question = Question(
                set_id=qs.id,
                topic_id=topic.id,
                uid=f"{name.lower()}-{n}",
                qtype="short_answer",
                prompt=f"{name} capital {n}?",
                spec={"answers": [f"{name}city{n}"]},
                position=t * 10 + n,
            )
            db.session.add(question)
            questions[topic.id].append(question)
    course = Course(owner_id=teacher.id, title="Geography", join_code="GEOG2026")
    db.session.add(course)
    db.session.flush()
    db.session.add(CourseSet(course_id=course.id, set_id=qs.id))
    for learner in learners:
        db.session.add(CourseMember(course_id=course.id, user_id=learner.id))
    db.session.commit()
    return Class(teacher, learners, course, qs, topics, questions)


def make_quiz(klass: Class, **rules: object) -> Quiz:
    values: dict[str, object] = {
        "course_id": klass.course.id,
        "owner_id": klass.teacher.id,
        "title": "Capitals quiz",
        "draw": [{"topic_id": t.id, "count": 2} for t in klass.topics],
        **rules,
    }
    quiz = Quiz(**values)
    db.session.add(quiz)
    db.session.commit()
    return quiz
