"""Drafting the questions of one sentence: a key term hidden as a cloze or a single choice.

Of a sentence's key terms the most central one (``Salience``) is hidden: as a single choice
when the document offers at least two distractors of its kind that it does not say are right
(``derive_distract``), else as a cloze. The helpers here (the shown sentence, its quote, ids)
serve the other question types too (``derive_kinds``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from quizapp.bank.derive_distract import distractors, same_number
from quizapp.bank.derive_salience import Salience
from quizapp.bank.derive_sections import FINAL_STOP, LOST, Section, Sentence, fragments
from quizapp.bank.derive_terms import (
    Lexicon,
    Occurrence,
    Term,
    examples,
    term_key,
    touches_lost,
    word_count,
)
from quizapp.bank.model import QuestionDoc, SourceRef

ELLIPSIS = "…"
BLANK = "_____"
MIN_QUOTE_WORDS = 5
MIN_DISTRACTORS = 2
MAX_BLANKS = 3
STEM = 6
"""Words sharing their first six letters are one word to a learner ("subclassed", "subclass")."""

KIND_NOUNS = {
    "acronym": "abbreviation",
    "expansion": "term",
    "term": "term",
    "keyword": "word",
    "name": "name",
    "number": "number",
    "example": "example",
}
"""The noun a prompt uses for each kind of term."""


@dataclass(frozen=True)
class Context:
    """What every draft of one section needs to know.

    ``text`` is the document with its formatting blanked (``plain_text``), ``raw`` the document
    as written: drafts show the one and quote the other, at the same offsets. ``terms`` is
    ``text`` with code and addresses masked, where terms are looked for (``term_text``).
    """

    text: str
    raw: str
    terms: str
    flat: str
    section: Section
    topic: str
    lexicon: Lexicon
    salience: Salience


@dataclass(frozen=True)
class Draft:
    """A drafted question, how central its fact is, and the term it asks for."""

    question: QuestionDoc
    score: float
    asks: str


@dataclass(frozen=True)
class Group:
    """The occurrences of one term in one sentence (with its acronym or long form, if there)."""

    sentence: Sentence
    term: Term
    hidden: tuple[Occurrence, ...]
    quote: tuple[int, int]


def groups(ctx: Context, sentence: Sentence, occs: list[Occurrence]) -> Iterator[Group]:
    """Group a sentence's occurrences by term; an acronym joins its long form when both occur."""
    by_key: dict[str, list[Occurrence]] = {}
    for occ in occs:
        by_key.setdefault(occ.term.key, []).append(occ)
    frags = fragments(ctx.text, sentence)
    for key, group in by_key.items():
        partner = term_key(ctx.lexicon.alias.get(key, ""))
        if group[0].term.kind == "acronym" and partner in by_key:
            continue
        hidden = sorted(group + by_key.get(partner, []), key=lambda o: o.start)
        if any(touches_lost(ctx.text, occ) for occ in hidden):
            continue
        quote = next(f for f in frags if f[0] <= group[0].start < f[1])
        if word_count(ctx.text[quote[0] : quote[1]]) >= MIN_QUOTE_WORDS:
            yield Group(sentence, group[0].term, tuple(hidden), quote)


_ARTICLE = re.compile(r"(?<![\w-])(?P<article>[Aa]n?)\s+$")


def neutral_article(text: str, start: int, swaps: list[tuple[int, int, str]]) -> None:
    """Write "a(n)" for the article before a hidden term, which would give away its first sound."""
    match = _ARTICLE.search(text, max(start - 4, 0), start)
    if match:
        swaps.append((match.start("article"), match.end("article"), match["article"][0] + "(n)"))


def display(
    text: str, sentence: Sentence | tuple[int, int], swaps: Sequence[tuple[int, int, str]]
) -> str:
    """The text as shown: spans replaced, lost text shown as an ellipsis, spacing tidied."""
    start, end = (sentence.start, sentence.end) if isinstance(sentence, Sentence) else sentence
    out, pos = [], start
    for a, b, new in sorted(swaps):
        out += [text[pos:a], new]
        pos = b
    out.append(text[pos:end])
    shown = "".join(out).replace(LOST, f" {ELLIPSIS} ")
    shown = " ".join(shown.split())
    shown = re.sub(r" ([.,;:!?)])", r"\1", shown)
    # A link inside quotation marks leaves spaces inside them: '" Punycode "' -> '"Punycode"'.
    shown = re.sub(
        r'(^|\s)"\s+([^"\s](?:[^"\s]|\s(?!\S+\s\S+\s\S+\s)){0,40}?)\s+"(?=[\s.,;:!?)]|$)',
        r'\1"\2"',
        shown,
    )
    return re.sub(r"([(]) ", r"\1", shown)


def digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def question_id(ctx: Context, tag: str, *parts: str) -> str:
    return f"{ctx.topic}-{tag}-{digest(tag, *parts)[:8]}"


def quote_of(ctx: Context, span: tuple[int, int], needed: Sequence[tuple[int, int]] = ()) -> str:
    """The document's own words over ``span``; "" if they cannot be quoted with ``needed``.

    A quote may not contain ``**``: where bold marks sit in the span, the quote is the
    stretch between them that holds every ``needed`` span, if it is long enough.
    """
    a, b = span
    marks = [m.start() for m in re.finditer(r"\*\*", ctx.raw[a:b])]
    if marks:
        cuts = [a, *(a + m for m in marks), b]
        lo = max(
            (c + (2 if c > a else 0) for c in cuts if all(c <= s for s, _ in needed)), default=a
        )
        hi = min((c for c in cuts if all(c >= e for _, e in needed) and c > lo), default=b)
        a, b = lo, hi
    # Take in the marks of formatting at either end ("*Do not* use", "`name`").
    while a > 0 and ctx.raw[a - 1] in "*_`[" and ctx.raw[a - 2 : a] != "**":
        a -= 1
    while b < len(ctx.raw) and ctx.raw[b] in "*_`]" and ctx.raw[b : b + 2] != "**":
        b += 1
    quote = ctx.raw[a:b].strip(" \t\n,;:")
    if "**" in quote or word_count(quote) < MIN_QUOTE_WORDS:
        return ""
    return quote


def quoted(quote: str) -> str:
    """A quote in curly quotes, followed by a full stop unless it ends with one."""
    text = " ".join(quote.split())
    return f"“{text}”" if FINAL_STOP.search(text) else f"“{text}”."


def where(ctx: Context, key: str) -> str:
    """Name the section the sentence is from, unless its title gives the answer away."""
    if f" {key} " in f" {term_key(ctx.section.title)} ":
        return "from the text"
    return f"from the section “{ctx.section.title}”"


def explain(ctx: Context, quote: str) -> str:
    return f"In “{ctx.section.title}”, the text says: {quoted(quote)}"


def source(ctx: Context, quote: str) -> SourceRef:
    return SourceRef(ctx.section.heading, quote)


def _gap(ctx: Context, occ: Occurrence, hidden: Sequence[Occurrence]) -> str:
    """A cloze gap for one occurrence; it also accepts the term's acronym or long form."""
    answer = " ".join(ctx.text[occ.start : occ.end].split())
    alias = ctx.lexicon.alias.get(occ.term.key, "") if occ.term.kind == "expansion" else ""
    shown = {term_key(ctx.text[o.start : o.end]) for o in hidden}
    if alias and term_key(alias) not in shown:
        return f"[[{answer}|{alias}]]"
    return f"[[{answer}]]"


def _cloze(ctx: Context, group: Group, quote: str) -> QuestionDoc:
    swaps = [(o.start, o.end, _gap(ctx, o, group.hidden)) for o in group.hidden]
    for occ in group.hidden:
        neutral_article(ctx.text, occ.start, swaps)
    blanks = "blanks" if len(group.hidden) > 1 else "blank"
    return QuestionDoc(
        id=question_id(ctx, "cloze", group.term.key, quote),
        topic=ctx.topic,
        type="cloze",
        prompt=f"Fill in the {blanks} in this sentence {where(ctx, group.term.key)}.",
        spec={"text": display(ctx.text, group.sentence, swaps)},
        explanation=explain(ctx, quote),
        source=source(ctx, quote),
    )


def _choice(ctx: Context, group: Group, others: list[Term], quote: str) -> QuestionDoc:
    # The correct option names the first occurrence of the term; a paired acronym is blanked too.
    first = next(o for o in group.hidden if o.term.key == group.term.key)
    answer = " ".join(ctx.text[first.start : first.end].split())
    swaps = [_choice_swap(ctx.text, o, group.term.key) for o in group.hidden]
    neutral_article(ctx.text, first.start, swaps)
    noun = KIND_NOUNS[group.term.kind]
    options = sorted([answer, *(d.text for d in others)], key=str.casefold)
    sentence = display(ctx.text, group.sentence, swaps)
    return QuestionDoc(
        id=question_id(ctx, "choice", group.term.key, quote),
        topic=ctx.topic,
        type="single_choice",
        prompt=(f"Which {noun} completes this sentence {where(ctx, group.term.key)}? “{sentence}”"),
        spec={"choices": [_option(o, answer, noun, quote) for o in options]},
        explanation=explain(ctx, quote),
        source=source(ctx, quote),
    )


def _choice_swap(text: str, occ: Occurrence, key: str) -> tuple[int, int, str]:
    """Blank the term; leave out its acronym when that follows in parentheses ("(MM)")."""
    if occ.term.key == key:
        return occ.start, occ.end, BLANK
    if text[occ.start - 1 : occ.start] == "(" and text[occ.end : occ.end + 1] == ")":
        lead = 2 if text[occ.start - 2 : occ.start - 1].isspace() else 1
        return occ.start - lead, occ.end + 1, ""
    return occ.start, occ.end, text[occ.start : occ.end]


def _option(text: str, answer: str, noun: str, quote: str) -> dict[str, Any]:
    if text == answer:
        return {"text": text, "correct": True, "feedback": f"Right: the text says {quoted(quote)}"}
    return {
        "text": text,
        "correct": False,
        "feedback": f"No: {text} is another {noun} from the text; this sentence names {answer}.",
    }


def term_draft(ctx: Context, sentence: Sentence, occs: list[Occurrence]) -> Draft | None:
    """A single choice (or, short of distractors, a cloze) on the sentence's central term.

    A blank after lost text is not drafted: the sentence around it is not the document's.
    """
    ranked = []
    for group in groups(ctx, sentence, occs):
        weight = ctx.salience.weight(group.term.key, group.term.text)
        # "RFC 5322", "PEP 8": the number names the document, the blank asks nothing.
        numbered = any(re.match(r"\s+\d", ctx.text[o.end : o.end + 3]) for o in group.hidden)
        after_lost = LOST in ctx.text[sentence.start : group.quote[0]]
        credit = group.term.kind == "name" and _credited(ctx, sentence, group)
        crowded = len(group.hidden) > MAX_BLANKS  # "[[Mercury]]" five times is no question
        defined_here = group.term.kind == "acronym" and _spelled_before(ctx, group)
        asks = not (is_number(group.term.text) or numbered or after_lost or credit)
        asks = asks and not crowded and not defined_here
        if weight > 0 and asks:
            ranked.append((-weight, group.quote[0], group))
    ranked.sort(key=lambda item: item[:2])
    for score, _, group in ranked:
        if draft := _term_question(ctx, sentence, group, -score):
            return draft
    return None


def _term_question(ctx: Context, sentence: Sentence, group: Group, score: float) -> Draft | None:
    quote = quote_of(ctx, group.quote, [(o.start, o.end) for o in group.hidden])
    if not quote:
        return None
    first = next(o for o in group.hidden if o.term.key == group.term.key)
    others = distractors(
        text=ctx.text,
        flat=ctx.flat,
        lexicon=ctx.lexicon,
        salience=ctx.salience,
        section_text=ctx.text[ctx.section.start : ctx.section.end],
        sentence=sentence,
        occ=first,
    )
    told = given_away(ctx, sentence, group)
    if len(others) >= MIN_DISTRACTORS and not (told and group.term.kind in ("acronym", "name")):
        question = _choice(ctx, group, same_number(others, group.term.text), quote)
    elif _in_open_list(ctx, sentence, first) or told:
        return None  # "such as A, ___ and C" or "subclassed ... for ___": no question
    else:
        question = _cloze(ctx, group, quote)
    return Draft(question, score, group.term.key)


def _in_open_list(ctx: Context, sentence: Sentence, occ: Occurrence) -> bool:
    """Whether the term is an item of "such as A, B and C", "like A and B", "A, B, C, etc."."""
    before = ctx.text[sentence.start : occ.start]
    if re.search(r"\betc\b", ctx.text[occ.end : sentence.end]) and re.search(r",\s*$", before):
        return True
    if re.search(r"\blike\s+(?:[^,;:.()]*?(?:,\s*|\s+and\s+|\s+or\s+))?(?:the\s+)?$", before):
        return True
    # "(CPython, Jython, [[IronPython]], PyPy)": one of a list in parentheses.
    inside = re.search(r"\(([^()]*)$", before)
    after = re.match(r"([^()]*)\)", ctx.text[occ.end : sentence.end])
    if inside and after and (inside[1] + after[1]).count(",") >= 2:
        return True
    return any(
        o.start <= occ.start < o.end or occ.start <= o.start < occ.end
        for frag in fragments(ctx.text, sentence)
        for o in examples(ctx.terms, frag)
    )


def _spelled_before(ctx: Context, group: Group) -> bool:
    """ "Coordinated Lunar Time (LTC)": the words before the blank spell it out."""
    occ = group.hidden[0]
    before = ctx.text[max(occ.start - 60, 0) : occ.start]
    return re.search(r"(?:[A-Z][a-z]+\s+){2,}\($", before) is not None


def _credited(ctx: Context, sentence: Sentence, group: Group) -> bool:
    """ "... module by Kim Davies.": who wrote a thing is a credit, not the subject."""
    last = group.hidden[-1]
    before = ctx.text[sentence.start : group.hidden[0].start]
    return re.search(r"\bby\s+$", before) is not None and not ctx.text[
        last.end : sentence.end
    ].strip(" .!?")


def given_away(ctx: Context, sentence: Sentence, group: Group) -> bool:
    """Whether the sentence says the hidden word elsewhere ("subclassed ... for ___")."""
    # An abbreviation or name inside an identifier or another word: "allow_smtputf8".
    shown = display(ctx.text, sentence, [(o.start, o.end, " ") for o in group.hidden]).lower()
    if group.term.text.lower() in shown:
        return True
    if group.term.kind in ("acronym", "name"):
        return False
    hidden = {ctx.text[o.start : o.end].lower() for o in group.hidden}
    stems = {w[:STEM] for h in hidden for w in re.findall(r"[a-z]+", h) if len(w) >= STEM}
    rest = display(ctx.text, sentence, [(o.start, o.end, " ") for o in group.hidden]).lower()
    return any(w[:STEM] in stems for w in re.findall(r"[a-z]+", rest) if len(w) >= STEM)


def is_number(text: str) -> bool:
    return re.fullmatch(r"[\d.,\s]+", text) is not None
