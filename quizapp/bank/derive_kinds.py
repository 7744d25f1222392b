"""The question types a sentence's shape supports, and the one draft each sentence gives.

- an enumeration ("symptoms such as A, B and C") gives a multiple response: tick the items;
- a sequence ("first A, then B, and then C") gives an ordering;
- an abbreviation spelled out ("long form (ABBR)") gives a short answer: what ABBR stands for;
- a definition ("X is a ...") gives a short answer: the term so defined;
- a run of "term: definition" list items gives a matching question;
- any other sentence gives a cloze or single choice on its central term (``term_draft``).

A sentence states one fact, so it gives one draft: the first type of this list it supports.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from quizapp.bank.derive_distract import distractors
from quizapp.bank.derive_drafts import (
    Context,
    Draft,
    display,
    explain,
    neutral_article,
    question_id,
    quote_of,
    quoted,
    source,
    term_draft,
    where,
)
from quizapp.bank.derive_markup import MASK
from quizapp.bank.derive_salience import rarity
from quizapp.bank.derive_sections import LOST, Sentence, complete, fragments
from quizapp.bank.derive_terms import (
    Occurrence,
    Term,
    defined_term,
    examples,
    list_noun,
    lowered,
    occurrences,
    spelled_patterns,
    touches_lost,
)
from quizapp.bank.model import QuestionDoc

MIN_ITEMS = 3
MAX_ITEM_WORDS = 12
STRUCTURE_BONUS = 1.0
"""A fact a sentence states by its shape (a list, a sequence) is worth more than one term."""

_FIRST = re.compile(r"\bfirst\s+", re.IGNORECASE)
_STEP_SEPARATOR = re.compile(
    r",?\s+(?:and\s+)?(?:then|finally|next|lastly|afterwards)\s+|,\s+(?:and\s+)?", re.IGNORECASE
)
_DEFINITION_ITEM = re.compile(
    r"^[ \t]*[-*+][ \t]+(?P<term>[A-Za-z][\w .'()/-]{0,40}?)[ \t]*"
    r"(?::|\s[-\u2013\u2014]{1,2})[ \t]+(?P<definition>\S.*)$"
)


def _question(
    ctx: Context, tag: str, key: str, quote: str, qtype: str, prompt: str, **spec: Any
) -> QuestionDoc:
    return QuestionDoc(
        id=question_id(ctx, tag, key, quote),
        topic=ctx.topic,
        type=qtype,
        prompt=prompt,
        spec=spec,
        explanation=explain(ctx, quote),
        source=source(ctx, quote),
    )


# ---------------------------------------------------------------- ordering


def _steps(ctx: Context, frag: tuple[int, int]) -> list[tuple[int, int]] | None:
    """The steps of "first A, B, and then C" in a fragment, as spans; None if none."""
    a, b = frag
    first = _FIRST.search(ctx.text, a, b)
    if first is None or not re.search(r"\b(?:then|finally)\b", ctx.text[first.end() : b], re.I):
        return None
    end = b - 1 if ctx.text[b - 1] in ".!?" else b
    steps, pos = [], first.end()
    for sep in _STEP_SEPARATOR.finditer(ctx.text, pos, end):
        steps.append((pos, sep.start()))
        pos = sep.end()
    steps.append((pos, end))
    words = [len(ctx.text[s:e].split()) for s, e in steps]
    if len(steps) < MIN_ITEMS or not all(1 <= n <= MAX_ITEM_WORDS for n in words):
        return None
    return steps


def ordering_draft(ctx: Context, sentence: Sentence) -> Draft | None:
    for frag in fragments(ctx.text, sentence):
        steps = _steps(ctx, frag)
        quote = quote_of(ctx, frag, steps or []) if steps else ""
        if not steps or not quote:
            continue
        items = [display(ctx.text, step, []) for step in steps]
        if len(set(items)) < len(items):
            continue
        prompt = f"Put these steps in the order the section “{ctx.section.title}” gives them."
        lead = display(ctx.text, (frag[0], steps[0][0]), [])
        if frag[0] == sentence.start and len(lead.split()) >= 3:
            prompt = f"{prompt[:-1]}: {quoted(lead + ' …')}"
        question = _question(ctx, "order", items[0], quote, "ordering", prompt, items=items)
        weight = sum(rarity(item) for item in items) / len(items)
        return Draft(question, weight + STRUCTURE_BONUS, "order " + items[0])
    return None


# ---------------------------------------------------------------- multiple response


def enumeration_draft(ctx: Context, sentence: Sentence) -> Draft | None:
    for frag in fragments(ctx.text, sentence):
        items = list(examples(ctx.terms, frag))
        if len(items) < 2 or any(touches_lost(ctx.text, o) for o in items):
            continue
        wrong: list[Term] = []
        for item in items:
            for term in _item_distractors(ctx, sentence, item):
                if term.key not in {t.key for t in wrong} | {o.term.key for o in items}:
                    wrong.append(term)
        quote = quote_of(ctx, frag, [(o.start, o.end) for o in items])
        if len(wrong) < 2 or not quote:
            continue
        listed = (items[0].start, items[-1].end)
        shown = display(ctx.text, sentence, [(*listed, "…")])
        noun = list_noun(ctx.text, items[0].start)
        what = f"as {noun}" if noun else "in this list"
        choices = [{"text": o.term.text, "correct": True} for o in items]
        choices += [{"text": t.text, "correct": False} for t in wrong[:3]]
        choices.sort(key=lambda c: str(c["text"]).casefold())
        prompt = (
            f"{quoted(shown)} Which of these does the section “{ctx.section.title}” name {what}?"
        )
        question = _question(
            ctx, "listed", items[0].term.key, quote, "multiple_response", prompt, choices=choices
        )
        weight = sum(ctx.salience.weight(o.term.key, o.term.text) for o in items) / len(items)
        return Draft(question, weight + STRUCTURE_BONUS, "list " + items[0].term.key)
    return None


def _item_distractors(ctx: Context, sentence: Sentence, item: Occurrence) -> list[Term]:
    return distractors(
        text=ctx.text,
        flat=ctx.flat,
        lexicon=ctx.lexicon,
        salience=ctx.salience,
        section_text=ctx.text[ctx.section.start : ctx.section.end],
        sentence=sentence,
        occ=item,
    )


# ---------------------------------------------------------------- short answers


def abbreviation_draft(ctx: Context, sentence: Sentence) -> Draft | None:
    """What an abbreviation stands for, from the sentence that first spells it out."""
    first: dict[str, tuple[Sentence, Any]] = {}
    for at, definition in ctx.lexicon.definitions:
        first.setdefault(definition.abbr.term.key, (at, definition))
    for at, definition in first.values():
        abbr, long = definition.abbr, definition.long
        if at != sentence or abbr.term.key in ctx.salience.subject:
            continue
        if touches_lost(ctx.text, abbr) or touches_lost(ctx.text, long):
            continue
        frag = next(f for f in fragments(ctx.text, sentence) if f[0] <= definition.span[0] < f[1])
        quote = quote_of(ctx, frag, [definition.span])
        if not quote:
            continue
        answer = lowered(long.term.text, long.start == sentence.start)
        # The section's title may spell the abbreviation out ("Domain names (IDN)").
        told = "from the text" in (where(ctx, abbr.term.key), where(ctx, long.term.key))
        section = "In the text" if told else f"In the section “{ctx.section.title}”"
        prompt = f"{section}, what does {abbr.term.text} stand for?"
        question = _question(
            ctx, "abbr", abbr.term.key, quote, "short_answer", prompt, answers=[answer]
        )
        weight = ctx.salience.weight(abbr.term.key, long.term.text)
        return Draft(question, weight, abbr.term.key)
    return None


def definition_draft(ctx: Context, sentence: Sentence) -> Draft | None:
    """The term a sentence "X is a ..." defines, asked from its definition."""
    defined = defined_term(ctx.terms, sentence)
    if defined is None or LOST in sentence.text or MASK in ctx.terms[defined.start : defined.end]:
        return None
    weight = ctx.salience.weight(defined.term.key, defined.term.text)
    quote = quote_of(ctx, (sentence.start, sentence.end), [(defined.start, defined.end)])
    if weight <= 0 or not quote or where(ctx, defined.term.key) == "from the text":
        return None  # (the section's title would name the answer)
    swaps = [(defined.start, defined.end, "_____")]
    neutral_article(ctx.text, defined.start, swaps)
    shown = display(ctx.text, sentence, swaps)
    prompt = f"Which term does the section “{ctx.section.title}” define this way? {quoted(shown)}"
    answer = lowered(defined.term.text, defined.start == sentence.start)
    question = _question(
        ctx, "defined", defined.term.key, quote, "short_answer", prompt, answers=[answer]
    )
    return Draft(question, weight, defined.term.key)


# ---------------------------------------------------------------- matching


def matching_drafts(ctx: Context) -> Iterator[Draft]:
    """A matching question from each run of three or more "- term: definition" list items.

    Lines without a list mark are not a glossary: "Title: ...", "Author: ..." is a header.
    """
    run: list[tuple[int, re.Match[str]]] = []
    pos = ctx.section.start
    for line in [*ctx.text[ctx.section.start : ctx.section.end].split("\n"), ""]:
        match = _DEFINITION_ITEM.match(line)
        plain_pair = match and not re.search(r"\d|'", match["term"] + match["definition"][:1])
        if match and plain_pair and LOST not in line and len(match["definition"].split()) >= 2:
            run.append((pos, match))
        else:
            if len(run) >= MIN_ITEMS and (draft := _matching(ctx, run)):
                yield draft
            run = []
        pos += len(line) + 1


def _matching(ctx: Context, run: list[tuple[int, re.Match[str]]]) -> Draft | None:
    pairs = []
    for _, m in run:
        definition = re.split(r"(?<=[.!?])\s", m["definition"].strip())[0].rstrip(".")
        pairs.append({"left": " ".join(m["term"].split()), "right": " ".join(definition.split())})
    if len({p["left"] for p in pairs}) < len(pairs) or len({p["right"] for p in pairs}) < len(
        pairs
    ):
        return None
    start, first = run[0]
    end = run[-1][0] + run[-1][1].end()
    quote = quote_of(ctx, (start + first.start("term"), end), [])
    if not quote:
        at = start + first.start("definition")
        quote = quote_of(ctx, (at, start + first.end()), [])
    if not quote:
        return None
    prompt = f"Match each term of the section “{ctx.section.title}” with what the text says it is."
    question = _question(ctx, "match", pairs[0]["left"], quote, "matching", prompt, pairs=pairs)
    weight = sum(rarity(p["left"]) for p in pairs) / len(pairs)
    return Draft(question, weight + STRUCTURE_BONUS, "match " + pairs[0]["left"])


# ---------------------------------------------------------------- one draft a sentence


def section_drafts(ctx: Context, sentences: list[Sentence]) -> Iterator[Draft]:
    """The best draft of each sentence, then the section's matching questions."""
    spelled = spelled_patterns(ctx.lexicon)
    for sentence in sentences:
        if not complete(sentence):
            # What an abbreviation stands for needs no context: "These ... BCMA (B cell ...)".
            if draft := abbreviation_draft(ctx, sentence):
                yield draft
            continue
        occs = occurrences(ctx.terms, sentence, spelled)
        found = [
            ordering_draft(ctx, sentence),
            enumeration_draft(ctx, sentence),
            abbreviation_draft(ctx, sentence),
            definition_draft(ctx, sentence),
            term_draft(ctx, sentence, occs),
        ]
        # The first type the sentence supports, in this order: its shape says what it teaches.
        best = next((d for d in found if d is not None), None)
        if best is not None:
            yield best
    yield from matching_drafts(ctx)
