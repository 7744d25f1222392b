"""The scheduler: memory model, evidence, recall prediction, topics and queues (Flask-free).

Everything here is pure: ``now`` is always passed in, datetimes are timezone-aware UTC, results
are new frozen dataclasses, and randomness is only used when a seeded ``random.Random`` is passed.
The FSRS-6 memory model comes from the ``fsrs`` (py-fsrs) and ``fsrs-rs-python`` packages.

Data the database layer stores
------------------------------
* ``MemoryState`` per (learner, question): ``stability`` float|None, ``difficulty`` float|None,
  ``state`` int (1 learning, 2 review, 3 relearning), ``step`` int|None, ``due`` datetime,
  ``last_review`` datetime|None, ``reps`` int, ``lapses`` int — ``to_dict()`` / ``from_dict()``
  (naive datetimes read back from the database are taken as UTC).
* ``ReviewLogEntry`` per answer (``to_dict()``): the final ``rating``, the ``auto_rating`` from
  the grade, the learner's ``override``, score, duration, options, elapsed days, recall before,
  knew-probability, interval and whether the guess rule capped it.
* ``LearnerModel`` per learner (``to_dict()`` JSON): refit from the learner's log now and then
  with ``fit_learner_model``.

Answering a question
--------------------
``review(state | None, Evidence(score, duration_ms, options, override), now, params)``
returns ``ReviewOutcome(state, log)`` (unpacks as a pair); ``prior=item_prior(...)`` starts a
learner's first answer with the class's difficulty of the question (``class_prior``).
``rate_answer`` documents how the grade becomes a rating; ``SchedulerParams`` holds the
parameters and the target retention (0.70-0.97).

Predictions
-----------
``recall_probability(state, now, params)``, ``p_correct(state, now, chance, params)``,
``next_due(state, params, retention)``; with a fitted ``LearnerModel``,
``LearnerPredictor(model, events).recall(question_id, topic_id, state, now)``.

Topics and queues
-----------------
``summarize_topics(questions, answers, now, params)`` → ``TopicSummary`` per topic;
``weakest_topics(summaries, k)``; ``study_queue(questions, now, new_limit, new_done_today)``;
``weak_topics_queue(questions, answers, now)``; ``SessionQueue`` for one session.

Settings
--------
``relative_workload(retention)``: reviews a day at a target retention relative to 0.9, from
the FSRS-6 simulator.
"""

from __future__ import annotations

from quizapp.scheduler.class_prior import MIN_CLASS_LEARNERS, ItemPrior, item_prior
from quizapp.scheduler.evidence import (
    DEFAULT_POLICY,
    Evidence,
    GradingPolicy,
    Outcome,
    Override,
    RatingDecision,
    grade_outcome,
    guess_interval_cap,
    knew_probability,
    rate_answer,
)
from quizapp.scheduler.features import CONTEXT_FEATURES, ContextTracker, context_matrix
from quizapp.scheduler.history import (
    DAY_START_HOUR,
    EventTable,
    FsrsTrace,
    ReviewEvent,
    day_index,
    fit_fsrs_parameters,
    fsrs_trace,
    prepare,
)
from quizapp.scheduler.learner_ensemble import VARIANTS, LearnerModel, Member
from quizapp.scheduler.learner_model import (
    DEFAULT_CONFIG,
    ModelConfig,
    fit_learner_model,
    fit_logistic,
)
from quizapp.scheduler.learner_predictor import LearnerPredictor
from quizapp.scheduler.memory import (
    DEFAULT_PARAMS,
    ReviewLogEntry,
    ReviewOutcome,
    interval_days,
    next_due,
    p_correct,
    recall_probability,
    retrievability,
    review,
)
from quizapp.scheduler.metrics import auc, bin_key, log_loss, rmse_bins
from quizapp.scheduler.params import (
    DEFAULT_PARAMETERS,
    MAX_RETENTION,
    MIN_RETENTION,
    SchedulerParams,
    clip_parameters,
    validate_retention,
)
from quizapp.scheduler.queues import QueueEntry, SessionQueue, study_queue, weak_topics_queue
from quizapp.scheduler.state import LEARNING, RELEARNING, REVIEW, MemoryState, as_utc
from quizapp.scheduler.topics import (
    DEFAULT_PRIORS,
    AnswerRecord,
    QuestionRecord,
    TopicAnswers,
    TopicPriors,
    TopicSummary,
    TopicTotals,
    WeekPoint,
    summarize_topic_totals,
    summarize_topics,
    topic_totals,
    weakest_topics,
)
from quizapp.scheduler.workload import relative_workload, reviews_per_day

__all__ = [
    "CONTEXT_FEATURES",
    "DAY_START_HOUR",
    "DEFAULT_CONFIG",
    "DEFAULT_PARAMETERS",
    "DEFAULT_PARAMS",
    "DEFAULT_POLICY",
    "DEFAULT_PRIORS",
    "LEARNING",
    "MAX_RETENTION",
    "MIN_CLASS_LEARNERS",
    "MIN_RETENTION",
    "RELEARNING",
    "REVIEW",
    "VARIANTS",
    "AnswerRecord",
    "ContextTracker",
    "EventTable",
    "Evidence",
    "FsrsTrace",
    "GradingPolicy",
    "ItemPrior",
    "LearnerModel",
    "LearnerPredictor",
    "Member",
    "MemoryState",
    "ModelConfig",
    "Outcome",
    "Override",
    "QuestionRecord",
    "QueueEntry",
    "RatingDecision",
    "ReviewEvent",
    "ReviewLogEntry",
    "ReviewOutcome",
    "SchedulerParams",
    "SessionQueue",
    "TopicAnswers",
    "TopicPriors",
    "TopicSummary",
    "TopicTotals",
    "WeekPoint",
    "as_utc",
    "auc",
    "bin_key",
    "clip_parameters",
    "context_matrix",
    "day_index",
    "fit_fsrs_parameters",
    "fit_learner_model",
    "fit_logistic",
    "fsrs_trace",
    "grade_outcome",
    "guess_interval_cap",
    "interval_days",
    "item_prior",
    "knew_probability",
    "log_loss",
    "next_due",
    "p_correct",
    "prepare",
    "rate_answer",
    "recall_probability",
    "relative_workload",
    "retrievability",
    "review",
    "reviews_per_day",
    "rmse_bins",
    "study_queue",
    "summarize_topic_totals",
    "summarize_topics",
    "topic_totals",
    "validate_retention",
    "weak_topics_queue",
    "weakest_topics",
]
