"""Benchmarks of the scheduler: ``python -m quizapp.bench recall|topics|speed|simulate``.

* ``recall`` (``quizapp.bench.recall``): the app's recall predictor against FSRS-6 (default and
  refitted), SM-2, AVG and a moving average on a review log, srs-benchmark protocol;
* ``topics`` (``quizapp.bench.topics``): per-topic and guess-aware modelling on simulated learners;
* ``speed`` (``quizapp.bench.speed``): time per call against py-fsrs's ``review_card``;
* ``simulate`` (``quizapp.bench.simulate``): a synthetic review log for generalisation checks.
"""

from __future__ import annotations

__all__: list[str] = []
