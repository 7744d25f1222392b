"""Draft a question set from any plain-text, Markdown or reStructuredText document.

The drafts are a starting point for an instructor to review. Sections become topics. Each
sentence gives at most one draft, of the type its shape supports (``derive_kinds``): a
multiple response from an enumeration, an ordering from a sequence, a short answer from an
abbreviation or a definition, else a single choice or cloze on its most central key term.
Drafts are ranked by how central their fact is (``derive_salience``); ``limit`` keeps the
first so many.

Every draft quotes the document verbatim. ``**`` marks text lost from the document unless it
is Markdown bold (``**word**`` within a sentence): no quote crosses lost text, and no answer
or distractor touches it. Formatting (code marks, links, emphasis) is left out of what a
draft shows, not a reason to leave a sentence out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import replace

from quizapp.bank.derive_distract import flatten
from quizapp.bank.derive_drafts import Context, Draft
from quizapp.bank.derive_kinds import section_drafts
from quizapp.bank.derive_markup import plain_text, term_text
from quizapp.bank.derive_salience import Salience
from quizapp.bank.derive_sections import Section, Sentence, find_sections, find_sentences, usable
from quizapp.bank.derive_terms import Term, build_lexicon, occurrences, spelled_patterns, term_key
from quizapp.bank.derive_vocabulary import vocabulary
from quizapp.bank.model import SetDoc, SourceDoc, TopicDoc
from quizapp.bank.validate import validate_questions

__all__ = ["derive", "slugify"]

BACK_MATTER = re.compile(
    r"^(?:acknowledge?ments?|references?|footnotes?|copyright|licen[cs]e|authors?|credits|"
    r"changelog|change log|release notes|for (?:project )?maintainers|see also)\b",
    re.IGNORECASE,
)
"""Sections about the document rather than its subject give no drafts."""
DOMAIN_SPREAD = 3
MAX_SAME_ANSWER = 2
"""A term may be the answer of this many drafts, not more: a set is not one fact asked again."""


def slugify(text: str, limit: int = 40) -> str:
    """A lower-case id made of words and hyphens, cut at a word boundary."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = "-".join(re.findall(r"[a-z0-9]+", plain.lower()))
    while len(slug) > limit and "-" in slug:
        slug = slug.rsplit("-", 1)[0]
    return slug[:limit]


def _topic_ids(sections: list[Section]) -> list[str]:
    ids: list[str] = []
    for n, section in enumerate(sections, start=1):
        base = slugify(section.title) or f"section-{n}"
        topic = base
        while topic in ids:
            topic = f"{base}-{n}"
        ids.append(topic)
    return ids


def _domain(
    salience: Salience,
    terms: Mapping[str, Term],
    plain: str,
    per_section: list[list[Sentence]],
    spelled: list[tuple[re.Pattern[str], Term]],
) -> None:
    """The subject: what the document calls "this X", and its opening sentence's wide terms.

    "This PEP documents ... Python docstrings": a term of the opening sentence that three or
    more sections use is what the document is about, not a fact in it.
    """
    for m in re.finditer(r"\b[Tt]his\s+([A-Za-z][\w-]*(?:\s+[A-Z][\w-]*)?)", plain):
        for name in (m[1], m[1].split()[0]):
            if term_key(name) in terms:
                salience.subject.add(term_key(name))
    opening = next((group[0] for group in per_section if group), None)
    if opening is not None:
        for occ in occurrences(plain, opening, spelled):
            if salience.spread.get(occ.term.key, 0) >= DOMAIN_SPREAD:
                salience.subject.add(occ.term.key)


def _ranked(drafts: list[Draft]) -> list[Draft]:
    """The most central drafts first; each question once, each answer at most twice."""
    order = sorted(range(len(drafts)), key=lambda n: (-drafts[n].score, n))
    kept: list[Draft] = []
    ids: set[str] = set()
    asked: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()
    for n in order:
        draft = drafts[n]
        quote = " ".join(draft.question.source.quote.split())
        if draft.question.id in ids or (draft.asks, quote) in seen:
            continue
        if asked.get(draft.asks, 0) >= MAX_SAME_ANSWER:
            continue
        ids.add(draft.question.id)
        seen.add((draft.asks, quote))
        asked[draft.asks] = asked.get(draft.asks, 0) + 1
        kept.append(draft)
    return kept


def derive(text: str, title: str, set_id: str, limit: int | None = None) -> SetDoc:
    """Draft a question set from a plain-text, Markdown or reStructuredText document.

    Args:
        text: the document.
        title: the set's title (and the document's, in ``source``); its terms are the
            document's subject, never an answer.
        set_id: the set's stable id.
        limit: how many drafts to keep at most (the most central ones); None keeps all.

    Returns:
        The drafts as a ``SetDoc`` whose source carries ``text`` inline, most central first;
        question ids are derived from the content, so deriving the same document again gives
        the same ids. Every draft passes ``validate_set``.
    """
    plain = plain_text(text)
    sections = find_sections(text, title)
    per_section = [[s for s in find_sentences(plain, sec) if usable(s)] for sec in sections]
    terms = term_text(text, plain)
    usable_sentences = [s for group in per_section for s in group]
    lexicon = build_lexicon(terms, usable_sentences, vocabulary(terms, usable_sentences))
    salience = Salience()
    spelled = spelled_patterns(lexicon)
    salience.observe(
        [
            [o.term.key for s in group for o in occurrences(terms, s, spelled)]
            for group in per_section
        ]
    )
    key_of = {t.text: t.key for t in lexicon.terms.values()}
    alias = {k: term_key(v) for k, v in lexicon.alias.items()}
    salience.find_subject(term_key(plain_text(title)), alias, key_of)
    _domain(salience, lexicon.terms, plain, per_section, spelled)
    topics = _topic_ids(sections)
    drafts: list[Draft] = []
    flat = flatten(plain)
    for section, topic, sentences in zip(sections, topics, per_section, strict=True):
        if BACK_MATTER.search(section.title):
            continue
        ctx = Context(plain, text, terms, flat, section, topic, lexicon, salience)
        drafts += section_drafts(ctx, sentences)
    doc = SetDoc(
        id=set_id,
        title=title,
        description=f"Draft questions derived from “{title}”: review each one before publishing.",
        version="1",
        source=SourceDoc(title=title, text=text),
        topics=tuple(
            TopicDoc(id=topic, title=section.title, section=section.heading)
            for section, topic in zip(sections, topics, strict=True)
        ),
        questions=tuple(d.question for d in _ranked(drafts)),
    )
    # A draft the validator would refuse never reaches the instructor.
    doc = validate_questions(doc).without_bad_questions(doc)
    kept = doc.questions if limit is None else doc.questions[: max(limit, 0)]
    return replace(doc, questions=kept)
