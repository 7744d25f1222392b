"""Time and peak memory of the class pages for a synthetic class on PostgreSQL.

    .venv/bin/python -m tests.courses.measure_class_pages \\
        postgresql+psycopg://postgres@127.0.0.1:5432/test --learners 5000 --questions 1000

Creates a database of its own beside the one in the URL (dropped at the end unless ``--keep``),
fills it with one class whose learners have studied ``--share`` of its questions (the figures
each answer keeps: memory states, item, topic and day figures; a third of the learners with
fitted parameters), then requests each class page through the test client, each in a fresh
process, and prints its wall time, CPU time, peak RSS, SQL statements and response size.
Not a test: pytest does not collect it.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import uuid

import sqlalchemy as sa
from sqlalchemy.engine import make_url

PAGES = {
    "overview": "/courses/{id}",
    "questions": "/courses/{id}/questions",
    "results.csv": "/courses/{id}/results.csv",
    "learners.csv": "/courses/{id}/learners.csv",
}
TIMEZONES = ["UTC", "America/New_York", "Asia/Tokyo", "Pacific/Kiritimati", "Europe/Paris"]

FILL = [
    # The instructor (id 1; the measurement writes its session by hand) and the learners.
    """INSERT INTO users (email, display_name, password_hash, role, created_at,
           target_retention, new_per_day, timezone)
       VALUES ('teacher@example.org', 'Teacher', 'x', 'instructor', now(), 0.9, 20, 'UTC')""",
    """INSERT INTO users (email, display_name, password_hash, role, created_at,
           target_retention, new_per_day, timezone)
       SELECT 'l' || g || '@example.org', 'Learner ' || g, 'x', 'learner', now(),
              CASE WHEN g % 5 = 0 THEN 0.85 ELSE 0.9 END, 20,
              (CAST(:zones AS text[]))[1 + g % 5]
       FROM generate_series(1, :learners) g""",
    """INSERT INTO question_sets (uid, title, description, version, source_title, source_ref,
           owner_id, is_published, created_at, updated_at)
       VALUES ('synthetic', 'Synthetic set', '', '1', '', '', 1, false, now(), now())""",
    """INSERT INTO topics (set_id, uid, title, section, position)
       SELECT 1, 't' || g, 'Topic ' || g, '', g FROM generate_series(1, :topics) g""",
    # 7 in 10 single choice (4 choices), 2 true/false, 1 short answer.
    """INSERT INTO questions (set_id, topic_id, uid, qtype, title, prompt, spec, explanation,
           source_section, source_quote, tags, answer_digest, position, is_active,
           created_at, updated_at)
       SELECT 1, 1 + g % :topics, 'q' || g,
              CASE WHEN g % 10 < 7 THEN 'single_choice'
                   WHEN g % 10 < 9 THEN 'true_false' ELSE 'short_answer' END,
              'Question ' || g, 'Prompt of question ' || g,
              CASE WHEN g % 10 < 7 THEN jsonb_build_object('choices', jsonb_build_array(
                       jsonb_build_object('text', 'Right ' || g, 'correct', true),
                       jsonb_build_object('text', 'Wrong b ' || g, 'correct', false),
                       jsonb_build_object('text', 'Wrong c ' || g, 'correct', false),
                       jsonb_build_object('text', 'Wrong d ' || g, 'correct', false)))
                   WHEN g % 10 < 9 THEN jsonb_build_object('answer', true)
                   ELSE jsonb_build_object('answers', jsonb_build_array('x')) END,
              '', '', '', '[]'::jsonb, '', g, true, now(), now()
       FROM generate_series(1, :questions) g""",
    """INSERT INTO courses (owner_id, title, join_code, created_at)
       VALUES (1, 'Synthetic class', 'SYNTHETC', now())""",
    "INSERT INTO course_sets (course_id, set_id, assigned_at) VALUES (1, 1, now())",
    """INSERT INTO course_members (course_id, user_id, joined_at)
       SELECT 1, id, now() FROM users WHERE role = 'learner'""",
    # Each learner's ability decides their first scores.
    """CREATE TEMPORARY TABLE ability AS
       SELECT id AS user_id, 0.3 + 0.6 * random() AS p FROM users WHERE role = 'learner'""",
    """INSERT INTO memory_states (user_id, question_id, topic_id, stability, difficulty, state,
           step, due, last_review, reps, lapses)
       SELECT a.user_id, q.id, q.topic_id, 0.5 + 150 * random(), 5.0, 2, NULL,
              now() + random() * interval '30 days', now() - random() * interval '60 days', 3, 0
       FROM ability a CROSS JOIN questions q WHERE random() < :share""",
    """INSERT INTO item_stats (user_id, question_id, topic_id, last_day, day_reviews, day_fails,
           long_term_n, long_term_success, last_seconds, last_success, lapses, reviews,
           default_stability, default_difficulty, fitted_stability, fitted_difficulty,
           first_score, first_at, first_picked, last_score, last_at)
       SELECT m.user_id, m.question_id, m.topic_id, 0, 1, 0, 1, 1, 1.5, true, 0,
              1 + floor(4 * random())::int, m.stability, 5.0, NULL, NULL,
              s.first, m.last_review - interval '20 days',
              CASE WHEN q.qtype = 'single_choice' THEN
                       CASE WHEN s.first = 1 THEN 1 ELSE 2 << floor(3 * random())::int END
                   WHEN q.qtype = 'true_false' THEN CASE WHEN s.first = 1 THEN 1 ELSE 2 END
              END,
              CASE WHEN random() < a.p + 0.1 THEN 1 ELSE 0 END, m.last_review
       FROM memory_states m
       JOIN questions q ON q.id = m.question_id
       JOIN ability a ON a.user_id = m.user_id
       CROSS JOIN LATERAL (SELECT CASE WHEN random() < a.p THEN 1.0 ELSE 0.0 END AS first) s""",
    """INSERT INTO topic_stats (user_id, topic_id, answers, successes, first_n, first_sum)
       SELECT user_id, topic_id, sum(reviews), sum(first_score)::int, count(*), sum(first_score)
       FROM item_stats GROUP BY user_id, topic_id""",
    """INSERT INTO review_days (user_id, day, topic_id, answers, successes, score_sum)
       SELECT a.user_id, current_date - d, t.id, n, k, k
       FROM ability a CROSS JOIN topics t CROSS JOIN generate_series(0, 20) d
       CROSS JOIN LATERAL (SELECT 1 + floor(8 * random())::int AS n) c
       CROSS JOIN LATERAL (SELECT floor(n * (CASE WHEN d < 7 THEN a.p - 0.2 ELSE a.p END)
                                        * random() * 2)::int AS k0) s
       CROSS JOIN LATERAL (SELECT greatest(0, least(n, k0)) AS k) s2
       WHERE random() < :day_share""",
    """INSERT INTO learner_models (user_id, fitted_at, n_reviews, version, payload)
       SELECT user_id, now(), 500, 1,
              jsonb_build_object(
                  'parameters', to_jsonb(CAST(:parameters AS float8[]) || (0.1 + 0.4 * random())),
                  'parameters_source', 'fitted', 'other', repeat('x', 2000))
       FROM ability WHERE user_id % 3 = 0""",
    "ANALYZE",
]


def _create_database(base_url: str) -> tuple[str, sa.Engine, str]:
    url = make_url(base_url)
    name = f"quizapp_measure_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return url.set(database=name).render_as_string(hide_password=False), admin, name


def fill(url: str, args: argparse.Namespace) -> None:
    from flask_migrate import upgrade

    from quizapp import create_app
    from quizapp.extensions import db
    from quizapp.scheduler.params import DEFAULT_PARAMETERS

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "measure"})
    values = {
        "zones": TIMEZONES,
        "learners": args.learners,
        "topics": args.topics,
        "questions": args.questions,
        "share": args.share,
        "day_share": args.day_share,
        "parameters": list(DEFAULT_PARAMETERS[:20]),
    }
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        for statement in FILL:
            text = sa.text(statement)
            names = set(text.compile().params)
            db.session.execute(text, {k: v for k, v in values.items() if k in names})
        db.session.commit()
        counts = {
            table: db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))
            for table in ("course_members", "questions", "memory_states", "item_stats",
                          "review_days", "learner_models")
        }  # fmt: skip
        print(f"filled in {time.perf_counter() - started:.0f} s: {counts}", flush=True)


def measure(url: str, page: str) -> dict[str, float | int | str]:
    """Request one page as the instructor; runs in a fresh process (peak RSS is per process)."""
    from quizapp import create_app
    from quizapp.extensions import db

    # No session protection: the session is written by hand, without a login (whose Argon2
    # check would set the peak memory of the process).
    config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "measure", "SESSION_PROTECTION": None}
    app = create_app(config)
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    with app.app_context():
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = "1"
            session["_fresh"] = True
        sa.event.listen(db.engine, "before_cursor_execute", count)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        cpu, wall = time.process_time(), time.perf_counter()
        response = client.get(PAGES[page].format(id=1))
        size = sum(len(chunk) for chunk in response.response)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        assert response.status_code == 200, response.status_code
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "page": page,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "peak_rss_mib": round(peak / 1024),
        "rss_before_mib": round(rss_before / 1024),
        "statements": statements,
        "bytes": size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help="a PostgreSQL URL where the user may create databases")
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--topics", type=int, default=40)
    parser.add_argument("--share", type=float, default=1.0, help="share of questions studied")
    parser.add_argument("--day-share", type=float, default=0.3, help="share of active days")
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--reuse", help="measure this already filled database URL")
    parser.add_argument("--page", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.page:
        print(json.dumps(measure(args.url, args.page)))
        return
    if args.reuse:
        url, admin, name = args.reuse, None, ""
    else:
        url, admin, name = _create_database(args.url)
    try:
        if not args.reuse:
            fill(url, args)
        for page in filter(None, args.pages.split(",")):
            out = subprocess.run(
                [sys.executable, "-m", "tests.courses.measure_class_pages", url, "--page", page],
                check=True,
                capture_output=True,
                text=True,
            )
            print(out.stdout.strip().splitlines()[-1], flush=True)
    finally:
        if admin is not None:
            if args.keep:
                print(f"kept {url}")
            else:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
