"""Drafting the questions of one section: cloze, single choice and true/false per sentence.

A sentence's key terms give cloze or single-choice drafts (the distractors other terms of the
same kind), definitional sentences and spelled-out acronyms give true/false statements (the
false one swapping in another term). Every draft quotes its sentence and gets an id made from
its content.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from quizapp.bank.derive_sections import FINAL_STOP, LOST, Section, Sentence, fragments
from quizapp.bank.derive_terms import (
    Definition,
    Lexicon,
    Occurrence,
    Term,
    defined_term,
    is_acronym,
    lowered,
    occurrences,
    spelled_patterns,
    term_key,
    touches_lost,
    word_count,
)
from quizapp.bank.model import QuestionDoc, SourceRef

ELLIPSIS = "…"
BLANK = "_____"
MIN_QUOTE_WORDS = 5
MAX_DISTRACTORS = 3

KIND_NOUNS = {
    "acronym": "abbreviation",
    "expansion": "term",
    "term": "term",
    "name": "name",
    "number": "number",
    "example": "example",
}
"""The noun a prompt uses for each kind of term."""

_SWAPPABLE = {
    "acronym": ("acronym",),
    "name": ("name",),
    "number": ("number",),
    "expansion": ("expansion", "term"),
    "term": ("term", "expansion"),
    "example": (),
}
"""Which kinds may stand in for a term of each kind, as a distractor or in a false statement."""


@dataclass(frozen=True)
class Context:
    """What every draft of one section needs to know."""

    text: str
    section: Section
    topic: str
    lexicon: Lexicon


@dataclass(frozen=True)
class _Group:
    """The occurrences of one term in one sentence (with its acronym or long form, if there)."""

    sentence: Sentence
    term: Term
    hidden: tuple[Occurrence, ...]
    quote: tuple[int, int]


def _groups(ctx: Context, sentence: Sentence, occs: list[Occurrence]) -> Iterator[_Group]:
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
            yield _Group(sentence, group[0].term, tuple(hidden), quote)


_ARTICLE = re.compile(r"(?<![\w-])(?P<article>[Aa]n?)\s+$")


def _neutral_article(text: str, start: int, swaps: list[tuple[int, int, str]]) -> None:
    """Write "a(n)" for the article before a hidden term, which would give away its first sound."""
    match = _ARTICLE.search(text, max(start - 4, 0), start)
    if match:
        swaps.append((match.start("article"), match.end("article"), match["article"][0] + "(n)"))


def _article_for(word: str, article: str) -> str:
    """``a`` or ``an`` (keeping the capital) as the first sound of ``word`` asks for."""
    # An abbreviation is read letter by letter: "an SLA", "a UDP"; a word by its vowel.
    vowels = "AEFHILMNORSX" if is_acronym(word.split()[0]) else "aeiouAEIOU"
    wanted = "an" if word[:1] in vowels else "a"
    return wanted.capitalize() if article[:1].isupper() else wanted


def _display(text: str, sentence: Sentence, swaps: Sequence[tuple[int, int, str]]) -> str:
    """The sentence as shown: spans replaced, lost text shown as an ellipsis, spacing tidied."""
    out, pos = [], sentence.start
    for start, end, new in sorted(swaps):
        out += [text[pos:start], new]
        pos = end
    out.append(text[pos : sentence.end])
    shown = "".join(out).replace(LOST, f" {ELLIPSIS} ")
    shown = " ".join(shown.split())
    return re.sub(rf"{ELLIPSIS} ([.,;:!?])", rf"{ELLIPSIS}\1", shown)


def _stable_pick(items: Sequence[Term], salt: str) -> list[Term]:
    """Order ``items`` by a hash of ``salt``: varied across questions, the same every run."""
    return sorted(items, key=lambda t: _digest(salt, t.key))


def _mentions(text: str, term: Term) -> bool:
    """Whether ``text`` names ``term`` anywhere (in any case, plural, or inside BCMA-negative)."""
    words = r"\s+".join(re.escape(w) for w in term.text.split())
    return re.search(rf"(?<![A-Za-z0-9]){words}(?:s|es)?(?![A-Za-z0-9])", text, re.I) is not None


def _plural(text: str) -> bool:
    last = text.split()[-1].lower() if text.split() else ""
    return last.endswith("s") and not last.endswith("ss")


def _distractors(ctx: Context, group: _Group) -> list[Term]:
    """Other terms of the same kind, none of which occurs in the sentence."""
    banned = {group.term.key, term_key(ctx.lexicon.alias.get(group.term.key, ""))}
    pool = [
        t
        for t in ctx.lexicon.of_kind(_SWAPPABLE[group.term.kind])
        if t.key not in banned
        and not _mentions(group.sentence.text, t)
        and t.key not in group.term.key
        and group.term.key not in t.key
    ]
    picked = _stable_pick(pool, group.term.key + group.sentence.text)
    same_number = [t for t in picked if _plural(t.text) == _plural(group.term.text)]
    rest = [t for t in picked if t not in same_number]
    return (same_number + rest)[:MAX_DISTRACTORS]


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _question_id(ctx: Context, tag: str, *parts: str) -> str:
    return f"{ctx.topic}-{tag}-{_digest(tag, *parts)[:8]}"


def _quote_of(ctx: Context, span: tuple[int, int]) -> str:
    return ctx.text[span[0] : span[1]]


def _quoted(quote: str) -> str:
    """A quote in curly quotes, followed by a full stop unless it ends with one."""
    text = " ".join(quote.split())
    return f"“{text}”" if FINAL_STOP.search(text) else f"“{text}”."


def _explain(ctx: Context, quote: str) -> str:
    return f"In “{ctx.section.title}”, the text says: {_quoted(quote)}"


def _gap(ctx: Context, occ: Occurrence, hidden: Sequence[Occurrence]) -> str:
    """A cloze gap for one occurrence; it also accepts the term's acronym or long form."""
    answer = " ".join(ctx.text[occ.start : occ.end].split())
    alias = ctx.lexicon.alias.get(occ.term.key, "") if occ.term.kind == "expansion" else ""
    shown = {term_key(ctx.text[o.start : o.end]) for o in hidden}
    if alias and term_key(alias) not in shown:
        return f"[[{answer}|{alias}]]"
    return f"[[{answer}]]"


def _cloze(ctx: Context, group: _Group) -> QuestionDoc:
    swaps = [(o.start, o.end, _gap(ctx, o, group.hidden)) for o in group.hidden]
    for occ in group.hidden:
        _neutral_article(ctx.text, occ.start, swaps)
    quote = _quote_of(ctx, group.quote)
    blanks = "blanks" if len(group.hidden) > 1 else "blank"
    return QuestionDoc(
        id=_question_id(ctx, "cloze", group.term.key, quote),
        topic=ctx.topic,
        type="cloze",
        prompt=f"Fill in the {blanks} in this sentence from the section “{ctx.section.title}”.",
        spec={"text": _display(ctx.text, group.sentence, swaps)},
        explanation=_explain(ctx, quote),
        source=SourceRef(ctx.section.heading, quote),
    )


def _choice(ctx: Context, group: _Group, distractors: list[Term]) -> QuestionDoc:
    # The correct option names the first occurrence of the term; a paired acronym is blanked too.
    first = next(o for o in group.hidden if o.term.key == group.term.key)
    answer = " ".join(ctx.text[first.start : first.end].split())
    swaps = [_choice_swap(ctx.text, o, group.term.key) for o in group.hidden]
    _neutral_article(ctx.text, first.start, swaps)
    quote = _quote_of(ctx, group.quote)
    noun = KIND_NOUNS[group.term.kind]
    options = sorted([answer, *(d.text for d in distractors)], key=str.casefold)
    sentence = _display(ctx.text, group.sentence, swaps)
    return QuestionDoc(
        id=_question_id(ctx, "choice", group.term.key, quote),
        topic=ctx.topic,
        type="single_choice",
        prompt=(
            f"Which {noun} completes this sentence from the section “{ctx.section.title}”? "
            f"“{sentence}”"
        ),
        spec={"choices": [_option(o, answer, noun, quote) for o in options]},
        explanation=_explain(ctx, quote),
        source=SourceRef(ctx.section.heading, quote),
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
        return {"text": text, "correct": True, "feedback": f"Right: the text says {_quoted(quote)}"}
    return {
        "text": text,
        "correct": False,
        "feedback": f"No: {text} is another {noun} from the text; this sentence names {answer}.",
    }


def _true_false(
    ctx: Context, statement: str, answer: bool, quote: str, explanation: str, key: str
) -> QuestionDoc:
    return QuestionDoc(
        id=_question_id(ctx, "tf", key, str(answer), quote),
        topic=ctx.topic,
        type="true_false",
        prompt=statement,
        spec={"answer": answer},
        explanation=explanation,
        source=SourceRef(ctx.section.heading, quote),
    )


def _swap_candidate(ctx: Context, term: Term, sentence: Sentence) -> Term | None:
    """Another term of the same kind (and number) that the sentence does not mention."""
    banned = {term.key, term_key(ctx.lexicon.alias.get(term.key, ""))}
    pool = [
        t
        for t in ctx.lexicon.of_kind(_SWAPPABLE[term.kind])
        if t.key not in banned
        and not _mentions(sentence.text, t)
        and _plural(t.text) == _plural(term.text)
    ]
    picked = _stable_pick(pool, term.key + sentence.text)
    picked.sort(key=lambda t: t.kind != term.kind)
    return picked[0] if picked else None


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _definition_drafts(ctx: Context, sentence: Sentence) -> Iterator[QuestionDoc]:
    """A true statement (the sentence itself) and a false one (another term swapped in)."""
    defined = defined_term(ctx.text, sentence)
    if defined is None or LOST in sentence.text:
        return
    quote = sentence.text
    said = f"The text says: {_quoted(quote)}"
    yield _true_false(ctx, _display(ctx.text, sentence, []), True, quote, said, defined.term.key)
    other = _swap_candidate(ctx, defined.term, sentence)
    if other is None:
        return
    end = defined.end
    after = re.match(r"\s*\([^()]{1,40}\)", ctx.text[end : sentence.end])
    if after:
        end += after.end()
    new = _capitalise(other.text) if defined.start == sentence.start else other.text
    swaps = [(defined.start, end, new)]
    if article := _ARTICLE.search(ctx.text, max(defined.start - 4, 0), defined.start):
        swaps.append((article.start(1), article.end(1), _article_for(new, article[1])))
    statement = _display(ctx.text, sentence, swaps)
    subject = lowered(defined.term.text, defined.start == sentence.start)
    why = f"False. {said} The statement puts “{other.text}” in place of “{subject}”."
    yield _true_false(ctx, statement, False, quote, why, defined.term.key)


def _stands_for_drafts(
    ctx: Context, sentence: Sentence, definition: Definition
) -> Iterator[QuestionDoc]:
    """True/false on what an abbreviation stands for, the false one naming another acronym."""
    if any(touches_lost(ctx.text, occ) for occ in (definition.abbr, definition.long)):
        return
    frag = next(f for f in fragments(ctx.text, sentence) if f[0] <= definition.span[0] < f[1])
    quote = _quote_of(ctx, frag)
    if word_count(quote) < MIN_QUOTE_WORDS:
        return
    abbr = definition.abbr.term.text
    long = lowered(definition.long.term.text, definition.long.start == sentence.start)
    said = f"The text gives {abbr} as the abbreviation of {long}: {_quoted(quote)}"
    key = f"stands-for {definition.abbr.term.key}"
    yield _true_false(ctx, f"In the text, {abbr} stands for {long}.", True, quote, said, key)
    other = _swap_candidate(ctx, definition.abbr.term, sentence)
    if other is not None:
        statement = f"In the text, {other.text} stands for {long}."
        yield _true_false(ctx, statement, False, quote, f"False. {said}", key)


def _term_drafts(ctx: Context, sentence: Sentence, occs: list[Occurrence]) -> Iterator[QuestionDoc]:
    """One cloze or single-choice draft per key term of the sentence."""
    for group in _groups(ctx, sentence, occs):
        distractors = _distractors(ctx, group)
        coin = int(_digest(group.term.key, group.sentence.text)[0], 16) % 2
        if len(distractors) >= 2 and coin:
            yield _choice(ctx, group, distractors)
        else:
            yield _cloze(ctx, group)


def section_drafts(ctx: Context, sentences: list[Sentence]) -> Iterator[QuestionDoc]:
    spelled = spelled_patterns(ctx.lexicon)
    for sentence in sentences:
        yield from _term_drafts(ctx, sentence, occurrences(ctx.text, sentence, spelled))
        yield from _definition_drafts(ctx, sentence)
        for definition in _first_definitions(ctx.lexicon, sentence):
            yield from _stands_for_drafts(ctx, sentence, definition)


def _first_definitions(lexicon: Lexicon, sentence: Sentence) -> list[Definition]:
    """The abbreviations this sentence is the first in the document to spell out."""
    first: dict[str, tuple[Sentence, Definition]] = {}
    for where, definition in lexicon.definitions:
        first.setdefault(definition.abbr.term.key, (where, definition))
    return [d for where, d in first.values() if where == sentence]
