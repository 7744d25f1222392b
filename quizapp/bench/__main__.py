"""Command line: ``python -m quizapp.bench recall|generalise|topics|speed|simulate``.

* ``recall PATH [--json] [--folds 5] [--card-subset all|first-half|second-half]``
* ``generalise PATH [--json] [--seeds 11 12 13 14]``: recall on the file, both halves of its cards
  and simulated learners with and without daily form, the app against the better FSRS-6 row
* ``topics [--json] [--learners 8] [--seed 1]``
* ``speed``
* ``simulate OUT.csv [--seed 7] [--form-sd 0.5]``: writes a synthetic review log in the
  ``learner-a-dev.csv`` format (for checking the recall benchmark on a log the app has not seen).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from quizapp.bench.generalise import DEFAULT_SEEDS, format_generalise, run_generalise, to_json
from quizapp.bench.recall import format_report, run_recall
from quizapp.bench.revlog import load_revlog, write_revlog
from quizapp.bench.simulate import SimConfig, simulate_learner
from quizapp.bench.speed import format_speed, run_speed
from quizapp.bench.topics import format_topics, run_topics

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m quizapp.bench")
    sub = parser.add_subparsers(dest="command", required=True)
    recall = sub.add_parser("recall", help="recall prediction on a review log")
    recall.add_argument("path", type=Path)
    recall.add_argument("--json", action="store_true")
    recall.add_argument("--folds", type=int, default=5)
    recall.add_argument(
        "--card-subset", choices=("all", "first-half", "second-half"), default="all"
    )
    generalise = sub.add_parser("generalise", help="recall on the file, its halves, simulations")
    generalise.add_argument("path", type=Path)
    generalise.add_argument("--json", action="store_true")
    generalise.add_argument("--folds", type=int, default=5)
    generalise.add_argument("--seeds", type=int, nargs="+", default=list(DEFAULT_SEEDS))
    topics = sub.add_parser("topics", help="per-topic and guess-aware modelling (simulated)")
    topics.add_argument("--json", action="store_true")
    topics.add_argument("--learners", type=int, default=8)
    topics.add_argument("--seed", type=int, default=1)
    sub.add_parser("speed", help="time per call")
    simulate = sub.add_parser("simulate", help="write a synthetic review log")
    simulate.add_argument("out", type=Path)
    simulate.add_argument("--seed", type=int, default=7)
    simulate.add_argument("--form-sd", type=float, default=0.5)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs a benchmark.

    Args:
        argv: arguments (``sys.argv[1:]`` if None).

    Returns:
        The exit code.
    """
    args = _parser().parse_args(argv)
    if args.command == "recall":
        report = run_recall(load_revlog(args.path, args.card_subset), folds=args.folds)
        title = f"recall: {args.path}" + (
            "" if args.card_subset == "all" else f" ({args.card_subset} of the cards)"
        )
        print(report.to_json() if args.json else format_report(report, title))
    elif args.command == "generalise":
        rows = run_generalise(args.path, seeds=args.seeds, folds=args.folds)
        title = f"generalise: {args.path} (folds {args.folds}, seeds {args.seeds})"
        print(to_json(rows) if args.json else format_generalise(rows, title))
    elif args.command == "topics":
        result = run_topics(args.learners, args.seed)
        print(result.to_json() if args.json else format_topics(result))
    elif args.command == "speed":
        print(format_speed(run_speed()))
    else:
        answers = simulate_learner(SimConfig(form_sd=args.form_sd), args.seed)
        write_revlog(args.out, [a.event for a in answers])
        print(f"wrote {len(answers)} reviews to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
