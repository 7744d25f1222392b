"""The simulated learners' histories of the web benchmark.

Each learner's plan (which sets, how many answers, how keen and how able) comes from the build's
configuration; their history is then simulated day by day (sittings at a habitual hour, due
questions first, a few new ones a day, learning steps within the sitting, mostly correct answers
as likely as the predicted recall) with the app's own scheduler (``quizapp.scheduler.review``),
so every review row carries the rating, state before and response the app would have written and
every memory state is the one the last answer left. The simulation runs in ``processes``
processes.
"""

from __future__ import annotations

import heapq
import json
import multiprocessing
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from quizapp.bench.webconfig import BuildConfig
from quizapp.scheduler import Evidence, recall_probability, review
from quizapp.scheduler import MemoryState as State
from quizapp.scheduler.state import REVIEW

__all__ = [
    "LearnerPlan",
    "SimAnswer",
    "SimQuestion",
    "SimResult",
    "learner_plans",
    "simulate_all",
    "simulate_learner",
]

_ORIGIN = datetime(2020, 1, 1, tzinfo=UTC)
_SITTING_GAP = timedelta(minutes=20)  # a learning step due this soon is waited for
_MAX_DAYS = 5_000
_CHUNK_REVIEWS = 40_000


@dataclass(frozen=True)
class SimAnswer:
    """One response a learner may give: JSON text, score and outcome."""

    response: str
    score: float
    outcome: str


@dataclass(frozen=True)
class SimQuestion:
    """A question as the simulation needs it; ``answers[0]`` is the correct response."""

    id: int
    topic_id: int
    options: int | None
    answers: tuple[SimAnswer, ...]

    @property
    def chance(self) -> float:
        return 0.0 if self.options is None else 1.0 / self.options


@dataclass(frozen=True)
class LearnerPlan:
    """How one learner studies: which questions (in bank order), how much and how well.

    ``end`` is the latest the history may end; it is shifted by whole days to end there.
    """

    user_id: int
    question_ids: tuple[int, ...]
    reviews: int
    seed: int
    end: datetime
    new_per_day: int = 10
    daily_cap: int = 80
    study_probability: float = 0.7
    hour: float = 19.0
    ability: float = 1.0


ReviewRow = tuple[int, int, datetime, str, str, float, int, int, int, str | None]
"""user_id, question_id, reviewed_at, response, outcome, score, rating, auto_rating,
duration_ms, state_before (JSON)."""
StateRow = tuple[
    int, int, int, float | None, float | None, int, int | None, datetime, datetime | None, int, int
]
"""user_id, question_id, topic_id, stability, difficulty, state, step, due, last_review, reps,
lapses."""


@dataclass
class SimResult:
    reviews: list[ReviewRow] = field(default_factory=list)
    states: list[StateRow] = field(default_factory=list)


def _shifted(state: State, shift: timedelta) -> State:
    last = state.last_review
    return replace(state, due=state.due + shift, last_review=None if last is None else last + shift)


def _shifted_json(state: State, shift: timedelta) -> str:
    """``_shifted(state, shift).to_json_dict()`` as JSON text, without validating it again."""
    out = state.to_json_dict()
    out["due"] = (state.due + shift).isoformat()
    if state.last_review is not None:
        out["last_review"] = (state.last_review + shift).isoformat()
    return json.dumps(out)


def _known(state: State | None, now: datetime, plan: LearnerPlan) -> float:
    """Probability that the learner knows the answer (before any guessing)."""
    if state is None:
        return min(0.9, 0.55 * plan.ability)
    if state.state != REVIEW:
        return 0.9  # within the learning steps of the same sitting
    return float(recall_probability(state, now) ** (1.0 / plan.ability))


class _Learner:
    """The running simulation of one learner."""

    def __init__(self, plan: LearnerPlan, bank: Mapping[int, SimQuestion]) -> None:
        self.plan = plan
        self.bank = bank
        self.rng = random.Random(plan.seed)
        self.states: dict[int, State] = {}
        self.due: list[tuple[datetime, int]] = []
        self.new = iter(plan.question_ids)
        self.answers: list[tuple[int, datetime, SimAnswer, int, int, int, State | None]] = []

    @property
    def done(self) -> bool:
        return len(self.answers) >= self.plan.reviews

    def answer(self, qid: int, now: datetime) -> datetime:
        question = self.bank[qid]
        before = self.states.get(qid)
        known = _known(before, now, self.plan)
        right = self.rng.random() < question.chance + (1.0 - question.chance) * known
        given = question.answers[0] if right else self.rng.choice(question.answers[1:])
        duration = int(min(120_000, max(1_500, self.rng.lognormvariate(9.1, 0.6))))
        evidence = Evidence(given.score, duration, question.options)
        state, entry = review(before, evidence, now)
        self.states[qid] = state
        heapq.heappush(self.due, (state.due, qid))
        self.answers.append((qid, now, given, entry.rating, entry.auto_rating, duration, before))
        return now + timedelta(milliseconds=duration + self.rng.randrange(1_000, 6_000))

    def sitting(self, start: datetime) -> None:
        now, new_left, count = start, self.plan.new_per_day, 0
        while count < self.plan.daily_cap and not self.done:
            if self.due and self.due[0][0] <= now:
                qid = heapq.heappop(self.due)[1]
            elif new_left > 0 and (fresh := next(self.new, None)) is not None:
                qid, new_left = fresh, new_left - 1
            elif self.due and self.due[0][0] <= now + _SITTING_GAP:
                now = self.due[0][0]
                continue
            else:
                break
            now = self.answer(qid, now)
            count += 1

    def run(self) -> None:
        for day in range(_MAX_DAYS):
            if self.done or (not self.due and not self.plan.question_ids):
                break
            if self.rng.random() < self.plan.study_probability:
                hour = min(23.5, max(0.0, self.plan.hour + self.rng.uniform(-1.5, 1.5)))
                self.sitting(_ORIGIN + timedelta(days=day, hours=hour))

    def rows(self) -> SimResult:
        """The review and memory-state rows, moved by whole days to end by ``plan.end``."""
        if not self.answers:
            return SimResult()
        shift = timedelta(days=(self.plan.end - self.answers[-1][1]).days)
        uid = self.plan.user_id
        result = SimResult()
        for qid, at, given, rating, auto, duration, before in self.answers:
            state_json = None if before is None else _shifted_json(before, shift)
            result.reviews.append(
                (
                    uid,
                    qid,
                    at + shift,
                    given.response,
                    given.outcome,
                    given.score,
                    rating,
                    auto,
                    duration,
                    state_json,
                )
            )
        for qid, state in self.states.items():
            s = _shifted(state, shift)
            result.states.append(
                (
                    uid,
                    qid,
                    self.bank[qid].topic_id,
                    s.stability,
                    s.difficulty,
                    s.state,
                    s.step,
                    s.due,
                    s.last_review,
                    s.reps,
                    s.lapses,
                )
            )
        return result


def simulate_learner(plan: LearnerPlan, bank: Mapping[int, SimQuestion]) -> SimResult:
    """Simulate one learner's answers with the app's scheduler (deterministic for a seed)."""
    learner = _Learner(plan, bank)
    learner.run()
    return learner.rows()


_WORKER_BANK: dict[int, SimQuestion] = {}


def _init_worker(bank: dict[int, SimQuestion]) -> None:
    _WORKER_BANK.clear()
    _WORKER_BANK.update(bank)


def _simulate_chunk(plans: Sequence[LearnerPlan]) -> SimResult:
    out = SimResult()
    for plan in plans:
        result = simulate_learner(plan, _WORKER_BANK)
        out.reviews += result.reviews
        out.states += result.states
    return out


def simulate_all(
    plans: Sequence[LearnerPlan], bank: dict[int, SimQuestion], processes: int
) -> Iterator[SimResult]:
    """Simulate every plan, in chunks of about ``_CHUNK_REVIEWS`` answers, as they finish."""
    chunks: list[list[LearnerPlan]] = [[]]
    size = 0
    for plan in sorted(plans, key=lambda p: -p.reviews):
        if size >= _CHUNK_REVIEWS:
            chunks.append([])
            size = 0
        chunks[-1].append(plan)
        size += plan.reviews
    if processes <= 1:
        _init_worker(bank)
        yield from map(_simulate_chunk, chunks)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes, initializer=_init_worker, initargs=(bank,)) as pool:
        yield from pool.imap_unordered(_simulate_chunk, chunks)


def _ordinary_reviews(config: BuildConfig, rng: random.Random) -> list[int]:
    """Answers per ordinary learner: skewed (a few keen ones), at least 1, summing exactly."""
    count = config.learners - 2
    total = config.reviews - sum(config.heavy_reviews)
    weights = [rng.lognormvariate(0.0, 0.9) for _ in range(count)]
    raw = [w * total / sum(weights) for w in weights]
    out = [max(1, int(r)) for r in raw]
    gap = total - sum(out)
    # Round to the exact total: add to the largest remainders, take from the largest counts.
    order = sorted(range(count), key=lambda i: raw[i] - int(raw[i]) if gap > 0 else out[i])
    step = 0
    while gap != 0:
        i = order[-1 - step % count]
        step += 1
        if gap > 0:
            out[i], gap = out[i] + 1, gap - 1
        elif out[i] > 1:
            out[i], gap = out[i] - 1, gap + 1
    return out


def learner_plans(
    config: BuildConfig,
    users: Sequence[int],
    set_order: Mapping[int, list[int]],
    set_ids: Sequence[int],
    now: datetime,
) -> tuple[list[LearnerPlan], list[tuple[int, int]]]:
    """Every learner's plan and enrolments. ``users``: the large, the small, then the others."""
    rng = random.Random(config.seed)
    bundled, generated = set_ids[0], list(set_ids[1:])
    everything = tuple(q for s in set_ids for q in set_order[s])
    plans: list[LearnerPlan] = []
    enrollments: list[tuple[int, int]] = []
    for user, reviews in zip(users[:2], config.heavy_reviews, strict=True):
        plans.append(
            LearnerPlan(
                user,
                everything,
                reviews,
                rng.randrange(2**31),
                now - timedelta(days=5),
                new_per_day=15,
                daily_cap=400,
                study_probability=0.9,
                hour=18.5,
            )
        )
        enrollments += [(user, s) for s in set_ids]
    for i, (user, reviews) in enumerate(
        zip(users[2:], _ordinary_reviews(config, rng), strict=True)
    ):
        sets = [bundled]
        # Keen learners study more sets: about six answers per question studied at most.
        if generated and (i % 3 or reviews > 6 * len(set_order[bundled])):
            sets.append(generated[i % len(generated)])
        if reviews > 6 * sum(len(set_order[s]) for s in sets):
            sets = list(set_ids)
        enrollments += [(user, s) for s in sets]
        plans.append(
            LearnerPlan(
                user,
                tuple(q for s in sets for q in set_order[s]),
                reviews,
                rng.randrange(2**31),
                now - timedelta(days=min(120.0, rng.expovariate(1 / 12))),
                new_per_day=rng.choice((3, 5, 8, 10, 15)),
                daily_cap=rng.randrange(40, 160),
                study_probability=rng.uniform(0.3, 0.85),
                hour=rng.uniform(7.0, 22.0),
                ability=rng.lognormvariate(0.0, 0.25),
            )
        )
    return plans, enrollments
