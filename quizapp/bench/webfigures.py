"""The web benchmark's stored figures: the app rebuilds every learner's figures from the log
(``compute_figures``) and fits the recall model of the heavy learners."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask

from quizapp.bench.webdb import analyze, bench_app, bench_context, timed
from quizapp.classmodel.service import refresh_estimates
from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.learners.fitting import fit_and_store
from quizapp.learners.models import LearnerStats
from quizapp.learners.rebuild import learners_with_history, rebuild_learners
from quizapp.models import QuestionSet, ReviewLog

__all__ = ["FiguresReport", "compute_figures", "figures_stored"]


@dataclass(frozen=True)
class FiguresReport:
    """What ``compute_figures`` did: seconds per step, learners rebuilt, models stored."""

    seconds: dict[str, float]
    rebuilt: int
    fitted: dict[int, bool]


_WORKER_APP: list[Flask] = []


def _init_figures_worker(url: str) -> None:
    app = bench_app(url)
    app.app_context().push()
    _WORKER_APP.append(app)


def _rebuild_batch(user_ids: Sequence[int]) -> int:
    count = rebuild_learners(user_ids)
    db.session.commit()
    return count


def _rebuild_all(url: str, processes: int, log: Callable[[str], None]) -> int:
    """Rebuild every learner's figures, in batches, in ``processes`` processes."""
    ids = learners_with_history()
    db.session.remove()
    db.engine.dispose()
    batches = [ids[i :: max(1, len(ids) // 100)] for i in range(max(1, len(ids) // 100))]
    done = 0
    started = time.perf_counter()
    next_report = 0.0
    if processes <= 1:
        results: Iterable[int] = map(_rebuild_batch, batches)
        pool = None
    else:
        context = multiprocessing.get_context("spawn")
        pool = context.Pool(processes, initializer=_init_figures_worker, initargs=(url,))
        results = pool.imap_unordered(_rebuild_batch, batches)
    try:
        for count in results:
            done += count
            if done / max(1, len(ids)) >= next_report:
                elapsed = time.perf_counter() - started
                log(f"    learners {done:,}/{len(ids):,}  ({elapsed:.0f} s)")
                next_report += 0.1
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
    return done


def _most_reviews(limit: int, skip: Sequence[int]) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(ReviewLog.user_id)
            .where(ReviewLog.user_id.not_in(skip))
            .group_by(ReviewLog.user_id)
            .order_by(sa.func.count().desc(), ReviewLog.user_id)
            .limit(limit)
        )
    )


def figures_stored(url: str) -> bool:
    """Whether the learners' stored figures have been computed in the database at ``url``."""
    with bench_context(url):
        stored = db.session.scalar(sa.select(LearnerStats.user_id).limit(1)) is not None
    return stored


def compute_figures(
    url: str,
    fit_first: Sequence[int],
    *,
    fit_others: int,
    fit_budget_seconds: float,
    processes: int,
    log: Callable[[str], None],
) -> FiguresReport:
    """Have the app rebuild every learner's stored figures from the log, then fit models.

    The models of ``fit_first`` are always fitted; then those of up to ``fit_others`` of the
    learners with the most answers, while fitting them takes under ``fit_budget_seconds``.
    """
    seconds: dict[str, float] = {}
    fitted: dict[int, bool] = {}
    with bench_context(url):
        done = timed(seconds, "rebuild learners' figures", log)
        rebuilt = _rebuild_all(url, processes, log)
        done()
        now = utcnow()
        for user_id in fit_first:
            done = timed(seconds, f"fit the model of user {user_id}", log)
            fitted[user_id] = fit_and_store(user_id, now)
            db.session.commit()
            done()
        done = timed(seconds, "fit other models", log)
        start = time.perf_counter()
        for user_id in _most_reviews(fit_others, fit_first):
            if time.perf_counter() - start > fit_budget_seconds:
                break
            fitted[user_id] = fit_and_store(user_id, now)
            db.session.commit()
        done()
        log(f"    {sum(fitted.values())} models stored")
        # The class's estimates, as a running site has them: otherwise the first answers of
        # the measured run queue each set's first estimate, and the jobs (threads of the
        # measured workers without Redis) would be measured with the pages.
        done = timed(seconds, "estimate the sets' questions from the class", log)
        for set_id in db.session.scalars(sa.select(QuestionSet.id).order_by(QuestionSet.id)).all():
            refresh_estimates(set_id, now, force=True)
            db.session.commit()
        done()
        done = timed(seconds, "analyze", log)
        analyze()
        done()
    return FiguresReport(seconds, rebuilt, fitted)
