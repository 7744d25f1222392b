"""Command line: ``python -m quizapp.bench recall|class|class-schedule|generalise|...``.

* ``recall LOG [LOG ...] [--json] [--folds 5] [--card-subset all|first-half|second-half]``: one
  log's table, or one row per log and the review-weighted summary with the worst learner
* ``class FILE [--json] [--seeds 1 2 3]``: what other learners' answers add (item effects, cold
  start) on a class's responses (earlier learners fit, later learners predicted), and on
  simulated classes with known item difficulties (``quizapp.bench.class_effect``)
* ``class-schedule [--json] [--seeds 1 2]``: the live scheduler's class prior (a first answer
  starts from the class's difficulty) on simulated classes with known item difficulties
  (``quizapp.bench.class_schedule``)
* ``generalise PATH [--json] [--seeds 11 12 13 14]``: recall on the file, both halves of its cards
  and simulated learners with and without daily form, the app against the better FSRS-6 row
* ``topics [--json] [--learners 8] [--seed 1]``
* ``speed [--log LOG ...]``: time per call, and the recall model's fit and prediction against
  fsrs-rs's fit and FSRS's prediction (on a simulated log and each ``--log``)
* ``simulate OUT.csv [--seed 7] [--form-sd 0.5]``: writes a synthetic review log in the
  ``learner-a-dev.csv`` format (for checking the recall benchmark on a log the app has not seen).
* ``web --database-url URL [--json] [--workers 2] [--clients 4] [--duration 10] [--timeout 60]
  [--scale 1] [--learners N] [--reviews N] [--processes 2] [--reuse] [--build-only]``: builds
  learners, classes and 2,000,000 answers in an empty database (``--reuse``: measures the data
  built before), serves the app and a bare Flask app with gunicorn, and measures the main pages
  against it (``quizapp.bench.web``).
* ``quizload --database-url URL [--learners 500] [--window 60] [--clients 12] [--think 0]
  [--login-first] [--json]``: a class of learners starting one quiz within the window against
  gunicorn, every saved answer checked in the database, the saves' p99 against the study loop's
  answer (``quizapp.bench.quizload``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from quizapp.bench.class_effect import (
    DEFAULT_CLASS_SEEDS,
    class_json,
    format_class,
    load_class_responses,
    run_class,
    simulate_class,
)
from quizapp.bench.class_schedule import format_class_schedule, run_class_schedule
from quizapp.bench.generalise import DEFAULT_SEEDS, format_generalise, run_generalise, to_json
from quizapp.bench.quizload import QuizLoadOptions, format_quizload, run_quizload
from quizapp.bench.recall import format_report, format_reports, reports_json, run_recall
from quizapp.bench.revlog import load_revlog, write_revlog
from quizapp.bench.simulate import SimConfig, simulate_learner
from quizapp.bench.speed import format_speed, run_speed
from quizapp.bench.topics import format_topics, run_topics
from quizapp.bench.web import WebOptions, run_web
from quizapp.bench.webdata import DataExistsError
from quizapp.bench.webreport import format_web, web_json

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m quizapp.bench")
    sub = parser.add_subparsers(dest="command", required=True)
    recall = sub.add_parser("recall", help="recall prediction on a review log")
    recall.add_argument("paths", type=Path, nargs="+", metavar="LOG")
    recall.add_argument("--json", action="store_true")
    recall.add_argument("--folds", type=int, default=5)
    recall.add_argument(
        "--card-subset", choices=("all", "first-half", "second-half"), default="all"
    )
    klass = sub.add_parser("class", help="what a class's answers add (item effects, cold start)")
    klass.add_argument("path", type=Path, metavar="FILE")
    klass.add_argument("--json", action="store_true")
    klass.add_argument("--seeds", type=int, nargs="*", default=list(DEFAULT_CLASS_SEEDS))
    schedule = sub.add_parser(
        "class-schedule", help="the scheduler's class prior on simulated classes"
    )
    schedule.add_argument("--json", action="store_true")
    schedule.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    generalise = sub.add_parser("generalise", help="recall on the file, its halves, simulations")
    generalise.add_argument("path", type=Path)
    generalise.add_argument("--json", action="store_true")
    generalise.add_argument("--folds", type=int, default=5)
    generalise.add_argument("--seeds", type=int, nargs="+", default=list(DEFAULT_SEEDS))
    topics = sub.add_parser("topics", help="per-topic and guess-aware modelling (simulated)")
    topics.add_argument("--json", action="store_true")
    topics.add_argument("--learners", type=int, default=8)
    topics.add_argument("--seed", type=int, default=1)
    speed = sub.add_parser("speed", help="time per call; the recall model's cost ratios")
    speed.add_argument("--log", type=Path, action="append", default=[], help="a review log too")
    simulate = sub.add_parser("simulate", help="write a synthetic review log")
    simulate.add_argument("out", type=Path)
    simulate.add_argument("--seed", type=int, default=7)
    simulate.add_argument("--form-sd", type=float, default=0.5)
    web = sub.add_parser("web", help="the app's pages under gunicorn against bare Flask")
    web.add_argument("--database-url", required=True, help="an empty database (or --reuse)")
    web.add_argument("--json", action="store_true")
    web.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    web.add_argument("--clients", type=int, default=4, help="concurrent clients")
    web.add_argument("--duration", type=float, default=10.0, help="seconds per endpoint")
    web.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    web.add_argument("--scale", type=float, default=1.0, help="e.g. 0.01 for a quick run")
    web.add_argument("--learners", type=int, help="learners (default 10,000 x scale)")
    web.add_argument("--reviews", type=int, help="answers (default 2,000,000 x scale)")
    web.add_argument("--processes", type=int, default=2, help="processes building the data")
    web.add_argument("--reuse", action="store_true", help="measure data built before")
    web.add_argument("--build-only", action="store_true", help="build the data, measure nothing")
    quizload = sub.add_parser("quizload", help="a class starting one quiz within a minute")
    quizload.add_argument("--database-url", required=True, help="an empty database")
    quizload.add_argument("--learners", type=int, default=500)
    quizload.add_argument("--window", type=float, default=60.0, help="seconds to start them in")
    quizload.add_argument("--clients", type=int, default=12, help="client threads (bounded)")
    quizload.add_argument("--think", type=float, default=0.0, help="seconds after each page")
    quizload.add_argument(
        "--login-first", action="store_true", help="log everyone in before the window"
    )
    quizload.add_argument("--studiers", type=int, default=4, help="learners in the study loop")
    quizload.add_argument("--duration", type=float, default=10.0, help="study loop, hello (s)")
    quizload.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    quizload.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    quizload.add_argument("--json", action="store_true")
    return parser


def _quizload(args: argparse.Namespace) -> int:
    options = QuizLoadOptions(
        database_url=args.database_url,
        learners=args.learners,
        window=args.window,
        clients=args.clients,
        think=args.think,
        login_first=args.login_first,
        studiers=args.studiers,
        duration=args.duration,
        workers=args.workers,
        timeout=args.timeout,
    )
    try:
        report = run_quizload(options)
    except DataExistsError as exc:
        print(f"quizload: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("quizload: interrupted (every server it started is stopped)", file=sys.stderr)
        return 130
    print(format_quizload(report, as_json=args.json))
    return 0 if report["ok"] else 1


def _web(args: argparse.Namespace) -> int:
    options = WebOptions(
        database_url=args.database_url,
        workers=args.workers,
        clients=args.clients,
        duration=args.duration,
        timeout=args.timeout,
        scale=args.scale,
        learners=args.learners,
        reviews=args.reviews,
        processes=args.processes,
        reuse=args.reuse,
        build_only=args.build_only,
    )
    try:
        report = run_web(options)
    except (DataExistsError, LookupError) as exc:
        print(f"web: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("web: interrupted (every server it started is stopped)", file=sys.stderr)
        return 130
    if not args.build_only:
        print(web_json(report) if args.json else format_web(report))
    return 0


def _recall(args: argparse.Namespace) -> None:
    names = [path.name for path in args.paths]
    if len(set(names)) < len(names):
        names = [str(path) for path in args.paths]
    reports = {
        name: run_recall(load_revlog(path, args.card_subset), folds=args.folds)
        for name, path in zip(names, args.paths, strict=True)
    }
    if args.json:
        print(reports_json(reports))
        return
    subset = "" if args.card_subset == "all" else f" ({args.card_subset} of the cards)"
    if len(reports) == 1:
        path, report = next(iter(reports.items()))
        print(format_report(report, f"recall: {path}{subset}"))
    else:
        print(f"recall{subset}, {args.folds} folds per log")
        print(format_reports(reports))


def main(argv: Sequence[str] | None = None) -> int:
    """Runs a benchmark.

    Args:
        argv: arguments (``sys.argv[1:]`` if None).

    Returns:
        The exit code.
    """
    args = _parser().parse_args(argv)
    if args.command == "recall":
        _recall(args)
    elif args.command == "class":
        reports = [run_class(load_class_responses(args.path), args.path.name)]
        for seed in args.seeds:
            responses, truth = simulate_class(seed)
            reports.append(run_class(responses, f"simulated class (seed {seed})", truth))
        print(class_json(reports) if args.json else format_class(reports))
    elif args.command == "class-schedule":
        classes = [run_class_schedule(seed) for seed in args.seeds]
        print(format_class_schedule(classes, as_json=args.json))
    elif args.command == "generalise":
        rows = run_generalise(args.path, seeds=args.seeds, folds=args.folds)
        title = f"generalise: {args.path} (folds {args.folds}, seeds {args.seeds})"
        print(to_json(rows) if args.json else format_generalise(rows, title))
    elif args.command == "topics":
        result = run_topics(args.learners, args.seed)
        print(result.to_json() if args.json else format_topics(result))
    elif args.command == "speed":
        print(format_speed(run_speed(logs=args.log)))
    elif args.command == "web":
        return _web(args)
    elif args.command == "quizload":
        return _quizload(args)
    else:
        answers = simulate_learner(SimConfig(form_sd=args.form_sd), args.seed)
        write_revlog(args.out, [a.event for a in answers])
        print(f"wrote {len(answers)} reviews to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
