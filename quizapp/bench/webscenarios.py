"""The endpoints' scenarios: the steps of every measured endpoint (home, question, answer,
start_session, the class pages, login) for clients logged in as the benchmark's users."""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from quizapp.bench.webclient import (
    QUESTION_RE,
    Client,
    UnexpectedResponse,
    csrf,
    login,
    question_page,
    session_with_question,
)
from quizapp.bench.webconfig import PASSWORD
from quizapp.bench.webdata import answer_variants
from quizapp.bench.webload import Step
from quizapp.grading import get_type

RIGHT_ANSWERS = 0.85


def answer_forms(
    specs: Mapping[int, tuple[str, dict[str, Any]]],
) -> dict[int, list[list[tuple[str, str]]]]:
    """Per question: the form of the right answer first, then of wrong ones."""
    return {
        qid: [get_type(qtype).form_fields(r) for r, _ in answer_variants(qtype, spec)]
        for qid, (qtype, spec) in specs.items()
    }


@dataclass
class Learner:
    """A logged-in client of one learner, with its study session."""

    client: Client
    token: str
    session_id: int = 0


class Scenarios:
    """The steps of every endpoint, for clients logged in as the benchmark's users."""

    def __init__(
        self, port: int, timeout: float, forms: Mapping[int, list[list[tuple[str, str]]]]
    ) -> None:
        self.port = port
        self.timeout = timeout
        self.forms = forms
        self.rng = random.Random(7)

    def client(self) -> Client:
        return Client(self.port, self.timeout)

    def learners(self, emails: Sequence[str]) -> list[Learner]:
        out = []
        for email in emails:
            client = self.client()
            out.append(Learner(client, login(client, email)))
        return out

    @staticmethod
    def get(client: Client, path: str) -> Step:
        return lambda: client.expect("GET", path, 200)[1]

    def question(self, learner: Learner) -> Step:
        learner.session_id = session_with_question(learner.client, learner.token)
        path = f"/study/{learner.session_id}"

        def step() -> float:
            page, latency = learner.client.expect("GET", path, 200)
            if QUESTION_RE.search(page.body) is None:
                raise UnexpectedResponse(f"GET {path}: no question (the session is over)")
            return latency

        return step

    def start_session(self, learner: Learner) -> Step:
        fields = [("mode", "due"), ("csrf_token", learner.token)]
        return lambda: learner.client.expect("POST", "/study/start", 302, fields)[1]

    def answer(self, learner: Learner) -> Step:
        def step() -> float:
            shown = None
            if learner.session_id:
                shown = question_page(learner.client, learner.session_id)
            if shown is None:
                learner.session_id = session_with_question(learner.client, learner.token)
                shown = question_page(learner.client, learner.session_id)
                if shown is None:
                    raise UnexpectedResponse("a new session shows no question")
            question_id, token = shown
            forms = self.forms.get(question_id)
            if forms is None:
                raise UnexpectedResponse(f"question {question_id} is not in the benchmark's bank")
            right = self.rng.random() < RIGHT_ANSWERS
            form = forms[0] if right else self.rng.choice(forms[1:])
            fields = [
                *form,
                ("question_id", str(question_id)),
                ("shown_at", str(int(time.time() * 1000) - 8_000)),
                ("csrf_token", token),
            ]
            path = f"/study/{learner.session_id}/answer"
            return learner.client.expect("POST", path, 303, fields)[1]

        return step

    def login(self, emails: Sequence[str]) -> Step:
        """POST the login form with a session that is not logged in (its cookies kept)."""
        client = self.client()
        token = csrf(client.expect("GET", "/auth/login", 200)[0].body)
        turn = iter(range(10**9))

        def step() -> float:
            email = emails[next(turn) % len(emails)]
            fields = [("email", email), ("password", PASSWORD), ("csrf_token", token)]
            return client.expect("POST", "/auth/login", 302, fields, keep_cookies=False)[1]

        return step
