"""The web benchmark's generated question sets: questions about specimens of a generated document
(true/false, single choice, short answer, numeric), valid for the bank's own loader."""

from __future__ import annotations

import random
from typing import Any

from quizapp.bank.model import QuestionDoc, SetDoc, SourceDoc, SourceRef, TopicDoc

__all__ = ["generated_set"]

_TOPIC_NAMES = (
    "Alloys",
    "Bridges",
    "Canals",
    "Dams",
    "Engines",
    "Furnaces",
    "Gears",
    "Harbours",
    "Irrigation",
    "Joinery",
    "Kilns",
    "Lighthouses",
)
_ROOMS = ("amber", "cobalt", "crimson", "indigo", "ivory", "olive", "saffron", "teal")
_GENERATED_TYPES = ("true_false", "single_choice", "short_answer", "numeric")


def _question(
    set_no: int, number: int, topic: TopicDoc, grams: int, room: str, rng: random.Random
) -> tuple[str, QuestionDoc]:
    """One generated question about one specimen, and the sentence of the document it rests on."""
    name = f"specimen {set_no}.{number}"
    fact = f"The {name} weighs {grams} grams and is kept in the {room} room."
    qtype = _GENERATED_TYPES[number % len(_GENERATED_TYPES)]
    spec: dict[str, Any]
    if qtype == "true_false":
        truth = rng.random() < 0.5
        said = grams if truth else grams + rng.choice((-7, -3, 4, 9))
        prompt = f"True or false: the {name} weighs {said} grams."
        spec = {"answer": truth}
    elif qtype == "single_choice":
        prompt = f"How much does the {name} weigh?"
        values = [grams, grams + 5, grams + 11, grams - 6]
        rng.shuffle(values)
        spec = {"choices": [{"text": f"{v} grams", "correct": v == grams} for v in values]}
    elif qtype == "short_answer":
        prompt = f"In which room is the {name} kept?"
        spec = {"answers": [room]}
    else:
        prompt = f"How many grams does the {name} weigh?"
        spec = {"answer": grams, "unit": "g"}
    question = QuestionDoc(
        id=f"q{number:05d}",
        topic=topic.id,
        type=qtype,
        prompt=prompt,
        spec=spec,
        explanation=f"The document says that the {name} weighs {grams} grams, in the {room} room.",
        source=SourceRef(topic.section, fact),
    )
    return fact, question


def generated_set(set_no: int, questions: int, topics: int, seed: int = 0) -> SetDoc:
    """A valid question set of ``questions`` questions over ``topics`` topics (pure).

    The document has one section per topic, one sentence per question; each question quotes
    its sentence. Types cycle through true/false, single choice, short answer and numeric.
    """
    rng = random.Random(f"{seed}:{set_no}")
    topic_docs = tuple(
        TopicDoc(
            id=f"t{k + 1:02d}",
            title=f"{_TOPIC_NAMES[k % len(_TOPIC_NAMES)]} {k // len(_TOPIC_NAMES) + 1}",
            section=f"Part {k + 1}: {_TOPIC_NAMES[k % len(_TOPIC_NAMES)]}",
        )
        for k in range(topics)
    )
    lines: list[str] = []
    docs: list[QuestionDoc] = []
    per_topic = -(-questions // topics)
    for k, topic in enumerate(topic_docs):
        lines += ["", topic.section]
        for number in range(k * per_topic + 1, min(questions, (k + 1) * per_topic) + 1):
            fact, question = _question(
                set_no, number, topic, rng.randrange(20, 990), rng.choice(_ROOMS), rng
            )
            lines.append(fact)
            docs.append(question)
    return SetDoc(
        id=f"bench-generated-{set_no}",
        title=f"Generated set {set_no}",
        description="Questions generated for the web benchmark.",
        version="1",
        source=SourceDoc(title=f"Specimen register {set_no}", text="\n".join(lines) + "\n"),
        topics=topic_docs,
        questions=tuple(docs),
    )
