"""Draft a question set from any plain-text or Markdown document.

The drafts are a starting point for an instructor to review. Sections become topics. Cloze and
single-choice questions hide a key term (an acronym, a name, a spelled-out or defined term, a
number) in a sentence that carries it; single-choice distractors are other terms of the same
kind from the same document. Definitional sentences ("X is a ...", "long form (ABBR)") give
true/false statements, the false one swapping in another term of the same kind.

Every draft quotes its sentence verbatim. ``**`` marks text lost from the document: no quote
crosses it, and no answer or distractor touches it. (Markdown bold uses the same mark and is
therefore read as lost text too.)
"""

from __future__ import annotations

import re
import unicodedata

from quizapp.bank.derive_drafts import Context, section_drafts
from quizapp.bank.derive_sections import Section, find_sections, find_sentences, usable
from quizapp.bank.derive_terms import build_lexicon, term_key
from quizapp.bank.model import QuestionDoc, SetDoc, SourceDoc, TopicDoc

__all__ = ["derive", "slugify"]


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


def _answer_key(question: QuestionDoc) -> str:
    """What a draft asks for: the hidden term, or the statement a true/false judges."""
    if question.type == "true_false":
        return question.prompt
    if question.type == "single_choice":
        return str(next(c["text"] for c in question.spec["choices"] if c["correct"]))
    return " ".join(re.findall(r"\[\[([^|\]]+)", question.spec["text"]))


def _unique(questions: list[QuestionDoc]) -> list[QuestionDoc]:
    """Drop drafts that ask for the same answer from the same sentence, and repeated ids."""
    seen: set[tuple[str, str]] = set()
    ids: set[str] = set()
    kept = []
    for q in questions:
        key = (term_key(_answer_key(q)), " ".join(q.source.quote.split()))
        if key not in seen and q.id not in ids:
            seen.add(key)
            ids.add(q.id)
            kept.append(q)
    return kept


def derive(text: str, title: str, set_id: str) -> SetDoc:
    """Draft a question set from a plain-text or Markdown document.

    Args:
        text: the document.
        title: the set's title (and the document's, in ``source``).
        set_id: the set's stable id.

    Returns:
        The drafts as a ``SetDoc`` whose source carries ``text`` inline; question ids are
        derived from the content, so deriving the same document again gives the same ids.
    """
    sections = find_sections(text, title)
    per_section = [[s for s in find_sentences(text, sec) if usable(s)] for sec in sections]
    lexicon = build_lexicon(text, [s for group in per_section for s in group])
    topics = _topic_ids(sections)
    questions: list[QuestionDoc] = []
    for section, topic, sentences in zip(sections, topics, per_section, strict=True):
        ctx = Context(text, section, topic, lexicon)
        questions += section_drafts(ctx, sentences)
    return SetDoc(
        id=set_id,
        title=title,
        description=f"Draft questions derived from “{title}”: review each one before publishing.",
        version="1",
        source=SourceDoc(title=title, text=text),
        topics=tuple(
            TopicDoc(id=topic, title=section.title, section=section.heading)
            for section, topic in zip(sections, topics, strict=True)
        ),
        questions=tuple(_unique(questions)),
    )
