"""The learner's own recall model: when to refit it, fitting it (a background job), and the
scheduling settings it implies.

Fitting costs seconds of CPU on a long log, so it never runs inside a web request: an answer
that brings ``MIN_NEW_REVIEWS_FOR_REFIT`` new answers since the last fit enqueues the job
(``quizapp.learners.jobs``) after its transaction commits, and pages use the last stored model
until the new one is in. The job is idempotent: run twice, the second run finds nothing new.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from quizapp.extensions import db
from quizapp.learners.answers import lock_learner
from quizapp.learners.models import ItemStats
from quizapp.learners.rebuild import live_log
from quizapp.models import LearnerModelRecord, User
from quizapp.scheduler import LearnerModel, ReviewEvent, SchedulerParams, fit_learner_model
from quizapp.scheduler.figures import fitted_states

MIN_REVIEWS_FOR_MODEL = 200
MIN_NEW_REVIEWS_FOR_REFIT = 50
REFIT_FRACTION = 0.1


def params_for(user: User, record: LearnerModelRecord | None = None) -> SchedulerParams:
    """The scheduler settings of ``user``: their target retention, and their own fitted FSRS-6
    parameters once their model's fit found these predict their held-out answers better."""
    if record is None:
        record = db.session.get(LearnerModelRecord, user.id)
    if record is not None and record.payload.get("parameters_source") == "fitted":
        parameters = tuple(float(w) for w in record.payload["parameters"])
        return SchedulerParams(parameters=parameters, desired_retention=user.target_retention)
    return SchedulerParams(desired_retention=user.target_retention)


def refit_due(live_reviews: int, fitted_on: int) -> bool:
    """Whether enough new answers came in since the last fit (on ``fitted_on`` answers): at
    least ``MIN_NEW_REVIEWS_FOR_REFIT``, and a tenth of the log the model was fitted on, so
    that a fit (whose cost grows with the log) costs a bounded amount of CPU per answer."""
    fresh = live_reviews - fitted_on
    return (
        live_reviews >= MIN_REVIEWS_FOR_MODEL
        and fresh >= MIN_NEW_REVIEWS_FOR_REFIT
        and fresh >= REFIT_FRACTION * fitted_on
    )


def review_events(user_id: int) -> list[ReviewEvent]:
    """The learner's live answers as the recall model reads them (the whole log: jobs only)."""
    return [facts.event() for _, facts in live_log(user_id, responses=False)]


def fit_and_store(user_id: int, now: datetime, *, force: bool = False) -> bool:
    """Fit the learner's recall model on their log and store it with the item states it needs.

    The fit runs without holding any lock; the result is then written under the learner's
    lock from the log as it is at that moment, so answers given during the fit are kept.
    Returns whether a model was stored (False when nothing new came in, unless ``force``).
    Flushes; the caller (the job runner or a command) commits.
    """
    user = db.session.get(User, user_id)
    events = events_to_fit(user_id, force=force)
    if user is None or events is None:
        return False
    store_model(user, fit_learner_model(events), now)
    return True


def fit_between_transactions(user_id: int, now: datetime) -> None:
    """``fit_and_store`` for a job, whose transactions take SQLite's write lock (quizapp.db):
    the fit (seconds of CPU on a long log) runs between two transactions, holding no lock.
    The log is read in one; the model is stored in the next, where ``store_model`` takes the
    learner's lock and follows the log as it is then, so answers given meanwhile count.
    Ends the caller's transaction (nothing is written before it).
    """
    events = events_to_fit(user_id)
    db.session.rollback()
    if events is None:
        return
    model = fit_learner_model(events)
    user = db.session.get(User, user_id)
    if user is not None:
        store_model(user, model, now)


def events_to_fit(user_id: int, *, force: bool = False) -> list[ReviewEvent] | None:
    """The learner's log when a fit is due (or ``force``), else None (nothing new came in)."""
    record = db.session.get(LearnerModelRecord, user_id)
    events = review_events(user_id)
    if not events or not (force or refit_due(len(events), record.n_reviews if record else 0)):
        return None
    return events


def store_model(user: User, model: LearnerModel, now: datetime) -> LearnerModelRecord:
    """Store a fitted model as the learner's current one, with every answered question's
    state under its fitted parameters, under the learner's lock (flushed)."""
    stats = lock_learner(user)
    events = review_events(user.id)  # under the lock: what the item rows must follow now
    record = db.session.get(LearnerModelRecord, user.id)
    if record is None:
        record = LearnerModelRecord(user_id=user.id, fitted_at=now, n_reviews=0, payload={})
        record.version = 0
        db.session.add(record)
    record.fitted_at = now
    record.n_reviews = len(events)
    record.payload = model.to_dict()
    record.version = (record.version or 0) + 1
    states = fitted_states(((e.item_id, e.reviewed_at, e.rating) for e in events), model)
    for row in db.session.scalars(sa.select(ItemStats).where(ItemStats.user_id == user.id)):
        state = states.get(row.question_id)
        row.fitted_stability, row.fitted_difficulty = state or (None, None)
    stats.model_version = record.version
    db.session.flush()
    return record


def schedule_refit(live_reviews: int, record: LearnerModelRecord | None, user: User) -> None:
    """Queue the fit of the learner's model (``record``: the stored one, None if none yet),
    after this transaction commits, when due."""
    from quizapp.jobs import enqueue_after_commit

    if refit_due(live_reviews, record.n_reviews if record else 0):
        enqueue_after_commit(FIT_JOB, user.id)  # which checks the class estimates after it
    elif live_reviews < MIN_REVIEWS_FOR_MODEL and live_reviews % CLASS_CHECK_EVERY == 0:
        # a class of new learners gathers first answers long before anyone has a model
        enqueue_after_commit(CLASS_CHECK_JOB, user.id)


FIT_JOB = "fit_learner_model"
# Registered by quizapp.classmodel.jobs (named here, not imported: the class estimates read
# the learners' figures, so that package depends on this one, not the other way round).
CLASS_CHECK_JOB = "check_class_estimates"
#: Answers between two checks of the class estimates while the learner has no model yet.
CLASS_CHECK_EVERY = 25
